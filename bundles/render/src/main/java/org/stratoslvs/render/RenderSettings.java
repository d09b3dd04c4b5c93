package org.stratoslvs.render;

import java.net.InetAddress;
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
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.core.validate.IpLiterals;

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

    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    private static final Pattern ROUTER_ID_SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern AUTH_PASS = Pattern.compile("[A-Za-z0-9._+=@%^*~:,/-]{1,8}");
    private static final Pattern HTTP_PATH = Pattern.compile("/[A-Za-z0-9._~/%?=&+:@,;-]{0,255}");
    private static final Pattern HTTP_STATUS_ITEM = Pattern.compile("([1-5]\\d\\d)(?:-([1-5]\\d\\d))?");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{32}");

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

    private static final ServiceSettings BUILT_IN_SERVICE = new ServiceSettings("rr", LbKind.DR, null, null, 6,
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
        SortedMap<String, VirtualIp> vips = parseMapping(r, prefix4, prefix6);
        String routerId = r.matching(ROUTER_ID, ROUTER_ID_SHAPE,
                "must be 1-64 letters, digits and . _ - starting with a letter or digit", "the host name");
        String scriptUser = r.matching(SCRIPT_USER, USER, "must be a user name (lower case letters, digits, _ -)",
                "root");
        if (scriptUser == null) {
            scriptUser = "root";
        }
        VrrpSettings vrrp = parseVrrp(r, prefix4, prefix6);
        ServiceSettings defaults = parseService(r, BUILT_IN_SERVICE, false);

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

    private static SortedMap<String, VirtualIp> parseMapping(SettingsReader r, int def4, int def6) {
        SortedMap<String, VirtualIp> out = new TreeMap<>();
        if (!r.has(VIRTUALIP_SET)) {
            r.error(VIRTUALIP_SET + " is missing or empty: it is mandatory (e.g. \"tomcat|192.168.56.40\"); "
                    + "nothing is load balanced.");
            return out;
        }
        Map<String, Integer> prefixOfAddress = new TreeMap<>();
        // Split on commas only (arrays were joined with commas), so that an entry with a blank inside is
        // reported rather than silently split.
        List<String> all = List.of(r.text(VIRTUALIP_SET).split(",", -1));
        int n = 0;
        for (String entryRaw : all) {
            n++;
            String entry = entryRaw.strip();
            String where = VIRTUALIP_SET + " entry " + n + " " + Identifiers.quote(entry) + ": ";
            if (entry.isEmpty()) {
                r.error(where + "empty entry (stray comma?); skipped.");
                continue;
            }
            String[] parts = entry.split("\\|", -1);
            if (parts.length < 2) {
                r.error(where + "missing '|' between service name and virtual IP (expected svc|vip); skipped.");
                continue;
            }
            if (parts.length > 3) {
                r.error(where + "too many '|' (expected svc|vip or svc|vip|prefix); skipped.");
                continue;
            }
            String name = parts[0].strip();
            String ipText = parts[1].strip();
            String maskText = parts.length == 3 ? parts[2].strip() : null;
            int slash = ipText.indexOf('/');
            if (slash >= 0) {
                if (maskText != null) {
                    r.error(where + "prefix given twice (both /len and |mask); skipped.");
                    continue;
                }
                maskText = ipText.substring(slash + 1).strip();
                ipText = ipText.substring(0, slash).strip();
            }
            if (!Identifiers.isValid(name)) {
                r.error(where + "invalid service name " + Identifiers.quote(name)
                        + " (allowed: letters, digits and . _ - : @, starting with a letter or digit); skipped.");
                continue;
            }
            InetAddress address;
            try {
                address = IpLiterals.parse(ipText);
            } catch (InvalidValueException e) {
                r.error(where + "invalid IP " + Identifiers.quote(ipText) + " (" + e.getMessage() + "); skipped.");
                continue;
            }
            if (!IpLiterals.isUnicast(address) || address.isLoopbackAddress()) {
                r.error(where + "IP " + Identifiers.quote(ipText)
                        + " cannot be a virtual IP (unspecified, loopback, multicast or broadcast); skipped.");
                continue;
            }
            boolean v6 = IpLiterals.isIpv6(address);
            Integer prefix = v6 ? def6 : def4;
            if (maskText != null) {
                prefix = parsePrefix(maskText, v6);
                if (prefix == null) {
                    r.error(where + "invalid prefix " + Identifiers.quote(maskText) + " (expected a length "
                            + (v6 ? "1-128" : "1-32 or a contiguous dotted netmask") + "); skipped.");
                    continue;
                }
            }
            if (out.containsKey(name)) {
                r.error(where + "service " + name + " is already mapped to " + out.get(name).address()
                        + "; this entry is skipped.");
                continue;
            }
            String canonical = IpLiterals.format(address);
            Integer earlier = prefixOfAddress.get(canonical);
            if (earlier != null && !earlier.equals(prefix)) {
                r.error(where + "VIP " + canonical + " is already mapped with prefix /" + earlier
                        + "; using /" + earlier + " for this service too.");
                prefix = earlier;
            }
            prefixOfAddress.put(canonical, prefix);
            out.put(name, new VirtualIp(name, canonical, prefix, v6));
        }
        if (out.isEmpty() && n > 0) {
            r.error(VIRTUALIP_SET + " has no valid entry; nothing is load balanced.");
        }
        return out;
    }

    /** A prefix length, or for IPv4 a contiguous dotted netmask; null when invalid. */
    static Integer parsePrefix(String text, boolean v6) {
        int max = v6 ? 128 : 32;
        if (text.matches("\\d{1,3}")) {
            int p = Integer.parseInt(text);
            return p >= 1 && p <= max ? p : null;
        }
        if (!v6 && text.indexOf('.') > 0) {
            try {
                InetAddress mask = IpLiterals.parse(text);
                if (IpLiterals.isIpv6(mask)) {
                    return null;
                }
                byte[] b = mask.getAddress();
                int bits = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                int len = Integer.bitCount(bits);
                // contiguous: exactly the top len bits set
                int expected = len == 0 ? 0 : -1 << (32 - len);
                return len >= 1 && bits == expected ? len : null;
            } catch (InvalidValueException e) {
                return null;
            }
        }
        return null;
    }

    private static VrrpSettings parseVrrp(SettingsReader r, int prefix4, int prefix6) {
        String iface = r.matching(VRRP_INTERFACE, IFACE, "must be an interface name (1-15 letters, digits, _ . -)",
                "eth0");
        if (iface == null) {
            iface = "eth0";
        }
        VrrpState state = r.choice(VRRP_STATE, VrrpState.class, VrrpState.BACKUP);
        // 255 marks the address owner: keepalived then forces MASTER and drops nopreempt/preempt_delay, which
        // makes no sense for VIPs that float between directors
        int priority = r.integer(VRRP_PRIORITY, 100, 1, 254);
        int vrid = r.integer(VRRP_ROUTER_ID, 51, 1, 255);
        int advert = r.integer(VRRP_ADVERT_INT, 1, 1, 255);
        boolean nopreempt = r.bool(VRRP_NOPREEMPT, false);
        Integer preemptDelay = r.optionalInteger(VRRP_PREEMPT_DELAY, 0, 1000, "no preempt delay");
        if (nopreempt && state == VrrpState.MASTER) {
            r.error(VRRP_NOPREEMPT + " needs " + VRRP_STATE + " BACKUP (keepalived ignores it with MASTER); "
                    + "nopreempt is not rendered.");
            nopreempt = false;
        }
        if (preemptDelay != null && state == VrrpState.MASTER) {
            r.error(VRRP_PREEMPT_DELAY + " needs " + VRRP_STATE + " BACKUP (keepalived ignores it with MASTER); "
                    + "not rendered.");
            preemptDelay = null;
        } else if (preemptDelay != null && nopreempt) {
            r.error(VRRP_PREEMPT_DELAY + " cannot be combined with " + VRRP_NOPREEMPT + "; not rendered.");
            preemptDelay = null;
        }

        AuthType authType = r.choice(VRRP_AUTH_TYPE, AuthType.class, AuthType.NONE);
        Secret pass = null;
        String passText = r.text(VRRP_AUTH_PASS);
        if (authType != AuthType.NONE) {
            if (passText == null) {
                r.error(VRRP_AUTH_TYPE + " " + authType + " needs " + VRRP_AUTH_PASS
                        + "; no authentication is rendered (peers configured with a password will not accept "
                        + "this node's adverts).");
                authType = AuthType.NONE;
            } else if (!AUTH_PASS.matcher(passText).matches()) {
                // never quote the value: it is a secret
                r.error(VRRP_AUTH_PASS + " is invalid (must be 1-8 characters of letters, digits and ._+=@%^*~:,/-;"
                        + " keepalived uses only the first 8); no authentication is rendered (peers configured "
                        + "with a password will not accept this node's adverts).");
                authType = AuthType.NONE;
            } else {
                pass = new Secret(passText);
            }
        } else if (passText != null) {
            r.error(VRRP_AUTH_PASS + " is set but " + VRRP_AUTH_TYPE + " is none; the password is not used.");
        }

        List<String> srcs = new ArrayList<>();
        boolean src4 = false;
        boolean src6 = false;
        for (String s : r.list(VRRP_UNICAST_SRC, true)) {
            String ip = unicastIp(r, VRRP_UNICAST_SRC, s);
            if (ip == null) {
                continue;
            }
            boolean v6 = ip.indexOf(':') >= 0;
            if (v6 ? src6 : src4) {
                r.error(VRRP_UNICAST_SRC + " " + Identifiers.quote(s) + ": only one " + (v6 ? "IPv6" : "IPv4")
                        + " source address is possible; ignored.");
                continue;
            }
            src4 |= !v6;
            src6 |= v6;
            srcs.add(ip);
        }
        List<String> peers = new ArrayList<>();
        for (String s : r.list(VRRP_UNICAST_PEERS, true)) {
            String ip = unicastIp(r, VRRP_UNICAST_PEERS, s);
            if (ip == null) {
                continue;
            }
            if (srcs.contains(ip)) {
                r.error(VRRP_UNICAST_PEERS + " " + Identifiers.quote(s) + ": is this node's own "
                        + VRRP_UNICAST_SRC + "; ignored.");
            } else if (peers.contains(ip)) {
                r.error(VRRP_UNICAST_PEERS + " " + Identifiers.quote(s) + ": listed twice; ignored.");
            } else {
                peers.add(ip);
            }
        }
        if (peers.isEmpty() && !srcs.isEmpty()) {
            r.error(VRRP_UNICAST_SRC + " is set but " + VRRP_UNICAST_PEERS
                    + " has no valid peer; adverts stay multicast.");
            srcs.clear();
        }
        Collections.sort(peers);

        String vipDevice = r.matching(VRRP_VIP_DEVICE, IFACE,
                "must be an interface name (1-15 letters, digits, _ . -)", VRRP_INTERFACE);
        if (vipDevice == null) {
            vipDevice = iface;
        }
        List<String> track = new ArrayList<>();
        for (String t : r.list(VRRP_TRACK_INTERFACES, false)) {
            if (!IFACE.matcher(t).matches()) {
                r.error(VRRP_TRACK_INTERFACES + " entry " + Identifiers.quote(t)
                        + ": not an interface name; ignored.");
            } else if (t.equals(iface)) {
                r.error(VRRP_TRACK_INTERFACES + " entry " + t + ": is " + VRRP_INTERFACE
                        + " itself, which VRRP always tracks (keepalived rejects it); ignored.");
            } else if (!track.contains(t)) {
                track.add(t);
            }
        }
        Collections.sort(track);

        String master = r.scriptPath(VRRP_NOTIFY_MASTER);
        String backup = r.scriptPath(VRRP_NOTIFY_BACKUP);
        String fault = r.scriptPath(VRRP_NOTIFY_FAULT);
        String stop = r.scriptPath(VRRP_NOTIFY_STOP);
        Integer garpDelay = r.optionalInteger(VRRP_GARP_MASTER_DELAY, 0, 3600, "keepalived's default");
        Integer garpRepeat = r.optionalInteger(VRRP_GARP_MASTER_REPEAT, 1, 100, "keepalived's default");
        Integer garpRefresh = r.optionalInteger(VRRP_GARP_MASTER_REFRESH, 0, 86400, "keepalived's default");
        Integer garpRefreshRepeat = r.optionalInteger(VRRP_GARP_MASTER_REFRESH_REPEAT, 1, 100,
                "keepalived's default");
        Grouping grouping = r.choice(VRRP_GROUPING, Grouping.class, Grouping.SINGLE);
        boolean sync = r.bool(VRRP_SYNC_GROUP, false);
        return new VrrpSettings(iface, state, priority, vrid, advert, nopreempt, preemptDelay, authType, pass,
                List.copyOf(srcs), List.copyOf(peers), prefix4, prefix6, vipDevice, List.copyOf(track), master,
                backup, fault, stop, garpDelay, garpRepeat, garpRefresh, garpRefreshRepeat, grouping, sync);
    }

    private static String unicastIp(SettingsReader r, String key, String text) {
        try {
            InetAddress a = IpLiterals.parse(text);
            if (!IpLiterals.isUnicast(a) || a.isLoopbackAddress()) {
                r.error(key + " " + Identifiers.quote(text) + ": not a unicast address; ignored.");
                return null;
            }
            return IpLiterals.format(a);
        } catch (InvalidValueException e) {
            r.error(key + " " + Identifiers.quote(text) + ": invalid IP (" + e.getMessage() + "); ignored.");
            return null;
        }
    }

    /** Parses the overridable keys; absent keys take {@code base}'s values. */
    private static ServiceSettings parseService(SettingsReader r, ServiceSettings base, boolean perService) {
        String algo = r.text(LB_ALGO);
        if (algo != null && !LB_ALGORITHMS.contains(algo)) {
            r.error(LB_ALGO + " " + Identifiers.quote(algo) + ": not a scheduler keepalived knows (one of "
                    + String.join(", ", new java.util.TreeSet<>(LB_ALGORITHMS)) + "); using " + base.lbAlgo() + ".");
            algo = null;
        }
        if (algo == null) {
            algo = base.lbAlgo();
        }
        LbKind kind = r.choice(LB_KIND, LbKind.class, base.lbKind());
        Integer persistence = r.has(PERSISTENCE_TIMEOUT)
                ? r.optionalInteger(PERSISTENCE_TIMEOUT, 1, 2678400, "no persistence")
                : base.persistenceTimeout();
        Integer granularity = base.persistenceGranularity();
        String granText = r.text(PERSISTENCE_GRANULARITY);
        if (granText != null) {
            // a bare length serves both families (checked against the VIP's family when rendering)
            Integer g = granText.matches("\\d{1,3}") ? parsePrefix(granText, true) : parsePrefix(granText, false);
            if (g == null) {
                r.error(PERSISTENCE_GRANULARITY + " " + Identifiers.quote(granText)
                        + ": must be a prefix length (1-128) or an IPv4 dotted netmask; not rendered.");
            }
            granularity = g;
        }
        if (granularity != null && persistence == null) {
            r.error(PERSISTENCE_GRANULARITY + " has no effect without " + PERSISTENCE_TIMEOUT + "; not rendered.");
            granularity = null;
        }
        int delayLoop = r.integer(DELAY_LOOP, base.delayLoop(), 1, 86400);
        Integer quorum = r.has(QUORUM) ? r.optionalInteger(QUORUM, 1, 65535 * 1000, "keepalived's default")
                : base.quorum();
        Integer hysteresis = r.has(HYSTERESIS)
                ? r.optionalInteger(HYSTERESIS, 0, 65535 * 1000, "keepalived's default") : base.hysteresis();
        if (hysteresis != null && hysteresis >= (quorum == null ? 1 : quorum)) {
            r.error(HYSTERESIS + " " + hysteresis + " must be less than the quorum " + (quorum == null ? 1 : quorum)
                    + " (keepalived resets it); not rendered.");
            hysteresis = null;
        }
        SorryServer sorry = base.sorryServer();
        String sorryText = r.text(SORRY_SERVER);
        if (sorryText != null) {
            sorry = parseSorry(r, sorryText);
        }
        boolean alpha = r.bool(ALPHA, base.alpha());
        boolean omega = r.bool(OMEGA, base.omega());
        boolean inhibit = r.bool(INHIBIT_ON_FAILURE, base.inhibitOnFailure());
        boolean haSuspend = r.bool(HA_SUSPEND, base.haSuspend());
        Weights weights = base.weights().withStandard(r.integer(WEIGHT, base.weight(), Weights.MIN, Weights.MAX));
        if (r.has(WEIGHT_PARTITION)) {
            weights = new Weights(weights.standard(), parsePartitionWeights(r));
        }
        Check check = r.choice(CHECK, Check.class, base.check());
        UdpCheck udpCheck = r.choice(CHECK_UDP, UdpCheck.class, base.udpCheck());
        String path = r.matching(CHECK_HTTP_PATH, HTTP_PATH,
                "must be a URL path starting with / (letters, digits and ._~/%?=&+:@,;-)", base.httpPath());
        if (path == null) {
            path = base.httpPath();
        }
        String status = base.httpStatus();
        String statusText = r.text(CHECK_HTTP_STATUS);
        if (statusText != null) {
            status = parseStatus(statusText);
            if (status == null) {
                r.error(CHECK_HTTP_STATUS + " " + Identifiers.quote(statusText) + ": must be status codes or "
                        + "ranges 100-599 separated by blanks or commas, e.g. \"200-299 302\"; using "
                        + (base.httpStatus() == null ? "keepalived's default 200-299" : base.httpStatus()) + ".");
                status = base.httpStatus();
            }
        }
        String digest = base.httpDigest();
        if (r.has(CHECK_HTTP_DIGEST)) {
            digest = r.matching(CHECK_HTTP_DIGEST, DIGEST, "must be 32 hexadecimal digits (MD5, see genhash)",
                    "no digest");
            digest = digest == null ? null : digest.toLowerCase(java.util.Locale.ROOT);
        }
        String misc = base.miscPath();
        if (r.has(CHECK_MISC_PATH)) {
            misc = r.scriptPath(CHECK_MISC_PATH);
        }
        if (misc == null && check == Check.MISC_CHECK) {
            Check fallback = base.check() == Check.MISC_CHECK ? Check.TCP_CHECK : base.check();
            r.error(CHECK + " MISC_CHECK needs a valid " + CHECK_MISC_PATH + "; using " + fallback + ".");
            check = fallback;
        }
        if (misc == null && udpCheck == UdpCheck.MISC_CHECK) {
            UdpCheck fallback = base.udpCheck() == UdpCheck.MISC_CHECK ? UdpCheck.UDP_CHECK : base.udpCheck();
            r.error(CHECK_UDP + " MISC_CHECK needs a valid " + CHECK_MISC_PATH + "; using " + fallback + ".");
            udpCheck = fallback;
        }
        int connectTimeout = r.integer(CHECK_CONNECT_TIMEOUT, base.connectTimeout(), 1, 3600);
        int retry = r.integer(CHECK_RETRY, base.retry(), 0, 100);
        int delayBeforeRetry = r.integer(CHECK_DELAY_BEFORE_RETRY, base.delayBeforeRetry(), 1, 3600);
        IpType ipType = base.memberIpType();
        String ipTypeText = r.text(MEMBER_IP_TYPE);
        if (ipTypeText != null) {
            try {
                ipType = IpType.parse(ipTypeText.toLowerCase(java.util.Locale.ROOT));
            } catch (InvalidValueException e) {
                r.error(MEMBER_IP_TYPE + " " + Identifiers.quote(ipTypeText) + ": must be private or public; using "
                        + base.memberIpType().name().toLowerCase(java.util.Locale.ROOT) + ".");
            }
        }
        VrrpState state = null;
        Integer priority = null;
        Integer vrid = null;
        if (perService) {
            state = r.has(VRRP_STATE) ? r.choice(VRRP_STATE, VrrpState.class, null) : null;
            priority = r.optionalInteger(VRRP_PRIORITY, 1, 254, "the main setting");
            vrid = r.optionalInteger(VRRP_ROUTER_ID, 1, 255, "base + the service's index");
        }
        return new ServiceSettings(algo, kind, persistence, granularity, delayLoop, quorum, hysteresis, sorry,
                alpha, omega, inhibit, haSuspend, weights, check, udpCheck, path, status, digest, misc,
                connectTimeout, retry, delayBeforeRetry, ipType, state, priority, vrid);
    }

    /** {@code partitionId:weight} entries; a bad or repeated entry is reported and left out, the others stay. */
    private static java.util.SortedMap<String, Integer> parsePartitionWeights(SettingsReader r) {
        java.util.SortedMap<String, Integer> out = new java.util.TreeMap<>();
        for (String entry : r.list(WEIGHT_PARTITION, false)) {
            int colon = entry.lastIndexOf(':');
            String partition = colon < 0 ? "" : entry.substring(0, colon).strip();
            String weight = colon < 0 ? "" : entry.substring(colon + 1).strip();
            if (!Identifiers.isValid(partition) || !weight.matches("\\d{1,5}")
                    || Integer.parseInt(weight) < Weights.MIN || Integer.parseInt(weight) > Weights.MAX) {
                r.error(WEIGHT_PARTITION + " entry " + Identifiers.quote(entry) + ": must be partitionId:weight with "
                        + "a weight from " + Weights.MIN + " to " + Weights.MAX + "; ignored.");
            } else if (out.putIfAbsent(partition, Integer.parseInt(weight)) != null) {
                r.error(WEIGHT_PARTITION + " names partition " + Identifiers.quote(partition) + " twice; the first, "
                        + out.get(partition) + ", is used.");
            }
        }
        return out;
    }

    private static SorryServer parseSorry(SettingsReader r, String text) {
        String[] parts = text.strip().split("\\s+");
        String why = null;
        if (parts.length > 2) {
            why = "expected \"IP\" or \"IP PORT\"";
        } else {
            try {
                InetAddress a = IpLiterals.parse(parts[0]);
                if (!IpLiterals.isUnicast(a) || a.isLoopbackAddress()) {
                    why = "not a unicast address";
                } else {
                    Integer port = null;
                    if (parts.length == 2) {
                        if (!parts[1].matches("\\d{1,5}") || Integer.parseInt(parts[1]) < 1
                                || Integer.parseInt(parts[1]) > 65535) {
                            why = "port must be 1-65535";
                        } else {
                            port = Integer.parseInt(parts[1]);
                        }
                    }
                    if (why == null) {
                        return new SorryServer(IpLiterals.format(a), port, IpLiterals.isIpv6(a));
                    }
                }
            } catch (InvalidValueException e) {
                why = e.getMessage();
            }
        }
        r.error(SORRY_SERVER + " " + Identifiers.quote(text) + ": " + why + "; no sorry server.");
        return null;
    }

    /** Normalized "a b-c" text, or null when any item is invalid. */
    static String parseStatus(String text) {
        StringBuilder sb = new StringBuilder();
        String[] items = text.strip().split("[,\\s]+");
        if (items.length > 16) {
            return null;
        }
        for (String item : items) {
            java.util.regex.Matcher m = HTTP_STATUS_ITEM.matcher(item);
            if (!m.matches()) {
                return null;
            }
            if (m.group(2) != null && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1))) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(item);
        }
        return sb.toString();
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
            ServiceSettings s = parseService(r, defaults, true);
            if (vrrp.grouping() != Grouping.PER_SERVICE
                    && (s.vrrpState() != null || s.vrrpPriority() != null || s.vrrpRouterId() != null)) {
                r.error(VRRP_STATE + ", " + VRRP_PRIORITY + " and " + VRRP_ROUTER_ID + " apply per service only "
                        + "with " + VRRP_GROUPING + "=per-service; ignored.");
                s = withoutVrrp(s);
            }
            out.put(name, s);
        }
    }

    private static ServiceSettings withoutVrrp(ServiceSettings s) {
        return new ServiceSettings(s.lbAlgo(), s.lbKind(), s.persistenceTimeout(), s.persistenceGranularity(),
                s.delayLoop(), s.quorum(), s.hysteresis(), s.sorryServer(), s.alpha(), s.omega(),
                s.inhibitOnFailure(), s.haSuspend(), s.weights(), s.check(), s.udpCheck(), s.httpPath(),
                s.httpStatus(), s.httpDigest(), s.miscPath(), s.connectTimeout(), s.retry(), s.delayBeforeRetry(),
                s.memberIpType(), null, null, null);
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
