package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;

/**
 * The pipeline's decisions (coalescing, containment, retries, the audit and its restore) with stand-ins for
 * keepalived: they run without root or keepalived, on any laptop. The same behaviours are tested against the real
 * keepalived in {@link ApplyPipelineTest} and {@link ContainmentAndRetryTest}; these tests pin the decisions down
 * where the real parts cannot be made to misbehave on demand.
 */
class PipelineDecisionsTest {

    @TempDir
    Path tmp;

    private ApplyPipeline pipeline;
    private final StandInChecker checker = new StandInChecker();
    private final StandInActivation activation = new StandInActivation();

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /**
     * keepalived -t as far as these tests need it: rejects (exit 5) every line with an IPv6 link-local address, and
     * every text once {@link #headBroken} (as when the VRRP interface is gone), naming lines as keepalived does; no
     * verdict while {@link #hang}; counts its runs.
     */
    static final class StandInChecker implements ConfigChecker {
        final AtomicBoolean hang = new AtomicBoolean();
        final AtomicBoolean headBroken = new AtomicBoolean();
        /** Rejects a whole text that holds both of these (a rule keepalived does not have: only the audit sees it). */
        volatile String[] notTogether;
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public KeepalivedValidator.Result check(String text) {
            runs.incrementAndGet();
            if (hang.get()) {
                return new KeepalivedValidator.Result(false, -1, "keepalived -t did not finish within 300 ms", 300);
            }
            List<String> errors = new ArrayList<>();
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (headBroken.get() && lines[i].contains("interface ")) {
                    errors.add("(config: Line " + (i + 1) + ") WARNING - interface for vrrp_instance doesn't exist");
                }
                if (lines[i].contains("real_server fe80::")) {
                    errors.add("(config: Line " + (i + 1) + ") Checker link local address requires a bind_if");
                }
            }
            String[] pair = notTogether;
            if (pair != null && text.contains(pair[0]) && text.contains(pair[1])) {
                errors.add("(config: Line 1) " + pair[0] + " and " + pair[1] + " cannot be served together");
            }
            return errors.isEmpty() ? new KeepalivedValidator.Result(true, 0, "", 1)
                    : new KeepalivedValidator.Result(false, 5, "keepalived -t exit 5: " + String.join("\n", errors), 1);
        }
    }

    /** A keepalived that takes every file, or fails to reload while {@link #failing}; counts its activations. */
    static final class StandInActivation implements Activation {
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicInteger activations = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public Result activate(Steps steps) {
            if (failing.get()) {
                failures.incrementAndGet();
                return Result.failed("stand-in keepalived refuses the reload");
            }
            activations.incrementAndGet();
            steps.add(org.stratoslvs.api.ControlStatus.Step.Kind.RELOAD, 0, "reload (stand-in)");
            return Result.ok(true);
        }

        @Override
        public long pid() {
            return 4242;
        }

        @Override
        public String describe() {
            return "stand-in keepalived";
        }

        @Override
        public org.stratoslvs.api.ControlStatus.ProcessState state() {
            return org.stratoslvs.api.ControlStatus.ProcessState.RUNNING;
        }

        @Override
        public void close(boolean stopKeepalived) {
        }
    }

    private Path start(String... more) {
        Path conf = tmp.resolve("keepalived.conf");
        Map<String, Object> p = new HashMap<>();
        p.put("keepalived.conf.path", conf.toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        KeepalivedSettings s = KeepalivedSettings.parse(p, Map.of());
        assertEquals(List.of(), s.errors());
        pipeline = new ApplyPipeline(s, new ApplyPipeline.Parts(set -> activation, set -> checker,
                Duration.ofMillis(50), Duration.ofMillis(400)));
        return conf;
    }

    private static String file(String... realServersPerService) {
        StringBuilder b = new StringBuilder("global_defs {\n    router_id t\n}\nvrrp_instance VI_1 {\n"
                + "    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
                + "    virtual_ipaddress {\n        10.99.0.200/32\n    }\n}\n");
        int port = 80;
        for (String reals : realServersPerService) {
            b.append("\n# service s").append(port).append(": port ").append(port).append('\n')
                    .append("virtual_server 10.99.0.200 ").append(port++).append(" {\n    lvs_sched rr\n")
                    .append("    protocol TCP\n");
            for (String real : reals.split(",")) {
                b.append("    # member m-").append(real).append('\n')
                        .append("    real_server ").append(real).append(" 80 {\n        weight 1\n    }\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    private void idle() throws InterruptedException {
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)), "pipeline did not become idle");
    }

    private ApplyRecord last() {
        return pipeline.status().lastApply();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(5);
        }
    }

    @Test
    void aBurstCostsAFewAppliesAndTheLastTextWins() throws Exception {
        Path conf = start("reload.min.interval", "200");
        String lastText = null;
        long started = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            lastText = file("10.0.0." + (i % 250 + 1));
            pipeline.submit(lastText, "event " + i);
        }
        idle();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(lastText, Files.readString(conf));
        // the first at once, then at most one per 200 ms interval that the burst and the applies spanned
        assertTrue(pipeline.applyRuns() <= 2 + tookMs / 200, pipeline.applyRuns() + " applies in " + tookMs + " ms");
        assertTrue(last().cause().contains("changes merged"), last().cause());
    }

    @Test
    void aRejectedVirtualServerIsHeldBackAndTheRestApplies() throws Exception {
        Path conf = start("reload.min.interval", "0");
        pipeline.submit(file("10.0.1.1", "10.0.2.1,10.0.2.2"), "first");
        idle();
        String poisoned = file("10.0.1.1,fe80::1", "10.0.2.1");
        pipeline.submit(poisoned, "events");
        idle();
        assertEquals(Outcome.APPLIED_PARTLY, last().outcome(), last().toString());
        String applied = Files.readString(conf);
        assertTrue(applied.contains("real_server 10.0.1.1 80") && !applied.contains("fe80"), applied);
        assertTrue(!applied.contains("10.0.2.2"), "the other service's change applied:\n" + applied);
        assertEquals("s80", pipeline.status().heldBack().get(0).service());
        assertEquals("m-fe80::1 (line " + lineOf(poisoned, "real_server fe80::1") + ")",
                pipeline.status().heldBack().get(0).members());
        assertEquals(2, activation.activations.get());

        // the head rejected: the whole text is rejected, nothing is activated
        checker.headBroken.set(true);
        pipeline.submit(file("10.0.1.1", "10.0.2.1,10.0.2.3"), "more");
        idle();
        assertEquals(Outcome.REJECTED, last().outcome(), last().toString());
        assertTrue(last().detail().endsWith(Containment.HEAD_REJECTED), last().detail());
        assertEquals(applied, Files.readString(conf));
        assertEquals(2, activation.activations.get());
        assertNull(pipeline.status().retry(), "a verdict is not retried");
    }

    @Test
    void aFailedReloadIsRetriedWithGrowingDelaysUntilItConverges() throws Exception {
        Path conf = start("reload.min.interval", "0");
        activation.failing.set(true);
        String text = file("10.0.1.1");
        pipeline.submit(text, "first");
        await("the first apply and three retries", () -> pipeline.status().lastApplies().size() >= 4);
        assertEquals(Outcome.RELOAD_FAILED, last().outcome(), last().toString());
        assertTrue(pipeline.status().retry().attempt() >= 4, pipeline.status().retry().toString());
        List<ApplyRecord> applies = pipeline.status().lastApplies();
        // 50, 100, 200 ms: the gaps between attempts grow
        long gap1 = Duration.between(applies.get(0).at(), applies.get(1).at()).toMillis();
        long gap3 = Duration.between(applies.get(2).at(), applies.get(3).at()).toMillis();
        assertTrue(gap3 > gap1, gap1 + " ms then " + gap3 + " ms");
        activation.failing.set(false);
        await("converged", () -> last().outcome() == Outcome.APPLIED);
        assertTrue(last().cause().startsWith("retry "), last().cause());
        assertNull(pipeline.status().retry());
        assertEquals(text, Files.readString(conf));
    }

    @Test
    void keepalivedTWithoutAVerdictIsRetriedAndANewerConfigSupersedesTheRetry() throws Exception {
        Path conf = start("reload.min.interval", "0");
        pipeline.submit(file("10.0.1.1"), "first");
        idle();
        checker.hang.set(true);
        pipeline.submit(file("10.0.1.2"), "second");
        idle();
        assertEquals(Outcome.NO_VERDICT, last().outcome(), last().toString());
        assertNotNull(pipeline.status().retry());
        // a newer config comes while the retry waits; once keepalived -t answers again it is the one applied
        String newest = file("10.0.1.3");
        pipeline.submit(newest, "third");
        checker.hang.set(false);
        await("converged on the newest", () -> readQuietly(conf).equals(newest));
        idle();
        assertNull(pipeline.status().retry());
    }

    @Test
    void theAuditRestoresTheLastWhollyCheckedFileOnlyWhenItIsAcceptedNow() throws Exception {
        // the first audit runs at once
        Path conf = start("reload.min.interval", "0", "keepalived.validate.audit.interval", "1000");
        String first = file("10.0.9.1", "10.0.9.3");
        pipeline.submit(first, "first");
        idle();
        // keepalived -t of the changed block alone accepts it; the whole file is refused: only the audit sees that
        checker.notTogether = new String[] {"real_server 10.0.9.1 ", "real_server 10.0.9.2 "};
        pipeline.submit(file("10.0.9.1", "10.0.9.2"), "member 10.0.9.2");
        await("restored", () -> pipeline.status().lastApplies().stream()
                .anyMatch(a -> a.outcome() == Outcome.RESTORED));
        idle();
        assertEquals(first, Files.readString(conf));
        assertTrue(pipeline.status().keepalived().contains("whole-file validation only"),
                pipeline.status().keepalived());

        // Again, but the environment has changed too (everything is rejected now): the old file is not put back.
        pipeline.close();
        pipeline = null;
        checker.notTogether = null;
        Path conf2 = start("reload.min.interval", "0", "keepalived.validate.audit.interval", "1000");
        pipeline.submit(first, "first");
        idle();
        String second = file("10.0.9.1");
        pipeline.submit(second, "member 10.0.9.3 left");
        await("first audit", () -> pipeline.auditsRun() >= 1);
        String third = file("10.0.9.5");
        pipeline.submit(third, "member 10.0.9.5");
        idle();
        // before the next audit (a second after the first), the environment changes
        checker.headBroken.set(true);
        await("second audit's verdict", () -> pipeline.status().lastApplies().stream()
                .anyMatch(a -> a.cause().contains("audit rejected")));
        idle();
        ApplyRecord restore = pipeline.status().lastApplies().stream()
                .filter(a -> a.cause().contains("audit rejected")).findFirst().orElseThrow();
        assertEquals(Outcome.REJECTED, restore.outcome(), restore.toString());
        assertEquals(third, Files.readString(conf2), "nothing unchecked put back");
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                // the stand-in names the real_server line itself
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
