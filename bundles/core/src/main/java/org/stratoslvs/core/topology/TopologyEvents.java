package org.stratoslvs.core.topology;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.collect.PersistentSortedMap;
import org.stratoslvs.core.json.JsonException;
import org.stratoslvs.core.json.JsonReader;
import org.stratoslvs.core.topology.TopologyEvent.ClusterRef;
import org.stratoslvs.core.topology.TopologyEvent.ClustersCreated;
import org.stratoslvs.core.topology.TopologyEvent.ClustersRemoved;
import org.stratoslvs.core.topology.TopologyEvent.Complete;
import org.stratoslvs.core.topology.TopologyEvent.MemberChange;
import org.stratoslvs.core.topology.TopologyEvent.ServiceCreated;
import org.stratoslvs.core.topology.TopologyEvent.ServiceRemoved;
import org.stratoslvs.core.validate.Identifiers;
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.core.validate.IpLiterals;

/**
 * Decodes Stratos 4.1 topology events (JSON bodies, the event type being the topic suffix) into
 * {@link TopologyEvent}s: the wire format and its validation. What an event does to a snapshot is
 * {@link TopologyTransitions}'. Stateless and thread-safe.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A complete topology's clusters are read from each service's {@code clusterIdClusterMap}; a top-level
 *       {@code clusterMap} (newer senders) only adds clusters missing there. A bad service, cluster or member
 *       inside it is dropped and reported; the rest is kept. A complete topology whose structure is wrong
 *       ({@code topology} or {@code serviceMap} missing or not objects) is refused whole. The wire's
 *       {@code initialized} flag is not trusted (Stratos 4.1.5 sends {@code false} in real complete
 *       topologies).</li>
 *   <li>A cluster event leaves out its bad members the same way (and ApplicationClustersCreatedEvent its bad
 *       clusters): one member is refused alone, never with the elements beside it. Any other event is decoded
 *       whole or refused whole.</li>
 *   <li>Addresses: a member's address must be a unicast literal a real server can have; link-local (fe80::/10,
 *       169.254/16), zone ids, loopback, multicast, unspecified and broadcast are {@code UNUSABLE_IP} (keepalived
 *       refuses an IPv6 link-local real server without a {@code bind_if}, which would reject the whole file; it
 *       accepts the others, which IPVS would send nowhere useful).</li>
 *   <li>Size: a message with more services, clusters or members (good or bad) than the element limit
 *       ({@code topology.max.members}) is refused whole ({@code TOO_MANY_ELEMENTS}): cutting a complete topology
 *       short would remove members that exist. A port map with more than {@value #MAX_PORTS_PER_MAP} entries
 *       is a bad part like any other.</li>
 *   <li>Member status follows the event type; a member inside a complete topology or a cluster has the last
 *       entry of its state stack.</li>
 * </ul>
 */
public final class TopologyEvents {

    public static final String COMPLETE_TOPOLOGY = "CompleteTopologyEvent";

    /** Event types on the topology topics that carry nothing a load balancer needs: accepted and ignored. */
    public static final Set<String> IGNORED_TYPES = Set.of(
            "ClusterInstanceCreatedEvent", "ClusterInstanceActivatedEvent", "ClusterInstanceInactivateEvent",
            "ClusterInstanceTerminatingEvent", "ClusterInstanceTerminatedEvent", "ClusterResetEvent");

    /** Event types this class parses and applies. */
    public static final Set<String> HANDLED_TYPES = Set.of(COMPLETE_TOPOLOGY,
            "ServiceCreatedEvent", "ServiceRemovedEvent", "ClusterCreatedEvent", "ApplicationClustersCreatedEvent",
            "ApplicationClustersRemovedEvent", "ClusterRemovedEvent", "MemberCreatedEvent",
            "MemberInitializedEvent", "MemberStartedEvent", "MemberActivatedEvent", "MemberSuspendedEvent",
            "MemberMaintenanceModeEvent", "MemberReadyToShutdownEvent", "MemberTerminatedEvent");

    /**
     * Most entries in one port map (a member's or a service's). A Stratos cartridge declares a handful of ports, and
     * each one becomes a virtual server per VIP.
     */
    public static final int MAX_PORTS_PER_MAP = 64;

    private TopologyEvents() {
    }

    /** True when {@code type} is handled by {@link #parse}. */
    public static boolean isHandled(String type) {
        return HANDLED_TYPES.contains(type);
    }

    /**
     * Parses a message body.
     *
     * @param type one of {@link #HANDLED_TYPES}
     * @throws RejectedException with the reason; IllegalArgumentException for a type that is not handled
     */
    public static TopologyEvent parse(String type, String body) {
        return parse(type, body, JsonReader.Limits.DEFAULT, TopologyStore.DEFAULT_MAX_MEMBERS);
    }

    public static TopologyEvent parse(String type, String body, JsonReader.Limits limits) {
        return parse(type, body, limits, TopologyStore.DEFAULT_MAX_MEMBERS);
    }

    /**
     * @param maxElements most services, most clusters and most members one message may carry (each counted on
     *                    its own, bad ones included)
     */
    public static TopologyEvent parse(String type, String body, JsonReader.Limits limits, int maxElements) {
        Object json;
        try {
            json = new JsonReader(limits).read(body);
        } catch (JsonException e) {
            throw new RejectedException(e.limitExceeded() ? RejectReason.JSON_LIMIT : RejectReason.MALFORMED_JSON,
                    e.getMessage());
        }
        return parseJson(type, json, maxElements);
    }

    /** Parses an already-read JSON value (see {@link JsonReader}). */
    public static TopologyEvent parseJson(String type, Object json) {
        return parseJson(type, json, TopologyStore.DEFAULT_MAX_MEMBERS);
    }

    public static TopologyEvent parseJson(String type, Object json, int maxElements) {
        Map<String, Object> root = asObject(json, "message body");
        Budget budget = new Budget(maxElements);
        try {
            switch (type) {
                case COMPLETE_TOPOLOGY:
                    return parseComplete(root, budget);
                case "ServiceCreatedEvent":
                    return new ServiceCreated(parseService(root, null, budget));
                case "ServiceRemovedEvent":
                    return new ServiceRemoved(name(root, "serviceName", true));
                case "ClusterCreatedEvent": {
                    DroppedParts.Collector dropped = new DroppedParts.Collector();
                    budget.cluster();
                    Cluster cluster = parseCluster(requiredObject(root, "cluster"), null, null, dropped, budget);
                    return new ClustersCreated(type, null, List.of(cluster), dropped.done());
                }
                case "ApplicationClustersCreatedEvent":
                    return parseApplicationClustersCreated(type, root, budget);
                case "ApplicationClustersRemovedEvent":
                    return parseApplicationClustersRemoved(type, root, budget);
                case "ClusterRemovedEvent":
                    return new ClustersRemoved(type, null, List.of(
                            new ClusterRef(name(root, "serviceName", true), name(root, "clusterId", true))));
                case "MemberCreatedEvent":
                    return parseMemberChange(type, MemberStatus.Created, root, false, false);
                case "MemberInitializedEvent":
                    return parseMemberChange(type, MemberStatus.Initialized, root, true, false);
                case "MemberStartedEvent":
                    return parseMemberChange(type, MemberStatus.Starting, root, false, false);
                case "MemberActivatedEvent":
                    return parseMemberChange(type, MemberStatus.Active, root, true, true);
                case "MemberSuspendedEvent":
                    return parseMemberChange(type, MemberStatus.Suspended, root, false, false);
                case "MemberMaintenanceModeEvent":
                    return parseMemberChange(type, MemberStatus.In_Maintenance, root, false, false);
                case "MemberReadyToShutdownEvent":
                    return parseMemberChange(type, MemberStatus.ReadyToShutDown, root, false, false);
                case "MemberTerminatedEvent":
                    return parseMemberChange(type, MemberStatus.Terminated, root, false, false);
                default:
                    throw new IllegalArgumentException("not a handled topology event type: " + Identifiers.quote(type));
            }
        } catch (InvalidValueException e) {
            // A record constructor refused a value the checks above let through: still a bad message.
            throw new RejectedException(RejectReason.INVALID_VALUE, e.getMessage());
        } catch (Budget.Exceeded e) {
            throw new RejectedException(RejectReason.TOO_MANY_ELEMENTS, e.getMessage());
        }
    }

    /**
     * Elements counted while one message is parsed. Exceeding it is not a bad part to leave out but the end of
     * the message, so it is not a {@link RejectedException} (which the per-part handlers catch).
     */
    private static final class Budget {
        private final int max;
        private int services;
        private int clusters;
        private int members;

        Budget(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("element limit must be positive");
            }
            this.max = max;
        }

        void service() {
            check(++services, "services");
        }

        void cluster() {
            check(++clusters, "clusters");
        }

        void member() {
            check(++members, "members");
        }

        private void check(int count, String what) {
            if (count > max) {
                throw new Exceeded("more than " + max + " " + what + " in one message ("
                        + TopologyStore.MAX_MEMBERS_KEY + " = " + max + ")");
            }
        }

        static final class Exceeded extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Exceeded(String message) {
                super(message, null, false, false);
            }
        }
    }

    // ------------------------------------------------------------------ complete topology

    private static Complete parseComplete(Map<String, Object> root, Budget budget) {
        Map<String, Object> topology = requiredObject(root, "topology");
        Map<String, Object> serviceMap = requiredObject(topology, "serviceMap");
        Map<String, Object> clusterMap = optionalObject(topology, "clusterMap");
        DroppedParts.Collector dropped = new DroppedParts.Collector();
        TreeMap<String, Service> services = new TreeMap<>();
        Set<String> droppedServices = new HashSet<>();
        for (Map.Entry<String, Object> e : serviceMap.entrySet()) {
            budget.service();
            DroppedParts.Collector inService = new DroppedParts.Collector();
            try {
                Map<String, Object> s = asObject(e.getValue(), "service " + Identifiers.quote(e.getKey()));
                Service service = parseService(s, inService, budget);
                requireSameKey("service", e.getKey(), service.serviceName());
                services.put(service.serviceName(), service);
                dropped.addAll(inService); // bad clusters and members of a service that is kept
            } catch (RejectedException ex) {
                droppedServices.add(e.getKey());
                dropped.add(new Rejection(ex.reason(), "service " + Identifiers.quote(e.getKey()) + ": " + ex.detail()));
            } catch (InvalidValueException ex) {
                droppedServices.add(e.getKey());
                dropped.add(new Rejection(RejectReason.INVALID_VALUE,
                        "service " + Identifiers.quote(e.getKey()) + ": " + ex.getMessage()));
            }
        }
        if (clusterMap != null) {
            addClustersFromClusterMap(clusterMap, services, droppedServices, dropped, budget);
        }
        return new Complete(new Topology(services, true), dropped.done());
    }

    /**
     * Clusters listed in the top-level clusterMap but missing from their service's clusterIdClusterMap. Both maps
     * are serialized from the same objects by Stratos, so a cluster present in both is taken from the service.
     */
    private static void addClustersFromClusterMap(Map<String, Object> clusterMap, TreeMap<String, Service> services,
                                                  Set<String> droppedServices, DroppedParts.Collector dropped,
                                                  Budget budget) {
        for (Map.Entry<String, Object> e : clusterMap.entrySet()) {
            String where = "clusterMap cluster " + Identifiers.quote(e.getKey());
            try {
                Map<String, Object> c = asObject(e.getValue(), where);
                String serviceName = name(c, "serviceName", true);
                if (droppedServices.contains(serviceName)) {
                    continue;
                }
                Service service = services.get(serviceName);
                if (service == null) {
                    throw new RejectedException(RejectReason.UNKNOWN_SERVICE,
                            "service " + Identifiers.quote(serviceName) + " not in serviceMap");
                }
                if (service.clusters().containsKey(e.getKey())) {
                    continue;
                }
                budget.cluster();
                Cluster cluster = parseCluster(c, serviceName, service.ports(), dropped, budget);
                requireSameKey("cluster", e.getKey(), cluster.clusterId());
                services.put(serviceName, service.withCluster(cluster));
            } catch (RejectedException ex) {
                dropped.add(new Rejection(ex.reason(), where + ": " + ex.detail()));
            } catch (InvalidValueException ex) {
                dropped.add(new Rejection(RejectReason.INVALID_VALUE, where + ": " + ex.getMessage()));
            }
        }
    }

    /**
     * @param dropped null for ServiceCreatedEvent (no clusters); inside a complete topology, where the service's
     *                bad clusters and members go (they are dropped, not fatal)
     */
    private static Service parseService(Map<String, Object> s, DroppedParts.Collector dropped, Budget budget) {
        String serviceName = name(s, "serviceName", true);
        String serviceType = name(s, "serviceType", false);
        SortedMap<Integer, Port> ports = ports(s);
        TreeMap<String, Cluster> clusters = new TreeMap<>();
        if (dropped != null) {
            Map<String, Object> clusterMap = optionalObject(s, "clusterIdClusterMap");
            if (clusterMap != null) {
                for (Map.Entry<String, Object> e : clusterMap.entrySet()) {
                    budget.cluster();
                    String where = "service " + Identifiers.quote(serviceName) + " cluster "
                            + Identifiers.quote(e.getKey());
                    try {
                        Cluster c = parseCluster(asObject(e.getValue(), where), serviceName,
                                ports == null ? PersistentSortedMap.empty() : ports, dropped, budget);
                        requireSameKey("cluster", e.getKey(), c.clusterId());
                        clusters.put(c.clusterId(), c);
                    } catch (RejectedException ex) {
                        dropped.add(new Rejection(ex.reason(), where + ": " + ex.detail()));
                    } catch (InvalidValueException ex) {
                        dropped.add(new Rejection(RejectReason.INVALID_VALUE, where + ": " + ex.getMessage()));
                    }
                }
            }
        }
        return new Service(serviceName, serviceType, ports, clusters);
    }

    /**
     * @param expectedService the enclosing service's name, or null for a cluster from a cluster event
     * @param servicePorts    the enclosing service's ports for members without their own, or null to leave
     *                        such members' ports empty (resolved when applied)
     * @param dropped         where bad members go: they are left out, the cluster is kept
     */
    private static Cluster parseCluster(Map<String, Object> c, String expectedService,
                                        SortedMap<Integer, Port> servicePorts, DroppedParts.Collector dropped,
                                        Budget budget) {
        String clusterId = name(c, "clusterId", true);
        String serviceName = name(c, "serviceName", true);
        if (expectedService != null && !expectedService.equals(serviceName)) {
            throw new RejectedException(RejectReason.INCONSISTENT, "cluster " + Identifiers.quote(clusterId)
                    + " has serviceName " + Identifiers.quote(serviceName) + " inside service "
                    + Identifiers.quote(expectedService));
        }
        String appId = name(c, "appId", false);
        boolean lb = bool(c, "isLbCluster");
        TreeMap<String, Member> members = new TreeMap<>();
        Map<String, Object> memberMap = optionalObject(c, "memberMap");
        if (memberMap != null) {
            for (Map.Entry<String, Object> e : memberMap.entrySet()) {
                budget.member();
                String where = "service " + Identifiers.quote(serviceName) + " cluster " + Identifiers.quote(clusterId)
                        + " member " + Identifiers.quote(e.getKey());
                try {
                    Member m = parseMember(asObject(e.getValue(), where), serviceName, clusterId, servicePorts);
                    requireSameKey("member", e.getKey(), m.memberId());
                    members.put(m.memberId(), m);
                } catch (RejectedException ex) {
                    dropped.add(new Rejection(ex.reason(), where + ": " + ex.detail()));
                } catch (InvalidValueException ex) {
                    dropped.add(new Rejection(RejectReason.INVALID_VALUE, where + ": " + ex.getMessage()));
                }
            }
        }
        return new Cluster(clusterId, serviceName, appId, lb, members);
    }

    /** A member inside a complete topology or a cluster: its status is the last entry of its state stack. */
    private static Member parseMember(Map<String, Object> m, String serviceName, String clusterId,
                                      SortedMap<Integer, Port> servicePorts) {
        String memberId = name(m, "memberId", true);
        String ownService = name(m, "serviceName", false);
        String ownCluster = name(m, "clusterId", false);
        if ((ownService != null && !ownService.equals(serviceName))
                || (ownCluster != null && !ownCluster.equals(clusterId))) {
            throw new RejectedException(RejectReason.INCONSISTENT, "member " + Identifiers.quote(memberId)
                    + " names service " + Identifiers.quote(ownService) + " cluster " + Identifiers.quote(ownCluster));
        }
        MemberStatus status = memberStatus(m);
        SortedMap<Integer, Port> ports = ports(m);
        if (ports == null) {
            ports = servicePorts;
        }
        return new Member(memberId, serviceName, clusterId, name(m, "networkPartitionId", false),
                name(m, "partitionId", false), status, ports,
                ip(m, "defaultPrivateIP", "memberPrivateIPs"), ip(m, "defaultPublicIP", "memberPublicIPs"),
                ipType(m));
    }

    private static MemberStatus memberStatus(Map<String, Object> m) {
        Map<String, Object> manager = optionalObject(m, "memberStateManager");
        String state;
        if (manager != null) {
            Object stack = manager.get("stateStack");
            if (stack == null) {
                throw new RejectedException(RejectReason.MISSING_FIELD, "memberStateManager.stateStack missing");
            }
            if (!(stack instanceof List<?> list)) {
                throw wrongType("memberStateManager.stateStack", "array", stack);
            }
            if (list.isEmpty()) {
                throw new RejectedException(RejectReason.MISSING_FIELD, "memberStateManager.stateStack is empty");
            }
            Object last = list.get(list.size() - 1);
            if (!(last instanceof String)) {
                throw wrongType("memberStateManager.stateStack entry", "string", last);
            }
            state = (String) last;
        } else {
            // Pre-4.1 senders had a plain status field.
            state = string(m, "status", false);
            if (state == null) {
                throw new RejectedException(RejectReason.MISSING_FIELD, "memberStateManager missing");
            }
        }
        return MemberStatus.fromWire(state).orElseThrow(() -> new RejectedException(RejectReason.INVALID_VALUE,
                "unknown member state " + Identifiers.quote(state)));
    }

    // ------------------------------------------------------------------ single events

    /** Bad clusters and bad members are left out, as in a complete topology. */
    private static ClustersCreated parseApplicationClustersCreated(String type, Map<String, Object> root,
                                                                   Budget budget) {
        String appId = name(root, "appId", false);
        List<?> list = requiredArray(root, "clusterList");
        List<Cluster> clusters = new ArrayList<>();
        DroppedParts.Collector dropped = new DroppedParts.Collector();
        for (int i = 0; i < list.size(); i++) {
            budget.cluster();
            String where = "clusterList[" + i + "]";
            try {
                clusters.add(parseCluster(asObject(list.get(i), where), null, null, dropped, budget));
            } catch (RejectedException ex) {
                dropped.add(new Rejection(ex.reason(), where + ": " + ex.detail()));
            } catch (InvalidValueException ex) {
                dropped.add(new Rejection(RejectReason.INVALID_VALUE, where + ": " + ex.getMessage()));
            }
        }
        return new ClustersCreated(type, appId, clusters, dropped.done());
    }

    private static ClustersRemoved parseApplicationClustersRemoved(String type, Map<String, Object> root,
                                                                   Budget budget) {
        String appId = name(root, "appId", false);
        List<?> list = requiredArray(root, "clusterData");
        List<ClusterRef> refs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            budget.cluster();
            Map<String, Object> d = asObject(list.get(i), "clusterData[" + i + "]");
            // ClusterDataHolder calls the service name "serviceType".
            refs.add(new ClusterRef(name(d, "serviceType", true), name(d, "clusterId", true)));
        }
        return new ClustersRemoved(type, appId, refs);
    }

    private static MemberChange parseMemberChange(String type, MemberStatus status, Map<String, Object> m,
                                                  boolean addresses, boolean ports) {
        String privateIp = null;
        String publicIp = null;
        if (addresses) {
            privateIp = ip(m, "defaultPrivateIP", "memberPrivateIPs");
            publicIp = ip(m, "defaultPublicIP", "memberPublicIPs");
        }
        return new MemberChange(type, status, name(m, "serviceName", true), name(m, "clusterId", true),
                name(m, "memberId", true), name(m, "networkPartitionId", false), name(m, "partitionId", false),
                ports ? ports(m) : null, privateIp, publicIp, ipType(m));
    }

    // ------------------------------------------------------------------ field access

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object v, String what) {
        if (v instanceof Map) {
            return (Map<String, Object>) v;
        }
        if (v == null) {
            throw new RejectedException(RejectReason.MISSING_FIELD, what + " is null");
        }
        throw wrongType(what, "object", v);
    }

    private static Map<String, Object> requiredObject(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new RejectedException(RejectReason.MISSING_FIELD, key + " missing");
        }
        return asObject(v, key);
    }

    private static Map<String, Object> optionalObject(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : asObject(v, key);
    }

    private static List<?> requiredArray(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new RejectedException(RejectReason.MISSING_FIELD, key + " missing");
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(key, "array", v);
        }
        return list;
    }

    private static String string(Map<String, Object> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw new RejectedException(RejectReason.MISSING_FIELD, key + " missing");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw wrongType(key, "string", v);
        }
        return (String) v;
    }

    /** A name field, strictly validated: it may end up in keepalived.conf comments, logs and the shell. */
    private static String name(Map<String, Object> m, String key, boolean required) {
        String v = string(m, key, required);
        if (v != null && !Identifiers.isValid(v)) {
            throw new RejectedException(RejectReason.INVALID_NAME, key + " " + Identifiers.quote(v)
                    + " (allowed: letters, digits and . _ - : @, at most " + Identifiers.MAX_LENGTH + " characters)");
        }
        return v;
    }

    private static boolean bool(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean)) {
            throw wrongType(key, "boolean", v);
        }
        return (Boolean) v;
    }

    private static IpType ipType(Map<String, Object> m) {
        String v = string(m, "loadBalancingIPType", false);
        if (v == null) {
            return null;
        }
        try {
            return IpType.parse(v);
        } catch (InvalidValueException e) {
            throw new RejectedException(RejectReason.INVALID_VALUE, "loadBalancingIPType " + Identifiers.quote(v));
        }
    }

    /**
     * The default address field, else the first entry of the list field, as a canonical unicast literal; null
     * when neither is given. Stratos sends "" for an unknown address in some paths: treated as absent.
     */
    private static String ip(Map<String, Object> m, String defaultKey, String listKey) {
        String text = string(m, defaultKey, false);
        String from = defaultKey;
        if (text == null || text.isEmpty()) {
            text = null;
            Object list = m.get(listKey);
            if (list != null) {
                if (!(list instanceof List<?> l)) {
                    throw wrongType(listKey, "array", list);
                }
                if (!l.isEmpty()) {
                    Object first = l.get(0);
                    if (!(first instanceof String)) {
                        throw wrongType(listKey + "[0]", "string", first);
                    }
                    text = (String) first;
                    from = listKey + "[0]";
                }
            }
            if (text == null || text.isEmpty()) {
                return null;
            }
        }
        if (IpLiterals.isScoped(text)) {
            throw new RejectedException(RejectReason.UNUSABLE_IP, from + " " + Identifiers.quote(text)
                    + " is scope-bound (zone id): not an address a real server can have");
        }
        InetAddress address;
        try {
            address = IpLiterals.parse(text);
        } catch (InvalidValueException e) {
            throw new RejectedException(RejectReason.INVALID_IP, from + ": " + e.getMessage());
        }
        IpLiterals.Kind kind = IpLiterals.kind(address);
        if (kind != IpLiterals.Kind.UNICAST) {
            throw new RejectedException(RejectReason.UNUSABLE_IP, from + " " + Identifiers.quote(text) + " is "
                    + kind.description() + ": not an address a real server can have");
        }
        return IpLiterals.format(address);
    }

    /** The portMap keyed by proxy port; null when absent or empty (the caller then falls back). */
    private static SortedMap<Integer, Port> ports(Map<String, Object> m) {
        Map<String, Object> portMap = optionalObject(m, "portMap");
        if (portMap == null || portMap.isEmpty()) {
            return null;
        }
        if (portMap.size() > MAX_PORTS_PER_MAP) {
            throw new RejectedException(RejectReason.TOO_MANY_ELEMENTS, "portMap has " + portMap.size()
                    + " entries, more than " + MAX_PORTS_PER_MAP);
        }
        TreeMap<Integer, Port> ports = new TreeMap<>();
        for (Map.Entry<String, Object> e : portMap.entrySet()) {
            String where = "portMap " + Identifiers.quote(e.getKey());
            Map<String, Object> p = asObject(e.getValue(), where);
            String protocol = string(p, "protocol", false);
            int value = portNumber(p, "value", where);
            int proxy = portNumber(p, "proxy", where);
            Port port;
            try {
                port = new Port(protocol, value, proxy);
            } catch (InvalidValueException ex) {
                throw new RejectedException(RejectReason.INVALID_PORT, where + ": " + ex.getMessage());
            }
            if (ports.put(proxy, port) != null) {
                throw new RejectedException(RejectReason.INVALID_PORT, where + ": proxy port " + proxy + " twice");
            }
        }
        return ports;
    }

    private static int portNumber(Map<String, Object> p, String key, String where) {
        Object v = p.get(key);
        if (v == null) {
            throw new RejectedException(RejectReason.MISSING_FIELD, where + ": " + key + " missing");
        }
        if (!(v instanceof Long n)) {
            if (v instanceof Number) {
                throw new RejectedException(RejectReason.INVALID_PORT, where + ": " + key + " "
                        + Identifiers.quote(v.toString()) + " is not an integer");
            }
            throw wrongType(where + " " + key, "number", v);
        }
        if (n < 1 || n > 65535) {
            throw new RejectedException(RejectReason.INVALID_PORT, where + ": " + key + " " + n
                    + " out of range 1-65535");
        }
        return n.intValue();
    }

    private static void requireSameKey(String what, String key, String id) {
        if (!key.equals(id)) {
            throw new RejectedException(RejectReason.INCONSISTENT, what + " map key " + Identifiers.quote(key)
                    + " differs from its id " + Identifiers.quote(id));
        }
    }

    private static RejectedException wrongType(String what, String expected, Object actual) {
        return new RejectedException(RejectReason.WRONG_TYPE, what + ": expected " + expected + ", got "
                + jsonType(actual));
    }

    private static String jsonType(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "object";
        }
        if (v instanceof List) {
            return "array";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        return "number";
    }
}
