package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.core.topology.IpType;

/** Parsing never throws; every problem is one sentence naming the key. Each parsed case is also rendered. */
@ExtendWith(Rendered.class)
class RenderSettingsTest {

    private static RenderSettings.Parsed parse(Map<String, ?> props, List<Map<String, ?>> overrides) {
        RenderSettings.Parsed p = RenderSettings.parse(props, overrides);
        // whatever the settings, the file must be valid: render with the Stratos fixture and let keepalived judge
        Rendered.render(Topologies.stratosFixture(), p);
        return p;
    }

    private static RenderSettings.Parsed parse(Map<String, ?> props) {
        return parse(props, List.of());
    }

    @Test
    void mappingEntriesAreCheckedOneByOne() {
        RenderSettings.Parsed p = parse(Map.of(RenderSettings.VIRTUALIP_SET,
                "web|192.168.56.40,php|10.0.0.x,,dns 192.168.56.41,web|192.168.56.44,bad name|10.0.0.1,"
                        + "v6|fd00::40/64,m|10.0.0.9|255.255.255.0,loop|127.0.0.1,x|10.0.0.1|33,y|10.0.0.2|255.0.255.0"));
        List<String> e = p.errors();
        assertTrue(e.get(0).startsWith("lvs.service.virtualip.set entry 2 \"php|10.0.0.x\": invalid IP \"10.0.0.x\""),
                e.get(0));
        assertTrue(e.get(1).startsWith("lvs.service.virtualip.set entry 3 \"\": empty entry"), e.get(1));
        assertTrue(e.get(2).contains("entry 4 \"dns 192.168.56.41\": missing '|'"), e.get(2));
        assertTrue(e.get(3).contains("entry 5 \"web|192.168.56.44\": service web is already mapped"), e.get(3));
        assertTrue(e.get(4).contains("entry 6 \"bad name|10.0.0.1\": invalid service name"), e.get(4));
        assertTrue(e.get(5).contains("entry 9 \"loop|127.0.0.1\": IP \"127.0.0.1\" cannot be a virtual IP"), e.get(5));
        assertTrue(e.get(6).contains("entry 10") && e.get(6).contains("invalid prefix \"33\""), e.get(6));
        assertTrue(e.get(7).contains("entry 11") && e.get(7).contains("invalid prefix"), e.get(7));
        assertEquals(8, e.size(), e.toString());
        RenderSettings s = p.settings();
        assertEquals(Set.of("web", "v6", "m"), s.virtualIps().keySet());
        assertEquals(new RenderSettings.VirtualIp("v6", "fd00::40", 64, true), s.virtualIps().get("v6"));
        assertEquals(24, s.virtualIps().get("m").prefix());
        assertEquals(32, s.virtualIps().get("web").prefix());
    }

    @Test
    void missingMappingIsAnError() {
        assertTrue(parse(Map.of()).errors().get(0).startsWith("lvs.service.virtualip.set is missing or empty"));
        assertTrue(parse(Map.of(RenderSettings.VIRTUALIP_SET, "  ")).errors().get(0).contains("mandatory"));
    }

    @Test
    void typedValuesAndArraysAreAccepted() {
        Map<String, Object> props = new TreeMap<>();
        props.put(RenderSettings.VIRTUALIP_SET, new String[] {"web|192.168.56.40", "dns|192.168.56.41"});
        props.put(RenderSettings.VRRP_PRIORITY, 200);
        props.put(RenderSettings.VRRP_NOPREEMPT, Boolean.TRUE);
        props.put(RenderSettings.WEIGHT, 5L);
        props.put(RenderSettings.VRRP_UNICAST_PEERS, List.of("10.0.0.2", "10.0.0.3 10.0.0.4"));
        RenderSettings.Parsed p = parse(props);
        assertEquals(List.of(), p.errors());
        assertEquals(200, p.settings().vrrp().priority());
        assertTrue(p.settings().vrrp().nopreempt());
        assertEquals(5, p.settings().defaults().weight());
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4"), p.settings().vrrp().unicastPeers());
        assertEquals(2, p.settings().virtualIps().size());
    }

    @Test
    void badValuesFallBackToDefaultsWithOneSentenceEach() {
        Map<String, Object> props = new TreeMap<>();
        props.put(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40");
        props.put(RenderSettings.VRRP_PRIORITY, "300");
        props.put(RenderSettings.VRRP_ROUTER_ID, "0");
        props.put(RenderSettings.VRRP_STATE, "LEADER");
        props.put(RenderSettings.VRRP_INTERFACE, "eth0; reboot");
        props.put(RenderSettings.LB_ALGO, "random");
        props.put(RenderSettings.LB_KIND, "FULLNAT");
        props.put(RenderSettings.CHECK, "PING");
        props.put(RenderSettings.VRRP_NOTIFY_MASTER, "/etc/keepalived/x.sh --evil");
        props.put(RenderSettings.VRRP_NOTIFY_BACKUP, "relative.sh");
        props.put(RenderSettings.VRRP_NOTIFY_FAULT, "/etc/../bin/sh");
        props.put(RenderSettings.CHECK_MISC_PATH, "/bin/sh\n}");
        props.put(RenderSettings.MEMBER_IP_TYPE, "elastic");
        props.put(RenderSettings.VRRP_ADVERT_INT, "0.5");
        props.put("lvs.lb.algorithm", "rr");
        props.put("service.pid", "org.stratoslvs");
        RenderSettings.Parsed p = parse(props);
        RenderSettings s = p.settings();
        assertEquals(100, s.vrrp().priority());
        assertEquals(51, s.vrrp().virtualRouterId());
        assertEquals(RenderSettings.VrrpState.BACKUP, s.vrrp().state());
        assertEquals("eth0", s.vrrp().iface());
        assertEquals("rr", s.defaults().lbAlgo());
        assertEquals(RenderSettings.LbKind.DR, s.defaults().lbKind());
        assertEquals(RenderSettings.Check.TCP_CHECK, s.defaults().check());
        assertNull(s.vrrp().notifyMaster());
        assertNull(s.vrrp().notifyBackup());
        assertNull(s.vrrp().notifyFault());
        assertNull(s.defaults().miscPath());
        assertEquals(IpType.PRIVATE, s.defaults().memberIpType());
        assertEquals(1, s.vrrp().advertInt());
        assertFalse(s.hasScripts());
        Set<String> keysNamed = new HashSet<>();
        for (String e : p.errors()) {
            assertTrue(e.endsWith("."), "a full sentence: " + e);
            assertFalse(e.contains("\n"), "control characters are escaped: " + e);
            keysNamed.add(e.substring(0, e.indexOf(' ')));
        }
        assertTrue(keysNamed.containsAll(Set.of(RenderSettings.VRRP_PRIORITY, RenderSettings.VRRP_ROUTER_ID,
                RenderSettings.VRRP_STATE, RenderSettings.VRRP_INTERFACE, RenderSettings.LB_ALGO,
                RenderSettings.LB_KIND, RenderSettings.CHECK, RenderSettings.VRRP_NOTIFY_MASTER,
                RenderSettings.VRRP_NOTIFY_BACKUP, RenderSettings.VRRP_NOTIFY_FAULT, RenderSettings.CHECK_MISC_PATH,
                RenderSettings.MEMBER_IP_TYPE, RenderSettings.VRRP_ADVERT_INT)), keysNamed.toString());
        assertTrue(p.errors().stream().anyMatch(e -> e.startsWith("unknown key \"lvs.lb.algorithm\"")));
        assertFalse(p.errors().stream().anyMatch(e -> e.contains("service.pid")));
    }

    @Test
    void passwordNeverAppearsOutsideTheFile() {
        String secret = "Zq9-long-secret";
        RenderSettings.Parsed tooLong = parse(Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40",
                RenderSettings.VRRP_AUTH_TYPE, "PASS", RenderSettings.VRRP_AUTH_PASS, secret));
        assertEquals(RenderSettings.AuthType.NONE, tooLong.settings().vrrp().authType());
        assertTrue(tooLong.errors().get(0).startsWith("vrrp.auth.pass is invalid"));
        assertFalse(String.join(" ", tooLong.errors()).contains("Zq9"));

        String ok = "Zq9-ok";
        RenderSettings.Parsed good = parse(Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40",
                RenderSettings.VRRP_AUTH_TYPE, "pass", RenderSettings.VRRP_AUTH_PASS, ok));
        assertEquals(List.of(), good.errors());
        assertFalse(good.settings().toString().contains(ok), good.settings().toString());
        RenderResult r = Rendered.render(Topologies.stratosFixture(), good);
        assertTrue(r.text().contains("        auth_pass " + ok + "\n"));
        assertFalse(String.join(" ", r.warnings()).contains(ok));
        assertFalse(r.toStatus(null).toString().contains(ok));
    }

    @Test
    void conflictingVrrpOptionsAreDropped() {
        RenderSettings.Parsed p = parse(Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40",
                RenderSettings.VRRP_STATE, "MASTER", RenderSettings.VRRP_NOPREEMPT, "true",
                RenderSettings.VRRP_PREEMPT_DELAY, "10", RenderSettings.VRRP_TRACK_INTERFACES, "eth0,eth1,eth1",
                RenderSettings.VRRP_UNICAST_SRC, "10.0.0.1", RenderSettings.VRRP_UNICAST_PEERS, "10.0.0.1"));
        RenderSettings.VrrpSettings v = p.settings().vrrp();
        assertFalse(v.nopreempt());
        assertNull(v.preemptDelay());
        assertEquals(List.of("eth1"), v.trackInterfaces());
        assertEquals(List.of(), v.unicastPeers());
        assertEquals(List.of(), v.unicastSrcIps());
        assertEquals(5, p.errors().size(), p.errors().toString());
    }

    @Test
    void partitionWeightsReportABadOrRepeatedEntryAndKeepTheRest() {
        RenderSettings.Parsed p = parse(Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40",
                RenderSettings.WEIGHT_PARTITION, "p1:3,p2:0,p3,bad name:2,p1:4,p4:65535"), List.of());
        Weights w = p.settings().defaults().weights();
        assertEquals(new java.util.TreeMap<>(Map.of("p1", 3, "p4", 65535)), w.byPartition());
        assertEquals(3, w.of("p1"));
        assertEquals(1, w.of("p2"), "a partition left out gets lvs.weight");
        assertEquals(1, w.of(null), "a member that names no partition too");
        assertEquals(4, p.errors().size(), p.errors().toString());
        assertTrue(p.errors().stream().anyMatch(e -> e.contains("names partition \"p1\" twice; the first, 3")),
                p.errors().toString());
    }

    @Test
    void perServiceOverrides() {
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40,dns|192.168.56.41",
                RenderSettings.LB_KIND, "NAT", RenderSettings.WEIGHT, "3");
        List<Map<String, ?>> overrides = List.of(
                Map.of(RenderSettings.SERVICE_KEY, "web", RenderSettings.LB_ALGO, "wlc", RenderSettings.WEIGHT, "7",
                        RenderSettings.VRRP_INTERFACE, "eth1"),
                Map.of(RenderSettings.SERVICE_KEY, "php", RenderSettings.LB_ALGO, "rr"),
                Map.of(RenderSettings.SERVICE_KEY, "dns", RenderSettings.LB_ALGO, "sh"),
                Map.of(RenderSettings.SERVICE_KEY, "dns", RenderSettings.LB_ALGO, "lc"),
                Map.of(RenderSettings.LB_ALGO, "rr"));
        RenderSettings.Parsed p = parse(props, overrides);
        RenderSettings s = p.settings();
        // values other than the default (rr), so that an override applied or ignored shows
        assertEquals("wlc", s.forService("web").lbAlgo());
        assertEquals(7, s.forService("web").weight());
        assertEquals(RenderSettings.LbKind.NAT, s.forService("web").lbKind(), "inherits the main PID's value");
        assertEquals("rr", s.forService("dns").lbAlgo(), "two configurations for dns: both ignored");
        assertEquals(3, s.forService("dns").weight());
        List<String> e = p.errors();
        assertTrue(e.stream().anyMatch(x -> x.startsWith("A per-service configuration (org.stratoslvs.service-*) "
                + "has no \"service\" key")), e.toString());
        assertTrue(e.stream().anyMatch(x -> x.startsWith("Per-service configuration for dns: 2 configurations")));
        assertTrue(e.stream().anyMatch(x -> x.startsWith("Per-service configuration for php: the service is not")));
        assertTrue(e.stream().anyMatch(x -> x.startsWith("Per-service configuration for web: key vrrp.interface "
                + "cannot be set per service")));
        assertEquals(4, e.size(), e.toString());
    }

    /**
     * The key table's defaults and the built-in settings are one set of values: every key set to its documented
     * default parses to exactly what no key at all gives, without an error. A default changed in one place only
     * fails here.
     */
    @Test
    void theKeyTableDefaultsAreTheBuiltInSettings() {
        Map<String, Object> documented = new java.util.HashMap<>();
        for (RenderSettings.Key k : RenderSettings.keys()) {
            if (!k.defaultValue().isEmpty()) {
                documented.put(k.name(), k.defaultValue());
            }
        }
        documented.put(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40");
        RenderSettings.Parsed fromTable = parse(documented);
        assertEquals(List.of(), fromTable.errors());
        assertEquals(parse(Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40")).settings(),
                fromTable.settings());
    }

    @Test
    void keysAreDocumented() {
        Set<String> names = new HashSet<>();
        for (RenderSettings.Key k : RenderSettings.keys()) {
            assertTrue(names.add(k.name()), "duplicate key " + k.name());
            assertFalse(k.meaning().isBlank());
        }
        assertTrue(names.contains(RenderSettings.VIRTUALIP_SET));
        assertEquals(52, names.size());
    }
}
