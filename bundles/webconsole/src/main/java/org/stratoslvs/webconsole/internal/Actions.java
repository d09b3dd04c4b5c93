package org.stratoslvs.webconsole.internal;

import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/** The page's operator actions; each returns a line for the page. */
final class Actions {

    static final String CAUSE_PREFIX = "operator: web console ";

    private Actions() {
    }

    static String run(String action, TopologyService topology, ConfigGenerator generator, KeepalivedControl control) {
        if ("reload".equals(action)) {
            if (control == null) {
                return "Reload not possible: keepalived control is not running.";
            }
            if (generator != null) {
                generator.rerender(CAUSE_PREFIX + "reload");
            }
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
