package org.stratoslvs.render;

// the key names, the setting types and the shapes of values are RenderSettings'; these are its section parsers
import static org.stratoslvs.render.RenderSettings.*;

import java.net.InetAddress;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.config.SettingsReader;
import org.stratoslvs.core.topology.IpType;
import org.stratoslvs.core.validate.Identifiers;
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.core.validate.IpLiterals;

/**
 * The virtual- and real-server keys ({@code lvs.*}, {@code member.ip.type}, and per service the VRRP state,
 * priority and router id): in the main PID over {@link RenderSettings#BUILT_IN_SERVICE}, in a per-service
 * configuration over the main PID's values.
 */
final class ServiceSettingsParser {

    private ServiceSettingsParser() {
    }

    /** Parses the overridable keys; absent keys take {@code base}'s values. */
    static ServiceSettings parse(SettingsReader r, ServiceSettings base, boolean perService) {
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
            Integer g = granText.matches("\\d{1,3}") ? MappingParser.parsePrefix(granText, true) : MappingParser.parsePrefix(granText, false);
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

    static ServiceSettings withoutVrrp(ServiceSettings s) {
        return new ServiceSettings(s.lbAlgo(), s.lbKind(), s.persistenceTimeout(), s.persistenceGranularity(),
                s.delayLoop(), s.quorum(), s.hysteresis(), s.sorryServer(), s.alpha(), s.omega(),
                s.inhibitOnFailure(), s.haSuspend(), s.weights(), s.check(), s.udpCheck(), s.httpPath(),
                s.httpStatus(), s.httpDigest(), s.miscPath(), s.connectTimeout(), s.retry(), s.delayBeforeRetry(),
                s.memberIpType(), null, null, null);
    }
}
