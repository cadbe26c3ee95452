package io.github.chakrakafkapipeline.dedup;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages read that the dedup state takes as published without knowing their ids: older than their chat's window
 * (counted, and told once per chat, as it may be a message the API listed late, which is then not published), or
 * older than the history limit (counted).
 */
public final class OldMessages {

    private static final Logger LOG = LoggerFactory.getLogger(OldMessages.class);

    private final int windowIds;
    private final Duration window;
    /** Messages older than this are not published (ZERO: all are). */
    private final Duration history;
    private final AtomicLong olderThanWindow = new AtomicLong();
    private final AtomicLong beforeHistory = new AtomicLong();
    private final Set<String> told = ConcurrentHashMap.newKeySet();

    OldMessages(int windowIds, Duration window, Duration history) {
        this.windowIds = windowIds;
        this.window = window;
        this.history = history;
    }

    /** Whether the message, which the state does not hold, is one of those: counts it, and tells its chat's first. */
    boolean skipped(ChatWindows windows, String key, String chat, long timestamp) {
        if (!history.isZero() && timestamp != Long.MIN_VALUE
                && timestamp < System.currentTimeMillis() - history.toMillis()) {
            beforeHistory.incrementAndGet();
            return true;
        }
        if (!windows.olderThanWindow(chat, timestamp)) {
            return false;
        }
        olderThanWindow.incrementAndGet();
        if (told.add(chat)) {
            LOG.warn("Chat {}: message {} (timestamp {}) is older than what the dedup state holds of the chat (its "
                    + "newest {} ids and those of the {} minutes before its newest: pipeline.dedup.window.ids, "
                    + "pipeline.dedup.window.minutes); taken as published. Counted in "
                    + "chakra_pipeline_dedup_older_than_window_total, told once per chat", chat, key, timestamp,
                    windowIds, window.toMinutes());
        }
        return true;
    }

    /** How many messages read were older than their chat's window, and taken as published. */
    public long olderThanWindow() {
        return olderThanWindow.get();
    }

    /** How many messages read were older than the history limit, and not published. */
    public long beforeHistory() {
        return beforeHistory.get();
    }
}
