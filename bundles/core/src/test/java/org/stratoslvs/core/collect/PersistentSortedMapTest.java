package org.stratoslvs.core.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class PersistentSortedMapTest {

    @Test
    void behavesLikeATreeMapUnderRandomOperationsAndKeepsOldVersionsIntact() {
        Random rnd = new Random(42);
        PersistentSortedMap<String, Integer> map = PersistentSortedMap.empty();
        TreeMap<String, Integer> reference = new TreeMap<>();
        List<PersistentSortedMap<String, Integer>> versions = new ArrayList<>();
        List<TreeMap<String, Integer>> references = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String key = "k" + rnd.nextInt(2_000);
            if (rnd.nextInt(3) == 0) {
                map = map.minus(key);
                reference.remove(key);
            } else {
                int v = rnd.nextInt(10);
                map = map.plus(key, v);
                reference.put(key, v);
            }
            if (i % 1_000 == 0) {
                versions.add(map);
                references.add(new TreeMap<>(reference));
            }
        }
        assertEquals(reference, map);
        assertEquals(map, reference);
        assertEquals(reference.hashCode(), map.hashCode());
        assertEquals(new ArrayList<>(reference.keySet()), new ArrayList<>(map.keySet()), "sorted iteration");
        assertEquals(reference.firstKey(), map.firstKey());
        assertEquals(reference.lastKey(), map.lastKey());
        assertEquals(reference.headMap("k5"), map.headMap("k5"));
        assertEquals(reference.tailMap("k5"), map.tailMap("k5"));
        assertEquals(reference.subMap("k2", "k3"), map.subMap("k2", "k3"));
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(references.get(i), versions.get(i), "version " + i + " unchanged by later updates");
        }
    }

    @Test
    void staysBalanced() {
        PersistentSortedMap<Integer, Integer> map = PersistentSortedMap.empty();
        for (int i = 0; i < 100_000; i++) {
            map = map.plus(i, i); // sorted inserts: the worst case for an unbalanced tree
        }
        assertEquals(100_000, map.size());
        assertTrue(map.height() <= avlHeightBound(100_000), "height " + map.height());
        for (int i = 0; i < 100_000; i += 2) {
            map = map.minus(i);
        }
        assertEquals(50_000, map.size());
        assertTrue(map.height() <= avlHeightBound(50_000), "height " + map.height());
        assertEquals(1, map.firstKey());
        assertEquals(99_999, map.lastKey());
        assertNull(map.get(2));
        assertEquals(3, map.get(3));
    }

    /** An AVL tree of n nodes is at most about 1.44 log2(n + 2) high. */
    private static int avlHeightBound(int n) {
        return (int) Math.floor(1.4405 * Math.log(n + 2) / Math.log(2) - 0.3277);
    }

    @Test
    void noOpUpdatesReturnTheSameInstance() {
        PersistentSortedMap<String, String> map = PersistentSortedMap.<String, String>empty().plus("a", "x");
        String value = map.get("a");
        assertSame(map, map.plus("a", value));
        assertSame(map, map.minus("zzz"));
        assertSame(PersistentSortedMap.empty(), map.minus("a"));
        assertSame(map, PersistentSortedMap.copyOf(map));
    }

    @Test
    void copyOfSortsAnyMapAndRefusesNulls() {
        Map<String, Integer> hash = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            hash.put("k" + i, i);
        }
        PersistentSortedMap<String, Integer> map = PersistentSortedMap.copyOf(hash);
        assertEquals(new TreeMap<>(hash), map);
        assertEquals(new ArrayList<>(new TreeMap<>(hash).keySet()), new ArrayList<>(map.keySet()));
        Map<String, Integer> withNull = new HashMap<>();
        withNull.put("a", null);
        assertThrows(NullPointerException.class, () -> PersistentSortedMap.copyOf(withNull));
        assertTrue(PersistentSortedMap.copyOf(null).isEmpty());
    }

    @Test
    void isUnmodifiable() {
        PersistentSortedMap<String, Integer> map = PersistentSortedMap.<String, Integer>empty().plus("a", 1).plus("b", 2);
        assertThrows(UnsupportedOperationException.class, () -> map.put("c", 3));
        assertThrows(UnsupportedOperationException.class, () -> map.remove("a"));
        assertThrows(UnsupportedOperationException.class, map::clear);
        assertThrows(UnsupportedOperationException.class, () -> map.entrySet().iterator().next().setValue(5));
        Iterator<String> it = map.keySet().iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertThrows(UnsupportedOperationException.class, () -> map.values().clear());
        assertEquals(2, map.size());
    }

    @Test
    void lookupsOfForeignKeysAreMisses() {
        PersistentSortedMap<String, Integer> map = PersistentSortedMap.<String, Integer>empty().plus("a", 1);
        assertNull(map.get(5));
        assertNull(map.get(null));
        assertTrue(!map.containsKey(5));
        assertThrows(NoSuchElementException.class, () -> PersistentSortedMap.<String, Integer>empty().firstKey());
    }
}
