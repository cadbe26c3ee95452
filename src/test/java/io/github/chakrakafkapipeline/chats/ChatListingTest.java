package io.github.chakrakafkapipeline.chats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** One pass of List chats after another, against answers given by hand: how far it pages, and what it reads. */
class ChatListingTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ChatActivity activity = new ChatActivity("activity", Map::of, Duration.ofSeconds(1), false);
    private final ChatListing listing = new ChatListing(activity, new PipelineMetrics(() -> registry),
            "{\"orderField\":\"updatedAt\",\"orderDirection\":\"desc\"}", PagingStyle.PAGE, 2, 10, "id", "updatedAt");

    @Test
    void a_first_pass_lists_every_page_and_every_chat_is_changed() {
        listing.start();
        assertEquals("{\"orderField\":\"updatedAt\",\"orderDirection\":\"desc\",\"page\":1,\"limit\":2}",
                listing.nextRequest());
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50},{\"id\":\"b\",\"updatedAt\":40}", true));
        assertTrue(listing.isMore());
        listing.collect(page("{\"id\":\"c\",\"updatedAt\":30}", false));
        assertFalse(listing.isMore());
        listing.finish();
        assertEquals(Map.of("a", 50L, "b", 40L, "c", 30L), activity.changed());
    }

    @Test
    void a_later_pass_stops_where_the_last_complete_pass_began_and_reads_only_what_moved() {
        firstPass();
        activity.recorded("d", 35);
        listing.start();
        listing.collect(page("{\"id\":\"c\",\"updatedAt\":60},{\"id\":\"a\",\"updatedAt\":50}", true));
        assertTrue(listing.isMore(), "a, at the mark, may have neighbours of the same activity on the next page");
        listing.collect(page("{\"id\":\"b\",\"updatedAt\":40},{\"id\":\"d\",\"updatedAt\":35}", true));
        assertFalse(listing.isMore(), "b is older than the newest activity of the last pass: the rest was listed then");
        listing.finish();
        assertEquals(Map.of("c", 60L), activity.changed());
        assertEquals(2, listing.pagesThisPoll());
    }

    @Test
    void a_chat_whose_read_failed_stays_changed_whatever_the_listing_says_next() {
        listing.start();
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50},{\"id\":\"b\",\"updatedAt\":40}", false));
        listing.finish();
        activity.recorded("a", 50); // b's read failed
        listing.start();
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50}", false));
        listing.finish();
        assertEquals(Map.of("b", 40L), activity.changed());
    }

    @Test
    void ids_that_cannot_go_into_a_url_and_chats_without_an_id_are_skipped_and_counted() {
        listing.start();
        listing.collect(page("{\"id\":\"../x\",\"updatedAt\":9},{\"id\":\"a/b\",\"updatedAt\":8},{\"id\":\"a.b\","
                + "\"updatedAt\":7},{\"updatedAt\":6},{\"id\":\"ok-1\",\"updatedAt\":5}", false));
        assertEquals(Map.of("ok-1", 5L), activity.changed());
        assertEquals(3.0, problems("invalid-id"));
        assertEquals(1.0, problems("no-id"));
    }

    @Test
    void an_answer_that_is_not_the_envelope_ends_the_pass_and_is_counted() {
        listing.start();
        listing.collect("<html>oops</html>".getBytes(StandardCharsets.UTF_8));
        assertFalse(listing.isMore());
        listing.collect("{\"chats\":[]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(2.0, problems("not-envelope"));
    }

    @Test
    void a_list_not_in_activity_order_is_listed_whole_at_every_poll() {
        firstPass();
        listing.start();
        listing.collect(page("{\"id\":\"b\",\"updatedAt\":10},{\"id\":\"a\",\"updatedAt\":90}", true));
        assertEquals(1.0, problems("unordered"));
        assertTrue(listing.isMore(), "no mark to stop at");
    }

    @Test
    void chats_pushed_down_to_the_next_page_by_others_moving_up_are_no_disorder() {
        listing.start();
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50},{\"id\":\"b\",\"updatedAt\":40}", true));
        // meanwhile two chats from further down got messages and went to the top: a and b are now on page 2
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50},{\"id\":\"b\",\"updatedAt\":40}", false));
        listing.finish();
        assertEquals(0.0, problems("unordered"));
    }

    private void firstPass() {
        listing.start();
        listing.collect(page("{\"id\":\"a\",\"updatedAt\":50},{\"id\":\"b\",\"updatedAt\":40}", false));
        listing.finish();
        activity.recorded("a", 50);
        activity.recorded("b", 40);
    }

    private double problems(String problem) {
        var counter = registry.find("chakra.pipeline.chat.list.problems").tag("problem", problem).counter();
        return counter == null ? 0 : counter.count();
    }

    private static byte[] page(String chats, boolean hasMore) {
        return ("{\"_data\":[" + chats + "],\"_meta\":{\"hasMore\":" + hasMore + "},\"_errors\":[]}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
