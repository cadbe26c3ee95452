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
    void clear_forgets_everything() {
        FingerprintSet set = new FingerprintSet();
        set.add("a");
        set.clear();
        assertFalse(set.contains("a"));
        assertEquals(0, set.size());
    }
}
