package io.github.chakrakafkapipeline.demo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.PipelineApplication;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import io.github.chakrakafkapipeline.testsupport.Topics;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Exit;

/**
 * The offline demo: a real embedded Kafka broker, the ChakraHQ sandbox over real HTTP, and the real pipeline polling
 * it every 5 seconds, finding the chats (new ones included) with List chats, with every published record printed as
 * it lands. Run from the repository root (the pipeline reads {@code config/application.properties} and
 * {@code routes/}); Ctrl+C stops it. Test code, not in the jar.
 */
public final class Demo {

    private static final List<String> TOPICS = Topics.SHIPPED.messages();
    private static final String TOKEN = "demo-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        // Kafka's test kit deletes the broker's data directory from a JVM shutdown hook of its own, which would run
        // concurrently with ours and pull the files from under the still-running broker (stack traces on Ctrl+C):
        // keep those clean-ups and run them from our hook once the broker is closed
        List<Runnable> kafkaCleanups = new CopyOnWriteArrayList<>();
        Exit.setShutdownHookAdder((name, cleanup) -> kafkaCleanups.add(cleanup));
        EmbeddedKafka kafka = EmbeddedKafka.start();
        ChakraSandbox sandbox = ChakraSandbox.start(0, TOKEN, 3);
        List<String> phones = sandbox.phoneNumbers();

        Main main = PipelineApplication.newMain();
        main.addOverrideProperty("chakra.api.base.url", sandbox.baseUrl());
        main.addOverrideProperty("chakra.api.token", TOKEN);
        // no chat ids, so the pipeline finds the chats with List chats (chakra.chat.discovery=auto), including those
        // the sandbox opens as the demo runs; the first three by phone number too: the endpoints overlap and the
        // pipeline must publish once
        main.addOverrideProperty("chakra.phone.numbers", String.join(",", phones));
        main.addOverrideProperty("pipeline.poll.cron", "0/5 * * * * ?");
        main.addOverrideProperty("kafka.bootstrap.servers", kafka.bootstrapServers());
        // a free management port: a pipeline already running on this host keeps its own, and the demo still starts
        int managementPort = RunningPipeline.freePort();
        main.addOverrideProperty("pipeline.management.port", String.valueOf(managementPort));

        TopicPrinter printer = new TopicPrinter(kafka.bootstrapServers());
        CountDownLatch pipelineStopped = new CountDownLatch(1);
        // JVM shutdown hooks run concurrently, Camel's included: wait for the pipeline to finish publishing first,
        // then stop the reader before the broker so it does not complain about a vanished broker
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pipelineStopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            printer.stop();
            sandbox.close();
            try {
                kafka.close();
            } catch (Exception e) {
                System.err.println("Could not stop the embedded Kafka broker cleanly: " + e);
            }
            kafkaCleanups.forEach(Runnable::run);
        }, "demo-shutdown"));

        printBanner(kafka.bootstrapServers(), sandbox.baseUrl(), managementPort, phones);
        printer.start();
        int status = 0;
        try {
            main.run(); // blocks until Ctrl+C
        } catch (Exception e) {
            System.err.println("The pipeline failed: " + e);
            status = 1;
        } finally {
            pipelineStopped.countDown();
        }
        // after Ctrl+C this just waits for the shutdown hooks; otherwise it triggers them (the broker is not daemon)
        System.exit(status);
    }

    private static void printBanner(String bootstrap, String sandboxUrl, int managementPort, List<String> phones) {
        System.out.println("""

                === chakra-kafka-pipeline offline demo ===
                Kafka broker (embedded):   %s
                ChakraHQ sandbox:          %s  (token "%s"; a new message every ~2 s, a new chat every ~10 s)
                Polled every 5 s:          every chat, found with List chats; phones %s by phone number
                Read the topics by hand:   kcat -b %s -X isolation.level=read_committed -t %s -C -f '%%k %%h %%s\\n'
                                           (also %s, %s; Debian package kcat)
                Health and metrics:        http://localhost:%d/observe/health?exposureLevel=full, /observe/metrics
                Published records follow below. Ctrl+C stops the demo.
                """.formatted(bootstrap, sandboxUrl, TOKEN, phones, bootstrap, Topics.INBOUND, Topics.OUTBOUND,
                        Topics.DEAD_LETTER, managementPort));
    }

    /** Reads the pipeline's topics from the beginning in a daemon thread and prints one line per record. */
    private static final class TopicPrinter {

        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;

        TopicPrinter(String bootstrapServers) {
            Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "chakra-demo-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // a throwaway group, nothing to resume
            // what a downstream consumer should do: committed transactions only, each message once
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(config);
            this.thread = new Thread(this::printRecords, "demo-topic-printer");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /** Wakes the consumer out of poll() and gives it a moment to leave cleanly. */
        void stop() {
            consumer.wakeup();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void printRecords() {
            try {
                consumer.subscribe(TOPICS);
                while (true) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                        System.out.println(describe(record));
                    }
                }
            } catch (WakeupException e) {
                // stop() asked us to: shutting down
            } catch (RuntimeException e) {
                System.err.println("Stopped reading the topics: " + e);
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }

        private static String describe(ConsumerRecord<String, String> record) {
            StringBuilder line = new StringBuilder()
                    .append('[').append(record.topic()).append("] key=").append(record.key())
                    .append(" externalId=").append(header(record, "chakra.externalId"));
            String reason = header(record, "chakra.deadLetterReason");
            if (reason != null) {
                line.append(" reason=\"").append(reason).append('"');
            }
            try {
                JsonNode message = JSON.readTree(record.value());
                line.append(" status=").append(message.path("deliveryStatus").asText(null))
                        .append(" text=\"").append(message.path("text").asText(null)).append('"');
            } catch (Exception e) {
                // dead letters may be anything, including malformed JSON: show their start instead
                String value = String.valueOf(record.value());
                line.append(" value=").append(value, 0, Math.min(value.length(), 80));
            }
            return line.toString();
        }

        private static String header(ConsumerRecord<?, ?> record, String name) {
            Header header = record.headers().lastHeader(name);
            return header == null || header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    }
}
