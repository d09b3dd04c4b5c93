package org.stratoslvs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The component as DS runs it (activate, modified, deactivate; no OSGi needed) with the real ActiveMQ broker and real
 * OpenWire and MQTT (Paho, as the Python cartridge agent) clients: the frame limit, authentication, authorization and
 * the refusal of a non-loopback bind without authentication.
 */
class EmbeddedBrokerTest {

    /** 1 MiB keeps the messages small; the mechanism is the same at the default 32 MiB. */
    private static final long MAX_MESSAGE = 1024 * 1024;
    private static final long MAX_FRAME = MAX_MESSAGE + BrokerSettings.FRAME_ENVELOPE_BYTES;
    private static final String USERS = "cc:cc-secret,lvs:lvs-secret:readonly";

    private final int openwirePort = freePort();
    private final int mqttPort = freePort();
    private final List<EmbeddedBroker> components = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // a client the broker has already closed
            }
        }
        for (EmbeddedBroker component : components) {
            component.deactivate();
        }
    }

    private Map<String, Object> properties(String... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("bind.address", "127.0.0.1");
        properties.put("openwire.port", String.valueOf(openwirePort));
        properties.put("mqtt.port", String.valueOf(mqttPort));
        properties.put("broker.name", "test-" + openwirePort);
        properties.put("topology.max.message.bytes", String.valueOf(MAX_MESSAGE));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private EmbeddedBroker activate(Map<String, Object> properties) throws Exception {
        EmbeddedBroker component = new EmbeddedBroker();
        components.add(component);
        component.activate(null, properties);
        return component;
    }

    private String openwireUrl() {
        return "tcp://127.0.0.1:" + openwirePort;
    }

    private String mqttUrl() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    // ---------------------------------------------------------------------------------------------------------
    // frame limit
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void anOpenWireFrameOverTheLimitIsRefusedAndNotDeliveredOneWithinItIs() throws Exception {
        EmbeddedBroker component = activate(properties());
        BlockingQueue<Long> received = subscribe(openwireUrl(), null, null);

        // A hostile client that does not check its own frames against the negotiated limit, so the broker's check
        // is what stops it. Synchronous sends, so a refused send fails where it is made.
        Session hostile = session(openwireUrl() + "?wireFormat.maxFrameSizeEnabled=false&jms.alwaysSyncSend=true",
                null, null);
        MessageProducer producer = hostile.createProducer(hostile.createTopic("topology.CompleteTopologyEvent"));
        assertThrows(JMSException.class, () -> producer.send(hostile.createTextMessage(text(MAX_FRAME + 1))));

        // A well-behaved client learns the limit when it connects and refuses to send such a frame at all.
        Session polite = session(openwireUrl() + "?jms.alwaysSyncSend=true", null, null);
        MessageProducer politeProducer = polite.createProducer(polite.createTopic("topology.CompleteTopologyEvent"));
        assertThrows(JMSException.class, () -> politeProducer.send(polite.createTextMessage(text(MAX_FRAME + 1))));
        // Both refused at the wire: neither message was read into the broker (where DispatchFitPlugin would count it).
        assertEquals(0, dispatchFit(component).refused());

        Session good = session(openwireUrl() + "?jms.alwaysSyncSend=true", null, null);
        good.createProducer(good.createTopic("topology.CompleteTopologyEvent"))
                .send(good.createTextMessage(text(MAX_MESSAGE)));
        assertEquals(MAX_MESSAGE, received.poll(10, TimeUnit.SECONDS), "the message within the limit");
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "a refused message was delivered");
    }

    @Test
    void anMqttFrameOneByteOverTheLimitIsRefusedAndNotDeliveredOneAtTheLimitIs() throws Exception {
        activate(properties());
        BlockingQueue<Long> received = subscribe(openwireUrl(), null, null);
        String topic = "topology/CompleteTopologyEvent";
        // An MQTT PUBLISH frame's length: 2 bytes of topic length, the topic, 2 bytes of packet id (QoS 1), payload.
        int atTheLimit = (int) (MAX_FRAME - 2 - topic.length() - 2);

        MqttClient hostile = mqtt("hostile", null, null);
        MqttException refused = assertThrows(MqttException.class,
                () -> hostile.publish(topic, new byte[atTheLimit + 1], 1, false));
        assertEquals(MqttException.REASON_CODE_CONNECTION_LOST, refused.getReasonCode(), refused.toString());
        EmbeddedBroker component = components.get(0);
        assertEquals(0, dispatchFit(component).refused(), "refused at the wire, before it was read");

        // Within the MQTT frame limit, but as OpenWire delivers it (headers added) over the limit of the subscriber's
        // connection: dropped at the broker, so the subscriber is not disconnected for it, and logged in one short
        // line (ActiveMQ's MQTT transport would log a refused publish with its payload in hex).
        MqttClient nearly = mqtt("nearly", null, null);
        String log = stderrDuring(() -> nearly.publish(topic, new byte[atTheLimit], 1, false));
        assertEquals(1, dispatchFit(component).refused());
        assertTrue(log.lines().allMatch(line -> line.length() < 2_000),
                "a log line of " + log.lines().mapToInt(String::length).max().orElse(0) + " characters");

        MqttClient agent = mqtt("agent", null, null);
        agent.publish(topic, new byte[(int) MAX_MESSAGE], 1, false);
        assertEquals(MAX_MESSAGE, received.poll(10, TimeUnit.SECONDS), "the message within the limit");
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "a refused message was delivered");
    }

    @Test
    void anOpenWireMessageThatFitsComingInButNotGoingOutIsRefusedAndTheSubscriberStaysConnected() throws Exception {
        activate(properties());
        BlockingQueue<Long> received = subscribe(openwireUrl(), null, null);
        Session session = session(openwireUrl() + "?jms.alwaysSyncSend=true", null, null);
        MessageProducer producer = session.createProducer(session.createTopic("topology.CompleteTopologyEvent"));
        // A text whose frame is just under the limit: the delivery frame (a dispatch around it) would be over.
        String nearly = text(MAX_FRAME - 400);
        assertThrows(JMSException.class, () -> producer.send(session.createTextMessage(nearly)));
        assertEquals(1, dispatchFit(components.get(0)).refused());
        // the same producer and the same subscriber go on
        producer.send(session.createTextMessage(text(MAX_MESSAGE)));
        assertEquals(MAX_MESSAGE, received.poll(10, TimeUnit.SECONDS), "the message within the limit");
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "a refused message was delivered");
    }

    // ---------------------------------------------------------------------------------------------------------
    // authentication and authorization
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void withUsersOpenWireNeedsTheRightCredentials() throws Exception {
        activate(properties("users", USERS));
        assertThrows(JMSSecurityException.class, () -> session(openwireUrl(), null, null));
        assertThrows(JMSSecurityException.class, () -> session(openwireUrl(), "cc", "wrong"));
        assertThrows(JMSSecurityException.class, () -> session(openwireUrl(), "nobody", "cc-secret"));

        BlockingQueue<Long> received = subscribe(openwireUrl(), "cc", "cc-secret");
        Session cc = session(openwireUrl(), "cc", "cc-secret");
        cc.createProducer(cc.createTopic("topology.MemberActivatedEvent")).send(cc.createTextMessage("{}"));
        assertEquals(2L, received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void withUsersMqttNeedsTheRightCredentials() throws Exception {
        activate(properties("users", USERS));
        assertThrows(MqttSecurityException.class, () -> mqtt("anonymous", null, null));
        assertThrows(MqttSecurityException.class, () -> mqtt("wrong", "cc", "wrong"));

        BlockingQueue<Long> received = subscribe(openwireUrl(), "cc", "cc-secret");
        MqttClient agent = mqtt("agent", "cc", "cc-secret");
        agent.publish("topology/MemberActivatedEvent", "{}".getBytes(), 1, false);
        assertEquals(2L, received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aReadOnlyUserSubscribesAndAsksForTheCompleteTopologyButCannotPublishTopology() throws Exception {
        activate(properties("users", USERS));
        BlockingQueue<Long> topology = subscribe(openwireUrl(), "lvs", "lvs-secret");

        Session lvs = session(openwireUrl() + "?jms.alwaysSyncSend=true", "lvs", "lvs-secret");
        lvs.createProducer(lvs.createTopic(BrokerSetup.COMPLETE_TOPOLOGY_REQUEST_TOPIC))
                .send(lvs.createTextMessage("{}"));
        assertThrows(JMSSecurityException.class,
                () -> lvs.createProducer(lvs.createTopic("topology.MemberActivatedEvent")));
        MessageProducer anonymous = lvs.createProducer(null);
        assertThrows(JMSSecurityException.class, () -> anonymous.send(lvs.createTopic("topology.MemberActivatedEvent"),
                lvs.createTextMessage("{}")));

        Session cc = session(openwireUrl(), "cc", "cc-secret");
        cc.createProducer(cc.createTopic("topology.MemberActivatedEvent")).send(cc.createTextMessage("{}"));
        assertEquals(2L, topology.poll(10, TimeUnit.SECONDS), "the read-only user receives topology");
        assertNull(topology.poll(500, TimeUnit.MILLISECONDS), "the forged event was delivered");
    }

    // ---------------------------------------------------------------------------------------------------------
    // bind address
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void aNonLoopbackBindWithoutUsersStartsNoConnectorUntilUsersAreSet() throws Exception {
        // The wildcard address: a bind would succeed here and be reachable on loopback too, so "nothing listens" on
        // 127.0.0.1 proves that no bind happened.
        EmbeddedBroker component = activate(properties("bind.address", "0.0.0.0"));
        assertNull(component.broker());
        assertNothingListensOn(openwirePort);
        assertNothingListensOn(mqttPort);

        component.modified(null, properties("bind.address", "0.0.0.0", "users", USERS));
        assertNotNull(component.broker());
        // now it listens, and wants credentials
        assertThrows(JMSSecurityException.class, () -> session(openwireUrl(), null, null));
        session(openwireUrl(), "cc", "cc-secret");
        mqtt("agent", "cc", "cc-secret");
    }

    @Test
    void theLoopbackDefaultNeedsNoUsers() throws Exception {
        for (String loopback : Arrays.asList("127.0.0.1", "localhost", "::1")) {
            EmbeddedBroker component = activate(properties("bind.address", loopback));
            assertNotNull(component.broker(), loopback);
            String host = loopback.contains(":") ? "[" + loopback + "]" : loopback;
            session("tcp://" + host + ":" + openwirePort, null, null);
            component.deactivate();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // configuration changes
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void aChangeOfTheListenersPidThatIsNotOursLeavesTheBrokerRunningAndANewLimitRestartsIt() throws Exception {
        Map<String, Object> properties = properties();
        EmbeddedBroker component = activate(properties);
        var first = component.broker();

        properties.put("lvs.service.virtualip.set", "web|192.168.56.40");
        component.modified(null, properties);
        assertSame(first, component.broker());

        properties.put("topology.max.message.bytes", String.valueOf(2 * MAX_MESSAGE));
        component.modified(null, properties);
        assertNotSame(first, component.broker());
        // the new limit is in force: what was over the old one is delivered now
        BlockingQueue<Long> received = subscribe(openwireUrl(), null, null);
        Session session = session(openwireUrl() + "?jms.alwaysSyncSend=true", null, null);
        session.createProducer(session.createTopic("topology.CompleteTopologyEvent"))
                .send(session.createTextMessage(text(MAX_FRAME + 1)));
        assertEquals(MAX_FRAME + 1, received.poll(10, TimeUnit.SECONDS));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A JMS subscriber on topology.>, as the topology listener: the body sizes it receives. */
    private BlockingQueue<Long> subscribe(String url, String user, String password) throws Exception {
        BlockingQueue<Long> sizes = new LinkedBlockingQueue<>();
        Session session = session(url, user, password);
        session.createConsumer(session.createTopic("topology.>")).setMessageListener(message -> sizes.add(size(message)));
        return sizes;
    }

    private static long size(Message message) {
        try {
            if (message instanceof TextMessage text) {
                return text.getText().length();
            }
            return ((BytesMessage) message).getBodyLength();
        } catch (JMSException e) {
            return -1;
        }
    }

    private Session session(String url, String user, String password) throws JMSException {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        Connection connection = user == null ? factory.createConnection() : factory.createConnection(user, password);
        clients.add(connection);
        connection.start();
        return connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    private MqttClient mqtt(String clientId, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(mqttUrl(), clientId, new MemoryPersistence());
        client.setTimeToWait(10_000);
        clients.add(client::close);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMaxInflight(10);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        client.connect(options);
        clients.add(0, () -> {
            if (client.isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    private static DispatchFitPlugin dispatchFit(EmbeddedBroker component) {
        return Arrays.stream(component.broker().getPlugins()).filter(DispatchFitPlugin.class::isInstance)
                .map(DispatchFitPlugin.class::cast).findFirst().orElseThrow();
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** What is logged (slf4j-simple writes to System.err) while the action runs and shortly after. */
    private static String stderrDuring(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
            Thread.sleep(500); // the broker handles the publish on its own thread
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log.lines().map(line -> line.length() > 500 ? line.substring(0, 500) + "..." : line)
                .reduce("", (a, b) -> a + b + System.lineSeparator()));
        return log;
    }

    private static String text(long length) {
        return "x".repeat((int) length);
    }

    private static void assertNothingListensOn(int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        }, "something listens on port " + port);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
