package io.github.chakrakafkapipeline.settings;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.quartz.CronExpression;

/**
 * The settings the routes cannot check for themselves, validated once at start-up so that a bad value stops the
 * service with one line naming it, instead of failing on every poll.
 */
public final class PipelineSettings {

    private static final Pattern PHONE_NUMBER = Pattern.compile("\\d{6,15}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHAT_ID = Pattern.compile("[A-Za-z0-9_-]+");

    private final List<String> chatIds;
    private final List<String> phoneNumbers;
    private final boolean discovery;
    private final boolean topicsCreate;
    private final Optional<Integer> topicPartitions;
    private final Optional<Short> topicReplicationFactor;
    private final boolean exactlyOnce;

    private PipelineSettings(List<String> chatIds, List<String> phoneNumbers, boolean discovery, boolean topicsCreate,
            Optional<Integer> topicPartitions, Optional<Short> topicReplicationFactor, boolean exactlyOnce) {
        this.chatIds = chatIds;
        this.phoneNumbers = phoneNumbers;
        this.discovery = discovery;
        this.topicsCreate = topicsCreate;
        this.topicPartitions = topicPartitions;
        this.topicReplicationFactor = topicReplicationFactor;
        this.exactlyOnce = exactlyOnce;
    }

    /** Reads and checks the settings; {@code lookup} returns a key's resolved value, or null when it is unset. */
    public static PipelineSettings load(Function<String, String> lookup) {
        String token = lookup.apply("chakra.api.token");
        if (token == null || token.isBlank()) {
            throw new InvalidSettingException("chakra.api.token",
                    "it is required and has no default; set it to the access token of a ChakraHQ API key");
        }
        requireHttpUrl("chakra.api.base.url", lookup.apply("chakra.api.base.url"));
        String cron = lookup.apply("pipeline.poll.cron");
        if (cron == null || !CronExpression.isValidExpression(cron)) {
            throw new InvalidSettingException("pipeline.poll.cron",
                    "'" + cron + "' is not a Quartz cron expression; once a minute is '0 * * * * ?'");
        }
        List<String> topics = Arrays.asList(
                required(lookup, "pipeline.topic.inbound"), required(lookup, "pipeline.topic.outbound"),
                required(lookup, "pipeline.topic.dead-letter"), required(lookup, "pipeline.dedup.topic"),
                required(lookup, "pipeline.lease.topic"), required(lookup, "pipeline.chat.activity.topic"));
        if (topics.stream().distinct().count() != topics.size()) {
            throw new InvalidSettingException("pipeline.topic.inbound", "the inbound, outbound, dead-letter, dedup, "
                    + "lease and chat activity topics must be six different topics, not " + topics);
        }
        required(lookup, "pipeline.name");
        boolean exactlyOnce = exactlyOnce(lookup.apply("pipeline.delivery"));
        requirePositive("pipeline.lease.session.timeout.millis", lookup.apply("pipeline.lease.session.timeout.millis"));
        requirePositive("pipeline.lease.heartbeat.millis", lookup.apply("pipeline.lease.heartbeat.millis"));
        required(lookup, "kafka.bootstrap.servers");
        for (String operation : List.of("chakra.chat.messages", "chakra.phone.messages")) {
            requireJsonObject(operation + ".request.body", lookup.apply(operation + ".request.body"));
            requirePagingStyle(operation + ".paging", lookup.apply(operation + ".paging"));
        }
        String phoneRequest = lookup.apply("chakra.phone.messages.request.body");
        if (phoneRequest.contains("exchangeProperty.chakraTarget")) {
            throw new InvalidSettingException("chakra.phone.messages.request.body", "${exchangeProperty.chakraTarget} is "
                    + "no longer set; write ${exchangeProperty.targetPoll.target} for the phone number");
        }
        requireJsonObject("chakra.chat.list.request.body", lookup.apply("chakra.chat.list.request.body"));
        requirePagingStyle("chakra.chat.list.paging", lookup.apply("chakra.chat.list.paging"));
        required(lookup, "chakra.chat.list.id.field");
        required(lookup, "chakra.chat.list.activity.field");
        for (String key : List.of("chakra.paging.page.size", "chakra.paging.max.pages", "chakra.http.concurrency",
                "chakra.http.requests.per.second", "chakra.chat.list.page.size", "chakra.chat.list.max.pages",
                "chakra.chat.sweep.interval.millis", "chakra.target.backoff.max.millis")) {
            requirePositive(key, lookup.apply(key));
        }
        List<String> chatIds = list(lookup, "chakra.chat.ids", CHAT_ID, "a chat id (letters, digits, '-' or '_')");
        List<String> phoneNumbers = list(lookup, "chakra.phone.numbers", PHONE_NUMBER,
                "a phone number with country code, digits only, no '+' (e.g. 919901258433)");
        requirePositive("kafka.transaction.timeout.millis", lookup.apply("kafka.transaction.timeout.millis"));
        return new PipelineSettings(chatIds, phoneNumbers, discovery(lookup.apply("chakra.chat.discovery"), chatIds),
                bool(lookup, "pipeline.topics.create"),
                optionalPositive(lookup, "pipeline.topics.partitions", Short.MAX_VALUE * 2),
                optionalPositive(lookup, "pipeline.topics.replication.factor", Short.MAX_VALUE)
                        .map(Integer::shortValue), exactlyOnce);
    }

    /** The delivery guarantee (PIPELINE_DELIVERY): true for exactly-once (Kafka transactions). */
    public boolean exactlyOnce() {
        return exactlyOnce;
    }

    /** Whether the pipeline creates the topics it writes to that are missing (PIPELINE_TOPICS_CREATE). */
    public boolean topicsCreate() {
        return topicsCreate;
    }

    /** The partitions of the message topics the pipeline creates; empty for the brokers' num.partitions. */
    public Optional<Integer> topicPartitions() {
        return topicPartitions;
    }

    /** The replication factor of the topics the pipeline creates; empty for the brokers' default.replication.factor. */
    public Optional<Short> topicReplicationFactor() {
        return topicReplicationFactor;
    }

    private static boolean bool(Function<String, String> lookup, String key) {
        String value = lookup.apply(key) == null ? "" : lookup.apply(key).trim();
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidSettingException(key, "'" + value + "' is not true or false");
    }

    /** A whole number from 1 to {@code max}, or empty when the key is blank (the brokers' default). */
    private static Optional<Integer> optionalPositive(Function<String, String> lookup, String key, int max) {
        String value = lookup.apply(key) == null ? "" : lookup.apply(key).trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            int number = Integer.parseInt(value);
            if (number > 0 && number <= max) {
                return Optional.of(number);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(key, "'" + value + "' is not a whole number from 1 to " + max
                + ", nor empty for the brokers' default");
    }

    /** Discovery with List chats: on, off, or auto (the default): on when no chat ids are listed. */
    private static boolean discovery(String value, List<String> chatIds) {
        String discovery = value == null ? "" : value.trim();
        return switch (discovery) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> chatIds.isEmpty();
            default -> throw new InvalidSettingException("chakra.chat.discovery", "'" + value + "' is not auto, on or "
                    + "off (auto: find the team's chats with List chats when CHAKRA_CHAT_IDS is empty)");
        };
    }

    /** Whether the poll finds the team's chats itself, with List chats. */
    public boolean discovery() {
        return discovery;
    }

    public List<String> chatIds() {
        return chatIds;
    }

    public List<String> phoneNumbers() {
        return phoneNumbers;
    }

    private static String required(Function<String, String> lookup, String key) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            throw new InvalidSettingException(key, "it must not be empty");
        }
        return value.trim();
    }

    private static void requireJsonObject(String key, String value) {
        try {
            if (value != null && JSON.readTree(value).isObject()) {
                return;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new InvalidSettingException(key, "'" + value + "' is not a JSON object such as {}");
    }

    /** The delivery guarantee: true for exactly-once (Kafka transactions), false for at-least-once. */
    public static boolean exactlyOnce(String value) {
        String delivery = value == null ? "" : value.trim();
        if (delivery.equals("exactly-once") || delivery.equals("at-least-once")) {
            return delivery.equals("exactly-once");
        }
        throw new InvalidSettingException("pipeline.delivery", "'" + value + "' is not exactly-once or at-least-once "
                + "(at-least-once for a Kafka cluster without transactions)");
    }

    private static void requirePagingStyle(String key, String value) {
        try {
            PagingStyle.parse(value == null ? "" : value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, "'" + value + "' is not one of none, page, skip");
        }
    }

    private static void requirePositive(String key, String value) {
        try {
            if (Integer.parseInt(value == null ? "" : value.trim()) > 0) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(key, "'" + value + "' is not a whole number above 0");
    }

    private static void requireHttpUrl(String key, String value) {
        try {
            URI uri = URI.create(value == null ? "" : value.trim());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // reported below, with what a good value looks like
        }
        throw new InvalidSettingException(key, "'" + value + "' is not an http(s) URL such as https://api.chakrahq.com");
    }

    private static List<String> list(Function<String, String> lookup, String key, Pattern valid, String what) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        for (String item : items) {
            if (!valid.matcher(item).matches()) {
                throw new InvalidSettingException(key, "'" + item + "' is not " + what);
            }
        }
        return items;
    }
}
