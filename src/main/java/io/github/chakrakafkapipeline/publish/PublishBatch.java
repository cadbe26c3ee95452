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
 * The records of one response that message-route claimed, oldest first, which the publisher sends together: each
 * record carries its own topic, key and headers. Once sent, each record knows whether Kafka acknowledged it. The body
 * of response-publish from its split on: {@link BatchAggregation} gathers it from the messages' claims.
 */
public final class PublishBatch {

    /** The exchange property in which the dedup step leaves a message's claim, for the split to gather. */
    static final String CLAIM = "chakraClaim";

    /** One record, the dedup key it was claimed under, and the message's ChakraHQ timestamp. */
    record Entry(Message record, String dedupKey, String topic, boolean deadLetter, long timestamp) {

        /** camel-kafka (recordMetadata=true) stores the send's result on the record; no offset means it failed. */
        boolean acknowledged() {
            List<?> results = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
            return results != null && !results.isEmpty() && results.get(0) instanceof RecordMetadata metadata
                    && metadata.hasOffset();
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private int settled;

    void add(Entry entry) {
        entries.add(entry);
    }

    List<Entry> entries() {
        return entries;
    }

    /** The entries not settled yet, from now on settled. */
    List<Entry> settle() {
        List<Entry> unsettled = List.copyOf(entries.subList(settled, entries.size()));
        settled = entries.size();
        return unsettled;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * The records to send. Handing them out stops at the first failed send, so that no later message of a chat
     * overtakes it, and a broker that is down costs one blocked send (max.block.ms), not one per message.
     */
    Iterator<Message> records(Exchange sending) {
        Iterator<Entry> all = entries.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !sending.isFailed() && all.hasNext();
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
