package org.stratoslvs.keepalived;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of keepalived control, parsed from a configuration map (the {@code org.stratoslvs} PID). Parsing never
 * throws: every bad value falls back to its default and adds one sentence to {@link #errors()}.
 *
 * @param mode             who runs keepalived
 * @param binary           keepalived executable, used for {@code -t} and (managed) to run it
 * @param args             extra keepalived arguments, used both for validation and for running (e.g. {@code -P},
 *                         {@code -s NAMESPACE})
 * @param commandPrefix    argv put in front of every keepalived command (e.g. {@code ip netns exec NS}); empty by
 *                         default. It must exec keepalived (not fork it) or write keepalived's pid file.
 * @param confPath         where keepalived.conf is written
 * @param pidFile          managed: where keepalived writes its parent pid; external: where we read it
 * @param reloadCommand    external mode: operator-given argv run to reload (no shell); empty = SIGHUP via pidFile
 * @param stopOnShutdown   managed: stop keepalived when the component stops (false leaves it running and a later
 *                         start adopts it)
 * @param minInterval      minimum quiet time between the end of one apply and the start of the next
 * @param validateTimeout  limit for {@code keepalived -t} and for the external reload command
 * @param validateScope    what {@code keepalived -t} checks before an apply: only the changed virtual servers (with
 *                         the unchanged head) or always the whole file
 * @param auditInterval    with {@link ValidateScope#CHANGED}: at most one background {@code keepalived -t} of the
 *                         whole applied file per this interval
 * @param errors           problems found while parsing, as sentences
 */
public record KeepalivedSettings(Mode mode, Path binary, List<String> args, List<String> commandPrefix,
                                 Path confPath, Path pidFile, List<String> reloadCommand, boolean stopOnShutdown,
                                 Duration minInterval, Duration validateTimeout, ValidateScope validateScope,
                                 Duration auditInterval, List<String> errors) {

    public enum Mode {
        MANAGED, EXTERNAL, RENDER_ONLY;

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What keepalived -t checks before an apply (see {@link IncrementalValidator}). */
    public enum ValidateScope {
        CHANGED, FULL;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String MODE = "keepalived.mode";
    public static final String BINARY = "keepalived.binary";
    public static final String ARGS = "keepalived.args";
    public static final String COMMAND_PREFIX = "keepalived.command.prefix";
    public static final String CONF_PATH = "keepalived.conf.path";
    public static final String PID_FILE = "keepalived.pid.file";
    public static final String RELOAD_COMMAND = "keepalived.reload.command";
    public static final String STOP_ON_SHUTDOWN = "keepalived.stop.on.shutdown";
    public static final String MIN_INTERVAL = "reload.min.interval";
    public static final String VALIDATE_TIMEOUT = "keepalived.validate.timeout";
    public static final String VALIDATE_SCOPE = "keepalived.validate.scope";
    public static final String VALIDATE_AUDIT_INTERVAL = "keepalived.validate.audit.interval";

    /** Our keys with the {@code keepalived.} prefix, to report misspelt ones. */
    private static final List<String> KEYS = List.of(MODE, BINARY, ARGS, COMMAND_PREFIX, CONF_PATH, PID_FILE,
            RELOAD_COMMAND, STOP_ON_SHUTDOWN, VALIDATE_TIMEOUT, VALIDATE_SCOPE, VALIDATE_AUDIT_INTERVAL);
    /** keepalived.* keys of the same PID that the renderer reads (global_defs), not ours to report. */
    private static final List<String> RENDER_KEYS = List.of("keepalived.router.id", "keepalived.script.user");

    public static final String DEFAULT_BINARY = "/usr/sbin/keepalived";
    public static final String DEFAULT_CONF_PATH = "${karaf.data}/keepalived/keepalived.conf";
    /** Where a distribution's keepalived writes its pid (external mode). */
    public static final String DEFAULT_EXTERNAL_PID_FILE = "/run/keepalived.pid";
    /**
     * 250 ms: a keepalived SIGHUP reload re-reads and diffs the whole config (a few ms to tens of ms for VRRP here,
     * more with thousands of real servers) and stalls its VRRP adverts while it does; a peer declares the master
     * dead after 3 x advert_int (3 s with the usual advert_int 1). At most 4 reloads per second keeps keepalived
     * idle most of the time, far inside that window, while adding at most a quarter second to a change that
     * arrives during a burst (a change after a quiet period is applied at once).
     */
    public static final long DEFAULT_MIN_INTERVAL_MS = 250;
    public static final long DEFAULT_VALIDATE_TIMEOUT_MS = 10_000;
    /**
     * 10 s: the audit re-checks what incremental validation already vouched for, so it only bounds how long a flaw
     * in that reasoning could go unseen; a whole-file keepalived -t of 10,000 real servers costs about 0.35 s of
     * CPU, so one per 10 s keeps its cost under 4% of a core even through a long burst.
     */
    public static final long DEFAULT_AUDIT_INTERVAL_MS = 10_000;

    public KeepalivedSettings {
        args = List.copyOf(args);
        commandPrefix = List.copyOf(commandPrefix);
        reloadCommand = List.copyOf(reloadCommand);
        errors = List.copyOf(errors);
    }

    /** Defaults only; {@code ${karaf.data}} resolved from {@code karafData}. */
    public static KeepalivedSettings defaults(String karafData) {
        return parse(Map.of(), Map.of("karaf.data", karafData == null ? "" : karafData));
    }

    /**
     * @param props     configuration (values may be String, Boolean, Number, String[] or Collection)
     * @param variables values for {@code ${name}} placeholders in paths, e.g. {@code karaf.data}
     */
    public static KeepalivedSettings parse(Map<String, ?> props, Map<String, String> variables) {
        Map<String, ?> p = props == null ? Map.of() : props;
        Map<String, String> vars = variables == null ? Map.of() : variables;
        List<String> errors = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(p.keySet())) {
            if (key.startsWith("keepalived.") && !KEYS.contains(key) && !RENDER_KEYS.contains(key)) {
                errors.add("unknown key '" + key + "' is ignored (misspelt?).");
            }
        }

        Mode mode = Mode.MANAGED;
        String modeText = text(p, MODE);
        if (modeText != null) {
            Mode m = null;
            for (Mode candidate : Mode.values()) {
                if (candidate.key().equalsIgnoreCase(modeText) || candidate.name().equalsIgnoreCase(modeText)) {
                    m = candidate;
                }
            }
            if (m == null) {
                errors.add(MODE + " '" + modeText + "' is not one of managed, external, render-only; using managed.");
            } else {
                mode = m;
            }
        }

        Path binary = path(p, BINARY, DEFAULT_BINARY, vars, errors);
        if (binary != null && !binary.isAbsolute()) {
            errors.add(BINARY + " '" + binary + "' is not an absolute path; using " + DEFAULT_BINARY + ".");
            binary = Path.of(DEFAULT_BINARY);
        }
        List<String> args = words(p, ARGS);
        for (String a : args) {
            if (a.equals("-f") || a.startsWith("--use-file") || a.equals("-p") || a.startsWith("--pid")
                    || a.equals("-r") || a.startsWith("--vrrp_pid") || a.equals("-c") || a.startsWith("--checkers_pid")
                    || a.equals("-t") || a.startsWith("--config-test")) {
                errors.add(ARGS + " must not contain " + a + ": the config and pid files come from "
                        + CONF_PATH + " and " + PID_FILE + "; ignoring " + ARGS + ".");
                args = List.of();
                break;
            }
        }
        List<String> prefix = words(p, COMMAND_PREFIX);
        Path confPath = path(p, CONF_PATH, DEFAULT_CONF_PATH, vars, errors);
        if (confPath == null || !confPath.isAbsolute()) {
            Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "stratos-lvs", "keepalived",
                    "keepalived.conf");
            errors.add(CONF_PATH + " '" + (confPath == null ? text(p, CONF_PATH) : confPath)
                    + "' is not an absolute path (is karaf.data set?); using " + fallback + ".");
            confPath = fallback;
        }
        String defaultPid = mode == Mode.EXTERNAL ? DEFAULT_EXTERNAL_PID_FILE
                : confPath.resolveSibling("keepalived.pid").toString();
        Path pidFile = path(p, PID_FILE, defaultPid, vars, errors);
        if (pidFile == null || !pidFile.isAbsolute()) {
            errors.add(PID_FILE + " '" + text(p, PID_FILE) + "' is not an absolute path; using " + defaultPid + ".");
            pidFile = Path.of(defaultPid);
        }
        List<String> reloadCommand = words(p, RELOAD_COMMAND);
        if (!reloadCommand.isEmpty() && mode != Mode.EXTERNAL) {
            errors.add(RELOAD_COMMAND + " is only used in external mode; ignoring it in " + mode.key() + " mode.");
            reloadCommand = List.of();
        }
        boolean stopOnShutdown = bool(p, STOP_ON_SHUTDOWN, true, errors);
        long minInterval = millis(p, MIN_INTERVAL, DEFAULT_MIN_INTERVAL_MS, 0, 60_000, errors);
        long validateTimeout = millis(p, VALIDATE_TIMEOUT, DEFAULT_VALIDATE_TIMEOUT_MS, 100, 300_000, errors);
        ValidateScope scope = ValidateScope.CHANGED;
        String scopeText = text(p, VALIDATE_SCOPE);
        if (scopeText != null) {
            if (scopeText.equalsIgnoreCase("full")) {
                scope = ValidateScope.FULL;
            } else if (!scopeText.equalsIgnoreCase("changed")) {
                errors.add(VALIDATE_SCOPE + " '" + scopeText + "' is not one of changed, full; using changed.");
            }
        }
        long auditInterval = millis(p, VALIDATE_AUDIT_INTERVAL, DEFAULT_AUDIT_INTERVAL_MS, 1_000, 86_400_000,
                errors);

        return new KeepalivedSettings(mode, binary, args, prefix, confPath, pidFile, reloadCommand, stopOnShutdown,
                Duration.ofMillis(minInterval), Duration.ofMillis(validateTimeout), scope,
                Duration.ofMillis(auditInterval), errors);
    }

    /** Managed mode: where keepalived's VRRP child writes its pid (next to the parent's pid file). */
    public Path vrrpPidFile() {
        return pidFile.resolveSibling(baseName(pidFile) + "_vrrp.pid");
    }

    /** Managed mode: where keepalived's checker child writes its pid. */
    public Path checkersPidFile() {
        return pidFile.resolveSibling(baseName(pidFile) + "_checkers.pid");
    }

    /**
     * True when switching from {@code other} to this needs a different keepalived process (managed mode): the
     * command line or the files it uses changed. Interval, timeout and stop-on-shutdown changes do not.
     */
    public boolean needsNewProcess(KeepalivedSettings other) {
        return other == null || mode != other.mode || !binary.equals(other.binary) || !args.equals(other.args)
                || !commandPrefix.equals(other.commandPrefix) || !confPath.equals(other.confPath)
                || !pidFile.equals(other.pidFile) || !reloadCommand.equals(other.reloadCommand);
    }

    /** {@code keepalived -t} argv for a file (prefix, binary, -t, -f file, args). */
    public List<String> validateCommand(Path file) {
        List<String> cmd = new ArrayList<>(commandPrefix);
        cmd.add(binary.toString());
        cmd.add("-t");
        cmd.add("-f");
        cmd.add(file.toString());
        cmd.addAll(args);
        return cmd;
    }

    /** Foreground keepalived argv for managed mode. */
    public List<String> runCommand() {
        List<String> cmd = new ArrayList<>(commandPrefix);
        cmd.addAll(List.of(binary.toString(), "-n", "-l", "-D", "-f", confPath.toString(), "-p", pidFile.toString(),
                "-r", vrrpPidFile().toString(), "-c", checkersPidFile().toString()));
        cmd.addAll(args);
        return cmd;
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".pid") ? name.substring(0, name.length() - 4) : name;
    }

    private static String text(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        String s;
        if (v instanceof String[] array) {
            s = String.join(" ", array);
        } else if (v instanceof Collection<?> c) {
            s = String.join(" ", c.stream().map(String::valueOf).toList());
        } else {
            s = String.valueOf(v);
        }
        s = s.trim();
        return s.isEmpty() ? null : s;
    }

    private static List<String> words(Map<String, ?> p, String key) {
        String s = text(p, key);
        return s == null ? List.of() : Arrays.asList(s.split("\\s+"));
    }

    private static Path path(Map<String, ?> p, String key, String dflt, Map<String, String> vars,
                             List<String> errors) {
        String raw = Objects.requireNonNullElse(text(p, key), dflt);
        String resolved = substitute(raw, vars, key, errors);
        if (resolved == null) {
            return null;
        }
        try {
            return Path.of(resolved).normalize();
        } catch (RuntimeException e) {
            errors.add(key + " '" + raw + "' is not a valid path (" + e.getMessage() + ").");
            return null;
        }
    }

    /** Replaces {@code ${name}}; returns null (and adds an error) when a variable is unknown. */
    private static String substitute(String raw, Map<String, String> vars, String key, List<String> errors) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            int start = raw.indexOf("${", i);
            if (start < 0) {
                out.append(raw, i, raw.length());
                break;
            }
            int end = raw.indexOf('}', start);
            if (end < 0) {
                out.append(raw, i, raw.length());
                break;
            }
            String name = raw.substring(start + 2, end);
            String value = vars.get(name);
            if (value == null || value.isBlank()) {
                errors.add(key + " uses ${" + name + "}, which is not set.");
                return null;
            }
            out.append(raw, i, start).append(value);
            i = end + 1;
        }
        return out.toString();
    }

    private static boolean bool(Map<String, ?> p, String key, boolean dflt, List<String> errors) {
        Object v = p.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = text(p, key);
        if (s == null) {
            return dflt;
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("yes") || s.equals("1")) {
            return true;
        }
        if (s.equalsIgnoreCase("false") || s.equalsIgnoreCase("no") || s.equals("0")) {
            return false;
        }
        errors.add(key + " '" + s + "' is not true or false; using " + dflt + ".");
        return dflt;
    }

    private static long millis(Map<String, ?> p, String key, long dflt, long min, long max, List<String> errors) {
        Object v = p.get(key);
        long value;
        if (v instanceof Number n) {
            value = n.longValue();
        } else {
            String s = text(p, key);
            if (s == null) {
                return dflt;
            }
            try {
                value = Long.parseLong(s.endsWith("ms") ? s.substring(0, s.length() - 2).trim() : s);
            } catch (NumberFormatException e) {
                errors.add(key + " '" + s + "' is not a number of milliseconds; using " + dflt + ".");
                return dflt;
            }
        }
        if (value < min || value > max) {
            errors.add(key + " " + value + " is outside " + min + ".." + max + " ms; using " + dflt + ".");
            return dflt;
        }
        return value;
    }
}
