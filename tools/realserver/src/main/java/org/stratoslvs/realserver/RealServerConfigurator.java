package org.stratoslvs.realserver;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** apply / remove / status. Inputs are already validated; every refusal happens before the first change. */
public final class RealServerConfigurator {
    public static final String DEFAULT_INTERFACE = "lvs0";
    static final String LOOPBACK = "lo";

    private final NetworkSystem system;
    private final StateStore store;
    private final PrintStream out;

    public RealServerConfigurator(NetworkSystem system, StateStore store, PrintStream out) {
        this.system = system;
        this.store = store;
        this.out = out;
    }

    /**
     * Binds the VIP on a dummy interface (or lo when the kernel has no dummy driver) and suppresses ARP for it.
     *
     * @param requestedInterface null for the default
     * @param useMask bind with the netmask that came with the VIP instead of a host prefix
     */
    public ExitCode apply(VirtualIp vip, String requestedInterface, boolean useMask) throws ToolException {
        IpAddress address = vip.address();
        int prefix = bindPrefix(vip, useMask);
        if (!useMask && vip.hasMask() && vip.prefix() != prefix) {
            out.println("note: binding " + address + "/" + prefix + ", not /" + vip.prefix() + ": the netmask describes"
                    + " the director's network; a real server only needs the VIP itself (--use-mask binds /"
                    + vip.prefix() + ")");
        }
        Optional<RealServerState> existing = store.load();
        RealServerState state;
        if (existing.isPresent()) {
            state = existing.get();
            checkNamespace(state);
            if (!state.vip().equals(address) || state.prefix() != prefix) {
                throw ToolException.refused("state file " + store.path() + " records VIP " + state.vip() + "/"
                        + state.prefix() + ", not " + address + "/" + prefix
                        + "; run remove first (one VIP per state file)");
            }
            if (requestedInterface != null && !requestedInterface.equals(state.requestedInterface())) {
                throw ToolException.refused("state file " + store.path() + " records interface "
                        + state.requestedInterface() + ", not " + requestedInterface + "; run remove first");
            }
        } else {
            String name = requestedInterface != null ? requestedInterface : DEFAULT_INTERFACE;
            state = new RealServerState(system.netns(), address, prefix, name, name);
        }

        String interfaceName = state.interfaceName();
        List<NetworkSystem.AddressEntry> placements = system.addressesOf(address);
        checkPlacements(placements, interfaceName, prefix);
        Optional<NetworkSystem.LinkInfo> link = system.link(interfaceName);
        checkLink(link, interfaceName, address, prefix);

        int changes = 0;
        if (link.isEmpty()) {
            if (system.createDummy(interfaceName) == NetworkSystem.DummyCreation.CREATED) {
                state.interfaceCreated(true);
                store.save(state);
                changes++;
                out.println("created dummy interface " + interfaceName);
                link = Optional.of(new NetworkSystem.LinkInfo(interfaceName, NetworkSystem.LinkKind.DUMMY, false));
            } else {
                out.println("this kernel cannot create dummy interfaces (no dummy driver); falling back to "
                        + LOOPBACK + " for " + address);
                interfaceName = LOOPBACK;
                // The refusals that depend on the interface are re-checked; nothing has been changed yet.
                checkPlacements(placements, interfaceName, prefix);
                link = system.link(interfaceName);
                checkLink(link, interfaceName, address, prefix);
                if (link.isEmpty()) {
                    throw ToolException.commandFailed("no " + LOOPBACK + " interface found");
                }
                state.interfaceName(interfaceName);
            }
        }

        if (address.isIpv6()) {
            out.println("IPv6 VIP: no ARP sysctls needed; Linux answers neighbour solicitations only for addresses"
                    + " on the receiving interface, so a VIP on " + interfaceName + " is not advertised");
        } else {
            for (ArpSysctl key : arpSysctls(interfaceName)) {
                int current = system.readSysctl(key);
                if (key.param().acceptable(current)) {
                    out.println("unchanged: " + key + " = " + current);
                    continue;
                }
                system.writeSysctl(key, key.param().target());
                state.recordPreviousSysctl(key, current);
                store.save(state);
                changes++;
                out.println("set " + key + " = " + key.param().target() + " (was " + current + ")");
            }
        }

        if (!link.get().up()) {
            system.setLinkUp(interfaceName, true);
            if (!state.interfaceCreated()) {
                state.linkSetUp(true);
                store.save(state);
            }
            changes++;
            out.println("set " + interfaceName + " up");
        }

        if (onInterface(placements, interfaceName).isPresent()) {
            out.println("unchanged: " + address + "/" + prefix + " already on " + interfaceName);
        } else {
            system.addAddress(address, prefix, interfaceName);
            state.addressAdded(true);
            changes++;
            out.println("added " + address + "/" + prefix + " to " + interfaceName);
        }
        store.save(state);
        if (changes == 0) {
            out.println("apply: already in place, nothing changed (state: " + store.path() + ")");
        } else {
            out.println("apply: " + changes + " change(s) made, recorded in " + store.path());
        }
        return ExitCode.OK;
    }

    private static int bindPrefix(VirtualIp vip, boolean useMask) throws ToolException {
        int host = vip.address().hostPrefix();
        if (useMask) {
            if (!vip.hasMask()) {
                throw ToolException.usage("--use-mask was given but " + vip.address() + " comes without a netmask");
            }
            return vip.prefix();
        }
        return host;
    }

    private void checkNamespace(RealServerState state) throws ToolException {
        if (!Objects.equals(state.netns(), system.netns())) {
            throw ToolException.refused("state file " + store.path() + " belongs to "
                    + describeNamespace(state.netns()) + ", not " + describeNamespace(system.netns()));
        }
    }

    private static String describeNamespace(String netns) {
        return netns == null ? "the current network namespace" : "network namespace " + netns;
    }

    /** A VIP on an ordinary interface would be answered by ARP; a different prefix is someone else's config. */
    private static void checkPlacements(List<NetworkSystem.AddressEntry> placements, String interfaceName, int prefix)
            throws ToolException {
        for (NetworkSystem.AddressEntry entry : placements) {
            if (!entry.interfaceName().equals(interfaceName)) {
                throw ToolException.refused(entry.address() + " is already configured on " + entry.interfaceName()
                        + " (" + entry + "); not adding it to " + interfaceName + " as well");
            }
            if (entry.prefix() != prefix) {
                throw ToolException.refused(entry.address() + " is already on " + interfaceName + " with prefix /"
                        + entry.prefix() + ", not /" + prefix + "; not changing an address this tool did not add");
            }
        }
    }

    private static void checkLink(Optional<NetworkSystem.LinkInfo> link, String interfaceName, IpAddress address,
                                  int prefix) throws ToolException {
        boolean loopback = interfaceName.equals(LOOPBACK)
                || link.map(l -> l.kind() == NetworkSystem.LinkKind.LOOPBACK).orElse(false);
        if (link.isPresent() && link.get().kind() == NetworkSystem.LinkKind.OTHER) {
            throw ToolException.refused("interface " + interfaceName + " exists and is neither a dummy nor the"
                    + " loopback device; a VIP there would be answered by ARP/NDP and steal the director's traffic");
        }
        if (loopback && prefix != address.hostPrefix()) {
            // On lo the kernel makes every address of the prefix local: the real server would swallow traffic
            // for the whole subnet (its neighbours, its gateway) instead of forwarding it.
            throw ToolException.refused("refusing " + address + "/" + prefix + " on " + interfaceName
                    + ": on the loopback device the whole /" + prefix + " would become local; use a host prefix"
                    + " (drop --use-mask)");
        }
    }

    private static Optional<NetworkSystem.AddressEntry> onInterface(List<NetworkSystem.AddressEntry> placements,
                                                                     String interfaceName) {
        return placements.stream().filter(e -> e.interfaceName().equals(interfaceName)).findFirst();
    }

    /** Global first, then the VIP's interface: the order apply sets them. */
    static List<ArpSysctl> arpSysctls(String interfaceName) {
        List<ArpSysctl> keys = new ArrayList<>();
        for (String scope : List.of(ArpSysctl.ALL, interfaceName)) {
            for (ArpSysctl.Param param : ArpSysctl.Param.values()) {
                keys.add(new ArpSysctl(scope, param));
            }
        }
        return keys;
    }

    /** Undoes what the state file records, in reverse order, then deletes the state file. */
    public ExitCode remove(VirtualIp expected) throws ToolException {
        Optional<RealServerState> existing = store.load();
        if (existing.isEmpty()) {
            out.println("remove: nothing to undo (no state file at " + store.path() + ")");
            return ExitCode.OK;
        }
        RealServerState state = existing.get();
        checkNamespace(state);
        if (expected != null && !expected.address().equals(state.vip())) {
            throw ToolException.refused("state file " + store.path() + " records VIP " + state.vip() + ", not "
                    + expected.address() + "; nothing removed");
        }
        String interfaceName = state.interfaceName();
        int changes = 0;

        if (state.addressAdded()) {
            boolean present = system.addressesOf(state.vip()).stream()
                    .anyMatch(e -> e.interfaceName().equals(interfaceName) && e.prefix() == state.prefix());
            if (present) {
                system.deleteAddress(state.vip(), state.prefix(), interfaceName);
                changes++;
                out.println("deleted " + state.vip() + "/" + state.prefix() + " from " + interfaceName);
            } else {
                out.println("already gone: " + state.vip() + "/" + state.prefix() + " on " + interfaceName);
            }
            state.addressAdded(false);
            store.save(state);
        }

        List<Map.Entry<ArpSysctl, Integer>> sysctls = new ArrayList<>(state.previousSysctls().entrySet());
        Collections.reverse(sysctls);
        for (Map.Entry<ArpSysctl, Integer> entry : sysctls) {
            ArpSysctl key = entry.getKey();
            int previous = entry.getValue();
            if (state.interfaceCreated() && key.scope().equals(interfaceName)) {
                out.println("skipped: " + key + " goes away with " + interfaceName);
            } else {
                int current = system.readSysctl(key);
                if (current == key.param().target()) {
                    system.writeSysctl(key, previous);
                    changes++;
                    out.println("restored " + key + " = " + previous);
                } else {
                    out.println("left " + key + " = " + current + ": changed by someone else since apply set it to "
                            + key.param().target() + " (it was " + previous + " before apply)");
                }
            }
            state.previousSysctls().remove(key);
            store.save(state);
        }

        if (state.linkSetUp() && !state.interfaceCreated()) {
            Optional<NetworkSystem.LinkInfo> link = system.link(interfaceName);
            if (link.isPresent() && link.get().up()) {
                system.setLinkUp(interfaceName, false);
                changes++;
                out.println("set " + interfaceName + " down again");
            }
            state.linkSetUp(false);
            store.save(state);
        }

        if (state.interfaceCreated()) {
            if (system.link(interfaceName).isPresent()) {
                system.deleteLink(interfaceName);
                changes++;
                out.println("deleted interface " + interfaceName);
            } else {
                out.println("already gone: interface " + interfaceName);
            }
            state.interfaceCreated(false);
            store.save(state);
        }

        store.delete();
        out.println("remove: " + changes + " change(s) undone; deleted " + store.path());
        return ExitCode.OK;
    }

    /** Prints what is in place. DRIFT when the state file records a VIP that is not (fully) in place. */
    public ExitCode status(VirtualIp requestedVip, String requestedInterface) throws ToolException {
        Optional<RealServerState> existing = store.load();
        if (existing.isPresent()) {
            checkNamespace(existing.get());
        }
        RealServerState state = existing.orElse(null);
        if (state == null) {
            out.println("state file: " + store.path() + " (absent: apply has not recorded anything)");
        } else {
            out.println("state file: " + store.path());
            out.println("  recorded VIP " + state.vip() + "/" + state.prefix() + " on " + state.interfaceName()
                    + (state.interfaceName().equals(state.requestedInterface()) ? ""
                            : " (fallback from " + state.requestedInterface() + ")")
                    + "; created interface: " + state.interfaceCreated() + "; added address: "
                    + state.addressAdded() + "; set link up: " + state.linkSetUp());
            state.previousSysctls().forEach((k, v) -> out.println("  changed " + k + " (was " + v + ")"));
        }
        IpAddress vip = requestedVip != null ? requestedVip.address() : state != null ? state.vip() : null;
        String interfaceName = state != null ? state.interfaceName()
                : requestedInterface != null ? requestedInterface : DEFAULT_INTERFACE;

        Optional<NetworkSystem.LinkInfo> link = system.link(interfaceName);
        out.println("interface " + interfaceName + ": " + link
                .map(l -> l.kind().name().toLowerCase(java.util.Locale.ROOT) + ", " + (l.up() ? "up" : "down"))
                .orElse("absent"));

        boolean drift = false;
        if (vip == null) {
            out.println("VIP: none given and none recorded");
        } else {
            List<NetworkSystem.AddressEntry> placements = system.addressesOf(vip);
            if (placements.isEmpty()) {
                out.println("VIP " + vip + ": not configured on any interface");
            }
            placements.forEach(e -> out.println("VIP " + e));
            if (state != null && vip.equals(state.vip())) {
                boolean inPlace = placements.stream()
                        .anyMatch(e -> e.interfaceName().equals(state.interfaceName()) && e.prefix() == state.prefix());
                drift |= !inPlace || link.map(l -> !l.up()).orElse(true);
            }
        }
        if (vip == null || !vip.isIpv6()) {
            List<ArpSysctl> keys = arpSysctls(interfaceName);
            for (ArpSysctl key : keys) {
                if (link.isEmpty() && !key.scope().equals(ArpSysctl.ALL)) {
                    continue; // no such interface, no such sysctl
                }
                int value = system.readSysctl(key);
                boolean ok = key.param().acceptable(value);
                out.println(key + " = " + value + (ok ? "" : " (does not suppress ARP for the VIP)"));
                if (state != null && key.scope().equals(ArpSysctl.ALL)) {
                    drift |= !ok;
                }
            }
        }
        if (state != null) {
            out.println(drift ? "status: DRIFT - the recorded configuration is not fully in place (re-run apply)"
                    : "status: in place");
        } else {
            out.println("status: not applied");
        }
        return drift ? ExitCode.DRIFT : ExitCode.OK;
    }
}
