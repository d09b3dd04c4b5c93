package org.stratoslvs.webconsole.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a request to the web console may change something: the decision of {@link SameOriginGuard}, as a pure
 * function of the path, method and headers so it can be tested without a server.
 *
 * <p>A browser sends the console's cached Basic credentials with any site's form or script request to it, so the
 * credentials prove nothing about who asks. What a foreign page cannot forge is the {@code Origin} header, which
 * browsers add to every non-GET request (cross-site form posts included), and, where an older browser omits
 * Origin, the {@code Referer}. An unsafe method is allowed only when one of them names the console's own
 * scheme://host:port. A request with neither is refused too: a foreign page can suppress the Referer
 * (referrer policy) and some older browsers send no Origin on form posts, so "no header" is what such an attack
 * looks like; the console's own pages, in any current browser, send Origin.
 */
final class SameOrigin {

    /** Methods that must not change anything (RFC 9110 safe methods); the console's GETs only read. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** Karaf's web console root (the Felix console's felix.webconsole.manager.root, /system/console by default). */
    static final String CONSOLE_ROOT = "/system/console";
    /** Longer header values are not an origin we would accept; they are cut in what we log. */
    private static final int MAX_LOGGED = 100;

    enum Verdict {
        /** GET, HEAD, OPTIONS, TRACE: passed without a check. */
        SAFE_METHOD(true),
        /** Origin (or Referer) names this server. */
        SAME_ORIGIN(true),
        /** Origin (or Referer) names another site, or is the opaque origin "null". */
        CROSS_ORIGIN(false),
        /** Neither Origin nor Referer. */
        NO_ORIGIN(false),
        /** A header that is not one origin or absolute http(s) URL. */
        MALFORMED_ORIGIN(false);

        private final boolean allowed;

        Verdict(boolean allowed) {
            this.allowed = allowed;
        }

        boolean allowed() {
            return allowed;
        }
    }

    /** The verdict and the origin the request claimed (printable and bounded, for the log; "-" when none). */
    record Decision(Verdict verdict, String claimed) {
    }

    private SameOrigin() {
    }

    /**
     * Whether a request path is the console's: {@code /system/console} or below. The path is the server's decoded,
     * canonical one (dot segments resolved, path parameters removed); repeated slashes are collapsed here, so that
     * {@code //system/console/...} is not a way around the check.
     */
    static boolean isConsolePath(String path) {
        if (path == null) {
            return false;
        }
        String p = path.replaceAll("/{2,}", "/");
        return p.equals(CONSOLE_ROOT) || p.startsWith(CONSOLE_ROOT + "/");
    }

    /**
     * @param scheme, host, port where the request arrived, as the server sees it (the Host header's name and port)
     */
    static Decision check(String method, String scheme, String host, int port, String origin, String referer) {
        if (method != null && SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            return new Decision(Verdict.SAFE_METHOD, "-");
        }
        String own = origin(scheme, host, port);
        String claimed = origin != null ? origin.trim() : referer != null ? referer.trim() : null;
        if (claimed == null || claimed.isEmpty()) {
            return new Decision(Verdict.NO_ORIGIN, "-");
        }
        String printable = printable(claimed);
        if (claimed.equals("null")) {
            // an opaque origin: a sandboxed frame, a data: URL, a cross-site redirect
            return new Decision(Verdict.CROSS_ORIGIN, printable);
        }
        String theirs = origin != null ? parse(claimed, true) : parse(claimed, false);
        if (theirs == null || own == null) {
            return new Decision(Verdict.MALFORMED_ORIGIN, printable);
        }
        return new Decision(theirs.equals(own) ? Verdict.SAME_ORIGIN : Verdict.CROSS_ORIGIN, printable);
    }

    /** scheme://host:port in one spelling: lower case, IPv6 without brackets, the default port written out. */
    static String origin(String scheme, String host, int port) {
        if (scheme == null || host == null || host.isEmpty()) {
            return null;
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        int p = port >= 0 ? port : defaultPort(s);
        if (p < 0) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return s + "://" + h + ":" + p;
    }

    /**
     * The origin of an Origin header ({@code originOnly}: nothing after host:port is allowed) or of a Referer
     * (any absolute http(s) URL); null when it is neither.
     */
    private static String parse(String value, boolean originOnly) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return null;
        }
        if (originOnly && ((uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null)) {
            return null;
        }
        return origin(scheme, uri.getHost(), uri.getPort());
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("http") ? 80 : scheme.equals("https") ? 443 : -1;
    }

    /** For the log: control characters escaped, at most {@value #MAX_LOGGED} characters. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < MAX_LOGGED; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c))) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return value.length() > MAX_LOGGED || sb.length() > MAX_LOGGED
                ? sb.substring(0, Math.min(sb.length(), MAX_LOGGED)) + "...(" + value.length() + " chars)"
                : sb.toString();
    }
}
