package io.github.chakrakafkapipeline.poll;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import io.github.chakrakafkapipeline.settings.InvalidSettingException;
import org.apache.camel.Header;
import org.quartz.CronExpression;

/**
 * Whether a poll that Quartz fires now is still on time. Quartz fires the polls missed while a slow poll ran (a broker
 * outage can make a poll last minutes) as soon as it ends, one after the other; those are skipped, so that ChakraHQ
 * sees one poll per tick at most, never a burst of catch-up calls.
 */
public class PollSchedule {

    private final Duration tolerance;
    private final Clock clock;
    private final CronExpression cron;
    private final AtomicLong fires = new AtomicLong();

    /** {@code cron} is pipeline.poll.cron, checked at start-up. */
    public PollSchedule(Duration tolerance, Clock clock, String cron) {
        this.tolerance = tolerance;
        this.clock = clock;
        try {
            this.cron = new CronExpression(cron);
        } catch (ParseException e) {
            throw new InvalidSettingException("pipeline.poll.cron", "'" + cron + "' is not a Quartz cron expression");
        }
    }

    /** The time between the next two polls: what the budget and the sweep plan by. */
    public Duration interval() {
        Date next = cron.getNextValidTimeAfter(Date.from(clock.instant()));
        Date after = next == null ? null : cron.getNextValidTimeAfter(next);
        return next == null || after == null ? Duration.ofMinutes(1) : Duration.ofMillis(after.getTime() - next.getTime());
    }

    /** How many fires reached the poll route (PollAtOnce waits for one). */
    public long fires() {
        return fires.get();
    }

    public boolean isOnTime(@Header("scheduledFireTime") Date scheduled) {
        fires.incrementAndGet();
        return scheduled == null
                || Duration.between(scheduled.toInstant(), clock.instant()).compareTo(tolerance) <= 0;
    }
}
