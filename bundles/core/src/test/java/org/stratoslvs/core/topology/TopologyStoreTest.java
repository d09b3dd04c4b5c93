package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.core.topology.TestJson.obj;
import static org.stratoslvs.core.topology.TestJson.write;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.core.json.JsonReader;

/** The store's rules: initialization, duplicates, unknowns, ordering, drift, ignored types, limits, status. */
class TopologyStoreTest {

    static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    static TopologyStore initialized() {
        TopologyStore store = new TopologyStore(Clock.fixed(T0, ZoneOffset.UTC), 4 << 20, 20,
                JsonReader.Limits.DEFAULT);
        Outcome o = store.accept("topology.CompleteTopologyEvent",
                Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]));
        assertEquals(Outcome.Kind.CHANGED, o.kind());
        return store;
    }

    static String member(String memberId, Object... extra) {
        Map<String, Object> m = obj("serviceName", "web", "clusterId", "web.cluster-a", "memberId", memberId,
                "clusterInstanceId", "cluster-instance-1", "networkPartitionId", "network-partition-1",
                "partitionId", "partition-1");
        for (int i = 0; i < extra.length; i += 2) {
            if (extra[i + 1] == null) {
                m.remove((String) extra[i]);
            } else {
                m.put((String) extra[i], extra[i + 1]);
            }
        }
        return write(m);
    }

    static Outcome send(TopologyStore store, String type, String body) {
        return store.accept("topology." + type, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eventsBeforeTheFirstCompleteTopologyAreRefused() {
        TopologyStore store = new TopologyStore();
        Outcome o = send(store, "MemberActivatedEvent", member("web-1", "defaultPrivateIP", "10.0.0.1"));
        assertEquals(RejectReason.NOT_INITIALIZED, o.reason());
        assertSame(Topology.EMPTY, store.current());
        Outcome s = send(store, "ServiceCreatedEvent", write(obj("serviceName", "cache")));
        assertEquals(RejectReason.NOT_INITIALIZED, s.reason());
        assertSame(Topology.EMPTY, store.current());
        assertFalse(store.current().initialized());
        assertEquals(2L, store.status().rejectsByReason().get("NOT_INITIALIZED"));
    }

    @Test
    void memberEventsForUnknownServiceClusterOrMemberAreDroppedAndCounted() {
        TopologyStore store = initialized();
        Topology before = store.current();
        assertEquals(RejectReason.UNKNOWN_SERVICE,
                send(store, "MemberSuspendedEvent", member("web-1", "serviceName", "nope")).reason());
        assertEquals(RejectReason.UNKNOWN_CLUSTER,
                send(store, "MemberSuspendedEvent", member("web-1", "clusterId", "nope")).reason());
        assertEquals(RejectReason.UNKNOWN_MEMBER, send(store, "MemberActivatedEvent", member("web-99")).reason());
        assertEquals(RejectReason.UNKNOWN_SERVICE, send(store, "ClusterCreatedEvent", write(obj("cluster",
                obj("serviceName", "nope", "clusterId", "nope.c")))).reason());
        assertSame(before, store.current());
        Map<String, Long> counts = store.status().rejectsByReason();
        assertEquals(2L, counts.get("UNKNOWN_SERVICE"));
        assertEquals(1L, counts.get("UNKNOWN_CLUSTER"));
        assertEquals(1L, counts.get("UNKNOWN_MEMBER"));
        assertEquals(4, store.status().rejectsTotal());
    }

    @Test
    void duplicatesAreIdempotent() {
        TopologyStore store = initialized();
        String created = member("web-9", "loadBalancingIPType", "Private");
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberCreatedEvent", created).kind());
        Topology t = store.current();
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "MemberCreatedEvent", created).kind());
        assertSame(t, store.current());
        String activated = member("web-9", "defaultPrivateIP", "10.1.1.1");
        send(store, "MemberInitializedEvent", activated);
        send(store, "MemberStartedEvent", member("web-9"));
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberActivatedEvent", activated).kind());
        t = store.current();
        Outcome again = send(store, "MemberActivatedEvent", activated);
        assertEquals(Outcome.Kind.UNCHANGED, again.kind());
        assertSame(t, again.topology());
        assertSame(t, store.current());
        // A re-delivered MemberCreatedEvent after activation must not push the member back to Created.
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "MemberCreatedEvent", created).kind());
        assertEquals(MemberStatus.Active, store.current().member("web", "web.cluster-a", "web-9").status());
        // Unchanged events count as applied (they confirm the model): complete + 7 member events.
        assertEquals(8, store.status().eventsApplied());
    }

    @Test
    void terminatedMemberIsNotResurrectedByLateEvents() {
        TopologyStore store = initialized();
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberTerminatedEvent", member("web-1")).kind());
        Topology afterTermination = store.current();
        assertNull(afterTermination.member("web", "web.cluster-a", "web-1"));

        Outcome lateActivated = send(store, "MemberActivatedEvent", member("web-1", "defaultPrivateIP", "10.10.0.11"));
        assertEquals(RejectReason.UNKNOWN_MEMBER, lateActivated.reason());
        Outcome lateCreated = send(store, "MemberCreatedEvent", member("web-1"));
        assertEquals(RejectReason.TERMINATED_MEMBER, lateCreated.reason());
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "MemberTerminatedEvent", member("web-1")).kind(),
                "duplicate termination");
        assertSame(afterTermination, store.current());

        // The next complete topology is authoritative: if it lists the member, the member is back ...
        Outcome resync = store.accept("topology.CompleteTopologyEvent",
                Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]));
        assertEquals(Outcome.Kind.CHANGED, resync.kind());
        assertNotNull(store.current().member("web", "web.cluster-a", "web-1"));
        assertEquals(0, store.terminatedCount(), "... and no longer marked terminated");
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberSuspendedEvent", member("web-1")).kind());
    }

    @Test
    void terminationBeforeCreationIsRemembered() {
        TopologyStore store = initialized();
        // Out of order: the termination of a member we never saw overtakes its creation.
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "MemberTerminatedEvent", member("web-7")).kind());
        assertEquals(RejectReason.TERMINATED_MEMBER, send(store, "MemberCreatedEvent", member("web-7")).reason());
        assertNull(store.current().member("web", "web.cluster-a", "web-7"));
    }

    @Test
    void staleLifecycleEventsDoNotMoveAMemberBackwards() {
        TopologyStore store = initialized();
        Topology t = store.current();
        // web-1 is Active: a late Started or Initialized is stale.
        assertEquals(RejectReason.STALE_STATUS, send(store, "MemberStartedEvent", member("web-1")).reason());
        assertEquals(RejectReason.STALE_STATUS, send(store, "MemberInitializedEvent",
                member("web-1", "defaultPrivateIP", "10.9.9.9")).reason());
        assertSame(t, store.current());
        // Active and Suspended alternate.
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberSuspendedEvent", member("web-1")).kind());
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberActivatedEvent", member("web-1")).kind());
        assertEquals(Outcome.Kind.CHANGED, send(store, "MemberMaintenanceModeEvent", member("web-1")).kind());
        assertEquals(RejectReason.STALE_STATUS, send(store, "MemberActivatedEvent", member("web-1")).reason(),
                "no way back from maintenance but a complete topology");
        assertEquals(MemberStatus.In_Maintenance, store.current().member("web", "web.cluster-a", "web-1").status());
    }

    @Test
    void reActivationWithANewAddressMovesTheMember() {
        TopologyStore store = initialized();
        send(store, "MemberSuspendedEvent", member("web-1"));
        Outcome o = send(store, "MemberActivatedEvent", member("web-1", "defaultPrivateIP", "10.10.0.99",
                "defaultPublicIP", "2001:DB8:0:0::7", "portMap",
                obj("80", obj("protocol", "http", "value", 9090, "proxy", 80)), "loadBalancingIPType", "Public"));
        assertEquals(Outcome.Kind.CHANGED, o.kind());
        Member m = store.current().member("web", "web.cluster-a", "web-1");
        assertEquals(MemberStatus.Active, m.status());
        assertEquals("10.10.0.99", m.privateIp());
        assertEquals("2001:db8::7", m.publicIp(), "canonical form");
        assertEquals(Models.ports(new Port("http", 9090, 80)), m.ports(), "the event's ports replace the old ones");
        assertEquals(IpType.PUBLIC, m.lbIpType());
        assertEquals("2001:db8::7", m.addressFor(IpType.PRIVATE));
        // Still Active, new address again: applied (Stratos would ignore it and keep the stale address).
        send(store, "MemberActivatedEvent", member("web-1", "memberPrivateIPs", List.of("10.10.0.100")));
        assertEquals("10.10.0.100", store.current().member("web", "web.cluster-a", "web-1").privateIp(),
                "first of the list when no default is given");
    }

    @Test
    void laterCompleteTopologiesRepairDriftAndCountIt() {
        TopologyStore store = new TopologyStore();
        for (Fixtures.Message m : Fixtures.sequence1()) {
            store.accept(m.topic(), m.body());
        }
        Topology afterSequence = store.current();
        byte[] initial = Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]);
        // Re-sending the first complete topology: web-2 comes back, web-5 goes; web-1 is identical.
        Outcome o = store.accept("topology.CompleteTopologyEvent", initial);
        assertEquals(Outcome.Kind.CHANGED, o.kind());
        assertEquals(SequenceConformanceTest.initial(), store.current());
        assertEquals("CompleteTopologyEvent 3 services, 2 clusters, 5 members, drift 2 (1 added, 1 removed, 0 changed)",
                o.cause());
        assertEquals(2, store.status().driftRepairs());
        assertEquals(2, store.status().completeTopologies());

        // The same again: nothing to repair, and the snapshot object stays.
        Topology t = store.current();
        Outcome same = store.accept("topology.CompleteTopologyEvent", initial);
        assertEquals(Outcome.Kind.UNCHANGED, same.kind());
        assertTrue(same.cause().endsWith("drift 0"), same.cause());
        assertSame(t, store.current());
        assertEquals(2, store.status().driftRepairs());
        assertFalse(afterSequence.equals(t));
    }

    @Test
    void driftCountsChangedMembers() {
        TopologyStore store = initialized();
        send(store, "MemberSuspendedEvent", member("web-1"));
        send(store, "MemberTerminatedEvent", member("web-2"));
        send(store, "ClusterRemovedEvent", write(obj("serviceName", "dns", "clusterId", "dns.cluster-a")));
        Outcome o = store.accept("topology.CompleteTopologyEvent",
                Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]));
        assertTrue(o.cause().endsWith("drift 3 (2 added, 0 removed, 1 changed)"), o.cause());
    }

    @Test
    void ignoredAndUnknownTypesAreCountedNotRejected() {
        TopologyStore store = initialized();
        Topology t = store.current();
        Outcome ci = store.accept("topology.ClusterInstanceActivatedEvent", "{not even json".getBytes());
        assertEquals(Outcome.Kind.IGNORED, ci.kind());
        assertEquals("ignored ClusterInstanceActivatedEvent", ci.cause());
        assertEquals(Outcome.Kind.IGNORED, store.accept("topology.ClusterResetEvent", "{}").kind());
        Outcome unknown = store.accept("topology.ApplicationCreatedEvent", "{}");
        assertEquals("ignored unknown type ApplicationCreatedEvent", unknown.cause());
        Outcome hostile = store.accept("topology.Evil\nType", "{}");
        assertEquals(Outcome.Kind.IGNORED, hostile.kind());
        assertFalse(hostile.cause().contains("\n"));
        assertSame(t, store.current());
        ListenerStatus status = store.status();
        assertEquals(4, status.eventsIgnored());
        assertEquals(0, status.rejectsTotal());
        assertEquals(Map.of("ApplicationCreatedEvent", 1L, "ClusterInstanceActivatedEvent", 1L,
                "ClusterResetEvent", 1L, TopologyStore.OTHER_IGNORED, 1L), store.ignoredByType());
        for (int i = 0; i < 200; i++) {
            store.accept("topology.Junk" + i + "Event", "{}");
        }
        assertEquals(TopologyStore.MAX_IGNORED_TYPES, store.ignoredByType().size(), "bounded");
    }

    @Test
    void tooLargeIsRefusedBeforeParsing() {
        TopologyStore store = initialized();
        store.setMaxMessageBytes(64);
        Topology t = store.current();
        String big = "{" + " ".repeat(100) + "broken";
        Outcome o = store.accept("topology.MemberActivatedEvent", big.getBytes());
        assertEquals(RejectReason.TOO_LARGE, o.reason());
        assertTrue(o.detail().contains("topology.max.message.bytes=64"), o.detail());
        assertEquals(RejectReason.TOO_LARGE, store.accept("topology.MemberActivatedEvent", big).reason());
        // 30 three-byte characters are 90 bytes although 30 chars.
        String wide = "\"" + "\u20ac".repeat(30) + "\"";
        assertEquals(RejectReason.TOO_LARGE, store.accept("topology.ServiceRemovedEvent", wide).reason());
        assertSame(t, store.current());
    }

    @Test
    void aTenThousandMemberCompleteTopologyFitsTheDefaultLimit() {
        // The fixture's member, re-numbered 10,000 times in one cluster, in both serviceMap and clusterMap.
        String member = "{\"serviceName\":\"web\",\"clusterId\":\"web.c\",\"memberId\":\"web-%1$d\","
                + "\"clusterInstanceId\":\"cluster-instance-1\",\"networkPartitionId\":\"network-partition-1\","
                + "\"partitionId\":\"partition-1\",\"initTime\":1795824858340,\"portMap\":{\"80\":{\"protocol\":"
                + "\"http\",\"value\":8080,\"proxy\":80},\"443\":{\"protocol\":\"https\",\"value\":8443,\"proxy\":443}},"
                + "\"memberPrivateIPs\":[\"10.%2$d.%3$d.%4$d\"],\"defaultPrivateIP\":\"10.%2$d.%3$d.%4$d\","
                + "\"memberStateManager\":{\"stateStack\":[\"Created\",\"Initialized\",\"Starting\",\"Active\"],"
                + "\"identifier\":\"web-%1$d\"},\"loadBalancingIPType\":\"Private\"}";
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            if (i > 0) {
                members.append(',');
            }
            members.append("\"web-").append(i).append("\":")
                    .append(String.format(member, i, i >> 16 & 255, i >> 8 & 255, 1 + (i & 127)));
        }
        String cluster = "{\"serviceName\":\"web\",\"clusterId\":\"web.c\",\"hostNames\":[\"web.example.com\"],"
                + "\"isLbCluster\":false,\"memberMap\":{" + members + "},\"appId\":\"app-1\"}";
        String body = "{\"topology\":{\"clusterMap\":{\"web.c\":" + cluster + "},\"serviceMap\":{\"web\":{"
                + "\"serviceName\":\"web\",\"serviceType\":\"SingleTenant\",\"clusterIdClusterMap\":{\"web.c\":"
                + cluster + "}}},\"initialized\":false}}";
        assertTrue(body.length() > 4 << 20, "bigger than a 4 MiB limit would allow: " + body.length());
        TopologyStore store = new TopologyStore();
        Outcome o = store.accept("topology.CompleteTopologyEvent", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        assertEquals(10_000, store.current().activeMemberCount());
    }

    @Test
    void recentRejectsAreBoundedNewestLastAndQuoted() {
        TopologyStore store = new TopologyStore(Clock.fixed(T0, ZoneOffset.UTC), 1 << 20, 3, JsonReader.Limits.DEFAULT);
        store.accept("topology.CompleteTopologyEvent", Fixtures.bytes(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0]));
        for (int i = 0; i < 5; i++) {
            send(store, "MemberActivatedEvent", member("web-1", "defaultPrivateIP", "10.0.0." + i + "\n}"));
        }
        List<ListenerStatus.Reject> recent = store.status().recentRejects();
        assertEquals(3, recent.size());
        ListenerStatus.Reject last = recent.get(2);
        assertEquals(T0, last.at());
        assertEquals("topology.MemberActivatedEvent", last.topic());
        assertEquals("INVALID_IP", last.reason());
        assertTrue(last.detail().contains("10.0.0.4\\u000a}"), last.detail());
        assertFalse(last.detail().contains("\n"));
        assertEquals(T0, store.status().lastEventAt());
        assertEquals(5L, store.status().rejectsByReason().get("INVALID_IP"));
    }

    @Test
    void statusCarriesBrokerState() {
        TopologyStore store = new TopologyStore();
        ListenerStatus s0 = store.status();
        assertNull(s0.brokerUrl());
        assertFalse(s0.connected());
        assertNull(s0.lastEventAt());
        assertEquals(RejectReason.values().length, s0.rejectsByReason().size(), "every reason, stable keys");
        ListenerStatus fed = store.status("tcp://stratos:61616", true);
        assertEquals("tcp://stratos:61616", fed.brokerUrl());
        assertTrue(fed.connected());
        assertThrows(IllegalArgumentException.class, () -> store.setMaxMessageBytes(0));
    }

    @Test
    void completeTopologyKeepsGoodMembersAndCountsTheBadOne() {
        TopologyStore store = initialized();
        String text = Fixtures.text(Fixtures.SEQUENCE_1 + Fixtures.SEQUENCE_1_FILES[0])
                .replace("\"defaultPrivateIP\":\"10.10.0.13\"", "\"defaultPrivateIP\":\"10.10.0.13\\n}\"");
        Outcome o = store.accept("topology.CompleteTopologyEvent", text);
        assertEquals(Outcome.Kind.CHANGED, o.kind());
        // web-3 is in both clusterIdClusterMap and clusterMap; the service's copy decides, so one drop.
        assertEquals(1, o.dropped().total(), o.dropped().toString());
        Rejection r = o.dropped().sample().get(0);
        assertEquals(RejectReason.INVALID_IP, r.reason());
        assertTrue(r.detail().startsWith("service \"web\" cluster \"web.cluster-a\" member \"web-3\""), r.detail());
        Topology t = store.current();
        assertNull(t.member("web", "web.cluster-a", "web-3"));
        assertEquals(3, t.service("web").memberCount());
        assertNotNull(t.member("dns", "dns.cluster-a", "dns-1"));
        assertTrue(o.cause().contains("1 dropped"), o.cause());
        assertEquals(1L, store.status().rejectsByReason().get("INVALID_IP"));
    }

    @Test
    void completeTopologyWithBadStructureIsRefusedWhole() {
        TopologyStore store = initialized();
        Topology t = store.current();
        assertEquals(RejectReason.MISSING_FIELD, store.accept("topology.CompleteTopologyEvent",
                "{\"topology\":{\"clusterMap\":{}}}").reason());
        assertEquals(RejectReason.WRONG_TYPE, store.accept("topology.CompleteTopologyEvent",
                "{\"topology\":{\"serviceMap\":[]}}").reason());
        assertSame(t, store.current());
    }

    @Test
    void clusterMapAddsClustersMissingFromTheirService() {
        TopologyStore store = new TopologyStore();
        String body = write(obj("topology", obj(
                "serviceMap", obj("web", obj("serviceName", "web", "portMap",
                        obj("80", obj("protocol", "http", "value", 8080, "proxy", 80)), "clusterIdClusterMap", obj())),
                "clusterMap", obj("web.c1", obj("serviceName", "web", "clusterId", "web.c1", "memberMap",
                        obj("m1", obj("memberId", "m1", "memberStateManager", obj("stateStack", List.of("Created", "Active")),
                                "defaultPrivateIP", "10.0.0.1"))),
                        "other.c1", obj("serviceName", "other", "clusterId", "other.c1")),
                "initialized", false)));
        Outcome o = store.accept("topology.CompleteTopologyEvent", body);
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        Member m1 = o.topology().member("web", "web.c1", "m1");
        assertEquals(MemberStatus.Active, m1.status());
        assertEquals(Models.ports(new Port("http", 8080, 80)), m1.ports(), "service ports when the member has none");
        assertEquals(List.of(RejectReason.UNKNOWN_SERVICE), o.dropped().sample().stream().map(Rejection::reason).toList());
    }

    @Test
    void clusterEventsKeepTrackedMembersAndRemovalsAreIdempotent() {
        TopologyStore store = initialized();
        Topology t = store.current();
        // A re-delivered ClusterCreatedEvent with an empty memberMap must not wipe the members.
        String again = write(obj("cluster", obj("serviceName", "web", "clusterId", "web.cluster-a", "appId", "app-1",
                "isLbCluster", false, "memberMap", obj())));
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "ClusterCreatedEvent", again).kind());
        assertSame(t, store.current());
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "ClusterRemovedEvent",
                write(obj("serviceName", "web", "clusterId", "nope"))).kind());
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "ServiceRemovedEvent", write(obj("serviceName", "nope"))).kind());
        assertEquals(Outcome.Kind.UNCHANGED, send(store, "ApplicationClustersRemovedEvent",
                write(obj("clusterData", List.of(obj("serviceType", "x", "clusterId", "y")), "appId", "a"))).kind());
        // ServiceCreatedEvent for a known service updates its ports and keeps its clusters.
        Outcome sc = send(store, "ServiceCreatedEvent", write(obj("serviceName", "web", "serviceType", "SingleTenant",
                "portMap", obj("81", obj("protocol", "tcp", "value", 81, "proxy", 81)))));
        assertEquals(Outcome.Kind.CHANGED, sc.kind());
        assertEquals(Models.ports(new Port("tcp", 81, 81)), store.current().service("web").ports());
        assertEquals(4, store.current().service("web").memberCount());
    }

    @Test
    void membersCreatedWithoutPortsTakeTheServicePorts() {
        TopologyStore store = initialized();
        send(store, "ApplicationClustersCreatedEvent", write(obj("appId", "a1", "clusterList", List.of(
                obj("serviceName", "web", "clusterId", "web.c2", "appId", "a1", "memberMap",
                        obj("w1", obj("memberId", "w1", "memberStateManager", obj("stateStack", List.of("Created")))))))));
        Member w1 = store.current().member("web", "web.c2", "w1");
        assertEquals(SequenceConformanceTest.WEB_PORTS, w1.ports());
        send(store, "MemberCreatedEvent", member("w2", "clusterId", "web.c2"));
        assertEquals(SequenceConformanceTest.WEB_PORTS, store.current().member("web", "web.c2", "w2").ports());
    }

    @Test
    void concurrentWritersAndReaders() throws Exception {
        TopologyStore store = initialized();
        int threads = 4;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            all.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        send(store, "MemberCreatedEvent", member("t" + id + "-" + i));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        Thread reader = new Thread(() -> {
            try {
                start.await();
                int last = 0;
                while (last < 4 + threads * perThread) {
                    int n = store.current().service("web").memberCount();
                    if (n < last) {
                        throw new AssertionError("member count went backwards");
                    }
                    last = n;
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        all.forEach(Thread::start);
        reader.start();
        start.countDown();
        for (Thread t : all) {
            t.join();
        }
        reader.join(10_000);
        assertNull(failure.get());
        assertEquals(4 + threads * perThread, store.current().service("web").memberCount());
        assertEquals(1 + threads * perThread, store.status().eventsApplied());
    }
}
