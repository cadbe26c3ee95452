package io.github.chakrakafkapipeline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the pipeline writes to (messages, dead letters, its state, its lease), checked against the cluster:
 * a cluster that companies run creates no topic by itself and may refuse to create one. Missing topics are created when
 * {@code pipeline.topics.create} allows it; a topic still missing, refused, or (a state topic) not compacted is a
 * {@link KafkaProblems problem}: one line naming it and the command that mends it, and the pipeline is not ready.
 */
public class PipelineTopics {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineTopics.class);
    /** Closing an admin client does not wait for a call that timed out. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
    /**
     * How long a publish that failed waits to learn whether its topics exist: while every broker is gone the answer
     * is the same timeout, and the responses then fail fast anyway (FailFast).
     */
    private static final Duration RUN_TIME_WAIT = Duration.ofSeconds(2);
    /** State topics roll segments hourly (Kafka: weekly): compaction reaches all but the last hour of rewrites. */
    private static final String STATE_SEGMENT_MS = "3600000";

    /** A topic of the pipeline: its name, what it is for, whether it is a compacted state topic of one partition. */
    public record Topic(String name, String role, boolean state, boolean onePartition) {
    }

    private final Supplier<Map<String, Object>> kafkaConfig;
    private final List<Topic> topics;
    private final boolean create;
    private final Optional<Integer> partitions;
    private final Optional<Short> replicationFactor;
    private final KafkaProblems problems;
    private final Duration timeout;
    private final Set<String> warnedReplication = new TreeSet<>();
    /** Topics a publish found missing after start-up, looked at again before each poll. */
    private final Set<String> missingAtRunTime = ConcurrentHashMap.newKeySet();

    public PipelineTopics(Supplier<Map<String, Object>> kafkaConfig, List<Topic> topics, boolean create,
            Optional<Integer> partitions, Optional<Short> replicationFactor, KafkaProblems problems, Duration timeout) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.create = create;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.problems = problems;
        this.timeout = timeout;
    }

    /**
     * Checks every topic, creating the missing ones when allowed; true when all of them can be used. Problems are
     * reported, and resolved once a later check finds them mended.
     */
    public boolean check() {
        Admin admin = Admin.create(kafkaConfig.get());
        try {
            Map<String, Topic> byName = new LinkedHashMap<>();
            topics.forEach(topic -> byName.put(topic.name(), topic));
            Map<String, Optional<TopicDescription>> found = describe(admin, byName.keySet(), timeout);
            List<Topic> missing = new ArrayList<>();
            for (Topic topic : topics) {
                if (found.get(topic.name()).isEmpty()) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty() && create) {
                created(admin, missing);
                found.putAll(describe(admin, missing.stream().map(Topic::name).toList(), timeout));
            }
            boolean usable = true;
            int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            for (Topic topic : topics) {
                Optional<TopicDescription> description = found.get(topic.name());
                if (description.isEmpty()) {
                    usable = false;
                    if (!problems.has(resource(topic.name()))) {
                        problems.report(resource(topic.name()), "The " + topic.role() + " topic " + topic.name()
                                + " does not exist on Kafka" + (create ? "" : " and PIPELINE_TOPICS_CREATE is false")
                                + "; nothing is published until it exists: " + createCommand(topic));
                    }
                } else if (topic.state() && !compacted(admin, topic)) {
                    usable = false;
                } else {
                    problems.resolve(resource(topic.name()));
                    warnIfUnreplicated(topic, description.get(), brokers);
                }
            }
            problems.resolve("Kafka");
            return usable;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            problems.report("Kafka", "Could not check the pipeline's topics on Kafka at " + servers() + " ("
                    + Failures.describe(e) + "); check KAFKA_BOOTSTRAP_SERVERS and the security settings "
                    + "(CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL, ..._SASL_*, ..._SSL_*); checked again shortly");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            admin.close(CLOSE_WAIT);
        }
    }

    /**
     * At run time: which of these topics do not exist, as Kafka says (none when Kafka does not answer). Each is
     * reported, and resolved by {@link #recheck} once it exists: a topic deleted, or named by a rule in routes/ that
     * nobody created. The pipeline creates no topic at run time: a state topic created anew would be empty.
     */
    public Set<String> missing(Collection<String> names) {
        Set<String> missing = new TreeSet<>();
        describeOrNothing(names).forEach((name, description) -> {
            if (description.isEmpty()) {
                missing.add(name);
                missingAtRunTime.add(name);
                problems.report(resource(name), "Topic " + name + " does not exist on Kafka; the messages for it are "
                        + "not published (nor marked published) and are read again until it exists: "
                        + createCommand(name, partitions, false));
            }
        });
        return missing;
    }

    /** Whether a topic was found missing at run time: sending to it would wait for max.block.ms, then fail. */
    public boolean knownMissing(String topic) {
        return missingAtRunTime.contains(topic);
    }

    /** Looks again at the topics found missing at run time; resolves those that exist now. */
    public void recheck() {
        if (missingAtRunTime.isEmpty()) {
            return;
        }
        describeOrNothing(List.copyOf(missingAtRunTime)).forEach((name, description) -> {
            if (description.isPresent()) {
                missingAtRunTime.remove(name);
                problems.resolve(resource(name));
            }
        });
    }

    /** The topics as Kafka describes them now, within {@link #RUN_TIME_WAIT}; none when it does not answer. */
    private Map<String, Optional<TopicDescription>> describeOrNothing(Collection<String> names) {
        Admin admin = Admin.create(kafkaConfig.get());
        try {
            return describe(admin, names, RUN_TIME_WAIT);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.debug("Could not ask Kafka which topics exist", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            admin.close(CLOSE_WAIT);
        }
        return Map.of();
    }

    private Map<String, Optional<TopicDescription>> describe(Admin admin, Collection<String> names, Duration wait)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Map<String, Optional<TopicDescription>> found = new LinkedHashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : admin.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs((int) wait.toMillis())).topicNameValues().entrySet()) {
            try {
                found.put(entry.getKey(), Optional.of(entry.getValue().get(wait.toMillis(), TimeUnit.MILLISECONDS)));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    found.put(entry.getKey(), Optional.empty());
                } else if (e.getCause() instanceof AuthorizationException) {
                    // Kafka answers "not authorized" for a topic that does not exist too, when Describe is not granted
                    problems.report(resource(entry.getKey()), "Kafka refused this pipeline's principal access to topic "
                            + entry.getKey() + " (" + Failures.describe(e.getCause()) + "); add the ACLs, e.g. "
                            + aclCommand("--operation Describe --operation Write --topic " + entry.getKey()));
                    found.put(entry.getKey(), Optional.empty());
                } else {
                    throw e;
                }
            }
        }
        return found;
    }

    private void created(Admin admin, List<Topic> missing) throws InterruptedException {
        List<NewTopic> requests = missing.stream().map(this::newTopic).toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(requests).values();
        for (Topic topic : missing) {
            try {
                results.get(topic.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created the {} topic {}{}", topic.role(), topic.name(),
                        topic.state() ? " (compacted, one partition)" : "");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    problems.report(resource(topic.name()), "Kafka refused to create the " + topic.role() + " topic "
                            + topic.name() + " (" + Failures.describe(e.getCause()) + "); create it: "
                            + createCommand(topic) + (e.getCause() instanceof AuthorizationException
                            ? ", or allow this pipeline's principal to: " + aclCommand("--operation Create --cluster")
                            : ", or check PIPELINE_TOPICS_PARTITIONS and PIPELINE_TOPICS_REPLICATION_FACTOR"));
                }
            } catch (java.util.concurrent.TimeoutException e) {
                problems.report(resource(topic.name()), "Kafka did not create the " + topic.role() + " topic "
                        + topic.name() + " within " + timeout.toMillis() + " ms; create it: " + createCommand(topic));
            }
        }
    }

    /** A state topic must keep each key's last record: with cleanup.policy=delete the pipeline would forget. */
    private boolean compacted(Admin admin, Topic topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        String policy;
        try {
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            // a principal without DescribeConfigs: the pipeline cannot tell, and does not refuse what it cannot see
            LOG.debug("Could not read the configuration of topic {}", topic.name(), e);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (policy != null && policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            problems.report(resource(topic.name()), "The " + topic.role() + " topic " + topic.name() + " has "
                    + "cleanup.policy=" + policy + ": Kafka would delete its records and the pipeline would forget "
                    + "what they record; refusing to use it. Set it to compact: kafka-configs.sh --bootstrap-server "
                    + servers() + " --alter --entity-type topics --entity-name " + topic.name()
                    + " --add-config cleanup.policy=compact");
            return false;
        }
        return true;
    }

    private void warnIfUnreplicated(Topic topic, TopicDescription description, int brokers) {
        int replicas = description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
        if (replicas == 1 && brokers > 1 && warnedReplication.add(topic.name())) {
            LOG.warn("The {} topic {} has replication factor 1 on a cluster of {} brokers: it is lost with its broker. "
                    + "Give it more replicas (kafka-reassign-partitions.sh), or create it anew with "
                    + "PIPELINE_TOPICS_REPLICATION_FACTOR", topic.role(), topic.name(), brokers);
        }
    }

    private NewTopic newTopic(Topic topic) {
        NewTopic request = new NewTopic(topic.name(), topic.onePartition() ? Optional.of(1) : partitions,
                replicationFactor);
        return topic.state()
                ? request.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.SEGMENT_MS_CONFIG, STATE_SEGMENT_MS))
                : request;
    }

    private String createCommand(Topic topic) {
        return createCommand(topic.name(), topic.onePartition() ? Optional.of(1) : partitions, topic.state());
    }

    private String createCommand(String topic, Optional<Integer> partitionCount, boolean compacted) {
        return "kafka-topics.sh --bootstrap-server " + servers() + " --create --topic " + topic
                + partitionCount.map(p -> " --partitions " + p).orElse("")
                + replicationFactor.map(rf -> " --replication-factor " + rf).orElse("")
                + (compacted ? " --config cleanup.policy=compact --config segment.ms=" + STATE_SEGMENT_MS : "");
    }

    private String aclCommand(String what) {
        return "kafka-acls.sh --bootstrap-server " + servers() + " --add --allow-principal User:<the pipeline's user> "
                + what;
    }

    private Object servers() {
        return kafkaConfig.get().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    static String resource(String topic) {
        return "topic " + topic;
    }
}
