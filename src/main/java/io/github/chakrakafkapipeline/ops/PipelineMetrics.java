package io.github.chakrakafkapipeline.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
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
    private volatile MeterRegistry registry;

    /** {@code registryLookup} finds the registry that Camel's Prometheus endpoint serves, once Camel made it. */
    public PipelineMetrics(Supplier<MeterRegistry> registryLookup) {
        this.registryLookup = registryLookup;
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
        counter("chakra.pipeline.messages.published", "New messages published to Kafka (acknowledged)",
                "endpoint", operation, "topic", topic).increment(messages);
        newestPublishedTimestamp.computeIfAbsent(topic, this::freshnessGauge).accumulateAndGet(newestTimestamp, Math::max);
    }

    public void duplicates(String operation, int messages) {
        counter("chakra.pipeline.messages.duplicates", "Messages skipped because they were already published",
                "endpoint", operation).increment(messages);
    }

    public void deadLettered(String operation, String topic, int elements) {
        counter("chakra.pipeline.messages.dead.lettered", "Elements sent to the dead-letter topic",
                "endpoint", operation, "topic", topic).increment(elements);
    }

    /** One Kafka transaction ended: {@code outcome} committed or aborted. */
    public void transaction(String outcome) {
        counter("chakra.pipeline.transactions", "Kafka transactions of the exactly-once delivery, by outcome",
                "outcome", outcome).increment();
    }

    /** Another replica fenced this one's transactional producer: it took over. */
    public void fenced() {
        counter("chakra.pipeline.transactions.fenced", "Times another replica fenced this one's transactions (took over)")
                .increment();
    }

    /** One HTTP call to ChakraHQ; {@code status} is the HTTP status, or 0 when no response came. */
    public void apiCall(String operation, int status) {
        String statusClass = status == 0 ? "error" : (status / 100) + "xx";
        counter("chakra.pipeline.api.calls", "Calls to ChakraHQ by status class (error: no response)",
                "endpoint", operation, "status", statusClass).increment();
        if (status == 429) {
            counter("chakra.pipeline.api.rate.limited", "Calls ChakraHQ answered with 429", "endpoint", operation)
                    .increment();
        }
    }

    public void retry(String operation) {
        counter("chakra.pipeline.api.retries", "Calls to ChakraHQ retried after a failure", "endpoint", operation)
                .increment();
    }

    /** The time to fetch and publish the messages of one target, for one poll. */
    public void targetPolled(String operation, Duration duration) {
        Timer.builder("chakra.pipeline.target.poll.duration")
                .description("Time to fetch and publish the messages of one target in one poll")
                .tag("endpoint", operation).register(registry()).record(duration);
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
