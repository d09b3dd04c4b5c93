package org.stratoslvs.core.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of one message left out for bad data (a member with an unusable address, a cluster without an id, ...),
 * so that one bad part never holds back the rest. Bounded whatever the message: the number left out per reason,
 * and the first {@value #SAMPLE_SIZE} with their detail. A message of millions of bad members therefore costs a
 * few counters, and its log line and status entry stay a few hundred characters (the detail of each
 * {@link Rejection} is itself made of quoted, cut values).
 */
public final class DroppedParts {

    /** How many parts are kept with their detail; the rest are only counted. */
    public static final int SAMPLE_SIZE = 10;

    public static final DroppedParts NONE = new DroppedParts(0, new int[RejectReason.values().length], List.of());

    private final int total;
    private final int[] byReason;
    private final List<Rejection> sample;

    private DroppedParts(int total, int[] byReason, List<Rejection> sample) {
        this.total = total;
        this.byReason = byReason;
        this.sample = sample;
    }

    /** For tests and callers that built their own list: the first {@value #SAMPLE_SIZE} kept, all counted. */
    public static DroppedParts of(List<Rejection> rejections) {
        Collector c = new Collector();
        rejections.forEach(c::add);
        return c.done();
    }

    /** How many parts were left out. */
    public int total() {
        return total;
    }

    public boolean isEmpty() {
        return total == 0;
    }

    /** The first parts left out, in message order, at most {@value #SAMPLE_SIZE}. */
    public List<Rejection> sample() {
        return sample;
    }

    /** Parts left out per reason (reasons with none absent), in the order of {@link RejectReason}. */
    public Map<RejectReason, Integer> byReason() {
        EnumMap<RejectReason, Integer> m = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            if (byReason[r.ordinal()] > 0) {
                m.put(r, byReason[r.ordinal()]);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** E.g. {@code 3 parts (UNUSABLE_IP 2, MISSING_FIELD 1): [UNUSABLE_IP: ..., ...]}, bounded. */
    @Override
    public String toString() {
        if (total == 0) {
            return "nothing";
        }
        StringBuilder sb = new StringBuilder().append(total).append(total == 1 ? " part (" : " parts (");
        String sep = "";
        for (Map.Entry<RejectReason, Integer> e : byReason().entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        sb.append("): ").append(sample);
        if (total > sample.size()) {
            sb.append(" and ").append(total - sample.size()).append(" more");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DroppedParts d && d.total == total && java.util.Arrays.equals(d.byReason, byReason)
                && d.sample.equals(sample);
    }

    @Override
    public int hashCode() {
        return total * 31 + sample.hashCode();
    }

    /** Collects while parsing; not thread-safe. */
    static final class Collector {
        private int total;
        private final int[] byReason = new int[RejectReason.values().length];
        private final List<Rejection> sample = new ArrayList<>();

        void add(Rejection r) {
            total++;
            byReason[r.reason().ordinal()]++;
            if (sample.size() < SAMPLE_SIZE) {
                sample.add(r);
            }
        }

        /** Adds what another collector gathered (the bad parts of a service that is kept). */
        void addAll(Collector other) {
            total += other.total;
            for (int i = 0; i < byReason.length; i++) {
                byReason[i] += other.byReason[i];
            }
            for (Rejection r : other.sample) {
                if (sample.size() >= SAMPLE_SIZE) {
                    break;
                }
                sample.add(r);
            }
        }

        DroppedParts done() {
            return total == 0 ? NONE : new DroppedParts(total, byReason.clone(), List.copyOf(sample));
        }
    }
}
