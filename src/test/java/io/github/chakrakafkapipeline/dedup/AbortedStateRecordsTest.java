package io.github.chakrakafkapipeline.dedup;

import static io.github.chakrakafkapipeline.testsupport.MessageJson.message;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.header;
import static io.github.chakrakafkapipeline.testsupport.TopicReader.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dedup topic holds a record of an aborted transaction, as an exactly-once run leaves it when it is killed, or the
 * other replica while the delivery changes. Run at least once, the pipeline must not count that message as published:
 * it would never be sent.
 */
class AbortedStateRecordsTest {

    private static final String TOKEN = "aborted-token-4c2a9e1f7b3d5a60";
    private static final String CHAT = "2b3c4d5e-aaaa-4c35-a79c-b6fe90757fd2";

    @Test
    void at_least_once_a_dedup_record_of_an_aborted_transaction_does_not_count_as_published() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ChakraStub chakra = new ChakraStub(TOKEN)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.DEDUP, 1, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> previousRun = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "chakra-kafka-pipeline.publisher",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                previousRun.initTransactions();
                previousRun.beginTransaction();
                previousRun.send(new ProducerRecord<>(Topics.DEDUP, "wamid.COMMITTED", "published"));
                previousRun.commitTransaction();
                previousRun.beginTransaction();
                previousRun.send(new ProducerRecord<>(Topics.DEDUP, "wamid.ABORTED", "published")).get();
                previousRun.abortTransaction();
            }
            chakra.answerChat(CHAT, response(List.of(
                    message("wamid.ABORTED").chat(CHAT).outbound().timestamp(1762277358002L).build(),
                    message("wamid.COMMITTED").chat(CHAT).outbound().timestamp(1762277358001L).build())));
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
            settings.put("pipeline.delivery", "at-least-once");
            try (RunningPipeline pipeline = RunningPipeline.start(settings)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> ids(kafka).contains("wamid.ABORTED"));
                int requests = chakra.server().getAllServeEvents().size();
                await("two more polls").atMost(Duration.ofSeconds(60))
                        .until(() -> chakra.server().getAllServeEvents().size() >= requests + 2);
            }
            assertEquals(List.of("wamid.ABORTED"), ids(kafka),
                    "the aborted record's message published, once; the committed one's counted as published");
        }
    }

    private static List<String> ids(EmbeddedKafka kafka) {
        return readAll(kafka.bootstrapServers(), Topics.OUTBOUND).stream().map(r -> header(r, "chakra.externalId"))
                .toList();
    }
}
