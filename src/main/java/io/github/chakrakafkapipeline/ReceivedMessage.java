package io.github.chakrakafkapipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One element of an answer's {@code _data} array: its exact text, which is what gets published so that every field,
 * unknown ones included, reaches Kafka as the API sent it, and the two fields every element is sorted and deduplicated
 * on. The parsed form is built only when asked for: most elements of a poll were published before and never need it.
 */
public final class ReceivedMessage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String raw;
    private final String externalId;
    private final long timestamp;
    private JsonNode json;

    /** {@code externalId} null when the element has no textual one; {@code timestamp} {@link Long#MIN_VALUE} likewise. */
    public ReceivedMessage(String raw, String externalId, long timestamp, JsonNode json) {
        this.raw = raw;
        this.externalId = externalId;
        this.timestamp = timestamp;
        this.json = json;
    }

    /** An element from its text alone. */
    public static ReceivedMessage of(String raw) {
        try {
            JsonNode json = JSON.readTree(raw);
            JsonNode externalId = json.get("externalId");
            JsonNode timestamp = json.get("timestamp");
            return new ReceivedMessage(raw, externalId != null && externalId.isTextual() ? externalId.asText() : null,
                    timestamp != null && timestamp.canConvertToLong() ? timestamp.asLong() : Long.MIN_VALUE, json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not JSON: " + raw, e);
        }
    }

    public String raw() {
        return raw;
    }

    /** The textual {@code externalId}, or null. */
    public String externalId() {
        return externalId;
    }

    /** The {@code timestamp} field in epoch milliseconds, or {@link Long#MIN_VALUE} when there is none. */
    public long timestamp() {
        return timestamp;
    }

    /** The parsed element; its text came from a valid answer, so it parses. */
    public JsonNode json() {
        if (json == null) {
            try {
                json = JSON.readTree(raw);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("An element of a valid answer is valid JSON", e);
            }
        }
        return json;
    }
}
