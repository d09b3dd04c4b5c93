package org.stratoslvs.topology;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling with a deadline, for things that happen on the route's thread. */
final class Await {

    private Await() {
    }

    static void until(String what, long timeoutMillis, BooleanSupplier condition) {
        until(what, timeoutMillis, condition, () -> "");
    }

    static void until(String what, long timeoutMillis, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!condition.getAsBoolean()) {
            fail("timed out after " + timeoutMillis + " ms waiting for " + what + " " + state.get());
        }
    }
}
