package io.github.chakrakafkapipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.chakrakafkapipeline.chakra.CallNotifier;
import io.github.chakrakafkapipeline.chakra.ResponsePaging;
import io.github.chakrakafkapipeline.chakra.ResponseParser;
import io.github.chakrakafkapipeline.chakra.RetryPolicy;
import io.github.chakrakafkapipeline.chakra.RetryPredicate;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import io.github.chakrakafkapipeline.ops.ReadinessCheck;
import io.github.chakrakafkapipeline.ops.RouteReloads;
import io.github.chakrakafkapipeline.publish.MessageClaims;
import io.github.chakrakafkapipeline.publish.MessageClassifier;
import io.github.chakrakafkapipeline.publish.PublishTally;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/** The beans the routes, the health checks and the metrics refer to by name. */
public class PipelineConfiguration implements CamelConfiguration {

    @BindToRegistry
    public PipelineSettings pipelineSettings(CamelContext context) {
        return PipelineSettings.load(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
    }

    /** Camel's Prometheus support (camel.metrics.*) makes the registry and binds it under this name. */
    @BindToRegistry
    public PipelineMetrics pipelineMetrics(CamelContext context) {
        return new PipelineMetrics(() -> MicrometerUtils.getMeterRegistryFromCamelRegistry(
                context.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME));
    }

    /** A poll more than a second late is one that waited for a slow poll to end. */
    @BindToRegistry
    public PollSchedule pollSchedule() {
        return new PollSchedule(Duration.ofSeconds(1), Clock.systemUTC());
    }

    @BindToRegistry
    public ResponseParser chakraAnswerParser() {
        return new ResponseParser();
    }

    @BindToRegistry
    public MessageClaims messageClaims(@BeanInject("publishedMessages") DedupState published,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics,
            @PropertyInject("pipeline.topic.inbound") String inbound,
            @PropertyInject("pipeline.topic.outbound") String outbound,
            @PropertyInject("pipeline.topic.dead-letter") String deadLetter) {
        return new MessageClaims(new MessageClassifier(inbound, outbound, deadLetter), published, metrics);
    }

    @BindToRegistry
    public PublishTally publishTally(@BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new PublishTally(metrics);
    }

    @BindToRegistry
    public RetryPredicate chakraRetry(
            @PropertyInject("chakra.http.retry.max") int maxRetries,
            @PropertyInject("chakra.http.retry.initial.delay.millis") long initialDelayMillis,
            @PropertyInject("chakra.http.retry.max.delay.millis") long maxDelayMillis,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new RetryPredicate(
                new RetryPolicy(maxRetries, initialDelayMillis, maxDelayMillis, Clock.systemUTC()), metrics);
    }

    @BindToRegistry
    public CallNotifier chakraCallNotifier(@PropertyInject("chakra.api.base.url") String baseUrl,
            @BeanInject("pipelineMetrics") PipelineMetrics metrics) {
        return new CallNotifier(baseUrl, metrics);
    }

    @BindToRegistry
    public ResponsePaging answerPaging(
            @PropertyInject("chakra.paging.page.size") int pageSize,
            @PropertyInject("chakra.paging.max.pages") int maxPages,
            @BeanInject("publishedMessages") DedupState published) {
        return new ResponsePaging(pageSize, maxPages, published);
    }

    /** The threads that call ChakraHQ: one target each, so a slow or failing target holds up no other. */
    @BindToRegistry
    public ExecutorService chakraCalls(CamelContext context, @PropertyInject("chakra.http.concurrency") int threads) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "chakra-calls", threads);
    }

    @BindToRegistry
    public DedupState publishedMessages(CamelContext context,
            @PropertyInject("pipeline.dedup.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis) {
        return new DedupState(topic, () -> KafkaClientConfig.of(context),
                Duration.ofMillis(loadTimeoutMillis));
    }

    @BindToRegistry
    public ReadinessCheck pipelineReadiness(CamelContext context,
            @BeanInject("publishedMessages") DedupState published,
            @BeanInject("chakraCallNotifier") CallNotifier calls) {
        return new ReadinessCheck(() -> KafkaClientConfig.of(context), published, calls,
                new RouteReloads(context));
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        // the dedup state loads as Camel starts, before any route, and its producer closes after the routes stopped
        context.addService(context.getRegistry().lookupByNameAndType("publishedMessages",
                DedupState.class));
        context.getManagementStrategy().addEventNotifier(
                context.getRegistry().lookupByNameAndType("chakraCallNotifier", CallNotifier.class));
        // the gauges once Camel's metrics registry exists, which is after this configuration ran; once, though the
        // listener also hears every route reload
        AtomicBoolean registered = new AtomicBoolean();
        context.addStartupListener((started, alreadyStarted) -> {
            if (registered.compareAndSet(false, true)) {
                registerGauges(started);
            }
        });
    }

    private static void registerGauges(CamelContext context) {
        PipelineMetrics metrics = context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class);
        DedupState published =
                context.getRegistry().lookupByNameAndType("publishedMessages", DedupState.class);
        RouteReloads reloads = new RouteReloads(context);
        metrics.gauge("chakra.pipeline.dedup.ids", "Published message ids remembered (the dedup state)", published::size);
        metrics.functionCounter("chakra.pipeline.routes.reloads", "Reloads of the routes/ files", reloads::reloads);
        metrics.functionCounter("chakra.pipeline.routes.reload.failures",
                "Reloads rejected because an edited route file was broken", reloads::failures);
    }
}
