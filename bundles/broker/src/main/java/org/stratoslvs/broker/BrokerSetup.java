package org.stratoslvs.broker;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.filter.DestinationMapEntry;
import org.apache.activemq.security.AuthenticationUser;
import org.apache.activemq.security.AuthorizationEntry;
import org.apache.activemq.security.AuthorizationPlugin;
import org.apache.activemq.security.DefaultAuthorizationMap;
import org.apache.activemq.security.SimpleAuthenticationPlugin;
import org.apache.activemq.security.TempDestinationAuthorizationEntry;

/**
 * Builds and starts the non-persistent ActiveMQ broker from {@link BrokerSettings}; no OSGi here, so tests start
 * exactly what the component starts.
 *
 * <p>Frame limit: both connectors get {@code wireFormat.maxFrameSize}. OpenWire's {@code OpenWireFormat} and
 * MQTT's {@code MQTTWireFormat} read a frame's declared length first and close the connection when it is larger,
 * before allocating the frame; OpenWire also negotiates the smaller of both sides' limits with each client, so a
 * well-behaved client refuses to send such a frame in the first place. {@link DispatchFitPlugin} refuses what came in
 * within the limit but would not go out within it.
 *
 * <p>Authorization, when there are users: members of {@value BrokerSettings#PUBLISHERS_GROUP} (every user without a
 * group) may publish and subscribe every topic and queue; members of {@value BrokerSettings#READONLY_GROUP} may
 * subscribe every topic and publish only the complete-topology request (what a load balancer needs). Both may use
 * the advisory topics, which every ActiveMQ client subscribes to.
 */
final class BrokerSetup {

    static final String COMPLETE_TOPOLOGY_REQUEST_TOPIC = "initializer.CompleteTopologyRequestEvent";

    private BrokerSetup() {
    }

    /** Starts the broker; the caller has checked {@link BrokerSettings#refusal()}. */
    static BrokerService start(BrokerSettings settings, String dataDirectory) throws Exception {
        BrokerService service = new BrokerService();
        service.setBrokerName(settings.brokerName());
        service.setPersistent(false);
        service.setUseShutdownHook(false);
        service.setSchedulerSupport(false);
        service.setAdvisorySupport(true);
        if (dataDirectory != null) {
            service.setDataDirectory(dataDirectory);
        }
        // Karaf already runs a JMX connector; register the broker's MBeans in the platform MBean server only.
        service.getManagementContext().setCreateConnector(false);
        List<BrokerPlugin> plugins = new ArrayList<>();
        if (settings.authentication()) {
            plugins.add(authentication(settings));
            plugins.add(authorization());
        }
        plugins.add(new DispatchFitPlugin(settings.maxFrameBytes()));
        service.setPlugins(plugins.toArray(new BrokerPlugin[0]));

        // ActiveMQ finds its transport factories (tcp, mqtt) through the thread context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(BrokerService.class.getClassLoader());
        try {
            String host = settings.bindAddress().contains(":") ? "[" + settings.bindAddress() + "]"
                    : settings.bindAddress();
            String limit = "?wireFormat.maxFrameSize=" + settings.maxFrameBytes();
            if (settings.openwirePort() > 0) {
                addConnector(service, "openwire", "tcp://" + host + ":" + settings.openwirePort() + limit);
            }
            if (settings.mqttPort() > 0) {
                addConnector(service, "mqtt", "mqtt://" + host + ":" + settings.mqttPort() + limit);
            }
            service.start();
            service.waitUntilStarted();
        } catch (Exception e) {
            service.stop();
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
        return service;
    }

    private static void addConnector(BrokerService service, String name, String uri) throws Exception {
        TransportConnector connector = new TransportConnector();
        connector.setName(name);
        connector.setUri(new URI(uri));
        service.addConnector(connector);
    }

    private static SimpleAuthenticationPlugin authentication(BrokerSettings settings) {
        List<AuthenticationUser> users = new ArrayList<>();
        for (BrokerSettings.User user : settings.users()) {
            users.add(new AuthenticationUser(user.name(), user.password(), user.group()));
        }
        SimpleAuthenticationPlugin plugin = new SimpleAuthenticationPlugin(users);
        plugin.setAnonymousAccessAllowed(false);
        return plugin;
    }

    private static AuthorizationPlugin authorization() throws Exception {
        String everyone = BrokerSettings.PUBLISHERS_GROUP + "," + BrokerSettings.READONLY_GROUP;
        String publishers = BrokerSettings.PUBLISHERS_GROUP;
        List<DestinationMapEntry> entries = new ArrayList<>();
        // admin: a subscription or publish to a topic that does not exist yet creates it
        entries.add(topic(">", everyone, publishers, everyone));
        entries.add(queue(">", publishers, publishers, publishers));
        entries.add(topic("ActiveMQ.Advisory.>", everyone, everyone, everyone));
        // ACLs of all matching entries add up: this one only adds write for the read-only group
        entries.add(topic(COMPLETE_TOPOLOGY_REQUEST_TOPIC, everyone, everyone, everyone));
        DefaultAuthorizationMap map = new DefaultAuthorizationMap(entries);
        TempDestinationAuthorizationEntry temp = new TempDestinationAuthorizationEntry();
        temp.setRead(publishers);
        temp.setWrite(publishers);
        temp.setAdmin(publishers);
        map.setTempDestinationAuthorizationEntry(temp);
        return new AuthorizationPlugin(map);
    }

    private static AuthorizationEntry topic(String name, String read, String write, String admin) throws Exception {
        AuthorizationEntry entry = entry(read, write, admin);
        entry.setTopic(name);
        return entry;
    }

    private static AuthorizationEntry queue(String name, String read, String write, String admin) throws Exception {
        AuthorizationEntry entry = entry(read, write, admin);
        entry.setQueue(name);
        return entry;
    }

    private static AuthorizationEntry entry(String read, String write, String admin) throws Exception {
        AuthorizationEntry entry = new AuthorizationEntry();
        entry.setRead(read);
        entry.setWrite(write);
        entry.setAdmin(admin);
        return entry;
    }
}
