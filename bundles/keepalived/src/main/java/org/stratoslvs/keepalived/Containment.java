package org.stratoslvs.keepalived;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.HeldBack;
import org.stratoslvs.api.ControlStatus.Step;

/**
 * Holds back the virtual servers keepalived -t rejects so that the rest of a candidate applies: one bad member holds
 * back its own virtual server, not every other service's updates. {@link BlockContainment} finds the blocks; this
 * makes the text to apply instead (each rejected block at its version in the applied file, or left out with a comment
 * when it has none) and keeps track of what is held back since when. A rejected global_defs/VRRP part rejects the
 * whole candidate.
 *
 * <p>{@link #contain} and {@link #hold} run on the apply thread; the held-back list is read from any thread.
 */
final class Containment {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
    /** Said of a rejection that the global_defs/VRRP part alone already has: no virtual server can be applied. */
    static final String HEAD_REJECTED = "(the global_defs and VRRP part alone is rejected: nothing applies)";

    /**
     * Either {@code rejection} (the whole candidate stays rejected: its head is, or no block could be singled out), or
     * the {@code text} to apply instead, with what is {@code held} back and a {@code summary} for the apply record.
     */
    record Contained(String rejection, String text, List<HeldBack> held, String summary) {

        static Contained rejected(String why) {
            return new Contained(why, null, List.of(), null);
        }
    }

    private record Listed(List<HeldBack> held, int total) {
    }

    // apply thread only: virtual server identity -> when it was first held back (cleared once it is accepted)
    private final Map<String, Instant> heldSince = new HashMap<>();
    private volatile Listed listed = new Listed(List.of(), 0);

    /**
     * Finds the rejected virtual servers of {@code text} (cut into {@code sections} by validation, or null) that
     * keepalived rejected with {@code rejection}, given the {@code applied} file (null before the first apply).
     */
    Contained contain(String text, ConfigSections sections, String rejection, ConfigChecker checker, String applied,
                      Steps steps) {
        long t = System.nanoTime();
        if (sections == null) {
            sections = ConfigSections.split(text).orElse(null);
        }
        if (sections == null || sections.hasDuplicateVirtualServers()) {
            steps.add(Step.Kind.CONTAIN, "no virtual server singled out (the file cannot be cut into them)");
            return Contained.rejected(rejection);
        }
        // With the head unchanged only blocks that differ from the applied file can be the rejected ones: the
        // applied file was accepted. Otherwise (first apply, settings changed) any block can.
        ConfigSections appliedSections = applied == null ? null : ConfigSections.split(applied).orElse(null);
        Map<String, ConfigSections.Block> appliedBlocks = new HashMap<>();
        if (appliedSections != null) {
            for (ConfigSections.Block b : appliedSections.virtualServers()) {
                appliedBlocks.put(b.identity(), b);
            }
        }
        boolean sameHead = appliedSections != null && appliedSections.headKey().equals(sections.headKey());
        List<ConfigSections.Block> suspects = new ArrayList<>();
        for (ConfigSections.Block b : sections.virtualServers()) {
            ConfigSections.Block before = appliedBlocks.get(b.identity());
            if (!sameHead || before == null || !before.text().equals(b.text())) {
                suspects.add(b);
            }
        }
        BlockContainment.Result found = BlockContainment.search(checker, sections, suspects, rejection);
        if (found == null) {
            steps.add(Step.Kind.CONTAIN, Steps.millisSince(t), "contain " + Steps.millisSince(t) + " ms (no virtual server singled out)");
            return Contained.rejected(rejection);
        }
        steps.add(Step.Kind.CONTAIN, Steps.millisSince(t), "contain " + Steps.millisSince(t) + " ms (" + found.checks() + " keepalived -t runs, " + found.rejected().size()
                + " of " + suspects.size() + " suspect virtual servers rejected)");
        if (found.headRejection() != null) {
            return Contained.rejected(rejection + " " + HEAD_REJECTED);
        }
        Map<ConfigSections.Block, String> replacements = new HashMap<>();
        List<HeldBack> held = new ArrayList<>();
        Instant now = Instant.now();
        for (BlockContainment.Finding f : found.rejected()) {
            ConfigSections.Block b = f.block();
            ConfigSections.Block before = appliedBlocks.get(b.identity());
            replacements.put(b, before != null ? before.text()
                    : "# virtual_server " + b.identity() + " left out: keepalived -t rejected it (see lvs:rejected)\n");
            held.add(new HeldBack(b.identity(), BlockContainment.serviceOf(text, b),
                    BlockContainment.membersOf(b, f.reason()), f.reason(), heldSince.getOrDefault(b.identity(), now),
                    before != null));
        }
        String contained = ConfigSections.substitute(text, sections.virtualServers(), replacements);
        return new Contained(null, contained, held, summary(held));
    }

    /**
     * {@code held} is now what the applied file holds back. Newly held-back virtual servers are logged once each,
     * with keepalived's reason; the status lists a bounded number of them.
     */
    void hold(List<HeldBack> held) {
        Map<String, Instant> since = new HashMap<>();
        for (HeldBack h : held) {
            Instant first = heldSince.get(h.virtualServer());
            if (first == null) {
                LOG.warn("keepalived -t rejects virtual server {} (service {}{}); it is held back ({}) while the rest "
                                + "applies: {}", h.virtualServer(), h.service().isEmpty() ? "?" : h.service(),
                        h.members().isEmpty() ? "" : ", members " + h.members(),
                        h.previousKept() ? "its previous version stays" : "left out", h.reason());
            }
            since.put(h.virtualServer(), first == null ? h.since() : first);
        }
        for (String gone : heldSince.keySet()) {
            if (!since.containsKey(gone)) {
                LOG.info("virtual server {} is accepted again", gone);
            }
        }
        heldSince.clear();
        heldSince.putAll(since);
        listed = new Listed(List.copyOf(held.subList(0, Math.min(held.size(), ControlStatus.HELD_BACK_LISTED))),
                held.size());
    }

    /** What is held back, at most {@link ControlStatus#HELD_BACK_LISTED}. */
    List<HeldBack> held() {
        return listed.held();
    }

    /** How many virtual servers are held back in all. */
    int total() {
        return listed.total();
    }

    /** "2 virtual servers held back: 192.168.56.40 80 TCP (service web, members b (line 33)); ..." (bounded). */
    private static String summary(List<HeldBack> held) {
        StringJoiner j = new StringJoiner("; ");
        int listed = 0;
        for (HeldBack h : held) {
            if (listed++ == 5) {
                j.add("and " + (held.size() - 5) + " more (lvs:rejected)");
                break;
            }
            j.add(h.virtualServer() + " (" + (h.service().isEmpty() ? "" : "service " + h.service() + ", ")
                    + (h.members().isEmpty() ? "" : "members " + h.members() + ", ")
                    + (h.previousKept() ? "previous version kept" : "left out") + ")");
        }
        return held.size() + (held.size() == 1 ? " virtual server" : " virtual servers")
                + " rejected by keepalived -t, held back: " + j;
    }
}
