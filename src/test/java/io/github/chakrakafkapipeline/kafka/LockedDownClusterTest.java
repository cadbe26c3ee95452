package io.github.chakrakafkapipeline.kafka;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.KafkaCluster;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Three brokers configured as companies run them: no topic created by itself, three replicas, min.insync.replicas 2.
 * The pipeline is given only the token and the brokers (and its chats): it creates its topics with the brokers'
 * replication, publishes, and goes on through a broker lost, a restart of its own while that broker is gone, and the
 * broker's return, with every message once and each chat in order.
 */
class LockedDownClusterTest {

    private static final String TOKEN = "locked-down-token-8e7d6c5b4a39281706f5";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> CHATS = List.of("a1b2c3d4-0001-4c35-a79c-b6fe90757fd2",
            "a1b2c3d4-0002-4c35-a79c-b6fe90757fd2", "a1b2c3d4-0003-4c35-a79c-b6fe90757fd2");

    private final Map<String, List<String>> answers = new TreeMap<>();
    private long next = 1762277358000L;

    @Test
    void publishes_each_message_once_and_in_order_through_a_broker_lost_a_restart_and_its_return() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(3).start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), String.join(",", CHATS), "");
            RunningPipeline pipeline = RunningPipeline.start(settings);
            try {
                arrive(chakra, 2);
                awaitPublished(kafka);
                try (Admin admin = Admin.create(kafka.adminConfig())) {
                    for (String topic : List.of(Topics.INBOUND, Topics.OUTBOUND, Topics.DEDUP)) {
                        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                                .get(30, TimeUnit.SECONDS).get(topic);
                        assertEquals(3, description.partitions().get(0).replicas().size(),
                                topic + " has the brokers' replication factor");
                    }
                }

                int lost = kafka.brokerIds().get(0);
                kafka.stopBroker(lost);
                arrive(chakra, 2);
                awaitPublished(kafka);

                pipeline.close(); // a restart while the broker is gone
                pipeline = RunningPipeline.start(settings);
                arrive(chakra, 2);
                awaitPublished(kafka);

                kafka.startBroker(lost);
                arrive(chakra, 2);
                awaitPublished(kafka);
            } finally {
                pipeline.close();
            }
            assertEachOnceInOrder(kafka);
        }
    }

    /** Each chat gains {@code count} messages, alternately inbound and outbound; ChakraHQ answers newest first. */
    private void arrive(ChakraStub chakra, int count) {
        for (String chat : CHATS) {
            List<String> messages = answers.computeIfAbsent(chat, c -> new ArrayList<>());
            for (int i = 0; i < count; i++) {
                long timestamp = next++;
                var message = message("wamid.LD-" + timestamp).chat(chat).timestamp(timestamp);
                messages.add(0, (timestamp % 2 == 0 ? message.inbound() : message.outbound()).build());
            }
            chakra.answerChat(chat, response(messages));
        }
    }

    private List<String> expected() {
        return answers.values().stream().flatMap(List::stream).map(m -> json(m, "externalId")).sorted().toList();
    }

    private void awaitPublished(KafkaCluster kafka) {
        await("every message so far on the topics").atMost(WAIT).ignoreExceptions().until(() -> published(kafka).stream()
                .map(r -> header(r, "chakra.externalId")).collect(Collectors.toSet()).containsAll(expected()));
    }

    private static List<ConsumerRecord<String, String>> published(KafkaCluster kafka) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(readAll(kafka.bootstrapServers(), Topics.INBOUND));
        records.addAll(readAll(kafka.bootstrapServers(), Topics.OUTBOUND));
        return records;
    }

    private void assertEachOnceInOrder(KafkaCluster kafka) {
        List<ConsumerRecord<String, String>> published = published(kafka);
        Map<String, Long> copies = published.stream().collect(Collectors.groupingBy(
                r -> header(r, "chakra.externalId"), TreeMap::new, Collectors.counting()));
        assertEquals(expected().stream().collect(Collectors.toMap(Function.identity(), id -> 1L, (a, b) -> a,
                TreeMap::new)), copies, "every message once, for a read_committed consumer");
        for (String topic : List.of(Topics.INBOUND, Topics.OUTBOUND)) {
            for (String chat : CHATS) {
                List<Long> timestamps = published.stream().filter(r -> r.topic().equals(topic) && r.key().equals(chat))
                        .map(r -> Long.parseLong(json(r.value(), "timestamp"))).toList();
                assertEquals(timestamps.stream().sorted(Comparator.naturalOrder()).toList(), timestamps,
                        "chat " + chat + " on " + topic + " oldest first");
            }
        }
    }

    private static String json(String message, String field) {
        try {
            return JSON.readTree(message).get(field).asText();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
