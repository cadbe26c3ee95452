package io.github.chakrakafkapipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A topic Kafka lists no partition of (not there yet, or created a moment ago and not yet known to the broker asked).
 * Before, the reader was assigned no partition, loaded an empty state "in 6 ms", and then failed at every catch-up:
 * exactly once, the pipeline never polled again (seen once in LockedDownClusterTest, three brokers). It must ask again,
 * then fail with a message that names the topic.
 */
class CompactedTopicReaderTest {

    @Test
    void a_topic_without_partitions_is_asked_again_and_then_named_in_the_error() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithoutAutoCreation()) {
            Map<String, Object> connection = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            TimeoutException refused = assertThrows(TimeoutException.class, () -> CompactedTopicReader.load(
                    "not.there.yet", "dedup state", "publish again what was published", connection,
                    Duration.ofSeconds(2), record -> { }).close());
            assertTrue(refused.getMessage().contains("no partition of topic not.there.yet"), refused.getMessage());
        }
    }
}
