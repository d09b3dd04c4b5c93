package org.stratoslvs.management;

import java.beans.ConstructorProperties;

/**
 * A virtual server that keepalived -t rejected and that the applied file holds back (at its last accepted version,
 * or left out): an Open MBean composite in {@link LvsStatusMXBean#getHeldBack()}, so that JMX clients and exporters
 * read typed items, not lines to parse.
 */
public final class HeldBackVirtualServer {

    private final String virtualServer;
    private final String service;
    private final String members;
    private final String reason;
    private final String since;
    private final boolean previousVersionKept;

    @ConstructorProperties({"virtualServer", "service", "members", "reason", "since", "previousVersionKept"})
    public HeldBackVirtualServer(String virtualServer, String service, String members, String reason, String since,
                                 boolean previousVersionKept) {
        this.virtualServer = virtualServer;
        this.service = service;
        this.members = members;
        this.reason = reason;
        this.since = since;
        this.previousVersionKept = previousVersionKept;
    }

    /** Address, port and protocol, e.g. "192.168.56.40 80 TCP". */
    public String getVirtualServer() {
        return virtualServer;
    }

    /** The mapped service it renders, or "" when the file does not say. */
    public String getService() {
        return service;
    }

    /** The members keepalived's messages point at, with the rendered file's line: "m1 (line 33)". */
    public String getMembers() {
        return members;
    }

    /** keepalived -t's messages about the block. */
    public String getReason() {
        return reason;
    }

    /** When it was first rejected (ISO-8601). */
    public String getSince() {
        return since;
    }

    /** True when the applied file keeps its last accepted version, false when it is left out. */
    public boolean isPreviousVersionKept() {
        return previousVersionKept;
    }
}
