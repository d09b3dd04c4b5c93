package org.stratoslvs.api;

import java.time.Instant;
import java.util.List;

/**
 * What the config generator last rendered.
 *
 * @param mappedServices each mapped service with its VIP and whether it is in the topology
 * @param settingErrors  configuration problems (bad mapping entries, bad values), each a full sentence
 * @param warnings       rendering warnings (absent services, rejected members, port conflicts)
 * @param lastRenderAt   when, or null
 */
public record RenderStatus(List<MappedService> mappedServices, List<String> settingErrors, List<String> warnings,
                           Instant lastRenderAt) {

    /** A mapped service: name, virtual IP, present in topology, Active members, proxy ports. */
    public record MappedService(String serviceName, String virtualIp, boolean present, int activeMembers,
                                List<Integer> ports) {
    }
}
