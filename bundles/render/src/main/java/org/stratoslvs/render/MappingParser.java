package org.stratoslvs.render;

// the key names, the setting types and the shapes of values are RenderSettings'; these are its section parsers
import static org.stratoslvs.render.RenderSettings.*;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.config.SettingsReader;
import org.stratoslvs.core.validate.Identifiers;
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.core.validate.IpLiterals;

/** {@value RenderSettings#VIRTUALIP_SET}: the operator's mapping of service name → virtual IP, and VIP prefixes. */
final class MappingParser {

    private MappingParser() {
    }

    static SortedMap<String, VirtualIp> parse(SettingsReader r, int def4, int def6) {
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
}
