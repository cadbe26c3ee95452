package io.github.chakrakafkapipeline.publish;

import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Kafka's limit on one record: the producer's {@code max.request.size}, which it checks against the record's
 * serialized size before sending, failing the send of a record that is larger. The size here is an estimate on the
 * safe side: a record that fits here fits Kafka's own check.
 * <p>
 * A record is its key, its value and its headers, all as UTF-8 (the pipeline's serializers), plus Kafka's framing: a
 * batch header of 61 bytes, at most 21 bytes per record and a varint length per field, counted here as
 * {@link #RECORD_OVERHEAD} and {@link #HEADER_OVERHEAD} each. Every header the message carries is counted, even those
 * camel-kafka does not send (kafka.*), and the key may be counted twice (it is also the kafka.KEY header): over, never
 * under.
 */
public final class RecordLimit {

    /** Kafka's framing of a record in a batch of its own (82 bytes at most, with its length varints), rounded up. */
    static final int RECORD_OVERHEAD = 512;
    /** The two varint lengths of a header, rounded up. */
    static final int HEADER_OVERHEAD = 16;
    /** A header value that is not text (a number, say) takes at most this many bytes in camel-kafka's serializer. */
    private static final int OTHER_HEADER_VALUE = 16;

    private final IntSupplier maxRequestSize;
    private volatile int limit;

    /**
     * The limit, read when first needed: camel-kafka's {@code max.request.size} is configured after the beans are
     * made, and only changes with a restart.
     */
    public RecordLimit(IntSupplier maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    /** The producer's max.request.size, in bytes. */
    public int bytes() {
        int bytes = limit;
        if (bytes == 0) {
            bytes = maxRequestSize.getAsInt();
            limit = bytes;
        }
        return bytes;
    }

    /** Whether a record of this key, value and headers fits. Encodes nothing unless the record is near the limit. */
    public boolean fits(String key, String value, Map<String, Object> headers) {
        long chars = length(key) + length(value);
        for (Map.Entry<String, Object> header : headers.entrySet()) {
            chars += header.getKey().length() + HEADER_OVERHEAD
                    + (header.getValue() instanceof String text ? text.length() : OTHER_HEADER_VALUE);
        }
        // a char is at most 3 bytes in UTF-8 (4 for a pair of 2 chars)
        if (3 * chars + RECORD_OVERHEAD <= bytes()) {
            return true;
        }
        return size(key, value, headers) <= bytes();
    }

    /** The record's estimated serialized size, in bytes. */
    public long size(String key, String value, Map<String, Object> headers) {
        return utf8Length(value) + framing(key, headers);
    }

    /**
     * The value, cut at a UTF-8 character boundary so that the record fits with this key and these headers; the
     * value whole if it fits.
     */
    public String cut(String key, String value, Map<String, Object> headers) {
        long room = bytes() - framing(key, headers);
        return cutUtf8(value, (int) Math.max(0, Math.min(Integer.MAX_VALUE, room)));
    }

    /**
     * Why a message of this size does not fit, for the chakra.deadLetterReason header: the size, the limit and the
     * setting that raises it.
     */
    public String reason(long messageBytes) {
        return String.format(Locale.ENGLISH,
                "message is %,d bytes, more than Kafka takes in one record (max.request.size %,d: KAFKA_MAX_REQUEST_SIZE)",
                messageBytes, bytes());
    }

    /** Everything of the record but its value. */
    private static long framing(String key, Map<String, Object> headers) {
        long bytes = RECORD_OVERHEAD + utf8Length(key);
        for (Map.Entry<String, Object> header : headers.entrySet()) {
            bytes += HEADER_OVERHEAD + utf8Length(header.getKey()) + valueLength(header.getValue());
        }
        return bytes;
    }

    private static long valueLength(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof String text) {
            return utf8Length(text);
        }
        if (value instanceof byte[] bytes) {
            return bytes.length;
        }
        return Math.max(OTHER_HEADER_VALUE, utf8Length(String.valueOf(value)));
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }

    /** The text's length in UTF-8, without encoding it. */
    static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += utf8Size(codePoint);
            i += Character.charCount(codePoint);
        }
        return bytes;
    }

    /** The longest start of the text that takes at most this many bytes in UTF-8, never half a character. */
    static String cutUtf8(String text, int maxBytes) {
        long bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            bytes += utf8Size(codePoint);
            if (bytes > maxBytes) {
                return text.substring(0, end);
            }
            end += Character.charCount(codePoint);
        }
        return text;
    }

    /** A character's size in UTF-8; a lone surrogate counts 3 bytes, more than the encoder writes for it. */
    private static int utf8Size(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }
}
