package io.github.chakrakafkapipeline.chakra;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * What of a retry the redeliveryPolicy of chakra-call-errors cannot say: which failed calls are worth another try
 * (connection errors, timeouts, 429, 5xx; not 401, 403 or another 4xx), and how long a 429 asks to wait. It is the
 * {@code onWhen} of the retried clause: a 429's {@code Retry-After} (seconds or an HTTP date) becomes Camel's
 * redelivery delay for that retry; one asking for longer than the longest delay is not retried in this poll. The
 * number of retries, the backoff, the jitter and the longest delay are the redeliveryPolicy's. A 429 also pauses the
 * whole request budget for that long (or the first retry's delay, when it names none).
 */
public class RetryPolicy implements Predicate {

    private final long maxDelayMillis;
    private final long initialDelayMillis;
    private final RequestBudget budget;
    private final Clock clock;

    public RetryPolicy(long maxDelayMillis, long initialDelayMillis, RequestBudget budget, Clock clock) {
        this.maxDelayMillis = maxDelayMillis;
        this.initialDelayMillis = initialDelayMillis;
        this.budget = budget;
        this.clock = clock;
    }

    @Override
    public boolean matches(Exchange exchange) {
        Throwable error = failure(exchange);
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY); // a wait asked for once does not stick to the next retry
        if (!isRetryable(error)) {
            return false;
        }
        OptionalLong asked = retryAfterMillis(error);
        if (error instanceof HttpOperationFailedException http && http.getStatusCode() == 429) {
            // the token's limit: every call waits, not only this one
            budget.pause(asked.orElse(initialDelayMillis), exchange.getProperty(TargetPoll.PROPERTY, TargetPoll.class));
        }
        if (asked.isPresent()) {
            if (asked.getAsLong() > maxDelayMillis) {
                return false;
            }
            // Camel reads this header for the next delay, instead of its backoff
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, asked.getAsLong());
        }
        return true;
    }

    public static boolean isRetryable(Throwable error) {
        if (error instanceof HttpOperationFailedException http) {
            return http.getStatusCode() == 429 || http.getStatusCode() >= 500;
        }
        return error instanceof IOException;
    }

    /** The failure being handled: the exchange's exception, or the one Camel caught, once it cleared that. */
    static Throwable failure(Exchange exchange) {
        return exchange.getException() != null
                ? exchange.getException() : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** The wait a 429's Retry-After asks for; empty for any other failure, or a 429 that says nothing usable. */
    public OptionalLong retryAfterMillis(Throwable error) {
        if (!(error instanceof HttpOperationFailedException http) || http.getStatusCode() != 429) {
            return OptionalLong.empty();
        }
        Map<String, String> headers = http.getResponseHeaders();
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
