package io.github.chakrakafkapipeline.chakra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.github.chakrakafkapipeline.settings.PagingStyle;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.TestData;
import org.junit.jupiter.api.Test;

class PagedFetchTest {


    @Test
    void without_paging_asks_once_with_the_configured_body() {
        PagedFetch fetch = new PagedFetch("t", "{\"a\": 1}", PagingStyle.NONE, 2, 5);
        assertEquals("{\"a\": 1}", fetch.nextRequest());
        fetch.accept(page(null, "x", "y"), id -> false);
        assertFalse(fetch.isMore());
    }

    @Test
    void adds_page_or_skip_and_limit_to_the_configured_body() {
        PagedFetch byPage = new PagedFetch("t", "{\"a\": 1}", PagingStyle.PAGE, 2, 5);
        assertEquals("{\"a\":1,\"page\":1,\"limit\":2}", byPage.nextRequest());
        byPage.accept(page(null, "x", "y"), id -> false);
        assertEquals("{\"a\":1,\"page\":2,\"limit\":2}", byPage.nextRequest());

        PagedFetch bySkip = new PagedFetch("t", "{}", PagingStyle.SKIP, 2, 5);
        bySkip.accept(page(null, "x", "y"), id -> false);
        assertEquals("{\"skip\":2,\"limit\":2}", bySkip.nextRequest());
    }

    @Test
    void stops_at_an_empty_or_short_page_at_has_more_false_at_known_messages_and_at_the_page_limit() {
        assertTrue(after(page(null, "a", "b"), Set.of()), "a full page of new messages asks for more");
        assertFalse(after(page(null), Set.of()), "empty page");
        assertFalse(after(page(null, "a"), Set.of()), "short page");
        assertFalse(after(page(false, "a", "b"), Set.of()), "_meta.hasMore false");
        assertFalse(after(page(null, "a", "b"), Set.of("a", "b")), "only messages already published");
        assertTrue(after(page(null, "a", "b"), Set.of("a")), "some new messages: there may be more");

        PagedFetch limited = new PagedFetch("t", "{}", PagingStyle.PAGE, 2, 2);
        limited.accept(page(null, "a", "b"), id -> false);
        limited.accept(page(null, "c", "d"), id -> false);
        assertFalse(limited.isMore(), "the most pages per poll");
    }

    @Test
    void hands_out_every_page_oldest_first() {
        PagedFetch fetch = new PagedFetch("t", "{}", PagingStyle.PAGE, 2, 5);
        fetch.accept(page(null, "m4", "m3"), id -> false);
        fetch.accept(page(null, "m2", "m1"), id -> false);
        assertEquals(List.of("m1", "m2", "m3", "m4"),
                fetch.messages().stream().map(ReceivedMessage::externalId).toList());
    }

    private static boolean after(ResponsePage page, Set<String> published) {
        PagedFetch fetch = new PagedFetch("t", "{}", PagingStyle.PAGE, 2, 5);
        fetch.accept(page, message -> published.contains(message.externalId()));
        return fetch.isMore();
    }

    /** Messages named by externalId; a higher number is newer. */
    private static ResponsePage page(Boolean hasMore, String... externalIds) {
        return new ResponsePage(Stream.of(externalIds).map(id -> {
            long timestamp = Long.parseLong("1" + id.replaceAll("\\D", ""));
            return TestData.message(MessageJson.message(id).timestamp(timestamp).build());
        }).toList(), hasMore);
    }
}
