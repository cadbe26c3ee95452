package io.github.chakrakafkapipeline.poll;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.DelegateEndpoint;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.JobKey;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls at once when this replica takes the lease, not at the next cron tick, so that a rolling update hands over in
 * about the time the standby takes to hear of it. Camel's {@code master:} starts the poll's Quartz consumer a fixed
 * second after the lease is taken (Camel 4.18.0), and Quartz drops a fire that finds no consumer; so this asks Quartz
 * to fire the poll's job now, every {@value #EVERY_MILLIS} ms, until a fire reached the route ({@code fires}), for at
 * most {@value #GIVE_UP_MILLIS} ms. Written here because neither {@code master:} nor {@code quartz:} can fire a cron
 * job when the leadership starts it.
 */
public final class PollAtOnce {

    private static final Logger LOG = LoggerFactory.getLogger(PollAtOnce.class);
    private static final long EVERY_MILLIS = 100;
    private static final long GIVE_UP_MILLIS = 5_000;

    private final CamelContext context;
    private final String routeId;
    private final LongSupplier fires;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> firing;

    /** {@code fires} counts the fires that reached route {@code routeId} (PollSchedule). */
    public PollAtOnce(CamelContext context, String routeId, LongSupplier fires) {
        this.context = context;
        this.routeId = routeId;
        this.fires = fires;
        this.executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "poll-at-once");
    }

    /** This replica took (true) or lost (false) the lease. */
    public synchronized void leading(boolean leading) {
        stopFiring();
        JobKey job = job();
        if (!leading || job == null) {
            return;
        }
        long firesBefore = fires.getAsLong();
        long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS);
        firing = executor.scheduleWithFixedDelay(() -> {
            if (fires.getAsLong() > firesBefore || System.nanoTime() > giveUpAt) {
                stopFiring(); // a poll began, or the cron takes over
                return;
            }
            try {
                context.getComponent("quartz", QuartzComponent.class).getScheduler().triggerJob(job);
            } catch (SchedulerException e) {
                LOG.debug("Could not fire the poll's job {} yet: {}", job, e.getMessage());
            }
        }, 0, EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void stopFiring() {
        if (firing != null) {
            firing.cancel(false);
            firing = null;
        }
    }

    /** The Quartz job of the route, under master: (null when ops made it start from something else). */
    private JobKey job() {
        Route route = context.getRoute(routeId);
        Endpoint endpoint = route == null ? null : route.getEndpoint();
        while (endpoint instanceof DelegateEndpoint delegating && !(endpoint instanceof QuartzEndpoint)) {
            endpoint = delegating.getEndpoint();
        }
        return endpoint instanceof QuartzEndpoint quartz
                ? JobKey.jobKey(quartz.getTriggerKey().getName(), quartz.getTriggerKey().getGroup()) : null;
    }
}
