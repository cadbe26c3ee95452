package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;

import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.KafkaReady;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
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
            @BeanInject(SettingsConfiguration.PIPELINE_SETTINGS) PipelineSettings settings) {
        return new DedupState(topic, () -> KafkaClientConfig.of(context),
                Duration.ofMillis(loadTimeoutMillis), settings.exactlyOnce());
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
        MetricsConfiguration.metrics(context).onStart(metrics -> metrics.gauge("chakra.pipeline.dedup.ids",
                "Published message ids remembered (the dedup state)", dedupState::size));
    }

    public static DedupState dedupState(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(DEDUP_STATE, DedupState.class);
    }
}
