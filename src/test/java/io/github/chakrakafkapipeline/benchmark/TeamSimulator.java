package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.chakrakafkapipeline.testsupport.MessageJson;

/**
 * A ChakraHQ team of many chats whose conversations go on, for the discovery benchmark: the JDK's HTTP server
 * answering
 * <ul>
 * <li>List chats, {@code POST /v1/ext/chat} with {@code {"orderField":"updatedAt","orderDirection":"desc","page":n,
 * "limit":k}} (or {@code skip}/{@code limit}): the chats newest activity first (ties by id), in the envelope of
 * {@code fixtures/list-chats-response.assumed.json} with {@code _meta.total} and {@code _meta.hasMore};</li>
 * <li>{@code POST /v1/ext/chat/{chatId}/message}: the chat's messages newest first, shaped like
 * {@code fixtures/chat-messages-response.json}.</li>
 * </ul>
 * Every chat starts with one message from before the run. Once {@link #startConversations} is called, a new message
 * goes to a random chat at an even pace ({@code chats x share} per interval, spread over it); the chat's
 * {@code updatedAt} moves to the message's {@code createdAt}, which puts it at the top of List chats. The simulator
 * keeps each new message's {@code timestamp} (this machine's wall clock when it was made) and the time and kind of
 * every API request, for the benchmark to count. The bearer token is checked on every call.
 */
final class TeamSimulator implements AutoCloseable {

    private static final String LIST_PATH = "/v1/ext/chat";
    private static final String CHAT_PREFIX = "/v1/ext/chat/";
    private static final String PLUGIN = "d83e1d23-50b8-4d87-8f92-842a0ac516f6";
    private static final String TEAM = "5fc9f8e3-af4a-4f29-bfd8-6c02e3abe3ee";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long after its timestamp a message is stored (its createdAt, which the chat's updatedAt follows). */
    private static final long STORED_AFTER_MILLIS = 43;
    private static final byte[] UNAUTHORIZED = MessageJson.errorResponse("Unauthorized")
            .getBytes(StandardCharsets.UTF_8);
    /** Newest activity first, then by id: paging never shows a chat twice or not at all while none moves. */
    private static final Comparator<Chat> NEWEST_FIRST = Comparator.comparingLong((Chat c) -> c.updatedAt).reversed()
            .thenComparing(c -> c.id);

    /** A new message: its id, its chat, and its {@code timestamp} (epoch ms, this machine's clock). */
    record Created(String externalId, String chat, long timestampMillis) {
    }

    /** An API request as it arrived: when (epoch ms), and the chat it read (null for List chats). */
    record Request(long millis, String chat) {
    }

    private static final class Chat {
        final String id;
        final String contact;
        final long createdAt;
        long updatedAt;
        /** The messages as the API sends them, oldest first. */
        final List<String> messages = new ArrayList<>();

        Chat(String id, String contact, long createdAt, long updatedAt) {
            this.id = id;
            this.contact = contact;
            this.createdAt = createdAt;
            this.updatedAt = updatedAt;
        }

        String json() {
            return "{\"id\":\"" + id + "\",\"contact\":\"" + contact + "\",\"plugin\":\"" + PLUGIN + "\",\"team\":\""
                    + TEAM + "\",\"status\":\"OPEN\",\"createdAt\":" + createdAt + ",\"updatedAt\":" + updatedAt + "}";
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final ScheduledExecutorService conversations;
    private final String expectedAuthorization;
    private final Random random;
    private final List<String> chatIds = new ArrayList<>();
    // guarded by this: the chats, their order, and what was made and asked
    private final Map<String, Chat> chats = new HashMap<>();
    private final NavigableSet<Chat> byActivity = new TreeSet<>(NEWEST_FIRST);
    private final List<Created> created = new ArrayList<>();
    private final List<Request> listRequests = new ArrayList<>();
    private final List<Request> chatRequests = new ArrayList<>();

    private TeamSimulator(int chatCount, long seed, String token) throws IOException {
        this.expectedAuthorization = "Bearer " + token;
        this.random = new Random(seed);
        long now = System.currentTimeMillis();
        for (int i = 0; i < chatCount; i++) {
            String id = uuid(random);
            // opened within the last 30 days; its one message at some point of the last day
            long opened = now - 86_400_000L - (long) (random.nextDouble() * 29 * 86_400_000L);
            long sent = now - 60_000L - (long) (random.nextDouble() * 86_400_000L);
            Chat chat = new Chat(id, uuid(random), opened, sent + STORED_AFTER_MILLIS);
            chat.messages.add(message(id, Corpus.externalId(random), sent));
            chats.put(id, chat);
            byActivity.add(chat);
            chatIds.add(id);
        }
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        this.threads = Executors.newFixedThreadPool(4, r -> daemon(r, "team-simulator"));
        this.conversations = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "team-simulator-messages"));
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A team of {@code chats} chats, each with one message from before the run; nothing moves yet. */
    static TeamSimulator start(int chats, long seed, String token) throws IOException {
        return new TeamSimulator(chats, seed, token);
    }

    /**
     * From now on, {@code perInterval} new messages every {@code intervalMillis}, evenly spaced, each to a chat drawn
     * at random (so a few chats get two).
     */
    void startConversations(int perInterval, long intervalMillis) {
        long periodMicros = Math.max(1, intervalMillis * 1000 / Math.max(1, perInterval));
        conversations.scheduleAtFixedRate(this::newMessage, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> chatIds() {
        return List.copyOf(chatIds);
    }

    /** Each chat's {@code updatedAt} now, as the pipeline's chat activity topic would hold it after a complete pass. */
    synchronized Map<String, Long> activity() {
        Map<String, Long> activity = new LinkedHashMap<>();
        byActivity.forEach(chat -> activity.put(chat.id, chat.updatedAt));
        return activity;
    }

    synchronized List<Created> created() {
        return List.copyOf(created);
    }

    synchronized List<Request> listRequests() {
        return List.copyOf(listRequests);
    }

    synchronized List<Request> chatRequests() {
        return List.copyOf(chatRequests);
    }

    private void newMessage() {
        long timestamp = System.currentTimeMillis();
        synchronized (this) {
            Chat chat = chats.get(chatIds.get(random.nextInt(chatIds.size())));
            String externalId = Corpus.externalId(random);
            byActivity.remove(chat); // before its key moves
            chat.messages.add(message(chat.id, externalId, timestamp));
            chat.updatedAt = Math.max(chat.updatedAt, timestamp + STORED_AFTER_MILLIS);
            byActivity.add(chat);
            created.add(new Created(externalId, chat.id, timestamp));
        }
    }

    /** A new message of this chat sent at {@code timestamp}, as the chat messages endpoint returns it. */
    private String message(String chat, String externalId, long timestamp) {
        boolean inbound = random.nextBoolean();
        return MessageJson.message(externalId).chat(chat).direction(inbound ? "INBOUND" : "OUTBOUND")
                .process(inbound ? null : MessageJson.PROCESS).text("message " + Long.toString(timestamp, 36))
                .timestamp(timestamp).createdAt(timestamp + STORED_AFTER_MILLIS)
                .updatedAt(timestamp + STORED_AFTER_MILLIS).build();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream request = exchange.getRequestBody()) {
            byte[] body = request.readAllBytes();
            long now = System.currentTimeMillis();
            String path = exchange.getRequestURI().getPath();
            if (!expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                ChakraSimulator.send(exchange, 401, UNAUTHORIZED);
            } else if (path.equals(LIST_PATH) || path.equals(LIST_PATH + "/")) {
                listChats(exchange, body, now);
            } else if (path.startsWith(CHAT_PREFIX) && path.endsWith("/message")) {
                chatMessages(exchange, path.substring(CHAT_PREFIX.length(), path.length() - "/message".length()), now);
            } else {
                ChakraSimulator.send(exchange, 404, MessageJson.errorResponse("Not found").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void listChats(HttpExchange exchange, byte[] body, long now) throws IOException {
        JsonNode request;
        try {
            request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            ChakraSimulator.send(exchange, 400, MessageJson.errorResponse("Invalid JSON").getBytes(StandardCharsets.UTF_8));
            return;
        }
        String field = request.path("orderField").asText("updatedAt");
        String direction = request.path("orderDirection").asText("desc");
        if (!field.equals("updatedAt") || !(direction.equals("desc") || direction.equals("asc"))) {
            ChakraSimulator.send(exchange, 400, MessageJson.errorResponse("The simulator orders by updatedAt only")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        int limit = Math.max(1, request.path("limit").asInt(20));
        long skip = request.has("skip") ? Math.max(0, request.path("skip").asLong())
                : (Math.max(1, request.path("page").asLong(1)) - 1) * limit;
        StringBuilder answer = new StringBuilder(limit * 260 + 80).append("{\"_data\":[");
        int total;
        long returned = 0;
        synchronized (this) {
            listRequests.add(new Request(now, null));
            total = byActivity.size();
            Iterator<Chat> chats = direction.equals("desc") ? byActivity.iterator() : byActivity.descendingIterator();
            for (long i = 0; i < skip && chats.hasNext(); i++) {
                chats.next();
            }
            while (returned < limit && chats.hasNext()) {
                answer.append(returned++ == 0 ? "" : ",").append(chats.next().json());
            }
        }
        answer.append("],\"_meta\":{\"total\":").append(total).append(",\"hasMore\":").append(skip + returned < total)
                .append("},\"_errors\":[]}");
        ChakraSimulator.send(exchange, 200, answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void chatMessages(HttpExchange exchange, String chatId, long now) throws IOException {
        List<String> newestFirst = new ArrayList<>();
        synchronized (this) {
            chatRequests.add(new Request(now, chatId));
            Chat chat = chats.get(chatId);
            if (chat != null) {
                for (int i = chat.messages.size() - 1; i >= 0; i--) {
                    newestFirst.add(chat.messages.get(i));
                }
            }
        }
        ChakraSimulator.send(exchange, 200, MessageJson.response(newestFirst).getBytes(StandardCharsets.UTF_8));
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private static String uuid(Random random) {
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    @Override
    public void close() {
        conversations.shutdownNow();
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
