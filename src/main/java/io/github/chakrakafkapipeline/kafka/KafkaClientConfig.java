package io.github.chakrakafkapipeline.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The connection settings of the pipeline's own Kafka clients (transactional producer aside: it takes the component's
 * whole producer configuration): the dedup state, the chat activity, the lease, the topics check and readiness, taken
 * from the Camel Kafka component: brokers and the security settings (SASL, SSL) are configured once, as
 * camel.component.kafka.* or their CAMEL_COMPONENT_KAFKA_* variables.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {
    }

    public static Map<String, Object> of(CamelContext context) {
        KafkaConfiguration kafka = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
        Map<String, Object> config = new HashMap<>();
        kafka.createConsumerProperties().forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith("security.") || name.startsWith("sasl.") || name.startsWith("ssl.")) {
                config.put(name, value);
            }
        });
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokers());
        return config;
    }

    /**
     * A consumer of the pipeline's compacted topics (the dedup state, the chat activity): string keys and values, no
     * offsets committed (they are read from the start), and committed records only, whatever the delivery: a topic
     * may hold records of aborted transactions (an earlier exactly-once run, or the other replica while the delivery
     * changes), and counting one of them as published would lose its message.
     */
    public static Map<String, Object> stateConsumer(Map<String, Object> connection) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a position Kafka no longer has (compacted or deleted away under a follower) goes back to the start, never
        // forward past records the state needs
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    /** A producer of records to those topics, at least once: acknowledged by every in-sync replica, idempotent. */
    public static Map<String, Object> stateProducer(Map<String, Object> connection) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }
}
