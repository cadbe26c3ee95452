package io.github.chakrakafkapipeline.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code CAMEL_COMPONENT_KAFKA_*} environment variables as {@code camel.component.kafka.*} keys, so that a
 * container configures the Kafka component, its SASL and TLS settings included, by Camel Main's own convention, and
 * the variable wins over config/application.properties.
 * <p>
 * Written here because Camel 4.18.0's Main drops these variables: BaseMainSupport filters the environment with the
 * prefix {@code "camel.component."}, compared with the upper-cased variable name ({@code MainHelper.filterEnvVariables}),
 * so no variable ever matches. Main's override properties are what Camel would have made of them: applied last.
 */
public final class KafkaVariables {

    private static final String PREFIX = "CAMEL_COMPONENT_KAFKA_";

    private KafkaVariables() {
    }

    /**
     * {@code CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG} becomes {@code camel.component.kafka.sasl-jaas-config}, which Camel
     * binds to the option saslJaasConfig. Empty variables are left out, as unset.
     */
    public static Map<String, String> overrides(Map<String, String> environment) {
        Map<String, String> overrides = new TreeMap<>();
        environment.forEach((name, value) -> {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.startsWith(PREFIX) && upper.length() > PREFIX.length() && value != null && !value.isBlank()) {
                overrides.put("camel.component.kafka."
                        + upper.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'), value);
            }
        });
        return overrides;
    }
}
