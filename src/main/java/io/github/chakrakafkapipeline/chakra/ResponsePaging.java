package io.github.chakrakafkapipeline.chakra;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.spi.IdempotentRepository;

/**
 * Starts the paged fetch of a target with its configured paging, feeds it the responses, and hands out what is left
 * to publish.
 */
public class ResponsePaging {

    private final int pageSize;
    private final int maxPages;
    private final IdempotentRepository dedupState;

    public ResponsePaging(int pageSize, int maxPages, IdempotentRepository dedupState) {
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        this.dedupState = dedupState;
    }

    /** {@code request} is the configured request body; paging adds its fields to it. */
    public void start(@Body String request, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        poll.setPaging(new PagedFetch(poll.getTarget(), request, poll.getPagingStyle(), pageSize, maxPages));
    }

    /** Whether another page is to be fetched: the loop of response-fetch. */
    public boolean more(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        return poll.getPaging().isMore();
    }

    /** The request body of the next page. */
    public String nextRequest(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        return poll.getPaging().nextRequest();
    }

    public void collect(@Body ResponsePage page, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        poll.getPaging().accept(page, dedupState::contains);
    }

    /**
     * The fetched messages, oldest first, less those already published: most of every response in the steady state,
     * counted here as duplicates before any of them goes through message-route, whose dedup step decides for the rest.
     */
    public List<ReceivedMessage> unpublished(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        List<ReceivedMessage> fetched = poll.getPaging().messages();
        List<ReceivedMessage> fresh = new ArrayList<>(fetched.size());
        for (ReceivedMessage message : fetched) {
            if (message.externalId() == null || !dedupState.contains(message.externalId())) {
                fresh.add(message);
            }
        }
        poll.received(fetched.size());
        poll.duplicates(fetched.size() - fresh.size());
        return fresh;
    }
}
