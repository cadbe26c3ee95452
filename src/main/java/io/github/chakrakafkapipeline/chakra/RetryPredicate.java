package io.github.chakrakafkapipeline.chakra;

import java.util.OptionalLong;

import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code retryWhile} of the chakra-call-errors route configuration: asks {@link RetryPolicy} whether to call
 * again, and tells Camel how long to wait first through its redelivery-delay header, which Camel reads after this.
 */
public class RetryPredicate implements Predicate {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPredicate.class);

    private final RetryPolicy policy;
    private final PipelineMetrics metrics;

    public RetryPredicate(RetryPolicy policy, PipelineMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public boolean matches(Exchange exchange) {
        Throwable error = exchange.getException() != null
                ? exchange.getException() : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int retry = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        OptionalLong delay = policy.delayBeforeRetry(error, retry);
        if (delay.isEmpty()) {
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay.getAsLong());
        metrics.retry(exchange.getProperty("chakraEndpoint", "unknown", String.class));
        LOG.warn("{} {}: {}; retry {} in {} ms", exchange.getProperty("chakraEndpoint"),
                exchange.getProperty("chakraTarget"), describe(error), retry, delay.getAsLong());
        return true;
    }

    private static String describe(Throwable error) {
        if (error instanceof HttpOperationFailedException http) {
            return "ChakraHQ answered HTTP " + http.getStatusCode();
        }
        return "could not reach ChakraHQ (" + error.getClass().getSimpleName() + ": " + error.getMessage() + ")";
    }
}
