package io.github.chakrakafkapipeline.ops;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.chakra.CallNotifier;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.lease.KafkaLeaseView;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Ready only when Kafka answers, nothing on the Kafka side keeps the pipeline from publishing (a topic or an ACL
 * missing: {@link KafkaProblems}), the dedup state is loaded and follows its topic, and ChakraHQ did not reject the token on the last call of
 * either operation. Camel's own route checks add a route that is not running. The reason is in the full health report.
 */
public class ReadinessCheck extends AbstractHealthCheck {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(3);

    private final Supplier<Map<String, Object>> kafkaConfig;
    private final DedupState published;
    private final KafkaProblems problems;
    private final CallNotifier calls;
    private final RouteReloads reloads;
    private final Supplier<Optional<KafkaLeaseView>> lease;
    /** Whether the polls keep up (discovery, budget, target reads): shown, never a reason to be unready. */
    private final Supplier<Map<String, Object>> progress;

    public ReadinessCheck(Supplier<Map<String, Object>> kafkaConfig, DedupState published, KafkaProblems problems,
            CallNotifier calls, RouteReloads reloads, Supplier<Optional<KafkaLeaseView>> lease,
            Supplier<Map<String, Object>> progress) {
        super("chakra", "pipeline");
        this.progress = progress;
        this.kafkaConfig = kafkaConfig;
        this.published = published;
        this.problems = problems;
        this.calls = calls;
        this.reloads = reloads;
        this.lease = lease;
    }

    @Override
    public boolean isLiveness() {
        return false; // a broker outage is no reason to restart the process
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("dedup.ids", published.size());
        progress.get().forEach(builder::detail);
        builder.detail("routes.reloads", reloads.reloads());
        builder.detail("routes.reload.failures", reloads.failures());
        if (reloads.lastFailure() != null) {
            builder.detail("routes.reload.last.failure", reloads.lastFailure());
        }
        // one Kafka client per check, for both questions asked of Kafka
        Admin admin = Admin.create(kafkaConfig.get());
        try {
            String kafkaProblem = kafkaProblem(admin);
            // a standby is ready: it can take over at any moment
            lease.get().ifPresent(view -> {
                builder.detail("lease.role", view.isLeader() ? "leader" : "standby");
                builder.detail("lease.holder", kafkaProblem != null ? "unknown while Kafka does not answer"
                        : view.holder(admin, KAFKA_TIMEOUT).orElse("nobody"));
            });
            if (!problems.isEmpty()) {
                builder.down().message(String.join(" | ", problems.lines()));
                return;
            }
            if (!published.isLoaded()) {
                builder.down().message("the dedup state is not loaded yet");
                return;
            }
            if (published.followerFailure().isPresent()) {
                builder.down().message("the dedup state stopped following its topic (" + published.followerFailure().get()
                        + "): restart this replica");
                return;
            }
            Map<String, Integer> rejected = calls.rejectedOperations();
            if (!rejected.isEmpty()) {
                builder.down().message("ChakraHQ rejected the API token (" + rejected
                        + "): check CHAKRA_API_TOKEN");
                return;
            }
            if (kafkaProblem != null) {
                builder.down().message(kafkaProblem);
                return;
            }
            builder.up();
        } finally {
            admin.close(Duration.ofSeconds(1)); // do not wait for a call that timed out
        }
    }

    private static String kafkaProblem(Admin admin) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) KAFKA_TIMEOUT.toMillis()))
                    .nodes().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking Kafka";
        } catch (Exception e) {
            AuthenticationException refused = Failures.cause(e, AuthenticationException.class);
            if (refused != null) {
                return "Kafka refused this pipeline's credentials (" + refused.getClass().getSimpleName() + "): check "
                        + "CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL, ..._SASL_MECHANISM, ..._SASL_JAAS_CONFIG and the "
                        + "..._SSL_* settings";
            }
            return "Kafka does not answer (" + e.getClass().getSimpleName() + "): check KAFKA_BOOTSTRAP_SERVERS";
        }
    }
}
