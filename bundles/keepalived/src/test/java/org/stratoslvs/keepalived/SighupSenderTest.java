package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGHUP through pre-started helper shells, against real processes that trap SIGHUP. */
class SighupSenderTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SighupSender sender = new SighupSender();
    private final List<Target> targets = new ArrayList<>();
    /** Every helper a test saw: none may outlive close(). */
    private final List<ProcessHandle> helpersSeen = new ArrayList<>();

    @AfterEach
    void closeAndCheckNothingLeaks() throws InterruptedException {
        sender.close();
        for (ProcessHandle h : helpersSeen) {
            assertFalse(h.isAlive(), "helper pid " + h.pid() + " outlived close()");
        }
        for (Target t : targets) {
            assertTrue(helperChildren(t.pid()).isEmpty(), "a helper for pid " + t.pid() + " outlived close()");
            t.close();
        }
    }

    @Test
    void theFirstSignalUsesKillAndTheNextOnesTheHelper() throws Exception {
        Target t = target();

        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fallbackSignals());
        assertEquals(0, sender.fastSignals());

        for (int i = 1; i <= 5; i++) {
            ProcessHandle helper = awaitHelper(t.pid());
            sender.signal(t.pid());
            t.awaitHup();
            assertEquals(i, sender.fastSignals());
            helper.onExit().get(5, TimeUnit.SECONDS);
            assertFalse(helper.isAlive(), "a helper is used once");
        }
        assertEquals(1, sender.fallbackSignals());
        t.assertNoMoreHups();
    }

    @Test
    void prepareMakesEvenTheFirstSignalFast() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        awaitHelper(t.pid());

        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fastSignals());
        assertEquals(0, sender.fallbackSignals());
    }

    @Test
    void aNewPidDestroysTheOldHelperAndGetsOneOfItsOwn() throws Exception {
        Target old = target();
        Target restarted = target();
        sender.prepare(old.pid());
        ProcessHandle oldHelper = awaitHelper(old.pid());

        sender.signal(restarted.pid());
        restarted.awaitHup();
        assertEquals(1, sender.fallbackSignals());
        oldHelper.onExit().get(5, TimeUnit.SECONDS);
        assertFalse(oldHelper.isAlive());
        old.assertNoMoreHups();

        awaitHelper(restarted.pid());
        sender.signal(restarted.pid());
        restarted.awaitHup();
        assertEquals(1, sender.fastSignals());

        // prepare() for another pid replaces the helper too
        ProcessHandle restartedHelper = awaitHelper(restarted.pid());
        sender.prepare(old.pid());
        restartedHelper.onExit().get(5, TimeUnit.SECONDS);
        awaitHelper(old.pid());
        sender.signal(old.pid());
        old.awaitHup();
        assertEquals(2, sender.fastSignals());
        restarted.assertNoMoreHups();
    }

    @Test
    void dropDestroysTheHelperAndTheNextSignalFallsBack() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        ProcessHandle helper = awaitHelper(t.pid());
        sender.drop();
        helper.onExit().get(5, TimeUnit.SECONDS);
        assertTrue(sender.helper(t.pid()).isEmpty());

        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fallbackSignals());
        assertEquals(0, sender.fastSignals());
        t.assertNoMoreHups();
    }

    @Test
    void aHelperKilledFromOutsideMeansOneSlowSignalThenFastAgain() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        ProcessHandle helper = awaitHelper(t.pid());
        helper.destroyForcibly();
        helper.onExit().get(5, TimeUnit.SECONDS);

        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fallbackSignals());
        assertEquals(0, sender.fastSignals());

        awaitHelper(t.pid());
        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fastSignals());
        t.assertNoMoreHups();
    }

    @Test
    void aMissingPidFailsWithKillsMessage() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long pid = gone.pid();

        IOException e = assertTimeoutPreemptively(WAIT, () -> assertThrows(IOException.class, () -> sender.signal(pid)));
        assertTrue(e.getMessage().contains(Long.toString(pid)) && e.getMessage().contains("No such process"),
                e.getMessage());
        assertEquals(0, sender.fastSignals() + sender.fallbackSignals());
    }

    @Test
    void aTargetThatExitedFailsThroughTheHelperTooAndNoHelperIsStartedForIt() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        awaitHelper(t.pid());
        t.close();

        IOException e = assertTimeoutPreemptively(WAIT, () -> assertThrows(IOException.class,
                () -> sender.signal(t.pid())));
        assertTrue(e.getMessage().contains("kill -HUP " + t.pid() + " failed (exit 1)")
                && e.getMessage().contains("No such process"), e.getMessage());
        assertEquals(0, sender.fastSignals() + sender.fallbackSignals());
        Thread.sleep(200);
        assertTrue(sender.helper(t.pid()).isEmpty());
    }

    @Test
    void aLateAnswerIsTakenFromTheHelpersExit() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        ProcessHandle helper = awaitHelper(t.pid());
        Processes.signal(helper.pid(), "STOP");
        Thread resume = new Thread(() -> {
            try {
                Thread.sleep(200);
                Processes.signal(helper.pid(), "CONT");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long start = System.nanoTime(); // before the resume thread's 200 ms start counting
        resume.start();
        sender.signal(t.pid());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "returned before the answer");
        t.awaitHup();
        assertEquals(1, sender.fastSignals());
        assertEquals(0, sender.fallbackSignals());
        resume.join();
        t.assertNoMoreHups();
    }

    @Test
    void aHelperThatDoesNotAnswerIsKilledAtTheTimeout() throws Exception {
        Target t = target();
        try (SighupSender quick = new SighupSender(Duration.ofMillis(300))) {
            quick.prepare(t.pid());
            ProcessHandle helper = awaitHelper(quick, t.pid());
            Processes.signal(helper.pid(), "STOP");

            long start = System.nanoTime();
            IOException e = assertTimeoutPreemptively(WAIT, () -> assertThrows(IOException.class,
                    () -> quick.signal(t.pid())));
            assertEquals("SIGHUP helper for pid " + t.pid() + " did not finish within 300 ms", e.getMessage());
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
            helper.onExit().get(5, TimeUnit.SECONDS);
            t.assertNoMoreHups();

            // nothing was prepared after the failure: the next signal takes the slow way, and works
            quick.signal(t.pid());
            t.awaitHup();
            assertEquals(1, quick.fallbackSignals());
            assertEquals(0, quick.fastSignals());
            helpersSeen.add(awaitHelper(quick, t.pid()));
        }
    }

    @Test
    void onlyRealPidsAreSignalled() {
        for (long pid : new long[] {0, -1, -42}) {
            IOException e = assertThrows(IOException.class, () -> sender.signal(pid));
            assertEquals("not a process id: " + pid, e.getMessage());
        }
        sender.prepare(-1);
        sender.prepare(0);
        assertEquals(0, sender.fastSignals() + sender.fallbackSignals());
    }

    @Test
    void closeDestroysTheHelperAndOneBeingStarted() throws Exception {
        Target t = target();
        sender.prepare(t.pid());
        ProcessHandle helper = awaitHelper(t.pid());
        sender.close();
        assertFalse(helper.isAlive());
        assertTrue(helperChildren(t.pid()).isEmpty());

        // a start still running when close() is called ends destroyed as well
        SighupSender racing = new SighupSender();
        racing.prepare(t.pid());
        racing.close();
        assertTrue(racing.helper(t.pid()).isEmpty());
        assertTrue(helperChildren(t.pid()).isEmpty());

        // closed: signals still work (with kill) but start nothing
        sender.signal(t.pid());
        t.awaitHup();
        assertEquals(1, sender.fallbackSignals());
        Thread.sleep(200);
        assertTrue(sender.helper(t.pid()).isEmpty());
        assertTrue(helperChildren(t.pid()).isEmpty());
    }

    @Test
    void thePidIsAnArgumentNotPartOfTheScript() {
        List<String> argv = SighupSender.helperCommand(1234);
        assertEquals(List.of("/bin/sh", "-c", SighupSender.SCRIPT, "sh", "1234"), argv);
        assertFalse(SighupSender.SCRIPT.contains("1234"));
    }

    private Target target() throws IOException, InterruptedException {
        Target t = new Target();
        targets.add(t);
        return t;
    }

    private ProcessHandle awaitHelper(long pid) throws InterruptedException {
        return awaitHelper(sender, pid);
    }

    private ProcessHandle awaitHelper(SighupSender s, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var h = s.helper(pid);
            if (h.isPresent()) {
                helpersSeen.add(h.get());
                return h.get();
            }
            Thread.sleep(5);
        }
        return fail("no helper for pid " + pid + " within " + WAIT);
    }

    /** Our children running the helper script for pid. */
    private static List<ProcessHandle> helperChildren(long pid) {
        List<String> argv = SighupSender.helperCommand(pid);
        return ProcessHandle.current().children()
                .filter(h -> h.isAlive() && Processes.cmdline(h.pid()).equals(argv))
                .toList();
    }

    /** A shell that prints "hup" for each SIGHUP it gets. */
    private static final class Target implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Target() throws IOException, InterruptedException {
            process = new ProcessBuilder("/bin/sh", "-c", "trap 'echo hup' HUP; while :; do sleep 0.02; done")
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "sighup-target-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            if (!Processes.awaitSighupHandler(process.pid(), WAIT)) {
                fail("the target shell did not trap SIGHUP");
            }
        }

        long pid() {
            return process.pid();
        }

        /** One "hup" line; waiting for it before the next signal, since pending SIGHUPs merge into one. */
        void awaitHup() throws InterruptedException {
            assertEquals("hup", lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), "pid " + pid() + " got no SIGHUP");
        }

        void assertNoMoreHups() throws InterruptedException {
            assertNull(lines.poll(100, TimeUnit.MILLISECONDS));
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
