package io.github.chakrakafkapipeline.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.chakrakafkapipeline.testsupport.CapturedLogs;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.MessageJson;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What ops see: health that tells the truth, metrics, and route reload that never breaks a running service. */
class OperationsTest {

    private static final String TOKEN = "ops-token-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
    private static final String CHAT = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EmbeddedKafka kafka;
    private ChakraStub chakra;
    private int managementPort;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @BeforeEach
    void start() {
        kafka = EmbeddedKafka.start();
        chakra = new ChakraStub(TOKEN);
        managementPort = RunningPipeline.freePort();
    }

    @AfterEach
    void stop() throws Exception {
        chakra.close();
        kafka.close();
    }

    @Test
    void ready_and_metrics_tell_what_was_published_and_readiness_drops_when_kafka_goes() throws Exception {
        chakra.answerChat(CHAT, fixture("chat-messages-response.json"));
        try (RunningPipeline pipeline = RunningPipeline.start(settings())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> readAll(kafka.bootstrapServers(), OUTBOUND).size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready").statusCode() == 200);
            assertEquals(200, get("/observe/health/live").statusCode());

            String metrics = get("/observe/metrics").body();
            assertEquals(2.0, metric(metrics, "chakra_pipeline_messages_published_total",
                    "endpoint=\"chat-messages\",topic=\"" + OUTBOUND + "\""));
            await("later polls skip both messages").atMost(Duration.ofSeconds(30)).until(() -> metric(
                    get("/observe/metrics").body(), "chakra_pipeline_messages_duplicates_total", "endpoint=\"chat-messages\"") >= 2);
            metrics = get("/observe/metrics").body(); // after the later poll
            assertTrue(metric(metrics, "chakra_pipeline_api_calls_total", "endpoint=\"chat-messages\",status=\"2xx\"") >= 2);
            assertEquals(2.0, metric(metrics, "chakra_pipeline_dedup_ids", ""));
            assertTrue(metric(metrics, "chakra_pipeline_newest_published_age_seconds", "topic=\"" + OUTBOUND + "\"") > 0);
            assertTrue(metrics.contains("chakra_pipeline_target_poll_duration_seconds_count{endpoint=\"chat-messages\"}"));
            assertFalse(metrics.contains(TOKEN));

            kafka.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready").statusCode() == 503);
            String health = get("/observe/health?exposureLevel=full&data=true").body();
            assertTrue(health.contains("Kafka does not answer"), health);
            assertEquals(200, get("/observe/health/live").statusCode(), "a broker outage does not restart the process");
        } finally {
            kafka = EmbeddedKafka.start(); // for @AfterEach
        }
    }

    @Test
    void a_rejected_token_makes_the_service_not_ready_with_the_reason_and_without_the_token() throws Exception {
        chakra.answerChat(CHAT, aResponse().withStatus(200)); // only a request with the right token gets this
        Map<String, String> settings = settings();
        settings.put("chakra.api.token", "expired-token-that-chakrahq-rejects-0123456789");
        chakra.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).atPriority(10)
                .willReturn(aResponse().withStatus(401).withBody(MessageJson.errorResponse("Unauthorized"))));

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready").statusCode() == 503);
            String health = get("/observe/health?exposureLevel=full&data=true").body();
            assertTrue(health.contains("ChakraHQ rejected the API token") && health.contains("CHAKRA_API_TOKEN"), health);
            assertFalse(health.contains("expired-token-that-chakrahq-rejects"), "the token is not in the health report");
            String metrics = get("/observe/metrics").body();
            assertTrue(metric(metrics, "chakra_pipeline_api_calls_total", "endpoint=\"chat-messages\",status=\"4xx\"") >= 1);
            assertTrue(metric(metrics, "chakra_pipeline_api_retries_total", "endpoint=\"chat-messages\"") <= 0,
                    "a rejected token is not retried");
        }
    }

    @Test
    void a_good_route_edit_takes_effect_and_a_broken_one_changes_nothing_and_is_reported(@TempDir Path routes)
            throws Exception {
        for (Path route : Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            Files.copy(route, routes.resolve(route.getFileName()));
        }
        chakra.answerChat(CHAT, fixture("chat-messages-response.json"));
        Map<String, String> settings = settings();
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        settings.put("camel.main.routes-reload-directory", routes.toString());
        Path responseFetch = routes.resolve("response-fetch.camel.yaml");

        try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> readAll(kafka.bootstrapServers(), OUTBOUND).size() == 2);

            String original = Files.readString(responseFetch);
            Files.writeString(responseFetch, original.replace(
                    "message: \"${body}\"", "message: \"EDITED ${body}\""));
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.text().contains("EDITED chat-messages " + CHAT));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    metric(get("/observe/metrics").body(), "chakra_pipeline_routes_reloads_total", "") >= 1.0);

            // reloading the route that holds the dedup state keeps it: old messages stay unpublished, a new one goes
            Path publish = routes.resolve("response-publish.camel.yaml");
            double reloads = metric(get("/observe/metrics").body(), "chakra_pipeline_routes_reloads_total", "");
            Files.writeString(publish, Files.readString(publish) + "\n# edited by ops\n");
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    metric(get("/observe/metrics").body(), "chakra_pipeline_routes_reloads_total", "") > reloads);
            List<String> messages = new ArrayList<>();
            messages.add(MessageJson.message("wamid.AFTER-RELOAD").chat(CHAT).outbound().timestamp(1762277999000L)
                    .build());
            messages.addAll(MessageJson.elements(fixture("chat-messages-response.json")));
            chakra.answerChat(CHAT, MessageJson.response(messages));
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    readAll(kafka.bootstrapServers(), OUTBOUND).size() >= 3);
            int calls = chakra.server().getAllServeEvents().size();
            await().atMost(Duration.ofSeconds(30)).until(() -> chakra.server().getAllServeEvents().size() >= calls + 2);
            assertEquals(3, readAll(kafka.bootstrapServers(), OUTBOUND).size(),
                    "only the new message was published; the reload did not reset the dedup state");

            Files.writeString(responseFetch, original.replace("- route:", "- route: [broken"));
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    metric(get("/observe/metrics").body(), "chakra_pipeline_routes_reload_failures_total", "") >= 1.0);
            String health = get("/observe/health?exposureLevel=full&data=true").body();
            assertTrue(health.contains("routes.reload.last.failure"), health);

            // the edited routes are still the ones running
            long before = logs.text().split("EDITED chat-messages", -1).length;
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    logs.text().split("EDITED chat-messages", -1).length > before + 1);
        }
    }

    private Map<String, String> settings() {
        Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
        settings.put("pipeline.management.port", String.valueOf(managementPort));
        return settings;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A sample's value in Prometheus text format, or -1 when absent. */
    private static double metric(String text, String name, String labels) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{?([^}\\n]*)\\}? ([0-9.eE+-]+|NaN)$").matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).contains(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return -1;
    }
}
