package org.stratoslvs.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the topology listener has seen.
 *
 * @param brokerUrl          broker the route consumes from
 * @param connected          true while the JMS route is consuming
 * @param eventsApplied      messages that changed or confirmed the model
 * @param eventsIgnored      accepted but irrelevant messages (ClusterInstance*, ClusterReset, unknown types)
 * @param rejectsByReason    rejected messages counted per reason
 * @param recentRejects      the last few rejects, newest last
 * @param lastEventAt        when the last message arrived, or null
 * @param completeTopologies complete topologies received
 * @param driftRepairs       members added, removed or changed by a later complete topology (missed events)
 */
public record ListenerStatus(String brokerUrl, boolean connected, long eventsApplied, long eventsIgnored,
                             Map<String, Long> rejectsByReason, List<Reject> recentRejects, Instant lastEventAt,
                             long completeTopologies, long driftRepairs) {

    /** One rejected message: when, on which topic, why. */
    public record Reject(Instant at, String topic, String reason, String detail) {
    }

    public long rejectsTotal() {
        long n = 0;
        for (long v : rejectsByReason.values()) {
            n += v;
        }
        return n;
    }
}
