package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
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
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.keepalived.KeepalivedSettings.Mode;

/**
 * Makes keepalived converge on the latest submitted config: validate ({@code keepalived -t}), write atomically,
 * then start keepalived or make it reload, as the mode says.
 *
 * <p>Applies run one at a time on a single thread. The first change after a quiet period is applied at once;
 * changes that arrive while an apply runs, or less than {@code reload.min.interval} after the last one ended, are
 * merged into the next apply (latest text wins, causes are tallied). A burst of thousands of submits thus costs a
 * few applies, and the last text submitted is always the one applied in the end.
 *
 * <p>A config keepalived rejects, or that cannot be written, leaves the last good file and the running keepalived
 * untouched; the reason is recorded in {@link #status()}.
 *
 * <p>Validation is incremental by default ({@link IncrementalValidator}): keepalived -t checks the virtual servers
 * that changed, with the unchanged head. A background audit checks the whole applied file with keepalived -t at most
 * once per {@code keepalived.validate.audit.interval}; should it ever reject a file the incremental check accepted,
 * the last wholly checked file is restored, incremental validation is switched off, and the latest config is
 * applied again under whole-file validation.
 */
public final class ApplyPipeline implements KeepalivedControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
    private static final int HISTORY = 20;

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

    private final ScheduledThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor auditor;
    /** Writes the candidate's temp file while the apply thread validates it. */
    private final ThreadPoolExecutor stager;
    private final Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory;
    private final AtomicConfigWriter writer = new AtomicConfigWriter();
    private final Path validateDir;
    /** SIGHUP for an external keepalived (pid file); the managed one's supervisor has its own. */
    private final SighupSender hup = new SighupSender();

    private final Object lock = new Object();
    // guarded by lock
    private KeepalivedSettings settings;
    private KeepalivedValidator validator;
    private String pendingText;
    private boolean pendingForce;
    private CauseTally pendingCauses = new CauseTally();
    private boolean scheduled;
    private boolean applying;
    private long lastApplyEnd;
    private boolean appliedOnce;
    private boolean closed;
    private int settingsSwapsQueued;
    private String lastSubmitted;
    private boolean auditScheduled;
    private long lastAuditStart;
    private long audits;
    private long auditsDone;
    private String auditFailure;
    private String lastAudit;
    private long reloads;
    private long applyRuns;
    private final Deque<ApplyRecord> history = new ArrayDeque<>();
    // replaced only on the executor thread (and in close, after the executor stopped); read by status()
    private volatile KeepalivedSupervisor supervisor;

    private volatile String appliedText;
    private volatile ApplyListener applyListener;
    // apply thread only
    private IncrementalValidator incremental;
    // the latest applied text that keepalived -t checked whole (before applying, or in an audit)
    private volatile String lastWholeCheckedText;
    // set (for good) when an audit contradicts incremental validation
    private volatile boolean incrementalOff;

    public ApplyPipeline(KeepalivedSettings settings) {
        this(settings, KeepalivedSupervisor::new);
    }

    /** @param supervisorFactory makes the managed-mode supervisor (tests use shorter backoffs) */
    public ApplyPipeline(KeepalivedSettings settings,
                         Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory) {
        this.supervisorFactory = supervisorFactory;
        try {
            this.validateDir = KeepalivedValidator.privateTempDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private temp directory for keepalived -t", e);
        }
        this.settings = settings;
        this.validator = new KeepalivedValidator(settings, validateDir);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-apply");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.auditor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-audit");
            t.setDaemon(true);
            return t;
        });
        auditor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.stager = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "keepalived-write");
            t.setDaemon(true);
            return t;
        });
        stager.allowCoreThreadTimeOut(true);
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
                recordLocked(new ApplyRecord(Instant.now(), "reload failed: no config has been submitted yet",
                        cause, 0, ""));
                return;
            }
            enqueueLocked(lastSubmitted, true, cause);
        }
    }

    @Override
    public String validate(String configText) {
        KeepalivedValidator v;
        synchronized (lock) {
            v = validator;
        }
        return v.validate(configText).rejection();
    }

    @Override
    public String appliedConfig() {
        return appliedText;
    }

    @Override
    public ControlStatus status() {
        KeepalivedSettings s;
        List<ApplyRecord> records;
        long r;
        synchronized (lock) {
            s = settings;
            records = List.copyOf(history);
            r = reloads;
        }
        String text;
        long pid;
        KeepalivedSupervisor sup = supervisor;
        switch (s.mode()) {
            case MANAGED -> {
                pid = sup == null ? -1 : sup.pid();
                text = sup == null ? "not started (no config applied yet)" : sup.describe();
            }
            case EXTERNAL -> {
                OptionalLong live = Processes.livePidFrom(s.pidFile());
                pid = live.orElse(-1);
                text = (live.isPresent() ? "external, running pid " + pid
                        : "external, no running keepalived in " + s.pidFile())
                        + (s.reloadCommand().isEmpty() ? "" : "; reloaded by: " + String.join(" ", s.reloadCommand()));
            }
            default -> {
                pid = -1;
                text = "render-only: keepalived is not started or signalled";
            }
        }
        if (!s.errors().isEmpty()) {
            text += " (settings: " + String.join(" ", s.errors()) + ")";
        }
        String failure;
        String audit;
        synchronized (lock) {
            failure = auditFailure;
            audit = lastAudit;
        }
        if (failure != null) {
            text += " (whole-file validation only: " + failure + ")";
        } else if (s.validateScope() == KeepalivedSettings.ValidateScope.CHANGED && audit != null) {
            text += " (keepalived -t checks the changed virtual servers; last whole-file audit: " + audit + ")";
        }
        return new ControlStatus(s.mode().key(), s.confPath().toString(), text, pid, r, records);
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
        synchronized (lock) {
            return auditsDone;
        }
    }

    public KeepalivedSettings settings() {
        synchronized (lock) {
            return settings;
        }
    }

    /** The managed keepalived's supervisor, or null before the first apply and in other modes. */
    public KeepalivedSupervisor supervisor() {
        return supervisor;
    }

    /** What sends the external keepalived its reload signals (tests look at which way they went). */
    SighupSender sighup() {
        return hup;
    }

    /** Waits until nothing is pending or applying; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (scheduled || applying || pendingText != null || settingsSwapsQueued > 0) {
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

    private void swapSettings(KeepalivedSettings newSettings) {
        KeepalivedSettings old;
        synchronized (lock) {
            old = settings;
            settings = newSettings;
            validator = new KeepalivedValidator(newSettings, validateDir);
        }
        if (newSettings.mode() != Mode.EXTERNAL || !newSettings.reloadCommand().isEmpty()) {
            // no external keepalived to signal any more
            hup.drop();
        }
        if (!newSettings.needsNewProcess(old)) {
            return;
        }
        LOG.info("keepalived settings changed how keepalived runs; applying the config again");
        if (supervisor != null) {
            supervisor.stop();
            supervisor = null;
        }
        appliedText = null;
        synchronized (lock) {
            if (lastSubmitted != null && pendingText == null) {
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
        auditor.shutdownNow();
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
        hup.close();
        stager.shutdown();
        KeepalivedSupervisor sup = supervisor;
        if (sup != null) {
            if (s.stopOnShutdown()) {
                sup.stop();
            } else {
                sup.detach();
            }
        }
        synchronized (lock) {
            pendingText = null;
            scheduled = false;
            lock.notifyAll();
        }
        try {
            Files.deleteIfExists(validateDir);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", validateDir, e.getMessage());
        }
    }

    /**
     * Makes {@code text} the next to apply (the latest wins), tallies the cause, and schedules the apply. A forced
     * apply (reload even when unchanged) stays forced when a later text replaces it.
     */
    private void enqueueLocked(String text, boolean force, String cause) {
        pendingText = text;
        pendingForce |= force;
        pendingCauses.add(cause);
        scheduleLocked();
    }

    private void scheduleLocked() {
        if (scheduled || applying || closed) {
            return;
        }
        scheduled = true;
        long delay = 0;
        if (appliedOnce) {
            delay = Math.max(0, lastApplyEnd + settings.minInterval().toNanos() - System.nanoTime());
        }
        executor.schedule(this::drain, delay, TimeUnit.NANOSECONDS);
    }

    private void drain() {
        String text;
        boolean force;
        String cause;
        KeepalivedSettings s;
        KeepalivedValidator v;
        synchronized (lock) {
            scheduled = false;
            if (pendingText == null || closed) {
                lock.notifyAll();
                return;
            }
            text = pendingText;
            force = pendingForce;
            cause = pendingCauses.toString();
            pendingText = null;
            pendingForce = false;
            pendingCauses = new CauseTally();
            applying = true;
            s = settings;
            v = validator;
        }
        try {
            ApplyRecord r;
            try {
                r = apply(text, force, cause, s, v);
            } catch (RuntimeException e) {
                LOG.error("keepalived apply failed unexpectedly", e);
                r = new ApplyRecord(Instant.now(), "reload failed: " + e, cause, 0, "");
            }
            // taken before recording, which logs: the listener times the apply, not our logging
            long end = System.nanoTime();
            record(r);
            tellListener(r, text, end);
        } finally {
            synchronized (lock) {
                applying = false;
                appliedOnce = true;
                lastApplyEnd = System.nanoTime();
                applyRuns++;
                if (pendingText != null) {
                    scheduleLocked();
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

    private ApplyRecord apply(String text, boolean force, String cause, KeepalivedSettings s, KeepalivedValidator v) {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        StringJoiner steps = new StringJoiner(", ");
        if (!force && text.equals(appliedText)) {
            return new ApplyRecord(at, "unchanged", cause, ms(t0), "");
        }

        // The temp file is written and synced while keepalived -t runs (disk and a process in parallel); it is put in
        // place only once the text is accepted, and removed otherwise.
        Staging staging = new Staging(s.confPath(), text);
        Verdict verdict;
        try {
            verdict = validate(text, s, v, steps);
        } catch (RuntimeException e) {
            staging.discard();
            throw e;
        }
        if (verdict.rejection() != null) {
            staging.discard();
            return new ApplyRecord(at, "rejected: " + verdict.rejection(), cause, ms(t0), steps.toString());
        }
        boolean wholeChecked = verdict.wholeChecked();

        try {
            staging.commit();
        } catch (AtomicConfigWriter.WriteException e) {
            steps.add("write failed after " + staging.millis() + " ms");
            return new ApplyRecord(at, "write failed: " + e.getMessage(), cause, ms(t0), steps.toString());
        }
        steps.add("write " + staging.millis() + " ms (alongside keepalived -t; waited " + staging.waitedMillis()
                + " ms)");

        long t2 = System.nanoTime();
        String failure = activate(s, steps);
        if (failure != null) {
            steps.add("took " + ms(t2) + " ms");
            return new ApplyRecord(at, "reload failed: " + failure, cause, ms(t0), steps.toString());
        }
        appliedText = text;
        if (wholeChecked) {
            lastWholeCheckedText = text;
        } else if (s.mode() != Mode.RENDER_ONLY || Files.isExecutable(s.binary())) {
            scheduleAudit(s);
        }
        return new ApplyRecord(at, "applied", cause, ms(t0), steps.toString());
    }

    /** What validation said: {@code rejection} null when accepted; {@code wholeChecked} when keepalived -t saw it all. */
    private record Verdict(String rejection, boolean wholeChecked) {
    }

    private Verdict validate(String text, KeepalivedSettings s, KeepalivedValidator v, StringJoiner steps) {
        if (s.mode() == Mode.RENDER_ONLY && !Files.isExecutable(s.binary())) {
            // render-only may run where keepalived is not installed (the file is used elsewhere)
            steps.add("validate skipped (" + s.binary() + " not installed)");
            return new Verdict(null, false);
        }
        if (incremental == null || incremental.validator() != v) {
            incremental = new IncrementalValidator(v);
        }
        IncrementalValidator.Outcome outcome = incremental.validate(text,
                s.validateScope() == KeepalivedSettings.ValidateScope.CHANGED && !incrementalOff);
        KeepalivedValidator.Result check = outcome.result();
        steps.add(outcome.step());
        if (!check.accepted()) {
            return new Verdict(check.message(), false);
        }
        if (!check.message().isEmpty()) {
            LOG.info("keepalived -t accepted the config with remarks: {}", check.message());
        }
        return new Verdict(null, outcome.complete());
    }

    /**
     * One candidate's temp file, written and synced on the writer thread from construction on; apply thread only.
     * {@link #millis} is the write's own duration (temp file, sync, rename, directory sync), {@link #waitedMillis}
     * what the apply thread waited for it after validating.
     */
    private final class Staging {
        private final Future<AtomicConfigWriter.Staged> written;
        private long writeNanos;
        private long waitedNanos;

        Staging(Path target, String text) {
            Callable<AtomicConfigWriter.Staged> task = () -> {
                long start = System.nanoTime();
                try {
                    return writer.stage(target, text);
                } finally {
                    writeNanos = System.nanoTime() - start;
                }
            };
            Future<AtomicConfigWriter.Staged> f;
            try {
                f = stager.submit(task);
            } catch (RejectedExecutionException e) {
                // closing: write on this thread
                FutureTask<AtomicConfigWriter.Staged> now = new FutureTask<>(task);
                now.run();
                f = now;
            }
            written = f;
        }

        void commit() throws AtomicConfigWriter.WriteException {
            long start = System.nanoTime();
            AtomicConfigWriter.Staged staged = await();
            waitedNanos = System.nanoTime() - start;
            long commitStart = System.nanoTime();
            try {
                staged.commit();
            } finally {
                writeNanos += System.nanoTime() - commitStart;
                waitedNanos += System.nanoTime() - commitStart;
            }
        }

        void discard() {
            try {
                await().discard();
            } catch (AtomicConfigWriter.WriteException e) {
                // nothing was staged
            }
        }

        long millis() {
            return writeNanos / 1_000_000;
        }

        long waitedMillis() {
            return waitedNanos / 1_000_000;
        }

        private AtomicConfigWriter.Staged await() throws AtomicConfigWriter.WriteException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return written.get();
                    } catch (InterruptedException e) {
                        // the write is short and bounded by the disk; finish it rather than leave a temp file
                        interrupted = true;
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AtomicConfigWriter.WriteException w) {
                    throw w;
                }
                throw new IllegalStateException("writing the config failed unexpectedly", e.getCause());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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
            auditor.schedule(this::audit, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void audit() {
        KeepalivedValidator v;
        synchronized (lock) {
            auditScheduled = false;
            lastAuditStart = System.nanoTime();
            audits++;
            v = validator;
        }
        try {
            auditText(v, appliedText);
        } finally {
            synchronized (lock) {
                auditsDone++;
            }
        }
    }

    private void auditText(KeepalivedValidator v, String text) {
        if (text == null || text.equals(lastWholeCheckedText)) {
            return;
        }
        KeepalivedValidator.Result r = v.validate(text);
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
        LOG.error("{}; restoring the last wholly checked file and validating whole files from now on", why);
        synchronized (lock) {
            auditFailure = why;
        }
        incrementalOff = true;
        try {
            executor.execute(this::restoreAfterAudit);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Apply thread: puts back the last wholly checked file, then re-applies the latest config checked whole. */
    private void restoreAfterAudit() {
        KeepalivedSettings s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            s = settings;
        }
        String restore = lastWholeCheckedText;
        if (restore != null && !restore.equals(appliedText)) {
            Instant at = Instant.now();
            long t0 = System.nanoTime();
            StringJoiner steps = new StringJoiner(", ");
            ApplyRecord r;
            try {
                writer.write(s.confPath(), restore);
                steps.add("write " + ms(t0) + " ms");
                String failure = activate(s, steps);
                appliedText = restore;
                r = new ApplyRecord(at, failure == null ? "restored" : "reload failed: " + failure,
                        "audit rejected the applied file", ms(t0), steps.toString());
            } catch (AtomicConfigWriter.WriteException e) {
                r = new ApplyRecord(at, "write failed: " + e.getMessage(), "audit rejected the applied file",
                        ms(t0), steps.toString());
            }
            record(r);
        }
        synchronized (lock) {
            if (lastSubmitted != null) {
                enqueueLocked(lastSubmitted, true, "whole-file validation after a failed audit");
            }
        }
    }

    /** Makes keepalived take the written file; null on success, else why not. Adds its step to {@code steps}. */
    private String activate(KeepalivedSettings s, StringJoiner steps) {
        long t = System.nanoTime();
        if (s.mode() == Mode.RENDER_ONLY) {
            return null;
        }
        if (s.mode() == Mode.MANAGED) {
            if (supervisor == null) {
                supervisor = supervisorFactory.apply(s);
            }
            if (!supervisor.isStarted()) {
                if (!supervisor.start()) {
                    steps.add("start " + ms(t) + " ms");
                    return null;
                }
                // adopted a keepalived left running earlier: it still runs the old file
                steps.add("adopted pid " + supervisor.pid());
                t = System.nanoTime();
            }
            if (!supervisor.isRunning()) {
                supervisor.kick();
                return "keepalived is not running (" + supervisor.describe() + "); it reads the new file when it "
                        + "starts again";
            }
            try {
                long pid = supervisor.pid();
                supervisor.reload();
                countReload();
                steps.add("reload (SIGHUP pid " + pid + ") " + ms(t) + " ms");
                return null;
            } catch (IOException e) {
                return e.getMessage();
            }
        }
        // external
        try {
            if (!s.reloadCommand().isEmpty()) {
                Processes.Run run = Processes.run(s.reloadCommand(), s.validateTimeout());
                if (run.timedOut()) {
                    return "reload command did not finish within " + s.validateTimeout().toMillis() + " ms";
                }
                if (run.exitCode() != 0) {
                    return "reload command exit " + run.exitCode() + ": " + run.output().strip();
                }
                countReload();
                steps.add("reload command " + ms(t) + " ms");
                return null;
            }
            OptionalLong pid = Processes.livePidFrom(s.pidFile());
            if (pid.isEmpty()) {
                return "no running keepalived found through " + s.pidFile() + " (the new file is written; "
                        + "keepalived reads it when it starts)";
            }
            if (!Processes.handlesSighup(pid.getAsLong())) {
                return "keepalived pid " + pid.getAsLong() + " does not handle SIGHUP yet";
            }
            hup.signal(pid.getAsLong());
            countReload();
            steps.add("reload (SIGHUP pid " + pid.getAsLong() + ") " + ms(t) + " ms");
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private void countReload() {
        synchronized (lock) {
            reloads++;
        }
    }

    private void record(ApplyRecord r) {
        synchronized (lock) {
            recordLocked(r);
        }
    }

    private void recordLocked(ApplyRecord r) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(r);
        if (r.result().equals("applied") || r.result().equals("unchanged")) {
            LOG.info("keepalived config {} in {} ms ({}) [{}]", r.result(), r.millis(), r.steps(), r.cause());
        } else {
            LOG.warn("keepalived config {} [{}; {}]", r.result(), r.cause(), r.steps());
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    /** Causes merged into one apply: the first few distinct ones with their counts, and a total. */
    private static final class CauseTally {
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
