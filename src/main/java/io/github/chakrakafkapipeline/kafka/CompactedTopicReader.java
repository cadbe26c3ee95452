package io.github.chakrakafkapipeline.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.github.chakrakafkapipeline.settings.StartupCheckFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads one of the pipeline's compacted topics (the dedup state, the chat activity) from its start, committed records
 * only ({@link KafkaClientConfig#stateConsumer}), handing each record to its state: to the end the topic has at
 * loading, and then on, to a later end at each catch-up. Used by one thread at a time (its state's), {@link #wakeup}
 * aside.
 */
public final class CompactedTopicReader implements AutoCloseable {

    /** Loading reads large batches: a state of millions of records loads in seconds. */
    private static final int MAX_POLL_RECORDS = 10_000;

    private final KafkaConsumer<String, String> consumer;
    private final Consumer<ConsumerRecord<String, String>> remember;

    /** Assigned every partition of the topic, at its start; throws when Kafka does not describe it within timeout. */
    private CompactedTopicReader(String topic, Map<String, Object> connection, Duration timeout,
            Consumer<ConsumerRecord<String, String>> remember) {
        Map<String, Object> config = KafkaClientConfig.stateConsumer(connection);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        this.consumer = new KafkaConsumer<>(config);
        this.remember = remember;
        try {
            List<TopicPartition> partitions = partitions(topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * The topic's partitions. A broker that has not yet heard of a topic created a moment ago answers with none, and a
     * reader assigned none would fail at every read (the consumer "is not subscribed to any topics or assigned any
     * partitions"), so an empty answer is asked again until {@code timeout}.
     */
    private List<TopicPartition> partitions(String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Kafka listed no partition of topic " + topic + " within "
                        + timeout.toMillis() + " ms: check that it exists and that this client may describe it");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
    }

    /**
     * Opens a reader of the topic and reads it to its end, or refuses the start-up: a state loaded in part would lose
     * what {@code withoutIt} says. The message names the topic ({@code what} it holds) and the setting that gives more
     * time.
     */
    public static CompactedTopicReader load(String topic, String what, String withoutIt, Map<String, Object> connection,
            Duration timeout, Consumer<ConsumerRecord<String, String>> remember) {
        CompactedTopicReader reader = new CompactedTopicReader(topic, connection, timeout, remember);
        if (!reader.readToEnd(timeout)) {
            reader.close();
            throw new StartupCheckFailedException("Could not read the " + what + " topic " + topic + " within "
                    + timeout.toMillis() + " ms; refusing to start, as it would " + withoutIt + ". Raise "
                    + "PIPELINE_DEDUP_LOAD_TIMEOUT_MILLIS or check the broker");
        }
        return reader;
    }

    /** Reads up to the end the topic has now; false when that takes longer than {@code wait}. */
    public boolean readToEnd(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Map<TopicPartition, Long> end = endOffsets(wait);
        while (!reached(end, wait)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            poll(Duration.ofMillis(200));
        }
        return true;
    }

    /** The topic's end now (committed records: its last stable offsets). */
    public Map<TopicPartition, Long> endOffsets(Duration wait) {
        return consumer.endOffsets(consumer.assignment(), wait);
    }

    /** Whether every partition was read up to {@code end}. */
    public boolean reached(Map<TopicPartition, Long> end, Duration wait) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), wait) >= e.getValue());
    }

    /** Reads what came since, waiting at most {@code wait} for it. */
    public void poll(Duration wait) {
        consumer.poll(wait).forEach(remember);
    }

    /** Stops reading on (a follower that rests), or starts again. */
    public void pause(boolean paused) {
        if (paused) {
            consumer.pause(consumer.assignment());
        } else {
            consumer.resume(consumer.assignment());
        }
    }

    /** From any thread: the reader's {@link #poll} returns now, throwing Kafka's WakeupException. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
