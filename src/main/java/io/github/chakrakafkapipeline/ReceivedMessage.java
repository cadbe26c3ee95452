package io.github.chakrakafkapipeline;

/**
 * One element of an answer's {@code _data} array: its exact text, which is what gets published so that every field,
 * unknown ones included, reaches Kafka as the API sent it, and the few fields the pipeline reads, taken as the answer
 * is parsed, so that no tree is built per message.
 *
 * @param raw        the element's text as received
 * @param object     whether the element is a JSON object (anything else is dead-lettered)
 * @param externalId the textual {@code externalId}, or null
 * @param timestamp  the {@code timestamp} field in epoch milliseconds, or {@link Long#MIN_VALUE} when there is none
 * @param direction  the {@code direction} as text (an object or array as its JSON), or null when missing or null
 * @param chat       the {@code chat} id as text, or null when missing, null, an object or an array
 */
public record ReceivedMessage(String raw, boolean object, String externalId, long timestamp, String direction,
        String chat) {

    /** An element that is not a JSON object. */
    static ReceivedMessage notAnObject(String raw) {
        return new ReceivedMessage(raw, false, null, Long.MIN_VALUE, null, null);
    }
}
