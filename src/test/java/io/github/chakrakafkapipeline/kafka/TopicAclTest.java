package io.github.chakrakafkapipeline.kafka;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EditedRoutes;
import io.github.chakrakafkapipeline.testsupport.KafkaCluster;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic that a rule in routes/ names and that the pipeline's principal may not write to: only the chats with a
 * message for it wait there, in order; the others are published; and once the ACL is added the rest follows, without
 * a restart. On SASL with the standard authorizer, the pipeline configured as the component options say.
 */
class TopicAclTest {

    private static final String TOKEN = "topic-acl-token-71c3e5a9b2d4f608";
    private static final String USER = "pipeline";
    private static final String PASSWORD = "pipeline-plain-secret-9d2e";
    private static final String MEDIA = "chakra.messages.media";
    private static final String CHAT = "7a0b1c2d-8888-4c35-a79c-b6fe90757fd2";
    private static final String OTHER_CHAT = "7a0b1c2d-9999-4c35-a79c-b6fe90757fd2";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @Test
    void a_topic_the_principal_may_not_write_to_holds_back_only_its_chat_until_the_acl_is_added(@TempDir Path routes)
            throws Exception {
        EditedRoutes.withMediaTopic(routes);

        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SASL_PLAINTEXT)
                .user(USER, PASSWORD).start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            String principal = "User:" + USER;
            kafka.createTopic(MEDIA, 1, 1, Map.of());
            kafka.allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.CREATE);
            for (String topic : List.of(Topics.INBOUND, Topics.OUTBOUND, Topics.DEAD_LETTER, Topics.DEDUP,
                    "chakra.pipeline.lease")) {
                kafka.allow(principal, ResourceType.TOPIC, topic, AclOperation.ALL);
            }
            kafka.allow(principal, ResourceType.TOPIC, MEDIA, AclOperation.DESCRIBE);
            kafka.allow(principal, ResourceType.GROUP, "chakra-kafka-pipeline.messages-poll", AclOperation.READ);
            kafka.allow(principal, ResourceType.TRANSACTIONAL_ID, "chakra-kafka-pipeline.publisher",
                    AclOperation.WRITE, AclOperation.DESCRIBE);
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.A3").chat(CHAT).outbound().timestamp(1762277358003L).build(),
                    message("wamid.A2").chat(CHAT).outbound().set("dataType", "image").timestamp(1762277358002L).build(),
                    message("wamid.A1").chat(CHAT).outbound().timestamp(1762277358001L).build())));
            chakra.answerChat(OTHER_CHAT, response(List.of(
                    message("wamid.B1").chat(OTHER_CHAT).outbound().timestamp(1762277358004L).build())));

            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT + "," + OTHER_CHAT, "");
            settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
            settings.put("camel.main.routes-reload-enabled", "false");
            settings.put("pipeline.topic.media", MEDIA);
            settings.put("camel.component.kafka.security-protocol", "SASL_PLAINTEXT");
            settings.put("camel.component.kafka.sasl-mechanism", "PLAIN");
            settings.put("camel.component.kafka.sasl-jaas-config", "org.apache.kafka.common.security.plain."
                    + "PlainLoginModule required username=\"" + USER + "\" password=\"" + PASSWORD + "\";");
            Map<String, Object> reader = kafka.clientConfig(USER, PASSWORD);
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(WAIT).until(() -> logs.text().contains(
                        "Kafka refused this pipeline's principal to write to topic " + MEDIA));
                await().atMost(WAIT).until(() -> ids(reader, Topics.OUTBOUND).containsAll(List.of("wamid.A1", "wamid.B1")));
                assertFalse(ids(reader, Topics.OUTBOUND).contains("wamid.A3"), "nothing of the chat overtakes the image");

                kafka.allow(principal, ResourceType.TOPIC, MEDIA, AclOperation.WRITE);
                await().atMost(WAIT).until(() -> ids(kafka.adminConfig(), MEDIA).equals(List.of("wamid.A2"))
                        && ids(reader, Topics.OUTBOUND).contains("wamid.A3"));
            }
            assertEquals(List.of("wamid.A1", "wamid.A3"), ids(reader, Topics.OUTBOUND).stream()
                    .filter(id -> id.startsWith("wamid.A")).toList(), "the chat in order, each once");
            assertEquals(1, ids(reader, Topics.OUTBOUND).stream().filter("wamid.B1"::equals).count());
            assertEquals(1, logs.lines().stream().filter(line -> line.contains(
                    "Kafka refused this pipeline's principal to write to topic " + MEDIA)).count(), "one line");
            assertFalse(logs.text().contains(PASSWORD), "no password in the log");
        }
    }

    private static List<String> ids(Map<String, Object> connection, String topic) {
        return readAll(connection, topic).stream().map(r -> header(r, "chakra.externalId")).toList();
    }
}
