package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/** What the system tests need, and small command helpers. */
final class TestEnv {

    static final Path KEEPALIVED = Path.of("/usr/sbin/keepalived");
    static final Path IP = java.util.stream.Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")
            .map(Path::of).filter(Files::isExecutable).findFirst().orElse(Path.of("/usr/sbin/ip"));

    static String ip() {
        return IP.toString();
    }

    private TestEnv() {
    }

    /** Root, keepalived and ip: skips without them, but fails when CI=true (CI must run these tests). */
    static void requireRootKeepalivedIp() {
        String missing = null;
        if (!"root".equals(System.getProperty("user.name")) && !isUid0()) {
            missing = "not running as root";
        } else if (!Files.isExecutable(KEEPALIVED)) {
            missing = KEEPALIVED + " is not installed";
        } else if (!Files.isExecutable(IP)) {
            missing = "ip (iproute2) is not installed";
        }
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + missing);
            }
            Assumptions.abort(missing);
        }
    }

    private static boolean isUid0() {
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

    /** Runs a command; fails the test when it exits non-zero. */
    static String sh(String... argv) {
        try {
            Processes.Run r = Processes.run(List.of(argv), Duration.ofSeconds(20));
            if (r.exitCode() != 0) {
                fail(String.join(" ", argv) + " exit " + r.exitCode() + ": " + r.output());
            }
            return r.output();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a command, ignoring failure (cleanup). */
    static void quiet(String... argv) {
        try {
            Processes.run(List.of(argv), Duration.ofSeconds(20));
        } catch (IOException e) {
            // best effort
        }
    }

    /** A VRRP-only keepalived.conf. */
    static String vrrpConfig(String iface, String state, int priority, String vip, String advertInt, String extra) {
        return """
                global_defs {
                  router_id %s
                  vrrp_garp_master_delay 1
                }
                vrrp_instance VI_1 {
                  state %s
                  interface %s
                  virtual_router_id 77
                  version 3
                  priority %d
                  advert_int %s
                  virtual_ipaddress {
                    %s/32
                  }
                }
                %s
                """.formatted("t_" + iface, state, iface, priority, advertInt, vip, extra);
    }
}
