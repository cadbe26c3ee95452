package io.github.chakrakafkapipeline.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.chakrakafkapipeline.chakra.ReceivedMessage;

/**
 * Decides what one received element becomes on Kafka: its topic, the record's key and headers, and the key it is
 * deduplicated on; an element that cannot be published as a message goes to the dead-letter topic with the reason.
 */
public class MessageClassifier {

    public static final String EXTERNAL_ID = "chakra.externalId";
    public static final String DIRECTION = "chakra.direction";
    public static final String DEAD_LETTER_REASON = "chakra.deadLetterReason";

    private final String inboundTopic;
    private final String outboundTopic;
    private final String deadLetterTopic;

    public MessageClassifier(String inboundTopic, String outboundTopic, String deadLetterTopic) {
        this.inboundTopic = inboundTopic;
        this.outboundTopic = outboundTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * What one element becomes: {@code key} is the record key (the chat id, or null), {@code headers} the record's
     * chakra.* headers; the value is always the element's text as received.
     */
    public record Outcome(String topic, String key, Map<String, String> headers, String dedupKey) {

        public boolean deadLettered() {
            return headers.containsKey(DEAD_LETTER_REASON);
        }
    }

    public Outcome classify(ReceivedMessage message) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (message.externalId() != null) {
            headers.put(EXTERNAL_ID, message.externalId());
        }
        if (message.direction() != null) {
            headers.put(DIRECTION, message.direction());
        }
        String reason = deadLetterReason(message);
        if (reason != null) {
            headers.put(DEAD_LETTER_REASON, reason);
            // Dead letters are remembered by content: the same broken element is reported once, not on every poll,
            // and a corrected version of the message is still published.
            return new Outcome(deadLetterTopic, message.chat(), headers, "dead-letter:" + sha256(message.raw()));
        }
        String topic = "INBOUND".equals(message.direction()) ? inboundTopic : outboundTopic;
        return new Outcome(topic, message.chat(), headers, message.externalId());
    }

    static String deadLetterReason(ReceivedMessage message) {
        if (!message.object()) {
            return "element of _data is not a JSON object";
        }
        if (message.externalId() == null || message.externalId().isBlank()) {
            return "message has no externalId";
        }
        String direction = message.direction();
        if (direction == null) {
            return "message has no direction";
        }
        if (!"INBOUND".equals(direction) && !"OUTBOUND".equals(direction)) {
            return "message direction '" + direction + "' is neither INBOUND nor OUTBOUND";
        }
        return null;
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
