package io.github.chakrakafkapipeline.publish;

import java.util.concurrent.ExecutorService;

import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.chats.ChatsConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.lease.LeadershipRelease;
import io.github.chakrakafkapipeline.lease.LeaseConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/** Publishing: the chat lanes, the dedup claims, and, exactly once, the Kafka transactions. */
public class PublishConfiguration implements CamelConfiguration {

    public static final String CHAT_LANES = "chatLanes";
    public static final String PUBLISHING = "publishing";
    public static final String DEDUP_CLAIM = "dedupClaim";
    public static final String BATCH_AGGREGATION = "batchAggregation";
    /**
     * The {@link Publisher} response-publish sends each batch with: {@link Transactions} exactly once, else
     * {@link AtLeastOncePublisher}; only the one pipeline.delivery names is made.
     */
    public static final String PUBLISHER = "publisher";

    @BindToRegistry(CHAT_LANES)
    public ChatLanes chatLanes() {
        return new ChatLanes();
    }

    @BindToRegistry(BATCH_AGGREGATION)
    public BatchAggregation batchAggregation() {
        return new BatchAggregation();
    }

    @BindToRegistry(PUBLISHING)
    public Publishing publishing(@BeanInject(DedupConfiguration.DEDUP_STATE) DedupState dedupState,
            @BeanInject(ChatsConfiguration.CHAT_ACTIVITY) ChatActivity chatActivity,
            @BeanInject(CHAT_LANES) ChatLanes lanes,
            @BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics,
            @BeanInject(TopicsConfiguration.PIPELINE_TOPICS) PipelineTopics topics) {
        return new Publishing(dedupState, chatActivity, lanes, metrics, topics);
    }

    /** Kafka's limit on one record is the producer's, camel.component.kafka.max-request-size, however it is set. */
    @BindToRegistry(DEDUP_CLAIM)
    public DedupClaim dedupClaim(CamelContext context,
            @BeanInject(DedupConfiguration.DEDUP_STATE) DedupState dedupState,
            @PropertyInject("pipeline.topic.dead-letter") String deadLetterTopic) {
        return new DedupClaim(dedupState, deadLetterTopic, new RecordLimit(() ->
                context.getComponent("kafka", KafkaComponent.class).getConfiguration().getMaxRequestSize()));
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        String deadLetter = SettingsConfiguration.required(context, "pipeline.topic.dead-letter");
        if (SettingsConfiguration.settings(context).exactlyOnce()) {
            Transactions exactlyOnce = transactions(context);
            context.getRegistry().bind(PUBLISHER, exactlyOnce);
            ChatsConfiguration.chatActivity(context).writeThrough(exactlyOnce::publishActivity);
            TransactionalProducer producer = exactlyOnce.producer();
            TopicsConfiguration.kafkaReady(context).retryPublisherWith(producer::retryOpen);
            // as the lease is taken, the producer opens, which fences the replica before at once; as it is lost, it
            // closes
            LeaseConfiguration.onLeadership(context, leading -> {
                if (leading) {
                    producer.lead();
                } else {
                    producer.standBy();
                }
            });
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopped(CamelContext stopped) {
                    producer.standBy(); // the last transaction has ended, or is aborted now
                }
            });
        } else {
            AtLeastOncePublisher atLeastOnce = new AtLeastOncePublisher(context, deadLetter);
            context.addService(atLeastOnce);
            context.getRegistry().bind(PUBLISHER, atLeastOnce);
        }
        String inbound = SettingsConfiguration.required(context, "pipeline.topic.inbound");
        String outbound = SettingsConfiguration.required(context, "pipeline.topic.outbound");
        MetricsConfiguration.metrics(context).onStart(metrics -> metrics.registerAtZero(inbound, outbound, deadLetter));
    }

    /**
     * Exactly-once publishing; one transactional.id for all replicas of the pipeline, so that each new leader fences
     * the one before it. When fenced, this replica gives its lease up, whichever cluster service holds it, so that
     * the replica that fenced it can lead.
     * A committed response's exchange goes on (settle, its summary) on threads of its own: on the call threads it
     * would queue behind every read a poll started.
     */
    private Transactions transactions(CamelContext context) {
        // a task refused is refused, never run on the caller's thread (Camel's default): the producer is used on this
        // one thread; GroupCommits keeps at most one commit waiting, and an opening of the producer another
        ExecutorService publisher = context.getExecutorServiceManager().newThreadPool(this, "transactions",
                new ThreadPoolProfileBuilder("transactions").poolSize(1).maxPoolSize(1).maxQueueSize(100)
                        .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
        DedupState dedupState = DedupConfiguration.dedupState(context);
        PipelineMetrics metrics = MetricsConfiguration.metrics(context);
        KafkaProblems problems = TopicsConfiguration.kafkaProblems(context);
        TransactionalProducer producer = new TransactionalProducer(() -> context.getComponent("kafka",
                KafkaComponent.class), SettingsConfiguration.required(context, "pipeline.name") + ".publisher",
                SettingsConfiguration.millis(context, "kafka.transaction.timeout.millis"),
                problems, dedupState, metrics,
                new LeadershipRelease(() -> context.hasServices(CamelClusterService.class), LeaseConfiguration.POLL_LEASE,
                        context.getExecutorServiceManager().newSingleThreadExecutor(this, "leadership-release")),
                publisher);
        return new Transactions(producer, TopicsConfiguration.pipelineTopics(context), problems, metrics, publisher,
                context.getExecutorServiceManager().newFixedThreadPool(this, "transactions-committed", 2));
    }
}
