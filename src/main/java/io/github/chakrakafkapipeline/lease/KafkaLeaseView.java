package io.github.chakrakafkapipeline.lease;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace's lease: a consumer in the group {@code <pipeline name>.<namespace>} subscribed to the one-partition
 * lease topic. Kafka's group coordinator gives the partition to one live member; this member leads while it holds it.
 * A member that dies or freezes past the session timeout loses it, and the coordinator gives it to another. The sticky
 * assignor keeps it where it is when a standby joins, so a new replica never takes over from a healthy leader.
 */
public class KafkaLeaseView extends AbstractCamelClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLeaseView.class);
    /** How long a replica refused the lease (an ACL missing) waits before it asks again. */
    private static final Duration RETRY = Duration.ofSeconds(5);

    /** Read as the view starts: a view made while Camel configures itself sees the Kafka component unconfigured. */
    private final Supplier<Map<String, Object>> kafkaConfigSource;
    private Map<String, Object> kafkaConfig;
    private final String group;
    private final String topic;
    private final Duration sessionTimeout;
    private final Duration heartbeat;
    private final Member local;
    private final KafkaProblems problems;
    private final AtomicLong leadershipChanges = new AtomicLong();
    private volatile boolean leader;
    private volatile boolean running;
    private volatile boolean steppingDown;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread polling;

    KafkaLeaseView(KafkaLeaseService service, String namespace, Supplier<Map<String, Object>> kafkaConfig, String pipelineName,
            String topic, Duration sessionTimeout, Duration heartbeat, KafkaProblems problems) {
        super(service, namespace);
        this.problems = problems;
        this.kafkaConfigSource = kafkaConfig;
        this.group = pipelineName + "." + namespace;
        this.topic = topic;
        this.sessionTimeout = sessionTimeout;
        this.heartbeat = heartbeat;
        this.local = new Member(pipelineName + "@" + hostName() + "#" + ManagementFactory.getRuntimeMXBean().getPid(), true);
    }

    @Override
    protected void doStart() throws Exception {
        kafkaConfig = kafkaConfigSource.get(); // the topic is PipelineTopics': checked and created at start-up
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, local.getId());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeat.toMillis());
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // the classic group protocol, where the client's session timeout holds: under KIP-848's consumer protocol the
        // broker owns it (group.consumer.session.timeout.ms, 45 s by default) and a failover would take that long
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CLASSIC.name().toLowerCase(Locale.ROOT));
        consumer = new KafkaConsumer<>(config);
        running = true;
        polling = new Thread(this::hold, "lease-" + getNamespace());
        polling.setDaemon(true);
        polling.start();
    }

    /**
     * Lets the lease go without waiting: the master: consumer stops its poll trigger right after this returns, and
     * leaving the group takes a round trip to Kafka, during which a poll could fire into a stopping route. The lease
     * thread leaves the group meanwhile, so the standby takes over at once.
     */
    @Override
    protected void doStop() {
        running = false;
        if (polling != null) {
            consumer.wakeup();
            polling = null;
        }
    }

    /** Stays in the group: the poll loop is what keeps the membership, and its callbacks say who leads. */
    private void hold() {
        try {
            join();
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(500)); // the lease topic holds no records; polling keeps the membership
                    problems.resolve(resource());
                } catch (AuthorizationException refused) {
                    problems.report(resource(), "Kafka refused this replica the lease (" + Failures.describe(refused)
                            + "); it cannot poll until its principal may read group " + group + " and topic " + topic
                            + ": kafka-acls.sh --bootstrap-server " + kafkaConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + " --add --allow-principal User:<the pipeline's user> --operation Read --group " + group
                            + " --topic " + topic + "; tried again every " + RETRY.toSeconds() + " s");
                    pause();
                } catch (WakeupException woken) {
                    if (running && steppingDown) {
                        steppingDown = false;
                        consumer.unsubscribe(); // leaves the group, so the lease stays with the replica that took over
                        join();
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("The lease {} on Kafka failed ({}); this replica stops leading", group, e.toString());
        } finally {
            lead(false);
            consumer.close(Duration.ofSeconds(5)); // leaves the group at once, so a standby takes over now
        }
    }

    private void join() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    lead(true);
                }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    lead(false);
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                lead(false);
            }
        });
    }

    /**
     * Stops leading at once and joins the group again: another replica took over publishing (it fenced this one's
     * transactions) while this one still held the lease as far as it knew, as after a freeze. The group gives the
     * lease back to this replica only if no other holds it.
     */
    public void stepDown() {
        lead(false);
        steppingDown = true;
        consumer.wakeup();
    }

    private synchronized void lead(boolean now) {
        if (leader == now) {
            return;
        }
        leader = now;
        leadershipChanges.incrementAndGet();
        LOG.info(now ? "This replica ({}) now leads {}: it polls ChakraHQ" : "This replica ({}) stands by for {}",
                local.getId(), getNamespace());
        fireLeadershipChangedEvent(now ? Optional.of(local) : Optional.empty());
    }

    public boolean isLeader() {
        return leader;
    }

    public long leadershipChanges() {
        return leadershipChanges.get();
    }

    /**
     * Who holds the lease, as Kafka's group coordinator says (the member's client id), or empty when nobody does;
     * asked with the caller's client, which the health check has open anyway.
     */
    public Optional<String> holder(Admin admin, Duration timeout) {
        if (leader) {
            return Optional.of(local.getId());
        }
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return description.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty())
                    .map(MemberDescription::clientId).findFirst();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Whether Kafka's group coordinator gives the lease to this replica now, asked rather than assumed: a replica frozen
     * past the session timeout still believes it leads until its next poll. False when Kafka does not answer in time.
     */
    public boolean heldHere(Duration timeout) {
        try (Admin admin = Admin.create(kafkaConfig)) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return description.members().stream().anyMatch(member -> member.clientId().equals(local.getId())
                    && !member.assignment().topicPartitions().isEmpty());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("Could not ask Kafka who holds the lease {}", group, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return leader ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        return List.of(local);
    }

    private String resource() {
        return "consumer group " + group;
    }

    /** After a refusal: the next try in a while, unless the view stops meanwhile. */
    private void pause() {
        long until = System.nanoTime() + RETRY.toNanos();
        while (running && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    /** This replica, as Camel's cluster SPI sees it. */
    private final class Member implements CamelClusterMember {
        private final String id;
        private final boolean isLocal;

        Member(String id, boolean isLocal) {
            this.id = id;
            this.isLocal = isLocal;
        }

        @Override
        public boolean isLeader() {
            return isLocal && leader;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }

        @Override
        public String getId() {
            return id;
        }
    }
}
