package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A keepalived.conf cut into its top-level {@code virtual_server} blocks and everything else (the "head": global_defs,
 * VRRP, comments), for validating only the virtual servers that changed.
 *
 * <p>Why that is sound for the files we write: keepalived parses each {@code virtual_server} block on its own; what a
 * block may depend on lies in the head (global_defs such as script security, SSL); no block refers to another, and
 * nothing in the head refers to a block. The one relation between blocks is their identity (address, port,
 * protocol), which {@link #hasDuplicateVirtualServers()} checks here since keepalived -t does not. So a head that
 * keepalived accepted with blocks A, and with blocks B, is accepted with any mix of A and B.
 *
 * <p>The cut is deliberately narrow: {@link #split} gives up (and the caller validates the whole file) on anything
 * whose meaning could cross blocks or that this simple reader might mis-read: {@code include}, parameters
 * ({@code $}), conditionals ({@code @}), {@code ~SEQ}, {@code virtual_server_group} and group references, inline
 * comments, quotes, and braces anywhere but a lone {@code }} line or a line-ending {@code {}.
 */
final class ConfigSections {

    private final String head;
    // the file's line number of each line of the head, in order
    private final int[] headLines;
    private final String headKey;
    private final List<Block> virtualServers;
    private final boolean duplicates;

    /**
     * One {@code virtual_server} block: its text (trailing newline included), its first line in the file, its identity
     * (address, port, protocol) and where its text starts in the file ({@code offset}, a char index).
     */
    record Block(String text, int firstLine, String identity, int offset) {

        /** The file's last line of the block. */
        int lastLine() {
            int lines = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                lines++;
            }
            return firstLine + Math.max(lines, 1) - 1;
        }
    }

    private ConfigSections(String head, int[] headLines, String headKey, List<Block> virtualServers,
                           boolean duplicates) {
        this.head = head;
        this.headLines = headLines;
        this.headKey = headKey;
        this.virtualServers = List.copyOf(virtualServers);
        this.duplicates = duplicates;
    }

    /** The head, comments included, as it appears in the file (blocks cut out). */
    String head() {
        return head;
    }

    /** The head as keepalived reads it: without comment and blank lines, each line trimmed. */
    String headKey() {
        return headKey;
    }

    List<Block> virtualServers() {
        return virtualServers;
    }

    /** True when two blocks declare the same virtual server (keepalived -t accepts that silently). */
    boolean hasDuplicateVirtualServers() {
        return duplicates;
    }

    /**
     * The head followed by {@code blocks} (in the given order), and for each line of that text the line of the
     * original file it came from (index 0 is line 1), so that keepalived's messages can name the file's lines.
     */
    Excerpt excerpt(Collection<Block> blocks) {
        StringBuilder text = new StringBuilder(head.length() + 4096);
        List<Integer> origin = new ArrayList<>();
        text.append(head);
        for (int line : headLines) {
            origin.add(line);
        }
        for (Block b : blocks) {
            int line = b.firstLine();
            int start = 0;
            String t = b.text();
            while (start < t.length()) {
                int end = t.indexOf('\n', start);
                end = end < 0 ? t.length() : end + 1;
                text.append(t, start, end);
                origin.add(line++);
                start = end;
            }
        }
        return new Excerpt(text.toString(), origin.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The file {@code text} (the one these sections were cut from) with each block of {@code replacements}' keys
     * replaced by its value: the text of another version of that block, or a comment line that says why it is left
     * out. Everything else stays byte for byte.
     */
    static String substitute(String text, List<Block> blocks, Map<Block, String> replacements) {
        StringBuilder out = new StringBuilder(text.length());
        int pos = 0;
        for (Block b : blocks) {
            String replacement = replacements.get(b);
            if (replacement == null) {
                continue;
            }
            out.append(text, pos, b.offset()).append(replacement);
            pos = Math.min(text.length(), b.offset() + b.text().length());
        }
        out.append(text, pos, text.length());
        return out.toString();
    }

    /** A text to validate, with the original line number of each of its lines. */
    record Excerpt(String text, int[] originalLines) {

        /** The file's line for line {@code n} (1-based) of this excerpt, or {@code n} when out of range. */
        int originalLine(int n) {
            return n >= 1 && n <= originalLines.length ? originalLines[n - 1] : n;
        }
    }

    /**
     * Cuts {@code text} as described above, or returns empty when it cannot be cut with confidence. It runs on every
     * apply, on files of megabytes, so it looks at each line's ends only and finds the characters it refuses with
     * {@link String#indexOf} over the whole text (vectorized), instead of testing every character.
     */
    static Optional<ConfigSections> split(String text) {
        if (!onlyModelledCharacters(text)) {
            return Optional.empty();
        }
        StringBuilder head = new StringBuilder(4096);
        StringBuilder headKey = new StringBuilder(1024);
        List<Integer> headLines = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        Set<String> identities = new HashSet<>();
        boolean duplicates = false;

        int blockStartOffset = -1;
        int blockStartLine = 0;
        String blockHeader = null;
        String blockProtocol = "TCP";
        int depth = 0;
        int lineNo = 0;
        int n = text.length();
        int nextOpen = text.indexOf('{');
        int nextClose = text.indexOf('}');
        int pos = 0;
        while (pos < n) {
            int nl = text.indexOf('\n', pos);
            int lineEnd = nl < 0 ? n : nl;           // end of the line's content
            int next = nl < 0 ? n : nl + 1;          // start of the next line
            lineNo++;
            int from = pos;
            while (from < lineEnd && isSpace(text.charAt(from))) {
                from++;
            }
            int to = lineEnd;
            while (to > from && isSpace(text.charAt(to - 1))) {
                to--;
            }
            boolean comment = from == to || text.charAt(from) == '#' || text.charAt(from) == '!';
            // braces of this line: at most one, and only a line-ending '{' or a lone '}'
            boolean opens = false;
            boolean closes = false;
            if (nextOpen >= 0 && nextOpen < next) {
                if (comment || nextOpen != to - 1) {
                    if (!comment) {
                        return Optional.empty();
                    }
                } else {
                    opens = true;
                }
                nextOpen = text.indexOf('{', nextOpen + 1);
                if (nextOpen >= 0 && nextOpen < next && !comment) {
                    return Optional.empty();
                }
                while (nextOpen >= 0 && nextOpen < next) {
                    nextOpen = text.indexOf('{', nextOpen + 1);
                }
            }
            if (nextClose >= 0 && nextClose < next) {
                if (!comment && (opens || to - from != 1)) {
                    return Optional.empty();
                }
                closes = !comment;
                while (nextClose >= 0 && nextClose < next) {
                    nextClose = text.indexOf('}', nextClose + 1);
                }
            }
            if (!comment) {
                if (depth == 0) {
                    String keyword = firstWord(text, from, to);
                    if (opens && keyword.equals("virtual_server")) {
                        String target = text.substring(from + keyword.length(), to - 1).strip();
                        if (target.isEmpty() || target.startsWith("group")) {
                            return Optional.empty();
                        }
                        blockStartOffset = pos;
                        blockStartLine = lineNo;
                        blockHeader = String.join(" ", target.split("\\s+"));
                        blockProtocol = "TCP";
                    } else if (keyword.startsWith("virtual_server") || keyword.equals("include")) {
                        return Optional.empty();
                    }
                } else if (depth == 1 && blockStartOffset >= 0 && text.startsWith("protocol", from)
                        && from + 8 < to && isSpace(text.charAt(from + 8))) {
                    blockProtocol = text.substring(from + 8, to).strip();
                }
                if (opens) {
                    depth++;
                } else if (closes && --depth < 0) {
                    return Optional.empty();
                }
            }

            if (blockStartOffset >= 0) {
                if (!comment && depth == 0) {
                    String blockText = text.substring(blockStartOffset, next);
                    if (nl < 0) {
                        blockText += "\n";
                    }
                    String identity = blockHeader + " " + blockProtocol;
                    if (!identities.add(identity)) {
                        duplicates = true;
                    }
                    blocks.add(new Block(blockText, blockStartLine, identity, blockStartOffset));
                    blockStartOffset = -1;
                }
            } else {
                head.append(text, pos, next);
                headLines.add(lineNo);
                if (!comment) {
                    headKey.append(text, from, to).append('\n');
                }
            }
            pos = next;
        }
        if (depth != 0 || blockStartOffset >= 0) {
            return Optional.empty();
        }
        if (n > 0 && text.charAt(n - 1) != '\n') {
            // the last line would run into an appended block
            head.append('\n');
        }
        return Optional.of(new ConfigSections(head.toString(), headLines.stream().mapToInt(Integer::intValue).toArray(),
                headKey.toString(), blocks, duplicates));
    }

    /**
     * No parameter ({@code $}), sequence ({@code ~}), quote, backslash (continuation), NUL or CR anywhere; no
     * conditional ({@code @}) at a line's start; {@code #} and {@code !} only in comment lines (an inline comment
     * could hide a brace from keepalived but not from us).
     */
    private static boolean onlyModelledCharacters(String text) {
        for (char c : new char[] {'$', '~', '"', '\\', '\0', '\r'}) {
            if (text.indexOf(c) >= 0) {
                return false;
            }
        }
        for (char c : new char[] {'#', '!', '@'}) {
            for (int i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
                int first = text.lastIndexOf('\n', i) + 1;
                while (isSpace(text.charAt(first))) {
                    first++;
                }
                char lead = text.charAt(first);
                if (lead != '#' && lead != '!' || c == '@' && first == i) {
                    return false;
                }
                // the rest of a comment line is comment: skip to its end
                int end = text.indexOf('\n', i);
                if (end < 0) {
                    break;
                }
                i = end;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\f' || c == 0x0b;
    }

    private static String firstWord(String text, int from, int to) {
        int i = from;
        while (i < to && !isSpace(text.charAt(i)) && text.charAt(i) != '{') {
            i++;
        }
        return text.substring(from, i);
    }
}
