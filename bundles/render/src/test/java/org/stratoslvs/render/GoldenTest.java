package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.render.Topologies.cluster;
import static org.stratoslvs.render.Topologies.member;
import static org.stratoslvs.render.Topologies.ports;
import static org.stratoslvs.render.Topologies.service;
import static org.stratoslvs.render.Topologies.topology;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.core.topology.IpType;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Topology;

/**
 * Byte-for-byte comparisons with src/test/resources/golden/*.conf. To regenerate after an intended change:
 * {@code mvn -B -q install -Dgolden.update=true}, then review the diff.
 */
@ExtendWith(Rendered.class)
class GoldenTest {

    private static void golden(String name, RenderResult result) throws IOException {
        String resource = "/golden/" + name + ".conf";
        if (Boolean.getBoolean("golden.update")) {
            Path file = Path.of("src/test/resources/golden", name + ".conf");
            Files.writeString(file, result.text(), StandardCharsets.UTF_8);
        }
        try (InputStream in = GoldenTest.class.getResourceAsStream(resource)) {
            if (in == null && !Boolean.getBoolean("golden.update")) {
                throw new AssertionError("missing golden file " + resource + "; run with -Dgolden.update=true\n"
                        + result.text());
            }
            String expected = in == null ? result.text() : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(expected, result.text(), "rendered text differs from " + resource);
        }
    }

    /** Stratos fixture, defaults only (DR, TCP_CHECK, one instance). */
    @Test
    void fixtureWithDefaults() throws IOException {
        RenderResult r = Rendered.render(Topologies.stratosFixture(), Map.of(RenderSettings.VIRTUALIP_SET,
                "web|192.168.56.40,dns|192.168.56.41,api|192.168.56.42,php|192.168.56.43"), List.of());
        golden("fixture-defaults", r);
        assertTrue(r.errors().isEmpty(), r.errors().toString());
        // DR cannot remap 80->8080: real servers at the virtual port, with a warning per service port
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Service web port 80: members listen on 8080")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Mapped service php is not in the topology")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Service api port 9000/tcp has no Active")));
    }

    /** NAT, HTTP checks (SSL_GET on https), per-service VRRP with sync group, unicast, auth, scripts. */
    @Test
    void fixtureNatFullFeatured() throws IOException {
        Map<String, Object> props = new TreeMap<>();
        props.put(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40|24, dns|192.168.56.41/24,api|192.168.56.42");
        props.put(RenderSettings.ROUTER_ID, "lvs-director-1");
        props.put(RenderSettings.VRRP_INTERFACE, "eth0");
        props.put(RenderSettings.VRRP_STATE, "BACKUP");
        props.put(RenderSettings.VRRP_PRIORITY, 150);
        props.put(RenderSettings.VRRP_ROUTER_ID, "60");
        props.put(RenderSettings.VRRP_ADVERT_INT, 2);
        props.put(RenderSettings.VRRP_NOPREEMPT, true);
        props.put(RenderSettings.VRRP_AUTH_TYPE, "PASS");
        props.put(RenderSettings.VRRP_AUTH_PASS, "s3cr3t");
        props.put(RenderSettings.VRRP_UNICAST_SRC, "10.99.0.1");
        props.put(RenderSettings.VRRP_UNICAST_PEERS, new String[] {"10.99.0.3", "10.99.0.2"});
        props.put(RenderSettings.VRRP_TRACK_INTERFACES, "eth1");
        props.put(RenderSettings.VRRP_NOTIFY_MASTER, "/etc/keepalived/notify-master.sh");
        props.put(RenderSettings.VRRP_NOTIFY_BACKUP, "/etc/keepalived/notify-backup.sh");
        props.put(RenderSettings.VRRP_NOTIFY_FAULT, "/etc/keepalived/notify-fault.sh");
        props.put(RenderSettings.VRRP_NOTIFY_STOP, "/etc/keepalived/notify-stop.sh");
        props.put(RenderSettings.VRRP_GARP_MASTER_DELAY, "5");
        props.put(RenderSettings.VRRP_GARP_MASTER_REFRESH, "60");
        props.put(RenderSettings.VRRP_GROUPING, "per-service");
        props.put(RenderSettings.VRRP_SYNC_GROUP, "true");
        props.put(RenderSettings.LB_ALGO, "wrr");
        props.put(RenderSettings.LB_KIND, "NAT");
        props.put(RenderSettings.PERSISTENCE_TIMEOUT, "300");
        props.put(RenderSettings.PERSISTENCE_GRANULARITY, "255.255.255.0");
        props.put(RenderSettings.DELAY_LOOP, "10");
        props.put(RenderSettings.QUORUM, "2");
        props.put(RenderSettings.HYSTERESIS, "1");
        props.put(RenderSettings.SORRY_SERVER, "10.10.9.9 8080");
        props.put(RenderSettings.ALPHA, "true");
        props.put(RenderSettings.OMEGA, "true");
        props.put(RenderSettings.INHIBIT_ON_FAILURE, "true");
        props.put(RenderSettings.HA_SUSPEND, "true");
        props.put(RenderSettings.WEIGHT, "10");
        props.put(RenderSettings.CHECK, "HTTP_GET");
        props.put(RenderSettings.CHECK_HTTP_PATH, "/health?full=1");
        props.put(RenderSettings.CHECK_HTTP_STATUS, "200-299, 302");
        props.put(RenderSettings.CHECK_HTTP_DIGEST, "9B3A0C85A887A256D6939DA88AABD8CD");
        props.put(RenderSettings.CHECK_CONNECT_TIMEOUT, "4");
        props.put(RenderSettings.CHECK_RETRY, "3");
        props.put(RenderSettings.CHECK_DELAY_BEFORE_RETRY, "5");
        Map<String, Object> dns = Map.of(RenderSettings.SERVICE_KEY, "dns", RenderSettings.CHECK_UDP, "MISC_CHECK",
                RenderSettings.CHECK_MISC_PATH, "/usr/local/bin/check-dns", RenderSettings.LB_ALGO, "sh",
                RenderSettings.QUORUM, "1", RenderSettings.HYSTERESIS, "0", RenderSettings.VRRP_PRIORITY, "90");
        RenderResult r = Rendered.render(Topologies.stratosFixture(), props, List.of(dns));
        golden("fixture-nat-full", r);
        assertTrue(r.errors().isEmpty(), r.errors().toString());
        assertTrue(r.text().contains("real_server 10.10.0.11 8080 {"), "NAT keeps the member port");
        assertTrue(r.text().contains("SSL_GET {"), "https port gets SSL_GET");
    }

    /** IPv4 and IPv6 VIPs in one instance (other family excluded), IPv6 members, public addresses. */
    @Test
    void dualStackSingleInstance() throws IOException {
        SortedPorts p = new SortedPorts();
        Topology t = topology(
                service("web6", p.http, cluster("web6", "web6.c1",
                        member("web6", "web6.c1", "m1", MemberStatus.Active, "10.0.0.1", "fd00:10::1", IpType.PUBLIC,
                                p.http),
                        member("web6", "web6.c1", "m2", MemberStatus.Active, "10.0.0.2", "fd00:10::2", null, p.http),
                        member("web6", "web6.c1", "m3", MemberStatus.Active, "10.0.0.3", null, IpType.PRIVATE,
                                p.http))),
                service("web4", p.http, cluster("web4", "web4.c1",
                        member("web4", "web4.c1", "a", MemberStatus.Active, "10.0.1.2", null, null, p.http),
                        member("web4", "web4.c1", "b", MemberStatus.Active, "10.0.1.1", null, null, p.http))));
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET, "web6|fd00:56::40,web4|192.168.56.40",
                RenderSettings.LB_KIND, "NAT");
        Map<String, Object> web6 = Map.of(RenderSettings.SERVICE_KEY, "web6", RenderSettings.MEMBER_IP_TYPE, "public");
        RenderResult r = Rendered.render(t, props, List.of(web6));
        golden("dual-stack", r);
        // m3 says Private: its IPv4 address cannot serve an IPv6 VIP
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("\"m3\"") && w.contains("family")));
    }

    /** Two services on one VIP: different ports coexist, the same port is refused for the later service. */
    @Test
    void sharedVipConflicts() throws IOException {
        SortedPorts p = new SortedPorts();
        Topology t = topology(
                service("alpha", p.http, cluster("alpha", "alpha.c",
                        member("alpha", "alpha.c", "a1", MemberStatus.Active, "10.1.0.1", null, null, p.http))),
                service("beta", p.httpAndDns, cluster("beta", "beta.c",
                        member("beta", "beta.c", "b1", MemberStatus.Active, "10.1.0.2", null, null, p.httpAndDns))),
                service("gamma", p.alt, cluster("gamma", "gamma.c",
                        member("gamma", "gamma.c", "g1", MemberStatus.Active, "10.1.0.3", null, null, p.alt))));
        RenderResult r = Rendered.render(t, Map.of(RenderSettings.VIRTUALIP_SET,
                "gamma|10.5.0.1,beta|10.5.0.1,alpha|10.5.0.1", RenderSettings.VRRP_GROUPING, "per-service"), List.of());
        golden("shared-vip", r);
        // alpha (first by name) keeps 80/tcp; beta keeps 53/udp; gamma keeps 2222/tcp
        assertEquals(List.of("Service beta port 80/tcp on VIP 10.5.0.1 is already taken by service alpha; this "
                        + "virtual server is not rendered.",
                "Service gamma port 80/tcp on VIP 10.5.0.1 is already taken by service alpha; this virtual server "
                        + "is not rendered."), r.errors());
    }

    /** No mapping at all: a valid file with only the header, and the mandatory-key error. */
    @Test
    void emptyMapping() throws IOException {
        RenderResult r = Rendered.render(Topologies.stratosFixture(), Map.of(), List.of());
        golden("empty", r);
        assertEquals(1, r.errors().size());
        assertTrue(r.errors().get(0).startsWith("lvs.service.virtualip.set is missing"));
    }

    /** Ports shared by the tests above. */
    private static final class SortedPorts {
        final java.util.SortedMap<Integer, Port> http = ports(new Port("http", 80, 80));
        final java.util.SortedMap<Integer, Port> alt = ports(new Port("http", 8080, 80), new Port("tcp", 22, 2222));
        final java.util.SortedMap<Integer, Port> httpAndDns = ports(new Port("http", 80, 80),
                new Port("udp", 53, 53));
    }
}
