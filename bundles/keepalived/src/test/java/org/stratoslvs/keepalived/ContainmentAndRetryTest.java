package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.HeldBack;
import org.stratoslvs.api.ControlStatus.Outcome;

/**
 * Blast radius and convergence against the real keepalived -t (VRRP only, in a namespace of its own): a virtual
 * server keepalived rejects is held back while the others apply; a failed apply is retried until it converges; no
 * file is written unchecked when the environment changes under an unchanged head.
 */
class ContainmentAndRetryTest {

    @TempDir
    Path tmp;

    private NetLab lab;
    private ApplyPipeline pipeline;

    @BeforeEach
    void network() {
        TestEnv.requireRootKeepalivedIp();
        // one lab per test: some tests take the VRRP interface away
        lab = new NetLab(1);
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private ApplyPipeline start(Path conf, String... more) {
        Map<String, Object> p = new HashMap<>();
        p.put("keepalived.args", "-P -s " + lab.namespaces.get(0));
        p.put("keepalived.conf.path", conf.toString());
        p.put("keepalived.pid.file", tmp.resolve("keepalived.pid").toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        KeepalivedSettings s = KeepalivedSettings.parse(p, Map.of());
        assertEquals(List.of(), s.errors());
        pipeline = new ApplyPipeline(s, set -> new KeepalivedSupervisor(set, Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(5)),
                Duration.ofMillis(200), Duration.ofSeconds(1));
        return pipeline;
    }

    /** A file as the renderer writes it: a comment naming the service above each block, one naming each member. */
    private String file(Map<String, List<String>> services) {
        StringBuilder b = new StringBuilder(TestEnv.vrrpConfig(lab.interfaces.get(0), "BACKUP", 100, lab.vip(), "1",
                "# services"));
        int port = 80;
        for (Map.Entry<String, List<String>> e : services.entrySet()) {
            b.append("\n# service ").append(e.getKey()).append(": port ").append(port).append(" (http) -> member port 8080\n");
            b.append("virtual_server ").append(lab.vip()).append(' ').append(port++).append(" {\n")
                    .append("    lvs_sched rr\n    lvs_method NAT\n    protocol TCP\n");
            int m = 0;
            for (String real : e.getValue()) {
                b.append("    # member ").append(e.getKey()).append("-m").append(m++).append(" (cluster ")
                        .append(e.getKey()).append(".c1)\n")
                        .append("    real_server ").append(real).append(" 8080 {\n        weight 1\n")
                        .append("        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    private static Map<String, List<String>> services(Object... nameThenMembers) {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenMembers.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> members = (List<String>) nameThenMembers[i + 1];
            m.put((String) nameThenMembers[i], members);
        }
        return m;
    }

    private void idle() throws InterruptedException {
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(30)), "pipeline did not become idle");
    }

    private ApplyRecord last() {
        return pipeline.status().lastApply();
    }

    private int line(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in the text");
    }

    @Test
    void aMemberKeepalivedRejectsHoldsBackItsVirtualServerOnlyAndTheOtherServicesStillApply() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        start(conf);
        String good = file(services("web", List.of("10.0.1.1", "10.0.1.2"), "api", List.of("10.0.2.1", "10.0.2.2"),
                "dns", List.of("10.0.3.1")));
        pipeline.submit(good, "first");
        idle();
        assertEquals(Outcome.APPLIED, last().outcome(), last().toString());

        // web gains a member keepalived cannot take (link-local, no bind_if); api loses 10.0.2.2 (terminated); a new
        // service "img" comes with only the bad member
        String poisoned = file(services("web", List.of("10.0.1.1", "10.0.1.2", "fe80::1"),
                "api", List.of("10.0.2.1"), "dns", List.of("10.0.3.1"), "img", List.of("fe80::2")));
        pipeline.submit(poisoned, "member events");
        idle();
        ApplyRecord r = last();
        assertEquals(Outcome.APPLIED_PARTLY, r.outcome(), r.toString());
        String applied = Files.readString(conf);
        assertEquals(applied, pipeline.appliedConfig());
        assertFalse(applied.contains("10.0.2.2"), "the terminated member of another service left:\n" + applied);
        assertFalse(applied.contains("fe80::"), applied);
        assertTrue(applied.contains("real_server 10.0.1.2 8080"), "web at its previous version:\n" + applied);
        assertTrue(applied.contains("left out: keepalived -t rejected it"), applied);
        assertNull(pipeline.validate(applied), "what is applied is accepted whole by keepalived -t");

        ControlStatus status = pipeline.status();
        assertEquals(2, status.heldBackTotal(), status.heldBack().toString());
        HeldBack web = status.heldBack().get(0);
        assertEquals(lab.vip() + " 80 TCP", web.virtualServer());
        assertEquals("web", web.service());
        assertTrue(web.previousKept());
        int badLine = line(poisoned, "real_server fe80::1 ");
        assertTrue(web.members().startsWith("web-m2 (line "), web.members());
        int named = Integer.parseInt(web.members().replaceAll(".*\\(line (\\d+)\\).*", "$1"));
        assertTrue(named >= badLine && named <= badLine + 5, named + " vs the real_server at " + badLine);
        assertTrue(web.reason().contains("fe80::1 requires a bind_if"), web.reason());
        assertTrue(web.reason().contains("(config: Line " + named + ")"), "lines of the rendered file: " + web.reason());
        HeldBack img = status.heldBack().get(1);
        assertEquals("img", img.service());
        assertFalse(img.previousKept());
        assertTrue(r.detail().contains("2 virtual servers rejected by keepalived -t"), r.detail());

        // the same text again is unchanged (no new search); a further change to api applies, web stays held back
        pipeline.submit(poisoned, "same");
        idle();
        assertEquals(Outcome.UNCHANGED, last().outcome());
        String next = file(services("web", List.of("10.0.1.1", "10.0.1.2", "fe80::1"),
                "api", List.of("10.0.2.1", "10.0.2.3"), "dns", List.of("10.0.3.1"), "img", List.of("fe80::2")));
        pipeline.submit(next, "api member 10.0.2.3");
        idle();
        assertEquals(Outcome.APPLIED_PARTLY, last().outcome(), last().toString());
        assertTrue(Files.readString(conf).contains("real_server 10.0.2.3 8080"));
        assertEquals(web.since(), pipeline.status().heldBack().get(0).since(), "held back since the first rejection");

        // the bad member goes: everything applies and nothing is held back
        String healed = file(services("web", List.of("10.0.1.1"), "api", List.of("10.0.2.1", "10.0.2.3"),
                "dns", List.of("10.0.3.1")));
        pipeline.submit(healed, "member terminated");
        idle();
        assertEquals(Outcome.APPLIED, last().outcome(), last().toString());
        assertEquals(healed, Files.readString(conf));
        assertEquals(List.of(), pipeline.status().heldBack());
        assertEquals(0, pipeline.status().heldBackTotal());
    }

    @Test
    void aRejectedVrrpPartStillRejectsTheWholeFile() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        start(conf);
        String good = file(services("web", List.of("10.0.1.1")));
        pipeline.submit(good, "first");
        idle();
        String badHead = file(services("web", List.of("10.0.1.2"))).replace("interface " + lab.interfaces.get(0),
                "interface nosuch0");
        pipeline.submit(badHead, "settings");
        idle();
        assertEquals(Outcome.REJECTED, last().outcome(), last().toString());
        assertTrue(last().detail().startsWith("keepalived -t exit "), last().detail());
        assertTrue(last().detail().endsWith(Containment.HEAD_REJECTED), last().detail());
        assertEquals(good, Files.readString(conf));
        assertNull(pipeline.status().retry(), "a verdict is not retried");
    }

    @Test
    void aFailedWriteIsRetriedUntilItConvergesWithoutANewSubmit() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mnt"));
        TestEnv.sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString());
        try {
            Path conf = dir.resolve("keepalived.conf");
            start(conf);
            pipeline.submit(file(services("web", List.of("10.0.1.1"))), "first");
            idle();
            assertEquals(Outcome.APPLIED, last().outcome(), last().toString());

            Path filler = dir.resolve("filler");
            TestEnv.quiet("dd", "if=/dev/zero", "of=" + filler, "bs=4k", "count=64");
            String next = file(services("web", List.of("10.0.1.1", "10.0.1.2")));
            pipeline.submit(next, "member 10.0.1.2");
            idle();
            assertEquals(Outcome.WRITE_FAILED, last().outcome(), last().toString());
            ControlStatus.Retry retry = pipeline.status().retry();
            assertNotNull(retry, "a retry is planned and shown");
            assertTrue(retry.after().contains("No space left on device"), retry.after());

            // a second failure backs off further
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pipeline.status().retry() == null || pipeline.status().retry().attempt() < 2) {
                assertTrue(System.nanoTime() < deadline, "no second attempt: " + pipeline.status());
                Thread.sleep(20);
            }
            Files.delete(filler);
            deadline = System.nanoTime() + 10_000_000_000L;
            while (!next.equals(Files.readString(conf))) {
                assertTrue(System.nanoTime() < deadline, "did not converge: " + pipeline.status().lastApplies());
                Thread.sleep(20);
            }
            idle();
            assertEquals(Outcome.APPLIED, last().outcome(), last().toString());
            assertTrue(last().cause().startsWith("retry "), last().cause());
            assertNull(pipeline.status().retry());
        } finally {
            pipeline.close();
            AtomicConfigWriterTest.unmount(dir);
        }
    }

    @Test
    void aFailedReloadAndAKeepalivedTThatTimesOutAreRetried() throws Exception {
        Path ok = tmp.resolve("reload-works");
        Path marker = tmp.resolve("reloaded");
        Path reload = tmp.resolve("reload.sh");
        // the reload fails until the operator fixes what stops it (here: a file appears)
        Files.writeString(reload, "#!/bin/sh\n[ -e " + ok + " ] && touch " + marker + "\n");
        Files.setPosixFilePermissions(reload, PosixFilePermissions.fromString("rwx------"));
        Path conf = tmp.resolve("keepalived.conf");
        start(conf, "keepalived.mode", "external", "keepalived.reload.command", reload.toString());
        String text = file(services("web", List.of("10.0.1.1")));
        pipeline.submit(text, "first");
        idle();
        assertEquals(Outcome.RELOAD_FAILED, last().outcome(), last().toString());
        assertNotNull(pipeline.status().retry());
        Files.createFile(ok);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(marker)) {
            assertTrue(System.nanoTime() < deadline, "not retried: " + pipeline.status().lastApplies());
            Thread.sleep(20);
        }
        idle();
        assertEquals(Outcome.APPLIED, last().outcome(), last().toString());
        assertNull(pipeline.status().retry());

        // keepalived -t that does not finish in time: no verdict, retried; it converges once -t is quick again
        Path slow = tmp.resolve("slow");
        Path prefix = tmp.resolve("prefix.sh");
        Files.writeString(prefix, "#!/bin/sh\n[ -e " + slow + " ] && sleep 5\nexec \"$@\"\n");
        Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwx------"));
        Files.createFile(slow);
        pipeline.reconfigure(KeepalivedSettings.parse(Map.of("keepalived.args", "-P -s " + lab.namespaces.get(0),
                "keepalived.conf.path", conf.toString(), "keepalived.mode", "external",
                "keepalived.reload.command", reload.toString(), "keepalived.command.prefix", prefix.toString(),
                "keepalived.validate.timeout", "300"), Map.of()));
        String next = file(services("web", List.of("10.0.1.1", "10.0.1.2")));
        pipeline.submit(next, "member 10.0.1.2");
        idle();
        assertEquals(Outcome.NO_VERDICT, last().outcome(), last().toString());
        assertNotNull(pipeline.status().retry());
        assertEquals(text, Files.readString(conf));
        Files.delete(slow);
        deadline = System.nanoTime() + 15_000_000_000L;
        while (!next.equals(Files.readString(conf))) {
            assertTrue(System.nanoTime() < deadline, "did not converge: " + pipeline.status().lastApplies());
            Thread.sleep(20);
        }
    }

    /**
     * The removal-only shortcut: a text that only drops blocks used to be applied without keepalived -t. When the
     * environment changed meanwhile (the VRRP interface gone), that wrote a file keepalived rejects.
     */
    @Test
    void aRemovalIsCheckedWhenTheEnvironmentChangedUnderAnUnchangedHead() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        start(conf);
        String two = file(services("web", List.of("10.0.1.1"), "api", List.of("10.0.2.1")));
        pipeline.submit(two, "first");
        idle();
        assertEquals(Outcome.APPLIED, last().outcome(), last().toString());
        TestEnv.sh(TestEnv.ip(), "-n", lab.namespaces.get(0), "link", "del", lab.interfaces.get(0));

        String one = file(services("web", List.of("10.0.1.1")));
        pipeline.submit(one, "service api unmapped");
        idle();
        assertEquals(Outcome.REJECTED, last().outcome(), last().toString());
        assertTrue(last().detail().contains("interface"), last().detail());
        assertEquals(two, Files.readString(conf), "nothing unchecked was written");
    }

    /**
     * The audit's restore: it used to write the last wholly checked file back unchecked. When the audit rejects the
     * applied file because the environment changed, that older file is rejected too, and writing it would bring back a
     * member that has left since.
     */
    @Test
    void theAuditRestoresOnlyAFileKeepalivedAcceptsNow() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        start(conf, "keepalived.validate.audit.interval", "1500");
        String t1 = file(services("web", List.of("10.0.1.1", "10.0.1.2", "10.0.1.3")));
        pipeline.submit(t1, "first");
        idle();
        String t2 = file(services("web", List.of("10.0.1.1", "10.0.1.2")));
        pipeline.submit(t2, "member 10.0.1.3 terminated");
        idle();
        // the first audit runs at once and checks t2 whole
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (pipeline.auditsRun() < 1) {
            assertTrue(System.nanoTime() < deadline, "audit did not run");
            Thread.sleep(20);
        }
        String t3 = file(services("web", List.of("10.0.1.1")));
        pipeline.submit(t3, "member 10.0.1.2 terminated");
        idle();
        assertEquals(Outcome.APPLIED, last().outcome(), last().toString());
        // before the next audit (1.5 s after the first), the VRRP interface goes
        TestEnv.sh(TestEnv.ip(), "-n", lab.namespaces.get(0), "link", "del", lab.interfaces.get(0));
        deadline = System.nanoTime() + 15_000_000_000L;
        while (pipeline.auditsRun() < 2) {
            assertTrue(System.nanoTime() < deadline, "second audit did not run");
            Thread.sleep(20);
        }
        deadline = System.nanoTime() + 10_000_000_000L;
        while (pipeline.status().lastApplies().stream().noneMatch(a -> a.cause().contains("audit"))) {
            assertTrue(System.nanoTime() < deadline, "the audit's verdict led to nothing: "
                    + pipeline.status().lastApplies());
            Thread.sleep(20);
        }
        idle();
        ApplyRecord restore = pipeline.status().lastApplies().stream().filter(a -> a.cause().contains("audit"))
                .findFirst().orElseThrow();
        assertEquals(Outcome.REJECTED, restore.outcome(), restore.toString());
        assertTrue(restore.detail().startsWith("the last wholly checked file, not restored"), restore.detail());
        assertEquals(t3, Files.readString(conf), "the member that left is not brought back");
    }
}
