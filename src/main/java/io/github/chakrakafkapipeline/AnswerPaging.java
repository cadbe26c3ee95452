package io.github.chakrakafkapipeline;

import java.util.Locale;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.spi.IdempotentRepository;

/** Starts the paged fetch of a target with the configured paging, and feeds it the answers. */
public class AnswerPaging {

    private final int pageSize;
    private final int maxPages;
    private final IdempotentRepository published;

    public AnswerPaging(int pageSize, int maxPages, IdempotentRepository published) {
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        this.published = published;
    }

    public PagedFetch start(@Body String request, @ExchangeProperty("chakraTarget") String target,
            @ExchangeProperty("chakraPagingStyle") String style) {
        return new PagedFetch(target, request, parseStyle(style), pageSize, maxPages);
    }

    public void collect(@Body AnswerPage page, @ExchangeProperty("chakraFetch") PagedFetch fetch) {
        fetch.accept(page, published::contains);
    }

    static PagedFetch.Style parseStyle(String style) {
        return PagedFetch.Style.valueOf(style.trim().toUpperCase(Locale.ROOT));
    }
}
