package io.github.chakrakafkapipeline.benchmark;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import io.github.chakrakafkapipeline.PipelineApplication;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Part 5 of the benchmark: discovery (issue 10). A {@link TeamSimulator} of C chats (10,000 by default), 1 % of which
 * get a new message per poll interval, is polled under a request budget of {@value #REQUESTS_PER_SECOND} calls a
 * second by two contenders, one after the other, each the pipeline as shipped in this JVM:
 * <ul>
 * <li>{@link #DISCOVERY}: no chat ids, discovery on: List chats, then the chats that changed, then the sweep's share.
 * Steady state after a first pass: the chat activity topic is filled before the start with every chat's current
 * {@code updatedAt}, as a first pass over all chats would have left it (at 10 requests a second that pass alone would
 * take C / 10 s);</li>
 * <li>{@link #ALL_CHATS}: every chat id in {@code chakra.chat.ids}, discovery off: every chat read each pass, as the
 * pipeline did before discovery.</li>
 * </ul>
 * After {@value #WARMUP_POLLS} uncounted poll(s), each measured poll i is its cron tick T(i). Its List chats pages and
 * chat reads are the requests the simulator received from T(i) - {@value #GUARD_MILLIS} ms to T(i+1) - the same; the
 * chats that changed are those that got a message in the interval before T(i), what poll i has to read; the reads by
 * reason are {@code chakra_pipeline_chat_reads_total{reason}} scraped from {@code /observe/metrics} at both ends. The
 * publish lag runs from a message's {@code timestamp} (the simulator's wall clock when it made it) to the broker's
 * append time of its record (the topics are stamped with LogAppendTime), read back with read_committed.
 */
final class DiscoveryBenchmark {

    static final String DISCOVERY = "discovery (List chats)";
    static final String ALL_CHATS = "all-chats poller";
    static final int REQUESTS_PER_SECOND = 10;
    /** The share of the chats that get a new message per poll interval. */
    static final double CHANGED_SHARE = 0.01;
    /** Polls not counted: the first after a start lists every page (the pass's mark is not kept across a restart). */
    static final int WARMUP_POLLS = 1;
    /** How long before a tick a poll's window ends: the next poll's first request comes after its tick. */
    static final long GUARD_MILLIS = 2_000;
    /** A pass has ended when no request came for this long (they come 10 a second while one runs). */
    static final long QUIET_MILLIS = 2_000;
    static final String[] REASONS = {"changed", "listed", "sweep"};
    private static final long SEED = 20_261_130L;
    private static final Pattern METRIC = Pattern.compile("(?m)^(\\w+)(?:\\{([^}]*)})? ([0-9.eE+-]+|NaN)$");

    private final Benchmark bench;
    private final KafkaProbe probe;
    private final Benchmark.Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private int run;

    DiscoveryBenchmark(Benchmark bench) {
        this.bench = bench;
        this.probe = bench.probe();
        this.options = bench.options();
    }

    void run() throws Exception {
        Report report = bench.report();
        report.sweepIntervalMillis = Benchmark.shippedSetting("chakra.chat.sweep.interval.millis");
        report.chatListPageSize = Benchmark.shippedSetting("chakra.chat.list.page.size");
        report.shippedRequestsPerSecond = Benchmark.shippedSetting("chakra.http.requests.per.second");
        report.shippedPollCron = Benchmark.shippedSetting("pipeline.poll.cron");
        long intervalMillis = options.discoveryIntervalSeconds * 1000L;
        Benchmark.say("== Discovery: C=%,d chats, %d %% of them changing per %d s poll, %d requests/s; %d measured"
                + " polls per contender after %d uncounted", options.discoveryChats, Math.round(CHANGED_SHARE * 100),
                options.discoveryIntervalSeconds, REQUESTS_PER_SECOND, options.discoveryPolls, WARMUP_POLLS);
        for (String contender : List.of(DISCOVERY, ALL_CHATS)) {
            Report.DiscoveryRun measured = measure(contender, intervalMillis);
            report.discoveries.add(measured);
            Benchmark.say("  %s: %s", contender, measured.summary());
        }
    }

    private Report.DiscoveryRun measure(String contender, long intervalMillis) throws Exception {
        boolean discovery = contender.equals(DISCOVERY);
        Topics topics = bench.freshTopics(discovery ? "discovery" : "all-chats");
        int perInterval = (int) Math.max(1, Math.round(options.discoveryChats * CHANGED_SHARE));
        run++;
        // the same seed for both: the same chats, and the same chats drawn for the new messages in the same order
        try (TeamSimulator team = TeamSimulator.start(options.discoveryChats, SEED, Corpus.TOKEN)) {
            team.startConversations(perInterval, intervalMillis);
            long seeded = discovery ? seedActivity(topics.chatActivity(), team.activity()) : 0;
            Map<String, String> overrides = bench.pipelineOverrides(topics, discovery ? List.of() : team.chatIds(),
                    cron(options.discoveryIntervalSeconds));
            overrides.put("chakra.api.base.url", team.baseUrl());
            overrides.put("chakra.chat.discovery", discovery ? "on" : "off");
            overrides.put("chakra.http.requests.per.second", String.valueOf(REQUESTS_PER_SECOND));
            // a lease group and transactional id of its own: nothing of an earlier contender in the way
            overrides.put("pipeline.name", "bench-discovery-" + run);
            // the stop is not measured: the all-chats poller stops with thousands of chats still queued
            overrides.put("camel.main.shutdown-timeout", "5");
            int port = Integer.parseInt(overrides.get("pipeline.management.port"));
            Main main = PipelineApplication.newMain();
            overrides.forEach(main::addOverrideProperty);
            try {
                main.start();
                CamelContext context = main.getCamelContext();
                if (context == null || !context.isStarted()) {
                    throw new IllegalStateException("The pipeline did not start; see " + bench.workDir()
                            .resolve("pipeline.log"));
                }
                long start = firstMeasuredTick(team, discovery, intervalMillis);
                Benchmark.say("  %s: polling; %d polls measured from %s", contender, options.discoveryPolls,
                        Instant.ofEpochMilli(start));
                int polls = options.discoveryPolls;
                long[] ticks = new long[polls + 1];
                List<Map<String, Double>> scrapes = new ArrayList<>();
                for (int i = 0; i <= polls; i++) {
                    ticks[i] = start + i * intervalMillis;
                    sleepUntil(ticks[i] - GUARD_MILLIS);
                    scrapes.add(chatReads(port));
                }
                long readMillis = System.currentTimeMillis();
                Map<String, Long> appended = new HashMap<>();
                long[] records = {0, 0};
                probe.readCommitted(List.of(topics.inbound(), topics.outbound()), Map.of(), record -> {
                    if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                        throw new IllegalStateException(record.topic() + " is not stamped with LogAppendTime");
                    }
                    records[0]++;
                    Header id = record.headers().lastHeader(Publishing.EXTERNAL_ID);
                    String externalId = id == null ? null : new String(id.value(), StandardCharsets.UTF_8);
                    if (appended.putIfAbsent(externalId, record.timestamp()) != null) {
                        records[1]++;
                    }
                });
                long deadLettered = probe.readCommitted(List.of(topics.deadLetter()), Map.of(), record -> { });
                return result(contender, team, ticks, scrapes, appended, readMillis, intervalMillis, records[0],
                        records[1], deadLettered, seeded);
            } finally {
                main.stop();
            }
        } finally {
            List<String> all = new ArrayList<>(topics.all());
            all.add(topics.chatActivity());
            probe.deleteTopics(all);
        }
    }

    private Report.DiscoveryRun result(String contender, TeamSimulator team, long[] ticks,
            List<Map<String, Double>> scrapes, Map<String, Long> appended, long readMillis, long intervalMillis,
            long records, long duplicates, long deadLettered, long seeded) {
        List<TeamSimulator.Created> created = team.created();
        List<TeamSimulator.Request> lists = team.listRequests();
        List<TeamSimulator.Request> reads = team.chatRequests();
        List<Report.DiscoveryPoll> polls = new ArrayList<>();
        for (int i = 0; i + 1 < ticks.length; i++) {
            long from = ticks[i] - GUARD_MILLIS;
            long to = ticks[i + 1] - GUARD_MILLIS;
            long tick = ticks[i];
            List<TeamSimulator.Created> made = created.stream()
                    .filter(m -> m.timestampMillis() >= tick - intervalMillis && m.timestampMillis() < tick).toList();
            Set<String> changed = new HashSet<>();
            made.forEach(m -> changed.add(m.chat()));
            long[] byReason = new long[REASONS.length];
            for (int r = 0; r < REASONS.length; r++) {
                byReason[r] = Math.round(scrapes.get(i + 1).getOrDefault(REASONS[r], 0.0)
                        - scrapes.get(i).getOrDefault(REASONS[r], 0.0));
            }
            polls.add(new Report.DiscoveryPoll(i + 1, count(lists, from, to), count(reads, from, to), byReason,
                    changed.size(), made.size(), lag(made, appended, readMillis)));
        }
        // the messages the measured polls have to publish: made in the interval before each of their ticks
        long from = ticks[0] - intervalMillis;
        long to = ticks[ticks.length - 1] - intervalMillis;
        List<TeamSimulator.Created> measured = created.stream()
                .filter(m -> m.timestampMillis() >= from && m.timestampMillis() < to).toList();
        return new Report.DiscoveryRun(contender, polls, lag(measured, appended, readMillis), records, duplicates,
                deadLettered, seeded);
    }

    /**
     * The publish lag of these messages: to the append time of their record, or, for one not on the topics when they
     * were read, the time until then (a lower bound of its lag).
     */
    static Report.Lag lag(List<TeamSimulator.Created> messages, Map<String, Long> appended, long readMillis) {
        int n = messages.size();
        double[] seconds = new double[n];
        boolean[] unpublished = new boolean[n];
        Integer[] order = new Integer[n];
        int missing = 0;
        for (int i = 0; i < n; i++) {
            TeamSimulator.Created m = messages.get(i);
            Long at = appended.get(m.externalId());
            unpublished[i] = at == null;
            missing += at == null ? 1 : 0;
            seconds[i] = ((at == null ? readMillis : at) - m.timestampMillis()) / 1000.0;
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(seconds[x], seconds[y]));
        return new Report.Lag(percentile(0.50, order, seconds, unpublished),
                percentile(0.99, order, seconds, unpublished), n, missing);
    }

    /**
     * The nearest-rank percentile; a lower bound when an unpublished message is at or below it (its true lag may be
     * above, which could move the percentile up).
     */
    private static Report.Percentile percentile(double p, Integer[] order, double[] seconds, boolean[] unpublished) {
        if (order.length == 0) {
            return new Report.Percentile(Double.NaN, false);
        }
        int rank = Math.max(0, (int) Math.ceil(p * order.length) - 1);
        boolean lowerBound = false;
        for (int i = 0; i <= rank; i++) {
            lowerBound |= unpublished[order[i]];
        }
        return new Report.Percentile(seconds[order[rank]], lowerBound);
    }

    /**
     * The tick of the first measured poll. The all-chats poller reads without a pause from its first poll on: the
     * tick after that poll's. Discovery's first poll after a start lists every page, then reads the chats that changed
     * since the topic was filled, which can outlast an interval: the first tick after that pass ended (no request for
     * {@value #QUIET_MILLIS} ms, at {@value #REQUESTS_PER_SECOND} requests a second) and {@value #GUARD_MILLIS} ms.
     */
    private static long firstMeasuredTick(TeamSimulator team, boolean discovery, long intervalMillis) {
        // the first poll is at the tick before the first request the simulator receives
        long first = await("the first poll").atMost(Duration.ofMillis(intervalMillis * 2 + 120_000))
                .pollInterval(Duration.ofMillis(100)).until(() -> requestTime(team, true), t -> t > 0);
        long firstTick = first - Math.floorMod(first, intervalMillis);
        if (!discovery) {
            return firstTick + WARMUP_POLLS * intervalMillis;
        }
        long passEnded = await("the first pass to end").atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(200)).until(() -> requestTime(team, false),
                        last -> System.currentTimeMillis() - last >= QUIET_MILLIS);
        long after = Math.max(passEnded + GUARD_MILLIS, firstTick + WARMUP_POLLS * intervalMillis);
        return after - Math.floorMod(after, intervalMillis) + (Math.floorMod(after, intervalMillis) == 0 ? 0
                : intervalMillis);
    }

    /** The time of the first (or the last) request the simulator received; 0 before any. */
    private static long requestTime(TeamSimulator team, boolean first) {
        LongStream times = Stream.concat(team.listRequests().stream(), team.chatRequests().stream())
                .mapToLong(TeamSimulator.Request::millis);
        return (first ? times.min() : times.max()).orElse(0);
    }

    private static long count(List<TeamSimulator.Request> requests, long from, long to) {
        return requests.stream().filter(r -> r.millis() >= from && r.millis() < to).count();
    }

    /**
     * Fills the chat activity topic as a complete first pass would have left it: key the chat id, value its
     * {@code updatedAt} as a decimal string. A plain producer, so its records are committed for the pipeline's
     * read_committed consumer.
     */
    private long seedActivity(String topic, Map<String, Long> activity) throws Exception {
        probe.createCompactedTopic(topic);
        try (Producer<String, String> producer = new KafkaProducer<>(
                Benchmark.dedupProducerConfig(bench.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            activity.forEach((chat, updatedAt) -> producer.send(new ProducerRecord<>(topic, chat,
                    Long.toString(updatedAt))));
            producer.flush();
        }
        return activity.size();
    }

    /** A Quartz cron that fires every {@code seconds} (a divisor of 60): at the multiples of it since the epoch. */
    static String cron(int seconds) {
        return seconds == 60 ? "0 * * * * ?" : "0/" + seconds + " * * * * ?";
    }

    /** Pacing to the clock (the polls' ticks), not waiting for an event. */
    private static void sleepUntil(long epochMillis) throws InterruptedException {
        for (long left; (left = epochMillis - System.currentTimeMillis()) > 0; ) {
            TimeUnit.MILLISECONDS.sleep(left);
        }
    }

    /** {@code chakra_pipeline_chat_reads_total} by reason, from the pipeline's Prometheus endpoint. */
    private Map<String, Double> chatReads(int port) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> reads = new HashMap<>();
        for (Matcher line = METRIC.matcher(body); line.find(); ) {
            if (line.group(1).equals("chakra_pipeline_chat_reads_total") && line.group(2) != null) {
                for (String reason : REASONS) {
                    if (line.group(2).contains("reason=\"" + reason + "\"")) {
                        reads.merge(reason, Double.parseDouble(line.group(3)), Double::sum);
                    }
                }
            }
        }
        return reads;
    }
}
