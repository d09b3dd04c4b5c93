package org.stratoslvs.keepalived;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.LongSupplier;

/**
 * Decides when the next apply runs and what it covers. The first change after a quiet period is applied at once;
 * changes that arrive while an apply runs, or less than {@code reload.min.interval} after the last one ended, are
 * merged into the next apply: the latest text wins, a forced apply stays forced, causes are tallied. A burst of
 * thousands of submits thus costs a few applies, and the last text submitted is always the one applied in the end.
 *
 * <p>Pure decisions, no threads: {@link ApplyPipeline} calls it under its lock and runs what it says on its apply
 * thread, which is why it can be tested with a clock of the test's own.
 */
final class Coalescer {

    /** What one apply covers. */
    record Batch(String text, boolean force, String cause) {
    }

    private final LongSupplier nanoClock;
    private String text;
    private boolean force;
    private CauseTally causes = new CauseTally();
    private boolean scheduled;
    private boolean applying;
    private boolean appliedOnce;
    private long lastEnd;

    Coalescer(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Adds a change. Returns the delay (nanoseconds, ≥ 0) after which the caller must run an apply, or -1 when one is
     * already planned or running (that one, or the one after it, picks this change up).
     */
    long offer(String text, boolean force, String cause, Duration minInterval) {
        this.text = text;
        this.force |= force;
        causes.add(cause);
        return schedule(minInterval);
    }

    /** The planned apply starts: what it covers, or null when nothing is pending any more. */
    Batch take() {
        scheduled = false;
        if (text == null) {
            return null;
        }
        Batch b = new Batch(text, force, causes.toString());
        text = null;
        force = false;
        causes = new CauseTally();
        applying = true;
        return b;
    }

    /** The apply ended. Returns the delay for the next apply when changes came meanwhile, else -1. */
    long ended(Duration minInterval) {
        applying = false;
        appliedOnce = true;
        lastEnd = nanoClock.getAsLong();
        return text == null ? -1 : schedule(minInterval);
    }

    /** An apply is planned or running. */
    boolean busy() {
        return scheduled || applying;
    }

    /** A change waits for the next apply. */
    boolean pending() {
        return text != null;
    }

    /** Drops what waits and forgets what was planned (on close: nothing runs any more). */
    void clear() {
        text = null;
        force = false;
        causes = new CauseTally();
        scheduled = false;
        applying = false;
    }

    private long schedule(Duration minInterval) {
        if (scheduled || applying) {
            return -1;
        }
        scheduled = true;
        if (!appliedOnce) {
            return 0;
        }
        return Math.max(0, lastEnd + minInterval.toNanos() - nanoClock.getAsLong());
    }

    /** Causes merged into one apply: the first few distinct ones with their counts, and a total. */
    static final class CauseTally {
        private static final int DISTINCT = 5;
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private long total;
        private long dropped;

        void add(String cause) {
            String c = cause == null || cause.isBlank() ? "unspecified" : cause.strip();
            total++;
            if (counts.containsKey(c) || counts.size() < DISTINCT) {
                counts.merge(c, 1, Integer::sum);
            } else {
                dropped++;
            }
        }

        @Override
        public String toString() {
            StringJoiner j = new StringJoiner("; ");
            counts.forEach((c, n) -> j.add(n == 1 ? c : c + " x" + n));
            String s = j.toString();
            if (dropped > 0) {
                s += "; " + dropped + " more";
            }
            return total > 1 ? s + " (" + total + " changes merged)" : s;
        }
    }
}
