package io.github.chakrakafkapipeline.publish;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A response's batch waiting for its transaction: the first {@code count} entries go in it (fewer once Kafka
 * refused one of them); {@code refusal} is why the rest did not.
 */
final class PendingResponse {
    final List<PublishBatch.Entry> entries;
    /**
     * The entries' Kafka records, made on the thread that queued the response: the publisher thread, which sends every
     * transaction, only sends them.
     */
    final List<ProducerRecord<String, String>> records;
    /** Gives the dedup records of the entries that go in the transaction. */
    final Function<List<PublishBatch.Entry>, List<ProducerRecord<String, String>>> dedupRecords;
    /** The record of the chat's activity, sent with the messages (discovery); null for none. */
    final ProducerRecord<String, String> activityRecord;
    /** What to do once the activity record is in Kafka. */
    final Runnable activityRecorded;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    int count;
    RuntimeException refusal;
    /** Cut before a record for a topic that does not exist: what went before is published, the rest waits. */
    boolean heldBack;

    PendingResponse(List<PublishBatch.Entry> entries, KafkaConfiguration configuration,
            Function<List<PublishBatch.Entry>, List<ProducerRecord<String, String>>> dedupRecords,
            ProducerRecord<String, String> activityRecord, Runnable activityRecorded) {
        this.entries = entries;
        this.records = entries.stream().map(entry -> KafkaRecords.record(entry.record(), configuration)).toList();
        this.dedupRecords = dedupRecords;
        this.count = entries.size();
        this.activityRecord = activityRecord;
        this.activityRecorded = activityRecorded;
    }
}
