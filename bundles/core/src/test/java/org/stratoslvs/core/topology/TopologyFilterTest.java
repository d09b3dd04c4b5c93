package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.stratoslvs.core.validate.InvalidValueException;

class TopologyFilterTest {

    static Topology initial() {
        return SequenceConformanceTest.initial();
    }

    @Test
    void emptyFilterIsTheIdentity() {
        Topology t = initial();
        assertSame(t, TopologyFilter.NONE.filter(t));
        assertSame(t, TopologyFilter.parse(null, " ", ",,").filter(t));
        assertTrue(TopologyFilter.parse("", "", "").isEmpty());
    }

    @Test
    void parsesCommaSeparatedListsStrictly() {
        TopologyFilter f = TopologyFilter.parse(" web , dns,", "web.cluster-a", "network-partition-1");
        assertEquals(Set.of("web", "dns"), f.services());
        assertEquals(Set.of("web.cluster-a"), f.clusterIds());
        assertEquals(Set.of("network-partition-1"), f.networkPartitions());
        assertThrows(InvalidValueException.class, () -> TopologyFilter.parse("web,bad name", null, null));
        assertThrows(InvalidValueException.class, () -> TopologyFilter.parse(null, null, "np\n1"));
    }

    @Test
    void filtersByServiceName() {
        Topology t = TopologyFilter.parse("web,ghost", null, null).filter(initial());
        assertEquals(List.of("web"), List.copyOf(t.services().keySet()));
        assertEquals(4, t.service("web").cluster("web.cluster-a").members().size());
        assertEquals(initial().service("web"), t.service("web"));
        assertTrue(t.initialized());
    }

    @Test
    void filtersByClusterIdKeepingTheServices() {
        Topology t = TopologyFilter.parse(null, "dns.cluster-a", null).filter(initial());
        assertEquals(List.of("api", "dns", "web"), List.copyOf(t.services().keySet()));
        assertTrue(t.service("web").clusters().isEmpty());
        assertEquals(1, t.service("dns").memberCount());
    }

    @Test
    void filtersMembersByNetworkPartition() {
        TopologyFilter f = TopologyFilter.parse(null, null, "network-partition-2");
        Topology t = f.filter(initial());
        assertEquals(List.of("web-2"), List.copyOf(t.service("web").cluster("web.cluster-a").members().keySet()));
        assertTrue(t.service("dns").cluster("dns.cluster-a").members().isEmpty());
        // A member without a partition is not in any listed partition.
        Topology withAnonymous = initial().withMember(new Member("anon", "web", "web.cluster-a", null, null,
                MemberStatus.Active, null, "10.1.1.1", null, null));
        assertEquals(1, f.filter(withAnonymous).service("web").memberCount());
    }

    @Test
    void filterIsAViewSoChangingItNeedsNoResync() {
        TopologyStore store = TopologyStoreTest.initialized();
        Topology full = store.current();
        assertEquals(1, TopologyFilter.parse(null, null, "network-partition-2").filter(full).memberCount());
        assertEquals(4, TopologyFilter.parse(null, null, "network-partition-1").filter(full).memberCount());
        assertEquals(5, TopologyFilter.parse(null, null, "network-partition-1,network-partition-2")
                .filter(full).memberCount());
        assertSame(full, store.current(), "the stored model is untouched");
    }

    @Test
    void unchangedClustersAreNotFilteredAgain() {
        TopologyFilter f = TopologyFilter.parse(null, null, "network-partition-1");
        Topology t1 = initial();
        Topology v1 = f.filter(t1);
        // A change in web leaves dns's cluster object shared; its filtered view is reused as is.
        Topology t2 = t1.withoutMember("web", "web.cluster-a", "web-3");
        Topology v2 = f.filter(t2);
        assertSame(v1.service("dns").cluster("dns.cluster-a"), v2.service("dns").cluster("dns.cluster-a"));
        assertNotSame(v1.service("web"), v2.service("web"));
        assertEquals(2, v2.service("web").memberCount());
    }

    /**
     * The renderer reuses a service's text while the service object stays the same, so a filter that leaves
     * something out of a service must still hand out the same filtered object while the service is unchanged.
     */
    @Test
    void unchangedServicesStayTheSameObjectsWhenTheFilterLeavesPartsOut() {
        for (TopologyFilter f : List.of(TopologyFilter.parse(null, "dns.cluster-a", null),
                TopologyFilter.parse(null, null, "network-partition-2"))) {
            Topology t1 = initial();
            Topology v1 = f.filter(t1);
            Topology t2 = t1.withMember(t1.member("web", "web.cluster-a", "web-3").withStatus(MemberStatus.Active));
            Topology v2 = f.filter(t2);
            assertSame(v1.service("dns"), v2.service("dns"), f.toString());
            assertSame(v1.service("api"), v2.service("api"), f.toString());
            // the changed service is filtered again; the others stay the same after that too
            assertNotSame(v1.service("web"), v2.service("web"), f.toString());
            Topology t3 = t2.withoutMember("dns", "dns.cluster-a", "dns-1");
            Topology v3 = f.filter(t3);
            assertSame(v2.service("web"), v3.service("web"), f.toString());
            assertEquals(v3, new TopologyFilter(f.services(), f.clusterIds(), f.networkPartitions()).filter(t3),
                    "a memoized view equals a fresh one");
        }
    }
}
