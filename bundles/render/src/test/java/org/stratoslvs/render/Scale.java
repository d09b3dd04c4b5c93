package org.stratoslvs.render;

import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;

/**
 * Large synthetic topologies: services svc0000.. with members on 10.x.y.z, ports 80->8080 and (with two ports)
 * 443->8443. Public: the render benchmarks build their inputs with it too (render test-jar).
 */
public final class Scale {

    private Scale() {
    }

    static Topology topology(int services, int membersPerService) {
        return topology(services, membersPerService, 2);
    }

    /** {@code portCount} 1 (http) or 2 (http and https); every member Active. */
    public static Topology topology(int services, int membersPerService, int portCount) {
        SortedMap<Integer, Port> ports = portCount > 1
                ? Topologies.ports(new Port("http", 8080, 80), new Port("https", 8443, 443))
                : Topologies.ports(new Port("http", 8080, 80));
        SortedMap<String, Service> all = new TreeMap<>();
        int address = 0;
        for (int s = 0; s < services; s++) {
            String name = String.format("svc%04d", s);
            SortedMap<String, Member> members = new TreeMap<>();
            for (int m = 0; m < membersPerService; m++) {
                address++;
                String ip = "10." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "." + (address & 0xff);
                String id = name + "-m" + m;
                members.put(id, new Member(id, name, name + ".c1", "np1", "p1", MemberStatus.Active, ports, ip, null,
                        null));
            }
            Cluster c = new Cluster(name + ".c1", name, "app", false, members);
            SortedMap<String, Cluster> clusters = new TreeMap<>();
            clusters.put(c.clusterId(), c);
            all.put(name, new Service(name, "SingleTenant", ports, clusters));
        }
        return new Topology(all, true);
    }

    /** svc0000|172.16.0.1,... one VIP per service. */
    public static String mapping(int services) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < services; s++) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(String.format("svc%04d|172.16.%d.%d", s, (s + 1) >> 8, (s + 1) & 0xff));
        }
        return sb.toString();
    }
}
