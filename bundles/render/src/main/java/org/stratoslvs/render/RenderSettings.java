package org.stratoslvs.render;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.stratoslvs.core.config.SettingsReader;
import org.stratoslvs.api.Pids;
import org.stratoslvs.core.topology.IpType;
import org.stratoslvs.core.validate.Identifiers;

/**
 * The operator's settings for rendering keepalived.conf, immutable. Built by {@link #parse(Map, Collection)},
 * which never throws: every bad value is reported as a full sentence and replaced by its default, so that a
 * typo can never produce a file keepalived rejects. {@link #keys()} lists every key with its default and
 * meaning (the source for the .cfg file and the metatype).
 *
 * <p>Sources: the configuration PID {@code org.stratoslvs} (all keys), and any number of factory configurations
 * {@code org.stratoslvs.service-<name>}, each a map whose key {@code service} names a mapped service and whose
 * other keys override, for that service only, the keys marked "per service" in {@link #keys()}.
 *
 * <p>Secrets: {@code vrrp.auth.pass} is held in a {@link Secret}; neither {@link #toString()} nor any error
 * sentence ever contains it.
 *
 * <p>This class holds the key table and the settings types; each section has its own parser:
 * {@link MappingParser} (the mapping), {@link VrrpSettingsParser} ({@code vrrp.*}), {@link ServiceSettingsParser}
 * (virtual and real servers, main PID and per service). The key table's defaults and the built-in settings are
 * kept equal by RenderSettingsTest.
 */
public final class RenderSettings {

    /** The main PID's keys. Per-service factory configurations use {@link #SERVICE_KEY} plus overridable keys. */
    public static final String PID = Pids.MAIN;
    /** Factory PID of the per-service override configurations. */
    public static final String SERVICE_FACTORY_PID = Pids.SERVICE_FACTORY;
    /** The key of a per-service configuration naming the service it applies to. */
    public static final String SERVICE_KEY = "service";

    public static final String VIRTUALIP_SET = "lvs.service.virtualip.set";
    public static final String ROUTER_ID = "keepalived.router.id";
    public static final String SCRIPT_USER = "keepalived.script.user";
    public static final String VRRP_INTERFACE = "vrrp.interface";
    public static final String VRRP_STATE = "vrrp.state";
    public static final String VRRP_PRIORITY = "vrrp.priority";
    public static final String VRRP_ROUTER_ID = "vrrp.virtual.router.id";
    public static final String VRRP_ADVERT_INT = "vrrp.advert.int";
    public static final String VRRP_NOPREEMPT = "vrrp.nopreempt";
    public static final String VRRP_PREEMPT_DELAY = "vrrp.preempt.delay";
    public static final String VRRP_AUTH_TYPE = "vrrp.auth.type";
    public static final String VRRP_AUTH_PASS = "vrrp.auth.pass";
    public static final String VRRP_UNICAST_SRC = "vrrp.unicast.src.ip";
    public static final String VRRP_UNICAST_PEERS = "vrrp.unicast.peers";
    public static final String VRRP_VIP_PREFIX4 = "vrrp.vip.prefix.ipv4";
    public static final String VRRP_VIP_PREFIX6 = "vrrp.vip.prefix.ipv6";
    public static final String VRRP_VIP_DEVICE = "vrrp.vip.device";
    public static final String VRRP_TRACK_INTERFACES = "vrrp.track.interfaces";
    public static final String VRRP_NOTIFY_MASTER = "vrrp.notify.master";
    public static final String VRRP_NOTIFY_BACKUP = "vrrp.notify.backup";
    public static final String VRRP_NOTIFY_FAULT = "vrrp.notify.fault";
    public static final String VRRP_NOTIFY_STOP = "vrrp.notify.stop";
    public static final String VRRP_GARP_MASTER_DELAY = "vrrp.garp.master.delay";
    public static final String VRRP_GARP_MASTER_REPEAT = "vrrp.garp.master.repeat";
    public static final String VRRP_GARP_MASTER_REFRESH = "vrrp.garp.master.refresh";
    public static final String VRRP_GARP_MASTER_REFRESH_REPEAT = "vrrp.garp.master.refresh.repeat";
    public static final String VRRP_GROUPING = "vrrp.grouping";
    public static final String VRRP_SYNC_GROUP = "vrrp.sync.group";
    public static final String LB_ALGO = "lvs.lb.algo";
    public static final String LB_KIND = "lvs.lb.kind";
    public static final String PERSISTENCE_TIMEOUT = "lvs.persistence.timeout";
    public static final String PERSISTENCE_GRANULARITY = "lvs.persistence.granularity";
    public static final String DELAY_LOOP = "lvs.delay.loop";
    public static final String QUORUM = "lvs.quorum";
    public static final String HYSTERESIS = "lvs.hysteresis";
    public static final String SORRY_SERVER = "lvs.sorry.server";
    public static final String ALPHA = "lvs.alpha";
    public static final String OMEGA = "lvs.omega";
    public static final String INHIBIT_ON_FAILURE = "lvs.inhibit.on.failure";
    public static final String HA_SUSPEND = "lvs.ha.suspend";
    public static final String WEIGHT = "lvs.weight";
    public static final String WEIGHT_PARTITION = "lvs.weight.partition";
    public static final String CHECK = "lvs.check";
    public static final String CHECK_UDP = "lvs.check.udp";
    public static final String CHECK_HTTP_PATH = "lvs.check.http.path";
    public static final String CHECK_HTTP_STATUS = "lvs.check.http.status";
    public static final String CHECK_HTTP_DIGEST = "lvs.check.http.digest";
    public static final String CHECK_MISC_PATH = "lvs.check.misc.path";
    public static final String CHECK_CONNECT_TIMEOUT = "lvs.check.connect.timeout";
    public static final String CHECK_RETRY = "lvs.check.retry";
    public static final String CHECK_DELAY_BEFORE_RETRY = "lvs.check.delay.before.retry";
    public static final String MEMBER_IP_TYPE = "member.ip.type";

    /** Schedulers keepalived 2.2.7 accepts in {@code lvs_sched} (it rejects any other word). */
    public static final Set<String> LB_ALGORITHMS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh",
            "sed", "nq", "mh", "fo", "ovf", "twos");

    /** VRRP grouping of the VIPs. */
    public enum Grouping {
        /** All VIPs in one vrrp_instance: one failover unit. */
        SINGLE,
        /** One vrrp_instance per mapped service, virtual_router_id = base + the service's index. */
        PER_SERVICE
    }

    public enum VrrpState { MASTER, BACKUP }

    public enum AuthType { NONE, PASS, AH }

    public enum LbKind { DR, NAT, TUN }

    /** Health check of real servers on TCP ports. */
    public enum Check { TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, NONE }

    /** Health check of real servers on UDP ports (TCP_CHECK and HTTP checks cannot probe UDP). */
    public enum UdpCheck { UDP_CHECK, MISC_CHECK, NONE }

    /** One key: its name, default (as text, "" when none), whether a per-service configuration may set it. */
    public record Key(String name, String defaultValue, boolean perService, String meaning) {
    }

    /** A value that must never be printed; {@link #toString()} hides it. */
    public static final class Secret {
        private final String value;

        Secret(String value) {
            this.value = value;
        }

        /** The clear text, only for writing it into keepalived.conf. */
        public String reveal() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && s.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "(secret)";
        }
    }

    /**
     * A mapped service's virtual IP.
     *
     * @param address canonical IP literal
     * @param prefix  prefix length the VIP is added with on the director
     */
    public record VirtualIp(String serviceName, String address, int prefix, boolean ipv6) {
    }

    /** @param port null when the sorry server takes the virtual server's port */
    public record SorryServer(String address, Integer port, boolean ipv6) {
    }

    /**
     * Virtual- and real-server settings; the main PID gives the defaults, a per-service configuration overrides.
     * Null fields mean "not configured: keepalived's own default, nothing rendered".
     */
    public record ServiceSettings(String lbAlgo, LbKind lbKind, Integer persistenceTimeout,
                                  Integer persistenceGranularity, int delayLoop, Integer quorum, Integer hysteresis,
                                  SorryServer sorryServer, boolean alpha, boolean omega, boolean inhibitOnFailure,
                                  boolean haSuspend, Weights weights, Check check, UdpCheck udpCheck, String httpPath,
                                  String httpStatus, String httpDigest, String miscPath, int connectTimeout,
                                  int retry, int delayBeforeRetry, IpType memberIpType, VrrpState vrrpState,
                                  Integer vrrpPriority, Integer vrrpRouterId) {

        /** {@code lvs.weight}: the weight of members of a partition {@code lvs.weight.partition} does not name. */
        public int weight() {
            return weights.standard();
        }
    }

    /** VRRP settings (main PID only, except state/priority/router id per service with per-service grouping). */
    public record VrrpSettings(String iface, VrrpState state, int priority, int virtualRouterId, int advertInt,
                               boolean nopreempt, Integer preemptDelay, AuthType authType, Secret authPass,
                               List<String> unicastSrcIps, List<String> unicastPeers, int vipPrefix4,
                               int vipPrefix6, String vipDevice, List<String> trackInterfaces, String notifyMaster,
                               String notifyBackup, String notifyFault, String notifyStop, Integer garpMasterDelay,
                               Integer garpMasterRepeat, Integer garpMasterRefresh,
                               Integer garpMasterRefreshRepeat, Grouping grouping, boolean syncGroup) {

        public boolean hasScripts() {
            return notifyMaster != null || notifyBackup != null || notifyFault != null || notifyStop != null;
        }
    }

    /** What {@link #parse} returns: the settings and every problem found, each a full sentence. */
    public record Parsed(RenderSettings settings, List<String> errors) {
        public Parsed {
            errors = List.copyOf(errors);
        }
    }

    static final Pattern IFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    static final Pattern ROUTER_ID_SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    static final Pattern AUTH_PASS = Pattern.compile("[A-Za-z0-9._+=@%^*~:,/-]{1,8}");
    static final Pattern HTTP_PATH = Pattern.compile("/[A-Za-z0-9._~/%?=&+:@,;-]{0,255}");
    static final Pattern HTTP_STATUS_ITEM = Pattern.compile("([1-5]\\d\\d)(?:-([1-5]\\d\\d))?");
    static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{32}");

    private static final List<Key> KEYS = List.of(
            new Key(VIRTUALIP_SET, "", false, "MANDATORY. Service name to virtual IP, Stratos' format: "
                    + "svc|vip[,svc|vip...]; each entry may add the VIP's prefix: svc|vip|24, svc|vip/24 or "
                    + "svc|vip|255.255.255.0 (IPv4 and IPv6). Several services may share a VIP on different ports."),
            new Key(ROUTER_ID, "", false, "global_defs router_id (letters, digits . _ -); default: the host name."),
            new Key(SCRIPT_USER, "root", false, "User notify and MISC_CHECK scripts run as (must exist on the "
                    + "host); rendered with enable_script_security whenever any script is configured."),
            new Key(VRRP_INTERFACE, "eth0", false, "Interface the VRRP instances advertise on."),
            new Key(VRRP_STATE, "BACKUP", true, "Initial VRRP state, MASTER or BACKUP (with nopreempt: BACKUP on "
                    + "every node). Per service only with vrrp.grouping=per-service."),
            new Key(VRRP_PRIORITY, "100", true, "VRRP priority 1-254, highest wins (255 = address owner, not for floating VIPs). Per service only with "
                    + "vrrp.grouping=per-service (lets two directors each be MASTER for different services)."),
            new Key(VRRP_ROUTER_ID, "51", true, "virtual_router_id 1-255. With per-service grouping: the base, the "
                    + "n-th mapped service (sorted by name, from 0) gets base+n unless its own configuration pins "
                    + "one."),
            new Key(VRRP_ADVERT_INT, "1", false, "Advertisement interval, whole seconds 1-255 (VRRPv2 rejects "
                    + "fractions)."),
            new Key(VRRP_NOPREEMPT, "false", false, "Do not take over from a lower-priority MASTER (needs state "
                    + "BACKUP)."),
            new Key(VRRP_PREEMPT_DELAY, "", false, "Seconds 0-1000 to wait before preempting (needs state BACKUP "
                    + "and no nopreempt)."),
            new Key(VRRP_AUTH_TYPE, "none", false, "none, PASS or AH. Not rendered for IPv6 instances (VRRPv3 "
                    + "has no authentication)."),
            new Key(VRRP_AUTH_PASS, "", false, "SECRET. Password for auth type PASS/AH, 1-8 characters of "
                    + "letters, digits and ._+=@%^*~:,/- (keepalived silently cuts longer ones)."),
            new Key(VRRP_UNICAST_SRC, "", false, "unicast_src_ip: at most one IPv4 and one IPv6 address; each "
                    + "instance uses the one of its own family."),
            new Key(VRRP_UNICAST_PEERS, "", false, "Unicast peers (comma or blank separated IPs); when set, "
                    + "adverts go unicast to the peers of the instance's family instead of multicast."),
            new Key(VRRP_VIP_PREFIX4, "32", false, "Prefix length for IPv4 VIPs without their own (1-32)."),
            new Key(VRRP_VIP_PREFIX6, "128", false, "Prefix length for IPv6 VIPs without their own (1-128)."),
            new Key(VRRP_VIP_DEVICE, "", false, "Device the VIPs are added to; default: vrrp.interface."),
            new Key(VRRP_TRACK_INTERFACES, "", false, "Interfaces whose failure moves the instance to FAULT "
                    + "(comma separated; not vrrp.interface itself, which is always tracked)."),
            new Key(VRRP_NOTIFY_MASTER, "", false, "Absolute path of a script run on transition to MASTER."),
            new Key(VRRP_NOTIFY_BACKUP, "", false, "Absolute path of a script run on transition to BACKUP."),
            new Key(VRRP_NOTIFY_FAULT, "", false, "Absolute path of a script run on transition to FAULT."),
            new Key(VRRP_NOTIFY_STOP, "", false, "Absolute path of a script run when VRRP stops."),
            new Key(VRRP_GARP_MASTER_DELAY, "", false, "garp_master_delay, seconds 0-3600 (keepalived: 5)."),
            new Key(VRRP_GARP_MASTER_REPEAT, "", false, "garp_master_repeat 1-100 (keepalived: 5)."),
            new Key(VRRP_GARP_MASTER_REFRESH, "", false, "garp_master_refresh, seconds 0-86400 (keepalived: 0, "
                    + "off)."),
            new Key(VRRP_GARP_MASTER_REFRESH_REPEAT, "", false, "garp_master_refresh_repeat 1-100 (keepalived: "
                    + "1)."),
            new Key(VRRP_GROUPING, "single", false, "single: all VIPs in one vrrp_instance; per-service: one "
                    + "instance per mapped service."),
            new Key(VRRP_SYNC_GROUP, "false", false, "Put all instances in one vrrp_sync_group (fail over "
                    + "together); rendered only when there are at least two instances; notify scripts then go on "
                    + "the group."),
            new Key(LB_ALGO, "rr", true, "lvs_sched: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, "
                    + "twos."),
            new Key(LB_KIND, "DR", true, "lvs_method: DR, NAT or TUN. DR/TUN cannot remap ports: see the warning "
                    + "for services whose member port differs from the proxy port."),
            new Key(PERSISTENCE_TIMEOUT, "", true, "persistence_timeout seconds 1-2678400; unset: no "
                    + "persistence."),
            new Key(PERSISTENCE_GRANULARITY, "", true, "Prefix length (IPv4 1-32 or a dotted netmask, IPv6 "
                    + "1-128) clients are grouped by for persistence; needs lvs.persistence.timeout."),
            new Key(DELAY_LOOP, "6", true, "Seconds between health checks 1-86400."),
            new Key(QUORUM, "", true, "Minimum total weight of live real servers (keepalived: 1); lowered to "
                    + "the total weight when fewer members exist (warning)."),
            new Key(HYSTERESIS, "", true, "Quorum hysteresis, less than the quorum (keepalived: 0)."),
            new Key(SORRY_SERVER, "", true, "sorry_server \"IP [PORT]\" used when the quorum is lost; the family "
                    + "must match the VIP's; with DR/TUN the port is always the virtual port."),
            new Key(ALPHA, "false", true, "Real servers start down until their first check succeeds."),
            new Key(OMEGA, "false", true, "Run quorum/down notifiers on shutdown."),
            new Key(INHIBIT_ON_FAILURE, "false", true, "Failed real servers get weight 0 instead of removal "
                    + "(existing connections drain)."),
            new Key(HA_SUSPEND, "false", true, "Suspend health checks while the VIP is not on this director."),
            new Key(WEIGHT, "1", true, "Real server weight 1-65535."),
            new Key(WEIGHT_PARTITION, "", true, "Weights by Stratos partition, \"partitionId:weight,...\" (weight "
                    + "1-65535): members of a listed partition get its weight, all others lvs.weight. For the "
                    + "weighted schedulers (wrr, wlc, sed, ...)."),
            new Key(CHECK, "TCP_CHECK", true, "Health check on TCP ports: TCP_CHECK, HTTP_GET (SSL_GET on ports "
                    + "whose protocol is https), SSL_GET, MISC_CHECK or NONE."),
            new Key(CHECK_UDP, "UDP_CHECK", true, "Health check on UDP ports: UDP_CHECK, MISC_CHECK or NONE."),
            new Key(CHECK_HTTP_PATH, "/", true, "URL path for HTTP_GET/SSL_GET."),
            new Key(CHECK_HTTP_STATUS, "", true, "Accepted status codes/ranges, e.g. \"200\" or \"200-299 302\" "
                    + "(keepalived: 200-299)."),
            new Key(CHECK_HTTP_DIGEST, "", true, "Optional MD5 of the body (32 hex digits, genhash)."),
            new Key(CHECK_MISC_PATH, "", true, "Absolute path of the MISC_CHECK program (no arguments); required "
                    + "for MISC_CHECK."),
            new Key(CHECK_CONNECT_TIMEOUT, "3", true, "Check connect timeout, seconds 1-3600 (misc_timeout for "
                    + "MISC_CHECK)."),
            new Key(CHECK_RETRY, "2", true, "Retries before a real server is declared down, 0-100."),
            new Key(CHECK_DELAY_BEFORE_RETRY, "2", true, "Seconds between retries, 1-3600."),
            new Key(MEMBER_IP_TYPE, "private", true, "Which member address real servers use when the member does "
                    + "not say (loadBalancingIPType): private or public."));

    private static final Map<String, Key> KEY_INDEX;

    static {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : KEYS) {
            m.put(k.name(), k);
        }
        KEY_INDEX = Collections.unmodifiableMap(m);
    }

    static final ServiceSettings BUILT_IN_SERVICE = new ServiceSettings("rr", LbKind.DR, null, null, 6,
            null, null, null, false, false, false, false, Weights.of(1), Check.TCP_CHECK, UdpCheck.UDP_CHECK, "/", null, null,
            null, 3, 2, 2, IpType.PRIVATE, null, null, null);

    private final SortedMap<String, VirtualIp> virtualIps;
    private final String routerId;
    private final String scriptUser;
    private final VrrpSettings vrrp;
    private final ServiceSettings defaults;
    private final SortedMap<String, ServiceSettings> overrides;

    private RenderSettings(SortedMap<String, VirtualIp> virtualIps, String routerId, String scriptUser,
                           VrrpSettings vrrp, ServiceSettings defaults,
                           SortedMap<String, ServiceSettings> overrides) {
        this.virtualIps = Collections.unmodifiableSortedMap(new TreeMap<>(virtualIps));
        this.routerId = routerId;
        this.scriptUser = scriptUser;
        this.vrrp = vrrp;
        this.defaults = defaults;
        this.overrides = Collections.unmodifiableSortedMap(new TreeMap<>(overrides));
    }

    /** Every key with default and meaning, in documentation order. */
    public static List<Key> keys() {
        return KEYS;
    }

    /** Mapped services by name (sorted). */
    public SortedMap<String, VirtualIp> virtualIps() {
        return virtualIps;
    }

    /** router_id or null. */
    public String routerId() {
        return routerId;
    }

    public String scriptUser() {
        return scriptUser;
    }

    public VrrpSettings vrrp() {
        return vrrp;
    }

    /** Settings of services without an override configuration. */
    public ServiceSettings defaults() {
        return defaults;
    }

    /** Effective settings of a service. */
    public ServiceSettings forService(String serviceName) {
        ServiceSettings s = overrides.get(serviceName);
        return s == null ? defaults : s;
    }

    /** Services with their own configuration. */
    public Set<String> overriddenServices() {
        return overrides.keySet();
    }

    /** True when any notify or MISC_CHECK script is configured: script security must then be rendered. */
    public boolean hasScripts() {
        if (vrrp.hasScripts() || usesMisc(defaults)) {
            return true;
        }
        for (ServiceSettings s : overrides.values()) {
            if (usesMisc(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean usesMisc(ServiceSettings s) {
        return s.check() == Check.MISC_CHECK || s.udpCheck() == UdpCheck.MISC_CHECK;
    }

    /** Settings with only the mapping given and every other key at its default (handy for tests and tools). */
    public static Parsed defaultsWithMapping(String mapping) {
        return parse(Map.of(VIRTUALIP_SET, mapping), List.of());
    }

    /**
     * Parses the main PID's properties and the per-service configurations. Never throws.
     *
     * @param props            the {@code org.stratoslvs} properties (String or typed values); null = empty
     * @param serviceOverrides one map per {@code org.stratoslvs.service-*} configuration; null = none
     */
    public static Parsed parse(Map<String, ?> props, Collection<? extends Map<String, ?>> serviceOverrides) {
        List<String> errors = new ArrayList<>();
        SettingsReader r = new SettingsReader(props, "", errors);
        reportUnknownKeys(props, r, false);

        int prefix4 = r.integer(VRRP_VIP_PREFIX4, 32, 1, 32);
        int prefix6 = r.integer(VRRP_VIP_PREFIX6, 128, 1, 128);
        SortedMap<String, VirtualIp> vips = MappingParser.parse(r, prefix4, prefix6);
        String routerId = r.matching(ROUTER_ID, ROUTER_ID_SHAPE,
                "must be 1-64 letters, digits and . _ - starting with a letter or digit", "the host name");
        String scriptUser = r.matching(SCRIPT_USER, USER, "must be a user name (lower case letters, digits, _ -)",
                "root");
        if (scriptUser == null) {
            scriptUser = "root";
        }
        VrrpSettings vrrp = VrrpSettingsParser.parse(r, prefix4, prefix6);
        ServiceSettings defaults = ServiceSettingsParser.parse(r, BUILT_IN_SERVICE, false);

        SortedMap<String, ServiceSettings> overrides = new TreeMap<>();
        if (serviceOverrides != null) {
            parseOverrides(serviceOverrides, vips, defaults, vrrp, errors, overrides);
        }
        return new Parsed(new RenderSettings(vips, routerId, scriptUser, vrrp, defaults, overrides), errors);
    }

    private static void reportUnknownKeys(Map<String, ?> props, SettingsReader r, boolean perService) {
        if (props == null) {
            return;
        }
        // Only our own prefixes: Config Admin adds service.pid, felix.fileinstall.filename and the like.
        for (String key : new TreeMap<>(props).keySet()) {
            if (!(key.startsWith("lvs.") || key.startsWith("vrrp.") || key.startsWith("keepalived.")
                    || key.startsWith("member."))) {
                continue;
            }
            Key k = KEY_INDEX.get(key);
            if (k == null && !perService && key.startsWith("keepalived.")) {
                continue; // keepalived control's keys, checked by its own settings
            }
            if (k == null) {
                r.error("unknown key " + Identifiers.quote(key) + " is ignored (misspelt?).");
            } else if (perService && !k.perService()) {
                r.error("key " + key + " cannot be set per service and is ignored; set it in " + PID + ".");
            }
        }
    }

    private static void parseOverrides(Collection<? extends Map<String, ?>> configs, Map<String, VirtualIp> vips,
                                       ServiceSettings defaults, VrrpSettings vrrp, List<String> errors,
                                       SortedMap<String, ServiceSettings> out) {
        // Group by service first: configurations arrive in no defined order, so a service configured twice is
        // ambiguous and neither configuration is used (taking "the first" would not be deterministic).
        SortedMap<String, List<Map<String, ?>>> byService = new TreeMap<>();
        for (Map<String, ?> config : configs) {
            if (config == null) {
                continue;
            }
            SettingsReader probe = new SettingsReader(config, "", new ArrayList<>()); // errors come below
            String name = probe.text(SERVICE_KEY);
            if (name == null) {
                errors.add("A per-service configuration (" + SERVICE_FACTORY_PID + "-*) has no \"" + SERVICE_KEY
                        + "\" key naming its service; ignored.");
                continue;
            }
            if (!Identifiers.isValid(name)) {
                errors.add("A per-service configuration names the invalid service " + Identifiers.quote(name)
                        + "; ignored.");
                continue;
            }
            byService.computeIfAbsent(name, k -> new ArrayList<>()).add(config);
        }
        for (Map.Entry<String, List<Map<String, ?>>> e : byService.entrySet()) {
            String name = e.getKey();
            String context = "Per-service configuration for " + name + ": ";
            if (e.getValue().size() > 1) {
                errors.add(context + e.getValue().size() + " configurations name this service; all of them are "
                        + "ignored until only one remains.");
                continue;
            }
            if (!vips.containsKey(name)) {
                errors.add(context + "the service is not in " + VIRTUALIP_SET + "; ignored.");
                continue;
            }
            SettingsReader r = new SettingsReader(e.getValue().get(0), context, errors);
            reportUnknownKeys(e.getValue().get(0), r, true);
            ServiceSettings s = ServiceSettingsParser.parse(r, defaults, true);
            if (vrrp.grouping() != Grouping.PER_SERVICE
                    && (s.vrrpState() != null || s.vrrpPriority() != null || s.vrrpRouterId() != null)) {
                r.error(VRRP_STATE + ", " + VRRP_PRIORITY + " and " + VRRP_ROUTER_ID + " apply per service only "
                        + "with " + VRRP_GROUPING + "=per-service; ignored.");
                s = ServiceSettingsParser.withoutVrrp(s);
            }
            out.put(name, s);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RenderSettings s && s.virtualIps.equals(virtualIps)
                && Objects.equals(s.routerId, routerId) && s.scriptUser.equals(scriptUser) && s.vrrp.equals(vrrp)
                && s.defaults.equals(defaults) && s.overrides.equals(overrides);
    }

    @Override
    public int hashCode() {
        return Objects.hash(virtualIps, routerId, scriptUser, vrrp, defaults, overrides);
    }

    /** Never contains the VRRP password ({@link Secret} prints as "(secret)"). */
    @Override
    public String toString() {
        return "RenderSettings[virtualIps=" + virtualIps.values() + ", routerId=" + routerId + ", scriptUser="
                + scriptUser + ", vrrp=" + vrrp + ", defaults=" + defaults + ", overrides=" + overrides + "]";
    }
}
