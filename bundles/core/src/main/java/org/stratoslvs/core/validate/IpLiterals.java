package org.stratoslvs.core.validate;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Strict IP literal parsing. Everything that reaches keepalived.conf as an address goes through here.
 *
 * <p>Why not {@code InetAddress.getByName}: it resolves host names (a DNS lookup driven by a topology message),
 * accepts zone ids, and silently turns {@code ::ffff:10.0.0.1} into an IPv4 address. We first match a strict
 * textual shape, then let the JDK build the address from a string that can no longer be a name, and reject
 * IPv4-mapped/compatible IPv6 forms outright.
 */
public final class IpLiterals {

    /** Dotted quad, decimal, no leading zeros (0127 could mean octal to some tools). */
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    /** Hex groups and colons only: no zone id, no embedded dotted quad, no brackets. */
    private static final Pattern IPV6_SHAPE = Pattern.compile("[0-9A-Fa-f:]{2,39}");

    private IpLiterals() {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws InvalidValueException with a reason naming what is wrong
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidValueException("empty IP address");
        }
        if (IPV4.matcher(text).matches()) {
            return build(text);
        }
        if (IPV6_SHAPE.matcher(text).matches() && text.indexOf(':') >= 0) {
            InetAddress address = build(text);
            if (!(address instanceof Inet6Address)) {
                throw new InvalidValueException("IPv4-mapped IPv6 address not accepted: " + Identifiers.quote(text));
            }
            byte[] b = address.getAddress();
            boolean leadingZeros = true;
            for (int i = 0; i < 10; i++) {
                leadingZeros &= b[i] == 0;
            }
            if (leadingZeros && (b[10] == 0 && b[11] == 0 || b[10] == (byte) 0xff && b[11] == (byte) 0xff)
                    && !address.isLoopbackAddress() && !address.isAnyLocalAddress()) {
                throw new InvalidValueException("IPv4-compatible/mapped IPv6 address not accepted: "
                        + Identifiers.quote(text));
            }
            return address;
        }
        throw new InvalidValueException("not an IP address literal: " + Identifiers.quote(text));
    }

    /** Canonical text of a parsed literal: IPv6 in its compressed lower-case form, IPv4 as dotted quad. */
    public static String canonical(String text) {
        return format(parse(text));
    }

    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        return compressIpv6(address.getAddress());
    }

    public static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address;
    }

    /** True for an address usable as a service or real-server address (not 0.0.0.0, multicast, broadcast). */
    public static boolean isUnicast(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        return !(b.length == 4 && (b[0] & 0xff) == 255 && (b[1] & 0xff) == 255 && (b[2] & 0xff) == 255
                && (b[3] & 0xff) == 255);
    }

    /**
     * What kind of address a parsed literal is, for the one question the topology asks: can keepalived and IPVS
     * send a virtual service's traffic to it as a real server? Only {@link #UNICAST} can; the others are refused
     * at parse time ({@code UNUSABLE_IP}), because keepalived either rejects them (an IPv6 link-local real server
     * needs a {@code bind_if}: the whole file would be refused) or accepts them and IPVS then does something no
     * operator wants (loopback is delivered to the director itself, multicast, broadcast and unspecified
     * addresses are nobody's).
     */
    public enum Kind {
        UNICAST("unicast"),
        /** 127.0.0.0/8 and ::1: the director itself, never a member reachable from it. */
        LOOPBACK("loopback"),
        /**
         * fe80::/10 and 169.254.0.0/16: valid on one link only. keepalived needs an interface for an IPv6 one;
         * an IPv4 one is what a host takes when it got no address (RFC 3927), not an address to balance to.
         */
        LINK_LOCAL("link-local"),
        MULTICAST("multicast"),
        /** 0.0.0.0 and ::. */
        UNSPECIFIED("unspecified"),
        /** 255.255.255.255. */
        BROADCAST("broadcast");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** Lower-case words for messages, e.g. {@code link-local}. */
        public String description() {
            return description;
        }
    }

    /** The {@link Kind} of a parsed address. */
    public static Kind kind(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return Kind.UNSPECIFIED;
        }
        if (address.isMulticastAddress()) {
            return Kind.MULTICAST;
        }
        if (address.isLoopbackAddress()) {
            return Kind.LOOPBACK;
        }
        if (address.isLinkLocalAddress()) {
            return Kind.LINK_LOCAL;
        }
        byte[] b = address.getAddress();
        if (b.length == 4 && (b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff) {
            return Kind.BROADCAST;
        }
        return Kind.UNICAST;
    }

    /**
     * True for an IPv6 literal with a zone id ({@code fe80::1%eth0}): a well-formed address that is bound to one
     * interface of the sender's host, and so never an address for anyone else. The zone is not looked at (the JDK
     * would look the interface up).
     */
    public static boolean isScoped(String text) {
        if (text == null) {
            return false;
        }
        int percent = text.indexOf('%');
        if (percent <= 0 || percent == text.length() - 1) {
            return false;
        }
        String address = text.substring(0, percent);
        if (!IPV6_SHAPE.matcher(address).matches() || address.indexOf(':') < 0) {
            return false;
        }
        try {
            return parse(address) instanceof Inet6Address;
        } catch (InvalidValueException e) {
            return false;
        }
    }

    private static InetAddress build(String literal) {
        try {
            // The shape check above guarantees a literal: getByName does not query DNS for literals.
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new InvalidValueException("not an IP address literal: " + Identifiers.quote(literal));
        }
    }

    /** RFC 5952 text: lower case, longest run (>1) of zero groups compressed to "::". */
    private static String compressIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] == 0) {
                int j = i;
                while (j < 8 && groups[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
