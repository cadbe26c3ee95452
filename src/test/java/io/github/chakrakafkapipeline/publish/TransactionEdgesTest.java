package io.github.chakrakafkapipeline.publish;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.chakrakafkapipeline.lease.KafkaLeaseService;
import io.github.chakrakafkapipeline.lease.KafkaLeaseView;
import io.github.chakrakafkapipeline.lease.LeaseConfiguration;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.FaultyKafkaClients;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of exactly-once publishing where a message could go out twice or hold consumers back: Kafka's answer to a
 * commit lost, a takeover whose fencing is late, the lease lost while the producer opens, a transaction left open at
 * close. Each against a real broker, with the fault put on the real transactional producer's calls.
 */
class TransactionEdgesTest {

    private static final String TOKEN = "edges-token-8d1f3a5c7e9b2d40";
    private static final String CHAT = "7c1d2e3f-bbbb-4c35-a79c-b6fe90757fd2";
    private static final String PUBLISHER = "chakra-kafka-pipeline.publisher";
    private static final long T = 1_762_277_358_000L;

    @AfterEach
    void noFault() {
        FaultyKafkaClients.reset();
    }

    /**
     * Kafka took a commit but its answer did not come in time: the messages must not be released and read as new,
     * or they are published twice.
     */
    @Test
    void a_commit_whose_answer_was_lost_is_asked_again_and_publishes_each_message_once() throws Exception {
        // as the client behaves after a commit timed out: the same commit asked again returns its outcome, and an
        // abort is refused (KafkaProducer#commitTransaction's contract)
        AtomicReference<Object> lostBy = new AtomicReference<>();
        AtomicBoolean askedAgain = new AtomicBoolean();
        FaultyKafkaClients.inject((producer, method, real) -> {
            boolean pending = producer == lostBy.get() && !askedAgain.get();
            if (method.equals("commitTransaction") && lostBy.compareAndSet(null, producer)) {
                real.call();
                throw new TimeoutException("test: Kafka took the commit, and its answer was lost");
            }
            if (method.equals("commitTransaction") && pending) {
                askedAgain.set(true);
                return null; // committed
            }
            if (method.equals("abortTransaction") && pending) {
                throw new IllegalStateException("Cannot attempt operation `abortTransaction` because the previous "
                        + "call to `commitTransaction` timed out and must be retried");
            }
            return real.call();
        });
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            chakra.answerChat(CHAT, response(List.of(message("wamid.E1.1").chat(CHAT).outbound().timestamp(T + 1).build(),
                    message("wamid.E1.2").chat(CHAT).outbound().timestamp(T + 2).build())));
            try (RunningPipeline pipeline = RunningPipeline.start(settings(kafka, chakra))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.E1.2"));
                AtomicInteger polls = countPolls(pipeline);
                await("three more polls").atMost(Duration.ofSeconds(60)).until(() -> polls.get() >= 3);
                chakra.answerChat(CHAT, response(List.of(message("wamid.E1.1").chat(CHAT).outbound().timestamp(T + 1).build(),
                        message("wamid.E1.2").chat(CHAT).outbound().timestamp(T + 2).build(),
                        message("wamid.E1.3").chat(CHAT).outbound().timestamp(T + 3).build())));
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.E1.3"));
            }
            assertEquals(List.of("wamid.E1.1", "wamid.E1.2", "wamid.E1.3"), ids(kafka), "each message once, in order");
            assertEquals(true, askedAgain.get(), "the commit was asked again");
        }
    }

    /**
     * A replica takes over while the one before still has a transaction open, and its own producer is slow to open:
     * until it has fenced the one before, it must not read the state and poll, or that one's last commit, landing
     * after, is published a second time.
     */
    @Test
    void a_new_leader_polls_only_once_it_fenced_the_one_before() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch open = new CountDownLatch(1);
        FaultyKafkaClients.inject((producer, method, real) -> {
            if (method.equals("initTransactions")) {
                opening.countDown();
                open.await(60, TimeUnit.SECONDS);
            }
            return real.call();
        });
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            createTopics(kafka);
            String m = message("wamid.E2.1").chat(CHAT).outbound().timestamp(T + 1).build();
            try (KafkaProducer<String, String> before = previousLeader(kafka)) {
                before.initTransactions();
                before.beginTransaction();
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.OUTBOUND, CHAT, m);
                record.headers().add("chakra.externalId", "wamid.E2.1".getBytes(StandardCharsets.UTF_8));
                before.send(record).get();
                before.send(new ProducerRecord<>(Topics.DEDUP, "wamid.E2.1", "published")).get();
                chakra.answerChat(CHAT, response(List.of(m)));
                try (RunningPipeline pipeline = RunningPipeline.start(settings(kafka, chakra))) {
                    AtomicInteger polls = countPolls(pipeline);
                    assertEquals(true, opening.await(60, TimeUnit.SECONDS), "the producer began to open");
                    int first = polls.get();
                    await("three polls while the producer opens").atMost(Duration.ofSeconds(60))
                            .until(() -> polls.get() >= first + 3);
                    before.commitTransaction(); // the replica before commits its last transaction, late
                    open.countDown();
                    chakra.answerChat(CHAT, response(List.of(m,
                            message("wamid.E2.2").chat(CHAT).outbound().timestamp(T + 2).build())));
                    await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.E2.2"));
                }
            }
            assertEquals(List.of("wamid.E2.1", "wamid.E2.2"), ids(kafka), "the message the replica before committed "
                    + "last is not published again");
        }
    }

    /** The lease goes while the producer opens: once it opened, this replica must commit nothing. */
    @Test
    void a_replica_that_lost_the_lease_while_its_producer_opened_commits_nothing() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch open = new CountDownLatch(1);
        AtomicBoolean heldOnce = new AtomicBoolean();
        FaultyKafkaClients.inject((producer, method, real) -> {
            if (method.equals("initTransactions") && heldOnce.compareAndSet(false, true)) {
                opening.countDown();
                open.await(60, TimeUnit.SECONDS);
            }
            return real.call();
        });
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            chakra.answerChat(CHAT, response(List.of(message("wamid.E3.1").chat(CHAT).outbound().timestamp(T + 1).build())));
            try (RunningPipeline pipeline = RunningPipeline.start(settings(kafka, chakra))) {
                TransactionalProducer producer = producer(pipeline);
                AtomicInteger polls = countPolls(pipeline);
                assertEquals(true, opening.await(60, TimeUnit.SECONDS), "the producer began to open");
                int first = polls.get();
                await("three polls while the producer opens").atMost(Duration.ofSeconds(60))
                        .until(() -> polls.get() >= first + 3);
                producer.standBy(); // as the lease listener does when the lease goes
                open.countDown();
                int after = polls.get();
                await("three polls after it opened").atMost(Duration.ofSeconds(60))
                        .until(() -> polls.get() >= after + 3);
                assertEquals(List.of(), ids(kafka), "nothing committed by a replica that does not lead");
                producer.lead(); // the lease back
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.E3.1"));
            }
            assertEquals(List.of("wamid.E3.1"), ids(kafka));
        }
    }

    /**
     * A transaction runs past its timeout (a long pause of the publisher, Kafka slow) and Kafka's coordinator aborts
     * it: the transaction is aborted and its messages read again, without standing down as if another replica had
     * taken over.
     */
    @ParameterizedTest(name = "transaction version {0}")
    @ValueSource(ints = {1, 2})
    void a_transaction_kafka_aborted_for_its_timeout_is_read_again_without_a_failover(int transactionVersion)
            throws Exception {
        try (EmbeddedKafka kafka = transactionVersion == 1 ? EmbeddedKafka.startOnTransactionVersion1()
                : EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            AtomicBoolean held = new AtomicBoolean();
            FaultyKafkaClients.inject((producer, method, real) -> {
                if (method.equals("commitTransaction") && held.compareAndSet(false, true)) {
                    await("Kafka aborts the transaction past its timeout").atMost(Duration.ofSeconds(60))
                            .until(() -> admin.describeTransactions(List.of(PUBLISHER)).description(PUBLISHER)
                                    .get(10, TimeUnit.SECONDS).state() != TransactionState.ONGOING);
                }
                return real.call();
            });
            chakra.answerChat(CHAT, response(List.of(message("wamid.E6.1").chat(CHAT).outbound().timestamp(T + 1).build(),
                    message("wamid.E6.2").chat(CHAT).outbound().timestamp(T + 2).build())));
            Map<String, String> settings = settings(kafka, chakra);
            settings.put("kafka.transaction.timeout.millis", "2000");
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.E6.2"));
                KafkaLeaseView lease = pipeline.context().hasService(KafkaLeaseService.class)
                        .lease(LeaseConfiguration.POLL_LEASE).orElseThrow();
                assertEquals(true, held.get(), "the first transaction was held past its timeout");
                assertEquals(1, lease.leadershipChanges(), "the lease taken once, never given up");
                assertEquals(true, lease.isLeader());
            }
            assertEquals(List.of("wamid.E6.1", "wamid.E6.2"), ids(kafka), "each message once, in order");
        }
    }

    /**
     * The producer closes while a transaction is open (the lease lost, the pipeline stopping): the transaction is
     * aborted then, not left to hold back every read_committed consumer of its partitions until it times out.
     */
    @Test
    void closing_aborts_an_open_transaction() throws Exception {
        CountDownLatch inTransaction = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FaultyKafkaClients.inject((producer, method, real) -> {
            if (method.equals("commitTransaction")) {
                inTransaction.countDown();
                release.await(60, TimeUnit.SECONDS);
            }
            return real.call();
        });
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            createTopics(kafka);
            chakra.answerChat(CHAT, response(List.of(message("wamid.E7.1").chat(CHAT).outbound().timestamp(T + 1).build())));
            Map<String, String> settings = settings(kafka, chakra);
            settings.put("kafka.transaction.timeout.millis", "300000"); // left open, it would hold consumers 5 minutes
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                assertEquals(true, inTransaction.await(60, TimeUnit.SECONDS), "a transaction is open");
                try (KafkaProducer<String, String> other = plainProducer(kafka)) {
                    other.send(new ProducerRecord<>(Topics.OUTBOUND, 0, CHAT, "after")).get();
                }
                producer(pipeline).standBy(); // as the lease lost, or Camel stopped, close it
                await("a read_committed consumer reads past the transaction").atMost(Duration.ofSeconds(10))
                        .until(() -> readAll(kafka.bootstrapServers(), Topics.OUTBOUND).stream()
                                .anyMatch(r -> "after".equals(r.value())));
                release.countDown();
            }
        }
    }

    /** Counts the polls that end from now on (each tick of the poll route, whether it read anything or not). */
    private static AtomicInteger countPolls(RunningPipeline pipeline) {
        AtomicInteger polls = new AtomicInteger();
        EventNotifierSupport counter = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeCompletedEvent completed
                        && "messages-poll".equals(completed.getExchange().getFromRouteId())) {
                    polls.incrementAndGet();
                }
            }
        };
        ServiceHelper.startService(counter);
        pipeline.context().getManagementStrategy().addEventNotifier(counter);
        return polls;
    }

    private static TransactionalProducer producer(RunningPipeline pipeline) {
        return pipeline.context().getRegistry().lookupByNameAndType(PublishConfiguration.PUBLISHER,
                Transactions.class).producer();
    }

    private static Map<String, String> settings(EmbeddedKafka kafka, ChakraStub chakra) {
        Map<String, String> settings = new HashMap<>(chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, ""));
        settings.putAll(FaultyKafkaClients.setting());
        return settings;
    }

    private static void createTopics(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.OUTBOUND, 1, (short) 1),
                    new NewTopic(Topics.DEDUP, 1, (short) 1).configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> previousLeader(EmbeddedKafka kafka) {
        Map<String, Object> config = new HashMap<>(plainConfig(kafka));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, PUBLISHER);
        return new KafkaProducer<>(config);
    }

    private static KafkaProducer<String, String> plainProducer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(plainConfig(kafka));
    }

    private static Map<String, Object> plainConfig(EmbeddedKafka kafka) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    }

    private static List<String> ids(EmbeddedKafka kafka) {
        List<String> ids = new ArrayList<>();
        readAll(kafka.bootstrapServers(), Topics.OUTBOUND).forEach(r -> {
            if (header(r, "chakra.externalId") != null) {
                ids.add(header(r, "chakra.externalId"));
            }
        });
        return ids;
    }
}
