package io.github.chakrakafkapipeline.lease;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * Camel's cluster service on Kafka alone: the replicas of one pipeline (same {@code pipeline.name}) join one consumer
 * group on a one-partition lease topic, and the member that holds the partition leads. Camel's {@code master:}
 * endpoint then runs the poll on the leader only. Written here because Camel ships cluster services for Kubernetes,
 * ZooKeeper, Consul and files, none for Kafka, the one system every deployment of this pipeline already has; any of
 * Camel's own can replace it by configuration (docs/operations.md).
 */
public class KafkaLeaseService extends AbstractCamelClusterService<KafkaLeaseView> {

    private final Supplier<Map<String, Object>> kafkaConfig;
    private final String pipelineName;
    private final String topic;
    private final Duration sessionTimeout;
    private final Duration heartbeat;
    private final KafkaProblems problems;
    private final Map<String, KafkaLeaseView> views = new ConcurrentHashMap<>();

    public KafkaLeaseService(Supplier<Map<String, Object>> kafkaConfig, String pipelineName, String topic,
            Duration sessionTimeout, Duration heartbeat, KafkaProblems problems) {
        super("kafka-lease");
        this.problems = problems;
        this.kafkaConfig = kafkaConfig;
        this.pipelineName = pipelineName;
        this.topic = topic;
        this.sessionTimeout = sessionTimeout;
        this.heartbeat = heartbeat;
    }

    @Override
    protected KafkaLeaseView createView(String namespace) {
        KafkaLeaseView view = new KafkaLeaseView(this, namespace, kafkaConfig, pipelineName, topic, sessionTimeout,
                heartbeat, problems);
        views.put(namespace, view);
        return view;
    }

    /** The lease of a namespace, once a route asked for it (a master: endpoint started). */
    public Optional<KafkaLeaseView> lease(String namespace) {
        return Optional.ofNullable(views.get(namespace));
    }
}
