package io.github.chakrakafkapipeline.dedup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of strings kept as 128-bit fingerprints in one open-addressing table of longs: about 30 bytes per id instead
 * of the 150 a set of Strings costs, so that millions of published message ids fit in a small heap. Two different ids
 * share a fingerprint with a probability of about n²/2¹²⁹ (10⁻²⁶ at a million ids): never in practice. Thread-safe.
 * Written by hand because no library at hand keeps 128-bit keys without an object per entry.
 */
public final class FingerprintSet {

    private static final int INITIAL_CAPACITY = 1 << 10;
    private static final double MAX_LOAD = 0.7;
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    });

    private long[] table = new long[2 * INITIAL_CAPACITY]; // (high, low) pairs; (0, 0) marks a free slot
    private int size;

    /** A string's 128-bit fingerprint: computed once per id, as hashing costs more than the table look-ups. */
    public record Fingerprint(long high, long low) {

        /** MD5 as a well-spread 128-bit fingerprint (not for security); never (0, 0), the free-slot mark. */
        public static Fingerprint of(String value) {
            ByteBuffer digest = ByteBuffer.wrap(MD5.get().digest(value.getBytes(StandardCharsets.UTF_8)));
            long high = digest.getLong();
            long low = digest.getLong();
            return new Fingerprint(high == 0 && low == 0 ? 1 : high, low);
        }
    }

    public boolean add(String value) {
        return add(Fingerprint.of(value));
    }

    public synchronized boolean add(Fingerprint fingerprint) {
        if (size + 1 > MAX_LOAD * capacity()) {
            resize();
        }
        if (insert(table, fingerprint.high(), fingerprint.low())) {
            size++;
            return true;
        }
        return false;
    }

    /**
     * Removes the fingerprint, shifting back the ones after it that probed past its slot (deletion without tombstones
     * in linear probing), so that a set whose ids come and go keeps its size and its look-ups short.
     */
    public synchronized boolean remove(Fingerprint fingerprint) {
        int mask = capacity() - 1;
        int slot = slot(fingerprint.low(), mask);
        while (true) {
            long high = table[2 * slot];
            long low = table[2 * slot + 1];
            if (high == 0 && low == 0) {
                return false;
            }
            if (high == fingerprint.high() && low == fingerprint.low()) {
                break;
            }
            slot = (slot + 1) & mask;
        }
        int free = slot;
        for (int next = (free + 1) & mask; ; next = (next + 1) & mask) {
            long high = table[2 * next];
            long low = table[2 * next + 1];
            if (high == 0 && low == 0) {
                break;
            }
            int home = slot(low, mask);
            // the entry at next may move to free unless its home lies cyclically in (free, next]
            boolean stays = free <= next ? free < home && home <= next : free < home || home <= next;
            if (!stays) {
                table[2 * free] = high;
                table[2 * free + 1] = low;
                free = next;
            }
        }
        table[2 * free] = 0;
        table[2 * free + 1] = 0;
        size--;
        return true;
    }

    /** The bytes its table holds. */
    public synchronized long bytes() {
        return 8L * table.length;
    }

    public boolean contains(String value) {
        return contains(Fingerprint.of(value));
    }

    public synchronized boolean contains(Fingerprint fingerprint) {
        int mask = capacity() - 1;
        for (int slot = slot(fingerprint.low(), mask); ; slot = (slot + 1) & mask) {
            long high = table[2 * slot];
            long low = table[2 * slot + 1];
            if (high == 0 && low == 0) {
                return false;
            }
            if (high == fingerprint.high() && low == fingerprint.low()) {
                return true;
            }
        }
    }

    public synchronized int size() {
        return size;
    }

    public synchronized void clear() {
        table = new long[2 * INITIAL_CAPACITY];
        size = 0;
    }

    private int capacity() {
        return table.length / 2;
    }

    private void resize() {
        long[] bigger = new long[table.length * 2];
        for (int i = 0; i < table.length; i += 2) {
            if (table[i] != 0 || table[i + 1] != 0) {
                insert(bigger, table[i], table[i + 1]);
            }
        }
        table = bigger;
    }

    /** Puts the fingerprint in the first free slot from its home slot on; false if it is there already. */
    private static boolean insert(long[] table, long high, long low) {
        int mask = table.length / 2 - 1;
        for (int slot = slot(low, mask); ; slot = (slot + 1) & mask) {
            long h = table[2 * slot];
            long l = table[2 * slot + 1];
            if (h == 0 && l == 0) {
                table[2 * slot] = high;
                table[2 * slot + 1] = low;
                return true;
            }
            if (h == high && l == low) {
                return false;
            }
        }
    }

    private static int slot(long low, int mask) {
        return (int) (low ^ (low >>> 32)) & mask;
    }
}
