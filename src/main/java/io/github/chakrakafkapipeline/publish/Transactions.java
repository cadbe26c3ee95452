package io.github.chakrakafkapipeline.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.TargetPoll;
import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once publishing: the records of a response and their dedup records go to Kafka in one transaction, so a
 * consumer that reads committed data sees both or neither, whatever happens to the pipeline.
 * <p>
 * Written here rather than with camel-kafka's transacted endpoint because in Camel 4.18 that endpoint has one
 * transaction per exchange, begun on its one producer and committed when the exchange completes, so two targets
 * published at once would meet in one producer's transaction, and the dedup records (sent by another producer)
 * could not join it. This class owns the transactional producer, configured like camel-kafka's (the component's
 * settings, headers filtered and serialized by its strategies), and nothing else.
 * <p>
 * All replicas share one {@code transactional.id}: the leader opens its producer as it takes the lease, which fences
 * the replica before it (Kafka aborts that one's open transaction and refuses its later ones). One producer holds one
 * transaction at a time, on one thread; each costs several round trips to the broker whatever its size (tens of
 * milliseconds), so the responses that are ready meanwhile share the next one (a group commit), and a response's
 * exchange waits for its commit without holding a thread: the calls to ChakraHQ go on. A failed transaction fails all
 * of its responses, and each is read again next poll.
 * <p>
 * Not a Camel service on purpose: Camel stops a service that a route's bean step uses whenever that route reloads, and
 * this producer must outlive route edits; the pipeline closes it once Camel has stopped ({@link #close}).
 */
public class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
    /**
     * How many responses may wait for a transaction at once. Beyond that the call threads wait too, so that a Kafka
     * slower than ChakraHQ holds back the calls instead of filling the heap with responses (a poll of thousands of
     * chats would otherwise hold them all); with 100-message responses this is some 4 MB.
     */
    private static final int MAX_WAITING = 64;
    private static final String TRANSACTIONAL_ID = "transactional id";
    private static final String TRANSACTION_TIMEOUT = "transaction timeout";

    /** How long a producer Kafka refused (an ACL, a setting) waits before it asks again. */
    private static final Duration REFUSED_RETRY = Duration.ofSeconds(30);
    /** How long closing the producer may take to abort a transaction it has open. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** camel-kafka's component: its settings, and its client factory, which makes the producer. */
    private final Supplier<KafkaComponent> kafka;
    private final String transactionalId;
    private final Duration transactionTimeout;
    private final PipelineTopics topics;
    private final KafkaProblems problems;
    private final DedupState dedupState;
    private final ChatActivity chatActivity;
    private final PipelineMetrics metrics;
    /** Asked, and given up, when Kafka fenced this replica's producer. */
    private final Lease lease;
    private final Queue<Pending> ready = new ConcurrentLinkedQueue<>();
    private final Semaphore waiting = new Semaphore(MAX_WAITING);
    /** The one thread that uses the producer (close aside): transactions, one after the other. */
    private final ExecutorService publisher;
    /** Where a response's exchange goes on once its transaction ended (settle, its summary), off the publisher thread. */
    private final Executor continuation;
    private volatile Producer<String, String> producer;
    private volatile boolean leading;
    /**
     * Until when (System.nanoTime) a response fails at once, and why: Kafka did not answer the transaction before, or
     * refused this producer; null once one commits.
     */
    private volatile Long blockedUntil;
    private volatile String blocked;
    /** Topics Kafka refused this principal to write to, and until when (System.nanoTime) they are not tried again. */
    private final Map<String, Long> refusedTopics = new ConcurrentHashMap<>();
    /** When the current transaction began (System.nanoTime); on the publisher thread. */
    private long begunAt;
    /** An opening of the producer is queued on the publisher thread: one at a time, however often the polls ask. */
    private final AtomicBoolean openQueued = new AtomicBoolean();
    /** The producer while initTransactions runs, for {@link #standBy} to close; null otherwise. */
    private volatile Producer<String, String> opening;

    public Transactions(Supplier<KafkaComponent> kafka, String transactionalId, Duration transactionTimeout,
            PipelineTopics topics, KafkaProblems problems, DedupState dedupState, ChatActivity chatActivity,
            PipelineMetrics metrics, Lease lease, ExecutorService publisher, Executor continuation) {
        this.transactionTimeout = transactionTimeout;
        this.topics = topics;
        this.problems = problems;
        this.chatActivity = chatActivity;
        this.publisher = publisher;
        this.continuation = continuation;
        this.kafka = kafka;
        this.transactionalId = transactionalId;
        this.dedupState = dedupState;
        this.metrics = metrics;
        this.lease = lease;
    }

    /**
     * A response's batch waiting for its transaction: the first {@code count} entries go in it (fewer once Kafka
     * refused one of them); {@code refusal} is why the rest did not.
     */
    private static final class Pending {
        final List<PublishBatch.Entry> entries;
        /** The chat read, whose activity is recorded with its messages (discovery); null for none. */
        final TargetPoll activityOf;
        final Long activity;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int count;
        RuntimeException refusal;
        /** Cut before a record for a topic that does not exist: what went before is published, the rest waits. */
        boolean heldBack;

        Pending(List<PublishBatch.Entry> entries, TargetPoll poll) {
            this.entries = entries;
            this.count = entries.size();
            this.activity = poll.getActivityToRecord();
            this.activityOf = activity == null ? null : poll;
        }
    }

    /**
     * Publishes the batch of the exchange's target poll in a transaction, shared with the batches ready at the same
     * time. The future completes once it committed, each record then knowing its offset, as camel-kafka's send leaves
     * them (header {@link KafkaConstants#KAFKA_RECORD_META}); Camel's bean step goes on with the exchange then. It
     * fails when the transaction failed: nothing of it is visible to a read_committed consumer, and Publishing.settle
     * releases every claim.
     */
    public CompletableFuture<Void> publish(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll)
            throws InterruptedException {
        return enqueue(poll, poll.getBatch().entries());
    }

    /**
     * Records the activity of a chat whose read published nothing new, in a transaction (shared like the others), so
     * that a consumer and a replica see it only with what it stands for.
     */
    public CompletableFuture<Void> publishActivity(TargetPoll poll) {
        try {
            return enqueue(poll, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> enqueue(TargetPoll poll, List<PublishBatch.Entry> entries)
            throws InterruptedException {
        try {
            failFastWhileBlocked();
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
        waiting.acquire();
        Pending mine = new Pending(entries, poll);
        mine.done.whenComplete((nothing, failure) -> waiting.release());
        ready.add(mine);
        try {
            publisher.execute(this::commitReady);
        } catch (RejectedExecutionException stopping) {
            ready.remove(mine);
            mine.done.completeExceptionally(stopping);
            return CompletableFuture.failedFuture(stopping);
        }
        CompletableFuture<Void> resumed = new CompletableFuture<>();
        mine.done.whenComplete((nothing, failure) -> continuation.execute(() -> {
            if (failure == null) {
                resumed.complete(null);
            } else {
                resumed.completeExceptionally(failure);
            }
        }));
        return resumed;
    }

    /** On the publisher thread: one transaction for every response ready now (none left by an earlier run: nothing). */
    private void commitReady() {
        List<Pending> group = new ArrayList<>();
        for (Pending next; (next = ready.poll()) != null; ) {
            group.add(next);
        }
        if (!group.isEmpty()) {
            commit(group);
        }
    }

    /**
     * One transaction for the group. When Kafka refuses a record for good (too large for its limits, or invalid), that
     * record would abort the transaction on every poll: the transaction is run once more with each response cut before
     * its refused record, as at-least-once stops a response there, so that no later message of a chat overtakes it.
     */
    private void commit(List<Pending> group) {
        Producer<String, String> transactional = null;
        try {
            transactional = producer();
            cutAtMissingTopics(group);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try {
                send(transactional, group, sent);
                commitKnown(transactional); // throws if any send failed
            } catch (KafkaException e) {
                if (!leading || TransactionFailure.of(e) == TransactionFailure.FENCED
                        || !(refused(group, sent) || heldTopics(group, e))) {
                    throw e;
                }
                abort(transactional, e);
                sent.clear();
                send(transactional, group, sent);
                commitKnown(transactional);
            }
            int next = 0;
            for (Pending pending : group) {
                for (PublishBatch.Entry entry : pending.entries.subList(0, pending.count)) {
                    entry.record().setHeader(KafkaConstants.KAFKA_RECORD_META, List.of(sent.get(next++).get()));
                }
            }
            metrics.transaction("committed");
            blockedUntil = null;
            resolveTopics(group);
            group.forEach(pending -> {
                if (pending.refusal == null && !pending.heldBack && pending.activityOf != null) {
                    chatActivity.recorded(pending.activityOf.getTarget(), pending.activity);
                    pending.activityOf.activityRecorded();
                }
                if (pending.refusal == null) {
                    pending.done.complete(null);
                } else {
                    pending.done.completeExceptionally(pending.refusal);
                }
            });
        } catch (ExecutionException | InterruptedException | RuntimeException e) {
            Throwable failure = e instanceof ExecutionException ? e.getCause() : e;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            switch (TransactionFailure.of(failure)) {
                case FENCED -> {
                    if (System.nanoTime() - begunAt > transactionTimeout.toNanos() && lease.heldHere()) {
                        timedOut(transactional, failure);
                    } else {
                        stopLeading(transactional, failure);
                    }
                }
                case REFUSED -> {
                    refusedBy(failure);
                    abort(transactional, failure);
                    if (!Failures.causedBy(failure, TopicAuthorizationException.class)) {
                        close(transactional, Duration.ZERO); // fatal to a transactional producer; a topic's is abortable
                    }
                }
                case UNANSWERED -> {
                    abort(transactional, failure);
                    block(TimeUnit.MILLISECONDS.toNanos(configuration().getMaxBlockMs()), "Kafka did not answer the "
                            + "transaction before this one, within the last " + configuration().getMaxBlockMs() + " ms ("
                            + describe(failure) + ")");
                }
                case ABORTABLE -> abort(transactional, failure);
                case FATAL -> {
                    abort(transactional, failure);
                    close(transactional, Duration.ZERO); // a new producer for the next transaction
                }
            }
            RuntimeException thrown = failure instanceof RuntimeException runtime ? runtime : new KafkaException(failure);
            // the responses that queued meanwhile fail with it: each would wait as long (max.block.ms while Kafka is
            // down) to fail the same way, and the poll would take that long per response
            for (Pending next; (next = ready.poll()) != null; ) {
                group.add(next);
            }
            group.forEach(pending -> pending.done.completeExceptionally(thrown));
        }
    }

    /**
     * Commits. When Kafka's answer does not come within max.block.ms the commit may have been taken all the same, and
     * the client allows nothing but the same commit again, which returns the outcome once Kafka answers: until then the
     * group's messages stay claimed, so that no poll reads them as new (released, they would be published twice had it
     * committed). Ends when Kafka answers, or when this replica stops leading: its producer is closed, and the next
     * leader's initTransactions settles the transaction before it reads the state.
     */
    private void commitKnown(Producer<String, String> transactional) {
        for (boolean told = false; ; ) {
            try {
                transactional.commitTransaction();
                if (told) {
                    LOG.info("Kafka answered the commit: its messages are published");
                }
                return;
            } catch (TimeoutException unknown) {
                if (!leading || producer != transactional) {
                    throw unknown;
                }
                if (!told) {
                    LOG.warn("Kafka did not answer a commit within {} ms: it may have been taken, so its messages stay "
                            + "claimed and the commit is asked again until Kafka answers", configuration().getMaxBlockMs());
                    told = true;
                }
            }
        }
    }

    /**
     * Begins a transaction and sends the group's records, each with its dedup record, and the activity of each chat
     * whose response is whole, adding the records' futures to
     * {@code sent} (a producer in error refuses the sends after a failed one).
     */
    private void send(Producer<String, String> transactional, List<Pending> group, List<Future<RecordMetadata>> sent) {
        transactional.beginTransaction();
        begunAt = System.nanoTime();
        KafkaConfiguration configuration = configuration(); // once per transaction: a look-up of the component
        for (Pending pending : group) {
            for (PublishBatch.Entry entry : pending.entries.subList(0, pending.count)) {
                Future<RecordMetadata> message = transactional.send(record(entry.record(), configuration));
                sent.add(message);
                if (failed(message) || failed(transactional.send(dedupState.record(entry.dedupKey())))) {
                    // the transaction cannot commit now; each further send would first wait up to max.block.ms for
                    // metadata (the Kafka 4 client forgets it when every broker is gone, to bootstrap again)
                    return;
                }
            }
            if (pending.activityOf != null && pending.refusal == null && !pending.heldBack) {
                transactional.send(chatActivity.record(pending.activityOf.getTarget(), pending.activity));
            }
        }
    }

    /** Whether a send failed already, as one does that could not get its topic's metadata within max.block.ms. */
    private static boolean failed(Future<RecordMetadata> send) {
        if (!send.isDone()) {
            return false;
        }
        try {
            send.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * Whether the transaction failed because Kafka refused records for good; if so, cuts each response before its
     * first refused record.
     */
    private static boolean refused(List<Pending> group, List<Future<RecordMetadata>> sent) {
        boolean refused = false;
        int next = 0;
        for (Pending pending : group) {
            int count = pending.count;
            for (int i = 0; i < count && next < sent.size(); i++) {
                Future<RecordMetadata> result = sent.get(next++);
                if (pending.refusal == null && result.isDone() && refusal(result) instanceof RuntimeException refusal) {
                    pending.refusal = refusal;
                    pending.count = i;
                    refused = true;
                }
            }
        }
        return refused;
    }

    private static Throwable refusal(Future<RecordMetadata> result) {
        try {
            result.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof RecordTooLargeException || e.getCause() instanceof InvalidRecordException
                    || e.getCause() instanceof SerializationException ? e.getCause() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * While Kafka is down each transaction waits max.block.ms before it fails, and the targets of a poll publish one
     * after the other: a response that comes within that time after a transaction Kafka did not answer fails at once,
     * so that a poll during an outage still reaches every target in about one such wait, as at least once does. So
     * too, for a while, after Kafka refused this producer (an ACL, a setting): not a new producer for every response.
     */
    private void failFastWhileBlocked() {
        Long until = blockedUntil;
        if (until != null && System.nanoTime() - until < 0) {
            throw new KafkaException(blocked + "; not trying again for this response, tried next poll");
        }
    }

    private void block(long nanos, String reason) {
        blocked = reason;
        blockedUntil = System.nanoTime() + nanos;
    }

    /** Kafka refused this principal something (an ACL): one line naming the resource and the ACL to add. */
    private void refusedBy(Throwable failure) {
        String servers = String.valueOf(configuration().getBrokers());
        String acl = "kafka-acls.sh --bootstrap-server " + servers + " --add --allow-principal User:<the pipeline's "
                + "user> ";
        TopicAuthorizationException topic = Failures.cause(failure, TopicAuthorizationException.class);
        if (topic != null) {
            for (String name : topic.unauthorizedTopics()) {
                problems.report("write to topic " + name, "Kafka refused this pipeline's principal to write to topic "
                        + name + "; the chats with messages for it are held there (nothing of them marked published), "
                        + "the others go on, and it is tried again every " + REFUSED_RETRY.toSeconds() + " s: " + acl
                        + "--operation Write --operation Describe --topic " + name);
                refusedTopics.put(name, System.nanoTime() + REFUSED_RETRY.toNanos());
            }
            return;
        } else if (Failures.causedBy(failure, TransactionalIdAuthorizationException.class)) {
            problems.reportBlocking(TRANSACTIONAL_ID, "Kafka refused this pipeline's principal the transactional id "
                    + transactionalId + "; nothing is published until it may use it: " + acl + "--operation Write "
                    + "--operation Describe --transactional-id " + transactionalId + " (or set PIPELINE_DELIVERY="
                    + "at-least-once); tried again every " + REFUSED_RETRY.toSeconds() + " s");
        } else {
            problems.report("Kafka authorization", "Kafka refused this pipeline's principal (" + describe(failure)
                    + "); nothing is published until the ACL is added");
        }
        block(REFUSED_RETRY.toNanos(), "Kafka refused this pipeline's producer (" + describe(failure) + ")");
    }

    /**
     * Cuts each response before its first record for a topic known to be missing (PipelineTopics says which) or that
     * Kafka refused this principal a while ago.
     */
    private void cutAtMissingTopics(List<Pending> group) {
        for (Pending pending : group) {
            for (int i = 0; i < pending.count; i++) {
                String topic = topicOf(pending.entries.get(i));
                Long refusedUntil = refusedTopics.get(topic);
                if (topics.knownMissing(topic) || (refusedUntil != null && System.nanoTime() - refusedUntil < 0)) {
                    // not a failure of the response: its one line is KafkaProblems', not one a poll
                    pending.heldBack = true;
                    pending.count = i;
                    break;
                }
            }
        }
    }

    /**
     * Whether the transaction failed because of topics it wrote to: Kafka refused this principal to write to them, or
     * they do not exist (Kafka answers for the others, and says which); if so, cuts each response before its first
     * record for one of them, so that the other chats go on.
     */
    private boolean heldTopics(List<Pending> group, KafkaException failure) {
        if (Failures.causedBy(failure, TopicAuthorizationException.class)) {
            refusedBy(failure);
            cutAtMissingTopics(group);
            return true;
        }
        if (!Failures.causedBy(failure, TimeoutException.class)
                && !Failures.causedBy(failure, UnknownTopicOrPartitionException.class)) {
            return false;
        }
        Set<String> written = new TreeSet<>();
        group.forEach(pending -> pending.entries.subList(0, pending.count).forEach(e -> written.add(topicOf(e))));
        if (topics.missing(written).isEmpty()) {
            return false;
        }
        cutAtMissingTopics(group);
        return true;
    }

    /**
     * A committed transaction wrote to these topics: whatever refused them before is mended. Looked at only while a
     * topic is refused, not per record of every transaction.
     */
    private void resolveTopics(List<Pending> group) {
        if (refusedTopics.isEmpty()) {
            return;
        }
        for (Pending pending : group) {
            for (PublishBatch.Entry entry : pending.entries.subList(0, pending.count)) {
                if (refusedTopics.remove(topicOf(entry)) != null) {
                    problems.resolve("write to topic " + topicOf(entry));
                }
            }
        }
    }

    private static String topicOf(PublishBatch.Entry entry) {
        return entry.record().getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
    }

    /** The transactional producer, opened as the lease was taken; throws while it stands by or before it opened. */
    private Producer<String, String> producer() {
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
            problems.reportBlocking(TRANSACTION_TIMEOUT, "Kafka refused transaction.timeout.ms="
                    + transactionTimeout.toMillis() + ": it is above the brokers' transaction.max.timeout.ms. Lower KAFKA_TRANSACTION_TIMEOUT_MILLIS "
                    + "(kafka.transaction.timeout.millis), or raise transaction.max.timeout.ms on the brokers; nothing "
                    + "is published until then");
            block(REFUSED_RETRY.toNanos(), "Kafka refused the transaction timeout (" + describe(e) + ")");
            throw e;
        } catch (AuthorizationException e) {
            opened.close(Duration.ZERO);
            refusedBy(e);
            throw e;
        } catch (TimeoutException e) {
            opened.close(Duration.ZERO);
            // the broker may well be up: a cluster that cannot run transactions answers this way too
            throw new TimeoutException("Kafka did not open transactional id " + transactionalId + " in time: the "
                    + "brokers are down, or cannot run transactions (the transaction state log needs "
                    + "transaction.state.log.replication.factor brokers); for a cluster without transactions set "
                    + "PIPELINE_DELIVERY=at-least-once", e);
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
        blockedUntil = null; // whatever refused the producer before is mended
        problems.resolve(TRANSACTIONAL_ID);
        problems.resolve(TRANSACTION_TIMEOUT);
        dedupState.writeAlone(true);
        LOG.info("Publishing exactly once: transactional producer {} ready; any replica that published before is fenced",
                transactionalId);
        return opened;
    }

    private void abort(Producer<String, String> transactional, Throwable failure) {
        metrics.transaction("aborted");
        LOG.warn("Aborted a Kafka transaction ({}); its messages are read again at the next poll", describe(failure));
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
                + "the next poll", transactionTimeout.toMillis(), describe(failure));
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
                    transactionalId, describe(failure));
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
        Long until = blockedUntil;
        if (until == null || System.nanoTime() - until >= 0) {
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
                                transactionalId, describe(e));
                    }
                }
            });
        } catch (RejectedExecutionException stopping) {
            openQueued.set(false);
        }
    }

    /**
     * The lease was lost: stop leading, and close the producer, aborting a transaction then open within a bounded wait,
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

    public boolean isLeading() {
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

    /** Once Camel has stopped: the last transaction has ended or is aborted now, and the producer goes. */
    public void close() {
        standBy();
    }

    /**
     * The record camel-kafka would send for this message: topic, key, the body as the value, and the headers its
     * header filter strategy lets through, serialized by its header serializer (KafkaProducer.getPropagatedHeaders).
     */
    private static ProducerRecord<String, String> record(Message message, KafkaConfiguration configuration) {
        HeaderFilterStrategy filter = configuration.getHeaderFilterStrategy();
        List<Header> headers = new ArrayList<>(message.getHeaders().size());
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            if (!filter.applyFilterToCamelHeaders(header.getKey(), header.getValue(), message.getExchange())) {
                byte[] value = configuration.getHeaderSerializer().serialize(header.getKey(), header.getValue());
                if (value != null) {
                    headers.add(new RecordHeader(header.getKey(), value));
                }
            }
        }
        return new ProducerRecord<>(message.getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class), null,
                message.getHeader(KafkaConstants.KEY, String.class), message.getBody(String.class), headers);
    }

    private KafkaConfiguration configuration() {
        return kafka.get().getConfiguration();
    }

    private static String describe(Throwable failure) {
        return Failures.describe(failure);
    }
}
