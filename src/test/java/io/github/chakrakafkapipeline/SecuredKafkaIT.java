package io.github.chakrakafkapipeline;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.KafkaCluster;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * The jar on a secured cluster with the standard authorizer, configured as a container is: by Camel's own
 * CAMEL_COMPONENT_KAFKA_* environment variables alone. What the principal may not do is named in one line, with the
 * ACL to add, the service is not ready meanwhile, and it publishes once the ACL exists, without a restart. No secret
 * shows in its output or health report.
 */
class SecuredKafkaIT {

    private static final String TOKEN = "secured-token-6a5b4c3d2e1f0a9b8c7d";
    private static final String CHAT = "5ec0e1d2-5555-4c35-a79c-b6fe90757fd2";
    private static final String USER = "pipeline";
    private static final String PASSWORD = "pipeline-scram-secret-51c4";
    private static final String TRANSACTIONAL_ID = "chakra-kafka-pipeline.publisher";
    private static final String GROUP = "chakra-kafka-pipeline.messages-poll";
    private static final List<String> TOPICS = List.of(Topics.INBOUND, Topics.OUTBOUND, Topics.DEAD_LETTER,
            Topics.DEDUP, "chakra.pipeline.lease");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void over_sasl_ssl_a_missing_transactional_id_acl_is_named_and_publishing_starts_once_it_is_added() throws Exception {
        Path log = Files.createTempFile("secured-jar", ".log");
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SASL_SSL)
                .saslMechanism("SCRAM-SHA-512").user(USER, PASSWORD).start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            String principal = "User:" + USER;
            kafka.allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.CREATE);
            for (String topic : TOPICS) {
                kafka.allow(principal, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.WRITE,
                        AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
            }
            kafka.allow(principal, ResourceType.GROUP, GROUP, AclOperation.READ);
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.S1").chat(CHAT).outbound().timestamp(1762277358001L).build())));

            Map<String, String> env = new HashMap<>(environment(chakra, kafka));
            env.put("CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
            env.put("CAMEL_COMPONENT_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            env.put("CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule "
                    + "required username=\"" + USER + "\" password=\"" + PASSWORD + "\";");
            int port = RunningPipeline.freePort();
            Process pipeline = PipelineJar.start(env, port, log);
            try {
                await().atMost(WAIT).until(() -> alive(pipeline, log) && Files.readString(log).contains(
                        "Kafka refused this pipeline's principal the transactional id " + TRANSACTIONAL_ID));
                assertTrue(Files.readString(log).contains("--operation Write --operation Describe --transactional-id "
                        + TRANSACTIONAL_ID), "the line names the ACL to add");
                assertEquals(503, get(port, "/observe/health/ready").statusCode());
                String health = get(port, "/observe/health?exposureLevel=full&data=true").body();
                assertTrue(health.contains("--transactional-id " + TRANSACTIONAL_ID), health);

                kafka.allow(principal, ResourceType.TRANSACTIONAL_ID, TRANSACTIONAL_ID, AclOperation.WRITE,
                        AclOperation.DESCRIBE);
                Map<String, Object> reader = kafka.clientConfig(USER, PASSWORD);
                await().atMost(WAIT).until(() -> alive(pipeline, log) && readAll(reader, Topics.OUTBOUND).stream()
                        .map(r -> header(r, "chakra.externalId")).toList().equals(List.of("wamid.S1")));
                await().atMost(WAIT).until(() -> get(port, "/observe/health/ready").statusCode() == 200);
                assertEquals(1, count(Files.readString(log), "Kafka refused this pipeline's principal the transactional"),
                        "one line, not one a poll");
                assertTrue(count(Files.readString(log), "stopped publishing this response") <= 1, "no poll reads while "
                        + "Kafka refuses the producer (but one that started before the refusal was known)");
                assertNoSecret(Files.readString(log) + get(port, "/observe/health?exposureLevel=full&data=true").body()
                        + get(port, "/observe/metrics").body(), kafka);
            } finally {
                pipeline.destroy();
                pipeline.waitFor();
            }
        }
    }

    @Test
    void over_mutual_tls_with_a_certificate_made_here_it_publishes() throws Exception {
        Path log = Files.createTempFile("tls-jar", ".log");
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SSL).mutualTls().start();
                ChakraStub chakra = new ChakraStub(TOKEN)) {
            String principal = "User:" + KafkaCluster.CLIENT;
            kafka.allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.CREATE);
            for (String topic : TOPICS) {
                kafka.allow(principal, ResourceType.TOPIC, topic, AclOperation.ALL);
            }
            kafka.allow(principal, ResourceType.GROUP, GROUP, AclOperation.READ);
            kafka.allow(principal, ResourceType.TRANSACTIONAL_ID, TRANSACTIONAL_ID, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.T1").chat(CHAT).inbound().timestamp(1762277358001L).build())));

            Map<String, String> env = new HashMap<>(environment(chakra, kafka));
            env.put("CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL", "SSL");
            env.put("CAMEL_COMPONENT_KAFKA_SSL_KEYSTORE_LOCATION", kafka.clientKeystore().toString());
            env.put("CAMEL_COMPONENT_KAFKA_SSL_KEYSTORE_PASSWORD", kafka.clientKeystorePassword());
            env.put("CAMEL_COMPONENT_KAFKA_SSL_KEY_PASSWORD", kafka.clientKeystorePassword());
            env.put("CAMEL_COMPONENT_KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
            int port = RunningPipeline.freePort();
            Process pipeline = PipelineJar.start(env, port, log);
            try {
                Map<String, Object> reader = kafka.clientConfig();
                await().atMost(WAIT).until(() -> alive(pipeline, log) && readAll(reader, Topics.INBOUND).stream()
                        .map(r -> header(r, "chakra.externalId")).toList().equals(List.of("wamid.T1")));
                await().atMost(WAIT).until(() -> get(port, "/observe/health/ready").statusCode() == 200);
                assertNoSecret(Files.readString(log) + get(port, "/observe/health?exposureLevel=full&data=true").body(),
                        kafka);
            } finally {
                pipeline.destroy();
                pipeline.waitFor();
            }
        }
    }

    /** The settings every container gets: the token, the brokers, the chat, and the truststore of the test's CA. */
    private static Map<String, String> environment(ChakraStub chakra, KafkaCluster kafka) {
        return Map.of(
                "CHAKRA_API_BASE_URL", chakra.baseUrl(),
                "CHAKRA_API_TOKEN", TOKEN,
                "CHAKRA_CHAT_IDS", CHAT,
                "PIPELINE_POLL_CRON", "0/1 * * * * ?",
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "CAMEL_COMPONENT_KAFKA_SSL_TRUSTSTORE_LOCATION", kafka.truststore().toString(),
                "CAMEL_COMPONENT_KAFKA_SSL_TRUSTSTORE_PASSWORD", kafka.truststorePassword(),
                "CAMEL_COMPONENT_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    }

    private static void assertNoSecret(String output, KafkaCluster kafka) {
        for (String secret : new String[] {TOKEN, PASSWORD, kafka.truststorePassword()}) {
            assertFalse(output.contains(secret), "a secret in the output: " + secret.substring(0, 4) + "...");
        }
        if (kafka.clientKeystore() != null) {
            assertFalse(output.contains(kafka.clientKeystorePassword()), "the keystore password in the output");
        }
    }

    private static long count(String text, String line) {
        return text.lines().filter(l -> l.contains(line)).count();
    }

    private static boolean alive(Process process, Path log) throws Exception {
        if (!process.isAlive()) {
            throw new AssertionError("the pipeline exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return true;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
