package io.github.chakrakafkapipeline.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * camel-kafka's client factory, as the pipeline uses it, with a fault a test puts around the calls of the
 * transactional producer (initTransactions, commitTransaction, ...): Kafka's answer lost, or late, at the one step a
 * test needs it. The producer underneath is the real one, talking to a real broker.
 */
public class FaultyKafkaClients extends DefaultKafkaClientFactory {

    /**
     * What happens instead of one call of a transactional producer ({@code producer}, the real one: each producer the
     * pipeline opens is another); {@code real} makes the call itself.
     */
    @FunctionalInterface
    public interface Fault {
        Object call(Object producer, String method, Callable<Object> real) throws Exception;
    }

    private static final Fault NONE = (producer, method, real) -> real.call();
    private static volatile Fault fault = NONE;

    /** The pipeline's setting that makes its Kafka clients with this factory. */
    public static Map<String, String> setting() {
        return Map.of("camel.component.kafka.kafka-client-factory", "#class:" + FaultyKafkaClients.class.getName());
    }

    public static void inject(Fault injected) {
        fault = injected;
    }

    public static void reset() {
        fault = NONE;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Producer getProducer(Properties kafkaProps) {
        Producer real = super.getProducer(kafkaProps);
        if (!kafkaProps.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
            return real;
        }
        return (Producer) Proxy.newProxyInstance(Producer.class.getClassLoader(), new Class<?>[] {Producer.class},
                (proxy, method, args) -> fault.call(real, method.getName(), () -> {
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }));
    }
}
