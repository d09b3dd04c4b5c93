package org.stratoslvs.realserver;

import java.util.List;

/**
 * Runs one external command given as an argument list (never through a shell). An interface so that tests can
 * record and script the exact commands issued, e.g. for the dummy-device path this kernel cannot exercise.
 */
public interface CommandRunner {

    CommandResult run(List<String> argv) throws ToolException;

    record CommandResult(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The error text for messages: stderr, else stdout, trimmed. */
        public String errorText() {
            String text = stderr.isBlank() ? stdout : stderr;
            return text.strip();
        }
    }
}
