package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.core.topology.TestJson.obj;
import static org.stratoslvs.core.topology.TestJson.write;
import static org.stratoslvs.core.topology.TopologyStoreTest.member;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken messages: each is refused with the expected reason, the snapshot stays the very same
 * object, the reason is counted, and nothing of the body leaks unquoted into the outcome.
 */
class HostileInputTest {

    static Arguments c(String name, String type, String body, RejectReason reason) {
        return Arguments.of(name, type, body.getBytes(StandardCharsets.UTF_8), reason);
    }

    static Arguments raw(String name, String type, byte[] body, RejectReason reason) {
        return Arguments.of(name, type, body, reason);
    }

    static String activated(Object... extra) {
        List<Object> kv = new ArrayList<>(List.of("defaultPrivateIP", "10.10.0.11"));
        kv.addAll(List.of(extra));
        return member("web-1", kv.toArray());
    }

    static String port(Object value, Object proxy) {
        return activated("portMap", obj("80", obj("protocol", "http", "value", value, "proxy", proxy)));
    }

    static Stream<Arguments> corpus() {
        String a = "MemberActivatedEvent";
        return Stream.of(
                // --- not JSON
                c("empty body", a, "", RejectReason.MALFORMED_JSON),
                c("truncated", a, "{\"serviceName\":\"web\"", RejectReason.MALFORMED_JSON),
                c("trailing garbage", a, activated() + "}", RejectReason.MALFORMED_JSON),
                c("two documents", a, activated() + activated(), RejectReason.MALFORMED_JSON),
                c("single quotes", a, "{'memberId':'web-1'}", RejectReason.MALFORMED_JSON),
                c("raw newline in string", a, "{\"memberId\":\"web\n-1\"}", RejectReason.MALFORMED_JSON),
                c("bad escape", a, "{\"memberId\":\"web\\x\"}", RejectReason.MALFORMED_JSON),
                c("unpaired surrogate escape", a, "{\"memberId\":\"\\ud800\"}", RejectReason.MALFORMED_JSON),
                c("duplicate key smuggling", a, "{\"serviceName\":\"web\",\"clusterId\":\"web.cluster-a\","
                        + "\"memberId\":\"web-1\",\"defaultPrivateIP\":\"10.10.0.11\",\"defaultPrivateIP\":\"10.6.6.6\"}",
                        RejectReason.MALFORMED_JSON),
                raw("invalid UTF-8", a, new byte[]{'{', '"', (byte) 0xff, '"', ':', '1', '}'}, RejectReason.MALFORMED_JSON),
                raw("overlong UTF-8 quote", a, new byte[]{'{', '"', (byte) 0xc0, (byte) 0xa2, '}'}, RejectReason.MALFORMED_JSON),
                c("nesting bomb", a, "[".repeat(5000) + "]".repeat(5000), RejectReason.JSON_LIMIT),
                c("huge exponent", a, "{\"x\":1e999999999999}", RejectReason.JSON_LIMIT),
                // --- wrong JSON types
                c("array body", a, "[]", RejectReason.WRONG_TYPE),
                c("string body", a, "\"web-1\"", RejectReason.WRONG_TYPE),
                c("null body", a, "null", RejectReason.MISSING_FIELD),
                c("number as name", a, member("web-1", "serviceName", 5), RejectReason.WRONG_TYPE),
                c("object as name", a, member("web-1", "memberId", obj("a", "b")), RejectReason.WRONG_TYPE),
                c("portMap as string", a, activated("portMap", "80:8080"), RejectReason.WRONG_TYPE),
                c("port entry as number", a, activated("portMap", obj("80", 8080)), RejectReason.WRONG_TYPE),
                c("IP list as string", a, member("web-1", "memberPrivateIPs", "10.0.0.1"), RejectReason.WRONG_TYPE),
                c("IP list of numbers", a, member("web-1", "memberPrivateIPs", List.of(10)), RejectReason.WRONG_TYPE),
                c("IP as array", a, member("web-1", "defaultPrivateIP", List.of("10.0.0.1")), RejectReason.WRONG_TYPE),
                c("complete: topology as string", "CompleteTopologyEvent", "{\"topology\":\"x\"}", RejectReason.WRONG_TYPE),
                c("complete: serviceMap as array", "CompleteTopologyEvent", "{\"topology\":{\"serviceMap\":[]}}",
                        RejectReason.WRONG_TYPE),
                c("clusterList not array", "ApplicationClustersCreatedEvent", "{\"clusterList\":{}}", RejectReason.WRONG_TYPE),
                c("isLbCluster as string", "ClusterCreatedEvent", write(obj("cluster", obj("serviceName", "web",
                        "clusterId", "web.c9", "isLbCluster", "false"))), RejectReason.WRONG_TYPE),
                c("stateStack as string", "ClusterCreatedEvent", write(obj("cluster", obj("serviceName", "web",
                        "clusterId", "web.c9", "memberMap", obj("m", obj("memberId", "m",
                                "memberStateManager", obj("stateStack", "Active")))))), RejectReason.WRONG_TYPE),
                // --- missing fields
                c("no memberId", a, member("web-1", "memberId", null), RejectReason.MISSING_FIELD),
                c("null memberId", a, "{\"serviceName\":\"web\",\"clusterId\":\"web.cluster-a\",\"memberId\":null}",
                        RejectReason.MISSING_FIELD),
                c("no clusterId", "MemberSuspendedEvent", member("web-1", "clusterId", null), RejectReason.MISSING_FIELD),
                c("empty ServiceRemoved", "ServiceRemovedEvent", "{}", RejectReason.MISSING_FIELD),
                c("complete without topology", "CompleteTopologyEvent", "{}", RejectReason.MISSING_FIELD),
                c("complete without serviceMap", "CompleteTopologyEvent", "{\"topology\":{}}", RejectReason.MISSING_FIELD),
                c("port without value", a, activated("portMap", obj("80", obj("protocol", "http", "proxy", 80))),
                        RejectReason.MISSING_FIELD),
                c("ClusterCreated without cluster", "ClusterCreatedEvent", "{}", RejectReason.MISSING_FIELD),
                // --- addresses
                c("hostname", a, activated("defaultPrivateIP", "web1.example.com"), RejectReason.INVALID_IP),
                c("newline and brace", a, activated("defaultPrivateIP", "10.0.0.1\n}"), RejectReason.INVALID_IP),
                c("IPv4-mapped IPv6", a, activated("defaultPrivateIP", "::ffff:10.0.0.1"), RejectReason.INVALID_IP),
                c("IPv4-mapped IPv6 hex", a, activated("defaultPrivateIP", "::ffff:a00:1"), RejectReason.INVALID_IP),
                c("octet out of range", a, activated("defaultPrivateIP", "10.0.0.256"), RejectReason.INVALID_IP),
                c("leading zero octet", a, activated("defaultPrivateIP", "010.0.0.1"), RejectReason.INVALID_IP),
                c("zone id", a, activated("defaultPrivateIP", "fe80::1%eth0"), RejectReason.INVALID_IP),
                c("space padded", a, activated("defaultPrivateIP", " 10.0.0.1"), RejectReason.INVALID_IP),
                c("CIDR", a, activated("defaultPrivateIP", "10.0.0.1/24"), RejectReason.INVALID_IP),
                c("any address", a, activated("defaultPrivateIP", "0.0.0.0"), RejectReason.INVALID_IP),
                c("multicast", a, activated("defaultPrivateIP", "224.0.0.1"), RejectReason.INVALID_IP),
                c("broadcast", a, activated("defaultPrivateIP", "255.255.255.255"), RejectReason.INVALID_IP),
                c("bad public IP", a, activated("defaultPublicIP", "evil;reboot"), RejectReason.INVALID_IP),
                c("bad first list entry", a, member("web-1", "memberPrivateIPs", List.of("x.y")), RejectReason.INVALID_IP),
                c("bad IP on initialize", "MemberInitializedEvent", member("web-3", "defaultPrivateIP", "1.2.3"),
                        RejectReason.INVALID_IP),
                // --- ports
                c("port 0", a, port(0, 80), RejectReason.INVALID_PORT),
                c("port 65536", a, port(8080, 65536), RejectReason.INVALID_PORT),
                c("negative port", a, port(-1, 80), RejectReason.INVALID_PORT),
                c("fractional port", a, port(new java.math.BigDecimal("80.5"), 80), RejectReason.INVALID_PORT),
                c("exponent port", a, activated("portMap", obj("80", obj("value", 8080, "proxy", 80)))
                        .replace("\"proxy\":80", "\"proxy\":8e1"), RejectReason.INVALID_PORT),
                c("huge port", a, port(99999999999999L, 80), RejectReason.INVALID_PORT),
                c("port as string", a, port("8080", 80), RejectReason.WRONG_TYPE),
                c("bad protocol", a, activated("portMap", obj("80", obj("protocol", "ht tp", "value", 80, "proxy", 80))),
                        RejectReason.INVALID_PORT),
                c("same proxy twice", a, activated("portMap", obj(
                        "80", obj("protocol", "http", "value", 8080, "proxy", 80),
                        "81", obj("protocol", "http", "value", 8081, "proxy", 80))), RejectReason.INVALID_PORT),
                c("bad service port", "ServiceCreatedEvent", write(obj("serviceName", "x",
                        "portMap", obj("1", obj("protocol", "tcp", "value", 1, "proxy", 70000)))), RejectReason.INVALID_PORT),
                // --- names
                c("newline in member id", a, member("web-1\n}"), RejectReason.INVALID_NAME),
                c("space in member id", a, member("web 1"), RejectReason.INVALID_NAME),
                c("quote in member id", a, member("web\"1"), RejectReason.INVALID_NAME),
                c("brace in cluster id", a, member("web-1", "clusterId", "web}"), RejectReason.INVALID_NAME),
                c("hash in service", a, member("web-1", "serviceName", "web#x"), RejectReason.INVALID_NAME),
                c("empty member id", a, member(""), RejectReason.INVALID_NAME),
                c("non-ASCII member id", a, member("w\u00e9b-1"), RejectReason.INVALID_NAME),
                c("over-long member id", a, member("w".repeat(201)), RejectReason.INVALID_NAME),
                c("leading dash", a, member("-web-1"), RejectReason.INVALID_NAME),
                c("bad partition id", a, member("web-1", "networkPartitionId", "np 1"), RejectReason.INVALID_NAME),
                c("bad service type", "ServiceCreatedEvent", write(obj("serviceName", "x", "serviceType", "Multi Tenant")),
                        RejectReason.INVALID_NAME),
                c("bad app id", "ApplicationClustersCreatedEvent", write(obj("appId", "a;b", "clusterList", List.of())),
                        RejectReason.INVALID_NAME),
                c("bad cluster in removal list", "ApplicationClustersRemovedEvent", write(obj("clusterData",
                        List.of(obj("serviceType", "web", "clusterId", "web.cluster-a\n")))), RejectReason.INVALID_NAME),
                c("bad member inside ClusterCreated", "ClusterCreatedEvent", write(obj("cluster", obj(
                        "serviceName", "web", "clusterId", "web.c9", "memberMap", obj("m 1", obj("memberId", "m 1",
                                "memberStateManager", obj("stateStack", List.of("Active"))))))), RejectReason.INVALID_NAME),
                // --- other values
                c("unknown IP type", a, activated("loadBalancingIPType", "Both"), RejectReason.INVALID_VALUE),
                c("unknown state in stack", "ClusterCreatedEvent", write(obj("cluster", obj("serviceName", "web",
                        "clusterId", "web.c9", "memberMap", obj("m", obj("memberId", "m",
                                "memberStateManager", obj("stateStack", List.of("Zombie"))))))), RejectReason.INVALID_VALUE),
                c("member key differs from id", "ClusterCreatedEvent", write(obj("cluster", obj("serviceName", "web",
                        "clusterId", "web.c9", "memberMap", obj("a", obj("memberId", "b",
                                "memberStateManager", obj("stateStack", List.of("Active"))))))), RejectReason.INCONSISTENT),
                c("member of another cluster", "ClusterCreatedEvent", write(obj("cluster", obj("serviceName", "web",
                        "clusterId", "web.c9", "memberMap", obj("a", obj("memberId", "a", "clusterId", "dns.cluster-a",
                                "memberStateManager", obj("stateStack", List.of("Active"))))))), RejectReason.INCONSISTENT),
                // --- well-formed but inapplicable
                c("unknown service", a, member("web-1", "serviceName", "ghost"), RejectReason.UNKNOWN_SERVICE),
                c("unknown cluster", a, member("web-1", "clusterId", "ghost"), RejectReason.UNKNOWN_CLUSTER),
                c("unknown member", a, activated().replace("web-1", "ghost-1"), RejectReason.UNKNOWN_MEMBER),
                c("stale status", "MemberStartedEvent", member("web-1"), RejectReason.STALE_STATUS),
                c("clusters of unknown service", "ApplicationClustersCreatedEvent", write(obj("clusterList", List.of(
                        obj("serviceName", "web", "clusterId", "web.c9"),
                        obj("serviceName", "ghost", "clusterId", "ghost.c1")))), RejectReason.UNKNOWN_SERVICE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedWithReasonAndModelUntouched(String name, String type, byte[] body, RejectReason reason) {
        TopologyStore store = TopologyStoreTest.initialized();
        Topology before = store.current();
        Outcome o = store.accept("topology." + type, body);
        assertEquals(Outcome.Kind.REJECTED, o.kind(), name + ": " + o);
        assertEquals(reason, o.reason(), name + ": " + o.detail());
        assertSame(before, o.topology(), name);
        assertSame(before, store.current(), name);
        assertEquals(1L, store.status().rejectsByReason().get(reason.name()));
        assertNotNull(o.detail());
        assertFalse(o.detail().contains("\n"), "detail must be one line: " + o.detail());
        assertTrue(o.detail().length() < 400, "detail must stay short: " + o.detail().length());
        assertEquals(reason.name(), store.status().recentRejects().get(0).reason());
        // A message refused on the wire does not count as applied.
        assertEquals(1, store.status().eventsApplied());
    }

    @Test
    void aBadSingleMemberEventIsRefusedWholeEvenIfItsOtherFieldsAreFine() {
        TopologyStore store = TopologyStoreTest.initialized();
        store.accept("topology.MemberSuspendedEvent", member("web-1").getBytes(StandardCharsets.UTF_8));
        Topology suspended = store.current();
        // Valid new ports, invalid address: nothing of it is applied, the member stays suspended.
        Outcome o = store.accept("topology.MemberActivatedEvent", activated("defaultPrivateIP", "10.0.0.1\n}",
                "portMap", obj("81", obj("protocol", "tcp", "value", 81, "proxy", 81))).getBytes(StandardCharsets.UTF_8));
        assertEquals(RejectReason.INVALID_IP, o.reason());
        assertSame(suspended, store.current());
        assertEquals(MemberStatus.Suspended, store.current().member("web", "web.cluster-a", "web-1").status());
    }

    @Test
    void aCompleteTopologyDropsEachBadPartAndKeepsTheRest() {
        TopologyStore store = TopologyStoreTest.initialized();
        Object goodMember = obj("memberId", "ok", "memberStateManager", obj("stateStack", List.of("Active")),
                "defaultPrivateIP", "10.0.0.1");
        String body = write(obj("topology", obj("serviceMap", obj(
                "good", obj("serviceName", "good", "clusterIdClusterMap", obj("good.c", obj("serviceName", "good",
                        "clusterId", "good.c", "memberMap", obj(
                                "ok", goodMember,
                                "badip", obj("memberId", "badip", "memberStateManager", obj("stateStack",
                                        List.of("Active")), "defaultPrivateIP", "::ffff:10.0.0.1"),
                                "badname", "not an object",
                                "nostate", obj("memberId", "nostate", "defaultPrivateIP", "10.0.0.3"))),
                        "bad.c{", obj("serviceName", "good", "clusterId", "bad.c{"))),
                "badport", obj("serviceName", "badport", "portMap", obj("0", obj("value", 0, "proxy", 0))),
                "mismatch", obj("serviceName", "other")))));
        Outcome o = store.accept("topology.CompleteTopologyEvent", body);
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        Topology t = store.current();
        assertEquals(List.of("good"), new ArrayList<>(t.services().keySet()));
        assertEquals(List.of("ok"), new ArrayList<>(t.service("good").cluster("good.c").members().keySet()));
        assertEquals(List.of(RejectReason.INVALID_IP, RejectReason.WRONG_TYPE, RejectReason.MISSING_FIELD,
                        RejectReason.INVALID_NAME, RejectReason.INVALID_PORT, RejectReason.INCONSISTENT),
                o.dropped().stream().map(Rejection::reason).toList(), o.dropped().toString());
        assertEquals(6, store.status().rejectsTotal());
    }
}
