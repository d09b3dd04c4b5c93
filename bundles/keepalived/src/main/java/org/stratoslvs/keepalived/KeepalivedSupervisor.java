package org.stratoslvs.keepalived;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus.ProcessState;

/**
 * Runs keepalived as a foreground child ({@code -n -l -D}) and keeps it running: its output goes to our log, and
 * when it dies it is started again after an exponential backoff (reset once it stayed up a while). A keepalived left
 * running by an earlier supervisor (stop on shutdown off) is adopted through its pid file instead of started twice.
 *
 * <p>Problems that keepalived itself cannot fix (binary missing, no CAP_NET_ADMIN) are put in {@link #describe()}
 * and retried at the maximum backoff; the supervisor never throws from its thread.
 */
public final class KeepalivedSupervisor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeepalivedSupervisor.class);
    private static final Pattern CONSOLE_TIMESTAMP =
            Pattern.compile("^\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}: ");
    private static final Pattern TROUBLE = Pattern.compile("(?i)error|fail|can't|cannot|unable|violation");
    private static final int OUTPUT_LINES_KEPT = 20;
    private static final Duration SIGHUP_READY_WAIT = Duration.ofSeconds(5);
    private static final Duration ADOPTED_POLL = Duration.ofMillis(500);

    private final KeepalivedSettings settings;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration stableAfter;
    private final Duration stopTimeout;
    /** Reload signals: a helper for the running keepalived is started when it is, so no reload waits for one. */
    private final SighupSender hup = new SighupSender();

    private final Object lock = new Object();
    // guarded by lock
    private Thread thread;
    private boolean stopping;
    private boolean kicked;
    private Process child;
    private ProcessHandle adopted;
    private String state = "not started";
    private ProcessState process = ProcessState.NOT_STARTED;
    private long launches;
    private final Deque<String> lastOutput = new ArrayDeque<>();

    public KeepalivedSupervisor(KeepalivedSettings settings) {
        this(settings, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    /**
     * @param initialBackoff first restart delay, doubled after each quick death up to {@code maxBackoff}
     * @param stableAfter    an uptime after which the next death restarts at {@code initialBackoff} again
     * @param stopTimeout    how long {@link #stop()} waits after SIGTERM before SIGKILL
     */
    public KeepalivedSupervisor(KeepalivedSettings settings, Duration initialBackoff, Duration maxBackoff,
                                Duration stableAfter, Duration stopTimeout) {
        this.settings = settings;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.stableAfter = stableAfter;
        this.stopTimeout = stopTimeout;
    }

    /**
     * Starts supervising: launches keepalived now, or adopts one already running with our config and pid file.
     * Does nothing when already started.
     *
     * @return true when a running keepalived was adopted: it has not read the current file and needs a reload
     */
    public boolean start() {
        ProcessHandle running = findOurRunningKeepalived();
        synchronized (lock) {
            if (thread != null || stopping) {
                return false;
            }
            adopted = running;
            thread = new Thread(this::superviseLoop, "keepalived-supervisor");
            thread.setDaemon(true);
            state = running != null ? adoptedState(running.pid()) : "starting";
            process = running != null ? ProcessState.RUNNING : ProcessState.STARTING;
            thread.start();
            return running != null;
        }
    }

    /** A live keepalived from our pid file that runs our config file, or null. */
    private ProcessHandle findOurRunningKeepalived() {
        OptionalLong pid = Processes.livePidFrom(settings.pidFile());
        if (pid.isPresent() && Processes.cmdline(pid.getAsLong()).contains(settings.confPath().toString())) {
            return ProcessHandle.of(pid.getAsLong()).orElse(null);
        }
        return null;
    }

    private String adoptedState(long pid) {
        return "running pid " + pid + " (adopted from " + settings.pidFile() + ", output not captured)";
    }

    public boolean isStarted() {
        synchronized (lock) {
            return thread != null && !stopping;
        }
    }

    /** True while a keepalived process (ours or adopted) is alive. */
    public boolean isRunning() {
        return pid() > 0;
    }

    /** keepalived's parent pid, or -1. */
    public long pid() {
        synchronized (lock) {
            if (child != null && child.isAlive()) {
                return child.pid();
            }
            if (adopted != null && Processes.isLive(adopted.pid())) {
                return adopted.pid();
            }
            return -1;
        }
    }

    /** Times keepalived was launched (restarts included). */
    public long launches() {
        synchronized (lock) {
            return launches;
        }
    }

    /** What sends the reload signals (tests look at which way they went). */
    SighupSender sighup() {
        return hup;
    }

    /** Human-readable state, e.g. "running pid 1234" or "not installed: ...". */
    public String describe() {
        synchronized (lock) {
            return state;
        }
    }

    /** The state {@link #describe()} says, typed. */
    public ProcessState processState() {
        synchronized (lock) {
            return process;
        }
    }

    /** The last lines keepalived printed, oldest first. */
    public List<String> lastOutput() {
        synchronized (lock) {
            return List.copyOf(lastOutput);
        }
    }

    /** Ends a restart backoff now, e.g. because a new config might fix what made keepalived exit. */
    public void kick() {
        synchronized (lock) {
            kicked = true;
            lock.notifyAll();
        }
    }

    /**
     * Sends SIGHUP to keepalived's parent. Waits (briefly) until keepalived handles SIGHUP: right after a launch its
     * default action would still be to terminate keepalived.
     */
    public void reload() throws IOException {
        long target = signalTarget();
        if (target <= 0) {
            throw new IOException("keepalived is not running (" + describe() + ")");
        }
        try {
            if (!Processes.awaitSighupHandler(target, SIGHUP_READY_WAIT)) {
                throw new IOException("keepalived pid " + target + " is not ready for SIGHUP (exited or still "
                        + "starting after " + SIGHUP_READY_WAIT.toSeconds() + " s)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for keepalived to be ready for SIGHUP", e);
        }
        hup.signal(target);
    }

    /** Stops supervising and terminates keepalived (SIGTERM, then SIGKILL after the stop timeout). */
    public void stop() {
        Thread t;
        Process c;
        ProcessHandle a;
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
            t = thread;
            c = child;
            a = adopted;
        }
        if (c != null) {
            terminate(c.toHandle(), () -> c.destroy());
        } else if (a != null) {
            terminate(a, () -> {
                try {
                    Processes.signal(a.pid(), "TERM");
                } catch (IOException e) {
                    LOG.warn("could not send SIGTERM to keepalived pid {}: {}", a.pid(), e.getMessage());
                }
            });
        }
        join(t);
        hup.close();
        synchronized (lock) {
            state = "stopped";
            process = ProcessState.STOPPED;
        }
    }

    /**
     * Stops supervising but leaves keepalived running (a later supervisor adopts it through the pid file). Our end
     * of its output pipe is closed: keepalived ignores SIGPIPE, so its console writes just fail; it still logs to
     * syslog.
     */
    public void detach() {
        Thread t;
        Process c;
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
            t = thread;
            c = child;
        }
        if (t != null) {
            t.interrupt();
        }
        join(t);
        if (c != null) {
            // keepalived ignores SIGPIPE once it is set up; closing the pipe before that would kill it
            long deadline = System.nanoTime() + SIGHUP_READY_WAIT.toNanos();
            while (c.isAlive() && !Processes.ignoresSigpipe(c.pid()) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                c.getInputStream().close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
        hup.close();
        synchronized (lock) {
            boolean left = c != null && c.isAlive();
            state = left ? "left running, pid " + c.pid() : "stopped";
            process = left ? ProcessState.LEFT_RUNNING : ProcessState.STOPPED;
        }
    }

    /** {@link #stop()} or {@link #detach()}, as {@code keepalived.stop.on.shutdown} says. */
    @Override
    public void close() {
        if (settings.stopOnShutdown()) {
            stop();
        } else {
            detach();
        }
    }

    private long signalTarget() {
        synchronized (lock) {
            if (child != null && child.isAlive()) {
                if (settings.commandPrefix().isEmpty()) {
                    return child.pid();
                }
                // With a prefix our child may be a wrapper that forked keepalived: trust keepalived's pid file when it
                // names our child or one of its descendants.
                OptionalLong fromFile = Processes.livePidFrom(settings.pidFile());
                if (fromFile.isPresent() && (fromFile.getAsLong() == child.pid()
                        || child.descendants().anyMatch(h -> h.pid() == fromFile.getAsLong()))) {
                    return fromFile.getAsLong();
                }
                return child.pid();
            }
            if (adopted != null && Processes.isLive(adopted.pid())) {
                return adopted.pid();
            }
            return -1;
        }
    }

    private void superviseLoop() {
        Duration backoff = initialBackoff;
        String lastProblem = null;
        while (!isStopping()) {
            String problem = preflight();
            if (problem != null) {
                setState(ProcessState.CANNOT_RUN, problem + "; checking again in " + maxBackoff.toSeconds() + " s");
                if (!problem.equals(lastProblem)) {
                    LOG.warn("keepalived: {}", problem);
                }
                lastProblem = problem;
                if (!pause(maxBackoff)) {
                    break;
                }
                continue;
            }
            lastProblem = null;
            long startedAt = System.nanoTime();
            String ended;
            ProcessHandle running;
            synchronized (lock) {
                running = adopted;
            }
            if (running == null) {
                running = findOurRunningKeepalived();
            }
            if (running != null) {
                ended = adoptAndWait(running);
            } else {
                OptionalLong other = Processes.livePidFrom(settings.pidFile());
                ended = other.isPresent()
                        ? "could not be started: another keepalived (pid " + other.getAsLong() + ", "
                                + String.join(" ", Processes.cmdline(other.getAsLong())) + ") owns pid file "
                                + settings.pidFile()
                        : launchAndWait();
            }
            if (ended == null || isStopping()) {
                break;
            }
            Duration uptime = Duration.ofNanos(System.nanoTime() - startedAt);
            if (uptime.compareTo(stableAfter) >= 0) {
                backoff = initialBackoff;
            }
            String last;
            synchronized (lock) {
                // the last line is usually "Stopped Keepalived ..."; the cause is the first complaint, and the
                // last complaint says what keepalived made of it
                String first = null;
                String lastComplaint = null;
                for (String line : lastOutput) {
                    if (TROUBLE.matcher(line).find()) {
                        first = first == null ? line : first;
                        lastComplaint = line;
                    }
                }
                String why = first == null ? lastOutput.peekLast()
                        : first.equals(lastComplaint) ? first : first + " / " + lastComplaint;
                last = why == null ? "" : "; last output: " + why;
            }
            setState(ProcessState.RESTARTING,
                    ended + " after " + uptime.toMillis() + " ms; restarting in " + backoff.toMillis() + " ms" + last);
            LOG.warn("keepalived {} after {} ms; restarting in {} ms", ended, uptime.toMillis(), backoff.toMillis());
            if (!pause(backoff)) {
                break;
            }
            backoff = backoff.multipliedBy(2);
            if (backoff.compareTo(maxBackoff) > 0) {
                backoff = maxBackoff;
            }
        }
        synchronized (lock) {
            child = null;
            adopted = null;
        }
    }

    /** Null when keepalived can be launched, else a sentence saying why not. */
    private String preflight() {
        Path binary = settings.binary();
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            return "not installed: " + binary + " does not exist or is not executable (install keepalived or set "
                    + KeepalivedSettings.BINARY + ")";
        }
        if (settings.commandPrefix().isEmpty() && !Processes.hasNetAdmin()) {
            return "cannot run: this JVM lacks CAP_NET_ADMIN (keepalived needs root, or CAP_NET_ADMIN and "
                    + "CAP_NET_RAW)";
        }
        if (!Files.isRegularFile(settings.confPath())) {
            return "waiting for a config: " + settings.confPath() + " does not exist";
        }
        return null;
    }

    /** Returns how it ended, or null when the supervisor is stopping. */
    private String launchAndWait() {
        terminateOrphans();
        List<String> argv = settings.runCommand();
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Processes.DEV_NULL)).start();
        } catch (IOException e) {
            return "could not be started (" + e.getMessage() + ")";
        }
        synchronized (lock) {
            launches++;
            lastOutput.clear();
            if (stopping) {
                // stop() came while we were launching and saw no child: end this one ourselves
                p.destroy();
                return null;
            }
            child = p;
            state = "running pid " + p.pid();
            process = ProcessState.RUNNING;
        }
        LOG.info("keepalived started, pid {}: {}", p.pid(), String.join(" ", argv));
        if (settings.commandPrefix().isEmpty()) {
            // with a prefix the pid to signal is known from the pid file only later: the first reload finds it
            hup.prepare(p.pid());
        }
        Thread pump = new Thread(() -> pump(p.pid(), p.getInputStream()), "keepalived-output-" + p.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            int code = p.waitFor();
            hup.drop();
            pump.join(1000);
            synchronized (lock) {
                child = null;
            }
            return "exited with code " + code;
        } catch (InterruptedException e) {
            // detach(): leave it running
            return null;
        }
    }

    private String adoptAndWait(ProcessHandle h) {
        long pid = h.pid();
        synchronized (lock) {
            if (stopping) {
                return null;
            }
            adopted = h;
            state = adoptedState(pid);
            process = ProcessState.RUNNING;
        }
        LOG.info("keepalived pid {} already runs with {}; supervising it", pid, settings.confPath());
        hup.prepare(pid);
        try {
            // Not our child: no exit notification exists, so poll (cheaply: one /proc read per interval).
            while (!Processes.awaitExit(pid, ADOPTED_POLL)) {
                if (isStopping()) {
                    return null;
                }
            }
            hup.drop();
            synchronized (lock) {
                adopted = null;
            }
            return "(adopted pid " + pid + ") exited";
        } catch (InterruptedException e) {
            return null;
        }
    }

    /**
     * keepalived's children end with their parent (they ask the kernel for a death signal), but after a SIGKILL of
     * the parent a child that is slow to go would still hold the VIP and make the new keepalived refuse to start.
     */
    private void terminateOrphans() {
        for (Path pidFile : List.of(settings.vrrpPidFile(), settings.checkersPidFile())) {
            OptionalLong pid = Processes.livePidFrom(pidFile);
            if (pid.isPresent() && Processes.cmdline(pid.getAsLong()).contains(settings.confPath().toString())) {
                long p = pid.getAsLong();
                LOG.info("keepalived child pid {} from {} is still ending after its parent died; waiting for it", p,
                        pidFile);
                ProcessHandle.of(p).ifPresent(h -> terminate(h, () -> {
                    try {
                        Processes.signal(p, "TERM");
                    } catch (IOException e) {
                        LOG.warn("{}", e.getMessage());
                    }
                }));
            }
        }
    }

    private void pump(long pid, InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String text = CONSOLE_TIMESTAMP.matcher(line).replaceFirst("");
                synchronized (lock) {
                    if (lastOutput.size() == OUTPUT_LINES_KEPT) {
                        lastOutput.removeFirst();
                    }
                    lastOutput.addLast(text);
                }
                if (TROUBLE.matcher(text).find()) {
                    LOG.warn("keepalived[{}]: {}", pid, text);
                } else {
                    LOG.info("keepalived[{}]: {}", pid, text);
                }
            }
        } catch (IOException e) {
            // pipe closed: keepalived exited or we detached
        }
    }

    private void terminate(ProcessHandle h, Runnable politeSignal) {
        politeSignal.run();
        try {
            if (!Processes.awaitExit(h.pid(), stopTimeout)) {
                LOG.warn("keepalived pid {} did not stop within {} ms of SIGTERM; killing it", h.pid(),
                        stopTimeout.toMillis());
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(stopTimeout.toMillis() + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isStopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    private void setState(ProcessState p, String s) {
        synchronized (lock) {
            if (!stopping) {
                process = p;
                state = s;
            }
        }
    }

    /** Waits for the delay, a {@link #kick()} or a stop; false when stopping. */
    private boolean pause(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            try {
                while (!stopping && !kicked) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                return false;
            }
            kicked = false;
            return !stopping;
        }
    }
}
