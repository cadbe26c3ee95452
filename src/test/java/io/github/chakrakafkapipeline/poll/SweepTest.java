package io.github.chakrakafkapipeline.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SweepTest {

    private static final List<String> CHATS = IntStream.range(0, 10).mapToObj(i -> "chat-" + i).toList();

    @Test
    void every_known_chat_is_read_once_per_sweep_interval_a_share_at_each_poll() {
        Sweep sweep = new Sweep(Duration.ofMinutes(5));
        List<String> read = new ArrayList<>();
        for (int poll = 0; poll < 5; poll++) {
            read.addAll(sweep.next(() -> CHATS, Duration.ofMinutes(1), 100, chat -> false));
        }
        assertEquals(CHATS, read, "two chats a poll, in five polls every chat once");
        assertEquals(1, sweep.completed());
    }

    @Test
    void a_small_team_is_swept_a_chat_every_few_polls_not_every_poll() {
        Sweep sweep = new Sweep(Duration.ofMinutes(30));
        int reads = 0;
        for (int poll = 0; poll < 30; poll++) {
            reads += sweep.next(() -> CHATS, Duration.ofMinutes(1), 100, chat -> false).size();
        }
        assertEquals(10, reads, "10 chats over a 30-minute sweep of one-minute polls: 10 reads, not 30");
    }

    @Test
    void the_sweep_takes_only_what_the_budget_leaves_and_catches_up_later() {
        Sweep sweep = new Sweep(Duration.ofMinutes(2));
        assertEquals(List.of(), sweep.next(() -> CHATS, Duration.ofMinutes(1), 0, chat -> false), "no room this poll");
        assertEquals(10, sweep.next(() -> CHATS, Duration.ofMinutes(1), 100, chat -> false).size(), "owed reads caught up");
    }

    @Test
    void a_chat_read_anyway_counts_as_swept() {
        Sweep sweep = new Sweep(Duration.ofMinutes(1));
        List<String> due = sweep.next(() -> CHATS, Duration.ofMinutes(1), 100, chat -> chat.equals("chat-3"));
        assertEquals(9, due.size());
        assertEquals(1.0, sweep.progress());
    }
}
