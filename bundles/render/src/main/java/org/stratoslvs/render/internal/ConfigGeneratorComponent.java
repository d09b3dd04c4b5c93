package org.stratoslvs.render.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;

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
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.RenderStatusListener;
import org.stratoslvs.api.TopologyListener;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.render.RenderLoop;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;

/**
 * Re-renders keepalived.conf whenever the topology, the settings or a per-service override changes, and hands
 * the text to keepalived control (which validates, writes and reloads, coalescing bursts). Rendering runs on the
 * {@link RenderLoop}'s thread, so the JMS route never waits for it.
 *
 * <p>Nothing is submitted before the first complete topology: after a restart an empty topology would
 * otherwise replace a good running config with one that balances nothing.
 */
@Component(configurationPid = RenderSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {ConfigGenerator.class, TopologyListener.class}, immediate = true)
public class ConfigGeneratorComponent implements ConfigGenerator, TopologyListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigGeneratorComponent.class);

    private final Map<ServiceOverride, Boolean> overrides = new ConcurrentHashMap<>();

    private final AtomicReference<KeepalivedControl> control = new AtomicReference<>();

    private final Set<RenderStatusListener> statusListeners = new CopyOnWriteArraySet<>();
    /** Listeners whose failure was logged (only touched under the statusListeners lock). */
    private final Set<RenderStatusListener> failedListeners = new HashSet<>();

    private volatile Map<String, ?> config = Map.of();
    private volatile RenderLoop loop;
    private volatile RenderStatus status = new RenderStatus(List.of(), List.of(), List.of(), null);
    /** Problems already logged, so each is logged once when it appears (only touched by the render thread). */
    private final NewProblems problems = new NewProblems();

    /**
     * A keepalived control that (re)appears (its bundle redeployed) gets the current rendering at once: while it
     * was away submissions were dropped, and the topology may not change again for a long time.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindKeepalivedControl(KeepalivedControl newControl) {
        control.set(newControl);
        settingsChanged("keepalived control available");
    }

    void unbindKeepalivedControl(KeepalivedControl oldControl) {
        control.compareAndSet(oldControl, null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindServiceOverride(ServiceOverride override) {
        overrides.put(override, Boolean.TRUE);
        settingsChanged("per-service configuration added");
    }

    void unbindServiceOverride(ServiceOverride override) {
        overrides.remove(override);
        settingsChanged("per-service configuration removed");
    }

    /** A listener that registers gets the current status at once (if anything was rendered yet). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRenderStatusListener(RenderStatusListener listener) {
        statusListeners.add(listener);
        notifyListeners(List.of(listener));
    }

    void unbindRenderStatusListener(RenderStatusListener listener) {
        statusListeners.remove(listener);
        synchronized (statusListeners) {
            failedListeners.remove(listener);
        }
    }

    @Activate
    void activate(Map<String, Object> properties) {
        config = Map.copyOf(properties);
        RenderSettings.Parsed settings = parseSettings();
        loop = new RenderLoop(settings, this::rendered);
        loop.settingsChanged(settings, "configuration loaded");
    }

    @Modified
    void modified(Map<String, Object> properties) {
        config = Map.copyOf(properties);
        settingsChanged("configuration changed");
    }

    @Deactivate
    void deactivate() {
        RenderLoop l = loop;
        loop = null;
        if (l != null) {
            l.close();
        }
    }

    @Override
    public void topologyChanged(Topology topology, String cause) {
        RenderLoop l = loop;
        if (l != null) {
            l.topologyChanged(topology, cause);
        }
    }

    @Override
    public RenderStatus status() {
        return status;
    }

    @Override
    public String preview() {
        RenderLoop l = loop;
        return l == null ? "" : l.renderNow().text();
    }

    @Override
    public void rerender(String cause) {
        settingsChanged(cause);
    }

    private void settingsChanged(String cause) {
        RenderLoop l = loop;
        if (l != null) {
            l.settingsChanged(parseSettings(), cause);
        }
    }

    private RenderSettings.Parsed parseSettings() {
        List<Map<String, ?>> serviceConfigs = new ArrayList<>();
        for (ServiceOverride o : overrides.keySet()) {
            serviceConfigs.add(o.properties());
        }
        return RenderSettings.parse(config, serviceConfigs);
    }

    /** On the render thread, in order. */
    private void rendered(RenderResult result, Topology topology, String cause) {
        reportNewProblems(result);
        status = result.toStatus(Instant.now());
        KeepalivedControl target = control.get();
        if (!topology.initialized()) {
            LOG.debug("Not submitting ({}): no complete topology received yet", cause);
        } else if (target == null) {
            LOG.debug("Not submitting ({}): keepalived control is not available", cause);
        } else {
            target.submit(result.text(), cause);
        }
        // after the submission: the listeners are views, the apply does not wait for them
        notifyListeners(statusListeners);
    }

    /**
     * Under one lock, and always with the latest status read inside it: a listener that registers while a render
     * ends (two threads) never gets an older status after a newer one.
     */
    private void notifyListeners(Iterable<RenderStatusListener> listeners) {
        synchronized (statusListeners) {
            RenderStatus now = status;
            if (now.lastRenderAt() == null) {
                return; // nothing rendered yet
            }
            for (RenderStatusListener listener : listeners) {
                try {
                    listener.renderStatusChanged(now);
                } catch (RuntimeException e) {
                    // someone else's bug must not stop rendering or the submission to keepalived control; logged
                    // in full once per listener, not on every render
                    if (failedListeners.add(listener)) {
                        LOG.warn("Render status listener {} failed (logged once): {}", listener, e.toString(), e);
                    } else {
                        LOG.debug("Render status listener {} failed again: {}", listener, e.toString());
                    }
                }
            }
        }
    }

    /** Logs each new error and warning once, bounded per render ({@link NewProblems}). */
    private void reportNewProblems(RenderResult result) {
        NewProblems.Lines lines = problems.next(result.errors(), result.warnings());
        for (String error : lines.errors()) {
            LOG.error("Configuration error: {}", error);
        }
        for (String warning : lines.warnings()) {
            LOG.warn("{}", warning);
        }
        if (lines.more() != null) {
            LOG.warn("{}", lines.more());
        }
    }
}
