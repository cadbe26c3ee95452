package io.github.chakrakafkapipeline.publish;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.FaultyKafkaClients;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The responses' call threads send their records into the open transaction, and the publisher thread commits: no send
 * while a commit runs, and a send that fails on a call thread aborts its whole transaction, whose responses are read
 * again. Several chats at once against a real broker, the fault on the real transactional producer's calls.
 */
class OpenTransactionTest {

    private static final String TOKEN = "open-txn-token-5e4d3c2b1a0f9e8d";
    private static final int CHATS = 8;
    private static final int MESSAGES = 30;
    private static final long T = 1_762_277_358_000L;
    private static final List<String> CHAT_IDS = IntStream.range(0, CHATS)
            .mapToObj(i -> String.format("6d1e2f30-%04d-4c35-a79c-b6fe90757fd2", i)).toList();

    @AfterEach
    void noFault() {
        FaultyKafkaClients.reset();
    }

    @Test
    void no_record_is_sent_while_a_commit_runs_and_each_message_goes_once_in_order() throws Exception {
        AtomicBoolean committing = new AtomicBoolean();
        AtomicBoolean firstCommit = new AtomicBoolean(true);
        AtomicInteger sentDuringCommit = new AtomicInteger();
        Set<String> sendingThreads = ConcurrentHashMap.newKeySet();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            FaultyKafkaClients.inject((producer, method, real) -> {
                if (method.equals("send")) {
                    sendingThreads.add(Thread.currentThread().getName());
                    if (committing.get()) {
                        sentDuringCommit.incrementAndGet();
                    }
                }
                if (!method.equals("commitTransaction")) {
                    return real.call();
                }
                committing.set(true);
                try {
                    if (firstCommit.getAndSet(false)) {
                        // the other chats' responses come meanwhile, and would send into the committing transaction
                        await("every chat read while the first commit runs").atMost(Duration.ofSeconds(30))
                                .until(() -> CHAT_IDS.stream().allMatch(chat -> reads(chakra, chat) > 0));
                    }
                    return real.call();
                } finally {
                    committing.set(false);
                }
            });
            CHAT_IDS.forEach(chat -> chakra.answerChat(chat, response(messages(chat))));
            try (RunningPipeline pipeline = RunningPipeline.start(settings(kafka, chakra))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> published(kafka).size() >= CHATS * MESSAGES);
                int before = reads(chakra, CHAT_IDS.get(0));
                await("a poll more").atMost(Duration.ofSeconds(30)).until(() -> reads(chakra, CHAT_IDS.get(0)) > before);
            }
            assertEquals(0, sentDuringCommit.get(), "records sent while a commit ran");
            assertTrue(sendingThreads.size() > 1, "records sent from the responses' call threads: " + sendingThreads);
            assertEachMessageOnceInOrder(kafka);
        }
    }

    /**
     * A call thread's send fails midway through a response: on its future, as Kafka answers a record it could not
     * write, or by throwing, as a producer closed under it does. Its transaction, with the records sent before and the
     * other responses in it, must not commit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"future", "throws"})
    void a_send_that_fails_on_a_call_thread_aborts_its_transaction_and_loses_nothing(String how) throws Exception {
        AtomicInteger chatSends = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            FaultyKafkaClients.inject((producer, method, real) -> {
                if (method.equals("send") && !failed.get()
                        && ((ProducerRecord<?, ?>) FaultyKafkaClients.arguments()[0]).topic().equals(Topics.OUTBOUND)
                        && ((ProducerRecord<?, ?>) FaultyKafkaClients.arguments()[0]).key().equals(CHAT_IDS.get(3))
                        && chatSends.incrementAndGet() == MESSAGES / 3 && failed.compareAndSet(false, true)) {
                    NotEnoughReplicasException refused = new NotEnoughReplicasException("test: a send failed");
                    if (how.equals("throws")) {
                        throw refused;
                    }
                    return CompletableFuture.failedFuture(refused);
                }
                return real.call();
            });
            CHAT_IDS.forEach(chat -> chakra.answerChat(chat, response(messages(chat))));
            try (RunningPipeline pipeline = RunningPipeline.start(settings(kafka, chakra))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> published(kafka).size() >= CHATS * MESSAGES);
                int before = reads(chakra, CHAT_IDS.get(3));
                await("a poll more").atMost(Duration.ofSeconds(30)).until(() -> reads(chakra, CHAT_IDS.get(3)) > before);
            }
            assertTrue(failed.get(), "a send failed");
            assertEachMessageOnceInOrder(kafka);
        }
    }

    private static List<String> messages(String chat) {
        List<String> newestFirst = new ArrayList<>();
        for (int i = MESSAGES - 1; i >= 0; i--) {
            newestFirst.add(message("wamid.OT-" + chat.substring(9, 13) + "-" + i).chat(chat).outbound()
                    .timestamp(T + i).build());
        }
        return newestFirst;
    }

    private static void assertEachMessageOnceInOrder(EmbeddedKafka kafka) {
        Map<String, List<String>> byChat = published(kafka).stream().collect(Collectors.groupingBy(
                ConsumerRecord::key, TreeMap::new, Collectors.mapping(r -> header(r, "chakra.externalId"), Collectors.toList())));
        Map<String, List<String>> expected = new TreeMap<>();
        CHAT_IDS.forEach(chat -> expected.put(chat, IntStream.range(0, MESSAGES)
                .mapToObj(i -> "wamid.OT-" + chat.substring(9, 13) + "-" + i).toList()));
        assertEquals(expected, byChat, "each chat's messages once, oldest first");
    }

    private static int reads(ChakraStub chakra, String chat) {
        return chakra.server().countRequestsMatching(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + chat + "/message"))
                .build()).getCount();
    }

    private static Map<String, String> settings(EmbeddedKafka kafka, ChakraStub chakra) {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), String.join(",", CHAT_IDS), "");
        settings.putAll(FaultyKafkaClients.setting());
        return settings;
    }

    private static List<ConsumerRecord<String, String>> published(EmbeddedKafka kafka) {
        return readAll(kafka.bootstrapServers(), Topics.OUTBOUND);
    }
}
