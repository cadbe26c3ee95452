package io.github.chakrakafkapipeline.dedup;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.TestData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A history of 400 days across many chats, against a real broker and the API over HTTP, paged newest first as the
 * API pages. The first start publishes all of it, each chat in order; the dedup state then holds each chat's window
 * (its newest ids), a small part of the history; a restart publishes nothing again; a message older than its chat's
 * window is counted, told once for its chat, and not published, and neither is an old message returned again.
 */
class DedupHistoryTest {

    private static final String TOKEN = "history-token-2b7e151628aed2a6abf7158809cf4f3c";
    private static final int CHATS = 40;
    private static final int PER_CHAT = 200; // one every two days: 400 days
    private static final int PAGE = 20;
    private static final long DAY = Duration.ofDays(1).toMillis();

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    private EmbeddedKafka kafka;
    private ChakraStub chakra;
    private final long now = System.currentTimeMillis();
    private final Map<String, List<String>> histories = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        chakra = new ChakraStub(TOKEN);
        for (int c = 0; c < CHATS; c++) {
            String chat = "chat-" + c;
            List<String> newestFirst = new ArrayList<>();
            for (int i = PER_CHAT - 1; i >= 0; i--) {
                newestFirst.add(message(chat, "wamid.H-" + c + "-" + i, now - 400 * DAY + i * 2 * DAY));
            }
            histories.put(chat, newestFirst);
            answerPaged(chat, newestFirst);
        }
    }

    @AfterEach
    void stop() throws Exception {
        chakra.close();
        kafka.close();
    }

    /** Both deliveries: the windows go in the transactions, or are written once Kafka acknowledged the messages. */
    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void a_history_of_400_days_is_published_once_and_held_as_each_chat_s_window(String delivery) {
        Map<String, String> settings = settings();
        settings.put("pipeline.delivery", delivery);
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> outbound().size() >= CHATS * PER_CHAT);
            DedupState state = DedupConfiguration.dedupState(pipeline.context());
            assertEquals(CHATS * PAGE, state.size(), "each chat holds its newest " + PAGE + " ids, not its history");
            assertEquals(CHATS, state.windows().chats());
        }
        List<ConsumerRecord<String, String>> first = outbound();
        assertEquals(CHATS * PER_CHAT, first.size());
        assertEquals(CHATS * PER_CHAT, first.stream().map(r -> header(r, "chakra.externalId")).distinct().count(),
                "each message once");
        for (int c = 0; c < CHATS; c++) {
            String chat = "chat-" + c;
            List<Long> timestamps = first.stream().filter(r -> chat.equals(r.key()))
                    .map(r -> TestData.json(r.value()).get("timestamp").asLong()).toList();
            assertEquals(timestamps.stream().sorted().toList(), timestamps, chat + " in timestamp order");
        }

        // after the restart, chat-0 has one new message, its newest old one returns with a new status, and a message
        // the API lists late has a timestamp 300 days old: older than the chat's window, so taken as published
        List<String> chat0 = new ArrayList<>(histories.get("chat-0"));
        chat0.add(0, message("chat-0", "wamid.NEW", now));
        chat0.set(1, MessageJson.message("wamid.H-0-199").chat("chat-0").timestamp(now - 400 * DAY + 199 * 2 * DAY)
                .deliveryStatus("READ").build());
        chat0.add(2, message("chat-0", "wamid.LATE", now - 300 * DAY));
        answerPaged("chat-0", chat0);
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            DedupState state = DedupConfiguration.dedupState(pipeline.context());
            assertEquals(CHATS * PAGE, state.size(), "a restart reads the windows back, not the history");
            await().atMost(Duration.ofSeconds(60)).until(() -> outbound().size() > CHATS * PER_CHAT);
            await().atMost(Duration.ofSeconds(30)).until(() -> state.oldMessages().olderThanWindow() >= 1);
            awaitPolls(3);
            // the backfill before the restart may have told of other chats, read again while their pages moved
            assertEquals(1, logs.lines().stream().filter(line -> line.contains("Chat chat-0: message wamid.LATE"))
                    .count(), "told once, however often it is read: " + logs.text());
            assertTrue(state.oldMessages().olderThanWindow() >= 3, "counted each time it is read");
        }
        List<ConsumerRecord<String, String>> second = outbound();
        assertEquals(first.size() + 1, second.size(), "one more record, nothing published twice");
        List<String> firstIds = first.stream().map(r -> header(r, "chakra.externalId")).toList();
        assertEquals(List.of("wamid.NEW"), second.stream().map(r -> header(r, "chakra.externalId"))
                .filter(id -> !firstIds.contains(id)).toList(), "only the new message: the late one taken as published");
    }

    @Test
    void a_history_limit_publishes_only_the_days_asked_for() {
        Map<String, String> settings = settings();
        settings.put("pipeline.dedup.history.days", "101");
        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            // 101 days hold 50 of each chat's messages, one every two days, the oldest a day inside
            await().atMost(Duration.ofSeconds(120)).until(() -> outbound().size() >= CHATS * 50);
            awaitPolls(2);
            assertTrue(DedupConfiguration.dedupState(pipeline.context()).oldMessages().beforeHistory() > 0);
        }
        List<ConsumerRecord<String, String>> published = outbound();
        assertEquals(CHATS * 50, published.size());
        assertTrue(published.stream().allMatch(r -> TestData.json(r.value()).get("timestamp").asLong()
                >= now - 101 * DAY), "nothing older than 101 days");
    }

    private Map<String, String> settings() {
        List<String> chats = new ArrayList<>(histories.keySet());
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), String.join(",", chats), "");
        settings.put("chakra.chat.messages.paging", "page");
        settings.put("chakra.paging.page.size", String.valueOf(PAGE));
        settings.put("pipeline.dedup.window.ids", String.valueOf(PAGE));
        settings.put("chakra.http.requests.per.second", "200"); // 440 pages to read first
        return settings;
    }

    /** Serves the chat's messages (newest first) a page at a time, and an empty page after the last. */
    private void answerPaged(String chat, List<String> newestFirst) {
        int pages = (newestFirst.size() + PAGE - 1) / PAGE;
        for (int page = 1; page <= pages + 1; page++) {
            int from = Math.min(newestFirst.size(), (page - 1) * PAGE);
            int to = Math.min(newestFirst.size(), page * PAGE);
            chakra.answerChatPage(chat, page, response(newestFirst.subList(from, to)));
        }
    }

    /** Waits for this many more reads of chat-0 from now. */
    private void awaitPolls(int polls) {
        int before = reads();
        await().atMost(Duration.ofSeconds(30)).until(() -> reads() >= before + polls);
    }

    private int reads() {
        return chakra.server().countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(
                        "/v1/ext/chat/chat-0/message")).build()).getCount();
    }

    private List<ConsumerRecord<String, String>> outbound() {
        return readAll(kafka.bootstrapServers(), OUTBOUND);
    }

    private static String message(String chat, String externalId, long timestamp) {
        return MessageJson.message(externalId).chat(chat).timestamp(timestamp).build();
    }
}
