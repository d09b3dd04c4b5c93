package org.stratoslvs.lab;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Which real server answered each of a series of requests from the guest's client namespace ("-": none). */
record Answers(List<String> lines) {

    static final String NONE = "-";

    /** {@code n} HTTP requests to {@code addr:port}, one new TCP connection each. */
    static Answers http(Guest guest, String addr, int port, int n) throws IOException, InterruptedException {
        return series(guest, "http_get", addr, port, n);
    }

    /** {@code n} UDP datagrams to {@code addr:port}, each from a new socket. */
    static Answers udp(Guest guest, String addr, int port, int n) throws IOException, InterruptedException {
        return series(guest, "udp_get", addr, port, n);
    }

    /** A guest-lib series function's answers, one line per request; exactly {@code n} of them. */
    private static Answers series(Guest guest, String function, String addr, int port, int n)
            throws IOException, InterruptedException {
        String out = guest.sh(function + " " + addr + " " + port + " " + n);
        List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() != n) {
            throw new AssertionError("expected " + n + " answers, got: " + out);
        }
        return new Answers(lines);
    }

    /** Answers per real server (no entry for "none"). */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (String l : lines) {
            if (!l.equals(NONE)) {
                counts.merge(l, 1, Integer::sum);
            }
        }
        return counts;
    }

    long unanswered() {
        return lines.stream().filter(NONE::equals).count();
    }

    /**
     * What a weighted round robin promises (rr: every weight 1): every request answered, by exactly the servers
     * named, each n × its weight / the sum of weights ± 1.
     */
    void assertShares(Map<String, Integer> weights) {
        if (unanswered() != 0) {
            throw new AssertionError("unanswered requests: " + lines);
        }
        if (!counts().keySet().equals(weights.keySet())) {
            throw new AssertionError("who answered: " + counts() + ", expected " + weights.keySet());
        }
        int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
        for (Map.Entry<String, Integer> e : counts().entrySet()) {
            double share = (double) lines.size() * weights.get(e.getKey()) / sum;
            if (Math.abs(e.getValue() - share) > 1) {
                throw new AssertionError(e.getKey() + " answered " + e.getValue() + " of " + lines.size()
                        + ", expected " + share + " ± 1 (weights " + weights + "): " + counts());
            }
        }
    }

    /** rr over {@code servers}: {@link #assertShares} with every weight 1. */
    void assertRoundRobin(java.util.Set<String> servers) {
        Map<String, Integer> weights = new TreeMap<>();
        servers.forEach(s -> weights.put(s, 1));
        assertShares(weights);
    }

    /** Every request answered, every one by the same real server (a scheduler or persistence that holds a client). */
    String assertOneServer() {
        if (unanswered() != 0) {
            throw new AssertionError("unanswered requests: " + lines);
        }
        if (counts().size() != 1) {
            throw new AssertionError("one client, one real server: " + counts());
        }
        return counts().keySet().iterator().next();
    }
}
