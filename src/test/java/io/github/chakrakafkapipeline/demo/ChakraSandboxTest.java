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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

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
    /** Conversations stopped, so that List chats keeps its order from one page to the next. */
    private static ChakraSandbox quiet;

    @BeforeAll
    static void startSandbox() {
        sandbox = ChakraSandbox.start(0, TOKEN, 3);
        quiet = ChakraSandbox.start(0, TOKEN, 5);
        quiet.stopConversations();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
        quiet.close();
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

    @Test
    void lists_chats_page_by_page_most_recently_updated_first() throws Exception {
        int total = quiet.chatIds().size();
        List<JsonNode> listed = new ArrayList<>();
        int page = 0;
        while (listed.size() < total) {
            JsonNode envelope = envelope(post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(++page, 2), TOKEN));
            JsonNode data = envelope.get("_data");
            assertTrue(data.size() > 0 && data.size() <= 2, envelope::toString);
            data.forEach(listed::add);
            assertEquals(total, envelope.at("/_meta/total").asInt(), envelope::toString);
            assertEquals(listed.size() < total, envelope.at("/_meta/hasMore").asBoolean(), envelope::toString);
        }
        JsonNode beyond = envelope(post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(page + 1, 2), TOKEN));

        assertEquals(total, listed.size(), "each chat on one page only");
        assertEquals(Set.copyOf(quiet.chatIds()), Set.copyOf(ids(listed)));
        assertTrue(isSorted(listed, "updatedAt", false), "updatedAt newest first");
        assertTrue(beyond.get("_data").isEmpty() && !beyond.at("/_meta/hasMore").asBoolean(), beyond::toString);
    }

    @Test
    void lists_chats_by_skip_and_limit_and_in_the_order_asked() throws Exception {
        List<JsonNode> all = list(quiet, "{\"limit\": 100}");
        List<JsonNode> skipped = list(quiet, "{\"skip\": 1, \"limit\": 2}");
        List<JsonNode> byCreatedAt = list(quiet, "{\"orderField\": \"createdAt\", \"orderDirection\": \"asc\"}");
        List<JsonNode> oldestActivity = list(quiet, "{\"orderField\": \"updatedAt\", \"orderDirection\": \"asc\"}");

        assertTrue(isSorted(all, "updatedAt", false), "by default, updatedAt newest first");
        assertEquals(ids(all).subList(1, 3), ids(skipped));
        assertTrue(isSorted(byCreatedAt, "createdAt", true), "createdAt oldest first");
        assertTrue(isSorted(oldestActivity, "updatedAt", true), "updatedAt oldest first");
    }

    @Test
    void lists_each_chat_by_the_id_its_messages_carry_updated_at_its_newest_message() throws Exception {
        for (JsonNode chat : list(quiet, "{\"limit\": 100}")) {
            JsonNode messages = data(post(quiet, ChakraSandbox.CHAT_MESSAGES_PATH.formatted(chat.get("id").asText()),
                    "{}", TOKEN));
            long newest = StreamSupport.stream(messages.spliterator(), false)
                    .mapToLong(message -> message.get("createdAt").asLong()).max().orElseThrow();

            assertEquals(chat.get("id").asText(), messages.get(0).get("chat").asText());
            assertEquals(newest, chat.get("updatedAt").asLong(), chat::toString);
            assertTrue(chat.get("createdAt").asLong() <= newest, chat::toString);
            for (String field : List.of("contact", "plugin", "team", "status")) {
                assertTrue(chat.path(field).isTextual(), () -> field + " in " + chat);
            }
        }
    }

    @Test
    void list_chats_requires_the_token_and_a_body_it_can_page() throws Exception {
        HttpResponse<String> anonymous = post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(1, 2), null);
        HttpResponse<String> wrongToken = post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(1, 2), "not-" + TOKEN);
        HttpResponse<String> pageZero = post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(0, 2), TOKEN);
        HttpResponse<String> unknownOrder = post(quiet, ChakraSandbox.LIST_CHATS_PATH, "{\"orderField\": \"name\"}",
                TOKEN);

        assertEquals(401, anonymous.statusCode());
        assertEquals(401, wrongToken.statusCode());
        assertEquals(400, pageZero.statusCode());
        assertEquals(400, unknownOrder.statusCode());
    }

    @Test
    void a_new_chat_heads_list_chats_with_its_customers_first_message() throws Exception {
        String opened = quiet.openChat();

        JsonNode envelope = envelope(post(quiet, ChakraSandbox.LIST_CHATS_PATH, pageBody(1, 2), TOKEN));
        JsonNode messages = data(post(quiet, ChakraSandbox.CHAT_MESSAGES_PATH.formatted(opened), "{}", TOKEN));

        assertEquals(opened, envelope.at("/_data/0/id").asText(), envelope::toString);
        assertEquals(quiet.chatIds().size(), envelope.at("/_meta/total").asInt(), envelope::toString);
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("INBOUND", messages.get(0).get("direction").asText());
        assertEquals(envelope.at("/_data/0/updatedAt").asLong(), messages.get(0).get("createdAt").asLong());
    }

    @Test
    void opens_chats_by_itself_until_told_not_to() throws Exception {
        try (ChakraSandbox fast = ChakraSandbox.start(0, TOKEN, 1, 20, 1)) {
            fast.openChatsEvery(2);
            await("new customers open chats").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> envelope(post(fast, ChakraSandbox.LIST_CHATS_PATH, "{}", TOKEN))
                            .at("/_meta/total").asInt() >= 3);

            fast.stopOpeningChats();
            int chats = fast.chatIds().size();
            await("no chat opens any more").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> fast.chatIds().size() == chats);
        }
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
        return envelope(response).get("_data");
    }

    private static JsonNode envelope(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response::body);
        JsonNode envelope = JSON.readTree(response.body());
        assertTrue(envelope.get("_errors").isEmpty(), response::body);
        return envelope;
    }

    /** The first page of List chats for {@code body}. */
    private static List<JsonNode> list(ChakraSandbox target, String body) throws IOException, InterruptedException {
        List<JsonNode> chats = new ArrayList<>();
        data(post(target, ChakraSandbox.LIST_CHATS_PATH, body, TOKEN)).forEach(chats::add);
        return chats;
    }

    private static List<String> ids(List<JsonNode> chats) {
        return chats.stream().map(chat -> chat.get("id").asText()).toList();
    }

    private static boolean isSorted(List<JsonNode> chats, String field, boolean ascending) {
        for (int i = 1; i < chats.size(); i++) {
            long previous = chats.get(i - 1).get(field).asLong();
            long current = chats.get(i).get(field).asLong();
            if (ascending ? current < previous : current > previous) {
                return false;
            }
        }
        return true;
    }

    private static String pageBody(int page, int limit) {
        return "{\"page\": %d, \"limit\": %d, \"orderField\": \"updatedAt\", \"orderDirection\": \"desc\"}"
                .formatted(page, limit);
    }

    private static String chatPath(int chat) {
        return ChakraSandbox.CHAT_MESSAGES_PATH.formatted(sandbox.chatIds().get(chat));
    }

    private static String phoneBody(int chat) {
        return "{\"customerPhoneNumber\":\"" + sandbox.phoneNumbers().get(chat) + "\"}";
    }

    private static HttpResponse<String> post(String path, String body, String token)
            throws IOException, InterruptedException {
        return post(sandbox, path, body, token);
    }

    private static HttpResponse<String> post(ChakraSandbox target, String path, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
