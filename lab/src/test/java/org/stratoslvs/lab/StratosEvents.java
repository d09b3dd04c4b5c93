package org.stratoslvs.lab;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Stratos 4.1.5 topology message bodies (the shape of the project's fixtures) for one service with one cluster,
 * whose members are the lab's real servers. Ports: Stratos' remapping proxy 80 → member 8080 (HTTP), 7000 → 7000
 * (the lab's line echo, for long-lived connections) and UDP 53 → 5353 (a datagram answered with the server's name).
 */
final class StratosEvents {

    static final String SERVICE = "web";
    static final String CLUSTER = "web.cluster-a";
    static final String PORTS = "{\"80\":{\"protocol\":\"http\",\"value\":8080,\"proxy\":80},"
            + "\"7000\":{\"protocol\":\"tcp\",\"value\":7000,\"proxy\":7000},"
            + "\"53\":{\"protocol\":\"udp\",\"value\":5353,\"proxy\":53}}";

    /**
     * A member of the lab service: its Stratos id, the real server's address inside the guest, and its Stratos
     * partition (what {@code lvs.weight.partition} weighs by).
     */
    record Member(String id, String ip, String partition) {
        Member(String id, String ip) {
            this(id, ip, "partition-1");
        }
    }

    private StratosEvents() {
    }

    private static String ids(Member m) {
        return "\"serviceName\":\"" + SERVICE + "\",\"clusterId\":\"" + CLUSTER + "\",\"clusterInstanceId\":"
                + "\"cluster-instance-1\",\"networkPartitionId\":\"network-partition-1\",\"partitionId\":\""
                + m.partition() + "\",\"memberId\":\"" + m.id() + "\"";
    }

    /** One HTTP port, proxy 80 → member 8080: the benchmark's service (one real server per member). */
    static final String HTTP_ONLY = "{\"80\":{\"protocol\":\"http\",\"value\":8080,\"proxy\":80}}";

    private static String memberJson(Member m, String ports) {
        return "{" + ids(m) + ",\"initTime\":1795824858340,\"portMap\":" + ports + ",\"memberPrivateIPs\":[\""
                + m.ip() + "\"],\"defaultPrivateIP\":\"" + m.ip() + "\",\"memberStateManager\":{\"stateStack\":"
                + "[\"Created\",\"Initialized\",\"Starting\",\"Active\"],\"identifier\":\"" + m.id() + "\"},"
                + "\"loadBalancingIPType\":\"Private\"}";
    }

    /** topology.CompleteTopologyEvent: the service with every member Active. */
    static String completeTopology(List<Member> members) {
        return completeTopology(members, PORTS);
    }

    /** topology.CompleteTopologyEvent with the given port map. */
    static String completeTopology(List<Member> members, String ports) {
        String memberMap = members.stream().map(m -> "\"" + m.id() + "\":" + memberJson(m, ports))
                .collect(Collectors.joining(","));
        String cluster = "{\"serviceName\":\"" + SERVICE + "\",\"clusterId\":\"" + CLUSTER + "\","
                + "\"autoscalePolicyName\":\"autoscaling-policy-1\",\"deploymentPolicyName\":\"deployment-policy-1\","
                + "\"hostNames\":[\"web.example.com\"],\"isLbCluster\":false,\"isKubernetesCluster\":false,"
                + "\"memberMap\":{" + memberMap + "},\"appId\":\"app-1\",\"instanceIdToInstanceContextMap\":{},"
                + "\"accessUrls\":{},\"kubernetesServices\":[],\"loadBalancerIps\":[]}";
        return "{\"topology\":{\"clusterMap\":{\"" + CLUSTER + "\":" + cluster + "},\"serviceMap\":{\"" + SERVICE
                + "\":{\"serviceName\":\"" + SERVICE + "\",\"serviceType\":\"SingleTenant\",\"clusterIdClusterMap\":{\""
                + CLUSTER + "\":" + cluster + "},\"portMap\":" + ports + "}},\"initialized\":false}}";
    }

    /** topology.MemberCreatedEvent. */
    static String memberCreated(Member m) {
        return "{" + ids(m) + ",\"loadBalancingIPType\":\"Private\",\"initTime\":1795824858635}";
    }

    /** topology.MemberInitializedEvent: the member's address becomes known. */
    static String memberInitialized(Member m) {
        return "{" + ids(m) + ",\"instanceId\":\"instance-" + m.id() + "\",\"memberPrivateIPs\":[\"" + m.ip()
                + "\"],\"defaultPrivateIP\":\"" + m.ip() + "\"}";
    }

    /** topology.MemberStartedEvent. */
    static String memberStarted(Member m) {
        return "{" + ids(m) + ",\"status\":\"Starting\"}";
    }

    /** topology.MemberActivatedEvent, with the ports and address as Stratos sends them. */
    static String memberActivated(Member m) {
        return memberActivated(m, PORTS);
    }

    /** topology.MemberActivatedEvent with the given port map. */
    static String memberActivated(Member m, String ports) {
        return "{" + ids(m) + ",\"portMap\":" + ports + ",\"memberPrivateIPs\":[\"" + m.ip()
                + "\"],\"defaultPrivateIP\":\"" + m.ip() + "\"}";
    }

    /** topology.MemberSuspendedEvent. */
    static String memberSuspended(Member m) {
        return "{" + ids(m) + "}";
    }

    /** topology.MemberTerminatedEvent. */
    static String memberTerminated(Member m) {
        return "{" + ids(m) + "}";
    }
}
