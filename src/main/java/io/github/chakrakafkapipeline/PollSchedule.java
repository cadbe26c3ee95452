package io.github.chakrakafkapipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;

import org.apache.camel.Header;

/**
 * Whether a poll that Quartz fires now is still on time. Quartz fires the polls missed while a slow poll ran (a broker
 * outage can make a poll last minutes) as soon as it ends, one after the other; those are skipped, so that ChakraHQ
 * sees one poll per tick at most, never a burst of catch-up calls.
 */
public class PollSchedule {

    private final Duration tolerance;
    private final Clock clock;

    public PollSchedule(Duration tolerance, Clock clock) {
        this.tolerance = tolerance;
        this.clock = clock;
    }

    public boolean isOnTime(@Header("scheduledFireTime") Date scheduled) {
        return scheduled == null
                || Duration.between(scheduled.toInstant(), clock.instant()).compareTo(tolerance) <= 0;
    }
}
