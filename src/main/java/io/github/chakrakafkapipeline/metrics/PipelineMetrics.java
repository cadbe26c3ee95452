package io.github.chakrakafkapipeline.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The pipeline's own Prometheus metrics, all named {@code chakra_pipeline_*} and labelled {@code endpoint} by
 * operation ({@code chat-messages}, {@code phone-messages}) or topic. Never labelled by token or message content.
 */
public class PipelineMetrics {

    private final Supplier<MeterRegistry> registryLookup;
    private final Map<String, AtomicLong> newestPublishedTimestamp = new ConcurrentHashMap<>();
    private final List<Supplier<Number>> countSources = new CopyOnWriteArrayList<>();
    private final Map<String, Timer> publishLag = new ConcurrentHashMap<>();
    /** Publish lag buckets: seconds to an hour, around the once-a-minute poll. */
    private static final Duration[] LAG_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};
    private volatile MeterRegistry registry;
    private final List<Consumer<PipelineMetrics>> onStart = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();

    /** {@code registryLookup} finds the registry that Camel's Prometheus endpoint serves, once Camel made it. */
    public PipelineMetrics(Supplier<MeterRegistry> registryLookup) {
        this.registryLookup = registryLookup;
    }

    /**
     * Meters to register once Camel made its registry, which is after the configurations ran: each package's
     * configuration adds its own gauges here.
     */
    public void onStart(Consumer<PipelineMetrics> meters) {
        onStart.add(meters);
    }

    /** Registers the meters given to {@link #onStart}; once, though Camel calls it again at every route reload. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            onStart.forEach(meters -> meters.accept(this));
        }
    }

    private MeterRegistry registry() {
        MeterRegistry found = registry;
        if (found == null) {
            found = registryLookup.get();
            registry = found;
        }
        return found;
    }

    public void fetched(String operation, int messages) {
        counter("chakra.pipeline.messages.fetched", "Messages received in ChakraHQ responses", "endpoint", operation)
                .increment(messages);
    }

    /** {@code messages} published to {@code topic}, the newest of them with ChakraHQ timestamp {@code newestTimestamp}. */
    public void published(String operation, String topic, int messages, long newestTimestamp) {
        publications(operation, topic).increment(messages);
        newestPublishedTimestamp.computeIfAbsent(topic, this::freshnessGauge).accumulateAndGet(newestTimestamp, Math::max);
    }

    private Counter publications(String operation, String topic) {
        return counter("chakra.pipeline.messages.published", "New messages published to Kafka (acknowledged)",
                "endpoint", operation, "topic", topic);
    }

    public void duplicates(String operation, int messages) {
        counter("chakra.pipeline.messages.duplicates", "Messages skipped because they were already published",
                "endpoint", operation).increment(messages);
    }

    public void deadLettered(String operation, String topic, int elements) {
        counter("chakra.pipeline.messages.dead.lettered", "Elements sent to the dead-letter topic",
                "endpoint", operation, "topic", topic).increment(elements);
    }

    /** A call to ChakraHQ (a retry too) took a permit of the request budget. */
    public void budgetPermit(String operation) {
        budgetPermit(operation, 1);
    }

    /** A 429 paused every call to ChakraHQ. */
    public void budgetPaused() {
        budgetPauses().increment();
    }

    private Counter budgetPauses() {
        return counter("chakra.pipeline.api.budget.pauses", "Times a 429 paused every call to ChakraHQ for its Retry-After");
    }

    /** A poll reads {@code chats} chats for this reason: changed, listed or sweep. */
    public void chatReads(String reason, int chats) {
        counter("chakra.pipeline.chat.reads", "Chats read, by why: changed (List chats), listed (CHAKRA_CHAT_IDS), sweep",
                "reason", reason).increment(chats);
    }

    /** A List chats answer broke one of discovery's assumptions (logged once per kind). */
    public void chatListProblem(String problem) {
        chatListProblems(problem).increment();
    }

    private Counter chatListProblems(String problem) {
        return counter("chakra.pipeline.chat.list.problems", "List chats answers or chats that discovery could not use, "
                + "by problem", "problem", problem);
    }

    /** ChakraHQ refused the API token (401, 403). */
    public void tokenRejected() {
        tokenRejections().increment();
    }

    private Counter tokenRejections() {
        return counter("chakra.pipeline.api.token.rejected", "Calls ChakraHQ refused for the token (HTTP 401 or 403)");
    }

    /** Kafka did not take (all of) a response's records: they are read again next poll. */
    public void publishFailed(String operation) {
        publishFailures(operation).increment();
    }

    private Counter publishFailures(String operation) {
        return counter("chakra.pipeline.publish.failures", "Responses whose records Kafka did not all take (read again "
                + "next poll)", "endpoint", operation);
    }

    /**
     * The timer of the publish lag to a topic: from a message's {@code timestamp} (ChakraHQ's clock) to Kafka's
     * acknowledgement (this host's clock), so it mixes two clocks.
     */
    public Timer publishLag(String topic) {
        return publishLag.computeIfAbsent(topic, name -> Timer.builder("chakra.pipeline.publish.lag")
                .description("From a message's timestamp (ChakraHQ's clock) to Kafka's acknowledgement (this host's)")
                .tag("topic", name)
                .serviceLevelObjectives(LAG_BUCKETS)
                .register(registry()));
    }

    /**
     * The counters alerts and dashboards use, at zero from the start: a series that only appears at its first event
     * would leave an alert on it silent, and a dashboard empty.
     */
    public void registerAtZero(String inboundTopic, String outboundTopic, String deadLetterTopic) {
        for (String operation : List.of("chat-messages", "phone-messages", "chat-list")) {
            for (String status : List.of("2xx", "4xx", "5xx", "error")) {
                apiCalls(operation, status);
            }
            rateLimited(operation);
            retries(operation);
            budgetPermit(operation, 0);
        }
        for (String operation : List.of("chat-messages", "phone-messages")) {
            fetched(operation, 0);
            duplicates(operation, 0);
            deadLettered(operation, deadLetterTopic, 0);
            publishFailures(operation);
            for (String topic : List.of(inboundTopic, outboundTopic)) {
                publications(operation, topic);
            }
        }
        for (String reason : List.of("changed", "listed", "sweep")) {
            chatReads(reason, 0);
        }
        for (String problem : List.of("not-envelope", "no-id", "invalid-id", "no-activity", "unordered", "max-pages")) {
            chatListProblems(problem);
        }
        budgetPauses();
        tokenRejections();
        for (String outcome : List.of("committed", "aborted")) {
            transactions(outcome);
        }
        fencings();
        for (String topic : List.of(inboundTopic, outboundTopic)) {
            publishLag(topic);
            newestPublishedTimestamp.computeIfAbsent(topic, this::freshnessGauge);
        }
        for (String operation : List.of("chat-messages", "phone-messages")) {
            targetPollDuration(operation);
        }
    }

    private void budgetPermit(String operation, int permits) {
        counter("chakra.pipeline.api.budget.permits", "Permits of the request budget taken: calls to ChakraHQ, retries "
                + "included", "endpoint", operation).increment(permits);
    }

    /** One Kafka transaction ended: {@code outcome} committed or aborted. */
    public void transaction(String outcome) {
        transactions(outcome).increment();
    }

    private Counter transactions(String outcome) {
        return counter("chakra.pipeline.transactions", "Kafka transactions of the exactly-once delivery, by outcome",
                "outcome", outcome);
    }

    /** Another replica fenced this one's transactional producer: it took over. */
    public void fenced() {
        fencings().increment();
    }

    private Counter fencings() {
        return counter("chakra.pipeline.transactions.fenced", "Times another replica fenced this one's transactions (took "
                + "over)");
    }

    /** One HTTP call to ChakraHQ; {@code status} is the HTTP status, or 0 when no response came. */
    public void apiCall(String operation, int status) {
        apiCalls(operation, status == 0 ? "error" : (status / 100) + "xx").increment();
        if (status == 429) {
            rateLimited(operation).increment();
        }
    }

    private Counter apiCalls(String operation, String statusClass) {
        return counter("chakra.pipeline.api.calls", "Calls to ChakraHQ by status class (error: no response)",
                "endpoint", operation, "status", statusClass);
    }

    private Counter rateLimited(String operation) {
        return counter("chakra.pipeline.api.rate.limited", "Calls ChakraHQ answered with 429", "endpoint", operation);
    }

    public void retry(String operation) {
        retries(operation).increment();
    }

    private Counter retries(String operation) {
        return counter("chakra.pipeline.api.retries", "Calls to ChakraHQ retried after a failure", "endpoint", operation);
    }

    /** The time to fetch and publish the messages of one target, for one poll. */
    public void targetPolled(String operation, Duration duration) {
        targetPollDuration(operation).record(duration);
    }

    private Timer targetPollDuration(String operation) {
        return Timer.builder("chakra.pipeline.target.poll.duration")
                .description("Time to fetch and publish the messages of one target in one poll")
                .tag("endpoint", operation).register(registry());
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(registry());
    }

    public void functionCounter(String name, String description, Supplier<Number> total) {
        countSources.add(total); // Micrometer holds the source weakly; this keeps it for the process' life
        FunctionCounter.builder(name, total, t -> t.get().doubleValue()).description(description).register(registry());
    }

    private AtomicLong freshnessGauge(String topic) {
        AtomicLong newest = new AtomicLong(Long.MIN_VALUE);
        Gauge.builder("chakra.pipeline.newest.published.age.seconds", newest,
                        n -> n.get() == Long.MIN_VALUE ? Double.NaN : (System.currentTimeMillis() - n.get()) / 1000.0)
                .description("Age of the newest message published to the topic, from its ChakraHQ timestamp")
                .tag("topic", topic).register(registry());
        return newest;
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry());
    }
}
