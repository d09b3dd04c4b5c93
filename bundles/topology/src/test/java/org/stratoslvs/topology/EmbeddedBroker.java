package org.stratoslvs.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;

/**
 * A real, non-persistent ActiveMQ broker on loopback with OpenWire and MQTT connectors, restartable on the same
 * ports (to test outages). It does not check frame sizes on its OpenWire connector.
 */
final class EmbeddedBroker implements AutoCloseable {

    final int openwirePort = freePort();
    final int mqttPort = freePort();
    private BrokerService broker;

    EmbeddedBroker start() throws Exception {
        BrokerService service = new BrokerService();
        service.setBrokerName("test-" + openwirePort);
        service.setPersistent(false);
        service.setUseJmx(false);
        service.setUseShutdownHook(false);
        service.setSchedulerSupport(false);
        // No frame limit, and no check of its own frames against what a client negotiates: like a broker that
        // ignores our limit, so the clients' own checks are what the tests see.
        add(service, "tcp://127.0.0.1:" + openwirePort + "?wireFormat.maxFrameSizeEnabled=false");
        add(service, "mqtt://127.0.0.1:" + mqttPort);
        service.start();
        service.waitUntilStarted();
        broker = service;
        return this;
    }

    private static void add(BrokerService service, String uri) throws Exception {
        TransportConnector connector = new TransportConnector();
        connector.setUri(new URI(uri));
        service.addConnector(connector);
    }

    void stop() throws Exception {
        if (broker != null) {
            broker.stop();
            broker.waitUntilStopped();
            broker = null;
        }
    }

    String url() {
        return "tcp://127.0.0.1:" + openwirePort;
    }

    String mqttUrl() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    /** Publishes a JMS TextMessage, as Stratos' Java publishers do. */
    void publish(String topic, String body) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(url()).createConnection();
        try {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic(topic));
            producer.send(session.createTextMessage(body));
        } finally {
            connection.close();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    static String fixture(String name) {
        try (InputStream in = EmbeddedBroker.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
