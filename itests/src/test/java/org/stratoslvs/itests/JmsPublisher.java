package org.stratoslvs.itests;

import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * Kept apart from the test classes on purpose: the probe imports JMS dynamically, and in a stock Karaf the JMS
 * packages only exist once the test has installed our features, so nothing may load them earlier.
 */
final class JmsPublisher {

    private JmsPublisher() {
    }

    static void publish(String brokerUrl, String topic, String body) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
        try {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic(topic));
            producer.send(session.createTextMessage(body));
        } finally {
            connection.close();
        }
    }
}
