package org.stratoslvs.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the shell, JMX and the web console do to a keepalived.conf before showing it: hide secrets and compare
 * two versions line by line. Plain JDK: a small line diff is all an operator needs here, not a diff library.
 */
public final class ConfigText {

    /** Shown instead of a secret. */
    public static final String MASK = "********";

    /** keepalived keywords whose value is a secret: the VRRP password is the only one we render. */
    private static final Pattern SECRET = Pattern.compile("^(\\s*auth_pass\\s+)\\S.*$", Pattern.MULTILINE);

    /**
     * Above this many cells (lines × lines of the part that differs) the diff stops looking for the shortest
     * edit and shows the differing block as removed-then-added: still correct, only longer.
     */
    private static final long MAX_LCS_CELLS = 4_000_000;

    private ConfigText() {
    }

    /** The text with every secret value replaced by {@link #MASK}; null stays null. */
    public static String maskSecrets(String config) {
        if (config == null) {
            return null;
        }
        Matcher m = SECRET.matcher(config);
        return m.replaceAll("$1" + MASK);
    }

    /** One line of a diff: ' ' unchanged, '-' only in the old text, '+' only in the new text. */
    public record Line(char op, String text) {
        @Override
        public String toString() {
            return op + text;
        }
    }

    /** The lines of {@code oldText} and {@code newText} aligned on a longest common subsequence. */
    public static List<Line> diff(String oldText, String newText) {
        List<String> a = lines(oldText);
        List<String> b = lines(newText);
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<Line> out = new ArrayList<>(Math.max(a.size(), b.size()) + 16);
        for (int i = 0; i < prefix; i++) {
            out.add(new Line(' ', a.get(i)));
        }
        List<String> midA = a.subList(prefix, a.size() - suffix);
        List<String> midB = b.subList(prefix, b.size() - suffix);
        if ((long) midA.size() * midB.size() > MAX_LCS_CELLS) {
            midA.forEach(l -> out.add(new Line('-', l)));
            midB.forEach(l -> out.add(new Line('+', l)));
        } else {
            lcsDiff(midA, midB, out);
        }
        for (int i = a.size() - suffix; i < a.size(); i++) {
            out.add(new Line(' ', a.get(i)));
        }
        return out;
    }

    /**
     * A unified diff ({@code ---}/{@code +++} headers, {@code @@} hunks with {@code context} lines around each
     * change); the empty string when the texts have the same lines.
     */
    public static String unifiedDiff(String oldText, String newText, String oldName, String newName, int context) {
        List<Line> lines = diff(oldText, newText);
        List<int[]> hunks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).op() == ' ') {
                continue;
            }
            int from = Math.max(0, i - context);
            int j = i;
            // extend the hunk over changes that are at most 2*context unchanged lines apart
            while (true) {
                while (j < lines.size() && lines.get(j).op() != ' ') {
                    j++;
                }
                int next = j;
                while (next < lines.size() && lines.get(next).op() == ' ' && next - j <= 2 * context) {
                    next++;
                }
                if (next < lines.size() && lines.get(next).op() != ' ' && next - j <= 2 * context) {
                    j = next;
                } else {
                    break;
                }
            }
            int to = Math.min(lines.size(), j + context);
            if (!hunks.isEmpty() && hunks.get(hunks.size() - 1)[1] >= from) {
                hunks.get(hunks.size() - 1)[1] = to;
            } else {
                hunks.add(new int[] {from, to});
            }
            i = to - 1;
        }
        if (hunks.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(oldName).append('\n').append("+++ ").append(newName).append('\n');
        for (int[] h : hunks) {
            int oldStart = 1;
            int newStart = 1;
            for (int k = 0; k < h[0]; k++) {
                char op = lines.get(k).op();
                if (op != '+') {
                    oldStart++;
                }
                if (op != '-') {
                    newStart++;
                }
            }
            int oldCount = 0;
            int newCount = 0;
            for (int k = h[0]; k < h[1]; k++) {
                char op = lines.get(k).op();
                if (op != '+') {
                    oldCount++;
                }
                if (op != '-') {
                    newCount++;
                }
            }
            sb.append("@@ -").append(oldCount == 0 ? oldStart - 1 : oldStart).append(',').append(oldCount)
                    .append(" +").append(newCount == 0 ? newStart - 1 : newStart).append(',').append(newCount)
                    .append(" @@\n");
            for (int k = h[0]; k < h[1]; k++) {
                sb.append(lines.get(k)).append('\n');
            }
        }
        return sb.toString();
    }

    private static void lcsDiff(List<String> a, List<String> b, List<Line> out) {
        int n = a.size();
        int m = b.size();
        // lcs[i][j]: length of the LCS of a[i..] and b[j..]
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            if (a.get(i).equals(b.get(j))) {
                out.add(new Line(' ', a.get(i)));
                i++;
                j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add(new Line('-', a.get(i++)));
            } else {
                out.add(new Line('+', b.get(j++)));
            }
        }
        while (i < n) {
            out.add(new Line('-', a.get(i++)));
        }
        while (j < m) {
            out.add(new Line('+', b.get(j++)));
        }
    }

    private static List<String> lines(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split("\n", -1);
        // a final newline ends the last line; it does not start an empty one
        int count = text.endsWith("\n") ? parts.length - 1 : parts.length;
        return List.of(parts).subList(0, count);
    }
}
