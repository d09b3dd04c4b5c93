package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeepalivedValidatorTest {

    private static NetLab lab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void network() {
        TestEnv.requireRootKeepalivedIp();
        lab = new NetLab(1);
    }

    @AfterAll
    static void cleanup() {
        if (lab != null) {
            lab.close();
        }
    }

    private KeepalivedValidator validator(String args) {
        return new KeepalivedValidator(KeepalivedSettings.parse(Map.of("keepalived.args", args,
                "keepalived.conf.path", tmp.resolve("k.conf").toString()), Map.of()), tmp.resolve("validate"));
    }

    private String good() {
        return TestEnv.vrrpConfig(lab.interfaces.get(0), "MASTER", 150, lab.vip(), "1", "");
    }

    @Test
    void acceptsAValidConfigInsideTheNamespace() {
        KeepalivedValidator.Result r = validator("-P -s " + lab.namespaces.get(0)).validate(good());
        assertTrue(r.accepted(), r.message());
        assertEquals(null, r.rejection());
    }

    @Test
    void theInterfaceIsCheckedInTheNamespaceKeepalivedRunsIn() {
        // the same text is wrong outside the namespace: the interface does not exist there
        KeepalivedValidator.Result r = validator("-P").validate(good());
        assertFalse(r.accepted());
        assertTrue(r.message().contains("doesn't exist"), r.message());
    }

    @Test
    void rejectsUnknownKeywordsWithKeepalivedsMessage() {
        String bad = good().replace("priority 150", "priority 150\n  priorty 10");
        KeepalivedValidator.Result r = validator("-P -s " + lab.namespaces.get(0)).validate(bad);
        assertFalse(r.accepted());
        assertTrue(r.message().contains("Unknown keyword 'priorty'"), r.message());
        assertTrue(r.message().startsWith("keepalived -t exit "), r.message());
        assertFalse(r.message().contains(tmp.toString()), "temp file name is not shown: " + r.message());
    }

    @Test
    void rejectsErrorsKeepalivedWouldRunAnyway() {
        KeepalivedValidator v = validator("-P -s " + lab.namespaces.get(0));
        // keepalived would run these, dropping the instance or replacing the scheduler: not what we rendered
        String badVrid = good().replace("virtual_router_id 77", "virtual_router_id 300");
        KeepalivedValidator.Result r = v.validate(badVrid);
        assertFalse(r.accepted());
        assertTrue(r.message().contains("300"), r.message());

        String badScheduler = good() + """
                virtual_server %s 80 {
                  lb_algo bogus
                  lb_kind NAT
                  protocol TCP
                  real_server 10.99.0.7 80 {
                    weight 1
                  }
                }
                """.formatted(lab.vip());
        r = v.validate(badScheduler);
        assertFalse(r.accepted());
        assertTrue(r.message().contains("Invalid lvs_scheduler 'bogus'"), r.message());
        assertTrue(v.validate(badScheduler.replace("bogus", "rr")).accepted(), "-P still parses virtual servers");
    }

    @Test
    void scriptsWithoutScriptSecurityAreRejected() {
        String withScript = good().replace("vrrp_instance VI_1 {", """
                vrrp_script chk {
                  script "/bin/true"
                }
                vrrp_instance VI_1 {
                  track_script {
                    chk
                  }""");
        KeepalivedValidator.Result r = validator("-P -s " + lab.namespaces.get(0)).validate(withScript);
        assertFalse(r.accepted());
        assertTrue(r.message().contains("script_security"), r.message());
    }

    @Test
    void missingBinaryAndTimeoutAreReportedNotThrown() {
        KeepalivedValidator missing = new KeepalivedValidator(f -> List.of("/nonexistent/keepalived", "-t"),
                Duration.ofSeconds(5), tmp);
        KeepalivedValidator.Result r = missing.validate(good());
        assertFalse(r.accepted());
        assertTrue(r.message().startsWith("could not run keepalived -t"), r.message());

        KeepalivedValidator slow = new KeepalivedValidator(f -> List.of("/bin/sleep", "5"), Duration.ofMillis(200),
                tmp);
        long t0 = System.nanoTime();
        r = slow.validate(good());
        assertFalse(r.accepted());
        assertTrue(r.message().contains("did not finish within 200 ms"), r.message());
        // the 5 s sleep was killed at the timeout, not waited for
        assertTrue(System.nanoTime() - t0 < 4_500_000_000L);
    }
}
