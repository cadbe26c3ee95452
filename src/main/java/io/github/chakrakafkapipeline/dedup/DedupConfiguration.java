package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;

import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.KafkaReady;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.settings.InvalidSettingException;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** The dedup state: the ids published, read from and written to its compacted topic. */
public class DedupConfiguration implements CamelConfiguration {

    public static final String DEDUP_STATE = "dedupState";

    @BindToRegistry(DEDUP_STATE)
    public DedupState dedupState(CamelContext context,
            @PropertyInject("pipeline.dedup.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis,
            @PropertyInject("pipeline.dedup.window.ids") int windowIds,
            @PropertyInject("pipeline.dedup.window.minutes") long windowMinutes,
            @PropertyInject("pipeline.dedup.history.days") long historyDays,
            @BeanInject(SettingsConfiguration.PIPELINE_SETTINGS) PipelineSettings settings) {
        if (windowIds < 1) {
            throw new InvalidSettingException("pipeline.dedup.window.ids", "'" + windowIds + "' must be at least 1 "
                    + "(the newest ids each chat keeps; at least chakra.paging.page.size is best)");
        }
        if (windowMinutes < 0 || historyDays < 0) {
            throw new InvalidSettingException(windowMinutes < 0 ? "pipeline.dedup.window.minutes"
                    : "pipeline.dedup.history.days", "it must not be negative");
        }
        return new DedupState(topic, () -> KafkaClientConfig.of(context), Duration.ofMillis(loadTimeoutMillis),
                settings.exactlyOnce(), windowIds, Duration.ofMinutes(windowMinutes), Duration.ofDays(historyDays));
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        DedupState dedupState = dedupState(context);
        // it loads as Camel starts, before any route, once its topics are usable; last, since a loaded dedup state
        // opens the polls. KafkaReady, the service that loads the states, is added after them, so that it stops first.
        context.addService(dedupState);
        KafkaReady ready = TopicsConfiguration.kafkaReady(context);
        ready.thenLoad(dedupState::load);
        context.addService(ready);
        MetricsConfiguration.metrics(context).onStart(metrics -> {
            metrics.gauge("chakra.pipeline.dedup.ids", "Published message ids held in memory (the dedup state)",
                    dedupState::size);
            metrics.gauge("chakra.pipeline.dedup.chats", "Chats whose recent ids the dedup state holds",
                    dedupState.windows()::chats);
            metrics.gauge("chakra.pipeline.dedup.bytes", "Bytes the dedup state holds in memory (an estimate)",
                    dedupState.windows()::bytes);
            metrics.functionCounter("chakra.pipeline.dedup.older.than.window", "Messages read that were older than "
                    + "their chat's dedup window, taken as published", dedupState.oldMessages()::olderThanWindow);
            metrics.functionCounter("chakra.pipeline.dedup.before.history", "Messages read that were older than "
                    + "pipeline.dedup.history.days, not published", dedupState.oldMessages()::beforeHistory);
        });
    }

    public static DedupState dedupState(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(DEDUP_STATE, DedupState.class);
    }
}
