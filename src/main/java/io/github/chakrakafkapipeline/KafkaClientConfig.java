package io.github.chakrakafkapipeline;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The connection settings of the pipeline's own Kafka clients (dedup state, readiness), taken from the Camel Kafka
 * component: brokers and the security settings (SASL, SSL) are configured once, as camel.component.kafka.*.
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
}
