package io.github.chakrakafkapipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaVariablesTest {

    @Test
    void camel_component_kafka_variables_become_the_component_options_and_nothing_else_does() {
        Map<String, String> overrides = KafkaVariables.overrides(Map.of(
                "CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"pipeline\" password=\"s3cret\";",
                "CAMEL_COMPONENT_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
                "CAMEL_COMPONENT_KAFKA_LINGER_MS", "20",
                "CAMEL_COMPONENT_KAFKA_SASL_MECHANISM", " ",
                "CAMEL_COMPONENT_HTTP_SO_TIMEOUT", "5",
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
                "CAMEL_COMPONENT_KAFKA_", "nothing"));
        assertEquals(Map.of(
                "camel.component.kafka.security-protocol", "SASL_SSL",
                "camel.component.kafka.sasl-jaas-config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"pipeline\" password=\"s3cret\";",
                "camel.component.kafka.ssl-truststore-location", "/etc/kafka/truststore.p12",
                "camel.component.kafka.linger-ms", "20"), overrides,
                "a blank variable is unset; other components' and the pipeline's own variables are Camel's business");
    }
}
