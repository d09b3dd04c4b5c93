package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIGHUP to one target pid without starting a process when it matters. Java has no call for it, and
 * {@code /bin/kill} costs a process start per reload; so a helper shell is started ahead of need, blocked reading its
 * stdin, and a line written to it makes it run the shell's builtin {@code kill -HUP} on the pid given as its argument
 * (never put into the script) and answer "ok". Each helper is used once. The thread that started it waits for its
 * exit and then starts the next one for the same pid, so the signalling thread neither starts a process nor hands work
 * to another thread.
 *
 * <p>With no helper ready (first use, helper died, another pid) {@link #signal} falls back to {@link Processes#signal}
 * and then prepares one. A helper whose stdin reaches EOF (its owner closed it, or this JVM died) exits without
 * signalling.
 */
final class SighupSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SighupSender.class);
    /** dash, bash and busybox all have kill and echo builtin: the signal costs no exec. */
    static final String SCRIPT = "read -r _ && kill -HUP \"$1\" && echo ok";
    private static final String ACK_TEXT = "ok\n";
    private static final byte[] ACK = ACK_TEXT.getBytes(StandardCharsets.US_ASCII);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How long a signal polls for the helper's answer (usually there within a few hundred microseconds). */
    private static final Duration POLL = Duration.ofMillis(2);
    /**
     * The helper for the next signal is started this long after one was sent: a process start right away would
     * compete for the CPU with what the caller does next.
     */
    private static final Duration NEXT_HELPER_DELAY = Duration.ofMillis(10);
    private static final int MAX_MESSAGE = 4096;

    /** A started helper; gen is the generation that started it. */
    private record Helper(long pid, Process process, long gen) {
    }

    private final Duration timeout;
    private final Object lock = new Object();
    /** Starts helpers, and waits for the ready one to exit (one daemon thread while a helper is ready). */
    private final ScheduledThreadPoolExecutor executor;
    // guarded by lock
    private Helper ready;
    private long starting;
    private long generation;
    private boolean closed;
    private long fastSignals;
    private long fallbackSignals;

    SighupSender() {
        this(TIMEOUT);
    }

    /** @param timeout how long a woken helper may take to finish before it is killed and the signal fails */
    SighupSender(Duration timeout) {
        this.timeout = timeout;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-sighup-helper");
            t.setDaemon(true);
            return t;
        });
        // no thread while no helper is ready or being started
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        // close() waits for a start under way, not for one still waiting for its delay
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Sends SIGHUP to pid: through the ready helper if there is one for it, else with {@code /bin/kill}. Throws with
     * kill's message when the signal could not be sent (e.g. no such process).
     */
    void signal(long pid) throws IOException {
        if (pid <= 0) {
            throw new IOException("not a process id: " + pid);
        }
        Helper h;
        Helper stale = null;
        synchronized (lock) {
            h = ready;
            ready = null;
            if (h != null && h.pid() != pid) {
                stale = h;
                h = null;
            }
        }
        if (stale != null) {
            stale.process().destroyForcibly();
        }
        if (h != null && fire(h)) {
            synchronized (lock) {
                fastSignals++;
            }
            // the thread that started this helper waits for its exit and then starts the next one (start): handing
            // that to another thread from here would cost this caller a thread wake-up
            return;
        }
        Processes.signal(pid, "HUP");
        synchronized (lock) {
            fallbackSignals++;
        }
        prepare(pid, NEXT_HELPER_DELAY);
    }

    /**
     * Wakes the helper and polls for its answer: "ok" once kill returned, which is sooner than its exit is reported.
     * Without an answer within {@link #POLL} (or with kill's complaint instead) it waits for the helper's exit code,
     * bounded by the timeout. True when it sent the signal; false when it was gone before it could (the caller falls
     * back); throws when kill failed or the helper did not finish in time.
     */
    private boolean fire(Helper h) throws IOException {
        Process p = h.process();
        if (!p.isAlive()) {
            return false;
        }
        try {
            OutputStream in = p.getOutputStream();
            in.write('\n');
            in.close();
        } catch (IOException e) {
            // it died since: broken pipe
            p.destroyForcibly();
            return false;
        }
        InputStream out = p.getInputStream();
        String answer = "";
        try {
            // Polling, not a blocking read: a read has no timeout, and arming a timer would wake a thread on this path.
            long pollEnd = System.nanoTime() + POLL.toNanos();
            while (out.available() < ACK.length && System.nanoTime() - pollEnd < 0) {
                Thread.yield();
            }
            if (out.available() >= ACK.length) {
                answer = new String(out.readNBytes(ACK.length), StandardCharsets.UTF_8);
                if (answer.equals(ACK_TEXT)) {
                    out.close();
                    return true;
                }
            }
        } catch (IOException e) {
            // the stream went with the helper: its exit code tells what happened
        }
        int code;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("SIGHUP helper for pid " + h.pid() + " did not finish within "
                        + timeout.toMillis() + " ms");
            }
            code = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIGHUP to pid " + h.pid(), e);
        }
        // it has exited: what it wrote is all there
        try (out) {
            answer = (answer + new String(out.readNBytes(MAX_MESSAGE), StandardCharsets.UTF_8)).strip();
        } catch (IOException e) {
            answer = answer.strip();
        }
        if (code == 0 && answer.equals(ACK_TEXT.strip())) {
            return true;
        }
        if (code > 128 && answer.isEmpty()) {
            // killed by a signal (Java reports 128 + signal), maybe before it read the line: send it the slow way (if
            // it was killed after its kill, keepalived gets a second SIGHUP, which is only a second reload)
            return false;
        }
        throw new IOException("kill -HUP " + h.pid() + " failed (exit " + code + ")"
                + (answer.isEmpty() ? "" : ": " + answer));
    }

    /**
     * Makes a helper for pid ready in the background (nothing when one is ready or being started); a helper for
     * another pid is destroyed. Call when the target pid becomes known, so even its first signal is quick.
     */
    void prepare(long pid) {
        prepare(pid, Duration.ZERO);
    }

    private void prepare(long pid, Duration delay) {
        if (pid <= 0) {
            return;
        }
        Helper stale = null;
        long gen;
        synchronized (lock) {
            if (closed || starting == pid || ready != null && ready.pid() == pid && ready.process().isAlive()) {
                return;
            }
            stale = ready;
            ready = null;
            starting = pid;
            gen = ++generation;
        }
        if (stale != null) {
            stale.process().destroyForcibly();
        }
        try {
            executor.schedule(() -> start(pid, gen), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
            synchronized (lock) {
                if (generation == gen) {
                    starting = 0;
                }
            }
        }
    }

    /**
     * After a helper's exit. Exit 0 means it was woken and its kill worked: start the next one for the same pid, unless
     * something changed since it was started (another pid, drop, close). A helper that died otherwise is not replaced
     * here, so a helper that cannot run is not restarted in a loop.
     */
    private void helperExited(Helper h, int code) {
        if (code != 0) {
            return;
        }
        long gen;
        synchronized (lock) {
            if (closed || generation != h.gen() || ready != null || starting != 0) {
                return;
            }
            starting = h.pid();
            gen = ++generation;
        }
        try {
            executor.schedule(() -> start(h.pid(), gen), NEXT_HELPER_DELAY.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                if (generation == gen) {
                    starting = 0;
                }
            }
        }
    }

    private void start(long pid, long gen) {
        Process p = null;
        try {
            p = new ProcessBuilder(helperCommand(pid)).redirectErrorStream(true).start();
        } catch (IOException e) {
            LOG.debug("could not start a SIGHUP helper for pid {}: {}", pid, e.getMessage());
        }
        Helper h = null;
        synchronized (lock) {
            if (generation == gen) {
                starting = 0;
                if (p != null && !closed) {
                    h = new Helper(pid, p, gen);
                    ready = h;
                }
            }
        }
        if (h == null) {
            if (p != null) {
                // overtaken by another pid, a drop() or close()
                destroy(p);
            }
            return;
        }
        // Wait here until it was used or destroyed: its exit wakes this thread (the JVM's reaper does), and the next
        // start is queued behind this wait, which a new pid, drop() and close() end by destroying the helper.
        try {
            helperExited(h, p.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Destroys the helper, if any (e.g. its target exited); the next signal falls back. */
    void drop() {
        Helper h;
        synchronized (lock) {
            h = ready;
            ready = null;
            starting = 0;
            generation++;
        }
        if (h != null) {
            h.process().destroyForcibly();
        }
    }

    /** Destroys the helper and waits (bounded) for it and for a helper being started; later signals fall back. */
    @Override
    public void close() {
        Helper h;
        synchronized (lock) {
            closed = true;
            h = ready;
            ready = null;
            starting = 0;
            generation++;
        }
        executor.shutdown();
        if (h != null) {
            destroy(h.process());
        }
        try {
            // a start in progress sees closed and destroys its process before it ends
            if (!executor.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("SIGHUP helper start did not finish within {} ms", TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Signals sent through a ready helper. */
    long fastSignals() {
        synchronized (lock) {
            return fastSignals;
        }
    }

    /** Signals sent with /bin/kill because no helper was ready. */
    long fallbackSignals() {
        synchronized (lock) {
            return fallbackSignals;
        }
    }

    /** The ready helper for pid, if there is one (for tests). */
    Optional<ProcessHandle> helper(long pid) {
        synchronized (lock) {
            return ready != null && ready.pid() == pid ? Optional.of(ready.process().toHandle()) : Optional.empty();
        }
    }

    /** The pid is the script's $1: an argument of its own, never part of the script. */
    static List<String> helperCommand(long pid) {
        return List.of("/bin/sh", "-c", SCRIPT, "sh", Long.toString(pid));
    }

    private static void destroy(Process p) {
        p.destroyForcibly();
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("SIGHUP helper pid {} did not exit after SIGKILL", p.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
