package org.stratoslvs.core.topology;

import java.util.SortedMap;

import org.stratoslvs.core.collect.PersistentSortedMap;
import org.stratoslvs.core.validate.Identifiers;

/** A Stratos service (cartridge type), immutable; ports keyed by proxy port, clusters by cluster id. */
public record Service(String serviceName, String serviceType, SortedMap<Integer, Port> ports,
                      SortedMap<String, Cluster> clusters) {

    public Service {
        Identifiers.require("service name", serviceName);
        if (serviceType != null) {
            Identifiers.require("service type", serviceType);
        }
        ports = PersistentSortedMap.copyOf(ports);
        clusters = PersistentSortedMap.copyOf(clusters);
    }

    public Cluster cluster(String clusterId) {
        return clusters.get(clusterId);
    }

    public Service withCluster(Cluster cluster) {
        PersistentSortedMap<String, Cluster> updated = clusterMap().plus(cluster.clusterId(), cluster);
        return updated == clusters ? this : new Service(serviceName, serviceType, ports, updated);
    }

    public Service withoutCluster(String clusterId) {
        PersistentSortedMap<String, Cluster> updated = clusterMap().minus(clusterId);
        return updated == clusters ? this : new Service(serviceName, serviceType, ports, updated);
    }

    /** Same name and clusters, other type and ports (ServiceCreatedEvent for a service already known). */
    public Service withDefinition(String newServiceType, SortedMap<Integer, Port> newPorts) {
        return new Service(serviceName, newServiceType, newPorts, clusters);
    }

    public int memberCount() {
        int n = 0;
        for (Cluster c : clusters.values()) {
            n += c.members().size();
        }
        return n;
    }

    private PersistentSortedMap<String, Cluster> clusterMap() {
        return (PersistentSortedMap<String, Cluster>) clusters;
    }
}
