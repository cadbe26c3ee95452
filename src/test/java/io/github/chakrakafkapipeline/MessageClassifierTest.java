package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MessageClassifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MessageClassifier classifier = new MessageClassifier();
    private final Map<String, Object> headers = new HashMap<>();
    private final Map<String, Object> properties = new HashMap<>();

    @Test
    void a_message_is_keyed_by_chat_deduplicated_on_external_id_and_published_as_received() throws Exception {
        String raw = "{\"externalId\":\"wamid.1\",\"direction\":\"INBOUND\",\"chat\":\"c1\",\"text\":\"hi\"}";
        assertEquals(raw, classify(raw));
        assertEquals("wamid.1", headers.get(MessageClassifier.EXTERNAL_ID));
        assertEquals("INBOUND", headers.get(MessageClassifier.DIRECTION));
        assertEquals("c1", headers.get(MessageClassifier.KAFKA_KEY));
        assertNull(headers.get(MessageClassifier.DEAD_LETTER_REASON));
        assertEquals("wamid.1", properties.get(MessageClassifier.DEDUP_KEY));
    }

    @Test
    void names_why_an_element_cannot_be_published() throws Exception {
        assertEquals("element of _data is not a JSON object", reasonFor("[1]"));
        assertEquals("message has no externalId", reasonFor("{\"direction\":\"INBOUND\"}"));
        assertEquals("message has no externalId", reasonFor("{\"externalId\":\" \",\"direction\":\"INBOUND\"}"));
        assertEquals("message has no direction", reasonFor("{\"externalId\":\"x\"}"));
        assertEquals("message direction 'inbound' is neither INBOUND nor OUTBOUND",
                reasonFor("{\"externalId\":\"x\",\"direction\":\"inbound\"}"));
    }

    @Test
    void dead_letters_are_deduplicated_by_content_not_by_external_id() throws Exception {
        classify("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"SENT\"}");
        Object first = properties.get(MessageClassifier.DEDUP_KEY);
        classify("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"SENT\"}");
        assertEquals(first, properties.get(MessageClassifier.DEDUP_KEY), "the same element is reported once");
        classify("{\"externalId\":\"x\",\"direction\":\"SIDEWAYS\",\"deliveryStatus\":\"READ\"}");
        assertNotEquals(first, properties.get(MessageClassifier.DEDUP_KEY));
        assertNotEquals("x", first, "a corrected message with this externalId can still be published");
    }

    private String reasonFor(String raw) throws Exception {
        headers.clear();
        classify(raw);
        return (String) headers.get(MessageClassifier.DEAD_LETTER_REASON);
    }

    private String classify(String raw) throws Exception {
        return classifier.classify(ReceivedMessage.of(raw), headers, properties);
    }
}
