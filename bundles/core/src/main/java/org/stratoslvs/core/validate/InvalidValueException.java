package org.stratoslvs.core.validate;

/** A value from outside (topology message, configuration) that failed strict validation; the message says why. */
public class InvalidValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidValueException(String reason) {
        super(reason);
    }
}
