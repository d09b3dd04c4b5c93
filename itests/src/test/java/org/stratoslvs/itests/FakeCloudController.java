package org.stratoslvs.itests;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * Plays the Stratos Cloud Controller for one service with one cluster: it owns the truth (each member Active or
 * Suspended), publishes every change as the Stratos 4.1.5 event, and answers every
 * CompleteTopologyRequestEvent with the complete topology of the current truth, as the real one does. Message
 * shapes follow the project's Stratos 4.1.5 fixtures.
 *
 * <p>All sends go through one session under one lock, so a complete topology and the events after it reach
 * the broker in the order of the truth they describe.
 */
final class FakeCloudController implements AutoCloseable {

    static final String SERVICE = "web";
    static final String CLUSTER = "web.cluster-r";
    private static final String PORTS = "{\"80\":{\"protocol\":\"http\",\"value\":80,\"proxy\":80}}";

    private final Connection connection;
    private final Session session;
    private final MessageProducer producer;
    private final Session requestSession;
    private final MessageConsumer requests;
    private final Map<String, Boolean> active = new TreeMap<>();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong completes = new AtomicLong();
    private final Random random = new Random(7);
    private volatile Thread load;
    private volatile boolean loading;

    FakeCloudController(String brokerUrl, int members) throws JMSException {
        for (int i = 0; i < members; i++) {
            active.put(memberId(i), i % 2 == 0);
        }
        connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        producer = session.createProducer(null);
        requestSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        requests = requestSession.createConsumer(requestSession.createTopic("initializer.CompleteTopologyRequestEvent"));
        requests.setMessageListener(m -> {
            try {
                publishComplete();
            } catch (JMSException e) {
                System.err.println("fake cloud controller could not answer a request: " + e);
            }
        });
        connection.start();
    }

    static String memberId(int i) {
        return String.format("web-r-%02d", i);
    }

    static String ipOf(String memberId) {
        return "10.20.0." + (10 + Integer.parseInt(memberId.substring(memberId.lastIndexOf('-') + 1)));
    }

    /** The members that are Active now, by IP. */
    synchronized TreeSet<String> activeIps() {
        TreeSet<String> ips = new TreeSet<>();
        active.forEach((id, on) -> {
            if (on) {
                ips.add(ipOf(id));
            }
        });
        return ips;
    }

    long eventsPublished() {
        return events.get();
    }

    long completesPublished() {
        return completes.get();
    }

    synchronized void publishComplete() throws JMSException {
        StringBuilder memberMap = new StringBuilder();
        for (Map.Entry<String, Boolean> e : active.entrySet()) {
            if (memberMap.length() > 0) {
                memberMap.append(',');
            }
            memberMap.append('"').append(e.getKey()).append("\":").append(memberJson(e.getKey(), e.getValue()));
        }
        String cluster = "{" + ids() + ",\"autoscalePolicyName\":\"autoscaling-policy-1\",\"deploymentPolicyName\":"
                + "\"deployment-policy-1\",\"hostNames\":[\"web.example.com\"],\"isLbCluster\":false,"
                + "\"isKubernetesCluster\":false,\"memberMap\":{" + memberMap + "},\"appId\":\"app-1\","
                + "\"instanceIdToInstanceContextMap\":{},\"accessUrls\":{},\"kubernetesServices\":[],"
                + "\"loadBalancerIps\":[]}";
        String body = "{\"topology\":{\"clusterMap\":{\"" + CLUSTER + "\":" + cluster + "},\"serviceMap\":{\""
                + SERVICE + "\":{\"serviceName\":\"" + SERVICE + "\",\"serviceType\":\"SingleTenant\","
                + "\"clusterIdClusterMap\":{\"" + CLUSTER + "\":" + cluster + "},\"portMap\":" + PORTS
                + "}},\"initialized\":false}}";
        send("topology.CompleteTopologyEvent", body);
        completes.incrementAndGet();
    }

    /** Flips one random member (Active to Suspended or back) and publishes the event. */
    synchronized void flipOne() throws JMSException {
        String id = memberId(random.nextInt(active.size()));
        boolean nowActive = !active.get(id);
        active.put(id, nowActive);
        if (nowActive) {
            send("topology.MemberActivatedEvent", "{" + ids() + ",\"clusterInstanceId\":\"cluster-instance-1\","
                    + "\"memberId\":\"" + id + "\",\"networkPartitionId\":\"network-partition-1\",\"partitionId\":"
                    + "\"partition-1\",\"portMap\":" + PORTS + ",\"memberPrivateIPs\":[\"" + ipOf(id)
                    + "\"],\"defaultPrivateIP\":\"" + ipOf(id) + "\"}");
        } else {
            send("topology.MemberSuspendedEvent", "{" + ids() + ",\"networkPartitionId\":\"network-partition-1\","
                    + "\"partitionId\":\"partition-1\",\"memberId\":\"" + id + "\"}");
        }
        events.incrementAndGet();
    }

    /** Starts flipping members every {@code periodMillis} on a thread of its own. */
    void startLoad(long periodMillis) {
        loading = true;
        Thread t = new Thread(() -> {
            while (loading) {
                try {
                    flipOne();
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                } catch (JMSException e) {
                    System.err.println("fake cloud controller could not publish: " + e);
                }
            }
        }, "fake-cloud-controller-load");
        t.setDaemon(true);
        load = t;
        t.start();
    }

    void stopLoad() throws InterruptedException {
        loading = false;
        Thread t = load;
        if (t != null) {
            t.join(10_000);
        }
    }

    private static String ids() {
        return "\"serviceName\":\"" + SERVICE + "\",\"clusterId\":\"" + CLUSTER + "\"";
    }

    private static String memberJson(String id, boolean isActive) {
        String states = isActive ? "\"Created\",\"Initialized\",\"Starting\",\"Active\""
                : "\"Created\",\"Initialized\",\"Starting\",\"Active\",\"Suspended\"";
        return "{" + ids() + ",\"memberId\":\"" + id + "\",\"clusterInstanceId\":\"cluster-instance-1\","
                + "\"networkPartitionId\":\"network-partition-1\",\"partitionId\":\"partition-1\","
                + "\"initTime\":1795824858340,\"portMap\":" + PORTS + ",\"memberPrivateIPs\":[\"" + ipOf(id)
                + "\"],\"defaultPrivateIP\":\"" + ipOf(id) + "\",\"memberStateManager\":{\"stateStack\":["
                + states + "],\"identifier\":\"" + id + "\"},\"loadBalancingIPType\":\"Private\"}";
    }

    private void send(String topic, String body) throws JMSException {
        producer.send(session.createTopic(topic), session.createTextMessage(body));
    }

    @Override
    public void close() throws Exception {
        stopLoad();
        connection.close();
    }
}
