package io.github.chakrakafkapipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.chakrakafkapipeline.chakra.CallNotifier;
import io.github.chakrakafkapipeline.chakra.PagedFetch;
import io.github.chakrakafkapipeline.chakra.RequestBudget;
import io.github.chakrakafkapipeline.chakra.ResponsePaging;
import io.github.chakrakafkapipeline.chakra.ResponseParser;
import io.github.chakrakafkapipeline.chakra.RetryNotifier;
import io.github.chakrakafkapipeline.chakra.RetryPolicy;
import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.chats.ChatListing;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.KafkaProblems;
import io.github.chakrakafkapipeline.kafka.KafkaReady;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import io.github.chakrakafkapipeline.lease.KafkaLeaseService;
import io.github.chakrakafkapipeline.lease.KafkaLeaseView;
import io.github.chakrakafkapipeline.lease.LeadershipRelease;
import io.github.chakrakafkapipeline.ops.ManagementPort;
import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import io.github.chakrakafkapipeline.ops.ReadinessCheck;
import io.github.chakrakafkapipeline.ops.RouteReloads;
import io.github.chakrakafkapipeline.poll.PollSchedule;
import io.github.chakrakafkapipeline.poll.Sweep;
import io.github.chakrakafkapipeline.poll.TargetPolls;
import io.github.chakrakafkapipeline.publish.ChatLanes;
import io.github.chakrakafkapipeline.publish.DedupClaim;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.publish.RecordLimit;
import io.github.chakrakafkapipeline.publish.TransactionalProducer;
import io.github.chakrakafkapipeline.publish.Transactions;
import io.github.chakrakafkapipeline.settings.InvalidSettingException;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;

/** The beans the routes, the health checks and the metrics refer to by name; the routes use these names. */
public class PipelineConfiguration implements CamelConfiguration {

    public static final String PIPELINE_SETTINGS = "pipelineSettings";
    public static final String PIPELINE_METRICS = "pipelineMetrics";
    public static final String POLL_SCHEDULE = "pollSchedule";
    public static final String TARGET_POLLS = "targetPolls";
    public static final String RESPONSE_PARSER = "responseParser";
    public static final String RESPONSE_PAGING = "responsePaging";
    public static final String CHAKRA_RETRY_POLICY = "chakraRetryPolicy";
    public static final String CHAKRA_RETRY_NOTIFIER = "chakraRetryNotifier";
    public static final String CHAKRA_CALL_NOTIFIER = "chakraCallNotifier";
    public static final String CHAKRA_CALLS = "chakraCalls";
    public static final String DEDUP_STATE = "dedupState";
    public static final String PUBLISHING = "publishing";
    public static final String DEDUP_CLAIM = "dedupClaim";
    public static final String TRANSACTIONS = "transactions";
    public static final String PIPELINE_READINESS = "pipelineReadiness";
    public static final String REQUEST_BUDGET = "requestBudget";
    public static final String CHAT_ACTIVITY = "chatActivity";
    public static final String CHAT_LISTING = "chatListing";
    public static final String KAFKA_PROBLEMS = "kafkaProblems";
    public static final String CHAT_LANES = "chatLanes";
    public static final String KAFKA_READY = "kafkaReady";
    public static final String PIPELINE_TOPICS = "pipelineTopics";
    /** How long one look at the topics may wait for Kafka: a start-up that cannot tell checks again shortly. */
    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(10);
    /** The master: namespace of the poll: the one lease the replicas compete for. */
    public static final String POLL_LEASE = "messages-poll";

    @BindToRegistry(PIPELINE_SETTINGS)
    public PipelineSettings pipelineSettings(CamelContext context) {
        return PipelineSettings.load(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
    }

    /** Camel's Prometheus support (camel.metrics.*) makes the registry and binds it under this name. */
    @BindToRegistry(PIPELINE_METRICS)
    public PipelineMetrics pipelineMetrics(CamelContext context) {
        return new PipelineMetrics(() -> MicrometerUtils.getMeterRegistryFromCamelRegistry(
                context.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME));
    }

    /** A poll more than a second late is one that waited for a slow poll to end. */
    @BindToRegistry(POLL_SCHEDULE)
    public PollSchedule pollSchedule(@PropertyInject("pipeline.poll.cron") String cron) {
        return new PollSchedule(Duration.ofSeconds(1), Clock.systemUTC(), cron);
    }

    @BindToRegistry(REQUEST_BUDGET)
    public RequestBudget requestBudget(@PropertyInject("chakra.http.requests.per.second") int requestsPerSecond,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics) {
        return new RequestBudget(requestsPerSecond, metrics);
    }

    @BindToRegistry(KAFKA_PROBLEMS)
    public KafkaProblems kafkaProblems() {
        return new KafkaProblems();
    }

    /** The topics the pipeline writes to: checked, and created when allowed, before its state is loaded from them. */
    @BindToRegistry(PIPELINE_TOPICS)
    public PipelineTopics pipelineTopics(CamelContext context, @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems,
            @BeanInject(PIPELINE_SETTINGS) PipelineSettings settings) {
        List<PipelineTopics.Topic> topics = new ArrayList<>(List.of(
                new PipelineTopics.Topic(property(context, "pipeline.topic.inbound"), "inbound messages", false, false),
                new PipelineTopics.Topic(property(context, "pipeline.topic.outbound"), "outbound messages", false, false),
                new PipelineTopics.Topic(property(context, "pipeline.topic.dead-letter"), "dead-letter", false, false),
                new PipelineTopics.Topic(property(context, "pipeline.dedup.topic"), "dedup state", true, true)));
        if (settings.discovery()) {
            topics.add(new PipelineTopics.Topic(property(context, "pipeline.chat.activity.topic"), "chat activity", true,
                    true));
        }
        if (Boolean.parseBoolean(property(context, "pipeline.lease.enabled"))) {
            topics.add(new PipelineTopics.Topic(property(context, "pipeline.lease.topic"), "lease", false, true));
        }
        return new PipelineTopics(() -> KafkaClientConfig.of(context), topics, settings.topicsCreate(),
                settings.topicPartitions(), settings.topicReplicationFactor(), problems, TOPIC_CHECK_TIMEOUT);
    }

    /** The polls wait for it: the topics usable, then the state loaded from them. */
    @BindToRegistry(KAFKA_READY)
    public KafkaReady kafkaReady(@BeanInject(PIPELINE_TOPICS) PipelineTopics topics,
            @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems, @BeanInject(PIPELINE_SETTINGS) PipelineSettings settings,
            @BeanInject(DEDUP_STATE) DedupState dedupState, @BeanInject(CHAT_ACTIVITY) ChatActivity chatActivity) {
        List<Runnable> loads = new ArrayList<>();
        if (settings.discovery()) {
            loads.add(chatActivity::load);
        }
        loads.add(dedupState::load); // last: a loaded dedup state opens the polls
        return new KafkaReady(topics, problems, loads);
    }

    @BindToRegistry(CHAT_ACTIVITY)
    public ChatActivity chatActivity(CamelContext context,
            @PropertyInject("pipeline.chat.activity.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis,
            @PropertyInject("pipeline.delivery") String delivery) {
        return new ChatActivity(topic, () -> KafkaClientConfig.of(context), Duration.ofMillis(loadTimeoutMillis),
                PipelineSettings.exactlyOnce(delivery));
    }

    @BindToRegistry(CHAT_LISTING)
    public ChatListing chatListing(@BeanInject(CHAT_ACTIVITY) ChatActivity activity,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics,
            @PropertyInject("chakra.chat.list.request.body") String request,
            @PropertyInject("chakra.chat.list.paging") String paging,
            @PropertyInject("chakra.chat.list.page.size") int pageSize,
            @PropertyInject("chakra.chat.list.max.pages") int maxPages,
            @PropertyInject("chakra.chat.list.id.field") String idField,
            @PropertyInject("chakra.chat.list.activity.field") String activityField) {
        return new ChatListing(activity, metrics, request, ResponsePaging.parseStyle(paging), pageSize, maxPages,
                idField.trim(), activityField.trim());
    }

    @BindToRegistry(TARGET_POLLS)
    public TargetPolls targetPolls(@BeanInject(PIPELINE_METRICS) PipelineMetrics metrics,
            @BeanInject(PIPELINE_SETTINGS) PipelineSettings settings, @BeanInject(POLL_SCHEDULE) PollSchedule schedule,
            @BeanInject(REQUEST_BUDGET) RequestBudget budget, @BeanInject(CHAT_ACTIVITY) ChatActivity activity,
            @BeanInject(CHAT_LISTING) ChatListing listing,
            @PropertyInject("chakra.chat.sweep.interval.millis") long sweepMillis,
            @PropertyInject("chakra.target.backoff.max.millis") long backoffMaxMillis,
            @PropertyInject("chakra.chat.messages.paging") String chatPaging,
            @PropertyInject("chakra.phone.messages.paging") String phonePaging) {
        return new TargetPolls(metrics, settings, schedule, budget, activity, listing,
                new Sweep(Duration.ofMillis(sweepMillis)), Duration.ofMillis(backoffMaxMillis), chatPaging, phonePaging);
    }

    @BindToRegistry(RESPONSE_PARSER)
    public ResponseParser responseParser() {
        return new ResponseParser();
    }

    @BindToRegistry(RESPONSE_PAGING)
    public ResponsePaging responsePaging(
            @PropertyInject("chakra.paging.page.size") int pageSize,
            @PropertyInject("chakra.paging.max.pages") int maxPages,
            @BeanInject(DEDUP_STATE) DedupState dedupState) {
        return new ResponsePaging(pageSize, maxPages, dedupState);
    }

    @BindToRegistry(CHAKRA_RETRY_POLICY)
    public RetryPolicy chakraRetryPolicy(@PropertyInject("chakra.http.retry.max.delay.millis") long maxDelayMillis,
            @PropertyInject("chakra.http.retry.initial.delay.millis") long initialDelayMillis,
            @BeanInject(REQUEST_BUDGET) RequestBudget budget) {
        return new RetryPolicy(maxDelayMillis, initialDelayMillis, budget, Clock.systemUTC());
    }

    @BindToRegistry(CHAKRA_RETRY_NOTIFIER)
    public RetryNotifier chakraRetryNotifier(@BeanInject(CHAKRA_RETRY_POLICY) RetryPolicy policy,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics, @BeanInject(REQUEST_BUDGET) RequestBudget budget) {
        return new RetryNotifier(policy, metrics, budget);
    }

    @BindToRegistry(CHAKRA_CALL_NOTIFIER)
    public CallNotifier chakraCallNotifier(@PropertyInject("chakra.api.base.url") String baseUrl,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics) {
        return new CallNotifier(baseUrl, metrics);
    }

    @BindToRegistry(CHAT_LANES)
    public ChatLanes chatLanes() {
        return new ChatLanes();
    }

    @BindToRegistry(PUBLISHING)
    public Publishing publishing(CamelContext context, @BeanInject(DEDUP_STATE) DedupState dedupState,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics) {
        return new Publishing(dedupState, metrics,
                () -> context.getRegistry().lookupByNameAndType(PIPELINE_TOPICS, PipelineTopics.class));
    }

    /** Kafka's limit on one record is the producer's, camel.component.kafka.max-request-size, however it is set. */
    @BindToRegistry(DEDUP_CLAIM)
    public DedupClaim dedupClaim(CamelContext context, @BeanInject(DEDUP_STATE) DedupState dedupState,
            @PropertyInject("pipeline.topic.dead-letter") String deadLetterTopic) {
        return new DedupClaim(dedupState, deadLetterTopic, new RecordLimit(() ->
                context.getComponent("kafka", KafkaComponent.class).getConfiguration().getMaxRequestSize()));
    }

    /**
     * The threads that read targets: one target each, so a slow or failing target holds up no other. The queue is
     * unbounded (Camel's default holds 1,000): each target waits in it at most once, and the request budget, not the
     * queue, paces the reads.
     */
    @BindToRegistry(CHAKRA_CALLS)
    public ExecutorService chakraCalls(CamelContext context, @PropertyInject("chakra.http.concurrency") int threads) {
        return context.getExecutorServiceManager().newThreadPool(this, "chakra-calls",
                new ThreadPoolProfileBuilder("chakra-calls").poolSize(threads).maxPoolSize(threads).maxQueueSize(-1)
                        .build());
    }

    @BindToRegistry(DEDUP_STATE)
    public DedupState dedupState(CamelContext context,
            @PropertyInject("pipeline.dedup.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis,
            @PropertyInject("pipeline.delivery") String delivery) {
        return new DedupState(topic, () -> KafkaClientConfig.of(context),
                Duration.ofMillis(loadTimeoutMillis), PipelineSettings.exactlyOnce(delivery));
    }

    /**
     * Exactly-once publishing; one transactional.id for all replicas of the pipeline, so that each new leader fences
     * the one before it. When fenced, this replica gives its lease up, whichever cluster service holds it, so that
     * the replica that fenced it can lead.
     * A committed response's exchange goes on (settle, its summary) on threads of its own: on the call threads it
     * would queue behind every read a poll started.
     */
    @BindToRegistry(TRANSACTIONS)
    public Transactions transactions(CamelContext context, @PropertyInject("pipeline.name") String pipelineName,
            @PropertyInject("kafka.transaction.timeout.millis") long transactionTimeoutMillis,
            @BeanInject(PIPELINE_TOPICS) PipelineTopics topics, @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems,
            @BeanInject(DEDUP_STATE) DedupState dedupState, @BeanInject(CHAT_ACTIVITY) ChatActivity chatActivity,
            @BeanInject(PIPELINE_METRICS) PipelineMetrics metrics) {
        ExecutorService publisher = context.getExecutorServiceManager().newSingleThreadExecutor(this, "transactions");
        TransactionalProducer producer = new TransactionalProducer(() -> context.getComponent("kafka",
                KafkaComponent.class), pipelineName.trim() + ".publisher", Duration.ofMillis(transactionTimeoutMillis),
                problems, dedupState, metrics,
                new LeadershipRelease(() -> context.hasServices(CamelClusterService.class), POLL_LEASE,
                        context.getExecutorServiceManager().newSingleThreadExecutor(this, "leadership-release")),
                publisher);
        return new Transactions(producer, topics, problems, dedupState, chatActivity, metrics, publisher,
                context.getExecutorServiceManager().newFixedThreadPool(this, "transactions-committed", 2));
    }

    @BindToRegistry(PIPELINE_READINESS)
    public ReadinessCheck pipelineReadiness(CamelContext context,
            @BeanInject(DEDUP_STATE) DedupState dedupState, @BeanInject(KAFKA_PROBLEMS) KafkaProblems problems,
            @BeanInject(CHAKRA_CALL_NOTIFIER) CallNotifier calls) {
        // target polls looked up when asked: Camel binds the beans with the most parameters last
        return new ReadinessCheck(() -> KafkaClientConfig.of(context), dedupState, problems, calls,
                new RouteReloads(context), () -> lease(context),
                () -> context.getRegistry().lookupByNameAndType(TARGET_POLLS, TargetPolls.class).progress());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        // before Camel starts: its management server, failing to bind, would log a stack trace and start without it
        checkManagementPort(context);
        // the state loads as Camel starts, before any route, once its topics are usable (KafkaReady); its clients close
        // after the routes stopped
        context.addService(context.getRegistry().lookupByNameAndType(DEDUP_STATE, DedupState.class));
        PipelineSettings settings = context.getRegistry().lookupByNameAndType(PIPELINE_SETTINGS, PipelineSettings.class);
        ChatActivity chatActivity = context.getRegistry().lookupByNameAndType(CHAT_ACTIVITY, ChatActivity.class);
        if (settings.discovery()) {
            context.addService(chatActivity);
        }
        context.addService(context.getRegistry().lookupByNameAndType(KAFKA_READY, KafkaReady.class));
        KafkaProblems problems = context.getRegistry().lookupByNameAndType(KAFKA_PROBLEMS, KafkaProblems.class);
        CamelClusterService cluster = null;
        if (Boolean.parseBoolean(property(context, "pipeline.lease.enabled"))) {
            // master: finds it among the context's services; with false, a cluster service declared as a bean leads
            cluster = new KafkaLeaseService(() -> KafkaClientConfig.of(context), property(context, "pipeline.name"),
                    property(context, "pipeline.lease.topic"),
                    Duration.ofMillis(Long.parseLong(property(context, "pipeline.lease.session.timeout.millis"))),
                    Duration.ofMillis(Long.parseLong(property(context, "pipeline.lease.heartbeat.millis"))), problems);
            context.addService(cluster);
        } else {
            // a cluster service ops declared as a bean (camel.beans.*): master: looks among the context's services only
            for (CamelClusterService service : context.getRegistry().findByType(CamelClusterService.class)) {
                context.addService(service);
                cluster = service;
            }
        }
        TransactionalProducer transactions = null;
        if (PipelineSettings.exactlyOnce(property(context, "pipeline.delivery"))) {
            Transactions exactlyOnce = context.getRegistry().lookupByNameAndType(TRANSACTIONS, Transactions.class);
            chatActivity.writeThrough(exactlyOnce::publishActivity);
            TransactionalProducer producer = exactlyOnce.producer();
            context.getRegistry().lookupByNameAndType(KAFKA_READY, KafkaReady.class).retryPublisherWith(producer::retryOpen);
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopped(CamelContext stopped) {
                    producer.standBy(); // the last transaction has ended, or is aborted now
                }
            });
            transactions = producer;
        }
        if (cluster != null) {
            followLeadership(cluster, context.getRegistry().lookupByNameAndType(CHAT_LISTING, ChatListing.class),
                    transactions);
        }
        context.getManagementStrategy().addEventNotifier(
                context.getRegistry().lookupByNameAndType(CHAKRA_CALL_NOTIFIER, CallNotifier.class));
        // the gauges once Camel's metrics registry exists, which is after this configuration ran; once, though the
        // listener also hears every route reload
        AtomicBoolean registered = new AtomicBoolean();
        context.addStartupListener((started, alreadyStarted) -> {
            if (registered.compareAndSet(false, true)) {
                registerGauges(started);
            }
        });
    }

    /**
     * As the lease is taken: the transactional producer opens, which fences the replica before at once (exactly once),
     * and the first List chats pass lists every chat, since the replica before may have seen changes this one did not.
     * As it is lost: the producer closes.
     */
    private static void followLeadership(CamelClusterService cluster, ChatListing listing,
            TransactionalProducer transactions)
            throws Exception {
        cluster.getView(POLL_LEASE).addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> {
            boolean leading = leader != null && leader.isLocal();
            if (leading) {
                listing.forget();
            }
            if (transactions != null && leading) {
                transactions.lead();
            } else if (transactions != null) {
                transactions.standBy();
            }
        });
    }

    private static void checkManagementPort(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!Boolean.parseBoolean(properties.resolveProperty("camel.management.enabled").orElse("false"))) {
            return;
        }
        String port = properties.resolveProperty("camel.management.port").orElse("").trim();
        try {
            ManagementPort.checkFree(properties.resolveProperty("camel.management.host").orElse("0.0.0.0"),
                    Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("pipeline.management.port", "'" + port + "' is not a port number");
        }
    }

    private static void registerGauges(CamelContext context) {
        PipelineMetrics metrics = context.getRegistry().lookupByNameAndType(PIPELINE_METRICS, PipelineMetrics.class);
        DedupState dedupState = context.getRegistry().lookupByNameAndType(DEDUP_STATE, DedupState.class);
        RouteReloads reloads = new RouteReloads(context);
        metrics.gauge("chakra.pipeline.dedup.ids", "Published message ids remembered (the dedup state)", dedupState::size);
        KafkaProblems problems = context.getRegistry().lookupByNameAndType(KAFKA_PROBLEMS, KafkaProblems.class);
        metrics.gauge("chakra.pipeline.kafka.problems", "What keeps the pipeline from publishing that only ops can mend "
                + "on the Kafka side (a topic, an ACL, a setting); each has one line in the log", problems::size);
        metrics.functionCounter("chakra.pipeline.routes.reloads", "Reloads of the routes/ files", reloads::reloads);
        metrics.gauge("chakra.pipeline.lease.leader", "1 while this replica holds the lease and polls, 0 on standby",
                () -> lease(context).map(view -> view.isLeader() ? 1 : 0).orElse(0));
        metrics.functionCounter("chakra.pipeline.lease.changes", "Times this replica took or lost the lease",
                () -> lease(context).map(KafkaLeaseView::leadershipChanges).orElse(0L));
        metrics.functionCounter("chakra.pipeline.routes.reload.failures",
                "Reloads rejected because an edited route file was broken", reloads::failures);
        TargetPolls polls = context.getRegistry().lookupByNameAndType(TARGET_POLLS, TargetPolls.class);
        ChatActivity chats = context.getRegistry().lookupByNameAndType(CHAT_ACTIVITY, ChatActivity.class);
        RequestBudget budget = context.getRegistry().lookupByNameAndType(REQUEST_BUDGET, RequestBudget.class);
        metrics.gauge("chakra.pipeline.chats.known", "Chats of the team known to discovery", chats::knownCount);
        metrics.gauge("chakra.pipeline.sweep.progress.ratio", "How far the sweep's current round over the known chats is",
                polls::sweepProgress);
        metrics.functionCounter("chakra.pipeline.sweeps", "Sweep rounds completed over every known chat",
                polls::sweepsCompleted);
        metrics.gauge("chakra.pipeline.api.budget.requests.per.second", "The request budget: calls per second to "
                + "ChakraHQ (CHAKRA_HTTP_REQUESTS_PER_SECOND)", budget::requestsPerSecond);
        metrics.gauge("chakra.pipeline.api.budget.waiting", "Calls waiting for a permit of the request budget",
                budget::waiting);
        metrics.gauge("chakra.pipeline.targets.running", "Target reads under way, in the background of the polls",
                polls::running);
        metrics.gauge("chakra.pipeline.targets.backing.off", "Targets paused after failed reads", polls::backingOff);
        metrics.gauge("chakra.pipeline.last.successful.read.timestamp.seconds", "When a target read or a List chats pass "
                + "last ended well, in epoch seconds (0 before any)", () -> polls.lastSuccessMillis() / 1000.0);
        metrics.registerAtZero(property(context, "pipeline.topic.inbound"), property(context, "pipeline.topic.outbound"),
                property(context, "pipeline.topic.dead-letter"));
    }

    /** The poll's lease on Kafka, once the poll route started; empty with another cluster service. */
    static Optional<KafkaLeaseView> lease(CamelContext context) {
        KafkaLeaseService service = context.hasService(KafkaLeaseService.class);
        return service == null ? Optional.empty() : service.lease(POLL_LEASE);
    }

    private static String property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).orElseThrow(() ->
                new InvalidSettingException(key, "it must be set"));
    }
}
