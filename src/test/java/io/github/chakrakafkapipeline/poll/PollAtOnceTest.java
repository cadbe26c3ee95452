package io.github.chakrakafkapipeline.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.junit.jupiter.api.Test;

/**
 * A replica that takes the lease polls at once, not at the next cron tick: here the cron fires only in 2099, so any
 * read is the one made on taking the lease; and only one, the cron taking over from there.
 */
class PollAtOnceTest {

    private static final String CHAT = "at-once-chat";

    @Test
    void taking_the_lease_polls_at_once_and_once() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub("at-once-token-0123456789abcdef")) {
            chakra.answerChat(CHAT, MessageJson.response(List.of(MessageJson.message("wamid.AT-ONCE").chat(CHAT)
                    .build())));
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
            settings.put("pipeline.poll.cron", "0 0 0 1 1 ? 2099");
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> reads(chakra) > 0);
                // it stops asking Quartz once a poll began: no second read follows
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> reads(chakra) == 1);
            }
        }
    }

    private static int reads(ChakraStub chakra) {
        return chakra.server().countRequestsMatching(postRequestedFor(urlPathEqualTo("/v1/ext/chat/" + CHAT
                + "/message")).build()).getCount();
    }
}
