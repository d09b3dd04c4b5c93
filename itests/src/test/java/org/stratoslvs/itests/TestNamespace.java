package org.stratoslvs.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace holding an {@code eth0}, made by the test JVM (the Pax Exam driver) before the container
 * starts: keepalived -t checks that the VRRP interface exists in the namespace it runs in, and the container's
 * keepalived control validates with {@code -s <namespace>}. Removed when the driver JVM exits.
 *
 * <p>Empty name when it cannot be made (not root, no keepalived or iproute2): the tests then skip the real
 * keepalived checks, except under {@code CI=true}, where that is an error.
 */
final class TestNamespace {

    static final String NAME = create();

    private TestNamespace() {
    }

    private static String create() {
        String name = "slvs-itest-" + ProcessHandle.current().pid();
        String why = null;
        if (!Files.isExecutable(Path.of("/usr/sbin/keepalived"))) {
            why = "keepalived is not installed";
        } else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            why = "iproute2 is not installed";
        } else if (!"root".equals(System.getProperty("user.name"))) {
            why = "network namespaces need root";
        } else if (!run(List.of("ip", "netns", "add", name))
                || !run(List.of("ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"))) {
            why = "could not create network namespace " + name;
            run(List.of("ip", "netns", "del", name));
        }
        if (why != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but the keepalived checks cannot run: " + why);
            }
            System.err.println("keepalived checks will be skipped: " + why);
            return "";
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> run(List.of("ip", "netns", "del", name))));
        return name;
    }

    private static boolean run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
