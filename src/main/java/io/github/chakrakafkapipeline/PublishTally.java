package io.github.chakrakafkapipeline;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Counts what became of the messages of one answer, for the one log line per poll and target: new ones published,
 * duplicates skipped, elements dead-lettered. The counts end up as exchange properties of the split's result.
 */
public class PublishTally implements AggregationStrategy {

    public static final String RECEIVED = "chakraReceived";
    public static final String PUBLISHED = "chakraPublished";
    public static final String DUPLICATES = "chakraDuplicates";
    public static final String DEAD_LETTERED = "chakraDeadLettered";

    @Override
    public Exchange aggregate(Exchange tally, Exchange message) {
        Exchange result = tally == null ? message : tally;
        if (tally == null) {
            result.setProperty(RECEIVED, 0);
            result.setProperty(PUBLISHED, 0);
            result.setProperty(DUPLICATES, 0);
            result.setProperty(DEAD_LETTERED, 0);
        }
        increment(result, RECEIVED);
        if (message.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            increment(result, DUPLICATES);
        } else if (message.getMessage().getHeader(MessageClassifier.DEAD_LETTER_REASON) != null) {
            increment(result, DEAD_LETTERED);
        } else {
            increment(result, PUBLISHED);
        }
        return result;
    }

    private static void increment(Exchange exchange, String property) {
        exchange.setProperty(property, exchange.getProperty(property, 0, Integer.class) + 1);
    }
}
