package io.github.chakrakafkapipeline.publish;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.chakrakafkapipeline.chakra.TargetPoll;

/**
 * A response's batch waiting for its transaction: the first {@code count} entries go in it (fewer once Kafka
 * refused one of them); {@code refusal} is why the rest did not.
 */
final class PendingResponse {
    final List<PublishBatch.Entry> entries;
    /** The chat read, whose activity is recorded with its messages (discovery); null for none. */
    final TargetPoll activityOf;
    final Long activity;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    int count;
    RuntimeException refusal;
    /** Cut before a record for a topic that does not exist: what went before is published, the rest waits. */
    boolean heldBack;

    PendingResponse(List<PublishBatch.Entry> entries, TargetPoll poll) {
        this.entries = entries;
        this.count = entries.size();
        this.activity = poll.getActivityToRecord();
        this.activityOf = activity == null ? null : poll;
    }
}
