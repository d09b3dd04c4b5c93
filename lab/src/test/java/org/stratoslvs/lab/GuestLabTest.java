package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab itself, before the product drives it: the guest kernel has IPVS, a full keepalived (IPVS, not -P) runs a
 * file the host wrote, and the host's reload script (the product's keepalived.reload.command in the other lab
 * tests) makes that same keepalived process reload it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestLabTest {

    private static Guest guest;

    @BeforeAll
    static void boot() throws Exception {
        guest = LabEnv.boot("guest");
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12");
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
    }

    static String natConfig(List<String> realServers) {
        StringBuilder sb = new StringBuilder("""
                global_defs {
                  router_id lab_guest
                }
                virtual_server 10.1.0.100 80 {
                  delay_loop 2
                  lb_algo rr
                  lb_kind NAT
                  protocol TCP
                """);
        for (String rs : realServers) {
            sb.append("  real_server ").append(rs).append(" 8080 {\n    TCP_CHECK {\n      connect_timeout 2\n"
                    + "    }\n  }\n");
        }
        return sb.append("}\n").toString();
    }

    @Test
    @Order(1)
    void guestKernelHasIpvsAndKeepalivedProgramsIt() throws Exception {
        IpvsTable empty = guest.ipvs();
        assertTrue(empty.text().contains("IP Virtual Server version"), empty.text());
        assertEquals(List.of(), empty.services());

        Path conf = guest.dir().resolve("keepalived.conf");
        Files.writeString(conf, natConfig(List.of("10.2.0.11")));
        long pid = guest.startKeepalived(conf);
        assertTrue(pid > 1, "pid " + pid);
        IpvsTable table = guest.awaitIpvs("10.1.0.100:80 → 10.2.0.11:8080",
                t -> t.destinations("TCP", "10.1.0.100:80").equals(List.of("10.2.0.11:8080")), Duration.ofSeconds(10));
        IpvsTable.Service vs = table.service("TCP", "10.1.0.100:80").orElseThrow();
        assertEquals("rr", vs.scheduler());
        assertEquals("Masq", vs.destinations().get(0).forward());
        assertEquals(pid, guest.keepalivedPid());
    }

    @Test
    @Order(2)
    void hostReloadScriptSighupsTheSameKeepalived() throws Exception {
        long pid = guest.keepalivedPid();
        assertTrue(pid > 1, "keepalived runs");
        Path conf = guest.dir().resolve("keepalived.conf");
        Files.writeString(conf, natConfig(List.of("10.2.0.11", "10.2.0.12")));

        long t0 = System.nanoTime();
        Process reload = new ProcessBuilder("/bin/sh", guest.dir().resolve("reload-keepalived.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(reload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, reload.waitFor(), out);
        System.out.printf("IPVS lab guest: reload script (host → guest SIGHUP → answer) took %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertEquals(Long.toString(pid), out.strip(), "the reload script prints the pid it signalled");

        guest.awaitIpvs("both real servers", t -> t.destinations("TCP", "10.1.0.100:80")
                .equals(List.of("10.2.0.11:8080", "10.2.0.12:8080")), Duration.ofSeconds(10));
        assertEquals(pid, guest.keepalivedPid(), "reloaded, not restarted");
        assertTrue(guest.keepalivedLog().contains("Reloading"), guest.keepalivedLog());
    }

    @Test
    @Order(3)
    void reloadScriptFailsWhenKeepalivedIsNotRunning() throws Exception {
        guest.sh("kill $(ka_pid); for i in $($B seq 100); do ka_pid >/dev/null || exit 0; $B usleep 50000; done; exit 1");
        Process reload = new ProcessBuilder("/bin/sh", guest.dir().resolve("reload-keepalived.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(reload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, reload.waitFor(), out);
        assertTrue(out.contains("keepalived is not running"), out);
    }
}
