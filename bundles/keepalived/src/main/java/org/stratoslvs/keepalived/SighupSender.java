package org.stratoslvs.keepalived;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIGHUP to one target pid without starting a process when it matters. Java has no call for it, and
 * {@code /bin/kill} costs a process start per reload; so a helper shell is started ahead of need, blocked reading its
 * stdin, and a line written to it makes it run the shell's builtin {@code kill -HUP} on the pid given as its argument
 * (never put into the script). Each helper is used once: the next one is started in the background after it fired.
 *
 * <p>With no helper ready (first use, helper died, another pid) {@link #signal} falls back to {@link Processes#signal}
 * and then prepares one. A helper whose stdin reaches EOF (its owner closed it, or this JVM died) exits without
 * signalling.
 */
final class SighupSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SighupSender.class);
    /** dash, bash and busybox all have kill builtin: the signal costs no exec. */
    static final String SCRIPT = "read -r _ && kill -HUP \"$1\"";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_MESSAGE = 4096;

    private record Helper(long pid, Process process) {
    }

    private final Object lock = new Object();
    private final ThreadPoolExecutor starter;
    // guarded by lock
    private Helper ready;
    private long starting;
    private long generation;
    private boolean closed;
    private long fastSignals;
    private long fallbackSignals;

    SighupSender() {
        // no thread while idle: helpers are started rarely
        starter = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "keepalived-sighup-helper");
            t.setDaemon(true);
            return t;
        });
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
     * Wakes the helper and waits for it. True when it sent the signal; false when it was gone before it could (the
     * caller falls back); throws when kill failed or the helper hung.
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
        boolean exited;
        try {
            exited = p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIGHUP to pid " + h.pid(), e);
        }
        if (!exited) {
            p.destroyForcibly();
            throw new IOException("SIGHUP helper for pid " + h.pid() + " did not finish within "
                    + TIMEOUT.toMillis() + " ms");
        }
        int code = p.exitValue();
        if (code == 0) {
            closeQuietly(p.getInputStream());
            return true;
        }
        if (code > 128) {
            // killed by a signal (Java reports 128 + signal), maybe before it read the line: send it the slow way
            closeQuietly(p.getInputStream());
            return false;
        }
        String message;
        try (InputStream out = p.getInputStream()) {
            message = new String(out.readNBytes(MAX_MESSAGE), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            message = "";
        }
        throw new IOException("kill -HUP " + h.pid() + " failed (exit " + code + ")"
                + (message.isEmpty() ? "" : ": " + message));
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
            starter.execute(() -> start(pid, gen));
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
        starter.shutdown();
        if (h != null) {
            destroy(h.process());
        }
        try {
            // a start in progress sees closed and destroys its process before it ends
            if (!starter.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
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

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to release
        }
    }
}
