package org.stratoslvs.core.topology;

import java.util.SortedMap;

import org.stratoslvs.core.collect.PersistentSortedMap;

/**
 * An immutable snapshot of the Stratos topology. Updates build a new snapshot (copying only the path that
 * changed) which the owner swaps in atomically, so readers never see half an update.
 *
 * @param initialized true once a complete topology has been received; until then member events cannot be
 *                    applied (Stratos' own processors drop them too)
 */
public record Topology(SortedMap<String, Service> services, boolean initialized) {

    public static final Topology EMPTY = new Topology(null, false);

    public Topology {
        services = PersistentSortedMap.copyOf(services);
    }

    public Service service(String serviceName) {
        return services.get(serviceName);
    }

    /** The cluster, or null when the service or the cluster is unknown. */
    public Cluster cluster(String serviceName, String clusterId) {
        Service s = services.get(serviceName);
        return s == null ? null : s.clusters().get(clusterId);
    }

    /** The member, or null when its service, cluster or itself is unknown. */
    public Member member(String serviceName, String clusterId, String memberId) {
        Cluster c = cluster(serviceName, clusterId);
        return c == null ? null : c.members().get(memberId);
    }

    public Topology withService(Service service) {
        PersistentSortedMap<String, Service> updated = serviceMap().plus(service.serviceName(), service);
        return updated == services ? this : new Topology(updated, initialized);
    }

    public Topology withoutService(String serviceName) {
        PersistentSortedMap<String, Service> updated = serviceMap().minus(serviceName);
        return updated == services ? this : new Topology(updated, initialized);
    }

    /**
     * This snapshot with {@code member} put into its cluster, copying only the path service → cluster → member.
     *
     * @throws IllegalArgumentException when the member's service or cluster is not in this snapshot
     */
    public Topology withMember(Member member) {
        Service s = services.get(member.serviceName());
        Cluster c = s == null ? null : s.clusters().get(member.clusterId());
        if (c == null) {
            throw new IllegalArgumentException("no cluster " + member.serviceName() + "/" + member.clusterId());
        }
        return withService(s.withCluster(c.withMember(member)));
    }

    /** This snapshot without the member; this same instance when it is absent. */
    public Topology withoutMember(String serviceName, String clusterId, String memberId) {
        Service s = services.get(serviceName);
        Cluster c = s == null ? null : s.clusters().get(clusterId);
        if (c == null) {
            return this;
        }
        return withService(s.withCluster(c.withoutMember(memberId)));
    }

    public Topology withInitialized(boolean value) {
        return value == initialized ? this : new Topology(services, value);
    }

    private PersistentSortedMap<String, Service> serviceMap() {
        return (PersistentSortedMap<String, Service>) services;
    }

    public int clusterCount() {
        int n = 0;
        for (Service s : services.values()) {
            n += s.clusters().size();
        }
        return n;
    }

    public int memberCount() {
        int n = 0;
        for (Service s : services.values()) {
            n += s.memberCount();
        }
        return n;
    }

    public int activeMemberCount() {
        int n = 0;
        for (Service s : services.values()) {
            for (Cluster c : s.clusters().values()) {
                for (Member m : c.members().values()) {
                    if (m.status().carriesTraffic()) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
