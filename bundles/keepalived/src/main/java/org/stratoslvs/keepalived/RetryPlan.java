package org.stratoslvs.keepalived;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Retry;

/**
 * When to try a failed apply again: after {@code first}, doubling per attempt up to {@code max}, for as long as applies
 * fail for a reason that can go away ({@link org.stratoslvs.api.ControlStatus.Outcome#retried()}); any other outcome
 * ends the series. Pure decisions (the caller's lock, the caller's thread); a series is logged at its start and end.
 */
final class RetryPlan {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);

    /** First retry delay after a failure that can go away. */
    static final Duration FIRST = Duration.ofSeconds(1);
    /** Longest retry delay: a full disk or a stopped keepalived is noticed within a minute of being fixed. */
    static final Duration MAX = Duration.ofSeconds(60);

    private final Duration first;
    private final Duration max;
    private int attempts;
    private Retry planned;

    RetryPlan(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /**
     * After {@code r} was recorded: the retry to run (then {@link #delay} of it), or null when none is due because the
     * apply succeeded or got a verdict.
     */
    Retry after(ApplyRecord r, Instant now) {
        if (!r.outcome().retried()) {
            if (planned != null) {
                LOG.info("keepalived apply converged after {} retries", attempts);
            }
            planned = null;
            attempts = 0;
            return null;
        }
        attempts++;
        Duration delay = delay(attempts);
        if (attempts == 1) {
            LOG.warn("keepalived apply failed ({}); retrying with backoff from {} ms up to {} s until it succeeds",
                    r.result(), delay.toMillis(), max.toSeconds());
        }
        planned = new Retry(attempts, now.plus(delay), r.result());
        return planned;
    }

    /** The delay before attempt {@code n} (1-based). */
    Duration delay(int n) {
        long ms = first.toMillis() << Math.min(20, n - 1);
        return Duration.ofMillis(Math.min(max.toMillis(), ms));
    }

    /** Whether {@code r} is still the retry to run (a later failure or a success replaces it). */
    boolean isCurrent(Retry r) {
        return planned == r;
    }

    /** The planned retry, or null. */
    Retry planned() {
        return planned;
    }
}
