package org.stratoslvs.api;

/**
 * Offered by the keepalived-control bundle: makes the running keepalived converge on a rendered config
 * (validate with {@code keepalived -t}, write atomically, start or reload).
 */
public interface KeepalivedControl {

    /**
     * Asks for {@code configText} to become the applied config. May return before it is applied: applies are
     * serialized and coalesced; the latest submitted text always wins.
     *
     * @param cause short human-readable reason, recorded with the apply
     */
    void submit(String configText, String cause);

    /** State of keepalived and of the last applies, for the shell, JMX and the web console. */
    ControlStatus status();

    /** The config text currently applied (written and accepted by keepalived), or null. */
    String appliedConfig();

    /** Runs {@code keepalived -t} on a text without applying it; returns null when accepted, else keepalived's message. */
    String validate(String configText);

    /** Re-applies the last submitted config even if unchanged (forces a reload). */
    void reload(String cause);
}
