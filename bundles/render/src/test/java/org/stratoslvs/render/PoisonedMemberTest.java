package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.Outcome;
import org.stratoslvs.core.topology.RejectReason;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyStore;

/**
 * Issue 11, 1: one member of an IPv6 service activated with a link-local address (fe80::1) reached the file, the
 * real keepalived -t refused its real server ("Checker link local address fe80::1 requires a bind_if") and with
 * it every later file. Through the real parser the member is now left out, and the file of what is left is
 * accepted by the real keepalived -t (here, and again by {@link Rendered} after the test).
 */
@ExtendWith(Rendered.class)
class PoisonedMemberTest {

    /** web on an IPv6 VIP, dns on an IPv4 one: the fixture's web members moved to IPv6, web-1 to fe80::1. */
    private static final Map<String, Object> PROPS = Map.of(RenderSettings.VIRTUALIP_SET,
            "web|fd00::40,dns|192.168.56.41");

    private static String poisonedCompleteTopology() throws IOException {
        try (InputStream in = PoisonedMemberTest.class
                .getResourceAsStream("/fixtures/0001-topology.CompleteTopologyEvent.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"10.10.0.11\"", "\"fe80::1\"")
                    .replace("\"10.10.0.12\"", "\"fd00::12\"");
        }
    }

    @Test
    void theFileOfATopologyThatContainedALinkLocalMemberIsAcceptedByKeepalived() throws IOException {
        TopologyStore store = new TopologyStore();
        Outcome o = store.accept("topology.CompleteTopologyEvent", poisonedCompleteTopology());
        assertEquals(Outcome.Kind.CHANGED, o.kind(), o.toString());
        assertEquals(RejectReason.UNUSABLE_IP, o.dropped().sample().get(0).reason(), o.dropped().toString());
        Topology t = store.current();
        assertNull(t.member("web", "web.cluster-a", "web-1"));

        String text = Rendered.render(t, PROPS, java.util.List.of()).text();
        assertFalse(text.contains("fe80::1"), text);
        assertTrue(text.contains("real_server fd00::12 80"), "its IPv6 peer is balanced:\n" + text);
        assertTrue(text.contains("real_server 10.10.1.11 53"), "the other service is balanced:\n" + text);
        KeepalivedConfigCheck.Result check = KeepalivedConfigCheck.shared().check(text);
        assertTrue(check.accepted(), check.output() + "\n" + KeepalivedConfigCheck.numbered(text));
    }

    /** Why it must be refused before rendering: the same member put into the model directly poisons the file. */
    @Test
    void theSameMemberInTheModelMakesKeepalivedRejectTheWholeFile() throws IOException {
        TopologyStore store = new TopologyStore();
        store.accept("topology.CompleteTopologyEvent", poisonedCompleteTopology());
        Topology t = store.current();
        Service web = t.service("web");
        Cluster cluster = web.cluster("web.cluster-a");
        Member peer = cluster.member("web-2");
        Member poisoned = new Member("web-1", "web", "web.cluster-a", peer.networkPartitionId(), peer.partitionId(),
                peer.status(), peer.ports(), "fe80::1", null, peer.lbIpType());
        Topology bypassed = t.withService(web.withCluster(cluster.withMember(poisoned)));
        // Not through Rendered: this text is meant to be refused.
        String text = KeepalivedRenderer.render(bypassed, RenderSettings.parse(PROPS, java.util.List.of())).text();
        assertTrue(text.contains("real_server fe80::1 80"), text);
        KeepalivedConfigCheck.Result check = KeepalivedConfigCheck.shared().check(text);
        assertFalse(check.accepted(), "keepalived -t accepted a link-local real server:\n" + text);
        assertTrue(check.output().contains("link local address fe80::1"), check.output());
    }
}
