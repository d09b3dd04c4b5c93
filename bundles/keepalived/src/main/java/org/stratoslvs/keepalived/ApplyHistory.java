package org.stratoslvs.keepalived;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;

/** The last applies and the reload count, for the status; each apply is logged once as it is recorded. Thread-safe. */
final class ApplyHistory {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
    static final int SIZE = 20;

    private final Deque<ApplyRecord> records = new ArrayDeque<>();
    private long reloads;

    synchronized void record(ApplyRecord r) {
        if (records.size() == SIZE) {
            records.removeFirst();
        }
        records.addLast(r);
        if (r.outcome() == Outcome.APPLIED || r.outcome() == Outcome.UNCHANGED
                || r.outcome() == Outcome.APPLIED_PARTLY) {
            LOG.info("keepalived config {} in {} ms ({}) [{}]", r.result(), r.millis(), r.steps(), r.cause());
        } else {
            LOG.warn("keepalived config {} [{}; {}]", r.result(), r.cause(), r.steps());
        }
    }

    synchronized void countReload() {
        reloads++;
    }

    synchronized long reloads() {
        return reloads;
    }

    /** Oldest first. */
    synchronized List<ApplyRecord> list() {
        return List.copyOf(records);
    }
}
