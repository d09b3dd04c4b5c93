package org.stratoslvs.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.stratoslvs.api.TopologyService;

/** {@code lvs:resync}: asks the Cloud Controller for the complete topology (repairs any missed event). */
@Service
@Command(scope = "lvs", name = "resync", description = "Requests a complete topology from Stratos (CompleteTopologyRequestEvent)")
public class ResyncCommand implements Action {

    @Reference(optional = true)
    TopologyService topology;

    @Override
    public Object execute() {
        if (topology == null) {
            System.out.println("The topology bundle (stratos-lvs-topology) is not running.");
            return null;
        }
        if (!topology.status().connected()) {
            System.out.println("Not connected to " + topology.status().brokerUrl()
                    + ": the request is sent once the connection is up.");
        }
        topology.requestCompleteTopology("operator: lvs:resync");
        System.out.println("Complete topology requested (complete topologies received so far: "
                + topology.status().completeTopologies() + ").");
        return null;
    }
}
