package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Contender (b): the poller someone would write by hand instead of the pipeline. The JDK's HttpClient with as many
 * calls at a time as the pipeline's {@code chakra.http.concurrency}, a Jackson tree per answer, a HashSet of the
 * externalIds already sent, and one KafkaProducer (the pipeline's settings: acks=all, idempotent, lz4, linger.ms=5,
 * 64 KB batches) sending each new message to the topic of its direction, keyed by chat, oldest first, with the same
 * headers the pipeline sets. No retries,
 * no dead letters, no persisted dedup state: the least that does the job.
 * <p>
 * With {@code httpOnly}, it only makes the calls and reads the answers: the cost of "the HTTP call itself".
 */
final class HandWrittenPoller implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final List<String> chatIds;
    private final String inboundTopic;
    private final String outboundTopic;
    private final ExecutorService workers;
    private final int concurrency;
    private final HttpClient http;
    private final Producer<String, byte[]> producer;
    private final Set<String> sent = Collections.synchronizedSet(new HashSet<>());
    final AtomicLong published = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    HandWrittenPoller(String baseUrl, String token, List<String> chatIds, int concurrency, String bootstrapServers,
            String inboundTopic, String outboundTopic) {
        this.baseUrl = baseUrl;
        this.authorization = "Bearer " + token;
        this.chatIds = chatIds;
        this.inboundTopic = inboundTopic;
        this.outboundTopic = outboundTopic;
        this.concurrency = concurrency;
        this.workers = Executors.newFixedThreadPool(concurrency, r -> new Thread(r, "hand-written-poller"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.producer = bootstrapServers == null ? null : new KafkaProducer<>(producerConfig(bootstrapServers, 5),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The producer settings of contenders (b) and (c): the pipeline's (config/application.properties). */
    static Map<String, Object> producerConfig(String bootstrapServers, int lingerMillis) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, lingerMillis,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
    }

    /** One poll of every chat: fetch, parse, skip what was sent, send the rest; then waits for every acknowledgement. */
    void poll() throws Exception {
        run(false);
        producer.flush();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records were not acknowledged");
        }
    }

    /** One round of the same HTTP calls, reading each answer and nothing more. */
    void fetchOnly() throws Exception {
        run(true);
    }

    private void run(boolean httpOnly) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            running.add(workers.submit(() -> {
                for (int chat = next.getAndIncrement(); chat < chatIds.size(); chat = next.getAndIncrement()) {
                    byte[] answer = fetch(chatIds.get(chat));
                    if (!httpOnly) {
                        publishNew(chatIds.get(chat), answer);
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : running) {
            worker.get();
        }
    }

    private byte[] fetch(String chatId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/ext/chat/" + chatId + "/message"))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " for chat " + chatId);
        }
        return response.body();
    }

    private void publishNew(String chatId, byte[] answer) throws IOException {
        JsonNode data = JSON.readTree(answer).get("_data");
        for (int i = data.size() - 1; i >= 0; i--) { // the API answers newest first
            JsonNode message = data.get(i);
            String externalId = message.path("externalId").asText();
            if (!sent.add(externalId)) {
                continue;
            }
            String direction = message.path("direction").asText();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                    "INBOUND".equals(direction) ? inboundTopic : outboundTopic, chatId,
                    JSON.writeValueAsBytes(message));
            record.headers()
                    .add("chakra.externalId", externalId.getBytes(StandardCharsets.UTF_8))
                    .add("chakra.direction", direction.getBytes(StandardCharsets.UTF_8))
                    .add("chakra.sourceEndpoint", "chat-messages".getBytes(StandardCharsets.UTF_8))
                    .add("chakra.polledTarget", chatId.getBytes(StandardCharsets.UTF_8));
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    published.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    sent.remove(externalId);
                }
            });
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
