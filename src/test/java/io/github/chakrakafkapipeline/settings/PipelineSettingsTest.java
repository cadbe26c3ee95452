package io.github.chakrakafkapipeline.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.ShippedSettings;
import org.apache.camel.util.ObjectHelper;
import org.junit.jupiter.api.Test;

class PipelineSettingsTest {

    /** The shipped config file, with a token and targets: what a real start-up reads. */
    private final Map<String, String> settings = shippedSettings();

    @Test
    void reads_the_lists_of_targets_trimmed_and_without_repeats() {
        PipelineSettings loaded = PipelineSettings.load(settings::get);
        assertEquals(List.of("a-1", "b_2"), loaded.chatIds());
        assertEquals(List.of("919901258433"), loaded.phoneNumbers());
        settings.put("chakra.chat.ids", "");
        assertEquals(List.of(), PipelineSettings.load(settings::get).chatIds());
    }

    @Test
    void a_bad_setting_is_named_by_its_environment_variable_with_what_to_do() {
        assertEquals("Invalid setting CHAKRA_API_TOKEN (chakra.api.token in config/application.properties): "
                + "it is required and has no default; set it to the access token of a ChakraHQ API key",
                errorWith("chakra.api.token", " "));
        assertEquals("Invalid setting PIPELINE_POLL_CRON (pipeline.poll.cron in config/application.properties): "
                + "'every minute' is not a Quartz cron expression; once a minute is '0 * * * * ?'",
                errorWith("pipeline.poll.cron", "every minute"));
        assertEquals("Invalid setting CHAKRA_PHONE_NUMBERS (chakra.phone.numbers in config/application.properties): "
                + "'+91 99012' is not a phone number with country code, digits only, no '+' (e.g. 919901258433)",
                errorWith("chakra.phone.numbers", "+91 99012"));
        assertEquals("Invalid setting CHAKRA_API_BASE_URL (chakra.api.base.url in config/application.properties): "
                + "'api.chakrahq.com' is not an http(s) URL such as https://api.chakrahq.com",
                errorWith("chakra.api.base.url", "api.chakrahq.com"));
        assertEquals("Invalid setting CHAKRA_CHAT_IDS (chakra.chat.ids in config/application.properties): "
                + "'a/b' is not a chat id (letters, digits, '-' or '_')", errorWith("chakra.chat.ids", "a/b"));
        assertEquals("Invalid setting PIPELINE_TOPIC_DEAD_LETTER (pipeline.topic.dead-letter in "
                + "config/application.properties): it must not be empty", errorWith("pipeline.topic.dead-letter", ""));
        assertEquals("Invalid setting CHAKRA_CHAT_MESSAGES_PAGING (chakra.chat.messages.paging in "
                + "config/application.properties): 'pages' is not one of none, page, skip",
                errorWith("chakra.chat.messages.paging", "pages"));
        assertEquals("Invalid setting CHAKRA_PHONE_MESSAGES_REQUEST_BODY (chakra.phone.messages.request.body in "
                + "config/application.properties): '{\"customerPhoneNumber\": ' is not a JSON object such as {}",
                errorWith("chakra.phone.messages.request.body", "{\"customerPhoneNumber\": "));
        assertEquals("Invalid setting CHAKRA_HTTP_CONCURRENCY (chakra.http.concurrency in "
                + "config/application.properties): '0' is not a whole number above 0",
                errorWith("chakra.http.concurrency", "0"));
        assertEquals("Invalid setting PIPELINE_DELIVERY (pipeline.delivery in config/application.properties): "
                + "'exactly_once' is not exactly-once or at-least-once (at-least-once for a Kafka cluster without "
                + "transactions)", errorWith("pipeline.delivery", "exactly_once"));
    }

    @Test
    void the_topics_it_creates_take_the_brokers_defaults_unless_set() {
        PipelineSettings loaded = PipelineSettings.load(settings::get);
        assertEquals(true, loaded.topicsCreate());
        assertEquals(java.util.Optional.empty(), loaded.topicPartitions(), "the brokers' num.partitions");
        assertEquals(java.util.Optional.empty(), loaded.topicReplicationFactor(), "the brokers' default.replication.factor");
        settings.put("pipeline.topics.create", "false");
        settings.put("pipeline.topics.partitions", "6");
        settings.put("pipeline.topics.replication.factor", " 3 ");
        loaded = PipelineSettings.load(settings::get);
        assertEquals(false, loaded.topicsCreate());
        assertEquals(java.util.Optional.of(6), loaded.topicPartitions());
        assertEquals(java.util.Optional.of((short) 3), loaded.topicReplicationFactor());
        assertEquals("Invalid setting PIPELINE_TOPICS_CREATE (pipeline.topics.create in config/application.properties): "
                + "'yes' is not true or false", errorWith("pipeline.topics.create", "yes"));
        assertEquals("Invalid setting PIPELINE_TOPICS_REPLICATION_FACTOR (pipeline.topics.replication.factor in "
                + "config/application.properties): '0' is not a whole number from 1 to 32767, nor empty for the "
                + "brokers' default", errorWith("pipeline.topics.replication.factor", "0"));
        assertEquals("Invalid setting KAFKA_TRANSACTION_TIMEOUT_MILLIS (kafka.transaction.timeout.millis in "
                + "config/application.properties): '-1' is not a whole number above 0",
                errorWith("kafka.transaction.timeout.millis", "-1"));
    }

    @Test
    void the_application_does_not_start_without_a_token() {
        Map<String, String> overrides = Map.of("chakra.api.token", "", "kafka.bootstrap.servers", "localhost:1");
        Exception error = assertThrows(Exception.class, () -> RunningPipeline.start(overrides).close());
        InvalidSettingException invalid = ObjectHelper.getException(InvalidSettingException.class, error);
        assertNotNull(invalid, "start-up fails on the setting, before it tries Kafka: " + error);
        assertEquals(true, invalid.getMessage().startsWith("Invalid setting CHAKRA_API_TOKEN"));
    }

    private static Map<String, String> shippedSettings() {
        Map<String, String> settings = ShippedSettings.read();
        settings.put("chakra.api.token", "t");
        settings.put("chakra.chat.ids", " a-1, b_2 ,,a-1");
        settings.put("chakra.phone.numbers", "919901258433");
        return settings;
    }

    /** The error for the good settings with one value changed. */
    private String errorWith(String key, String value) {
        Map<String, String> changed = new HashMap<>(settings);
        changed.put(key, value);
        return assertThrows(InvalidSettingException.class, () -> PipelineSettings.load(changed::get)).getMessage();
    }
}
