package org.stratoslvs.core.topology;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.validate.Identifiers;

/** A Stratos service (cartridge type), immutable; ports keyed by proxy port, clusters by cluster id. */
public record Service(String serviceName, String serviceType, SortedMap<Integer, Port> ports,
                      SortedMap<String, Cluster> clusters) {

    public Service {
        Identifiers.require("service name", serviceName);
        if (serviceType != null) {
            Identifiers.require("service type", serviceType);
        }
        ports = Collections.unmodifiableSortedMap(new TreeMap<>(ports == null ? Collections.emptySortedMap() : ports));
        clusters = Collections.unmodifiableSortedMap(
                new TreeMap<>(clusters == null ? Collections.emptySortedMap() : clusters));
    }

    public Service withCluster(Cluster cluster) {
        TreeMap<String, Cluster> copy = new TreeMap<>(clusters);
        copy.put(cluster.clusterId(), cluster);
        return new Service(serviceName, serviceType, ports, copy);
    }

    public Service withoutCluster(String clusterId) {
        if (!clusters.containsKey(clusterId)) {
            return this;
        }
        TreeMap<String, Cluster> copy = new TreeMap<>(clusters);
        copy.remove(clusterId);
        return new Service(serviceName, serviceType, ports, copy);
    }

    public int memberCount() {
        int n = 0;
        for (Cluster c : clusters.values()) {
            n += c.members().size();
        }
        return n;
    }
}
