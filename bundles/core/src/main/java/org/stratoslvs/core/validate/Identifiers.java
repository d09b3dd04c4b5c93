package org.stratoslvs.core.validate;

/**
 * Names that come from the topology (service, cluster, member, network partition ids) and may appear in
 * keepalived.conf comments, logs and the shell. keepalived runs scripts as root, so a name is only accepted
 * when it cannot carry whitespace, quotes, braces, comment characters or control characters.
 */
public final class Identifiers {

    /** Longest accepted name. */
    public static final int MAX_LENGTH = 200;

    private Identifiers() {
    }

    /**
     * Letters, digits and . _ - : @ ; starts with a letter or digit; at most 200 characters (ASCII only).
     * Hand-written rather than a regex: the record constructors run it several times per topology event.
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || !isAlnum(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '_' && c != '-' && c != ':' && c != '@') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * @param what what the name is, for the error message ("service name", "member id")
     * @throws InvalidValueException when the name does not match the strict pattern
     */
    public static String require(String what, String name) {
        if (name == null) {
            throw new InvalidValueException("missing " + what);
        }
        if (!isValid(name)) {
            throw new InvalidValueException("invalid " + what + " " + quote(name)
                    + " (allowed: letters, digits and . _ - : @, at most 200 characters)");
        }
        return name;
    }

    /** Port number 1-65535. */
    public static int requirePort(String what, long port) {
        if (port < 1 || port > 65535) {
            throw new InvalidValueException(what + " out of range 1-65535: " + port);
        }
        return (int) port;
    }

    /**
     * Quotes an untrusted string for a log or error message: control, format, line/paragraph separator and
     * surrogate characters escaped (so non-BMP characters show as two escapes), cut at 80 characters,
     * so that one hostile value can neither forge log lines nor flood them.
     */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 80) + 2).append('"');
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c))
                    || Character.getType(c) == Character.FORMAT || c == '\u2028' || c == '\u2029'
                    || Character.isSurrogate(c)) {
                // U+2028/2029 end lines in some log viewers; a lone surrogate half is not printable text.
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > 80) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
