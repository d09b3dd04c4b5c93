package org.stratoslvs.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A user-mode Linux guest with IPVS: Debian's {@code linux.uml} (package user-mode-linux) booted on the host's own
 * root file system through hostfs, read-only, so keepalived, ipvsadm, iproute2, busybox and the JDK inside are the
 * host's. The lab directory is mounted again read-write at the same path: the product on the host writes
 * keepalived.conf there and the guest's keepalived reads it from there.
 *
 * <p>The channel: the host renames a shell script into {@code ctl/req/ID.sh}; the guest's agent loop (PID 1, see
 * guest-init.sh) runs it with guest-lib.sh sourced, in the background, and leaves {@code ctl/out/ID.out} and, last,
 * {@code ctl/out/ID.rc}. So the host can run anything in the guest (start keepalived, send it SIGHUP, read
 * {@code ipvsadm -Ln}, send traffic from the client namespace) and read the result as a file.
 *
 * <p>UML exits 0 whatever happens inside, so the boot is judged by the console: {@code LAB-READY} from the agent,
 * {@code LAB-FAILED} from the init script, or a kernel panic.
 */
final class Guest implements AutoCloseable {

    static final Path KERNEL = Path.of("/usr/bin/linux.uml");
    static final String PACKAGE = "user-mode-linux";
    /**
     * What the lab loads: IPVS (which brings ipv6) and its schedulers, and the devices of the lab network and of DR
     * and TUN over both families (ipip: tunl0; ip6_tunnel: ip6tnl0).
     */
    static final List<String> MODULES = List.of("ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_lc", "ip_vs_wlc",
            "ip_vs_sh", "ip_vs_mh", "veth", "bridge", "dummy", "ipip", "ip6_tunnel");
    private static final String[] RESOURCES = {"guest-init.sh", "guest-lib.sh", "echo-server.sh",
            "reload-keepalived.sh", "ipvs-watch.pl", "own-reload.pl", "uml-xstate-shim.c"};
    static final Path GCC = Path.of("/usr/bin/gcc");
    private static final String READY = "LAB-READY";
    private static final String FAILED = "LAB-FAILED";
    /** What Debian's UML 6.1 printed on hosts whose FP state it could not restore (AVX-512/AMX, older builds). */
    private static final String XSTATE_FAILURE = "ptrace set fp regs failed";

    private final Path dir;
    private final Process process;
    private final Path console;
    private final long bootMillis;
    private final AtomicLong ids = new AtomicLong();

    /** Why a guest did not come up, with the console's last lines. */
    static final class BootFailure extends Exception {
        BootFailure(String message) {
            super(message);
        }
    }

    private Guest(Path dir, Process process, Path console, long bootMillis) {
        this.dir = dir;
        this.process = process;
        this.console = console;
        this.bootMillis = bootMillis;
    }

    /**
     * Boots a guest in {@code dir} (created; an absolute path without spaces) and waits for its agent.
     */
    static Guest boot(Path dir, String memory, Duration timeout) throws IOException, BootFailure,
            InterruptedException {
        return boot(dir, memory, timeout, false);
    }

    /**
     * {@link #boot(Path, String, Duration)}; with {@code forceXstateMerge} the FP-state shim (uml-xstate-shim.c)
     * merges on every restore, as it must on AVX-512/AMX hosts, instead of only where the sizes differ.
     */
    static Guest boot(Path dir, String memory, Duration timeout, boolean forceXstateMerge) throws IOException,
            BootFailure, InterruptedException {
        Path lab = dir.toAbsolutePath().normalize();
        Files.createDirectories(lab.resolve("uml"));
        for (String name : RESOURCES) {
            try (InputStream in = Guest.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("resource " + name + " missing");
                }
                Path target = lab.resolve(name);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.write(lab.resolve("modules.list"), KernelModules.resolve(MODULES));
        Path console = lab.resolve("console.log");
        List<String> cmd = List.of(KERNEL.toString(), "mem=" + memory, "rootfstype=hostfs", "rootflags=/", "ro",
                "init=" + lab.resolve("guest-init.sh"), "uml_dir=" + lab.resolve("uml"), "umid=lab",
                "con=null", "con0=fd:0,fd:1");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(console.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // UML keeps its guest memory in a file under TMPDIR; the build's target directory has room for it
        pb.environment().put("TMPDIR", lab.resolve("uml").toString());
        // always preloaded, so that the code AVX-512/AMX hosts depend on runs on every host (see the shim)
        pb.environment().put("LD_PRELOAD", buildXstateShim(lab).toString());
        if (forceXstateMerge) {
            pb.environment().put("LAB_XSTATE_SHIM_FORCE", "1");
            pb.environment().put("LAB_XSTATE_SHIM_MARK", lab.resolve("xstate-merged").toString());
        }
        long t0 = System.nanoTime();
        Process process = pb.start();
        Guest guest = new Guest(lab, process, console, 0);
        long deadline = t0 + timeout.toNanos();
        while (true) {
            String text = guest.console();
            if (text.contains(READY)) {
                return new Guest(lab, process, console, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
            String why = null;
            if (text.contains(XSTATE_FAILURE)) {
                why = "UML cannot restore this host CPU's FP state (" + XSTATE_FAILURE + ")";
            } else if (text.contains(FAILED)) {
                why = "the guest's init script failed";
            } else if (text.contains("Kernel panic")) {
                why = "kernel panic";
            } else if (!process.isAlive()) {
                why = "UML exited with " + process.exitValue();
            } else if (System.nanoTime() > deadline) {
                why = "no " + READY + " within " + timeout.toSeconds() + " s";
            }
            if (why != null) {
                guest.kill();
                throw new BootFailure(why + "; console " + console + " ends:\n" + tail(guest.console(), 25));
            }
            Thread.sleep(20);
        }
    }

    /** Compiles the FP-state shim into the lab directory with the host's gcc. */
    private static Path buildXstateShim(Path lab) throws IOException, InterruptedException {
        Path so = lab.resolve("uml-xstate-shim.so");
        Process gcc = new ProcessBuilder(GCC.toString(), "-O2", "-Wall", "-shared", "-fPIC", "-o", so.toString(),
                lab.resolve("uml-xstate-shim.c").toString(), "-ldl").redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc could not build the UML FP-state shim: " + out);
        }
        return so;
    }

    Path dir() {
        return dir;
    }

    long bootMillis() {
        return bootMillis;
    }

    String console() {
        try {
            return Files.readString(console, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** What a request printed (stdout and stderr) and its exit code. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a busybox sh script in the guest's root namespace, guest-lib.sh's functions at hand. */
    Result run(String script, Duration timeout) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IOException("the guest is not running; console ends:\n" + tail(console(), 15));
        }
        String id = "h" + ids.incrementAndGet();
        Path ctl = dir.resolve("ctl");
        Path tmp = ctl.resolve("req").resolve("." + id + ".tmp");
        Files.writeString(tmp, ". \"$LAB/guest-lib.sh\"\n" + script + "\n");
        Files.move(tmp, ctl.resolve("req").resolve(id + ".sh"), StandardCopyOption.ATOMIC_MOVE);
        Path rc = ctl.resolve("out").resolve(id + ".rc");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(rc)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the guest did not finish request " + id + " within " + timeout.toMillis()
                        + " ms: " + script);
            }
            if (!process.isAlive()) {
                throw new IOException("the guest stopped during request " + id + "; console ends:\n"
                        + tail(console(), 15));
            }
            Thread.sleep(5);
        }
        String out = Files.readString(ctl.resolve("out").resolve(id + ".out"));
        return new Result(Integer.parseInt(Files.readString(rc).strip()), out);
    }

    /** Runs a script that must succeed within 60 s; its output. */
    String sh(String script) throws IOException, InterruptedException {
        Result r = run(script, Duration.ofSeconds(60));
        if (!r.ok()) {
            throw new AssertionError("guest: `" + script + "` exit " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    /** The kernel's IPVS table, as {@code ipvsadm -Ln} inside the guest shows it. */
    IpvsTable ipvs() throws IOException, InterruptedException {
        return IpvsTable.parse(sh("/usr/sbin/ipvsadm -Ln"));
    }

    /** Polls {@link #ipvs()} until {@code condition} holds; the table that satisfied it, or an AssertionError. */
    IpvsTable awaitIpvs(String what, Predicate<IpvsTable> condition, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IpvsTable table = ipvs();
        while (!condition.test(table)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("IPVS never showed " + what + " within " + timeout.toMillis()
                        + " ms; it shows:\n" + table.text() + "\nkeepalived.log ends:\n"
                        + tail(readQuietly(dir.resolve("keepalived.log")), 20));
            }
            Thread.sleep(50);
            table = ipvs();
        }
        return table;
    }

    /** Polls until {@code vs} has exactly {@code destinations}, every one forwarded by {@code forward} (Masq, ...). */
    IpvsTable awaitForwarding(String protocol, String vs, String forward, java.util.Set<String> destinations,
                              Duration timeout) throws IOException, InterruptedException {
        return awaitIpvs(protocol + " " + vs + " → " + destinations + " by " + forward, t -> t.service(protocol, vs)
                .map(v -> java.util.Set.copyOf(v.destinationAddresses()).equals(destinations)
                        && v.destinations().stream().allMatch(d -> d.forward().equals(forward))).orElse(false),
                timeout);
    }

    /** keepalived's parent pid in the guest, or -1. */
    long keepalivedPid() throws IOException, InterruptedException {
        Result r = run("ka_pid", Duration.ofSeconds(10));
        return r.ok() ? Long.parseLong(r.output().strip()) : -1;
    }

    /** Starts a full keepalived (IPVS too) in the guest on {@code conf}; its pid. */
    long startKeepalived(Path conf) throws IOException, InterruptedException {
        return Long.parseLong(sh("ka_start " + conf).strip());
    }

    String keepalivedLog() {
        return readQuietly(dir.resolve("keepalived.log"));
    }

    /** Powers the guest off (and kills what is left of it, should it not stop within 10 s). */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                Path ctl = dir.resolve("ctl").resolve("req");
                Path tmp = ctl.resolve(".poweroff.tmp");
                Files.writeString(tmp, "/bin/busybox sync; /bin/busybox poweroff -f\n");
                Files.move(tmp, ctl.resolve("poweroff.sh"), StandardCopyOption.ATOMIC_MOVE);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            // killed below
        } finally {
            kill();
        }
    }

    /** The UML kernel process and its helpers (processes this lab started), by pid. */
    private void kill() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
