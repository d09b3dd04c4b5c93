package org.stratoslvs.core.topology;

/** Which of a member's addresses a load balancer sends to ({@code loadBalancingIPType} on the wire). */
public enum IpType {
    PRIVATE, PUBLIC;

    /** Accepts the wire values {@code Private}/{@code Public} and the setting values {@code private}/{@code public}. */
    public static IpType parse(String text) {
        if (text == null) {
            return null;
        }
        switch (text) {
            case "Private":
            case "private":
                return PRIVATE;
            case "Public":
            case "public":
                return PUBLIC;
            default:
                throw new org.stratoslvs.core.validate.InvalidValueException(
                        "invalid IP type " + org.stratoslvs.core.validate.Identifiers.quote(text)
                                + " (expected Private or Public)");
        }
    }
}
