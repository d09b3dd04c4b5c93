package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConfigSectionsTest {

    private static final String HEAD = """
            # generated
            global_defs {
                router_id lb1
            }

            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority 100
                virtual_ipaddress {
                    192.168.56.40/32 dev eth0
                }
            }
            """;

    private static String vs(String address, int port, String protocol, String... reals) {
        StringBuilder b = new StringBuilder("# service x\nvirtual_server " + address + " " + port + " {\n"
                + "    lvs_sched rr\n    protocol " + protocol + "\n");
        for (String r : reals) {
            b.append("    # member\n    real_server ").append(r).append(' ').append(port).append(" {\n")
                    .append("        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n");
        }
        return b.append("}\n\n").toString();
    }

    @Test
    void cutsTopLevelVirtualServersAndKeepsEverythingElseAsTheHead() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1", "10.0.0.2");
        String b = vs("192.168.56.40", 443, "TCP", "10.0.0.1");
        ConfigSections s = ConfigSections.split(HEAD + a + b).orElseThrow();
        assertEquals(2, s.virtualServers().size());
        assertTrue(a.contains(s.virtualServers().get(0).text()), s.virtualServers().get(0).text());
        assertTrue(s.virtualServers().get(0).text().startsWith("virtual_server 192.168.56.40 80 {\n"));
        assertTrue(s.virtualServers().get(0).text().endsWith("\n}\n"));
        assertEquals(16, s.virtualServers().get(0).firstLine());
        assertEquals("192.168.56.40 80 TCP", s.virtualServers().get(0).identity());
        assertFalse(s.head().contains("virtual_server"));
        assertTrue(s.head().startsWith(HEAD));
        assertFalse(s.hasDuplicateVirtualServers());
    }

    @Test
    void theHeadKeyIgnoresCommentsBlankLinesAndIndentation() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1");
        ConfigSections one = ConfigSections.split(HEAD + a).orElseThrow();
        ConfigSections other = ConfigSections.split("# mapped services: 7\n\n" + HEAD.replace("    ", "\t") + a)
                .orElseThrow();
        assertEquals(one.headKey(), other.headKey());
        assertFalse(one.headKey().contains("#"));
        ConfigSections changed = ConfigSections.split(HEAD.replace("priority 100", "priority 101") + a).orElseThrow();
        assertFalse(one.headKey().equals(changed.headKey()));
    }

    @Test
    void sameAddressPortAndProtocolTwiceIsADuplicate() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1");
        String b = vs("192.168.56.40", 80, "TCP", "10.0.0.2");
        String udp = vs("192.168.56.40", 80, "UDP", "10.0.0.2");
        assertTrue(ConfigSections.split(HEAD + a + b).orElseThrow().hasDuplicateVirtualServers());
        assertFalse(ConfigSections.split(HEAD + a + udp).orElseThrow().hasDuplicateVirtualServers());
    }

    @Test
    void givesUpOnWhatItDoesNotModel() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1");
        for (String odd : List.of("include /etc/keepalived/other.conf\n", "$PARAM=1\n", "@lb1 global_defs {\n}\n",
                "virtual_server_group G {\n    192.168.56.41 80\n}\n", "virtual_server group G {\n    delay_loop 6\n}\n",
                "vrrp_script s {\n    script \"/bin/true\"\n}\n", "global_defs { router_id x }\n",
                "global_defs {\n    router_id x # inline\n}\n", "global_defs {\n    router_id x }\n",
                "global_defs {\n", "}\n", "global_defs {\n    router_id ~SEQ(x,1,2)\n}\n")) {
            assertTrue(ConfigSections.split(HEAD + a + odd).isEmpty(), odd);
        }
    }

    @Test
    void anExcerptNamesTheLinesOfTheOriginalFile() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1");
        String b = vs("192.168.56.40", 443, "TCP", "10.0.0.2");
        ConfigSections s = ConfigSections.split(HEAD + a + b).orElseThrow();
        ConfigSections.Excerpt e = s.excerpt(List.of(s.virtualServers().get(1)));
        String[] lines = e.text().split("\n", -1);
        String[] original = (HEAD + a + b).split("\n", -1);
        int headerLine = e.text().substring(0, e.text().indexOf("virtual_server")).split("\n", -1).length;
        assertEquals("virtual_server 192.168.56.40 443 {", lines[headerLine - 1]);
        assertEquals(lines[headerLine - 1], original[e.originalLine(headerLine) - 1]);
        for (int n = 1; n < lines.length; n++) {
            assertEquals(lines[n - 1], original[e.originalLine(n) - 1], "line " + n);
        }
        assertEquals("keepalived says (config: Line " + e.originalLine(headerLine + 1) + ") oops",
                IncrementalValidator.mapLines("keepalived says (config: Line " + (headerLine + 1) + ") oops", e));
    }

    @Test
    void aFileWithoutAFinalNewlineStillGivesWholeLines() {
        String a = vs("192.168.56.40", 80, "TCP", "10.0.0.1").strip();
        ConfigSections s = ConfigSections.split(HEAD + a).orElseThrow();
        assertTrue(s.virtualServers().get(0).text().endsWith("}\n"));
        assertTrue(s.excerpt(s.virtualServers()).text().endsWith("}\n"));
    }
}
