package io.github.chakrakafkapipeline.dedup;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;

/**
 * What the dedup state holds in memory: for each chat, a window of the ids it published most recently, and how far
 * back it forgot the rest. A chat keeps its newest {@code windowIds} ids, and also every id less than
 * {@code windowMillis} older than its newest. The one-lane order publishes a chat's messages oldest first, so an id
 * older than the window was published before anything the window holds: a message at or before the newest timestamp
 * forgotten is taken as published without a look-up. Memory so grows with the chats and their recent traffic, not with
 * the history. Ids recorded before windows existed (no chat, no timestamp) are held as they were, and never forgotten.
 * <p>
 * A chat's window is also its record in the dedup topic ({@link #encode}): compaction keeps one record per chat.
 * Merging a record adds what memory lacks and forgets by the same rule, so the state only ever grows towards the
 * newest, whichever order records and confirmations come in. Thread-safe.
 */
final class ChatWindows {

    /** The key of a chat's record in the dedup topic: the prefix, then the chat id (nothing for messages without). */
    private static final String CHAT_KEY = "chat:";
    /** The most ids one chat's record holds: a record must fit in one Kafka request (about 36 bytes an id). */
    static final int MAX_RECORD_IDS = 20_000;
    private static final String FORMAT = "v1";
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

    /** One published id: its message's timestamp and its fingerprint. */
    record Id(long timestamp, Fingerprint fingerprint) {
    }

    /** A record's content: the ids and how far back the chat forgot (null: nothing yet). */
    record Decoded(List<Id> ids, Long forgottenUpTo) {
    }

    private final int windowIds;
    private final long windowMillis;
    /** Every id held, for look-ups: the windows' and those recorded before windows existed. */
    private final FingerprintSet held = new FingerprintSet();
    private final Map<String, Window> windows = new HashMap<>();

    ChatWindows(int windowIds, long windowMillis) {
        this.windowIds = windowIds;
        this.windowMillis = windowMillis;
    }

    synchronized boolean holds(Fingerprint fingerprint) {
        return held.contains(fingerprint);
    }

    /** Whether a message of the chat with this timestamp lies where its window forgot ids (never one without). */
    synchronized boolean olderThanWindow(String chat, long timestamp) {
        Window window = windows.get(chat);
        return window != null && window.forgot(timestamp);
    }

    /** An id recorded before windows existed: held for good. */
    synchronized void holdForGood(Fingerprint fingerprint) {
        held.add(fingerprint);
    }

    /** Adds the ids to the chat's window (those it forgot already stay forgotten) and forgets what falls out of it. */
    synchronized void merge(String chat, List<Id> ids, Long forgottenUpTo) {
        Window window = windows.computeIfAbsent(chat, c -> new Window());
        if (forgottenUpTo != null) {
            window.forget(forgottenUpTo, held);
        }
        for (Id id : ids) {
            if (!window.forgot(id.timestamp()) && held.add(id.fingerprint())) {
                window.insert(id);
            }
        }
        window.trim(windowIds, windowMillis, held);
    }

    /**
     * The chat's record once {@code pending} is published: its window with them, trimmed by the same rule, without
     * changing memory. Text: {@code v1 <forgottenUpTo or -> <timestamp>/<fingerprint> ...}, oldest first.
     */
    synchronized String encode(String chat, List<Id> pending) {
        Window current = windows.get(chat);
        Window window = current == null ? new Window() : current.copy();
        for (Id id : pending) { // claimed, so none of them is held
            if (!window.forgot(id.timestamp())) {
                window.insert(id);
            }
        }
        window.trim(windowIds, windowMillis, null); // a copy: memory forgets only once they are published
        int from = Math.max(0, window.size - MAX_RECORD_IDS);
        long forgottenUpTo = window.forgottenUpTo;
        boolean forgotten = window.forgotten;
        if (from > 0) {
            forgottenUpTo = forgotten ? Math.max(forgottenUpTo, window.timestamps[from - 1]) : window.timestamps[from - 1];
            forgotten = true;
        }
        StringBuilder text = new StringBuilder(16 + 36 * (window.size - from)).append(FORMAT).append(' ')
                .append(forgotten ? Long.toString(forgottenUpTo) : "-");
        ByteBuffer bytes = ByteBuffer.allocate(16);
        for (int i = from; i < window.size; i++) {
            bytes.clear();
            bytes.putLong(window.highs[i]).putLong(window.lows[i]);
            text.append(' ').append(window.timestamps[i]).append('/').append(BASE64.encodeToString(bytes.array()));
        }
        return text.toString();
    }

    static String recordKey(String chat) {
        return CHAT_KEY + chat;
    }

    /**
     * A record of the dedup topic: a chat's window, merged; or, as the state was written before windows existed, an
     * id's own record (value "published"), held for good; a tombstone (no value) is nothing to remember.
     */
    void remember(String key, String value) {
        if (key == null || value == null) {
            return;
        }
        Decoded decoded = key.startsWith(CHAT_KEY) ? decode(value) : null;
        if (decoded != null) {
            merge(key.substring(CHAT_KEY.length()), decoded.ids(), decoded.forgottenUpTo());
        } else {
            holdForGood(Fingerprint.of(key));
        }
    }

    /** A record's text, or null when it is not a window's record. */
    static Decoded decode(String text) {
        String[] parts = text.split(" ");
        if (parts.length < 2 || !FORMAT.equals(parts[0])) {
            return null;
        }
        Long forgottenUpTo = "-".equals(parts[1]) ? null : Long.parseLong(parts[1]);
        Id[] ids = new Id[parts.length - 2];
        for (int i = 2; i < parts.length; i++) {
            int slash = parts[i].indexOf('/');
            ByteBuffer fingerprint = ByteBuffer.wrap(BASE64_DECODER.decode(parts[i].substring(slash + 1)));
            ids[i - 2] = new Id(Long.parseLong(parts[i].substring(0, slash)),
                    new Fingerprint(fingerprint.getLong(), fingerprint.getLong()));
        }
        return new Decoded(Arrays.asList(ids), forgottenUpTo);
    }

    synchronized int ids() {
        return held.size();
    }

    synchronized int chats() {
        return windows.size();
    }

    /** About the bytes held: the look-up table, each window's arrays, and a chat's map entry and strings. */
    synchronized long bytes() {
        long bytes = held.bytes();
        for (Window window : windows.values()) {
            bytes += 24L * window.timestamps.length + 160;
        }
        return bytes;
    }

    synchronized void clear() {
        held.clear();
        windows.clear();
    }

    /** One chat's ids, oldest first, in three parallel arrays: no object per id. */
    private static final class Window {
        long[] timestamps = new long[4];
        long[] highs = new long[4];
        long[] lows = new long[4];
        int size;
        boolean forgotten;
        long forgottenUpTo;

        /** Whether a message with this timestamp lies where the window forgot ids (never one without a timestamp). */
        boolean forgot(long timestamp) {
            return forgotten && timestamp != Long.MIN_VALUE && timestamp <= forgottenUpTo;
        }

        /** In timestamp order; a chat's ids come oldest first, so this appends nearly always. */
        void insert(Id id) {
            if (size == timestamps.length) {
                timestamps = Arrays.copyOf(timestamps, size * 2);
                highs = Arrays.copyOf(highs, size * 2);
                lows = Arrays.copyOf(lows, size * 2);
            }
            int at = size;
            while (at > 0 && timestamps[at - 1] > id.timestamp()) {
                at--;
            }
            System.arraycopy(timestamps, at, timestamps, at + 1, size - at);
            System.arraycopy(highs, at, highs, at + 1, size - at);
            System.arraycopy(lows, at, lows, at + 1, size - at);
            timestamps[at] = id.timestamp();
            highs[at] = id.fingerprint().high();
            lows[at] = id.fingerprint().low();
            size++;
        }

        /**
         * Forgets the ids beyond the newest {@code keep} that are more than {@code millis} older than the newest, and
         * removes them from {@code held} (null: a copy's, held stays as it is). Ids without a timestamp (first, in
         * timestamp order) have no place in time: they are kept, and count for nothing.
         */
        void trim(int keep, long millis, FingerprintSet held) {
            int undated = undated();
            if (size - undated <= keep) {
                return;
            }
            long newest = timestamps[size - 1];
            long limit = newest < Long.MIN_VALUE + millis ? Long.MIN_VALUE : newest - millis;
            int drop = 0;
            while (size - undated - drop > keep && timestamps[undated + drop] < limit) {
                drop++;
            }
            drop(undated, drop, held);
        }

        /** Forgets every id at or before {@code upTo}, and remembers that it did. */
        void forget(long upTo, FingerprintSet held) {
            int undated = undated();
            int drop = 0;
            while (undated + drop < size && timestamps[undated + drop] <= upTo) {
                drop++;
            }
            drop(undated, drop, held);
            forgottenUpTo = forgotten ? Math.max(forgottenUpTo, upTo) : upTo;
            forgotten = true;
        }

        private int undated() {
            int undated = 0;
            while (undated < size && timestamps[undated] == Long.MIN_VALUE) {
                undated++;
            }
            return undated;
        }

        /** Forgets the {@code drop} ids from index {@code from}. */
        private void drop(int from, int drop, FingerprintSet held) {
            if (drop == 0) {
                return;
            }
            for (int i = from; held != null && i < from + drop; i++) {
                held.remove(new Fingerprint(highs[i], lows[i]));
            }
            long upTo = timestamps[from + drop - 1];
            forgottenUpTo = forgotten ? Math.max(forgottenUpTo, upTo) : upTo;
            forgotten = true;
            int after = size - from - drop;
            System.arraycopy(timestamps, from + drop, timestamps, from, after);
            System.arraycopy(highs, from + drop, highs, from, after);
            System.arraycopy(lows, from + drop, lows, from, after);
            size -= drop;
            if (size < timestamps.length / 4 && timestamps.length > 4) { // a burst went by: give its room back
                int length = Math.max(4, Integer.highestOneBit(Math.max(1, size)) * 2);
                timestamps = Arrays.copyOf(timestamps, length);
                highs = Arrays.copyOf(highs, length);
                lows = Arrays.copyOf(lows, length);
            }
        }

        Window copy() {
            Window copy = new Window();
            copy.timestamps = timestamps.clone();
            copy.highs = highs.clone();
            copy.lows = lows.clone();
            copy.size = size;
            copy.forgotten = forgotten;
            copy.forgottenUpTo = forgottenUpTo;
            return copy;
        }
    }
}
