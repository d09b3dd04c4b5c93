package org.stratoslvs.core.topology;

import java.util.SortedMap;

import org.stratoslvs.core.topology.TopologyEvent.ClusterRef;
import org.stratoslvs.core.topology.TopologyEvent.ClustersCreated;
import org.stratoslvs.core.topology.TopologyEvent.ClustersRemoved;
import org.stratoslvs.core.topology.TopologyEvent.Complete;
import org.stratoslvs.core.topology.TopologyEvent.MemberChange;
import org.stratoslvs.core.topology.TopologyEvent.ServiceCreated;
import org.stratoslvs.core.topology.TopologyEvent.ServiceRemoved;
import org.stratoslvs.core.validate.Identifiers;

/**
 * What a decoded {@link TopologyEvent} does to an immutable {@link Topology}: the lifecycle rules, apart from the
 * wire format ({@link TopologyEvents}). Stateless and thread-safe.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Every non-complete event before the first complete topology is refused ({@code NOT_INITIALIZED}), as
 *       Stratos' own processors do; {@link Topology#initialized()} means "a complete topology was received". A
 *       complete topology replaces the model.</li>
 *   <li>Creation of something that exists updates its own fields and keeps its children (a re-delivered
 *       ClusterCreatedEvent must not wipe the cluster's members); removal of something absent is a no-op. So
 *       duplicated events are idempotent.</li>
 *   <li>Only MemberCreatedEvent creates a member; other member events for an unknown member are refused
 *       ({@code UNKNOWN_MEMBER}), except MemberTerminatedEvent, a removal, which is then a no-op. Member events
 *       for an unknown service or cluster are refused ({@code UNKNOWN_SERVICE}, {@code UNKNOWN_CLUSTER}).
 *       MemberCreatedEvent for a known member changes nothing.</li>
 *   <li>A lifecycle event that would move a member backwards (e.g. a late MemberStartedEvent after
 *       MemberActivatedEvent, a re-delivered MemberCreatedEvent) is refused ({@code STALE_STATUS}); Active and
 *       Suspended may alternate. MemberTerminatedEvent removes the member. Resurrection of a terminated member by
 *       a late event is prevented by {@link TopologyStore}, which keeps the ids of terminated members; the next
 *       complete topology is authoritative either way.</li>
 *   <li>Addresses and ports carried by an event replace the member's (re-activation with a new IP moves the
 *       member); absent ones keep the member's. A member's ports are its own {@code portMap} when non-empty,
 *       else its service's.</li>
 * </ul>
 */
public final class TopologyTransitions {

    private TopologyTransitions() {
    }

    /**
     * Applies an event to a snapshot.
     *
     * @return the new snapshot, or {@code topology} itself when the event changes nothing
     * @throws RejectedException when the event cannot apply (not initialized, unknown service/cluster/member,
     *                           stale status)
     */
    public static Topology apply(Topology topology, TopologyEvent event) {
        if (event instanceof Complete complete) {
            return complete.topology();
        }
        if (!topology.initialized()) {
            throw new RejectedException(RejectReason.NOT_INITIALIZED,
                    event.type() + " before the first complete topology");
        }
        if (event instanceof MemberChange mc) {
            return applyMember(topology, mc);
        }
        if (event instanceof ServiceCreated sc) {
            Service existing = topology.service(sc.service().serviceName());
            if (existing == null) {
                return topology.withService(sc.service());
            }
            Service updated = existing.withDefinition(sc.service().serviceType(), sc.service().ports());
            return updated.equals(existing) ? topology : topology.withService(updated);
        }
        if (event instanceof ServiceRemoved sr) {
            return topology.withoutService(sr.serviceName());
        }
        if (event instanceof ClustersCreated cc) {
            return applyClustersCreated(topology, cc);
        }
        if (event instanceof ClustersRemoved cr) {
            Topology t = topology;
            for (ClusterRef ref : cr.clusters()) {
                Service s = t.service(ref.serviceName());
                if (s != null) {
                    t = t.withService(s.withoutCluster(ref.clusterId()));
                }
            }
            return t;
        }
        throw new IllegalArgumentException("unexpected event " + event.type());
    }

    private static Topology applyClustersCreated(Topology topology, ClustersCreated cc) {
        Topology t = topology;
        for (Cluster c : cc.clusters()) {
            Service s = t.service(c.serviceName());
            if (s == null) {
                throw new RejectedException(RejectReason.UNKNOWN_SERVICE, "cluster " + Identifiers.quote(c.clusterId())
                        + " of unknown service " + Identifiers.quote(c.serviceName()));
            }
            Cluster existing = s.cluster(c.clusterId());
            Cluster next;
            if (existing != null) {
                // Re-delivered or repeated: refresh the cluster's own fields, keep the members we track.
                next = new Cluster(c.clusterId(), c.serviceName(), c.appId(), c.lbCluster(), existing.members());
                if (next.equals(existing)) {
                    continue;
                }
            } else {
                next = withServicePorts(c, s.ports());
            }
            t = t.withService(s.withCluster(next));
        }
        return t;
    }

    private static Cluster withServicePorts(Cluster c, SortedMap<Integer, Port> servicePorts) {
        if (servicePorts.isEmpty()) {
            return c;
        }
        Cluster result = c;
        for (Member m : c.members().values()) {
            if (m.ports().isEmpty()) {
                result = result.withMember(new Member(m.memberId(), m.serviceName(), m.clusterId(),
                        m.networkPartitionId(), m.partitionId(), m.status(), servicePorts, m.privateIp(),
                        m.publicIp(), m.lbIpType()));
            }
        }
        return result;
    }

    private static Topology applyMember(Topology topology, MemberChange e) {
        Service service = topology.service(e.serviceName());
        if (service == null) {
            throw new RejectedException(RejectReason.UNKNOWN_SERVICE, e.type() + " member "
                    + Identifiers.quote(e.memberId()) + ": unknown service " + Identifiers.quote(e.serviceName()));
        }
        Cluster cluster = service.cluster(e.clusterId());
        if (cluster == null) {
            throw new RejectedException(RejectReason.UNKNOWN_CLUSTER, e.type() + " member "
                    + Identifiers.quote(e.memberId()) + ": unknown cluster " + Identifiers.quote(e.clusterId()));
        }
        Member existing = cluster.member(e.memberId());
        if (e.status() == MemberStatus.Created) {
            if (existing != null) {
                return topology; // duplicate, or already known from a complete topology: never regress it
            }
            Member created = new Member(e.memberId(), e.serviceName(), e.clusterId(), e.networkPartitionId(),
                    e.partitionId(), MemberStatus.Created, e.ports() != null ? e.ports() : service.ports(),
                    e.privateIp(), e.publicIp(), e.lbIpType());
            return topology.withService(service.withCluster(cluster.withMember(created)));
        }
        if (e.status() == MemberStatus.Terminated) {
            // Removal of an absent member is a no-op, like any removal: duplicates stay idempotent.
            return existing == null ? topology
                    : topology.withService(service.withCluster(cluster.withoutMember(e.memberId())));
        }
        if (existing == null) {
            throw new RejectedException(RejectReason.UNKNOWN_MEMBER, e.type() + ": unknown member "
                    + Identifiers.quote(e.memberId()) + " in cluster " + Identifiers.quote(e.clusterId()));
        }
        if (rank(e.status()) < rank(existing.status())) {
            throw new RejectedException(RejectReason.STALE_STATUS, e.type() + " member "
                    + Identifiers.quote(e.memberId()) + " is already " + existing.status());
        }
        Member updated = new Member(existing.memberId(), existing.serviceName(), existing.clusterId(),
                e.networkPartitionId() != null ? e.networkPartitionId() : existing.networkPartitionId(),
                e.partitionId() != null ? e.partitionId() : existing.partitionId(),
                e.status(),
                e.ports() != null ? e.ports() : existing.ports(),
                e.privateIp() != null ? e.privateIp() : existing.privateIp(),
                e.publicIp() != null ? e.publicIp() : existing.publicIp(),
                e.lbIpType() != null ? e.lbIpType() : existing.lbIpType());
        if (updated.equals(existing)) {
            return topology;
        }
        return topology.withService(service.withCluster(cluster.withMember(updated)));
    }

    /**
     * Lifecycle order used to refuse stale events. Active and Suspended share a rank: Stratos suspends and
     * re-activates members. Terminated is handled before (it always applies).
     */
    static int rank(MemberStatus s) {
        switch (s) {
            case Created:
                return 0;
            case Initialized:
                return 1;
            case Starting:
                return 2;
            case Active:
            case Suspended:
                return 3;
            case In_Maintenance:
                return 4;
            case ReadyToShutDown:
                return 5;
            default:
                return 6;
        }
    }
}
