package org.stratoslvs.core.collect;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable sorted map (natural key order) backed by a persistent AVL tree: {@link #plus} and {@link #minus}
 * return a new map in O(log n) that shares every untouched node with the old one.
 *
 * <p>Why: the topology snapshot is copy-on-write. With {@code TreeMap} copies, one member event on a cluster of
 * 10,000 members copied 10,000 entries; here it copies about 14 nodes, so old snapshots stay valid for readers
 * and an update costs the same in a huge cluster as in a small one.
 *
 * <p>The mutators of {@link Map} throw {@link UnsupportedOperationException}. {@link #equals} short-cuts when two
 * maps share the same tree, which makes comparing a snapshot with its unchanged successor cheap.
 */
public final class PersistentSortedMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
        implements SortedMap<K, V> {

    private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null);

    private final Node<K, V> root;
    private transient Set<Map.Entry<K, V>> entrySet;

    private PersistentSortedMap(Node<K, V> root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> empty() {
        return (PersistentSortedMap<K, V>) EMPTY;
    }

    /**
     * Returns {@code map} itself when it already is a persistent map, else a persistent copy (null counts as
     * empty). Null keys and values are refused.
     */
    @SuppressWarnings("unchecked")
    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> copyOf(Map<K, ? extends V> map) {
        if (map == null || map.isEmpty()) {
            return empty();
        }
        if (map instanceof PersistentSortedMap) {
            return (PersistentSortedMap<K, V>) map;
        }
        // Sorted input in natural order builds a perfectly balanced tree in O(n); anything else is sorted first.
        SortedMap<K, ? extends V> sorted;
        if (map instanceof SortedMap && ((SortedMap<K, ?>) map).comparator() == null) {
            sorted = (SortedMap<K, ? extends V>) map;
        } else {
            sorted = new TreeMap<>(map);
        }
        List<Map.Entry<K, ? extends V>> entries = new ArrayList<>(sorted.size());
        for (Map.Entry<K, ? extends V> e : sorted.entrySet()) {
            entries.add(e);
        }
        return new PersistentSortedMap<>(build(entries, 0, entries.size()));
    }

    private static <K extends Comparable<? super K>, V> Node<K, V> build(List<Map.Entry<K, ? extends V>> entries,
                                                                         int from, int to) {
        if (from >= to) {
            return null;
        }
        int mid = (from + to) >>> 1;
        Map.Entry<K, ? extends V> e = entries.get(mid);
        return Node.of(Objects.requireNonNull(e.getKey(), "key"), Objects.requireNonNull(e.getValue(), "value"),
                build(entries, from, mid), build(entries, mid + 1, to));
    }

    /** This map with {@code key} mapped to {@code value}; this same instance when that very value is already mapped. */
    public PersistentSortedMap<K, V> plus(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Node<K, V> newRoot = insert(root, key, value);
        return newRoot == root ? this : new PersistentSortedMap<>(newRoot);
    }

    /** This map without {@code key}; this same instance when the key is absent. */
    public PersistentSortedMap<K, V> minus(K key) {
        if (key == null || root == null) {
            return this;
        }
        Node<K, V> newRoot = delete(root, key);
        if (newRoot == root) {
            return this;
        }
        return newRoot == null ? empty() : new PersistentSortedMap<>(newRoot);
    }

    @Override
    public int size() {
        return root == null ? 0 : root.size;
    }

    /** The tree's height (0 when empty): for tests of the AVL balance. */
    int height() {
        return height(root);
    }

    @Override
    public boolean isEmpty() {
        return root == null;
    }

    @Override
    public V get(Object key) {
        Node<K, V> n = find(key);
        return n == null ? null : n.value;
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) != null;
    }

    @SuppressWarnings("unchecked")
    private Node<K, V> find(Object key) {
        if (key == null) {
            return null;
        }
        Comparable<? super K> k = (Comparable<? super K>) key;
        Node<K, V> n = root;
        while (n != null) {
            int c;
            try {
                c = k.compareTo(n.key);
            } catch (ClassCastException e) {
                return null;
            }
            if (c == 0) {
                return n;
            }
            n = c < 0 ? n.left : n.right;
        }
        return null;
    }

    @Override
    public Comparator<? super K> comparator() {
        return null;
    }

    @Override
    public K firstKey() {
        if (root == null) {
            throw new NoSuchElementException();
        }
        Node<K, V> n = root;
        while (n.left != null) {
            n = n.left;
        }
        return n.key;
    }

    @Override
    public K lastKey() {
        if (root == null) {
            throw new NoSuchElementException();
        }
        Node<K, V> n = root;
        while (n.right != null) {
            n = n.right;
        }
        return n.key;
    }

    // Range views are rare (shell, tests): served from a sorted copy rather than a second tree walker.
    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        Set<Map.Entry<K, V>> es = entrySet;
        if (es == null) {
            es = new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<K, V>> iterator() {
                    return new InOrder<>(root);
                }

                @Override
                public int size() {
                    return PersistentSortedMap.this.size();
                }
            };
            entrySet = es;
        }
        return es;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof PersistentSortedMap && ((PersistentSortedMap<?, ?>) o).root == root) {
            return true;
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    // ---- AVL with path copying ----

    private static <K extends Comparable<? super K>, V> Node<K, V> insert(Node<K, V> n, K key, V value) {
        if (n == null) {
            return Node.of(key, value, null, null);
        }
        int c = key.compareTo(n.key);
        if (c == 0) {
            // Identity only: a deep equals here would compare whole clusters on every member update.
            if (n.value == value) {
                return n;
            }
            return new Node<>(key, value, n.left, n.right, n.height, n.size);
        }
        if (c < 0) {
            Node<K, V> l = insert(n.left, key, value);
            return l == n.left ? n : balance(n.key, n.value, l, n.right);
        }
        Node<K, V> r = insert(n.right, key, value);
        return r == n.right ? n : balance(n.key, n.value, n.left, r);
    }

    private static <K extends Comparable<? super K>, V> Node<K, V> delete(Node<K, V> n, Object key) {
        if (n == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        int c = ((Comparable<? super K>) key).compareTo(n.key);
        if (c < 0) {
            Node<K, V> l = delete(n.left, key);
            return l == n.left ? n : balance(n.key, n.value, l, n.right);
        }
        if (c > 0) {
            Node<K, V> r = delete(n.right, key);
            return r == n.right ? n : balance(n.key, n.value, n.left, r);
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        Node<K, V> min = n.right;
        while (min.left != null) {
            min = min.left;
        }
        return balance(min.key, min.value, n.left, removeMin(n.right));
    }

    private static <K extends Comparable<? super K>, V> Node<K, V> removeMin(Node<K, V> n) {
        if (n.left == null) {
            return n.right;
        }
        return balance(n.key, n.value, removeMin(n.left), n.right);
    }

    private static int height(Node<?, ?> n) {
        return n == null ? 0 : n.height;
    }

    private static <K extends Comparable<? super K>, V> Node<K, V> balance(K key, V value, Node<K, V> l,
                                                                           Node<K, V> r) {
        int hl = height(l);
        int hr = height(r);
        if (hl > hr + 1) {
            if (height(l.left) >= height(l.right)) {
                return Node.of(l.key, l.value, l.left, Node.of(key, value, l.right, r));
            }
            Node<K, V> lr = l.right;
            return Node.of(lr.key, lr.value, Node.of(l.key, l.value, l.left, lr.left),
                    Node.of(key, value, lr.right, r));
        }
        if (hr > hl + 1) {
            if (height(r.right) >= height(r.left)) {
                return Node.of(r.key, r.value, Node.of(key, value, l, r.left), r.right);
            }
            Node<K, V> rl = r.left;
            return Node.of(rl.key, rl.value, Node.of(key, value, l, rl.left),
                    Node.of(r.key, r.value, rl.right, r.right));
        }
        return Node.of(key, value, l, r);
    }

    /** Tree node, doubling as the map entry handed out by iteration (immutable, so safe to share). */
    private static final class Node<K, V> implements Map.Entry<K, V> {
        final K key;
        final V value;
        final Node<K, V> left;
        final Node<K, V> right;
        final int height;
        final int size;

        Node(K key, V value, Node<K, V> left, Node<K, V> right, int height, int size) {
            this.key = key;
            this.value = value;
            this.left = left;
            this.right = right;
            this.height = height;
            this.size = size;
        }

        static <K, V> Node<K, V> of(K key, V value, Node<K, V> left, Node<K, V> right) {
            int hl = left == null ? 0 : left.height;
            int hr = right == null ? 0 : right.height;
            int size = 1 + (left == null ? 0 : left.size) + (right == null ? 0 : right.size);
            return new Node<>(key, value, left, right, Math.max(hl, hr) + 1, size);
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V v) {
            throw new UnsupportedOperationException("immutable");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ value.hashCode();
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private static final class InOrder<K, V> implements Iterator<Map.Entry<K, V>> {
        private final ArrayDeque<Node<K, V>> stack = new ArrayDeque<>();

        InOrder(Node<K, V> root) {
            pushLeft(root);
        }

        private void pushLeft(Node<K, V> n) {
            while (n != null) {
                stack.push(n);
                n = n.left;
            }
        }

        @Override
        public boolean hasNext() {
            return !stack.isEmpty();
        }

        @Override
        public Map.Entry<K, V> next() {
            if (stack.isEmpty()) {
                throw new NoSuchElementException();
            }
            Node<K, V> n = stack.pop();
            pushLeft(n.right);
            return n;
        }
    }
}
