package org.stratoslvs.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.ControlStatus.Outcome;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyStore;
import org.stratoslvs.keepalived.ApplyPipeline;
import org.stratoslvs.keepalived.KeepalivedSettings;
import org.stratoslvs.render.RenderLoop;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;
import org.stratoslvs.topology.TopologyFeed;

/**
 * The product on the host, wired as its OSGi components wire it (and as ApplyLatencyBenchmark does without Karaf):
 * a real embedded ActiveMQ broker; {@link TopologyFeed} (the Camel JMS route on {@code topology.>}) →
 * {@link TopologyStore} → {@link RenderLoop} (KeepalivedRenderer on its own thread; nothing is submitted before a
 * complete topology, as in ConfigGeneratorComponent) → {@link ApplyPipeline} in {@code external} mode: validation
 * with the host's real {@code keepalived -t} inside a host namespace that has the VRRP interfaces, the atomic write
 * into the lab directory the guest mounts, and the lab's reload script as {@code keepalived.reload.command}.
 *
 * <p>The test publishes Stratos events on the broker and waits for the apply of the rendering they caused.
 */
final class LabProduct implements AutoCloseable {

    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private final BrokerService broker;
    private final TopologyStore store = new TopologyStore();
    private final RenderLoop renderLoop;
    private final Map<String, String> render;
    private final ApplyPipeline pipeline;
    private final TopologyFeed feed;
    private final Connection connection;
    private final Session session;
    private final MessageProducer producer;

    private final AtomicInteger received = new AtomicInteger();
    private final AtomicReference<org.stratoslvs.core.topology.Outcome> lastOutcome = new AtomicReference<>();
    /** Snapshot → the text rendered from it, and text (by identity) → the apply that ended for it. */
    private final Map<Topology, String> renderedFrom = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<String, ApplyRecord> appliedFor = Collections.synchronizedMap(new IdentityHashMap<>());
    /** When (System.nanoTime) the last message reached the route's sink, and when the store had taken it. */
    private volatile long receivedNanos;
    private volatile long storedNanos;
    /** Text (by identity) → when the render loop handed it over, and when its apply ended. */
    private final Map<String, Long> renderedNanos = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<String, Long> appliedNanos = Collections.synchronizedMap(new IdentityHashMap<>());

    /**
     * @param guest  the lab guest: keepalived.conf goes to its directory, reloads go through its channel
     * @param ns     the host namespace {@code keepalived -t} runs in
     * @param render the render settings ({@code org.stratoslvs} keys: mapping, VRRP, LVS)
     * @param extra  further keepalived control keys (e.g. {@code reload.min.interval})
     */
    LabProduct(Guest guest, HostNamespace ns, Map<String, String> render, Map<String, String> extra)
            throws Exception {
        this.render = Map.copyOf(render);
        RenderSettings.Parsed renderSettings = RenderSettings.parse(render, List.of());
        if (!renderSettings.errors().isEmpty()) {
            throw new IllegalStateException("render settings: " + renderSettings.errors());
        }
        Map<String, String> control = new HashMap<>(Map.of(
                KeepalivedSettings.MODE, "external",
                KeepalivedSettings.CONF_PATH, confPath(guest).toString(),
                KeepalivedSettings.RELOAD_COMMAND, "/bin/sh " + guest.dir().resolve("reload-keepalived.sh"),
                KeepalivedSettings.COMMAND_PREFIX, ns.commandPrefix()));
        control.putAll(extra);
        KeepalivedSettings keepalived = KeepalivedSettings.parse(control, Map.of());
        if (!keepalived.errors().isEmpty()) {
            throw new IllegalStateException("keepalived settings: " + keepalived.errors());
        }
        pipeline = new ApplyPipeline(keepalived);
        pipeline.setApplyListener((record, text, endNanos) -> {
            appliedNanos.put(text, endNanos);
            appliedFor.put(text, record);
        });
        renderLoop = new RenderLoop(renderSettings, this::rendered);

        broker = new BrokerService();
        broker.setBrokerName("stratoslvs-lab-" + ProcessHandle.current().pid());
        broker.setPersistent(false);
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        broker.setAdvisorySupport(false);
        TransportConnector connector = new TransportConnector();
        connector.setUri(new java.net.URI("tcp://127.0.0.1:0"));
        broker.addConnector(connector);
        broker.start();
        broker.waitUntilStarted();
        String url = "tcp://127.0.0.1:" + connector.getPublishableConnectURI().getPort();

        connection = new ActiveMQConnectionFactory(url).createConnection();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        producer = session.createProducer(null);
        producer.setDeliveryMode(DeliveryMode.PERSISTENT); // what Stratos' Java publishers send

        feed = new TopologyFeed("stratoslvs-lab", new TopologyFeed.BrokerSettings(url, "", "", Duration.ZERO),
                this::onMessage);
        feed.start(LabProduct.class.getClassLoader());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!feed.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the route did not subscribe within 30 s");
            }
            Thread.sleep(20);
        }
    }

    /** Health checks quick enough for a test: every 2 s, down after a failed check and one retry of 1 s. */
    static final int QUICK_DELAY_LOOP = 2;
    static final Map<String, String> QUICK_CHECKS = Map.of(
            RenderSettings.DELAY_LOOP, Integer.toString(QUICK_DELAY_LOOP),
            RenderSettings.CHECK_CONNECT_TIMEOUT, "1",
            RenderSettings.CHECK_RETRY, "1",
            RenderSettings.CHECK_DELAY_BEFORE_RETRY, "1");
    /**
     * When keepalived must have acted on a quick health check: delay_loop, plus the retry (delay_before_retry and
     * connect_timeout), plus the same again for the check already under way when the server changed; and a few
     * seconds for the UML guest, whose one CPU is shared with the host's builds.
     */
    static final Duration QUICK_CHECK_BOUND = Duration.ofSeconds(2L * (QUICK_DELAY_LOOP + 1 + 1) + 5);

    /** The lab service in NAT on br-cli behind {@code vip}, this director its VRRP MASTER, and {@code more}. */
    static Map<String, String> natSettings(String vip, Map<String, String> more) {
        Map<String, String> m = new HashMap<>(Map.of(
                RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + vip,
                RenderSettings.VRRP_INTERFACE, "br-cli",
                RenderSettings.VRRP_STATE, "MASTER",
                RenderSettings.LB_KIND, "NAT"));
        m.putAll(more);
        return m;
    }

    /**
     * Starts the guest's keepalived before the product, as a distribution's keepalived.service does (external
     * mode), on a file with nothing to do; the product's first apply replaces the file and reloads it. Its pid.
     */
    static long startBootstrapKeepalived(Guest guest) throws java.io.IOException, InterruptedException {
        java.nio.file.Files.writeString(confPath(guest), "global_defs {\n  router_id lab_bootstrap\n}\n");
        return guest.startKeepalived(confPath(guest));
    }

    /** Where the product writes keepalived.conf: the lab directory, which the guest's keepalived reads. */
    static Path confPath(Guest guest) {
        return guest.dir().resolve("keepalived.conf");
    }

    /** The route's sink, as TopologyListenerComponent does it. */
    private void onMessage(String topic, byte[] body) {
        receivedNanos = System.nanoTime();
        org.stratoslvs.core.topology.Outcome outcome = store.accept(topic, body);
        storedNanos = System.nanoTime();
        lastOutcome.set(outcome);
        if (outcome.changed()) {
            renderLoop.topologyChanged(outcome.topology(), outcome.cause());
        }
        received.incrementAndGet();
    }

    /** The render loop's sink, as ConfigGeneratorComponent does it. */
    private void rendered(RenderResult result, Topology topology, String cause) {
        if (topology.initialized()) {
            pipeline.submit(result.text(), cause);
        }
        renderedNanos.put(result.text(), System.nanoTime());
        renderedFrom.put(topology, result.text());
    }

    /** Publishes one Stratos event; returns the apply of the rendering it caused, which must be "applied". */
    ApplyRecord publishAndAwaitApply(String eventType, String body) throws Exception {
        ApplyRecord r = publishAndAwaitEnd(eventType, body);
        if (r.outcome() != Outcome.APPLIED) {
            throw new AssertionError(eventType + ": apply ended " + r.result() + " (" + r.steps() + ")");
        }
        return r;
    }

    /** Publishes one Stratos event and waits until the store took it (for events that change no rendering). */
    void publishAndAwaitStore(String eventType, String body) throws Exception {
        publishAndAwaitChange(eventType, body, System.nanoTime() + APPLY_TIMEOUT.toNanos());
    }

    /** Publishes one Stratos event and returns the store's outcome once it took it; it must change the topology. */
    private org.stratoslvs.core.topology.Outcome publishAndAwaitChange(String eventType, String body, long deadline)
            throws Exception {
        int before = received.get();
        producer.send(session.createTopic("topology." + eventType), session.createTextMessage(body));
        while (received.get() == before) {
            awaitTick(deadline, eventType + " to reach the store");
        }
        org.stratoslvs.core.topology.Outcome outcome = lastOutcome.get();
        if (!outcome.changed()) {
            throw new AssertionError(eventType + " did not change the topology: " + outcome);
        }
        return outcome;
    }

    /** Publishes one Stratos event and waits for the end of the apply of its rendering, whatever its result. */
    ApplyRecord publishAndAwaitEnd(String eventType, String body) throws Exception {
        return publishTraced(eventType, body).record();
    }

    /**
     * Where one event's time went on the host, each a {@link System#nanoTime()}: published on the broker, received
     * by the route's sink, taken by the store, rendered (handed to the pipeline), and its apply ended (after the
     * reload command returned).
     */
    record Trace(long published, long received, long stored, long rendered, long applied, ApplyRecord record,
                 String text) {
    }

    /** {@link #publishAndAwaitEnd}, with the times of each stage. */
    Trace publishTraced(String eventType, String body) throws Exception {
        long deadline = System.nanoTime() + APPLY_TIMEOUT.toNanos();
        long published = System.nanoTime();
        org.stratoslvs.core.topology.Outcome outcome = publishAndAwaitChange(eventType, body, deadline);
        long received = receivedNanos;
        long stored = storedNanos;
        String text;
        while ((text = renderedFrom.get(outcome.topology())) == null) {
            awaitTick(deadline, eventType + " to be rendered");
        }
        ApplyRecord record;
        while ((record = appliedFor.get(text)) == null) {
            awaitTick(deadline, eventType + " to be applied (last: " + pipeline.status().lastApply() + ")");
        }
        return new Trace(published, received, stored, renderedNanos.get(text), appliedNanos.get(text), record, text);
    }

    private static void awaitTick(long deadline, String what) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new AssertionError("timed out waiting for " + what);
        }
        Thread.sleep(5);
    }

    /**
     * A settings change as Config Admin delivers it to the render component ({@code changes} over the settings
     * the product started with); returns the apply of the re-rendering, which must be "applied".
     */
    ApplyRecord changeRenderSettings(Map<String, String> changes, String cause) throws Exception {
        ApplyRecord last = changeRenderSettingsAndAwaitEnd(changes, cause);
        if (last.outcome() != Outcome.APPLIED) {
            throw new AssertionError(cause + ": apply ended " + last.result() + " (" + last.steps() + ")");
        }
        return last;
    }

    /** {@link #changeRenderSettings}, whatever the apply's outcome. */
    ApplyRecord changeRenderSettingsAndAwaitEnd(Map<String, String> changes, String cause) throws Exception {
        Map<String, String> next = new HashMap<>(render);
        next.putAll(changes);
        RenderSettings.Parsed parsed = RenderSettings.parse(next, List.of());
        if (!parsed.errors().isEmpty()) {
            throw new IllegalStateException("render settings: " + parsed.errors());
        }
        long before = pipeline.applyRuns();
        renderLoop.settingsChanged(parsed, cause);
        long deadline = System.nanoTime() + APPLY_TIMEOUT.toNanos();
        ApplyRecord last;
        while ((last = pipeline.status().lastApply()) == null || pipeline.applyRuns() == before
                || !last.cause().contains(cause)) {
            awaitTick(deadline, "the apply of " + cause);
        }
        return last;
    }

    ApplyPipeline pipeline() {
        return pipeline;
    }

    /** Every apply record the pipeline keeps, oldest first. */
    List<ApplyRecord> applies() {
        return new ArrayList<>(pipeline.status().lastApplies());
    }

    @Override
    public void close() throws Exception {
        feed.close();
        renderLoop.close();
        pipeline.close();
        connection.close();
        broker.stop();
        broker.waitUntilStopped();
    }
}
