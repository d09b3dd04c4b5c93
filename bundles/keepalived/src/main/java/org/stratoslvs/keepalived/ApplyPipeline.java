package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;
import org.stratoslvs.api.ControlStatus.Retry;
import org.stratoslvs.api.ControlStatus.Step;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.keepalived.KeepalivedSettings.Mode;

/**
 * Makes keepalived converge on the latest submitted config: check it ({@link ValidationPolicy}: keepalived -t),
 * write it ({@link StagedWrite}: atomically, the temp file written while keepalived -t runs), and have keepalived take
 * it ({@link Activation}: start or reload, one implementation per mode). This class is the order of those steps and
 * the threads they run on; the decisions are each in a type of their own: when applies run and what they merge
 * ({@link Coalescer}), which virtual servers are held back when keepalived rejects some ({@link Containment}), when a
 * failed apply is tried again ({@link RetryPlan}), what the status lists ({@link ApplyHistory}).
 *
 * <p>Applies run one at a time on a single thread. A config keepalived rejects, or that cannot be written, leaves the
 * last good file and the running keepalived untouched; the reason is recorded in {@link #status()}. When keepalived
 * rejects only some {@code virtual_server} blocks, the rest is applied with those blocks at their last applied
 * version (or left out when they never had one), and {@link ControlStatus#heldBack()} names them; a rejected
 * global_defs or VRRP part still rejects the whole file. An apply that fails for a reason that can go away (the
 * write, keepalived -t giving no verdict, the start or reload) is tried again with exponential backoff until it
 * succeeds or a newer config supersedes it ({@link ControlStatus#retry()}); a rejected config is not retried: the
 * same text gets the same verdict.
 */
public final class ApplyPipeline implements KeepalivedControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);

    /**
     * Told on the apply thread when an apply ends, whatever its result. It exists for measurement: {@link #status()}
     * keeps wall-clock starts and whole milliseconds, and does not say which submitted text an apply concerned, so
     * it cannot time "event received to file durable and keepalived signalled". Must be quick; what it throws is
     * logged and otherwise ignored.
     */
    @FunctionalInterface
    public interface ApplyListener {
        /**
         * @param record   the record {@link #status()} lists for this apply
         * @param text     the submitted text this apply concerned: the very instance passed to {@link #submit}
         * @param endNanos {@link System#nanoTime()} when the apply ended: for "applied", after the atomic write
         *                 (fsync included) and after the start or reload signal (managed and external modes)
         */
        void applyEnded(ApplyRecord record, String text, long endNanos);
    }

    /**
     * What the pipeline acts through: how keepalived takes a file per mode, what checks a text (null: nothing to check
     * with), and the retry backoff. {@link #real} is the product's; tests of the decisions pass stand-ins.
     */
    public record Parts(Activation.Factory activations, Function<KeepalivedSettings, ConfigChecker> checkers,
                        Duration retryFirst, Duration retryMax) {

        /**
         * keepalived itself: a supervised child (managed), a pid file or reload command (external), nothing
         * (render-only); keepalived -t, skipped only in render-only mode where keepalived is not installed.
         */
        static Parts real(Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory, Path validateDir,
                          Duration retryFirst, Duration retryMax) {
            return new Parts(s -> switch (s.mode()) {
                case MANAGED -> new ManagedActivation(s, supervisorFactory);
                case EXTERNAL -> new ExternalActivation(s);
                default -> new RenderOnlyActivation();
            }, s -> s.mode() == Mode.RENDER_ONLY && !Files.isExecutable(s.binary()) ? null
                    : new KeepalivedValidator(s, validateDir), retryFirst, retryMax);
        }
    }

    private final Parts parts;
    private final ScheduledThreadPoolExecutor executor;
    /** Writes the candidate's temp file while the apply thread validates it. */
    private final ThreadPoolExecutor stager;
    private final AtomicConfigWriter writer = new AtomicConfigWriter();
    private final Path validateDir;
    private final ValidationPolicy validation;
    private final Containment containment = new Containment();
    private final ApplyHistory history = new ApplyHistory();

    private final Object lock = new Object();
    // guarded by lock
    private KeepalivedSettings settings;
    private ConfigChecker checker;
    private final Coalescer coalescer = new Coalescer(System::nanoTime);
    private final RetryPlan retries;
    private boolean closed;
    private int settingsSwapsQueued;
    private String lastSubmitted;
    private long applyRuns;
    // replaced only on the executor thread (and read by status() from any)
    private volatile Activation activation;

    private volatile String appliedText;
    // the submitted text whose apply is in force: appliedText itself, or the text it was made from by holding back
    // rejected virtual servers (so that submitting the same text again is "unchanged", not a new search)
    private volatile String appliedFrom;
    private volatile ApplyListener applyListener;

    public ApplyPipeline(KeepalivedSettings settings) {
        this(settings, KeepalivedSupervisor::new);
    }

    /** @param supervisorFactory makes the managed-mode supervisor (tests use shorter backoffs) */
    public ApplyPipeline(KeepalivedSettings settings,
                         Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory) {
        this(settings, supervisorFactory, RetryPlan.FIRST, RetryPlan.MAX);
    }

    /** @param retryFirst first delay before retrying a failed apply, doubling up to {@code retryMax} (tests: short) */
    public ApplyPipeline(KeepalivedSettings settings,
                         Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory,
                         Duration retryFirst, Duration retryMax) {
        this(settings, null, supervisorFactory, retryFirst, retryMax);
    }

    /** With stand-ins for keepalived (tests of the decisions, without root). */
    public ApplyPipeline(KeepalivedSettings settings, Parts parts) {
        this(settings, parts, null, null, null);
    }

    private ApplyPipeline(KeepalivedSettings settings, Parts given,
                          Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory,
                          Duration retryFirst, Duration retryMax) {
        try {
            this.validateDir = KeepalivedValidator.privateTempDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private temp directory for keepalived -t", e);
        }
        this.parts = given != null ? given : Parts.real(supervisorFactory, validateDir, retryFirst, retryMax);
        this.retries = new RetryPlan(parts.retryFirst(), parts.retryMax());
        this.settings = settings;
        this.checker = parts.checkers().apply(settings);
        this.activation = parts.activations().create(settings);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-apply");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.stager = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "keepalived-write");
            t.setDaemon(true);
            return t;
        });
        stager.allowCoreThreadTimeOut(true);
        this.validation = new ValidationPolicy(this::checker, () -> appliedText, this::auditRejected);
        for (String error : settings.errors()) {
            LOG.warn("keepalived settings: {}", error);
        }
    }

    @Override
    public void submit(String configText, String cause) {
        if (configText == null) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                LOG.debug("keepalived control is closed; ignoring config from {}", cause);
                return;
            }
            lastSubmitted = configText;
            enqueueLocked(configText, false, cause);
        }
    }

    @Override
    public void reload(String cause) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (lastSubmitted == null) {
                history.record(new ApplyRecord(Instant.now(), Outcome.RELOAD_FAILED,
                        "no config has been submitted yet", cause, 0, List.of()));
                return;
            }
            enqueueLocked(lastSubmitted, true, cause);
        }
    }

    @Override
    public String validate(String configText) {
        ConfigChecker c = checker();
        if (c == null) {
            KeepalivedSettings s = settings();
            return "keepalived -t cannot run: " + s.binary() + " is not installed";
        }
        return c.check(configText).rejection();
    }

    @Override
    public String appliedConfig() {
        return appliedText;
    }

    @Override
    public ControlStatus status() {
        KeepalivedSettings s;
        Retry planned;
        synchronized (lock) {
            s = settings;
            planned = retries.planned();
        }
        Activation a = activation;
        String text = a.describe();
        if (!s.errors().isEmpty()) {
            text += " (settings: " + String.join(" ", s.errors()) + ")";
        }
        text += validation.describe(s);
        return new ControlStatus(s.mode().key(), s.confPath().toString(), text, a.state(), a.pid(),
                history.reloads(), history.list(), containment.held(), containment.total(), planned);
    }

    /** Sets the one listener told about every apply that ends from now on; null removes it. */
    public void setApplyListener(ApplyListener listener) {
        applyListener = listener;
    }

    /** Number of applies run so far (each one merges all submits since the previous). */
    public long applyRuns() {
        synchronized (lock) {
            return applyRuns;
        }
    }

    /** Whole-file audits finished so far (a verdict or not). */
    public long auditsRun() {
        return validation.auditsRun();
    }

    public KeepalivedSettings settings() {
        synchronized (lock) {
            return settings;
        }
    }

    /** The managed keepalived's supervisor, or null before the first apply and in other modes. */
    public KeepalivedSupervisor supervisor() {
        return activation instanceof ManagedActivation m ? m.supervisor() : null;
    }

    /** What sends the external keepalived its reload signals (tests look at which way they went); null in other modes. */
    SighupSender sighup() {
        return activation instanceof ExternalActivation e ? e.sighup() : null;
    }

    /** Waits until nothing is pending or applying; false on timeout. A planned retry does not count. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (coalescer.busy() || coalescer.pending() || settingsSwapsQueued > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /**
     * Switches to new settings. A managed keepalived is restarted only when its command line or files changed
     * ({@link KeepalivedSettings#needsNewProcess}); then the last submitted config is applied again.
     */
    public void reconfigure(KeepalivedSettings newSettings) {
        for (String error : newSettings.errors()) {
            LOG.warn("keepalived settings: {}", error);
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            settingsSwapsQueued++;
            executor.execute(() -> {
                try {
                    swapSettings(newSettings);
                } finally {
                    synchronized (lock) {
                        settingsSwapsQueued--;
                        lock.notifyAll();
                    }
                }
            });
        }
    }

    private ConfigChecker checker() {
        synchronized (lock) {
            return checker;
        }
    }

    /** Apply thread. */
    private void swapSettings(KeepalivedSettings newSettings) {
        KeepalivedSettings old;
        synchronized (lock) {
            old = settings;
            settings = newSettings;
            checker = parts.checkers().apply(newSettings);
        }
        if (!newSettings.needsNewProcess(old)) {
            return;
        }
        LOG.info("keepalived settings changed how keepalived runs; applying the config again");
        activation.close(true);
        activation = parts.activations().create(newSettings);
        appliedText = null;
        appliedFrom = null;
        synchronized (lock) {
            if (lastSubmitted != null && !coalescer.pending()) {
                enqueueLocked(lastSubmitted, false, "settings changed");
            }
        }
    }

    /**
     * Stops applying (a pending change is dropped) and then stops keepalived or leaves it running, as
     * {@code keepalived.stop.on.shutdown} says.
     */
    @Override
    public void close() {
        KeepalivedSettings s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = settings;
            lock.notifyAll();
        }
        validation.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(s.validateTimeout().toMillis() + 15_000, TimeUnit.MILLISECONDS)) {
                LOG.warn("keepalived apply did not finish in time; interrupting it");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        stager.shutdown();
        activation.close(s.stopOnShutdown());
        synchronized (lock) {
            coalescer.clear();
            lock.notifyAll();
        }
        try {
            Files.deleteIfExists(validateDir);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", validateDir, e.getMessage());
        }
    }

    private void enqueueLocked(String text, boolean force, String cause) {
        if (closed) {
            return;
        }
        long delay = coalescer.offer(text, force, cause, settings.minInterval());
        if (delay >= 0) {
            executor.schedule(this::drain, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** Apply thread: runs one apply of what the coalescer merged. */
    private void drain() {
        Coalescer.Batch batch;
        KeepalivedSettings s;
        ConfigChecker c;
        synchronized (lock) {
            if (closed) {
                coalescer.clear();
                lock.notifyAll();
                return;
            }
            batch = coalescer.take();
            if (batch == null) {
                lock.notifyAll();
                return;
            }
            s = settings;
            c = checker;
        }
        try {
            ApplyRecord r;
            try {
                r = apply(batch.text(), batch.force(), batch.cause(), s, c);
            } catch (RuntimeException e) {
                LOG.error("keepalived apply failed unexpectedly", e);
                r = new ApplyRecord(Instant.now(), Outcome.RELOAD_FAILED, e.toString(), batch.cause(), 0, List.of());
            }
            // taken before recording, which logs: the listener times the apply, not our logging
            long end = System.nanoTime();
            history.record(r);
            planRetry(r);
            tellListener(r, batch.text(), end);
        } finally {
            synchronized (lock) {
                applyRuns++;
                long next = coalescer.ended(settings.minInterval());
                if (next >= 0 && !closed) {
                    executor.schedule(this::drain, next, TimeUnit.NANOSECONDS);
                }
                lock.notifyAll();
            }
        }
    }

    private void tellListener(ApplyRecord r, String text, long end) {
        ApplyListener listener = applyListener;
        if (listener == null) {
            return;
        }
        try {
            listener.applyEnded(r, text, end);
        } catch (RuntimeException e) {
            LOG.warn("apply listener {} failed", listener, e);
        }
    }

    private ApplyRecord apply(String text, boolean force, String cause, KeepalivedSettings s, ConfigChecker c) {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        Steps steps = new Steps();
        if (!force && text.equals(appliedFrom)) {
            return new ApplyRecord(at, Outcome.UNCHANGED, "", cause, Steps.millisSince(t0), List.of());
        }

        StagedWrite staged = stage(s, text);
        ValidationPolicy.Verdict verdict = check(staged, text, s, c, steps);
        String toWrite = text;
        Containment.Contained contained = null;
        if (verdict.rejection() != null) {
            staged.discard();
            if (verdict.noVerdict()) {
                return new ApplyRecord(at, Outcome.NO_VERDICT, verdict.rejection(), cause, Steps.millisSince(t0), steps.list());
            }
            contained = containment.contain(text, verdict.sections(), verdict.rejection(), c, appliedText, steps);
            if (contained.rejection() != null) {
                return new ApplyRecord(at, Outcome.REJECTED, contained.rejection(), cause, Steps.millisSince(t0), steps.list());
            }
            toWrite = contained.text();
            staged = stage(s, toWrite);
            ValidationPolicy.Verdict again = check(staged, toWrite, s, c, steps);
            if (again.rejection() != null) {
                staged.discard();
                return new ApplyRecord(at, again.noVerdict() ? Outcome.NO_VERDICT : Outcome.REJECTED,
                        again.noVerdict() ? again.rejection() : verdict.rejection()
                                + " (and with the rejected virtual servers held back: " + again.rejection() + ")",
                        cause, Steps.millisSince(t0), steps.list());
            }
            verdict = again;
        }

        try {
            staged.commit();
        } catch (AtomicConfigWriter.WriteException e) {
            steps.add(Step.Kind.WRITE, staged.millis(), "write failed after " + staged.millis() + " ms");
            return new ApplyRecord(at, Outcome.WRITE_FAILED, e.getMessage(), cause, Steps.millisSince(t0), steps.list());
        }
        steps.add(Step.Kind.WRITE, staged.millis(), "write " + staged.millis() + " ms (alongside keepalived -t; waited "
                + staged.waitedMillis() + " ms)");

        long t2 = System.nanoTime();
        String failure = activate(steps);
        if (failure != null) {
            steps.add(Step.Kind.OTHER, Steps.millisSince(t2), "took " + Steps.millisSince(t2) + " ms");
            return new ApplyRecord(at, Outcome.RELOAD_FAILED, failure, cause, Steps.millisSince(t0), steps.list());
        }
        appliedText = toWrite;
        appliedFrom = text;
        containment.hold(contained == null ? List.of() : contained.held());
        validation.applied(toWrite, verdict.wholeChecked(), s, c != null);
        if (contained != null) {
            return new ApplyRecord(at, Outcome.APPLIED_PARTLY, contained.summary(), cause, Steps.millisSince(t0), steps.list());
        }
        return new ApplyRecord(at, Outcome.APPLIED, "", cause, Steps.millisSince(t0), steps.list());
    }

    /** Starts writing {@code text}'s temp file on the writer thread, alongside keepalived -t. */
    private StagedWrite stage(KeepalivedSettings s, String text) {
        return new StagedWrite(stager, writer, s.confPath(), text);
    }

    /** Checks {@code text}; the staged write is discarded should the check itself fail unexpectedly. */
    private ValidationPolicy.Verdict check(StagedWrite staged, String text, KeepalivedSettings s, ConfigChecker c,
                                           Steps steps) {
        try {
            return validation.check(text, s, c, steps);
        } catch (RuntimeException e) {
            staged.discard();
            throw e;
        }
    }

    /** Makes keepalived take the written file; null on success, else why not. */
    private String activate(Steps steps) {
        Activation.Result r = activation.activate(steps);
        if (r.reloaded()) {
            history.countReload();
        }
        return r.failure();
    }

    /** Audit thread: the audit rejected the applied file; the restore runs on the apply thread. */
    private void auditRejected() {
        try {
            executor.execute(this::restoreAfterAudit);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Apply thread: puts back the last wholly checked file, then re-applies the latest config checked whole. The file
     * put back is checked again first, whole: what made the audit reject the applied file (the VRRP interface gone,
     * say) may reject it too, and then it stays out (it would bring back members that have left since).
     */
    private void restoreAfterAudit() {
        KeepalivedSettings s;
        ConfigChecker c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            s = settings;
            c = checker;
        }
        String restore = validation.restoreCandidate(appliedText);
        if (restore != null && c != null) {
            Instant at = Instant.now();
            long t0 = System.nanoTime();
            Steps steps = new Steps();
            String cause = "audit rejected the applied file";
            KeepalivedValidator.Result check = c.check(restore);
            steps.add(Step.Kind.VALIDATE, check.millis(), "validate " + check.millis() + " ms (whole file to restore)");
            ApplyRecord r;
            if (!check.accepted()) {
                r = new ApplyRecord(at, check.exitCode() < 0 ? Outcome.NO_VERDICT : Outcome.REJECTED,
                        "the last wholly checked file, not restored: " + check.message(), cause, Steps.millisSince(t0),
                        steps.list());
            } else {
                try {
                    long tw = System.nanoTime();
                    writer.write(s.confPath(), restore);
                    steps.add(Step.Kind.WRITE, Steps.millisSince(tw), "write " + Steps.millisSince(tw) + " ms");
                    String failure = activate(steps);
                    appliedText = restore;
                    appliedFrom = restore;
                    containment.hold(List.of());
                    r = failure == null ? new ApplyRecord(at, Outcome.RESTORED, "", cause, Steps.millisSince(t0), steps.list())
                            : new ApplyRecord(at, Outcome.RELOAD_FAILED, failure, cause, Steps.millisSince(t0), steps.list());
                } catch (AtomicConfigWriter.WriteException e) {
                    r = new ApplyRecord(at, Outcome.WRITE_FAILED, e.getMessage(), cause, Steps.millisSince(t0), steps.list());
                }
            }
            history.record(r);
        }
        synchronized (lock) {
            if (lastSubmitted != null) {
                enqueueLocked(lastSubmitted, true, "whole-file validation after a failed audit");
            }
        }
    }

    /**
     * Apply thread, after recording {@code r}: plans the next attempt when it failed for a reason that can go away.
     * The retry re-applies the latest submitted config (a newer one may have come meanwhile: that is the one that
     * should converge).
     */
    private void planRetry(ApplyRecord r) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Retry planned = retries.after(r, Instant.now());
            if (planned == null) {
                return;
            }
            try {
                executor.schedule(() -> retryNow(planned), retries.delay(planned.attempt()).toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void retryNow(Retry planned) {
        synchronized (lock) {
            if (closed || !retries.isCurrent(planned) || lastSubmitted == null) {
                return;
            }
            if (coalescer.pending() || coalescer.busy()) {
                // a newer config is on its way: its apply supersedes this retry (and plans another if it fails too)
                return;
            }
            enqueueLocked(lastSubmitted, false, "retry " + planned.attempt() + " after: " + planned.after());
        }
    }
}
