package io.github.chakrakafkapipeline.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/** The record size estimate against Kafka's own, and the cut at a UTF-8 character boundary. */
class RecordLimitTest {

    private static final String KEY = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    /** 1, 2, 3 and 4 bytes in UTF-8. */
    private static final String MIXED = "aé€\uD83D\uDE00";

    private final RecordLimit limit = new RecordLimit(() -> 1_048_576);

    @Test
    void counts_utf8_bytes_as_the_encoder_writes_them() {
        for (String text : List.of("", "plain ascii", MIXED, MIXED.repeat(1000), "ünïcödé text")) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, RecordLimit.utf8Length(text), text);
        }
    }

    @Test
    void estimates_no_less_than_the_kafka_producer_checks_and_not_much_more() {
        Map<String, Object> headers = headers();
        for (String value : List.of("{}", MIXED.repeat(10_000), "x".repeat(1_048_000))) {
            int kafka = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.LZ4, KEY.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                    kafkaHeaders(headers));
            long ours = limit.size(KEY, value, headers);
            assertTrue(ours >= kafka, "ours " + ours + " >= Kafka's " + kafka);
            assertTrue(ours - kafka < 1024, "ours " + ours + " is within 1 KB of Kafka's " + kafka);
        }
    }

    @Test
    void a_record_fits_up_to_the_limit_with_its_key_and_headers() {
        Map<String, Object> headers = headers();
        assertTrue(limit.fits(KEY, "x".repeat(1_000_000), headers));
        assertFalse(limit.fits(KEY, "x".repeat(1_048_576), headers));
        assertFalse(limit.fits(KEY, "x".repeat(1_048_000), headers), "the key and the headers count");
        assertFalse(limit.fits(KEY, "€".repeat(400_000), headers), "bytes count, not characters");
    }

    @Test
    void cuts_at_a_character_boundary_so_that_the_record_fits() {
        Map<String, Object> headers = headers();
        String value = MIXED.repeat(300_000); // 3 MB
        String cut = limit.cut(KEY, value, headers);
        assertTrue(value.startsWith(cut));
        assertTrue(limit.fits(KEY, cut, headers));
        assertTrue(limit.size(KEY, cut, headers) > 1_048_576 - 4, "as much as fits: " + limit.size(KEY, cut, headers));
        assertSame("{}", limit.cut(KEY, "{}", headers), "a value that fits stays whole");
    }

    @Test
    void never_leaves_half_a_character() {
        for (int maxBytes = 0; maxBytes <= 20; maxBytes++) {
            String cut = RecordLimit.cutUtf8(MIXED.repeat(2), maxBytes);
            byte[] bytes = cut.getBytes(StandardCharsets.UTF_8);
            assertTrue(bytes.length <= maxBytes && bytes.length > maxBytes - 4, maxBytes + ": " + cut);
            assertEquals(cut, new String(bytes, StandardCharsets.UTF_8), "decodes to itself: no broken character");
        }
    }

    @Test
    void says_the_size_the_limit_and_the_setting() {
        assertEquals("message is 2,097,410 bytes, more than Kafka takes in one record (max.request.size 1,048,576:"
                + " KAFKA_MAX_REQUEST_SIZE)", limit.reason(2_097_410));
    }

    private static Map<String, Object> headers() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("chakra.externalId", "wamid.HBgMOTE2NzI5NTUxMzExFQIAEhgUM0MzM0VBRkU1Q0VENDBCREI5RTUA");
        headers.put("chakra.direction", "INBOUND");
        headers.put("chakra.sourceEndpoint", "chat-messages");
        headers.put("chakra.polledTarget", KEY);
        return headers;
    }

    private static Header[] kafkaHeaders(Map<String, Object> headers) {
        return headers.entrySet().stream()
                .map(h -> new RecordHeader(h.getKey(), String.valueOf(h.getValue()).getBytes(StandardCharsets.UTF_8)))
                .toArray(Header[]::new);
    }
}
