package org.stratoslvs.keepalived;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a file so that readers (keepalived on SIGHUP or start) see the old or the new content, never a part, and
 * the new content survives a crash once {@link #write} returns: temp file in the same directory, fsync, atomic
 * rename, fsync of the directory. The file is 0600 because it holds the VRRP password. On failure the old file is
 * untouched and the exception says which step failed and why.
 */
public final class AtomicConfigWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicConfigWriter.class);

    /** A failed write; the previous file is intact. */
    public static final class WriteException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public void write(Path target, String text) throws WriteException {
        stage(target, text).commit();
    }

    /**
     * A new content written and synced to a hidden temp file beside the target, not yet in place: {@link #commit}
     * puts it there, {@link #discard} removes it. Lets the caller write while it validates the same text, and only
     * then decide.
     */
    public static final class Staged {
        private final Path target;
        private Path tmp;

        private Staged(Path target, Path tmp) {
            this.target = target;
            this.tmp = tmp;
        }

        /** Renames the temp file over the target (atomic), then makes the rename durable. */
        public void commit() throws WriteException {
            if (tmp == null) {
                throw new IllegalStateException("already committed or discarded");
            }
            Path dir = target.toAbsolutePath().getParent();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                tmp = null;
            } catch (IOException | UnsupportedOperationException e) {
                discard();
                throw new WriteException("cannot write " + target + " (renaming the temp file to " + target + "): "
                        + reason(e) + "; the previous file is kept", e);
            }
            syncDirectory(dir);
        }

        /** Removes the temp file; the target is untouched. Idempotent. */
        public void discard() {
            deleteQuietly(tmp);
            tmp = null;
        }
    }

    /** Writes {@code text} to a temp file in the target's directory (mode 0600) and syncs it. */
    public Staged stage(Path target, String text) throws WriteException {
        Path dir = target.toAbsolutePath().getParent();
        String step = "creating directory " + dir;
        Path tmp = null;
        try {
            createPrivateDirs(dir);
            step = "creating a temp file in " + dir;
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            step = "writing " + tmp;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                step = "syncing " + tmp;
                ch.force(true);
            }
            return new Staged(target, tmp);
        } catch (IOException | UnsupportedOperationException e) {
            deleteQuietly(tmp);
            throw new WriteException("cannot write " + target + " (" + step + "): " + reason(e)
                    + "; the previous file is kept", e);
        }
    }

    /** Creates missing directories with mode 0700; existing ones keep their mode. */
    static void createPrivateDirs(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /**
     * Makes the rename itself durable. The new content is already in place, so a failure here is only logged:
     * reporting the write as failed would be wrong, the file has changed.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.warn("fsync of directory {} failed ({}); the new config is in place but may not survive a crash",
                    dir, reason(e));
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                LOG.warn("could not remove temp file {}: {}", tmp, reason(e));
            }
        }
    }

    static String reason(Throwable e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
