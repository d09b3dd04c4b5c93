package org.stratoslvs.realserver;

import java.util.Set;

/**
 * One of the two IPv4 ARP sysctls LVS-DR needs, for one scope ({@code all} or an interface name).
 *
 * <p>The kernel applies the maximum of {@code conf.all.X} and {@code conf.<dev>.X} for both settings, so any
 * acceptable value in each scope gives acceptable behaviour. For arp_ignore, 1 (reply only for addresses on the
 * receiving interface), 2 (and only from the same subnet) and 8 (never reply) all keep a VIP held on lo/dummy
 * unanswered, so a stricter value set by the admin is left alone; 3 would still answer for a global VIP.
 * For arp_announce only 2 (always use the best local address for the outgoing interface) keeps the VIP out of
 * ARP requests the server sends.
 */
public record ArpSysctl(String scope, Param param) {

    public enum Param {
        ARP_IGNORE("arp_ignore", 1, Set.of(1, 2, 8)),
        ARP_ANNOUNCE("arp_announce", 2, Set.of(2));

        private final String sysctlName;
        private final int target;
        private final Set<Integer> acceptable;

        Param(String sysctlName, int target, Set<Integer> acceptable) {
            this.sysctlName = sysctlName;
            this.target = target;
            this.acceptable = acceptable;
        }

        public String sysctlName() {
            return sysctlName;
        }

        public int target() {
            return target;
        }

        public boolean acceptable(int value) {
            return acceptable.contains(value);
        }

        static Param bySysctlName(String name) {
            for (Param p : values()) {
                if (p.sysctlName.equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    public static final String ALL = "all";

    /** Slash form, which sysctl(8) accepts and which keeps dots in interface names (eth0.100) unambiguous. */
    public String path() {
        return "net/ipv4/conf/" + scope + "/" + param.sysctlName();
    }

    /** The conventional dotted name, for people. */
    public String displayName() {
        return "net.ipv4.conf." + scope + "." + param.sysctlName();
    }

    @Override
    public String toString() {
        return displayName();
    }
}
