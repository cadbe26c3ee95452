package io.github.chakrakafkapipeline.chakra;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * When to call ChakraHQ again after a failed call, and after how long. Connection errors, timeouts and 5xx answers are
 * retried with exponential backoff and jitter; 429 waits what {@code Retry-After} says (seconds or an HTTP date), or
 * backs off when it says nothing. Anything else (401, 403, other 4xx) is not retried. The retries are bounded: after
 * them, or when the wait asked for is longer than the longest allowed, the target waits for the next poll.
 */
public class RetryPolicy {

    private final int maxRetries;
    private final long initialDelayMillis;
    private final long maxDelayMillis;
    private final Clock clock;

    public RetryPolicy(int maxRetries, long initialDelayMillis, long maxDelayMillis, Clock clock) {
        this.maxRetries = maxRetries;
        this.initialDelayMillis = initialDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
        this.clock = clock;
    }

    /** The wait before retry number {@code retry} (1 for the first), or empty when the call is not to be retried. */
    public OptionalLong delayBeforeRetry(Throwable error, int retry) {
        if (retry > maxRetries || !isRetryable(error)) {
            return OptionalLong.empty();
        }
        OptionalLong asked = error instanceof HttpOperationFailedException http && http.getStatusCode() == 429
                ? retryAfterMillis(http.getResponseHeaders()) : OptionalLong.empty();
        long delay = asked.isPresent() ? asked.getAsLong() : backoff(retry);
        return delay > maxDelayMillis ? OptionalLong.empty() : OptionalLong.of(delay);
    }

    public static boolean isRetryable(Throwable error) {
        if (error instanceof HttpOperationFailedException http) {
            return http.getStatusCode() == 429 || http.getStatusCode() >= 500;
        }
        return error instanceof IOException;
    }

    /** initial × 2^(retry-1), with up to 50 % random jitter so that many targets do not retry in step. */
    private long backoff(int retry) {
        long base = initialDelayMillis << Math.min(retry - 1, 20);
        return Math.min(maxDelayMillis, base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    OptionalLong retryAfterMillis(Map<String, String> headers) {
        String value = headers == null ? null : headers.entrySet().stream()
                .filter(h -> "Retry-After".equalsIgnoreCase(h.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Math.max(0, Long.parseLong(value.trim()) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return OptionalLong.of(Math.max(0, Duration.between(clock.instant(), at.toInstant()).toMillis()));
            } catch (DateTimeParseException notADate) {
                return OptionalLong.empty();
            }
        }
    }
}
