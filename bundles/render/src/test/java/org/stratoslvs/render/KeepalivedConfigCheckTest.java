package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The check itself must be able to fail: known-bad files (taken from what keepalived 2.2.7 reports here) are
 * rejected, a known-good one accepted. Also ties the hand-built topology to the copied Stratos fixture.
 */
class KeepalivedConfigCheckTest {

    private static final String GOOD = "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n"
            + "    virtual_router_id 51\n    priority 100\n    virtual_ipaddress {\n        192.168.56.40/32 dev eth0\n"
            + "    }\n}\n";

    @Test
    void rejectsWhatKeepalivedWouldWorkAround() {
        List<String> bad = List.of(
                GOOD.replace("interface eth0", "interface eth9"),                    // missing interface
                "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    lvs_method DR\n    protocol TCP\n"
                        + "    real_server 10.0.0.2 8080 {\n        weight 1\n    }\n}\n", // DR port reset
                "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    protocol TCP\n}\n", // no real server
                "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    protocol TCP\n"
                        + "    real_server 10.0.0.2 80 { weight 1 TCP_CHECK { connect_timeout 2 } }\n}\n", // one line
                GOOD.replace("        192.168.56.40/32 dev eth0\n",
                        "        192.168.56.40/32 dev eth0\n        fd00::1/128 dev eth0\n")); // mixed families
        KeepalivedConfigCheck check = KeepalivedConfigCheck.shared();
        List<KeepalivedConfigCheck.Result> results = check.checkAll(bad);
        for (int i = 0; i < bad.size(); i++) {
            assertFalse(results.get(i).accepted(), "should be rejected:\n" + bad.get(i));
        }
        KeepalivedConfigCheck.Result ok = check.check(GOOD);
        assertTrue(ok.accepted(), ok.toString());
        assertEquals(0, ok.exitCode());
    }

    @Test
    void handBuiltTopologyMatchesTheCopiedFixture() throws IOException {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/0001-topology.CompleteTopologyEvent.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Topologies.stratosFixture().services().values().forEach(s -> {
            assertTrue(json.contains("\"serviceName\":\"" + s.serviceName() + "\""), s.serviceName());
            s.ports().values().forEach(p -> assertTrue(json.contains("{\"protocol\":\"" + p.protocol() + "\",\"value\":"
                    + p.value() + ",\"proxy\":" + p.proxy() + "}"), p.toString()));
            s.clusters().values().forEach(c -> c.members().values().forEach(m -> {
                assertTrue(json.contains("\"memberId\":\"" + m.memberId() + "\""), m.memberId());
                assertTrue(json.contains("\"defaultPrivateIP\":\"" + m.privateIp() + "\""), m.privateIp());
                String stack = m.status().name() + "\"],\"identifier\":\"" + m.memberId() + "\"";
                assertTrue(json.contains(stack), "status of " + m.memberId());
            }));
        });
    }
}
