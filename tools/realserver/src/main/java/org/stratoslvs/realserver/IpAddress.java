package org.stratoslvs.realserver;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address parsed from a literal, never resolved.
 *
 * <p>{@link java.net.InetAddress#getByName} is deliberately not used: it accepts host names (DNS lookups), zone ids,
 * octal/shortened IPv4 forms on some paths, and silently turns {@code ::ffff:a.b.c.d} into an IPv4 address. The
 * parser here accepts only the textual forms of RFC 4291 section 2.2 and dotted-quad IPv4 without leading zeros,
 * built from ASCII characters only.
 */
public final class IpAddress {
    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static IpAddress parse(String text) throws ToolException {
        if (text == null || text.isEmpty()) {
            throw ToolException.invalidVip("empty IP address");
        }
        if (text.length() > 45) {
            throw ToolException.invalidVip("not an IP address literal (too long): " + printable(text));
        }
        byte[] parsed = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
        if (parsed == null) {
            throw ToolException.invalidVip("not a valid IP address literal: " + printable(text));
        }
        return new IpAddress(parsed);
    }

    /** Builds an address from raw bytes (4 or 16); used for netmasks computed from a prefix length. */
    static IpAddress ofBytes(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            throw new IllegalArgumentException("address length " + raw.length);
        }
        return new IpAddress(raw.clone());
    }

    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = parseDecimalOctet(parts[i]);
            if (value < 0) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    /** Returns the octet value, or -1. Leading zeros are refused because some parsers read them as octal. */
    private static int parseDecimalOctet(String part) {
        if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 255 ? value : -1;
    }

    private static byte[] parseIpv6(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!allowed) {
                return null; // rejects zone ids (%eth0), brackets, whitespace, prefixes
            }
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null; // two "::", or ":::"
        }
        String head = gap >= 0 ? text.substring(0, gap) : text;
        String tail = gap >= 0 ? text.substring(gap + 2) : "";
        int[] headGroups = parseGroups(head, gap < 0);
        int[] tailGroups = parseGroups(tail, true);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        if (gap >= 0 && head.indexOf('.') >= 0) {
            return null; // an embedded IPv4 part can only end the address
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        int[] groups = new int[8];
        System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, groups, 8 - tailGroups.length, tailGroups.length);
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return out;
    }

    /**
     * Parses colon-separated hex groups; the last one may be a dotted IPv4 (counted as two groups) when
     * {@code mayEndWithIpv4}. An empty string is zero groups; empty groups elsewhere are invalid.
     */
    private static int[] parseGroups(String part, boolean mayEndWithIpv4) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] fields = part.split(":", -1);
        int[] groups = new int[fields.length + 1];
        int count = 0;
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (field.indexOf('.') >= 0) {
                if (i != fields.length - 1 || !mayEndWithIpv4) {
                    return null;
                }
                byte[] v4 = parseIpv4(field);
                if (v4 == null) {
                    return null;
                }
                groups[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                groups[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (field.isEmpty() || field.length() > 4) {
                return null;
            }
            groups[count++] = Integer.parseInt(field, 16); // characters were checked to be hex digits
        }
        return Arrays.copyOf(groups, count);
    }

    public boolean isIpv6() {
        return bytes.length == 16;
    }

    /** 32 or 128: the prefix that makes the address a single host. */
    public int hostPrefix() {
        return bytes.length * 8;
    }

    byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Explains why this address cannot be a virtual IP bound on a real server, or returns null when it can.
     * These ranges either have special kernel meaning (loopback, multicast, link-local needs a zone) or are
     * alternate spellings of IPv4 addresses inside IPv6 (mapped, compatible) that would bypass the IPv4 rules.
     */
    public String unusableAsVipReason() {
        int b0 = bytes[0] & 0xff;
        int b1 = bytes[1] & 0xff;
        if (!isIpv6()) {
            if (b0 == 0) {
                return "0.0.0.0/8 is not a usable host address";
            }
            if (b0 == 127) {
                return "127.0.0.0/8 is loopback";
            }
            if (b0 == 169 && b1 == 254) {
                return "169.254.0.0/16 is link-local";
            }
            if (b0 >= 224 && b0 <= 239) {
                return "224.0.0.0/4 is multicast";
            }
            if (b0 >= 240) {
                return "240.0.0.0/4 is reserved (and contains the broadcast address)";
            }
            return null;
        }
        boolean first80Zero = true;
        for (int i = 0; i < 10; i++) {
            first80Zero &= bytes[i] == 0;
        }
        if (first80Zero && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
            return "IPv4-mapped IPv6 addresses (::ffff:0:0/96) are refused; give the IPv4 address itself";
        }
        if (first80Zero && bytes[10] == 0 && bytes[11] == 0) {
            return "::/96 (unspecified, loopback, deprecated IPv4-compatible) is not usable";
        }
        if (b0 == 0xff) {
            return "ff00::/8 is multicast";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "fe80::/10 is link-local";
        }
        return null;
    }

    /** Dotted quad, or RFC 5952 canonical IPv6 (lower case, longest run of two or more zero groups as "::"). */
    @Override
    public String toString() {
        if (!isIpv6()) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpAddress && Arrays.equals(bytes, ((IpAddress) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Makes hostile input visible in messages without letting control characters reach the terminal or logs. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int limit = Math.min(text.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (text.length() > limit) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
