package io.github.chakrakafkapipeline.chakra;

import java.time.Duration;

import io.github.chakrakafkapipeline.chakra.PagedFetch;
import io.github.chakrakafkapipeline.settings.PagingStyle;

/**
 * Everything about polling one target (a chat id or a phone number) once: which ChakraHQ operation, which target, the
 * paging state and the counts for the summary line. The routes reach it as the
 * exchange property {@value #PROPERTY}, e.g. {@code ${exchangeProperty.targetPoll.target}}; it prints as
 * {@code <operation> <target>}, the prefix of every log line about the target.
 */
public final class TargetPoll {

    /** The exchange property that holds the target poll, from chat-messages-poll or phone-messages-poll on. */
    public static final String PROPERTY = "targetPoll";
    /** The operation "List chat messages for a chat"; also the value of the chakra.sourceEndpoint header. */
    public static final String CHAT_MESSAGES = "chat-messages";
    /** The operation "List previous messages for a phone number". */
    public static final String PHONE_MESSAGES = "phone-messages";
    /** The operation "List chats" (discovery). */
    public static final String CHAT_LIST = "chat-list";
    /** Why a chat is read: List chats showed newer activity, ... */
    public static final String CHANGED = "changed";
    /** ... it is listed in CHAKRA_CHAT_IDS (or CHAKRA_PHONE_NUMBERS), read every poll, ... */
    public static final String LISTED = "listed";
    /** ... or the sweep's turn came, the safety net for what the activity missed. */
    public static final String SWEEP = "sweep";

    private final String operation;
    private final String target;
    private final PagingStyle pagingStyle;
    private final String reason;
    /** The chat's activity (ChakraHQ's updatedAt) to record once its messages reached Kafka; null when none. */
    private final Long activity;
    private volatile boolean activityRecorded;
    private volatile boolean begun;
    private final long startedNanos = System.nanoTime();
    private PagedFetch paging;
    private int received;
    private int duplicates;
    private int claimed;
    private int published;
    private int deadLettered;
    private volatile long elapsedNanos = -1;

    public TargetPoll(String operation, String target, PagingStyle pagingStyle) {
        this(operation, target, pagingStyle, LISTED, null);
    }

    public TargetPoll(String operation, String target, PagingStyle pagingStyle, String reason, Long activity) {
        this.operation = operation;
        this.target = target;
        this.pagingStyle = pagingStyle;
        this.reason = reason;
        this.activity = activity;
    }

    /** Why the target is read: {@value #CHANGED}, {@value #LISTED} or {@value #SWEEP}. */
    public String getReason() {
        return reason;
    }

    /**
     * The activity to record for the chat once its messages reached Kafka: null when there is none, when it was
     * recorded already (in the transaction of the messages), or when paging stopped before the oldest new message.
     */
    public Long getActivityToRecord() {
        return activity == null || activityRecorded || paging == null || paging.isTruncated() ? null : activity;
    }

    public void activityRecorded() {
        activityRecorded = true;
    }

    public String getOperation() {
        return operation;
    }

    public String getTarget() {
        return target;
    }

    public PagingStyle getPagingStyle() {
        return pagingStyle;
    }

    /** The paged fetch, once response-fetch started it. */
    public PagedFetch getPaging() {
        return paging;
    }

    public void setPaging(PagedFetch paging) {
        this.paging = paging;
    }

    /** Messages received in the response(s), whatever became of them. */
    public void received(int messages) {
        received += messages;
    }

    /** Messages not published because they were published before, or are being published by another poll. */
    public void duplicates(int messages) {
        duplicates += messages;
    }

    /** Messages message-route claimed for the batch, whatever Kafka then did with them. */
    public void claimed(int messages) {
        claimed += messages;
    }

    public void published(int messages) {
        published += messages;
    }

    public void deadLettered(int elements) {
        deadLettered += elements;
    }

    public int getReceived() {
        return received;
    }

    public int getDuplicates() {
        return duplicates;
    }

    /** Messages that message-route stopped on purpose (a filter added by ops), neither duplicates nor published. */
    public int getDropped() {
        return Math.max(0, received - duplicates - claimed);
    }

    /** Whether this read started before that moment (System.nanoTime). */
    public boolean startedBefore(long nanos) {
        return startedNanos - nanos < 0;
    }

    /** How long since this read started. */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Whether a call thread took the read up (it then always ends, and says so). */
    public boolean isBegun() {
        return begun;
    }

    public void begun() {
        begun = true;
    }

    /** Whether the read ended well: every new message reached Kafka (set by {@link #finish}). */
    public boolean isFinished() {
        return elapsedNanos >= 0;
    }

    /** Marks the poll of this target done, for the summary's time. */
    public Duration finish() {
        elapsedNanos = System.nanoTime() - startedNanos;
        return Duration.ofNanos(elapsedNanos);
    }

    /** The summary line's text: what became of the target's messages in this poll. */
    public String getSummary() {
        String dropped = getDropped() > 0 ? ", " + getDropped() + " dropped by message-route" : "";
        return received + " received, " + published + " new published, " + duplicates + " duplicates, "
                + deadLettered + " dead-lettered" + dropped + " in " + Duration.ofNanos(elapsedNanos).toMillis() + " ms";
    }

    @Override
    public String toString() {
        return operation + " " + target;
    }
}
