package io.github.chakrakafkapipeline.chakra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final RetryPolicy policy =
            new RetryPolicy(3, 1000, 30_000, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void backs_off_exponentially_with_up_to_half_again_of_jitter_on_5xx_and_connection_errors() {
        for (int retry = 1; retry <= 3; retry++) {
            long base = 1000L << (retry - 1);
            long delay = policy.delayBeforeRetry(status(503, Map.of()), retry).getAsLong();
            assertTrue(delay >= base && delay <= base * 3 / 2, "retry " + retry + " waits " + delay);
        }
        assertTrue(policy.delayBeforeRetry(new SocketTimeoutException("Read timed out"), 1).isPresent());
        assertTrue(policy.delayBeforeRetry(new IOException("Connection reset"), 1).isPresent());
    }

    @Test
    void gives_up_after_the_last_retry_and_never_retries_other_client_errors() {
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(status(503, Map.of()), 4));
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(status(401, Map.of()), 1));
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(status(403, Map.of()), 1));
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(status(404, Map.of()), 1));
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(new IllegalStateException(), 1));
    }

    @Test
    void a_429_waits_what_retry_after_says_in_seconds_or_as_a_date() {
        assertEquals(OptionalLong.of(7000), policy.delayBeforeRetry(status(429, Map.of("Retry-After", "7")), 1));
        assertEquals(OptionalLong.of(12_000), policy.delayBeforeRetry(
                status(429, Map.of("retry-after", "Wed, 25 Nov 2026 10:00:12 GMT")), 1));
        long withoutHeader = policy.delayBeforeRetry(status(429, Map.of()), 1).getAsLong();
        assertTrue(withoutHeader >= 1000 && withoutHeader <= 1500, "backs off when Retry-After is absent");
    }

    @Test
    void a_429_asking_for_longer_than_the_longest_wait_is_left_for_the_next_poll() {
        assertEquals(OptionalLong.empty(), policy.delayBeforeRetry(status(429, Map.of("Retry-After", "120")), 1));
    }

    private static HttpOperationFailedException status(int code, Map<String, String> headers) {
        return new HttpOperationFailedException("http://chakra/x", code, "status " + code, null, headers, "");
    }
}
