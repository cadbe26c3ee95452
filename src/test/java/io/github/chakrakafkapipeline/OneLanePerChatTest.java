package io.github.chakrakafkapipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.publish.ChatLanes;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.FaultyKafkaClients;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.junit.jupiter.api.Test;

/**
 * A chat read twice at every poll, as a listed chat and through its customer's phone number, while its messages keep
 * arriving: both reads see the chat's newest messages at once, and the chat must still reach Kafka oldest first, each
 * message once, also when a read fails.
 */
class OneLanePerChatTest {

    private static final String TOKEN = "lane-token-0f1e2d3c4b5a69788796";
    private static final String CHAT = "1a2b3c4d-7777-4c35-a79c-b6fe90757fd2";
    private static final String PHONE = "919900112233";
    private static final String CHAT_PATH = "/v1/ext/chat/" + CHAT + "/message";
    private static final int MESSAGES = 1_000;
    /** How many of the newest messages each read returns, as ChakraHQ returns a page of the newest. */
    private static final int WINDOW = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_chat_read_as_a_listed_chat_and_by_phone_number_at_once_reaches_kafka_oldest_first_and_once()
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            List<String> arrived = new ArrayList<>();
            answer(chakra, arrived);
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, PHONE);
            settings.put("chakra.http.requests.per.second", "100");
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                long timestamp = 1762277358000L;
                int phoneFailures = 0;
                while (arrived.size() < MESSAGES) {
                    for (int i = 0; i < 21 && arrived.size() < MESSAGES; i++) {
                        timestamp += 1000;
                        var next = message("wamid.LANE-" + arrived.size()).chat(CHAT).timestamp(timestamp);
                        arrived.add(0, (arrived.size() % 3 == 0 ? next.inbound() : next.outbound()).build());
                    }
                    answer(chakra, arrived);
                    if (arrived.size() % 210 == 0 && phoneFailures++ < 3) {
                        // a read that fails: its messages come with the other read, or a later one
                        chakra.answerPhone(PHONE, aResponse().withStatus(200).withBody("{\"_data\": [ {\"id\": "));
                        awaitRead(chakra, ChakraStub.PHONE_PATH);
                        answer(chakra, arrived);
                    }
                    // the next messages arrive once a poll has read these, both ways at once
                    awaitRead(chakra, CHAT_PATH);
                }
                await("every message on the topics").atMost(Duration.ofSeconds(120)).until(() ->
                        published(kafka).size() >= MESSAGES);
            }
            List<ConsumerRecord<String, String>> published = published(kafka);
            Map<String, Long> copies = published.stream().collect(Collectors.groupingBy(
                    r -> header(r, "chakra.externalId"), TreeMap::new, Collectors.counting()));
            assertEquals(arrived.stream().map(m -> field(m, "externalId")).collect(Collectors.toMap(
                    Function.identity(), id -> 1L, (a, b) -> a, TreeMap::new)), copies, "each message once");
            for (String topic : List.of(Topics.INBOUND, Topics.OUTBOUND)) {
                List<Long> timestamps = published.stream().filter(r -> r.topic().equals(topic))
                        .map(r -> Long.parseLong(field(r.value(), "timestamp"))).toList();
                List<Long> out = new ArrayList<>();
                for (int i = 1; i < timestamps.size(); i++) {
                    if (timestamps.get(i) < timestamps.get(i - 1)) {
                        out.add(timestamps.get(i));
                    }
                }
                assertEquals(List.of(), out, "on " + topic + ", messages of the chat after a newer one");
            }
        }
    }

    /**
     * The listed chat's read claims its two new messages and its transaction fails, while the phone number's read of
     * the same chat waits for the lane, having read only the newer of them and a newer one still: once the claims are
     * released it must not publish those ahead of the older one.
     */
    @Test
    void a_read_that_ran_while_another_of_its_chat_failed_leaves_that_chat_to_the_next_poll() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            AtomicBoolean failed = new AtomicBoolean();
            AtomicReference<RunningPipeline> running = new AtomicReference<>();
            FaultyKafkaClients.inject((producer, method, real) -> {
                if (method.equals("commitTransaction") && failed.compareAndSet(false, true)) {
                    await("the phone number's read waiting for the chat's lane").atMost(Duration.ofSeconds(30))
                            .until(() -> running.get() != null && running.get().context().getRegistry()
                                    .lookupByNameAndType("chatLanes", ChatLanes.class).waiting(CHAT) > 0);
                    throw new InvalidTxnStateException("test: the listed chat's transaction failed");
                }
                return real.call();
            });
            long timestamp = 1762277358000L;
            String m1 = message("wamid.GAP-1").chat(CHAT).outbound().timestamp(timestamp + 1).build();
            String m2 = message("wamid.GAP-2").chat(CHAT).outbound().timestamp(timestamp + 2).build();
            String m3 = message("wamid.GAP-3").chat(CHAT).outbound().timestamp(timestamp + 3).build();
            chakra.answerChat(CHAT, response(List.of(m2, m1)));
            // its page of the two newest, a little late: the listed chat's read takes the lane first
            chakra.answerPhone(PHONE, ChakraStub.okJson(response(List.of(m3, m2))).withFixedDelay(300));
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, PHONE);
            settings.putAll(FaultyKafkaClients.setting());
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                running.set(pipeline);
                await().atMost(Duration.ofSeconds(60)).until(() -> published(kafka).size() >= 3);
                awaitRead(chakra, CHAT_PATH); // a poll more, for a message published twice to show
            } finally {
                FaultyKafkaClients.reset();
            }
            assertEquals(true, failed.get(), "the listed chat's first transaction failed");
            assertEquals(List.of("wamid.GAP-1", "wamid.GAP-2", "wamid.GAP-3"), published(kafka).stream()
                    .map(r -> header(r, "chakra.externalId")).toList(), "the chat oldest first, each message once");
        }
    }

    /** Waits until {@code path} is asked once more: a poll read what the stub answers now. */
    private static void awaitRead(ChakraStub chakra, String path) {
        int before = requests(chakra, path);
        await("a read of " + path).atMost(Duration.ofSeconds(30)).until(() -> requests(chakra, path) > before);
    }

    private static int requests(ChakraStub chakra, String path) {
        return chakra.server().countRequestsMatching(postRequestedFor(urlPathEqualTo(path)).build()).getCount();
    }

    /** Both reads return the chat's newest messages, newest first. */
    private static void answer(ChakraStub chakra, List<String> arrived) {
        String answer = response(arrived.subList(0, Math.min(WINDOW, arrived.size())));
        chakra.answerChat(CHAT, answer);
        chakra.answerPhone(PHONE, answer);
    }

    private static List<ConsumerRecord<String, String>> published(EmbeddedKafka kafka) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(readAll(kafka.bootstrapServers(), Topics.INBOUND));
        records.addAll(readAll(kafka.bootstrapServers(), Topics.OUTBOUND));
        return records;
    }

    private static String field(String json, String name) {
        try {
            return JSON.readTree(json).get(name).asText();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
