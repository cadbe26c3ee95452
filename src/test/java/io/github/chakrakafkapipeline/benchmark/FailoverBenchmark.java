package io.github.chakrakafkapipeline.benchmark;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.demo.ChakraSandbox;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Part 4 of the benchmark: failover. Per run, two replicas of the packaged jar ({@value #JAR}) run as child processes,
 * configured by environment as ops run them, with the shipped lease settings (nothing of {@code pipeline.lease.*} is
 * set), against the benchmark's broker (in the infra JVM) and a {@link ChakraSandbox} in this JVM whose conversations
 * keep moving (as in ReplicasIT: 3 chats, a new message every 200 ms), polled every second. Once one replica leads
 * and has published, and the other stands by ready, the leader is killed with SIGKILL; the figure is the time from the
 * kill to the broker's append of the first record the other replica publishes.
 * <p>
 * Which records are the other replica's: those at offsets from the high watermark read once the killed process has
 * ended (a dead process appends nothing), read with read_committed, so that only records of a committed transaction
 * count. Their time is the broker's append time (the topics are stamped with LogAppendTime, as in the backfill);
 * the kill's is this machine's wall clock just before the signal, the same clock.
 */
final class FailoverBenchmark {

    static final String JAR = "target/chakra-kafka-pipeline.jar";
    static final int CHATS = 3;
    static final long TICK_MILLIS = 200;
    static final String CRON = "0/1 * * * * ?";
    private static final String LEADER = "chakra_pipeline_lease_leader";

    private final Benchmark bench;
    private final KafkaProbe probe;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    FailoverBenchmark(Benchmark bench) {
        this.bench = bench;
        this.probe = bench.probe();
    }

    void run() throws Exception {
        if (!Files.isRegularFile(Path.of(JAR))) {
            throw new IllegalStateException(JAR + " is missing: bench/run packages it (mvn -DskipTests package)");
        }
        bench.report().leaseSessionTimeoutMillis = Benchmark.shippedSetting("pipeline.lease.session.timeout.millis");
        bench.report().leaseHeartbeatMillis = Benchmark.shippedSetting("pipeline.lease.heartbeat.millis");
        Path log = bench.workDir().resolve("failover.log");
        Files.deleteIfExists(log);
        Benchmark.say("== Failover: %d runs of two replicas of %s (their output in %s)", bench.options().failoverRuns,
                JAR, log);
        for (boolean graceful : new boolean[] {false, true}) {
            for (int run = 1; run <= bench.options().failoverRuns; run++) {
                Report.Failover failover = measure(run, log, graceful);
                (graceful ? bench.report().handOvers : bench.report().failovers).add(failover);
                Benchmark.say("  run %d: %.2f s from the %s to the other replica's first record; %d records, %d"
                        + " duplicated (read_committed)", run, failover.millis() / 1000.0,
                        graceful ? "SIGTERM" : "kill", failover.records(), failover.duplicates());
            }
        }
    }

    /** One run: the leader killed with SIGKILL, or ({@code graceful}) stopped with SIGTERM, as a rolling update does. */
    private Report.Failover measure(int run, Path log, boolean graceful) throws Exception {
        Topics topics = bench.freshTopics("failover");
        List<Process> replicas = new ArrayList<>();
        try (ChakraSandbox chakra = ChakraSandbox.start(0, Corpus.TOKEN, CHATS, TICK_MILLIS, 1)) {
            Map<String, String> env = environment(topics, chakra, (graceful ? 100 : 0) + run);
            int[] ports = {RunningPipeline.freePort(), RunningPipeline.freePort()};
            for (int port : ports) {
                replicas.add(start(env, port, log));
            }
            int leader = await("one replica leads and has published, the other stands by ready")
                    .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                        int leading = leader(ports);
                        return leading >= 0 && ready(ports[1 - leading])
                                && probe.tally(topics.messages()).records() > 0 ? leading : -1;
                    }, leading -> leading >= 0);
            int standby = 1 - leader;

            long killedMillis = System.currentTimeMillis();
            if (graceful) {
                replicas.get(leader).destroy(); // SIGTERM: it may still publish until it ends
            } else {
                replicas.get(leader).destroyForcibly(); // SIGKILL
            }
            if (!replicas.get(leader).waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The killed replica did not end");
            }
            // appended from here on, a record can only be the other replica's
            Map<TopicPartition, Long> endAtKill = probe.endOffsets(topics.messages());
            long firstAppend = await("the other replica publishes").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> firstAppendFrom(topics, endAtKill), first -> first != Long.MAX_VALUE);
            await("the other replica holds the lease").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> PipelineJar.metric(ports[standby], LEADER) == 1);

            long[] records = {0};
            Set<String> externalIds = new HashSet<>();
            probe.readCommitted(topics.messages(), Map.of(), record -> {
                records[0]++;
                Header id = record.headers().lastHeader(Publishing.EXTERNAL_ID);
                externalIds.add(id == null ? null : new String(id.value(), StandardCharsets.UTF_8));
            });
            return new Report.Failover(run, firstAppend - killedMillis, records[0], records[0] - externalIds.size());
        } finally {
            for (Process replica : replicas) {
                replica.destroyForcibly();
                replica.waitFor(30, TimeUnit.SECONDS);
            }
            probe.deleteTopics(topics.all());
        }
    }

    /**
     * The replicas' settings, as ops set them: environment variables. A run's own pipeline name (its lease group and
     * transactional id) and topics, so that nothing of an earlier run is in the way; the lease settings are left out,
     * so each replica takes the shipped ones from config/application.properties.
     */
    private Map<String, String> environment(Topics topics, ChakraSandbox chakra, int run) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CHAKRA_API_BASE_URL", chakra.baseUrl());
        env.put("CHAKRA_API_TOKEN", Corpus.TOKEN);
        env.put("CHAKRA_CHAT_IDS", String.join(",", chakra.chatIds()));
        env.put("CHAKRA_PHONE_NUMBERS", "");
        env.put("PIPELINE_POLL_CRON", CRON);
        env.put("PIPELINE_NAME", "bench-failover-" + run);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bench.bootstrapServers());
        env.put("PIPELINE_TOPIC_INBOUND", topics.inbound());
        env.put("PIPELINE_TOPIC_OUTBOUND", topics.outbound());
        env.put("PIPELINE_TOPIC_DEAD_LETTER", topics.deadLetter());
        env.put("PIPELINE_DEDUP_TOPIC", topics.dedup());
        return env;
    }

    /** As PipelineJar.start, without the pipeline settings this JVM's environment may hold: only ours count. */
    private static Process start(Map<String, String> env, int port, Path log) throws IOException {
        ProcessBuilder builder = PipelineJar.builder(log);
        builder.environment().keySet().removeIf(name -> name.startsWith("PIPELINE_") || name.startsWith("CHAKRA_")
                || name.startsWith("KAFKA_") || name.startsWith("CAMEL_"));
        builder.environment().putAll(env);
        builder.environment().put("PIPELINE_MANAGEMENT_PORT", String.valueOf(port));
        return builder.start();
    }

    /** The earliest append time of the committed records at or beyond {@code from}; Long.MAX_VALUE while none. */
    private long firstAppendFrom(Topics topics, Map<TopicPartition, Long> from) {
        long[] first = {Long.MAX_VALUE};
        probe.readCommitted(topics.messages(), from, record -> first[0] = Math.min(first[0], record.timestamp()));
        return first[0];
    }

    /** The index of the one replica that leads, or -1 (none, or both say so). */
    private int leader(int[] ports) {
        boolean first = PipelineJar.metric(ports[0], LEADER) == 1;
        boolean second = PipelineJar.metric(ports[1], LEADER) == 1;
        return first == second ? -1 : first ? 0 : 1;
    }

    private boolean ready(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
