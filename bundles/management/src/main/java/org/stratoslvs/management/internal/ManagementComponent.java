package org.stratoslvs.management.internal;

import java.lang.management.ManagementFactory;

import javax.management.JMException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.RenderStatusListener;
import org.stratoslvs.api.TopologyService;

/**
 * Registers the {@code org.stratoslvs} MBeans in the platform MBeanServer, the one Karaf's JMX connector serves
 * (with Karaf's JAAS login and the {@code jmx.acl*} role checks). Registered directly rather than through the Aries
 * JMX whiteboard of Karaf's {@code management} feature, so the MBeans exist in any Karaf, with or without it.
 *
 * <p>The three services are optional and dynamic: the MBeans stay registered while one of our bundles is
 * redeployed, and read whatever service is there at each access. The per-service MBeans follow the mapping as the
 * config generator reports it after each render ({@link RenderStatusListener}).
 */
@Component(immediate = true, service = RenderStatusListener.class)
public class ManagementComponent implements Sources, RenderStatusListener {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TopologyService topology;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigGenerator generator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeepalivedControl control;

    private volatile MBeans mbeans;

    @Activate
    void activate() throws JMException {
        MBeans m = new MBeans(ManagementFactory.getPlatformMBeanServer(), this);
        m.registerStatus();
        mbeans = m;
    }

    @Deactivate
    void deactivate() {
        MBeans m = mbeans;
        mbeans = null;
        m.unregisterAll();
    }

    @Override
    public void renderStatusChanged(RenderStatus status) {
        MBeans m = mbeans;
        if (m != null) {
            m.syncServices(status);
        }
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
