package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stratoslvs.api.ControlStatus.ApplyRecord;

/**
 * The apply listener, without root or keepalived: render-only mode with a binary that does not exist skips
 * {@code keepalived -t}, so only the write and the listener are exercised.
 */
class ApplyListenerTest {

    @TempDir
    Path tmp;

    private ApplyPipeline pipeline;

    private record Ended(ApplyRecord record, String text, long endNanos, boolean fileHeldText) {
    }

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private ApplyPipeline renderOnly(Path conf) {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of(
                KeepalivedSettings.MODE, "render-only",
                KeepalivedSettings.BINARY, tmp.resolve("no-such-keepalived").toString(),
                KeepalivedSettings.CONF_PATH, conf.toString()), Map.of());
        assertEquals(java.util.List.of(), s.errors());
        pipeline = new ApplyPipeline(s);
        return pipeline;
    }

    @Test
    void toldAfterTheFileIsWrittenWithTheSubmittedTextAndItsRecord() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        renderOnly(conf);
        BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
        pipeline.setApplyListener((record, text, end) -> ended.add(new Ended(record, text, end,
                text.equals(read(conf)))));

        String text = "# first\n";
        long submitted = System.nanoTime();
        pipeline.submit(text, "first");
        Ended e = ended.poll(10, TimeUnit.SECONDS);
        assertTrue(e != null, "listener not called");
        assertSame(text, e.text(), "the very instance submitted");
        assertEquals("applied", e.record().result());
        assertEquals("first", e.record().cause());
        assertTrue(e.endNanos() - submitted > 0, "ends after the submit");
        assertTrue(e.fileHeldText(), "the file is in place when the listener is told");

        // unchanged text: an apply that ends without writing is reported too
        pipeline.submit(new String(text), "same again");
        Ended same = ended.poll(10, TimeUnit.SECONDS);
        assertTrue(same != null, "listener not called for an unchanged text");
        assertEquals("unchanged", same.record().result());
    }

    @Test
    void aFailingListenerDoesNotStopThePipelineAndNullRemovesIt() throws Exception {
        Path conf = tmp.resolve("keepalived.conf");
        renderOnly(conf);
        pipeline.setApplyListener((record, text, end) -> {
            throw new IllegalStateException("listener bug");
        });
        pipeline.submit("# a\n", "a");
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)));
        pipeline.submit("# b\n", "b");
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)));
        assertEquals("# b\n", Files.readString(conf));
        assertEquals("applied", pipeline.status().lastApply().result());

        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        pipeline.setApplyListener((record, text, end) -> calls.incrementAndGet());
        pipeline.submit("# c\n", "c");
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)));
        assertEquals(1, calls.get(), "the new listener replaced the failing one");

        pipeline.setApplyListener(null);
        pipeline.submit("# d\n", "d");
        assertTrue(pipeline.awaitIdle(Duration.ofSeconds(10)));
        assertEquals("# d\n", Files.readString(conf));
        assertEquals(1, calls.get(), "null removed the listener");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
