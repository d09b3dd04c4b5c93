package org.stratoslvs.keepalived;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * One candidate's temp file, written and synced on the writer thread from construction on, while the apply thread
 * runs keepalived -t (disk and a process in parallel); put in place by {@link #commit} once the text is accepted,
 * removed by {@link #discard} otherwise. Apply thread only. {@link #millis} is the write's own duration (temp file,
 * sync, rename, directory sync), {@link #waitedMillis} what the apply thread waited for it after validating.
 */
final class StagedWrite {

    private final Future<AtomicConfigWriter.Staged> written;
    // set on the writer thread; read after written.get(), which orders it
    private long writeNanos;
    private long waitedNanos;

    StagedWrite(ExecutorService stager, AtomicConfigWriter writer, Path target, String text) {
        Callable<AtomicConfigWriter.Staged> task = () -> {
            long start = System.nanoTime();
            try {
                return writer.stage(target, text);
            } finally {
                writeNanos = System.nanoTime() - start;
            }
        };
        Future<AtomicConfigWriter.Staged> f;
        try {
            f = stager.submit(task);
        } catch (RejectedExecutionException e) {
            // closing: write on this thread
            FutureTask<AtomicConfigWriter.Staged> now = new FutureTask<>(task);
            now.run();
            f = now;
        }
        written = f;
    }

    void commit() throws AtomicConfigWriter.WriteException {
        long start = System.nanoTime();
        AtomicConfigWriter.Staged staged = await();
        waitedNanos = System.nanoTime() - start;
        long commitStart = System.nanoTime();
        try {
            staged.commit();
        } finally {
            writeNanos += System.nanoTime() - commitStart;
            waitedNanos += System.nanoTime() - commitStart;
        }
    }

    void discard() {
        try {
            await().discard();
        } catch (AtomicConfigWriter.WriteException e) {
            // nothing was staged
        }
    }

    long millis() {
        return writeNanos / 1_000_000;
    }

    long waitedMillis() {
        return waitedNanos / 1_000_000;
    }

    private AtomicConfigWriter.Staged await() throws AtomicConfigWriter.WriteException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return written.get();
                } catch (InterruptedException e) {
                    // the write is short and bounded by the disk; finish it rather than leave a temp file
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AtomicConfigWriter.WriteException w) {
                throw w;
            }
            throw new IllegalStateException("writing the config failed unexpectedly", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
