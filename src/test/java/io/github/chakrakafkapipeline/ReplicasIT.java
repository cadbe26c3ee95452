package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.chakrakafkapipeline.demo.ChakraSandbox;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged jar against one broker and one ChakraHQ sandbox: one holds the lease and polls, the
 * other stands by without calling ChakraHQ; the leader killed with SIGKILL, the standby takes over and nothing is lost.
 * Delivery is at least once: the messages in flight at the kill may appear twice (the topic contract).
 */
class ReplicasIT {

    private static final String TOKEN = "replicas-token-2f7d5c9a1e3b8d4f6a0c";
    private static final Topics TOPICS = Topics.prefixed("replicas.");
    private static final Path LOG = Path.of("target", "replicas-it.log");
    private static final Pattern METRIC = Pattern.compile("(?m)^(\\w+)(\\{[^}]*})? ([0-9.eE+-]+|NaN)$");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void one_replica_polls_the_other_stands_by_and_takes_over_when_the_leader_is_killed() throws Exception {
        Files.createDirectories(LOG.getParent());
        Files.deleteIfExists(LOG);
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ChakraSandbox chakra = ChakraSandbox.start(0, TOKEN, 3, 200, 1)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "CHAKRA_API_BASE_URL", chakra.baseUrl(),
                    "CHAKRA_API_TOKEN", TOKEN,
                    "CHAKRA_CHAT_IDS", String.join(",", chakra.chatIds()),
                    "PIPELINE_POLL_CRON", "0/1 * * * * ?",
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "PIPELINE_LEASE_SESSION_TIMEOUT_MILLIS", "6000",
                    "PIPELINE_LEASE_HEARTBEAT_MILLIS", "2000"));
            env.put("PIPELINE_TOPIC_INBOUND", TOPICS.inbound());
            env.put("PIPELINE_TOPIC_OUTBOUND", TOPICS.outbound());
            int[] ports = {RunningPipeline.freePort(), RunningPipeline.freePort()};
            List<Process> replicas = new ArrayList<>();
            try {
                for (int port : ports) {
                    replicas.add(PipelineJar.start(env, port, LOG));
                }
                await("one replica leads").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> leaders(ports) == 1 && externalIds(kafka).size() >= 5);
                int leader = metric(ports[0], "chakra_pipeline_lease_leader") == 1 ? 0 : 1;
                int standby = 1 - leader;

                // for a while, only the leader calls ChakraHQ
                await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
                assertEquals(1, leaders(ports), "exactly one leader");
                assertEquals(0.0, metric(ports[standby], "chakra_pipeline_api_calls_total"), "the standby calls nobody");
                assertTrue(metric(ports[leader], "chakra_pipeline_api_calls_total") > 0, "the leader polls");
                assertEquals("UP", health(ports[standby]), "a standby is ready: it can take over");

                long killed = System.nanoTime();
                replicas.get(leader).destroyForcibly();
                assertTrue(replicas.get(leader).waitFor(30, TimeUnit.SECONDS));
                int before = externalIds(kafka).size();
                await("the standby takes over").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> metric(ports[standby], "chakra_pipeline_lease_leader") == 1
                                && externalIds(kafka).size() > before);
                long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);

                chakra.stopConversations();
                Set<String> created = chakra.createdExternalIds();
                await("everything published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> externalIds(kafka).containsAll(created));
                List<ConsumerRecord<String, String>> records = new ArrayList<>(readAll(kafka.bootstrapServers(), TOPICS.inbound()));
                records.addAll(readAll(kafka.bootstrapServers(), TOPICS.outbound()));
                Set<String> lost = new TreeSet<>(created);
                lost.removeAll(externalIds(kafka));
                int duplicates = records.size() - externalIds(kafka).size();
                System.out.printf("ReplicasIT: %d messages, lost %d, duplicated %d (in flight at the kill), "
                        + "failover %d ms (kill to the standby's first new record)%n", created.size(), lost.size(),
                        duplicates, failoverMillis);
                assertEquals(Set.of(), lost);
                assertTrue(duplicates <= 20, duplicates + " duplicates: more than one kill can leave in flight");
            } finally {
                replicas.forEach(Process::destroyForcibly);
            }
        }
    }

    private int leaders(int[] ports) {
        int leaders = 0;
        for (int port : ports) {
            leaders += metric(port, "chakra_pipeline_lease_leader") == 1 ? 1 : 0;
        }
        return leaders;
    }

    /** The sum of a metric over its labels, 0 when it is not served (yet), -1 when the replica does not answer. */
    private double metric(int port, String name) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (Matcher line = METRIC.matcher(body); line.find(); ) {
                if (line.group(1).equals(name)) {
                    sum += Double.parseDouble(line.group(3));
                }
            }
            return sum;
        } catch (Exception e) {
            return -1;
        }
    }

    private String health(int port) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.contains("\"UP\"") ? "UP" : body;
    }

    private static Set<String> externalIds(EmbeddedKafka kafka) {
        Set<String> ids = new TreeSet<>();
        for (String topic : List.of(TOPICS.inbound(), TOPICS.outbound())) {
            readAll(kafka.bootstrapServers(), topic).forEach(r -> ids.add(header(r, Publishing.EXTERNAL_ID)));
        }
        return ids;
    }
}
