package io.github.chakrakafkapipeline.dedup;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.RestartableKafka;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dedup state's follower meets an error it cannot go on from, as running out of memory while the topic grows under
 * a standby: an OutOfMemoryError thrown from inside the real consumer's poll (a consumer interceptor, which Kafka runs
 * there and whose Errors it lets through). Before, the thread ended without a word, the replica stayed ready, and its
 * next takeover would have published again what the other replica published. Now it logs one line, reports the
 * failure for readiness, and opens no more polls.
 */
class DedupFollowerFailureTest {

    private static final String TOPIC = "follower-failure.published-ids";
    private static final String FATAL_KEY = "out-of-memory";

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @Test
    void an_error_in_the_follower_stops_the_polls_and_readiness_with_one_line() throws Exception {
        try (RestartableKafka kafka = RestartableKafka.start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            DedupState state = new DedupState(TOPIC, () -> Map.of(
                    CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, OutOfMemoryOnKey.class.getName()),
                    Duration.ofSeconds(30), true, 50, Duration.ofMinutes(10), Duration.ZERO);
            state.start();
            try {
                state.load();
                assertTrue(state.followerFailure().isEmpty(), "a follower that runs reports nothing");
                write(kafka, "wamid.1");
                await("the follower reads what the other replica records").atMost(Duration.ofSeconds(30))
                        .until(() -> state.contains("wamid.1"));

                write(kafka, FATAL_KEY);
                await("the failure reported").atMost(Duration.ofSeconds(30))
                        .until(() -> state.followerFailure().isPresent());
                assertTrue(state.followerFailure().get().contains("OutOfMemoryError"), state.followerFailure().get());
                state.writeAlone(true); // as a takeover would: the catch-up now needs the follower
                assertFalse(state.catchUp(), "no poll while the state no longer learns what was published");
                List<String> lines = logs.lines().stream()
                        .filter(line -> line.contains("stopped following topic " + TOPIC)).toList();
                assertEquals(1, lines.size(), String.join("\n", logs.lines()));
                assertTrue(lines.get(0).contains("ERROR") && lines.get(0).contains("Restart it"), lines.get(0));
                assertFalse(logs.text().contains("\tat "), "no stack trace: " + logs.text());
            } finally {
                state.stop();
            }
        }
    }

    private static void write(RestartableKafka kafka, String id) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(TOPIC, id, "published")).get(30, TimeUnit.SECONDS);
        }
    }

    /** Throws as the heap running out would, inside the consumer's poll, on the record with {@link #FATAL_KEY}. */
    public static final class OutOfMemoryOnKey implements ConsumerInterceptor<String, String> {

        @Override
        public ConsumerRecords<String, String> onConsume(ConsumerRecords<String, String> records) {
            records.forEach(record -> {
                if (FATAL_KEY.equals(record.key())) {
                    throw new OutOfMemoryError("Java heap space (simulated by the test)");
                }
            });
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
