package io.github.chakrakafkapipeline.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.chakrakafkapipeline.testsupport.MessageJson;

/**
 * A ChakraHQ sandbox over real HTTP (JDK {@link HttpServer} + Jackson), for the offline demo and tests. It serves the
 * two endpoints the pipeline polls, shaped like the answers in {@code /work/shared/fixtures}, with conversations that
 * keep moving: every ~2 seconds a chat gets a new message and outbound messages advance SENT → DELIVERED → READ.
 * Both endpoints read the same store, so they return the same messages for the same chat (the overlap the pipeline
 * deduplicates). Each endpoint answers only a chat's newest {@value #MAX_MESSAGES_PER_CHAT} messages: older ones fall
 * out of reach. It also serves List chats, shaped like the assumed answer in the fixtures, so that the pipeline can
 * find the chats by itself: a chat's {@code updatedAt} moves to its newest message's time, and every ~10 seconds a new
 * customer opens a chat. Tests can speed the conversations up, stop them, open chats on demand, and ask which messages
 * were created and which were ever answered. Test code only; it never ships in the production jar.
 */
public final class ChakraSandbox implements AutoCloseable {

    static final String CHAT_MESSAGES_PATH = "/v1/ext/chat/%s/message";
    static final String PHONE_MESSAGES_PATH = "/v1/ext/plugin/whatsapp/list-chat-messages-for-phone-number";
    static final String LIST_CHATS_PATH = "/v1/ext/chat";

    private static final Pattern CHAT_MESSAGES = Pattern.compile("/v1/ext/chat/([^/]+)/message");
    /** How many messages per chat the endpoints answer with, newest first; older messages are dropped. */
    public static final int MAX_MESSAGES_PER_CHAT = 50;
    private static final long TICK_MILLIS = 2_000;
    /** How many ticks apart new customers open chats, by default: ~10 s at the default pace. */
    private static final int CHAT_OPENING_TICKS = 5;
    /** The page size of List chats when the body names none: what ChakraHQ's own client code asks for. */
    private static final int DEFAULT_CHATS_PAGE_SIZE = 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Customer question and the business's reply; a chat alternates between the two halves. */
    private static final String[][] EXCHANGES = {
            {"Hi, is my order shipped yet?", "Yes! It left our warehouse this morning."},
            {"Can I change my delivery address?", "Sure, please share the new address here."},
            {"What time do you open tomorrow?", "We open at 9 am, see you then."},
            {"The payment failed twice", "Sorry about that, I have sent you a new payment link."},
            {"Do you have this in size M?", "Size M is back in stock, shall I reserve one?"},
            {"Thanks a lot!", "You're welcome, have a great day!"},
            {"How do I return an item?", "Reply RETURN with your order number and we'll pick it up."},
            {"Is cash on delivery available?", "Yes, COD is available for orders under 5000."},
            {"hello", "Hello I am an AI Bot. How can i help you"},
            {"Can I talk to a person?", "Connecting you to an agent, one moment please."},
    };

    private final String token;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService ticker;
    private final int messagesPerTick;
    private final AtomicLong requestsServed = new AtomicLong();

    // ids shared by every message, as in the fixtures (one team, one WhatsApp plugin, one bot process, one agent)
    private final String team = uuid();
    private final String plugin = uuid();
    private final String process = uuid();
    private final String agentUser = uuid();

    // all mutable state below is guarded by 'this'
    private final Random random = new Random();
    private final List<Chat> chats = new ArrayList<>();
    private final Map<String, Chat> chatsById = new LinkedHashMap<>();
    private final Map<String, Chat> chatsByPhone = new LinkedHashMap<>();
    private final Set<String> issuedExternalIds = new HashSet<>();
    private final Set<String> answeredExternalIds = new HashSet<>();
    private boolean conversationsStopped;
    private int chatOpeningTicks; // 0: no chat opens by itself
    private int ticksSinceChatOpened;
    private int backlogLimit = Integer.MAX_VALUE;
    private int largestBacklog;

    private ChakraSandbox(int port, String token, int chatCount, long tickMillis, int messagesPerTick)
            throws IOException {
        this.token = token;
        this.messagesPerTick = messagesPerTick;
        synchronized (this) {
            long start = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(10);
            for (int i = 0; i < chatCount; i++) {
                // a short history: a few messages spread over the last ten minutes, all read by now; the customer's
                // first message opened the chat
                int history = 3 + random.nextInt(3);
                long at = start + random.nextInt(60_000);
                Chat chat = addChat(at);
                for (int m = 0; m < history; m++) {
                    Message message = addMessage(chat, at);
                    if (message.direction.equals("OUTBOUND")) {
                        message.deliveryStatus = "READ";
                        message.updatedAt = at + 5_000;
                    }
                    at += 20_000 + random.nextInt(70_000);
                }
            }
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        this.httpThreads = Executors.newFixedThreadPool(4, daemon("chakra-sandbox-http"));
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
        server.start();
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("chakra-sandbox-ticker"));
        ticker.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a sandbox on 127.0.0.1 ({@code port} 0 picks a free port) that accepts only {@code Bearer <token>}, with
     * {@code chats} chats to begin with and a new one every {@value #CHAT_OPENING_TICKS} ticks (~10 s).
     */
    public static ChakraSandbox start(int port, String token, int chats) {
        ChakraSandbox sandbox = start(port, token, chats, TICK_MILLIS, 1);
        sandbox.openChatsEvery(CHAT_OPENING_TICKS);
        return sandbox;
    }

    /**
     * As {@link #start(int, String, int)}, with conversations moving at another pace: every {@code tickMillis}
     * milliseconds, {@code messagesPerTick} new messages land in chats picked at random (2000 and 1 by default). No
     * chat opens by itself unless {@link #openChatsEvery(int)} asks, so a test that polls the chats it was given sees
     * every message created.
     */
    public static ChakraSandbox start(int port, String token, int chats, long tickMillis, int messagesPerTick) {
        if (chats < 1) {
            throw new IllegalArgumentException("chats must be at least 1");
        }
        if (tickMillis < 1 || messagesPerTick < 1) {
            throw new IllegalArgumentException("tickMillis and messagesPerTick must be at least 1");
        }
        try {
            return new ChakraSandbox(port, token, chats, tickMillis, messagesPerTick);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the ChakraHQ sandbox on port " + port, e);
        }
    }

    /** E.g. {@code http://127.0.0.1:54321}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * The environment that points a packaged jar at this sandbox and at {@code kafka}, reading every chat open now;
     * a mutable map, for the test's own settings.
     */
    public Map<String, String> pipelineEnv(String kafkaBootstrapServers) {
        return new HashMap<>(Map.of(
                "CHAKRA_API_BASE_URL", baseUrl(),
                "CHAKRA_API_TOKEN", token,
                "CHAKRA_CHAT_IDS", String.join(",", chatIds()),
                "KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers));
    }

    /** The id of every chat, in the order they opened, including those opened since the sandbox started. */
    public synchronized List<String> chatIds() {
        return chats.stream().map(c -> c.id).toList();
    }

    /** The customer phone number of each chat, in the order of {@link #chatIds()}: country code, digits only. */
    public synchronized List<String> phoneNumbers() {
        return chats.stream().map(c -> c.phone).toList();
    }

    /** How many HTTP requests were answered, whatever their status. */
    public long requestsServed() {
        return requestsServed.get();
    }

    /**
     * Stops the conversations: once this returns, no chat gets a new message, no receipt arrives and no chat opens by
     * itself; only {@link #openChat()} still opens one.
     */
    public synchronized void stopConversations() {
        conversationsStopped = true;
    }

    /**
     * A new customer (new contact, new phone number) opens a chat now with a first inbound message, so that the chat
     * heads List chats ordered by updatedAt; returns the chat's id.
     */
    public synchronized String openChat() {
        return openChatAt(System.currentTimeMillis()).id;
    }

    /** From now on a new customer opens a chat every {@code ticks} ticks, as {@link #openChat()} does. */
    public synchronized void openChatsEvery(int ticks) {
        if (ticks < 1) {
            throw new IllegalArgumentException("ticks must be at least 1");
        }
        chatOpeningTicks = ticks;
        ticksSinceChatOpened = 0;
    }

    /** From now on no chat opens by itself: the chats are those that exist, and those {@link #openChat()} opens. */
    public synchronized void stopOpeningChats() {
        chatOpeningTicks = 0;
    }

    /**
     * From now on a chat that gained {@code messages} messages since it was last answered gets no new one until it is
     * answered again: the conversations wait for a poller that fell behind instead of outrunning the answer window.
     */
    public synchronized void limitBacklog(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be at least 1");
        }
        backlogLimit = messages;
    }

    /** The externalId of every message created so far, including those no longer answered. */
    public synchronized Set<String> createdExternalIds() {
        return Set.copyOf(issuedExternalIds);
    }

    /** The externalId of every message that was in at least one successful answer, by either endpoint. */
    public synchronized Set<String> answeredExternalIds() {
        return Set.copyOf(answeredExternalIds);
    }

    /**
     * The most new messages any chat gained between two answers for that chat, by either endpoint. Once it exceeds
     * {@link #MAX_MESSAGES_PER_CHAT}, some messages were dropped before anyone could see them.
     */
    public synchronized int largestBacklog() {
        return largestBacklog;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        server.stop(0);
        httpThreads.shutdownNow();
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = answer(exchange);
            } catch (RuntimeException e) {
                answer = Answer.error(500, "Internal error");
            }
            byte[] bytes = JSON.writeValueAsBytes(answer.envelope);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } finally {
            requestsServed.incrementAndGet();
        }
    }

    private Answer answer(HttpExchange exchange) throws IOException {
        if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return Answer.error(401, "Unauthorized");
        }
        String path = exchange.getRequestURI().getPath();
        Matcher chatPath = CHAT_MESSAGES.matcher(path);
        boolean phonePath = path.equals(PHONE_MESSAGES_PATH);
        boolean listChatsPath = path.equals(LIST_CHATS_PATH);
        if (!chatPath.matches() && !phonePath && !listChatsPath) {
            return Answer.error(404, "Not found: " + path);
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            return Answer.error(405, "Method not allowed");
        }
        JsonNode body = readJsonObject(exchange.getRequestBody());
        if (body == null) {
            return Answer.error(400, "Request body must be a JSON object");
        }
        if (listChatsPath) {
            return listChats(body);
        }
        if (chatPath.matches()) {
            // the body ({} in the docs) may carry paging; the sandbox always answers the newest messages
            synchronized (this) {
                Chat chat = chatsById.get(chatPath.group(1));
                return chat == null ? Answer.error(404, "Chat not found") : Answer.ok(render(chat, false));
            }
        }
        JsonNode phone = body.get("customerPhoneNumber");
        if (phone == null || !phone.isTextual() || !phone.asText().matches("\\d{6,15}")) {
            return Answer.error(400, "customerPhoneNumber must be the country code and number, digits only");
        }
        synchronized (this) {
            // a customer the team never talked to simply has no messages
            Chat chat = chatsByPhone.get(phone.asText());
            return Answer.ok(chat == null ? JSON.createArrayNode() : render(chat, true));
        }
    }

    /** One page of the team's chats, in the order the body asks for (updatedAt, newest first, by default). */
    private Answer listChats(JsonNode body) {
        ChatPage page;
        try {
            page = ChatPage.of(body);
        } catch (IllegalArgumentException e) {
            return Answer.error(400, e.getMessage());
        }
        synchronized (this) {
            ArrayNode data = JSON.createArrayNode();
            chats.stream().sorted(page.order()).skip(page.skip()).limit(page.limit())
                    .forEach(chat -> data.add(chatJson(chat)));
            ObjectNode meta = JSON.createObjectNode();
            meta.put("total", chats.size());
            meta.put("hasMore", page.skip() + data.size() < chats.size());
            return Answer.ok(data, meta);
        }
    }

    /**
     * What a List chats body asks for: {@code page} (from 1) or {@code skip}, {@code limit}, {@code orderField}
     * ({@code createdAt} or {@code updatedAt}) and {@code orderDirection} ({@code asc} or {@code desc}). Other fields,
     * such as the {@code search} ChakraHQ's client sometimes sends, are ignored.
     */
    private record ChatPage(long skip, int limit, Comparator<Chat> order) {

        static ChatPage of(JsonNode body) {
            int limit = wholeNumber(body, "limit", DEFAULT_CHATS_PAGE_SIZE, 1);
            long skip = body.has("skip") ? wholeNumber(body, "skip", 0, 0)
                    : (wholeNumber(body, "page", 1, 1) - 1L) * limit;
            String field = body.path("orderField").asText("updatedAt");
            String direction = body.path("orderDirection").asText("desc").toLowerCase(Locale.ROOT);
            if (!field.equals("createdAt") && !field.equals("updatedAt")) {
                throw new IllegalArgumentException("orderField must be createdAt or updatedAt");
            }
            if (!direction.equals("asc") && !direction.equals("desc")) {
                throw new IllegalArgumentException("orderDirection must be asc or desc");
            }
            ToLongFunction<Chat> key = field.equals("createdAt") ? c -> c.createdAt : c -> c.updatedAt;
            Comparator<Chat> order = Comparator.comparingLong(key);
            // ties broken by id, so that a chat never shows on two pages, nor on none
            return new ChatPage(skip, limit,
                    (direction.equals("desc") ? order.reversed() : order).thenComparing(c -> c.id));
        }

        private static int wholeNumber(JsonNode body, String field, int absent, int min) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                return absent;
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
                throw new IllegalArgumentException(field + " must be a whole number of at least " + min);
            }
            return value.intValue();
        }
    }

    /** The body parsed as a JSON object, or null when it is empty, malformed or not an object. */
    private static JsonNode readJsonObject(InputStream in) {
        try {
            JsonNode node = JSON.readTree(in.readAllBytes());
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private record Answer(int status, ObjectNode envelope) {
        static Answer ok(ArrayNode data) {
            return ok(data, JSON.createObjectNode());
        }

        static Answer ok(ArrayNode data, ObjectNode meta) {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.set("_data", data);
            envelope.set("_meta", meta);
            envelope.putArray("_errors");
            return new Answer(200, envelope);
        }

        static Answer error(int status, String error) {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.putNull("_data");
            envelope.putObject("_meta");
            envelope.putArray("_errors").add(error);
            return new Answer(status, envelope);
        }
    }

    // ---- the changing data ----

    /**
     * One scheduler step: delivery receipts for earlier outbound messages, then a new message in a random chat, and
     * every so often a new chat.
     */
    private synchronized void tick() {
        if (conversationsStopped) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            for (Chat chat : chats) {
                for (Message message : chat.messages) {
                    // each receipt arrives on a later tick, so a message is seen SENT, then DELIVERED, then READ
                    if (message.direction.equals("OUTBOUND") && !message.deliveryStatus.equals("READ")
                            && random.nextBoolean()) {
                        message.deliveryStatus = message.deliveryStatus.equals("SENT") ? "DELIVERED" : "READ";
                        message.updatedAt = now;
                    }
                }
            }
            for (int i = 0; i < messagesPerTick; i++) {
                List<Chat> open = chats.stream().filter(c -> c.backlog < backlogLimit).toList();
                if (!open.isEmpty()) {
                    addMessage(open.get(random.nextInt(open.size())), now);
                }
            }
            if (chatOpeningTicks > 0 && ++ticksSinceChatOpened >= chatOpeningTicks) {
                ticksSinceChatOpened = 0;
                openChatAt(now);
            }
        } catch (RuntimeException e) {
            // an exception would silently cancel the schedule; a sandbox must keep ticking
        }
    }

    /** A chat opened at {@code at} by a new customer's first message. */
    private Chat openChatAt(long at) {
        Chat chat = addChat(at);
        addMessage(chat, at);
        return chat;
    }

    /** Adds a chat opened at {@code openedAt} by a new customer (new contact, new phone number), still empty. */
    private Chat addChat(long openedAt) {
        Chat chat = new Chat(uuid(), newPhoneNumber(), uuid(), openedAt);
        chats.add(chat);
        chatsById.put(chat.id, chat);
        chatsByPhone.put(chat.phone, chat);
        return chat;
    }

    /** Adds the chat's next message at {@code at}: the customer asks, then the business answers, and so on. */
    private Message addMessage(Chat chat, long at) {
        boolean inbound = chat.messages.isEmpty() || chat.messages.getLast().direction.equals("OUTBOUND");
        if (inbound) {
            chat.exchange = EXCHANGES[random.nextInt(EXCHANGES.length)];
        }
        long last = chat.messages.isEmpty() ? 0 : chat.messages.getLast().timestamp;
        // WhatsApp stamps inbound messages in whole seconds; timestamps stay strictly increasing within a chat
        long timestamp = Math.max(last + 1, inbound ? at / 1000 * 1000 : at - 1 - random.nextInt(10));
        Message message = new Message(uuid(), newExternalId(chat.phone, inbound),
                inbound ? "INBOUND" : "OUTBOUND", chat.exchange[inbound ? 0 : 1], timestamp,
                Math.max(at, timestamp + 1));
        message.deliveryStatus = inbound ? "DELIVERED" : "SENT";
        chat.messages.addLast(message);
        chat.updatedAt = Math.max(chat.updatedAt, message.createdAt);
        chat.backlog++;
        largestBacklog = Math.max(largestBacklog, chat.backlog);
        while (chat.messages.size() > MAX_MESSAGES_PER_CHAT) {
            chat.messages.removeFirst();
        }
        return message;
    }

    /** The chat as List chats answers it, shaped like the assumed fixture. */
    private ObjectNode chatJson(Chat chat) {
        return JSON.createObjectNode().put("id", chat.id).put("contact", chat.contact).put("plugin", plugin)
                .put("team", team).put("status", "OPEN").put("createdAt", chat.createdAt)
                .put("updatedAt", chat.updatedAt);
    }

    /** The chat's messages newest first; the phone endpoint adds the fields only it returns. */
    private ArrayNode render(Chat chat, boolean phoneEndpoint) {
        ArrayNode data = JSON.createArrayNode();
        chat.backlog = 0;
        for (Iterator<Message> it = chat.messages.descendingIterator(); it.hasNext(); ) {
            Message m = it.next();
            answeredExternalIds.add(m.externalId);
            boolean inbound = m.direction.equals("INBOUND");
            MessageJson json = MessageJson.message(m.externalId).id(m.id).chat(chat.id).plugin(plugin)
                    .direction(m.direction).text(m.text).set("attachments", JSON.createArrayNode())
                    .deliveryStatus(m.deliveryStatus).process(process)
                    .timestamp(m.timestamp).createdAt(m.createdAt).updatedAt(m.updatedAt);
            if (phoneEndpoint) {
                json.set("team", team);
                json.set("contact", chat.contact);
                // as in the fixture: an agent sent the outbound messages, the customer's have no user
                if (inbound) {
                    json.set("user", null);
                    json.set("context", JSON.createObjectNode());
                } else {
                    json.set("user", agentUser);
                    json.set("context", null);
                }
                json.set("adhocAgent", null);
                json.set("errorContext", null);
            }
            data.add(json.node());
        }
        return data;
    }

    /** An Indian mobile number like the fixtures': 91, then ten digits starting with 6-9; unique in this sandbox. */
    private String newPhoneNumber() {
        String phone;
        do {
            phone = "91" + (6 + random.nextInt(4)) + String.format("%09d", random.nextInt(1_000_000_000));
        } while (chatsByPhone.containsKey(phone));
        return phone;
    }

    /**
     * A WhatsApp message id built the way the fixtures' are: base64 of a small binary record holding the customer's
     * phone number and a random hex id (18 characters for messages the business sent, 20 for the customer's).
     */
    private String newExternalId(String phone, boolean inbound) {
        StringBuilder hex = new StringBuilder();
        int length = inbound ? 20 : 18;
        while (hex.length() < length) {
            hex.append(Character.toUpperCase(Character.forDigit(random.nextInt(16), 16)));
        }
        byte[] phoneBytes = phone.getBytes(StandardCharsets.US_ASCII);
        byte[] hexBytes = hex.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] record = new byte[3 + phoneBytes.length + 6 + hexBytes.length + 1];
        int i = 0;
        record[i++] = 0x1c;
        record[i++] = 0x18;
        record[i++] = (byte) phoneBytes.length;
        for (byte b : phoneBytes) {
            record[i++] = b;
        }
        for (int b : new int[] {0x15, 0x02, 0x00, inbound ? 0x12 : 0x11, 0x18, length}) {
            record[i++] = (byte) b;
        }
        for (byte b : hexBytes) {
            record[i++] = b;
        }
        String id = "wamid." + Base64.getEncoder().encodeToString(record); // last byte stays 0, as in WhatsApp's
        // 72+ random bits make a clash practically impossible, but the pipeline's dedup relies on uniqueness
        return issuedExternalIds.add(id) ? id : newExternalId(phone, inbound);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class Chat {
        final String id;
        final String phone;
        final String contact;
        final long createdAt;
        final Deque<Message> messages = new ArrayDeque<>(); // oldest first
        long updatedAt; // the newest message's createdAt: List chats orders by it
        String[] exchange; // the question the customer asked last, and its answer
        int backlog; // messages added since the chat was last answered

        Chat(String id, String phone, String contact, long createdAt) {
            this.id = id;
            this.phone = phone;
            this.contact = contact;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    private static final class Message {
        final String id;
        final String externalId;
        final String direction;
        final String text;
        final long timestamp;
        final long createdAt;
        String deliveryStatus;
        long updatedAt;

        Message(String id, String externalId, String direction, String text, long timestamp, long createdAt) {
            this.id = id;
            this.externalId = externalId;
            this.direction = direction;
            this.text = text;
            this.timestamp = timestamp;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }
}
