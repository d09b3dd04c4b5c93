package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.stratoslvs.keepalived.KeepalivedSettings.Mode;

class KeepalivedSettingsTest {

    private static final Map<String, String> VARS = Map.of("karaf.data", "/opt/karaf/data");

    @Test
    void defaults() {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of(), VARS);
        assertEquals(List.of(), s.errors());
        assertEquals(Mode.MANAGED, s.mode());
        assertEquals(Path.of("/usr/sbin/keepalived"), s.binary());
        assertEquals(Path.of("/opt/karaf/data/keepalived/keepalived.conf"), s.confPath());
        assertEquals(Path.of("/opt/karaf/data/keepalived/keepalived.pid"), s.pidFile());
        assertEquals(Path.of("/opt/karaf/data/keepalived/keepalived_vrrp.pid"), s.vrrpPidFile());
        assertTrue(s.stopOnShutdown());
        assertEquals(Duration.ofMillis(250), s.minInterval());
        assertEquals(List.of("/usr/sbin/keepalived", "-n", "-l", "-D", "-f",
                "/opt/karaf/data/keepalived/keepalived.conf", "-p", "/opt/karaf/data/keepalived/keepalived.pid",
                "-r", "/opt/karaf/data/keepalived/keepalived_vrrp.pid",
                "-c", "/opt/karaf/data/keepalived/keepalived_checkers.pid"), s.runCommand());
    }

    @Test
    void valuesOfEveryType() {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of(
                "keepalived.mode", "External",
                "keepalived.args", "  -P   -s lb1 ",
                "keepalived.command.prefix", new String[] {"ip", "netns", "exec", "x"},
                "keepalived.reload.command", "systemctl reload keepalived",
                "keepalived.stop.on.shutdown", Boolean.FALSE,
                "reload.min.interval", 500L,
                "keepalived.validate.timeout", "2000",
                "keepalived.validate.scope", "FULL",
                "keepalived.validate.audit.interval", 60_000), VARS);
        assertEquals(List.of(), s.errors());
        assertEquals(KeepalivedSettings.ValidateScope.FULL, s.validateScope());
        assertEquals(Duration.ofMinutes(1), s.auditInterval());
        assertEquals(Mode.EXTERNAL, s.mode());
        assertEquals(List.of("-P", "-s", "lb1"), s.args());
        assertEquals(List.of("ip", "netns", "exec", "x"), s.commandPrefix());
        assertEquals(List.of("systemctl", "reload", "keepalived"), s.reloadCommand());
        assertEquals(Path.of("/run/keepalived.pid"), s.pidFile());
        assertFalse(s.stopOnShutdown());
        assertEquals(Duration.ofMillis(500), s.minInterval());
        assertEquals(List.of("ip", "netns", "exec", "x", "/usr/sbin/keepalived", "-t", "-f", "/tmp/k.conf", "-P", "-s",
                "lb1"), s.validateCommand(Path.of("/tmp/k.conf")));
    }

    @Test
    void badValuesBecomeSentencesAndDefaults() {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of(
                "keepalived.mode", "sometimes",
                "keepalived.binary", "keepalived",
                "keepalived.args", "-P -f /etc/other.conf",
                "keepalived.stop.on.shutdown", "perhaps",
                "reload.min.interval", "soon",
                "keepalived.reload.command", "reload-it",
                "keepalived.validate.scope", "some",
                "keepalived.validate.audit.interval", "10"), Map.of());
        assertEquals(KeepalivedSettings.ValidateScope.CHANGED, s.validateScope());
        assertEquals(Duration.ofSeconds(10), s.auditInterval());
        assertEquals(Mode.MANAGED, s.mode());
        assertEquals(Path.of("/usr/sbin/keepalived"), s.binary());
        assertEquals(List.of(), s.args());
        assertTrue(s.stopOnShutdown());
        assertEquals(Duration.ofMillis(250), s.minInterval());
        assertEquals(List.of(), s.reloadCommand());
        assertTrue(s.confPath().isAbsolute(), "falls back to an absolute path without karaf.data");
        assertEquals(10, s.errors().size(), s.errors().toString());
        s.errors().forEach(e -> assertTrue(e.endsWith("."), e));
        assertTrue(s.errors().stream().anyMatch(e -> e.contains("${karaf.data}")), s.errors().toString());
    }

    @Test
    void onlyCommandLineChangesNeedANewProcess() {
        KeepalivedSettings a = KeepalivedSettings.parse(Map.of("keepalived.args", "-P"), VARS);
        KeepalivedSettings b = KeepalivedSettings.parse(Map.of("keepalived.args", "-P", "reload.min.interval", "900",
                "keepalived.stop.on.shutdown", "false"), VARS);
        KeepalivedSettings c = KeepalivedSettings.parse(Map.of("keepalived.args", "-P -D"), VARS);
        KeepalivedSettings d = KeepalivedSettings.parse(Map.of("keepalived.args", "-P",
                "keepalived.conf.path", "/etc/keepalived/keepalived.conf"), VARS);
        assertFalse(b.needsNewProcess(a));
        assertTrue(c.needsNewProcess(a));
        assertTrue(d.needsNewProcess(a));
    }
}
