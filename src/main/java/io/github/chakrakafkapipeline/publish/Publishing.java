package io.github.chakrakafkapipeline.publish;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.chakra.PagedFetch;
import io.github.chakrakafkapipeline.chakra.ReceivedMessage;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.kafka.Failures;
import io.github.chakrakafkapipeline.kafka.PipelineTopics;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The steps of response-publish that need more than an expression: the messages of a response as exchanges, the
 * records to send, and afterwards what is recorded in the dedup state. Nothing is recorded that did not reach Kafka.
 */
public class Publishing {

    /** Record headers: the contract of the topics. */
    public static final String EXTERNAL_ID = "chakra.externalId";
    public static final String DIRECTION = "chakra.direction";
    public static final String DEAD_LETTER_REASON = "chakra.deadLetterReason";
    /** On a dead letter whose value was cut to fit in one Kafka record: the message's whole size, in bytes. */
    public static final String DEAD_LETTER_CUT = "chakra.deadLetterCut";
    public static final String SOURCE_ENDPOINT = "chakra.sourceEndpoint";
    public static final String POLLED_TARGET = "chakra.polledTarget";

    private final DedupState dedupState;
    private final ChatActivity chatActivity;
    private final ChatLanes lanes;
    private final PipelineMetrics metrics;
    private final PipelineTopics topics;

    public Publishing(DedupState dedupState, ChatActivity chatActivity, ChatLanes lanes, PipelineMetrics metrics,
            PipelineTopics topics) {
        this.dedupState = dedupState;
        this.chatActivity = chatActivity;
        this.lanes = lanes;
        this.metrics = metrics;
        this.topics = topics;
    }

    /**
     * At least once, after Kafka took none of a response: when the send timed out or found no topic, asks Kafka which
     * of the response's topics do not exist, so that each is named in one line and readiness drops until it exists
     * (exactly once, the transactional producer does this itself).
     */
    public void checkTopics(@Body Object body, @ExchangeException Exception failure) {
        if (body instanceof PublishBatch batch && failure != null && (Failures.causedBy(failure, TimeoutException.class)
                || Failures.causedBy(failure, UnknownTopicOrPartitionException.class))) {
            topics.missing(batch.entries().stream().map(PublishBatch.Entry::topic).distinct().toList());
        }
    }

    /**
     * The batch of a complete fetch: its messages oldest first, less those already published (most of every response
     * once caught up), counted as duplicates before any of them goes through message-route, whose dedup step decides
     * for the rest.
     */
    public PublishBatch unpublished(@Body PagedFetch fetch, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        List<ReceivedMessage> fetched = fetch.messages();
        List<ReceivedMessage> fresh = new ArrayList<>(fetched.size());
        for (ReceivedMessage message : fetched) {
            if (message.externalId() == null
                    || !dedupState.published(message.externalId(), message.chat(), message.timestamp())) {
                fresh.add(message);
            }
        }
        // a fetch that stopped short of the oldest new message has not read the chat as far as its activity says
        Long activity = fetch.isTruncated() ? null : poll.getActivity();
        if (activity == null) {
            return new PublishBatch(fresh, fetched.size(), dedupState::records);
        }
        String chat = poll.getTarget();
        return new PublishBatch(fresh, fetched.size(), dedupState::records, chatActivity.record(chat, activity),
                () -> chatActivity.recorded(chat, activity));
    }

    /**
     * The batch's new messages as the exchanges message-route sees, oldest first: the body is the message as
     * received ({@code ${body.field('dataType')}}), the headers are the record's: its key (the chat id) and the
     * chakra.* headers. They are set here rather than in message-route because reading the body from a route (OGNL)
     * costs several times a header lookup, per message (measured with the benchmark's backfill).
     */
    public List<Message> messages(@Body PublishBatch batch, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll,
            Exchange exchange) {
        List<Message> split = new ArrayList<>(batch.messages().size());
        for (ReceivedMessage received : batch.messages()) {
            Message message = new DefaultMessage(exchange.getContext());
            message.setBody(received);
            if (received.externalId() != null && !received.externalId().isBlank()) {
                message.setHeader(EXTERNAL_ID, received.externalId());
            }
            if (received.direction() != null) {
                message.setHeader(DIRECTION, received.direction());
            }
            message.setHeader(SOURCE_ENDPOINT, poll.getOperation());
            message.setHeader(POLLED_TARGET, poll.getTarget());
            if (received.chat() != null) {
                message.setHeader(KafkaConstants.KEY, received.chat()); // the record key: a chat stays in one partition
            }
            split.add(message);
        }
        return split;
    }

    /** Whether message-route claimed anything of the response (the body, once split): else there is nothing to send. */
    public boolean anythingNew(@Body PublishBatch batch) {
        return !batch.isEmpty();
    }

    /**
     * Whether a chat read by discovery has its activity still to record, once its messages reached Kafka: it did not go
     * in their transaction (nothing of it was new, or at least once).
     */
    public boolean activityUnrecorded(@Body PublishBatch batch) {
        return batch.activityUnrecorded();
    }

    /**
     * After the send, or after a failure anywhere in response-publish (publish-errors): records in the dedup state
     * what Kafka acknowledged and releases the claims of the rest, which the next poll tries again, and closes the
     * chat lanes of those to newer reads that began before now. Settles each entry of the batch (the body, once split)
     * once, however often it is called.
     */
    public void settle(@Body Object body, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        if (!(body instanceof PublishBatch batch)) {
            return; // failed before the split: nothing was claimed
        }
        // counted per topic, not per message: a metric look-up costs more than the rest of settling a message
        Map<String, Integer> published = new HashMap<>();
        Map<String, Long> newest = new HashMap<>();
        Map<String, Integer> deadLettered = new HashMap<>();
        long acknowledgedAt = System.currentTimeMillis();
        boolean failed = false;
        List<PublishBatch.Entry> unsettled = batch.settle();
        List<String> confirmed = new ArrayList<>(unsettled.size());
        for (PublishBatch.Entry entry : unsettled) {
            if (!entry.acknowledged()) {
                dedupState.remove(entry.dedupKey());
                lanes.failed(entry.record().getHeader(KafkaConstants.KEY, String.class));
                failed = true;
            } else {
                confirmed.add(entry.dedupKey());
                if (entry.deadLetter()) {
                    deadLettered.merge(entry.topic(), 1, Integer::sum);
                } else {
                    published.merge(entry.topic(), 1, Integer::sum);
                    newest.merge(entry.topic(), entry.timestamp(), Math::max);
                    if (entry.timestamp() > 0) { // a message without a timestamp has no lag to tell
                        metrics.publishLag(entry.topic()).record(Math.max(0, acknowledgedAt - entry.timestamp()),
                                TimeUnit.MILLISECONDS);
                    }
                }
            }
        }
        dedupState.confirm(confirmed); // one record per chat
        if (failed) {
            metrics.publishFailed(poll.getOperation());
        }
        published.forEach((topic, messages) -> {
            batch.published(messages);
            metrics.published(poll.getOperation(), topic, messages, newest.get(topic));
        });
        deadLettered.forEach((topic, elements) -> {
            batch.deadLettered(elements);
            metrics.deadLettered(poll.getOperation(), topic, elements);
        });
    }
}
