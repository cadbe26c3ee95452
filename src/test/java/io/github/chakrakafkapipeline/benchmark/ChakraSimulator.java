package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.chakrakafkapipeline.testsupport.MessageJson;

/**
 * A fast ChakraHQ simulator over real HTTP for the benchmark: the JDK's HTTP server with a thread pool, answering
 * {@code POST /v1/ext/chat/{chatId}/message} with a pre-rendered answer per chat (the corpus, newest first, in the
 * documented envelope), so serving costs a map look-up and a write. The bearer token is checked on every call.
 * <p>
 * Two control calls serve the benchmark: {@code POST /bench/reset} zeroes the counters, {@code GET /bench/stats}
 * answers {@code requests firstRequestEpochMicros lastAnswerEpochMicros} (the wall clock, which another process on the
 * same machine shares).
 */
public final class ChakraSimulator implements AutoCloseable {

    private static final String CHAT_PREFIX = "/v1/ext/chat/";
    private static final byte[] EMPTY_ANSWER = MessageJson.response(List.of()).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNAUTHORIZED = MessageJson.errorResponse("Unauthorized")
            .getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, byte[]> answers;
    private final List<String> chatIds;
    private final String expectedAuthorization;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong firstRequestMicros = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastAnswerMicros = new AtomicLong();
    private final long answerBytes;

    private ChakraSimulator(Map<String, byte[]> answers, List<String> chatIds, String token, int threadCount)
            throws IOException {
        this.answers = answers;
        this.chatIds = chatIds;
        this.expectedAuthorization = "Bearer " + token;
        this.answerBytes = answers.values().stream().mapToLong(a -> a.length).sum();
        // small writes of one answer must not wait for delayed ACKs (Nagle): the clients are on this machine
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        this.threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread thread = new Thread(r, "chakra-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves the corpus (chats x messagesPerChat from seed) with {@code threadCount} server threads. */
    public static ChakraSimulator start(int chats, int messagesPerChat, long seed, String token, int threadCount)
            throws IOException {
        Map<String, byte[]> answers = new HashMap<>(chats * 2);
        List<String> chatIds = new ArrayList<>(chats);
        Corpus.generate(chats, messagesPerChat, seed, (index, chatId, messages) -> {
            answers.put(chatId, Corpus.answer(messages));
            chatIds.add(chatId);
        });
        return new ChakraSimulator(answers, List.copyOf(chatIds), token, threadCount);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<String> chatIds() {
        return chatIds;
    }

    public long answerBytes() {
        return answerBytes;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream request = exchange.getRequestBody()) {
            request.readAllBytes(); // the body ({} by default) must be read for the connection to be reused
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/bench/")) {
                control(exchange, path);
                return;
            }
            long now = nowMicros();
            requests.incrementAndGet();
            firstRequestMicros.accumulateAndGet(now, Math::min);
            if (!expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, UNAUTHORIZED);
                return;
            }
            byte[] answer = EMPTY_ANSWER;
            if (path.startsWith(CHAT_PREFIX) && path.endsWith("/message")) {
                answer = answers.getOrDefault(path.substring(CHAT_PREFIX.length(), path.length() - 8), EMPTY_ANSWER);
            }
            send(exchange, 200, answer);
            lastAnswerMicros.accumulateAndGet(nowMicros(), Math::max);
        }
    }

    private void control(HttpExchange exchange, String path) throws IOException {
        if (path.equals("/bench/reset")) {
            requests.set(0);
            firstRequestMicros.set(Long.MAX_VALUE);
            lastAnswerMicros.set(0);
            send(exchange, 200, "ok".getBytes(StandardCharsets.US_ASCII));
        } else if (path.equals("/bench/stats")) {
            String stats = requests.get() + " " + firstRequestMicros.get() + " " + lastAnswerMicros.get();
            send(exchange, 200, stats.getBytes(StandardCharsets.US_ASCII));
        } else {
            send(exchange, 404, new byte[0]);
        }
    }

    /** A JSON answer; no body for an empty one. The team simulator answers the same way. */
    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return ChronoUnit.MICROS.between(Instant.EPOCH, now);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
