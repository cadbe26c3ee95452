package io.github.chakrakafkapipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.okJson;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.errorResponse;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TestData.json;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ChakraHQ misbehaving: each fault gets a bounded, logged response, what can be published is, and the other targets go
 * on. Every test uses its own topics on one shared broker.
 */
class ApiFaultsTest {

    private static final String TOKEN = "faults-token-0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f";
    private static final String GOOD_CHAT = "good-chat";
    private static final String BAD_CHAT = "bad-chat";

    private static EmbeddedKafka kafka;
    private ChakraStub chakra;
    private Topics topics;
    private static int testNumber;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void startChakra() {
        chakra = new ChakraStub(TOKEN);
        topics = Topics.prefixed("faults" + (++testNumber) + ".");
        chakra.answerChat(GOOD_CHAT, response(List.of(message("good-1", GOOD_CHAT, 1000))));
    }

    @AfterEach
    void stopChakra() {
        chakra.close();
    }

    @Test
    void retries_5xx_and_connection_resets_with_backoff_then_publishes() throws Exception {
        String chat = "/v1/ext/chat/" + BAD_CHAT + "/message";
        stubSequence(chat, aResponse().withStatus(503), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                okJson(response(List.of(message("late-1", BAD_CHAT, 2000)))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings(GOOD_CHAT + "," + BAD_CHAT))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(outbound()).contains("late-1"));
        }
        assertEquals(List.of("good-1", "late-1"), externalIds(outbound()).stream().sorted().toList());
        List<LoggedRequest> calls = chakra.server().findAll(postRequestedFor(urlPathEqualTo(chat)));
        assertTrue(calls.size() >= 3, "a 503, a reset, then the answer");
        assertLogged("bad-chat: ChakraHQ answered HTTP 503; retry 1 of 3");
        assertLogged("bad-chat: could not reach ChakraHQ");
    }

    @Test
    void retries_as_many_times_as_the_redelivery_policy_says() throws Exception {
        String chat = "/v1/ext/chat/" + BAD_CHAT + "/message";
        chakra.server().stubFor(post(urlPathEqualTo(chat)).atPriority(1).willReturn(aResponse().withStatus(503)));
        Map<String, String> settings = settings(BAD_CHAT + "," + GOOD_CHAT);
        settings.put("chakra.http.retry.max", "1"); // maximumRedeliveries in chakra-call-errors

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.lines().stream().anyMatch(line ->
                    line.contains("bad-chat: ChakraHQ answered HTTP 503") && line.contains("(after 1 retries)")));
        }
        assertLogged("bad-chat: ChakraHQ answered HTTP 503; retry 1 of 1");
        assertTrue(!logs.text().contains("retry 2 of"), "no second retry");
    }

    @Test
    void honours_retry_after_on_429() throws Exception {
        String chat = "/v1/ext/chat/" + BAD_CHAT + "/message";
        stubSequence(chat, aResponse().withStatus(429).withHeader("Retry-After", "2"),
                okJson(response(List.of(message("after-429", BAD_CHAT, 2000)))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings(BAD_CHAT))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(outbound()).contains("after-429"));
        }
        List<LoggedRequest> calls = chakra.server().findAll(postRequestedFor(urlPathEqualTo(chat)));
        long waited = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertTrue(waited >= 2000, "waited " + waited + " ms, as Retry-After: 2 asked");
        assertLogged("bad-chat: ChakraHQ answered HTTP 429; retry 1 of 3 after 2000 ms, as Retry-After asked");
    }

    @Test
    void a_rejected_token_is_not_retried_is_named_and_does_not_stop_the_other_targets() throws Exception {
        chakra.server().stubFor(post(urlPathEqualTo("/v1/ext/chat/" + BAD_CHAT + "/message"))
                .atPriority(1).willReturn(aResponse().withStatus(401)
                        .withBody(errorResponse("Unauthorized"))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings(BAD_CHAT + "," + GOOD_CHAT))) {
            awaitRequests("/v1/ext/chat/" + GOOD_CHAT + "/message", 3);
        }
        int polls = chakra.server().findAll(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + GOOD_CHAT + "/message"))).size();
        int calls = chakra.server().findAll(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + BAD_CHAT + "/message"))).size();
        assertTrue(calls <= polls + 1, "one call per poll, no retries: " + calls + " calls in " + polls + " polls");
        assertEquals(List.of("good-1"), externalIds(outbound()));
        assertLogged("bad-chat: ChakraHQ rejected the API token (HTTP 401); check CHAKRA_API_TOKEN");
    }

    @Test
    void a_broken_answer_publishes_nothing_is_logged_and_the_other_targets_go_on() throws Exception {
        Map<String, String> broken = Map.of(
                "trailing-comma", ChakraStub.fixture("phone-messages-response.as-documented.json"),
                "not-json", "<html><body>502 Bad Gateway</body></html>",
                "no-data", "{\"_meta\": {}, \"_errors\": [\"Internal error\"]}",
                "data-not-array", "{\"_data\": {\"externalId\": \"x\"}}",
                "empty", "");
        broken.forEach((chat, body) -> chakra.answerChat(chat, okJson(body)));
        String chats = String.join(",", broken.keySet()) + "," + GOOD_CHAT;

        try (RunningPipeline pipeline = RunningPipeline.start(settings(chats))) {
            awaitRequests("/v1/ext/chat/" + GOOD_CHAT + "/message", 2);
        }
        assertEquals(List.of("good-1"), externalIds(outbound()));
        assertEquals(List.of(), readAll(kafka.bootstrapServers(), topics.inbound()));
        assertLogged("trailing-comma: ChakraHQ answered HTTP 200 but the response is not valid JSON");
        assertLogged("not-json: ChakraHQ answered HTTP 200 but the response is not valid JSON");
        assertLogged("no-data: ChakraHQ answered HTTP 200 but the response has no _data field");
        assertLogged("data-not-array: ChakraHQ answered HTTP 200 but _data is not an array but an object");
        assertLogged("empty: ChakraHQ answered HTTP 200 but the response is empty");
    }

    @Test
    void a_slow_answer_times_out_and_is_retried_without_holding_up_the_other_targets() throws Exception {
        chakra.answerChat(BAD_CHAT, okJson(response(List.of(message("slow-1", BAD_CHAT, 1)))).withFixedDelay(3000));

        Map<String, String> settings = settings(BAD_CHAT + "," + GOOD_CHAT);
        settings.put("chakra.http.response.timeout.millis", "500");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(outbound()).contains("good-1"));
            awaitRequests("/v1/ext/chat/" + BAD_CHAT + "/message", 4); // the first call and its three retries
        }
        assertEquals(List.of("good-1"), externalIds(outbound()));
        assertLogged("bad-chat: could not reach ChakraHQ at");
    }

    @Test
    void an_answer_of_several_megabytes_is_published_whole() throws Exception {
        String text = "x".repeat(1000); // twice in each message, as text and in the body
        List<String> messages = IntStream.range(0, 2500)
                .mapToObj(i -> MessageJson.message("big-" + i).chat(BAD_CHAT).timestamp(10_000 - i).text(text).build())
                .toList();
        String big = response(messages);
        assertTrue(big.length() > 5_000_000, "the answer is " + big.length() + " bytes");
        chakra.answerChat(BAD_CHAT, big);

        try (RunningPipeline pipeline = RunningPipeline.start(settings(BAD_CHAT))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> outbound().size() >= 2500);
        }
        List<ConsumerRecord<String, String>> published = outbound();
        assertEquals(2500, published.size());
        List<Long> timestamps = published.stream()
                .map(r -> json(r.value()).get("timestamp").asLong()).toList();
        assertEquals(timestamps.stream().sorted().toList(), timestamps, "oldest first");
    }

    @Test
    void pages_until_a_short_page_and_later_stops_at_a_page_already_published() throws Exception {
        String path = "/v1/ext/chat/" + BAD_CHAT + "/message";
        // newest first, two per page: page 1 = m5 m4, page 2 = m3 m2, page 3 = m1 (short: the last)
        for (int page = 1; page <= 3; page++) {
            List<String> onPage = new ArrayList<>();
            for (int m = 7 - 2 * page; m > 5 - 2 * page && m >= 1; m--) {
                onPage.add(message("m" + m, BAD_CHAT, m));
            }
            chakra.server().stubFor(post(urlPathEqualTo(path))
                    .withRequestBody(equalToJson("{\"page\": " + page + ", \"limit\": 2}"))
                    .willReturn(okJson(response(onPage))));
        }
        Map<String, String> settings = settings(BAD_CHAT);
        settings.put("chakra.chat.messages.paging", "page");
        settings.put("chakra.paging.page.size", "2");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            awaitRequests(path, 5); // poll 1: pages 1, 2, 3; poll 2: page 1 only, then poll 3 begins
        }
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), externalIds(outbound()), "once each, oldest first");
        for (int page : List.of(2, 3)) {
            chakra.server().verify(exactly(1), postRequestedFor(urlPathEqualTo(path))
                    .withRequestBody(equalToJson("{\"page\": " + page + ", \"limit\": 2}")));
        }
    }

    private void stubSequence(String path, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... answers) {
        String state = Scenario.STARTED;
        for (int i = 0; i < answers.length; i++) {
            String next = i == answers.length - 1 ? state : "call-" + (i + 2);
            chakra.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(answers[i]));
            state = next;
        }
    }

    private void awaitRequests(String path, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                chakra.server().findAll(postRequestedFor(urlPathMatching(path))).size() >= count);
    }

    private Map<String, String> settings(String chatIds) {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), chatIds, "");
        settings.put("chakra.http.retry.initial.delay.millis", "100");
        settings.putAll(topics.settings());
        return settings;
    }

    private List<ConsumerRecord<String, String>> outbound() {
        return readAll(kafka.bootstrapServers(), topics.outbound());
    }

    private static List<String> externalIds(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> header(r, "chakra.externalId")).toList();
    }

    private void assertLogged(String text) {
        String log = logs.text();
        assertTrue(log.contains(text), "the log says: " + text);
        assertTrue(!log.contains(TOKEN), "the token is in no log line");
    }

    private static String message(String externalId, String chat, long timestamp) {
        return MessageJson.message(externalId).chat(chat).outbound().timestamp(timestamp).build();
    }
}
