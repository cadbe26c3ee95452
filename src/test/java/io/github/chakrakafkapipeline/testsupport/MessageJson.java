package io.github.chakrakafkapipeline.testsupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * ChakraHQ message JSON for tests, shaped like {@code fixtures/chat-messages-response.json}: every field the chat
 * endpoint returns, in its order, with the fixture's values unless a test sets them, and the response envelope around
 * a list of messages.
 * <pre>
 * String message = MessageJson.message("wamid.X").inbound().chat("c1").timestamp(1762277358132L).build();
 * chakra.answerChat("c1", MessageJson.response(List.of(message)));
 * </pre>
 * The text is compact JSON. The same calls always give the same text (the {@code id} is derived from the externalId),
 * so two messages built alike are the same message to the pipeline, as the same message in two answers of the API.
 */
public final class MessageJson {

    /** The fixture's chat, WhatsApp plugin and bot process. */
    public static final String CHAT = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    public static final String PLUGIN = "d83e1d23-50b8-4d87-8f92-842a0ac516f6";
    public static final String PROCESS = "7417c17d-ace1-4977-867d-eef2ba320263";
    /** The fixture's older message's timestamp. */
    public static final long TIMESTAMP = 1_762_277_357_388L;
    /** How long after its timestamp the fixture's newer message was stored (createdAt, updatedAt), in milliseconds. */
    private static final long STORED_AFTER_MILLIS = 43;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode fields;
    /** Whether the body is to be derived from text and direction when built, as the API shapes it. */
    private boolean bodyFollowsText;
    /** Whether createdAt and updatedAt are to follow the timestamp when built. */
    private boolean createdFollowsTimestamp;
    private boolean updatedFollowsTimestamp;

    private MessageJson(ObjectNode fields, boolean fresh) {
        this.fields = fields;
        this.bodyFollowsText = fresh;
        this.createdFollowsTimestamp = fresh;
        this.updatedFollowsTimestamp = fresh;
    }

    /** A new outbound message in the fixture's chat, text "hi", DELIVERED, at {@link #TIMESTAMP}. */
    public static MessageJson message(String externalId) {
        byte[] name = String.valueOf(externalId).getBytes(StandardCharsets.UTF_8);
        ObjectNode fields = JSON.createObjectNode();
        fields.put("id", UUID.nameUUIDFromBytes(name).toString());
        fields.put("chat", CHAT);
        fields.put("plugin", PLUGIN);
        fields.put("externalId", externalId);
        fields.put("provider", "WHATSAPP");
        fields.put("dataType", "text");
        fields.putNull("body"); // derived from text and direction when built
        fields.put("text", "hi");
        fields.putNull("attachments");
        fields.put("deliveryStatus", "DELIVERED");
        fields.put("direction", "OUTBOUND");
        fields.putNull("procedure");
        fields.put("process", PROCESS);
        fields.putNull("campaign");
        fields.putNull("inReplyTo");
        fields.put("timestamp", TIMESTAMP);
        fields.putNull("source");
        fields.putNull("createdAt"); // derived from timestamp when built
        fields.putNull("updatedAt");
        return new MessageJson(fields, true);
    }

    /** A copy of a message (from a fixture, say) to change: only what the test then sets changes. */
    public static MessageJson from(JsonNode message) {
        if (!message.isObject()) {
            throw new IllegalArgumentException("Not a message object: " + message);
        }
        return new MessageJson(((ObjectNode) message).deepCopy(), false);
    }

    public MessageJson id(String id) {
        fields.put("id", id);
        return this;
    }

    public MessageJson externalId(String externalId) {
        fields.put("externalId", externalId);
        return this;
    }

    public MessageJson chat(String chat) {
        fields.put("chat", chat);
        return this;
    }

    public MessageJson plugin(String plugin) {
        fields.put("plugin", plugin);
        return this;
    }

    public MessageJson inbound() {
        return direction("INBOUND");
    }

    public MessageJson outbound() {
        return direction("OUTBOUND");
    }

    /** Any direction, also one the pipeline must reject. */
    public MessageJson direction(String direction) {
        fields.put("direction", direction);
        return this;
    }

    /**
     * The text, and the body that carries it as the API does: {@code {"body": t}} inbound, else
     * {@code {"text": {"body": t}}}.
     */
    public MessageJson text(String text) {
        fields.put("text", text);
        bodyFollowsText = true;
        return this;
    }

    public MessageJson deliveryStatus(String deliveryStatus) {
        fields.put("deliveryStatus", deliveryStatus);
        return this;
    }

    /** The bot process that sent it; null for none. */
    public MessageJson process(String process) {
        fields.put("process", process);
        return this;
    }

    /**
     * When it was sent, in epoch milliseconds. A message begun with {@link #message(String)} was stored 43 ms later
     * (createdAt, updatedAt) unless the test sets those.
     */
    public MessageJson timestamp(long timestamp) {
        fields.put("timestamp", timestamp);
        return this;
    }

    public MessageJson createdAt(long createdAt) {
        return set("createdAt", createdAt);
    }

    public MessageJson updatedAt(long updatedAt) {
        return set("updatedAt", updatedAt);
    }

    /**
     * Any field, in its place if the message has it, else last; {@code value} is a {@link JsonNode} or a plain value
     * (text, number, boolean, null).
     */
    public MessageJson set(String field, Object value) {
        fields.set(field, value instanceof JsonNode node ? node.deepCopy() : JSON.valueToTree(value));
        settled(field);
        return this;
    }

    /** Leaves a field out altogether. */
    public MessageJson without(String field) {
        fields.remove(field);
        settled(field);
        return this;
    }

    /** A field the test set or removed itself is no longer derived from the others. */
    private void settled(String field) {
        switch (field) {
            case "body" -> bodyFollowsText = false;
            case "createdAt" -> createdFollowsTimestamp = false;
            case "updatedAt" -> updatedFollowsTimestamp = false;
            default -> { }
        }
    }

    /** The message as a tree of its own (changing it changes nothing here). */
    public ObjectNode node() {
        ObjectNode message = fields.deepCopy();
        if (bodyFollowsText && message.has("body")) {
            String text = message.path("text").asText(null);
            ObjectNode body = JSON.createObjectNode();
            if ("INBOUND".equals(message.path("direction").asText(null))) {
                body.put("body", text);
            } else {
                body.putObject("text").put("body", text);
            }
            message.set("body", body);
        }
        long stored = message.path("timestamp").asLong() + STORED_AFTER_MILLIS;
        if (createdFollowsTimestamp && message.has("createdAt")) {
            message.put("createdAt", stored);
        }
        if (updatedFollowsTimestamp && message.has("updatedAt")) {
            message.put("updatedAt", stored);
        }
        return message;
    }

    /** The message as the API sends it: compact JSON text. */
    public String build() {
        return node().toString();
    }

    @Override
    public String toString() {
        return build();
    }

    /**
     * A response of the API, {@code {"_data":[...],"_meta":{},"_errors":[]}}, holding these elements' text as given,
     * in this order.
     */
    public static String response(List<String> elements) {
        return "{\"_data\":[" + String.join(",", elements) + "],\"_meta\":{},\"_errors\":[]}";
    }

    /** As {@link #response(List)}, with {@code _meta.hasMore}. */
    public static String response(List<String> elements, boolean hasMore) {
        return "{\"_data\":[" + String.join(",", elements) + "],\"_meta\":{\"hasMore\":" + hasMore
                + "},\"_errors\":[]}";
    }

    /** A response that carries an error instead of data: {@code {"_data":null,"_meta":{},"_errors":["..."]}}. */
    public static String errorResponse(String error) {
        try {
            return "{\"_data\":null,\"_meta\":{},\"_errors\":[" + JSON.writeValueAsString(error) + "]}";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The elements of a response's {@code _data}, each as compact JSON text. */
    public static List<String> elements(String response) {
        List<String> elements = new ArrayList<>();
        TestData.json(response).get("_data").forEach(element -> elements.add(element.toString()));
        return elements;
    }
}
