package org.stratoslvs.broker;

import java.util.Map;
import java.util.Optional;

import org.apache.activemq.broker.BrokerService;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 *
 * <p>Two PIDs: its own, and {@code org.stratoslvs} for {@code topology.max.message.bytes}, so that the frame limit
 * of every connector follows the listener's message limit without a second key to keep in step (either PID may be
 * missing: defaults apply). Declared in that order, {@code org.stratoslvs} wins should a key be in both; only that
 * one key of it is read. A change of {@code org.stratoslvs} that leaves the broker's settings as they were (the
 * mapping, keepalived settings) does not restart the broker.
 *
 * <p>Its metatype (the web console's form) is written by hand in OSGI-INF/metatype: the metatype annotations can
 * designate only a component with one PID.
 */
@Component(configurationPid = {EmbeddedBroker.PID, EmbeddedBroker.LISTENER_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
public class EmbeddedBroker {

    static final String PID = "org.stratoslvs.broker";
    static final String LISTENER_PID = "org.stratoslvs";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private BrokerService broker;
    private BrokerSettings settings;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        String data = context == null ? null : context.getProperty("karaf.data");
        start(BrokerSettings.parse(properties), data == null ? null : data + "/activemq");
    }

    @Modified
    void modified(BundleContext context, Map<String, Object> properties) throws Exception {
        BrokerSettings next = BrokerSettings.parse(properties);
        if (next.equals(settings)) {
            return; // a change of org.stratoslvs that is not ours: the broker and its clients stay as they are
        }
        LOG.info("Embedded ActiveMQ broker settings changed: restarting it");
        stop();
        activate(context, properties);
    }

    @Deactivate
    void deactivate() throws Exception {
        stop();
    }

    /** The running broker, or null when none runs (refused settings). */
    BrokerService broker() {
        return broker;
    }

    private void start(BrokerSettings parsed, String dataDirectory) throws Exception {
        settings = parsed;
        for (String error : parsed.errors()) {
            LOG.error("Configuration error: {}", error);
        }
        Optional<String> refusal = parsed.refusal();
        if (refusal.isPresent()) {
            LOG.error("Embedded ActiveMQ broker not started: {}", refusal.get());
            return;
        }
        broker = BrokerSetup.start(parsed, dataDirectory);
        LOG.info("Embedded ActiveMQ broker {} started: OpenWire {}:{}, MQTT {}:{}, frames up to {} bytes, {}",
                parsed.brokerName(), parsed.bindAddress(), parsed.openwirePort(), parsed.bindAddress(),
                parsed.mqttPort(), parsed.maxFrameBytes(), parsed.authentication()
                        ? "authentication on (users " + parsed.users() + ")" : "no authentication (loopback only)");
    }

    private void stop() throws Exception {
        BrokerService service = broker;
        broker = null;
        if (service != null) {
            service.stop();
            service.waitUntilStopped();
            LOG.info("Embedded ActiveMQ broker stopped");
        }
    }
}
