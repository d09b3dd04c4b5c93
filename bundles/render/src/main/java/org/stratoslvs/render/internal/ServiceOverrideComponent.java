package org.stratoslvs.render.internal;

import java.util.Collections;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.stratoslvs.render.RenderSettings;

/**
 * Turns each factory configuration {@code org.stratoslvs.service-<name>} into a {@link ServiceOverride}
 * service; the generator tracks them dynamically, so adding, editing or deleting such a file re-renders.
 * A changed configuration re-creates this component (no @Modified), which the generator sees as unbind + bind.
 */
@Component(configurationPid = RenderSettings.SERVICE_FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = ServiceOverride.class)
public class ServiceOverrideComponent implements ServiceOverride {

    private Map<String, Object> properties = Collections.emptyMap();

    @Activate
    void activate(Map<String, Object> config) {
        properties = Map.copyOf(config);
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }
}
