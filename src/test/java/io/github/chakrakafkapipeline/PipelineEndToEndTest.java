package io.github.chakrakafkapipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TestData.concat;
import static io.github.chakrakafkapipeline.testsupport.TestData.json;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static io.github.chakrakafkapipeline.testsupport.Topics.DEAD_LETTER;
import static io.github.chakrakafkapipeline.testsupport.Topics.INBOUND;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.matching.UrlPattern;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole path, with a real broker and ChakraHQ over real HTTP: what lands on the topics, and how often. */
class PipelineEndToEndTest {

    private static final String TOKEN = "e2e-token-7f3c9a1d5b8e2f4a6c0d9b3e7a1f5c8d";
    private static final String CHAT_A = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    private static final String CHAT_B = "1965c0e9-9e81-4c35-a79c-b6fe90757fd2";
    private static final String PHONE = "919901258433";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafka kafka;
    private ChakraStub chakra;

    /** The fixture answers: chat A's two outbound messages; the phone's three messages, all of chat B. */
    private List<JsonNode> chatA;
    private List<JsonNode> phone;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        chakra = new ChakraStub(TOKEN);
        chatA = elements(fixture("chat-messages-response.json"));
        phone = elements(fixture("phone-messages-response.json"));
    }

    @AfterEach
    void stop() throws Exception {
        chakra.close();
        kafka.close();
    }

    /** Both deliveries: exactly once through the pipeline's transactions, at least once through camel-kafka's send. */
    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void publishes_each_message_once_to_its_direction_topic_across_both_endpoints_and_polls(String delivery) throws Exception {
        chakra.answerChat(CHAT_A, fixture("chat-messages-response.json"));
        // chat B's own endpoint returns the same messages as the phone endpoint, one of them twice
        chakra.answerChat(CHAT_B, response(texts(phone.get(0), phone.get(1), phone.get(0), phone.get(2))));
        chakra.answerPhone(PHONE, fixture("phone-messages-response.json"));

        Map<String, String> settings = settings(CHAT_A + "," + CHAT_B, PHONE);
        settings.put("pipeline.delivery", delivery);
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(3, settings);
        }

        List<ConsumerRecord<String, String>> outbound = readAll(kafka.bootstrapServers(), OUTBOUND);
        List<ConsumerRecord<String, String>> inbound = readAll(kafka.bootstrapServers(), INBOUND);
        assertEquals(List.of(), readAll(kafka.bootstrapServers(), DEAD_LETTER));
        assertEquals(4, outbound.size(), "2 outbound of chat A + 2 outbound of chat B, each once: " + outbound);
        assertEquals(1, inbound.size(), "the one inbound message of chat B, once: " + inbound);

        Map<String, JsonNode> sent = new HashMap<>();
        for (JsonNode message : concat(chatA, phone)) {
            sent.put(message.get("externalId").asText(), message);
        }
        for (ConsumerRecord<String, String> record : concat(outbound, inbound)) {
            String externalId = header(record, "chakra.externalId");
            JsonNode original = sent.get(externalId);
            assertEquals(original, JSON.readTree(record.value()), "value is the message as the API returned it");
            assertEquals(original.get("chat").asText(), record.key(), "key is the chat id");
            assertEquals(original.get("direction").asText(), header(record, "chakra.direction"));
            String endpoint = header(record, "chakra.sourceEndpoint");
            String target = header(record, "chakra.polledTarget");
            assertTrue(endpoint.equals("chat-messages") && List.of(CHAT_A, CHAT_B).contains(target)
                    || endpoint.equals("phone-messages") && target.equals(PHONE), endpoint + " " + target);
            assertEquals(Set.of("chakra.externalId", "chakra.direction", "chakra.sourceEndpoint", "chakra.polledTarget"),
                    Arrays.stream(record.headers().toArray()).map(Header::key).collect(Collectors.toSet()),
                    "the contract's headers, no other");
        }
        assertEquals("INBOUND", header(inbound.get(0), "chakra.direction"));

        chakra.server().verify(moreThanOrExactly(3), postRequestedFor(urlPathEqualTo(ChakraStub.PHONE_PATH))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Content-Type", equalTo("application/json")));
    }

    @Test
    void publishes_each_chat_in_timestamp_order_although_the_api_answers_newest_first() throws Exception {
        chakra.answerChat(CHAT_A, fixture("chat-messages-response.json"));
        chakra.answerPhone(PHONE, fixture("phone-messages-response.json"));

        Map<String, String> settings = settings(CHAT_A, PHONE);
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(1, settings);
        }

        List<ConsumerRecord<String, String>> outbound = readAll(kafka.bootstrapServers(), OUTBOUND);
        for (String chat : List.of(CHAT_A, CHAT_B)) {
            List<Long> timestamps = outbound.stream().filter(r -> chat.equals(r.key()))
                    .map(r -> json(r.value()).get("timestamp").asLong()).toList();
            assertEquals(2, timestamps.size());
            assertEquals(timestamps.stream().sorted().toList(), timestamps, "chat " + chat + " in timestamp order");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void a_restart_against_the_same_kafka_publishes_only_what_is_new(String delivery) throws Exception {
        chakra.answerChat(CHAT_A, fixture("chat-messages-response.json"));
        chakra.answerPhone(PHONE, fixture("phone-messages-response.json"));
        Map<String, String> settings = settings(CHAT_A, PHONE);
        settings.put("pipeline.delivery", delivery);

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(1, settings);
        }
        assertEquals(4, readAll(kafka.bootstrapServers(), OUTBOUND).size());

        // after the restart chat A has one new message, and an old one whose deliveryStatus changed
        String newer = MessageJson.from(chatA.get(0))
                .externalId("wamid.NEW-AFTER-RESTART").timestamp(1762277999000L).build();
        String read = MessageJson.from(chatA.get(1)).deliveryStatus("READ").build();
        chakra.answerChat(CHAT_A, response(List.of(newer, chatA.get(0).toString(), read)));

        chakra.server().resetRequests();
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(2, settings);
        }
        List<ConsumerRecord<String, String>> outbound = readAll(kafka.bootstrapServers(), OUTBOUND);
        assertEquals(5, outbound.size(), "only the new message was published after the restart: " + outbound);
        assertEquals(1, outbound.stream()
                .filter(r -> "wamid.NEW-AFTER-RESTART".equals(header(r, "chakra.externalId"))).count());
        assertEquals(1, readAll(kafka.bootstrapServers(), INBOUND).size());
    }

    @Test
    void sends_what_cannot_be_published_to_the_dead_letter_topic_with_a_reason_and_publishes_the_rest() throws Exception {
        String noExternalId = MessageJson.from(chatA.get(0)).without("externalId").build();
        String sideways = MessageJson.from(chatA.get(0))
                .externalId("wamid.SIDEWAYS").direction("SIDEWAYS").build();
        List<String> elements = new ArrayList<>(texts(chatA.get(0)));
        elements.add("\"not a message\"");
        elements.add(noExternalId);
        elements.add(sideways);
        elements.addAll(texts(chatA.get(1)));
        chakra.answerChat(CHAT_A, response(elements));

        Map<String, String> settings = settings(CHAT_A, "");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(3, settings);
        }

        assertEquals(2, readAll(kafka.bootstrapServers(), OUTBOUND).size(), "the two good messages");
        List<ConsumerRecord<String, String>> deadLetters = readAll(kafka.bootstrapServers(), DEAD_LETTER);
        Map<String, String> reasons = new HashMap<>();
        deadLetters.forEach(r -> reasons.put(r.value(), header(r, "chakra.deadLetterReason")));
        assertEquals(3, deadLetters.size(), "each bad element once, not once per poll: " + reasons);
        assertEquals("element of _data is not a JSON object", reasons.get("\"not a message\""));
        assertEquals("message has no externalId", reasons.get(noExternalId));
        assertEquals("message direction 'SIDEWAYS' is neither INBOUND nor OUTBOUND",
                reasons.get(sideways));
        deadLetters.forEach(r -> assertEquals(CHAT_A, header(r, "chakra.polledTarget")));
    }

    @Test
    void polls_under_camel_s_file_lock_when_the_kafka_lease_is_configured_off(@TempDir Path locks) throws Exception {
        chakra.answerChat(CHAT_A, fixture("chat-messages-response.json"));
        Map<String, String> settings = settings(CHAT_A, "");
        settings.put("pipeline.lease.enabled", "false");
        // as docs/operations.md tells ops: a bean of Camel's own file-lock cluster service
        settings.put("camel.beans.fileLease", "#class:org.apache.camel.component.file.cluster.FileLockClusterService");
        settings.put("camel.beans.fileLease.root", locks.toString());

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(1, settings);
        }
        assertEquals(2, readAll(kafka.bootstrapServers(), OUTBOUND).size(), "chat A's two messages");
        try (var files = Files.list(locks)) {
            assertTrue(files.findAny().isPresent(), "the file cluster service took its lock in " + locks);
        }
    }

    @Test
    void a_message_too_large_for_kafka_is_dead_lettered_cut_to_fit_once_and_the_rest_is_published() throws Exception {
        int maxRequestSize = 1_048_576; // Kafka's default, as config/application.properties ships it
        String before = MessageJson.message("wamid.BEFORE").chat(CHAT_A).timestamp(1_000L).build();
        String large = MessageJson.message("wamid.LARGE").chat(CHAT_A).timestamp(2_000L)
                .text("x".repeat(2 * 1024 * 1024)).build(); // the text twice: as text and in the body
        String after = MessageJson.message("wamid.AFTER").chat(CHAT_A).timestamp(3_000L).build();
        chakra.answerChat(CHAT_A, response(List.of(after, large, before))); // newest first, as the API lists
        int largeBytes = large.getBytes(StandardCharsets.UTF_8).length;

        Map<String, String> settings = settings(CHAT_A, "");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(3, settings);
        }

        List<ConsumerRecord<String, String>> outbound = readAll(kafka.bootstrapServers(), OUTBOUND);
        assertEquals(List.of("wamid.BEFORE", "wamid.AFTER"),
                outbound.stream().map(r -> header(r, "chakra.externalId")).toList(), "the rest of the response");
        List<ConsumerRecord<String, String>> deadLetters = readAll(kafka.bootstrapServers(), DEAD_LETTER);
        assertEquals(1, deadLetters.size(), "reported once, not once per poll");
        ConsumerRecord<String, String> deadLetter = deadLetters.get(0);
        assertEquals("message is " + String.format(Locale.ENGLISH, "%,d", largeBytes) + " bytes, more than Kafka takes"
                + " in one record (max.request.size 1,048,576: KAFKA_MAX_REQUEST_SIZE)",
                header(deadLetter, "chakra.deadLetterReason"));
        assertEquals(String.valueOf(largeBytes), header(deadLetter, "chakra.deadLetterCut"));
        assertEquals("wamid.LARGE", header(deadLetter, "chakra.externalId"));
        assertEquals(CHAT_A, deadLetter.key());
        int valueBytes = deadLetter.value().getBytes(StandardCharsets.UTF_8).length;
        assertTrue(valueBytes <= maxRequestSize && valueBytes > maxRequestSize - 2048, "cut to fit: " + valueBytes);
        assertTrue(large.startsWith(deadLetter.value()), "the value is the start of the message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void a_send_kafka_refuses_stops_the_response_there_so_that_no_later_message_overtakes_it(String delivery)
            throws Exception {
        String before = MessageJson.message("wamid.BEFORE").chat(CHAT_A).timestamp(1_000L).build();
        String refused = MessageJson.message("wamid.REFUSED").chat(CHAT_A).timestamp(2_000L)
                .text("x".repeat(4096)).build();
        String after = MessageJson.message("wamid.AFTER").chat(CHAT_A).timestamp(3_000L).build();
        chakra.answerChat(CHAT_A, response(List.of(after, refused, before)));
        Map<String, String> settings = settings(CHAT_A, "");
        // the producer itself refuses records over 4 KB, at once, while the pipeline's own check allows 1 MB: a send
        // that fails as it is handed to the producer
        settings.put("camel.component.kafka.additional-properties[max.request.size]", "4096");
        settings.put("pipeline.delivery", delivery);

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitPolls(3, settings);
        }

        assertEquals(List.of("wamid.BEFORE"), readAll(kafka.bootstrapServers(), OUTBOUND).stream()
                .map(r -> header(r, "chakra.externalId")).toList(), "nothing after the refused message, on any poll");
    }

    private Map<String, String> settings(String chatIds, String phoneNumbers) {
        return chakra.pipelineSettings(kafka.bootstrapServers(), chatIds, phoneNumbers);
    }

    /**
     * Waits until every target has been polled this many times and the last of those polls is complete: a poll never
     * starts before the previous one ended, so the first request of the next poll proves it.
     */
    private void awaitPolls(int polls, Map<String, String> settings) {
        int chats = count(settings.get("chakra.chat.ids"));
        int phones = count(settings.get("chakra.phone.numbers"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                requests(urlPathMatching("/v1/ext/chat/.*/message")) >= polls * chats + (chats > 0 ? 1 : 0)
                && requests(urlPathEqualTo(ChakraStub.PHONE_PATH)) >= polls * phones + (phones > 0 ? 1 : 0));
    }

    private static int count(String commaSeparated) {
        return commaSeparated.isEmpty() ? 0 : commaSeparated.split(",").length;
    }

    private int requests(UrlPattern url) {
        return chakra.server().countRequestsMatching(postRequestedFor(url).build()).getCount();
    }

    private static List<JsonNode> elements(String answer) throws Exception {
        List<JsonNode> elements = new ArrayList<>();
        JSON.readTree(answer).get("_data").forEach(elements::add);
        return elements;
    }

    private static List<String> texts(JsonNode... elements) {
        List<String> texts = new ArrayList<>();
        for (JsonNode element : elements) {
            texts.add(element.toString());
        }
        return texts;
    }
}
