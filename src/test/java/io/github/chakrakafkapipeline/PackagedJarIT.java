package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.junit.jupiter.api.Test;

/**
 * The jar as users run it ({@code java -jar target/chakra-kafka-pipeline.jar} from the repository root), configured
 * only by environment variables, against a real broker and ChakraHQ over HTTP.
 */
class PackagedJarIT {

    private static final String TOKEN = "jar-token-2b7e151628aed2a6abf7158809cf4f3c";
    private static final String CHAT = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    private static final String PHONE = "919901258433";
    private static final Topics TOPICS = Topics.prefixed("jar.");

    @Test
    void the_jar_configured_by_environment_variables_publishes_and_stops_gracefully_without_logging_the_token()
            throws Exception {
        Path log = Files.createTempFile("pipeline-jar", ".log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            chakra.answerChat(CHAT, fixture("chat-messages-response.json"));
            chakra.answerPhone(PHONE, fixture("phone-messages-response.json"));

            ProcessBuilder builder = PipelineJar.builder(log);
            builder.environment().putAll(Map.of(
                    "CHAKRA_API_BASE_URL", chakra.baseUrl(),
                    "CHAKRA_API_TOKEN", TOKEN,
                    "CHAKRA_CHAT_IDS", CHAT,
                    "CHAKRA_PHONE_NUMBERS", PHONE,
                    "PIPELINE_POLL_CRON", "0/1 * * * * ?",
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "PIPELINE_TOPIC_OUTBOUND", TOPICS.outbound(),
                    "PIPELINE_TOPIC_INBOUND", TOPICS.inbound(),
                    "PIPELINE_MANAGEMENT_PORT", String.valueOf(RunningPipeline.freePort())));
            Process pipeline = builder.start();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() ->
                        stillRunning(pipeline, log) && readAll(kafka.bootstrapServers(), TOPICS.outbound()).size() == 4
                        && readAll(kafka.bootstrapServers(), TOPICS.inbound()).size() == 1);
            } finally {
                // between two polls (the cron fires on the second; with nothing new a poll takes some 50 ms): a stop
                // that lands in the middle of a poll can still meet a direct: route Camel has stopped under it, which
                // logs the poll as failed (nothing is lost: what it had not published is read again at the next start)
                await().pollInterval(Duration.ofMillis(10)).until(() -> System.currentTimeMillis() % 1000 >= 600);
                pipeline.destroy(); // SIGTERM, as a container stop sends
                assertTrue(pipeline.waitFor(60, TimeUnit.SECONDS), "the pipeline stops on SIGTERM");
            }
            assertEquals(4, readAll(kafka.bootstrapServers(), TOPICS.outbound()).size());
        }
        String output = Files.readString(log);
        assertTrue(output.contains("Apache Camel 4.18.0 (chakra-kafka-pipeline) shutdown"), output);
        assertTrue(output.contains("new published"), "one summary line per poll and target");
        assertFalse(output.contains(TOKEN), "the token appears in no log line");
        assertFalse(output.contains("Exception"), "a clean run logs no exception:\n" + output);
        new File(log.toString()).delete();
    }

    @Test
    void a_management_port_in_use_stops_start_up_with_one_line_and_exit_code_2() throws Exception {
        Path log = Files.createTempFile("pipeline-jar", ".log");
        // another replica on this host, holding the management port on every interface
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN);
                ServerSocket replica = new ServerSocket(0)) {
            int port = replica.getLocalPort();
            ProcessBuilder builder = PipelineJar.builder(log);
            builder.environment().putAll(Map.of(
                    "CHAKRA_API_BASE_URL", chakra.baseUrl(),
                    "CHAKRA_API_TOKEN", TOKEN,
                    "CHAKRA_CHAT_IDS", CHAT,
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "PIPELINE_TOPIC_OUTBOUND", TOPICS.outbound(),
                    "PIPELINE_TOPIC_INBOUND", TOPICS.inbound(),
                    "PIPELINE_MANAGEMENT_PORT", String.valueOf(port)));
            Process pipeline = builder.start();
            boolean exited = pipeline.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                pipeline.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(log);
            assertTrue(exited, "the pipeline should stop at start-up, not run without its health endpoint:\n" + output);
            assertEquals(2, pipeline.exitValue(), output);
            List<String> errors = output.lines().filter(line -> line.contains("ERROR")).toList();
            assertEquals(List.of("Start-up failed: the management port " + port + " (PIPELINE_MANAGEMENT_PORT) is in use on"
                    + " 0.0.0.0; give each replica its own"),
                    errors.stream().map(line -> line.substring(line.indexOf("Start-up failed"))).toList(), output);
            assertFalse(output.contains("Exception"), "one line, no stack trace:\n" + output);
            assertEquals(List.of(), readAll(kafka.bootstrapServers(), TOPICS.outbound()), "nothing was published");
        }
        new File(log.toString()).delete();
    }

    /** The jar as users start it, from the repository root, its output to the log file. */
    /** True while the process runs; fails the test at once, with its output, when it has exited. */
    private static boolean stillRunning(Process process, Path log) throws Exception {
        if (!process.isAlive()) {
            throw new AssertionError("the pipeline exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return true;
    }
}
