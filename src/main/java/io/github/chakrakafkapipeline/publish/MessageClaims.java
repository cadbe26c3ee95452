package io.github.chakrakafkapipeline.publish;

import java.util.List;

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
 * Publishing once: {@link #claim} turns an answer's messages into a batch of Kafka records, each claimed in the dedup
 * state so that no other poll publishes it at the same time; {@link #record} then records in the dedup state the ones
 * Kafka acknowledged and releases the claims of the rest, which the next poll tries again. Nothing is recorded that
 * did not reach Kafka.
 */
public class MessageClaims {

    public static final String SOURCE_ENDPOINT = "chakra.sourceEndpoint";
    public static final String POLLED_TARGET = "chakra.polledTarget";

    private final MessageClassifier classifier;
    private final DedupState published;
    private final PipelineMetrics metrics;

    public MessageClaims(MessageClassifier classifier, DedupState published, PipelineMetrics metrics) {
        this.classifier = classifier;
        this.published = published;
        this.metrics = metrics;
    }

    public PublishBatch claim(@Body List<ReceivedMessage> messages, @ExchangeProperty("chakraEndpoint") String endpoint,
            @ExchangeProperty("chakraTarget") String target,
            @ExchangeProperty(PublishTally.PROPERTY) PublishTally.Counts counts, Exchange exchange) {
        counts.toPublish(messages.size());
        PublishBatch batch = new PublishBatch(exchange);
        try {
            for (ReceivedMessage message : messages) {
                MessageClassifier.Outcome outcome = classifier.classify(message);
                Message record = record(message, outcome, endpoint, target, exchange);
                if (!published.add(outcome.dedupKey())) {
                    counts.claimedElsewhere();
                    continue;
                }
                batch.add(record, outcome, message.timestamp());
            }
        } catch (RuntimeException e) {
            release(batch); // no claim may outlive a batch that will never be sent
            throw e;
        }
        return batch;
    }

    /** Runs after the send, whether it failed or not. */
    public void record(@ExchangeProperty(PublishBatch.PROPERTY) PublishBatch batch,
            @ExchangeProperty("chakraEndpoint") String endpoint,
            @ExchangeProperty(PublishTally.PROPERTY) PublishTally.Counts counts) {
        for (PublishBatch.Entry entry : batch.entries()) {
            MessageClassifier.Outcome outcome = entry.outcome();
            if (!entry.acknowledged()) {
                published.remove(outcome.dedupKey());
            } else {
                published.confirm(outcome.dedupKey());
                if (outcome.deadLettered()) {
                    counts.deadLettered();
                    metrics.deadLettered(endpoint, outcome.topic());
                } else {
                    counts.published();
                    metrics.published(endpoint, outcome.topic(), entry.timestamp());
                }
            }
        }
    }

    private void release(PublishBatch batch) {
        batch.entries().forEach(entry -> published.remove(entry.outcome().dedupKey()));
    }

    /** The Kafka record of one message: its text as value, its own topic, key and headers. */
    private static Message record(ReceivedMessage message, MessageClassifier.Outcome outcome, String endpoint,
            String target, Exchange exchange) {
        Message record = new DefaultMessage(exchange.getContext());
        record.setBody(message.raw());
        record.getHeaders().putAll(outcome.headers());
        record.setHeader(SOURCE_ENDPOINT, endpoint);
        record.setHeader(POLLED_TARGET, target);
        record.setHeader(KafkaConstants.OVERRIDE_TOPIC, outcome.topic());
        if (outcome.key() != null) {
            record.setHeader(KafkaConstants.KEY, outcome.key());
        }
        return record;
    }
}
