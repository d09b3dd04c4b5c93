package org.stratoslvs.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stratoslvs.core.topology.Outcome;
import org.stratoslvs.core.topology.TopologyStore;
import org.stratoslvs.keepalived.ApplyPipeline;
import org.stratoslvs.keepalived.KeepalivedSettings;
import org.stratoslvs.render.KeepalivedConfigCheck;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;

/**
 * The first end-to-end path without a container: a Cloud Controller publishes a real Stratos 4.1.5 complete
 * topology as a JMS TextMessage on a real embedded broker; the route, the store, the renderer and the apply
 * pipeline (validating with the real {@code keepalived -t}) turn it into keepalived.conf. The OSGi components
 * wire exactly these pieces.
 */
class EndToEndTest {

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private TopologyFeed feed;
    private ApplyPipeline pipeline;

    /** A network namespace holding eth0, so keepalived -t checks the VRRP interface for real (skips or, under
     * CI=true, fails when that is impossible). */
    private KeepalivedConfigCheck netns;

    @BeforeEach
    void start() throws Exception {
        netns = KeepalivedConfigCheck.shared();
        broker = new EmbeddedBroker().start();
    }

    @AfterEach
    void stop() throws Exception {
        if (feed != null) {
            feed.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        broker.close();
    }

    @Test
    void completeTopologyOnTheBrokerBecomesAValidatedKeepalivedConf() throws Exception {
        Path conf = dir.resolve("keepalived").resolve("keepalived.conf");
        RenderResult[] last = new RenderResult[1];
        startPath(conf, "web|192.168.56.40,dns|192.168.56.41,missing|192.168.56.42", last);

        // how fast: ApplyLatencyBenchmark (benchmarks/); here only that it arrives
        broker.publish("topology.CompleteTopologyEvent", EmbeddedBroker.fixture("0001-topology.CompleteTopologyEvent.json"));
        Await.until("keepalived.conf", 30_000, () -> Files.exists(conf), () -> pipeline.status().toString());

        String text = Files.readString(conf);
        assertEquals(last[0].text(), text);
        assertTrue(text.contains("virtual_server 192.168.56.40 80 {"), text);
        assertTrue(text.contains("virtual_server 192.168.56.40 443 {"), text);
        assertTrue(text.contains("virtual_server 192.168.56.41 53 {"), text);
        assertTrue(text.contains("protocol UDP"), text);
        assertTrue(text.contains("real_server 10.10.0.11 "), text);
        assertTrue(text.contains("real_server 10.10.0.12 "), text);
        assertTrue(text.contains("real_server 10.10.1.11 "), text);
        assertTrue(text.contains("TCP_CHECK"), text);
        // web-3 is Starting and web-4 Suspended: they carry no traffic. "missing" is not in the topology: its VIP
        // is held (VRRP follows the settings only, so topology changes never touch VRRP) but nothing balances it.
        assertFalse(text.contains("10.10.0.13") || text.contains("10.10.0.14"), text);
        assertFalse(text.contains("virtual_server 192.168.56.42"), text);
        assertTrue(last[0].warnings().stream().anyMatch(w -> w.contains("missing")), last[0].warnings().toString());

        // The real parser, independently of the pipeline's own validation.
        netns.assertAccepted(text);
        assertTrue(pipeline.status().lastApply().result().startsWith("applied"), pipeline.status().toString());
    }

    /**
     * Issue "one bad member never holds back the rest", as reproduced on the product: a member of web activated
     * with an IPv6 link-local address (keepalived cannot take it as a real server without bind_if) used to make every
     * later apply fail, so dns's terminated member stayed in keepalived.conf taking traffic. Whichever layer stops
     * the bad member (the parser refuses such addresses; keepalived control would hold back web's virtual server),
     * dns's change must reach the file.
     */
    @Test
    void aMemberKeepalivedCannotTakeDoesNotHoldBackAnotherServicesTermination() throws Exception {
        Path conf = dir.resolve("keepalived").resolve("keepalived.conf");
        TopologyStore store = startPath(conf, "web|192.168.56.40,dns|192.168.56.41", new RenderResult[1]);
        broker.publish("topology.CompleteTopologyEvent", EmbeddedBroker.fixture("0001-topology.CompleteTopologyEvent.json"));
        Await.until("keepalived.conf", 30_000,
                () -> read(conf).contains("real_server 10.10.1.11 "),
                () -> pipeline.status().toString());

        broker.publish("topology.MemberActivatedEvent", """
                {"serviceName":"web","clusterId":"web.cluster-a","clusterInstanceId":"cluster-instance-1",\
                "memberId":"web-3","networkPartitionId":"network-partition-1","partitionId":"partition-1",\
                "portMap":{"80":{"protocol":"http","value":8080,"proxy":80}},\
                "memberPrivateIPs":["fe80::1"],"defaultPrivateIP":"fe80::1"}""");
        broker.publish("topology.MemberTerminatedEvent", """
                {"serviceName":"dns","clusterId":"dns.cluster-a","memberId":"dns-1",\
                "clusterInstanceId":"cluster-instance-1","networkPartitionId":"network-partition-1",\
                "partitionId":"partition-1"}""");
        Await.until("dns-1 to leave keepalived.conf", 30_000,
                () -> !read(conf).contains("real_server 10.10.1.11 "),
                () -> store.status().recentRejects() + "; " + pipeline.status());
        String text = Files.readString(conf);
        assertFalse(text.contains("fe80::"), text);
        assertTrue(text.contains("real_server 10.10.0.11 "), "web's good members stay:\n" + text);
        netns.assertAccepted(text);
    }

    /**
     * The path the OSGi components wire: the route on the broker → the store → the renderer (mapping
     * {@code virtualIps}, VRRP on eth0) → the pipeline (render-only, keepalived -t in the namespace) writing
     * {@code conf}; {@code last} receives each rendering. Returns the store once the route has subscribed.
     */
    private TopologyStore startPath(Path conf, String virtualIps, RenderResult[] last) throws Exception {
        pipeline = new ApplyPipeline(KeepalivedSettings.parse(Map.of(
                KeepalivedSettings.MODE, "render-only",
                KeepalivedSettings.ARGS, "-s " + netns.namespace(),
                KeepalivedSettings.CONF_PATH, conf.toString()), Map.of()));
        RenderSettings.Parsed settings = RenderSettings.parse(Map.of(
                RenderSettings.VIRTUALIP_SET, virtualIps,
                RenderSettings.VRRP_INTERFACE, "eth0"), List.of());
        assertTrue(settings.errors().isEmpty(), settings.errors().toString());
        TopologyStore store = new TopologyStore();
        feed = new TopologyFeed("e2e", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO),
                (topic, body) -> {
                    Outcome outcome = store.accept(topic, body);
                    if (outcome.changed()) {
                        last[0] = KeepalivedRenderer.render(outcome.topology(), settings);
                        pipeline.submit(last[0].text(), outcome.cause());
                    }
                });
        feed.start(getClass().getClassLoader());
        Await.until("the route to subscribe", 20_000, feed::isConnected);
        return store;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
