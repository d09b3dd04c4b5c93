package org.stratoslvs.render;

import java.time.Instant;
import java.util.List;

import org.stratoslvs.api.RenderStatus;

/**
 * The outcome of one rendering.
 *
 * @param text           keepalived.conf, always a file keepalived accepts (problems leave parts out, never
 *                       produce an invalid line)
 * @param warnings       things the operator should know (absent services, skipped members, DR port notes)
 * @param errors         configuration problems: settings errors (when rendered from {@link RenderSettings.Parsed})
 *                       then rendering errors (VIP+port conflicts, virtual_router_id overflow); each a sentence
 * @param services       each mapped service in name order
 * @param virtualServers number of virtual_server blocks rendered
 * @param realServers    number of real_server blocks rendered
 */
public record RenderResult(String text, List<String> warnings, List<String> errors,
                           List<RenderStatus.MappedService> services, int virtualServers, int realServers) {

    public RenderResult {
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
        services = List.copyOf(services);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** The status for {@link org.stratoslvs.api.ConfigGenerator#status()}; errors become the setting errors. */
    public RenderStatus toStatus(Instant renderedAt) {
        return new RenderStatus(services, errors, warnings, renderedAt);
    }
}
