package org.stratoslvs.core.topology;

import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.stratoslvs.core.validate.Identifiers;

/**
 * The operator's filters, as Stratos' LB extensions had them: service names, cluster ids and network partition
 * ids. Applied as a view over the stored full model, so changing a filter needs no resync. An empty set means
 * "no filter on this level"; a member without a network partition id is dropped while a partition filter is set.
 *
 * <p>Filtering keeps untouched parts of the model as the very same objects. Where a filter does change a
 * service (a cluster or members left out), the filtered service is memoized by the identity of the unfiltered
 * one, and with a partition filter each filtered cluster by the identity of its cluster: snapshots share
 * unchanged services and clusters, so after one member event only the changed service (and within it only the
 * changed cluster) is filtered again, and every other service of the view is the same object as in the previous
 * view. The renderer relies on that: it reuses a service's rendered text while the service object is the same.
 * Thread-safe.
 */
public final class TopologyFilter {

    public static final TopologyFilter NONE = new TopologyFilter(Set.of(), Set.of(), Set.of());

    private final Set<String> services;
    private final Set<String> clusterIds;
    private final Set<String> networkPartitions;

    /** Last call's results, keyed by the identity of the unfiltered service and cluster. */
    private volatile Memo memo = new Memo(new IdentityHashMap<>(), new IdentityHashMap<>());

    /** Published as one object so that a concurrent call never pairs one call's services with another's clusters. */
    private record Memo(IdentityHashMap<Service, Service> services, IdentityHashMap<Cluster, Cluster> clusters) {
    }

    public TopologyFilter(Set<String> services, Set<String> clusterIds, Set<String> networkPartitions) {
        this.services = Set.copyOf(services);
        this.clusterIds = Set.copyOf(clusterIds);
        this.networkPartitions = Set.copyOf(networkPartitions);
    }

    /**
     * Parses the three comma-separated settings; null or blank means no filter. Entries are trimmed; empty
     * entries are skipped.
     *
     * @throws org.stratoslvs.core.validate.InvalidValueException for an entry that is not a valid identifier
     */
    public static TopologyFilter parse(String serviceNames, String clusterIds, String networkPartitionIds) {
        return new TopologyFilter(list("service name", serviceNames), list("cluster id", clusterIds),
                list("network partition id", networkPartitionIds));
    }

    private static Set<String> list(String what, String csv) {
        Set<String> out = new LinkedHashSet<>();
        if (csv != null) {
            for (String part : csv.split(",", -1)) {
                String name = part.trim();
                if (!name.isEmpty()) {
                    out.add(Identifiers.require(what, name));
                }
            }
        }
        return out;
    }

    public Set<String> services() {
        return services;
    }

    public Set<String> clusterIds() {
        return clusterIds;
    }

    public Set<String> networkPartitions() {
        return networkPartitions;
    }

    public boolean isEmpty() {
        return services.isEmpty() && clusterIds.isEmpty() && networkPartitions.isEmpty();
    }

    /** The filtered view; {@code topology} itself when nothing is filtered out. */
    public Topology filter(Topology topology) {
        if (isEmpty()) {
            return topology;
        }
        Memo previous = memo;
        Memo next = new Memo(new IdentityHashMap<>(), new IdentityHashMap<>());
        TreeMap<String, Service> keptServices = new TreeMap<>();
        boolean changed = false;
        for (Service s : topology.services().values()) {
            if (!services.isEmpty() && !services.contains(s.serviceName())) {
                changed = true;
                continue;
            }
            Service filtered = previous.services().get(s);
            if (filtered == null) {
                filtered = filterService(s, previous.clusters(), next.clusters());
            } else if (!networkPartitions.isEmpty()) {
                // Keep the clusters' results too: when this service changes later, only its changed cluster
                // is filtered again.
                for (Cluster c : s.clusters().values()) {
                    Cluster f = previous.clusters().get(c);
                    if (f != null) {
                        next.clusters().put(c, f);
                    }
                }
            }
            next.services().put(s, filtered);
            changed |= filtered != s;
            keptServices.put(s.serviceName(), filtered);
        }
        memo = next;
        return changed ? new Topology(keptServices, topology.initialized()) : topology;
    }

    private Service filterService(Service s, IdentityHashMap<Cluster, Cluster> previous,
                                  IdentityHashMap<Cluster, Cluster> next) {
        TreeMap<String, Cluster> kept = new TreeMap<>();
        boolean changed = false;
        for (Cluster c : s.clusters().values()) {
            if (!clusterIds.isEmpty() && !clusterIds.contains(c.clusterId())) {
                changed = true;
                continue;
            }
            Cluster filtered = c;
            if (!networkPartitions.isEmpty()) {
                filtered = previous.get(c);
                if (filtered == null) {
                    filtered = filterMembers(c);
                }
                next.put(c, filtered);
            }
            changed |= filtered != c;
            kept.put(c.clusterId(), filtered);
        }
        return changed ? new Service(s.serviceName(), s.serviceType(), s.ports(), kept) : s;
    }

    private Cluster filterMembers(Cluster c) {
        Cluster result = c;
        for (Map.Entry<String, Member> e : c.members().entrySet()) {
            String np = e.getValue().networkPartitionId();
            if (np == null || !networkPartitions.contains(np)) {
                result = result.withoutMember(e.getKey());
            }
        }
        return result;
    }

    /** Same lists, in any order: lets a configuration change that keeps the filters skip re-publishing. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TopologyFilter f && services.equals(f.services) && clusterIds.equals(f.clusterIds)
                && networkPartitions.equals(f.networkPartitions);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(services, clusterIds, networkPartitions);
    }

    @Override
    public String toString() {
        return "services=" + services + " clusters=" + clusterIds + " networkPartitions=" + networkPartitions;
    }
}
