package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, with the real ip and sysctl, inside network namespaces this test creates and always deletes.
 * On this kernel (no dummy driver) this exercises the lo fallback; with a dummy driver the dummy path.
 * Needs root and iproute2: skipped without them, but failed when CI=true so CI cannot silently skip it.
 */
class NetnsIntegrationTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ProcessCommandRunner RUNNER = new ProcessCommandRunner();
    private static final NetworkSystem.Executables EXECUTABLES = NetworkSystem.Executables.resolve();
    /** Only what this tool could touch: other work in the host namespace may add interfaces meanwhile. */
    private static final List<String> ROOT_KEYS = List.of("net.ipv4.conf.all.arp_ignore",
            "net.ipv4.conf.all.arp_announce", "net.ipv4.conf.lo.arp_ignore", "net.ipv4.conf.lo.arp_announce");
    private static String rootSysctlsBefore;

    @TempDir
    Path dir;
    private String netns;
    private Path stateFile;

    @BeforeAll
    static void requireRootAndIproute() throws Exception {
        String missing = missingRequirement();
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but the namespace tests cannot run: " + missing);
            }
            Assumptions.assumeTrue(false, "namespace tests skipped: " + missing);
        }
        rootSysctlsBefore = rootSysctls();
    }

    private static String missingRequirement() {
        try {
            CommandRunner.CommandResult id = RUNNER.run(List.of("id", "-u"));
            if (!id.ok() || !id.stdout().strip().equals("0")) {
                return "not running as root";
            }
            if (!RUNNER.run(List.of(EXECUTABLES.ip(), "-V")).ok()) {
                return "ip (iproute2) not usable";
            }
            if (!RUNNER.run(List.of(EXECUTABLES.sysctl(), "-n", "net.ipv4.conf.all.arp_ignore")).ok()) {
                return "sysctl not usable";
            }
            return null;
        } catch (ToolException e) {
            return e.getMessage();
        }
    }

    @AfterAll
    static void rootNamespaceUntouched() throws Exception {
        if (rootSysctlsBefore != null) {
            assertEquals(rootSysctlsBefore, rootSysctls(), "the test must not change the host namespace");
        }
    }

    @BeforeEach
    void createNamespace() throws Exception {
        netns = "rs-it-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        stateFile = dir.resolve("var/lib/stratos-lvs/realserver.state");
        must(EXECUTABLES.ip(), "netns", "add", netns);
        // A host-like namespace: an Ethernet-like pair with an address, where ARP replies would go out.
        must(EXECUTABLES.ip(), "-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
        must(EXECUTABLES.ip(), "-n", netns, "addr", "add", "10.99.0.11/24", "dev", "eth0");
        // No IPv6 link-local addresses: their "tentative" flag flips during a test and would blur the snapshots.
        must(EXECUTABLES.ip(), "-n", netns, "link", "set", "eth0", "addrgenmode", "none");
        must(EXECUTABLES.ip(), "-n", netns, "link", "set", "eth1", "addrgenmode", "none");
        must(EXECUTABLES.ip(), "-n", netns, "link", "set", "eth0", "up");
        must(EXECUTABLES.ip(), "-n", netns, "link", "set", "eth1", "up");
        // Carrier comes up asynchronously; snapshots taken before and after must not see it change.
        for (int i = 0; i < 100 && must(EXECUTABLES.ip(), "-n", netns, "-o", "link", "show").stdout()
                .contains("NO-CARRIER"); i++) {
            Thread.sleep(20);
        }
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (netns != null) {
            must(EXECUTABLES.ip(), "netns", "del", netns);
        }
    }

    private static CommandRunner.CommandResult must(String... argv) throws ToolException {
        CommandRunner.CommandResult result = RUNNER.run(List.of(argv));
        if (!result.ok()) {
            fail(String.join(" ", argv) + " failed: " + result.errorText());
        }
        return result;
    }

    /** Whether this kernel creates a dummy interface in the test's namespace (tried, then removed). */
    private boolean dummyInterfacesWork() throws ToolException {
        boolean created = RUNNER.run(List.of(EXECUTABLES.ip(), "-n", netns, "link", "add", "probe0", "type", "dummy"))
                .ok();
        if (created) {
            must(EXECUTABLES.ip(), "-n", netns, "link", "del", "probe0");
        }
        return created;
    }

    private void loUp() throws ToolException {
        must(EXECUTABLES.ip(), "-n", netns, "link", "set", "lo", "up");
    }

    private ToolRun tool(String... args) {
        return tool(RUNNER, args);
    }

    private ToolRun tool(CommandRunner runner, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--netns", netns, "--state-file", stateFile.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(all.toArray(String[]::new), o, e, runner, EXECUTABLES);
        }
        return new ToolRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Links, addresses and every net.ipv4.conf sysctl: what apply may touch and remove must restore. */
    private String snapshot() throws ToolException {
        return must(EXECUTABLES.ip(), "-n", netns, "-o", "link", "show").stdout()
                + must(EXECUTABLES.ip(), "-n", netns, "-o", "addr", "show").stdout()
                + sysctlSnapshot(netns);
    }

    private static String sysctlSnapshot(String namespace) throws ToolException {
        return must(EXECUTABLES.ip(), "netns", "exec", namespace, EXECUTABLES.sysctl(), "-a", "--pattern",
                "^net\\.ipv4\\.conf\\.").stdout();
    }

    private static String rootSysctls() throws ToolException {
        List<String> argv = new ArrayList<>(List.of(EXECUTABLES.sysctl()));
        argv.addAll(ROOT_KEYS);
        return must(argv.toArray(String[]::new)).stdout();
    }

    private String addresses() throws ToolException {
        return must(EXECUTABLES.ip(), "-n", netns, "-o", "addr", "show").stdout();
    }

    private String sysctl(String key) throws ToolException {
        return must(EXECUTABLES.ip(), "netns", "exec", netns, EXECUTABLES.sysctl(), "-n", key).stdout().strip();
    }

    private Path payload(String text) throws Exception {
        Path file = dir.resolve("launch-params");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void applyTwiceStatusRemoveRestoresExactly() throws Exception {
        loUp();
        // which path the tool must take, found out independently of it: the dummy interface where this kernel can
        // create one, lo where it cannot
        boolean dummy = dummyInterfacesWork();
        String vipInterface = dummy ? "lvs0" : "lo";
        String before = snapshot();
        Path payload = payload("APPLICATION_ID=app1,LVS_VIRTUAL_IP=192.168.56.50|255.255.255.0,PORTS=80\n");

        ToolRun apply = tool("apply", "--payload", payload.toString());
        assertEquals(0, apply.exitCode(), apply.toString());
        assertEquals(!dummy, apply.out().contains("falling back to lo"), apply.out());
        assertTrue(addresses().contains(vipInterface + "    inet 192.168.56.50/32 "), addresses());
        assertEquals("1", sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("2", sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("1", sysctl("net.ipv4.conf." + vipInterface + ".arp_ignore"));
        assertEquals("2", sysctl("net.ipv4.conf." + vipInterface + ".arp_announce"));
        assertEquals("0", sysctl("net.ipv4.conf.eth0.arp_ignore"), "per-interface values elsewhere stay as they are");
        assertTrue(Files.readString(stateFile).contains("address.added=true"));

        String afterFirst = snapshot();
        ToolRun again = tool("apply", "--payload", payload.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("nothing changed"), again.out());
        assertEquals(afterFirst, snapshot());

        ToolRun status = tool("status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("VIP 192.168.56.50/32 on " + vipInterface), status.out());
        assertTrue(status.out().contains("net.ipv4.conf.all.arp_ignore = 1"), status.out());
        assertTrue(status.out().contains("status: in place"), status.out());

        ToolRun remove = tool("remove");
        assertEquals(0, remove.exitCode(), remove.toString());
        assertEquals(before, snapshot());
        assertFalse(Files.exists(stateFile));

        ToolRun removeAgain = tool("remove");
        assertEquals(0, removeAgain.exitCode(), removeAgain.toString());
        assertTrue(removeAgain.out().contains("nothing to undo"), removeAgain.out());
    }

    @Test
    void ipv6VipNeedsNoSysctls() throws Exception {
        loUp();
        String before = snapshot();
        ToolRun apply = tool("apply", "--vip", "2001:db8:56::50/64");
        assertEquals(0, apply.exitCode(), apply.toString());
        assertTrue(addresses().contains("inet6 2001:db8:56::50/128 "), addresses());
        assertEquals("0", sysctl("net.ipv4.conf.all.arp_ignore"));

        assertEquals(0, tool("apply", "--vip", "2001:db8:56::50/64").exitCode());
        ToolRun remove = tool("remove");
        assertEquals(0, remove.exitCode(), remove.toString());
        assertEquals(before, snapshot());
    }

    @Test
    void loopbackThatWasDownIsPutBackDown() throws Exception {
        // A fresh namespace has lo down; on a real host it is up and this step does not happen.
        String before = snapshot();
        ToolRun apply = tool("apply", "--vip", "10.99.1.50", "--interface", "lo");
        assertEquals(0, apply.exitCode(), apply.toString());
        assertTrue(apply.out().contains("set lo up"), apply.out());
        assertTrue(Files.readString(stateFile).contains("link.set-up=true"));

        ToolRun remove = tool("remove");
        assertEquals(0, remove.exitCode(), remove.toString());
        assertTrue(remove.out().contains("set lo down again"), remove.out());
        // Bringing lo up makes the kernel add 127.0.0.1/8 and swap the noop qdisc; setting it down keeps both.
        // That is the kernel's doing, not an address this tool added, so it is normalised away here.
        assertEquals(withoutLoopbackUpSideEffects(before), withoutLoopbackUpSideEffects(snapshot()));
        assertFalse(addresses().contains("10.99.1.50"));
    }

    private static String withoutLoopbackUpSideEffects(String snapshot) {
        return snapshot.replaceAll("(?m)^1: lo    inet6? (127\\.0\\.0\\.1/8|::1/128) .*\n", "")
                .replaceAll("qdisc \\S+", "qdisc X");
    }

    @Test
    void malformedValuesChangeNothing() throws Exception {
        loUp();
        String before = snapshot();
        for (String hostile : List.of("LVS_VIRTUAL_IP=192.168.56.50;reboot", "LVS_VIRTUAL_IP=$(reboot)",
                "LVS_VIRTUAL_IP=192.168.56.50|255.0.255.0", "LVS_VIRTUAL_IP=192.168.56.50\nreboot")) {
            ToolRun run = tool("apply", "--payload", payload(hostile).toString());
            assertEquals(ExitCode.INVALID_VIP.code(), run.exitCode(), run.toString());
        }
        ToolRun onLoWithMask = tool("apply", "--vip", "192.168.56.50/24", "--use-mask", "--interface", "lo");
        assertEquals(ExitCode.REFUSED.code(), onLoWithMask.exitCode(), onLoWithMask.toString());
        ToolRun onEth0 = tool("apply", "--vip", "192.168.56.50", "--interface", "eth0");
        assertEquals(ExitCode.REFUSED.code(), onEth0.exitCode(), onEth0.toString());
        assertEquals(before, snapshot());
        assertFalse(Files.exists(stateFile));
    }

    @Test
    void statusDetectsDriftAndApplyRepairsIt() throws Exception {
        loUp();
        assertEquals(0, tool("apply", "--vip", "192.168.56.50", "--interface", "lo").exitCode());
        must(EXECUTABLES.ip(), "-n", netns, "addr", "del", "192.168.56.50/32", "dev", "lo");

        ToolRun drift = tool("status");
        assertEquals(ExitCode.DRIFT.code(), drift.exitCode(), drift.toString());

        ToolRun repair = tool("apply", "--vip", "192.168.56.50", "--interface", "lo");
        assertEquals(0, repair.exitCode(), repair.toString());
        assertTrue(repair.out().contains("1 change(s)"), repair.out());
        assertEquals(0, tool("status").exitCode());
        assertEquals(0, tool("remove").exitCode());
    }

    @Test
    void stateOfAnotherNamespaceIsRefused() throws Exception {
        loUp();
        assertEquals(0, tool("apply", "--vip", "192.168.56.50").exitCode());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(sink, true, StandardCharsets.UTF_8)) {
            // Same state file, no --netns: it must not undo the namespace's changes in the host namespace.
            int code = Main.run(new String[] {"remove", "--state-file", stateFile.toString()}, p, p, RUNNER, EXECUTABLES);
            assertEquals(ExitCode.REFUSED.code(), code, sink.toString(StandardCharsets.UTF_8));
        }
        assertEquals(0, tool("remove").exitCode());
    }

    /**
     * Two applies of different VIPs on one state file, forced to overlap: each run, at its first ip command (right
     * after it has read the state file), waits until the other run has got that far too, or 2 s. Without a lock both
     * read "no state", both apply, and the later save overwrites the earlier run's record: remove then leaves that
     * VIP and the sysctls behind. With the lock the second run can only read the state once the first is done, and
     * refuses (one VIP per state file).
     */
    @Test
    void overlappingAppliesOfTwoVipsLeaveNothingBehindAfterRemove() throws Exception {
        loUp();
        String before = snapshot();
        CountDownLatch firstLoaded = new CountDownLatch(1);
        CountDownLatch secondLoaded = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<ToolRun> first = pool.submit(() -> tool(meetAtFirstCommand(firstLoaded, secondLoaded),
                    "apply", "--vip", "192.168.56.50", "--interface", "lo"));
            Future<ToolRun> second = pool.submit(() -> tool(meetAtFirstCommand(secondLoaded, firstLoaded),
                    "apply", "--vip", "192.168.56.51", "--interface", "lo"));
            List<ToolRun> runs = List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
            assertOneAppliedOneRefused(runs);
        } finally {
            pool.shutdownNow();
        }
        ToolRun remove = tool("remove");
        assertEquals(0, remove.exitCode(), remove.toString());
        assertEquals(before, snapshot(), "remove must undo everything the applies did");
        assertFalse(Files.exists(stateFile));
    }

    /** A runner that, at its first command, signals {@code mine} and waits (bounded) for {@code other}. */
    private static CommandRunner meetAtFirstCommand(CountDownLatch mine, CountDownLatch other) {
        AtomicInteger calls = new AtomicInteger();
        return argv -> {
            if (calls.getAndIncrement() == 0) {
                mine.countDown();
                try {
                    other.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return RUNNER.run(argv);
        };
    }

    private static void assertOneAppliedOneRefused(List<ToolRun> runs) {
        long applied = runs.stream().filter(r -> r.exitCode() == ExitCode.OK.code()).count();
        long refused = runs.stream().filter(r -> r.exitCode() == ExitCode.REFUSED.code()
                && r.err().contains("one VIP per state file")).count();
        assertEquals(1, applied, runs.toString());
        assertEquals(1, refused, runs.toString());
    }

    /**
     * The same race between two real processes of the tool (separate JVMs, started together), repeated: the lock
     * must hold across processes, where the JVM-internal overlap check does not apply.
     */
    @Test
    void concurrentProcessesOnOneStateFileSerialise() throws Exception {
        loUp();
        String before = snapshot();
        for (int round = 0; round < 4; round++) {
            Process first = toolProcess("apply", "--vip", "192.168.56.50", "--interface", "lo");
            Process second = toolProcess("apply", "--vip", "192.168.56.51", "--interface", "lo");
            List<ToolRun> runs = List.of(finish(first), finish(second));
            assertOneAppliedOneRefused(runs);
            ToolRun remove = finish(toolProcess("remove"));
            assertEquals(0, remove.exitCode(), remove.toString());
            assertEquals(before, snapshot(), "round " + round + ": remove must undo everything " + runs);
        }
    }

    /** A run that cannot get the lock in its --lock-wait changes nothing and exits LOCKED. */
    @Test
    void runThatCannotGetTheLockRefusesWithItsOwnExitCode() throws Exception {
        loUp();
        String before = snapshot();
        Path lockFile = StateLock.lockFileFor(stateFile);
        Files.createDirectories(lockFile.getParent());
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = channel.lock()) {
            long start = System.nanoTime();
            ToolRun run = finish(toolProcess("apply", "--vip", "192.168.56.50", "--interface", "lo",
                    "--lock-wait", "1"));
            assertEquals(ExitCode.LOCKED.code(), run.exitCode(), run.toString());
            assertTrue(run.err().contains("another lvs-realserver run"), run.toString());
            assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(1), "it waited for the lock first");
            assertEquals(before, snapshot());
            assertFalse(Files.exists(stateFile));
        }
        ToolRun after = finish(toolProcess("apply", "--vip", "192.168.56.50", "--interface", "lo"));
        assertEquals(0, after.exitCode(), "released, the lock is free again: " + after);
        assertEquals(0, finish(toolProcess("remove")).exitCode());
    }

    private Process toolProcess(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Main.class.getName()));
        argv.addAll(List.of(args));
        argv.addAll(List.of("--netns", netns, "--state-file", stateFile.toString()));
        return new ProcessBuilder(argv).start();
    }

    private static ToolRun finish(Process process) throws Exception {
        java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> drain(process.getInputStream()));
        String err = drain(process.getErrorStream());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("lvs-realserver process did not finish in 60 s");
        }
        return new ToolRun(process.exitValue(), out.get(), err);
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
