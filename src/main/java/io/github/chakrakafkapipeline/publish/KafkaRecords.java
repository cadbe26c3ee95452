package io.github.chakrakafkapipeline.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The Kafka records of the pipeline's messages, as camel-kafka makes them, for the transactional producer. */
final class KafkaRecords {

    private KafkaRecords() {
    }

    /**
     * The record camel-kafka would send for this message: topic, key, the body as the value, and the headers its
     * header filter strategy lets through, serialized by its header serializer (KafkaProducer.getPropagatedHeaders).
     */
    static ProducerRecord<String, String> record(Message message, KafkaConfiguration configuration) {
        HeaderFilterStrategy filter = configuration.getHeaderFilterStrategy();
        List<Header> headers = new ArrayList<>(message.getHeaders().size());
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            if (!filter.applyFilterToCamelHeaders(header.getKey(), header.getValue(), message.getExchange())) {
                byte[] value = configuration.getHeaderSerializer().serialize(header.getKey(), header.getValue());
                if (value != null) {
                    headers.add(new RecordHeader(header.getKey(), value));
                }
            }
        }
        return new ProducerRecord<>(message.getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class), null,
                message.getHeader(KafkaConstants.KEY, String.class), message.getBody(String.class), headers);
    }

    /** The topic a message goes to, which message-route chose. */
    static String topicOf(PublishBatch.Entry entry) {
        return entry.record().getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
    }
}
