package org.stratoslvs.realserver;

/** Process exit codes; documented in README.md, so values are part of the tool's contract. */
public enum ExitCode {
    OK(0),
    INTERNAL_ERROR(1),
    USAGE(2),
    INVALID_VIP(3),
    PAYLOAD_UNREADABLE(4),
    REFUSED(5),
    COMMAND_FAILED(6),
    STATE_FILE(7),
    DRIFT(8),
    /** Another run held the state file's lock for longer than --lock-wait; nothing was changed. */
    LOCKED(9);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
