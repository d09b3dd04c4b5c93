package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.List;

import org.stratoslvs.api.ControlStatus.Step;


/** The steps of one apply as they happen; apply thread only. */
final class Steps {

    private final List<Step> steps = new ArrayList<>();

    /** A timed step: {@code text} says it for the status, e.g. "write 3 ms". */
    void add(Step.Kind kind, long millis, String text) {
        steps.add(new Step(kind, millis, text));
    }

    /** A timed step with typed detail (what an incremental validation checked). */
    void add(Step.Kind kind, long millis, String text, Step.Validated validated) {
        steps.add(new Step(kind, millis, text, validated));
    }

    /** A step without a duration of its own, e.g. "adopted pid 1234". */
    void add(Step.Kind kind, String text) {
        steps.add(new Step(kind, -1, text));
    }

    List<Step> list() {
        return List.copyOf(steps);
    }

    /** Whole milliseconds since {@code startNanos} ({@link System#nanoTime()}): how every step is timed. */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
