package org.stratoslvs.api;

import org.stratoslvs.core.topology.Topology;

/**
 * Whiteboard service: every registered listener is called with each new topology snapshot (and once with the
 * current one when it registers). Data flows one way: topology → render → apply.
 */
public interface TopologyListener {

    /**
     * @param topology the new snapshot (filtered)
     * @param cause    short human-readable cause, e.g. "topology.MemberActivatedEvent web-5"
     */
    void topologyChanged(Topology topology, String cause);
}
