package io.github.chakrakafkapipeline.chakra;

import java.util.OptionalLong;

import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code onRedelivery} of chakra-call-errors: just before a failed ChakraHQ call is made again, logs one line
 * that says why and counts the retry. Camel's own retry log would print the exchange instead.
 */
public class RetryNotifier implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryNotifier.class);

    private final RetryPolicy policy;
    private final PipelineMetrics metrics;
    private final RequestBudget budget;

    public RetryNotifier(RetryPolicy policy, PipelineMetrics metrics, RequestBudget budget) {
        this.policy = policy;
        this.metrics = metrics;
        this.budget = budget;
    }

    /** Also takes the retry's permit of the request budget: a retry is a call like any other. */
    @Override
    public void process(Exchange exchange) throws InterruptedException {
        TargetPoll poll = exchange.getProperty(TargetPoll.PROPERTY, TargetPoll.class);
        Throwable error = RetryPolicy.failure(exchange);
        OptionalLong asked = policy.retryAfterMillis(error);
        metrics.retry(poll == null ? "unknown" : poll.getOperation());
        LOG.warn("{}: {}; retry {} of {}{}", poll, describe(error),
                exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER), exchange.getIn().getHeader(Exchange.REDELIVERY_MAX_COUNTER),
                asked.isEmpty() ? "" : " after " + asked.getAsLong() + " ms, as Retry-After asked");
        budget.acquire(poll);
    }

    private static String describe(Throwable error) {
        if (error instanceof HttpOperationFailedException http) {
            return "ChakraHQ answered HTTP " + http.getStatusCode();
        }
        return error == null ? "the call failed"
                : "could not reach ChakraHQ (" + error.getClass().getSimpleName() + ": " + error.getMessage() + ")";
    }
}
