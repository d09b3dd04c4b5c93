package org.stratoslvs.render;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Real-server weights of a service: {@code lvs.weight} for every member, except members of the Stratos partitions
 * {@code lvs.weight.partition} names. Partitions are where members differ in capacity (another zone, another
 * flavour), and the operator knows them ahead, unlike member ids; weighted schedulers (wrr, wlc, sed, ...) honour
 * the difference, and the quorum is the sum over the real servers rendered.
 *
 * @param standard    the weight of members of every other partition (or none), 1-65535
 * @param byPartition partition id → weight 1-65535, sorted (so equal settings are equal records)
 */
public record Weights(int standard, SortedMap<String, Integer> byPartition) {

    public static final int MIN = 1;
    public static final int MAX = 65535;

    public Weights {
        byPartition = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byPartition));
    }

    public static Weights of(int standard) {
        return new Weights(standard, new TreeMap<>());
    }

    /** The weight a member of {@code partitionId} (null: the member names none) gets. */
    public int of(String partitionId) {
        Integer w = partitionId == null ? null : byPartition.get(partitionId);
        return w == null ? standard : w;
    }

    Weights withStandard(int newStandard) {
        return new Weights(newStandard, byPartition);
    }
}
