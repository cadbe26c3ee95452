package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.chakrakafkapipeline.demo.ChakraSandbox;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, run as a child process the way users run it, is killed with {@code kill -9} at varied moments
 * while messages flow (between polls and in the middle of one) and restarted each time; then it catches up once more
 * and stops gracefully, delivering exactly once (the default). Every message the ChakraHQ sandbox created must be on the
 * topics (lost = 0), and a read_committed consumer must see each once (duplicates = 0): a kill aborts the transaction
 * then open, its messages and their dedup records together, and the next run publishes them again.
 * <p>
 * The figures go to stdout (target/failsafe-reports/*CrashRecoveryIT-output.txt); every run's output is appended to
 * target/crash-recovery-it.log for diagnosis.
 */
class CrashRecoveryIT {

    private static final String TOKEN = "crash-token-6bc1bee22e409f96e93d7e117393172a";
    private static final Topics TOPICS = Topics.prefixed("crash.");
    private static final String INBOUND = TOPICS.inbound();
    private static final String OUTBOUND = TOPICS.outbound();
    private static final Path LOG = Path.of("target", "crash-recovery-it.log");

    private static final int KILLS = 12;
    /** Fixed, so a failure can be replayed with the same kill moments. */
    private static final long SEED = 0x5EED_C0FFEEL;
    private static final int MIN_KILL_DELAY_MILLIS = 500;
    private static final int MAX_KILL_DELAY_MILLIS = 4_000;

    // The sandbox answers only the newest ChakraSandbox.MAX_MESSAGES_PER_CHAT (50) messages of a chat and drops older
    // ones, so a chat must not gain 50 messages while the pipeline is down, or messages vanish unseen and "lost" no
    // longer measures the pipeline. One new message every 100 ms among 3 chats is ~3.3 per chat and second, steadily
    // flowing through every 1-second poll; a kill/restart gap (JVM start, Camel start, dedup load, next cron second)
    // takes ~3-6 s here, i.e. ~15-20 messages per chat. On a 2-core machine loaded by other builds a gap took ~15 s,
    // a chat gained 60 messages and 13 were dropped unseen, so the sandbox also caps what a chat gains between two
    // answers at 20: even a message answered just before a kill and published only after the restart stays within
    // reach (20 + 20 < 50). The test checks rather than trusts this: it prints the largest backlog, and asserts that
    // no message was dropped before an answer held it.
    private static final int CHATS = 3;
    private static final long TICK_MILLIS = 100;
    private static final int MESSAGES_PER_TICK = 1;
    private static final int BACKLOG_LIMIT = 20;

    @Test
    void kill_9_while_messages_flow_loses_no_message_and_publishes_none_twice() throws Exception {
        long testStarted = System.nanoTime();
        Files.createDirectories(LOG.getParent());
        Files.deleteIfExists(LOG);
        Random random = new Random(SEED);
        List<Long> killTimes = new ArrayList<>();

        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ChakraSandbox chakra = ChakraSandbox.start(0, TOKEN, CHATS, TICK_MILLIS, MESSAGES_PER_TICK);
                KafkaConsumer<byte[], byte[]> offsets = offsetReader(kafka.bootstrapServers(), "read_uncommitted");
                KafkaConsumer<byte[], byte[]> committed = offsetReader(kafka.bootstrapServers(), "read_committed")) {
            chakra.limitBacklog(BACKLOG_LIMIT);
            Map<String, String> env = Map.ofEntries(
                    Map.entry("CHAKRA_API_BASE_URL", chakra.baseUrl()),
                    Map.entry("CHAKRA_API_TOKEN", TOKEN),
                    // both endpoints for the same chats, so every message arrives twice per poll
                    Map.entry("CHAKRA_CHAT_IDS", String.join(",", chakra.chatIds())),
                    Map.entry("CHAKRA_PHONE_NUMBERS", String.join(",", chakra.phoneNumbers())),
                    Map.entry("PIPELINE_POLL_CRON", "0/1 * * * * ?"),
                    // every target every second is more calls than the default budget of 5 a second allows: the
                    // pipeline would fall behind the sandbox, whose chats keep only their newest messages
                    Map.entry("CHAKRA_HTTP_REQUESTS_PER_SECOND", "100"),
                    Map.entry("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
                    Map.entry("PIPELINE_TOPIC_INBOUND", INBOUND),
                    Map.entry("PIPELINE_TOPIC_OUTBOUND", OUTBOUND),
                    Map.entry("PIPELINE_DELIVERY", "exactly-once"),
                    // a killed run keeps the lease until its session times out; the broker's shortest, so that the
                    // next run takes over quickly
                    Map.entry("PIPELINE_LEASE_SESSION_TIMEOUT_MILLIS", "6000"),
                    Map.entry("PIPELINE_LEASE_HEARTBEAT_MILLIS", "2000"));
            int managementPort = freePort();

            long[] published = {0};
            for (int run = 1; run <= KILLS; run++) {
                // what the run before committed after the await below saw its first record is not new to this one
                published[0] += readToCommittedEnd(committed);
                long publishedBefore = published[0];
                Process pipeline = startJar(env, managementPort, run);
                try {
                    // the kill comes 0.5-4 s after this run committed its first new message. Committed, not written:
                    // a new leader's producer aborts the killed run's open transaction as it opens, and that abort
                    // marker alone moves the end offsets; killed on it, runs would die one after the other before any
                    // commit, and a message read but not published by the first could leave the sandbox's window of 50
                    // (20 per run) before a later run publishes it
                    await("run " + run + " publishes something new").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(100)).pollInSameThread()
                            .until(() -> (published[0] += newRecords(committed)) > publishedBefore || !pipeline.isAlive());
                    assertTrue(pipeline.isAlive(), "run " + run + " ended by itself; see " + LOG);
                    Duration delay = Duration.ofMillis(
                            MIN_KILL_DELAY_MILLIS + random.nextInt(MAX_KILL_DELAY_MILLIS - MIN_KILL_DELAY_MILLIS + 1));
                    await().pollDelay(delay).atMost(delay.plusSeconds(5)).until(() -> true);
                    // A poll publishes for a few tens of milliseconds each second, so a kill at a random moment mostly
                    // strikes between polls. Every other kill therefore waits for the topics to grow again and
                    // strikes right away, in the middle of a poll's publishing, where claims and acks are in flight.
                    boolean midPublish = run % 2 == 0;
                    if (midPublish) {
                        long recordsNow = records(offsets);
                        await("run " + run + " publishes again").atMost(Duration.ofSeconds(30))
                                .pollInterval(Duration.ofMillis(5)).pollInSameThread()
                                .until(() -> records(offsets) > recordsNow || !pipeline.isAlive());
                    }
                    assertTrue(pipeline.isAlive(), "run " + run + " ended by itself; see " + LOG);

                    killTimes.add(System.currentTimeMillis());
                    // On Linux, Process.destroyForcibly() is kill(pid, SIGKILL) (ProcessHandleImpl.destroy0 with
                    // force=true); the exit code 128 + 9 below proves the signal, and that no shutdown hook ran.
                    pipeline.destroyForcibly();
                    assertTrue(pipeline.waitFor(30, TimeUnit.SECONDS), "run " + run + " did not die on SIGKILL");
                    assertEquals(137, pipeline.exitValue(), "run " + run + " should have died of SIGKILL");
                    log("=== run %d killed with SIGKILL %d ms after its first new message%s; topics had %d records%n",
                            run, delay.toMillis(), midPublish ? ", then as the topics grew" : "", records(offsets));
                } finally {
                    pipeline.destroyForcibly();
                }
            }

            // No new messages from now on: one last run must publish everything still missing, then stop cleanly.
            chakra.stopConversations();
            Set<String> created = chakra.createdExternalIds();
            Process last = startJar(env, managementPort, KILLS + 1);
            boolean caughtUp = false;
            try {
                try {
                    await("the last run publishes every message").atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofSeconds(1))
                            .until(() -> externalIds(kafka).containsAll(created) || !last.isAlive());
                    caughtUp = last.isAlive();
                } catch (ConditionTimeoutException e) {
                    // counted and reported below
                }
                if (caughtUp) {
                    // at least two more complete polls of every target (3 rounds of requests, as the first may be
                    // under way), in case one still publishes a duplicate
                    long requests = chakra.requestsServed();
                    await("two more polls").atMost(Duration.ofSeconds(30))
                            .until(() -> chakra.requestsServed() >= requests + 3L * 2 * CHATS);
                }
            } finally {
                last.destroy(); // SIGTERM, as a container stop sends; in-flight messages are completed
                assertTrue(last.waitFor(60, TimeUnit.SECONDS), "the last run did not stop on SIGTERM");
            }

            List<ConsumerRecord<String, String>> records = new ArrayList<>(readAll(kafka.bootstrapServers(), INBOUND));
            records.addAll(readAll(kafka.bootstrapServers(), OUTBOUND));
            Map<String, List<ConsumerRecord<String, String>>> byId = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                String id = header(record, Publishing.EXTERNAL_ID);
                assertTrue(id != null, "every record carries the chakra.externalId header: " + record);
                byId.computeIfAbsent(id, k -> new ArrayList<>()).add(record);
            }
            Set<String> lost = new TreeSet<>(created);
            lost.removeAll(byId.keySet());
            Set<String> unknown = new TreeSet<>(byId.keySet());
            unknown.removeAll(created);
            Set<String> droppedUnseen = new TreeSet<>(created);
            droppedUnseen.removeAll(chakra.answeredExternalIds());
            int duplicates = records.size() - byId.size();

            // Should a duplicate appear, it belongs to the first kill after its first copy was written (the record's CreateTime, set by
            // the child's producer from the same clock); how long before that kill was it written, at most?
            int[] perKill = new int[KILLS];
            long maxLead = -1;
            int notBeforeAKill = 0;
            for (List<ConsumerRecord<String, String>> copies : byId.values()) {
                if (copies.size() > 1) {
                    long first = copies.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
                    int kill = 0;
                    while (kill < KILLS && killTimes.get(kill) < first) {
                        kill++;
                    }
                    if (kill == KILLS) {
                        notBeforeAKill += copies.size() - 1;
                    } else {
                        perKill[kill] += copies.size() - 1;
                        maxLead = Math.max(maxLead, killTimes.get(kill) - first);
                    }
                }
            }
            int maxPerKill = Arrays.stream(perKill).max().orElse(0);
            log("=== duplicates per kill: %s%n", Arrays.toString(perKill));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - testStarted);
            String summary = String.format("CrashRecoveryIT: %d kills, %d messages, lost %d, duplicated %d "
                            + "(read_committed%s), largest backlog %d of %d per chat, %d s",
                    KILLS, created.size(), lost.size(), duplicates, maxLead < 0 ? "" : ", at most " + maxPerKill
                            + " per kill, first copies written at most " + maxLead + " ms before it",
                    chakra.largestBacklog(), ChakraSandbox.MAX_MESSAGES_PER_CHAT, seconds);
            System.out.println(summary);
            log("=== %s%n", summary);

            assertTrue(droppedUnseen.isEmpty(), droppedUnseen.size() + " messages left the sandbox's window before "
                    + "any poll saw them: the sandbox is too fast for this machine, slow TICK_MILLIS down");
            assertEquals(Set.of(), lost, lost.size() + " messages never reached the topics; see " + LOG);
            assertEquals(Set.of(), unknown, "records whose externalId the sandbox never created");
            assertTrue(caughtUp, "the last run did not publish every message within 2 minutes, or ended by itself; "
                    + "see " + LOG);
            assertEquals(0, notBeforeAKill, "duplicates written after the last kill: the dedup failed without a crash");
            assertEquals(0, duplicates, "each message once; per kill: " + Arrays.toString(perKill) + "; " + summary);
        }
    }

    private static Process startJar(Map<String, String> env, int managementPort, int run) throws IOException {
        log("=== run %d starts%n", run);
        return PipelineJar.start(env, managementPort, LOG);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void log(String format, Object... args) throws IOException {
        Files.writeString(LOG, String.format(format, args), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static KafkaConsumer<byte[], byte[]> offsetReader(String bootstrapServers, String isolation) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
    }

    /**
     * The end offsets of the two topics: they grow as a transaction's records are written, before it commits, and with
     * its commit or abort marker.
     */
    private static long records(KafkaConsumer<byte[], byte[]> consumer) {
        return consumer.endOffsets(partitions(consumer), Duration.ofSeconds(10)).values().stream()
                .mapToLong(Long::longValue).sum();
    }

    /** How many committed records the read_committed consumer reads from the two topics since it last read. */
    private static long newRecords(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> partitions = partitions(consumer);
        if (partitions.isEmpty()) {
            return 0; // the first run has not created them yet
        }
        if (!consumer.assignment().containsAll(partitions)) {
            consumer.assign(partitions); // as the pipeline creates its topics; positions kept, new ones from the start
        }
        return consumer.poll(Duration.ofMillis(50)).count();
    }

    /** Reads the two topics up to their last stable offsets (while no run is alive, nothing commits meanwhile). */
    private static long readToCommittedEnd(KafkaConsumer<byte[], byte[]> consumer) {
        long read = newRecords(consumer);
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
        while (end.entrySet().stream().anyMatch(p -> consumer.position(p.getKey(), Duration.ofSeconds(10)) < p.getValue())) {
            read += newRecords(consumer);
        }
        return read;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(10));
        return Stream.of(INBOUND, OUTBOUND)
                .filter(existing::containsKey)
                .flatMap(topic -> existing.get(topic).stream().map(p -> new TopicPartition(topic, p.partition())))
                .toList();
    }

    private static Set<String> externalIds(EmbeddedKafka kafka) {
        Set<String> ids = new HashSet<>();
        for (String topic : List.of(INBOUND, OUTBOUND)) {
            readAll(kafka.bootstrapServers(), topic).forEach(r -> ids.add(header(r, Publishing.EXTERNAL_ID)));
        }
        return ids;
    }
}
