package io.github.chakrakafkapipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of {@link OpenTransaction} at the edges a broker cannot be made to hit on cue: a response that comes
 * while a commit runs, a producer replaced under a call thread, an Error in the middle of a response's sends. Kafka's
 * MockProducer stands in for the producer: what is asserted is which transaction a response's records went into, not
 * their delivery (OpenTransactionTest has that, against a real broker).
 */
class OpenTransactionJoinTest {

    private final OpenTransaction transaction = new OpenTransaction();
    private final Queue<PendingResponse> ready = new ConcurrentLinkedQueue<>();

    @Test
    void a_response_that_comes_while_a_commit_runs_is_handed_over_unsent() {
        MockProducer<String, String> producer = producer();
        PendingResponse pending = response(entries -> List.of(record("dedup")));
        transaction.exclusively(() -> CompletableFuture.runAsync(() -> transaction.join(() -> producer, pending, ready::add))
                .join());
        assertEquals(List.of(pending), List.copyOf(ready), "handed over to the publisher");
        assertNull(pending.sentWith, "not sent");
        assertEquals(0, producer.history().size(), "nothing sent while the commit ran");
    }

    @Test
    void a_send_into_a_producer_replaced_meanwhile_does_not_fail_the_new_producers_transaction() {
        MockProducer<String, String> current = producer();
        transaction.join(() -> current, response(entries -> List.of(record("dedup"))), ready::add);
        MockProducer<String, String> closed = producer();
        closed.close();
        PendingResponse late = response(entries -> List.of(record("dedup")));
        transaction.join(() -> closed, late, ready::add);
        assertNotNull(late.sendFailure, "the late response failed");
        assertNull(late.sentWith, "and sent nothing: the publisher sends it into the current transaction");
        assertNull(transaction.sendFailed(), "the current producer's transaction can still commit");
        assertTrue(current.transactionInFlight());
    }

    @Test
    void an_error_in_the_middle_of_a_response_keeps_its_transaction_from_committing() {
        MockProducer<String, String> producer = producer();
        PendingResponse pending = response(entries -> {
            throw new OutOfMemoryError("test: no heap while making the dedup records");
        });
        transaction.join(() -> producer, pending, ready::add);
        assertEquals(List.of(pending), List.copyOf(ready), "handed to the commit, which aborts it");
        assertSame(producer, pending.sentWith);
        assertNotNull(pending.sendFailure);
        assertTrue(transaction.sendFailed() instanceof OutOfMemoryError, "the transaction cannot commit");
    }

    private static MockProducer<String, String> producer() {
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    /** A response with no message of its own (as a chat's activity alone): its dedup records, then the activity. */
    private static PendingResponse response(Function<List<PublishBatch.Entry>, List<ProducerRecord<String, String>>> dedup) {
        return new PendingResponse(List.of(), null, dedup, record("activity"), () -> { });
    }

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("chakra.test", "chat", value);
    }
}
