package io.github.chakrakafkapipeline.benchmark;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the benchmark asks the broker: creates the contenders' topics, tells when they hold all the records, and when
 * the broker appended the last one.
 * <p>
 * The message topics are created with {@code message.timestamp.type=LogAppendTime}: the broker stamps each batch with
 * its own clock when it appends it, which (one broker, acks=all, so the in-sync replicas are just this one) is the
 * moment it acknowledges it. The newest such stamp is therefore the last acknowledgement, measured the same way for
 * every contender and without waiting for a consumer to notice. A producer's CreateTime would instead be the time
 * the record was handed to the producer, before batching, sending and the acknowledgement.
 */
final class KafkaProbe implements AutoCloseable {

    static final int PARTITIONS = 3;

    private final String bootstrapServers;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;

    KafkaProbe(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The message topics of one run: partitions like the broker's default, stamped with the broker's append time. */
    void createMessageTopics(Collection<String> topics) throws Exception {
        List<NewTopic> created = topics.stream()
                .map(t -> new NewTopic(t, Optional.of(PARTITIONS), Optional.empty())
                        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")))
                .toList();
        admin.createTopics(created).all().get(30, TimeUnit.SECONDS);
        awaitMetadata(topics);
    }

    void createCompactedTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                .all().get(30, TimeUnit.SECONDS);
        awaitMetadata(List.of(topic));
    }

    void deleteTopics(Collection<String> topics) {
        try {
            List<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(topics::contains).toList();
            admin.deleteTopics(existing).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("Could not delete topics " + topics + ": " + e);
        }
    }

    /** How many records the topics hold now (fresh topics: the sum of their end offsets). */
    long count(Collection<String> topics) {
        return endOffsets(topics).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Waits, checking every 50 ms, until the topics hold at least {@code expected} records; returns the count. How soon this
     * notices does not change the figures, which come from the broker's append times.
     */
    long awaitCount(Collection<String> topics, long expected, Duration timeout) {
        return await("records on " + topics).atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(50))
                .until(() -> count(topics), greaterThanOrEqualTo(expected));
    }

    /** The broker's append time of the newest record on these topics, in epoch milliseconds. */
    long lastAppendMillis(Collection<String> topics) {
        long last = Long.MIN_VALUE;
        for (Map.Entry<TopicPartition, Long> end : endOffsets(topics).entrySet()) {
            if (end.getValue() == 0) {
                continue;
            }
            ConsumerRecord<byte[], byte[]> record = recordAt(end.getKey(), end.getValue() - 1);
            if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                throw new IllegalStateException(end.getKey() + " is not stamped with the broker's append time");
            }
            last = Math.max(last, record.timestamp());
        }
        return last;
    }

    /** One record of a topic, for checking what the contenders wrote. */
    ConsumerRecord<byte[], byte[]> first(String topic) {
        for (Map.Entry<TopicPartition, Long> end : endOffsets(List.of(topic)).entrySet()) {
            if (end.getValue() > 0) {
                return recordAt(end.getKey(), 0);
            }
        }
        return null;
    }

    private ConsumerRecord<byte[], byte[]> recordAt(TopicPartition partition, long offset) {
        consumer.assign(List.of(partition));
        consumer.seek(partition, offset);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() == offset) {
                    return record;
                }
            }
        }
        throw new IllegalStateException("Could not read " + partition + " at offset " + offset);
    }

    private Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    }

    private void awaitMetadata(Collection<String> topics) {
        // the metadata of a just-created topic takes a moment; only the partition's leader answers endOffsets, and only
        // once it has taken the partition up: a producer sending before that gets NOT_LEADER_OR_FOLLOWER and,
        // idempotent, may then wedge on OUT_OF_ORDER_SEQUENCE_NUMBER
        await("metadata of " + topics).atMost(Duration.ofSeconds(30)).pollInSameThread()
                .pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                    if (topics.stream().anyMatch(t -> consumer.partitionsFor(t, Duration.ofSeconds(5)).isEmpty())) {
                        return false;
                    }
                    endOffsets(topics);
                    return true;
                });
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
