package io.github.chakrakafkapipeline;

import java.time.Duration;
import java.util.Map;

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
    public PublishedMessageRepository publishedMessages(
            @PropertyInject("kafka.bootstrap.servers") String bootstrapServers,
            @PropertyInject("pipeline.dedup.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis) {
        return new PublishedMessageRepository(topic,
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Duration.ofMillis(loadTimeoutMillis));
    }
}
