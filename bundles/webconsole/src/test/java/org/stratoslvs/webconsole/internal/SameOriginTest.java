package org.stratoslvs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.stratoslvs.webconsole.internal.SameOrigin.Verdict;

class SameOriginTest {

    private static Verdict post(String origin, String referer) {
        return SameOrigin.check("POST", "http", "127.0.0.1", 8181, origin, referer).verdict();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "get"})
    void safeMethodsPassWithoutHeaders(String method) {
        assertEquals(Verdict.SAFE_METHOD, SameOrigin.check(method, "http", "127.0.0.1", 8181, null, null).verdict());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "PROPFIND"})
    void unsafeMethodsNeedAnOrigin(String method) {
        assertEquals(Verdict.NO_ORIGIN, SameOrigin.check(method, "http", "127.0.0.1", 8181, null, null).verdict());
        assertEquals(Verdict.SAME_ORIGIN,
                SameOrigin.check(method, "http", "127.0.0.1", 8181, "http://127.0.0.1:8181", null).verdict());
    }

    @Test
    void theConsolesOwnOriginOrRefererIsAccepted() {
        assertEquals(Verdict.SAME_ORIGIN, post("http://127.0.0.1:8181", null));
        assertEquals(Verdict.SAME_ORIGIN, post(null, "http://127.0.0.1:8181/system/console/configMgr/org.stratoslvs"));
        assertEquals(Verdict.SAME_ORIGIN, post("HTTP://127.0.0.1:8181", null), "scheme case does not matter");
        assertEquals(Verdict.SAME_ORIGIN,
                SameOrigin.check("POST", "http", "Director.Example", 80, "http://director.example", null).verdict(),
                "the default port may be left out");
        assertEquals(Verdict.SAME_ORIGIN,
                SameOrigin.check("POST", "https", "[::1]", 8443, "https://[::1]:8443", null).verdict());
        assertEquals(Verdict.SAME_ORIGIN,
                SameOrigin.check("POST", "https", "::1", 8443, "https://[::1]:8443", null).verdict());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://evil.example|",
        "http://127.0.0.1:8182|",
        "https://127.0.0.1:8181|",
        "http://127.0.0.1.evil.example:8181|",
        "null|",
        "|http://evil.example/page.html",
        // Origin decides when present: a same-origin Referer does not rescue a foreign Origin
        "http://evil.example|http://127.0.0.1:8181/system/console/configMgr",
    })
    void anotherOriginIsRefused(String origin, String referer) {
        assertEquals(Verdict.CROSS_ORIGIN, post(origin, referer));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8181/", "http://127.0.0.1:8181 http://evil.example", "127.0.0.1:8181",
        "file:///etc/passwd", "http://user@127.0.0.1:8181", "javascript:alert(1)", "http://[zz]:1",
        "http://127.0.0.1:8181.evil.example"})
    void anOriginHeaderThatIsNotOneOriginIsRefused(String origin) {
        assertEquals(Verdict.MALFORMED_ORIGIN, post(origin, null));
    }

    @Test
    void emptyHeadersCountAsAbsent() {
        assertEquals(Verdict.NO_ORIGIN, post("", null));
        assertEquals(Verdict.NO_ORIGIN, post(null, " "));
    }

    @Test
    void whatIsLoggedIsBoundedAndPrintable() {
        String claimed = SameOrigin.check("POST", "http", "127.0.0.1", 8181, "http://e\nvil" + "x".repeat(5000), null)
                .claimed();
        assertTrue(claimed.length() < 130, claimed);
        assertTrue(claimed.startsWith("http://e\\u000avil"), claimed);
        assertTrue(claimed.endsWith("(5012 chars)"), claimed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/system/console", "/system/console/", "/system/console/configMgr/org.stratoslvs",
        "//system/console/configMgr", "/system//console/bundles"})
    void consolePaths(String path) {
        assertTrue(SameOrigin.isConsolePath(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/system", "/system/consoles", "/system/console-x/configMgr", "/other/system/console"})
    void otherPaths(String path) {
        assertFalse(SameOrigin.isConsolePath(path), path);
    }
}
