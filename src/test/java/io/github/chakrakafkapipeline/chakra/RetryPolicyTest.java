package io.github.chakrakafkapipeline.chakra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What decides a retry beyond the redeliveryPolicy: which failures, and a 429's Retry-After. */
class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(30_000, 1_000,
            new RequestBudget(5, new PipelineMetrics(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void retries_5xx_429_and_connection_errors_with_the_redelivery_policy_backoff() {
        for (Throwable error : new Throwable[] {status(503, Map.of()), status(500, Map.of()), status(429, Map.of()),
                new SocketTimeoutException("Read timed out"), new IOException("Connection reset")}) {
            Exchange exchange = failedWith(error);
            assertTrue(policy.matches(exchange), error.toString());
            assertNull(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY), "the redeliveryPolicy's backoff applies");
        }
    }

    @Test
    void never_retries_a_rejected_token_or_another_client_error() {
        for (int code : new int[] {400, 401, 403, 404}) {
            assertFalse(policy.matches(failedWith(status(code, Map.of()))), "HTTP " + code);
        }
        assertFalse(policy.matches(failedWith(new IllegalStateException())));
    }

    @Test
    void a_429_waits_what_retry_after_says_in_seconds_or_as_a_date() {
        assertEquals(7000L, delayAsked(status(429, Map.of("Retry-After", "7"))));
        assertEquals(12_000L, delayAsked(status(429, Map.of("retry-after", "Wed, 25 Nov 2026 10:00:12 GMT"))));
    }

    @Test
    void a_429_asking_for_longer_than_the_longest_wait_is_left_for_the_next_poll() {
        assertFalse(policy.matches(failedWith(status(429, Map.of("Retry-After", "120")))));
    }

    @Test
    void a_wait_asked_for_once_does_not_stick_to_the_next_retry() {
        Exchange exchange = failedWith(status(429, Map.of("Retry-After", "7")));
        assertTrue(policy.matches(exchange));
        exchange.setException(status(503, Map.of()));
        assertTrue(policy.matches(exchange));
        assertNull(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY));
    }

    private Long delayAsked(Throwable error) {
        Exchange exchange = failedWith(error);
        assertTrue(policy.matches(exchange));
        return exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class);
    }

    private static Exchange failedWith(Throwable error) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setException(error);
        return exchange;
    }

    private static HttpOperationFailedException status(int code, Map<String, String> headers) {
        return new HttpOperationFailedException("http://chakra/x", code, "status " + code, null, headers, "");
    }
}
