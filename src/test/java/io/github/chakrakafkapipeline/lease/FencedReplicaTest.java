package io.github.chakrakafkapipeline.lease;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fenced replica gives its lease up whatever the cluster service (issue #19): Camel's file lock is released, so that
 * the replica that fenced it can take it, and the Kafka lease steps down; taken again once nobody holds it, the replica
 * publishes what the refused commit held, once.
 */
class FencedReplicaTest {

    private static final String TOKEN = "fenced-token-2b7e9c4a1d6f3e8b0a5c7d9e1f3a5b7c";
    private static final String CHAT = MessageJson.CHAT;
    private static final String FIRST = MessageJson.message("wamid.FIRST").chat(CHAT).timestamp(1_000L).build();
    private static final String SECOND = MessageJson.message("wamid.SECOND").chat(CHAT).timestamp(2_000L).build();

    private EmbeddedKafka kafka;
    private ChakraStub chakra;

    @BeforeEach
    void start() {
        kafka = EmbeddedKafka.start();
        chakra = new ChakraStub(TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        chakra.close();
        kafka.close();
    }

    @Test
    void a_replica_fenced_under_camel_s_file_lock_gives_it_up_and_publishes_again_once_it_holds_it(@TempDir Path locks)
            throws IOException {
        chakra.answerChat(CHAT, response(List.of(FIRST)));
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
        settings.put("pipeline.lease.enabled", "false");
        settings.put("camel.beans.fileLease", "#class:org.apache.camel.component.file.cluster.FileLockClusterService");
        settings.put("camel.beans.fileLease.root", locks.toString());
        // seconds: a check every 2 (10 by default), and 4 before the first check of a view started again, so that the
        // lock stays free a while once given up
        settings.put("camel.beans.fileLease.acquireLockInterval", "2");
        settings.put("camel.beans.fileLease.acquireLockDelay", "4");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds().equals(List.of("wamid.FIRST")));

            fence(pipeline);
            chakra.answerChat(CHAT, response(List.of(SECOND, FIRST))); // newest first, as the API lists

            // the next commit is refused, and the replica gives the lock up: another replica (this test) can take it;
            // without that it would stand by for good, holding the lock
            try (FileChannel other = FileChannel.open(locks.resolve(LeaseConfiguration.POLL_LEASE),
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                await("the fenced replica to give its file lock up").atMost(Duration.ofSeconds(30))
                        .until(() -> tryLock(other), Objects::nonNull);
            }

            // let go: the replica takes the lock again as a standby would, and publishes what the refused commit held
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds().size() >= 2);
            assertEquals(List.of("wamid.FIRST", "wamid.SECOND"), externalIds(), "each message once");
        }
    }

    /** The Kafka lease keeps its own way of giving up (it leaves the group and joins it again), through the same call. */
    @Test
    void a_replica_fenced_under_the_kafka_lease_steps_down_and_publishes_again_once_it_holds_it() {
        chakra.answerChat(CHAT, response(List.of(FIRST)));
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds().equals(List.of("wamid.FIRST")));
            fence(pipeline);
            chakra.answerChat(CHAT, response(List.of(SECOND, FIRST)));

            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds().size() >= 2);
            assertEquals(List.of("wamid.FIRST", "wamid.SECOND"), externalIds(), "each message once");
        }
    }

    /** What another replica does as it takes over: its producer, with the one transactional id, fences the pipeline. */
    private void fence(RunningPipeline pipeline) {
        String name = pipeline.context().getPropertiesComponent().resolveProperty("pipeline.name").orElseThrow();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name.trim() + ".publisher");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> other = new KafkaProducer<>(config)) {
            other.initTransactions();
        }
    }

    /** The lock on the file, as another replica takes it; null while this JVM's pipeline holds it. */
    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (OverlappingFileLockException heldByThePipeline) {
            return null;
        }
    }

    /** The messages on the outbound topic for a read_committed consumer, in order. */
    private List<String> externalIds() {
        return readAll(kafka.bootstrapServers(), OUTBOUND).stream().map(r -> header(r, "chakra.externalId")).toList();
    }
}
