package org.stratoslvs.render;

// the key names, the setting types and the shapes of values are RenderSettings'; these are its section parsers
import static org.stratoslvs.render.RenderSettings.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.stratoslvs.core.config.SettingsReader;
import org.stratoslvs.core.validate.Identifiers;
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.core.validate.IpLiterals;

/** The {@code vrrp.*} keys of the main PID: one small parser per section, as keepalived's own keyword table. */
final class VrrpSettingsParser {

    private VrrpSettingsParser() {
    }

    static VrrpSettings parse(SettingsReader r, int prefix4, int prefix6) {
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
}
