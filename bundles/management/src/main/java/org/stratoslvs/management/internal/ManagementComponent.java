package org.stratoslvs.management.internal;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/**
 * Registers the {@code org.stratoslvs} MBeans in the platform MBeanServer, the one Karaf's JMX connector serves
 * (with Karaf's JAAS login and the {@code jmx.acl*} role checks). Registered directly rather than through the Aries
 * JMX whiteboard of Karaf's {@code management} feature, so the MBeans exist in any Karaf, with or without it.
 *
 * <p>The three services are optional and dynamic: the MBeans stay registered while one of our bundles is
 * redeployed, and read whatever service is there at each access.
 */
@Component(immediate = true, service = {})
public class ManagementComponent implements Sources {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementComponent.class);

    /** How often the per-service MBeans are matched to the mapping (which lives in Config Admin). */
    private static final long SERVICE_SYNC_SECONDS = 2;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TopologyService topology;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigGenerator generator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeepalivedControl control;

    private MBeans mbeans;
    private ScheduledExecutorService sync;

    @Activate
    void activate() throws JMException {
        mbeans = new MBeans(ManagementFactory.getPlatformMBeanServer(), this);
        mbeans.registerStatus();
        sync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stratos-lvs-jmx-sync");
            t.setDaemon(true);
            return t;
        });
        sync.scheduleWithFixedDelay(() -> {
            try {
                mbeans.syncServices();
            } catch (RuntimeException e) {
                // a failing round must not end the periodic sync
                LOG.warn("Could not update the per-service MBeans", e);
            }
        }, SERVICE_SYNC_SECONDS, SERVICE_SYNC_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        sync.shutdownNow();
        mbeans.unregisterAll();
    }

    @Override
    public TopologyService topology() {
        return topology;
    }

    @Override
    public ConfigGenerator generator() {
        return generator;
    }

    @Override
    public KeepalivedControl control() {
        return control;
    }
}
