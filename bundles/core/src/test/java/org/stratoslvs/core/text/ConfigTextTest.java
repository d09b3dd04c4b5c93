package org.stratoslvs.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class ConfigTextTest {

    @Test
    void masksEveryAuthPassAndNothingElse() {
        String conf = "vrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n    auth_pass s3cr$t\\1\n  }\n"
                + "  auth_pass  other\n}\n# auth_pass in a comment is left alone\n";
        String masked = ConfigText.maskSecrets(conf);
        assertFalse(masked.contains("s3cr"), masked);
        assertFalse(masked.contains("other"), masked);
        assertTrue(masked.contains("    auth_pass ********\n"), masked);
        assertTrue(masked.contains("  auth_pass  ********\n"), masked);
        assertTrue(masked.contains("auth_type PASS"), masked);
        assertTrue(masked.contains("# auth_pass in a comment is left alone"), masked);
        assertNull(ConfigText.maskSecrets(null));
    }

    @Test
    void sameTextsHaveAnEmptyDiff() {
        assertEquals("", ConfigText.unifiedDiff("a\nb\n", "a\nb\n", "x", "y", 3));
        assertEquals("", ConfigText.unifiedDiff(null, "", "x", "y", 3));
    }

    @Test
    void unifiedDiffShowsChangedLinesWithContext() {
        String old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        String now = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
        String diff = ConfigText.unifiedDiff(old, now, "applied", "preview", 1);
        assertEquals("--- applied\n+++ preview\n"
                + "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n"
                + "@@ -10,1 +10,2 @@\n 10\n+11\n", diff);
    }

    @Test
    void diffFromNothingAddsEverything() {
        assertEquals("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", ConfigText.unifiedDiff(null, "x\ny\n", "a", "b", 3));
    }

    /** Whatever the texts, replaying the diff's ' ' and '-' lines gives the old text and ' ' and '+' the new. */
    @Test
    void diffReplaysToBothTexts() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            String a = randomLines(random);
            String b = random.nextBoolean() ? mutate(a, random) : randomLines(random);
            List<ConfigText.Line> d = ConfigText.diff(a, b);
            assertEquals(a, replay(d, '-'), "old side of " + d);
            assertEquals(b, replay(d, '+'), "new side of " + d);
        }
    }

    private static String replay(List<ConfigText.Line> d, char side) {
        return d.stream().filter(l -> l.op() == ' ' || l.op() == side).map(l -> l.text() + "\n")
                .collect(Collectors.joining());
    }

    private static String randomLines(Random random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(4))).append('\n');
        }
        return sb.toString();
    }

    private static String mutate(String text, Random random) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int r = random.nextInt(6);
            if (r == 0) {
                continue;
            }
            if (r == 1) {
                sb.append("new\n");
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
