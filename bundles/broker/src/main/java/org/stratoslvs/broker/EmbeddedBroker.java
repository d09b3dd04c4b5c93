package org.stratoslvs.broker;

import java.net.URI;

import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded, non-persistent ActiveMQ broker with an OpenWire and an MQTT connector, so that the assembly runs
 * on a fresh machine with nothing else installed. Stratos' Java components speak OpenWire, its Python cartridge
 * agent speaks MQTT; ActiveMQ maps MQTT {@code topology/#} onto the JMS topics {@code topology.>}.
 *
 * <p>Why our own component: ActiveMQ's ready-made broker features read an {@code activemq.xml} whose Spring
 * schema is fetched from the web at start-up, so they never start offline.
 *
 * <p>Non-persistent on purpose: topology events are state notifications that the Cloud Controller re-publishes
 * (a complete topology every minute); replaying stale ones after a restart would do harm, not good.
 */
@Component(configurationPid = EmbeddedBroker.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = EmbeddedBroker.Config.class)
public class EmbeddedBroker {

    static final String PID = "org.stratoslvs.broker";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    @ObjectClassDefinition(id = PID, name = "Stratos LVS embedded ActiveMQ broker",
            description = "The broker that the assembly runs by default. Point Stratos' Cloud Controller "
                    + "(OpenWire) and cartridge agents (MQTT) at it, or disable it and set broker.url in "
                    + "org.stratoslvs to an external broker.")
    public @interface Config {

        @AttributeDefinition(name = "Bind address",
                description = "Address the connectors listen on. 127.0.0.1 keeps the broker local; use the "
                        + "director's private address to let a Stratos installation connect.")
        String bind_address() default "127.0.0.1";

        @AttributeDefinition(name = "OpenWire port", description = "JMS (OpenWire) port, 0 to disable.", min = "0",
                max = "65535")
        int openwire_port() default 61616;

        @AttributeDefinition(name = "MQTT port", description = "MQTT port (Python cartridge agents), 0 to disable.",
                min = "0", max = "65535")
        int mqtt_port() default 1883;

        @AttributeDefinition(name = "Broker name", description = "Name shown in JMX (org.apache.activemq).")
        String broker_name() default "stratos-lvs";
    }

    private BrokerService broker;

    @Activate
    void activate(BundleContext context, Config config) throws Exception {
        String bind = config.bind_address();
        if (!bind.matches("[0-9A-Fa-f:.]+|localhost")) {
            throw new IllegalArgumentException("bind.address must be an IP literal, got: " + bind);
        }
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        BrokerService service = new BrokerService();
        service.setBrokerName(config.broker_name().replaceAll("[^A-Za-z0-9_.-]", "_"));
        service.setPersistent(false);
        service.setUseShutdownHook(false);
        service.setSchedulerSupport(false);
        service.setAdvisorySupport(true);
        String data = context.getProperty("karaf.data");
        if (data != null) {
            service.setDataDirectory(data + "/activemq");
        }
        // Karaf already runs a JMX connector; register the broker's MBeans in the platform MBean server only.
        service.getManagementContext().setCreateConnector(false);

        // ActiveMQ finds its transport factories (tcp, mqtt) through the thread context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(BrokerService.class.getClassLoader());
        try {
            if (config.openwire_port() > 0) {
                addConnector(service, "openwire", "tcp://" + host + ":" + config.openwire_port());
            }
            if (config.mqtt_port() > 0) {
                addConnector(service, "mqtt", "mqtt://" + host + ":" + config.mqtt_port());
            }
            service.start();
            service.waitUntilStarted();
        } finally {
            thread.setContextClassLoader(previous);
        }
        broker = service;
        LOG.info("Embedded ActiveMQ broker {} started: OpenWire {}:{}, MQTT {}:{}", service.getBrokerName(), bind,
                config.openwire_port(), bind, config.mqtt_port());
    }

    private static void addConnector(BrokerService service, String name, String uri) throws Exception {
        TransportConnector connector = new TransportConnector();
        connector.setName(name);
        connector.setUri(new URI(uri));
        service.addConnector(connector);
    }

    @Deactivate
    void deactivate() throws Exception {
        BrokerService service = broker;
        broker = null;
        if (service != null) {
            service.stop();
            service.waitUntilStopped();
            LOG.info("Embedded ActiveMQ broker stopped");
        }
    }
}
