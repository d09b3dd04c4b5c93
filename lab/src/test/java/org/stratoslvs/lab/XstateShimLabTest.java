package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FP-state shim (uml-xstate-shim.c) that UML needs on hosts with AVX-512 or AMX, taken on every restore
 * (LAB_XSTATE_SHIM_FORCE) on a host that does not need it: the guest boots, keepalived programs IPVS, traffic
 * passes, and a JVM (many threads, much FP and vector code) runs to the end. What this cannot show here is the
 * larger host buffer itself: this machine's XSAVE area is the 832 bytes UML uses.
 */
class XstateShimLabTest {

    private static Guest guest;

    @BeforeAll
    static void boot() throws Exception {
        guest = LabEnv.boot("xstate", true);
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12");
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void guestRunsWithEveryFpRestoreMergedByTheShim() throws Exception {
        assertTrue(Files.exists(guest.dir().resolve("xstate-merged")), "the shim's merge path ran");

        Path conf = guest.dir().resolve("keepalived.conf");
        Files.writeString(conf, GuestLabTest.natConfig(List.of("10.2.0.11", "10.2.0.12")));
        guest.startKeepalived(conf);
        guest.awaitIpvs("both real servers", t -> Set.copyOf(t.destinations("TCP", "10.1.0.100:80"))
                .equals(Set.of("10.2.0.11:8080", "10.2.0.12:8080")), Duration.ofSeconds(15));
        guest.sh("$IP addr add 10.1.0.100/32 dev br-cli"); // this file has no VRRP instance to add the VIP
        Answers.http(guest, "10.1.0.100", 80, 10).assertRoundRobin(Set.of("rs1", "rs2"));

        Guest.Result java = guest.run("/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx48m -XX:+UseSerialGC "
                + "-XX:UseAVX=2 -XshowSettings:properties -version 2>&1", Duration.ofSeconds(120));
        assertEquals(0, java.exitCode(), java.output());
        assertTrue(java.output().contains("java.version = 17"), java.output());
    }
}
