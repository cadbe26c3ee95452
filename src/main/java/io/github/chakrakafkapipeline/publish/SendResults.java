package io.github.chakrakafkapipeline.publish;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/** What the sends of a transaction tell: a send that failed already, records Kafka refused for good. */
final class SendResults {

    private SendResults() {
    }

    /** Whether a send failed already, as one does that could not get its topic's metadata within max.block.ms. */
    static boolean failed(Future<RecordMetadata> send) {
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
    static boolean refused(List<PendingResponse> group, List<Future<RecordMetadata>> sent) {
        boolean refused = false;
        int next = 0;
        for (PendingResponse pending : group) {
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

    static Throwable refusal(Future<RecordMetadata> result) {
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
}
