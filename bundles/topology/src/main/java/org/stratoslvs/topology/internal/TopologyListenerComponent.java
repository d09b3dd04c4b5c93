package org.stratoslvs.topology.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.Pids;
import org.stratoslvs.api.TopologyListener;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Outcome;
import org.stratoslvs.core.topology.RejectReason;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyEvents;
import org.stratoslvs.core.topology.TopologyFilter;
import org.stratoslvs.core.topology.TopologyStore;
import org.stratoslvs.topology.TopologyFeed;

/**
 * The topology listener: a Camel JMS route on {@code topology.>} feeding a {@link TopologyStore}; every change
 * is filtered and handed to the registered {@link TopologyListener}s (the renderer).
 *
 * <p>A listener that registers late (the render bundle redeployed) gets the current snapshot at once, so a
 * redeploy converges without waiting for the next event.
 */
@Component(configurationPid = Pids.MAIN, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = TopologyService.class, immediate = true)
public class TopologyListenerComponent implements TopologyService {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyListenerComponent.class);

    /** A reject reason is logged at most once per this interval; the counters keep the full story. */
    private static final Duration REJECT_LOG_INTERVAL = Duration.ofMinutes(1);

    private final TopologyStore store = new TopologyStore();
    private final CopyOnWriteArrayList<TopologyListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<RejectReason, Instant> lastLogged = new ConcurrentHashMap<>();
    private final Object publishLock = new Object();

    private volatile TopologyFilter filter = TopologyFilter.NONE;
    private volatile Topology published = Topology.EMPTY;
    private volatile TopologyFeed feed;
    /** The broker the current route connects to (what status() reports); null before the first start. */
    private volatile String brokerUrl;
    private ListenerSettings settings;
    private ClassLoader bundleClassLoader;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTopologyListener(TopologyListener listener) {
        synchronized (publishLock) {
            listeners.add(listener);
            Topology current = published;
            if (current.initialized()) {
                notifyOne(listener, current, "listener registered");
            }
        }
    }

    void unbindTopologyListener(TopologyListener listener) {
        listeners.remove(listener);
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        bundleClassLoader = getClass().getClassLoader();
        settings = parse(properties);
        store.setMaxMessageBytes(settings.maxMessageBytes());
        store.setMaxMembers(settings.maxMembers());
        filter = settings.filter();
        startFeed();
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) throws Exception {
        ListenerSettings previous = settings;
        settings = parse(properties);
        store.setMaxMessageBytes(settings.maxMessageBytes());
        store.setMaxMembers(settings.maxMembers());
        if (!settings.filter().equals(previous.filter())) {
            filter = settings.filter();
            LOG.info("Topology filters changed: {}", filter);
            synchronized (publishLock) {
                // Read inside the lock: the stored (unfiltered) model as of now, never older than a view the
                // route thread has already published.
                publish(store.current(), "topology filters changed");
            }
        }
        if (!settings.broker().equals(previous.broker())) {
            LOG.info("Broker settings changed: reconnecting to {}", settings.broker().url());
            stopFeed();
            startFeed();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        stopFeed();
    }

    private ListenerSettings parse(Map<String, Object> properties) {
        ListenerSettings parsed = ListenerSettings.parse(properties);
        for (String error : parsed.errors()) {
            LOG.error("Configuration error: {}", error);
        }
        return parsed;
    }

    private synchronized void startFeed() throws Exception {
        TopologyFeed newFeed = new TopologyFeed("stratos-lvs-topology", settings.broker(),
                new TopologyFeed.MessageSink() {
                    @Override
                    public void onMessage(String topic, byte[] body) {
                        TopologyListenerComponent.this.onMessage(topic, body);
                    }

                    @Override
                    public boolean refusedUnread(String topic, String why) {
                        // counted and logged like every other reject (lvs:status, lvs:rejected, JMX)
                        logReject(topic, store.refuseUnread(topic, why));
                        return true;
                    }
                });
        brokerUrl = settings.broker().url();
        newFeed.start(bundleClassLoader);
        feed = newFeed;
    }

    private synchronized void stopFeed() {
        TopologyFeed old = feed;
        feed = null;
        if (old != null) {
            old.close();
        }
    }

    /** Called on the route's single consumer thread, in message order. */
    private void onMessage(String topic, byte[] body) {
        Outcome outcome = store.accept(topic, body);
        switch (outcome.kind()) {
            case CHANGED -> {
                if (!outcome.dropped().isEmpty()) {
                    LOG.warn("{}: left out {}", outcome.cause(), outcome.dropped());
                }
                if (topic.endsWith(TopologyEvents.COMPLETE_TOPOLOGY)) {
                    // Rare (start-up, reconnect, resync) and where missed events show up: the cause counts the
                    // drift repaired.
                    LOG.info("Applied {}", outcome.cause());
                }
                publish(outcome.topology(), outcome.cause());
            }
            case REJECTED -> logReject(topic, outcome);
            case UNCHANGED, IGNORED -> LOG.debug("{}", outcome);
        }
    }

    private void logReject(String topic, Outcome outcome) {
        Instant now = Instant.now();
        Instant last = lastLogged.get(outcome.reason());
        if (last == null || last.plus(REJECT_LOG_INTERVAL).isBefore(now)) {
            lastLogged.put(outcome.reason(), now);
            LOG.warn("Rejected a message on {}: {} ({}); the topology is unchanged. Further rejects for this reason "
                    + "are only counted for a minute (lvs:status, lvs:rejected).", topic, outcome.reason(),
                    outcome.detail());
        }
    }

    /**
     * Serialized: the route thread and a configuration change (new filters) both publish, and a listener must
     * never receive an older view after a newer one.
     */
    private void publish(Topology full, String cause) {
        synchronized (publishLock) {
            Topology view = filter.filter(full);
            published = view;
            for (TopologyListener listener : listeners) {
                notifyOne(listener, view, cause);
            }
        }
    }

    private static void notifyOne(TopologyListener listener, Topology topology, String cause) {
        try {
            listener.topologyChanged(topology, cause);
        } catch (RuntimeException e) {
            // One broken listener must not stop the route or the other listeners.
            LOG.error("Topology listener {} failed on '{}'", listener, cause, e);
        }
    }

    @Override
    public Topology current() {
        return published;
    }

    @Override
    public ListenerStatus status() {
        TopologyFeed f = feed;
        return store.status(brokerUrl, f != null && f.isConnected());
    }

    @Override
    public void requestCompleteTopology(String reason) {
        TopologyFeed f = feed;
        if (f != null) {
            f.requestCompleteTopology(reason);
        }
    }
}
