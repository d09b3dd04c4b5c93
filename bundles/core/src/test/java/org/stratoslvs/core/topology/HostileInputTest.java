package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.core.topology.TestJson.obj;
import static org.stratoslvs.core.topology.TestJson.write;
import static org.stratoslvs.core.topology.TopologyStoreTest.member;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stratoslvs.core.json.JsonReader;

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

    static java.util.Map<String, Object> manyPorts(int n) {
        java.util.Map<String, Object> ports = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            ports.put(String.valueOf(i), obj("protocol", "tcp", "value", i, "proxy", i));
        }
        return ports;
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
                c("space padded", a, activated("defaultPrivateIP", " 10.0.0.1"), RejectReason.INVALID_IP),
                c("CIDR", a, activated("defaultPrivateIP", "10.0.0.1/24"), RejectReason.INVALID_IP),
                // well-formed, but keepalived rejects the real server (an IPv6 link-local one needs a bind_if) or
                // IPVS would send the traffic nowhere useful: refused with their own reason
                c("IPv6 link-local", a, activated("defaultPrivateIP", "fe80::1"), RejectReason.UNUSABLE_IP),
                c("IPv6 link-local, top of fe80::/10", a, activated("defaultPrivateIP", "febf:ffff::1"),
                        RejectReason.UNUSABLE_IP),
                c("IPv6 link-local upper case", a, activated("defaultPrivateIP", "FE80::A"), RejectReason.UNUSABLE_IP),
                c("IPv4 link-local", a, activated("defaultPrivateIP", "169.254.10.20"), RejectReason.UNUSABLE_IP),
                c("zone id", a, activated("defaultPrivateIP", "fe80::1%eth0"), RejectReason.UNUSABLE_IP),
                c("zone id on a global address", a, activated("defaultPrivateIP", "2001:db8::1%2"),
                        RejectReason.UNUSABLE_IP),
                c("loopback", a, activated("defaultPrivateIP", "127.0.0.1"), RejectReason.UNUSABLE_IP),
                c("loopback range", a, activated("defaultPrivateIP", "127.10.0.1"), RejectReason.UNUSABLE_IP),
                c("IPv6 loopback", a, activated("defaultPrivateIP", "::1"), RejectReason.UNUSABLE_IP),
                c("any address", a, activated("defaultPrivateIP", "0.0.0.0"), RejectReason.UNUSABLE_IP),
                c("IPv6 any address", a, activated("defaultPrivateIP", "::"), RejectReason.UNUSABLE_IP),
                c("multicast", a, activated("defaultPrivateIP", "224.0.0.1"), RejectReason.UNUSABLE_IP),
                c("multicast, top of 224/4", a, activated("defaultPrivateIP", "239.255.255.255"),
                        RejectReason.UNUSABLE_IP),
                c("IPv6 multicast", a, activated("defaultPrivateIP", "ff02::1"), RejectReason.UNUSABLE_IP),
                c("broadcast", a, activated("defaultPrivateIP", "255.255.255.255"), RejectReason.UNUSABLE_IP),
                c("link-local public IP", a, activated("defaultPublicIP", "fe80::2"), RejectReason.UNUSABLE_IP),
                c("link-local first list entry", a, member("web-1", "memberPrivateIPs", List.of("fe80::3")),
                        RejectReason.UNUSABLE_IP),
                c("link-local on initialize", "MemberInitializedEvent", member("web-3", "defaultPrivateIP", "fe80::4"),
                        RejectReason.UNUSABLE_IP),
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
                c("too many ports", a, activated("portMap", manyPorts(TopologyEvents.MAX_PORTS_PER_MAP + 1)),
                        RejectReason.TOO_MANY_ELEMENTS),
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
                // --- other values
                c("unknown IP type", a, activated("loadBalancingIPType", "Both"), RejectReason.INVALID_VALUE),
                // --- well-formed but inapplicable
                c("unknown service", a, member("web-1", "serviceName", "ghost"), RejectReason.UNKNOWN_SERVICE),
                c("unknown cluster", a, member("web-1", "clusterId", "ghost"), RejectReason.UNKNOWN_CLUSTER),
                c("unknown member", a, activated().replace("web-1", "ghost-1"), RejectReason.UNKNOWN_MEMBER),
                c("stale status", "MemberStartedEvent", member("web-1"), RejectReason.STALE_STATUS),
                c("clusters of unknown service", "ApplicationClustersCreatedEvent", write(obj("clusterList", List.of(
                        obj("serviceName", "web", "clusterId", "web.c9"),
                        obj("serviceName", "ghost", "clusterId", "ghost.c1")))), RejectReason.UNKNOWN_SERVICE));
    }

    static Object activeMember(String id, Object... extra) {
        java.util.Map<String, Object> m = obj("memberId", id, "memberStateManager", obj("stateStack",
                List.of("Created", "Active")), "defaultPrivateIP", "10.10.9.1");
        for (int i = 0; i < extra.length; i += 2) {
            m.put((String) extra[i], extra[i + 1]);
        }
        return m;
    }

    /** A bad member beside a good one inside a cluster event: the key of the bad one is "bad". */
    static Stream<Arguments> badMembersInClusterEvents() {
        return Stream.of(
                Arguments.of("link-local address", activeMember("bad", "defaultPrivateIP", "fe80::1"),
                        RejectReason.UNUSABLE_IP),
                Arguments.of("stateStack as string", obj("memberId", "bad", "memberStateManager",
                        obj("stateStack", "Active")), RejectReason.WRONG_TYPE),
                Arguments.of("space in id", activeMember("bad", "memberId", "m 1"), RejectReason.INVALID_NAME),
                Arguments.of("unknown state in stack", obj("memberId", "bad", "memberStateManager",
                        obj("stateStack", List.of("Zombie"))), RejectReason.INVALID_VALUE),
                Arguments.of("member key differs from id", activeMember("other"), RejectReason.INCONSISTENT),
                Arguments.of("member of another cluster", activeMember("bad", "clusterId", "dns.cluster-a"),
                        RejectReason.INCONSISTENT),
                Arguments.of("bad name", activeMember("bad", "networkPartitionId", "np 1"), RejectReason.INVALID_NAME),
                Arguments.of("not an object", "bad", RejectReason.WRONG_TYPE));
    }

    /**
     * One bad member must not keep its cluster out of the model: the peers' later events would all be refused as
     * UNKNOWN_CLUSTER until the next complete topology. The bad member is left out and counted, as in a complete
     * topology.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badMembersInClusterEvents")
    void aBadMemberOfAClusterEventIsLeftOutAndTheClusterApplies(String name, Object bad, RejectReason reason) {
        TopologyStore store = TopologyStoreTest.initialized();
        String body = write(obj("cluster", obj("serviceName", "web", "clusterId", "web.c9", "memberMap",
                obj("bad", bad, "good", activeMember("good")))));
        Outcome o = store.accept("topology.ClusterCreatedEvent", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(Outcome.Kind.CHANGED, o.kind(), name + ": " + o);
        Cluster c = store.current().service("web").cluster("web.c9");
        assertEquals(List.of("good"), new ArrayList<>(c.members().keySet()), name);
        assertEquals(1, o.dropped().total(), name);
        assertEquals(reason, o.dropped().sample().get(0).reason(), name + ": " + o.dropped());
        assertEquals(1L, store.status().rejectsByReason().get(reason.name()), name);
        assertTrue(o.dropped().toString().length() < 400, o.dropped().toString());
        // ApplicationClustersCreatedEvent: the same, and a bad cluster beside a good one is left out too.
        TopologyStore app = TopologyStoreTest.initialized();
        String appBody = write(obj("appId", "app-1", "clusterList", List.of(
                obj("serviceName", "web", "clusterId", "web.c9", "memberMap", obj("bad", bad, "good", activeMember("good"))),
                obj("serviceName", "web", "clusterId", "bad cluster"),
                obj("serviceName", "dns", "clusterId", "dns.c9"))));
        Outcome a = app.accept("topology.ApplicationClustersCreatedEvent", appBody.getBytes(StandardCharsets.UTF_8));
        assertEquals(Outcome.Kind.CHANGED, a.kind(), name + ": " + a);
        assertEquals(List.of("good"), new ArrayList<>(app.current().service("web").cluster("web.c9").members().keySet()));
        assertNotNull(app.current().service("dns").cluster("dns.c9"));
        assertEquals(List.of(reason, RejectReason.INVALID_NAME),
                a.dropped().sample().stream().map(Rejection::reason).toList(), a.dropped().toString());
    }

    // ------------------------------------------------------------------ size and element bombs (issue 11, 4)

    /**
     * The message of the issue: 3.2 million empty members in 32,000,000 bytes (under the 32 MiB byte limit), one
     * cluster of one service. Generated here: 4-character keys of 62 symbols, 10 bytes a member.
     */
    static byte[] emptyMembersBomb(int members) {
        String head = "{\"topology\":{\"serviceMap\":{\"s\":{\"serviceName\":\"s\",\"clusterIdClusterMap\":{\"s.c\":"
                + "{\"serviceName\":\"s\",\"clusterId\":\"s.c\",\"memberMap\":{";
        String tail = "}}}}}}}";
        String symbols = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        byte[] body = new byte[head.length() + members * 10 - 1 + tail.length()];
        int at = 0;
        for (char ch : head.toCharArray()) {
            body[at++] = (byte) ch;
        }
        for (int i = 0; i < members; i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            body[at++] = '"';
            for (int d = 0, n = i; d < 4; d++, n /= 62) {
                body[at++] = (byte) symbols.charAt(n % 62);
            }
            body[at++] = '"';
            body[at++] = ':';
            body[at++] = '{';
            body[at++] = '}';
        }
        for (char ch : tail.toCharArray()) {
            body[at++] = (byte) ch;
        }
        return body;
    }

    /** Heap in use after full collections (System.gc() is a full, stop-the-world collection in G1 and Parallel). */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Far below the 381 MiB main retained after the bomb, far above what the counters and the outcome cost. */
    static final long RETAINED_BOUND = 32L << 20;

    @Test
    void anElementBombIsRefusedBeforeItsTreeIsBuiltWithABoundedDetail() {
        byte[] body = emptyMembersBomb(3_200_000);
        assertTrue(body.length <= TopologyStore.DEFAULT_MAX_MESSAGE_BYTES, "under the byte limit: " + body.length);
        TopologyStore store = new TopologyStore(); // the defaults: 32 MiB, 2 million values, 30,000 members
        store.accept("topology.CompleteTopologyEvent", Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]));
        Topology before = store.current();
        long heapBefore = usedHeapAfterGc();
        Outcome o = store.accept("topology.CompleteTopologyEvent", body);
        long retained = usedHeapAfterGc() - heapBefore;
        assertEquals(Outcome.Kind.REJECTED, o.kind(), o.cause());
        assertEquals(RejectReason.JSON_LIMIT, o.reason(), o.detail());
        assertTrue(o.detail().contains("more than 2000000 values"), o.detail());
        assertTrue(o.toString().length() < 400, "bounded: " + o.toString().length());
        assertSame(before, store.current());
        assertEquals(1L, store.status().rejectsByReason().get("JSON_LIMIT"));
        assertTrue(retained < RETAINED_BOUND, "retained " + (retained >> 20) + " MiB");
        assertNotNull(o.topology()); // keeps the outcome reachable until after the measurement
    }

    /**
     * The same bomb read with limits as wide as main's (no value or element limit): each of the 3.2 million
     * members is a bad part, left out. main kept every one of them with its detail (381 MiB retained, a warning
     * line of 221 million characters); now they are counted, the first few listed, and that is all.
     */
    @Test
    void millionsOfBadMembersAreCountedNotKept() {
        byte[] body = emptyMembersBomb(3_200_000);
        TopologyStore store = new TopologyStore(java.time.Clock.systemUTC(), TopologyStore.DEFAULT_MAX_MESSAGE_BYTES,
                TopologyStore.DEFAULT_RECENT_REJECTS, JsonReader.Limits.DEFAULT.withMaxValues(Integer.MAX_VALUE));
        store.setMaxMembers(Integer.MAX_VALUE);
        long heapBefore = usedHeapAfterGc();
        Outcome o = store.accept("topology.CompleteTopologyEvent", body);
        long retained = usedHeapAfterGc() - heapBefore;
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.cause());
        assertEquals(3_200_000, o.dropped().total());
        assertEquals(java.util.Map.of(RejectReason.MISSING_FIELD, 3_200_000), o.dropped().byReason());
        assertEquals(DroppedParts.SAMPLE_SIZE, o.dropped().sample().size());
        String line = o.cause() + ": left out " + o.dropped(); // what the listener logs
        assertTrue(line.length() < 2_000, "log line of " + line.length() + " characters");
        assertTrue(line.endsWith("and 3199990 more"), line);
        assertTrue(o.toString().length() < 2_500, "outcome text of " + o.toString().length());
        assertEquals(3_200_000L, store.status().rejectsByReason().get("MISSING_FIELD"));
        assertEquals(DroppedParts.SAMPLE_SIZE, store.status().recentRejects().size());
        assertTrue(retained < RETAINED_BOUND, "retained " + (retained >> 20) + " MiB");
        assertNotNull(o.topology());
    }

    static String minimalMembers(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":{\"memberId\":\"m").append(i)
                    .append("\",\"memberStateManager\":{\"stateStack\":[\"Active\"]},\"defaultPrivateIP\":\"10.1.")
                    .append(i >> 8 & 255).append('.').append(i & 255).append("\"}");
        }
        return sb.toString();
    }

    @Test
    void moreMembersClustersOrServicesThanTheElementLimitRefuseTheWholeMessage() {
        TopologyStore store = TopologyStoreTest.initialized();
        store.setMaxMembers(1_000);
        Topology before = store.current();
        String members = "{\"topology\":{\"serviceMap\":{\"s\":{\"serviceName\":\"s\",\"clusterIdClusterMap\":{"
                + "\"s.c\":{\"serviceName\":\"s\",\"clusterId\":\"s.c\",\"memberMap\":{" + minimalMembers(1_001)
                + "}}}}}}}";
        Outcome o = store.accept("topology.CompleteTopologyEvent", members);
        assertEquals(RejectReason.TOO_MANY_ELEMENTS, o.reason(), o.toString());
        assertTrue(o.detail().contains("more than 1000 members") && o.detail().contains("topology.max.members"),
                o.detail());
        assertSame(before, store.current());
        // Exactly at the limit it applies (bad members count: they are in the message).
        String atLimit = members.replace(",\"m1000\":{\"memberId\":\"m1000\"", ",\"m1000\":{\"memberId\":\"m1000x\"");
        Outcome bad = store.accept("topology.CompleteTopologyEvent", atLimit);
        assertEquals(RejectReason.TOO_MANY_ELEMENTS, bad.reason(), "the bad member counts too");
        store.setMaxMembers(1_001);
        Outcome ok = store.accept("topology.CompleteTopologyEvent", atLimit);
        assertEquals(Outcome.Kind.CHANGED, ok.kind(), ok.toString());
        assertEquals(1_000, store.current().memberCount());
        assertEquals(1, ok.dropped().total());

        store.setMaxMembers(1_000);
        StringBuilder clusters = new StringBuilder();
        for (int i = 0; i <= 1_000; i++) {
            clusters.append(i == 0 ? "" : ",").append("{\"serviceName\":\"web\",\"clusterId\":\"c").append(i).append("\"}");
        }
        Outcome c = store.accept("topology.ApplicationClustersCreatedEvent", "{\"clusterList\":[" + clusters + "]}");
        assertEquals(RejectReason.TOO_MANY_ELEMENTS, c.reason(), c.toString());
        assertTrue(c.detail().contains("more than 1000 clusters"), c.detail());
        StringBuilder services = new StringBuilder();
        for (int i = 0; i <= 1_000; i++) {
            services.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":{\"serviceName\":\"s").append(i)
                    .append("\"}");
        }
        Outcome s = store.accept("topology.CompleteTopologyEvent", "{\"topology\":{\"serviceMap\":{" + services + "}}}");
        assertEquals(RejectReason.TOO_MANY_ELEMENTS, s.reason(), s.toString());
        assertTrue(s.detail().contains("more than 1000 services"), s.detail());
        assertEquals(4L, store.status().rejectsByReason().get("TOO_MANY_ELEMENTS"));
    }

    @Test
    void aClusterEventOfManyClustersHasABoundedCause() {
        TopologyStore store = TopologyStoreTest.initialized();
        StringBuilder clusters = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            clusters.append(i == 0 ? "" : ",").append("{\"serviceName\":\"web\",\"clusterId\":\"web.cluster-")
                    .append("x".repeat(150)).append(i).append("\"}");
        }
        Outcome o = store.accept("topology.ApplicationClustersCreatedEvent", "{\"clusterList\":[" + clusters + "]}");
        assertEquals(Outcome.Kind.CHANGED, o.kind());
        assertTrue(o.cause().length() < 1_000, "cause of " + o.cause().length() + " characters");
        assertTrue(o.cause().endsWith(" and 995 more"), o.cause());
        Outcome r = store.accept("topology.ApplicationClustersRemovedEvent", "{\"clusterData\":["
                + clusters.toString().replace("serviceName", "serviceType") + "]}");
        assertEquals(Outcome.Kind.CHANGED, r.kind());
        assertTrue(r.cause().length() < 1_000, "cause of " + r.cause().length() + " characters");
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

    /**
     * Issue 11, 1: a member activated with fe80::1 was accepted, keepalived -t then refused its real server, and
     * with it every later file. Now the member is left out of the complete topology (counted, with the reason),
     * and everything else applies, including a later event of an unrelated service.
     */
    @Test
    void aLinkLocalMemberInACompleteTopologyIsLeftOutAndEverythingElseApplies() {
        TopologyStore store = TopologyStoreTest.initialized();
        String poisoned = Fixtures.text(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0])
                .replace("\"10.10.0.11\"", "\"fe80::1\"");
        assertTrue(poisoned.contains("fe80::1"));
        Outcome o = store.accept("topology.CompleteTopologyEvent", poisoned);
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        Topology t = store.current();
        assertNull(t.member("web", "web.cluster-a", "web-1"), "the poisoned member is left out");
        assertEquals(3, t.service("web").memberCount(), "its peers are kept");
        assertNotNull(t.member("dns", "dns.cluster-a", "dns-1"), "other services are kept");
        assertEquals(1, o.dropped().total(), o.dropped().toString());
        Rejection r = o.dropped().sample().get(0);
        assertEquals(RejectReason.UNUSABLE_IP, r.reason());
        assertTrue(r.detail().contains("member \"web-1\"") && r.detail().contains("link-local"), r.detail());
        assertEquals(1L, store.status().rejectsByReason().get("UNUSABLE_IP"));

        // An unrelated member event still applies (the symptom of the issue: it no longer reached the file).
        Outcome gone = store.accept("topology.MemberTerminatedEvent", write(obj("serviceName", "dns",
                "clusterId", "dns.cluster-a", "memberId", "dns-1")));
        assertEquals(Outcome.Kind.CHANGED, gone.kind(), gone.toString());
        assertNull(store.current().member("dns", "dns.cluster-a", "dns-1"));

        // The same member activated again with the address alone is refused alone; its peers are untouched.
        Topology before = store.current();
        Outcome again = store.accept("topology.MemberActivatedEvent", member("web-2", "defaultPrivateIP", "fe80::1"));
        assertEquals(RejectReason.UNUSABLE_IP, again.reason(), again.toString());
        assertSame(before, store.current());
        assertEquals("10.10.0.12", store.current().member("web", "web.cluster-a", "web-2").privateIp());
        assertEquals(Outcome.Kind.CHANGED, store.accept("topology.MemberSuspendedEvent", member("web-2")).kind());
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
                o.dropped().sample().stream().map(Rejection::reason).toList(), o.dropped().toString());
        assertEquals(6, store.status().rejectsTotal());
    }
}
