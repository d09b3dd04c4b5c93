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
 * Direct routing through a VIP the product rendered, with the real servers set up by the project's own
 * {@code lvs-realserver apply --payload} (tools/realserver, the jar the build made) inside each real server's
 * namespace, from a Stratos launch-params payload: the VIP on a dummy device (the guest kernel has dummy) that
 * answers no ARP. The client sits on the real servers' segment, so the answers come straight from the real
 * servers, from the VIP. Then {@code remove} on one of them takes the VIP away again: the requests IPVS still
 * sends there go unanswered. Last, the same service in tunnelling mode (lb_kind TUN, ipip): the VIP on each real
 * server's tunl0, set up by hand (lvs-realserver knows DR only). Over TCP (HTTP) and UDP: with DR and TUN the
 * real server answers the client itself, so its UDP server is bound to the VIP, whose address the answer must
 * come from.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectRoutingLabTest {

    static final String VIP = "10.2.0.100";
    static final String VS = VIP + ":80";
    static final String PAYLOAD = "SERVICE_NAME=web,CLUSTER_ID=web.cluster-a,LVS_VIRTUAL_IP=" + VIP
            + "|255.255.255.0,MEMBER_ID=";
    static final List<Member> MEMBERS = List.of(new Member("web-1", "10.2.0.11"), new Member("web-2", "10.2.0.12"),
            new Member("web-3", "10.2.0.13"));

    /** The real servers on the virtual UDP port (DR and TUN cannot remap it). */
    static final Set<String> ON_53 = Set.of("10.2.0.11:53", "10.2.0.12:53", "10.2.0.13:53");

    private static Guest guest;
    private static HostNamespace ns;
    private static LabProduct product;
    private static Path tool;

    @BeforeAll
    static void start() throws Exception {
        tool = LabEnv.realServerTool();
        guest = LabEnv.boot("dr");
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12 && rs_add rs3 10.2.0.13");
        ns = HostNamespace.create();
        LabProduct.startBootstrapKeepalived(guest);
        product = new LabProduct(guest, ns, Map.of(
                RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + VIP,
                // the VIP lives on the real servers' segment: the director answers ARP for it there
                RenderSettings.VRRP_INTERFACE, "br-rs",
                RenderSettings.VRRP_STATE, "MASTER"), Map.of()); // lvs.lb.kind: the default, DR
    }

    @AfterAll
    static void stop() throws Exception {
        LabEnv.closeInOrder(product, guest, ns);
    }

    private static String realServerTool(String rs, String args) throws Exception {
        return guest.sh("rs_tool " + rs + " " + tool + " " + args);
    }

    @Test
    @Order(1)
    void realServersSetUpByLvsRealserverAnswerThroughTheVip() throws Exception {
        for (int n = 1; n <= 3; n++) {
            String rs = "rs" + n;
            guest.sh("echo '" + PAYLOAD + "web-" + n + "' > /run/rs/" + rs + "/launch-params");
            String out = realServerTool(rs, "apply --payload /run/rs/" + rs + "/launch-params");
            assertTrue(guest.sh("$IP -n " + rs + " -o addr show").contains(" " + VIP + "/32 "),
                    rs + " holds the VIP after apply: " + out);
        }
        product.publishAndAwaitApply("CompleteTopologyEvent", StratosEvents.completeTopology(MEMBERS));
        // DR cannot remap ports: the real servers are rendered on the virtual port, 80
        IpvsTable table = guest.awaitIpvs(VS + " → the three real servers on 80", t -> Set.copyOf(
                t.destinations("TCP", VS)).equals(Set.of("10.2.0.11:80", "10.2.0.12:80", "10.2.0.13:80")),
                Duration.ofSeconds(15));
        table.service("TCP", VS).orElseThrow().destinations()
                .forEach(d -> assertEquals("Route", d.forward(), "direct routing: " + d));
        guest.sh("await_addr br-rs " + VIP);

        Answers answers = Answers.http(guest, VIP, 80, 30);
        assertEquals(0, answers.unanswered(), answers.lines().toString());
        assertEquals(Map.of("rs1", 10, "rs2", 10, "rs3", 10), answers.counts());
        // UDP to the virtual port, answered from the VIP by a server bound to it in each real server
        for (String rs : List.of("rs1", "rs2", "rs3")) {
            guest.sh("rs_udp " + rs + " " + VIP + " 53");
        }
        guest.awaitForwarding("UDP", VIP + ":53", "Route", ON_53, Duration.ofSeconds(15));
        Answers.udp(guest, VIP, 53, 30).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        // the answers came from the real servers themselves: the client learnt the VIP's MAC from the director
        String neigh = guest.sh("$IP -n cli neigh show " + VIP);
        String directorMac = guest.sh("$B cat /sys/class/net/br-rs/address").strip();
        assertTrue(neigh.contains(directorMac), "only the director answers ARP for the VIP: " + neigh + " vs "
                + directorMac);
    }

    @Test
    @Order(2)
    void removeTakesTheVipAwayAgain() throws Exception {
        String out = realServerTool("rs3", "remove");
        assertFalse(guest.sh("$IP -n rs3 -o addr show").contains(" " + VIP + "/"), "VIP gone after remove: " + out);
        assertEquals("0", guest.sh("$IP netns exec rs3 $B cat /proc/sys/net/ipv4/conf/all/arp_ignore").strip(),
                "arp_ignore restored");

        // IPVS still sends every third connection to rs3 (its health check on its own address passes), which
        // now drops packets for an address it no longer has
        Answers answers = Answers.http(guest, VIP, 80, 9);
        assertEquals(Map.of("rs1", 3, "rs2", 3), answers.counts(), answers.lines().toString());
        assertEquals(3, answers.unanswered(), answers.lines().toString());

        for (String rs : List.of("rs1", "rs2")) {
            realServerTool(rs, "remove");
        }
    }

    @Test
    @Order(3)
    void tunnellingDeliversThroughIpipToEveryMember() throws Exception {
        for (String rs : List.of("rs1", "rs2", "rs3")) {
            guest.sh("rs_tun " + rs + " " + VIP);
        }
        product.changeRenderSettings(Map.of(RenderSettings.LB_KIND, "TUN"), "lb_kind TUN");
        IpvsTable table = guest.awaitIpvs(VS + " tunnelled to the three real servers", t -> t.service("TCP", VS)
                .map(v -> v.destinations().size() == 3
                        && v.destinations().stream().allMatch(d -> d.forward().equals("Tunnel"))).orElse(false),
                Duration.ofSeconds(15));
        assertEquals(Set.of("10.2.0.11:80", "10.2.0.12:80", "10.2.0.13:80"),
                Set.copyOf(table.destinations("TCP", VS)), "TUN cannot remap ports either");

        Answers answers = Answers.http(guest, VIP, 80, 30);
        assertEquals(0, answers.unanswered(), answers.lines().toString());
        assertEquals(Map.of("rs1", 10, "rs2", 10, "rs3", 10), answers.counts());
        guest.awaitForwarding("UDP", VIP + ":53", "Tunnel", ON_53, Duration.ofSeconds(15));
        for (String rs : List.of("rs1", "rs2", "rs3")) {
            guest.sh("rs_udp " + rs + " " + VIP + " 53"); // the VIP is back, now on tunl0
        }
        Answers.udp(guest, VIP, 53, 30).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        // the packets went through the tunnels: each real server's tunl0 received some
        for (String rs : List.of("rs1", "rs2", "rs3")) {
            long packets = Long.parseLong(guest.sh("$IP netns exec " + rs
                    + " $B cat /sys/class/net/tunl0/statistics/rx_packets").strip());
            assertTrue(packets > 0, rs + " tunl0 received " + packets + " packets");
        }
    }
}
