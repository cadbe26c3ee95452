package io.github.chakrakafkapipeline.chakra;

import java.nio.charset.StandardCharsets;

/**
 * One element of an answer's {@code _data} array: where its exact text is in the answer, which is what gets published
 * so that every field, unknown ones included, reaches Kafka as the API sent it, and the few fields the pipeline reads,
 * taken as the answer is parsed, so that no tree is built per message. The text is decoded only when asked for: most
 * elements of a poll were published before and never need it.
 */
public final class ReceivedMessage {

    private final byte[] answer;
    private final int start;
    private final int end;
    private final boolean object;
    private final String externalId;
    private final long timestamp;
    private final String direction;
    private final String chat;
    private String raw;

    ReceivedMessage(byte[] answer, int start, int end, boolean object, String externalId, long timestamp,
            String direction, String chat) {
        this.answer = answer;
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
            raw = new String(answer, start, end - start, StandardCharsets.UTF_8);
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
}
