package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.stratoslvs.lab.StratosEvents.Member;
import org.stratoslvs.render.RenderSettings;

/**
 * IPv6 through the VIP, every forwarding method, TCP (HTTP) and UDP: members with IPv6 addresses in the Stratos
 * topology, an IPv6 VIP in the mapping. NAT to fd00:1::100 with Stratos' port remapping; direct routing to
 * fd00:2::100 with the real servers set up by {@code lvs-realserver apply --payload} (the VIP as a /128 on a dummy
 * device; IPv6 has no ARP to silence, and Linux answers neighbour solicitations only on the interface that holds
 * the address), then {@code remove}; tunnelling (IPv6 in IPv6) with the VIP on each real server's ip6tnl0.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6LabTest {

    static final String NAT_VIP = "fd00:1::100";
    static final String DR_VIP = "fd00:2::100";
    static final int REQUESTS = 30;
    static final Duration IPVS_TIMEOUT = Duration.ofSeconds(15);
    static final List<Member> MEMBERS = List.of(new Member("web-1", "fd00:2::11"), new Member("web-2", "fd00:2::12"),
            new Member("web-3", "fd00:2::13"));
    static final Set<String> SERVERS = Set.of("rs1", "rs2", "rs3");

    private static Guest guest;
    private static HostNamespace ns;
    private static LabProduct product;
    private static Path tool;

    @BeforeAll
    static void start() throws Exception {
        tool = LabEnv.realServerTool();
        guest = LabEnv.boot("ipv6");
        guest.sh("rs_add rs1 10.2.0.11 fd00:2::11 && rs_add rs2 10.2.0.12 fd00:2::12 "
                + "&& rs_add rs3 10.2.0.13 fd00:2::13");
        ns = HostNamespace.create();
        LabProduct.startBootstrapKeepalived(guest);
        product = new LabProduct(guest, ns, Map.of(
                RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + NAT_VIP,
                RenderSettings.VRRP_INTERFACE, "br-cli",
                RenderSettings.VRRP_STATE, "MASTER",
                RenderSettings.LB_KIND, "NAT"), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        LabEnv.closeInOrder(product, guest, ns);
    }

    /** ipvsadm's form of an IPv6 address and port. */
    private static String v6(String address, int port) {
        return "[" + address + "]:" + port;
    }

    private static IpvsTable awaitMethod(String protocol, String vs, String forward, Set<String> destinations)
            throws Exception {
        return guest.awaitForwarding(protocol, vs, forward, destinations, IPVS_TIMEOUT);
    }

    @Test
    @Order(1)
    void natOverIpv6RemapsThePortForTcpAndUdp() throws Exception {
        product.publishAndAwaitApply("CompleteTopologyEvent", StratosEvents.completeTopology(MEMBERS));
        awaitMethod("TCP", v6(NAT_VIP, 80), "Masq", Set.of(v6("fd00:2::11", 8080), v6("fd00:2::12", 8080),
                v6("fd00:2::13", 8080)));
        awaitMethod("UDP", v6(NAT_VIP, 53), "Masq", Set.of(v6("fd00:2::11", 5353), v6("fd00:2::12", 5353),
                v6("fd00:2::13", 5353)));
        guest.sh("await_addr br-cli " + NAT_VIP);

        Answers.http(guest, NAT_VIP, 80, REQUESTS).assertRoundRobin(SERVERS);
        Answers.udp(guest, NAT_VIP, 53, REQUESTS).assertRoundRobin(SERVERS);
    }

    @Test
    @Order(2)
    void directRoutingOverIpv6WithRealServersSetUpByTheTool() throws Exception {
        for (int n = 1; n <= 3; n++) {
            String rs = "rs" + n;
            guest.sh("echo 'SERVICE_NAME=web,LVS_VIRTUAL_IP=" + DR_VIP + "|64,MEMBER_ID=web-" + n + "' > /run/rs/"
                    + rs + "/launch-params");
            String out = guest.sh("rs_tool " + rs + " " + tool + " apply --payload /run/rs/" + rs + "/launch-params");
            assertTrue(guest.sh("$IP -n " + rs + " -6 -o addr show").contains(" " + DR_VIP + "/128 "),
                    rs + " holds the VIP after apply: " + out);
            guest.sh("rs_udp " + rs + " " + DR_VIP + " 53");
        }
        product.changeRenderSettings(Map.of(RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + DR_VIP,
                RenderSettings.VRRP_INTERFACE, "br-rs", RenderSettings.LB_KIND, "DR"), "DR over IPv6");
        Set<String> onVirtualPort = Set.of(v6("fd00:2::11", 80), v6("fd00:2::12", 80), v6("fd00:2::13", 80));
        awaitMethod("TCP", v6(DR_VIP, 80), "Route", onVirtualPort);
        awaitMethod("UDP", v6(DR_VIP, 53), "Route", Set.of(v6("fd00:2::11", 53), v6("fd00:2::12", 53),
                v6("fd00:2::13", 53)));
        guest.sh("await_addr br-rs " + DR_VIP);

        Answers.http(guest, DR_VIP, 80, REQUESTS).assertRoundRobin(SERVERS);
        Answers.udp(guest, DR_VIP, 53, REQUESTS).assertRoundRobin(SERVERS);
        // only the director answered the client's neighbour solicitation for the VIP
        String neigh = guest.sh("$IP -n cli -6 neigh show " + DR_VIP);
        String directorMac = guest.sh("$B cat /sys/class/net/br-rs/address").strip();
        assertTrue(neigh.contains(directorMac), "the VIP's neighbour entry: " + neigh + " vs " + directorMac);

        for (String rs : SERVERS) {
            guest.sh("rs_tool " + rs + " " + tool + " remove");
            assertFalse(guest.sh("$IP -n " + rs + " -6 -o addr show").contains(" " + DR_VIP + "/"),
                    rs + ": the VIP gone after remove");
        }
        Answers none = Answers.http(guest, DR_VIP, 80, 3);
        assertEquals(3, none.unanswered(), "without the VIP the real servers drop what IPVS routes to them: "
                + none.lines());
    }

    @Test
    @Order(3)
    void tunnellingOverIpv6DeliversIpv6InIpv6() throws Exception {
        for (String rs : SERVERS) {
            guest.sh("rs_tun6 " + rs + " " + DR_VIP + " && rs_udp " + rs + " " + DR_VIP + " 53");
        }
        product.changeRenderSettings(Map.of(RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + DR_VIP,
                RenderSettings.VRRP_INTERFACE, "br-rs", RenderSettings.LB_KIND, "TUN"), "TUN over IPv6");
        awaitMethod("TCP", v6(DR_VIP, 80), "Tunnel", Set.of(v6("fd00:2::11", 80), v6("fd00:2::12", 80),
                v6("fd00:2::13", 80)));
        awaitMethod("UDP", v6(DR_VIP, 53), "Tunnel", Set.of(v6("fd00:2::11", 53), v6("fd00:2::12", 53),
                v6("fd00:2::13", 53)));

        Answers.http(guest, DR_VIP, 80, REQUESTS).assertRoundRobin(SERVERS);
        Answers.udp(guest, DR_VIP, 53, REQUESTS).assertRoundRobin(SERVERS);
        for (String rs : SERVERS) {
            long packets = Long.parseLong(guest.sh("$IP netns exec " + rs
                    + " $B cat /sys/class/net/ip6tnl0/statistics/rx_packets").strip());
            assertTrue(packets > 0, rs + " ip6tnl0 received " + packets + " packets");
        }
    }
}
