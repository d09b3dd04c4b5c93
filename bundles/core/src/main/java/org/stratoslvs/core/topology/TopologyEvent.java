package org.stratoslvs.core.topology;

import java.util.List;
import java.util.SortedMap;

/**
 * A parsed, validated Stratos topology event, ready to apply with {@link TopologyEvents#apply}. Every name,
 * address and port in here has passed strict validation.
 */
public sealed interface TopologyEvent {

    /** The wire event type (topic suffix), e.g. {@code MemberActivatedEvent}. */
    String type();

    /** Short human-readable description for the change cause, e.g. {@code MemberActivatedEvent web-5}. */
    String summary();

    /**
     * A complete topology. {@code dropped} lists the services, clusters or members left out for bad data: one
     * bad member must not black-hole every service, so the good part is kept and the bad part counted.
     */
    record Complete(Topology topology, List<Rejection> dropped) implements TopologyEvent {
        public Complete {
            dropped = List.copyOf(dropped);
        }

        @Override
        public String type() {
            return TopologyEvents.COMPLETE_TOPOLOGY;
        }

        @Override
        public String summary() {
            Topology t = topology;
            return type() + " " + t.services().size() + " services, " + t.clusterCount() + " clusters, "
                    + t.memberCount() + " members" + (dropped.isEmpty() ? "" : ", " + dropped.size() + " dropped");
        }
    }

    /** ServiceCreatedEvent: a service without clusters. */
    record ServiceCreated(Service service) implements TopologyEvent {
        @Override
        public String type() {
            return "ServiceCreatedEvent";
        }

        @Override
        public String summary() {
            return type() + " " + service.serviceName();
        }
    }

    record ServiceRemoved(String serviceName) implements TopologyEvent {
        @Override
        public String type() {
            return "ServiceRemovedEvent";
        }

        @Override
        public String summary() {
            return type() + " " + serviceName;
        }
    }

    /**
     * ClusterCreatedEvent (one cluster) or ApplicationClustersCreatedEvent (several). Members whose port map is
     * empty take their service's ports when applied.
     */
    record ClustersCreated(String type, String appId, List<Cluster> clusters) implements TopologyEvent {
        public ClustersCreated {
            clusters = List.copyOf(clusters);
        }

        @Override
        public String summary() {
            StringBuilder sb = new StringBuilder(type);
            for (Cluster c : clusters) {
                sb.append(' ').append(c.clusterId());
            }
            return sb.toString();
        }
    }

    /** A cluster named by service and id. */
    record ClusterRef(String serviceName, String clusterId) {
    }

    /** ClusterRemovedEvent (one) or ApplicationClustersRemovedEvent (several). */
    record ClustersRemoved(String type, String appId, List<ClusterRef> clusters) implements TopologyEvent {
        public ClustersRemoved {
            clusters = List.copyOf(clusters);
        }

        @Override
        public String summary() {
            StringBuilder sb = new StringBuilder(type);
            for (ClusterRef c : clusters) {
                sb.append(' ').append(c.clusterId());
            }
            return sb.toString();
        }
    }

    /**
     * One member lifecycle event. Null fields were absent on the wire and leave the member's value as it is;
     * {@code ports} is null unless the event carried a non-empty port map.
     *
     * @param status the state the event moves the member to ({@link MemberStatus#Terminated} removes it)
     */
    record MemberChange(String type, MemberStatus status, String serviceName, String clusterId, String memberId,
                        String networkPartitionId, String partitionId, SortedMap<Integer, Port> ports,
                        String privateIp, String publicIp, IpType lbIpType) implements TopologyEvent {
        @Override
        public String summary() {
            return type + " " + memberId;
        }
    }
}
