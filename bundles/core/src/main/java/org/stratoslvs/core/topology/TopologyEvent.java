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

    /**
     * Short human-readable description for the change cause, e.g. {@code MemberActivatedEvent web-5}; bounded
     * whatever the message (names the first few clusters of a cluster event, then counts).
     */
    String summary();

    /** Parts of the message left out for bad data while the rest applies; {@link DroppedParts#NONE} for most. */
    default DroppedParts dropped() {
        return DroppedParts.NONE;
    }

    /** Names listed in a summary before the rest is only counted. */
    int SUMMARY_NAMES = 5;

    /**
     * A complete topology. {@code dropped} lists the services, clusters or members left out for bad data: one
     * bad member must not black-hole every service, so the good part is kept and the bad part counted.
     */
    record Complete(Topology topology, DroppedParts dropped) implements TopologyEvent {
        public Complete {
            dropped = dropped == null ? DroppedParts.NONE : dropped;
        }

        /** From a plain list (tests, generators): counted, the first {@value DroppedParts#SAMPLE_SIZE} kept. */
        public Complete(Topology topology, List<Rejection> dropped) {
            this(topology, DroppedParts.of(dropped));
        }

        @Override
        public String type() {
            return TopologyEvents.COMPLETE_TOPOLOGY;
        }

        @Override
        public String summary() {
            Topology t = topology;
            return type() + " " + t.services().size() + " services, " + t.clusterCount() + " clusters, "
                    + t.memberCount() + " members" + (dropped.isEmpty() ? "" : ", " + dropped.total() + " dropped");
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
     * empty take their service's ports when applied. {@code dropped}: bad members left out of the clusters, as in
     * a complete topology (a bad member must not keep its cluster, and with it every later event of its peers,
     * out of the model).
     */
    record ClustersCreated(String type, String appId, List<Cluster> clusters, DroppedParts dropped)
            implements TopologyEvent {
        public ClustersCreated {
            clusters = List.copyOf(clusters);
            dropped = dropped == null ? DroppedParts.NONE : dropped;
        }

        /** Nothing left out. */
        public ClustersCreated(String type, String appId, List<Cluster> clusters) {
            this(type, appId, clusters, DroppedParts.NONE);
        }

        @Override
        public String summary() {
            return names(type, clusters.stream().map(Cluster::clusterId).toList())
                    + (dropped.isEmpty() ? "" : ", " + dropped.total() + " dropped");
        }
    }

    /** {@code type} and the first {@link #SUMMARY_NAMES} names, then how many more. */
    private static String names(String type, List<String> names) {
        StringBuilder sb = new StringBuilder(type);
        for (int i = 0; i < names.size() && i < SUMMARY_NAMES; i++) {
            sb.append(' ').append(names.get(i));
        }
        if (names.size() > SUMMARY_NAMES) {
            sb.append(" and ").append(names.size() - SUMMARY_NAMES).append(" more");
        }
        return sb.toString();
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
            return names(type, clusters.stream().map(ClusterRef::clusterId).toList());
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
