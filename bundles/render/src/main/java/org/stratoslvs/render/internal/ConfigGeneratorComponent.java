package org.stratoslvs.render.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
import org.stratoslvs.api.TopologyListener;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;

/**
 * Re-renders keepalived.conf whenever the topology, the settings or a per-service override changes, and hands
 * the text to keepalived control (which validates, writes and reloads, coalescing bursts).
 *
 * <p>Nothing is submitted before the first complete topology: after a restart an empty topology would
 * otherwise replace a good running config with one that balances nothing.
 */
@Component(configurationPid = RenderSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {ConfigGenerator.class, TopologyListener.class}, immediate = true)
public class ConfigGeneratorComponent implements ConfigGenerator, TopologyListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigGeneratorComponent.class);

    private final Object lock = new Object();
    private final Map<Object, ServiceOverride> overrides = new ConcurrentHashMap<>();

    private volatile KeepalivedControl control;

    // Guarded by lock.
    private Map<String, ?> config = Map.of();
    private Topology topology = Topology.EMPTY;
    private Set<String> reported = Set.of();
    private boolean active;

    private volatile RenderStatus status = new RenderStatus(List.of(), List.of(), List.of(), null);

    /**
     * A keepalived control that (re)appears (its bundle redeployed) gets the current rendering at once: while it
     * was away submissions were dropped, and the topology may not change again for a long time.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindKeepalivedControl(KeepalivedControl newControl) {
        control = newControl;
        render("keepalived control available");
    }

    void unbindKeepalivedControl(KeepalivedControl oldControl) {
        synchronized (lock) {
            if (control == oldControl) {
                control = null;
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindServiceOverride(ServiceOverride override) {
        overrides.put(override, override);
        render("per-service configuration added");
    }

    void unbindServiceOverride(ServiceOverride override) {
        overrides.remove(override);
        render("per-service configuration removed");
    }

    @Activate
    void activate(Map<String, Object> properties) {
        synchronized (lock) {
            config = Map.copyOf(properties);
            active = true;
        }
        render("configuration loaded");
    }

    @Modified
    void modified(Map<String, Object> properties) {
        synchronized (lock) {
            config = Map.copyOf(properties);
        }
        render("configuration changed");
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            active = false;
        }
    }

    @Override
    public void topologyChanged(Topology newTopology, String cause) {
        synchronized (lock) {
            topology = newTopology;
        }
        render(cause);
    }

    @Override
    public RenderStatus status() {
        return status;
    }

    @Override
    public String preview() {
        synchronized (lock) {
            return renderLocked().text();
        }
    }

    @Override
    public void rerender(String cause) {
        render(cause);
    }

    /**
     * Renders and submits under one lock, so that submissions reach control in the order of the changes that
     * caused them (control keeps the latest).
     */
    private void render(String cause) {
        synchronized (lock) {
            if (!active) {
                return;
            }
            RenderResult result = renderLocked();
            reportNewProblems(result);
            status = result.toStatus(Instant.now());
            KeepalivedControl target = control;
            if (!topology.initialized()) {
                LOG.debug("Not submitting ({}): no complete topology received yet", cause);
            } else if (target == null) {
                LOG.debug("Not submitting ({}): keepalived control is not available", cause);
            } else {
                target.submit(result.text(), cause);
            }
        }
    }

    private RenderResult renderLocked() {
        List<Map<String, ?>> serviceConfigs = new ArrayList<>();
        for (ServiceOverride o : overrides.values()) {
            serviceConfigs.add(o.properties());
        }
        RenderSettings.Parsed parsed = RenderSettings.parse(config, serviceConfigs);
        return KeepalivedRenderer.render(topology, parsed);
    }

    /** Logs each error and warning once, when it first appears (not on every event that re-renders). */
    private void reportNewProblems(RenderResult result) {
        Set<String> now = new HashSet<>();
        for (String error : result.errors()) {
            now.add("E" + error);
            if (!reported.contains("E" + error)) {
                LOG.error("Configuration error: {}", error);
            }
        }
        for (String warning : result.warnings()) {
            now.add("W" + warning);
            if (!reported.contains("W" + warning)) {
                LOG.warn("{}", warning);
            }
        }
        reported = now;
    }
}
