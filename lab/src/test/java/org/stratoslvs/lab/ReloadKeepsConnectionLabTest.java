package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Step;
import org.stratoslvs.lab.StratosEvents.Member;
import org.stratoslvs.render.RenderSettings;

/**
 * "Reloads keep connections", as a fact: one TCP connection from the client namespace through the VIP (NAT, port
 * 7000, a line echo) carries a line every 100 ms while the product applies 100 member events that remove and add
 * the other members, each one a SIGHUP reload of the same keepalived (which diffs IPVS and leaves the connection's
 * service and destination alone), and then a settings change (global_defs and every virtual server) that the product
 * validates whole and keepalived reloads whole.
 */
class ReloadKeepsConnectionLabTest {

    static final String VIP = "10.1.0.100";
    static final int RELOADS = 100;
    static final List<Member> MEMBERS = List.of(new Member("web-1", "10.2.0.11"), new Member("web-2", "10.2.0.12"),
            new Member("web-3", "10.2.0.13"));
    private static final Pattern STATUS = Pattern.compile("alive=(\\w+) lines=(\\d+) first=(\\S*)");

    private static Guest guest;
    private static HostNamespace ns;
    private static LabProduct product;

    @BeforeAll
    static void start() throws Exception {
        guest = LabEnv.boot("reload");
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12 && rs_add rs3 10.2.0.13");
        ns = HostNamespace.create();
        LabProduct.startBootstrapKeepalived(guest);
        product = new LabProduct(guest, ns, Map.of(
                RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + VIP,
                RenderSettings.VRRP_INTERFACE, "br-cli",
                RenderSettings.VRRP_STATE, "MASTER",
                RenderSettings.LB_KIND, "NAT"), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        LabEnv.closeInOrder(product, guest, ns);
    }

    /** The long-lived connection: whether its client still runs, lines received, and the server's name. */
    private record Long(boolean alive, int lines, String server) {
    }

    private static Long connection() throws Exception {
        String out = guest.sh("long_status").strip();
        Matcher m = STATUS.matcher(out);
        assertTrue(m.find(), out);
        return new Long(m.group(1).equals("yes"), Integer.parseInt(m.group(2)), m.group(3));
    }

    /** Still open, and still carrying lines: more than {@code before} now, and more again half a second later. */
    private static Long assertFlowing(Long before, String server, String when) throws Exception {
        Long now = connection();
        assertTrue(now.alive(), when + ": the client's connection ended: " + now);
        assertEquals(server, now.server(), when);
        assertTrue(now.lines() > before.lines(), when + ": no new line since " + before + ": " + now);
        Thread.sleep(500);
        Long later = connection();
        assertTrue(later.lines() > now.lines(), when + ": the connection stalled at " + now + ": " + later);
        return later;
    }

    @Test
    void longLivedConnectionSurvivesReloadsThatChangeOtherMembersAndAWholeFileReload() throws Exception {
        product.publishAndAwaitApply("CompleteTopologyEvent", StratosEvents.completeTopology(MEMBERS));
        guest.awaitIpvs("three destinations on port 7000",
                t -> t.destinations("TCP", VIP + ":7000").size() == 3, Duration.ofSeconds(15));
        guest.sh("await_addr br-cli " + VIP);
        long pid = guest.keepalivedPid();
        long reloadsBefore = product.pipeline().status().reloads();

        guest.sh("long_start " + VIP + " 7000");
        Long start = connection();
        for (int i = 0; i < 50 && start.lines() < 3; i++) {
            Thread.sleep(100);
            start = connection();
        }
        String server = start.server();
        assertTrue(Set.of("rs1", "rs2", "rs3").contains(server), "the connection reached a real server: " + start);
        Member kept = MEMBERS.get(Integer.parseInt(server.substring(2)) - 1);
        List<Member> others = MEMBERS.stream().filter(m -> m != kept).toList();

        long t0 = System.nanoTime();
        Long seen = start;
        for (int i = 0; i < RELOADS; i++) {
            // remove the two other members one after the other, then add them back: every event changes IPVS
            Member m = others.get(i % 2);
            boolean remove = i % 4 < 2;
            ApplyRecord r = remove
                    ? product.publishAndAwaitApply("MemberSuspendedEvent", StratosEvents.memberSuspended(m))
                    : product.publishAndAwaitApply("MemberActivatedEvent", StratosEvents.memberActivated(m));
            assertTrue(r.stepList().stream().anyMatch(st -> st.kind() == Step.Kind.RELOAD), r.steps());
            if (i % 25 == 24) {
                seen = assertFlowing(seen, server, "after " + (i + 1) + " reloads");
            }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertEquals(RELOADS, product.pipeline().status().reloads() - reloadsBefore, "one reload per event");
        // all 100 reloads done by now (the last one put both others back): IPVS has them all, the kept one too
        guest.awaitIpvs("all three again", t -> t.destinations("TCP", VIP + ":7000").size() == 3,
                Duration.ofSeconds(15));

        // global_defs changes: the product checks the whole file, keepalived re-reads every section
        ApplyRecord whole = product.changeRenderSettings(Map.of(RenderSettings.ROUTER_ID, "lab_changed",
                RenderSettings.DELAY_LOOP, "5"), "settings change");
        assertTrue(whole.stepList().stream().anyMatch(st -> st.kind() == Step.Kind.VALIDATE
                && st.text().contains("whole file")), "a settings change validates the whole file: " + whole);
        guest.awaitIpvs("the new file", t -> t.destinations("TCP", VIP + ":7000").size() == 3, Duration.ofSeconds(15));
        Thread.sleep(1_000); // keepalived's own reload runs after the SIGHUP
        seen = assertFlowing(seen, server, "after the whole-file reload");

        assertEquals(pid, guest.keepalivedPid(), "the same keepalived all along");
        int reloadsLogged = guest.keepalivedLog().split("Reloading \\.\\.\\.", -1).length - 1;
        assertTrue(reloadsLogged >= RELOADS + 1, "keepalived logged " + reloadsLogged + " reloads");
        System.out.printf("IPVS lab reload: %d reloads through the product in %d s, then a whole-file one; the "
                + "connection to %s carried %d lines throughout%n", RELOADS, seconds, server, seen.lines());
    }
}
