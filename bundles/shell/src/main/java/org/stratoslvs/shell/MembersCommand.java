package org.stratoslvs.shell;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.shell.completers.ClusterIdCompleter;
import org.stratoslvs.shell.completers.ServiceNameCompleter;

/** {@code lvs:members [service]}: the members of the (filtered) topology, with their state and addresses. */
@Service
@Command(scope = "lvs", name = "members", description = "Lists the members of the topology (of one service, or one cluster)")
public class MembersCommand implements Action {

    @Argument(index = 0, name = "service", description = "Only this service", required = false)
    @Completion(ServiceNameCompleter.class)
    String service;

    @Option(name = "--cluster", aliases = "-c", description = "Only this cluster")
    @Completion(ClusterIdCompleter.class)
    String cluster;

    @Reference(optional = true)
    TopologyService topology;

    @Override
    public Object execute() {
        if (topology == null) {
            System.out.println("The topology bundle (stratos-lvs-topology) is not running.");
            return null;
        }
        Topology t = topology.current();
        if (!t.initialized()) {
            System.out.println("No complete topology received yet (lvs:resync asks for one).");
        }
        if (service != null && t.service(service) == null) {
            System.out.println("Service " + service + " is not in the topology.");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Service");
        table.column("Cluster");
        table.column("Member");
        table.column("Status");
        table.column("Private IP");
        table.column("Public IP");
        table.column("Network partition");
        table.column("Ports");
        int rows = 0;
        for (org.stratoslvs.core.topology.Service s : t.services().values()) {
            if (service != null && !service.equals(s.serviceName())) {
                continue;
            }
            for (Cluster c : s.clusters().values()) {
                if (cluster != null && !cluster.equals(c.clusterId())) {
                    continue;
                }
                for (Member m : c.members().values()) {
                    table.addRow().addContent(s.serviceName(), c.clusterId(), m.memberId(), m.status(),
                            dash(m.privateIp()), dash(m.publicIp()), dash(m.networkPartitionId()),
                            m.ports().values().stream().map(p -> p.proxy() + "->" + p.value())
                                    .collect(Collectors.joining(",")));
                    rows++;
                }
            }
        }
        if (rows == 0) {
            System.out.println("No members.");
        } else {
            table.print(System.out);
        }
        return null;
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
