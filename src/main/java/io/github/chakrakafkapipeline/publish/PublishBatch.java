package io.github.chakrakafkapipeline.publish;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The new messages of one answer, oldest first, as Kafka records that camel-kafka sends together: each record carries
 * its own topic, key and headers. Once sent, each record knows whether Kafka acknowledged it.
 */
public final class PublishBatch {

    public static final String PROPERTY = "chakraBatch";

    /** One record and what it was claimed as. */
    record Entry(Message record, MessageClassifier.Outcome outcome, long timestamp) {

        /** camel-kafka (recordMetadata=true) stores the send's result on the record; no offset means it failed. */
        boolean acknowledged() {
            List<?> results = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
            return results != null && !results.isEmpty() && results.get(0) instanceof RecordMetadata metadata
                    && metadata.hasOffset();
        }
    }

    private final Exchange exchange;
    private final List<Entry> entries = new ArrayList<>();

    PublishBatch(Exchange exchange) {
        this.exchange = exchange;
    }

    void add(Message record, MessageClassifier.Outcome outcome, long timestamp) {
        entries.add(new Entry(record, outcome, timestamp));
    }

    List<Entry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * The records to send. Handing them out stops at the first failed send, so that no later message of a chat
     * overtakes it, and a broker that is down costs one blocked send (max.block.ms), not one per message.
     */
    public Iterator<Message> records() {
        Iterator<Entry> all = entries.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !exchange.isFailed() && all.hasNext();
            }

            @Override
            public Message next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return all.next().record();
            }
        };
    }
}
