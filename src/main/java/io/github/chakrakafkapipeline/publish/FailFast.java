package io.github.chakrakafkapipeline.publish;

import org.apache.kafka.common.KafkaException;

/**
 * While Kafka is down each transaction waits max.block.ms before it fails, and the targets of a poll publish one after
 * the other: a response that comes within that time after a transaction Kafka did not answer fails at once, so that a
 * poll during an outage still reaches every target in about one such wait, as at least once does. So too, for a while,
 * after Kafka refused the producer (an ACL, a setting): not a new producer for every response.
 */
final class FailFast {

    /** Until when (System.nanoTime) a response fails at once, and why; null once a transaction commits. */
    private volatile Long until;
    private volatile String reason;

    /** Throws while responses fail at once. */
    void check() {
        if (!isOver()) {
            throw new KafkaException(reason + "; not trying again for this response, tried next poll");
        }
    }

    void block(long nanos, String why) {
        reason = why;
        until = System.nanoTime() + nanos;
    }

    void clear() {
        until = null;
    }

    boolean isOver() {
        Long blockedUntil = until;
        return blockedUntil == null || System.nanoTime() - blockedUntil >= 0;
    }
}
