package io.github.chakrakafkapipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TestData.concat;
import static io.github.chakrakafkapipeline.testsupport.TestData.json;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static io.github.chakrakafkapipeline.testsupport.Topics.DEAD_LETTER;
import static io.github.chakrakafkapipeline.testsupport.Topics.DEDUP;
import static io.github.chakrakafkapipeline.testsupport.Topics.INBOUND;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.dedup.DedupTopic;
import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RestartableKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.TestData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker goes away mid-run and comes back (same port, same data, as a real restart), while ChakraHQ goes on
 * returning new messages: polls fail cleanly meanwhile, and afterwards every message the API returned is on the topics
 * exactly once, each chat in timestamp order, and nothing was recorded as published that never reached Kafka.
 */
class BrokerOutageTest {

    private static final String TOKEN = "outage-token-3d9f1b7c5a2e8d4f6b0c1a9e7d3f5b2c";
    private static final String CHAT_PATH = "/v1/ext/chat/%s/message";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration POLLS_WAIT = Duration.ofSeconds(45);
    private static final int FAILED_POLLS = 3;

    /** A send to a broker that is gone fails after 2 s instead of Kafka's default delivery.timeout.ms of 120 s. */
    private static final Map<String, String> KAFKA_FAILS_FAST = Map.of(
            "camel.component.kafka.request-timeout-ms", "1000",
            "camel.component.kafka.delivery-timeout-ms", "2000");

    private RestartableKafka kafka;
    private ChakraStub chakra;
    private RunningPipeline pipeline;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    private final String chat = "outage-chat-" + UUID.randomUUID();
    private final String phoneChat = "outage-phone-chat-" + UUID.randomUUID();
    private final String phone = "91" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
    private final long now = System.currentTimeMillis();

    /** Before the outage: what the API returns at first, newest first as ChakraHQ does. */
    private final List<String> chatBefore = List.of(
            message("before-chat-2", chat, "INBOUND", now - 50_000),
            message("before-chat-1", chat, "OUTBOUND", now - 60_000));
    private final List<String> phoneBefore = List.of(
            message("before-phone-2", phoneChat, "OUTBOUND", now - 50_000),
            message("before-phone-1", phoneChat, "INBOUND", now - 60_000));
    /** During the outage: the answers gain these, newer than everything before. */
    private final List<String> chatDuring = List.of(
            message("during-chat-3", chat, "OUTBOUND", now - 10_000),
            message("during-chat-2", chat, "INBOUND", now - 20_000),
            message("during-chat-1", chat, "OUTBOUND", now - 30_000));
    private final List<String> phoneDuring = List.of(
            message("during-phone-2", phoneChat, "INBOUND", now - 20_000),
            message("during-phone-1", phoneChat, "OUTBOUND", now - 30_000));

    @BeforeEach
    void start() {
        kafka = RestartableKafka.start();
        chakra = new ChakraStub(TOKEN);
        chakra.answerChat(chat, response(chatBefore));
        chakra.answerPhone(phone, response(phoneBefore));
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        chakra.close();
        kafka.close();
    }

    @Test
    void what_the_api_returned_while_the_broker_was_down_is_published_once_in_order_when_it_is_back() throws Exception {
        pipeline = RunningPipeline.start(settings());
        awaitOnTopics(concat(chatBefore, phoneBefore));

        brokerOutageWhileTheApiGainsMessages();
        kafka.restart();

        List<String> all = concat(chatBefore, phoneBefore, chatDuring, phoneDuring);
        awaitOnTopics(all);
        awaitPolls(2); // time enough for a second copy to show up, if there were one
        assertEachOnceInTimestampOrder(all);
    }

    @Test
    void while_the_broker_is_down_every_target_is_still_polled_and_its_failure_logged() throws Exception {
        pipeline = RunningPipeline.start(settings());
        awaitOnTopics(concat(chatBefore, phoneBefore));
        kafka.stop();
        chakra.answerChat(chat, response(concat(chatDuring, chatBefore)));
        chakra.answerPhone(phone, response(concat(phoneDuring, phoneBefore)));

        awaitPolls(FAILED_POLLS);
        assertLogged(chat + ": stopped publishing this response");
        assertLogged(phone + ": stopped publishing this response");
        // exactly once: after the first transaction Kafka did not answer, the responses fail at once for max.block.ms,
        // each saying so (the Kafka 4 client keeps its producer through an abortable timeout: no new one per poll)
        await("the transactional producer's failure named").atMost(Duration.ofSeconds(60)).until(() -> logs.text()
                .contains("Kafka did not answer the transaction before this one, within the last 10000 ms"));
    }

    @Test
    void a_pipeline_restarted_after_the_outage_publishes_nothing_again() throws Exception {
        pipeline = RunningPipeline.start(settings());
        awaitOnTopics(concat(chatBefore, phoneBefore));
        brokerOutageWhileTheApiGainsMessages();
        kafka.restart();
        List<String> all = concat(chatBefore, phoneBefore, chatDuring, phoneDuring);
        awaitOnTopics(all);

        pipeline.close();
        pipeline = RunningPipeline.start(settings());
        awaitPolls(3);

        assertEachOnceInTimestampOrder(all);
    }

    @Test
    void a_pipeline_stopped_during_the_outage_publishes_what_failed_once_both_are_back() throws Exception {
        pipeline = RunningPipeline.start(settings());
        awaitOnTopics(concat(chatBefore, phoneBefore));
        brokerOutageWhileTheApiGainsMessages();

        // what failed lives only in the API now: the pipeline's memory goes, the dedup topic must not have it
        pipeline.close();
        pipeline = null;
        kafka.restart();
        pipeline = RunningPipeline.start(settings());

        List<String> all = concat(chatBefore, phoneBefore, chatDuring, phoneDuring);
        awaitOnTopics(all);
        awaitPolls(2);
        assertEachOnceInTimestampOrder(all);
    }

    /**
     * Stops the broker, makes the API return new messages, and waits until several polls failed to publish them. The
     * polls are counted by the chat, which each poll asks first.
     */
    private void brokerOutageWhileTheApiGainsMessages() {
        kafka.stop();
        chakra.answerChat(chat, response(concat(chatDuring, chatBefore)));
        chakra.answerPhone(phone, response(concat(phoneDuring, phoneBefore)));
        int chatRequests = requests(String.format(CHAT_PATH, chat));
        await("chat polled " + FAILED_POLLS + " times while the broker is down").atMost(POLLS_WAIT)
                .until(() -> requests(String.format(CHAT_PATH, chat)) >= chatRequests + FAILED_POLLS + 1);
    }

    private Map<String, String> settings() {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), chat, phone);
        settings.putAll(KAFKA_FAILS_FAST);
        return settings;
    }

    /** Waits until both targets were asked this many more times, the last of those polls finished. */
    private void awaitPolls(int polls) {
        int chatRequests = requests(String.format(CHAT_PATH, chat));
        int phoneRequests = requests(ChakraStub.PHONE_PATH);
        await("chat and phone number each polled " + polls + " more times").atMost(POLLS_WAIT)
                .until(() -> requests(String.format(CHAT_PATH, chat)) >= chatRequests + polls + 1
                        && requests(ChakraStub.PHONE_PATH) >= phoneRequests + polls + 1);
    }

    private int requests(String path) {
        return chakra.server().countRequestsMatching(postRequestedFor(urlPathEqualTo(path)).build()).getCount();
    }

    private void awaitOnTopics(List<String> messages) {
        Set<String> expected = messages.stream().map(m -> json(m).get("externalId").asText())
                .collect(Collectors.toSet());
        await("all of " + expected + " on the topics").atMost(WAIT).ignoreExceptions()
                .until(() -> published().stream().map(r -> header(r, "chakra.externalId"))
                        .collect(Collectors.toSet()).containsAll(expected));
    }

    private List<ConsumerRecord<String, String>> published() {
        return concat(readAll(kafka.bootstrapServers(), INBOUND), readAll(kafka.bootstrapServers(), OUTBOUND));
    }

    private void assertEachOnceInTimestampOrder(List<String> messages) throws Exception {
        List<ConsumerRecord<String, String>> published = published();
        Map<String, JsonNode> sent = messages.stream().map(TestData::json)
                .collect(Collectors.toMap(m -> m.get("externalId").asText(), Function.identity()));

        Map<String, Long> copies = published.stream().collect(
                Collectors.groupingBy(r -> header(r, "chakra.externalId"), TreeMap::new, Collectors.counting()));
        Map<String, Long> once = new TreeMap<>();
        sent.keySet().forEach(id -> once.put(id, 1L));
        assertEquals(once, copies, "every message the API returned, exactly once");

        for (ConsumerRecord<String, String> record : published) {
            JsonNode original = sent.get(header(record, "chakra.externalId"));
            assertEquals(original, JSON.readTree(record.value()), "value is the message as the API returned it");
            assertEquals(original.get("chat").asText(), record.key());
            assertEquals(original.get("direction").asText().equals("INBOUND") ? INBOUND : OUTBOUND, record.topic());
        }
        for (String topic : List.of(INBOUND, OUTBOUND)) {
            for (String key : List.of(chat, phoneChat)) {
                List<Long> timestamps = published.stream()
                        .filter(r -> r.topic().equals(topic) && r.key().equals(key))
                        .map(r -> json(r.value()).get("timestamp").asLong()).toList();
                assertEquals(timestamps.stream().sorted().toList(), timestamps,
                        "chat " + key + " on " + topic + " in timestamp order");
            }
        }
        assertEquals(List.of(), readAll(kafka.bootstrapServers(), DEAD_LETTER));

        // the dedup records hold exactly what reached the topics: nothing marked seen that never got there
        assertEquals(once.keySet().stream().map(DedupTopic::fingerprint).collect(Collectors.toSet()),
                DedupTopic.held(readAll(kafka.bootstrapServers(), DEDUP)),
                "the chats' dedup records hold each published message, and nothing else");
    }

    private void assertLogged(String text) {
        String log = logs.text();
        assertTrue(log.contains(text), "the log says: " + text);
        assertTrue(!log.contains(TOKEN), "the token is in no log line");
    }

    private static String message(String externalId, String chat, String direction, long timestamp) {
        return MessageJson.message("wamid." + externalId + "-" + chat).chat(chat).direction(direction)
                .timestamp(timestamp).build();
    }
}
