package org.stratoslvs.api;

import org.stratoslvs.core.topology.Topology;

/**
 * Offered by the topology-listening bundle: the live topology (already filtered by the operator's service,
 * cluster and network-partition filters) and what the listener has seen.
 */
public interface TopologyService {

    /** The current snapshot; never null, immutable. */
    Topology current();

    /** Counters and broker state, for the shell, JMX and the web console. */
    ListenerStatus status();

    /** Publishes a CompleteTopologyRequestEvent so the Cloud Controller re-sends the whole topology. */
    void requestCompleteTopology(String reason);
}
