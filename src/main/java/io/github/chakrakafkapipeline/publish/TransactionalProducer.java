package io.github.chakrakafkapipeline.publish;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.lease.Lease;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional producer's life: opened as this replica takes the lease, which fences the replica before it (all
 * replicas share one {@code transactional.id}, and Kafka aborts that one's open transaction and refuses its later
 * ones); closed as it loses the lease; given up when another replica fenced it. Made by camel-kafka's client factory
 * with the component's settings, like camel-kafka's own producers. Used on the publisher thread (closing aside).
 * <p>
 * Not a Camel service on purpose: Camel stops a service that a route's bean step uses whenever that route reloads, and
 * this producer must outlive route edits; the pipeline stands it by once Camel has stopped ({@link #standBy}).
 */
public class TransactionalProducer {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalProducer.class);
    /** How long closing the producer may take to abort a transaction it has open. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** camel-kafka's component: its settings, and its client factory, which makes the producer. */
    private final Supplier<KafkaComponent> kafka;
    private final String transactionalId;
    private final Duration transactionTimeout;
    private final DedupState dedupState;
    private final PipelineMetrics metrics;
    /** Asked, and given up, when Kafka fenced this replica's producer. */
    private final Lease lease;
    /** The one thread that uses the producer (close aside), the Transactions' publisher. */
    private final ExecutorService publisher;
    private volatile Producer<String, String> producer;
    private volatile boolean leading;
    /** Responses fail at once for a while after Kafka did not answer a transaction, or refused this producer. */
    private final FailFast failFast = new FailFast();
    private final ProducerRefusals refusals;
    /** An opening of the producer is queued on the publisher thread: one at a time, however often the polls ask. */
    private final AtomicBoolean openQueued = new AtomicBoolean();
    /** The producer while initTransactions runs, for {@link #standBy} to close; null otherwise. */
    private volatile Producer<String, String> opening;

    public TransactionalProducer(Supplier<KafkaComponent> kafka, String transactionalId, Duration transactionTimeout,
            KafkaProblems problems, DedupState dedupState, PipelineMetrics metrics, Lease lease,
            ExecutorService publisher) {
        this.kafka = kafka;
        this.transactionalId = transactionalId;
        this.transactionTimeout = transactionTimeout;
        this.dedupState = dedupState;
        this.metrics = metrics;
        this.lease = lease;
        this.publisher = publisher;
        this.refusals = new ProducerRefusals(problems, failFast, transactionalId, transactionTimeout);
    }

    /** The transactional producer, opened as the lease was taken; throws while it stands by or before it opened. */
    Producer<String, String> current() {
        Producer<String, String> current = producer;
        if (current != null) {
            return current;
        }
        if (!leading) {
            throw new KafkaException("this replica stands by: it does not hold the lease, and publishes nothing");
        }
        return open();
    }

    /**
     * Opens the producer: initTransactions fences every other producer with this transactional.id, the replica before
     * this one included, and completes (or aborts) that one's last transaction, so that the dedup topic read after it
     * is final. On the publisher thread. Made by camel-kafka's client factory, like its own producers.
     */
    private Producer<String, String> open() {
        KafkaComponent component = kafka.get();
        KafkaConfiguration configuration = component.getConfiguration();
        Properties config = configuration.createProducerProperties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, component.getKafkaClientFactory().getBrokers(configuration));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        @SuppressWarnings("unchecked")
        Producer<String, String> opened = component.getKafkaClientFactory().getProducer(config);
        opening = opened;
        try {
            opened.initTransactions();
        } catch (InvalidTxnTimeoutException e) {
            opened.close(Duration.ZERO);
            refusals.transactionTimeout(e);
            throw e;
        } catch (AuthorizationException e) {
            opened.close(Duration.ZERO);
            refused(e);
            throw e;
        } catch (TimeoutException e) {
            opened.close(Duration.ZERO);
            throw refusals.notOpened(e);
        } catch (RuntimeException e) {
            opened.close(Duration.ZERO);
            throw e;
        } finally {
            opening = null;
        }
        synchronized (this) {
            if (!leading) {
                // the lease went while Kafka opened it (standBy closed it, or came just after): what waits for a
                // transaction fails, and nothing is committed by a replica that does not lead
                opened.close(Duration.ZERO);
                throw new KafkaException("this replica lost the lease while its transactional producer opened; it "
                        + "publishes nothing");
            }
            producer = opened;
        }
        refusals.mended();
        dedupState.writeAlone(true);
        LOG.info("Publishing exactly once: transactional producer {} ready; any replica that published before is fenced",
                transactionalId);
        return opened;
    }

    /**
     * Kafka fenced the producer: another replica took over, unless the transaction ran past its timeout and this replica
     * still holds the lease ({@link #timedOut}).
     */
    void fenced(Producer<String, String> transactional, Throwable failure, long begunAt) {
        if (System.nanoTime() - begunAt > transactionTimeout.toNanos() && lease.heldHere()) {
            timedOut(transactional, failure);
        } else {
            stopLeading(transactional, failure);
        }
    }

    /** Whether this replica leads with that producer still: a commit whose answer is late is asked again then. */
    boolean holds(Producer<String, String> transactional) {
        return leading && producer == transactional;
    }

    /** A producer in a state it cannot leave: closed, a new one for the next transaction. */
    void discard(Producer<String, String> transactional) {
        close(transactional, Duration.ZERO);
    }

    void abort(Producer<String, String> transactional, Throwable failure) {
        metrics.transaction("aborted");
        LOG.warn("Aborted a Kafka transaction ({}); its messages are read again at the next poll", Failures.describe(failure));
        if (transactional == null) {
            return;
        }
        try {
            transactional.abortTransaction();
        } catch (RuntimeException e) {
            if (TransactionFailure.of(e) == TransactionFailure.FENCED) {
                stopLeading(transactional, e);
            } else {
                // the producer is in a state it cannot leave (the broker gone past the timeouts): a new one next time
                close(transactional, Duration.ZERO);
            }
        }
    }

    /**
     * Kafka's coordinator aborted the transaction for running past transaction.timeout.ms, which on transaction
     * version 1 fences its producer as a takeover does: this replica still holds the lease, so nobody took over. The
     * next transaction opens a new producer, and the messages are read again; no failover.
     */
    private void timedOut(Producer<String, String> transactional, Throwable failure) {
        metrics.transaction("aborted");
        LOG.warn("Kafka aborted a transaction that ran past its timeout ({} ms, KAFKA_TRANSACTION_TIMEOUT_MILLIS; {}); "
                + "this replica still holds the lease and goes on with a new producer; the messages are read again at "
                + "the next poll", transactionTimeout.toMillis(), Failures.describe(failure));
        close(transactional, Duration.ZERO);
    }

    /** Another replica opened a producer with this transactional.id: it leads now; this one must never publish again. */
    private void stopLeading(Producer<String, String> transactional, Throwable failure) {
        metrics.fenced();
        boolean wasLeading = leading;
        leading = false;
        close(transactional, Duration.ZERO); // fenced: Kafka ended its transaction already
        dedupState.writeAlone(false);
        if (wasLeading) {
            LOG.warn("Fenced: another replica took over publishing (transactional id {}; {}). This replica stops "
                    + "polling and stands by; the new leader reads this transaction's messages again",
                    transactionalId, Failures.describe(failure));
        }
        lease.giveUp();
    }

    /** The lease was taken: open the producer now, which fences the replica before at once, not at the first poll. */
    public void lead() {
        leading = true;
        openSoon();
    }

    /**
     * Before each poll: while this replica leads without a producer (its opening failed, or a failure closed it) the
     * polls read nothing, and the producer is opened again on the publisher thread, one try at a time, and while Kafka
     * refuses it (an ACL, a setting) once per wait after the refusal; opened, the polls go on.
     */
    public void retryOpen() {
        if (failFast.isOver()) {
            openSoon();
        }
    }

    private void openSoon() {
        if (!leading || producer != null || !openQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            publisher.execute(() -> {
                openQueued.set(false);
                try {
                    if (producer == null && leading) {
                        open();
                    }
                } catch (RuntimeException e) {
                    if (TransactionFailure.of(e) != TransactionFailure.REFUSED) { // a refusal has its line already
                        LOG.warn("Could not open the transactional producer {} yet ({}); the next poll tries again",
                                transactionalId, Failures.describe(e));
                    }
                }
            });
        } catch (RejectedExecutionException stopping) {
            openQueued.set(false);
        }
    }

    /**
     * The lease was lost, or Camel stopped: stop leading, and close the producer, aborting a transaction then open within a bounded wait,
     * so that no read_committed consumer is held back until the transaction times out. A producer still opening is
     * closed at once, so that its initTransactions does not fence the replica that took over.
     */
    public void standBy() {
        Producer<String, String> current;
        synchronized (this) {
            leading = false;
            current = producer;
        }
        Producer<String, String> initialising = opening;
        if (initialising != null) {
            initialising.close(Duration.ZERO);
        }
        close(current, CLOSE_WAIT);
        dedupState.writeAlone(false);
    }

    boolean isLeading() {
        return leading;
    }

    /** Closes the producer, which aborts a transaction it still has open, waiting at most {@code wait}. */
    private void close(Producer<String, String> transactional, Duration wait) {
        if (transactional == null) {
            return;
        }
        synchronized (this) {
            if (producer == transactional) {
                producer = null;
            }
        }
        try {
            transactional.close(wait);
        } catch (RuntimeException e) {
            LOG.debug("Closing the transactional producer failed", e);
        }
    }

    FailFast failFast() {
        return failFast;
    }

    /** Kafka refused this producer (an ACL, a setting): one line naming what to add, and no new producer for a while. */
    void refused(Throwable failure) {
        refusals.refused(failure, String.valueOf(configuration().getBrokers()));
    }

    KafkaConfiguration configuration() {
        return kafka.get().getConfiguration();
    }
}
