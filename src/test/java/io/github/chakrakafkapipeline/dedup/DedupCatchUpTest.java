package io.github.chakrakafkapipeline.dedup;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.testsupport.RestartableKafka;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new leader's catch-up cannot read the dedup topic to its end (Kafka does not answer in time). Exactly once, the
 * poll must not start: the replica before may have committed messages in its last moments that the state does not hold
 * yet, and they would be published again. At least once, polling goes on (duplicates are allowed, a stopped pipeline
 * is not). Once Kafka answers, the exactly-once poll opens.
 */
class DedupCatchUpTest {

    private static final String TOPIC = "catch-up.published-ids";

    @ParameterizedTest(name = "exactly once: {0}")
    @ValueSource(booleans = {true, false})
    void a_catch_up_that_cannot_read_to_the_end_opens_the_poll_only_at_least_once(boolean exactlyOnce)
            throws Exception {
        try (RestartableKafka kafka = RestartableKafka.start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            DedupState state = new DedupState(TOPIC,
                    () -> Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Duration.ofSeconds(30), exactlyOnce, 50, Duration.ofMinutes(10), Duration.ZERO);
            state.start();
            try {
                state.load();
                // as the transactional producer opens on taking the lease: the state is current only once a
                // catch-up read the topic to the end the replica before left
                state.writeAlone(true);
                kafka.stop();
                assertEquals(!exactlyOnce, state.catchUp(), exactlyOnce
                        ? "exactly once, no poll while the state may lack the last commits of the replica before"
                        : "at least once, the polls go on while Kafka does not answer");
                kafka.restart();
                await("the catch-up once Kafka answers").atMost(Duration.ofSeconds(60)).until(state::catchUp);
            } finally {
                state.stop();
            }
        }
    }
}
