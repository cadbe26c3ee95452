package io.github.chakrakafkapipeline.publish;

import io.github.chakrakafkapipeline.kafka.Failures;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * What a failed transaction means, by the Kafka 4 client's error categories (KIP-1050), and so what the transactional
 * producer does about it: the one place that decides.
 */
enum TransactionFailure {
    /** Application-recoverable, another replica opened this transactional id: this one stands by. */
    FENCED,
    /** Kafka refused this principal (an authorization error, fatal to the producer): closed, asked again later. */
    REFUSED,
    /** Retriable, but past every retry: Kafka did not answer in time. Aborted; the responses fail fast for a while. */
    UNANSWERED,
    /** Abortable (TransactionAbortableException and the other errors of one request): aborted, the producer goes on. */
    ABORTABLE,
    /** Fatal or unknown (the producer in a state it cannot leave): aborted and closed; a new producer next time. */
    FATAL;

    /**
     * The first category found anywhere in the failure's causes, in this order: the Kafka 4 client wraps what happened
     * (a TimeoutException, say) in the category it puts the transaction in (TransactionAbortableException), and what
     * happened decides.
     */
    static TransactionFailure of(Throwable failure) {
        if (causedBy(failure, ProducerFencedException.class) || causedBy(failure, InvalidProducerEpochException.class)) {
            return FENCED;
        }
        if (causedBy(failure, AuthorizationException.class)) {
            return REFUSED;
        }
        if (causedBy(failure, TimeoutException.class)) {
            return UNANSWERED;
        }
        return causedBy(failure, ApiException.class) ? ABORTABLE : FATAL;
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        return Failures.causedBy(failure, type);
    }
}
