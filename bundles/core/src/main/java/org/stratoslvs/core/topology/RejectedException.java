package org.stratoslvs.core.topology;

/**
 * Thrown while parsing or applying a topology event that must not change the model. Carries no stack trace:
 * a hostile sender can make these frequent, and the reason plus detail say all there is to say.
 */
public class RejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final String detail;

    public RejectedException(RejectReason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    public RejectReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    public Rejection rejection() {
        return new Rejection(reason, detail);
    }
}
