package io.github.chakrakafkapipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.Headers;

/**
 * Decides what one received element becomes on Kafka: the record's key and headers, the value to publish, the key it
 * is deduplicated on, and, for an element that cannot be published as a message, why it goes to the dead-letter topic.
 */
public class MessageClassifier {

    public static final String EXTERNAL_ID = "chakra.externalId";
    public static final String DIRECTION = "chakra.direction";
    public static final String DEAD_LETTER_REASON = "chakra.deadLetterReason";
    /** Camel's own header for the Kafka record key; Camel does not copy it into the record's headers. */
    public static final String KAFKA_KEY = "kafka.KEY";
    public static final String DEDUP_KEY = "chakraDedupKey";
    /** The element as received, kept for the metrics (its timestamp) once the body is the text to publish. */
    public static final String RECEIVED = "chakraReceivedMessage";

    /** Sets the headers and the dedup key, and returns the value to publish: the element's text as received. */
    public String classify(@Body ReceivedMessage message, @Headers Map<String, Object> headers,
            @ExchangeProperties Map<String, Object> properties) {
        JsonNode json = message.json();
        properties.put(RECEIVED, message);
        String reason = deadLetterReason(json);
        if (json.isObject()) {
            putText(headers, EXTERNAL_ID, json.get("externalId"));
            putText(headers, DIRECTION, json.get("direction"));
            putText(headers, KAFKA_KEY, json.get("chat"));
        }
        if (reason == null) {
            properties.put(DEDUP_KEY, json.get("externalId").asText());
        } else {
            headers.put(DEAD_LETTER_REASON, reason);
            // Dead letters are remembered by content: the same broken element is reported once, not on every poll,
            // and a corrected version of the message is still published.
            properties.put(DEDUP_KEY, "dead-letter:" + sha256(message.raw()));
        }
        return message.raw();
    }

    static String deadLetterReason(JsonNode json) {
        if (!json.isObject()) {
            return "element of _data is not a JSON object";
        }
        JsonNode externalId = json.get("externalId");
        if (externalId == null || !externalId.isTextual() || externalId.asText().isBlank()) {
            return "message has no externalId";
        }
        JsonNode direction = json.get("direction");
        String value = direction == null || direction.isNull() ? null : direction.asText();
        if (value == null) {
            return "message has no direction";
        }
        if (!"INBOUND".equals(value) && !"OUTBOUND".equals(value)) {
            return "message direction '" + value + "' is neither INBOUND nor OUTBOUND";
        }
        return null;
    }

    private static void putText(Map<String, Object> headers, String name, JsonNode value) {
        if (value != null && value.isValueNode() && !value.isNull()) {
            headers.put(name, value.asText());
        }
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
