package io.github.chakrakafkapipeline.lease;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.apache.camel.cluster.CamelClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up this replica's leadership of a namespace once another replica fenced its transactions, whatever cluster
 * service elects the leader: a replica that only stood by while it kept the lease would hold it for good, its poll
 * running and every publish refused, and no other replica could take over.
 * <p>
 * The Kafka lease steps down ({@link KafkaLeaseView#stepDown}). Any other service's view is stopped, which releases
 * what it holds (Camel's file lock: the lock, and the leader data truncated, so the other replicas see no leader), then
 * started again: the replica competes like any standby, and the view keeps the listeners of the poll and of the
 * transactions, so whoever leads next polls and publishes. Camel 4.18's file lock tells those listeners of the loss at
 * the view's first check after the start, not as it stops (Camel logs a ClosedChannelException then): the poll runs
 * until that check, each publish refused since this replica stands by.
 */
public class LeadershipRelease implements Lease {

    private static final Logger LOG = LoggerFactory.getLogger(LeadershipRelease.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<Collection<CamelClusterService>> services;
    private final String namespace;
    /**
     * Where a view stops and starts: not on the caller's thread, the transactions' one publisher, as stopping may wait
     * (Camel's file lock truncates its data file, with a timeout of 10 s) and may tell the listeners, the poll's
     * master: consumer among them, which stops the poll while its exchanges wait on that thread.
     */
    private final Executor restarts;

    public LeadershipRelease(Supplier<Collection<CamelClusterService>> services, String namespace, Executor restarts) {
        this.services = services;
        this.namespace = namespace;
        this.restarts = restarts;
    }

    /** Only the Kafka lease can be asked: the group coordinator says which member holds it. */
    @Override
    public boolean heldHere() {
        for (CamelClusterService service : services.get()) {
            if (service instanceof KafkaLeaseService kafka) {
                return kafka.lease(namespace).map(view -> view.heldHere(ASK_TIMEOUT)).orElse(false);
            }
        }
        return false;
    }

    @Override
    public void giveUp() {
        for (CamelClusterService service : services.get()) {
            if (service instanceof KafkaLeaseService kafka) {
                kafka.lease(namespace).ifPresent(KafkaLeaseView::stepDown);
            } else if (service.isLeader(namespace)) { // once standing by, there is nothing to give up
                try {
                    restarts.execute(() -> restart(service));
                } catch (RejectedExecutionException stopping) {
                    LOG.debug("Camel is stopping: the lease {} goes with it", namespace);
                }
            }
        }
    }

    private void restart(CamelClusterService service) {
        try {
            service.stopView(namespace);
            LOG.warn("Fenced: this replica gave up the lease {} of cluster service {} so that the replica that took "
                    + "over publishing can hold it; it competes for it again as a standby", namespace, name(service));
            service.startView(namespace);
        } catch (Exception e) {
            LOG.error("Could not give up or take up again the lease {} of cluster service {} ({}); restart this "
                    + "replica", namespace, name(service), e.toString());
        }
    }

    /** Its id, else its class: a service declared as a camel.beans.* bean has no id. */
    private static String name(CamelClusterService service) {
        return service.getId() != null ? service.getId() : service.getClass().getSimpleName();
    }
}
