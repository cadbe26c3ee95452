package io.github.chakrakafkapipeline.lease;

import java.util.Optional;
import java.util.function.Consumer;

import io.github.chakrakafkapipeline.chats.ChatListing;
import io.github.chakrakafkapipeline.chats.ChatsConfiguration;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;

/**
 * The lease of the poll: which replica of the pipeline polls (master:). The lease on Kafka by default; with
 * pipeline.lease.enabled=false, a cluster service ops declared as a bean (camel.beans.*), or none.
 */
public class LeaseConfiguration implements CamelConfiguration {

    /** The master: namespace of the poll: the one lease the replicas compete for. */
    public static final String POLL_LEASE = "messages-poll";

    @Override
    public void configure(CamelContext context) throws Exception {
        if (Boolean.parseBoolean(SettingsConfiguration.required(context, "pipeline.lease.enabled"))) {
            // master: finds it among the context's services
            context.addService(new KafkaLeaseService(() -> KafkaClientConfig.of(context),
                    SettingsConfiguration.required(context, "pipeline.name"),
                    SettingsConfiguration.required(context, "pipeline.lease.topic"),
                    SettingsConfiguration.millis(context, "pipeline.lease.session.timeout.millis"),
                    SettingsConfiguration.millis(context, "pipeline.lease.heartbeat.millis"),
                    TopicsConfiguration.kafkaProblems(context)));
        } else {
            // master: looks among the context's services only
            for (CamelClusterService service : context.getRegistry().findByType(CamelClusterService.class)) {
                context.addService(service);
            }
        }
        // as the lease is taken, the first List chats pass lists every chat: the replica before may have seen changes
        // this one did not
        ChatListing listing = ChatsConfiguration.chatListing(context);
        onLeadership(context, leading -> {
            if (leading) {
                listing.forget();
            }
        });
        MetricsConfiguration.metrics(context).onStart(metrics -> {
            metrics.gauge("chakra.pipeline.lease.leader", "1 while this replica holds the lease and polls, 0 on standby",
                    () -> lease(context).map(view -> view.isLeader() ? 1 : 0).orElse(0));
            metrics.functionCounter("chakra.pipeline.lease.changes", "Times this replica took or lost the lease",
                    () -> lease(context).map(KafkaLeaseView::leadershipChanges).orElse(0L));
        });
    }

    /** Tells {@code leading} whenever this replica takes (true) or loses (false) the lease, with any cluster service. */
    public static void onLeadership(CamelContext context, Consumer<Boolean> leading) throws Exception {
        for (CamelClusterService cluster : context.hasServices(CamelClusterService.class)) {
            cluster.getView(POLL_LEASE).addEventListener((CamelClusterEventListener.Leadership) (view, leader) ->
                    leading.accept(leader != null && leader.isLocal()));
        }
    }

    /** The poll's lease on Kafka, once the poll route started; empty with another cluster service. */
    public static Optional<KafkaLeaseView> lease(CamelContext context) {
        KafkaLeaseService service = context.hasService(KafkaLeaseService.class);
        return service == null ? Optional.empty() : service.lease(POLL_LEASE);
    }
}
