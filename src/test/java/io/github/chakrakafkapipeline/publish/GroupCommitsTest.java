package io.github.chakrakafkapipeline.publish;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/**
 * The group commit's asks while Kafka is the slower side: eight threads make 20,000 responses ready while each commit
 * takes a while. One task per response, as before, left a task behind for each response a commit took; the backlog grew
 * past the executor's queue, and the commits ran on the callers' threads beside the publisher's, on one producer.
 */
class GroupCommitsTest {

    @Test
    void at_most_one_commit_waits_and_every_ready_response_is_committed() throws Exception {
        LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        ThreadPoolExecutor publisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, queue);
        AtomicLong ready = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        AtomicInteger commits = new AtomicInteger();
        AtomicInteger mostWaiting = new AtomicInteger();
        GroupCommits group = new GroupCommits(publisher, () -> {
            committed.set(ready.get()); // takes every response ready now
            commits.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // the transaction's round trips
        });
        try {
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < 2_500; i++) {
                        ready.incrementAndGet();
                        group.ring();
                        mostWaiting.accumulateAndGet(queue.size(), Math::max);
                    }
                });
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) {
                caller.join();
            }
            await("every ready response committed").atMost(Duration.ofSeconds(30))
                    .until(() -> committed.get() == 20_000);
            assertTrue(mostWaiting.get() <= 1, "commits waiting at once: " + mostWaiting.get());
            assertTrue(commits.get() < 20_000, "responses share commits: " + commits.get() + " commits");
            assertEquals(0, publisher.getQueue().size());
        } finally {
            publisher.shutdownNow();
        }
    }
}
