package io.github.chakrakafkapipeline.poll;

import java.time.Clock;
import java.time.Duration;

import io.github.chakrakafkapipeline.chakra.ChakraConfiguration;
import io.github.chakrakafkapipeline.chakra.RequestBudget;
import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.chats.ChatListing;
import io.github.chakrakafkapipeline.chats.ChatsConfiguration;
import io.github.chakrakafkapipeline.lease.LeaseConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** The poll: its schedule, and the targets due at each poll (listed, changed, the sweep's share). */
public class PollConfiguration implements CamelConfiguration {

    public static final String POLL_SCHEDULE = "pollSchedule";
    public static final String TARGET_POLLS = "targetPolls";
    /** The route that polls, in routes/messages-poll.camel.yaml. */
    private static final String POLL_ROUTE = "messages-poll";

    /** A poll more than a second late is one that waited for a slow poll to end. */
    @BindToRegistry(POLL_SCHEDULE)
    public PollSchedule pollSchedule(@PropertyInject("pipeline.poll.cron") String cron) {
        return new PollSchedule(Duration.ofSeconds(1), Clock.systemUTC(), cron);
    }

    @BindToRegistry(TARGET_POLLS)
    public TargetPolls targetPolls(@BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics,
            @BeanInject(SettingsConfiguration.PIPELINE_SETTINGS) PipelineSettings settings,
            @BeanInject(POLL_SCHEDULE) PollSchedule schedule,
            @BeanInject(ChakraConfiguration.REQUEST_BUDGET) RequestBudget budget,
            @BeanInject(ChatsConfiguration.CHAT_ACTIVITY) ChatActivity activity,
            @BeanInject(ChatsConfiguration.CHAT_LISTING) ChatListing listing,
            @PropertyInject("chakra.chat.sweep.interval.millis") long sweepMillis,
            @PropertyInject("chakra.target.backoff.max.millis") long backoffMaxMillis,
            @PropertyInject("chakra.chat.messages.paging") String chatPaging,
            @PropertyInject("chakra.phone.messages.paging") String phonePaging) {
        return new TargetPolls(metrics, settings, schedule, budget, activity, listing,
                new Sweep(Duration.ofMillis(sweepMillis)), Duration.ofMillis(backoffMaxMillis), chatPaging, phonePaging);
    }

    /** After LeaseConfiguration, whose cluster service tells it when the lease is taken. */
    @Override
    public void configure(CamelContext context) throws Exception {
        TargetPolls polls = targetPolls(context);
        PollSchedule schedule = context.getRegistry().lookupByNameAndType(POLL_SCHEDULE, PollSchedule.class);
        PollAtOnce atOnce = new PollAtOnce(context, POLL_ROUTE, schedule::fires);
        LeaseConfiguration.onLeadership(context, atOnce::leading);
        MetricsConfiguration.metrics(context).onStart(metrics -> {
            metrics.gauge("chakra.pipeline.sweep.progress.ratio", "How far the sweep's current round over the known "
                    + "chats is", polls::sweepProgress);
            metrics.functionCounter("chakra.pipeline.sweeps", "Sweep rounds completed over every known chat",
                    polls::sweepsCompleted);
            metrics.gauge("chakra.pipeline.targets.running", "Target reads under way, in the background of the polls",
                    polls::running);
            metrics.gauge("chakra.pipeline.targets.backing.off", "Targets paused after failed reads", polls::backingOff);
            metrics.gauge("chakra.pipeline.last.successful.read.timestamp.seconds", "When a target read or a List "
                    + "chats pass last ended well, in epoch seconds (0 before any)",
                    () -> polls.lastSuccessMillis() / 1000.0);
        });
    }

    public static TargetPolls targetPolls(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(TARGET_POLLS, TargetPolls.class);
    }
}
