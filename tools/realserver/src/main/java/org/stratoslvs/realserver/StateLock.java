package org.stratoslvs.realserver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive lock held for the whole read-modify-write of one apply or remove, so that two runs on one state
 * file (a member's start-up script and an operator, say) cannot both read "no state" and overwrite each other's
 * record: the second run waits, then sees what the first recorded.
 *
 * <p>The lock is an OS lock ({@link FileChannel#tryLock()}, fcntl on Linux) on a separate file beside the state
 * file, not on the state file itself: the state file is replaced by a rename on every save, and a lock on the old
 * inode would protect nothing. The lock file is never deleted: deleting it while another run waits on it would let
 * a third run lock a new file with the same name. The OS drops the lock when the process ends, even on kill -9.
 */
final class StateLock implements AutoCloseable {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 50;

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static Path lockFileFor(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code stateFile}, waiting up to {@code wait} for another run to finish.
     *
     * @throws ToolException {@link ExitCode#LOCKED} when another run still holds it after {@code wait};
     *     {@link ExitCode#STATE_FILE} when the lock file cannot be created or opened
     */
    static StateLock acquire(Path stateFile, Duration wait, PrintStream out) throws ToolException {
        Path lockFile = lockFileFor(stateFile);
        FileChannel channel;
        try {
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ToolException.stateFile("cannot open lock file " + lockFile + ": " + e);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        try {
            while (true) {
                FileLock lock = tryLock(channel, lockFile);
                if (lock != null) {
                    return new StateLock(channel, lock);
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new ToolException(ExitCode.LOCKED, "another lvs-realserver run still holds " + lockFile
                            + " after " + wait.toSeconds() + " s; nothing changed. Run again once it is done (or"
                            + " give a longer --lock-wait)");
                }
                if (!told) {
                    out.println("waiting for another lvs-realserver run on " + stateFile + " to finish (lock "
                            + lockFile + ", at most " + wait.toSeconds() + " s)");
                    told = true;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            throw new ToolException(ExitCode.LOCKED, "interrupted while waiting for " + lockFile + "; nothing changed");
        } catch (ToolException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Null while another holder has it: another process, or (tests, embedding) another thread of this JVM. */
    private static FileLock tryLock(FileChannel channel, Path lockFile) throws ToolException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // The OS lock is per process: within one JVM the JDK reports the overlap instead of blocking.
            return null;
        } catch (IOException e) {
            throw ToolException.stateFile("cannot lock " + lockFile + ": " + e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to release: the lock was not taken
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }
}
