package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.render.Topologies.cluster;
import static org.stratoslvs.render.Topologies.member;
import static org.stratoslvs.render.Topologies.ports;
import static org.stratoslvs.render.Topologies.service;
import static org.stratoslvs.render.Topologies.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;

@ExtendWith(Rendered.class)
class KeepalivedRendererTest {

    private static final SortedMap<Integer, Port> HTTP = ports(new Port("http", 8080, 80));

    @Test
    void statusListsEveryMappedService() {
        RenderResult r = Rendered.render(Topologies.stratosFixture(), Map.of(RenderSettings.VIRTUALIP_SET,
                "web|192.168.56.40,dns|192.168.56.41,api|192.168.56.42,php|192.168.56.43"), List.of());
        assertEquals(List.of(
                new RenderStatus.MappedService("api", "192.168.56.42", true, 0, List.of(9000)),
                new RenderStatus.MappedService("dns", "192.168.56.41", true, 1, List.of(53)),
                new RenderStatus.MappedService("php", "192.168.56.43", false, 0, List.of()),
                new RenderStatus.MappedService("web", "192.168.56.40", true, 2, List.of(80, 443))), r.services());
        assertEquals(3, r.virtualServers());
        assertEquals(5, r.realServers());
        assertTrue(r.warnings().get(0).startsWith("The topology is not initialized yet"));
    }

    @Test
    void udpPortsNeverGetTcpChecks() {
        RenderResult r = Rendered.render(Topologies.stratosFixture(), Map.of(RenderSettings.VIRTUALIP_SET,
                "dns|192.168.56.41", RenderSettings.CHECK, "HTTP_GET", RenderSettings.LB_KIND, "NAT"), List.of());
        assertTrue(r.text().contains("    protocol UDP\n"));
        assertTrue(r.text().contains("real_server 10.10.1.11 5353 {\n        weight 1\n        UDP_CHECK {"));
        assertFalse(r.text().contains("TCP_CHECK"));
        assertFalse(r.text().contains("HTTP_GET"));

        RenderResult none = Rendered.render(Topologies.stratosFixture(), Map.of(RenderSettings.VIRTUALIP_SET,
                "dns|192.168.56.41", RenderSettings.CHECK_UDP, "NONE"), List.of());
        assertFalse(none.text().contains("_CHECK"));
    }

    @Test
    void insertionOrderDoesNotMatter() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            members.add(member("svc", "c" + (i % 3), "m" + i, MemberStatus.Active, "10.0." + (i % 4) + "." + i, null,
                    null, HTTP));
        }
        Topology a = build(members);
        Collections.reverse(members);
        Topology b = build(members);
        Map<String, String> props = Map.of(RenderSettings.VIRTUALIP_SET, "svc|10.9.0.1");
        assertEquals(Rendered.render(a, props, List.of()).text(), Rendered.render(b, props, List.of()).text());
        String text = Rendered.render(a, props, List.of()).text();
        // real servers in numeric address order, not text order
        assertTrue(text.indexOf("10.0.0.4 80") < text.indexOf("10.0.0.8 80"));
        assertTrue(text.indexOf("10.0.0.8 80") < text.indexOf("10.0.0.12 80"));
        assertTrue(text.indexOf("10.0.0.20 80") < text.indexOf("10.0.1.1 80"));
    }

    private static Topology build(List<Member> members) {
        Map<String, List<Member>> byCluster = new TreeMap<>();
        for (Member m : members) {
            byCluster.computeIfAbsent(m.clusterId(), k -> new ArrayList<>()).add(m);
        }
        Service s = service("svc", HTTP);
        for (Map.Entry<String, List<Member>> e : byCluster.entrySet()) {
            s = s.withCluster(cluster("svc", e.getKey(), e.getValue().toArray(new Member[0])));
        }
        return topology(s);
    }

    @Test
    void membersWithoutUsableAddressesOrPortsAreSkipped() {
        SortedMap<Integer, Port> twoPorts = ports(new Port("http", 8080, 80), new Port("tcp", 9090, 9090));
        Topology t = topology(service("svc", twoPorts, cluster("svc", "c1",
                member("svc", "c1", "ok", MemberStatus.Active, "10.0.0.1", null, null, twoPorts),
                member("svc", "c1", "no-ip", MemberStatus.Active, null, "1.2.3.4", null, twoPorts),
                member("svc", "c1", "only-80", MemberStatus.Active, "10.0.0.3", null, null, HTTP),
                member("svc", "c1", "same-ip", MemberStatus.Active, "10.0.0.1", null, null, twoPorts),
                member("svc", "c1", "ports-unknown", MemberStatus.Active, "10.0.0.5", null, null, null),
                member("svc", "c1", "starting", MemberStatus.Starting, "10.0.0.6", null, null, twoPorts))));
        RenderResult r = Rendered.render(t, Map.of(RenderSettings.VIRTUALIP_SET, "svc|10.9.0.1",
                RenderSettings.LB_KIND, "NAT"), List.of());
        String text = r.text();
        assertTrue(text.contains("real_server 10.0.0.1 8080"));
        assertTrue(text.contains("real_server 10.0.0.1 9090"));
        assertTrue(text.contains("real_server 10.0.0.3 8080"));
        assertFalse(text.contains("real_server 10.0.0.3 9090"), "member without the port is not in that VS");
        assertTrue(text.contains("real_server 10.0.0.5 8080"), "member without ports falls back to the service's");
        assertFalse(text.contains("10.0.0.6"));
        assertFalse(text.contains("1.2.3.4"));
        assertEquals(1, count(text, "real_server 10.0.0.1 8080"), "same address and port rendered once");
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Member \"no-ip\" of service svc is Active but has"
                + " no private address")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Member \"same-ip\" of service svc has the same")));
    }

    @Test
    void quorumAboveTheTotalWeightIsLowered() {
        Topology t = topology(service("svc", HTTP, cluster("svc", "c1",
                member("svc", "c1", "m1", MemberStatus.Active, "10.0.0.1", null, null, HTTP))));
        RenderResult r = Rendered.render(t, Map.of(RenderSettings.VIRTUALIP_SET, "svc|10.9.0.1",
                RenderSettings.QUORUM, "5", RenderSettings.HYSTERESIS, "3", RenderSettings.WEIGHT, "2"), List.of());
        assertTrue(r.text().contains("    quorum 2\n    hysteresis 1\n"), r.text());
        assertEquals(2, r.warnings().stream().filter(w -> w.startsWith("Service svc port 80: lvs.")).count());
    }

    @Test
    void partitionWeightsGoToTheirMembersAndTheQuorumIsTheirSum() {
        Member big1 = member("svc", "c1", "m1", MemberStatus.Active, "10.0.0.1", null, null, HTTP);
        Member big2 = member("svc", "c1", "m2", MemberStatus.Active, "10.0.0.2", null, null, HTTP);
        Member small = member("svc", "c1", "m3", MemberStatus.Active, "10.0.0.3", null, null, HTTP);
        Topology t = topology(service("svc", HTTP, cluster("svc", "c1",
                inPartition(big1, "zone-big"), inPartition(big2, "zone-big"), small)));
        RenderResult r = Rendered.render(t, Map.of(RenderSettings.VIRTUALIP_SET, "svc|10.9.0.1",
                RenderSettings.LB_ALGO, "wrr", RenderSettings.WEIGHT, "2",
                RenderSettings.WEIGHT_PARTITION, "zone-big:5, zone-unused:9", RenderSettings.QUORUM, "100"),
                List.of());
        assertTrue(r.text().contains("real_server 10.0.0.1 80 {\n        weight 5\n"), r.text());
        assertTrue(r.text().contains("real_server 10.0.0.2 80 {\n        weight 5\n"), r.text());
        assertTrue(r.text().contains("real_server 10.0.0.3 80 {\n        weight 2\n"), "other partitions: lvs.weight");
        assertTrue(r.text().contains("    quorum 12\n"), "5 + 5 + 2: " + r.text());
    }

    private static Member inPartition(Member m, String partition) {
        return new Member(m.memberId(), m.serviceName(), m.clusterId(), m.networkPartitionId(), partition,
                m.status(), m.ports(), m.privateIp(), m.publicIp(), m.lbIpType());
    }

    @Test
    void drAndTunRenderTheVirtualPortAndSaySo() {
        Topology t = topology(service("svc", HTTP, cluster("svc", "c1",
                member("svc", "c1", "m1", MemberStatus.Active, "10.0.0.1", null, null, HTTP))));
        for (String kind : List.of("DR", "TUN")) {
            RenderResult r = Rendered.render(t, Map.of(RenderSettings.VIRTUALIP_SET, "svc|10.9.0.1",
                    RenderSettings.LB_KIND, kind, RenderSettings.SORRY_SERVER, "10.0.0.99 8081"), List.of());
            assertTrue(r.text().contains("real_server 10.0.0.1 80 {"));
            assertTrue(r.text().contains("sorry_server 10.0.0.99 80\n"));
            assertTrue(r.warnings().stream().anyMatch(w -> w.contains("must accept port 80")), r.warnings().toString());
        }
    }

    @Test
    void perServiceGroupingAssignsStableRouterIds() {
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET,
                "a|10.9.0.1,b|10.9.0.1,c|fd00::1,d|10.9.0.4", RenderSettings.VRRP_GROUPING, "per-service",
                RenderSettings.VRRP_ROUTER_ID, "253", RenderSettings.VRRP_SYNC_GROUP, "true",
                RenderSettings.VRRP_AUTH_TYPE, "AH", RenderSettings.VRRP_AUTH_PASS, "k3y");
        List<Map<String, ?>> overrides = List.of(Map.of(RenderSettings.SERVICE_KEY, "d",
                RenderSettings.VRRP_ROUTER_ID, "10", RenderSettings.VRRP_STATE, "MASTER"));
        RenderResult r = Rendered.render(Topology.EMPTY, props, overrides);
        String text = r.text();
        assertTrue(text.contains("vrrp_instance VI_253 {"));
        assertFalse(text.contains("VI_254"), "b shares a's VIP: no instance of its own");
        // keepalived cannot start MASTER with AH: rendered BACKUP, with a warning
        assertTrue(text.contains("vrrp_instance VI_10 {\n    state BACKUP\n"));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("VRRP instance VI_10 (service d): keepalived "
                + "cannot start as MASTER with AH")), r.warnings().toString());
        assertEquals(List.of(), r.errors());
        assertTrue(text.contains("vrrp_instance VI_255 {"), "c is index 2: 253+2");
        assertEquals(2, count(text, "auth_type AH"), "a and d (IPv4) have authentication, c (IPv6, VRRPv3) none");
    }

    @Test
    void singleInstanceFollowsTheUnicastFamily() {
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET, "a|10.9.0.1,c|fd00::1",
                RenderSettings.VRRP_UNICAST_SRC, "fd00::9,10.0.0.9", RenderSettings.VRRP_UNICAST_PEERS, "fd00::8");
        RenderResult r = Rendered.render(Topology.EMPTY, props, List.of());
        assertTrue(r.text().contains("    unicast_src_ip fd00::9\n    unicast_peer {\n        fd00::8\n"), r.text());
        assertTrue(r.text().contains("    virtual_ipaddress {\n        fd00::1/128 dev eth0\n"));
        assertTrue(r.text().contains("    virtual_ipaddress_excluded {\n        10.9.0.1/32 dev eth0\n"));
    }

    /** Its speed is measured by RenderBenchmark (benchmarks/), not here. */
    @Test
    void aLargeTopologyRendersWholeAndKeepalivedAcceptsIt() {
        Topology t = Scale.topology(1000, 10);
        RenderSettings.Parsed p = RenderSettings.parse(Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(1000),
                RenderSettings.LB_KIND, "NAT"), List.of());
        RenderResult r = KeepalivedRenderer.render(t, p);
        assertEquals(20_000, r.realServers(), "10,000 members, two ports each");
        assertEquals(List.of(), r.errors());
        Rendered.render(t, p); // and keepalived accepts the big file
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
