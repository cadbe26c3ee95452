package io.github.chakrakafkapipeline.testsupport;

import java.util.Map;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker in this JVM, from Kafka's own test kit. Used by the tests and by the offline
 * demo; it is test code and never part of the production jar.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** A broker that creates any topic a client names, the friendliest kind. */
    public static EmbeddedKafka start() {
        return start(true);
    }

    /** A broker that creates no topic by itself, as a company's cluster: only what is created on purpose exists. */
    public static EmbeddedKafka startWithoutAutoCreation() {
        return start(false);
    }

    /**
     * A broker on transaction version 1, as a cluster upgraded from Kafka 3 runs until ops finalize the feature: the
     * coordinator does not bump the producer's epoch at each transaction's end.
     */
    public static EmbeddedKafka startOnTransactionVersion1() {
        return start(true, Map.of("transaction.version", (short) 1));
    }

    private static EmbeddedKafka start(boolean autoCreateTopics) {
        return start(autoCreateTopics, Map.of());
    }

    private static EmbeddedKafka start(boolean autoCreateTopics, Map<String, Short> featureLevels) {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
                    // the features this Kafka release runs with, not the test kit's unreleased ones
                    new TestKitNodes.Builder(KafkaCluster.releasedFeatures(featureLevels))
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build())
                    .setConfigProp("auto.create.topics.enable", String.valueOf(autoCreateTopics))
                    .setConfigProp("num.partitions", "3")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // a transaction past its timeout aborted within a second, not ten: a test of that edge waits for it
                    .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
