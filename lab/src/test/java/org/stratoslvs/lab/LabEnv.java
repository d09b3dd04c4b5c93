package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * What the lab needs on the host. Without it the lab tests skip, except under {@code CI=true}, where they fail:
 * CI installs the packages (.ci/run) and must run the lab.
 */
final class LabEnv {

    static final Path KEEPALIVED = Path.of("/usr/sbin/keepalived");
    static final Path IPVSADM = Path.of("/usr/sbin/ipvsadm");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final Path IP = Path.of("/usr/sbin/ip");
    /** Guest memory: keepalived, busybox servers and, for DR, one JVM (lvs-realserver) at a time. */
    static final String GUEST_MEMORY = "768M";
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    private LabEnv() {
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, under CI, fails) the test with {@code why}. */
    static void unavailable(String why) {
        if (ci()) {
            fail("CI=true but the IPVS lab cannot run: " + why);
        }
        Assumptions.abort(why);
    }

    /** Root, the UML kernel package, keepalived, ipvsadm, busybox, iproute2, gcc (the UML FP-state shim). */
    static void require() {
        String missing = null;
        if (!isRoot()) {
            missing = "not running as root";
        } else {
            for (Path p : List.of(Guest.KERNEL, KEEPALIVED, IPVSADM, BUSYBOX, IP, Guest.GCC)) {
                if (!Files.isExecutable(p)) {
                    missing = p + " is not installed (apt-get install user-mode-linux keepalived ipvsadm "
                            + "busybox-static iproute2 gcc libc6-dev)";
                    break;
                }
            }
        }
        if (missing != null) {
            unavailable(missing);
        }
    }

    /** Boots a guest in {@code target/lab-NAME-*}; a boot failure skips, or fails under CI. */
    static Guest boot(String name) throws IOException, InterruptedException {
        return boot(name, false);
    }

    /** {@link #boot(String)}, the FP-state shim merging on every restore if {@code forceXstateMerge}. */
    static Guest boot(String name, boolean forceXstateMerge) throws IOException, InterruptedException {
        require();
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path dir = Files.createTempDirectory(target, "lab-" + name + "-");
        try {
            Guest guest = Guest.boot(dir, GUEST_MEMORY, BOOT_TIMEOUT, forceXstateMerge);
            System.out.printf("IPVS lab %s: UML guest booted in %d ms (%s)%n", name, guest.bootMillis(), dir);
            return guest;
        } catch (Guest.BootFailure e) {
            unavailable("the UML guest did not boot: " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }

    /**
     * The real-server tool's wrapper ({@code lvs-realserver}, next to the jar tools/realserver built), which the DR
     * tests run inside the real servers' namespaces; missing, the test skips (fails under CI).
     */
    static Path realServerTool() {
        Path dir = Path.of(System.getProperty("lab.realserver.dir", "../tools/realserver/target")).toAbsolutePath()
                .normalize();
        Path tool = dir.resolve("lvs-realserver");
        boolean jar;
        try (var files = Files.list(dir)) {
            jar = files.anyMatch(f -> f.getFileName().toString().matches("stratos-lvs-realserver-.*\\d\\.jar|"
                    + "stratos-lvs-realserver-.*SNAPSHOT\\.jar"));
        } catch (IOException e) {
            jar = false;
        }
        if (!jar || !Files.isRegularFile(tool)) {
            unavailable("the real-server tool is not built in " + dir + " (mvn -pl tools/realserver install)");
        }
        return tool;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * Closes what a lab test class set up, in the order given (the product before the guest it drives, the guest
     * before the host namespace); null parts (a set-up that failed half way) are passed over.
     */
    static void closeInOrder(AutoCloseable... parts) throws Exception {
        for (AutoCloseable part : parts) {
            if (part != null) {
                part.close();
            }
        }
    }
}
