package org.stratoslvs.api;

import java.time.Instant;
import java.util.List;

/**
 * keepalived control state.
 *
 * @param mode        managed, external or render-only
 * @param configPath  where keepalived.conf is written
 * @param keepalived  human-readable state of keepalived ("running pid 1234", "not installed: ...")
 * @param process     the same, typed
 * @param pid         keepalived's pid, or -1
 * @param reloads     reload signals sent
 * @param lastApplies the last few applies, newest last
 * @param heldBack    virtual servers of the latest rendering that keepalived -t rejected and that the applied file
 *                    therefore has at their last accepted version, or not at all (at most {@link #HELD_BACK_LISTED};
 *                    {@code heldBackTotal} counts them all)
 * @param heldBackTotal how many virtual servers are held back in all
 * @param retry       the retry planned for an apply that failed for a reason that can go away, or null
 */
public record ControlStatus(String mode, String configPath, String keepalived, ProcessState process, long pid,
                            long reloads, List<ApplyRecord> lastApplies, List<HeldBack> heldBack, int heldBackTotal,
                            Retry retry) {

    /** The most held-back virtual servers a status lists (one bad setting can hold back every block). */
    public static final int HELD_BACK_LISTED = 50;

    public ControlStatus {
        lastApplies = List.copyOf(lastApplies);
        heldBack = List.copyOf(heldBack);
    }

    /** A status with nothing held back and no retry planned; running when there is a pid. */
    public ControlStatus(String mode, String configPath, String keepalived, long pid, long reloads,
                         List<ApplyRecord> lastApplies) {
        this(mode, configPath, keepalived, pid > 0 ? ProcessState.RUNNING : ProcessState.NOT_STARTED, pid, reloads,
                lastApplies, List.of(), 0, null);
    }

    /** What keepalived control knows of the keepalived process. */
    public enum ProcessState {
        /** Managed: no config applied yet, so not started. */
        NOT_STARTED,
        /** Managed: being started. */
        STARTING,
        /** Running: our child, one we adopted, or the external one found through its pid file. */
        RUNNING,
        /** Managed: it exited and is restarted after a backoff. */
        RESTARTING,
        /** Managed: it cannot run here (not installed, no privileges, another keepalived owns the pid file). */
        CANNOT_RUN,
        /** Managed: stopped by us. */
        STOPPED,
        /** Managed: left running on shutdown (keepalived.stop.on.shutdown = false), for the next start to adopt. */
        LEFT_RUNNING,
        /** External: no live keepalived in the pid file. */
        NOT_FOUND,
        /** Render-only: keepalived is neither started nor signalled. */
        NOT_MANAGED
    }

    /** How an apply ended. */
    public enum Outcome {
        /** Validated, written, and keepalived started or signalled (or render-only: written). */
        APPLIED("applied", false),
        /**
         * Applied without the virtual servers keepalived -t rejected: those stay at their last accepted version (or
         * are left out when they never had one); see {@link ControlStatus#heldBack()}.
         */
        APPLIED_PARTLY("applied partly", false),
        /** The text equals the applied one: nothing to do. */
        UNCHANGED("unchanged", false),
        /** The audit found the applied file rejected and an earlier, wholly checked file was put back. */
        RESTORED("restored", false),
        /** keepalived -t rejected the text (or its global/VRRP part): the last good file stays. */
        REJECTED("rejected", false),
        /** keepalived -t gave no verdict (did not finish, could not run): retried. */
        NO_VERDICT("validation failed", true),
        /** The file could not be written (disk full, read-only): retried. */
        WRITE_FAILED("write failed", true),
        /** Written, but keepalived could not be started or signalled: retried. */
        RELOAD_FAILED("reload failed", true);

        private final String label;
        private final boolean retried;

        Outcome(String label, boolean retried) {
            this.label = label;
            this.retried = retried;
        }

        /** How the shell, JMX and the page name it. */
        public String label() {
            return label;
        }

        /** Whether the cause can go away by itself, so that keepalived control tries the apply again. */
        public boolean retried() {
            return retried;
        }

        /** Whether the applied file is now the text this apply concerned (possibly with blocks held back). */
        public boolean inForce() {
            return this == APPLIED || this == APPLIED_PARTLY || this == UNCHANGED;
        }
    }

    /**
     * One step of an apply: what it was, how long it took (-1 when it is not timed), and how the status says it,
     * e.g. "validate 12 ms (1 of 2000 virtual servers changed)".
     *
     * @param validated for a VALIDATE step that checked part of the file, how much; null for a whole-file check
     *                  and for every other step
     */
    public record Step(Kind kind, long millis, String text, Validated validated) {

        public Step(Kind kind, long millis, String text) {
            this(kind, millis, text, null);
        }

        /**
         * What an incremental {@code keepalived -t} checked: the virtual servers that changed since the last
         * accepted file, of how many the file has (with the global and VRRP part, which is always checked).
         */
        public record Validated(int checked, int of) {
        }

        /** What a step did. */
        public enum Kind {
            /** keepalived -t before the write (or its skipping). */
            VALIDATE,
            /** the search for the virtual servers keepalived -t rejects. */
            CONTAIN,
            /** the atomic write (or its failure). */
            WRITE,
            /** keepalived started, or one left running adopted. */
            START,
            /** keepalived signalled, or the reload command run. */
            RELOAD,
            /** anything else, e.g. how long a failed activation took. */
            OTHER
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * One apply.
     *
     * @param outcome  how it ended
     * @param detail   why, for anything but a plain success (keepalived's message, the write error, ...); may be empty
     * @param cause    the events or operator action that led to it
     * @param millis   total duration
     * @param stepList its steps in order, each with its duration
     */
    public record ApplyRecord(Instant at, Outcome outcome, String detail, String cause, long millis,
                              List<Step> stepList) {

        public ApplyRecord {
            detail = detail == null ? "" : detail;
            stepList = List.copyOf(stepList);
        }

        /** The steps as the status says them, e.g. "validate 12 ms (whole file), write 3 ms, reload 1 ms". */
        public String steps() {
            StringBuilder b = new StringBuilder();
            for (Step s : stepList) {
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append(s.text());
            }
            return b.toString();
        }

        /** The summed duration of the steps of {@code kind} that were timed, or -1 when there was none. */
        public long millisOf(Step.Kind kind) {
            long sum = -1;
            for (Step s : stepList) {
                if (s.kind() == kind && s.millis() >= 0) {
                    sum = Math.max(sum, 0) + s.millis();
                }
            }
            return sum;
        }

        /** The outcome's label, with the detail after a colon when there is one: "rejected: keepalived -t exit 5...". */
        public String result() {
            return detail.isEmpty() ? outcome.label() : outcome.label() + ": " + detail;
        }
    }

    /**
     * A virtual server held back from the applied file because keepalived -t rejected its block.
     *
     * @param virtualServer  address, port and protocol, e.g. "192.168.56.40 80 TCP"
     * @param service        the service its rendering comment names, or "" when there is none
     * @param members        the members named by keepalived's messages, with the file's line ("b (line 33)"), or ""
     * @param reason         keepalived's messages about the block, lines numbered as in the rendered file
     * @param since          when it was first rejected (it stays held back while every rendering of it is rejected)
     * @param previousKept   true when the applied file keeps its last accepted version; false when it is left out
     */
    public record HeldBack(String virtualServer, String service, String members, String reason, Instant since,
                           boolean previousKept) {
    }

    /**
     * A planned retry.
     *
     * @param attempt  the attempt it will be (1 for the first retry)
     * @param at       when it runs (sooner if a newer config is submitted: that apply supersedes it)
     * @param after    the outcome and detail of the failed apply
     */
    public record Retry(int attempt, Instant at, String after) {
    }

    public ApplyRecord lastApply() {
        return lastApplies.isEmpty() ? null : lastApplies.get(lastApplies.size() - 1);
    }
}
