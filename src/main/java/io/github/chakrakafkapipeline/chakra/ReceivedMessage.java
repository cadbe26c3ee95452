package io.github.chakrakafkapipeline.chakra;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One element of an response's {@code _data} array: where its exact text is in the response, which is what gets published
 * so that every field, unknown ones included, reaches Kafka as the API sent it, and the few fields the pipeline reads,
 * taken as the response is parsed, so that no tree is built per message. The text is decoded only when asked for: most
 * elements of a poll were published before and never need it.
 */
public final class ReceivedMessage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] response;
    private final int start;
    private final int end;
    private final boolean object;
    private final String externalId;
    private final long timestamp;
    private final String direction;
    private final String chat;
    private String raw;
    private JsonNode tree;

    ReceivedMessage(byte[] response, int start, int end, boolean object, String externalId, long timestamp,
            String direction, String chat) {
        this.response = response;
        this.start = start;
        this.end = end;
        this.object = object;
        this.externalId = externalId;
        this.timestamp = timestamp;
        this.direction = direction;
        this.chat = chat;
    }

    /** The element's text as received. */
    public String raw() {
        if (raw == null) {
            raw = new String(response, start, end - start, StandardCharsets.UTF_8);
        }
        return raw;
    }

    /** Whether the element is a JSON object (anything else is dead-lettered). */
    public boolean object() {
        return object;
    }

    /** The textual {@code externalId}, or null. */
    public String externalId() {
        return externalId;
    }

    /** The {@code timestamp} field in epoch milliseconds, or {@link Long#MIN_VALUE} when there is none. */
    public long timestamp() {
        return timestamp;
    }

    /** The {@code direction} as text (an object or array as its JSON), or null when missing or null. */
    public String direction() {
        return direction;
    }

    /** The {@code chat} id as text, or null when missing, null, an object or an array. */
    public String chat() {
        return chat;
    }

    /**
     * A top-level field of the message, for rules in message-route ({@code ${body.field('dataType')}}): a scalar as
     * text, an object or array as its JSON, null when missing or null. Parses the message the first time it is asked.
     */
    public String field(String name) {
        if (!object) {
            return null;
        }
        if (tree == null) {
            try {
                tree = JSON.readTree(raw());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a message the response parser accepted is not JSON", e);
            }
        }
        JsonNode value = tree.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** The element's text as received, so that a route's log of ${body} shows the message. */
    @Override
    public String toString() {
        return raw();
    }
}
