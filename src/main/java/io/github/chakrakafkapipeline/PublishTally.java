package io.github.chakrakafkapipeline;

import java.time.Duration;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Counts what became of the messages of one target's answer, for the metrics and the one log line per poll and
 * target: new ones published, duplicates skipped, elements dead-lettered, and how long it all took. The counts live in
 * one {@link Counts} object that the split's copies of the exchange share, so they are there (as zeros) even when the
 * answer held no message.
 */
public class PublishTally implements AggregationStrategy {

    public static final String PROPERTY = "chakraTally";
    private final PipelineMetrics metrics;
    private final String inboundTopic;
    private final String outboundTopic;
    private final String deadLetterTopic;

    public PublishTally(PipelineMetrics metrics, String inboundTopic, String outboundTopic, String deadLetterTopic) {
        this.metrics = metrics;
        this.inboundTopic = inboundTopic;
        this.outboundTopic = outboundTopic;
        this.deadLetterTopic = deadLetterTopic;
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
        void alreadyPublished(int messages) {
            received += messages;
            duplicates += messages;
        }

        @Override
        public String toString() {
            return received + " received, " + published + " new published, " + duplicates + " duplicates, "
                    + deadLettered + " dead-lettered in " + Duration.ofNanos(elapsedNanos).toMillis() + " ms";
        }
    }

    /** A fresh count, started before the first call, for the exchange property the split's copies share. */
    public Counts start(@ExchangeProperty("chakraEndpoint") String endpoint) {
        return new Counts(endpoint);
    }

    @Override
    public Exchange aggregate(Exchange previous, Exchange message) {
        Counts counts = message.getProperty(PROPERTY, Counts.class);
        counts.received++;
        if (message.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            counts.duplicates++;
        } else if (message.getException() == null) {
            if (message.getMessage().getHeader(MessageClassifier.DEAD_LETTER_REASON) != null) {
                counts.deadLettered++;
                metrics.deadLettered(counts.endpoint, deadLetterTopic);
            } else {
                counts.published++;
                String direction = message.getMessage().getHeader(MessageClassifier.DIRECTION, String.class);
                ReceivedMessage received = message.getProperty(MessageClassifier.RECEIVED, ReceivedMessage.class);
                metrics.published(counts.endpoint, "INBOUND".equals(direction) ? inboundTopic : outboundTopic,
                        received.timestamp());
            }
        }
        return previous == null ? message : previous;
    }

    /** Called once the answer is handled: records the time it took. */
    public void finish(@ExchangeProperty(PROPERTY) Counts counts) {
        counts.elapsedNanos = System.nanoTime() - counts.startedNanos;
        metrics.fetched(counts.endpoint, counts.received);
        metrics.duplicates(counts.endpoint, counts.duplicates);
        metrics.targetPolled(counts.endpoint, Duration.ofNanos(counts.elapsedNanos));
    }
}
