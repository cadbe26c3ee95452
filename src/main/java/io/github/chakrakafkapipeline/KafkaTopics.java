package io.github.chakrakafkapipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The pipeline's own topics (the dedup state, the lease), created at start-up when missing. */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    /**
     * Creates the topic unless it exists; true when it created it. A start-up check: when Kafka refuses or does not
     * answer, start-up fails with one line naming what to check ({@code howToCreate}: how ops can create it instead).
     */
    public static boolean createIfMissing(Map<String, Object> kafkaConfig, NewTopic topic, Duration timeout,
            String what, String howToCreate) throws InterruptedException {
        Object servers = kafkaConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        Admin admin = Admin.create(kafkaConfig);
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new StartupCheckFailedException("Cannot create the " + what + " " + topic.name() + " on Kafka at "
                    + servers + ": " + e.getCause().getMessage() + "; check KAFKA_BOOTSTRAP_SERVERS, or " + howToCreate, e);
        } catch (TimeoutException e) {
            throw new StartupCheckFailedException("Kafka at " + servers + " did not answer within " + timeout.toMillis()
                    + " ms; check KAFKA_BOOTSTRAP_SERVERS", e);
        } finally {
            admin.close(Duration.ofSeconds(1)); // do not wait for the calls that timed out
        }
    }
}
