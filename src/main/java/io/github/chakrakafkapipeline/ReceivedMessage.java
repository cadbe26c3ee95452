package io.github.chakrakafkapipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One element of an answer's {@code _data} array: its parsed form, to read fields from, and its exact text, which is
 * what gets published so that every field, unknown ones included, reaches Kafka as the API sent it.
 */
public record ReceivedMessage(JsonNode json, String raw) {

    /** The {@code timestamp} field in epoch milliseconds, or {@link Long#MIN_VALUE} when there is none. */
    public long timestamp() {
        JsonNode timestamp = json.get("timestamp");
        return timestamp != null && timestamp.canConvertToLong() ? timestamp.asLong() : Long.MIN_VALUE;
    }
}
