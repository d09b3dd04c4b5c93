package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
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
import org.stratoslvs.api.ControlStatus.HeldBack;
import org.stratoslvs.api.ControlStatus.Outcome;
import org.stratoslvs.api.ControlStatus.Retry;
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
 * untouched; the reason is recorded in {@link #status()}. When keepalived rejects only some {@code virtual_server}
 * blocks ({@link BlockContainment} finds which), the rest is applied with those blocks at their last applied version
 * (or left out when they never had one), and {@link ControlStatus#heldBack()} names them: one bad member holds back
 * its own virtual server, not every other service's updates. A rejected global_defs or VRRP part still rejects the
 * whole file.
 *
 * <p>An apply that fails for a reason that can go away (the write, keepalived -t giving no verdict, the start or
 * reload) is tried again with exponential backoff until it succeeds or a newer config supersedes it; the planned retry
 * is in {@link ControlStatus#retry()}. A rejected config is not retried: the same text gets the same verdict.
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
    /** First retry delay after a failure that can go away; it doubles per attempt up to {@link #RETRY_MAX}. */
    static final Duration RETRY_FIRST = Duration.ofSeconds(1);
    /** Longest retry delay: a full disk or a stopped keepalived is noticed within a minute of being fixed. */
    static final Duration RETRY_MAX = Duration.ofSeconds(60);
    /** Said of a rejection that the global_defs/VRRP part alone already has: no virtual server can be applied. */
    static final String HEAD_REJECTED = "(the global_defs and VRRP part alone is rejected: nothing applies)";

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
    private final Duration retryFirst;
    private final Duration retryMax;
    private int retryAttempts;
    private Retry retry;
    private List<HeldBack> heldBack = List.of();
    private int heldBackTotal;
    // replaced only on the executor thread (and in close, after the executor stopped); read by status()
    private volatile KeepalivedSupervisor supervisor;

    private volatile String appliedText;
    // the submitted text whose apply is in force: appliedText itself, or the text it was made from by holding back
    // rejected virtual servers (so that submitting the same text again is "unchanged", not a new search)
    private volatile String appliedFrom;
    // apply thread only: virtual server identity -> when it was first held back (cleared once it is accepted)
    private final Map<String, Instant> heldSince = new HashMap<>();
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
        this(settings, supervisorFactory, RETRY_FIRST, RETRY_MAX);
    }

    /** @param retryFirst first delay before retrying a failed apply, doubling up to {@code retryMax} (tests: short) */
    public ApplyPipeline(KeepalivedSettings settings,
                         Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory,
                         Duration retryFirst, Duration retryMax) {
        this.supervisorFactory = supervisorFactory;
        this.retryFirst = retryFirst;
        this.retryMax = retryMax;
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
                recordLocked(new ApplyRecord(Instant.now(), Outcome.RELOAD_FAILED,
                        "no config has been submitted yet", cause, 0, ""));
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
        List<HeldBack> held;
        int heldTotal;
        Retry planned;
        synchronized (lock) {
            s = settings;
            records = List.copyOf(history);
            r = reloads;
            held = heldBack;
            heldTotal = heldBackTotal;
            planned = retry;
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
        return new ControlStatus(s.mode().key(), s.confPath().toString(), text, pid, r, records, held, heldTotal,
                planned);
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
        appliedFrom = null;
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
                r = new ApplyRecord(Instant.now(), Outcome.RELOAD_FAILED, e.toString(), cause, 0, "");
            }
            // taken before recording, which logs: the listener times the apply, not our logging
            long end = System.nanoTime();
            record(r);
            planRetry(r);
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
        if (!force && text.equals(appliedFrom)) {
            return new ApplyRecord(at, Outcome.UNCHANGED, "", cause, ms(t0), "");
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
        String toWrite = text;
        Contained contained = null;
        if (verdict.rejection() != null) {
            staging.discard();
            if (verdict.noVerdict()) {
                return new ApplyRecord(at, Outcome.NO_VERDICT, verdict.rejection(), cause, ms(t0), steps.toString());
            }
            contained = contain(text, verdict, v, steps);
            if (contained.rejection() != null) {
                return new ApplyRecord(at, Outcome.REJECTED, contained.rejection(), cause, ms(t0), steps.toString());
            }
            toWrite = contained.text();
            staging = new Staging(s.confPath(), toWrite);
            Verdict again;
            try {
                again = validate(toWrite, s, v, steps);
            } catch (RuntimeException e) {
                staging.discard();
                throw e;
            }
            if (again.rejection() != null) {
                staging.discard();
                return new ApplyRecord(at, again.noVerdict() ? Outcome.NO_VERDICT : Outcome.REJECTED,
                        again.noVerdict() ? again.rejection() : verdict.rejection()
                                + " (and with the rejected virtual servers held back: " + again.rejection() + ")",
                        cause, ms(t0), steps.toString());
            }
            verdict = again;
        }
        boolean wholeChecked = verdict.wholeChecked();

        try {
            staging.commit();
        } catch (AtomicConfigWriter.WriteException e) {
            steps.add("write failed after " + staging.millis() + " ms");
            return new ApplyRecord(at, Outcome.WRITE_FAILED, e.getMessage(), cause, ms(t0), steps.toString());
        }
        steps.add("write " + staging.millis() + " ms (alongside keepalived -t; waited " + staging.waitedMillis()
                + " ms)");

        long t2 = System.nanoTime();
        String failure = activate(s, steps);
        if (failure != null) {
            steps.add("took " + ms(t2) + " ms");
            return new ApplyRecord(at, Outcome.RELOAD_FAILED, failure, cause, ms(t0), steps.toString());
        }
        appliedText = toWrite;
        appliedFrom = text;
        hold(contained == null ? List.of() : contained.held());
        if (wholeChecked) {
            lastWholeCheckedText = toWrite;
        } else if (s.mode() != Mode.RENDER_ONLY || Files.isExecutable(s.binary())) {
            scheduleAudit(s);
        }
        if (contained != null) {
            return new ApplyRecord(at, Outcome.APPLIED_PARTLY, contained.summary(), cause, ms(t0), steps.toString());
        }
        return new ApplyRecord(at, Outcome.APPLIED, "", cause, ms(t0), steps.toString());
    }

    /**
     * What validation said: {@code rejection} null when accepted; {@code noVerdict} when keepalived -t could not run
     * or finish; {@code wholeChecked} when keepalived -t saw it all; {@code sections} the text cut into blocks when
     * validation cut it, else null.
     */
    private record Verdict(String rejection, boolean noVerdict, boolean wholeChecked, ConfigSections sections) {
    }

    private Verdict validate(String text, KeepalivedSettings s, KeepalivedValidator v, StringJoiner steps) {
        if (s.mode() == Mode.RENDER_ONLY && !Files.isExecutable(s.binary())) {
            // render-only may run where keepalived is not installed (the file is used elsewhere)
            steps.add("validate skipped (" + s.binary() + " not installed)");
            return new Verdict(null, false, false, null);
        }
        if (incremental == null || incremental.validator() != v) {
            incremental = new IncrementalValidator(v);
        }
        IncrementalValidator.Outcome outcome = incremental.validate(text,
                s.validateScope() == KeepalivedSettings.ValidateScope.CHANGED && !incrementalOff);
        KeepalivedValidator.Result check = outcome.result();
        steps.add(outcome.step());
        if (!check.accepted()) {
            return new Verdict(check.message(), check.exitCode() < 0, false, outcome.sections());
        }
        if (!check.message().isEmpty()) {
            LOG.info("keepalived -t accepted the config with remarks: {}", check.message());
        }
        return new Verdict(null, false, outcome.complete(), outcome.sections());
    }

    /**
     * The outcome of holding back rejected virtual servers: either {@code rejection} (the whole text stays rejected:
     * its head is, or no block could be singled out), or the {@code text} to apply instead, with what is {@code held}
     * back and a {@code summary} for the apply record.
     */
    private record Contained(String rejection, String text, List<HeldBack> held, String summary) {
    }

    /** Apply thread: finds the rejected virtual servers of {@code text} and makes the text that holds them back. */
    private Contained contain(String text, Verdict verdict, KeepalivedValidator v, StringJoiner steps) {
        long t = System.nanoTime();
        ConfigSections sections = verdict.sections() != null ? verdict.sections()
                : ConfigSections.split(text).orElse(null);
        if (sections == null || sections.hasDuplicateVirtualServers()) {
            steps.add("no virtual server singled out (the file cannot be cut into them)");
            return new Contained(verdict.rejection(), null, List.of(), null);
        }
        // Only blocks that differ from the applied file can be the rejected ones when the head is the same: the
        // applied file was accepted. Otherwise (first apply, settings changed) any block can.
        String applied = appliedText;
        ConfigSections appliedSections = applied == null ? null : ConfigSections.split(applied).orElse(null);
        Map<String, ConfigSections.Block> appliedBlocks = new HashMap<>();
        if (appliedSections != null) {
            for (ConfigSections.Block b : appliedSections.virtualServers()) {
                appliedBlocks.put(b.identity(), b);
            }
        }
        boolean sameHead = appliedSections != null && appliedSections.headKey().equals(sections.headKey());
        List<ConfigSections.Block> suspects = new ArrayList<>();
        for (ConfigSections.Block b : sections.virtualServers()) {
            ConfigSections.Block before = appliedBlocks.get(b.identity());
            if (!sameHead || before == null || !before.text().equals(b.text())) {
                suspects.add(b);
            }
        }
        BlockContainment.Result found = BlockContainment.search(v, sections, suspects, verdict.rejection());
        if (found == null) {
            steps.add("contain " + ms(t) + " ms (no virtual server singled out)");
            return new Contained(verdict.rejection(), null, List.of(), null);
        }
        steps.add("contain " + ms(t) + " ms (" + found.checks() + " keepalived -t runs, " + found.rejected().size()
                + " of " + suspects.size() + " suspect virtual servers rejected)");
        if (found.headRejection() != null) {
            return new Contained(verdict.rejection() + " " + HEAD_REJECTED, null, List.of(), null);
        }
        Map<ConfigSections.Block, String> replacements = new HashMap<>();
        List<HeldBack> held = new ArrayList<>();
        Instant now = Instant.now();
        for (BlockContainment.Finding f : found.rejected()) {
            ConfigSections.Block b = f.block();
            ConfigSections.Block before = appliedBlocks.get(b.identity());
            replacements.put(b, before != null ? before.text()
                    : "# virtual_server " + b.identity() + " left out: keepalived -t rejected it (see lvs:rejected)\n");
            held.add(new HeldBack(b.identity(), BlockContainment.serviceOf(text, b),
                    BlockContainment.membersOf(b, f.reason()), f.reason(), heldSince.getOrDefault(b.identity(), now),
                    before != null));
        }
        String contained = ConfigSections.substitute(text, sections.virtualServers(), replacements);
        return new Contained(null, contained, held, summary(held));
    }

    /** "2 virtual servers held back: 192.168.56.40 80 TCP (service web, members b (line 33)); ..." (bounded). */
    private static String summary(List<HeldBack> held) {
        StringJoiner j = new StringJoiner("; ");
        int listed = 0;
        for (HeldBack h : held) {
            if (listed++ == 5) {
                j.add("and " + (held.size() - 5) + " more (lvs:rejected)");
                break;
            }
            j.add(h.virtualServer() + " (" + (h.service().isEmpty() ? "" : "service " + h.service() + ", ")
                    + (h.members().isEmpty() ? "" : "members " + h.members() + ", ")
                    + (h.previousKept() ? "previous version kept" : "left out") + ")");
        }
        return held.size() + (held.size() == 1 ? " virtual server" : " virtual servers")
                + " rejected by keepalived -t, held back: " + j;
    }

    /**
     * Apply thread: {@code held} is now what the applied file holds back. Newly held-back virtual servers are logged
     * once each, with keepalived's reason; the status lists a bounded number of them.
     */
    private void hold(List<HeldBack> held) {
        Map<String, Instant> since = new HashMap<>();
        for (HeldBack h : held) {
            Instant first = heldSince.get(h.virtualServer());
            if (first == null) {
                LOG.warn("keepalived -t rejects virtual server {} (service {}{}); it is held back ({}) while the rest "
                                + "applies: {}", h.virtualServer(), h.service().isEmpty() ? "?" : h.service(),
                        h.members().isEmpty() ? "" : ", members " + h.members(),
                        h.previousKept() ? "its previous version stays" : "left out", h.reason());
            }
            since.put(h.virtualServer(), first == null ? h.since() : first);
        }
        for (String gone : heldSince.keySet()) {
            if (!since.containsKey(gone)) {
                LOG.info("virtual server {} is accepted again", gone);
            }
        }
        heldSince.clear();
        heldSince.putAll(since);
        synchronized (lock) {
            heldBack = List.copyOf(held.subList(0, Math.min(held.size(), ControlStatus.HELD_BACK_LISTED)));
            heldBackTotal = held.size();
        }
    }

    /**
     * Apply thread, after recording {@code r}: plans the next attempt when it failed for a reason that can go away;
     * anything else ends a series of retries. The retry re-applies the latest submitted config (a newer one may have
     * come meanwhile: that is the one that should converge).
     */
    private void planRetry(ApplyRecord r) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (!r.outcome().retried()) {
                if (retry != null) {
                    LOG.info("keepalived apply converged after {} retries", retryAttempts);
                }
                retry = null;
                retryAttempts = 0;
                return;
            }
            retryAttempts++;
            long delay = Math.min(retryMax.toMillis(),
                    retryFirst.toMillis() << Math.min(20, retryAttempts - 1));
            Retry planned = new Retry(retryAttempts, Instant.now().plusMillis(delay), r.result());
            retry = planned;
            if (retryAttempts == 1) {
                LOG.warn("keepalived apply failed ({}); retrying with backoff from {} ms up to {} s until it succeeds",
                        r.result(), delay, retryMax.toSeconds());
            }
            try {
                executor.schedule(() -> retryNow(planned), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void retryNow(Retry planned) {
        synchronized (lock) {
            if (closed || retry != planned || lastSubmitted == null) {
                return;
            }
            if (pendingText != null || scheduled || applying) {
                // a newer config is on its way: its apply supersedes this retry (and plans another if it fails too)
                return;
            }
            enqueueLocked(lastSubmitted, false, "retry " + planned.attempt() + " after: " + planned.after());
        }
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

    /**
     * Apply thread: puts back the last wholly checked file, then re-applies the latest config checked whole. The file
     * put back is checked again first, whole: what made the audit reject the applied file (the VRRP interface gone,
     * say) may reject it too, and then it stays out (it would bring back members that have left since).
     */
    private void restoreAfterAudit() {
        KeepalivedSettings s;
        KeepalivedValidator v;
        synchronized (lock) {
            if (closed) {
                return;
            }
            s = settings;
            v = validator;
        }
        String restore = lastWholeCheckedText;
        if (restore != null && !restore.equals(appliedText)) {
            Instant at = Instant.now();
            long t0 = System.nanoTime();
            StringJoiner steps = new StringJoiner(", ");
            String cause = "audit rejected the applied file";
            KeepalivedValidator.Result check = v.validate(restore);
            steps.add("validate " + check.millis() + " ms (whole file to restore)");
            ApplyRecord r;
            if (!check.accepted()) {
                r = new ApplyRecord(at, check.exitCode() < 0 ? Outcome.NO_VERDICT : Outcome.REJECTED,
                        "the last wholly checked file, not restored: " + check.message(), cause, ms(t0),
                        steps.toString());
            } else {
                try {
                    long tw = System.nanoTime();
                    writer.write(s.confPath(), restore);
                    steps.add("write " + ms(tw) + " ms");
                    String failure = activate(s, steps);
                    appliedText = restore;
                    appliedFrom = restore;
                    hold(List.of());
                    r = failure == null ? new ApplyRecord(at, Outcome.RESTORED, "", cause, ms(t0), steps.toString())
                            : new ApplyRecord(at, Outcome.RELOAD_FAILED, failure, cause, ms(t0), steps.toString());
                } catch (AtomicConfigWriter.WriteException e) {
                    r = new ApplyRecord(at, Outcome.WRITE_FAILED, e.getMessage(), cause, ms(t0), steps.toString());
                }
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
        if (r.outcome() == Outcome.APPLIED || r.outcome() == Outcome.UNCHANGED
                || r.outcome() == Outcome.APPLIED_PARTLY) {
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
