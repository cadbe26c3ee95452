package io.github.chakrakafkapipeline.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

import io.github.chakrakafkapipeline.TargetPoll;
import io.github.chakrakafkapipeline.chakra.ReceivedMessage;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * The steps of response-publish and message-route that need more than an expression: the messages of a response as
 * exchanges, the dedup step that puts a message in its response's batch, the records to send, and afterwards what
 * is recorded in the dedup state. Nothing is recorded that did not reach Kafka.
 * <p>
 * The dedup step works as Camel's idempotent consumer does in eager mode, with one difference that is why it is not
 * that EIP: the claim is confirmed only when Kafka acknowledged the batch, not when the message's own exchange ends
 * (which is before the batch is sent).
 */
public class Publishing {

    /** Record headers: the contract of the topics. */
    public static final String EXTERNAL_ID = "chakra.externalId";
    public static final String DIRECTION = "chakra.direction";
    public static final String DEAD_LETTER_REASON = "chakra.deadLetterReason";
    public static final String SOURCE_ENDPOINT = "chakra.sourceEndpoint";
    public static final String POLLED_TARGET = "chakra.polledTarget";

    private final DedupState dedupState;
    private final PipelineMetrics metrics;
    private final String deadLetterTopic;

    public Publishing(DedupState dedupState, PipelineMetrics metrics, String deadLetterTopic) {
        this.dedupState = dedupState;
        this.metrics = metrics;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * The response's new messages as the exchanges message-route sees, oldest first: the body is the message as
     * received ({@code ${body.externalId}}, {@code ${body.field('dataType')}}), the headers are the record headers.
     */
    public List<Message> messages(@Body List<ReceivedMessage> messages, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll,
            Exchange exchange) {
        List<Message> split = new ArrayList<>(messages.size());
        for (ReceivedMessage received : messages) {
            Message message = new DefaultMessage(exchange.getContext());
            message.setBody(received);
            if (received.externalId() != null) {
                message.setHeader(EXTERNAL_ID, received.externalId());
            }
            if (received.direction() != null) {
                message.setHeader(DIRECTION, received.direction());
            }
            message.setHeader(SOURCE_ENDPOINT, poll.getOperation());
            message.setHeader(POLLED_TARGET, poll.getTarget());
            split.add(message);
        }
        return split;
    }

    /**
     * The dedup step, message-route's last: claims the message in the dedup state under its externalId (a dead letter
     * under a hash of its text, so that the same broken element is reported once and a corrected one still goes) and
     * puts its record in the response's batch. A message published before, or claimed by another poll now, is a
     * duplicate: returns false and leaves it out.
     */
    public boolean claim(Exchange exchange) {
        TargetPoll poll = exchange.getProperty(TargetPoll.PROPERTY, TargetPoll.class);
        Message message = exchange.getMessage();
        Object body = message.getBody();
        String value = body instanceof ReceivedMessage received ? received.raw() : message.getBody(String.class);
        long timestamp = body instanceof ReceivedMessage received ? received.timestamp() : Long.MIN_VALUE;
        String topic = message.getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
        if (topic == null) {
            // a route edit that forgot a topic loses nothing: the message goes where someone will look
            message.setHeader(DEAD_LETTER_REASON, "message-route set no topic (header " + KafkaConstants.OVERRIDE_TOPIC + ")");
            topic = deadLetterTopic;
        }
        boolean deadLetter = message.getHeader(DEAD_LETTER_REASON) != null;
        String externalId = message.getHeader(EXTERNAL_ID, String.class);
        String dedupKey = deadLetter || externalId == null || externalId.isBlank() ? "dead-letter:" + sha256(value) : externalId;
        if (!dedupState.add(dedupKey)) {
            poll.duplicates(1);
            return false;
        }
        Message record = new DefaultMessage(exchange.getContext());
        record.setBody(value);
        record.setHeaders(message.getHeaders());
        record.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        poll.getBatch().add(new PublishBatch.Entry(record, dedupKey, topic, deadLetter, timestamp));
        return true;
    }

    /** The batch's records, for one camel-kafka send. */
    public Iterator<Message> records(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll, Exchange exchange) {
        return poll.getBatch().records(exchange);
    }

    /**
     * After the send, or after a failure anywhere in response-publish (publish-errors): records in the dedup state
     * what Kafka acknowledged and releases the claims of the rest, which the next poll tries again. Settles each
     * entry once, however often it is called.
     */
    public void settle(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        if (poll == null) {
            return; // failed before a target poll started: nothing was claimed
        }
        for (PublishBatch.Entry entry : poll.getBatch().settle()) {
            if (!entry.acknowledged()) {
                dedupState.remove(entry.dedupKey());
            } else {
                dedupState.confirm(entry.dedupKey());
                if (entry.deadLetter()) {
                    poll.deadLettered();
                    metrics.deadLettered(poll.getOperation(), entry.topic());
                } else {
                    poll.published();
                    metrics.published(poll.getOperation(), entry.topic(), entry.timestamp());
                }
            }
        }
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
