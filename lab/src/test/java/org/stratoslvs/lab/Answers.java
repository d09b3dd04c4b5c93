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
        String out = guest.sh("http_get " + addr + " " + port + " " + n);
        List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() != n) {
            throw new AssertionError("expected " + n + " answers, got: " + out);
        }
        return new Answers(lines);
    }

    /** {@code n} UDP datagrams to {@code addr:port}, each from a new socket. */
    static Answers udp(Guest guest, String addr, int port, int n) throws IOException, InterruptedException {
        String out = guest.sh("udp_get " + addr + " " + port + " " + n);
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
}
