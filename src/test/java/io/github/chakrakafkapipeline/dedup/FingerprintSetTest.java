package io.github.chakrakafkapipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FingerprintSetTest {

    @Test
    void remembers_each_id_once_through_many_resizes() {
        FingerprintSet set = new FingerprintSet();
        for (int i = 0; i < 50_000; i++) {
            assertTrue(set.add("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgS" + i));
        }
        assertEquals(50_000, set.size());
        for (int i = 0; i < 50_000; i++) {
            assertTrue(set.contains("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgS" + i));
            assertFalse(set.add("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgS" + i), "already there");
        }
        assertFalse(set.contains("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgS50000"));
        assertFalse(set.contains(""));
        assertEquals(50_000, set.size());
    }

    @Test
    void removing_keeps_every_other_id_findable_and_the_table_from_growing() {
        // in a small table most ids probe past others' slots: removal must move them back, not lose them
        FingerprintSet set = new FingerprintSet();
        java.util.ArrayDeque<String> held = new java.util.ArrayDeque<>();
        for (int i = 0; i < 200_000; i++) {
            String id = "wamid." + i;
            assertTrue(set.add(id));
            held.addLast(id);
            if (held.size() > 500) {
                String gone = held.removeFirst();
                assertTrue(set.remove(FingerprintSet.Fingerprint.of(gone)));
                assertFalse(set.contains(gone));
            }
        }
        assertEquals(500, set.size());
        held.forEach(id -> assertTrue(set.contains(id), id));
        assertFalse(set.remove(FingerprintSet.Fingerprint.of("wamid.0")), "already removed");
        assertTrue(set.bytes() <= 16L * 1024, "a set of 500 ids keeps its first table: " + set.bytes() + " bytes");
    }

    @Test
    void clear_forgets_everything() {
        FingerprintSet set = new FingerprintSet();
        set.add("a");
        set.clear();
        assertFalse(set.contains("a"));
        assertEquals(0, set.size());
    }
}
