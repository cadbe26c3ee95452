package io.github.chakrakafkapipeline.chakra;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request budget for every call to ChakraHQ with the token (CHAKRA_HTTP_REQUESTS_PER_SECOND): List chats, both
 * message endpoints, retries included. Each call takes a permit first, waiting for one if the second's are used up;
 * the waiting calls, not a small thread pool, are what holds the rest back. The rate is Resilience4j's RateLimiter.
 * What it cannot say is ChakraHQ's: a 429 pauses every call, not only the one that got it, for as long as its
 * Retry-After asks ({@link #pause}), since the limit it signals is the token's.
 */
public class RequestBudget {

    private static final Logger LOG = LoggerFactory.getLogger(RequestBudget.class);

    private final RateLimiter limiter;
    private final int requestsPerSecond;
    private final PipelineMetrics metrics;
    /** Until when (System.nanoTime) every call waits, after a 429; 0 when not paused. */
    private final AtomicLong pausedUntil = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();

    public RequestBudget(int requestsPerSecond, PipelineMetrics metrics) {
        this.requestsPerSecond = requestsPerSecond;
        this.metrics = metrics;
        // a call waits as long as it takes: the reads queue in order, and a read that waits is not a failed one
        this.limiter = RateLimiter.of("chakra", RateLimiterConfig.custom()
                .limitForPeriod(requestsPerSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ofDays(1))
                .build());
    }

    /** Waits for a permit for one call of the exchange's target poll (a retry too), and past a 429's pause. */
    public void acquire(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) throws InterruptedException {
        waiting.incrementAndGet();
        try {
            // a 429 that comes while this call waits for its permit (up to a second, more under load) pauses it too:
            // once paused, it takes a permit again after the pause, so that the calls held back do not burst out
            do {
                waitOutPause();
                if (!limiter.acquirePermission()) {
                    throw new InterruptedException("stopped while waiting for a permit of the request budget");
                }
            } while (paused());
        } finally {
            waiting.decrementAndGet();
        }
        metrics.budgetPermit(poll == null ? "unknown" : poll.getOperation());
    }

    /** ChakraHQ answered 429: every call waits {@code millis} from now (a later, longer pause wins). */
    public void pause(long millis, TargetPoll poll) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long before = pausedUntil.getAndAccumulate(until, Math::max);
        if (before < until) {
            metrics.budgetPaused();
            LOG.warn("{}: ChakraHQ answered HTTP 429; every call to ChakraHQ waits {} ms (Retry-After, or "
                    + "CHAKRA_HTTP_RETRY_INITIAL_DELAY_MILLIS when it names none)", poll, millis);
        }
    }

    private boolean paused() {
        return pausedUntil.get() - System.nanoTime() > 0;
    }

    private void waitOutPause() throws InterruptedException {
        for (long left; (left = pausedUntil.get() - System.nanoTime()) > 0; ) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    public int requestsPerSecond() {
        return requestsPerSecond;
    }

    /** Calls waiting for a permit now, or for a 429's pause to end. */
    public int waiting() {
        return waiting.get();
    }
}
