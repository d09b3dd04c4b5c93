package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds which {@code virtual_server} blocks of a rejected candidate keepalived -t rejects, so that the others can be
 * applied: one bad member (an address keepalived cannot take, a value it refuses) then holds back its own virtual
 * server only, not every other service's updates.
 *
 * <p>How: first the head (global_defs, VRRP) alone; a rejected head rejects the whole file. Then each block that
 * keepalived's own messages name by line, alone with the head; then the remaining suspects together, and, should they
 * still be rejected, halves of them recursively (group testing: about 2·b·log2(n) runs of keepalived -t for b bad
 * blocks among n suspects, each run the head plus a part of the blocks). Sound for the same reason incremental
 * validation is ({@link ConfigSections}): keepalived parses each block on its own and no block refers to another, so a
 * set of blocks is accepted exactly when each of them is. Should a set be rejected while both its halves are accepted,
 * that reasoning does not hold for this file, and the search gives up: the caller rejects the whole file.
 *
 * <p>Not thread-safe; the apply thread runs it.
 */
final class BlockContainment {

    /** At most this many keepalived -t runs per search; past it the whole file is rejected as before. */
    static final int MAX_CHECKS = 200;
    /** A block's reason is keepalived's messages about it, cut to this many characters (the log and status are bounded). */
    static final int MAX_REASON = 500;

    private static final Pattern LINE = Pattern.compile("\\(config: Line (\\d+)\\)");
    private static final Pattern MEMBER = Pattern.compile("^\\s*# member (\\S+)");
    private static final Pattern SERVICE = Pattern.compile("^# service ([^:\\s]+)");

    /** A rejected block and keepalived's messages about it (lines numbered as in the candidate). */
    record Finding(ConfigSections.Block block, String reason) {
    }

    /**
     * What the search found.
     *
     * @param headRejection keepalived's message when the head alone is rejected (then {@code rejected} is empty), else null
     * @param rejected      the rejected blocks, in file order
     * @param checks        keepalived -t runs made
     */
    record Result(String headRejection, List<Finding> rejected, int checks) {
    }

    private final ConfigChecker validator;
    private final ConfigSections sections;
    private int checks;

    private BlockContainment(ConfigChecker validator, ConfigSections sections) {
        this.validator = validator;
        this.sections = sections;
    }

    /**
     * Searches {@code suspects} (blocks of {@code sections}; those not in it are known to be accepted with this head)
     * for the rejected ones. {@code message} is keepalived's rejection of the candidate, its lines numbered as in the
     * candidate: the blocks it names are tried first. Returns null when the search cannot decide (keepalived -t gave
     * no verdict, too many runs, or the file does not behave block by block).
     */
    static Result search(ConfigChecker validator, ConfigSections sections,
                         Collection<ConfigSections.Block> suspects, String message) {
        return new BlockContainment(validator, sections).run(suspects, message);
    }

    private Result run(Collection<ConfigSections.Block> suspects, String message) {
        KeepalivedValidator.Result head = check(List.of());
        if (head == null) {
            return null;
        }
        if (!head.accepted()) {
            return new Result(head.message(), List.of(), checks);
        }
        List<Finding> found = new ArrayList<>();
        List<ConfigSections.Block> rest = new ArrayList<>(suspects);
        for (ConfigSections.Block b : named(rest, message)) {
            KeepalivedValidator.Result alone = check(List.of(b));
            if (alone == null) {
                return null;
            }
            if (!alone.accepted()) {
                found.add(new Finding(b, cut(alone.message())));
                rest.remove(b);
            }
        }
        if (!rest.isEmpty()) {
            KeepalivedValidator.Result together = check(rest);
            if (together == null) {
                return null;
            }
            if (!together.accepted() && !bisect(rest, together.message(), found)) {
                return null;
            }
        }
        if (found.isEmpty()) {
            // every block and the head are accepted on their own: the rejection is not one of blocks
            return null;
        }
        found.sort((a, b) -> Integer.compare(a.block().firstLine(), b.block().firstLine()));
        return new Result(null, List.copyOf(found), checks);
    }

    /** {@code blocks} is known to be rejected with {@code message}; adds its rejected blocks to {@code found}. */
    private boolean bisect(List<ConfigSections.Block> blocks, String message, List<Finding> found) {
        if (blocks.size() == 1) {
            found.add(new Finding(blocks.get(0), cut(message)));
            return true;
        }
        int half = blocks.size() / 2;
        boolean anyRejected = false;
        for (List<ConfigSections.Block> part : List.of(blocks.subList(0, half), blocks.subList(half, blocks.size()))) {
            KeepalivedValidator.Result r = check(part);
            if (r == null) {
                return false;
            }
            if (!r.accepted()) {
                anyRejected = true;
                if (!bisect(part, r.message(), found)) {
                    return false;
                }
            }
        }
        return anyRejected;
    }

    /** keepalived -t of the head with {@code blocks}; null when there is no verdict or the budget is spent. */
    private KeepalivedValidator.Result check(List<ConfigSections.Block> blocks) {
        if (checks >= MAX_CHECKS) {
            return null;
        }
        checks++;
        ConfigSections.Excerpt excerpt = sections.excerpt(blocks);
        KeepalivedValidator.Result r = validator.check(excerpt.text());
        if (!r.accepted() && r.exitCode() < 0) {
            return null;
        }
        return new KeepalivedValidator.Result(r.accepted(), r.exitCode(),
                IncrementalValidator.mapLines(r.message(), excerpt), r.millis());
    }

    /** The suspects that contain a line {@code message} names, in file order, at most 16. */
    private static List<ConfigSections.Block> named(List<ConfigSections.Block> suspects, String message) {
        Set<ConfigSections.Block> named = new LinkedHashSet<>();
        for (int line : lines(message)) {
            for (ConfigSections.Block b : suspects) {
                if (line >= b.firstLine() && line <= b.lastLine()) {
                    named.add(b);
                    break;
                }
            }
            if (named.size() == 16) {
                break;
            }
        }
        return new ArrayList<>(named);
    }

    static List<Integer> lines(String message) {
        List<Integer> lines = new ArrayList<>();
        Matcher m = LINE.matcher(message == null ? "" : message);
        while (m.find()) {
            try {
                lines.add(Integer.parseInt(m.group(1)));
            } catch (NumberFormatException e) {
                // not a line number we can use
            }
        }
        return lines;
    }

    /**
     * The service the renderer's comment above {@code block} names ("# service web: port 80 ..."), or "". Looks back
     * over the comment lines right above the block only.
     */
    static String serviceOf(String text, ConfigSections.Block block) {
        int end = block.offset();
        while (end > 0) {
            int start = text.lastIndexOf('\n', end - 2) + 1;
            String line = text.substring(start, end).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                return "";
            }
            Matcher m = SERVICE.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
            if (start == 0) {
                break;
            }
            end = start;
        }
        return "";
    }

    /**
     * The members the renderer's comments name above each line that {@code reason} names in {@code block}, with the
     * line: "b (line 33)". Empty when the reason names no line of a real server.
     */
    static String membersOf(ConfigSections.Block block, String reason) {
        String[] blockLines = block.text().split("\n", -1);
        Set<String> members = new LinkedHashSet<>();
        for (int line : lines(reason)) {
            int index = line - block.firstLine();
            if (index < 0 || index >= blockLines.length) {
                continue;
            }
            if (!inRealServer(blockLines, index)) {
                continue;
            }
            // the real_server's own comment is the nearest "# member" line above it, within this block
            for (int i = index; i >= 0; i--) {
                Matcher m = MEMBER.matcher(blockLines[i]);
                if (m.find()) {
                    members.add(m.group(1) + " (line " + line + ")");
                    break;
                }
            }
            if (members.size() == 10) {
                break;
            }
        }
        return String.join(", ", members);
    }

    /**
     * Whether line {@code index} of a block is a {@code real_server} line or lies inside one (keepalived names the line
     * where it finished reading the real server, often its closing brace).
     */
    private static boolean inRealServer(String[] blockLines, int index) {
        int depth = 0;
        for (int i = 0; i < index; i++) {
            String l = blockLines[i].strip();
            if (l.startsWith("#")) {
                continue;
            }
            if (l.endsWith("{")) {
                depth++;
            } else if (l.equals("}")) {
                depth--;
            }
        }
        return depth >= 2 || blockLines[index].strip().startsWith("real_server");
    }

    private static String cut(String message) {
        return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON) + "...";
    }
}
