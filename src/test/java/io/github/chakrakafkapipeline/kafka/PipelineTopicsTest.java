package io.github.chakrakafkapipeline.kafka;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EditedRoutes;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a broker that creates no topic by itself, as companies run them: what it creates, what it refuses,
 * what it says while a topic is missing, and that it publishes once ops mended it, without a restart.
 */
class PipelineTopicsTest {

    private static final String TOKEN = "topics-token-3f9e2d1c0b8a7f6e5d4c";
    private static final String CHAT = "5d0c1b2a-3333-4c35-a79c-b6fe90757fd2";
    private static final String LEASE = "chakra.pipeline.lease";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    private EmbeddedKafka kafka;
    private ChakraStub chakra;
    private int managementPort;

    @BeforeEach
    void start() {
        kafka = EmbeddedKafka.startWithoutAutoCreation();
        chakra = new ChakraStub(TOKEN);
        managementPort = RunningPipeline.freePort();
        chakra.answerChat(CHAT, response(List.of(
                message("wamid.T1").chat(CHAT).outbound().timestamp(1762277358001L).build(),
                message("wamid.T2").chat(CHAT).inbound().timestamp(1762277358002L).build())));
    }

    @AfterEach
    void stop() throws Exception {
        chakra.close();
        kafka.close();
    }

    @Test
    void missing_topics_with_creation_off_are_named_with_their_command_and_publishing_starts_once_they_exist()
            throws Exception {
        Map<String, String> settings = settings();
        settings.put("pipeline.topics.create", "false");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            List<String> missing = List.of(Topics.INBOUND, Topics.OUTBOUND, Topics.DEAD_LETTER, Topics.DEDUP, LEASE);
            await().atMost(WAIT).until(() -> missing.stream().allMatch(topic -> logs.text().contains("topic " + topic
                    + " does not exist on Kafka and PIPELINE_TOPICS_CREATE is false")));
            assertEquals(503, get("/observe/health/ready").statusCode());
            String health = get("/observe/health?exposureLevel=full&data=true").body();
            for (String topic : missing) {
                assertTrue(health.contains("kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers()
                        + " --create --topic " + topic), health);
            }
            assertTrue(logs.text().contains("--create --topic " + Topics.DEDUP + " --partitions 1 --config "
                    + "cleanup.policy=compact --config segment.ms=3600000"), "a state topic's command makes it "
                    + "compacted, with hourly segments");
            assertEquals(0, chakra.server().getAllServeEvents().size(), "no read before the topics exist");

            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(Topics.INBOUND, 3, (short) 1),
                        new NewTopic(Topics.OUTBOUND, 3, (short) 1), new NewTopic(Topics.DEAD_LETTER, 1, (short) 1),
                        new NewTopic(LEASE, 1, (short) 1), new NewTopic(Topics.DEDUP, 1, (short) 1).configs(
                                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> ids(Topics.OUTBOUND).equals(List.of("wamid.T1"))
                    && ids(Topics.INBOUND).equals(List.of("wamid.T2")));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 200);
            for (String topic : missing) {
                assertEquals(1, logs.lines().stream().filter(line -> line.contains("topic " + topic + " does not exist"))
                        .count(), "one line for " + topic + ", not one a poll");
            }
        }
    }

    @Test
    void missing_topics_are_created_with_the_settings_and_state_topics_compacted() throws Exception {
        Map<String, String> settings = settings();
        settings.put("pipeline.topics.partitions", "2");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(WAIT).until(() -> ids(Topics.OUTBOUND).equals(List.of("wamid.T1")));
        }
        try (Admin admin = admin()) {
            assertEquals(2, partitions(admin, Topics.INBOUND));
            assertEquals(2, partitions(admin, Topics.DEAD_LETTER));
            assertEquals(1, partitions(admin, Topics.DEDUP));
            assertEquals(1, partitions(admin, LEASE));
            assertEquals("compact", config(admin, Topics.DEDUP, TopicConfig.CLEANUP_POLICY_CONFIG));
            assertEquals("3600000", config(admin, Topics.DEDUP, TopicConfig.SEGMENT_MS_CONFIG),
                    "hourly segments: compaction reaches all but the last hour of a chat's rewritten dedup records");
        }
    }

    @Test
    void a_state_topic_that_deletes_records_is_refused_until_it_is_compacted() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.DEDUP, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (RunningPipeline pipeline = RunningPipeline.start(settings())) {
            await().atMost(WAIT).until(() -> logs.text().contains("The dedup state topic " + Topics.DEDUP
                    + " has cleanup.policy=delete"));
            assertTrue(logs.text().contains("kafka-configs.sh --bootstrap-server " + kafka.bootstrapServers()
                    + " --alter --entity-type topics --entity-name " + Topics.DEDUP + " --add-config cleanup.policy=compact"));
            assertEquals(503, get("/observe/health/ready").statusCode());
            assertEquals(List.of(), ids(Topics.OUTBOUND), "nothing published on a state that would forget it");

            try (Admin admin = admin()) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEDUP),
                        List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"),
                                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> ids(Topics.OUTBOUND).equals(List.of("wamid.T1")));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 200);
        }
    }

    @Test
    void a_topic_a_route_names_that_nobody_created_holds_back_only_its_chat_and_publishing_resumes_once_it_exists(
            @TempDir Path routes) throws Exception {
        EditedRoutes.withMediaTopic(routes);
        String otherChat = "6e1d2c3b-4444-4c35-a79c-b6fe90757fd2";
        chakra.answerChat(CHAT, response(List.of(
                message("wamid.M1").chat(CHAT).outbound().timestamp(1762277358001L).build(),
                message("wamid.M2").chat(CHAT).outbound().set("dataType", "image").timestamp(1762277358002L).build(),
                message("wamid.M3").chat(CHAT).outbound().timestamp(1762277358003L).build())));
        chakra.answerChat(otherChat, response(List.of(
                message("wamid.O1").chat(otherChat).outbound().timestamp(1762277358004L).build())));
        Map<String, String> settings = mediaRuleSettings(routes, otherChat);

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(WAIT).until(() -> logs.text().contains("Topic chakra.messages.media does not exist on Kafka"));
            await().atMost(WAIT).until(() -> ids(Topics.OUTBOUND).containsAll(List.of("wamid.M1", "wamid.O1")));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 503);
            assertFalse(ids(Topics.OUTBOUND).contains("wamid.M3"), "no later message of the chat overtakes the image");
            assertFalse(logs.text().contains("Kafka did not answer"), "Kafka answered: the topic is missing");

            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic("chakra.messages.media", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> ids("chakra.messages.media").equals(List.of("wamid.M2"))
                    && ids(Topics.OUTBOUND).contains("wamid.M3"));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 200);
        }
        assertEquals(List.of("wamid.M1", "wamid.O1", "wamid.M3").stream().sorted().toList(),
                ids(Topics.OUTBOUND).stream().sorted().toList(), "each once");
        assertEquals(1, logs.lines().stream().filter(l -> l.contains("Topic chakra.messages.media does not exist"))
                .count(), "one line, not one a poll");
    }

    @Test
    void at_least_once_a_topic_a_route_names_that_nobody_created_is_named_and_publishing_resumes_once_it_exists(
            @TempDir Path routes) throws Exception {
        EditedRoutes.withMediaTopic(routes);
        String otherChat = "6e1d2c3b-5555-4c35-a79c-b6fe90757fd2";
        chakra.answerChat(CHAT, response(List.of(
                message("wamid.L1").chat(CHAT).outbound().timestamp(1762277358001L).build(),
                message("wamid.L2").chat(CHAT).outbound().set("dataType", "image").timestamp(1762277358002L).build())));
        chakra.answerChat(otherChat, response(List.of(
                message("wamid.P1").chat(otherChat).outbound().timestamp(1762277358004L).build())));
        Map<String, String> settings = mediaRuleSettings(routes, otherChat);
        settings.put("pipeline.delivery", "at-least-once");
        settings.put("camel.component.kafka.max-block-ms", "3000");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(WAIT).until(() -> logs.text().contains("Topic chakra.messages.media does not exist on Kafka"));
            await().atMost(WAIT).until(() -> ids(Topics.OUTBOUND).contains("wamid.P1"));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 503);

            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic("chakra.messages.media", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> ids("chakra.messages.media").equals(List.of("wamid.L2"))
                    && ids(Topics.OUTBOUND).contains("wamid.L1"));
            await().atMost(WAIT).until(() -> get("/observe/health/ready").statusCode() == 200);
        }
        assertEquals(List.of("wamid.L1", "wamid.P1"), ids(Topics.OUTBOUND).stream().sorted().toList(), "each once");
    }

    /** Both chats read, on the copy of routes/ whose rule sends images to chakra.messages.media. */
    private Map<String, String> mediaRuleSettings(Path routes, String otherChat) {
        Map<String, String> settings = settings();
        settings.put("chakra.chat.ids", CHAT + "," + otherChat);
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        settings.put("camel.main.routes-reload-enabled", "false");
        settings.put("pipeline.topic.media", "chakra.messages.media");
        return settings;
    }

    private Map<String, String> settings() {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
        settings.put("pipeline.management.port", String.valueOf(managementPort));
        return settings;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static int partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    private static String config(Admin admin, String topic, String key) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                .get(key).value();
    }

    private List<String> ids(String topic) {
        return readAll(kafka.bootstrapServers(), topic).stream().map(r -> header(r, "chakra.externalId")).toList();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
