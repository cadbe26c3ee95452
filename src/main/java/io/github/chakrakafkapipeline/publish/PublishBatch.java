package io.github.chakrakafkapipeline.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

import io.github.chakrakafkapipeline.chakra.ReceivedMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What one read of a target publishes, and what became of it: the body of response-fetch from the moment its fetch is
 * complete. First the new messages, oldest first, for response-publish to split; then the records message-route
 * claimed of them, in the same order, which the publisher sends together, each with its own topic, key and headers
 * ({@link BatchAggregation} gathers them from the messages' claims); once sent, each record knows whether Kafka
 * acknowledged it, and settling counts what was published. Its counts make the read's summary line.
 */
public final class PublishBatch {

    /** The exchange property in which the dedup step leaves a message's claim, for the split to gather. */
    static final String CLAIM = "chakraClaim";
    /** The exchange property with which the dedup step marks a message published before or claimed by another read. */
    static final String DUPLICATE = "chakraDuplicate";

    /** One record, the dedup key it was claimed under, and the message's ChakraHQ timestamp. */
    record Entry(Message record, String dedupKey, String topic, boolean deadLetter, long timestamp) {

        /** camel-kafka (recordMetadata=true) stores the send's result on the record; no offset means it failed. */
        boolean acknowledged() {
            List<?> results = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
            return results != null && !results.isEmpty() && results.get(0) instanceof RecordMetadata metadata
                    && metadata.hasOffset();
        }
    }

    private final List<ReceivedMessage> messages;
    private final int received;
    private final Function<List<String>, List<ProducerRecord<String, String>>> dedupRecords;
    private final ProducerRecord<String, String> activityRecord;
    private final Runnable onActivityRecorded;
    private final List<Entry> entries = new ArrayList<>();
    private volatile boolean activityRecorded;
    private int duplicates;
    private int settled;
    private int published;
    private int deadLettered;

    /**
     * {@code messages} are the new ones of {@code received}; {@code dedupRecords} gives the dedup state's records of
     * claimed keys, for a transaction; {@code activityRecord} is the record of the chat's activity to write once they
     * reached Kafka (null for none: not a chat read by discovery, or one whose fetch stopped before its oldest new
     * message), and {@code onActivityRecorded} what to do once it is there.
     */
    PublishBatch(List<ReceivedMessage> messages, int received,
            Function<List<String>, List<ProducerRecord<String, String>>> dedupRecords,
            ProducerRecord<String, String> activityRecord, Runnable onActivityRecorded) {
        this.messages = messages;
        this.received = received;
        this.dedupRecords = dedupRecords;
        this.duplicates = received - messages.size();
        this.activityRecord = activityRecord;
        this.onActivityRecorded = onActivityRecorded;
    }

    /** A batch that records no activity. */
    PublishBatch(List<ReceivedMessage> messages, int received,
            Function<List<String>, List<ProducerRecord<String, String>>> dedupRecords) {
        this(messages, received, dedupRecords, null, () -> { });
    }

    /** The new messages, oldest first: what response-publish splits. */
    List<ReceivedMessage> messages() {
        return messages;
    }

    void add(Entry entry) {
        entries.add(entry);
    }

    List<Entry> entries() {
        return entries;
    }

    /** The dedup state's records of these entries, for the transaction that publishes them: one per chat. */
    List<ProducerRecord<String, String>> dedupRecords(List<Entry> published) {
        return dedupRecords.apply(published.stream().map(Entry::dedupKey).toList());
    }

    /** The entries not settled yet, from now on settled. */
    List<Entry> settle() {
        List<Entry> unsettled = List.copyOf(entries.subList(settled, entries.size()));
        settled = entries.size();
        return unsettled;
    }

    /** A message the dedup step found published already, or claimed by another read. */
    void duplicate() {
        duplicates++;
    }

    void published(int records) {
        published += records;
    }

    void deadLettered(int records) {
        deadLettered += records;
    }

    /** Whether the chat's activity is still to record once the batch reached Kafka: it did not go in its transaction. */
    boolean activityUnrecorded() {
        return activityRecord != null && !activityRecorded;
    }

    /** The record of the chat's activity, for the batch's transaction; null for none. */
    ProducerRecord<String, String> activityRecord() {
        return activityRecord;
    }

    /** The activity record went in the batch's transaction, which committed. */
    void activityRecorded() {
        activityRecorded = true;
        onActivityRecorded.run();
    }

    /** Messages that message-route stopped on purpose (a filter added by ops), neither duplicates nor claimed. */
    private int dropped() {
        return Math.max(0, received - duplicates - entries.size());
    }

    public int received() {
        return received;
    }

    public int duplicates() {
        return duplicates;
    }

    /** The read's summary line: what became of the target's messages, which took {@code elapsed}. */
    public String summary(Duration elapsed) {
        String dropped = dropped() > 0 ? ", " + dropped() + " dropped by message-route" : "";
        return received + " received, " + published + " new published, " + duplicates + " duplicates, "
                + deadLettered + " dead-lettered" + dropped + " in " + elapsed.toMillis() + " ms";
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
