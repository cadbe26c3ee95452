package io.github.chakrakafkapipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

/** The failures as the Kafka 4 client throws them: what happened wrapped in the category it put the transaction in. */
class TransactionFailureTest {

    private static final String ERROR_STATE = "Cannot execute transactional method because we are in an error state";

    @Test
    void what_happened_decides_whatever_the_client_wrapped_it_in() {
        assertEquals(TransactionFailure.FENCED, TransactionFailure.of(new KafkaException(ERROR_STATE,
                new ProducerFencedException("There is a newer producer with the same transactionalId"))));
        assertEquals(TransactionFailure.FENCED, TransactionFailure.of(new InvalidProducerEpochException("epoch")));
        assertEquals(TransactionFailure.REFUSED, TransactionFailure.of(
                new TransactionalIdAuthorizationException("Transactional Id authorization failed.")));
        assertEquals(TransactionFailure.REFUSED, TransactionFailure.of(new KafkaException(ERROR_STATE,
                new TopicAuthorizationException(Set.of("chakra.messages.media")))));
        assertEquals(TransactionFailure.UNANSWERED, TransactionFailure.of(new KafkaException(ERROR_STATE,
                new TransactionAbortableException("Transaction Request was aborted after exhausting retries.",
                        new TimeoutException("Topic chakra.messages.outbound not present in metadata after 10000 ms.")))));
        assertEquals(TransactionFailure.ABORTABLE, TransactionFailure.of(new KafkaException(ERROR_STATE,
                new RecordTooLargeException("too large"))));
        assertEquals(TransactionFailure.ABORTABLE, TransactionFailure.of(new TransactionAbortableException("aborted")));
        assertEquals(TransactionFailure.FATAL, TransactionFailure.of(new KafkaException(ERROR_STATE)));
        assertEquals(TransactionFailure.FATAL, TransactionFailure.of(new IllegalStateException("closed")));
    }
}
