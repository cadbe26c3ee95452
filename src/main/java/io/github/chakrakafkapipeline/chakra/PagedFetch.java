package io.github.chakrakafkapipeline.chakra;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages of one target in one poll: the body of response-fetch while it fetches them. The two operations' paging is undocumented, so it is off unless configured:
 * {@code page} adds {@code page}/{@code limit} to the request body, {@code skip} adds {@code skip}/{@code limit}.
 * Paging stops at an empty page, a page shorter than the limit, {@code _meta.hasMore == false}, a page holding only
 * messages already published, or the maximum number of pages. All pages are collected before anything is published,
 * so that the target's messages go out oldest first even though the API pages newest first.
 */
public final class PagedFetch {

    private static final Logger LOG = LoggerFactory.getLogger(PagedFetch.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String target;
    private final String baseRequest;
    private final PagingStyle style;
    private final int pageSize;
    private final int maxPages;
    private final List<ReceivedMessage> collected = new ArrayList<>();
    private int pages;
    private boolean more = true;
    private boolean truncated;

    public PagedFetch(String target, String baseRequest, PagingStyle style, int pageSize, int maxPages) {
        this.target = target;
        this.baseRequest = baseRequest;
        this.style = style;
        this.pageSize = pageSize;
        this.maxPages = maxPages;
    }

    /** The body of the next request: the configured body, with the paging fields when paging is on. */
    public String nextRequest() {
        return pageRequest(baseRequest, style, pages, pageSize);
    }

    /** The request for page {@code index} (from 0): {@code request} with page/limit or skip/limit added. */
    public static String pageRequest(String request, PagingStyle style, int index, int pageSize) {
        if (style == PagingStyle.NONE) {
            return request;
        }
        ObjectNode body;
        try {
            body = (ObjectNode) JSON.readTree(request); // a JSON object: checked at start-up
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The request body is not JSON: " + request, e);
        }
        if (style == PagingStyle.PAGE) {
            body.put("page", index + 1);
        } else {
            body.put("skip", index * pageSize);
        }
        body.put("limit", pageSize);
        return body.toString();
    }

    /** Takes one response and decides whether to ask for another page. */
    public void accept(ResponsePage page, Predicate<ReceivedMessage> alreadyPublished) {
        pages++;
        collected.addAll(page.messages());
        more = style != PagingStyle.NONE
                && !page.messages().isEmpty()
                && page.messages().size() >= pageSize
                && !Boolean.FALSE.equals(page.hasMore())
                && !page.messages().stream().allMatch(m -> isPublished(m, alreadyPublished));
        if (more && pages >= maxPages) {
            more = false;
            truncated = true;
            LOG.warn("{}: stopped after {} pages (chakra.paging.max.pages); older messages were not fetched this poll",
                    target, pages);
        }
    }

    public boolean isMore() {
        return more;
    }

    /** Whether messages were left for a later poll: paging stopped at chakra.paging.max.pages, or some left out. */
    public boolean isTruncated() {
        return truncated;
    }

    /** Everything fetched, oldest first: the API responses newest first, consumers get each chat in timestamp order. */
    public List<ReceivedMessage> messages() {
        List<ReceivedMessage> sorted = new ArrayList<>(collected);
        sorted.sort(Comparator.comparingLong(ReceivedMessage::timestamp)); // stable
        return sorted;
    }

    /** The chats of the messages fetched, in order of id. */
    public List<String> chats() {
        return collected.stream().map(ReceivedMessage::chat).filter(Objects::nonNull).distinct().sorted().toList();
    }

    /** Leaves out the messages of these chats: they are read again at the next poll. */
    public void leaveOut(Set<String> chats) {
        truncated |= collected.removeIf(message -> chats.contains(message.chat()));
    }

    private static boolean isPublished(ReceivedMessage message, Predicate<ReceivedMessage> alreadyPublished) {
        return message.externalId() != null && alreadyPublished.test(message);
    }
}
