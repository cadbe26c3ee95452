package io.github.chakrakafkapipeline.benchmark;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

import io.github.chakrakafkapipeline.PipelineApplication;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Part 3 of the benchmark: the dedup state. For each size (100 k and 1 M remembered externalIds by default), fills a
 * fresh compacted topic the way the pipeline did before it kept windows (key = externalId, value "published"; an
 * upgraded topic still holds such records), then, per repetition,
 * <ul>
 * <li>starts {@link DedupState} on it alone: the time until it is started (ready), and the heap it
 * retains per id (heap used after full GCs, before and after);</li>
 * <li>starts the whole pipeline on it, as a restart would: the time {@code Main.start()} takes until the routes run;
 * and once on an empty dedup topic, for comparison.</li>
 * </ul>
 */
final class DedupBenchmark {

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    /**
     * A quartz cron that never fires during the benchmark, and one chat the simulator answers empty: a restart polls at
     * once as it takes the lease (PollAtOnce), as a real one does, but publishes nothing into the state it measures.
     */
    private static final String NEVER = "0 0 0 1 1 ? 2099";
    private static final List<String> EMPTY_CHAT = List.of("bench-restart-empty-chat");

    private final Benchmark bench;

    DedupBenchmark(Benchmark bench) {
        this.bench = bench;
    }

    void run() throws Exception {
        Benchmark.Options options = bench.options();
        Report report = bench.report();
        int largest = options.dedupSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        Benchmark.say("== Dedup state");
        for (int rep = 1; rep <= options.repetitions; rep++) {
            long[] millis = pipelineStartMillis(null);
            report.restarts.add(new Report.Restart(0, rep, millis[0], millis[1]));
        }
        for (int size : options.dedupSizes) {
            String topic = "bench.dedup." + size + "." + System.currentTimeMillis();
            bench.probe().createCompactedTopic(topic);
            fill(topic, size);
            try {
                for (int rep = 1; rep <= options.repetitions; rep++) {
                    boolean histogram = rep == options.repetitions && size == largest;
                    Map<String, long[]> before = histogram ? histogram() : null;
                    long heapBefore = JvmMeter.retainedHeapBytes();
                    DedupState repository = Benchmark.repository(topic, bench.bootstrapServers());
                    long started = System.nanoTime();
                    repository.start();
                    repository.load(); // as KafkaReady does once the topics are usable
                    long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    if (repository.size() != size) {
                        throw new IllegalStateException("The repository loaded " + repository.size() + " of " + size);
                    }
                    long heapAfter = JvmMeter.retainedHeapBytes();
                    if (histogram) {
                        report.histogram = difference(before, histogram(), size);
                        report.histogramIds = size;
                    }
                    repository.stop();
                    double bytesPerId = (heapAfter - heapBefore) / (double) size;
                    report.dedups.add(new Report.Dedup(size, rep, readyMillis, bytesPerId));
                    long[] pipelineMillis = pipelineStartMillis(topic);
                    report.restarts.add(new Report.Restart(size, rep, pipelineMillis[0], pipelineMillis[1]));
                    Benchmark.say("  %,d ids: repository ready in %d ms, %.1f bytes per id; pipeline started in"
                            + " %d ms, ready in %d ms", size, readyMillis, bytesPerId, pipelineMillis[0],
                            pipelineMillis[1]);
                }
            } finally {
                bench.probe().deleteTopics(List.of(topic));
            }
        }
    }

    /** Writes {@code size} distinct externalIds to the dedup topic, as the pipeline's repository records them. */
    void fill(String topic, int size) throws InterruptedException {
        AtomicLong failed = new AtomicLong();
        try (Producer<String, String> producer = new KafkaProducer<>(
                Benchmark.dedupProducerConfig(bench.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            java.util.Random random = new java.util.Random(Benchmark.SEED + size);
            for (int i = 0; i < size; i++) {
                producer.send(new ProducerRecord<>(topic, Corpus.externalId(random), "published"), (m, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " ids could not be written to " + topic);
        }
        bench.probe().awaitCount(List.of(topic), size, Duration.ofMinutes(2 + size / 2_000_000));
    }

    /**
     * The whole pipeline's start on this dedup topic, as a restart: from {@code Main.start()} until it returns with
     * the routes running, and until the readiness endpoint ({@code /observe/health/ready} on the management port)
     * answers 200, when the pipeline has one (-1 when it has none).
     */
    long[] pipelineStartMillis(String dedupTopic) throws Exception {
        Topics topics = bench.freshTopics("restart");
        if (dedupTopic != null) {
            topics = new Topics(topics.inbound(), topics.outbound(), topics.deadLetter(), dedupTopic,
                    topics.chatActivity());
        }
        Main main = PipelineApplication.newMain();
        Map<String, String> overrides = bench.pipelineOverrides(topics, EMPTY_CHAT, NEVER);
        overrides.forEach(main::addOverrideProperty);
        try {
            long started = System.nanoTime();
            main.start();
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                throw new IllegalStateException("The pipeline did not start; see target/benchmark/pipeline.log");
            }
            long ready = awaitReady(overrides.get("camel.management.port"), started);
            return new long[] {startMillis, ready};
        } finally {
            main.stop();
            List<String> created = new ArrayList<>(topics.messages());
            if (dedupTopic == null) {
                created.add(topics.dedup());
            }
            bench.probe().deleteTopics(created);
        }
    }

    /** Milliseconds from {@code started} until the readiness endpoint answers 200; -1 when there is none. */
    private static long awaitReady(String port, long started) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        int readiness = await("the restarted pipeline's readiness").atMost(Duration.ofSeconds(60)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> readiness(http, request, started), answer -> answer != 0);
        return readiness == 200 ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) : -1;
    }

    /** 200 when ready, -1 when there is no readiness endpoint (404, or no management port at all), 0 not yet. */
    private static int readiness(java.net.http.HttpClient http, java.net.http.HttpRequest request, long started)
            throws InterruptedException {
        try {
            int status = http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? 200 : status == 404 ? -1 : 0;
        } catch (java.io.IOException notListening) {
            return System.nanoTime() - started > TimeUnit.SECONDS.toNanos(10) ? -1 : 0;
        }
    }

    /** The live objects per class (instances, bytes), after a full GC: the JVM's GC.class_histogram. */
    private static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {null}, new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.matches()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
        }
        return classes;
    }

    /** The classes that grew the most, with instances and bytes per remembered id. */
    private static List<Report.HistogramRow> difference(Map<String, long[]> before, Map<String, long[]> after,
            int ids) {
        List<Report.HistogramRow> rows = new ArrayList<>();
        after.forEach((type, counts) -> {
            long[] was = before.getOrDefault(type, new long[2]);
            long bytes = counts[1] - was[1];
            if (bytes > 0) {
                rows.add(new Report.HistogramRow(type, (counts[0] - was[0]) / (double) ids, bytes / (double) ids));
            }
        });
        rows.sort((x, y) -> Double.compare(y.bytesPerId(), x.bytesPerId()));
        return rows.subList(0, Math.min(6, rows.size()));
    }
}
