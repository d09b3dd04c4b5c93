package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact commands issued on a kernel with the dummy driver (simulated: this kernel has none). */
class DummyPathTest {
    @TempDir
    Path dir;

    private String state() {
        return dir.resolve("state/realserver.state").toString();
    }

    @Test
    void applyCreatesDummySetsSysctlsThenAddsHostAddress() {
        FakeKernel kernel = new FakeKernel();
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50|255.255.255.0", "--state-file", state());

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of(
                "ip -o addr show",
                "ip -o -d link show dev lvs0",
                "ip link add lvs0 type dummy",
                "sysctl -n net/ipv4/conf/all/arp_ignore",
                "sysctl -q -w net/ipv4/conf/all/arp_ignore=1",
                "sysctl -n net/ipv4/conf/all/arp_announce",
                "sysctl -q -w net/ipv4/conf/all/arp_announce=2",
                "sysctl -n net/ipv4/conf/lvs0/arp_ignore",
                "sysctl -q -w net/ipv4/conf/lvs0/arp_ignore=1",
                "sysctl -n net/ipv4/conf/lvs0/arp_announce",
                "sysctl -q -w net/ipv4/conf/lvs0/arp_announce=2",
                "ip link set dev lvs0 up",
                "ip -4 addr add 192.168.56.50/32 dev lvs0"), kernel.commandLines());
        assertTrue(kernel.links.get("lvs0").addresses.contains("inet 192.168.56.50/32"));
        assertTrue(kernel.links.get("lvs0").up);
    }

    @Test
    void secondApplyOnlyReads() {
        FakeKernel kernel = new FakeKernel();
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        kernel.commands.clear();

        ToolRun again = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());

        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(List.of(), kernel.mutations());
        assertTrue(again.out().contains("nothing changed"), again.out());
    }

    @Test
    void removeUndoesInReverseAndDeletesOnlyWhatItCreated() throws Exception {
        FakeKernel kernel = new FakeKernel();
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        kernel.commands.clear();

        ToolRun remove = ToolRun.run(kernel, "remove", "--state-file", state());

        assertEquals(0, remove.exitCode(), remove.toString());
        assertEquals(List.of(
                "ip -o addr show",
                "ip -4 addr del 192.168.56.50/32 dev lvs0",
                // the lvs0 sysctls disappear with the interface, so only the global ones are restored
                "sysctl -n net/ipv4/conf/all/arp_announce",
                "sysctl -q -w net/ipv4/conf/all/arp_announce=0",
                "sysctl -n net/ipv4/conf/all/arp_ignore",
                "sysctl -q -w net/ipv4/conf/all/arp_ignore=0",
                "ip -o -d link show dev lvs0",
                "ip link del dev lvs0"), kernel.commandLines());
        assertFalse(kernel.links.containsKey("lvs0"));
        assertFalse(Files.exists(Path.of(state())));
        assertEquals(new FakeKernel().sysctls, kernel.sysctls);
    }

    @Test
    void everyCommandRunsInsideTheNamespace() {
        FakeKernel kernel = new FakeKernel();
        kernel.netns = "rs-test";
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "10.0.0.50/24", "--netns", "rs-test", "--state-file", state());

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(13, kernel.commands.size());
        kernel.commands.forEach(argv -> assertEquals(List.of("ip", "netns", "exec", "rs-test"), argv.subList(0, 4)));
        assertTrue(kernel.commandLines().contains("ip netns exec rs-test sysctl -q -w net/ipv4/conf/all/arp_ignore=1"));
    }

    @Test
    void ipv6UsesNoArpSysctlsAndNoDad() {
        FakeKernel kernel = new FakeKernel();
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "2001:DB8:0:0::50/64", "--state-file", state());

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(List.of(
                "ip link add lvs0 type dummy",
                "ip link set dev lvs0 up",
                "ip -6 addr add 2001:db8::50/128 dev lvs0 nodad"), kernel.mutations());

        kernel.commands.clear();
        assertEquals(0, ToolRun.run(kernel, "remove", "--state-file", state()).exitCode());
        assertEquals(List.of("ip -6 addr del 2001:db8::50/128 dev lvs0", "ip link del dev lvs0"), kernel.mutations());
    }

    @Test
    void useMaskBindsTheGivenPrefixOnADummy() {
        FakeKernel kernel = new FakeKernel();
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50|255.255.255.0", "--use-mask",
                "--state-file", state());

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(kernel.mutations().contains("ip -4 addr add 192.168.56.50/24 dev lvs0"), kernel.mutations().toString());
    }

    @Test
    void withoutDummyDriverFallsBackToLoAndSaysSo() {
        FakeKernel kernel = new FakeKernel();
        kernel.dummySupported = false;
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50|255.255.255.0", "--state-file", state());

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("falling back to lo"), run.out());
        assertEquals(List.of(
                "ip link add lvs0 type dummy",
                "sysctl -q -w net/ipv4/conf/all/arp_ignore=1",
                "sysctl -q -w net/ipv4/conf/all/arp_announce=2",
                "sysctl -q -w net/ipv4/conf/lo/arp_ignore=1",
                "sysctl -q -w net/ipv4/conf/lo/arp_announce=2",
                "ip -4 addr add 192.168.56.50/32 dev lo"), kernel.mutations());

        kernel.commands.clear();
        ToolRun again = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50|255.255.255.0", "--state-file", state());
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(List.of(), kernel.mutations(), "second run must not even retry the dummy");

        kernel.commands.clear();
        assertEquals(0, ToolRun.run(kernel, "remove", "--state-file", state()).exitCode());
        assertEquals(List.of(
                "ip -4 addr del 192.168.56.50/32 dev lo",
                "sysctl -q -w net/ipv4/conf/lo/arp_announce=0",
                "sysctl -q -w net/ipv4/conf/lo/arp_ignore=0",
                "sysctl -q -w net/ipv4/conf/all/arp_announce=0",
                "sysctl -q -w net/ipv4/conf/all/arp_ignore=0"), kernel.mutations());
        assertTrue(kernel.links.containsKey("lo"));
    }

    @Test
    void useMaskOnLoIsRefusedBeforeAnyChange() {
        FakeKernel kernel = new FakeKernel();
        kernel.dummySupported = false;
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50|255.255.255.0", "--use-mask",
                "--state-file", state());

        assertEquals(ExitCode.REFUSED.code(), run.exitCode(), run.toString());
        assertEquals(List.of("ip link add lvs0 type dummy"), kernel.mutations(), "only the failed creation attempt");
        assertFalse(Files.exists(Path.of(state())));

        kernel.commands.clear();
        ToolRun explicitLo = ToolRun.run(kernel, "apply", "--vip", "10.1.2.3/16", "--use-mask", "--interface", "lo",
                "--state-file", state());
        assertEquals(ExitCode.REFUSED.code(), explicitLo.exitCode(), explicitLo.toString());
        assertEquals(List.of(), kernel.mutations());
    }

    @Test
    void refusesWhenTheVipIsOnAnotherInterface() {
        FakeKernel kernel = new FakeKernel();
        kernel.links.get("eth0").addresses.add("inet 192.168.56.50/24");
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());

        assertEquals(ExitCode.REFUSED.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), kernel.mutations());
        assertTrue(run.err().contains("eth0"), run.err());
    }

    @Test
    void refusesAnExistingInterfaceThatAnswersArp() {
        FakeKernel kernel = new FakeKernel();
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--interface", "eth0",
                "--state-file", state());

        assertEquals(ExitCode.REFUSED.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), kernel.mutations());
    }

    @Test
    void stricterArpValuesAreLeftAloneAndNotRestored() {
        FakeKernel kernel = new FakeKernel();
        kernel.sysctls.put("net/ipv4/conf/all/arp_ignore", 2);
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        assertFalse(kernel.mutations().stream().anyMatch(c -> c.contains("all/arp_ignore")), kernel.mutations().toString());

        ToolRun.run(kernel, "remove", "--state-file", state());
        assertEquals(2, kernel.sysctls.get("net/ipv4/conf/all/arp_ignore"));
    }

    @Test
    void removeLeavesAValueSomeoneChangedSinceApply() {
        FakeKernel kernel = new FakeKernel();
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        kernel.sysctls.put("net/ipv4/conf/all/arp_announce", 1);

        ToolRun remove = ToolRun.run(kernel, "remove", "--state-file", state());

        assertEquals(0, remove.exitCode(), remove.toString());
        assertEquals(1, kernel.sysctls.get("net/ipv4/conf/all/arp_announce"));
        assertEquals(0, kernel.sysctls.get("net/ipv4/conf/all/arp_ignore"));
        assertTrue(remove.out().contains("changed by someone else"), remove.out());
    }

    @Test
    void anotherVipWhileOneIsRecordedIsRefused() {
        FakeKernel kernel = new FakeKernel();
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        kernel.commands.clear();

        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.51", "--state-file", state());

        assertEquals(ExitCode.REFUSED.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), kernel.commands);
    }

    @Test
    void aFailureMidwayIsRecordedSoRemoveCanUndoIt() {
        FakeKernel kernel = new FakeKernel();
        kernel.failing = argv -> argv.contains("add") && argv.contains("addr");
        ToolRun run = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        assertEquals(ExitCode.COMMAND_FAILED.code(), run.exitCode(), run.toString());
        assertTrue(run.err().contains("Operation not permitted"), run.err());

        kernel.failing = argv -> false;
        ToolRun remove = ToolRun.run(kernel, "remove", "--state-file", state());
        assertEquals(0, remove.exitCode(), remove.toString());
        assertFalse(kernel.links.containsKey("lvs0"));
        assertEquals(new FakeKernel().sysctls, kernel.sysctls);
    }

    @Test
    void statusReportsInPlaceAndDrift() {
        FakeKernel kernel = new FakeKernel();
        ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        kernel.commands.clear();

        ToolRun status = ToolRun.run(kernel, "status", "--state-file", state());
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("VIP 192.168.56.50/32 on lvs0"), status.out());
        assertTrue(status.out().contains("status: in place"), status.out());
        assertEquals(List.of(), kernel.mutations());

        kernel.links.get("lvs0").addresses.clear();
        ToolRun drift = ToolRun.run(kernel, "status", "--state-file", state());
        assertEquals(ExitCode.DRIFT.code(), drift.exitCode(), drift.toString());

        ToolRun repaired = ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--state-file", state());
        assertTrue(repaired.out().contains("1 change(s)"), repaired.out());
        assertEquals(0, ToolRun.run(kernel, "status", "--state-file", state()).exitCode());
    }

    @Test
    void statusAndRemoveWithoutStateChangeNothing() {
        FakeKernel kernel = new FakeKernel();
        assertEquals(0, ToolRun.run(kernel, "remove", "--state-file", state()).exitCode());
        ToolRun status = ToolRun.run(kernel, "status", "--state-file", state());
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("not applied"), status.out());
        assertEquals(List.of(), kernel.mutations());
    }
}
