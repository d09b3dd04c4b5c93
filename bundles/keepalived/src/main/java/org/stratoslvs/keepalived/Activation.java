package org.stratoslvs.keepalived;

import org.stratoslvs.api.ControlStatus.ProcessState;

/**
 * How keepalived takes a file once it is written, one implementation per {@code keepalived.mode}: every start,
 * signal or reload command goes through here, so that {@link ApplyPipeline} only decides (Seesaw keeps its engine
 * apart from the one interface that touches IPVS in the same way). Tests of the pipeline's decisions put a stand-in
 * here; the real implementations are tested against a real keepalived.
 *
 * <p>Called on the apply thread only, except {@link #pid()} and {@link #describe()}, which the status reads from any
 * thread.
 */
public interface Activation {

    /**
     * @param failure  why keepalived did not take the file, or null when it did (or when there is nothing to signal)
     * @param reloaded whether a reload was sent (a signal, or the reload command ran)
     */
    record Result(String failure, boolean reloaded) {

        static Result ok(boolean reloaded) {
            return new Result(null, reloaded);
        }

        static Result failed(String why) {
            return new Result(why, false);
        }
    }

    /** Makes keepalived take the file just written; adds its step with its duration to {@code steps}. */
    Result activate(Steps steps);

    /** keepalived's pid, or -1. */
    long pid();

    /** keepalived's state for the status, e.g. "running pid 1234". */
    String describe();

    /** The same, typed. */
    ProcessState state();

    /** Ends this activation: a supervised keepalived is stopped ({@code stopKeepalived}) or left running. */
    void close(boolean stopKeepalived);

    /** Makes the activation for a mode. */
    @FunctionalInterface
    interface Factory {
        Activation create(KeepalivedSettings settings);
    }
}
