package org.stratoslvs.render.internal;

import java.util.Map;

/** One per-service factory configuration ({@code etc/org.stratoslvs.service-<name>.cfg}), as a service. */
public interface ServiceOverride {

    Map<String, Object> properties();
}
