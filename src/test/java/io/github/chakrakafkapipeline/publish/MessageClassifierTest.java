package io.github.chakrakafkapipeline.publish;
import static io.github.chakrakafkapipeline.testsupport.Topics.DEAD_LETTER;
import static io.github.chakrakafkapipeline.testsupport.Topics.INBOUND;
import static io.github.chakrakafkapipeline.testsupport.Topics.OUTBOUND;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.TestData;
import org.junit.jupiter.api.Test;

class MessageClassifierTest {

    private final MessageClassifier classifier = new MessageClassifier(INBOUND, OUTBOUND, DEAD_LETTER);

    @Test
    void a_message_goes_to_the_topic_of_its_direction_keyed_by_chat_and_deduplicated_on_external_id() {
        MessageClassifier.Outcome inbound = classify(message("wamid.1").inbound().chat("c1").text("hi").build());
        assertEquals(INBOUND, inbound.topic());
        assertEquals("c1", inbound.key());
        assertEquals(Map.of(MessageClassifier.EXTERNAL_ID, "wamid.1", MessageClassifier.DIRECTION, "INBOUND"),
                inbound.headers());
        assertEquals("wamid.1", inbound.dedupKey());
        assertFalse(inbound.deadLettered());
        assertEquals(OUTBOUND, classify(message("wamid.2").outbound().build()).topic());
    }

    @Test
    void names_why_an_element_cannot_be_published() {
        assertEquals("element of _data is not a JSON object", reasonFor("[1]"));
        assertEquals("message has no externalId", reasonFor(message("x").inbound().without("externalId").build()));
        assertEquals("message has no externalId", reasonFor(message(" ").inbound().build()));
        assertEquals("message has no direction", reasonFor(message("x").without("direction").build()));
        assertEquals("message direction 'inbound' is neither INBOUND nor OUTBOUND",
                reasonFor(message("x").direction("inbound").build()));
    }

    @Test
    void dead_letters_are_deduplicated_by_content_not_by_external_id() {
        String first = classify(message("x").direction("SIDEWAYS").deliveryStatus("SENT").build()).dedupKey();
        assertEquals(first, classify(message("x").direction("SIDEWAYS").deliveryStatus("SENT").build())
                .dedupKey(), "the same element is reported once");
        assertNotEquals(first, classify(message("x").direction("SIDEWAYS").deliveryStatus("READ").build())
                .dedupKey());
        assertNotEquals("x", first, "a corrected message with this externalId can still be published");
    }

    private String reasonFor(String raw) {
        MessageClassifier.Outcome outcome = classify(raw);
        assertTrue(outcome.deadLettered());
        assertEquals(DEAD_LETTER, outcome.topic());
        return outcome.headers().get(MessageClassifier.DEAD_LETTER_REASON);
    }

    private MessageClassifier.Outcome classify(String raw) {
        return classifier.classify(TestData.message(raw));
    }
}
