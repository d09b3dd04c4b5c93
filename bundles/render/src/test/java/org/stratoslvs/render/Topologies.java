package org.stratoslvs.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.IpType;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;

/** Topologies built directly from the core records (the event parser belongs to another module). */
final class Topologies {

    private Topologies() {
    }

    static SortedMap<Integer, Port> ports(Port... ports) {
        SortedMap<Integer, Port> m = new TreeMap<>();
        for (Port p : ports) {
            m.put(p.proxy(), p);
        }
        return m;
    }

    static Member member(String service, String cluster, String id, MemberStatus status, String privateIp,
                         String publicIp, IpType lbType, SortedMap<Integer, Port> ports) {
        return new Member(id, service, cluster, "network-partition-1", "partition-1", status, ports, privateIp,
                publicIp, lbType);
    }

    static Cluster cluster(String service, String id, Member... members) {
        SortedMap<String, Member> m = new TreeMap<>();
        for (Member x : members) {
            m.put(x.memberId(), x);
        }
        return new Cluster(id, service, "app-1", false, m);
    }

    static Service service(String name, SortedMap<Integer, Port> ports, Cluster... clusters) {
        SortedMap<String, Cluster> m = new TreeMap<>();
        for (Cluster c : clusters) {
            m.put(c.clusterId(), c);
        }
        return new Service(name, "SingleTenant", ports, m);
    }

    static Topology topology(Service... services) {
        SortedMap<String, Service> m = new TreeMap<>();
        for (Service s : services) {
            m.put(s.serviceName(), s);
        }
        return new Topology(m, true);
    }

    /**
     * The complete topology of fixtures/0001-topology.CompleteTopologyEvent.json (Stratos 4.1.5): web (80->8080
     * http, 443->8443 https; web-1 and web-2 Active, web-3 Starting, web-4 Suspended), dns (53->5353 udp; dns-1
     * Active), api (9000, no cluster). Note the fixture says "initialized": false.
     */
    static Topology stratosFixture() {
        SortedMap<Integer, Port> web = ports(new Port("http", 8080, 80), new Port("https", 8443, 443));
        SortedMap<Integer, Port> dns = ports(new Port("udp", 5353, 53));
        List<Member> webMembers = new ArrayList<>();
        String[][] w = {{"web-1", "10.10.0.11", "Active"}, {"web-2", "10.10.0.12", "Active"},
                {"web-3", "10.10.0.13", "Starting"}, {"web-4", "10.10.0.14", "Suspended"}};
        for (String[] x : w) {
            webMembers.add(member("web", "web.cluster-a", x[0], MemberStatus.valueOf(x[2]), x[1], null,
                    IpType.PRIVATE, web));
        }
        Service webService = service("web", web, cluster("web", "web.cluster-a", webMembers.toArray(new Member[0])));
        Service dnsService = service("dns", dns, cluster("dns", "dns.cluster-a",
                member("dns", "dns.cluster-a", "dns-1", MemberStatus.Active, "10.10.1.11", null, IpType.PRIVATE,
                        dns)));
        Service api = service("api", ports(new Port("http", 9000, 9000)));
        SortedMap<String, Service> m = new TreeMap<>(Map.of("web", webService, "dns", dnsService, "api", api));
        return new Topology(m, false);
    }
}
