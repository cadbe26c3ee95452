package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;
import io.github.chakrakafkapipeline.kafka.CompactedTopicReader;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * dedup record is committed in the message's own transaction ({@link #record}), and only committed records are read;
 * at least once, this state writes it after Kafka's acknowledgement, and a crash in between can publish that in-flight
 * message twice, never lose it.
 * <p>
 * Camel's KafkaIdempotentRepository is not used because it records a key when it is claimed (so a crash before the
 * publish loses the message), keeps only a bounded LRU cache, and starts with a partial state when loading is slow.
 */
public class DedupState extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(DedupState.class);
    private static final String RECORDED = "published";
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

    private final FingerprintSet published = new FingerprintSet();
    /** The claimed keys, with their fingerprints: confirm() records a key without hashing it again. */
    private final Map<String, Fingerprint> claimed = new ConcurrentHashMap<>();
    private Producer<String, String> producer;
    private volatile DedupFollower follower;
    private volatile boolean loaded;
    private volatile boolean behind;
    /** Exactly once, while this replica leads: the others are fenced, so nobody else writes the dedup topic. */
    private volatile boolean writingAlone;
    /** Since it writes alone, this replica read what the one before it committed: following can rest. */
    private volatile boolean current;

    /** {@code kafkaConfig} gives the clients' connection settings when the repository starts. */
    public DedupState(String topic, Supplier<Map<String, Object>> kafkaConfig, Duration loadTimeout,
            boolean transactional) {
        this.topic = topic;
        this.kafkaConfigSource = kafkaConfig;
        this.loadTimeout = loadTimeout;
        this.transactional = transactional;
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
                loadTimeout, this::remember);
        if (!transactional) {
            Map<String, Object> config = KafkaClientConfig.stateProducer(kafkaConfig);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            producer = new KafkaProducer<>(config);
        }
        follower = new DedupFollower(topic, reader, () -> current, CATCH_UP_WAIT);
        loaded = true;
        LOG.info("Loaded the dedup state, {} message ids, from topic {} in {} ms", published.size(), topic,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
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

    @Override
    public boolean add(String key) {
        Fingerprint fingerprint = Fingerprint.of(key);
        if (published.contains(fingerprint) || claimed.putIfAbsent(key, fingerprint) != null) {
            return false;
        }
        // confirm() adds to published before it releases the claim, so this second look closes the race with it
        if (published.contains(fingerprint)) {
            claimed.remove(key);
            return false;
        }
        return true;
    }

    @Override
    public boolean contains(String key) {
        return published.contains(key) || claimed.containsKey(key);
    }

    /**
     * Records that the message reached Kafka: at least once, by writing its dedup record now; exactly once, its dedup
     * record was already committed with it ({@link #record}).
     */
    @Override
    public boolean confirm(String key) {
        Fingerprint fingerprint = claimed.get(key);
        published.add(fingerprint != null ? fingerprint : Fingerprint.of(key));
        claimed.remove(key);
        if (transactional) {
            return true;
        }
        producer.send(new ProducerRecord<>(topic, key, RECORDED), (metadata, error) -> {
            if (error != null) {
                LOG.warn("Message {} reached Kafka but could not be recorded in topic {} ({}); "
                        + "after a restart it may be published once more", key, topic, error.getMessage());
            }
        });
        return true;
    }

    /** The dedup record of a message, for the transaction that publishes it. */
    public ProducerRecord<String, String> record(String key) {
        return new ProducerRecord<>(topic, key, RECORDED);
    }

    @Override
    public boolean remove(String key) {
        return claimed.remove(key) != null;
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException(
                "The dedup state is not cleared by the pipeline; delete topic " + topic + " instead");
    }

    /** How many published message ids the dedup state holds. */
    public int size() {
        return published.size();
    }

    private void remember(ConsumerRecord<String, String> record) {
        if (record.key() != null) {
            published.add(record.key());
        }
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
