package io.github.chakrakafkapipeline.poll;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stop while a poll's reads wait for the request budget (40 chats, 2 calls a second, a poll every second): Camel
 * refuses each read the poll would still start, and that is the stop, not an error. Before poll-stopping, each
 * refused read logged an ERROR line with a stack trace, and then the Quartz job one more.
 */
class PollStopTest {

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @Test
    void a_stop_while_reads_wait_for_the_budget_logs_no_error() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ChakraStub chakra = new ChakraStub("poll-stop-token-0123456789abcdef")) {
            List<String> chats = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String chat = "stop-chat-" + i;
                chats.add(chat);
                chakra.answerChat(chat, MessageJson.response(List.of(
                        MessageJson.message("wamid.STOP-" + i).chat(chat).build())));
            }
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), String.join(",", chats),
                    "");
            settings.put("chakra.http.requests.per.second", "2");
            settings.put("chakra.http.concurrency", "2");
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> chakra.server().getAllServeEvents().size() >= 3);
            }
            assertEquals(List.of(), logs.lines().stream().filter(line -> line.contains(" ERROR ")).toList(),
                    "a stop is not an error");
        }
    }
}
