package org.stratoslvs.api;

import java.util.concurrent.atomic.AtomicInteger;

import org.stratoslvs.core.topology.Topology;

/**
 * A {@link TopologyService} that answers with canned state and counts complete-topology requests, for tests of what
 * reads the service API (JMX, web console). Public: other modules use it through core's test-jar.
 */
public final class StubTopologyService implements TopologyService {

    private final Topology current;
    private final ListenerStatus status;
    private final AtomicInteger requests = new AtomicInteger();

    public StubTopologyService(Topology current, ListenerStatus status) {
        this.current = current;
        this.status = status;
    }

    @Override
    public Topology current() {
        return current;
    }

    @Override
    public ListenerStatus status() {
        return status;
    }

    @Override
    public void requestCompleteTopology(String reason) {
        requests.incrementAndGet();
    }

    /** How many times the complete topology was requested. */
    public int requests() {
        return requests.get();
    }
}
