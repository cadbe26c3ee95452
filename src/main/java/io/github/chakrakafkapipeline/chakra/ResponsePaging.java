package io.github.chakrakafkapipeline.chakra;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.chakrakafkapipeline.publish.PublishTally;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.spi.IdempotentRepository;

/**
 * Starts the paged fetch of a target with the configured paging, feeds it the answers, and hands out what is left to
 * publish.
 */
public class ResponsePaging {

    private final int pageSize;
    private final int maxPages;
    private final IdempotentRepository published;

    public ResponsePaging(int pageSize, int maxPages, IdempotentRepository published) {
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        this.published = published;
    }

    public PagedFetch start(@Body String request, @ExchangeProperty("chakraTarget") String target,
            @ExchangeProperty("chakraPagingStyle") String style) {
        return new PagedFetch(target, request, parseStyle(style), pageSize, maxPages);
    }

    public void collect(@Body ResponsePage page, @ExchangeProperty("chakraFetch") PagedFetch fetch) {
        fetch.accept(page, published::contains);
    }

    /**
     * The fetched messages, oldest first, less those already published: most of every answer in the steady state,
     * counted here as duplicates before any of them is classified. {@link MessageClaims} still decides for the rest.
     */
    public List<ReceivedMessage> unpublished(@ExchangeProperty("chakraFetch") PagedFetch fetch,
            @ExchangeProperty(PublishTally.PROPERTY) PublishTally.Counts counts) {
        List<ReceivedMessage> fetched = fetch.messages();
        List<ReceivedMessage> fresh = new ArrayList<>(fetched.size());
        for (ReceivedMessage message : fetched) {
            if (message.externalId() == null || !published.contains(message.externalId())) {
                fresh.add(message);
            }
        }
        counts.alreadyPublished(fetched.size() - fresh.size());
        return fresh;
    }

    public static PagedFetch.Style parseStyle(String style) {
        return PagedFetch.Style.valueOf(style.trim().toUpperCase(Locale.ROOT));
    }
}
