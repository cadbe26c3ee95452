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
import java.util.function.Consumer;

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
 * <p>
 * Two ways of counting. {@link #count} sums the end offsets (high watermarks): cheap, and exact for the producers
 * without transactions, whose every offset is a record. The pipeline's exactly-once producer also writes a transaction
 * marker (a control record, one per partition a transaction wrote to) that takes an offset but is no record, and a
 * transaction it aborted leaves records no consumer of committed data sees: there the end offsets over-count.
 * {@link #tally} therefore reads every record as a downstream {@code read_committed} consumer does, and counts what it
 * is handed: markers and aborted records are not.
 */
final class KafkaProbe implements AutoCloseable {

    static final int PARTITIONS = 3;

    private final String bootstrapServers;
    private final Admin admin;
    /** read_uncommitted: its end offsets are the high watermarks, every append counted, markers included. */
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** read_committed: hands out what a downstream consumer of committed data sees. */
    private final KafkaConsumer<byte[], byte[]> committed;

    KafkaProbe(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.consumer = consumer("read_uncommitted", 1);
        this.committed = consumer("read_committed", 2_000);
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolationLevel, int maxPollRecords) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords));
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

    /**
     * How many offsets the topics have taken now (fresh topics: the sum of their end offsets): the number of records
     * for a producer without transactions, more than that for a transactional one (see {@link #tally}).
     */
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

    /**
     * The broker's append time of the newest record on these topics, in epoch milliseconds: the record at each
     * partition's last offset, so for a producer without transactions only (a transactional one's is a marker, which
     * no consumer is handed; {@link #tally} has the newest append time of those).
     */
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

    /** What a read_committed consumer finds on some topics: how many records, and the newest append time. */
    record Tally(long records, long lastAppendMillis) {
    }

    /**
     * Reads every record on the topics as a read_committed consumer, up to their last stable offset now, and counts
     * them: exact whether they were written in transactions or not (the class comment says why the end offsets are
     * not). Reads the whole topics, so it is called after a measurement, never while one runs.
     */
    Tally tally(Collection<String> topics) {
        long[] tally = {0, Long.MIN_VALUE};
        readCommitted(topics, Map.of(), record -> {
            if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                throw new IllegalStateException(record.topic() + " is not stamped with the broker's append time");
            }
            tally[0]++;
            tally[1] = Math.max(tally[1], record.timestamp());
        });
        return new Tally(tally[0], tally[1]);
    }

    /**
     * Waits until no transaction is open on the topics, so that a {@link #tally} sees them whole: a transaction is
     * visible once the broker wrote its markers, which it does after the producer's commit returned; until then the
     * last stable offset (read_committed's end) stays below the high watermark.
     */
    void awaitSettled(Collection<String> topics, Duration timeout) {
        await("no transaction open on " + topics).atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(50))
                .until(() -> lastStableOffsets(topics).equals(endOffsets(topics)));
    }

    /**
     * Hands {@code each} the committed records of the topics from {@code from} (a partition not in it: from its
     * beginning) up to the last stable offset now, partition by partition in offset order; returns how many.
     */
    long readCommitted(Collection<String> topics, Map<TopicPartition, Long> from,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> end = lastStableOffsets(topics);
        committed.assign(end.keySet());
        for (TopicPartition partition : end.keySet()) {
            committed.seek(partition, from.getOrDefault(partition, 0L));
        }
        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (end.entrySet().stream().anyMatch(e -> committed.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + topics + " to their end within 5 minutes");
            }
            for (ConsumerRecord<byte[], byte[]> record : committed.poll(Duration.ofMillis(200))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    each.accept(record);
                    read++;
                }
            }
        }
        committed.assign(List.of());
        return read;
    }

    /** The first committed record of a topic, for checking what the contenders wrote; null when there is none. */
    ConsumerRecord<byte[], byte[]> first(String topic) {
        Map<TopicPartition, Long> end = lastStableOffsets(List.of(topic));
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (partition.getValue() > 0) {
                committed.assign(List.of(partition.getKey()));
                committed.seekToBeginning(List.of(partition.getKey()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline
                        && committed.position(partition.getKey(), Duration.ofSeconds(30)) < partition.getValue()) {
                    for (ConsumerRecord<byte[], byte[]> record : committed.poll(Duration.ofMillis(200))) {
                        committed.assign(List.of());
                        return record;
                    }
                }
            }
        }
        committed.assign(List.of());
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

    /** The high watermark of each partition: the offset the next append gets, whoever makes it. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        return new HashMap<>(consumer.endOffsets(partitions(topics), Duration.ofSeconds(30)));
    }

    /** The last stable offset of each partition: where a read_committed consumer stops (an open transaction's start). */
    private Map<TopicPartition, Long> lastStableOffsets(Collection<String> topics) {
        return new HashMap<>(committed.endOffsets(partitions(topics), Duration.ofSeconds(30)));
    }

    private List<TopicPartition> partitions(Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
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
        committed.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
