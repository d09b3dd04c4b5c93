package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.stratoslvs.core.topology.TestJson.obj;
import static org.stratoslvs.core.topology.TestJson.write;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Seeded random streams of valid Stratos events (with immediate duplicates and ignored types mixed in) are applied
 * incrementally; the result must equal the model built from a complete topology of the same ground truth, and that
 * complete topology applied on top must find no drift. Failures name the seed, so they are reproducible.
 */
class RandomizedStreamTest {

    static final int STREAMS = 200;
    static final List<String> NETWORK_PARTITIONS = List.of("np-1", "np-2");

    // ------------------------------------------------------------------ ground truth

    static final class GtMember {
        String id;
        String np;
        String partition;
        MemberStatus status = MemberStatus.Created;
        List<MemberStatus> history = new ArrayList<>(List.of(MemberStatus.Created));
        TreeMap<Integer, int[]> ports; // proxy -> {value, protocolIndex}
        String privateIp;
        String publicIp;
        String lbIpType;
    }

    static final class GtCluster {
        String id;
        String appId;
        LinkedHashMap<String, GtMember> members = new LinkedHashMap<>();
    }

    static final class GtService {
        String name;
        TreeMap<Integer, int[]> ports;
        LinkedHashMap<String, GtCluster> clusters = new LinkedHashMap<>();
    }

    static final String[] PROTOCOLS = {"http", "https", "tcp", "udp"};

    final Map<String, GtService> services = new LinkedHashMap<>();
    Random rnd;
    int nextId;

    // ------------------------------------------------------------------ JSON as Stratos writes it

    static Map<String, Object> portMap(TreeMap<Integer, int[]> ports) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<Integer, int[]> e : ports.entrySet()) {
            m.put(String.valueOf(e.getKey()), obj("protocol", PROTOCOLS[e.getValue()[1]], "value", e.getValue()[0],
                    "proxy", e.getKey()));
        }
        return m;
    }

    Map<String, Object> memberJson(GtService s, GtCluster c, GtMember m) {
        List<String> stack = new ArrayList<>();
        for (MemberStatus st : m.history) {
            stack.add(st.name());
        }
        boolean ownPorts = !m.ports.equals(s.ports) || rnd.nextBoolean();
        return obj("serviceName", s.name, "clusterId", c.id, "memberId", m.id, "clusterInstanceId", "ci-1",
                "networkPartitionId", m.np, "partitionId", m.partition, "initTime", 1795824858340L,
                "portMap", ownPorts ? portMap(m.ports) : null,
                "memberPrivateIPs", m.privateIp == null ? null : List.of(m.privateIp),
                "defaultPrivateIP", m.privateIp,
                "memberPublicIPs", m.publicIp == null ? null : List.of(m.publicIp),
                "defaultPublicIP", m.publicIp,
                "memberStateManager", obj("stateStack", stack, "identifier", m.id),
                "loadBalancingIPType", m.lbIpType);
    }

    Map<String, Object> clusterJson(GtService s, GtCluster c) {
        Map<String, Object> members = new LinkedHashMap<>();
        for (GtMember m : c.members.values()) {
            members.put(m.id, memberJson(s, c, m));
        }
        return obj("serviceName", s.name, "clusterId", c.id, "autoscalePolicyName", "ap-1", "hostNames",
                List.of(s.name + ".example.com"), "isLbCluster", false, "isKubernetesCluster", false,
                "memberMap", members, "appId", c.appId, "instanceIdToInstanceContextMap", obj(), "loadBalancerIps",
                List.of());
    }

    String completeTopology(boolean withClusterMap) {
        Map<String, Object> serviceMap = new LinkedHashMap<>();
        Map<String, Object> clusterMap = new LinkedHashMap<>();
        for (GtService s : services.values()) {
            Map<String, Object> clusters = new LinkedHashMap<>();
            for (GtCluster c : s.clusters.values()) {
                clusters.put(c.id, clusterJson(s, c));
                clusterMap.put(c.id, clusterJson(s, c));
            }
            serviceMap.put(s.name, obj("serviceName", s.name, "serviceType", "SingleTenant",
                    "clusterIdClusterMap", clusters, "portMap", portMap(s.ports)));
        }
        return write(obj("topology", obj("clusterMap", withClusterMap ? clusterMap : null, "serviceMap", serviceMap,
                "initialized", false)));
    }

    // ------------------------------------------------------------------ random values

    String ip() {
        if (rnd.nextInt(5) == 0) {
            String v6 = String.format("2001:db8:%x::%x", rnd.nextInt(0xffff) + 1, rnd.nextInt(0xffff) + 1);
            return v6;
        }
        return "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254));
    }

    /** The address as a sender might spell it: IPv6 sometimes in upper case (the store keeps it canonical). */
    String spelled(String ip) {
        return ip.contains(":") && rnd.nextBoolean() ? ip.toUpperCase(Locale.ROOT) : ip;
    }

    TreeMap<Integer, int[]> randomPorts() {
        TreeMap<Integer, int[]> p = new TreeMap<>();
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            int proxy = 1 + rnd.nextInt(65535);
            p.put(proxy, new int[]{1 + rnd.nextInt(65535), rnd.nextInt(PROTOCOLS.length)});
        }
        return p;
    }

    String id(String prefix) {
        return prefix + "-" + (nextId++);
    }

    <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    GtService newService() {
        GtService s = new GtService();
        s.name = id("svc");
        s.ports = randomPorts();
        services.put(s.name, s);
        return s;
    }

    GtCluster newCluster(GtService s) {
        GtCluster c = new GtCluster();
        c.id = s.name + "." + id("c");
        c.appId = rnd.nextBoolean() ? "app-" + rnd.nextInt(3) : null;
        s.clusters.put(c.id, c);
        return c;
    }

    GtMember newMember(GtService s, GtCluster c) {
        GtMember m = new GtMember();
        m.id = id("m");
        m.np = pick(NETWORK_PARTITIONS);
        m.partition = "p-" + rnd.nextInt(2);
        m.ports = s.ports;
        m.lbIpType = rnd.nextInt(3) == 0 ? null : rnd.nextBoolean() ? "Private" : "Public";
        c.members.put(m.id, m);
        return m;
    }

    void moveTo(GtMember m, MemberStatus status) {
        m.status = status;
        m.history.add(status);
    }

    /** An initial ground truth with members in every state (as a complete topology shows them). */
    void randomInitialTruth() {
        int ns = 1 + rnd.nextInt(3);
        for (int i = 0; i < ns; i++) {
            GtService s = newService();
            int nc = rnd.nextInt(3);
            for (int j = 0; j < nc; j++) {
                GtCluster c = newCluster(s);
                int nm = rnd.nextInt(5);
                for (int k = 0; k < nm; k++) {
                    GtMember m = newMember(s, c);
                    MemberStatus[] path = {MemberStatus.Initialized, MemberStatus.Starting, MemberStatus.Active};
                    int steps = rnd.nextInt(4);
                    for (int x = 0; x < steps; x++) {
                        moveTo(m, path[x]);
                    }
                    if (steps >= 1) {
                        m.privateIp = ip();
                    }
                    if (steps == 3 && rnd.nextInt(3) == 0) {
                        moveTo(m, rnd.nextBoolean() ? MemberStatus.Suspended : MemberStatus.In_Maintenance);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ the stream

    record Event(String type, String body) {
    }

    /** One random valid event, applied to the ground truth; null when no event of the drawn kind fits now. */
    Event nextEvent() {
        List<GtService> svcs = new ArrayList<>(services.values());
        List<GtCluster[]> clusters = new ArrayList<>();
        List<Object[]> members = new ArrayList<>();
        for (GtService s : svcs) {
            for (GtCluster c : s.clusters.values()) {
                clusters.add(new GtCluster[]{c});
                for (GtMember m : c.members.values()) {
                    members.add(new Object[]{s, c, m});
                }
            }
        }
        int roll = rnd.nextInt(100);
        if (roll < 4 || svcs.isEmpty()) {
            GtService s = newService();
            return new Event("ServiceCreatedEvent", write(obj("serviceName", s.name, "serviceType", "SingleTenant",
                    "portMap", portMap(s.ports))));
        }
        if (roll < 10) {
            GtService s = pick(svcs);
            if (rnd.nextBoolean()) {
                GtCluster c = newCluster(s);
                return new Event("ClusterCreatedEvent", write(obj("cluster", clusterJson(s, c))));
            }
            List<Object> list = new ArrayList<>();
            int n = 1 + rnd.nextInt(2);
            for (int i = 0; i < n; i++) {
                GtService owner = pick(svcs);
                list.add(clusterJson(owner, newCluster(owner)));
            }
            return new Event("ApplicationClustersCreatedEvent", write(obj("clusterList", list, "appId", "app-x")));
        }
        if (roll < 13 && !clusters.isEmpty()) {
            GtService s = pick(svcs);
            if (s.clusters.isEmpty()) {
                return null;
            }
            GtCluster c = pick(new ArrayList<>(s.clusters.values()));
            s.clusters.remove(c.id);
            if (rnd.nextBoolean()) {
                return new Event("ClusterRemovedEvent", write(obj("serviceName", s.name, "clusterId", c.id,
                        "deploymentPolicy", "dp-1", "isLbCluster", false)));
            }
            return new Event("ApplicationClustersRemovedEvent", write(obj("clusterData", List.of(obj("serviceType",
                    s.name, "clusterId", c.id, "minInstances", 0, "maxInstances", 0)), "appId", "app-x")));
        }
        if (roll < 14) {
            GtService s = pick(svcs);
            services.remove(s.name);
            return new Event("ServiceRemovedEvent", write(obj("serviceName", s.name)));
        }
        if (roll < 30 && !clusters.isEmpty()) {
            GtService s = pick(svcs);
            if (s.clusters.isEmpty()) {
                return null;
            }
            GtCluster c = pick(new ArrayList<>(s.clusters.values()));
            GtMember m = newMember(s, c);
            return new Event("MemberCreatedEvent", write(obj("serviceName", s.name, "clusterId", c.id,
                    "clusterInstanceId", "ci-1", "networkPartitionId", m.np, "partitionId", m.partition,
                    "memberId", m.id, "loadBalancingIPType", m.lbIpType, "initTime", 1795824858635L)));
        }
        if (members.isEmpty()) {
            return null;
        }
        Object[] pickM = pick(members);
        GtService s = (GtService) pickM[0];
        GtCluster c = (GtCluster) pickM[1];
        GtMember m = (GtMember) pickM[2];
        Map<String, Object> base = obj("serviceName", s.name, "clusterId", c.id, "clusterInstanceId", "ci-1",
                "memberId", m.id, "networkPartitionId", m.np, "partitionId", m.partition);
        if (rnd.nextInt(12) == 0) {
            c.members.remove(m.id);
            return new Event("MemberTerminatedEvent", write(base));
        }
        switch (m.status) {
            case Created: {
                moveTo(m, MemberStatus.Initialized);
                m.privateIp = ip();
                m.publicIp = rnd.nextBoolean() ? ip() : null;
                base.put("instanceId", "i-" + m.id);
                putAddresses(base, m);
                return new Event("MemberInitializedEvent", write(base));
            }
            case Initialized:
                moveTo(m, MemberStatus.Starting);
                base.put("status", "Starting");
                return new Event("MemberStartedEvent", write(base));
            case Starting:
                return activate(base, m, s);
            case Active: {
                int r = rnd.nextInt(3);
                if (r == 0) {
                    moveTo(m, MemberStatus.Suspended);
                    return new Event("MemberSuspendedEvent", write(base));
                }
                if (r == 1) {
                    moveTo(m, MemberStatus.In_Maintenance);
                    base.put("status", "In_Maintenance");
                    return new Event("MemberMaintenanceModeEvent", write(base));
                }
                return activate(base, m, s); // re-activation, maybe with a new address
            }
            case Suspended:
                return activate(base, m, s);
            case In_Maintenance:
                moveTo(m, MemberStatus.ReadyToShutDown);
                return new Event("MemberReadyToShutdownEvent", write(base));
            default:
                c.members.remove(m.id);
                return new Event("MemberTerminatedEvent", write(base));
        }
    }

    Event activate(Map<String, Object> base, GtMember m, GtService s) {
        moveTo(m, MemberStatus.Active);
        if (rnd.nextInt(3) == 0 || m.privateIp == null) {
            m.privateIp = ip();
        }
        if (rnd.nextInt(4) == 0) {
            m.ports = randomPorts();
        } else if (rnd.nextBoolean()) {
            m.ports = s.ports;
        }
        base.put("portMap", portMap(m.ports));
        putAddresses(base, m);
        return new Event("MemberActivatedEvent", write(base));
    }

    void putAddresses(Map<String, Object> base, GtMember m) {
        base.put("memberPrivateIPs", List.of(spelled(m.privateIp)));
        if (rnd.nextInt(4) != 0) {
            base.put("defaultPrivateIP", spelled(m.privateIp)); // else the first of the list is used
        }
        if (m.publicIp != null) {
            base.put("memberPublicIPs", List.of(spelled(m.publicIp)));
            base.put("defaultPublicIP", spelled(m.publicIp));
        }
    }

    // ------------------------------------------------------------------ the test

    @Test
    void randomValidStreamsConvergeOnTheCompleteTopologyOfTheSameTruth() {
        long changes = 0;
        for (int stream = 0; stream < STREAMS; stream++) {
            long seed = 0x5eed0000L + stream;
            changes += runStream(seed);
        }
        // The streams do move the model (guards against a generator that silently produces nothing).
        assertNotEquals(0, changes);
    }

    long runStream(long seed) {
        services.clear();
        nextId = 0;
        rnd = new Random(seed);
        randomInitialTruth();
        TopologyStore store = new TopologyStore();
        Outcome first = store.accept("topology.CompleteTopologyEvent", completeTopology(rnd.nextBoolean()));
        assertEquals(Outcome.Kind.CHANGED, first.kind(), "seed " + seed + ": " + first);
        int length = 50 + rnd.nextInt(100);
        int midpoint = rnd.nextInt(length);
        long changes = 0;
        Event last = null;
        for (int i = 0; i < length; i++) {
            int roll = rnd.nextInt(20);
            if (roll == 0 && last != null) {
                Outcome dup = store.accept("topology." + last.type(), last.body());
                assertEquals(Outcome.Kind.UNCHANGED, dup.kind(), "seed " + seed + " duplicate " + last + ": " + dup);
                continue;
            }
            if (roll == 1) {
                Outcome ignored = store.accept("topology.ClusterInstanceActivatedEvent", "{\"clusterId\":\"x\"}");
                assertEquals(Outcome.Kind.IGNORED, ignored.kind());
                continue;
            }
            Event e = nextEvent();
            if (e == null) {
                continue;
            }
            Outcome o = store.accept("topology." + e.type(), e.body());
            assertNotEquals(Outcome.Kind.REJECTED, o.kind(), "seed " + seed + " event " + i + " " + e + ": " + o);
            if (o.changed()) {
                changes++;
            }
            last = e;
            if (i == midpoint) {
                assertConverged(seed, store);
            }
        }
        assertConverged(seed, store);
        assertEquals(0, store.status().rejectsTotal(), "seed " + seed);
        return changes;
    }

    void assertConverged(long seed, TopologyStore store) {
        String complete = completeTopology(rnd.nextBoolean());
        TopologyStore fresh = new TopologyStore();
        Topology expected = fresh.accept("topology.CompleteTopologyEvent", complete).topology();
        assertEquals(expected, store.current(), "seed " + seed);
        // And the same complete topology finds nothing to repair in the incremental model.
        Topology before = store.current();
        long drift = store.status().driftRepairs();
        Outcome o = store.accept("topology.CompleteTopologyEvent", complete);
        assertEquals(Outcome.Kind.UNCHANGED, o.kind(), "seed " + seed + ": " + o.cause());
        assertSame(before, store.current());
        assertEquals(drift, store.status().driftRepairs(), "seed " + seed);
    }
}
