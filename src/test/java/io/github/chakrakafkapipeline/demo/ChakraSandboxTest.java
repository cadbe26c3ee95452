package io.github.chakrakafkapipeline.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox behind the offline demo, called over real HTTP the way the pipeline calls ChakraHQ. */
class ChakraSandboxTest {

    private static final String TOKEN = "test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ChakraSandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = ChakraSandbox.start(0, TOKEN, 3);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void rejects_a_request_without_a_token() throws Exception {
        HttpResponse<String> response = post(chatPath(0), "{}", null);

        assertEquals(401, response.statusCode());
        assertEquals("Unauthorized", JSON.readTree(response.body()).get("_errors").get(0).asText());
    }

    @Test
    void rejects_a_wrong_token() throws Exception {
        HttpResponse<String> response = post(ChakraSandbox.PHONE_MESSAGES_PATH, phoneBody(0), "not-" + TOKEN);

        assertEquals(401, response.statusCode());
        JsonNode envelope = JSON.readTree(response.body());
        assertTrue(envelope.get("_data").isNull());
        assertEquals("Unauthorized", envelope.get("_errors").get(0).asText());
    }

    @Test
    void answers_an_unknown_chat_with_404_and_a_malformed_body_with_400() throws Exception {
        HttpResponse<String> unknown = post("/v1/ext/chat/00000000-0000-0000-0000-000000000000/message", "{}", TOKEN);
        HttpResponse<String> malformed = post(chatPath(0), "{\"limit\": 50,}", TOKEN);

        assertEquals(404, unknown.statusCode());
        assertFalse(JSON.readTree(unknown.body()).get("_errors").isEmpty());
        assertEquals(400, malformed.statusCode());
        assertFalse(JSON.readTree(malformed.body()).get("_errors").isEmpty());
    }

    @Test
    void answers_both_endpoints_with_well_formed_messages_newest_first() throws Exception {
        for (int chat = 0; chat < sandbox.chatIds().size(); chat++) {
            assertWellFormed(data(post(chatPath(chat), "{}", TOKEN)), chat, false);
            assertWellFormed(data(post(ChakraSandbox.PHONE_MESSAGES_PATH, phoneBody(chat), TOKEN)), chat, true);
        }
    }

    @Test
    void returns_the_same_messages_from_both_endpoints_for_the_same_chat() throws Exception {
        Set<String> byChat = externalIds(data(post(chatPath(1), "{}", TOKEN)));
        Set<String> byPhone = externalIds(data(post(ChakraSandbox.PHONE_MESSAGES_PATH, phoneBody(1), TOKEN)));

        byChat.retainAll(byPhone);
        assertFalse(byChat.isEmpty(), "the two endpoints should overlap for the same chat");
    }

    @Test
    void adds_new_messages_over_time() throws Exception {
        Set<String> first = allExternalIds();

        // a new message lands in a random chat every ~2 s, so look at every chat
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !first.containsAll(allExternalIds()));
    }

    private static void assertWellFormed(JsonNode data, int chat, boolean phoneEndpoint) {
        assertTrue(data.isArray() && !data.isEmpty(), "_data should be a non-empty array");
        long previous = Long.MAX_VALUE;
        for (JsonNode message : data) {
            assertTrue(message.path("externalId").asText().startsWith("wamid."), message::toString);
            assertTrue(List.of("INBOUND", "OUTBOUND").contains(message.path("direction").asText()), message::toString);
            assertEquals(sandbox.chatIds().get(chat), message.path("chat").asText());
            assertEquals(phoneEndpoint, message.has("contact"), "only the phone endpoint returns contact");
            long timestamp = message.get("timestamp").asLong();
            assertTrue(timestamp < previous, "messages should be newest first");
            previous = timestamp;
        }
    }

    private static Set<String> allExternalIds() throws IOException, InterruptedException {
        Set<String> ids = new HashSet<>();
        for (int chat = 0; chat < sandbox.chatIds().size(); chat++) {
            ids.addAll(externalIds(data(post(chatPath(chat), "{}", TOKEN))));
        }
        return ids;
    }

    private static Set<String> externalIds(JsonNode data) {
        Set<String> ids = new HashSet<>();
        data.forEach(message -> ids.add(message.get("externalId").asText()));
        return ids;
    }

    private static JsonNode data(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response::body);
        JsonNode envelope = JSON.readTree(response.body());
        assertTrue(envelope.get("_errors").isEmpty(), response::body);
        return envelope.get("_data");
    }

    private static String chatPath(int chat) {
        return ChakraSandbox.CHAT_MESSAGES_PATH.formatted(sandbox.chatIds().get(chat));
    }

    private static String phoneBody(int chat) {
        return "{\"customerPhoneNumber\":\"" + sandbox.phoneNumbers().get(chat) + "\"}";
    }

    private static HttpResponse<String> post(String path, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
