package org.stratoslvs.realserver;

/** A failure with a message meant for the operator and the exit code that classifies it. */
public class ToolException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;

    public ToolException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    static ToolException invalidVip(String message) {
        return new ToolException(ExitCode.INVALID_VIP, message);
    }

    static ToolException usage(String message) {
        return new ToolException(ExitCode.USAGE, message);
    }

    static ToolException refused(String message) {
        return new ToolException(ExitCode.REFUSED, message);
    }

    static ToolException commandFailed(String message) {
        return new ToolException(ExitCode.COMMAND_FAILED, message);
    }

    static ToolException stateFile(String message) {
        return new ToolException(ExitCode.STATE_FILE, message);
    }
}
