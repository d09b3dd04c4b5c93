package org.stratoslvs.realserver;

/**
 * The virtual IP of a service plus, optionally, the prefix length that came with it.
 *
 * <p>Accepted spellings: {@code ADDR}, {@code ADDR|MASK}, {@code ADDR/MASK}, where MASK is a prefix length
 * ({@code 24}) or a contiguous netmask of the same family ({@code 255.255.255.0}, {@code ffff:ffff::}).
 * Stratos writes {@code <vip>|<netmask>} into the payload; {@code /} is accepted for the command line.
 */
public record VirtualIp(IpAddress address, Integer prefix) {

    public static VirtualIp parse(String text) throws ToolException {
        if (text == null || text.isEmpty()) {
            throw ToolException.invalidVip("empty virtual IP");
        }
        int bar = text.indexOf('|');
        int slash = text.indexOf('/');
        if (bar >= 0 && slash >= 0) {
            throw ToolException.invalidVip("use either '|' or '/' before the netmask, not both: "
                    + IpAddress.printable(text));
        }
        int sep = Math.max(bar, slash);
        if (sep >= 0 && text.indexOf(text.charAt(sep), sep + 1) >= 0) {
            throw ToolException.invalidVip("more than one netmask separator: " + IpAddress.printable(text));
        }
        String addressText = sep >= 0 ? text.substring(0, sep) : text;
        IpAddress address = IpAddress.parse(addressText);
        String unusable = address.unusableAsVipReason();
        if (unusable != null) {
            throw ToolException.invalidVip("cannot use " + address + " as a virtual IP: " + unusable);
        }
        if (sep < 0) {
            return new VirtualIp(address, null);
        }
        String maskText = text.substring(sep + 1);
        if (maskText.isEmpty()) {
            throw ToolException.invalidVip("netmask separator without a netmask: " + IpAddress.printable(text)
                    + " (omit the separator when there is no netmask)");
        }
        return new VirtualIp(address, parsePrefix(maskText, address));
    }

    private static int parsePrefix(String maskText, IpAddress address) throws ToolException {
        int max = address.hostPrefix();
        if (isAsciiDigits(maskText)) {
            if (maskText.length() > 3 || (maskText.length() > 1 && maskText.charAt(0) == '0')) {
                throw ToolException.invalidVip("invalid prefix length: " + IpAddress.printable(maskText));
            }
            int prefix = Integer.parseInt(maskText);
            checkPrefixRange(prefix, max, maskText);
            return prefix;
        }
        IpAddress mask;
        try {
            mask = IpAddress.parse(maskText);
        } catch (ToolException e) {
            throw ToolException.invalidVip("invalid netmask: " + IpAddress.printable(maskText));
        }
        if (mask.isIpv6() != address.isIpv6()) {
            throw ToolException.invalidVip("netmask " + mask + " is not of the same address family as " + address);
        }
        int prefix = contiguousPrefix(mask.bytes());
        if (prefix < 0) {
            throw ToolException.invalidVip("netmask " + mask + " is not contiguous (ones must be followed only by zeros)");
        }
        checkPrefixRange(prefix, max, maskText);
        return prefix;
    }

    private static void checkPrefixRange(int prefix, int max, String original) throws ToolException {
        if (prefix < 1 || prefix > max) {
            throw ToolException.invalidVip("prefix length must be 1.." + max + ": " + IpAddress.printable(original));
        }
    }

    /** Number of leading one bits, or -1 when a one bit follows a zero bit. */
    static int contiguousPrefix(byte[] mask) {
        int prefix = 0;
        boolean seenZero = false;
        for (byte b : mask) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean one = ((b >> bit) & 1) == 1;
                if (one && seenZero) {
                    return -1;
                }
                if (one) {
                    prefix++;
                } else {
                    seenZero = true;
                }
            }
        }
        return prefix;
    }

    private static boolean isAsciiDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    public boolean hasMask() {
        return prefix != null;
    }

    @Override
    public String toString() {
        return prefix == null ? address.toString() : address + "/" + prefix;
    }
}
