package io.github.chakrakafkapipeline.chakra;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import java.util.function.Predicate;

/**
 * The paging of response-fetch: starts a target's {@link PagedFetch} with its configured paging, which is then the
 * body, and gathers each response into it. While a page is called, the fetch waits in Camel's claim check; popping it
 * back, this strategy adds the response (the body then) to it, and the fetch is the body again.
 */
public class ResponsePaging implements AggregationStrategy {

    private final int pageSize;
    private final int maxPages;
    private final Predicate<ReceivedMessage> published;

    /** {@code published} tells a message the dedup state knows: a page of only those is the last. */
    public ResponsePaging(int pageSize, int maxPages, Predicate<ReceivedMessage> published) {
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        this.published = published;
    }

    /** {@code request} is the configured request body; paging adds its fields to it. */
    public PagedFetch start(@Body String request, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        return new PagedFetch(poll.getTarget(), request, poll.getPagingStyle(), pageSize, maxPages);
    }

    /** Whether another page is to be fetched: the loop of response-fetch. */
    public boolean more(@Body PagedFetch fetch) {
        return fetch.isMore();
    }

    /** The request body of the next page. */
    public String nextRequest(@Body PagedFetch fetch) {
        return fetch.nextRequest();
    }

    /** The claim check's pop: {@code page}'s body is the response just parsed, {@code fetch}'s the fetch set aside. */
    @Override
    public Exchange aggregate(Exchange page, Exchange fetch) {
        PagedFetch pages = fetch.getMessage().getBody(PagedFetch.class);
        pages.accept(page.getMessage().getBody(ResponsePage.class), published);
        page.getMessage().setBody(pages);
        return page;
    }
}
