package org.stratoslvs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class OriginRefusalsTest {

    private final OriginRefusals refusals = new OriginRefusals();

    private static SameOrigin.Decision from(String origin) {
        return SameOrigin.check("POST", "http", "127.0.0.1", 8181, origin, null);
    }

    @Test
    void eachOriginIsLoggedOnceAndEveryRefusalCounted() {
        assertTrue(refusals.refused("POST", "/system/console/configMgr", from("http://evil.example")));
        assertFalse(refusals.refused("POST", "/system/console/configMgr", from("http://evil.example")));
        assertTrue(refusals.refused("POST", "/system/console/bundles", from(null)));
        assertEquals(3, refusals.total());
        assertEquals(Map.of(SameOrigin.Verdict.CROSS_ORIGIN, 2L, SameOrigin.Verdict.NO_ORIGIN, 1L),
                refusals.byVerdict());
    }

    @Test
    void manyOriginsAreAllCountedButOnlyABoundedNumberLogged() {
        int origins = OriginRefusals.MAX_LOGGED_ORIGINS * 3;
        int logged = 0;
        for (int i = 0; i < origins; i++) {
            for (int repeat = 0; repeat < 2; repeat++) {
                logged += refusals.refused("POST", "/system/console/configMgr", from("http://evil" + i + ".example"))
                        ? 1 : 0;
            }
        }
        assertEquals(origins * 2L, refusals.total());
        assertEquals(OriginRefusals.MAX_LOGGED_ORIGINS, logged);
        assertEquals(OriginRefusals.MAX_LOGGED_ORIGINS, refusals.loggedOrigins());
    }
}
