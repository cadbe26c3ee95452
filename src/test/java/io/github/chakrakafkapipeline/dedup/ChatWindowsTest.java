package io.github.chakrakafkapipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.github.chakrakafkapipeline.dedup.ChatWindows.Id;
import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;
import org.junit.jupiter.api.Test;

class ChatWindowsTest {

    private static final long MINUTE = 60_000;

    private static Id id(String externalId, long timestamp) {
        return new Id(timestamp, Fingerprint.of(externalId));
    }

    private static List<Id> ids(String chat, int from, int to, long step) {
        List<Id> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(id(chat + "-" + i, i * step));
        }
        return ids;
    }

    @Test
    void a_chat_keeps_its_newest_ids_and_those_of_the_window_and_forgets_the_rest() {
        ChatWindows windows = new ChatWindows(3, 10 * MINUTE);
        windows.merge("c", ids("c", 0, 100, MINUTE), null); // one a minute: the last 10 minutes hold 11
        assertEquals(11, windows.ids());
        assertTrue(windows.holds(Fingerprint.of("c-99")));
        assertTrue(windows.holds(Fingerprint.of("c-89")), "89 minutes is 10 before the newest");
        assertFalse(windows.holds(Fingerprint.of("c-88")));
        assertTrue(windows.olderThanWindow("c", 88 * MINUTE));
        assertFalse(windows.olderThanWindow("c", 89 * MINUTE), "what the window holds is looked up");
        assertFalse(windows.olderThanWindow("other", 0), "a chat never seen forgot nothing");

        windows.merge("quiet", ids("quiet", 0, 10, 24 * 60 * MINUTE), null); // one a day: the newest 3 stay
        assertEquals(11 + 3, windows.ids());
        assertTrue(windows.olderThanWindow("quiet", 6L * 24 * 60 * MINUTE));
        assertFalse(windows.olderThanWindow("quiet", 7L * 24 * 60 * MINUTE));
        assertEquals(2, windows.chats());
    }

    @Test
    void a_record_round_trips_and_merging_it_never_brings_back_what_was_forgotten() {
        ChatWindows leader = new ChatWindows(3, 0);
        leader.merge("c", ids("c", 0, 5, 1000), null);
        String record = leader.encode("c", List.of(id("c-5", 5000)));
        assertEquals(3, leader.ids(), "encoding changes nothing in memory");
        ChatWindows.Decoded decoded = ChatWindows.decode(record);
        assertEquals(List.of(id("c-3", 3000), id("c-4", 4000), id("c-5", 5000)), decoded.ids());
        assertEquals(2000L, decoded.forgottenUpTo());

        ChatWindows follower = new ChatWindows(3, 0);
        follower.merge("c", ids("c", 0, 7, 1000), null); // ahead of the record: it already forgot up to 3000
        follower.merge("c", decoded.ids(), decoded.forgottenUpTo());
        assertFalse(follower.holds(Fingerprint.of("c-3")), "an older record does not bring back c-3");
        assertTrue(follower.holds(Fingerprint.of("c-6")));
        assertEquals(3, follower.ids());

        assertNull(ChatWindows.decode("published"), "an id's record from before windows");
        assertNull(ChatWindows.decode("v1 -").forgottenUpTo());
    }

    @Test
    void a_late_message_inside_the_window_is_held_in_order_and_ids_held_for_good_stay() {
        ChatWindows windows = new ChatWindows(2, 0);
        windows.holdForGood(Fingerprint.of("old"));
        windows.merge("c", List.of(id("c-10", 10), id("c-30", 30)), null);
        windows.merge("c", List.of(id("c-20", 20)), null); // arrives late: c-10 is the oldest and goes
        assertFalse(windows.holds(Fingerprint.of("c-10")));
        assertTrue(windows.holds(Fingerprint.of("c-20")));
        assertTrue(windows.olderThanWindow("c", 10));
        assertFalse(windows.olderThanWindow("c", 11));
        windows.merge("c", ids("c", 100, 200, 1), null);
        assertTrue(windows.holds(Fingerprint.of("old")));
        assertEquals(3, windows.ids());
    }

    @Test
    void ids_without_a_timestamp_are_kept_and_a_message_without_one_is_always_looked_up() {
        // an element without a timestamp (a dead letter, say) has no place in time: forgetting it would make every
        // later one of the chat look older than the window, and none would be reported
        ChatWindows windows = new ChatWindows(2, 0);
        windows.merge("c", List.of(id("broken-1", Long.MIN_VALUE)), null);
        windows.merge("c", ids("c", 1, 10, 1), null);
        assertTrue(windows.holds(Fingerprint.of("broken-1")));
        assertFalse(windows.olderThanWindow("c", Long.MIN_VALUE));
        windows.merge("c", List.of(id("broken-2", Long.MIN_VALUE)), null);
        assertTrue(windows.holds(Fingerprint.of("broken-2")));
        assertEquals(4, windows.ids(), "the two without a timestamp and the newest two");
        ChatWindows.Decoded decoded = ChatWindows.decode(windows.encode("c", List.of()));
        assertEquals(4, decoded.ids().size());
    }

    @Test
    void a_record_holds_at_most_what_fits_in_one_request_and_says_how_far_it_forgot() {
        ChatWindows windows = new ChatWindows(ChatWindows.MAX_RECORD_IDS + 10, 0);
        windows.merge("busy", ids("busy", 0, ChatWindows.MAX_RECORD_IDS + 10, 1), null);
        ChatWindows.Decoded decoded = ChatWindows.decode(windows.encode("busy", List.of()));
        assertEquals(ChatWindows.MAX_RECORD_IDS, decoded.ids().size());
        assertEquals(9L, decoded.forgottenUpTo(), "the ten oldest are left out: a restart takes them as published");
    }
}
