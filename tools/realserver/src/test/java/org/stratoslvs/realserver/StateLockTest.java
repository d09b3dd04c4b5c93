package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Waiting for and refusing on the state file's lock, between threads of this JVM (the JDK's overlap check; the
 * lock between processes is what NetnsIntegrationTest runs).
 */
class StateLockTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @Test
    void lockFileSitsBesideTheStateFileInADirectoryItCreates() throws Exception {
        Path state = dir.resolve("var/lib/stratos-lvs/realserver.state");
        try (StateLock lock = StateLock.acquire(state, Duration.ZERO, out)) {
            assertTrue(Files.isRegularFile(dir.resolve("var/lib/stratos-lvs/realserver.state.lock")));
        }
        assertEquals("", output.toString(StandardCharsets.UTF_8), "an uncontended lock prints nothing");
    }

    @Test
    void aSecondRunWaitsItsBoundThenRefusesWithLocked() throws Exception {
        Path state = dir.resolve("realserver.state");
        try (StateLock held = StateLock.acquire(state, Duration.ZERO, out)) {
            long start = System.nanoTime();
            CompletableFuture<ToolException> second = CompletableFuture.supplyAsync(() -> {
                try {
                    StateLock.acquire(state, Duration.ofSeconds(1), out).close();
                    return null;
                } catch (ToolException e) {
                    return e;
                }
            });
            ToolException refused = second.get(10, TimeUnit.SECONDS);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(refused != null, "the second run got a lock the first still held");
            assertEquals(ExitCode.LOCKED, refused.exitCode(), refused.getMessage());
            assertTrue(refused.getMessage().contains("another lvs-realserver run still holds " + state + ".lock"),
                    refused.getMessage());
            assertTrue(waitedMillis >= 1000, "refused after " + waitedMillis + " ms, before its 1 s wait was over");
            assertTrue(output.toString(StandardCharsets.UTF_8).contains("waiting for another lvs-realserver run"),
                    output.toString(StandardCharsets.UTF_8));
        }
        // released: the next run gets it at once
        StateLock.acquire(state, Duration.ZERO, out).close();
    }

    @Test
    void aSecondRunThatWaitsGetsTheLockOnceTheFirstReleasesIt() throws Exception {
        Path state = dir.resolve("realserver.state");
        StateLock first = StateLock.acquire(state, Duration.ZERO, out);
        CompletableFuture<StateLock> second = CompletableFuture.supplyAsync(
                () -> uncheckedAcquire(state, Duration.ofSeconds(20)));
        Thread.sleep(300);
        assertFalse(second.isDone(), "the second run did not wait for the first");
        first.close();
        second.get(10, TimeUnit.SECONDS).close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "01", "3601", "", "ten"})
    void badLockWaitIsAUsageError(String value) {
        ToolRun run = ToolRun.run(argv -> {
            throw new AssertionError("no command may run: " + argv);
        }, "apply", "--vip", "192.168.56.50", "--state-file", dir.resolve("s").toString(), "--lock-wait", value);
        assertEquals(ExitCode.USAGE.code(), run.exitCode(), run.toString());
    }

    @Test
    void statusTakesNoLockWait() {
        ToolRun run = ToolRun.run(argv -> {
            throw new AssertionError("no command may run: " + argv);
        }, "status", "--state-file", dir.resolve("s").toString(), "--lock-wait", "5");
        assertEquals(ExitCode.USAGE.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), List.of(dir.toFile().list()), "nothing created");
    }

    private StateLock uncheckedAcquire(Path state, Duration wait) {
        try {
            return StateLock.acquire(state, wait, out);
        } catch (ToolException e) {
            throw new Refused(e);
        }
    }

    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(ToolException cause) {
            super(cause);
        }
    }
}
