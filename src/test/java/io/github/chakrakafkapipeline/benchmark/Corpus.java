package io.github.chakrakafkapipeline.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.github.chakrakafkapipeline.testsupport.MessageJson;

/**
 * The benchmark's chats and messages: C chats of M messages each, shaped like the documented example
 * ({@code fixtures/chat-messages-response.json}), about 0.7 KB each, every externalId unique. Generated from a seed,
 * so the simulator (in its own JVM) and the benchmark (which needs the same records for the raw producer) build the
 * very same corpus without exchanging it.
 */
public final class Corpus {

    public static final String TOKEN = "bench-token-3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e";
    /** The average size of one message as the API sends it (compact JSON), in bytes. */
    public static final int TARGET_MESSAGE_BYTES = 700;

    private static final String PLUGIN = "d83e1d23-50b8-4d87-8f92-842a0ac516f6";
    private static final String PROCESS = "7417c17d-ace1-4977-867d-eef2ba320263";
    private static final long FIRST_TIMESTAMP = 1_762_277_357_388L;
    private static final String[] WORDS = ("hello hi thanks order shipped yet when will my parcel arrive please "
            + "check status tracking number delivery today tomorrow morning evening payment received refund invoice "
            + "address change size colour return exchange warehouse left our store support agent help you can i "
            + "the a is it to of and for with on this that we your our are was be have has not no yes ok sure great "
            + "sorry delay apologies update soon minutes hours days week courier pickup slot confirm cancel booking "
            + "appointment doctor clinic menu table reservation price discount coupon code offer valid until stock "
            + "available item product link photo details account login password reset otp verify number email")
            .split(" ");

    /** One message: what dedup keys on, which topic it goes to, its Kafka key, and its text as the API sends it. */
    public record Message(String externalId, String direction, String chat, String json) {
    }

    /** Receives the chats one at a time, in order, so a consumer need not hold the whole corpus as objects. */
    public interface ChatSink {
        void accept(int index, String chatId, List<Message> oldestFirst);
    }

    private Corpus() {
    }

    /** Generates chat after chat; the same (chats, messagesPerChat, seed) always give the same messages. */
    public static void generate(int chats, int messagesPerChat, long seed, ChatSink sink) {
        Random random = new Random(seed);
        int textChars = textCharsFor(TARGET_MESSAGE_BYTES);
        for (int c = 0; c < chats; c++) {
            String chatId = uuid(random);
            List<Message> messages = new ArrayList<>(messagesPerChat);
            long timestamp = FIRST_TIMESTAMP + c * 1_000L;
            for (int m = 0; m < messagesPerChat; m++) {
                timestamp += 1 + random.nextInt(60_000);
                boolean inbound = random.nextBoolean();
                String text = text(random, textChars - 60 + random.nextInt(121));
                String externalId = externalId(random);
                messages.add(new Message(externalId, inbound ? "INBOUND" : "OUTBOUND", chatId,
                        json(uuid(random), chatId, externalId, inbound, text, random.nextInt(3), timestamp)));
            }
            sink.accept(c, chatId, messages);
        }
    }

    /** The chat endpoint's answer for these messages: the envelope, newest first, compact. */
    public static byte[] answer(List<Message> oldestFirst) {
        List<String> newestFirst = new ArrayList<>(oldestFirst.size());
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            newestFirst.add(oldestFirst.get(i).json());
        }
        return MessageJson.response(newestFirst).getBytes(StandardCharsets.UTF_8);
    }

    /** A WhatsApp-style message id like the documented ones: "wamid." and 40 bytes in base64 (62 characters). */
    public static String externalId(Random random) {
        byte[] bytes = new byte[40];
        random.nextBytes(bytes);
        return "wamid." + Base64.getEncoder().encodeToString(bytes);
    }

    /** One message, the fixture's fields in its order, compact: the text is what the benchmark sends and measures. */
    private static String json(String id, String chat, String externalId, boolean inbound, String text, int status,
            long timestamp) {
        String delivery = switch (status) {
            case 0 -> "SENT";
            case 1 -> "DELIVERED";
            default -> "READ";
        };
        return MessageJson.message(externalId).id(id).chat(chat).plugin(PLUGIN)
                .direction(inbound ? "INBOUND" : "OUTBOUND").text(text).deliveryStatus(delivery)
                .process(inbound ? null : PROCESS).timestamp(timestamp).build();
    }

    /** How many characters of text make a message of about {@code bytes} (the text appears twice). */
    private static int textCharsFor(int bytes) {
        Random probe = new Random(0);
        int fixed = json(uuid(probe), uuid(probe), externalId(probe), false, "", 1, FIRST_TIMESTAMP).length();
        return Math.max(20, (bytes - fixed) / 2);
    }

    private static String text(Random random, int chars) {
        StringBuilder text = new StringBuilder(chars + 12);
        while (text.length() < chars) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        text.setLength(chars);
        return text.toString().strip();
    }

    private static String uuid(Random random) {
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }
}
