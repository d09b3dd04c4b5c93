package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** When applies run and what they merge, on a clock of the test's own. */
class CoalescerTest {

    private static final Duration MIN = Duration.ofMillis(250);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Coalescer c = new Coalescer(now::get);

    @Test
    void theFirstChangeRunsAtOnceAndChangesDuringAnApplyMergeIntoTheNextAfterTheMinimumInterval() {
        assertEquals(0, c.offer("a", false, "e1", MIN), "first change: at once");
        assertEquals(-1, c.offer("b", false, "e2", MIN), "already planned: merged");
        Coalescer.Batch first = c.take();
        assertEquals("b", first.text(), "latest text wins");
        assertEquals("e1; e2 (2 changes merged)", first.cause());
        assertEquals(-1, c.offer("c", true, "reload", MIN), "an apply runs: waits for it");
        assertEquals(-1, c.offer("d", false, "e3", MIN));
        now.addAndGet(Duration.ofMillis(100).toNanos());
        long delay = c.ended(MIN);
        assertEquals(MIN.toNanos(), delay, "the next one the minimum interval after this one ended");
        Coalescer.Batch second = c.take();
        assertEquals("d", second.text());
        assertTrue(second.force(), "a forced apply stays forced when a later text replaces it");
        assertEquals(-1, c.ended(MIN), "nothing pending: nothing planned");
        assertTrue(!c.busy() && !c.pending());

        // quiet for longer than the interval: at once again
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(0, c.offer("e", false, "e4", MIN));
    }

    @Test
    void causesAreTalliedBoundedAndAPlannedRunWithNothingPendingTakesNothing() {
        c.offer("x", false, "same", MIN);
        for (int i = 0; i < 3; i++) {
            c.offer("x", false, "same", MIN);
        }
        for (int i = 0; i < 10; i++) {
            c.offer("x", false, "other " + i, MIN);
        }
        assertEquals("same x4; other 0; other 1; other 2; other 3; 6 more (14 changes merged)", c.take().cause());
        c.ended(MIN);
        c.offer("y", false, "late", MIN);
        c.clear();
        assertNull(c.take(), "cleared: nothing to apply");
    }
}
