package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;
import io.github.chakrakafkapipeline.kafka.CompactedTopicReader;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup state: which messages already reached Kafka, kept in a compacted Kafka topic so that the service itself
 * stays stateless and a restart publishes nothing again.
 * <p>
 * Used by the dedup step (publish.DedupClaim) the way Camel's idempotent consumer uses it in eager mode: {@link #add}
 * claims a key before publishing, so two polls that return the same message at once cannot both publish it;
 * {@link #confirm}, called only once the message reached Kafka, records it; {@link #remove} releases the claim of a
 * message that failed, so the next poll tries again. Nothing is recorded that did not reach Kafka. Exactly once, the
 * dedup record is committed in the message's own transaction ({@link #records}), and only committed records are read;
 * at least once, this state writes it after Kafka's acknowledgement (a crash in between can publish that in-flight
 * message twice, never lose it). It holds a window of recent ids per chat ({@link ChatWindows}), not the history, and
 * its topic one record per chat: a message older than its chat's window is taken as published ({@link OldMessages}).
 * <p>
 * Camel's KafkaIdempotentRepository is not used because it records a key when it is claimed (so a crash before the
 * publish loses the message), keeps only a bounded LRU cache, and starts with a partial state when loading is slow.
 */
public class DedupState extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(DedupState.class);
    /** How long a poll waits for the dedup state to reach the topic's end. */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(2);

    private final String topic;
    private final Supplier<Map<String, Object>> kafkaConfigSource;
    private final Duration loadTimeout;
    /**
     * Exactly-once: the dedup records go in the publishing transactions (Transactions), and only committed ones count;
     * otherwise this state writes them itself, once Kafka acknowledged the message.
     */
    private final boolean transactional;

    private final ChatWindows published;
    private final Claims claimed = new Claims();
    private final OldMessages oldMessages;
    private Producer<String, String> producer;
    private volatile DedupFollower follower;
    private volatile boolean loaded;
    private volatile boolean behind;
    /** Exactly once, while this replica leads: the others are fenced, so nobody else writes the dedup topic. */
    private volatile boolean writingAlone;
    /** Since it writes alone, this replica read what the one before it committed: following can rest. */
    private volatile boolean current;

    /**
     * {@code kafkaConfig} gives the clients' connection settings when the repository starts; each chat keeps its
     * {@code windowIds} newest ids and those less than {@code window} older than its newest; messages older than
     * {@code history} are not published (ZERO: all are).
     */
    public DedupState(String topic, Supplier<Map<String, Object>> kafkaConfig, Duration loadTimeout,
            boolean transactional, int windowIds, Duration window, Duration history) {
        this.topic = topic;
        this.kafkaConfigSource = kafkaConfig;
        this.loadTimeout = loadTimeout;
        this.transactional = transactional;
        this.oldMessages = new OldMessages(windowIds, window, history);
        this.published = new ChatWindows(windowIds, window.toMillis());
    }

    /**
     * Once the pipeline's topics are usable (KafkaReady): reads the topic to its end and starts following it; until then
     * every poll is skipped ({@link #catchUp}). Throws when the topic cannot be read within the load timeout.
     */
    public synchronized void load() {
        if (loaded) {
            return;
        }
        long started = System.nanoTime();
        Map<String, Object> kafkaConfig = Map.copyOf(kafkaConfigSource.get());
        CompactedTopicReader reader = CompactedTopicReader.load(topic, "dedup", "publish duplicates", kafkaConfig,
                loadTimeout, record -> published.remember(record.key(), record.value()));
        if (!transactional) {
            Map<String, Object> config = KafkaClientConfig.stateProducer(kafkaConfig);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            producer = new KafkaProducer<>(config);
        }
        follower = new DedupFollower(topic, reader, () -> current, CATCH_UP_WAIT);
        loaded = true;
        LOG.info("Loaded the dedup state, {} message ids of {} chats, from topic {} in {} ms", published.ids(),
                published.chats(), topic, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Whether the state was read from its topic: before that the pipeline publishes nothing. */
    public boolean isLoaded() {
        return loaded;
    }

    @Override
    protected void doStop() throws InterruptedException {
        if (follower != null) {
            follower.stop();
            follower = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(30)); // waits for the last records to be acknowledged
            producer = null;
        }
        published.clear();
        claimed.clear();
        loaded = false;
    }

    /** Claims a key of no chat and no timestamp (Camel's IdempotentRepository): {@link #add(String, String, long)}. */
    @Override
    public boolean add(String key) {
        return add(key, null, Long.MIN_VALUE);
    }

    /**
     * Claims the key of a message of {@code chat} (null: none) with this timestamp; false when it was published (or
     * lies older than the chat's window) or another read claimed it.
     */
    public boolean add(String key, String chat, long timestamp) {
        Fingerprint fingerprint = Fingerprint.of(key);
        String chatId = chat == null ? "" : chat;
        if (published.holds(fingerprint) || published.olderThanWindow(chatId, timestamp)
                || !claimed.claim(key, fingerprint, chatId, timestamp)) {
            return false;
        }
        // confirm() adds to published before it releases the claim, so this second look closes the race with it
        if (published.holds(fingerprint)) {
            claimed.release(key);
            return false;
        }
        return true;
    }

    @Override
    public boolean contains(String key) {
        return claimed.holds(key) || published.holds(Fingerprint.of(key));
    }

    /** Whether the message was published, is claimed by another read, or is older than its chat's window. */
    public boolean known(String key, String chat, long timestamp) {
        return contains(key) || published.olderThanWindow(chat == null ? "" : chat, timestamp);
    }

    /**
     * Whether a message read now needs no publishing: published, claimed by another read, older than its chat's
     * window (counted, and logged once per chat) or older than the history limit (counted).
     */
    public boolean published(String key, String chat, long timestamp) {
        return contains(key) || oldMessages.skipped(published, key, chat == null ? "" : chat, timestamp);
    }

    /** Records that the message reached Kafka: see {@link #confirm(Collection)}. */
    @Override
    public boolean confirm(String key) {
        confirm(List.of(key));
        return true;
    }

    /**
     * Records that these claimed messages reached Kafka, in their chats' windows: at least once, by writing each chat's
     * record now; exactly once, the records were committed with them ({@link #records}).
     */
    public void confirm(Collection<String> keys) {
        Map<String, List<ChatWindows.Id>> byChat = claimed.idsByChat(keys);
        byChat.forEach((chat, ids) -> published.merge(chat, ids, null));
        keys.forEach(claimed::release);
        if (transactional) {
            return;
        }
        for (String chat : byChat.keySet()) {
            String window = published.encode(chat, List.of());
            producer.send(new ProducerRecord<>(topic, ChatWindows.recordKey(chat), window), (metadata, error) -> {
                if (error != null) {
                    LOG.warn("Messages of chat {} reached Kafka but could not be recorded in topic {} ({}); after a "
                            + "restart they may be published once more", chat, topic, error.getMessage());
                }
            });
        }
    }

    /**
     * The dedup records of these claimed messages, for the transaction that publishes them: the record of each of their
     * chats, its window as it will be once they are published.
     */
    public List<ProducerRecord<String, String>> records(Collection<String> keys) {
        return claimed.idsByChat(keys).entrySet().stream().map(chat -> new ProducerRecord<>(topic,
                ChatWindows.recordKey(chat.getKey()), published.encode(chat.getKey(), chat.getValue()))).toList();
    }

    @Override
    public boolean remove(String key) {
        return claimed.release(key);
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException(
                "The dedup state is not cleared by the pipeline; delete topic " + topic + " instead");
    }

    /** How many published message ids the dedup state holds in memory. */
    public int size() {
        return published.ids();
    }

    /** The windows it holds, for their metrics. */
    ChatWindows windows() {
        return published;
    }

    /** The messages read that it takes as published without knowing their ids. */
    public OldMessages oldMessages() {
        return oldMessages;
    }

    /**
     * Reads the dedup topic up to its current end before a poll, so that a replica that has just taken over sees what
     * the one before it recorded (the follower keeps a standby close behind, so this takes milliseconds). Waits at most
     * {@link #CATCH_UP_WAIT}. Exactly once, true only once the state is read to the end after this replica fenced the
     * one before; at least once, a Kafka that does not answer that fast does not stop the polls (their failures are
     * logged, as during any Kafka outage). The filter step that calls it reads as "once the dedup state is current".
     */
    public boolean catchUp() {
        if (!loaded) {
            return false; // its topic is not usable yet (KafkaProblems says why): no poll publishes meanwhile
        }
        if (followerFailure().isPresent()) {
            return false; // it no longer learns what the other replica publishes: readiness says so
        }
        if (current) {
            return true; // it wrote everything since it read the topic to its end
        }
        boolean alone = writingAlone;
        if (transactional && !alone) {
            // exactly once, read only once the replica before is fenced (TransactionalProducer opens as the lease
            // is taken): its last transaction is then settled, and nothing it commits later can be missed
            return false;
        }
        CompletableFuture<Void> caughtUp = follower.catchUp();
        try {
            caughtUp.get(CATCH_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            behind = false;
            current = alone && writingAlone;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            if (!behind) {
                LOG.warn("Could not read the dedup topic {} to its end within {} ms ({}); {}", topic,
                        CATCH_UP_WAIT.toMillis(), e.getCause() == null ? e.toString() : e.getCause().toString(),
                        transactional ? "not polling until it is read, as a message the previous leader published in "
                                + "its last moments would be published again" : "polling anyway (at least once): right "
                                + "after a takeover, a message the previous replica published in its last moments may be "
                                + "published again");
            }
            behind = true;
            return !transactional;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /**
     * Exactly once: this replica now leads and has fenced every other one (true), or stands by again (false). While it
     * writes alone, following the topic would only read its own records back: once a catch-up has read what the
     * replica before committed, the follower rests until this replica stands by again.
     */
    public void writeAlone(boolean alone) {
        writingAlone = alone;
        current = false;
        DedupFollower following = follower;
        if (following != null) {
            following.wakeup(); // to pause or resume now
        }
    }

    /** Why the state stopped following its topic for good, for readiness; empty while it follows. */
    public Optional<String> followerFailure() {
        DedupFollower following = follower;
        return following == null ? Optional.empty() : following.failure();
    }
}
