package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIGHUP to one target pid without starting a process when it matters. Java has no call for it, and
 * {@code /bin/kill} costs a process start per reload; so a helper shell is started ahead of need, blocked reading its
 * stdin, and a line written to it makes it run the shell's builtin {@code kill -HUP} on the pid given as its argument
 * (never put into the script) and answer "ok". Each helper is used once: the next one is started in the background
 * after it fired.
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
    private static final int MAX_MESSAGE = 4096;

    private record Helper(long pid, Process process) {
    }

    private final Duration timeout;
    private final Object lock = new Object();
    /** Starts helpers and runs the watchdogs of signals in flight. */
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

    /** @param timeout how long a woken helper may take to answer before it is killed and the signal fails */
    SighupSender(Duration timeout) {
        this.timeout = timeout;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keepalived-sighup-helper");
            t.setDaemon(true);
            return t;
        });
        // no thread while idle: helpers are started rarely; a cancelled watchdog must not keep one alive either
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
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
            prepare(pid);
            return;
        }
        Processes.signal(pid, "HUP");
        synchronized (lock) {
            fallbackSignals++;
        }
        prepare(pid);
    }

    /**
     * Wakes the helper and reads its answer: "ok" once kill returned, which is sooner than its exit is reported. True
     * when it sent the signal; false when it was gone before it could (the caller falls back); throws when kill failed
     * or the helper did not answer in time.
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
        // A blocking read has no timeout: a watchdog kills a helper that does not answer, which ends the read (with
        // EOF; Process.destroyForcibly would also close the stream under the read).
        ProcessHandle handle = p.toHandle();
        ScheduledFuture<?> watchdog;
        try {
            watchdog = executor.schedule(handle::destroyForcibly, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
            p.destroyForcibly();
            return false;
        }
        String answer = "";
        try (InputStream out = p.getInputStream()) {
            answer = new String(out.readNBytes(ACK.length), StandardCharsets.UTF_8);
            if (answer.equals(ACK_TEXT)) {
                watchdog.cancel(false);
                return true;
            }
            // kill's complaint, then EOF when the shell exits
            answer = (answer + new String(out.readNBytes(MAX_MESSAGE), StandardCharsets.UTF_8)).strip();
        } catch (IOException e) {
            // the stream went with the helper: its exit code tells what happened
            answer = answer.strip();
        }
        boolean timedOut = !watchdog.cancel(false);
        int code;
        try {
            code = p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIGHUP to pid " + h.pid(), e);
        }
        if (timedOut) {
            throw new IOException("SIGHUP helper for pid " + h.pid() + " did not answer within "
                    + timeout.toMillis() + " ms");
        }
        if (code > 128 && answer.isEmpty()) {
            // killed by a signal (Java reports 128 + signal), maybe before it read the line: send it the slow way
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
            executor.execute(() -> start(pid, gen));
        } catch (RejectedExecutionException e) {
            // closed meanwhile
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
        synchronized (lock) {
            if (generation == gen) {
                starting = 0;
                if (p != null && !closed) {
                    ready = new Helper(pid, p);
                    return;
                }
            }
        }
        // overtaken by another pid, a drop() or close()
        if (p != null) {
            destroy(p);
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
