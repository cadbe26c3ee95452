package io.github.chakrakafkapipeline.publish;

import java.util.concurrent.Future;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The transaction that responses join as they come: a response's call thread sends its records, their dedup records and
 * its chat's activity into the producer's open transaction itself (the first one to join begins it), and the publisher
 * thread commits what joined, keeping the call threads out while it commits or aborts. Serializing and compressing the
 * records is most of a transaction's CPU: on the one publisher thread, sharing the cores with the calls, it was the
 * exactly-once backfill's bottleneck (issue 19's profile); on the call threads it runs in parallel.
 * <p>
 * Written by hand: Kafka's producer takes sends from any thread into its open transaction, but none while it commits or
 * aborts, and neither Kafka nor Camel gathers callers around one transaction that way.
 */
final class OpenTransaction {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** The producer whose transaction is begun; null when none is. */
    private Producer<String, String> begunOn;
    /** When the current transaction began (System.nanoTime). */
    private volatile long begunAt;
    /**
     * Why a send of the current transaction failed, null while none did: it cannot commit, and each further send would
     * first wait up to max.block.ms for metadata (the Kafka 4 client forgets it when every broker is gone).
     */
    private volatile Throwable sendFailed;

    /**
     * On a call thread: sends the response into the transaction of the producer {@code open} gives, and hands it to
     * {@code queue}, both before a commit of that transaction begins. While a commit runs, or the producer is not open,
     * it is handed over unsent, and the publisher thread sends it into the next transaction: the call thread goes on to
     * its next read rather than wait. A send that throws is the response's {@code sendFailure}: its transaction is
     * aborted, and so is one where anything else went wrong in the middle of the sends (an Error): nothing half sent
     * commits.
     */
    void join(Supplier<Producer<String, String>> producer, PendingResponse pending, Consumer<PendingResponse> queue) {
        if (!lock.readLock().tryLock()) {
            queue.accept(pending);
            return;
        }
        try {
            // the publisher discards a producer only while it excludes us; standBy closes one from another thread, and
            // what is sent into it then fails
            Producer<String, String> open = producer.get();
            if (open != null && sendFailed == null) {
                try {
                    beginShared(open);
                    send(open, pending);
                } catch (Throwable e) {
                    pending.sendFailure = e instanceof RuntimeException failure ? failure
                            : new KafkaException("Sending a response's records into the transaction failed", e);
                    failed(open, e);
                }
            }
            queue.accept(pending);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** On the publisher thread: commits (or aborts) with no call thread sending meanwhile; the transaction ends with it. */
    void exclusively(Runnable commit) {
        lock.writeLock().lock();
        try {
            commit.run();
        } finally {
            ended();
            lock.writeLock().unlock();
        }
    }

    /** On a call thread: begins a transaction on the producer unless one is; refuses one begun on another producer. */
    private synchronized void beginShared(Producer<String, String> open) {
        if (begunOn != null && begunOn != open) {
            throw new IllegalStateException("the transactional producer changed while this response was sent");
        }
        begin(open);
    }

    /** On the publisher thread: begins a transaction on the producer unless one is begun on it already. */
    synchronized void begin(Producer<String, String> transactional) {
        if (begunOn != transactional) {
            transactional.beginTransaction();
            begunOn = transactional;
            begunAt = System.nanoTime();
            sendFailed = null;
        }
    }

    /** The transaction was committed or aborted: the next send begins another. */
    synchronized void ended() {
        begunOn = null;
        sendFailed = null;
    }

    /** Why a send of the current transaction failed; null while none did. */
    Throwable sendFailed() {
        return sendFailed;
    }

    long begunAt() {
        return begunAt;
    }

    /**
     * Sends the response's records, then the dedup record of each of their chats, and the activity of its chat when the
     * response is whole, into the begun transaction; each record's future joins {@code pending.sent}. Stops at a send
     * that failed already.
     */
    void send(Producer<String, String> transactional, PendingResponse pending) {
        pending.sent.clear();
        pending.sentWith = transactional;
        pending.sendFailure = null;
        for (ProducerRecord<String, String> record : pending.records.subList(0, pending.count)) {
            Future<RecordMetadata> message = transactional.send(record);
            pending.sent.add(message);
            if (failed(transactional, SendResults.failure(message))) {
                return;
            }
        }
        for (ProducerRecord<String, String> dedupRecord : pending.dedupRecords.apply(pending.entries.subList(0, pending.count))) {
            if (failed(transactional, SendResults.failure(transactional.send(dedupRecord)))) {
                return;
            }
        }
        if (pending.activityRecord != null && pending.refusal == null && !pending.heldBack) {
            transactional.send(pending.activityRecord);
        }
    }

    /**
     * Whether sending into the producer's transaction should stop: this send failed, or another did already. A
     * failure counts against the transaction only if it is the one begun on that producer (not a producer closed under
     * a call thread while another opened).
     */
    private boolean failed(Producer<String, String> transactional, Throwable failure) {
        if (failure == null) {
            return sendFailed != null; // each send asks: no lock while none failed
        }
        synchronized (this) {
            if (transactional == begunOn && sendFailed == null) {
                sendFailed = failure;
            }
        }
        return true;
    }
}
