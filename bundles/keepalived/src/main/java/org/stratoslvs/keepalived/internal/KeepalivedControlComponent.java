package org.stratoslvs.keepalived.internal;

import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.Pids;
import org.stratoslvs.keepalived.ApplyPipeline;
import org.stratoslvs.keepalived.KeepalivedSettings;

/**
 * The OSGi face of {@link ApplyPipeline}: settings from the {@code org.stratoslvs} PID, {@code ${karaf.data}}
 * resolved from the framework. A configuration change restarts a managed keepalived only when how it runs changed.
 */
@Component(configurationPid = Pids.MAIN, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = KeepalivedControl.class)
public class KeepalivedControlComponent implements KeepalivedControl {

    private Map<String, String> variables = Map.of();
    private volatile ApplyPipeline pipeline;

    @Activate
    void activate(BundleContext context, Map<String, Object> props) {
        Map<String, String> vars = new HashMap<>();
        String karafData = context.getProperty("karaf.data");
        if (karafData == null) {
            karafData = System.getProperty("karaf.data");
        }
        if (karafData != null) {
            vars.put("karaf.data", karafData);
        }
        variables = Map.copyOf(vars);
        pipeline = new ApplyPipeline(KeepalivedSettings.parse(props, variables));
    }

    @Modified
    void modified(Map<String, Object> props) {
        pipeline.reconfigure(KeepalivedSettings.parse(props, variables));
    }

    @Deactivate
    void deactivate() {
        pipeline.close();
    }

    @Override
    public void submit(String configText, String cause) {
        pipeline.submit(configText, cause);
    }

    @Override
    public ControlStatus status() {
        return pipeline.status();
    }

    @Override
    public String appliedConfig() {
        return pipeline.appliedConfig();
    }

    @Override
    public String validate(String configText) {
        return pipeline.validate(configText);
    }

    @Override
    public void reload(String cause) {
        pipeline.reload(cause);
    }
}
