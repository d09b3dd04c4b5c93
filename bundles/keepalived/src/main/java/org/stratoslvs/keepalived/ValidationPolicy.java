package org.stratoslvs.keepalived;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus.Step;

/**
 * What keepalived -t checks before an apply, and the background audit that checks the reasoning behind it.
 *
 * <p>Incremental by default ({@link IncrementalValidator}): the virtual servers that changed, with the unchanged
 * head. The audit checks the whole applied file with keepalived -t at most once per
 * {@code keepalived.validate.audit.interval}, off the apply path; should it ever reject a file the incremental check
 * accepted, incremental validation is switched off for good and the owner is told (it restores the last wholly checked
 * file, {@link #restoreCandidate}, once keepalived -t accepts that file again, and re-applies under whole-file checks).
 *
 * <p>{@link #check} and {@link #applied} run on the apply thread; the audit on a thread of its own.
 */
final class ValidationPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);

    /**
     * What validation said: {@code rejection} null when accepted; {@code noVerdict} when keepalived -t could not run
     * or finish; {@code wholeChecked} when keepalived -t saw it all; {@code sections} the text cut into blocks when
     * validation cut it, else null.
     */
    record Verdict(String rejection, boolean noVerdict, boolean wholeChecked, ConfigSections sections) {
    }

    private final ScheduledThreadPoolExecutor auditor;
    private final Supplier<ConfigChecker> checker;
    private final Supplier<String> applied;
    private final Runnable onAuditRejected;

    private final Object lock = new Object();
    // guarded by lock
    private boolean closed;
    private boolean auditScheduled;
    private long lastAuditStart;
    private long audits;
    private long auditsDone;
    private String auditFailure;
    private String lastAudit;

    // apply thread only
    private IncrementalValidator incremental;
    // the latest applied text that keepalived -t checked whole (before applying, or in an audit)
    private volatile String lastWholeCheckedText;
    // set (for good) when an audit contradicts incremental validation
    private volatile boolean incrementalOff;

    /**
     * @param checker         the checker in force (the audit reads it when it runs); null while there is none
     * @param applied         the applied text, which the audit checks
     * @param onAuditRejected told (on the audit thread) when the audit rejects the applied file
     */
    ValidationPolicy(Supplier<ConfigChecker> checker, Supplier<String> applied, Runnable onAuditRejected) {
        this.checker = checker;
        this.applied = applied;
        this.onAuditRejected = onAuditRejected;
        this.auditor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-audit");
            t.setDaemon(true);
            return t;
        });
        auditor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Checks {@code text} with {@code c} (null: nothing to check with, e.g. render-only without keepalived). */
    Verdict check(String text, KeepalivedSettings s, ConfigChecker c, Steps steps) {
        if (c == null) {
            steps.add(Step.Kind.VALIDATE, "validate skipped (" + s.binary() + " not installed)");
            return new Verdict(null, false, false, null);
        }
        if (incremental == null || incremental.validator() != c) {
            incremental = new IncrementalValidator(c);
        }
        IncrementalValidator.Outcome outcome = incremental.validate(text,
                s.validateScope() == KeepalivedSettings.ValidateScope.CHANGED && !incrementalOff);
        KeepalivedValidator.Result result = outcome.result();
        steps.add(Step.Kind.VALIDATE, result.millis(), outcome.step(), outcome.validated());
        if (!result.accepted()) {
            return new Verdict(result.message(), result.exitCode() < 0, false, outcome.sections());
        }
        if (!result.message().isEmpty()) {
            LOG.info("keepalived -t accepted the config with remarks: {}", result.message());
        }
        return new Verdict(null, false, outcome.complete(), outcome.sections());
    }

    /** {@code text} is now applied; an audit is planned unless keepalived -t saw it whole (or cannot run). */
    void applied(String text, boolean wholeChecked, KeepalivedSettings s, boolean canAudit) {
        if (wholeChecked) {
            lastWholeCheckedText = text;
        } else if (canAudit) {
            scheduleAudit(s);
        }
    }

    /** The file to put back after a failed audit: the last wholly checked one, when it differs from {@code applied}. */
    String restoreCandidate(String appliedNow) {
        String restore = lastWholeCheckedText;
        return restore != null && !restore.equals(appliedNow) ? restore : null;
    }

    /** Whole-file audits finished so far (a verdict or not). */
    long auditsRun() {
        synchronized (lock) {
            return auditsDone;
        }
    }

    /** For the status: " (whole-file validation only: ...)", the last audit's verdict, or "". */
    String describe(KeepalivedSettings s) {
        synchronized (lock) {
            if (auditFailure != null) {
                return " (whole-file validation only: " + auditFailure + ")";
            }
            if (s.validateScope() == KeepalivedSettings.ValidateScope.CHANGED && lastAudit != null) {
                return " (keepalived -t checks the changed virtual servers; last whole-file audit: " + lastAudit + ")";
            }
            return "";
        }
    }

    void close() {
        synchronized (lock) {
            closed = true;
        }
        auditor.shutdownNow();
    }

    /** Plans a whole-file keepalived -t of the applied file, at most once per audit interval, off the apply path. */
    private void scheduleAudit(KeepalivedSettings s) {
        synchronized (lock) {
            if (auditScheduled || closed) {
                return;
            }
            auditScheduled = true;
            long delay = audits == 0 ? 0
                    : Math.max(0, lastAuditStart + s.auditInterval().toNanos() - System.nanoTime());
            try {
                auditor.schedule(this::audit, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void audit() {
        ConfigChecker c = checker.get();
        synchronized (lock) {
            auditScheduled = false;
            lastAuditStart = System.nanoTime();
            audits++;
        }
        try {
            if (c != null) {
                auditText(c, applied.get());
            }
        } finally {
            synchronized (lock) {
                auditsDone++;
            }
        }
    }

    private void auditText(ConfigChecker c, String text) {
        if (text == null || text.equals(lastWholeCheckedText)) {
            return;
        }
        KeepalivedValidator.Result r = c.check(text);
        String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (r.accepted()) {
            lastWholeCheckedText = text;
            synchronized (lock) {
                lastAudit = "accepted at " + when + " in " + r.millis() + " ms";
            }
            return;
        }
        if (Thread.currentThread().isInterrupted() || r.exitCode() < 0) {
            // closing, or keepalived -t could not run or finish: no verdict on the file
            synchronized (lock) {
                if (closed) {
                    return;
                }
                lastAudit = "no verdict at " + when + " (" + r.message() + ")";
            }
            LOG.warn("keepalived -t audit of the applied file gave no verdict: {}", r.message());
            return;
        }
        String why = "keepalived -t of the whole applied file rejected what the incremental check had accepted: "
                + r.message();
        LOG.error("{}; restoring the last wholly checked file (once keepalived -t accepts it) and validating whole "
                + "files from now on", why);
        synchronized (lock) {
            auditFailure = why;
        }
        incrementalOff = true;
        onAuditRejected.run();
    }
}
