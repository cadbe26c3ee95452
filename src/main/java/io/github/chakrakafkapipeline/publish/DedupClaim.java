package io.github.chakrakafkapipeline.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.github.chakrakafkapipeline.chakra.ReceivedMessage;
import io.github.chakrakafkapipeline.dedup.DedupState;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * The dedup step, message-route's last: claims the message in the dedup state under its externalId (a dead letter
 * under a key of its own, so that it is reported once and a corrected one still goes; one without an externalId under
 * a hash of its text) and leaves the claim, the message as it is now, for response-publish's split to gather into the
 * response's batch ({@link BatchAggregation}). A message published before, or claimed by another poll right now, is a
 * duplicate, and is left out of the batch. A processor rather than a bean method: it runs once per message, and bean
 * binding cost more than the claim itself (measured with the benchmark's backfill profile).
 * <p>
 * It works as Camel's idempotent consumer does in eager mode, with one difference that is why it is not that EIP: the
 * claim is confirmed only once Kafka acknowledged the batch (Publishing.settle), not when the message's own exchange
 * ends, which is before the batch is sent.
 * <p>
 * It also checks that the record fits in Kafka (max.request.size), because only here is the record complete: its
 * topic, key and every header the route set. A record that does not fit would fail the send of its whole response,
 * poll after poll; it becomes a dead letter instead, its value cut to fit, the cut said in a header.
 */
public class DedupClaim implements Processor {

    private final DedupState dedupState;
    private final String deadLetterTopic;
    private final RecordLimit recordLimit;

    public DedupClaim(DedupState dedupState, String deadLetterTopic, RecordLimit recordLimit) {
        this.dedupState = dedupState;
        this.deadLetterTopic = deadLetterTopic;
        this.recordLimit = recordLimit;
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        String value = body instanceof ReceivedMessage received ? received.raw() : message.getBody(String.class);
        long timestamp = body instanceof ReceivedMessage received ? received.timestamp() : Long.MIN_VALUE;
        String topic = message.getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
        if (topic == null) {
            // a route edit that forgot a topic loses nothing: the message goes where someone will look
            message.setHeader(Publishing.DEAD_LETTER_REASON, "message-route set no topic (header kafka.OVERRIDE_TOPIC)");
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, deadLetterTopic);
            topic = deadLetterTopic;
        }
        String key = message.getHeader(KafkaConstants.KEY, String.class);
        boolean tooLarge = !recordLimit.fits(key, value, message.getHeaders());
        if (tooLarge) {
            long bytes = RecordLimit.utf8Length(value);
            if (message.getHeader(Publishing.DEAD_LETTER_REASON) == null) {
                message.setHeader(Publishing.DEAD_LETTER_REASON, recordLimit.reason(bytes));
            }
            message.setHeader(Publishing.DEAD_LETTER_CUT, String.valueOf(bytes));
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, deadLetterTopic);
            topic = deadLetterTopic;
        }
        boolean deadLetter = message.getHeader(Publishing.DEAD_LETTER_REASON) != null;
        String externalId = message.getHeader(Publishing.EXTERNAL_ID, String.class);
        // a dead letter by its externalId when it has one, so that its later status changes do not report it again, and
        // under a key of its own, so that a corrected message with that externalId is still published; by its text
        // when it has none
        String dedupKey = externalId == null ? "dead-letter:" + sha256(value)
                : deadLetter ? "dead-letter:" + externalId : externalId;
        String chat = body instanceof ReceivedMessage received ? received.chat() : key;
        if (!dedupState.add(dedupKey, chat, timestamp)) {
            exchange.setProperty(PublishBatch.DUPLICATE, Boolean.TRUE);
            return;
        }
        // the message itself becomes the record: nothing changes it once its exchange has passed this last step; a
        // dead letter too large for Kafka keeps what fits (the dedup key above is of the whole text: reported once)
        message.setBody(tooLarge ? recordLimit.cut(key, value, message.getHeaders()) : value);
        exchange.setProperty(PublishBatch.CLAIM, new PublishBatch.Entry(message, dedupKey, topic, deadLetter,
                timestamp));
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
