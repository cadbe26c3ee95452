package io.github.chakrakafkapipeline.publish;

import java.time.Duration;

import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import org.apache.camel.ExchangeProperty;

/**
 * Counts what became of the messages of one target's answer, for the metrics and the one log line per poll and
 * target: new ones published, duplicates skipped, elements dead-lettered, and how long it all took. The counts live in
 * one {@link Counts} object in an exchange property, so they are there (as zeros) even when the answer held no message.
 */
public class PublishTally {

    public static final String PROPERTY = "chakraTally";
    private final PipelineMetrics metrics;

    public PublishTally(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    /** The counts of one answer; its text is the summary that the log line shows. */
    public static final class Counts {
        private final String endpoint;
        private final long startedNanos = System.nanoTime();
        private long elapsedNanos = -1;
        private int received;
        private int published;
        private int duplicates;
        private int deadLettered;

        Counts(String endpoint) {
            this.endpoint = endpoint;
        }

        /** Messages left out before publishing because they were published already. */
        public void alreadyPublished(int messages) {
            received += messages;
            duplicates += messages;
        }

        /** Messages that go on to be claimed and published. */
        void toPublish(int messages) {
            received += messages;
        }

        /** A message claimed by another poll or met earlier in this answer, so not published again here. */
        void claimedElsewhere() {
            duplicates++;
        }

        void published() {
            published++;
        }

        void deadLettered() {
            deadLettered++;
        }

        @Override
        public String toString() {
            return received + " received, " + published + " new published, " + duplicates + " duplicates, "
                    + deadLettered + " dead-lettered in " + Duration.ofNanos(elapsedNanos).toMillis() + " ms";
        }
    }

    /** A fresh count, started before the first call. */
    public Counts start(@ExchangeProperty("chakraEndpoint") String endpoint) {
        return new Counts(endpoint);
    }

    /** Called once the answer is handled: records the time it took. */
    public void finish(@ExchangeProperty(PROPERTY) Counts counts) {
        counts.elapsedNanos = System.nanoTime() - counts.startedNanos;
        metrics.fetched(counts.endpoint, counts.received);
        metrics.duplicates(counts.endpoint, counts.duplicates);
        metrics.targetPolled(counts.endpoint, Duration.ofNanos(counts.elapsedNanos));
    }
}
