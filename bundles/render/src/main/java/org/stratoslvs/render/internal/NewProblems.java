package org.stratoslvs.render.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which render errors and warnings are new since the last render, and which of them to log: each once, when it first
 * appears (not on every event that re-renders), and at most {@link #LOGGED} of each kind per render. Warnings grow
 * with the topology (one per absent service, one per DR port), so a first render of a large one would otherwise log
 * thousands of lines at once; the rest are counted in one line, and lvs:status lists them all. Render thread only.
 */
final class NewProblems {

    /** New errors, and new warnings, logged per render. */
    static final int LOGGED = 20;

    /**
     * @param errors   new errors to log
     * @param warnings new warnings to log
     * @param more     one line counting the new ones not logged, or null
     */
    record Lines(List<String> errors, List<String> warnings, String more) {
    }

    private Set<String> reported = Set.of();

    Lines next(List<String> errors, List<String> warnings) {
        Set<String> now = new HashSet<>();
        List<String> newErrors = fresh("E", errors, now);
        List<String> newWarnings = fresh("W", warnings, now);
        reported = now;
        int moreErrors = Math.max(0, newErrors.size() - LOGGED);
        int moreWarnings = Math.max(0, newWarnings.size() - LOGGED);
        String more = moreErrors + moreWarnings == 0 ? null
                : "and " + moreErrors + " more new configuration errors and " + moreWarnings
                        + " more new warnings (all in lvs:status)";
        return new Lines(newErrors.subList(0, newErrors.size() - moreErrors),
                newWarnings.subList(0, newWarnings.size() - moreWarnings), more);
    }

    private List<String> fresh(String kind, List<String> problems, Set<String> now) {
        List<String> fresh = new ArrayList<>();
        for (String p : problems) {
            if (now.add(kind + p) && !reported.contains(kind + p)) {
                fresh.add(p);
            }
        }
        return fresh;
    }
}
