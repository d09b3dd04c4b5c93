package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicConfigWriterTest {

    @TempDir
    Path tmp;

    private final AtomicConfigWriter writer = new AtomicConfigWriter();

    @Test
    void createsPrivateDirectoriesAndA0600File() throws IOException {
        Path target = tmp.resolve("a/b/keepalived.conf");
        writer.write(target, "one\n");
        writer.write(target, "two\n");
        assertEquals("two\n", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a"))));
        assertEquals(List.of(target), list(target.getParent()), "no temp file left");
    }

    @Test
    void aStagedTextReachesTheTargetOnlyOnCommitAndDiscardLeavesNothing() throws IOException {
        Path target = tmp.resolve("keepalived.conf");
        writer.write(target, "old\n");

        AtomicConfigWriter.Staged rejected = writer.stage(target, "rejected\n");
        assertEquals("old\n", Files.readString(target));
        assertEquals(2, list(tmp).size(), "the staged temp file sits beside the target");
        rejected.discard();
        rejected.discard();
        assertEquals(List.of(target), list(tmp));

        AtomicConfigWriter.Staged accepted = writer.stage(target, "accepted\n");
        assertEquals("old\n", Files.readString(target));
        accepted.commit();
        assertEquals("accepted\n", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of(target), list(tmp));
        assertThrows(IllegalStateException.class, accepted::commit);
    }

    @Test
    void readOnlyDirectoryKeepsTheOldFile() throws IOException {
        TestEnv.requireRootKeepalivedIp();
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        TestEnv.sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString());
        try {
            Path target = dir.resolve("keepalived.conf");
            writer.write(target, "old\n");
            // root ignores permission bits: only a read-only mount really refuses the write
            TestEnv.sh("mount", "-o", "remount,ro", dir.toString());
            AtomicConfigWriter.WriteException e = assertThrows(AtomicConfigWriter.WriteException.class,
                    () -> writer.write(target, "new\n"));
            assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
            assertTrue(e.getMessage().contains("previous file is kept"), e.getMessage());
            assertEquals("old\n", Files.readString(target));
        } finally {
            unmount(dir);
        }
    }

    @Test
    void fullDiskKeepsTheOldFileAndLeavesNoTempFile() throws IOException {
        TestEnv.requireRootKeepalivedIp();
        Path dir = Files.createDirectory(tmp.resolve("full"));
        TestEnv.sh("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir.toString());
        try {
            Path target = dir.resolve("keepalived.conf");
            writer.write(target, "old\n");
            String big = "# filler\n".repeat(4000);
            AtomicConfigWriter.WriteException e = assertThrows(AtomicConfigWriter.WriteException.class,
                    () -> writer.write(target, big));
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertEquals("old\n", Files.readString(target));
            assertEquals(List.of(target), list(dir), "the temp file is removed");
        } finally {
            unmount(dir);
        }
    }

    static void unmount(Path dir) {
        TestEnv.quiet("umount", dir.toString());
        TestEnv.quiet("umount", "-l", dir.toString());
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
