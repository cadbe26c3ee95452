package io.github.chakrakafkapipeline.testsupport;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Real KRaft brokers in this JVM set up as the Kafka that companies run rather than as a laptop's: no topic made by a
 * client's mistake (auto creation off), three replicas and min.insync.replicas 2 (on three brokers), the released
 * feature levels only, and, if asked, SASL and/or TLS on the clients' listener with the standard authorizer denying
 * whatever no ACL allows. One broker can be stopped and started again, on its port and with its data, as a broker
 * lost and back, while the others go on serving.
 * <pre>
 * try (KafkaCluster kafka = KafkaCluster.builder().protocol(SecurityProtocol.SASL_SSL)
 *         .saslMechanism("SCRAM-SHA-512").user("app", "app-secret").start()) {
 *     kafka.createTopic("orders", 3, 3, Map.of());
 *     kafka.allow("User:app", ResourceType.TOPIC, "orders", AclOperation.WRITE);
 *     ... new KafkaProducer&lt;&gt;(kafka.clientConfig("app", "app-secret"), ...)
 * </pre>
 * Kafka's own test kit, as {@link EmbeddedKafka}, with a controller node beside the brokers, so that stopping a
 * broker never stops the quorum. The brokers talk to each other and to the controller on listeners of their own
 * (SASL_PLAINTEXT, PLAIN, as the super user {@code broker}); clients see one listener, of the protocol chosen. The
 * authorizer is on when clients have names to authorize (SASL, or TLS with client certificates); on PLAINTEXT and
 * one-way TLS every client is {@code User:ANONYMOUS}, and such a cluster runs without one.
 */
public final class KafkaCluster implements AutoCloseable {

    /**
     * The test's super user: on a SASL listener it signs in with {@link #ADMIN_PASSWORD}, under mutual TLS with its
     * certificate (CN=admin). Without either there is no authorizer, and every client may do everything.
     */
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-secret";
    /** The CN of the client certificate under mutual TLS, and so its user name: {@code User:client}. */
    public static final String CLIENT = "client";

    private static final String BROKER = "broker";
    private static final String BROKER_PASSWORD = "broker-secret";
    /** The clients' listener: the test kit's broker listener, whose port it keeps across a broker's restart. */
    private static final String CLIENTS = TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME;
    private static final String INTERNAL = "INTERNAL";
    private static final String CONTROLLER = TestKitDefaults.DEFAULT_CONTROLLER_LISTENER_NAME;
    private static final List<String> SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private final TestCertificates certificates;
    private final KafkaClusterTestKit cluster;
    /** Each broker's address for clients, by id: the test kit binds a restarted broker to its old port. */
    private final Map<Integer, String> addresses;
    private final String bootstrapServers;
    private Admin admin;

    private KafkaCluster(Builder settings, TestCertificates certificates, KafkaClusterTestKit cluster) {
        this.settings = settings;
        this.certificates = certificates;
        this.cluster = cluster;
        this.addresses = new TreeMap<>();
        cluster.brokers().forEach((id, broker) ->
                addresses.put(id, "localhost:" + broker.boundPort(new ListenerName(CLIENTS))));
        this.bootstrapServers = String.join(",", addresses.values());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What cluster to start: three PLAINTEXT brokers unless told otherwise. */
    public static final class Builder {

        private int brokers = 3;
        private SecurityProtocol protocol = SecurityProtocol.PLAINTEXT;
        private String saslMechanism = "PLAIN";
        private boolean mutualTls;
        private final Map<String, String> users = new LinkedHashMap<>();
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** How many brokers besides the controller; replicas default to min(3, brokers), min ISR to min(2, brokers). */
        public Builder brokers(int brokers) {
            this.brokers = brokers;
            return this;
        }

        /** The protocol of the clients' listener. */
        public Builder protocol(SecurityProtocol protocol) {
            this.protocol = protocol;
            return this;
        }

        /** The SASL mechanism {@link #clientConfig(String, String)} uses; the brokers take PLAIN and both SCRAMs. */
        public Builder saslMechanism(String saslMechanism) {
            this.saslMechanism = saslMechanism;
            return this;
        }

        /** TLS clients must show a certificate ({@code ssl.client.auth=required}): see {@link #clientKeystore()}. */
        public Builder mutualTls() {
            this.mutualTls = true;
            return this;
        }

        /** A SASL user: in the brokers' PLAIN configuration, and given SCRAM-SHA-256 and -512 credentials at start. */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /** Any broker or controller setting, over this class's own. */
        public Builder config(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Starts the cluster and waits until every broker serves, and every SASL user can sign in with SCRAM. */
        public KafkaCluster start() {
            if (protocol.name.startsWith("SASL") && !SASL_MECHANISMS.contains(saslMechanism)) {
                throw new IllegalArgumentException("Not one of " + SASL_MECHANISMS + ": " + saslMechanism);
            }
            if (mutualTls && !usesTls()) {
                throw new IllegalArgumentException("Mutual TLS on a " + protocol + " listener");
            }
            TestCertificates certificates = usesTls()
                    ? TestCertificates.create(mutualTls ? List.of(ADMIN, CLIENT) : List.of())
                    : null;
            KafkaCluster kafka = null;
            try {
                kafka = new KafkaCluster(this, certificates, startNodes(this, certificates));
                kafka.createScramUsers();
                return kafka;
            } catch (Exception e) {
                if (kafka != null) {
                    kafka.close();
                } else if (certificates != null) {
                    certificates.delete();
                }
                throw new IllegalStateException("Could not start the Kafka cluster", e);
            }
        }

        private boolean usesSasl() {
            return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        }

        private boolean usesTls() {
            return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        }

        /** Whether clients have names the authorizer can tell apart. */
        private boolean authorizes() {
            return usesSasl() || (usesTls() && mutualTls);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The clients' address of one broker, the same after a restart. */
    public String bootstrapServer(int brokerId) {
        broker(brokerId);
        return addresses.get(brokerId);
    }

    /** The ids of the brokers, running or stopped, lowest first. */
    public List<Integer> brokerIds() {
        return List.copyOf(addresses.keySet());
    }

    /**
     * Settings for a client of SASL user {@code user}, with the mechanism of {@link Builder#saslMechanism}, the
     * truststore on TLS and the client certificate under mutual TLS.
     */
    public Map<String, Object> clientConfig(String user, String password) {
        return clientConfig(settings.saslMechanism, user, password);
    }

    /** As {@link #clientConfig(String, String)}, with another of the brokers' SASL mechanisms. */
    public Map<String, Object> clientConfig(String saslMechanism, String user, String password) {
        if (!settings.usesSasl()) {
            throw new IllegalStateException("The clients' listener is " + settings.protocol + ", not SASL");
        }
        return config(saslMechanism, user, password, clientKeystore());
    }

    /**
     * Settings for a client on a listener without SASL: PLAINTEXT, or TLS with the truststore, and under mutual TLS the
     * client certificate ({@code User:client}).
     */
    public Map<String, Object> clientConfig() {
        if (settings.usesSasl()) {
            throw new IllegalStateException("The clients' listener is " + settings.protocol + ": name a SASL user");
        }
        return config(null, null, null, clientKeystore());
    }

    /** Settings for a client of the super user {@link #ADMIN}. */
    public Map<String, Object> adminConfig() {
        if (settings.usesSasl()) {
            return clientConfig(ADMIN, ADMIN_PASSWORD);
        }
        return config(null, null, null, settings.mutualTls ? certificates.keystore(ADMIN) : null);
    }

    /** The truststore (PKCS12) that trusts the brokers' certificate; null without TLS. */
    public Path truststore() {
        return certificates == null ? null : certificates.truststore();
    }

    public String truststorePassword() {
        return TestCertificates.PASSWORD;
    }

    /** The keystore (PKCS12) of the client certificate, CN={@link #CLIENT}; null but under mutual TLS. */
    public Path clientKeystore() {
        return settings.mutualTls ? certificates.keystore(CLIENT) : null;
    }

    /** The password of the client keystore and of its key. */
    public String clientKeystorePassword() {
        return TestCertificates.PASSWORD;
    }

    /**
     * Lets {@code principal} (as {@code User:alice}) do {@code operations} on the resource named {@code name} (literal;
     * {@code *} for all), and waits until every running broker's authorizer knows it.
     */
    public void allow(String principal, ResourceType type, String name, AclOperation... operations) {
        if (!settings.authorizes()) {
            throw new IllegalStateException("No authorizer on a " + settings.protocol + " cluster");
        }
        List<AclBinding> bindings = Arrays.stream(operations)
                .map(operation -> new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)))
                .toList();
        get(admin().createAcls(bindings).all());
        await("ACLs " + bindings + " on every broker").atMost(TIMEOUT)
                .until(() -> brokersRunning().allMatch(broker -> knows(broker, bindings)));
    }

    /** Creates a topic, and waits until every running broker knows a leader of each of its partitions. */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        NewTopic topic = new NewTopic(name, partitions, (short) replicationFactor).configs(configs);
        get(admin().createTopics(List.of(topic)).all());
        ListenerName listener = new ListenerName(CLIENTS);
        await("leaders of " + name + " on every broker").atMost(TIMEOUT)
                .until(() -> brokersRunning().allMatch(broker -> IntStream.range(0, partitions).allMatch(partition ->
                        broker.metadataCache().getPartitionLeaderEndpoint(name, partition, listener).isPresent())));
    }

    /**
     * Stops a broker cleanly (controlled shutdown: its partitions' leadership moves to the others), its data kept;
     * clients now get "connection refused" on its port. Returns when every other broker sees it gone.
     */
    public void stopBroker(int id) {
        BrokerServer broker = broker(id);
        broker.shutdown();
        broker.awaitShutdown();
        await("broker " + id + " gone for the others").atMost(TIMEOUT)
                .until(() -> brokersRunning().noneMatch(other -> other.metadataCache().hasAliveBroker(id)));
    }

    /** Starts a stopped broker again, on the same port with the same data, until every running broker sees it. */
    public void startBroker(int id) {
        broker(id).startup();
        await("broker " + id + " back for all").atMost(TIMEOUT)
                .until(() -> brokersRunning().allMatch(broker -> broker.metadataCache().hasAliveBroker(id)));
    }

    @Override
    public void close() {
        try {
            if (admin != null) {
                admin.close();
            }
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the Kafka cluster cleanly", e);
        } finally {
            if (certificates != null) {
                certificates.delete();
            }
        }
    }

    private static KafkaClusterTestKit startNodes(Builder settings, TestCertificates certificates) throws Exception {
        Map<Integer, Map<String, String>> perNode = new HashMap<>();
        for (int i = 0; i < settings.brokers; i++) {
            perNode.put(TestKitDefaults.BROKER_ID_OFFSET + i, brokerConfig());
        }
        int controllerId = TestKitDefaults.BROKER_ID_OFFSET + TestKitDefaults.CONTROLLER_ID_OFFSET;
        perNode.put(controllerId, controllerConfig(settings));
        TestKitNodes nodes = new TestKitNodes.Builder(releasedFeatures())
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(settings.brokers)
                .setPerServerProperties(perNode)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        serverConfig(settings, certificates).forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** The metadata version and feature levels of this Kafka release, not the test kit's unreleased ones. */
    static BootstrapMetadata releasedFeatures() {
        return releasedFeatures(Map.of());
    }

    /** The same, with some feature levels set otherwise (a cluster upgraded from Kafka 3 keeps some lower). */
    static BootstrapMetadata releasedFeatures(Map<String, Short> levels) {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                .collect(Collectors.toMap(Feature::featureName, feature -> feature.defaultLevel(version),
                        (a, b) -> a, TreeMap::new));
        features.putAll(levels);
        return BootstrapMetadata.fromVersions(version, features, "kafka-cluster");
    }

    /** The listeners of a broker: the clients' one, on the port the test kit keeps for it, and the brokers' own. */
    private static Map<String, String> brokerConfig() {
        return Map.of("listeners", CLIENTS + "://localhost:0," + INTERNAL + "://localhost:0");
    }

    /** In KRaft the controller gives a new topic its defaults; a broker's say is ignored (and warned of) in 4.x. */
    private static Map<String, String> controllerConfig(Builder settings) {
        return Map.of(
                "num.partitions", "3",
                "default.replication.factor", String.valueOf(Math.min(3, settings.brokers)));
    }

    private static Map<String, String> serverConfig(Builder settings, TestCertificates certificates) {
        Map<String, String> config = new LinkedHashMap<>();
        config.putAll(topicConfig(settings));
        config.putAll(heartbeatConfig());
        config.putAll(listenerConfig(settings));
        if (settings.usesSasl()) {
            config.putAll(saslConfig(settings));
        }
        if (certificates != null) {
            config.putAll(tlsConfig(settings, certificates));
        }
        if (settings.authorizes()) {
            config.putAll(authorizerConfig());
        }
        config.putAll(settings.overrides);
        return config;
    }

    private static Map<String, String> topicConfig(Builder settings) {
        String replicas = String.valueOf(Math.min(3, settings.brokers));
        String minInSync = String.valueOf(Math.min(2, settings.brokers));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("auto.create.topics.enable", "false");
        config.put("min.insync.replicas", minInSync);
        config.put("offsets.topic.replication.factor", replicas);
        config.put("transaction.state.log.replication.factor", replicas);
        config.put("transaction.state.log.min.isr", minInSync);
        config.put("group.initial.rebalance.delay.ms", "0");
        // as a production broker: the test kit would turn on the unreleased API and feature versions
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        return config;
    }

    /**
     * Heartbeats every 0.5 s and a session of 4 s (the defaults are 2 s and 9 s): the controller takes a restarted
     * broker's new registration only once the old one's session has run out, even after a clean shutdown, and a clean
     * shutdown waits for a heartbeat. A broker stopped and started again so serves again in about 5 s rather than 11.
     */
    private static Map<String, String> heartbeatConfig() {
        return Map.of(
                "broker.heartbeat.interval.ms", "500",
                "broker.session.timeout.ms", "4000");
    }

    /** The brokers among themselves and with the controller: SASL_PLAINTEXT, PLAIN, as the super user "broker". */
    private static Map<String, String> listenerConfig(Builder settings) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listener.security.protocol.map", CLIENTS + ":" + settings.protocol.name + ","
                + INTERNAL + ":SASL_PLAINTEXT," + CONTROLLER + ":SASL_PLAINTEXT");
        config.put("inter.broker.listener.name", INTERNAL);
        config.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        for (String listener : List.of(INTERNAL, CONTROLLER)) {
            String prefix = listenerPrefix(listener);
            config.put(prefix + "sasl.enabled.mechanisms", "PLAIN");
            config.put(prefix + "plain.sasl.jaas.config",
                    plainLogin(BROKER, BROKER_PASSWORD, Map.of(BROKER, BROKER_PASSWORD)));
        }
        return config;
    }

    /** The clients' SASL: PLAIN users in the JAAS configuration, SCRAM users in the metadata (made at start). */
    private static Map<String, String> saslConfig(Builder settings) {
        Map<String, String> users = new LinkedHashMap<>(settings.users);
        users.put(ADMIN, ADMIN_PASSWORD);
        String prefix = listenerPrefix(CLIENTS);
        Map<String, String> config = new LinkedHashMap<>();
        config.put(prefix + "sasl.enabled.mechanisms", String.join(",", SASL_MECHANISMS));
        config.put(prefix + "plain.sasl.jaas.config", plainLogin(null, null, users));
        for (String scram : List.of("scram-sha-256", "scram-sha-512")) {
            config.put(prefix + scram + ".sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        return config;
    }

    private static Map<String, String> tlsConfig(Builder settings, TestCertificates certificates) {
        String prefix = listenerPrefix(CLIENTS);
        Map<String, String> config = new LinkedHashMap<>();
        config.put(prefix + "ssl.keystore.type", "PKCS12");
        config.put(prefix + "ssl.keystore.location", certificates.serverKeystore().toString());
        config.put(prefix + "ssl.keystore.password", TestCertificates.PASSWORD);
        config.put(prefix + "ssl.key.password", TestCertificates.PASSWORD);
        if (settings.mutualTls) {
            config.put(prefix + "ssl.truststore.type", "PKCS12");
            config.put(prefix + "ssl.truststore.location", certificates.truststore().toString());
            config.put(prefix + "ssl.truststore.password", TestCertificates.PASSWORD);
            config.put(prefix + "ssl.client.auth", "required");
            // a certificate's user is its CN (User:client), not its whole DN (User:CN=client)
            config.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
        }
        return config;
    }

    private static Map<String, String> authorizerConfig() {
        return Map.of(
                "authorizer.class.name", StandardAuthorizer.class.getName(),
                StandardAuthorizer.ALLOW_EVERYONE_IF_NO_ACL_IS_FOUND_CONFIG, "false",
                StandardAuthorizer.SUPER_USERS_CONFIG, "User:" + BROKER + ";User:" + ADMIN);
    }

    private static String listenerPrefix(String listener) {
        return new ListenerName(listener).configPrefix();
    }

    /** A PLAIN login: the node's own user and password (if it signs in as a client too), and the users it takes. */
    private static String plainLogin(String user, String password, Map<String, String> users) {
        StringBuilder login = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        if (user != null) {
            login.append(" username=\"").append(user).append("\" password=\"").append(password).append('"');
        }
        users.forEach((name, secret) -> login.append(" user_").append(name).append("=\"").append(secret).append('"'));
        return login.append(';').toString();
    }

    private Map<String, Object> config(String saslMechanism, String user, String password, Path keystore) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, settings.protocol.name);
        if (saslMechanism != null) {
            config.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
            String module = saslMechanism.equals("PLAIN")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            config.put(SaslConfigs.SASL_JAAS_CONFIG,
                    module + " required username=\"" + user + "\" password=\"" + password + "\";");
        }
        if (certificates != null) {
            config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificates.truststore().toString());
            config.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        if (keystore != null) {
            config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            config.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore.toString());
            config.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
            config.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        return config;
    }

    /**
     * SCRAM credentials for every SASL user, set by the admin signed in with PLAIN (which needs none): a request per
     * mechanism, as one request may touch a user only once.
     */
    private void createScramUsers() {
        if (!settings.usesSasl()) {
            return;
        }
        Map<String, String> users = new LinkedHashMap<>(settings.users);
        users.put(ADMIN, ADMIN_PASSWORD);
        try (Admin bootstrap = Admin.create(config("PLAIN", ADMIN, ADMIN_PASSWORD, clientKeystore()))) {
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> credentials = users.entrySet().stream()
                        .<UserScramCredentialAlteration>map(user -> new UserScramCredentialUpsertion(user.getKey(),
                                new ScramCredentialInfo(mechanism, 4096), user.getValue()))
                        .toList();
                get(bootstrap.alterUserScramCredentials(credentials).all());
            }
        }
        await("SCRAM users on every broker").atMost(TIMEOUT)
                .until(() -> brokersRunning().allMatch(broker -> users.keySet().stream().allMatch(user ->
                        Stream.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512).allMatch(mechanism ->
                                broker.credentialProvider().credentialCache
                                        .cache(mechanism.mechanismName(), ScramCredential.class).get(user) != null))));
    }

    private static boolean knows(BrokerServer broker, List<AclBinding> bindings) {
        Authorizer authorizer = broker.authorizerPlugin().get().get();
        return bindings.stream().allMatch(binding -> authorizer.acls(binding.toFilter()).iterator().hasNext());
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig());
        }
        return admin;
    }

    private Stream<BrokerServer> brokers() {
        return new TreeMap<>(cluster.brokers()).values().stream();
    }

    private Stream<BrokerServer> brokersRunning() {
        return brokers().filter(broker -> !broker.isShutdown());
    }

    private BrokerServer broker(int id) {
        BrokerServer broker = cluster.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException("No broker " + id + " in " + brokerIds());
        }
        return broker;
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The admin request failed", e);
        }
    }
}
