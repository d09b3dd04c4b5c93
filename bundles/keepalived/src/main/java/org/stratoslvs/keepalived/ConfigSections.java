package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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

    /** One {@code virtual_server} block: its text (trailing newline included) and its first line in the file. */
    record Block(String text, int firstLine, String identity) {
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

    /** A text to validate, with the original line number of each of its lines. */
    record Excerpt(String text, int[] originalLines) {

        /** The file's line for line {@code n} (1-based) of this excerpt, or {@code n} when out of range. */
        int originalLine(int n) {
            return n >= 1 && n <= originalLines.length ? originalLines[n - 1] : n;
        }
    }

    /** Cuts {@code text} as described above, or returns empty when it cannot be cut with confidence. */
    static Optional<ConfigSections> split(String text) {
        StringBuilder head = new StringBuilder(4096);
        StringBuilder headKey = new StringBuilder(1024);
        List<Integer> headLines = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        Set<String> identities = new HashSet<>();
        boolean duplicates = false;

        StringBuilder block = null;
        int blockStart = 0;
        String blockHeader = null;
        String blockProtocol = "TCP";
        int depth = 0;
        int lineNo = 0;
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos);
            end = end < 0 ? text.length() : end + 1;
            String raw = text.substring(pos, end);
            pos = end;
            lineNo++;
            String line = raw.strip();

            boolean comment = line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '!';
            if (!comment) {
                if (!plain(line)) {
                    return Optional.empty();
                }
                boolean opens = line.endsWith("{");
                boolean closes = line.equals("}");
                if (opens && line.indexOf('{') != line.length() - 1 || !opens && !closes && line.indexOf('}') >= 0) {
                    return Optional.empty();
                }
                String keyword = firstWord(line);
                if (depth == 0 && opens && keyword.equals("virtual_server")) {
                    String target = line.substring("virtual_server".length(), line.length() - 1).strip();
                    if (target.isEmpty() || target.startsWith("group")) {
                        return Optional.empty();
                    }
                    block = new StringBuilder(1024);
                    blockStart = lineNo;
                    blockHeader = String.join(" ", target.split("\\s+"));
                    blockProtocol = "TCP";
                } else if (depth == 0 && (keyword.startsWith("virtual_server") || keyword.equals("include"))) {
                    return Optional.empty();
                } else if (block != null && depth == 1 && keyword.equals("protocol")) {
                    blockProtocol = line.substring("protocol".length()).strip();
                }
                if (opens) {
                    depth++;
                } else if (closes) {
                    depth--;
                    if (depth < 0) {
                        return Optional.empty();
                    }
                }
            }

            if (block != null) {
                block.append(raw);
                if (!raw.endsWith("\n")) {
                    block.append('\n');
                }
                if (!comment && depth == 0) {
                    String identity = blockHeader + " " + blockProtocol;
                    if (!identities.add(identity)) {
                        duplicates = true;
                    }
                    blocks.add(new Block(block.toString(), blockStart, identity));
                    block = null;
                }
            } else {
                head.append(raw);
                headLines.add(lineNo);
                if (!comment) {
                    headKey.append(line).append('\n');
                }
            }
        }
        if (depth != 0 || block != null) {
            return Optional.empty();
        }
        if (!text.isEmpty() && text.charAt(text.length() - 1) != '\n') {
            // the last line would run into an appended block
            head.append('\n');
        }
        return Optional.of(new ConfigSections(head.toString(), headLines.stream().mapToInt(Integer::intValue).toArray(),
                headKey.toString(), blocks, duplicates));
    }

    /** No character whose meaning this reader does not model. */
    private static boolean plain(String line) {
        if (line.charAt(0) == '@') {
            return false;
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '$' || c == '~' || c == '"' || c == '#' || c == '!' || c == '\\' || c < 0x20 && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String firstWord(String line) {
        int i = 0;
        while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '{') {
            i++;
        }
        return line.substring(0, i);
    }
}
