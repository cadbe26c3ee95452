package io.github.chakrakafkapipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.CHAT_LIST_PATH;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.okJson;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
 * Discovery (issue #10): the poll finds the team's chats with List chats and reads only those whose activity moved,
 * with ChakraHQ over real HTTP (WireMock) and a real broker. Each test has its own topics, pipeline name (lease and
 * transactional id) and stub on one shared broker, and asserts what reaches the topics and which calls reach ChakraHQ.
 */
class ChatDiscoveryTest {

    private static final String TOKEN = "discovery-token-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static EmbeddedKafka kafka;
    private static int testNumber;
    private ChakraStub chakra;
    private Topics topics;
    private String prefix;
    private int managementPort;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    /** One chat of a List chats answer: its id and its activity (updatedAt, epoch ms of ChakraHQ's clock). */
    private record Chat(String id, long updatedAt) {
    }

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
        prefix = "discovery" + (++testNumber) + ".";
        topics = Topics.prefixed(prefix);
        managementPort = RunningPipeline.freePort();
    }

    @AfterEach
    void stopChakra() {
        chakra.close();
    }

    @Test
    void publishes_the_messages_of_the_chats_that_list_chats_finds() throws Exception {
        chakra.answerChatList(chatList(new Chat("chat-a", 2_000), new Chat("chat-b", 1_000)));
        chakra.answerChat("chat-a", response(List.of(outbound("a-2", "chat-a", 20), outbound("a-1", "chat-a", 10))));
        chakra.answerChat("chat-b", response(List.of(inbound("b-1", "chat-b", 15))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings("", ""))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> published().size() == 3);
            awaitPolls(2);
            assertEquals(2.0, metric("chakra_pipeline_chats_known", ""));
            assertEquals(2.0, metric("chakra_pipeline_chat_reads_total", "reason=\"changed\""),
                    "each chat read once, as List chats showed it changed");
            assertTrue(metric("chakra_pipeline_api_calls_total", "endpoint=\"chat-list\",status=\"2xx\"") >= 2);
        }

        List<ConsumerRecord<String, String>> outbound = readAll(kafka.bootstrapServers(), topics.outbound());
        List<ConsumerRecord<String, String>> inbound = readAll(kafka.bootstrapServers(), topics.inbound());
        assertEquals(List.of("a-1", "a-2"), externalIds(outbound), "chat a's messages, once each, oldest first");
        assertEquals(List.of("chat-a", "chat-a"), outbound.stream().map(ConsumerRecord::key).toList());
        assertEquals(List.of("b-1"), externalIds(inbound));
        assertEquals("chat-b", inbound.get(0).key());
        assertEquals("chat-messages", header(inbound.get(0), "chakra.sourceEndpoint"));
        assertEquals("chat-b", header(inbound.get(0), "chakra.polledTarget"));
        assertEquals(List.of(), readAll(kafka.bootstrapServers(), topics.deadLetter()));
        assertEquals(Map.of("chat-a", "2000", "chat-b", "1000"), activityRecorded(),
                "each chat's activity recorded once its messages reached Kafka");
    }

    @Test
    void a_chat_that_opens_mid_run_is_read_and_published() throws Exception {
        chakra.answerChatList(chatList(new Chat("chat-old", 1_000)));
        chakra.answerChat("chat-old", response(List.of(outbound("old-1", "chat-old", 10))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings("", ""))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(published()).contains("old-1"));
            awaitPolls(1);

            chakra.answerChat("chat-new", response(List.of(inbound("new-1", "chat-new", 30))));
            chakra.answerChatList(chatList(new Chat("chat-new", 3_000), new Chat("chat-old", 1_000)));
            await().atMost(Duration.ofSeconds(15)).until(() -> externalIds(published()).contains("new-1"));
            awaitPolls(2);
        }
        assertEquals(List.of("new-1", "old-1"), externalIds(published()).stream().sorted().toList());
        assertEquals(List.of("chat-new"),
                readAll(kafka.bootstrapServers(), topics.inbound()).stream().map(ConsumerRecord::key).toList());
        assertEquals(1, messageCalls("chat-old"), "the quiet chat was not read again");
        assertEquals(1, messageCalls("chat-new"));
    }

    @Test
    void reads_a_quiet_chat_once_and_again_only_when_its_activity_moves() throws Exception {
        // five chats, two a page, newest first: [c5 c4] [c3 c2] [c1]
        List<Chat> chats = new ArrayList<>(List.of(new Chat("c5", 5_000), new Chat("c4", 4_000), new Chat("c3", 3_000),
                new Chat("c2", 2_000), new Chat("c1", 1_000)));
        answerChatListPages(chats, 2);
        for (Chat chat : chats) {
            chakra.answerChat(chat.id(), response(List.of(outbound(chat.id() + "-1", chat.id(), chat.updatedAt()))));
        }
        Map<String, String> settings = settings("", "");
        settings.put("chakra.chat.list.page.size", "2");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> published().size() == 5);
            awaitPolls(4);
            for (Chat chat : chats) {
                assertEquals(1, messageCalls(chat.id()), chat.id() + " read once, then left alone while quiet");
            }
            assertEquals(1, chatListPageCalls(3), "only the first pass lists every page");
            assertEquals(1, chatListPageCalls(2),
                    "later passes stop at the first chat older than the newest one the last pass saw");

            // c2 gets a message: its activity moves and it rises to the top of the list
            chakra.answerChat("c2", response(List.of(outbound("c2-2", "c2", 6_000), outbound("c2-1", "c2", 2_000))));
            chats.remove(3);
            chats.add(0, new Chat("c2", 6_000));
            answerChatListPages(chats, 2);
            await().atMost(Duration.ofSeconds(15)).until(() -> externalIds(published()).contains("c2-2"));
            awaitPolls(3);
        }
        assertEquals(2, messageCalls("c2"), "c2 read again once, after its activity moved");
        for (String quiet : List.of("c1", "c3", "c4", "c5")) {
            assertEquals(1, messageCalls(quiet), quiet + " still read once");
        }
        assertEquals(List.of("c1-1", "c2-1", "c2-2", "c3-1", "c4-1", "c5-1"),
                externalIds(published()).stream().sorted().toList(), "each message once");
        assertEquals("6000", activityRecorded().get("c2"));
    }

    @Test
    void the_sweep_reads_every_known_chat_again_though_quiet() throws Exception {
        chakra.answerChatList(chatList(new Chat("sweep-a", 2_000), new Chat("sweep-b", 1_000)));
        chakra.answerChat("sweep-a", response(List.of(outbound("sa-1", "sweep-a", 20))));
        chakra.answerChat("sweep-b", response(List.of(outbound("sb-1", "sweep-b", 10))));
        Map<String, String> settings = settings("", "");
        settings.put("chakra.chat.sweep.interval.millis", "4000"); // every 4 polls: one of the two chats every other poll

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> messageCalls("sweep-a") >= 3 && messageCalls("sweep-b") >= 3);
            assertTrue(metric("chakra_pipeline_chat_reads_total", "reason=\"sweep\"") >= 4);
            assertTrue(metric("chakra_pipeline_sweeps_total", "") >= 1);
        }
        assertEquals(List.of("sa-1", "sb-1"), externalIds(published()).stream().sorted().toList(),
                "read again, published once");
    }

    @Test
    void a_restart_reads_only_the_chats_whose_activity_moved_while_it_was_down() throws Exception {
        chakra.answerChatList(chatList(new Chat("kept", 2_000), new Chat("moved", 1_000)));
        chakra.answerChat("kept", response(List.of(outbound("kept-1", "kept", 20))));
        chakra.answerChat("moved", response(List.of(outbound("moved-1", "moved", 10))));
        Map<String, String> settings = settings("", "");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> activityRecorded().size() == 2);
        }
        assertEquals(2, published().size());

        // while the pipeline is down, "moved" gets a message
        chakra.answerChat("moved", response(List.of(outbound("moved-2", "moved", 30), outbound("moved-1", "moved", 10))));
        chakra.answerChatList(chatList(new Chat("moved", 3_000), new Chat("kept", 2_000)));
        chakra.server().resetRequests();

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(published()).contains("moved-2"));
            awaitPolls(3);
        }
        assertEquals(0, messageCalls("kept"), "the chat whose activity did not move is not read after the restart");
        assertEquals(1, messageCalls("moved"));
        assertEquals(List.of("kept-1", "moved-1", "moved-2"), externalIds(published()).stream().sorted().toList());
        assertEquals(Map.of("kept", "2000", "moved", "3000"), activityRecorded());
    }

    @Test
    void publishes_a_message_once_across_discovery_a_listed_chat_and_a_phone_number() throws Exception {
        String phone = "919900000001";
        String shared = outbound("shared-1", "disc-chat", 50);
        chakra.answerChatList(chatList(new Chat("disc-chat", 2_000), new Chat("listed-chat", 1_500)));
        chakra.answerChat("disc-chat", response(List.of(shared, outbound("disc-1", "disc-chat", 40))));
        chakra.answerChat("listed-chat", response(List.of(shared, outbound("listed-1", "listed-chat", 30))));
        chakra.answerPhone(phone, response(List.of(shared, inbound("phone-1", "phone-chat", 20))));
        Map<String, String> settings = settings("listed-chat", phone);
        settings.put("chakra.chat.discovery", "on");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> published().size() >= 4);
            awaitPolls(3);
            assertEquals(1.0, metric("chakra_pipeline_chat_reads_total", "reason=\"changed\""),
                    "the listed chat that List chats also shows is read as listed, not twice");
        }
        List<String> ids = externalIds(published());
        assertEquals(1, ids.stream().filter("shared-1"::equals).count(), "the shared message once: " + ids);
        assertEquals(List.of("disc-1", "listed-1", "phone-1", "shared-1"), ids.stream().sorted().toList());
        assertTrue(messageCalls("listed-chat") >= 3 && phoneCalls() >= 3, "listed targets read every poll");
    }

    @Test
    void a_429_on_list_chats_pauses_every_call_for_its_retry_after() throws Exception {
        // a listed chat read in 20 pages of one message: its read spans some 4 s of the budget (5 calls a second),
        // so its calls are under way, or waiting for a permit, when List chats gets the 429 at the next poll
        String pager = "/v1/ext/chat/pager/message";
        for (int page = 1; page <= 20; page++) {
            chakra.server().stubFor(post(urlPathEqualTo(pager))
                    .withRequestBody(equalToJson("{\"page\": " + page + ", \"limit\": 1}"))
                    .willReturn(okJson(response(List.of(outbound("page-" + page, "pager", 100 - page))))));
        }
        chakra.answerChat("disc-chat", response(List.of()));
        chakra.server().stubFor(post(urlPathEqualTo("/v1/ext/chat/disc-chat/message"))
                .withRequestBody(equalToJson("{\"page\": 1, \"limit\": 1}"))
                .willReturn(okJson(response(List.of(outbound("disc-1", "disc-chat", 10))))));
        String list = chatList(new Chat("disc-chat", 1_000));
        // the 429 takes a moment to come back, as over a real network: the calls that wait for a permit meanwhile
        // must wait for the pause too
        long answeredAfter = 300;
        stubSequence(CHAT_LIST_PATH, okJson(list),
                aResponse().withStatus(429).withHeader("Retry-After", "3").withFixedDelay((int) answeredAfter),
                okJson(list));
        Map<String, String> settings = settings("pager", "");
        settings.put("chakra.chat.discovery", "on");
        settings.put("chakra.chat.messages.paging", "page");
        settings.put("chakra.paging.page.size", "1");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> published().size() == 21);
            assertEquals(1.0, metric("chakra_pipeline_api_budget_pauses_total", ""));
        }
        List<ServeEvent> served = chakra.server().getAllServeEvents().stream()
                .sorted(Comparator.comparing(event -> event.getRequest().getLoggedDate())).toList();
        ServeEvent limited = served.stream().filter(event -> event.getResponse().getStatus() == 429).findFirst()
                .orElseThrow();
        long answered = limited.getRequest().getLoggedDate().getTime() + answeredAfter;
        // a call that had its permit before the 429 came back may still reach ChakraHQ just after it
        List<String> during = served.stream()
                .map(event -> event.getRequest())
                .filter(request -> request.getLoggedDate().getTime() > answered + 200
                        && request.getLoggedDate().getTime() < answered + 2_900)
                .map(request -> (request.getLoggedDate().getTime() - answered) + " ms after the 429: "
                        + request.getUrl() + " " + request.getBodyAsString())
                .toList();
        assertEquals(List.of(), during, "no call during the 3 s Retry-After asked for");
        assertTrue(served.stream().anyMatch(event -> event.getRequest().getUrl().equals(pager)
                && event.getRequest().getLoggedDate().getTime() >= answered + 2_900),
                "the pager's read was under way, paused, and went on after the pause");
        assertLogged("ChakraHQ answered HTTP 429; every call to ChakraHQ waits 3000 ms");
    }

    @Test
    void list_chats_failures_leave_the_listed_chats_read_and_bad_ids_uncalled() throws Exception {
        chakra.answerChat("listed-chat", response(List.of(outbound("listed-1", "listed-chat", 10))));
        chakra.answerChat("good-disc", response(List.of(outbound("good-1", "good-disc", 20))));
        String badIds = "{\"_data\":["
                + "{\"updatedAt\":5000},"
                + "{\"id\":null,\"updatedAt\":4900},"
                + "{\"id\":\"../x\",\"updatedAt\":4800},"
                + "{\"id\":\"a/b\",\"updatedAt\":4700},"
                + "{\"id\":\"a.b\",\"updatedAt\":4600},"
                + "{\"id\":\"good-disc\",\"updatedAt\":4500}"
                + "],\"_meta\":{\"hasMore\":false},\"_errors\":[]}";
        // the first poll: 500 and its retry; the next two: not JSON; then the chats above at every poll
        String notJson = "<html><body>502 Bad Gateway</body></html>";
        stubSequence(CHAT_LIST_PATH, aResponse().withStatus(500), aResponse().withStatus(500), okJson(notJson),
                okJson(notJson), okJson(badIds));
        Map<String, String> settings = settings("listed-chat", "");
        settings.put("chakra.chat.discovery", "on");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> externalIds(published()).contains("good-1"));
            awaitPolls(3); // the bad chats listed at several polls
            assertTrue(metric("chakra_pipeline_chat_list_problems_total", "problem=\"not-envelope\"") >= 1);
            assertTrue(metric("chakra_pipeline_chat_list_problems_total", "problem=\"no-id\"") >= 2);
            assertTrue(metric("chakra_pipeline_chat_list_problems_total", "problem=\"invalid-id\"") >= 6,
                    "three per poll");
        }
        assertEquals(List.of("good-1", "listed-1"), externalIds(published()).stream().sorted().toList());
        Set<String> called = chakra.server().findAll(postRequestedFor(anyUrl())).stream()
                .map(LoggedRequest::getUrl).collect(Collectors.toSet());
        assertEquals(Set.of(CHAT_LIST_PATH, "/v1/ext/chat/listed-chat/message", "/v1/ext/chat/good-disc/message"), called,
                "no request for a chat without an id or with an id that is not letters, digits and dashes");
        assertTrue(messageCalls("listed-chat") >= 4, "the listed chat read at every poll");
        // List chats calls 1 to 4 failed (500 twice, then no JSON twice): the listed chat was read meanwhile. (Which
        // call exactly came before its first read depends on thread timing under load: a bound, not a position.)
        List<Integer> listedAt = pollsOf("listed-chat");
        assertTrue(listedAt.get(0) <= 4, "the listed chat read while List chats was failing: " + listedAt);
        assertLogged("chat-list team: ChakraHQ answered HTTP 500");
        for (String once : List.of("List chats answered something other than ChakraHQ's envelope",
                "List chats returned a chat without an id", "List chats returned the chat id")) {
            assertEquals(1, logs.lines().stream().filter(line -> line.contains(once) && line.contains("(logged once)")
                    && line.contains("WARN")).count(), "logged once: " + once);
        }
    }

    @Test
    void a_chat_that_answers_404_is_read_after_growing_pauses_while_the_others_go_on() throws Exception {
        chakra.answerChatList(chatList(new Chat("gone-chat", 2_000)));
        chakra.answerChat("gone-chat", aResponse().withStatus(404));
        chakra.answerChat("alive-chat", response(List.of(outbound("alive-1", "alive-chat", 10))));
        Map<String, String> settings = settings("alive-chat", "");
        settings.put("chakra.chat.discovery", "on");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> messageCalls("gone-chat") >= 1);
            int polls = chatListCalls();
            int alive = messageCalls("alive-chat");
            awaitPolls(10);
            // counted from the poll that first read it: read at the next poll, then after 1, 3, 7 poll intervals
            int first = pollsOf("gone-chat").get(0);
            List<Integer> goneAt = pollsOf("gone-chat").stream().map(poll -> poll - first + 1).toList();
            // at a steady 1 s cron that is polls 1, 2, 3 and 6 of 11; a read still under way at the next tick, or a
            // poll skipped under load, shifts them by one, so what is checked is the shape: a few reads of 11 polls,
            // the last pause three intervals or more
            List<Integer> early = goneAt.stream().filter(poll -> poll <= 11).toList();
            assertTrue(early.size() >= 3 && early.size() <= 5, "the polls (of 11) that read the 404 chat: " + early);
            assertTrue(early.get(early.size() - 1) - early.get(early.size() - 2) >= 3, "the pause grew: " + early);
            assertTrue(messageCalls("alive-chat") - alive >= 9, "the other chat read at every poll");
            assertTrue(chatListCalls() - polls >= 10);
            assertEquals(1.0, metric("chakra_pipeline_targets_backing_off", ""));
        }
        assertEquals(List.of("alive-1"), externalIds(published()));
        assertLogged("chat-messages gone-chat: ChakraHQ answered HTTP 404");
        assertLogged("chat-messages gone-chat: failed 2 polls in a row; not read again for 1 s");
    }

    @Test
    void a_chat_whose_response_never_comes_holds_up_no_other_chat() throws Exception {
        chakra.answerChat("hung-chat", okJson(response(List.of(outbound("hung-1", "hung-chat", 5))))
                .withFixedDelay(45_000));
        chakra.answerChat("fast-a", response(List.of(outbound("fa-1", "fast-a", 10))));
        chakra.answerChat("fast-b", response(List.of(outbound("fb-1", "fast-b", 20))));
        chakra.answerChatList(chatList(new Chat("hung-chat", 3_000), new Chat("fast-b", 2_000), new Chat("fast-a", 1_000)));
        Map<String, String> settings = settings("", "");
        settings.put("pipeline.poll.cron", "0/2 * * * * ?");
        // the hung read holds a graceful shutdown for as long as Camel waits (30 s); this test need not wait it out
        settings.put("camel.main.shutdown-timeout", "2");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> published().size() == 2);
            long pollMillis = 2_000;
            for (int round = 1; round <= 2; round++) {
                String next = "fa-" + (round + 1);
                long activity = 10_000L * round;
                List<String> answer = new ArrayList<>();
                for (int m = round + 1; m >= 1; m--) { // newest first
                    answer.add(outbound("fa-" + m, "fast-a", 10 * m));
                }
                chakra.answerChat("fast-a", response(answer));
                long madeAvailable = System.nanoTime();
                chakra.answerChatList(chatList(new Chat("fast-a", activity), new Chat("hung-chat", 3_000),
                        new Chat("fast-b", 2_000)));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> externalIds(published()).contains(next));
                long tookMillis = (System.nanoTime() - madeAvailable) / 1_000_000;
                assertTrue(tookMillis < 2 * pollMillis + 3_000,
                        next + " reached Kafka " + tookMillis + " ms after it was made available");
            }
            assertEquals(1, messageCalls("hung-chat"), "the hung chat is not read again while its read is under way");
        }
    }

    // --- helpers

    private Map<String, String> settings(String chatIds, String phoneNumbers) {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), chatIds, phoneNumbers);
        settings.putAll(topics.settings());
        // a lease and a transactional id of the test's own: no test waits for the one before to let go
        settings.put("pipeline.name", prefix + "pipeline");
        settings.put("pipeline.lease.topic", prefix + "lease");
        settings.put("pipeline.management.port", String.valueOf(managementPort));
        settings.put("chakra.http.retry.max", "1");
        settings.put("chakra.http.retry.initial.delay.millis", "100");
        return settings;
    }

    /** A List chats answer: the chats in this order (newest activity first, as discovery asks). */
    private static String chatList(Chat... chats) {
        return chatList(List.of(chats), false, chats.length);
    }

    private static String chatList(List<Chat> chats, boolean hasMore, int total) {
        String data = chats.stream()
                .map(chat -> "{\"id\":\"" + chat.id() + "\",\"status\":\"OPEN\",\"updatedAt\":" + chat.updatedAt() + "}")
                .collect(Collectors.joining(","));
        return "{\"_data\":[" + data + "],\"_meta\":{\"total\":" + total + ",\"hasMore\":" + hasMore + "},\"_errors\":[]}";
    }

    /** List chats in pages of {@code size}, page 1 first; an empty page after the last. */
    private void answerChatListPages(List<Chat> chats, int size) {
        int pages = (chats.size() + size - 1) / size;
        for (int page = 1; page <= pages + 1; page++) {
            List<Chat> onPage = chats.subList(Math.min(chats.size(), (page - 1) * size), Math.min(chats.size(), page * size));
            chakra.answerChatListPage(page, chatList(onPage, page < pages, chats.size()));
        }
    }

    private void stubSequence(String path, ResponseDefinitionBuilder... answers) {
        String state = Scenario.STARTED;
        for (int i = 0; i < answers.length; i++) {
            String next = i == answers.length - 1 ? state : "call-" + (i + 2);
            chakra.server().stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(answers[i]));
            state = next;
        }
    }

    /** Waits for this many more polls, each of which lists chats. */
    private void awaitPolls(int polls) {
        int before = chatListCalls();
        await().atMost(Duration.ofSeconds(5L * polls + 10)).until(() -> chatListCalls() >= before + polls);
    }

    private int chatListCalls() {
        return chakra.server().findAll(postRequestedFor(urlPathEqualTo(CHAT_LIST_PATH))).size();
    }

    private int chatListPageCalls(int page) {
        return chakra.server().findAll(postRequestedFor(urlPathEqualTo(CHAT_LIST_PATH))
                .withRequestBody(equalToJson("{\"page\": " + page + "}", true, true))).size();
    }

    private int messageCalls(String chat) {
        return chakra.server().findAll(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + chat + "/message"))).size();
    }

    /** For each call of the chat, how many List chats calls came before it: the poll, when each poll lists once. */
    private List<Integer> pollsOf(String chat) {
        List<Long> polls = chakra.server().findAll(postRequestedFor(urlPathEqualTo(CHAT_LIST_PATH))).stream()
                .map(request -> request.getLoggedDate().getTime()).sorted().toList();
        return chakra.server().findAll(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + chat + "/message"))).stream()
                .map(request -> request.getLoggedDate().getTime()).sorted()
                .map(at -> (int) polls.stream().filter(poll -> poll <= at).count()).toList();
    }

    private int phoneCalls() {
        return chakra.server().findAll(postRequestedFor(urlPathEqualTo(ChakraStub.PHONE_PATH))).size();
    }

    /** Every message record on the inbound, outbound and dead-letter topics. */
    private List<ConsumerRecord<String, String>> published() {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (String topic : topics.messages()) {
            records.addAll(readAll(kafka.bootstrapServers(), topic));
        }
        return records;
    }

    /** The chat activity topic as a compacted topic reads: the last value of each chat. */
    private Map<String, String> activityRecorded() {
        Map<String, String> last = new TreeMap<>();
        readAll(kafka.bootstrapServers(), topics.chatActivity()).forEach(record -> last.put(record.key(), record.value()));
        return last;
    }

    private static List<String> externalIds(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(record -> header(record, "chakra.externalId")).toList();
    }

    private static String outbound(String externalId, String chat, long timestamp) {
        return MessageJson.message(externalId).chat(chat).outbound().timestamp(timestamp).build();
    }

    private static String inbound(String externalId, String chat, long timestamp) {
        return MessageJson.message(externalId).chat(chat).inbound().timestamp(timestamp).build();
    }

    /** A sample of the pipeline's Prometheus metrics, summed over the series whose labels contain {@code labels}. */
    private double metric(String name, String labels) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}\\n]*)\\})? ([0-9.eE+-]+|NaN)$")
                .matcher(text);
        double sum = 0;
        boolean found = false;
        while (sample.find()) {
            if ((sample.group(1) == null ? "" : sample.group(1)).contains(labels)) {
                sum += Double.parseDouble(sample.group(2));
                found = true;
            }
        }
        return found ? sum : -1;
    }

    private void assertLogged(String text) {
        String log = logs.text();
        assertTrue(log.contains(text), "the log says: " + text);
        assertFalse(log.contains(TOKEN), "the token is in no log line");
    }
}
