package io.github.chakrakafkapipeline.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once publishing: the records of a response and their dedup records go to Kafka in one transaction, so a
 * consumer that reads committed data sees both or neither, whatever happens to the pipeline.
 * <p>
 * Written here rather than with camel-kafka's transacted endpoint because in Camel 4.18 that endpoint has one
 * transaction per exchange, begun on its one producer and committed when the exchange completes, so two targets
 * published at once would meet in one producer's transaction, and the dedup records (sent by another producer)
 * could not join it. This class is the group commit; the producer's life and fencing are {@link TransactionalProducer},
 * the records as camel-kafka makes them {@link KafkaRecords}, the topics that cannot be written to now {@link HeldTopics}.
 * The dedup and chat activity records come with the batch, made by their states: this class sends them, knowing
 * nothing of what they mean.
 * <p>
 * One producer holds one transaction at a time, on one thread; each costs several round trips to the broker whatever
 * its size (tens of milliseconds), so the responses that are ready meanwhile share the next one (a group commit), and a
 * response's exchange waits for its commit without holding a thread: the calls to ChakraHQ go on. A failed
 * transaction fails all of its responses, and each is read again next poll.
 */
public class Transactions implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
    /**
     * How many responses may wait for a transaction at once. Beyond that the call threads wait too, so that a Kafka
     * slower than ChakraHQ holds back the calls instead of filling the heap with responses (a poll of thousands of
     * chats would otherwise hold them all); with 100-message responses this is some 4 MB.
     */
    private static final int MAX_WAITING = 64;

    private final TransactionalProducer producer;
    private final HeldTopics heldTopics;
    private final PipelineMetrics metrics;
    private final Queue<PendingResponse> ready = new ConcurrentLinkedQueue<>();
    private final Semaphore waiting = new Semaphore(MAX_WAITING);
    /** The one thread that uses the producer (close aside) is asked through it: transactions, one after the other. */
    private final GroupCommits commits;
    /** Where a response's exchange goes on once its transaction ended (settle, its summary), off the publisher thread. */
    private final Executor continuation;
    /** When the current transaction began (System.nanoTime); on the publisher thread. */
    private long begunAt;

    public Transactions(TransactionalProducer producer, PipelineTopics topics, KafkaProblems problems,
            PipelineMetrics metrics, ExecutorService publisher, Executor continuation) {
        this.producer = producer;
        this.heldTopics = new HeldTopics(topics, problems, () -> String.valueOf(producer.configuration().getBrokers()));
        this.metrics = metrics;
        this.commits = new GroupCommits(publisher, this::commitReady);
        this.continuation = continuation;
    }

    /** Its producer: the lease opens and closes it. */
    public TransactionalProducer producer() {
        return producer;
    }

    /**
     * Publishes the exchange's batch (the body) in a transaction, shared with the batches ready at the same
     * time. The future completes once it committed, each record then knowing its offset, as camel-kafka's send leaves
     * them (header {@link KafkaConstants#KAFKA_RECORD_META}). It fails when the transaction failed: nothing of it is
     * visible to a read_committed consumer, and Publishing.settle releases every claim.
     */
    @Override
    public CompletableFuture<Void> publish(Exchange exchange) {
        PublishBatch batch = exchange.getMessage().getBody(PublishBatch.class);
        return enqueue(new PendingResponse(batch.entries(), producer.configuration(), batch::dedupRecords,
                batch.activityRecord(), batch::activityRecorded));
    }

    /**
     * Records the activity of a chat whose read published nothing new, in a transaction (shared like the others), so
     * that a consumer and a replica see it only with what it stands for.
     */
    public CompletableFuture<Void> publishActivity(ProducerRecord<String, String> activityRecord) {
        return enqueue(new PendingResponse(List.of(), null, entries -> List.of(), activityRecord, () -> { }));
    }

    private CompletableFuture<Void> enqueue(PendingResponse mine) {
        try {
            producer.failFast().check();
            waiting.acquire();
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        mine.done.whenComplete((nothing, failure) -> waiting.release());
        ready.add(mine);
        try {
            commits.ring();
        } catch (RejectedExecutionException stopping) {
            if (ready.remove(mine)) { // else a commit running now took it, and completes it
                mine.done.completeExceptionally(stopping);
                return CompletableFuture.failedFuture(stopping);
            }
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

    /** On the publisher thread: one transaction for every response ready now (none, when the commit before took them). */
    private void commitReady() {
        List<PendingResponse> group = new ArrayList<>();
        for (PendingResponse next; (next = ready.poll()) != null; ) {
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
    private void commit(List<PendingResponse> group) {
        Producer<String, String> transactional = null;
        try {
            transactional = producer.current();
            heldTopics.cut(group);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try {
                send(transactional, group, sent);
                commitKnown(transactional); // throws if any send failed
            } catch (KafkaException e) {
                if (!producer.isLeading() || TransactionFailure.of(e) == TransactionFailure.FENCED
                        || !(SendResults.refused(group, sent) || heldTopics.failedOn(group, e))) {
                    throw e;
                }
                producer.abort(transactional, e);
                sent.clear();
                send(transactional, group, sent);
                commitKnown(transactional);
            }
            int next = 0;
            for (PendingResponse pending : group) {
                for (PublishBatch.Entry entry : pending.entries.subList(0, pending.count)) {
                    entry.record().setHeader(KafkaConstants.KAFKA_RECORD_META, List.of(sent.get(next++).get()));
                }
            }
            metrics.transaction("committed");
            producer.failFast().clear(); // whatever failed or refused before is mended
            heldTopics.resolve(group);
            group.forEach(pending -> {
                if (pending.refusal == null && !pending.heldBack && pending.activityRecord != null) {
                    pending.activityRecorded.run();
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
                case FENCED -> producer.fenced(transactional, failure, begunAt);
                case REFUSED -> {
                    if (Failures.causedBy(failure, TopicAuthorizationException.class)) {
                        heldTopics.refused(failure); // abortable: the producer goes on
                        producer.abort(transactional, failure);
                    } else {
                        producer.refused(failure); // fatal to a transactional producer
                        producer.abort(transactional, failure);
                        producer.discard(transactional);
                    }
                }
                case UNANSWERED -> {
                    producer.abort(transactional, failure);
                    long maxBlock = producer.configuration().getMaxBlockMs();
                    producer.failFast().block(TimeUnit.MILLISECONDS.toNanos(maxBlock), "Kafka did not answer the transaction "
                            + "before this one, within the last " + maxBlock + " ms (" + Failures.describe(failure) + ")");
                }
                case ABORTABLE -> producer.abort(transactional, failure);
                case FATAL -> {
                    producer.abort(transactional, failure);
                    producer.discard(transactional); // a new producer for the next transaction
                }
            }
            RuntimeException thrown = failure instanceof RuntimeException runtime ? runtime : new KafkaException(failure);
            // the responses that queued meanwhile fail with it: each would wait as long (max.block.ms while Kafka is
            // down) to fail the same way, and the poll would take that long per response
            for (PendingResponse next; (next = ready.poll()) != null; ) {
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
                if (!producer.holds(transactional)) {
                    throw unknown;
                }
                if (!told) {
                    LOG.warn("Kafka did not answer a commit within {} ms: it may have been taken, so its messages stay "
                            + "claimed and the commit is asked again until Kafka answers", producer.configuration().getMaxBlockMs());
                    told = true;
                }
            }
        }
    }

    /**
     * Begins a transaction and sends the group's records, with the dedup record of each of their chats, and the activity of each chat
     * whose response is whole, adding the records' futures to
     * {@code sent} (a producer in error refuses the sends after a failed one).
     */
    private void send(Producer<String, String> transactional, List<PendingResponse> group, List<Future<RecordMetadata>> sent) {
        transactional.beginTransaction();
        begunAt = System.nanoTime();
        for (PendingResponse pending : group) {
            List<PublishBatch.Entry> entries = pending.entries.subList(0, pending.count);
            for (ProducerRecord<String, String> record : pending.records.subList(0, pending.count)) {
                Future<RecordMetadata> message = transactional.send(record);
                sent.add(message);
                if (SendResults.failed(message)) {
                    // the transaction cannot commit now; each further send would first wait up to max.block.ms for
                    // metadata (the Kafka 4 client forgets it when every broker is gone, to bootstrap again)
                    return;
                }
            }
            for (ProducerRecord<String, String> dedupRecord : pending.dedupRecords.apply(entries)) {
                if (SendResults.failed(transactional.send(dedupRecord))) {
                    return;
                }
            }
            if (pending.activityRecord != null && pending.refusal == null && !pending.heldBack) {
                transactional.send(pending.activityRecord);
            }
        }
    }
}
