package org.stratoslvs.benchmarks;

/** Message bodies in the exact shape Stratos 4.1.5 publishes (see the project's sequence-1 fixtures). */
final class StratosMessages {

    private static final String PORTS = "{\"80\":{\"protocol\":\"http\",\"value\":8080,\"proxy\":80},"
            + "\"443\":{\"protocol\":\"https\",\"value\":8443,\"proxy\":443}}";

    private StratosMessages() {
    }

    static String service(int s) {
        return "svc" + s;
    }

    static String cluster(int s, int c) {
        return "svc" + s + ".cluster-" + c;
    }

    static String member(int s, int c, int m) {
        return "svc" + s + "-c" + c + "-member-" + m;
    }

    static String ip(int s, int c, int m) {
        int n = (s * 131 + c * 17) * 10_000 + m;
        return "10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (1 + (n & 127));
    }

    private static String ids(int s, int c, int m) {
        return "\"serviceName\":\"" + service(s) + "\",\"clusterId\":\"" + cluster(s, c) + "\"";
    }

    static String memberSuspended(int s, int c, int m) {
        return "{" + ids(s, c, m) + ",\"networkPartitionId\":\"network-partition-1\",\"partitionId\":\"partition-1\","
                + "\"memberId\":\"" + member(s, c, m) + "\"}";
    }

    static String memberActivated(int s, int c, int m, String ip) {
        return "{" + ids(s, c, m) + ",\"clusterInstanceId\":\"cluster-instance-1\",\"memberId\":\"" + member(s, c, m)
                + "\",\"networkPartitionId\":\"network-partition-1\",\"partitionId\":\"partition-1\",\"portMap\":"
                + PORTS + ",\"memberPrivateIPs\":[\"" + ip + "\"],\"defaultPrivateIP\":\"" + ip + "\"}";
    }

    private static String memberJson(int s, int c, int m, String ip, String state) {
        return "{" + ids(s, c, m) + ",\"memberId\":\"" + member(s, c, m) + "\",\"clusterInstanceId\":"
                + "\"cluster-instance-1\",\"networkPartitionId\":\"network-partition-1\",\"partitionId\":"
                + "\"partition-1\",\"initTime\":1795824858340,\"portMap\":" + PORTS + ",\"memberPrivateIPs\":[\"" + ip
                + "\"],\"defaultPrivateIP\":\"" + ip + "\",\"memberStateManager\":{\"stateStack\":[\"Created\","
                + "\"Initialized\",\"Starting\",\"" + state + "\"],\"identifier\":\"" + member(s, c, m)
                + "\"},\"loadBalancingIPType\":\"Private\"}";
    }

    private static String clusterJson(int s, int c, int members, int changeEvery, int variant) {
        StringBuilder sb = new StringBuilder(members * 700);
        sb.append("{").append(ids(s, c, 0)).append(",\"autoscalePolicyName\":\"autoscaling-policy-1\",")
                .append("\"deploymentPolicyName\":\"deployment-policy-1\",\"hostNames\":[\"")
                .append(service(s)).append(".example.com\"],\"isLbCluster\":false,\"isKubernetesCluster\":false,")
                .append("\"memberMap\":{");
        for (int m = 0; m < members; m++) {
            if (m > 0) {
                sb.append(',');
            }
            boolean changed = changeEvery > 0 && (s * members + m) % changeEvery == 0;
            String state = changed && variant == 1 ? "Suspended" : "Active";
            sb.append('"').append(member(s, c, m)).append("\":").append(memberJson(s, c, m, ip(s, c, m), state));
        }
        sb.append("},\"appId\":\"app-1\",\"instanceIdToInstanceContextMap\":{},\"accessUrls\":{},")
                .append("\"kubernetesServices\":[],\"loadBalancerIps\":[]}");
        return sb.toString();
    }

    /**
     * A complete topology in the 4.1.5 shape (clusterMap and each service's clusterIdClusterMap).
     *
     * @param changeEvery every n-th member is Suspended in variant 1 (0: none)
     */
    static String completeTopology(int services, int clustersPerService, int membersPerCluster, int changeEvery,
                                   int variant) {
        StringBuilder clusterMap = new StringBuilder();
        StringBuilder serviceMap = new StringBuilder();
        for (int s = 0; s < services; s++) {
            StringBuilder clusters = new StringBuilder();
            for (int c = 0; c < clustersPerService; c++) {
                String cj = clusterJson(s, c, membersPerCluster, changeEvery, variant);
                if (c > 0) {
                    clusters.append(',');
                }
                clusters.append('"').append(cluster(s, c)).append("\":").append(cj);
                if (clusterMap.length() > 0) {
                    clusterMap.append(',');
                }
                clusterMap.append('"').append(cluster(s, c)).append("\":").append(cj);
            }
            if (s > 0) {
                serviceMap.append(',');
            }
            serviceMap.append('"').append(service(s)).append("\":{\"serviceName\":\"").append(service(s))
                    .append("\",\"serviceType\":\"SingleTenant\",\"clusterIdClusterMap\":{").append(clusters)
                    .append("},\"portMap\":").append(PORTS).append('}');
        }
        return "{\"topology\":{\"clusterMap\":{" + clusterMap + "},\"serviceMap\":{" + serviceMap
                + "},\"initialized\":false}}";
    }
}
