package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.lab.StratosEvents.Member;
import org.stratoslvs.render.RenderSettings;

/**
 * NAT through a VIP the product rendered and applied: Stratos events on the broker → the pipeline on the host
 * (route, store, renderer, keepalived -t, atomic write into the lab directory, reload command) → the guest's
 * keepalived, reloaded by SIGHUP with the same pid → the guest kernel's IPVS → HTTP from the client namespace,
 * answered by the real servers with their own names. Stratos' port remapping (proxy 80 → member port 8080) is what
 * NAT is for. One guest for the class; the steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatTrafficLabTest {

    static final String VIP = "10.1.0.100";
    static final String VS = VIP + ":80";
    static final int REQUESTS = 30;
    static final Duration IPVS_TIMEOUT = Duration.ofSeconds(15);
    static final Duration CHECK_BOUND = LabProduct.QUICK_CHECK_BOUND;

    static final Member WEB1 = new Member("web-1", "10.2.0.11");
    static final Member WEB2 = new Member("web-2", "10.2.0.12");
    static final Member WEB3 = new Member("web-3", "10.2.0.13");
    /** A new member on the address web-3 had (the same real-server namespace, rs3). */
    static final Member WEB4 = new Member("web-4", "10.2.0.13");

    private static Guest guest;
    private static HostNamespace ns;
    private static LabProduct product;
    private static long keepalivedPid;

    @BeforeAll
    static void start() throws Exception {
        guest = LabEnv.boot("nat");
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12 && rs_add rs3 10.2.0.13");
        ns = HostNamespace.create();
        keepalivedPid = LabProduct.startBootstrapKeepalived(guest);
        product = new LabProduct(guest, ns, LabProduct.natSettings(VIP, LabProduct.QUICK_CHECKS), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        LabEnv.closeInOrder(product, guest, ns);
    }

    /** Every destination of the HTTP virtual server, as the kernel has them. */
    private static IpvsTable awaitDestinations(Set<String> expected) throws Exception {
        long t0 = System.nanoTime();
        IpvsTable t = guest.awaitIpvs(VS + " → " + expected,
                table -> Set.copyOf(table.destinations("TCP", VS)).equals(expected), IPVS_TIMEOUT);
        System.out.printf("IPVS lab nat: apply → IPVS shows %s in %d ms%n", expected,
                (System.nanoTime() - t0) / 1_000_000);
        return t;
    }

    private static void assertSameKeepalived() throws Exception {
        assertEquals(keepalivedPid, guest.keepalivedPid(), "keepalived reloaded in place, never restarted");
    }

    @Test
    @Order(1)
    void completeTopologyPutsEveryActiveMemberBehindTheVip() throws Exception {
        product.publishAndAwaitApply("CompleteTopologyEvent",
                StratosEvents.completeTopology(List.of(WEB1, WEB2, WEB3)));
        IpvsTable table = awaitDestinations(Set.of("10.2.0.11:8080", "10.2.0.12:8080", "10.2.0.13:8080"));
        IpvsTable.Service vs = table.service("TCP", VS).orElseThrow();
        assertEquals("rr", vs.scheduler());
        vs.destinations().forEach(d -> assertEquals("Masq", d.forward(), "NAT: " + d));
        assertEquals(Set.of("10.2.0.11:7000", "10.2.0.12:7000", "10.2.0.13:7000"),
                Set.copyOf(table.destinations("TCP", VIP + ":7000")), "the second port, not remapped");
        guest.sh("await_addr br-cli " + VIP);

        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        assertSameKeepalived();
    }

    @Test
    @Order(2)
    void udpPortIsBalancedToo() throws Exception {
        IpvsTable table = guest.awaitIpvs("UDP " + VIP + ":53 → the members' 5353", t -> Set.copyOf(
                t.destinations("UDP", VIP + ":53")).equals(Set.of("10.2.0.11:5353", "10.2.0.12:5353",
                "10.2.0.13:5353")), IPVS_TIMEOUT);
        table.service("UDP", VIP + ":53").orElseThrow().destinations()
                .forEach(d -> assertEquals("Masq", d.forward(), "NAT: " + d));
        Answers.udp(guest, VIP, 53, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
    }

    @Test
    @Order(3)
    void terminatedMemberGetsNoNewRequests() throws Exception {
        product.publishAndAwaitApply("MemberTerminatedEvent", StratosEvents.memberTerminated(WEB3));
        awaitDestinations(Set.of("10.2.0.11:8080", "10.2.0.12:8080"));
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2"));
        assertSameKeepalived();
    }

    @Test
    @Order(4)
    void suspendedMemberGetsNoNewRequestsAndTakesThemAgainWhenActivated() throws Exception {
        product.publishAndAwaitApply("MemberSuspendedEvent", StratosEvents.memberSuspended(WEB2));
        awaitDestinations(Set.of("10.2.0.11:8080"));
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1"));

        product.publishAndAwaitApply("MemberActivatedEvent", StratosEvents.memberActivated(WEB2));
        awaitDestinations(Set.of("10.2.0.11:8080", "10.2.0.12:8080"));
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2"));
        assertSameKeepalived();
    }

    @Test
    @Order(5)
    void newMemberTakesRequestsOnceActive() throws Exception {
        product.publishAndAwaitStore("MemberCreatedEvent", StratosEvents.memberCreated(WEB4));
        product.publishAndAwaitStore("MemberInitializedEvent", StratosEvents.memberInitialized(WEB4));
        product.publishAndAwaitStore("MemberStartedEvent", StratosEvents.memberStarted(WEB4));
        assertEquals(Set.of("10.2.0.11:8080", "10.2.0.12:8080"), Set.copyOf(guest.ipvs().destinations("TCP", VS)),
                "a Starting member is not a real server");

        product.publishAndAwaitApply("MemberActivatedEvent", StratosEvents.memberActivated(WEB4));
        awaitDestinations(Set.of("10.2.0.11:8080", "10.2.0.12:8080", "10.2.0.13:8080"));
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        assertSameKeepalived();
    }

    @Test
    @Order(6)
    void realServerThatStopsAnsweringLeavesIpvsByItsHealthCheckAndComesBack() throws Exception {
        guest.sh("rs_stop rs2");
        long t0 = System.nanoTime();
        guest.awaitIpvs("rs2 out by its health check", t -> Set.copyOf(t.destinations("TCP", VS))
                .equals(Set.of("10.2.0.11:8080", "10.2.0.13:8080")), CHECK_BOUND);
        System.out.printf("IPVS lab nat: stopped real server out of IPVS after %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs3"));

        guest.sh("rs_start rs2");
        t0 = System.nanoTime();
        awaitDestinations(Set.of("10.2.0.11:8080", "10.2.0.12:8080", "10.2.0.13:8080"));
        System.out.printf("IPVS lab nat: restarted real server back in IPVS after %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        assertSameKeepalived();
    }

    @Test
    @Order(7)
    void configKeepalivedRejectsLeavesIpvsExactlyAsItWas() throws Exception {
        String before = guest.sh("/usr/sbin/ipvsadm -Ln");
        String applied = product.pipeline().appliedConfig();
        // a VRRP interface the director does not have: keepalived -t (on the host, in its namespace) says no
        ApplyRecord r = product.changeRenderSettingsAndAwaitEnd(Map.of(RenderSettings.VRRP_INTERFACE, "br-none"),
                "bad interface");
        assertEquals(org.stratoslvs.api.ControlStatus.Outcome.REJECTED, r.outcome(), r.toString());
        assertEquals(applied, Files.readString(LabProduct.confPath(guest)), "the file keepalived reads is unchanged");
        Thread.sleep(1_000);
        assertEquals(IpvsTable.parse(before).configuration(), guest.ipvs().configuration(),
                "IPVS exactly as it was");
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        assertSameKeepalived();
    }

    @Test
    @Order(8)
    void sourceHashingKeepsTheClientOnOneMember() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.LB_ALGO, "sh"), "scheduler sh");
        guest.awaitIpvs(VS + " scheduled by sh", t -> t.service("TCP", VS)
                .map(v -> v.scheduler().equals("sh") && v.destinations().size() == 3).orElse(false), IPVS_TIMEOUT);
        Answers.http(guest, VIP, 80, REQUESTS).assertOneServer();
        assertSameKeepalived();
    }

    @Test
    @Order(9)
    void persistenceHoldsTheClientOnOneMemberUnderRoundRobin() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.PERSISTENCE_TIMEOUT, "60"), "persistence 60 s");
        guest.awaitIpvs(VS + " rr, persistent 60", t -> t.service("TCP", VS)
                .map(v -> v.scheduler().equals("rr") && v.flags().contains("persistent 60")).orElse(false),
                IPVS_TIMEOUT);
        Answers.http(guest, VIP, 80, REQUESTS).assertOneServer();

        // and without it, round robin again: the change above is what held the client
        product.changeRenderSettings(Map.of(), "persistence off");
        guest.awaitIpvs(VS + " rr, not persistent", t -> t.service("TCP", VS)
                .map(v -> v.scheduler().equals("rr") && !v.flags().contains("persistent")).orElse(false),
                IPVS_TIMEOUT);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
        assertSameKeepalived();
    }
}
