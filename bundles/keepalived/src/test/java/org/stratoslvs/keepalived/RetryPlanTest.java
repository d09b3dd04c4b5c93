package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;
import org.stratoslvs.api.ControlStatus.Retry;

class RetryPlanTest {

    private static ApplyRecord record(Outcome o) {
        return new ApplyRecord(Instant.EPOCH, o, o == Outcome.APPLIED ? "" : "why", "cause", 1, java.util.List.of());
    }

    @Test
    void failuresThatCanGoAwayBackOffDoublingToTheMaximumAndAnythingElseEndsTheSeries() {
        RetryPlan plan = new RetryPlan(Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertEquals(Duration.ofSeconds(1), plan.delay(1));
        assertEquals(Duration.ofSeconds(2), plan.delay(2));
        assertEquals(Duration.ofSeconds(32), plan.delay(6));
        assertEquals(Duration.ofSeconds(60), plan.delay(7));
        assertEquals(Duration.ofSeconds(60), plan.delay(1000), "no overflow");

        Instant now = Instant.parse("2026-12-02T00:00:00Z");
        Retry first = plan.after(record(Outcome.WRITE_FAILED), now);
        assertEquals(1, first.attempt());
        assertEquals(now.plusSeconds(1), first.at());
        assertEquals("write failed: why", first.after());
        Retry second = plan.after(record(Outcome.NO_VERDICT), now);
        assertEquals(2, second.attempt());
        assertTrue(plan.isCurrent(second) && !plan.isCurrent(first), "a later failure replaces the planned retry");
        assertEquals(3, plan.after(record(Outcome.RELOAD_FAILED), now).attempt());

        assertNull(plan.after(record(Outcome.REJECTED), now), "a verdict is not retried");
        assertNull(plan.planned());
        assertEquals(1, plan.after(record(Outcome.WRITE_FAILED), now).attempt(), "a new series starts at 1");
        assertNull(plan.after(record(Outcome.APPLIED), now));
        assertNull(plan.planned());
    }
}
