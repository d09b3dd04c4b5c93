package org.stratoslvs.core.topology;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of the Stratos topology. Updates build a new snapshot (copying only the path that
 * changed) which the owner swaps in atomically, so readers never see half an update.
 *
 * @param initialized true once a complete topology has been received; until then member events cannot be
 *                    applied (Stratos' own processors drop them too)
 */
public record Topology(SortedMap<String, Service> services, boolean initialized) {

    public static final Topology EMPTY = new Topology(Collections.emptySortedMap(), false);

    public Topology {
        services = Collections.unmodifiableSortedMap(
                new TreeMap<>(services == null ? Collections.emptySortedMap() : services));
    }

    public Topology withService(Service service) {
        TreeMap<String, Service> copy = new TreeMap<>(services);
        copy.put(service.serviceName(), service);
        return new Topology(copy, initialized);
    }

    public Topology withoutService(String serviceName) {
        if (!services.containsKey(serviceName)) {
            return this;
        }
        TreeMap<String, Service> copy = new TreeMap<>(services);
        copy.remove(serviceName);
        return new Topology(copy, initialized);
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
