package org.stratoslvs.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.RejectReason;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyStore;

/**
 * The real route against a real embedded ActiveMQ broker: JMS and MQTT publishers, the complete-topology
 * request, hostile messages, and a broker outage during which the topology changes.
 */
class TopologyFeedTest {

    private static final String COMPLETE = EmbeddedBroker.fixture("0001-topology.CompleteTopologyEvent.json");

    private EmbeddedBroker broker;
    private TopologyStore store;
    private TopologyFeed feed;

    @BeforeEach
    void startBroker() throws Exception {
        broker = new EmbeddedBroker().start();
        store = new TopologyStore();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (feed != null) {
            feed.close();
        }
        broker.close();
    }

    private void startFeed(Duration resync) throws Exception {
        feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", resync),
                store::accept);
        feed.start(getClass().getClassLoader());
        Await.until("the route to connect", 20_000, feed::isConnected);
    }

    private Topology current() {
        return store.current();
    }

    private MemberStatus status(String service, String member) {
        return current().services().get(service).clusters().values().stream()
                .filter(c -> c.members().containsKey(member)).findFirst().orElseThrow()
                .members().get(member).status();
    }

    @Test
    void completeTopologyOverJmsBuildsTheModel() throws Exception {
        startFeed(Duration.ZERO);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the complete topology", 10_000, () -> current().initialized());
        assertEquals(3, current().services().size());
        assertEquals(5, current().memberCount());
        assertEquals(MemberStatus.Active, status("web", "web-1"));
        assertEquals(MemberStatus.Starting, status("web", "web-3"));
    }

    @Test
    void startUpAndReconnectAskForTheCompleteTopology() throws Exception {
        BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        Connection cc = new ActiveMQConnectionFactory("failover:(" + broker.url() + ")").createConnection();
        cc.start();
        Session session = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        session.createConsumer(session.createTopic(TopologyFeed.COMPLETE_TOPOLOGY_REQUEST_TOPIC))
                .setMessageListener(m -> {
                    try {
                        requests.add(((TextMessage) m).getText());
                    } catch (Exception e) {
                        requests.add("unreadable: " + e);
                    }
                });
        try {
            startFeed(Duration.ZERO);
            assertEquals("{}", requests.poll(10, TimeUnit.SECONDS), "no request at start-up");
        } finally {
            cc.close();
        }
    }

    @Test
    void mqttPublishersReachTheRouteAsBytesMessages() throws Exception {
        startFeed(Duration.ZERO);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the complete topology", 10_000, () -> current().initialized());

        // The Python cartridge agent's side: MQTT topic with '/' separators.
        MqttClient mqtt = new MqttClient(broker.mqttUrl(), "test-agent", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        mqtt.connect(options);
        try {
            mqtt.publish("topology/MemberSuspendedEvent",
                    EmbeddedBroker.fixture("0013-topology.MemberSuspendedEvent.json").getBytes(StandardCharsets.UTF_8),
                    1, false);
        } finally {
            mqtt.disconnect();
            mqtt.close();
        }
        Await.until("web-1 suspended by the MQTT event", 10_000,
                () -> status("web", "web-1") == MemberStatus.Suspended, () -> store.status().toString());
    }

    @Test
    void hostileMessagesAreCountedAndChangeNothing() throws Exception {
        startFeed(Duration.ZERO);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the complete topology", 10_000, () -> current().initialized());
        Topology before = current();

        broker.publish("topology.MemberActivatedEvent", "{\"serviceName\":\"web\",");
        broker.publish("topology.MemberActivatedEvent", "{\"serviceName\":\"web\",\"clusterId\":\"web.cluster-a\","
                + "\"memberId\":\"web-3\",\"portMap\":{},\"defaultPrivateIP\":\"10.0.0.1\\n}\"}");
        broker.publish("topology.MemberTerminatedEvent", "[]");
        // A valid event after the garbage proves the route survived and is still in order.
        broker.publish("topology.MemberSuspendedEvent", EmbeddedBroker.fixture("0013-topology.MemberSuspendedEvent.json"));
        Await.until("the valid event after the garbage", 10_000,
                () -> status("web", "web-1") == MemberStatus.Suspended);

        assertEquals(3, store.status().rejectsTotal(), store.status().toString());
        assertTrue(store.status().rejectsByReason().containsKey(RejectReason.MALFORMED_JSON.name()),
                store.status().rejectsByReason().toString());
        assertTrue(store.status().rejectsByReason().containsKey(RejectReason.INVALID_IP.name()),
                store.status().rejectsByReason().toString());
        assertEquals(before.services().get("web").clusters().get("web.cluster-a").members().get("web-3"),
                current().services().get("web").clusters().get("web.cluster-a").members().get("web-3"));
        assertEquals(3, store.status().recentRejects().size());
    }

    @Test
    void theModelConvergesAfterABrokerOutageDuringWhichTheTopologyChanged() throws Exception {
        AtomicReference<String> truth = new AtomicReference<>(COMPLETE);
        CloudController cc = new CloudController(broker, truth);
        try {
            startFeed(Duration.ZERO);
            Await.until("the complete topology answer", 10_000, () -> current().initialized());
            assertEquals(MemberStatus.Active, status("web", "web-1"));
            long requestsBefore = cc.requests;

            broker.stop();
            Await.until("the route to notice the outage", 10_000, () -> !feed.isConnected());
            // While the broker is down, web-1 is suspended and web-3 becomes Active; the events are lost.
            truth.set(COMPLETE
                    .replace("\"Active\"],\"identifier\":\"web-1\"", "\"Active\",\"Suspended\"],\"identifier\":\"web-1\"")
                    .replace("\"Starting\"],\"identifier\":\"web-3\"", "\"Starting\",\"Active\"],\"identifier\":\"web-3\""));
            broker.start();

            Await.until("the model to converge after the broker returned", 30_000,
                    () -> status("web", "web-1") == MemberStatus.Suspended
                            && status("web", "web-3") == MemberStatus.Active,
                    () -> store.status().toString());
            assertTrue(feed.isConnected());
            assertTrue(cc.requests > requestsBefore, "no complete-topology request after the reconnect");
            assertEquals(2, store.status().driftRepairs(), store.status().toString());
        } finally {
            cc.close();
        }
    }

    @Test
    void anUnansweredRequestIsRepeatedUntilACompleteTopologyArrives() throws Exception {
        AtomicReference<String> truth = new AtomicReference<>(COMPLETE);
        CloudController cc = new CloudController(broker, truth);
        cc.ignoreRequests = 2; // as if the Cloud Controller were not up yet
        try {
            feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO),
                    store::accept, Duration.ofSeconds(1));
            feed.start(getClass().getClassLoader());
            Await.until("the complete topology after the repeated requests", 20_000, () -> current().initialized());
            long requests = cc.requests;
            assertTrue(requests >= 3, requests + ": two unanswered requests, then the answered one");
            // answered: no more requests
            Thread.sleep(2_500);
            assertEquals(requests, cc.requests);
        } finally {
            cc.close();
        }
    }

    @Test
    void periodicResyncRepairsDriftWithoutAReconnect() throws Exception {
        AtomicReference<String> truth = new AtomicReference<>(COMPLETE);
        CloudController cc = new CloudController(broker, truth);
        try {
            startFeed(Duration.ofSeconds(1));
            Await.until("the complete topology answer", 10_000, () -> current().initialized());
            Topology first = current();
            // Nothing changed: a repeated complete topology leaves the very same snapshot.
            Await.until("a second request", 10_000, () -> cc.requests >= 2);
            assertSame(first, current());
            truth.set(COMPLETE.replace("\"Starting\"],\"identifier\":\"web-3\"",
                    "\"Starting\",\"Active\"],\"identifier\":\"web-3\""));
            Await.until("the periodic resync to repair the drift", 10_000,
                    () -> status("web", "web-3") == MemberStatus.Active);
            assertFalse(store.status().driftRepairs() == 0);
        } finally {
            cc.close();
        }
    }

    @Test
    void aSinkFailureDropsThatMessageOnlyAndIsNotRedelivered() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO),
                (topic, body) -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("a bug in the sink");
                    }
                    store.accept(topic, body);
                });
        feed.start(getClass().getClassLoader());
        Await.until("the route to connect", 20_000, feed::isConnected);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the second message", 10_000, () -> current().initialized());
        Thread.sleep(500); // a redelivery of the first message would show up as a third call
        assertEquals(2, calls.get());
    }

    @Test
    void aBrokerWithoutAFrameLimitCannotPutABodyOverOursOnTheHeap() throws Exception {
        // The test broker has no frame limit, like an external broker set up without one.
        long maxMessage = 256 * 1024;
        java.util.concurrent.atomic.AtomicInteger largest = new java.util.concurrent.atomic.AtomicInteger();
        feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO,
                maxMessage), (topic, body) -> {
                    largest.accumulateAndGet(body.length, Math::max);
                    store.accept(topic, body);
                });
        feed.start(getClass().getClassLoader());
        Await.until("the route to connect", 20_000, feed::isConnected);

        broker.publish("topology.CompleteTopologyEvent", "x".repeat(4 * 1024 * 1024));
        // The connection that refused the frame comes back by itself and the next message gets through.
        Await.until("a complete topology after the refused body", 30_000, () -> {
            if (feed.isConnected()) {
                try {
                    broker.publish("topology.CompleteTopologyEvent", COMPLETE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return current().initialized();
        });
        assertTrue(largest.get() <= maxMessage + TopologyFeed.FRAME_ENVELOPE_BYTES,
                "the sink got a body of " + largest.get() + " bytes");
        assertEquals(3, current().services().size());
    }

    @Test
    void aCompressedBodyOrAJavaObjectIsNeverUnpackedOnOurHeap() throws Exception {
        // A compressed body passes any frame limit (4 MiB of one letter deflate to about 4 KB) and would be inflated
        // in full by getText(), to whatever size its first bytes claim; an ObjectMessage would be deserialized.
        java.util.concurrent.atomic.AtomicInteger largest = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO,
                256 * 1024), new TopologyFeed.MessageSink() {
                    @Override
                    public void onMessage(String topic, byte[] body) {
                        delivered.incrementAndGet();
                        largest.accumulateAndGet(body.length, Math::max);
                        store.accept(topic, body);
                    }

                    @Override
                    public boolean refusedUnread(String topic, String why) {
                        // as the component does: the store counts it among the rejects
                        store.refuseUnread(topic, why);
                        return true;
                    }
                });
        feed.start(getClass().getClassLoader());
        Await.until("the route to connect", 20_000, feed::isConnected);

        Connection hostile = new ActiveMQConnectionFactory(broker.url() + "?jms.useCompression=true")
                .createConnection();
        try {
            Session session = hostile.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic("topology.CompleteTopologyEvent"));
            producer.send(session.createTextMessage("x".repeat(4 * 1024 * 1024)));
            producer.send(session.createObjectMessage(new java.util.HashMap<String, String>()));
        } finally {
            hostile.close();
        }
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the complete topology after the refused messages", 10_000, () -> current().initialized());
        assertEquals(1, delivered.get(), "refused messages reached the sink");
        assertEquals(2, feed.refusedMessages());
        assertEquals(2L, store.status().rejectsByReason().get("UNSUPPORTED_MESSAGE"), store.status().toString());
        assertTrue(store.status().recentRejects().stream().anyMatch(r -> r.detail().contains("compressed")),
                store.status().recentRejects().toString());
        assertTrue(largest.get() <= 256 * 1024, "the sink got a body of " + largest.get() + " bytes");
    }

    /**
     * Issue 11.4 through the real broker: the message of the issue, 3.2 million empty members in 32,000,000 bytes
     * (under the byte limit), published as a Cloud Controller would. It is refused with a bounded detail, the
     * topology stays as it was, and the next message still applies.
     */
    @Test
    void anElementBombOnTheBrokerIsRefusedAndTheFeedGoesOn() throws Exception {
        feed = new TopologyFeed("test", new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO),
                (topic, body) -> store.accept(topic, body));
        feed.start(getClass().getClassLoader());
        Await.until("the route to connect", 20_000, feed::isConnected);
        broker.publish("topology.CompleteTopologyEvent", COMPLETE);
        Await.until("the complete topology", 10_000, () -> current().initialized());
        Topology before = store.current();

        StringBuilder bomb = new StringBuilder(32_000_100).append("{\"topology\":{\"serviceMap\":{\"s\":{")
                .append("\"serviceName\":\"s\",\"clusterIdClusterMap\":{\"s.c\":{\"serviceName\":\"s\",")
                .append("\"clusterId\":\"s.c\",\"memberMap\":{");
        String symbols = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (int i = 0; i < 3_200_000; i++) {
            bomb.append(i == 0 ? "\"" : ",\"");
            for (int d = 0, n = i; d < 4; d++, n /= 62) {
                bomb.append(symbols.charAt(n % 62));
            }
            bomb.append("\":{}");
        }
        String body = bomb.append("}}}}}}}").toString();
        assertTrue(body.length() <= TopologyStore.DEFAULT_MAX_MESSAGE_BYTES, "under the byte limit: " + body.length());
        broker.publish("topology.CompleteTopologyEvent", body);
        Await.until("the bomb to be refused", 60_000,
                () -> store.status().rejectsByReason().getOrDefault("JSON_LIMIT", 0L) == 1L,
                () -> store.status().toString());
        assertSame(before, store.current(), "the topology is unchanged");
        String detail = store.status().recentRejects().get(store.status().recentRejects().size() - 1).detail();
        assertTrue(detail.length() < 400, "bounded detail: " + detail.length() + " characters");

        broker.publish("topology.MemberTerminatedEvent", """
                {"serviceName":"dns","clusterId":"dns.cluster-a","memberId":"dns-1",\
                "clusterInstanceId":"cluster-instance-1","networkPartitionId":"network-partition-1",\
                "partitionId":"partition-1"}""");
        Await.until("the next event to apply", 10_000,
                () -> current().service("dns").clusters().values().stream().allMatch(c -> c.members().isEmpty()),
                () -> store.status().toString());
    }

    @Test
    void everyTransportOfTheBrokerUrlGetsTheFrameLimit() {
        assertEquals("failover:(tcp://10.0.0.5:61616?wireFormat.maxFrameSize=1000)?timeout=5",
                TopologyFeed.withFrameLimit("failover:(tcp://10.0.0.5:61616)?timeout=5", 1000));
        assertEquals("failover:(tcp://a:1?wireFormat.maxFrameSize=1000,ssl://b:2?x=y&wireFormat.maxFrameSize=1000)",
                TopologyFeed.withFrameLimit("failover:(tcp://a:1,ssl://b:2?x=y)", 1000));
        // an operator's larger limit is lowered, a smaller one kept
        assertEquals("failover:(tcp://a:1?wireFormat.maxFrameSize=1000&y=1)",
                TopologyFeed.withFrameLimit("failover:(tcp://a:1?wireFormat.maxFrameSize=99999999&y=1)", 1000));
        assertEquals("failover:(nio://a:1?wireFormat.maxFrameSize=500)",
                TopologyFeed.withFrameLimit("failover:(nio://a:1?wireFormat.maxFrameSize=500)", 1000));
        // without parentheses, failover's options stay failover's
        assertEquals("failover:(tcp://a:1?wireFormat.maxFrameSize=1000)?randomize=false",
                TopologyFeed.withFrameLimit("failover:tcp://a:1?randomize=false", 1000));
        // in-VM: no frames
        assertEquals("failover:(vm://embedded)", TopologyFeed.withFrameLimit("failover:(vm://embedded)", 1000));
    }

    @Test
    void theSettingsNeverPrintThePassword() {
        String shown = new TopologyFeed.BrokerSettings("tcp://h:1", "lvs", "s3cret", Duration.ZERO).toString();
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains("lvs"), shown);
    }

    /** Answers every CompleteTopologyRequestEvent with the current truth, like Stratos' Cloud Controller. */
    private static final class CloudController implements AutoCloseable {
        private final Connection connection;
        volatile long requests;
        /** How many requests to leave unanswered first. */
        volatile int ignoreRequests;

        CloudController(EmbeddedBroker broker, AtomicReference<String> truth) throws Exception {
            connection = new ActiveMQConnectionFactory("failover:(" + broker.url()
                    + ")?initialReconnectDelay=100&maxReconnectDelay=100&useExponentialBackOff=false")
                    .createConnection();
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic("topology.CompleteTopologyEvent"));
            session.createConsumer(session.createTopic(TopologyFeed.COMPLETE_TOPOLOGY_REQUEST_TOPIC))
                    .setMessageListener(m -> {
                        requests++;
                        if (ignoreRequests > 0) {
                            ignoreRequests--;
                            return;
                        }
                        try {
                            producer.send(session.createTextMessage(truth.get()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }
}
