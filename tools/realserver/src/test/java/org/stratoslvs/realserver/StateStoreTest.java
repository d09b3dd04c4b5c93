package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateStoreTest {
    @TempDir
    Path dir;

    private static final String VALID = "format=1\nnetns=\nvip=192.168.56.50\nprefix=32\ninterface=lo\n"
            + "interface.requested=lvs0\ninterface.created=false\nlink.set-up=false\naddress.added=true\n";

    @Test
    void roundTripKeepsEverythingIncludingSysctlOrder() throws ToolException {
        StateStore store = new StateStore(dir.resolve("a/b/realserver.state"));
        RealServerState state = new RealServerState("ns1", IpAddress.parse("2001:db8::50"), 128, "vlan.10", "lvs0");
        state.interfaceCreated(true);
        state.addressAdded(true);
        state.recordPreviousSysctl(new ArpSysctl("all", ArpSysctl.Param.ARP_IGNORE), 0);
        state.recordPreviousSysctl(new ArpSysctl("vlan.10", ArpSysctl.Param.ARP_ANNOUNCE), 1);
        state.recordPreviousSysctl(new ArpSysctl("all", ArpSysctl.Param.ARP_IGNORE), 1); // keeps the first value
        store.save(state);

        RealServerState loaded = store.load().orElseThrow();
        assertEquals("ns1", loaded.netns());
        assertEquals(state.vip(), loaded.vip());
        assertEquals(128, loaded.prefix());
        assertEquals("vlan.10", loaded.interfaceName());
        assertEquals("lvs0", loaded.requestedInterface());
        assertTrue(loaded.interfaceCreated());
        assertTrue(loaded.addressAdded());
        assertEquals(List.of(Map.entry(new ArpSysctl("all", ArpSysctl.Param.ARP_IGNORE), 0),
                Map.entry(new ArpSysctl("vlan.10", ArpSysctl.Param.ARP_ANNOUNCE), 1)),
                List.copyOf(loaded.previousSysctls().entrySet()));
    }

    @Test
    void missingFileIsEmpty() throws ToolException {
        assertTrue(new StateStore(dir.resolve("none")).load().isEmpty());
    }

    @Test
    void validFileLoads() throws Exception {
        Path file = dir.resolve("s");
        Files.writeString(file, "# comment\n" + VALID + "sysctl.previous.net.ipv4.conf.all.arp_ignore=0\n");
        assertEquals(1, new StateStore(file).load().orElseThrow().previousSysctls().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "format=2\n",
        "extra=1\n",
        "garbage\n",
        "sysctl.previous.net.ipv4.conf.all.rp_filter=0\n",
        "sysctl.previous.net.ipv4.conf.a;b.arp_ignore=0\n",
        "sysctl.previous.net.ipv4.conf.all.arp_ignore=-1\n",
        "sysctl.previous.net.ipv4.conf.all.arp_ignore=0\nsysctl.previous.net.ipv4.conf.all.arp_ignore=0\n",
        "vip=192.168.56.51\n",
    })
    void corruptFilesAreRejected(String extra) throws Exception {
        Path file = dir.resolve("s");
        String text = extra.startsWith("format=") ? VALID.replace("format=1\n", extra) : VALID + extra;
        Files.writeString(file, text);
        assertEquals(ExitCode.STATE_FILE, assertThrows(ToolException.class, () -> new StateStore(file).load()).exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interface=lo", "vip=192.168.56.50", "prefix=32"})
    void badOrMissingCoreValuesAreStateFileErrors(String line) throws Exception {
        Path file = dir.resolve("s");
        Files.writeString(file, VALID.replace(line + "\n", ""));
        assertEquals(ExitCode.STATE_FILE, assertThrows(ToolException.class, () -> new StateStore(file).load()).exitCode());
        Files.writeString(file, VALID.replace(line, line + "$(x)"));
        assertEquals(ExitCode.STATE_FILE, assertThrows(ToolException.class, () -> new StateStore(file).load()).exitCode());
    }
}
