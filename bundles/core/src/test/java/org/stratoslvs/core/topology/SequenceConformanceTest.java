package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stratoslvs.core.topology.MemberStatus.Active;
import static org.stratoslvs.core.topology.MemberStatus.Created;
import static org.stratoslvs.core.topology.MemberStatus.In_Maintenance;
import static org.stratoslvs.core.topology.MemberStatus.Initialized;
import static org.stratoslvs.core.topology.MemberStatus.ReadyToShutDown;
import static org.stratoslvs.core.topology.MemberStatus.Starting;
import static org.stratoslvs.core.topology.MemberStatus.Suspended;
import static org.stratoslvs.core.topology.Models.cluster;
import static org.stratoslvs.core.topology.Models.ports;
import static org.stratoslvs.core.topology.Models.service;
import static org.stratoslvs.core.topology.Models.topology;

import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Applies the real Stratos 4.1.5 sequence-1 in order and checks the exact model at key steps. */
class SequenceConformanceTest {

    static final TreeMap<Integer, Port> WEB_PORTS = ports(new Port("http", 8080, 80), new Port("https", 8443, 443));
    static final TreeMap<Integer, Port> DNS_PORTS = ports(new Port("udp", 5353, 53));
    static final TreeMap<Integer, Port> API_PORTS = ports(new Port("http", 9000, 9000));
    static final TreeMap<Integer, Port> CACHE_PORTS = ports(new Port("tcp", 11211, 11211));

    static Member web(String id, String np, MemberStatus status, String ip) {
        return new Member(id, "web", "web.cluster-a", np, "partition-1", status, WEB_PORTS, ip, null, IpType.PRIVATE);
    }

    static Member api1(MemberStatus status, String ip) {
        return new Member("api-1", "api", "api.cluster-a", "network-partition-1", "partition-1", status, API_PORTS,
                ip, null, IpType.PRIVATE);
    }

    static final Member DNS_1 = new Member("dns-1", "dns", "dns.cluster-a", "network-partition-1", "partition-1",
            Active, DNS_PORTS, "10.10.1.11", null, IpType.PRIVATE);

    static final Service DNS = service("dns", DNS_PORTS, cluster("dns", "dns.cluster-a", "app-1", DNS_1));

    static Topology initial() {
        return topology(
                service("api", API_PORTS),
                DNS,
                service("web", WEB_PORTS, cluster("web", "web.cluster-a", "app-1",
                        web("web-1", "network-partition-1", Active, "10.10.0.11"),
                        web("web-2", "network-partition-2", Active, "10.10.0.12"),
                        web("web-3", "network-partition-1", Starting, "10.10.0.13"),
                        // state stack ends ... Terminated, Suspended: the last entry wins
                        web("web-4", "network-partition-1", Suspended, "10.10.0.14"))));
    }

    @Test
    void completeTopologyOfSequence1() {
        List<Fixtures.Message> seq = Fixtures.sequence1();
        TopologyStore store = new TopologyStore();
        Outcome o = store.accept(seq.get(0).topic(), seq.get(0).body());
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        assertEquals(initial(), o.topology());
        assertTrue(o.topology().initialized(), "initialized although the wire says \"initialized\":false");
        assertSame(o.topology(), store.current());
        assertEquals("CompleteTopologyEvent 3 services, 2 clusters, 5 members", o.cause());
        assertEquals(3, o.topology().activeMemberCount());
    }

    @Test
    void wholeSequence1InOrder() {
        List<Fixtures.Message> seq = Fixtures.sequence1();
        TopologyStore store = new TopologyStore();
        Topology[] after = new Topology[seq.size() + 1];
        for (int i = 0; i < seq.size(); i++) {
            Fixtures.Message m = seq.get(i);
            Outcome o = store.accept(m.topic(), m.body());
            assertEquals(Outcome.Kind.CHANGED, o.kind(), m.file() + ": " + o);
            assertSame(o.topology(), store.current());
            after[i + 1] = o.topology();
        }
        // 0002 ServiceCreatedEvent, 0003 ClusterCreatedEvent, 0004 ApplicationClustersCreatedEvent
        Service cache = service("cache", CACHE_PORTS);
        assertEquals(initial().withService(cache), after[2]);
        Cluster cacheCluster = cluster("cache", "cache.cluster-a", "app-1");
        assertEquals(initial().withService(service("cache", CACHE_PORTS, cacheCluster)), after[3]);
        Service apiWithCluster = service("api", API_PORTS, cluster("api", "api.cluster-a", "shop"));
        Topology step4 = initial().withService(service("cache", CACHE_PORTS, cacheCluster)).withService(apiWithCluster);
        assertEquals(step4, after[4]);

        // 0005-0008: web-5 walks Created → Initialized → Starting → Active; ports come from the service first
        assertEquals(step4.withMember(web("web-5", "network-partition-1", Created, null)), after[5]);
        assertEquals(step4.withMember(web("web-5", "network-partition-1", Initialized, "10.10.0.15")), after[6]);
        assertEquals(step4.withMember(web("web-5", "network-partition-1", Starting, "10.10.0.15")), after[7]);
        Topology step8 = step4.withMember(web("web-5", "network-partition-1", Active, "10.10.0.15"));
        assertEquals(step8, after[8]);

        // 0009-0012: api-1 in the application's cluster
        assertEquals(step8.withMember(api1(Created, null)).withMember(api1(Created, null)), after[9]);
        Topology step12 = step8.withMember(api1(Active, "10.10.2.11"));
        assertEquals(step12, after[12]);

        // 0013-0014: suspend and re-activate web-1
        assertEquals(Suspended, after[13].member("web", "web.cluster-a", "web-1").status());
        assertEquals(step12, after[14], "re-activation restores the exact member");

        // 0015-0017: web-2 maintenance → ready to shut down → terminated (removed)
        assertEquals(step12.withMember(web("web-2", "network-partition-2", In_Maintenance, "10.10.0.12")), after[15]);
        assertEquals(step12.withMember(web("web-2", "network-partition-2", ReadyToShutDown, "10.10.0.12")), after[16]);
        Topology step17 = step12.withoutMember("web", "web.cluster-a", "web-2");
        assertEquals(step17, after[17]);
        assertNull(after[17].member("web", "web.cluster-a", "web-2"));

        // 0018-0020: the application's clusters, the cache cluster and the cache service go
        assertEquals(step17.withService(service("api", API_PORTS)), after[18]);
        assertEquals(service("cache", CACHE_PORTS), after[19].service("cache"));
        Topology expectedFinal = topology(
                service("api", API_PORTS),
                DNS,
                service("web", WEB_PORTS, cluster("web", "web.cluster-a", "app-1",
                        web("web-1", "network-partition-1", Active, "10.10.0.11"),
                        web("web-3", "network-partition-1", Starting, "10.10.0.13"),
                        web("web-4", "network-partition-1", Suspended, "10.10.0.14"),
                        web("web-5", "network-partition-1", Active, "10.10.0.15"))));
        assertEquals(expectedFinal, after[20]);
        assertEquals(expectedFinal, store.current());

        var status = store.status();
        assertEquals(20, status.eventsApplied());
        assertEquals(0, status.rejectsTotal());
        assertEquals(1, status.completeTopologies());
        assertEquals(0, status.driftRepairs());
    }

    @Test
    void causesNameTheEventAndTheObject() {
        List<Fixtures.Message> seq = Fixtures.sequence1();
        TopologyStore store = new TopologyStore();
        String[] causes = new String[seq.size()];
        for (int i = 0; i < seq.size(); i++) {
            causes[i] = store.accept(seq.get(i).topic(), seq.get(i).body()).cause();
        }
        assertEquals("ServiceCreatedEvent cache", causes[1]);
        assertEquals("ClusterCreatedEvent cache.cluster-a", causes[2]);
        assertEquals("ApplicationClustersCreatedEvent api.cluster-a", causes[3]);
        assertEquals("MemberActivatedEvent web-5", causes[7]);
        assertEquals("MemberTerminatedEvent web-2", causes[16]);
        assertEquals("ApplicationClustersRemovedEvent api.cluster-a", causes[17]);
        assertEquals("ServiceRemovedEvent cache", causes[19]);
    }

    @Test
    void replayingTheWholeSequenceTwiceChangesNothingTheSecondTime() {
        List<Fixtures.Message> seq = Fixtures.sequence1();
        TopologyStore store = new TopologyStore();
        for (Fixtures.Message m : seq) {
            store.accept(m.topic(), m.body());
        }
        Topology end = store.current();
        // Each message delivered a second time, right after the first, is a no-op.
        TopologyStore dup = new TopologyStore();
        for (Fixtures.Message m : seq) {
            dup.accept(m.topic(), m.body());
            Outcome again = dup.accept(m.topic(), m.body());
            assertEquals(Outcome.Kind.UNCHANGED, again.kind(), m.file() + ": " + again);
        }
        assertEquals(end, dup.current());
    }

    @Test
    void agentTestsCompleteTopologyOlderShape() {
        TopologyStore store = new TopologyStore();
        Outcome o = store.accept("topology.CompleteTopologyEvent", Fixtures.bytes(Fixtures.AGENT_COMPLETE));
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        String memberId = "php1.tomcat.domain6d4d09ee-2ec8-4c00-962d-3449305a4dfa";
        TreeMap<Integer, Port> ports = ports(new Port("http", 22, 8280));
        Member m = new Member(memberId, "tomcat", "php1.tomcat.domain", "openstack_R1", "P1", Initialized, ports,
                "10.0.0.59", "192.168.17.200", null);
        assertEquals(topology(service("tomcat", ports,
                cluster("tomcat", "php1.tomcat.domain", "single-cartridge-app", m))), o.topology());
        assertEquals("192.168.17.200", m.addressFor(IpType.PUBLIC));
        assertEquals("10.0.0.59", m.addressFor(IpType.PRIVATE));
    }

    @Test
    void mqttTopicAndTextBodyWorkToo() {
        TopologyStore store = new TopologyStore();
        Outcome o = store.accept("topology/CompleteTopologyEvent", Fixtures.text(Fixtures.SEQUENCE_1
                + Fixtures.SEQUENCE_1_FILES[0]));
        assertEquals(initial(), o.topology());
    }
}
