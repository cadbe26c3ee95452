package io.github.chakrakafkapipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import io.github.chakrakafkapipeline.testsupport.TestData;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decisions of routes/message-route.camel.yaml as shipped, with the real configuration: which topic, which dead
 * letters and why, and the dedup step. What reaches Kafka is the end-to-end tests' to check; this runs the route alone,
 * so that each rule is checked on its own. The dedup state is not started: claiming needs no broker.
 */
class MessageRouteTest {

    /** Kafka's limit on one record (max.request.size), small here so that a test message can exceed it. */
    private static final int MAX_REQUEST_SIZE = 4096;

    private final DedupState dedupState = new DedupState("ids", Map::of, Duration.ofSeconds(1), false, 50,
            Duration.ofMinutes(10), Duration.ZERO);
    private final Publishing publishing = new Publishing(dedupState, null, new ChatLanes(),
            new PipelineMetrics(() -> null), null);
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("file:config/application.properties");
        context.getRegistry().bind("dedupClaim", new DedupClaim(dedupState, Topics.DEAD_LETTER,
                new RecordLimit(() -> MAX_REQUEST_SIZE)));
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveMandatoryResource(context, "file:routes/message-route.camel.yaml"));
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void a_message_goes_to_the_topic_of_its_direction_keyed_by_chat_with_its_headers() {
        String raw = "{\"externalId\":\"wamid.1\",\"direction\":\"INBOUND\",\"chat\":\"c1\",\"text\":\"hi\"}";
        PublishBatch.Entry inbound = route(raw);
        assertEquals(Topics.INBOUND, inbound.topic());
        assertEquals("c1", inbound.record().getHeader(KafkaConstants.KEY));
        assertEquals("wamid.1", inbound.record().getHeader(Publishing.EXTERNAL_ID));
        assertEquals("INBOUND", inbound.record().getHeader(Publishing.DIRECTION));
        assertEquals("chat-messages", inbound.record().getHeader(Publishing.SOURCE_ENDPOINT));
        assertEquals("c1", inbound.record().getHeader(Publishing.POLLED_TARGET));
        assertEquals("wamid.1", inbound.dedupKey());
        assertFalse(inbound.deadLetter());
        assertEquals(raw, inbound.record().getBody(), "the value is the element as received");
        assertEquals(Topics.OUTBOUND, route("{\"externalId\":\"wamid.2\",\"direction\":\"OUTBOUND\"}").topic());
    }

    @Test
    void names_why_an_element_cannot_be_published() {
        assertEquals("element of _data is not a JSON object", reasonFor("[1]"));
        assertEquals("message has no externalId", reasonFor("{\"direction\":\"INBOUND\"}"));
        assertEquals("message has no externalId", reasonFor("{\"externalId\":\" \",\"direction\":\"INBOUND\"}"));
        assertEquals("message has no direction", reasonFor("{\"externalId\":\"x1\"}"));
        assertEquals("message direction 'inbound' is neither INBOUND nor OUTBOUND",
                reasonFor("{\"externalId\":\"x2\",\"direction\":\"inbound\"}"));
    }

    @Test
    void a_dead_letter_is_sent_once_whatever_its_status_and_by_content_without_an_external_id() {
        route("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"SENT\"}");
        assertNull(routeOne("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"SENT\"}"),
                "the same element is reported once");
        assertNull(routeOne("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"READ\"}"),
                "and once only, whatever its later status");
        String first = route("{\"direction\":\"SIDEWAYS\",\"text\":\"a\"}").dedupKey();
        assertNotEquals(first, route("{\"direction\":\"SIDEWAYS\",\"text\":\"b\"}").dedupKey(),
                "without an externalId, by its content");
        assertEquals(Topics.OUTBOUND, route("{\"externalId\":\"x\",\"direction\":\"OUTBOUND\"}").topic(),
                "a corrected message with this externalId can still be published");
    }

    @Test
    void a_message_too_large_for_kafka_is_a_dead_letter_cut_to_fit_and_reported_once() {
        // 'é' takes two bytes in UTF-8 and the emoji four: a cut must not split them
        String raw = "{\"externalId\":\"wamid.big\",\"direction\":\"INBOUND\",\"chat\":\"c1\",\"text\":\""
                + "é\uD83D\uDE00".repeat(1000) + "\"}";
        long bytes = raw.getBytes(StandardCharsets.UTF_8).length;
        PublishBatch.Entry entry = route(raw);

        assertEquals(Topics.DEAD_LETTER, entry.topic());
        assertTrue(entry.deadLetter());
        assertEquals("message is " + String.format(Locale.ENGLISH, "%,d", bytes) + " bytes, more than Kafka takes in"
                + " one record (max.request.size 4,096: KAFKA_MAX_REQUEST_SIZE)",
                entry.record().getHeader(Publishing.DEAD_LETTER_REASON));
        assertEquals(String.valueOf(bytes), entry.record().getHeader(Publishing.DEAD_LETTER_CUT));
        String value = entry.record().getBody(String.class);
        assertTrue(raw.startsWith(value), "the value is the start of the message");
        assertFalse(Character.isHighSurrogate(value.charAt(value.length() - 1)), "no half character at the cut");
        int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(valueBytes < MAX_REQUEST_SIZE && valueBytes > MAX_REQUEST_SIZE - 1024, valueBytes + " bytes");
        assertEquals("wamid.big", entry.record().getHeader(Publishing.EXTERNAL_ID), "the headers are kept");
        assertNotEquals("wamid.big", entry.dedupKey(), "deduplicated as a dead letter, by its content");

        assertNull(routeOne(raw), "the same message is reported once");
    }

    @Test
    void a_dead_letter_too_large_for_kafka_keeps_its_reason_and_is_cut() {
        String raw = "{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"text\":\"" + "x".repeat(5000) + "\"}";
        PublishBatch.Entry entry = route(raw);
        assertEquals("message direction 'SIDEWAYS' is neither INBOUND nor OUTBOUND",
                entry.record().getHeader(Publishing.DEAD_LETTER_REASON));
        assertEquals(String.valueOf(raw.length()), entry.record().getHeader(Publishing.DEAD_LETTER_CUT));
        assertTrue(entry.record().getBody(String.class).length() < MAX_REQUEST_SIZE);
    }

    @Test
    void a_message_that_fits_is_not_cut() {
        String raw = "{\"externalId\":\"wamid.fits\",\"direction\":\"INBOUND\",\"text\":\"" + "x".repeat(3000) + "\"}";
        PublishBatch.Entry entry = route(raw);
        assertEquals(Topics.INBOUND, entry.topic());
        assertEquals(raw, entry.record().getBody());
        assertNull(entry.record().getHeader(Publishing.DEAD_LETTER_CUT));
    }

    @Test
    void a_message_claimed_already_is_left_out_of_the_batch() {
        route("{\"externalId\":\"wamid.9\",\"direction\":\"INBOUND\"}");
        assertNull(routeOne("{\"externalId\":\"wamid.9\",\"direction\":\"INBOUND\"}"));
    }

    private String reasonFor(String raw) {
        PublishBatch.Entry entry = route(raw);
        assertEquals(Topics.DEAD_LETTER, entry.topic());
        return entry.record().getHeader(Publishing.DEAD_LETTER_REASON, String.class);
    }

    private PublishBatch.Entry route(String raw) {
        PublishBatch.Entry entry = routeOne(raw);
        if (entry == null) {
            throw new AssertionError("message-route left out " + raw);
        }
        return entry;
    }

    /** Sends one message through message-route as response-publish does; the claim it made, or null. */
    private PublishBatch.Entry routeOne(String raw) {
        TargetPoll poll = new TargetPoll(TargetPoll.CHAT_MESSAGES, "c1", PagingStyle.NONE);
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(TargetPoll.PROPERTY, poll);
        PublishBatch batch = new PublishBatch(List.of(TestData.message(raw)), 1, dedupState::records);
        List<Message> messages = publishing.messages(batch, poll, exchange);
        exchange.setIn(messages.get(0));
        Exchange done = template.send("direct:message-route", exchange);
        if (done.getException() != null) {
            throw new AssertionError(done.getException());
        }
        return done.getProperty(PublishBatch.CLAIM, PublishBatch.Entry.class);
    }
}
