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

    /** Why a send failed already, as one does that could not get its topic's metadata within max.block.ms; else null. */
    static Throwable failure(Future<RecordMetadata> send) {
        if (!send.isDone()) {
            return null;
        }
        try {
            send.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            // a call thread interrupted (the pipeline stopping) tells nothing of the send: the commit will
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Whether the transaction failed because Kafka refused records for good; if so, cuts each response before its
     * first refused record.
     */
    static boolean refused(List<PendingResponse> group) {
        boolean refused = false;
        for (PendingResponse pending : group) {
            for (int i = 0; i < Math.min(pending.count, pending.sent.size()); i++) {
                Future<RecordMetadata> result = pending.sent.get(i);
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
