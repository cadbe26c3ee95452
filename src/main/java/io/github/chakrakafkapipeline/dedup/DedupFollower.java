package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

import io.github.chakrakafkapipeline.kafka.CompactedTopicReader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the dedup topic on one thread while the service runs, so that a standby replica's dedup state stays current
 * and a takeover reads little, and answers the catch-up requests. An error it cannot go on from (running out of memory
 * above all) stops it with one line, and is kept for readiness: a thread of its own would otherwise end without a word,
 * and the next takeover would publish again what the other replica published.
 */
final class DedupFollower {

    private static final Logger LOG = LoggerFactory.getLogger(DedupFollower.class);

    private final String topic;
    private final CompactedTopicReader reader;
    /** While true, the follower reads nothing new: this replica writes alone and has read what the one before wrote. */
    private final BooleanSupplier resting;
    private final Duration catchUpWait;
    private final Queue<CompletableFuture<Void>> catchUps = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    /** Starts following with {@code reader}, which has read the topic to its end; the follower's thread closes it. */
    DedupFollower(String topic, CompactedTopicReader reader, BooleanSupplier resting, Duration catchUpWait) {
        this.topic = topic;
        this.reader = reader;
        this.resting = resting;
        this.catchUpWait = catchUpWait;
        this.thread = new Thread(this::follow, "dedup-state-follower");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks to read to the topic's current end; completes once read, or fails. */
    CompletableFuture<Void> catchUp() {
        CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        catchUps.add(caughtUp);
        reader.wakeup(); // out of its idle poll, to take the request now
        if (failure != null) {
            caughtUp.completeExceptionally(new IllegalStateException(failure));
        }
        return caughtUp;
    }

    /** Out of its idle poll now, to pause or resume reading. */
    void wakeup() {
        reader.wakeup();
    }

    /** Why it stopped for good; empty while it follows. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    void stop() throws InterruptedException {
        running = false;
        reader.wakeup();
        thread.join(Duration.ofSeconds(10).toMillis());
    }

    private void follow() {
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        Throwable stopped = new IllegalStateException("the pipeline is stopping");
        try {
            followUntilStopped(waiting);
        } catch (Throwable e) { // an Error above all, which nothing else would report
            stopped = e;
            failure = e.toString();
            LOG.error("The dedup state stopped following topic {} ({}); this replica is not ready and polls no more, as "
                    + "it would publish again what another replica published. Restart it; after an OutOfMemoryError, "
                    + "with more heap (JAVA_OPTS, the container's memory limit)", topic, e.toString());
        } finally {
            for (CompletableFuture<Void> request; (request = catchUps.poll()) != null; ) {
                waiting.add(request);
            }
            Throwable reason = stopped;
            waiting.forEach(request -> request.completeExceptionally(reason));
            reader.close();
        }
    }

    private void followUntilStopped(List<CompletableFuture<Void>> waiting) {
        Map<TopicPartition, Long> target = null;
        while (running) {
            try {
                for (CompletableFuture<Void> request; (request = catchUps.poll()) != null; ) {
                    waiting.add(request);
                    target = null; // a later request asks for a later end
                }
                if (!waiting.isEmpty() && target == null) {
                    target = reader.endOffsets(catchUpWait);
                }
                reader.pause(resting.getAsBoolean());
                reader.poll(Duration.ofMillis(waiting.isEmpty() ? 1000 : 50));
                if (target != null && reader.reached(target, catchUpWait)) {
                    waiting.forEach(request -> request.complete(null));
                    waiting.clear();
                    target = null;
                }
            } catch (WakeupException woken) {
                // a catch-up request, or the stop: the loop looks at both
            } catch (RuntimeException e) {
                waiting.forEach(request -> request.completeExceptionally(e));
                waiting.clear();
                target = null;
            }
        }
    }
}
