package io.github.chakrakafkapipeline.benchmark;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.github.chakrakafkapipeline.PipelineApplication;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.poll.TargetPolls;
import io.github.chakrakafkapipeline.testsupport.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark of issue 5: one run, on one machine, against a real Kafka broker and a local ChakraHQ simulator that
 * serves C chats of M messages (~0.7 KB each). It measures side by side
 * <ol>
 * <li>backfill throughput (all C x M messages, from the first HTTP request the simulator receives to the broker's
 * append of the last record) of (a) the pipeline as shipped (exactly-once), (b) a hand-written poller, (c) the raw
 * producer and (d) the pipeline with {@code pipeline.delivery=at-least-once};</li>
 * <li>the steady state: a full poll cycle of the pipeline over the C chats when nothing is new, against the same HTTP
 * calls alone;</li>
 * <li>the dedup state: heap per remembered externalId and the time a restart needs, at 100 k and 1 M ids;</li>
 * <li>failover: two replicas of the packaged jar, the leader killed with SIGKILL, until the other publishes
 * ({@link FailoverBenchmark});</li>
 * <li>discovery: a team of 10,000 chats, 1 % of them changing per poll, read under a budget of 10 requests a second
 * by the pipeline with List chats and by the pipeline reading every chat ({@link DiscoveryBenchmark});</li>
 * </ol>
 * and writes {@code docs/benchmarks.md} and {@code docs/benchmark-throughput.png}. Run it with {@code bench/run}
 * (from the repository root: the pipeline reads {@code config/} and {@code routes/} there).
 */
public final class Benchmark {

    static final long SEED = 20_251_105L;
    static final String A = "(a) pipeline (exactly-once)";
    static final String B = "(b) hand-written";
    static final String C = "(c) raw producer";
    static final String D = "(d) pipeline (at-least-once)";

    private final Options options;
    private final PrintStream out;
    private final Path workDir;
    private final String bootstrapServers;
    private final String baseUrl;
    private final KafkaProbe probe;
    private final List<String> chatIds = new ArrayList<>();
    private final List<Corpus.Message> messages = new ArrayList<>();
    private final HttpClient control = HttpClient.newHttpClient();
    private final int concurrency;
    private final Report report;
    private int runNumber;
    private Map<String, Corpus.Message> byExternalId;

    private Benchmark(Options options, PrintStream out, Path workDir, String bootstrapServers, String baseUrl,
            Report report) throws IOException {
        this.options = options;
        this.out = out;
        this.workDir = workDir;
        this.bootstrapServers = bootstrapServers;
        this.baseUrl = baseUrl;
        this.probe = new KafkaProbe(bootstrapServers);
        this.report = report;
        Corpus.generate(options.chats, options.messagesPerChat, SEED, (index, chatId, oldestFirst) -> {
            chatIds.add(chatId);
            messages.addAll(oldestFirst);
        });
        this.concurrency = Integer.parseInt(shippedSetting("chakra.http.concurrency"));
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "bench/log4j2.properties");
        }
        Options options = Options.parse(args);
        Path workDir = Path.of("target", "benchmark");
        Files.createDirectories(workDir);
        System.setProperty("bench.log", workDir.resolve("pipeline.log").toString());
        PrintStream out = System.out;
        Report report = new Report(options, Machine.describe());
        out.printf("Benchmark: C=%d chats x M=%d messages = %d messages, %d repetitions; logs in %s%n",
                options.chats, options.messagesPerChat, options.messages(), options.repetitions, workDir);
        Process infra = startInfra(options, workDir);
        int status = 0;
        try {
            String[] ready = awaitReady(infra, workDir.resolve("infra.log"));
            Benchmark benchmark = new Benchmark(options, out, workDir, ready[0], ready[1], report);
            report.averageMessageBytes = benchmark.messages.stream().mapToLong(m -> m.json().length()).average()
                    .orElse(0);
            report.answerBytes = Long.parseLong(ready[2]);
            benchmark.runAll();
            report.loadAfter = Machine.loadAverage();
            Path markdown = Path.of(options.outDir, options.large ? "benchmarks-large.md" : "benchmarks.md");
            Path chart = Path.of(options.outDir,
                    options.large ? "benchmark-throughput-large.png" : "benchmark-throughput.png");
            report.write(markdown, chart);
            out.println("\nWrote " + markdown + " and " + chart);
            out.println(Files.readString(markdown));
        } catch (Exception e) {
            e.printStackTrace(out);
            status = 1;
        } finally {
            infra.getOutputStream().close(); // the infra JVM stops when its input closes
            if (!infra.waitFor(30, TimeUnit.SECONDS)) {
                infra.destroyForcibly();
            }
        }
        System.exit(status);
    }

    private void runAll() throws Exception {
        if (options.warmup) {
            // a full-size round, so that every contender runs JIT-compiled, as a long-running service does; a
            // smaller one left the first repetition of each contender up to twice as slow as the later ones
            say("== Warm-up (not counted): each contender on all %d chats", options.chats);
            runPipeline(A, 0, options.chats, 2, false);
            runHandWritten(0, options.chats, 2);
            runRawProducer(0, options.chats);
            runPipeline(D, 0, options.chats, 0, false);
        }
        if (options.profile) {
            say("== Profiled run of the pipeline (not counted: the recording costs time)");
            runPipeline(A, 0, options.chats, options.cycles, true);
        }
        for (int rep = 1; rep <= options.repetitions; rep++) {
            say("== Repetition %d of %d", rep, options.repetitions);
            List<String> order = rotate(List.of(A, B, C, D), rep - 1);
            for (String contender : order) {
                if (!options.only.isEmpty() && !options.only.contains(contender.substring(1, 2))) {
                    continue;
                }
                switch (contender) {
                    case A -> runPipeline(A, rep, options.chats, options.cycles, false);
                    case B -> runHandWritten(rep, options.chats, options.cycles);
                    case C -> runRawProducer(rep, options.chats);
                    default -> runPipeline(D, rep, options.chats, 0, false);
                }
            }
        }
        if (options.dedup) {
            messages.clear(); // the corpus must not sit in the heap that the dedup state is weighed in
            DedupBenchmark dedup = new DedupBenchmark(this);
            dedup.run();
            if (options.year) {
                new YearBenchmark(this, dedup).run();
            }
        }
        if (options.failover) {
            new FailoverBenchmark(this).run();
        }
        if (options.discovery) {
            new DiscoveryBenchmark(this).run();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (a) the pipeline as shipped, and (d) the same with at-least-once delivery

    /**
     * A backfill of the pipeline, then (for (a) only, with {@code cycles} above 0) the steady-state cycles: they
     * publish nothing, so the delivery setting plays no part in them.
     */
    private void runPipeline(String contender, int rep, int chats, int cycles, boolean profile) throws Exception {
        boolean atLeastOnce = contender.equals(D);
        Topics topics = freshTopics(atLeastOnce ? "d" : "a");
        long expected = (long) chats * options.messagesPerChat;
        resetSimulator();
        Map<String, String> overrides = pipelineOverrides(topics, chatIds.subList(0, chats), "* * * * * ?");
        if (atLeastOnce) {
            overrides.put("pipeline.delivery", "at-least-once"); // the one setting in which (d) differs from (a)
        }
        long bootStart = System.nanoTime();
        Main main = PipelineApplication.newMain();
        overrides.forEach(main::addOverrideProperty);
        Recording recording = profile ? startRecording() : null;
        WallClockSampler sampler = profile ? new WallClockSampler(Benchmark::pipelineThreadGroup, 5) : null;
        try {
            main.start();
            CamelContext context = main.getCamelContext();
            if (context == null || !context.isStarted()) {
                throw new IllegalStateException("The pipeline did not start; see " + workDir.resolve("pipeline.log"));
            }
            long bootMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bootStart);
            long cpuBefore = JvmMeter.processCpuNanos();
            awaitPublished(context, expected, backfillTimeout(expected));
            long cpu = JvmMeter.processCpuNanos() - cpuBefore;
            List<ProducerMetrics.Row> producers = ProducerMetrics.snapshot();
            if (profile) {
                sampler.close();
                Files.writeString(workDir.resolve("profile-a-backfill-wallclock.txt"),
                        sampler.summary("the pipeline's chakra-calls threads during backfill"));
                dumpRecording(recording, "profile-a-backfill", ".*");
                recording = null;
            }
            Backfill backfill = backfill(contender, rep, topics, expected, cpu);
            backfill.bootMillis = bootMillis;
            backfill.producers = producers;
            if (cycles == 0) {
                if (rep > 0) {
                    report.backfills.add(backfill);
                }
                say("  %s: %,.0f msg/s (%.2f s, boot %d ms)%n", contender, backfill.throughput(), backfill.seconds,
                        bootMillis);
                return;
            }
            // the cron goes on polling: pause it and let the poll in flight finish, so that the cycles measured
            // below are the only ones running. (Stopping the route instead would go through Camel's shutdown
            // strategy, which forces a shutdown of the whole context when a slow poll outlasts its timeout.)
            pauseCron(context);
            ProducerTemplate template = context.createProducerTemplate();
            // the offsets taken, records and transaction markers alike: backfill() counted the records, and the cycles
            // must append nothing at all, not even an empty transaction
            long offsets = probe.count(topics.messages());
            // one poll's reads, as messages-poll starts them (on the chakraCalls threads), but waited for
            TargetPolls polls = context.getRegistry().lookupByNameAndType("targetPolls", TargetPolls.class);
            ExecutorService calls = context.getRegistry().lookupByNameAndType("chakraCalls", ExecutorService.class);
            List<Cycle> steady = measureCycles(cycles, profile ? "profile-a-steady" : null, () -> {
                List<Future<?>> reads = new ArrayList<>();
                for (TargetPoll poll : polls.due()) {
                    reads.add(calls.submit(() -> template.sendBody("direct:" + poll.getOperation() + "-poll", poll)));
                }
                for (Future<?> read : reads) {
                    read.get();
                }
            });
            long after = probe.count(topics.messages());
            if (after != offsets) {
                throw new IllegalStateException("The pipeline appended " + (after - offsets)
                        + " records or markers in the steady-state cycles, with nothing new to publish");
            }
            if (rep > 0) {
                report.backfills.add(backfill);
                report.steady.computeIfAbsent(contender, k -> new ArrayList<>()).add(Cycle.median(steady));
                measureHttpOnly(rep, chats, cycles);
            }
            say("  %s: %,.0f msg/s (%.2f s, boot %d ms); steady cycle %.0f ms wall, %.3f ms CPU/target%n",
                    contender, backfill.throughput(), backfill.seconds, bootMillis, Cycle.median(steady).wallMillis(),
                    Cycle.median(steady).cpuMillisPerTarget(chats));
        } finally {
            if (recording != null) {
                recording.close();
            }
            if (sampler != null) {
                sampler.close();
            }
            main.stop();
            probe.deleteTopics(topics.all());
        }
    }

    private static final java.util.Set<String> JVM_THREADS = java.util.Set.of("Reference Handler", "Finalizer",
            "Signal Dispatcher", "Common-Cleaner", "Attach Listener", "Notification Thread", "wall-clock-sampler",
            "infra-log", "main", "DestroyJavaVM");

    /**
     * The group of a thread for the wall-clock profile: its name without numbers and topic names, so that the ten
     * threads of one pool count together; null for the JVM's own threads and the benchmark's.
     */
    private static String pipelineThreadGroup(String name) {
        if (JVM_THREADS.contains(name) || name.startsWith("JFR") || name.startsWith("kafka-admin-client")
                || name.startsWith("HttpClient")) {
            return null;
        }
        return name.replaceFirst("^Camel \\(.*?\\) thread #\\d+ - ", "").replaceAll("\\[.*\\]", "[topic]")
                .replaceAll("\\d+", "N");
    }

    Map<String, String> pipelineOverrides(Topics topics, List<String> chats, String cron) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("chakra.api.base.url", baseUrl);
        overrides.put("chakra.api.token", Corpus.TOKEN);
        overrides.put("chakra.chat.ids", String.join(",", chats));
        overrides.put("chakra.phone.numbers", "");
        overrides.put("pipeline.poll.cron", cron);
        // the backfill and the steady state measure the pipeline's own cost against a poller with no rate limit: the
        // request budget is lifted (the discovery section sets its own)
        overrides.put("chakra.http.requests.per.second", "1000000");
        overrides.put("kafka.bootstrap.servers", bootstrapServers);
        overrides.putAll(topics.settings());
        // the management port (health, metrics) stays on, on a free port: other JVMs may hold the default one
        String port = String.valueOf(freePort());
        overrides.put("pipeline.management.port", port);
        overrides.put("camel.management.port", port);
        return overrides;
    }

    /**
     * Waits, checking every 50 ms, until the pipeline has published {@code expected} messages by its own count
     * ({@code chakra.pipeline.messages.published}, which it adds to once Kafka acknowledged a response's records, or
     * committed their transaction). Asked in this JVM, it costs the pipeline nothing: counting the topics instead
     * would take reading every record as a read_committed consumer (the end offsets count the transaction markers
     * too; see KafkaProbe), CPU taken from the pipeline as it runs. Only when to look comes from the pipeline: the
     * figures come from the broker, and backfill() counts the records on the topics.
     */
    private static void awaitPublished(CamelContext context, long expected, Duration timeout) {
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(context.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        if (registry == null) {
            throw new IllegalStateException("The pipeline has no metrics registry (camel.metrics.enabled)");
        }
        await("the pipeline's count of published messages").atMost(timeout).pollInSameThread()
                .pollInterval(Duration.ofMillis(50))
                .until(() -> registry.find("chakra.pipeline.messages.published").counters().stream()
                        .mapToDouble(Counter::count).sum() >= expected);
    }

    private static void pauseCron(CamelContext context) throws Exception {
        context.getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler()
                .standby();
        long started = System.nanoTime();
        int inflight = context.getInflightRepository().size("messages-poll");
        await("the poll in flight to end").atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> context.getInflightRepository().size("messages-poll") == 0);
        say("  cron paused; %d poll(s) in flight, waited %d ms for it to end", inflight,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The same HTTP calls as one cycle and nothing else, with the JDK client and with Apache HttpClient 5. */
    private void measureHttpOnly(int rep, int chats, int cycles) throws Exception {
        try (HandWrittenPoller jdk = new HandWrittenPoller(baseUrl, Corpus.TOKEN, chatIds.subList(0, chats),
                concurrency, null, null, null)) {
            report.steady.computeIfAbsent(Report.HTTP_JDK, k -> new ArrayList<>())
                    .add(Cycle.median(measureCycles(cycles, null, jdk::fetchOnly)));
        }
        try (ApacheHttpFetcher apache = new ApacheHttpFetcher(baseUrl, Corpus.TOKEN, chatIds.subList(0, chats),
                concurrency)) {
            report.steady.computeIfAbsent(Report.HTTP_APACHE, k -> new ArrayList<>())
                    .add(Cycle.median(measureCycles(cycles, null, apache::fetchOnly)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (b) the hand-written poller

    private void runHandWritten(int rep, int chats, int cycles) throws Exception {
        Topics topics = freshTopics("b");
        long expected = (long) chats * options.messagesPerChat;
        resetSimulator();
        try (HandWrittenPoller poller = new HandWrittenPoller(baseUrl, Corpus.TOKEN, chatIds.subList(0, chats),
                concurrency, bootstrapServers, topics.inbound(), topics.outbound())) {
            long cpuBefore = JvmMeter.processCpuNanos();
            poller.poll();
            long cpu = JvmMeter.processCpuNanos() - cpuBefore;
            probe.awaitCount(topics.messages(), expected, Duration.ofMinutes(2));
            Backfill backfill = backfill(B, rep, topics, expected, cpu);
            backfill.producers = ProducerMetrics.snapshot();
            List<Cycle> steady = measureCycles(cycles, null, poller::poll);
            if (probe.count(topics.messages()) != expected || poller.published.get() != expected) {
                throw new IllegalStateException("The hand-written poller published " + poller.published.get()
                        + " records instead of " + expected);
            }
            if (rep > 0) {
                report.backfills.add(backfill);
                report.steady.computeIfAbsent(B, k -> new ArrayList<>()).add(Cycle.median(steady));
            }
            say("  %s: %,.0f msg/s (%.2f s); steady cycle %.0f ms wall, %.3f ms CPU/target%n", B,
                    backfill.throughput(), backfill.seconds, Cycle.median(steady).wallMillis(),
                    Cycle.median(steady).cpuMillisPerTarget(chats));
        } finally {
            probe.deleteTopics(topics.all());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (c) the raw producer

    private void runRawProducer(int rep, int chats) throws Exception {
        Topics topics = freshTopics("c");
        int count = chats * options.messagesPerChat;
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(count);
        for (Corpus.Message message : messages.subList(0, count)) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                    "INBOUND".equals(message.direction()) ? topics.inbound() : topics.outbound(), message.chat(),
                    message.json().getBytes(StandardCharsets.UTF_8));
            record.headers()
                    .add("chakra.externalId", message.externalId().getBytes(StandardCharsets.UTF_8))
                    .add("chakra.direction", message.direction().getBytes(StandardCharsets.UTF_8))
                    .add("chakra.sourceEndpoint", "chat-messages".getBytes(StandardCharsets.UTF_8))
                    .add("chakra.polledTarget", message.chat().getBytes(StandardCharsets.UTF_8));
            records.add(record);
        }
        AtomicLong failed = new AtomicLong();
        try (Producer<String, byte[]> producer = new KafkaProducer<>(
                HandWrittenPoller.producerConfig(bootstrapServers, 5), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.partitionsFor(topics.inbound()); // metadata first, like the others, whose first call warms it
            producer.partitionsFor(topics.outbound());
            long startMicros = ChakraSimulator.nowMicros();
            long cpuBefore = JvmMeter.processCpuNanos();
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
            long cpu = JvmMeter.processCpuNanos() - cpuBefore;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " records were not acknowledged");
            }
            probe.awaitCount(topics.messages(), count, Duration.ofMinutes(2));
            Backfill backfill = new Backfill(C, rep, count,
                    (probe.lastAppendMillis(topics.messages()) * 1000.0 - startMicros) / 1e6, cpu);
            verifyRecord(C, topics);
            backfill.producers = ProducerMetrics.snapshot();
            if (rep > 0) {
                report.backfills.add(backfill);
            }
            say("  %s: %,.0f msg/s (%.2f s)%n", C, backfill.throughput(), backfill.seconds);
        } finally {
            probe.deleteTopics(topics.all());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Checks a backfill and takes its time. The records are counted by reading them all with read_committed, as a
     * downstream consumer would, not by the end offsets: (a) writes in transactions, and each transaction adds a
     * marker to every partition it wrote to, which takes an offset but is no record, so the end offsets over-count (and
     * a transaction aborted and done again would leave records that no read_committed consumer sees). The newest
     * record's append time is taken in the same read: a transactional partition ends with a marker, not a record.
     */
    private Backfill backfill(String contender, int rep, Topics topics, long expected, long cpuNanos)
            throws IOException, InterruptedException {
        long[] stats = simulatorStats();
        probe.awaitSettled(topics.messages(), Duration.ofSeconds(30));
        KafkaProbe.Tally tally = probe.tally(topics.messages());
        if (tally.records() != expected) {
            throw new IllegalStateException(contender + " wrote " + tally.records() + " records instead of " + expected
                    + " (read_committed)");
        }
        if (probe.tally(List.of(topics.deadLetter())).records() != 0) {
            throw new IllegalStateException(contender + " dead-lettered messages");
        }
        double seconds = (tally.lastAppendMillis() * 1000.0 - stats[1]) / 1e6;
        verifyRecord(contender, topics);
        return new Backfill(contender, rep, expected, seconds, cpuNanos);
    }

    /** Checks one record against the corpus: the same key and value, whoever wrote it; notes its header names. */
    private void verifyRecord(String contender, Topics topics) {
        if (byExternalId == null) {
            byExternalId = new HashMap<>(messages.size() * 2);
            messages.forEach(m -> byExternalId.put(m.externalId(), m));
        }
        ConsumerRecord<byte[], byte[]> record = probe.first(topics.inbound());
        Header id = record == null ? null : record.headers().lastHeader("chakra.externalId");
        Corpus.Message message = id == null ? null : byExternalId.get(new String(id.value(), StandardCharsets.UTF_8));
        if (message == null || !message.json().equals(new String(record.value(), StandardCharsets.UTF_8))
                || !message.chat().equals(new String(record.key(), StandardCharsets.UTF_8))) {
            throw new IllegalStateException(contender + " wrote a record that is not the API's message: " + record);
        }
        List<String> headers = new ArrayList<>();
        record.headers().forEach(h -> headers.add(h.key()));
        report.recordHeaders.put(contender, headers);
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Runs {@code cycles} measured cycles after two unmeasured ones, each with its wall time, CPU and allocations. */
    private List<Cycle> measureCycles(int cycles, String profileName, Work cycle) throws Exception {
        for (int i = 0; i < 2; i++) {
            cycle.run();
        }
        Recording recording = profileName == null ? null : startRecording();
        List<Cycle> measured = new ArrayList<>();
        long requestsBefore = simulatorStats()[0];
        for (int i = 0; i < cycles; i++) {
            JvmMeter.Reading before = JvmMeter.read();
            cycle.run();
            JvmMeter.Reading spent = JvmMeter.read().minus(before);
            measured.add(new Cycle(spent.wallNanos(), spent.cpuNanos(), spent.allocatedBytes()));
        }
        long requests = simulatorStats()[0] - requestsBefore;
        if (recording != null) {
            dumpRecording(recording, profileName, ".*");
        }
        measured.forEach(c -> c.requests = requests / cycles);
        return measured;
    }

    private Recording startRecording() throws IOException, java.text.ParseException {
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.start();
        return recording;
    }

    private void dumpRecording(Recording recording, String name, String threads) throws IOException {
        recording.stop();
        Path file = workDir.resolve(name + ".jfr");
        recording.dump(file);
        recording.close();
        ProfileSummary.write(file, threads, workDir.resolve(name + ".txt"));
        say("  profile: %s (summary %s)", file, workDir.resolve(name + ".txt"));
    }

    Topics freshTopics(String contender) throws Exception {
        String prefix = "bench." + (++runNumber) + "." + contender + ".";
        Topics topics = new Topics(prefix + "messages.inbound", prefix + "messages.outbound",
                prefix + "messages.dead-letter", prefix + "published-ids", prefix + "chat-activity");
        probe.createMessageTopics(topics.messages());
        return topics;
    }

    private Duration backfillTimeout(long messages) {
        return Duration.ofSeconds(Math.max(300, messages / 100));
    }

    void resetSimulator() throws IOException, InterruptedException {
        control.send(HttpRequest.newBuilder(URI.create(baseUrl + "/bench/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** requests, first request (epoch micros), last answer (epoch micros). */
    long[] simulatorStats() throws IOException, InterruptedException {
        String stats = control.send(HttpRequest.newBuilder(URI.create(baseUrl + "/bench/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Arrays.stream(stats.trim().split(" ")).mapToLong(Long::parseLong).toArray();
    }

    static String shippedSetting(String key) throws IOException {
        return Files.readAllLines(Path.of("config", "application.properties")).stream()
                .filter(line -> line.startsWith(key + "=")).map(line -> line.substring(key.length() + 1).trim())
                .findFirst().orElseThrow(() -> new IllegalStateException(key + " is not in the shipped config"));
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final long STARTED = System.nanoTime();

    /** One line of progress, with the seconds since the start. */
    static void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args).stripTrailing();
        System.out.printf(Locale.ROOT, "[%5ds] %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED), line);
    }

    private static <T> List<T> rotate(List<T> items, int by) {
        List<T> rotated = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rotated.add(items.get((i + by) % items.size()));
        }
        return rotated;
    }

    // accessors for DedupBenchmark
    Options options() {
        return options;
    }

    Report report() {
        return report;
    }

    KafkaProbe probe() {
        return probe;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    List<String> chatIds() {
        return chatIds;
    }

    Path workDir() {
        return workDir;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the infrastructure JVM

    private static Process startInfra(Options options, Path workDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long corpusMegabytes = options.messages() * Corpus.TARGET_MESSAGE_BYTES / 1_000_000;
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + (1024 + 2 * corpusMegabytes) + "m",
                "-Dlog4j2.configurationFile=bench/log4j2.properties",
                "-Dbench.log=" + workDir.resolve("infra.log"),
                "-cp", classpath(), BenchmarkInfra.class.getName(),
                String.valueOf(options.chats), String.valueOf(options.messagesPerChat), String.valueOf(SEED),
                String.valueOf(options.simulatorThreads)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String[] awaitReady(Process infra, Path log) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(infra.getInputStream(), StandardCharsets.UTF_8));
        OutputStream logFile = Files.newOutputStream(log);
        String line;
        while ((line = lines.readLine()) != null) {
            logFile.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            if (line.startsWith("READY ")) {
                Map<String, String> ready = Arrays.stream(line.substring(6).split(" "))
                        .map(kv -> kv.split("=", 2)).collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
                Thread drain = new Thread(() -> {
                    try (logFile; lines) {
                        lines.transferTo(new java.io.OutputStreamWriter(logFile, StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // the infra JVM ended
                    }
                }, "infra-log");
                drain.setDaemon(true);
                drain.start();
                return new String[] {ready.get("kafka"), ready.get("chakra"), ready.get("answerBytes")};
            }
        }
        throw new IllegalStateException("The broker and simulator JVM did not start; see " + log);
    }

    /** The test classpath: this JVM's own when forked (exec:exec), or the URLs of exec:java's class loader. */
    private static String classpath() {
        String own = System.getProperty("java.class.path");
        if (own.contains("test-classes")) {
            return own;
        }
        ClassLoader loader = Benchmark.class.getClassLoader();
        if (loader instanceof URLClassLoader urls) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        throw new IllegalStateException("Cannot tell the test classpath; run the benchmark with bench/run");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** One backfill: from the first request (or, for the raw producer, the first send) to the last append. */
    static final class Backfill {
        final String contender;
        final int repetition;
        final long messages;
        final double seconds;
        final long cpuNanos;
        long bootMillis = -1;
        List<ProducerMetrics.Row> producers = List.of();

        Backfill(String contender, int repetition, long messages, double seconds, long cpuNanos) {
            this.contender = contender;
            this.repetition = repetition;
            this.messages = messages;
            this.seconds = seconds;
            this.cpuNanos = cpuNanos;
        }

        double throughput() {
            return messages / seconds;
        }

        /** CPU time of the contender's JVM per 1,000 messages, in milliseconds. */
        double cpuMillisPerThousand() {
            return cpuNanos / 1e6 / (messages / 1000.0);
        }
    }

    /** One poll cycle over all targets with nothing new. */
    static final class Cycle {
        final long wallNanos;
        final long cpuNanos;
        final long allocatedBytes;
        long requests;

        Cycle(long wallNanos, long cpuNanos, long allocatedBytes) {
            this.wallNanos = wallNanos;
            this.cpuNanos = cpuNanos;
            this.allocatedBytes = allocatedBytes;
        }

        double wallMillis() {
            return wallNanos / 1e6;
        }

        double cpuMillisPerTarget(int targets) {
            return cpuNanos / 1e6 / targets;
        }

        double allocatedKilobytesPerTarget(int targets) {
            return allocatedBytes / 1024.0 / targets;
        }

        /** The cycle with the median CPU time (wall and allocations are each the median of their own). */
        static Cycle median(List<Cycle> cycles) {
            Cycle median = new Cycle(
                    (long) Stats.median(cycles.stream().mapToDouble(c -> c.wallNanos).toArray()),
                    (long) Stats.median(cycles.stream().mapToDouble(c -> c.cpuNanos).toArray()),
                    (long) Stats.median(cycles.stream().mapToDouble(c -> c.allocatedBytes).toArray()));
            median.requests = cycles.isEmpty() ? 0 : cycles.get(0).requests;
            return median;
        }
    }

    static final class Options {
        int chats = 1_000;
        int messagesPerChat = 100;
        int repetitions = 3;
        int cycles = 5;
        int simulatorThreads = 4;
        boolean large;
        boolean warmup = true;
        boolean dedup = true;
        boolean profile;
        boolean failover = true;
        int failoverRuns = 5;
        boolean discovery = true;
        int discoveryChats = 10_000;
        int discoveryPolls = 5;
        int discoveryIntervalSeconds = 30;
        String only = "";
        String outDir = "docs";
        List<Integer> dedupSizes = List.of(100_000, 1_000_000);
        boolean year = true;
        int yearChats = 10_000;
        int yearMessages = 1_000;
        String command = System.getenv().getOrDefault("BENCH_COMMAND", "bench/run");

        long messages() {
            return (long) chats * messagesPerChat;
        }

        static Options parse(String[] args) {
            Options options = new Options();
            List<String> given = new ArrayList<>(Arrays.asList(args));
            if (given.contains("--large")) {
                options.large = true;
                options.chats = 2_000;
                options.messagesPerChat = 500;
            }
            for (int i = 0; i < given.size(); i++) {
                String arg = given.get(i);
                switch (arg) {
                    case "--large" -> { }
                    case "--repetitions" -> options.repetitions = Integer.parseInt(given.get(++i));
                    case "--chats" -> options.chats = Integer.parseInt(given.get(++i));
                    case "--messages" -> options.messagesPerChat = Integer.parseInt(given.get(++i));
                    case "--cycles" -> options.cycles = Integer.parseInt(given.get(++i));
                    case "--simulator-threads" -> options.simulatorThreads = Integer.parseInt(given.get(++i));
                    case "--no-warmup" -> options.warmup = false;
                    case "--no-dedup" -> options.dedup = false;
                    case "--profile" -> options.profile = true;
                    case "--no-failover" -> options.failover = false;
                    case "--failover-runs" -> options.failoverRuns = Integer.parseInt(given.get(++i));
                    case "--no-discovery" -> options.discovery = false;
                    case "--discovery-chats" -> options.discoveryChats = Integer.parseInt(given.get(++i));
                    case "--discovery-polls" -> options.discoveryPolls = Integer.parseInt(given.get(++i));
                    case "--discovery-interval" -> options.discoveryIntervalSeconds = Integer.parseInt(given.get(++i));
                    case "--only" -> options.only = given.get(++i);
                    case "--out" -> options.outDir = given.get(++i);
                    case "--no-year" -> options.year = false;
                    case "--year-chats" -> options.yearChats = Integer.parseInt(given.get(++i));
                    case "--year-messages" -> options.yearMessages = Integer.parseInt(given.get(++i));
                    case "--dedup-sizes" -> options.dedupSizes = Arrays.stream(given.get(++i).split(","))
                            .map(String::trim).map(Integer::parseInt).toList();
                    default -> throw new IllegalArgumentException("Unknown option " + arg + "; see bench/run --help");
                }
            }
            if (options.repetitions < 1 || options.chats < 1 || options.messagesPerChat < 1 || options.cycles < 1
                    || options.failoverRuns < 1 || options.yearChats < 1 || options.yearMessages < 1) {
                throw new IllegalArgumentException("Sizes and counts must be at least 1");
            }
            if (options.discoveryChats < 1 || options.discoveryPolls < 1 || options.discoveryIntervalSeconds < 1
                    || 60 % options.discoveryIntervalSeconds != 0) {
                throw new IllegalArgumentException("--discovery-chats and --discovery-polls must be at least 1, and"
                        + " --discovery-interval a number of seconds that divides 60");
            }
            return options;
        }
    }

    /** The dedup state on this topic, as the pipeline builds it by default (exactly once: read_committed). */
    static DedupState repository(String topic, String bootstrapServers) {
        Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new DedupState(topic, () -> kafka, Duration.ofMinutes(5), true, 50, Duration.ofMinutes(10),
                Duration.ZERO);
    }

    static Map<String, Object> dedupProducerConfig(String bootstrapServers) {
        // what DedupState's own producer uses, so the topic looks like one the pipeline wrote
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 20);
    }
}
