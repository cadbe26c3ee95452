package io.github.chakrakafkapipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.kafka.clients.CommonClientConfigs;

/** The beans the routes refer to by name. */
public class PipelineConfiguration implements CamelConfiguration {

    @BindToRegistry
    public PipelineSettings pipelineSettings(CamelContext context) {
        return PipelineSettings.load(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
    }

    @BindToRegistry
    public ChakraAnswerParser chakraAnswerParser() {
        return new ChakraAnswerParser();
    }

    @BindToRegistry
    public MessageClassifier messageClassifier() {
        return new MessageClassifier();
    }

    @BindToRegistry
    public PublishTally publishTally() {
        return new PublishTally();
    }

    @BindToRegistry
    public ChakraRetryPredicate chakraRetry(
            @PropertyInject("chakra.http.retry.max") int maxRetries,
            @PropertyInject("chakra.http.retry.initial.delay.millis") long initialDelayMillis,
            @PropertyInject("chakra.http.retry.max.delay.millis") long maxDelayMillis) {
        return new ChakraRetryPredicate(
                new ChakraRetryPolicy(maxRetries, initialDelayMillis, maxDelayMillis, Clock.systemUTC()));
    }

    @BindToRegistry
    public AnswerPaging answerPaging(
            @PropertyInject("chakra.paging.page.size") int pageSize,
            @PropertyInject("chakra.paging.max.pages") int maxPages,
            @BeanInject("publishedMessages") PublishedMessageRepository published) {
        return new AnswerPaging(pageSize, maxPages, published);
    }

    /** The threads that call ChakraHQ: one target each, so a slow or failing target holds up no other. */
    @BindToRegistry
    public ExecutorService chakraCalls(CamelContext context, @PropertyInject("chakra.http.concurrency") int threads) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "chakra-calls", threads);
    }

    @BindToRegistry
    public PublishedMessageRepository publishedMessages(
            @PropertyInject("kafka.bootstrap.servers") String bootstrapServers,
            @PropertyInject("pipeline.dedup.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis) {
        return new PublishedMessageRepository(topic,
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Duration.ofMillis(loadTimeoutMillis));
    }
}
