package org.stratoslvs.core.topology;

/**
 * What {@link TopologyStore#accept} did with one message. The caller (the JMS route) decides what to log and
 * whom to notify; the core itself does not log per message, so a flood of bad messages cannot flood the log.
 *
 * @param kind     what happened
 * @param topology the snapshot after the message: the new one when {@link Kind#CHANGED}, else the current one
 *                 (the very same object as before)
 * @param cause    short text for listeners and logs, e.g. {@code MemberActivatedEvent web-5}; names in it are
 *                 validated identifiers, anything else is quoted
 * @param reason   why, when {@link Kind#REJECTED}; else null
 * @param detail   the reject's detail (safely quoted, never the body), or null
 * @param dropped  parts of a complete topology or cluster event that were left out (bad members etc.), already
 *                 counted; bounded (counts and the first few), so its text fits one log line
 */
public record Outcome(Kind kind, Topology topology, String cause, RejectReason reason, String detail,
                      DroppedParts dropped) {

    public enum Kind {
        /** The model changed: publish {@link #topology()}. */
        CHANGED,
        /** Valid and applicable, but the model already said so (duplicates, removal of the absent). */
        UNCHANGED,
        /** Not a topology change this product cares about (ClusterInstance*, ClusterReset, unknown types). */
        IGNORED,
        /** Refused: see {@link #reason()}; the model is untouched. */
        REJECTED
    }

    public Outcome {
        dropped = dropped == null ? DroppedParts.NONE : dropped;
    }

    public boolean changed() {
        return kind == Kind.CHANGED;
    }

    public boolean rejected() {
        return kind == Kind.REJECTED;
    }

    @Override
    public String toString() {
        return kind + " " + cause + (reason == null ? "" : " [" + reason + ": " + detail + "]")
                + (dropped.isEmpty() ? "" : " dropped " + dropped);
    }
}
