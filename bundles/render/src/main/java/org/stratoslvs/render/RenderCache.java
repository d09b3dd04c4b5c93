package org.stratoslvs.render;

import java.util.List;
import java.util.Map;

import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.render.RenderSettings.ServiceSettings;
import org.stratoslvs.render.RenderSettings.VirtualIp;

/**
 * What {@link KeepalivedRenderer#render(org.stratoslvs.core.topology.Topology, RenderSettings.Parsed, RenderCache)}
 * keeps from one rendering to the next, so that after a small topology change only the changed services are
 * rendered again: one member event changes one service, yet a full rendering formats every real server.
 *
 * <p>What is kept: the settings-only part of the file (global_defs and VRRP) and, per mapped service, its
 * rendered virtual servers with everything they add to the {@link RenderResult}. A service's part is reused
 * while the {@link Service}, its {@link VirtualIp} and its {@link ServiceSettings} are the very same objects as
 * when it was rendered. Identity is enough because all three are immutable, and it is cheap: snapshots share
 * unchanged services (see {@code Topology} and {@code TopologyFilter}), so comparing references is O(1) where
 * comparing contents would walk every member. Another settings instance drops everything.
 *
 * <p>Only the parts of the latest rendering are kept (a service that left the topology or the mapping is
 * dropped), so the cache never holds more than one file's worth of text.
 *
 * <p>Thread-safe: a rendering holds this object's lock. One cache is meant for one renderer of successive
 * snapshots (the {@link RenderLoop}'s thread); others sharing it would only wait and evict each other's parts.
 */
public final class RenderCache {

    /** Text, warnings, errors and counts one piece of the file adds to the result, replayed as they were. */
    record Piece(String text, List<String> warnings, List<String> errors, int virtualServers, int realServers) {
    }

    /**
     * One mapped service present in the topology, rendered from exactly these three objects.
     *
     * @param warnings its members' warnings (and the "no ports" one), which a full rendering gives before its
     *                 virtual servers' own
     * @param blocks   one per port, in the service's port order; each is kept whether or not its VIP:port is free,
     *                 because that depends on the other services and is decided on every rendering
     */
    record ServicePart(Service service, VirtualIp vip, ServiceSettings serviceSettings, List<String> warnings,
                       RenderStatus.MappedService status, List<Piece> blocks) {

        boolean renderedFrom(Service s, VirtualIp v, ServiceSettings ss) {
            return service == s && vip == v && serviceSettings == ss;
        }
    }

    // Guarded by this (held for a whole rendering).
    private RenderSettings settings;
    private Piece head;
    private Map<String, ServicePart> services = Map.of();
    private int lastRendered;
    private int lastReused;

    public RenderCache() {
    }

    /** Starts a rendering with {@code current}: everything rendered with other settings is dropped. */
    void begin(RenderSettings current) {
        if (settings != current) {
            settings = current;
            head = null;
            services = Map.of();
        }
    }

    /** global_defs and VRRP of the current settings; null until rendered once. */
    Piece head() {
        return head;
    }

    void head(Piece rendered) {
        head = rendered;
    }

    ServicePart service(String name) {
        return services.get(name);
    }

    /** Ends a rendering: {@code parts} (what it used, by service name) replace everything kept before. */
    void end(Map<String, ServicePart> parts, int rendered, int reused) {
        services = parts;
        lastRendered = rendered;
        lastReused = reused;
    }

    /** Mapped services the last rendering had to render (not found, or their inputs changed). For tests. */
    synchronized int lastRenderedServices() {
        return lastRendered;
    }

    /** Mapped services the last rendering took from this cache. For tests. */
    synchronized int lastReusedServices() {
        return lastReused;
    }

    /** Mapped services kept. For tests. */
    synchronized int size() {
        return services.size();
    }
}
