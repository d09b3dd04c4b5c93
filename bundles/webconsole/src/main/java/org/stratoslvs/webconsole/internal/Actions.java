package org.stratoslvs.webconsole.internal;

import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/** The page's operator actions; each returns a line for the page. */
final class Actions {

    static final String CAUSE_PREFIX = "operator: web console ";

    private Actions() {
    }

    static String run(String action, TopologyService topology, KeepalivedControl control) {
        if ("reload".equals(action)) {
            if (control == null) {
                return "Reload not possible: keepalived control is not running.";
            }
            // the last submitted config is the current rendering (render submits on every change)
            control.reload(CAUSE_PREFIX + "reload");
            return "Reload requested: see the last applies below.";
        }
        if ("resync".equals(action)) {
            if (topology == null) {
                return "Resync not possible: the topology listener is not running.";
            }
            topology.requestCompleteTopology(CAUSE_PREFIX + "resync");
            return "Complete topology requested.";
        }
        return "Unknown action.";
    }
}
