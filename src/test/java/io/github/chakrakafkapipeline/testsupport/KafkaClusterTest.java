package io.github.chakrakafkapipeline.testsupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * KafkaCluster against its own brokers, with nothing but kafka-clients: what each setup lets a client do, and what it
 * refuses. The locked-down and the SASL clusters are each shared by the tests that use them.
 */
class KafkaClusterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static KafkaCluster threeBrokers;
    private static KafkaCluster sasl;

    @AfterAll
    static void stopClusters() {
        for (KafkaCluster cluster : new KafkaCluster[] {threeBrokers, sasl}) {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static synchronized KafkaCluster threeBrokers() {
        if (threeBrokers == null) {
            threeBrokers = KafkaCluster.builder().brokers(3).start();
        }
        return threeBrokers;
    }

    private static synchronized KafkaCluster sasl() {
        if (sasl == null) {
            sasl = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SASL_PLAINTEXT)
                    .user("alice", "alice-secret").user("bob", "bob-secret").user("carol", "carol-secret")
                    .start();
        }
        return sasl;
    }

    @Test
    void aTopicIsNotCreatedByProducingToIt() throws Exception {
        KafkaCluster kafka = threeBrokers();
        try (KafkaProducer<String, String> producer = producer(kafka.clientConfig(),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000))) {
            Exception refused = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("never-created", "k", "v")).get());
            assertTrue(refused.getCause() instanceof TimeoutException
                    || refused.getCause() instanceof UnknownTopicOrPartitionException, refused.toString());
        }
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            assertFalse(admin.listTopics().names().get().contains("never-created"));
        }
    }

    @Test
    void aNewTopicGetsThreePartitionsOfThreeReplicasTwoInSync() throws Exception {
        KafkaCluster kafka = threeBrokers();
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty()))).all().get();
            List<TopicPartitionInfo> partitions = describe(admin, "defaults").partitions();
            assertEquals(3, partitions.size());
            partitions.forEach(partition -> assertEquals(3, partition.replicas().size()));
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "defaults");
            Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertEquals("2", config.get("min.insync.replicas").value());
        }
    }

    @Test
    void acksAllWritesGoOnWhileABrokerIsLostAndItRejoinsWhenBack() throws Exception {
        KafkaCluster kafka = threeBrokers();
        assertEquals(3, kafka.bootstrapServers().split(",").length);
        kafka.createTopic("replicated", 3, 3, Map.of());
        int lost;
        try (Admin admin = Admin.create(kafka.adminConfig());
                KafkaProducer<String, String> producer = producer(kafka.clientConfig(), Map.of())) {
            writeToEachPartition(producer, "replicated", "before");
            lost = describe(admin, "replicated").partitions().get(0).leader().id();

            kafka.stopBroker(lost);
            writeToEachPartition(producer, "replicated", "while-lost");
            assertEquals(2, smallestIsr(admin, "replicated"));

            kafka.startBroker(lost);
            await("broker " + lost + " back in sync").atMost(DEADLINE)
                    .until(() -> smallestIsr(admin, "replicated") == 3);
            writeToEachPartition(producer, "replicated", "after");
        }
        try (Admin onlyTheLostOne = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServer(lost)))) {
            assertEquals(3, onlyTheLostOne.describeCluster().nodes().get().size());
        }
        assertEquals(9, TopicReader.readAll(kafka.bootstrapServers(), "replicated").size());
    }

    @Test
    void aPlainUserWritesOnlyOnceAllowed() throws Exception {
        KafkaCluster kafka = sasl();
        kafka.createTopic("plain-topic", 1, 1, Map.of());
        Map<String, Object> alice = kafka.clientConfig("PLAIN", "alice", "alice-secret");
        assertRefused(alice, "plain-topic");

        kafka.allow("User:alice", ResourceType.TOPIC, "plain-topic", AclOperation.WRITE);
        assertWrites(alice, "plain-topic");
    }

    @Test
    void aScramUserWritesOnlyOnceAllowedAndAWrongPasswordIsRefused() throws Exception {
        KafkaCluster kafka = sasl();
        kafka.createTopic("scram-topic", 1, 1, Map.of());
        Map<String, Object> bob = kafka.clientConfig("SCRAM-SHA-512", "bob", "bob-secret");
        assertRefused(bob, "scram-topic");

        kafka.allow("User:bob", ResourceType.TOPIC, "scram-topic", AclOperation.WRITE);
        assertWrites(bob, "scram-topic");

        try (Admin admin = Admin.create(kafka.clientConfig("SCRAM-SHA-512", "bob", "not-bobs"))) {
            Exception refused = assertThrows(ExecutionException.class, () -> admin.describeCluster().nodes().get());
            assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
        }
    }

    @Test
    void aTransactionalProducerNeedsAnAclOnItsTransactionalId() throws Exception {
        KafkaCluster kafka = sasl();
        kafka.createTopic("tx-topic", 1, 1, Map.of());
        kafka.allow("User:carol", ResourceType.TOPIC, "tx-topic", AclOperation.WRITE);
        Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "carol-tx");
        Map<String, Object> carol = kafka.clientConfig("SCRAM-SHA-512", "carol", "carol-secret");
        try (KafkaProducer<String, String> producer = producer(carol, transactional)) {
            assertThrows(TransactionalIdAuthorizationException.class, producer::initTransactions);
        }

        kafka.allow("User:carol", ResourceType.TRANSACTIONAL_ID, "carol-tx", AclOperation.WRITE);
        try (KafkaProducer<String, String> producer = producer(carol, transactional)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-topic", "k", "committed"));
            producer.commitTransaction();
        }
        assertEquals(List.of("committed"), readAll(kafka.adminConfig(), "tx-topic"));
    }

    @Test
    void aTlsClientTrustingTheTestsCertificateProducesAndConsumes() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SSL).start()) {
            kafka.createTopic("tls-topic", 1, 1, Map.of());
            assertWrites(kafka.clientConfig(), "tls-topic");
            assertEquals(List.of("v"), readAll(kafka.clientConfig(), "tls-topic"));

            Map<String, Object> untrusting = new HashMap<>(kafka.clientConfig());
            untrusting.remove(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
            untrusting.remove(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
            untrusting.remove(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG);
            try (Admin admin = Admin.create(untrusting)) {
                Exception refused = assertThrows(ExecutionException.class, () -> admin.describeCluster().nodes().get());
                assertInstanceOf(SslAuthenticationException.class, refused.getCause());
            }
        }
    }

    @Test
    void aClientCertificateNamesTheUserTheAuthorizerSees() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SSL).mutualTls()
                .start()) {
            kafka.createTopic("mtls-topic", 1, 1, Map.of());
            assertRefused(kafka.clientConfig(), "mtls-topic");

            kafka.allow("User:" + KafkaCluster.CLIENT, ResourceType.TOPIC, "mtls-topic", AclOperation.WRITE);
            assertWrites(kafka.clientConfig(), "mtls-topic");
        }
    }

    @Test
    void aScramUserOverTlsWithAClientCertificateProducesAndConsumes() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.builder().brokers(1).protocol(SecurityProtocol.SASL_SSL).mutualTls()
                .saslMechanism("SCRAM-SHA-256").user("dave", "dave-secret").start()) {
            kafka.createTopic("sasl-tls-topic", 1, 1, Map.of());
            kafka.allow("User:dave", ResourceType.TOPIC, "sasl-tls-topic", AclOperation.WRITE, AclOperation.READ);
            Map<String, Object> dave = kafka.clientConfig("dave", "dave-secret");
            assertWrites(dave, "sasl-tls-topic");
            assertEquals(List.of("v"), readAll(dave, "sasl-tls-topic"));
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> client, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        config.putAll(extra);
        return new KafkaProducer<>(config);
    }

    private static void assertRefused(Map<String, Object> client, String topic) {
        try (KafkaProducer<String, String> producer = producer(client, Map.of())) {
            Exception refused = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "k", "v")).get());
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
        }
    }

    private static void assertWrites(Map<String, Object> client, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = producer(client, Map.of())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
    }

    private static void writeToEachPartition(KafkaProducer<String, String> producer, String topic, String value)
            throws Exception {
        for (int partition = 0; partition < 3; partition++) {
            producer.send(new ProducerRecord<>(topic, partition, "k", value)).get();
        }
    }

    /** The values on a one-partition topic, committed ones only, read without a consumer group. */
    private static List<String> readAll(Map<String, Object> client, String topic) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), DEADLINE).get(partition);
            await("reading " + topic).atMost(DEADLINE).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }

    /**
     * A topic just created reaches each broker's metadata a moment later, and the broker the admin asks may not know it
     * yet (seen in CI: UnknownTopicOrPartitionException right after createTopics).
     */
    private static TopicDescription describe(Admin admin, String topic) {
        return await("describing " + topic).atMost(DEADLINE).pollInSameThread()
                .ignoreExceptionsMatching(e -> e.getCause() instanceof UnknownTopicOrPartitionException)
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic), d -> d != null);
    }

    private static int smallestIsr(Admin admin, String topic) throws Exception {
        return describe(admin, topic).partitions().stream().mapToInt(p -> p.isr().size()).min().orElseThrow();
    }
}
