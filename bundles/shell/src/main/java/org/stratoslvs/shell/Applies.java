package org.stratoslvs.shell;

import java.util.List;

import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;

/** Helpers over keepalived control's apply history. */
final class Applies {

    private Applies() {
    }

    /** The applies whose config keepalived -t refused. */
    static List<ApplyRecord> rejected(List<ApplyRecord> applies) {
        return applies.stream().filter(a -> a.outcome() == Outcome.REJECTED).toList();
    }

    /**
     * Waits until the newest apply is one other than {@code before} whose cause names {@code cause} (applies
     * merge the causes of all changes they cover); returns it, or null after the timeout.
     */
    static ApplyRecord awaitNext(java.util.function.Supplier<ApplyRecord> newest, ApplyRecord before, String cause,
                                 long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            ApplyRecord now = newest.get();
            if (now != null && !now.equals(before) && now.cause().contains(cause)) {
                return now;
            }
            Thread.sleep(100);
        }
        return null;
    }
}
