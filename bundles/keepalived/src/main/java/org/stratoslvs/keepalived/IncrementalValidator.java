package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a candidate by running {@code keepalived -t} on the unchanged head (global_defs, VRRP) plus only the
 * {@code virtual_server} blocks that are not in the last accepted candidate; see {@link ConfigSections} for why that
 * is sound. The whole file is validated instead when there is nothing to compare with yet, when the head changed
 * (settings), when the file cannot be cut with confidence, or when two blocks declare the same virtual server.
 *
 * <p>Why: keepalived's parser costs about 34 µs per real server here, so validating a whole file of 10,000 real
 * servers takes a third of a second and one CPU for each apply, while a member event changes one block. Checking
 * the changed blocks in the context of the same head keeps the rule "keepalived -t accepts every block before it is
 * applied" and costs about one process start, whatever the size. {@link ApplyPipeline} still runs a complete
 * validation of the applied file in the background (the audit) as a check on this reasoning.
 *
 * <p>Not thread-safe: the apply thread owns it.
 */
final class IncrementalValidator {

    /**
     * @param result         keepalived's verdict on what was checked (line numbers are the candidate's)
     * @param complete       true when the whole candidate was checked
     * @param checked        virtual servers handed to keepalived -t
     * @param virtualServers virtual servers in the candidate (-1 when it was not cut)
     * @param sections       the candidate cut into head and blocks, or null when it was not cut
     */
    record Outcome(KeepalivedValidator.Result result, boolean complete, int checked, int virtualServers,
                   ConfigSections sections) {

        /** How much of the file was checked, for the apply record; null when it was the whole file. */
        org.stratoslvs.api.ControlStatus.Step.Validated validated() {
            return complete ? null : new org.stratoslvs.api.ControlStatus.Step.Validated(checked, virtualServers);
        }

        /** For the apply record, e.g. "validate 9 ms (1 of 2000 virtual servers changed)". */
        String step() {
            if (!complete && checked == 0) {
                return "validate " + result.millis() + " ms (global and VRRP part only: no virtual server changed, "
                        + "some left)";
            }
            String what = complete ? "whole file" : checked + " of " + virtualServers + " virtual servers changed";
            return "validate " + result.millis() + " ms (" + what + ")";
        }
    }

    private static final Pattern LINE = Pattern.compile("\\(config: Line (\\d+)\\)");

    private final ConfigChecker validator;
    private String acceptedHeadKey;
    // identity (address port protocol) -> block text; identities are unique in an accepted reference
    private Map<String, String> acceptedBlocks;

    IncrementalValidator(ConfigChecker validator) {
        this.validator = validator;
    }

    ConfigChecker validator() {
        return validator;
    }

    /**
     * Validates {@code text}: incrementally when {@code incremental} and the last accepted candidate allows it, else
     * whole. On acceptance the candidate becomes the reference for the next call. With {@code incremental} false the
     * text is not cut at all and there is no reference afterwards: the caller passes false for good (scope full, or
     * after a failed audit), and cutting megabytes on every apply for a reference nobody reads would be waste.
     */
    Outcome validate(String text, boolean incremental) {
        if (!incremental) {
            forget();
            return new Outcome(validator.check(text), true, -1, -1, null);
        }
        ConfigSections sections = ConfigSections.split(text).orElse(null);
        Outcome outcome;
        if (sections != null && acceptedHeadKey != null && !sections.hasDuplicateVirtualServers()
                && sections.headKey().equals(acceptedHeadKey)) {
            List<ConfigSections.Block> changed = new ArrayList<>();
            for (ConfigSections.Block b : sections.virtualServers()) {
                if (!b.text().equals(acceptedBlocks.get(b.identity()))) {
                    changed.add(b);
                }
            }
            outcome = validatePart(sections, changed);
        } else {
            int count = sections == null ? -1 : sections.virtualServers().size();
            outcome = new Outcome(validator.check(text), true, count, count, sections);
        }
        if (outcome.result().accepted()) {
            remember(sections);
        }
        return outcome;
    }

    /** Forgets the reference: the next call validates the whole file. */
    void forget() {
        acceptedHeadKey = null;
        acceptedBlocks = null;
    }

    private Outcome validatePart(ConfigSections sections, List<ConfigSections.Block> changed) {
        int total = sections.virtualServers().size();
        // With only removals (or comments) every block left was accepted with this very head; the head is still
        // checked, alone: what keepalived -t checks of it (the VRRP interface exists, say) can change under an
        // unchanged text, and no file is written unchecked.
        ConfigSections.Excerpt excerpt = sections.excerpt(changed);
        KeepalivedValidator.Result r = validator.check(excerpt.text());
        String message = mapLines(r.message(), excerpt);
        if (!r.accepted()) {
            message += " (checked: the changed virtual servers with the unchanged global and VRRP sections)";
        }
        return new Outcome(new KeepalivedValidator.Result(r.accepted(), r.exitCode(), message, r.millis()), false,
                changed.size(), total, sections);
    }

    private void remember(ConfigSections sections) {
        if (sections == null || sections.hasDuplicateVirtualServers()) {
            forget();
            return;
        }
        // keyed by the short identity: hashing megabytes of block text on every apply would cost more than the
        // comparison of each block with the one of the same identity
        Map<String, String> blocks = new HashMap<>(sections.virtualServers().size() * 2);
        for (ConfigSections.Block b : sections.virtualServers()) {
            blocks.put(b.identity(), b.text());
        }
        acceptedHeadKey = sections.headKey();
        acceptedBlocks = blocks;
    }

    /** keepalived names lines of the excerpt; the operator reads the candidate (lvs:config --preview). */
    static String mapLines(String message, ConfigSections.Excerpt excerpt) {
        Matcher m = LINE.matcher(message);
        StringBuilder out = new StringBuilder(message.length());
        while (m.find()) {
            int line;
            try {
                line = excerpt.originalLine(Integer.parseInt(m.group(1)));
            } catch (NumberFormatException e) {
                continue;
            }
            m.appendReplacement(out, Matcher.quoteReplacement("(config: Line " + line + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
