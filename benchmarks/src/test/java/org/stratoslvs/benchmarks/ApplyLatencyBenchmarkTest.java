package org.stratoslvs.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the apply latency harness working in the normal build: the whole run at a tiny size (a few seconds), plus
 * its statistics and option parsing. The run needs root, keepalived and iproute2: without them it is skipped, but
 * under {@code CI=true} it fails (CI must exercise it).
 */
class ApplyLatencyBenchmarkTest {

    static {
        // the run logs through slf4j-simple; Camel and ActiveMQ at info would bury the build output
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    @TempDir
    Path dir;

    @Test
    void aTinyRunMeasuresEveryEventAndTheBurstAndLeavesNoNamespace() throws Exception {
        String missing = ApplyLatencyBenchmark.Environment.missing();
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + missing);
            }
            Assumptions.abort(missing);
        }
        ApplyLatencyBenchmark.Options options = new ApplyLatencyBenchmark.Options(List.of(10, 20), List.of(4), 2,
                20, 20, 10, 50, Duration.ofSeconds(60), dir, "changed", 10_000);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ApplyLatencyBenchmark.Report report = ApplyLatencyBenchmark.run(options,
                new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertEquals(2, report.series().size());
        for (ApplyLatencyBenchmark.Series s : report.series()) {
            assertEquals(4, s.latency().length);
            assertEquals(4, s.reloads(), "each event applied alone, with its own SIGHUP");
            assertTrue(Arrays.stream(s.latency()).allMatch(n -> n > 0), Arrays.toString(s.latency()));
            assertTrue(Arrays.stream(s.floor()).allMatch(n -> n > 0), Arrays.toString(s.floor()));
            assertTrue(Arrays.stream(s.validateMs()).allMatch(n -> n >= 0), "every apply validated");
            assertTrue(Arrays.stream(s.reloadMs()).allMatch(n -> n >= 0), "every apply reloaded");
            assertTrue(s.renderedBytes() > 0);
            assertEquals(0, s.wholeFileChecks(), "a member event checks the changed virtual servers only");
            assertTrue(s.checked().matches("\\d+ of \\d+.*"), s.checked());
        }
        ApplyLatencyBenchmark.Burst burst = report.burst();
        assertEquals(20, burst.events());
        assertTrue(burst.finalFileMatches());
        assertTrue(burst.applies() >= 1 && burst.applies() <= 20, burst.toString());
        assertEquals(burst.applies(), burst.reloads());
        assertTrue(burst.convergeNanos() > 0);

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        ApplyLatencyBenchmark.print(report, options, new PrintStream(table, true, StandardCharsets.UTF_8));
        String text = table.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("| 10 | ") && text.contains("| 20 | ") && text.contains("Burst: 20 member events"),
                text);

        String namespaces = ApplyLatencyBenchmark.Environment.run(ApplyLatencyBenchmark.Environment.ip(), "netns",
                "list");
        assertFalse(namespaces.contains("slvsbench" + ProcessHandle.current().pid() + "x"), namespaces);
    }

    @Test
    void nearestRankPercentiles() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i; // unsorted on purpose
        }
        assertEquals(50, ApplyLatencyBenchmark.percentile(values, 50));
        assertEquals(99, ApplyLatencyBenchmark.percentile(values, 99));
        assertEquals(100, ApplyLatencyBenchmark.percentile(values, 100));
        assertEquals(100, values[0], "input left as it was");
        assertEquals(7, ApplyLatencyBenchmark.percentile(new long[] {7}, 99));
    }

    @Test
    void optionsDefaultsOverridesAndMistakes() {
        ApplyLatencyBenchmark.Options d = ApplyLatencyBenchmark.parse(new String[0]);
        assertEquals(List.of(10, 1_000, 10_000), d.sizes());
        assertEquals(100, d.eventsFor(2));
        ApplyLatencyBenchmark.Options o = ApplyLatencyBenchmark.parse(new String[] {"--sizes=10,1_000",
                "--events=30", "--burst=0", "--min-interval=20"});
        assertEquals(List.of(10, 1000), o.sizes());
        assertEquals(30, o.eventsFor(1));
        assertEquals(0, o.burstEvents());
        assertEquals(20, o.minIntervalMs());
        assertNull(ApplyLatencyBenchmark.parse(new String[] {"--help"}));
        assertThrows(IllegalArgumentException.class, () -> ApplyLatencyBenchmark.parse(new String[] {"--size=10"}));
        assertThrows(IllegalArgumentException.class,
                () -> ApplyLatencyBenchmark.parse(new String[] {"--sizes=10,20", "--events=1,2,3"}));
        assertThrows(IllegalArgumentException.class, () -> ApplyLatencyBenchmark.parse(new String[] {"--burst=x"}));
    }

    @Test
    void vipsStayInPrivateRanges() {
        String mapping = ApplyLatencyBenchmark.vipMapping(1000);
        assertTrue(mapping.startsWith("svc0|192.168.0.1,"), mapping);
        assertTrue(mapping.endsWith("svc999|192.168.3.250"), mapping);
    }
}
