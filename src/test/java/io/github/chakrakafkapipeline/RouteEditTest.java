package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.testsupport.EditedRoutes.MEDIA_TOPIC_BEFORE;
import static io.github.chakrakafkapipeline.testsupport.EditedRoutes.MEDIA_TOPIC_WHEN;
import static io.github.chakrakafkapipeline.testsupport.EditedRoutes.insertBefore;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.github.chakrakafkapipeline.dedup.DedupConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EditedRoutes;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's worked example, applied exactly as written to a copy of routes/: an ops edit of message-route sends
 * image messages to a topic of their own and drops the TEST. messages, with no Java change. Checked where it lands.
 * And an edit that fails on a message: named in the log, nothing of that response published, nothing lost.
 */
class RouteEditTest {

    /** README, "Try changing": the config line, and the two snippets with the line each goes before. */
    static final String MEDIA_TOPIC_SETTING = "pipeline.topic.media=chakra.messages.media";
    static final String TEST_MESSAGES_DROP = """
                        - filter:
                            id: test-messages-drop
                            expression:
                              simple: "${header.chakra.externalId} startsWith 'TEST.'"
                            steps:
                              - stop:
                                  id: test-messages-stop
                """;
    static final String TEST_MESSAGES_BEFORE = "        # 1. Dead letters";

    /** A rule that fails on one message, as a broken edit or a bug would. */
    static final String BROKEN_RULE = """
                        - filter:
                            id: broken-rule
                            expression:
                              simple: "${header.chakra.externalId} == 'wamid.BOOM'"
                            steps:
                              - throwException:
                                  exceptionType: java.lang.IllegalStateException
                                  message: a rule that fails
                """;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    private static final String TOKEN = "route-edit-token-5d1e8c3b9a7f2e4d6c0b";
    private static final String CHAT = "7c1d2e3f-1111-4c35-a79c-b6fe90757fd2";

    @Test
    void an_edit_of_message_route_sends_images_to_their_own_topic_and_drops_test_messages(@TempDir Path routes)
            throws Exception {
        Path messageRoute = EditedRoutes.copy(routes);
        String edited = insertBefore(Files.readString(messageRoute), MEDIA_TOPIC_BEFORE, MEDIA_TOPIC_WHEN);
        edited = insertBefore(edited, TEST_MESSAGES_BEFORE, TEST_MESSAGES_DROP);
        Files.writeString(messageRoute, edited);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.IMG-IN").chat(CHAT).inbound().set("dataType", "image").timestamp(1762277358001L).build(),
                    message("wamid.TEXT-OUT").chat(CHAT).outbound().timestamp(1762277358002L).build(),
                    message("TEST.1").chat(CHAT).inbound().timestamp(1762277358003L).build(),
                    message("wamid.IMG-OUT").chat(CHAT).outbound().set("dataType", "image").timestamp(1762277358004L).build())));
            Map<String, String> settings = settings(chakra, kafka, CHAT, routes);
            String[] setting = MEDIA_TOPIC_SETTING.split("=", 2);
            settings.put(setting[0], setting[1]); // as the line added to config/application.properties

            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        readAll(kafka.bootstrapServers(), "chakra.messages.media").size() == 2
                        && readAll(kafka.bootstrapServers(), Topics.OUTBOUND).size() == 1);
                // two more polls: nothing more lands, and the dropped message never does
                int calls = chakra.server().countRequestsMatching(WireMock.postRequestedFor(WireMock.anyUrl()).build()).getCount();
                await().atMost(Duration.ofSeconds(30)).until(() -> chakra.server()
                        .countRequestsMatching(WireMock.postRequestedFor(WireMock.anyUrl()).build()).getCount() >= calls + 2);
            }

            assertEquals(List.of("wamid.IMG-IN", "wamid.IMG-OUT"), ids(kafka, "chakra.messages.media"));
            assertEquals(List.of("wamid.TEXT-OUT"), ids(kafka, Topics.OUTBOUND));
            assertEquals(List.of(), ids(kafka, Topics.INBOUND), "TEST.1 was dropped, the image went to media");
            assertEquals(List.of(), ids(kafka, Topics.DEAD_LETTER));
            ConsumerRecord<String, String> image = readAll(kafka.bootstrapServers(), "chakra.messages.media").get(0);
            assertEquals(CHAT, image.key(), "the rest of the contract holds on the new topic");
            assertEquals("INBOUND", header(image, "chakra.direction"));
        }
    }

    @Test
    void a_rule_that_fails_publishes_nothing_of_that_response_says_so_and_loses_nothing(@TempDir Path routes)
            throws Exception {
        Path messageRoute = EditedRoutes.copy(routes);
        String shipped = Files.readString(messageRoute);
        Files.writeString(messageRoute, insertBefore(shipped, TEST_MESSAGES_BEFORE, BROKEN_RULE));
        String otherChat = "9e81c0e9-2222-4c35-a79c-b6fe90757fd2";

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.BEFORE-BOOM").chat(CHAT).outbound().timestamp(1762277358001L).build(),
                    message("wamid.BOOM").chat(CHAT).outbound().timestamp(1762277358002L).build())));
            chakra.answerChat(otherChat, response(List.of(
                    message("wamid.OTHER").chat(otherChat).outbound().timestamp(1762277358003L).build())));
            Map<String, String> settings = settings(chakra, kafka, CHAT + "," + otherChat, routes);

            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> logs.text().contains(
                        "chat-messages " + CHAT + ": unexpected error, this response was not published "
                        + "(java.lang.IllegalStateException: a rule that fails)"));
                await().atMost(Duration.ofSeconds(30)).until(() -> ids(kafka, Topics.OUTBOUND).contains("wamid.OTHER"));
                // the message before the failing one was claimed in that response, and released with it: a claim left
                // behind would hold it back as a duplicate until the next restart
                DedupState dedupState = pipeline.context().getRegistry().lookupByNameAndType(
                        DedupConfiguration.DEDUP_STATE, DedupState.class);
                await().atMost(Duration.ofSeconds(10)).until(() -> !dedupState.contains("wamid.BEFORE-BOOM"));
            }
            assertEquals(List.of("wamid.OTHER"), ids(kafka, Topics.OUTBOUND),
                    "nothing of the failing response, the other chat as usual");

            // the rule fixed: every message of that response goes, none was left claimed
            Files.writeString(messageRoute, shipped);
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka, Topics.OUTBOUND).size() == 3);
            }
            assertEquals(List.of("wamid.OTHER", "wamid.BEFORE-BOOM", "wamid.BOOM"), ids(kafka, Topics.OUTBOUND));
        }
    }

    @Test
    void the_readme_shows_exactly_the_edit_this_test_applies() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (String snippet : List.of(MEDIA_TOPIC_SETTING, MEDIA_TOPIC_WHEN.stripTrailing(), TEST_MESSAGES_DROP.stripTrailing(),
                MEDIA_TOPIC_BEFORE.strip(), TEST_MESSAGES_BEFORE.strip())) {
            assertTrue(readme.contains(snippet), "README.md, Try changing, should show:\n" + snippet);
        }
    }

    /** The pipeline on the stub and the broker, running the routes in {@code routes}. */
    private static Map<String, String> settings(ChakraStub chakra, EmbeddedKafka kafka, String chatIds, Path routes) {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), chatIds, "");
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        settings.put("camel.main.routes-reload-enabled", "false");
        return settings;
    }

    private static List<String> ids(EmbeddedKafka kafka, String topic) {
        return readAll(kafka.bootstrapServers(), topic).stream().map(r -> header(r, "chakra.externalId")).toList();
    }
}
