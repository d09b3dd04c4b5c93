package org.stratoslvs.realserver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code apply} changed, so that {@code remove} undoes exactly that and nothing else. Only changes this tool
 * made are recorded: an address, interface or sysctl value that was already in place is not "ours" to undo.
 */
public final class RealServerState {
    private final String netns;
    private final IpAddress vip;
    private final int prefix;
    private String interfaceName;
    /** The interface asked for; differs from interfaceName after the fallback to lo. */
    private final String requestedInterface;
    private boolean interfaceCreated;
    private boolean linkSetUp;
    private boolean addressAdded;
    /** Value found before apply changed it, in the order apply changed them. */
    private final Map<ArpSysctl, Integer> previousSysctls = new LinkedHashMap<>();

    public RealServerState(String netns, IpAddress vip, int prefix, String interfaceName, String requestedInterface) {
        this.netns = netns;
        this.vip = vip;
        this.prefix = prefix;
        this.interfaceName = interfaceName;
        this.requestedInterface = requestedInterface;
    }

    public String requestedInterface() {
        return requestedInterface;
    }

    public String netns() {
        return netns;
    }

    public IpAddress vip() {
        return vip;
    }

    public int prefix() {
        return prefix;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public void interfaceName(String name) {
        this.interfaceName = name;
    }

    public boolean interfaceCreated() {
        return interfaceCreated;
    }

    public void interfaceCreated(boolean created) {
        this.interfaceCreated = created;
    }

    public boolean linkSetUp() {
        return linkSetUp;
    }

    public void linkSetUp(boolean setUp) {
        this.linkSetUp = setUp;
    }

    public boolean addressAdded() {
        return addressAdded;
    }

    public void addressAdded(boolean added) {
        this.addressAdded = added;
    }

    public Map<ArpSysctl, Integer> previousSysctls() {
        return previousSysctls;
    }

    /** Keeps the first recorded value: a re-run of apply must not overwrite the pre-apply value with ours. */
    public void recordPreviousSysctl(ArpSysctl key, int previous) {
        previousSysctls.putIfAbsent(key, previous);
    }

    public boolean recordsAnyChange() {
        return interfaceCreated || linkSetUp || addressAdded || !previousSysctls.isEmpty();
    }
}
