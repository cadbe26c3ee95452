package io.github.chakrakafkapipeline.kafka;

import static io.github.chakrakafkapipeline.settings.SettingsConfiguration.required;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** The pipeline's topics, checked and created when allowed, and what the polls wait for before they start. */
public class TopicsConfiguration implements CamelConfiguration {

    public static final String KAFKA_PROBLEMS = "kafkaProblems";
    public static final String PIPELINE_TOPICS = "pipelineTopics";
    public static final String KAFKA_READY = "kafkaReady";
    /** How long one look at the topics may wait for Kafka: a start-up that cannot tell checks again shortly. */
    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(10);

    @BindToRegistry(KAFKA_PROBLEMS)
    public KafkaProblems kafkaProblems() {
        return new KafkaProblems();
    }

    /** The topics the pipeline writes to: checked, and created when allowed, before its state is loaded from them. */
    @BindToRegistry(PIPELINE_TOPICS)
    public PipelineTopics pipelineTopics(CamelContext context, @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems,
            @BeanInject(SettingsConfiguration.PIPELINE_SETTINGS) PipelineSettings settings) {
        List<PipelineTopics.Topic> topics = new ArrayList<>(List.of(
                new PipelineTopics.Topic(required(context, "pipeline.topic.inbound"), "inbound messages", false, false),
                new PipelineTopics.Topic(required(context, "pipeline.topic.outbound"), "outbound messages", false, false),
                new PipelineTopics.Topic(required(context, "pipeline.topic.dead-letter"), "dead-letter", false, false),
                new PipelineTopics.Topic(required(context, "pipeline.dedup.topic"), "dedup state", true, true)));
        if (settings.discovery()) {
            topics.add(new PipelineTopics.Topic(required(context, "pipeline.chat.activity.topic"), "chat activity",
                    true, true));
        }
        if (Boolean.parseBoolean(required(context, "pipeline.lease.enabled"))) {
            topics.add(new PipelineTopics.Topic(required(context, "pipeline.lease.topic"), "lease", false, true));
        }
        return new PipelineTopics(() -> KafkaClientConfig.of(context), topics, settings.topicsCreate(),
                settings.topicPartitions(), settings.topicReplicationFactor(), problems, TOPIC_CHECK_TIMEOUT);
    }

    /** The polls wait for it: the topics usable, then the states loaded from them (their configurations add them). */
    @BindToRegistry(KAFKA_READY)
    public KafkaReady kafkaReady(@BeanInject(PIPELINE_TOPICS) PipelineTopics topics,
            @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems) {
        return new KafkaReady(topics, problems);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        KafkaProblems problems = kafkaProblems(context);
        MetricsConfiguration.metrics(context).onStart(metrics -> metrics.gauge("chakra.pipeline.kafka.problems",
                "What keeps the pipeline from publishing that only ops can mend on the Kafka side (a topic, an ACL, a "
                        + "setting); each has one line in the log", problems::size));
    }

    public static KafkaProblems kafkaProblems(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(KAFKA_PROBLEMS, KafkaProblems.class);
    }

    public static PipelineTopics pipelineTopics(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(PIPELINE_TOPICS, PipelineTopics.class);
    }

    public static KafkaReady kafkaReady(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(KAFKA_READY, KafkaReady.class);
    }
}
