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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.demo.ChakraSandbox;
import io.github.chakrakafkapipeline.publish.Publishing;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.PipelineJar;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged jar against one broker and one ChakraHQ sandbox, delivering exactly once (the default):
 * one holds the lease and polls, the other stands by without calling ChakraHQ. The leader is frozen (SIGSTOP) past its
 * session timeout: the standby takes over and fences it; thawed (SIGCONT), the old leader publishes nothing and stands
 * by. Then the new leader is killed with SIGKILL while messages flow, and the first one takes over again. A
 * read_committed consumer sees every message exactly once.
 */
class ReplicasIT {

    private static final String TOKEN = "replicas-token-2f7d5c9a1e3b8d4f6a0c";
    private static final Topics TOPICS = Topics.prefixed("replicas.");
    private static final String COMMITTED = "chakra_pipeline_transactions_total{outcome=\"committed\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void a_frozen_leader_is_fenced_and_a_killed_one_replaced_and_each_message_is_published_once() throws Exception {
        Path log = PipelineJar.freshLog("replicas-it.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ChakraSandbox chakra = ChakraSandbox.start(0, TOKEN, 3, 200, 1)) {
            Map<String, String> env = chakra.pipelineEnv(kafka.bootstrapServers());
            env.put("PIPELINE_POLL_CRON", "0/1 * * * * ?");
            env.put("PIPELINE_LEASE_SESSION_TIMEOUT_MILLIS", "6000");
            env.put("PIPELINE_LEASE_HEARTBEAT_MILLIS", "2000");
            env.put("PIPELINE_TOPIC_INBOUND", TOPICS.inbound());
            env.put("PIPELINE_TOPIC_OUTBOUND", TOPICS.outbound());
            int[] ports = {RunningPipeline.freePort(), RunningPipeline.freePort()};
            List<Process> replicas = new ArrayList<>();
            try {
                for (int port : ports) {
                    replicas.add(PipelineJar.start(env, port, log));
                }
                await("one replica leads").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> PipelineJar.leaders(ports) == 1 && externalIds(kafka).size() >= 5);
                int first = PipelineJar.metric(ports[0], "chakra_pipeline_lease_leader") == 1 ? 0 : 1;
                int second = 1 - first;

                // for a while, only the leader calls ChakraHQ
                await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
                assertEquals(1, PipelineJar.leaders(ports), "exactly one leader");
                assertEquals(0.0, PipelineJar.metric(ports[second], "chakra_pipeline_api_calls_total"), "the standby calls nobody");
                assertTrue(PipelineJar.metric(ports[first], "chakra_pipeline_api_calls_total") > 0, "the leader polls");
                assertEquals("UP", health(ports[second]), "a standby is ready: it can take over");

                // frozen midway between two polls (the cron fires on the second, a poll takes some 100 ms), so that
                // the count read just before is the count at the freeze
                await().pollInterval(Duration.ofMillis(10)).until(() -> System.currentTimeMillis() % 1000 >= 600);
                double committedAtFreeze = PipelineJar.metric(ports[first], COMMITTED);
                signal(replicas.get(first), "STOP");
                long frozen = System.nanoTime();
                int beforeTakeover = externalIds(kafka).size();
                await("the standby takes over from the frozen leader").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> PipelineJar.metric(ports[second], "chakra_pipeline_lease_leader") == 1
                                && externalIds(kafka).size() > beforeTakeover);
                long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
                signal(replicas.get(first), "CONT");
                await("the thawed replica stands by").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> PipelineJar.metric(ports[first], "chakra_pipeline_lease_leader") == 0);
                await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
                assertEquals(committedAtFreeze, PipelineJar.metric(ports[first], COMMITTED),
                        "the thawed replica committed no transaction after the takeover");
                assertEquals(1, PipelineJar.leaders(ports), "one leader after the thaw");
                assertEquals(1.0, PipelineJar.metric(ports[second], "chakra_pipeline_lease_leader"), "the new leader keeps the lease");
                double fenced = PipelineJar.metric(ports[first], "chakra_pipeline_transactions_fenced_total");

                long killed = System.nanoTime();
                replicas.get(second).destroyForcibly();
                assertTrue(replicas.get(second).waitFor(30, TimeUnit.SECONDS));
                int beforeFailover = externalIds(kafka).size();
                await("the first replica takes over again").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> PipelineJar.metric(ports[first], "chakra_pipeline_lease_leader") == 1
                                && externalIds(kafka).size() > beforeFailover);
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
                System.out.printf("ReplicasIT: %d messages, lost %d, duplicated %d (read_committed); takeover from "
                        + "the frozen leader %d ms (SIGSTOP to the standby's first new record), the thawed one fenced "
                        + "%.0f time(s); failover %d ms (kill to the standby's first new record)%n", created.size(),
                        lost.size(), duplicates, takeoverMillis, fenced, failoverMillis);
                assertEquals(Set.of(), lost);
                assertEquals(0, duplicates, "each message once for a read_committed consumer");
            } finally {
                replicas.forEach(replica -> {
                    signal(replica, "CONT");
                    replica.destroyForcibly();
                });
            }
        }
    }

    private static void signal(Process process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (Exception e) {
            throw new IllegalStateException("could not send SIG" + signal + " to " + process.pid(), e);
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
