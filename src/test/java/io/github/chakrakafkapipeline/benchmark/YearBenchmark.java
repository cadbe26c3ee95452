package io.github.chakrakafkapipeline.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.dedup.DedupState;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Part 3b of the benchmark: the dedup state after a simulated year of a busy team (issue 20), in the two designs, in
 * the same run. A team of C chats sends M messages per chat over 365 days (C x M, 10 M by default):
 * <ul>
 * <li><b>windows</b> (the pipeline now): each chat's messages are claimed and confirmed through a real
 * {@link DedupState} (at least once, so that it writes each chat's record itself), with the shipped window settings;
 * its topic then holds one record per chat, what compaction leaves of a year of rewrites;</li>
 * <li><b>one record per id</b> (the design before): the topic holds C x M ids, value {@code published}.</li>
 * </ul>
 * Per repetition and design: a fresh {@link DedupState} loads the topic (time, and the heap it retains: heap after
 * full GCs, after minus before), and the whole pipeline is started on it until its readiness endpoint answers 200.
 */
final class YearBenchmark {

    private static final long YEAR_MILLIS = Duration.ofDays(365).toMillis();
    private static final long START = 1_733_000_000_000L; // a fixed year: the windows do not depend on today

    private final Benchmark bench;
    private final DedupBenchmark dedup;

    YearBenchmark(Benchmark bench, DedupBenchmark dedup) {
        this.bench = bench;
        this.dedup = dedup;
    }

    void run() throws Exception {
        Benchmark.Options options = bench.options();
        int chats = options.yearChats;
        int perChat = options.yearMessages;
        long messages = (long) chats * perChat;
        Benchmark.say("== Dedup state after a year: %,d chats x %,d messages = %,d", chats, perChat, messages);
        String windows = "bench.year.windows." + System.currentTimeMillis();
        String ids = "bench.year.ids." + System.currentTimeMillis();
        bench.probe().createCompactedTopic(windows);
        bench.probe().createCompactedTopic(ids);
        try {
            long started = System.nanoTime();
            writeWindows(windows, chats, perChat);
            Benchmark.say("  windows written through DedupState in %,d ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            if (messages > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("At most " + Integer.MAX_VALUE + " messages");
            }
            started = System.nanoTime();
            dedup.fill(ids, (int) messages);
            Benchmark.say("  %,d ids written one record each in %,d ms", messages,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            for (int rep = 1; rep <= options.repetitions; rep++) {
                measure("windows", windows, rep, messages);
                measure("one record per id", ids, rep, messages);
            }
        } finally {
            bench.probe().deleteTopics(List.of(windows, ids));
        }
    }

    /** A year of the team's messages, claimed and confirmed chat by chat, as the pipeline records them. */
    private void writeWindows(String topic, int chats, int perChat) throws Exception {
        DedupState state = repository(topic, false);
        state.start();
        try {
            state.load();
            Random random = new Random(Benchmark.SEED);
            long spacing = YEAR_MILLIS / perChat;
            for (int c = 0; c < chats; c++) {
                String chat = "year-chat-" + c;
                List<String> keys = new ArrayList<>(perChat);
                for (int i = 0; i < perChat; i++) {
                    String key = Corpus.externalId(random);
                    if (state.add(key, chat, START + i * spacing + c)) {
                        keys.add(key);
                    }
                }
                state.confirm(keys);
            }
        } finally {
            state.stop(); // waits for its records to be acknowledged
        }
        bench.probe().awaitCount(List.of(topic), chats, Duration.ofMinutes(2));
    }

    private void measure(String design, String topic, int rep, long messages) throws Exception {
        long heapBefore = JvmMeter.retainedHeapBytes();
        DedupState state = repository(topic, true);
        long started = System.nanoTime();
        state.start();
        state.load(); // as KafkaReady does once the topics are usable
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long heapBytes = JvmMeter.retainedHeapBytes() - heapBefore;
        int held = state.size();
        state.stop();
        long[] pipeline = dedup.pipelineStartMillis(topic);
        Report.Year year = new Report.Year(design, rep, messages, held, readyMillis, heapBytes, pipeline[0],
                pipeline[1]);
        bench.report().years.add(year);
        Benchmark.say("  %s: %,d ids held, %.1f MB retained, loaded in %,d ms; pipeline ready in %,d ms", design,
                held, heapBytes / 1e6, readyMillis, year.restartToReady());
    }

    /** The dedup state as the pipeline builds it, with the shipped window settings. */
    private DedupState repository(String topic, boolean exactlyOnce) throws Exception {
        Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bench.bootstrapServers());
        return new DedupState(topic, () -> kafka, Duration.ofMinutes(5), exactlyOnce,
                Integer.parseInt(Benchmark.shippedSetting("pipeline.dedup.window.ids")),
                Duration.ofMinutes(Long.parseLong(Benchmark.shippedSetting("pipeline.dedup.window.minutes"))),
                Duration.ZERO);
    }
}
