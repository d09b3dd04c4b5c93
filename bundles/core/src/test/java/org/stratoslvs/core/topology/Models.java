package org.stratoslvs.core.topology;

import java.util.TreeMap;

/** Terse builders for expected models in tests. */
final class Models {

    private Models() {
    }

    static TreeMap<Integer, Port> ports(Port... ports) {
        TreeMap<Integer, Port> m = new TreeMap<>();
        for (Port p : ports) {
            m.put(p.proxy(), p);
        }
        return m;
    }

    static Service service(String name, TreeMap<Integer, Port> ports, Cluster... clusters) {
        TreeMap<String, Cluster> m = new TreeMap<>();
        for (Cluster c : clusters) {
            m.put(c.clusterId(), c);
        }
        return new Service(name, "SingleTenant", ports, m);
    }

    static Cluster cluster(String service, String id, String appId, Member... members) {
        TreeMap<String, Member> m = new TreeMap<>();
        for (Member x : members) {
            m.put(x.memberId(), x);
        }
        return new Cluster(id, service, appId, false, m);
    }

    static Topology topology(Service... services) {
        TreeMap<String, Service> m = new TreeMap<>();
        for (Service s : services) {
            m.put(s.serviceName(), s);
        }
        return new Topology(m, true);
    }
}
