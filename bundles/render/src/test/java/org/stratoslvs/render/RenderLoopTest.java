package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyEvent;
import org.stratoslvs.core.topology.TopologyTransitions;

@ExtendWith(Rendered.class)
class RenderLoopTest {

    private static final RenderSettings.Parsed SETTINGS = RenderSettings.parse(
            Map.of(RenderSettings.VIRTUALIP_SET, "web|192.168.56.40"), List.of());

    private static Topology webWith(int activeMembers) {
        var members = new org.stratoslvs.core.topology.Member[activeMembers];
        for (int i = 0; i < activeMembers; i++) {
            members[i] = Topologies.member("web", "web.c", "web-" + i, MemberStatus.Active, "10.1." + (i / 250) + "."
                    + (i % 250 + 1), null, null, Topologies.ports(new Port("http", 80, 80)));
        }
        return Topologies.topology(Topologies.service("web", Topologies.ports(new Port("http", 80, 80)),
                Topologies.cluster("web", "web.c", members)));
    }

    @Test
    void aBurstWhileRenderingIsMergedIntoOneRenderOfTheLatestTopology() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> causes = new CopyOnWriteArrayList<>();
        List<Topology> rendered = new CopyOnWriteArrayList<>();
        try (RenderLoop loop = new RenderLoop(SETTINGS, (result, topology, cause) -> {
            causes.add(cause);
            rendered.add(topology);
            Rendered.checkAfterTest(result.text());
            firstStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            loop.topologyChanged(webWith(1), "first");
            assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
            Topology last = null;
            for (int i = 2; i <= 1000; i++) {
                last = webWith(i % 50 + 1);
                loop.topologyChanged(last, "event " + i);
            }
            release.countDown();
            assertTrue(loop.awaitIdle(10_000));
            assertEquals(2, rendered.size(), causes.toString());
            assertSame(last, rendered.get(1));
            assertEquals("event 2 (+998 more changes)", causes.get(1));
        }
    }

    @Test
    void renderNowSeesTheLatestStateWithoutTellingTheSink() throws Exception {
        List<RenderResult> results = new CopyOnWriteArrayList<>();
        try (RenderLoop loop = new RenderLoop(SETTINGS, (result, topology, cause) -> {
            results.add(result);
            Rendered.checkAfterTest(result.text());
        })) {
            loop.topologyChanged(webWith(3), "three members");
            assertTrue(loop.awaitIdle(10_000));
            assertEquals(1, results.size());
            assertEquals(results.get(0).text(), loop.renderNow().text());
            assertEquals(3, loop.renderNow().realServers());
            assertEquals(1, results.size());
        }
    }

    @Test
    void theLoopRendersOnlyTheChangedServiceAgain() throws Exception {
        RenderSettings.Parsed settings = RenderSettings.parse(
                Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(20)), List.of());
        List<RenderResult> results = new CopyOnWriteArrayList<>();
        try (RenderLoop loop = new RenderLoop(settings, (result, topology, cause) -> results.add(result))) {
            Topology t0 = Scale.topology(20, 5, 2);
            loop.topologyChanged(t0, "complete topology");
            assertTrue(loop.awaitIdle(10_000));
            assertEquals(20, loop.cache().lastRenderedServices());
            Topology t1 = TopologyTransitions.apply(t0, new TopologyEvent.MemberChange("MemberSuspendedEvent",
                    MemberStatus.Suspended, "svc0003", "svc0003.c1", "svc0003-m1", null, null, null, null, null,
                    null));
            loop.topologyChanged(t1, "member suspended");
            assertTrue(loop.awaitIdle(10_000));
            assertEquals(1, loop.cache().lastRenderedServices());
            assertEquals(19, loop.cache().lastReusedServices());
            assertEquals(KeepalivedRenderer.render(t1, settings), results.get(results.size() - 1));
            // a preview renders without the cache and leaves it as the loop left it
            assertEquals(results.get(results.size() - 1), loop.renderNow());
            assertEquals(1, loop.cache().lastRenderedServices());
            Rendered.checkAfterTest(results.get(results.size() - 1).text());
        }
    }
}
