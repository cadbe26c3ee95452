package io.github.chakrakafkapipeline.publish;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics a transaction cannot write to now: missing (PipelineTopics says which) or refused to this principal by an
 * ACL. A response is cut before its first record for one of them, so that nothing of its chat overtakes that record
 * and the other chats go on; each such topic has one line of KafkaProblems, resolved once a transaction wrote to it.
 */
final class HeldTopics {

    /** How long a topic Kafka refused waits before it is tried again. */
    static final Duration REFUSED_RETRY = Duration.ofSeconds(30);

    private final PipelineTopics topics;
    private final KafkaProblems problems;
    /** The brokers, as the ACL commands of the log lines name them. */
    private final Supplier<String> brokers;
    /** Topics Kafka refused this principal to write to, and until when (System.nanoTime) they are not tried again. */
    private final Map<String, Long> refusedTopics = new ConcurrentHashMap<>();

    HeldTopics(PipelineTopics topics, KafkaProblems problems, Supplier<String> brokers) {
        this.topics = topics;
        this.problems = problems;
        this.brokers = brokers;
    }

    /** Kafka refused this principal to write to topics: one line each, naming the ACL to add. */
    void refused(Throwable failure) {
        TopicAuthorizationException topic = Failures.cause(failure, TopicAuthorizationException.class);
        for (String name : topic == null ? Set.<String>of() : topic.unauthorizedTopics()) {
            problems.report("write to topic " + name, "Kafka refused this pipeline's principal to write to topic "
                    + name + "; the chats with messages for it are held there (nothing of them marked published), "
                    + "the others go on, and it is tried again every " + REFUSED_RETRY.toSeconds() + " s: "
                    + ProducerRefusals.aclCommand(brokers.get()) + "--operation Write --operation Describe --topic "
                    + name);
            refusedTopics.put(name, System.nanoTime() + REFUSED_RETRY.toNanos());
        }
    }

    /**
     * Cuts each response before its first record for a topic known to be missing (PipelineTopics says which) or that
     * Kafka refused this principal a while ago.
     */
    void cut(List<PendingResponse> group) {
        for (PendingResponse pending : group) {
            for (int i = 0; i < pending.count; i++) {
                String topic = KafkaRecords.topicOf(pending.entries.get(i));
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
    boolean failedOn(List<PendingResponse> group, KafkaException failure) {
        if (Failures.causedBy(failure, TopicAuthorizationException.class)) {
            refused(failure);
            cut(group);
            return true;
        }
        if (!Failures.causedBy(failure, TimeoutException.class)
                && !Failures.causedBy(failure, UnknownTopicOrPartitionException.class)) {
            return false;
        }
        Set<String> written = new TreeSet<>();
        group.forEach(pending -> pending.entries.subList(0, pending.count).forEach(e -> written.add(KafkaRecords.topicOf(e))));
        if (topics.missing(written).isEmpty()) {
            return false;
        }
        cut(group);
        return true;
    }

    /**
     * A committed transaction wrote to these topics: whatever refused them before is mended. Looked at only while a
     * topic is refused, not per record of every transaction.
     */
    void resolve(List<PendingResponse> group) {
        if (refusedTopics.isEmpty()) {
            return;
        }
        for (PendingResponse pending : group) {
            for (PublishBatch.Entry entry : pending.entries.subList(0, pending.count)) {
                if (refusedTopics.remove(KafkaRecords.topicOf(entry)) != null) {
                    problems.resolve("write to topic " + KafkaRecords.topicOf(entry));
                }
            }
        }
    }
}
