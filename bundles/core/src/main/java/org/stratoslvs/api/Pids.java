package org.stratoslvs.api;

/**
 * The Config Admin PIDs of stratos-lvs, in one place: every component that reads a configuration names it from
 * here (DS annotations need compile-time constants, which these are).
 */
public final class Pids {

    /** {@code etc/org.stratoslvs.cfg}: the mapping, broker, filters, keepalived control, VRRP, virtual and real servers. */
    public static final String MAIN = "org.stratoslvs";

    /** {@code etc/org.stratoslvs.service-<name>.cfg}: per-service overrides (a factory PID). */
    public static final String SERVICE_FACTORY = "org.stratoslvs.service";

    /** {@code etc/org.stratoslvs.broker.cfg}: the embedded broker. */
    public static final String BROKER = "org.stratoslvs.broker";

    private Pids() {
    }
}
