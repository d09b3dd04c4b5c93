package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real {@code keepalived -t -f FILE} on rendered text, inside a network namespace of its own that holds
 * the interfaces the configuration names (keepalived -t fails when a vrrp_instance's interface, a tracked
 * interface or a VIP device does not exist in the namespace it runs in). The kernel here has no {@code dummy}
 * module, so interfaces are veth pairs with both ends inside the namespace; nothing is brought up, no packet is
 * sent.
 *
 * <p>Use {@link #shared()} from tests (one namespace per test JVM, removed at exit) or {@link #open(List)} with
 * try-with-resources. When not root, or keepalived or ip is missing, tests are skipped; with the environment
 * variable {@code CI=true} they fail instead, so a CI run cannot pass without the real check.
 *
 * <p>Exit codes of keepalived 2.2.7 -t seen here: 0 clean; 5 the file has problems keepalived would work around
 * (it prints them: ignored blocks, reset ports, ...); 6 scripts without script security. We require 0 and no
 * output at all.
 */
public final class KeepalivedConfigCheck implements AutoCloseable {

    /** Interfaces every shared namespace holds; tests choose their settings among these. */
    public static final List<String> INTERFACES = List.of("eth0", "eth1", "eth2");

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static KeepalivedConfigCheck shared;

    private final String keepalived;
    private final String ip;
    private final String namespace;
    private final Path dir;
    private final AtomicInteger files = new AtomicInteger();
    private long checks;
    private long checkNanos;

    /** keepalived -t's verdict on one file. */
    public record Result(int exitCode, String output) {
        public boolean accepted() {
            return exitCode == 0 && output.isBlank();
        }
    }

    private KeepalivedConfigCheck(String keepalived, String ip, List<String> interfaces) throws IOException {
        this.keepalived = keepalived;
        this.ip = ip;
        this.namespace = "slvs-render-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        this.dir = Files.createTempDirectory("keepalived-check");
        run(List.of(ip, "netns", "add", namespace));
        int n = 0;
        for (String iface : interfaces) {
            run(List.of(ip, "-n", namespace, "link", "add", iface, "type", "veth", "peer", "name", "slvsp" + n++));
        }
    }

    /** The JVM-wide instance; skips (or fails under CI=true) when keepalived cannot be run. */
    public static synchronized KeepalivedConfigCheck shared() {
        if (shared == null) {
            shared = open(INTERFACES);
            KeepalivedConfigCheck s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        }
        return shared;
    }

    /** A new namespace with the given interfaces; skips (or fails under CI=true) when not possible. */
    public static KeepalivedConfigCheck open(List<String> interfaces) {
        String keepalived = find("keepalived", "/usr/sbin", "/sbin", "/usr/local/sbin");
        String ip = find("ip", "/usr/sbin", "/sbin", "/usr/bin", "/bin");
        String why = null;
        if (keepalived == null) {
            why = "keepalived is not installed";
        } else if (ip == null) {
            why = "iproute2 (ip) is not installed";
        } else if (!"root".equals(System.getProperty("user.name"))) {
            why = "creating network namespaces needs root";
        }
        if (why == null) {
            try {
                return new KeepalivedConfigCheck(keepalived, ip, interfaces);
            } catch (IOException | RuntimeException e) {
                why = "cannot create a network namespace: " + e.getMessage();
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("keepalived -t check impossible under CI=true: " + why);
        }
        Assumptions.abort("keepalived -t check skipped: " + why);
        throw new IllegalStateException("unreachable");
    }

    /** Skips or fails (CI=true) unless the check can run; call first in tests that only make sense with it. */
    public static void requireAvailable() {
        shared();
    }

    /** The namespace's name, for running keepalived in it ({@code keepalived -s NAME}). */
    public String namespace() {
        return namespace;
    }

    public Result check(String text) {
        return checkAll(List.of(text)).get(0);
    }

    /**
     * Checks several files with a single {@code ip netns exec} (one shell loop), which saves the process start-up
     * cost per file that dominates keepalived -t's own few milliseconds.
     */
    public synchronized List<Result> checkAll(List<String> texts) {
        long start = System.nanoTime();
        try {
            List<Path> confs = new ArrayList<>();
            StringBuilder script = new StringBuilder();
            for (String text : texts) {
                Path conf = dir.resolve("k" + files.incrementAndGet() + ".conf");
                Files.writeString(conf, text, StandardCharsets.UTF_8);
                confs.add(conf);
                script.append(keepalived).append(" -t -f ").append(conf).append(" >").append(conf).append(".out 2>&1;")
                        .append(" echo $? >").append(conf).append(".rc\n");
            }
            run(List.of(ip, "netns", "exec", namespace, "sh", "-c", script.toString()));
            List<Result> results = new ArrayList<>();
            for (Path conf : confs) {
                int rc = Integer.parseInt(Files.readString(Path.of(conf + ".rc")).trim());
                String out = Files.readString(Path.of(conf + ".out"));
                results.add(new Result(rc, out));
                Files.delete(conf);
                Files.delete(Path.of(conf + ".rc"));
                Files.delete(Path.of(conf + ".out"));
            }
            checks += texts.size();
            checkNanos += System.nanoTime() - start;
            return results;
        } catch (IOException e) {
            throw new IllegalStateException("keepalived -t could not run", e);
        }
    }

    /** Fails with keepalived's own words and the file (numbered lines) unless keepalived -t accepts it. */
    public void assertAccepted(String text) {
        Result r = check(text);
        if (!r.accepted()) {
            fail("keepalived -t rejected the rendered file (exit " + r.exitCode() + "):\n" + r.output() + "\n"
                    + numbered(text));
        }
    }

    static String numbered(String text) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            sb.append(String.format("%4d  %s%n", ++n, line));
        }
        return sb.toString();
    }

    /** Files checked so far and the mean wall time per file in milliseconds (including process start). */
    public String statistics() {
        return checks + " files, " + (checks == 0 ? 0 : String.format("%.1f", checkNanos / 1e6 / checks))
                + " ms per file";
    }

    private static String find(String name, String... dirs) {
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command.get(0));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command.subList(0, Math.min(4, command.size())))
                        + " failed (" + p.exitValue() + "): " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            run(List.of(ip, "netns", "del", namespace));
        } catch (IOException e) {
            // best effort: the namespace may already be gone
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
