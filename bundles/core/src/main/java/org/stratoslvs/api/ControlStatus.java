package org.stratoslvs.api;

import java.time.Instant;
import java.util.List;

/**
 * keepalived control state.
 *
 * @param mode        managed, external or render-only
 * @param configPath  where keepalived.conf is written
 * @param keepalived  human-readable state of keepalived ("running pid 1234", "not installed: ...")
 * @param pid         keepalived's pid, or -1
 * @param reloads     reload signals sent
 * @param lastApplies the last few applies, newest last
 */
public record ControlStatus(String mode, String configPath, String keepalived, long pid, long reloads,
                            List<ApplyRecord> lastApplies) {

    /**
     * One apply.
     *
     * @param result  "applied", "unchanged", "rejected: ...", "write failed: ...", "reload failed: ..."
     * @param cause   the events or operator action that led to it
     * @param millis  total duration
     * @param steps   per-step durations, e.g. "validate 12 ms, write 3 ms, reload 1 ms"
     */
    public record ApplyRecord(Instant at, String result, String cause, long millis, String steps) {
    }

    public ApplyRecord lastApply() {
        return lastApplies.isEmpty() ? null : lastApplies.get(lastApplies.size() - 1);
    }
}
