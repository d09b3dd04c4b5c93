package org.stratoslvs.realserver;

import java.util.regex.Pattern;

/** Validation of the names that end up as arguments of ip/sysctl. */
public final class Names {
    /**
     * Linux allows almost any byte in an interface name; this is the conservative subset that is safe as a single
     * argv element, as a sysctl path component and in messages. 15 characters is IFNAMSIZ - 1. A leading letter or
     * digit keeps the name from being read as an option by ip.
     */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    /** ip netns names become file names under /run/netns. */
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private Names() {
    }

    public static String interfaceName(String name) throws ToolException {
        if (name == null || !INTERFACE.matcher(name).matches()) {
            throw ToolException.usage("invalid interface name " + IpAddress.printable(String.valueOf(name))
                    + ": use 1-15 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }
        // "all" and "default" are the names of the non-interface entries under /proc/sys/net/ipv4/conf.
        if (name.equals("all") || name.equals("default")) {
            throw ToolException.usage("interface name " + name + " clashes with net.ipv4.conf." + name);
        }
        return name;
    }

    public static String netnsName(String name) throws ToolException {
        if (name == null || !NETNS.matcher(name).matches()) {
            throw ToolException.usage("invalid network namespace name " + IpAddress.printable(String.valueOf(name))
                    + ": use 1-64 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }
        return name;
    }
}
