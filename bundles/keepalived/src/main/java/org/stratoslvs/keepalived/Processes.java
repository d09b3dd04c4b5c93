package org.stratoslvs.keepalived;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Linux process helpers: signals via /bin/kill (Java has none), /proc checks, bounded command runs. */
final class Processes {

    /** stdin for the commands we run: they must never wait for input. */
    static final File DEV_NULL = new File("/dev/null");
    private static final int SIGHUP = 1;
    private static final int SIGPIPE = 13;
    private static final int CAP_NET_ADMIN = 12;
    private static final int MAX_OUTPUT = 64 * 1024;

    private Processes() {
    }

    /** Result of a command run to completion (or killed at its timeout). */
    record Run(int exitCode, String output, boolean timedOut) {
    }

    /** Runs argv (never through a shell), output and errors merged, killed after the timeout. */
    static Run run(List<String> argv, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
        // A thread of our own: blocking pipe reads do not belong in the common pool, which others share.
        FutureTask<String> out = new FutureTask<>(() -> readBounded(p.getInputStream()));
        Thread reader = new Thread(out, "keepalived-cmd-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
            }
            String text;
            try {
                text = out.get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // A grandchild may still hold the pipe open; its output is not worth waiting for.
                text = "";
            }
            return new Run(finished ? p.exitValue() : -1, text, !finished);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv.get(0), e);
        }
    }

    private static String readBounded(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (buf.size() < MAX_OUTPUT) {
                    buf.write(chunk, 0, Math.min(n, MAX_OUTPUT - buf.size()));
                }
            }
        } catch (IOException e) {
            // stream closed because the process was killed: return what we have
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static Path killBinary() {
        for (String candidate : List.of("/bin/kill", "/usr/bin/kill")) {
            Path p = Path.of(candidate);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Sends a signal (e.g. "HUP") with /bin/kill; throws with kill's message on failure. */
    static void signal(long pid, String signal) throws IOException {
        Path kill = killBinary();
        if (kill == null) {
            throw new IOException("no kill binary in /bin or /usr/bin");
        }
        Run r = run(List.of(kill.toString(), "-s", signal, Long.toString(pid)), Duration.ofSeconds(5));
        if (r.exitCode() != 0) {
            throw new IOException("kill -s " + signal + " " + pid + " failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
    }

    /**
     * True when SIGHUP will not kill the process: keepalived blocks it and reads it from a signalfd (or catches it).
     * Before keepalived has set that up, SIGHUP's default action would terminate it.
     */
    static boolean handlesSighup(long pid) {
        try {
            long mask = 1L << (SIGHUP - 1);
            long blocked = 0;
            long caught = 0;
            long ignored = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigBlk:")) {
                    blocked = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } else if (line.startsWith("SigCgt:")) {
                    caught = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } else if (line.startsWith("SigIgn:")) {
                    ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
            return ((blocked | caught | ignored) & mask) != 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True when the process ignores SIGPIPE (so closing the read end of its output pipe cannot kill it). */
    static boolean ignoresSigpipe(long pid) {
        return signalMask(pid, "SigIgn:").map(m -> (m & (1L << (SIGPIPE - 1))) != 0).orElse(false);
    }

    private static java.util.Optional<Long> signalMask(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return java.util.Optional.of(Long.parseUnsignedLong(line.substring(field.length()).trim(), 16));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return java.util.Optional.empty();
    }

    /** Waits (polling /proc) until the process handles SIGHUP, it died, or the timeout passed. */
    static boolean awaitSighupHandler(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (handlesSighup(pid)) {
                return true;
            }
            if (!isLive(pid) || System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /**
     * True when the process exists and is not a zombie. ProcessHandle.isAlive counts zombies as alive, and a
     * keepalived child whose parent was killed can stay a zombie for good where PID 1 does not reap (containers).
     */
    static boolean isLive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) S ...": the state follows the last ')' since comm may contain anything
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls until the process is gone (or a zombie); false on timeout. For processes that are not our children. */
    static boolean awaitExit(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isLive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The process name from /proc/PID/comm, or "" when it does not exist. */
    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** NUL-separated /proc/PID/cmdline as a list, or empty. */
    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A live keepalived process whose pid is in the file, if any. */
    static OptionalLong livePidFrom(Path pidFile) {
        try {
            String s = Files.readString(pidFile).strip();
            long pid = Long.parseLong(s);
            if (pid > 1 && isLive(pid) && comm(pid).startsWith("keepalived")) {
                return OptionalLong.of(pid);
            }
        } catch (IOException | NumberFormatException e) {
            // no pid file, or not a pid: nothing running
        }
        return OptionalLong.empty();
    }

    /** True when this process has CAP_NET_ADMIN in its effective set (keepalived needs it for VRRP and IPVS). */
    static boolean hasNetAdmin() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << CAP_NET_ADMIN)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: let keepalived itself report
        }
        return true;
    }
}
