package org.stratoslvs.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a config text with {@code keepalived -t}. Only exit code 0 counts as accepted.
 *
 * <p>Why every non-zero exit is a rejection, including "errors but keepalived would run": keepalived runs such a
 * config by dropping the parts in error (an instance with a bad VRID, an unknown keyword's setting), so what it
 * would run differs from what we rendered; the rendered text is machine-made, so an error there is a bug to report,
 * not something to apply. The numbering also differs between versions: keepalived(8) of 2.2.7 documents
 * 3/4/5 while the 2.2.7 binary exits 5 for config errors and 6 for scripts without script security.
 *
 * <p>Thread-safe: every call uses its own temp file in a private (0700) directory, since the text holds the VRRP
 * password.
 */
public final class KeepalivedValidator implements ConfigChecker {

    /** Outcome of one check. {@code message} is keepalived's output (warnings when accepted). */
    public record Result(boolean accepted, int exitCode, String message, long millis) {

        /** The one-line-per-problem text for status and logs, or null when accepted. */
        public String rejection() {
            return accepted ? null : message;
        }
    }

    private final Function<Path, List<String>> command;
    private final Duration timeout;
    private final Path workDir;

    /**
     * @param command argv for a file, e.g. {@link KeepalivedSettings#validateCommand(Path)}
     * @param workDir private directory for temp files; created 0700 when missing
     */
    public KeepalivedValidator(Function<Path, List<String>> command, Duration timeout, Path workDir) {
        this.command = command;
        this.timeout = timeout;
        this.workDir = workDir;
    }

    public KeepalivedValidator(KeepalivedSettings settings, Path workDir) {
        this(settings::validateCommand, settings.validateTimeout(), workDir);
    }

    /** A fresh private directory under java.io.tmpdir. */
    public static Path privateTempDir() throws IOException {
        return Files.createTempDirectory("stratos-lvs-validate-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Override
    public Result check(String configText) {
        return validate(configText);
    }

    public Result validate(String configText) {
        long start = System.nanoTime();
        Path file = null;
        try {
            AtomicConfigWriter.createPrivateDirs(workDir);
            file = Files.createTempFile(workDir, "keepalived-", ".conf",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, configText, StandardCharsets.UTF_8);
            List<String> argv = command.apply(file);
            Processes.Run run = Processes.run(argv, timeout);
            long ms = (System.nanoTime() - start) / 1_000_000;
            // keepalived names the temp file in its messages; the operator knows it as "the config".
            String out = run.output().replace(file.toString(), "config").strip();
            if (run.timedOut()) {
                return new Result(false, -1, "keepalived -t did not finish within " + timeout.toMillis() + " ms", ms);
            }
            if (run.exitCode() == 0) {
                return new Result(true, 0, out, ms);
            }
            String why = out.isEmpty() ? "no message" : out;
            return new Result(false, run.exitCode(), "keepalived -t exit " + run.exitCode() + ": " + why, ms);
        } catch (IOException e) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            return new Result(false, -1, "could not run keepalived -t: " + e.getMessage(), ms);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a leftover temp file in our private directory is harmless
                }
            }
        }
    }
}
