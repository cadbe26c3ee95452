package io.github.chakrakafkapipeline.chakra;

import java.time.Duration;

import io.github.chakrakafkapipeline.settings.PagingStyle;

/**
 * One read of one target (a chat id or a phone number), as a poll started it: which ChakraHQ operation, which target,
 * why, with which paging, and the activity to record for it. It never changes: what the read fetches and what becomes
 * of it travel in the exchange body. The routes hold it in the exchange property {@value #PROPERTY}, and it prints as
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
    private final Long activity;
    private final long startedNanos = System.nanoTime();

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

    /** The chat's activity (ChakraHQ's updatedAt) to record once its messages reached Kafka; null when none. */
    public Long getActivity() {
        return activity;
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

    /** Whether this read started before that moment (System.nanoTime). */
    public boolean startedBefore(long nanos) {
        return startedNanos - nanos < 0;
    }

    /** How long since this read started. */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    @Override
    public String toString() {
        return operation + " " + target;
    }
}
