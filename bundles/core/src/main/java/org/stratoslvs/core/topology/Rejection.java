package org.stratoslvs.core.topology;

/**
 * A reason and a short, safely quoted detail (names and values passed through
 * {@link org.stratoslvs.core.validate.Identifiers#quote}; never the message body).
 */
public record Rejection(RejectReason reason, String detail) {

    @Override
    public String toString() {
        return reason + ": " + detail;
    }
}
