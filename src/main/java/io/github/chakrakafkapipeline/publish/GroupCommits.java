package io.github.chakrakafkapipeline.publish;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks the publisher thread for the next group commit, at most one ask waiting at a time. Each response that joins the
 * queue rings, and one commit takes every response ready: a task per response would leave a task behind for each
 * response a commit took, and while Kafka is the slower side that backlog grows by a group's size at every commit, until
 * the executor runs commits on the callers' threads beside the publisher's (one producer, two transactions: each fails).
 * Written by hand: the JDK's and Camel's executors queue every task they are given.
 */
final class GroupCommits {

    private final ExecutorService publisher;
    private final Runnable commit;
    private final AtomicBoolean asked = new AtomicBoolean();

    GroupCommits(ExecutorService publisher, Runnable commit) {
        this.publisher = publisher;
        this.commit = commit;
    }

    /**
     * A response is ready: a commit starts after this call, on the publisher thread. Throws RejectedExecutionException
     * when the publisher has stopped.
     */
    void ring() {
        if (asked.compareAndSet(false, true)) {
            try {
                publisher.execute(this::run);
            } catch (RuntimeException stopping) {
                asked.set(false);
                throw stopping;
            }
        }
    }

    private void run() {
        // cleared before the commit reads the queue: a response queued from here on either joins this commit or asks
        // for the next one
        asked.set(false);
        commit.run();
    }
}
