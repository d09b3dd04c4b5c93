package org.stratoslvs.core.config;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.stratoslvs.core.validate.Identifiers;

/**
 * Reads typed values out of one configuration map, collecting an error sentence per bad value instead of
 * throwing. Every error names the key, quotes the offending value (never for secrets) and says which value is
 * used instead, so that an operator can fix the .cfg file from the message alone. Every component that reads
 * PID {@code org.stratoslvs} (render settings, the listener, keepalived control) reads it through this class, so
 * a value is judged the same way wherever it is read.
 */
public final class SettingsReader {

    /** Names keepalived's parser would split or treat as a comment, and anything a shell might interpret. */
    public static final Pattern ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}){1,16}");

    private final Map<String, ?> props;
    private final String context;
    private final List<String> errors;

    /**
     * @param context prefix for error sentences ("" for the main PID, "service override for \"web\": " ...)
     */
    public SettingsReader(Map<String, ?> props, String context, List<String> errors) {
        this.context = context;
        this.errors = errors;
        // A value with a control character anywhere (a newline, NUL, a bidi override) is dropped as a whole, once,
        // before any key reads it: no later split or trim may turn it into plausible pieces. The value itself is
        // not quoted, since it may be the password.
        Map<String, Object> clean = new java.util.TreeMap<>();
        if (props != null) {
            for (Map.Entry<String, ?> e : new java.util.TreeMap<>(props).entrySet()) {
                Object v = e.getValue();
                if (v == null) {
                    continue;
                }
                boolean bad = false;
                List<String> texts = (v.getClass().isArray() || v instanceof Collection) ? items(v)
                        : List.of(v.toString());
                for (String t : texts) {
                    bad |= hasControl(t.strip());
                }
                if (bad) {
                    error(e.getKey() + " contains control or invisible formatting characters; ignored.");
                } else {
                    clean.put(e.getKey(), v);
                }
            }
        }
        this.props = clean;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\t' || Character.getType(c) == Character.FORMAT
                    || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    public boolean has(String key) {
        return text(key) != null;
    }

    public void error(String sentence) {
        errors.add(context + sentence);
    }

    /**
     * The value as trimmed text; null when absent or blank. Typed values (numbers, booleans) and single-element
     * arrays or collections, as Config Admin and metatype deliver them, become their text.
     */
    public String text(String key) {
        Object v = props.get(key);
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray() || v instanceof Collection) {
            List<String> items = items(v);
            v = String.join(",", items);
        }
        // strip(), not trim(): trim() would also eat NUL and other control characters at the ends, making
        // "eth1\u0000" look valid
        String s = v.toString().strip();
        return s.isEmpty() ? null : s;
    }

    /** A list value: an array/collection of items, or text separated by commas (and, if allowed, blanks). */
    public List<String> list(String key, boolean blankSeparates) {
        Object v = props.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<String> raw = (v.getClass().isArray() || v instanceof Collection) ? items(v) : List.of(v.toString());
        for (String r : raw) {
            for (String part : r.split(blankSeparates ? "[,\\s]+" : ",", -1)) {
                String p = part.strip();
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static List<String> items(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (o != null) {
                    out.add(o.toString());
                }
            }
        } else {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                Object o = Array.get(v, i);
                if (o != null) {
                    out.add(o.toString());
                }
            }
        }
        return out;
    }

    public int integer(String key, int def, int min, int max) {
        Integer v = optionalInteger(key, min, max, String.valueOf(def));
        return v == null ? def : v;
    }

    /** A whole number from {@code min} to {@code max}; {@code def} when absent or invalid (reported). */
    public long number(String key, long def, long min, long max) {
        String s = text(key);
        if (s == null) {
            return def;
        }
        if (s.matches("[+-]?\\d{1,18}")) {
            long l = Long.parseLong(s);
            if (l >= min && l <= max) {
                return l;
            }
        }
        error(key + " " + Identifiers.quote(s) + ": must be a whole number from " + min + " to " + max
                + "; using " + def + ".");
        return def;
    }

    /** An integer or null when absent or invalid; {@code fallbackText} describes what is used instead. */
    public Integer optionalInteger(String key, int min, int max, String fallbackText) {
        String s = text(key);
        if (s == null) {
            return null;
        }
        if (s.matches("[+-]?\\d{1,10}")) {
            long l = Long.parseLong(s);
            if (l >= min && l <= max) {
                return (int) l;
            }
        }
        error(key + " " + Identifiers.quote(s) + ": must be a whole number from " + min + " to " + max
                + "; using " + fallbackText + ".");
        return null;
    }

    public boolean bool(String key, boolean def) {
        String s = text(key);
        if (s == null) {
            return def;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                error(key + " " + Identifiers.quote(s) + ": must be true or false; using " + def + ".");
                return def;
        }
    }

    /** Case-insensitive choice among the enum's constant names (and {@code extraNames} mapped by the caller). */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E def) {
        String s = text(key);
        if (s == null) {
            return def;
        }
        // "per-service" and "per_service" both name PER_SERVICE
        String wanted = s.replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        error(key + " " + Identifiers.quote(s) + ": must be one of " + String.join(", ", names) + "; using "
                + (def == null ? "none" : def.name()) + ".");
        return def;
    }

    /** Text that must match {@code shape}; null when absent or invalid. */
    public String matching(String key, Pattern shape, String expectation, String fallbackText) {
        String s = text(key);
        if (s == null) {
            return null;
        }
        if (shape.matcher(s).matches()) {
            return s;
        }
        error(key + " " + Identifiers.quote(s) + ": " + expectation + "; using " + fallbackText + ".");
        return null;
    }

    /** An absolute script path of plain characters, no "." or ".." components; null when absent or invalid. */
    public String scriptPath(String key) {
        String s = text(key);
        if (s == null) {
            return null;
        }
        if (isSafeAbsolutePath(s)) {
            return s;
        }
        error(key + " " + Identifiers.quote(s) + ": must be an absolute path to an executable, without arguments,"
                + " using only letters, digits and . _ + - (no \"..\" components); no script configured.");
        return null;
    }

    public static boolean isSafeAbsolutePath(String s) {
        if (s == null || s.length() > 255 || !ABSOLUTE_PATH.matcher(s).matches()) {
            return false;
        }
        for (String part : s.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
