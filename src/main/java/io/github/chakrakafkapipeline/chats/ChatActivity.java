package io.github.chakrakafkapipeline.chats;

import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.kafka.CompactedTopicReader;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chats of the team and how far each was read: for each chat id, the activity value ({@code updatedAt}, ChakraHQ's
 * clock) it had when its messages were last read and reached Kafka. Kept in a compacted Kafka topic
 * (PIPELINE_CHAT_ACTIVITY_TOPIC), key the chat id, value the activity, so that a restart or another replica reads no
 * chat again whose activity did not move. Activity values are only ever compared with other ChakraHQ values.
 * <p>
 * A chat that List chats shows with a newer activity is <em>changed</em> until a read of it reaches Kafka; a failed
 * read leaves it changed, so the next poll reads it again whatever the listing says then. Exactly once, a chat's
 * activity record goes in the transaction of its messages (publish.Transactions); at least once, it is written once
 * its messages were acknowledged.
 */
public class ChatActivity extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ChatActivity.class);
    /** How long a poll waits to read what another replica recorded; a Kafka that slow is down or struggling. */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(2);
    /** At least once: how long a chat's activity record may take to be acknowledged before the read counts as failed. */
    private static final Duration WRITE_WAIT = Duration.ofSeconds(30);

    private final String topic;
    private final java.util.function.Supplier<Map<String, Object>> kafkaConfigSource;
    private final Duration loadTimeout;
    private final boolean transactional;
    /** Exactly once: writes a chat's activity record alone, in a transaction (when its read published nothing). */
    private volatile Function<ProducerRecord<String, String>, CompletableFuture<Void>> transactionalWrite;

    private final Map<String, Long> read = new ConcurrentHashMap<>();
    private final Map<String, Long> changed = new ConcurrentHashMap<>();
    private CompactedTopicReader reader;
    private Producer<String, String> producer;
    private boolean behind;

    public ChatActivity(String topic, java.util.function.Supplier<Map<String, Object>> kafkaConfig, Duration loadTimeout,
            boolean transactional) {
        this.topic = topic;
        this.kafkaConfigSource = kafkaConfig;
        this.loadTimeout = loadTimeout;
        this.transactional = transactional;
    }

    /** Exactly once: how an activity record is written on its own (a transaction of the pipeline's producer). */
    public void writeThrough(Function<ProducerRecord<String, String>, CompletableFuture<Void>> write) {
        this.transactionalWrite = write;
    }

    /** Once the pipeline's topics are usable (KafkaReady): reads the topic to its end; throws when it cannot in time. */
    public synchronized void load() {
        if (reader != null) {
            return;
        }
        Map<String, Object> kafkaConfig = Map.copyOf(kafkaConfigSource.get());
        CompactedTopicReader reading = CompactedTopicReader.load(topic, "chat activity", "read every chat again",
                kafkaConfig, loadTimeout, this::remember);
        if (!transactional) {
            producer = new KafkaProducer<>(KafkaClientConfig.stateProducer(kafkaConfig));
        }
        reader = reading;
        LOG.info("Loaded the activity of {} chats from topic {}", read.size(), topic);
    }

    @Override
    protected void doStop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    /**
     * Before a poll lists chats: reads what was recorded since (by this replica, or by the one before it after a
     * takeover). Waits at most {@link #CATCH_UP_WAIT}; a chat read meanwhile by another replica is then read once more,
     * which the dedup state makes harmless. On the poll's thread only, one poll at a time.
     */
    public synchronized void catchUp() {
        try {
            boolean done = reader.readToEnd(CATCH_UP_WAIT);
            if (!done && !behind) {
                LOG.warn("Could not read the chat activity topic {} to its end within {} ms; listing chats anyway",
                        topic, CATCH_UP_WAIT.toMillis());
            }
            behind = !done;
        } catch (RuntimeException e) {
            if (!behind) {
                LOG.warn("Could not read the chat activity topic {} ({}); listing chats anyway", topic, e.toString());
            }
            behind = true;
        }
    }

    private void remember(ConsumerRecord<String, String> record) {
        try {
            if (record.key() != null && record.value() != null) {
                recorded(record.key(), Long.parseLong(record.value().trim()));
            }
        } catch (NumberFormatException e) {
            LOG.warn("Skipped record of chat {} in topic {}: '{}' is not an activity value", record.key(), topic,
                    record.value());
        }
    }

    /**
     * List chats showed the chat with this activity: true when it is newer than the activity the chat was last read at
     * (or the chat was never read); the chat is then changed until a read of it reaches Kafka.
     */
    public boolean listed(String chatId, long activity) {
        Long last = read.get(chatId);
        if (last != null && activity <= last) {
            return false;
        }
        changed.merge(chatId, activity, Math::max);
        return true;
    }

    /** The chats whose messages are to be read, each with the activity to record once they reached Kafka. */
    public Map<String, Long> changed() {
        return Map.copyOf(changed);
    }

    /** The activity the chat was last read at; null when never. */
    public Long lastRead(String chatId) {
        return read.get(chatId);
    }

    /** Every chat known: read before, or listed since. */
    public TreeSet<String> known() {
        TreeSet<String> known = new TreeSet<>(read.keySet());
        known.addAll(changed.keySet());
        return known;
    }

    public int knownCount() {
        return read.size() + (int) changed.keySet().stream().filter(chat -> !read.containsKey(chat)).count();
    }

    /** The chat's messages reached Kafka as of this activity: it is no longer changed unless listed newer since. */
    public void recorded(String chatId, long activity) {
        read.merge(chatId, activity, Math::max);
        changed.computeIfPresent(chatId, (id, listed) -> listed <= activity ? null : listed);
    }

    /** The record of the chat's activity, for the transaction that publishes its messages. */
    public ProducerRecord<String, String> record(String chatId, long activity) {
        return new ProducerRecord<>(topic, chatId, Long.toString(activity));
    }

    /**
     * Records the activity of the exchange's chat, once its messages reached Kafka, when no transaction of its
     * messages carried it already (its read published nothing new, or delivery is at least once: response-fetch's
     * filter asks the batch).
     */
    public CompletableFuture<Void> write(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        Long activity = poll.getActivity();
        if (activity == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (transactional) {
            String chat = poll.getTarget();
            return transactionalWrite.apply(record(chat, activity)).thenRun(() -> recorded(chat, activity));
        }
        try {
            // waits here (milliseconds) rather than go on in the producer's callback, on Kafka's network thread
            producer.send(record(poll.getTarget(), activity)).get(WRITE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.failedFuture(new KafkaException("Kafka did not acknowledge the activity of chat "
                    + poll.getTarget() + " within " + WRITE_WAIT.toMillis() + " ms", e));
        }
        recorded(poll.getTarget(), activity);
        return CompletableFuture.completedFuture(null);
    }
}
