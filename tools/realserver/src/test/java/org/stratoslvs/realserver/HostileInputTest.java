package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed or hostile input: a distinct exit code, a clear message, and not a single command issued. */
class HostileInputTest {
    @TempDir
    Path dir;

    private final FakeKernel kernel = new FakeKernel();

    private ToolRun applyPayload(String payload) throws Exception {
        Path file = dir.resolve("launch-params");
        Files.writeString(file, payload, StandardCharsets.UTF_8);
        return ToolRun.run(kernel, "apply", "--payload", file.toString(), "--state-file", dir.resolve("s").toString());
    }

    private void assertRejected(ToolRun run, ExitCode expected) {
        assertEquals(expected.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), kernel.commands, "no command may run for rejected input");
        assertFalse(Files.exists(dir.resolve("s")), "no state file for rejected input");
        assertFalse(run.err().isBlank(), "a message must say what is wrong");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "LVS_VIRTUAL_IP=1.2.3.4;reboot",
        "LVS_VIRTUAL_IP=1.2.3.4\nreboot",
        "LVS_VIRTUAL_IP=1.2.3.4\n,X=1",
        "LVS_VIRTUAL_IP=1.2.3.4\r,X=1",
        "LVS_VIRTUAL_IP=1.2.3.4\u0000",
        "LVS_VIRTUAL_IP=$(reboot)",
        "LVS_VIRTUAL_IP=`reboot`",
        "LVS_VIRTUAL_IP=1.2.3.4 && reboot",
        "LVS_VIRTUAL_IP=1.2.3.4|255.255.255.0;reboot",
        "LVS_VIRTUAL_IP=1.2.3.4|$(reboot)",
        "LVS_VIRTUAL_IP=192.168.56.50|255.0.255.0",
        "LVS_VIRTUAL_IP=192.168.56.50|255.255.255.1",
        "LVS_VIRTUAL_IP=192.168.56.50|",
        "LVS_VIRTUAL_IP=|255.255.255.0",
        "LVS_VIRTUAL_IP=192.168.56.50|255.255.255.0|x",
        "LVS_VIRTUAL_IP=192.168.56.50|0.0.0.0",
        "LVS_VIRTUAL_IP=192.168.56.50|33",
        "LVS_VIRTUAL_IP=192.168.56.50|024",
        "LVS_VIRTUAL_IP=192.168.056.50",
        "LVS_VIRTUAL_IP=192.168.56.256",
        "LVS_VIRTUAL_IP=192.168.56",
        "LVS_VIRTUAL_IP=0x7f.0.0.1",
        "LVS_VIRTUAL_IP=localhost",
        "LVS_VIRTUAL_IP=stratos.example.com",
        "LVS_VIRTUAL_IP=null",
        "LVS_VIRTUAL_IP= 192.168.56.50",
        "LVS_VIRTUAL_IP=192.168.56.50 ",
        "LVS_VIRTUAL_IP=\u0661\u0669\u0662.168.56.50",
        "LVS_VIRTUAL_IP=::ffff:192.168.56.50",
        "LVS_VIRTUAL_IP=fe80::1%eth0",
        "LVS_VIRTUAL_IP=[2001:db8::50]",
        "LVS_VIRTUAL_IP=2001:db8::50::1",
        "LVS_VIRTUAL_IP=2001:db8::50|255.255.255.0",
        "LVS_VIRTUAL_IP=127.0.0.1",
        "LVS_VIRTUAL_IP=224.0.0.18",
        "LVS_VIRTUAL_IP=255.255.255.255",
        "LVS_VIRTUAL_IP=0.0.0.0",
        "LVS_VIRTUAL_IP=-1.2.3.4",
        "LVS_VIRTUAL_IP",
        "LVS_VIRTUAL_IP=192.168.56.50,LVS_VIRTUAL_IP=192.168.56.51",
        "lvs_virtual_ip=192.168.56.50",
        " LVS_VIRTUAL_IP=192.168.56.50",
        "APPLICATION_ID=app1,LVS_VIRTUAL_IP=192.168.56.50|255.255.255.0 ,PORTS=80",
    })
    void malformedPayloadValueIsRejectedWithoutTouchingTheSystem(String payload) throws Exception {
        assertRejected(applyPayload(payload), ExitCode.INVALID_VIP);
    }

    @Test
    void invalidUtf8PayloadIsRejected() throws Exception {
        Path file = dir.resolve("launch-params");
        Files.write(file, new byte[] {'L', 'V', 'S', '=', (byte) 0xff, (byte) 0xfe});
        assertRejected(ToolRun.run(kernel, "apply", "--payload", file.toString(), "--state-file",
                dir.resolve("s").toString()), ExitCode.INVALID_VIP);
    }

    @Test
    void unreadableOrHugePayloadIsItsOwnExitCode() throws Exception {
        assertRejected(ToolRun.run(kernel, "apply", "--payload", dir.resolve("missing").toString(),
                "--state-file", dir.resolve("s").toString()), ExitCode.PAYLOAD_UNREADABLE);
        Path huge = dir.resolve("huge");
        Files.write(huge, new byte[LaunchParams.MAX_PAYLOAD_BYTES + 1]);
        assertRejected(ToolRun.run(kernel, "apply", "--payload", huge.toString(),
                "--state-file", dir.resolve("s").toString()), ExitCode.PAYLOAD_UNREADABLE);
    }

    @Test
    void payloadWithoutVipIsANoOp() throws Exception {
        ToolRun run = applyPayload("APPLICATION_ID=app1,PORTS=80,MEMBER_ID=m1\n");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("carries no LVS_VIRTUAL_IP"), run.out());
        assertEquals(List.of(), kernel.commands);

        assertEquals(0, applyPayload("APPLICATION_ID=app1,LVS_VIRTUAL_IP=,PORTS=80").exitCode());
        assertEquals(List.of(), kernel.commands);
    }

    @Test
    void samplePayloadsAreAccepted() throws Exception {
        ToolRun withMask = applyPayload("APPLICATION_ID=app1,LVS_VIRTUAL_IP=192.168.56.50|255.255.255.0,PORTS=80\n");
        assertEquals(0, withMask.exitCode(), withMask.toString());
        assertTrue(kernel.mutations().contains("ip -4 addr add 192.168.56.50/32 dev lvs0"), kernel.mutations().toString());
    }

    @Test
    void sampleWithoutMaskIsAccepted() throws Exception {
        ToolRun noMask = applyPayload("LVS_VIRTUAL_IP=192.168.56.50,PORTS=80\r\n\n");
        assertEquals(0, noMask.exitCode(), noMask.toString());
        assertTrue(kernel.mutations().contains("ip -4 addr add 192.168.56.50/32 dev lvs0"), kernel.mutations().toString());
    }

    @Test
    void identicalDuplicateIsNotAmbiguous() throws Exception {
        ToolRun run = applyPayload("LVS_VIRTUAL_IP=192.168.56.50|24,X=1,LVS_VIRTUAL_IP=192.168.56.50|24");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(kernel.mutations().contains("ip -4 addr add 192.168.56.50/32 dev lvs0"), kernel.mutations().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lvs0;reboot", "lvs0 up", "-lvs0", "", "abcdefghijklmnop", "a/b", "lvs0\n", "all",
        "default", "$(reboot)", "l\u00e9s0"})
    void badInterfaceNameIsAUsageError(String name) {
        assertRejected(ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--interface", name,
                "--state-file", dir.resolve("s").toString()), ExitCode.USAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ns;reboot", "../etc", "", "-n", "a b"})
    void badNamespaceNameIsAUsageError(String name) {
        assertRejected(ToolRun.run(kernel, "apply", "--vip", "192.168.56.50", "--netns", name,
                "--state-file", dir.resolve("s").toString()), ExitCode.USAGE);
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        String state = dir.resolve("s").toString();
        for (String[] args : List.of(
                new String[] {},
                new String[] {"apply"},
                new String[] {"apply", "--vip", "192.168.56.50", "--payload", "/x", "--state-file", state},
                new String[] {"apply", "--vip", "192.168.56.50", "--vip", "192.168.56.51", "--state-file", state},
                new String[] {"apply", "--vip", "192.168.56.50", "--frobnicate", "--state-file", state},
                new String[] {"apply", "--vip"},
                new String[] {"apply", "remove", "--vip", "192.168.56.50"},
                new String[] {"reboot", "--vip", "192.168.56.50"},
                new String[] {"remove", "--use-mask", "--state-file", state},
                new String[] {"remove", "--interface", "lvs0", "--state-file", state},
                new String[] {"apply", "--vip", "192.168.56.50", "--use-mask", "--state-file", state})) {
            ToolRun run = ToolRun.run(kernel, args);
            assertEquals(ExitCode.USAGE.code(), run.exitCode(), String.join(" ", args) + "\n" + run);
        }
        assertEquals(List.of(), kernel.commands);
    }

    @Test
    void corruptStateFileStopsBeforeAnyChange() throws Exception {
        Path state = dir.resolve("s");
        Files.writeString(state, "format=1\nvip=192.168.56.50\ninterface=lvs0;reboot\n");
        ToolRun run = ToolRun.run(kernel, "remove", "--state-file", state.toString());
        assertEquals(ExitCode.STATE_FILE.code(), run.exitCode(), run.toString());
        assertEquals(List.of(), kernel.commands);
    }

    @Test
    void vipOptionAcceptsAllSpellings() {
        for (String vip : List.of("10.0.0.50", "10.0.0.50/24", "10.0.0.50/255.255.255.0", "10.0.0.50|255.255.255.0",
                "10.0.0.50|24", "2001:db8::50", "2001:db8::50/64", "2001:db8::50|ffff:ffff:ffff:ffff::")) {
            FakeKernel fresh = new FakeKernel();
            ToolRun run = ToolRun.run(fresh, "apply", "--vip", vip, "--state-file", dir.resolve(vip.replaceAll("[^0-9a-f]", "_")).toString());
            assertEquals(0, run.exitCode(), vip + "\n" + run);
            // direct routing: the VIP as a host address whatever mask was given (--use-mask not set)
            String expected = vip.contains(":") ? "ip -6 addr add 2001:db8::50/128 dev lvs0 nodad"
                    : "ip -4 addr add 10.0.0.50/32 dev lvs0";
            assertTrue(fresh.mutations().contains(expected), vip + ": " + fresh.mutations());
        }
    }
}
