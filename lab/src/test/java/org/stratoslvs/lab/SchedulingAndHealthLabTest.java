package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.stratoslvs.lab.StratosEvents.Member;
import org.stratoslvs.render.RenderSettings;

/**
 * What the settings the product renders do in the kernel, over NAT: weighted round robin by partition weights,
 * maglev hashing, and keepalived's health-check options (inhibit_on_failure, sorry_server, quorum), each with real
 * servers that stop and start answering. Every step starts from the product's base settings plus its own change
 * (as Config Admin would deliver them), rendered, validated and reloaded by the product.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingAndHealthLabTest {

    static final String VIP = "10.1.0.100";
    static final String VS = VIP + ":80";
    static final int REQUESTS = 28;
    static final Duration IPVS_TIMEOUT = Duration.ofSeconds(15);
    static final Duration CHECK_BOUND = LabProduct.QUICK_CHECK_BOUND;

    /** Two members in a partition of bigger instances, one in the standard partition. */
    static final Member WEB1 = new Member("web-1", "10.2.0.11", "zone-big");
    static final Member WEB2 = new Member("web-2", "10.2.0.12", "zone-big");
    static final Member WEB3 = new Member("web-3", "10.2.0.13");
    static final String SORRY = "10.2.0.19";
    static final Set<String> ALL = Set.of("10.2.0.11:8080", "10.2.0.12:8080", "10.2.0.13:8080");

    private static Guest guest;
    private static HostNamespace ns;
    private static LabProduct product;

    @BeforeAll
    static void start() throws Exception {
        guest = LabEnv.boot("sched");
        // "sorry" answers HTTP with its own name like the members, at an address no member has
        guest.sh("rs_add rs1 10.2.0.11 && rs_add rs2 10.2.0.12 && rs_add rs3 10.2.0.13 && rs_add sorry " + SORRY);
        ns = HostNamespace.create();
        LabProduct.startBootstrapKeepalived(guest);
        product = new LabProduct(guest, ns, LabProduct.natSettings(VIP, LabProduct.QUICK_CHECKS), Map.of());
        product.publishAndAwaitApply("CompleteTopologyEvent",
                StratosEvents.completeTopology(List.of(WEB1, WEB2, WEB3)));
        guest.awaitIpvs(VS + " → every member", t -> Set.copyOf(t.destinations("TCP", VS)).equals(ALL),
                IPVS_TIMEOUT);
        guest.sh("await_addr br-cli " + VIP);
    }

    @AfterAll
    static void stop() throws Exception {
        LabEnv.closeInOrder(product, guest, ns);
    }

    /** address:port → weight of the HTTP virtual server's destinations, as the kernel has them. */
    private static Map<String, Integer> weights(IpvsTable t) {
        return t.service("TCP", VS).map(s -> s.destinations().stream().collect(Collectors.toMap(
                IpvsTable.Destination::address, IpvsTable.Destination::weight, (a, b) -> a, TreeMap::new)))
                .orElse(new TreeMap<>());
    }

    private static void awaitWeights(String what, Map<String, Integer> expected, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        guest.awaitIpvs(what + " " + expected, t -> weights(t).equals(expected), timeout);
        System.out.printf("IPVS lab sched: %s after %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @Order(1)
    void weightedRoundRobinHonoursThePartitionWeights() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.LB_ALGO, "wrr",
                RenderSettings.WEIGHT_PARTITION, "zone-big:3"), "wrr, zone-big weighs 3");
        awaitWeights("wrr weights", Map.of("10.2.0.11:8080", 3, "10.2.0.12:8080", 3, "10.2.0.13:8080", 1),
                IPVS_TIMEOUT);
        assertEquals("wrr", guest.ipvs().service("TCP", VS).orElseThrow().scheduler());
        // 28 requests over weights 3 + 3 + 1: 12, 12 and 4
        Answers.http(guest, VIP, 80, REQUESTS).assertShares(Map.of("rs1", 3, "rs2", 3, "rs3", 1));
    }

    @Test
    @Order(2)
    void maglevHashingKeepsTheClientOnOneMember() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.LB_ALGO, "mh"), "scheduler mh");
        guest.awaitIpvs(VS + " scheduled by mh, every member", t -> t.service("TCP", VS)
                .map(v -> v.scheduler().equals("mh") && Set.copyOf(v.destinationAddresses()).equals(ALL))
                .orElse(false), IPVS_TIMEOUT);
        String first = Answers.http(guest, VIP, 80, REQUESTS).assertOneServer();
        assertEquals(first, Answers.http(guest, VIP, 80, 10).assertOneServer(), "and again later");
    }

    @Test
    @Order(3)
    void inhibitOnFailureKeepsAFailedMemberAtWeightZero() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.INHIBIT_ON_FAILURE, "true"), "inhibit_on_failure");
        awaitWeights("rr, every member at weight 1", Map.of("10.2.0.11:8080", 1, "10.2.0.12:8080", 1,
                "10.2.0.13:8080", 1), IPVS_TIMEOUT);

        guest.sh("rs_stop rs2");
        awaitWeights("rs2 failed its check: weight 0, still in IPVS", Map.of("10.2.0.11:8080", 1,
                "10.2.0.12:8080", 0, "10.2.0.13:8080", 1), CHECK_BOUND);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs3"));

        guest.sh("rs_start rs2");
        awaitWeights("rs2 answers again: weight 1", Map.of("10.2.0.11:8080", 1, "10.2.0.12:8080", 1,
                "10.2.0.13:8080", 1), CHECK_BOUND);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
    }

    @Test
    @Order(4)
    void sorryServerAnswersWhenEveryMemberIsDown() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.SORRY_SERVER, SORRY + " 8080"), "sorry server");
        guest.sh("rs_stop rs1; rs_stop rs2; rs_stop rs3");
        awaitWeights("every member down: only the sorry server", Map.of(SORRY + ":8080", 1), CHECK_BOUND);
        assertEquals(Map.of("sorry", REQUESTS), Answers.http(guest, VIP, 80, REQUESTS).counts());

        guest.sh("rs_start rs1 && rs_start rs2 && rs_start rs3");
        guest.awaitIpvs("the members back, the sorry server gone", t -> Set.copyOf(t.destinations("TCP", VS))
                .equals(ALL), CHECK_BOUND);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
    }

    @Test
    @Order(5)
    void quorumLostHandsTheServiceToTheSorryServerWhileAMemberStillAnswers() throws Exception {
        product.changeRenderSettings(Map.of(RenderSettings.SORRY_SERVER, SORRY + " 8080",
                RenderSettings.QUORUM, "2"), "quorum 2, sorry server");
        guest.awaitIpvs(VS + " with every member", t -> Set.copyOf(t.destinations("TCP", VS)).equals(ALL),
                IPVS_TIMEOUT);

        guest.sh("rs_stop rs1");
        guest.awaitIpvs("rs1 out, live weight 2 = the quorum", t -> Set.copyOf(t.destinations("TCP", VS))
                .equals(Set.of("10.2.0.12:8080", "10.2.0.13:8080")), CHECK_BOUND);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs2", "rs3"));

        guest.sh("rs_stop rs2");
        awaitWeights("live weight 1 < quorum 2: rs3 answers, yet only the sorry server is in IPVS",
                Map.of(SORRY + ":8080", 1), CHECK_BOUND);
        assertEquals("rs3", guest.sh("$IP netns exec cli $B wget -q -O - http://10.2.0.13:8080/").strip(),
                "rs3 itself still answers");
        assertEquals(Map.of("sorry", REQUESTS), Answers.http(guest, VIP, 80, REQUESTS).counts());

        guest.sh("rs_start rs1 && rs_start rs2");
        guest.awaitIpvs("quorum back: every member, no sorry server", t -> Set.copyOf(t.destinations("TCP", VS))
                .equals(ALL), CHECK_BOUND);
        Answers.http(guest, VIP, 80, REQUESTS).assertRoundRobin(Set.of("rs1", "rs2", "rs3"));
    }
}
