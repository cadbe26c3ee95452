package io.github.chakrakafkapipeline.publish;

import java.time.Duration;

import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * What Kafka refused the transactional producer (an ACL, a setting), told to ops in one line each with what mends it;
 * meanwhile responses fail at once ({@link FailFast}) and the producer is asked for again after a wait.
 */
final class ProducerRefusals {

    private static final String TRANSACTIONAL_ID = "transactional id";
    private static final String TRANSACTION_TIMEOUT = "transaction timeout";
    /** How long a producer Kafka refused waits before it asks again. */
    private static final Duration RETRY = HeldTopics.REFUSED_RETRY;

    private final KafkaProblems problems;
    private final FailFast failFast;
    private final String transactionalId;
    private final Duration transactionTimeout;

    ProducerRefusals(KafkaProblems problems, FailFast failFast, String transactionalId, Duration transactionTimeout) {
        this.problems = problems;
        this.failFast = failFast;
        this.transactionalId = transactionalId;
        this.transactionTimeout = transactionTimeout;
    }

    void transactionTimeout(InvalidTxnTimeoutException e) {
        problems.reportBlocking(TRANSACTION_TIMEOUT, "Kafka refused transaction.timeout.ms="
                + transactionTimeout.toMillis() + ": it is above the brokers' transaction.max.timeout.ms. Lower "
                + "KAFKA_TRANSACTION_TIMEOUT_MILLIS (kafka.transaction.timeout.millis), or raise "
                + "transaction.max.timeout.ms on the brokers; nothing is published until then");
        failFast.block(RETRY.toNanos(), "Kafka refused the transaction timeout (" + Failures.describe(e) + ")");
    }

    /** An ACL: one line naming the resource and the ACL to add. */
    void refused(Throwable failure, String brokers) {
        if (Failures.causedBy(failure, TransactionalIdAuthorizationException.class)) {
            problems.reportBlocking(TRANSACTIONAL_ID, "Kafka refused this pipeline's principal the transactional id "
                    + transactionalId + "; nothing is published until it may use it: " + aclCommand(brokers)
                    + "--operation Write --operation Describe --transactional-id " + transactionalId
                    + " (or set PIPELINE_DELIVERY=at-least-once); tried again every " + RETRY.toSeconds() + " s");
        } else {
            problems.report("Kafka authorization", "Kafka refused this pipeline's principal ("
                    + Failures.describe(failure) + "); nothing is published until the ACL is added");
        }
        failFast.block(RETRY.toNanos(), "Kafka refused this pipeline's producer (" + Failures.describe(failure) + ")");
    }

    /** initTransactions timed out: the broker may well be up, as a cluster that cannot run transactions answers so. */
    TimeoutException notOpened(TimeoutException e) {
        return new TimeoutException("Kafka did not open transactional id " + transactionalId + " in time: the brokers "
                + "are down, or cannot run transactions (the transaction state log needs "
                + "transaction.state.log.replication.factor brokers); for a cluster without transactions set "
                + "PIPELINE_DELIVERY=at-least-once", e);
    }

    /** The producer opened: whatever refused it before is mended. */
    void mended() {
        failFast.clear();
        problems.resolve(TRANSACTIONAL_ID);
        problems.resolve(TRANSACTION_TIMEOUT);
    }

    /** The start of the command that grants the pipeline's principal an ACL. */
    static String aclCommand(String brokers) {
        return "kafka-acls.sh --bootstrap-server " + brokers + " --add --allow-principal User:<the pipeline's user> ";
    }
}
