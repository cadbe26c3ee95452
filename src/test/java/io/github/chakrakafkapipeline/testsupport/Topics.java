package io.github.chakrakafkapipeline.testsupport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's Kafka topics: the shipped names (config/application.properties), which are a public contract and
 * so are spelled out here rather than read from that file, or a set of a test's own.
 */
public record Topics(String inbound, String outbound, String deadLetter, String dedup, String chatActivity) {

    public static final String INBOUND = "chakra.messages.inbound";
    public static final String OUTBOUND = "chakra.messages.outbound";
    public static final String DEAD_LETTER = "chakra.messages.dead-letter";
    /** The compacted topic of the ids already published. */
    public static final String DEDUP = "chakra.pipeline.published-ids";
    /** The compacted topic of the chats' activity (discovery). */
    public static final String CHAT_ACTIVITY = "chakra.pipeline.chat-activity";

    /** The topics the pipeline uses unless told otherwise. */
    public static final Topics SHIPPED = new Topics(INBOUND, OUTBOUND, DEAD_LETTER, DEDUP, CHAT_ACTIVITY);

    /** A test's own topics: {@code prefix} + inbound, outbound, dead-letter, published-ids and chat-activity. */
    public static Topics prefixed(String prefix) {
        return new Topics(prefix + "inbound", prefix + "outbound", prefix + "dead-letter", prefix + "published-ids",
                prefix + "chat-activity");
    }

    /** The settings that point the pipeline at these topics. */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("pipeline.topic.inbound", inbound);
        settings.put("pipeline.topic.outbound", outbound);
        settings.put("pipeline.topic.dead-letter", deadLetter);
        settings.put("pipeline.dedup.topic", dedup);
        settings.put("pipeline.chat.activity.topic", chatActivity);
        return settings;
    }

    /** The topics messages are published to: inbound, outbound, dead-letter. */
    public List<String> messages() {
        return List.of(inbound, outbound, deadLetter);
    }

    /** All four, the dedup topic last. */
    public List<String> all() {
        return List.of(inbound, outbound, deadLetter, dedup);
    }
}
