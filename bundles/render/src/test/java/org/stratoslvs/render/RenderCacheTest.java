package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.IpType;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.RejectedException;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyEvent;
import org.stratoslvs.core.topology.TopologyTransitions;
import org.stratoslvs.core.topology.TopologyFilter;

/**
 * Rendering with a {@link RenderCache} must give exactly what a full rendering gives, after any sequence of
 * changes, and must actually reuse the services that did not change. Changes are applied with the core's own
 * {@link TopologyEvents#apply} (what the topology store does with each message), so the snapshots share
 * structure as they do in production, and pass through a {@link TopologyFilter} as the listener's views do.
 * Seeded and reproducible: {@code -Dcache.seed=N -Dcache.seeds=N -Dcache.steps=N}.
 */
@ExtendWith(Rendered.class)
class RenderCacheTest {

    private static final String[] SERVICES = {"web", "api", "dns", "php", "cache"};
    private static final int[] PROXIES = {80, 443, 53, 8080};
    private static final String[] PROTOCOLS = {"http", "https", "tcp", "udp"};
    private static final MemberStatus[] MOVES = {MemberStatus.Initialized, MemberStatus.Starting,
            MemberStatus.Active, MemberStatus.Active, MemberStatus.Active, MemberStatus.Suspended,
            MemberStatus.In_Maintenance, MemberStatus.ReadyToShutDown, MemberStatus.Terminated};

    /**
     * Settings the sequences switch between. web, api and cache share a VIP in the first two (and dns and web
     * in the third), so the same VIP:port is claimed by several services and the owner changes as services come
     * and go.
     */
    private static final List<Map<String, ?>> SETTINGS = List.of(
            Map.of(RenderSettings.VIRTUALIP_SET,
                    "web|192.168.56.40,api|192.168.56.40,dns|192.168.56.41,php|fd00:56::40,cache|192.168.56.40"),
            Map.of(RenderSettings.VIRTUALIP_SET,
                    "web|192.168.56.40,api|192.168.56.40,dns|192.168.56.41,php|fd00:56::40,cache|192.168.56.40",
                    RenderSettings.LB_KIND, "NAT", RenderSettings.CHECK, "HTTP_GET", RenderSettings.QUORUM, "2",
                    RenderSettings.MEMBER_IP_TYPE, "public"),
            Map.of(RenderSettings.VIRTUALIP_SET,
                    "web|192.168.56.40,api|192.168.56.41,dns|192.168.56.40,php|192.168.56.42",
                    RenderSettings.VRRP_GROUPING, "per-service", RenderSettings.PERSISTENCE_TIMEOUT, "300",
                    RenderSettings.PERSISTENCE_GRANULARITY, "24"),
            Map.of(RenderSettings.VIRTUALIP_SET, "cache|fd00:56::41,web|fd00:56::41,api|192.168.56.40",
                    RenderSettings.VRRP_AUTH_TYPE, "PASS", RenderSettings.VRRP_AUTH_PASS, "pw-1",
                    RenderSettings.SORRY_SERVER, "10.30.0.9 8080"));

    /** A per-service configuration for api, used with some of the settings above. */
    private static final List<Map<String, ?>> API_OVERRIDE = List.of(Map.of(RenderSettings.SERVICE_KEY, "api",
            RenderSettings.LB_KIND, "TUN", RenderSettings.WEIGHT, "5", RenderSettings.CHECK, "NONE"));

    // ------------------------------------------------------------------ randomized equivalence

    @Test
    void cachedRenderEqualsFullRenderAfterEveryRandomChange() {
        long first = Long.getLong("cache.seed", 1L);
        int seeds = Integer.getInteger("cache.seeds", 200);
        int steps = Integer.getInteger("cache.steps", 50);
        long reusedTotal = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            Random rnd = new Random(seed);
            Sequence seq = new Sequence(rnd);
            RenderCache cache = new RenderCache();
            TopologyFilter filter = filter(rnd);
            RenderSettings.Parsed parsed = settings(rnd);
            Topology previousView = null;
            RenderSettings previousSettings = null;
            RenderResult cached = null;
            for (int step = 0; step <= steps; step++) {
                String label = "seed " + seed + " step " + step;
                if (step > 0) {
                    if (rnd.nextInt(20) == 0) {
                        parsed = settings(rnd); // a new instance, sometimes of the same configuration
                        label += " (new settings)";
                    } else {
                        label += " (" + seq.change() + ")";
                    }
                }
                Topology view = filter.filter(seq.topology);
                RenderResult full = KeepalivedRenderer.render(view, parsed);
                cached = KeepalivedRenderer.render(view, parsed, cache);
                assertEquals(full.text(), cached.text(), label);
                assertEquals(full.warnings(), cached.warnings(), label);
                assertEquals(full.errors(), cached.errors(), label);
                assertEquals(full.services(), cached.services(), label);
                assertEquals(full.virtualServers(), cached.virtualServers(), label);
                assertEquals(full.realServers(), cached.realServers(), label);

                // Exactly the mapped services whose object changed were rendered again; all of them when the
                // settings object changed.
                int present = 0;
                int changed = 0;
                for (String name : parsed.settings().virtualIps().keySet()) {
                    Service now = view.service(name);
                    if (now != null) {
                        present++;
                        boolean same = previousView != null && previousView.service(name) == now
                                && previousSettings == parsed.settings();
                        changed += same ? 0 : 1;
                    }
                }
                assertEquals(changed, cache.lastRenderedServices(), label);
                assertEquals(present - changed, cache.lastReusedServices(), label);
                assertEquals(present, cache.size(), label + ": only the latest rendering's services are kept");
                reusedTotal += cache.lastReusedServices();
                previousView = view;
                previousSettings = parsed.settings();
            }
            Rendered.checkAfterTest(cached.text());
        }
        assertTrue(reusedTotal > seeds * steps, "the sequences hardly ever reused a service: " + reusedTotal);
    }

    /** The listener's filters: none most of the time, else one that leaves clusters or members out. */
    private static TopologyFilter filter(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0:
                return TopologyFilter.parse(null, null, "np1");
            case 1:
                return TopologyFilter.parse(null, "web.c0,api.c0,api.c1,dns.c1,php.c0,cache.c1", null);
            case 2:
                return TopologyFilter.parse("web,api,dns", null, null);
            default:
                return TopologyFilter.NONE;
        }
    }

    private static RenderSettings.Parsed settings(Random rnd) {
        return RenderSettings.parse(SETTINGS.get(rnd.nextInt(SETTINGS.size())),
                rnd.nextBoolean() ? API_OVERRIDE : List.of());
    }

    /** A topology and the changes applied to it, as the topology store applies events. */
    private static final class Sequence {
        private final Random rnd;
        private int created;
        Topology topology;

        Sequence(Random rnd) {
            this.rnd = rnd;
            this.topology = randomTopology(rnd.nextInt(10) != 0);
        }

        /** Applies one random change; returns what it was, for failure messages. */
        String change() {
            TopologyEvent event = event();
            if (event == null) {
                return "no change";
            }
            try {
                topology = TopologyTransitions.apply(topology, event);
                return event.summary();
            } catch (RejectedException e) {
                return event.summary() + " rejected: " + e.reason();
            }
        }

        private TopologyEvent event() {
            int kind = rnd.nextInt(20);
            if (kind < 10) {
                Member m = anyMember();
                if (m == null) {
                    return null;
                }
                MemberStatus status = MOVES[rnd.nextInt(MOVES.length)];
                // now and then an event that also carries a new address
                String ip = rnd.nextInt(5) == 0 ? address() : null;
                return new TopologyEvent.MemberChange(type(status), status, m.serviceName(), m.clusterId(),
                        m.memberId(), null, null, null, ip, null, null);
            }
            if (kind < 13) {
                Cluster c = anyCluster();
                if (c == null) {
                    return null;
                }
                String id = c.serviceName() + "-n" + created++;
                return new TopologyEvent.MemberChange("MemberCreatedEvent", MemberStatus.Created, c.serviceName(),
                        c.clusterId(), id, rnd.nextBoolean() ? "np1" : "np2", "p1",
                        rnd.nextInt(4) == 0 ? ports() : null, address(), address(), lbType());
            }
            if (kind == 13) {
                // a new service, or new ports for a known one
                String name = pick(SERVICES);
                return new TopologyEvent.ServiceCreated(new Service(name, "SingleTenant", ports(), null));
            }
            if (kind == 14) {
                return new TopologyEvent.ServiceRemoved(pick(SERVICES));
            }
            if (kind == 15) {
                String name = pick(SERVICES);
                String cid = name + ".c" + rnd.nextInt(3);
                // members without ports take the service's when the cluster is applied
                return new TopologyEvent.ClustersCreated("ClusterCreatedEvent", "app",
                        List.of(cluster(name, cid, new TreeMap<>(), rnd.nextInt(4))));
            }
            if (kind == 16) {
                Cluster c = anyCluster();
                return c == null ? null : new TopologyEvent.ClustersRemoved("ClusterRemovedEvent", "app",
                        List.of(new TopologyEvent.ClusterRef(c.serviceName(), c.clusterId())));
            }
            if (kind == 17) {
                // a complete topology (resync): every object is new
                return new TopologyEvent.Complete(randomTopology(true), List.of());
            }
            return null; // the same snapshot rendered again
        }

        private Topology randomTopology(boolean initialized) {
            SortedMap<String, Service> services = new TreeMap<>();
            for (String name : SERVICES) {
                if (rnd.nextInt(4) == 0) {
                    continue;
                }
                SortedMap<Integer, Port> ports = ports();
                SortedMap<String, Cluster> clusters = new TreeMap<>();
                for (int c = rnd.nextInt(3); c > 0; c--) {
                    Cluster cluster = cluster(name, name + ".c" + rnd.nextInt(3), ports, rnd.nextInt(7));
                    clusters.put(cluster.clusterId(), cluster);
                }
                services.put(name, new Service(name, "SingleTenant", ports, clusters));
            }
            return new Topology(services, initialized);
        }

        private Cluster cluster(String service, String id, SortedMap<Integer, Port> servicePorts, int members) {
            List<Member> list = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                MemberStatus status = rnd.nextBoolean() ? MemberStatus.Active
                        : MemberStatus.values()[rnd.nextInt(MemberStatus.values().length - 1)];
                // members with their own ports (some differing from the service's), or the service's
                SortedMap<Integer, Port> memberPorts = rnd.nextInt(4) == 0 ? ports() : servicePorts;
                list.add(new Member(service + "-" + created++, service, id, rnd.nextBoolean() ? "np1" : "np2",
                        "p1", status, memberPorts, address(), address(), lbType()));
            }
            return Topologies.cluster(service, id, list.toArray(new Member[0]));
        }

        private SortedMap<Integer, Port> ports() {
            List<Port> ports = new ArrayList<>();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                int proxy = PROXIES[rnd.nextInt(PROXIES.length)];
                ports.add(new Port(pick(PROTOCOLS), rnd.nextBoolean() ? proxy : proxy + 8000, proxy));
            }
            return Topologies.ports(ports.toArray(new Port[0]));
        }

        /** Mostly a few IPv4 addresses (so members collide), sometimes IPv6, none or a non-canonical one. */
        private String address() {
            switch (rnd.nextInt(10)) {
                case 0:
                    return null;
                case 1:
                    return "fd00:10::" + Integer.toHexString(1 + rnd.nextInt(8));
                case 2:
                    return "fd00:10:0::1";
                default:
                    return "10.10.0." + (1 + rnd.nextInt(30));
            }
        }

        private IpType lbType() {
            return rnd.nextInt(3) == 0 ? null : IpType.values()[rnd.nextInt(IpType.values().length)];
        }

        private Member anyMember() {
            Cluster c = anyCluster();
            if (c == null || c.members().isEmpty()) {
                return null;
            }
            return new ArrayList<>(c.members().values()).get(rnd.nextInt(c.members().size()));
        }

        private Cluster anyCluster() {
            List<Cluster> all = new ArrayList<>();
            for (Service s : topology.services().values()) {
                all.addAll(s.clusters().values());
            }
            return all.isEmpty() ? null : all.get(rnd.nextInt(all.size()));
        }

        private <T> T pick(T[] items) {
            return items[rnd.nextInt(items.length)];
        }

        private static String type(MemberStatus status) {
            switch (status) {
                case Initialized:
                    return "MemberInitializedEvent";
                case Starting:
                    return "MemberStartedEvent";
                case Active:
                    return "MemberActivatedEvent";
                case Suspended:
                    return "MemberSuspendedEvent";
                case In_Maintenance:
                    return "MemberMaintenanceModeEvent";
                case ReadyToShutDown:
                    return "MemberReadyToShutdownEvent";
                default:
                    return "MemberTerminatedEvent";
            }
        }
    }

    // ------------------------------------------------------------------ the cache is used

    private static final int SERVICE_COUNT = 100;
    private static final RenderSettings.Parsed SCALE_SETTINGS = RenderSettings.parse(
            Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(SERVICE_COUNT), RenderSettings.LB_KIND, "NAT"),
            List.of());

    private static TopologyEvent.MemberChange suspend(int service, int member) {
        String name = String.format("svc%04d", service);
        return new TopologyEvent.MemberChange("MemberSuspendedEvent", MemberStatus.Suspended, name, name + ".c1",
                name + "-m" + member, null, null, null, null, null, null);
    }

    @Test
    void oneMemberChangeRendersOnlyItsService() {
        RenderCache cache = new RenderCache();
        Topology t0 = Scale.topology(SERVICE_COUNT, 10, 2);
        RenderResult first = KeepalivedRenderer.render(t0, SCALE_SETTINGS, cache);
        assertEquals(SERVICE_COUNT, cache.lastRenderedServices());
        assertEquals(0, cache.lastReusedServices());
        assertEquals(KeepalivedRenderer.render(t0, SCALE_SETTINGS), first);

        Topology t1 = TopologyTransitions.apply(t0, suspend(42, 3));
        RenderResult second = KeepalivedRenderer.render(t1, SCALE_SETTINGS, cache);
        assertEquals(1, cache.lastRenderedServices());
        assertEquals(SERVICE_COUNT - 1, cache.lastReusedServices());
        assertEquals(KeepalivedRenderer.render(t1, SCALE_SETTINGS), second);
        assertEquals(first.realServers() - 2, second.realServers());
        Rendered.checkAfterTest(second.text());

        KeepalivedRenderer.render(t1, SCALE_SETTINGS, cache);
        assertEquals(0, cache.lastRenderedServices(), "the same snapshot again renders nothing");
    }

    @Test
    void vanishedServicesAreDroppedAndNewSettingsDropEverything() {
        RenderCache cache = new RenderCache();
        Topology t0 = Scale.topology(SERVICE_COUNT, 10, 2);
        KeepalivedRenderer.render(t0, SCALE_SETTINGS, cache);
        assertEquals(SERVICE_COUNT, cache.size());

        Topology t1 = TopologyTransitions.apply(t0, new TopologyEvent.ServiceRemoved("svc0007"));
        RenderResult r = KeepalivedRenderer.render(t1, SCALE_SETTINGS, cache);
        assertEquals(0, cache.lastRenderedServices());
        assertEquals(SERVICE_COUNT - 1, cache.size());
        assertEquals(KeepalivedRenderer.render(t1, SCALE_SETTINGS), r);

        // An equal configuration parsed again is another object: nothing kept is trusted.
        RenderSettings.Parsed again = RenderSettings.parse(Map.of(RenderSettings.VIRTUALIP_SET,
                Scale.mapping(SERVICE_COUNT), RenderSettings.LB_KIND, "NAT"), List.of());
        assertNotSame(SCALE_SETTINGS.settings(), again.settings());
        assertEquals(KeepalivedRenderer.render(t1, again), KeepalivedRenderer.render(t1, again, cache));
        assertEquals(SERVICE_COUNT - 1, cache.lastRenderedServices());
        assertEquals(0, cache.lastReusedServices());
    }

    /**
     * The listener hands the renderer filtered views: with filters that leave clusters and members out, an
     * unchanged service must still be the same object in the next view, or the cache would never hit.
     */
    @Test
    void filteredViewsKeepUnchangedServicesCached() {
        Topology t0 = Scale.topology(SERVICE_COUNT, 10, 2);
        // a second cluster per service in another partition, so that both filters leave something out
        for (int s = 0; s < SERVICE_COUNT; s++) {
            String name = String.format("svc%04d", s);
            t0 = TopologyTransitions.apply(t0, new TopologyEvent.ClustersCreated("ClusterCreatedEvent", "app",
                    List.of(Topologies.cluster(name, name + ".c2", new Member(name + "-x", name, name + ".c2",
                            "np2", "p1", MemberStatus.Active, null, "10.200." + (s / 250) + "." + (s % 250 + 1),
                            null, null)))));
        }
        Set<String> c1 = new HashSet<>();
        for (int s = 0; s < SERVICE_COUNT; s++) {
            c1.add(String.format("svc%04d.c1", s));
        }
        for (TopologyFilter filter : List.of(new TopologyFilter(Set.of(), Set.of(), Set.of("np1")),
                new TopologyFilter(Set.of(), c1, Set.of()))) {
            RenderCache cache = new RenderCache();
            Topology v0 = filter.filter(t0);
            KeepalivedRenderer.render(v0, SCALE_SETTINGS, cache);
            Topology v1 = filter.filter(TopologyTransitions.apply(t0, suspend(42, 3)));
            assertSame(v0.service("svc0041"), v1.service("svc0041"), filter.toString());
            RenderResult r = KeepalivedRenderer.render(v1, SCALE_SETTINGS, cache);
            assertEquals(1, cache.lastRenderedServices(), filter.toString());
            assertEquals(KeepalivedRenderer.render(v1, SCALE_SETTINGS), r, filter.toString());
        }
    }
}
