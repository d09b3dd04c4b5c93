package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real VRRP between two namespaces on a bridge: our supervised keepalived (MASTER, priority 150, run in lb1 with
 * {@code -s}) and a plain keepalived (BACKUP, priority 100) in lb2.
 */
class VrrpFailoverTest {

    /** VRRPv3 allows sub-second adverts; it keeps the failover part of the test short. */
    private static final double ADVERT_S = 0.5;

    @TempDir
    Path tmp;

    private NetLab lab;
    private ApplyPipeline pipeline;
    private Process backup;

    @BeforeEach
    void setUp() throws Exception {
        TestEnv.requireRootKeepalivedIp();
        lab = new NetLab(2);
        Path backupConf = tmp.resolve("backup.conf");
        Files.writeString(backupConf, TestEnv.vrrpConfig(lab.interfaces.get(1), "BACKUP", 100, lab.vip(),
                Double.toString(ADVERT_S), ""));
        backup = new ProcessBuilder(TestEnv.ip(), "netns", "exec", lab.namespaces.get(1), "/usr/sbin/keepalived", "-P", "-n",
                "-l", "-f", backupConf.toString(), "-p", tmp.resolve("b.pid").toString(),
                "-r", tmp.resolve("b_vrrp.pid").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("backup.log").toFile()).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (pipeline != null) {
                pipeline.close();
            }
            if (backup != null) {
                backup.destroy();
                if (!backup.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    backup.destroyForcibly();
                }
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    private String masterConfig(String extra) {
        return TestEnv.vrrpConfig(lab.interfaces.get(0), "MASTER", 150, lab.vip(), Double.toString(ADVERT_S), extra);
    }

    @Test
    void vipStaysOnReloadMovesOnKillAndComesBackAfterRestart() throws Exception {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of(
                "keepalived.args", "-P -s " + lab.namespaces.get(0),
                "keepalived.conf.path", tmp.resolve("lb1/keepalived.conf").toString()), Map.of());
        pipeline = new ApplyPipeline(s, set -> new KeepalivedSupervisor(set, Duration.ofMillis(500),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5)));
        String vip = lab.vip();

        pipeline.submit(masterConfig(""), "initial topology");
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)));
        assertEquals("applied", pipeline.status().lastApply().result(), pipeline.status().lastApply().toString());
        waitFor("VIP on MASTER (lb1)", Duration.ofSeconds(10), () -> lab.has(0, vip) && !lab.has(1, vip));
        long pid = pipeline.status().pid();

        // reload: the VIP must not leave lb1 or appear on lb2 at any sample, from before the submit until 1.5 s
        // after the apply (SIGHUP) is done, whenever that is
        List<String> flaps = new ArrayList<>();
        boolean submitted = false;
        long reloadedAt = -1;
        long start = System.nanoTime();
        while (reloadedAt < 0 || System.nanoTime() - reloadedAt < 1_500_000_000L) {
            long now = System.nanoTime();
            if (!submitted && now - start > 300_000_000L) {
                // -P ignores virtual_server blocks when running, but -t still checks them
                pipeline.submit(masterConfig(virtualServer(vip)), "member joined");
                submitted = true;
            }
            if (submitted && reloadedAt < 0 && "member joined".equals(pipeline.status().lastApply().cause())) {
                reloadedAt = now;
            }
            assertTrue(now - start < 20_000_000_000L, "the reload did not happen: " + pipeline.status());
            boolean onMaster = lab.has(0, vip);
            boolean onBackup = lab.has(1, vip);
            if (!onMaster || onBackup) {
                flaps.add(String.format("t=%d ms master=%s backup=%s", (now - start) / 1_000_000,
                        onMaster, onBackup));
            }
            Thread.sleep(50);
        }
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("applied", pipeline.status().lastApply().result());
        assertTrue(pipeline.status().lastApply().steps().contains("SIGHUP pid " + pid),
                pipeline.status().lastApply().steps());
        assertEquals(List.of(), flaps, "VIP flapped during the reload");
        assertEquals(pid, pipeline.status().pid(), "reloaded, not restarted");

        // kill -9 our keepalived: the BACKUP takes over within the VRRPv3 master down interval, 3 x advert_int
        // plus its skew time ((256 - priority) / 256 x advert_int), 1.8 s here (sooner when the orphaned VRRP
        // child still sends its priority-0 advert); plus slack for starting kill and polling ip on a busy machine
        long killedAt = System.nanoTime();
        TestEnv.sh("kill", "-9", Long.toString(pid));
        waitFor("VIP on BACKUP (lb2)", Duration.ofSeconds(5), () -> lab.has(1, vip));
        long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        double masterDownS = 3 * ADVERT_S + (256 - 100) / 256.0 * ADVERT_S;
        assertTrue(failoverMs <= masterDownS * 1000 + 1000, "failover took " + failoverMs + " ms");

        // the supervisor restarts it; higher priority + preempt take the VIP back
        waitFor("keepalived restarted", Duration.ofSeconds(5),
                () -> pipeline.status().pid() > 0 && pipeline.status().pid() != pid);
        assertNotEquals(pid, pipeline.status().pid());
        assertEquals(2, pipeline.supervisor().launches());
        waitFor("VIP back on lb1", Duration.ofSeconds(10), () -> lab.has(0, vip) && !lab.has(1, vip));
        System.out.printf("failover after kill -9: %d ms; VIP back on lb1 after %d ms%n", failoverMs,
                (System.nanoTime() - killedAt) / 1_000_000);
    }

    private static String virtualServer(String vip) {
        return """
                virtual_server %s 80 {
                  lb_algo rr
                  lb_kind NAT
                  protocol TCP
                  real_server 10.99.0.7 80 {
                    weight 1
                    TCP_CHECK {
                      connect_timeout 2
                    }
                  }
                }
                """.formatted(vip);
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
