package io.github.chakrakafkapipeline;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Counts what became of the messages of one target's answer, for the one log line per poll and target: new ones
 * published, duplicates skipped, elements dead-lettered. The counts live in one {@link Counts} object that the split's
 * copies of the exchange share, so they are there (as zeros) even when the answer held no message.
 */
public class PublishTally implements AggregationStrategy {

    public static final String PROPERTY = "chakraTally";

    /** The counts of one answer; its text is the summary that the log line shows. */
    public static final class Counts {
        private int received;
        private int published;
        private int duplicates;
        private int deadLettered;

        @Override
        public String toString() {
            return received + " received, " + published + " new published, " + duplicates + " duplicates, "
                    + deadLettered + " dead-lettered";
        }
    }

    /** A fresh count, for the exchange property the split's copies share. */
    public Counts start() {
        return new Counts();
    }

    @Override
    public Exchange aggregate(Exchange previous, Exchange message) {
        Counts counts = message.getProperty(PROPERTY, Counts.class);
        counts.received++;
        if (message.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            counts.duplicates++;
        } else if (message.getMessage().getHeader(MessageClassifier.DEAD_LETTER_REASON) != null) {
            counts.deadLettered++;
        } else if (message.getException() == null) {
            counts.published++;
        }
        return previous == null ? message : previous;
    }
}
