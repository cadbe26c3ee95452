package io.github.chakrakafkapipeline.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;

import org.junit.jupiter.api.Test;

class PollScheduleTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final PollSchedule schedule = new PollSchedule(Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC), "0 * * * * ?");

    @Test
    void a_poll_fired_on_time_runs_and_one_that_waited_for_a_slow_poll_is_skipped() {
        assertTrue(schedule.isOnTime(Date.from(NOW.minusMillis(300))));
        assertFalse(schedule.isOnTime(Date.from(NOW.minusSeconds(40))), "due 40 s ago, while a slow poll ran");
        assertTrue(schedule.isOnTime(null), "fired by hand, without a schedule");
    }

    @Test
    void the_interval_between_polls_comes_from_the_cron() {
        assertEquals(Duration.ofMinutes(1), schedule.interval());
        assertEquals(Duration.ofSeconds(2), new PollSchedule(Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC),
                "0/2 * * * * ?").interval());
    }
}
