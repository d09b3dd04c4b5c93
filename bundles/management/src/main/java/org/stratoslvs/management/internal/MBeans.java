package org.stratoslvs.management.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.management.LvsServiceMXBean;
import org.stratoslvs.management.LvsStatusMXBean;

/**
 * Our MBeans in one MBeanServer: the status MBean, and one service MBean per mapped service, kept in line with
 * the mapping by {@link #syncServices(RenderStatus)}.
 */
final class MBeans {

    private static final Logger LOG = LoggerFactory.getLogger(MBeans.class);
    static final String DOMAIN = "org.stratoslvs";

    private final MBeanServer server;
    private final Sources sources;
    private final Set<String> services = new HashSet<>();

    MBeans(MBeanServer server, Sources sources) {
        this.server = server;
        this.sources = sources;
    }

    static ObjectName statusName() {
        return name(LvsStatusMXBean.OBJECT_NAME);
    }

    static ObjectName serviceName(String service) {
        return name(DOMAIN + ":type=" + LvsServiceMXBean.TYPE + ",name=" + ObjectName.quote(service));
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    synchronized void registerStatus() throws JMException {
        register(statusName(), new StandardMBean(new LvsStatus(sources), LvsStatusMXBean.class, true));
        syncServices();
    }

    /** Matches the service MBeans to the generator's current mapping, if the generator is there. */
    synchronized void syncServices() {
        ConfigGenerator g = sources.generator();
        if (g != null) {
            // else: during a redeploy of the rendering bundle keep what we have; it reports again when back
            syncServices(g.status());
        }
    }

    /** Registers MBeans for newly mapped services and removes those of services no longer mapped. */
    synchronized void syncServices(RenderStatus status) {
        Set<String> mapped = new TreeSet<>();
        for (RenderStatus.MappedService m : status.mappedServices()) {
            mapped.add(m.serviceName());
        }
        if (mapped.equals(services)) {
            return; // the usual case: a topology event, the mapping unchanged
        }
        for (String gone : new TreeSet<>(services)) {
            if (!mapped.contains(gone)) {
                unregister(serviceName(gone));
                services.remove(gone);
            }
        }
        for (String added : mapped) {
            if (!services.contains(added)) {
                try {
                    register(serviceName(added),
                            new StandardMBean(new ServiceState(added, sources), LvsServiceMXBean.class, true));
                    services.add(added);
                } catch (JMException e) {
                    LOG.warn("Could not register the MBean of service {}: {}", added, e.toString());
                }
            }
        }
    }

    synchronized void unregisterAll() {
        for (String s : services) {
            unregister(serviceName(s));
        }
        services.clear();
        unregister(statusName());
    }

    private void register(ObjectName name, Object mbean) throws JMException {
        try {
            server.registerMBean(mbean, name);
        } catch (InstanceAlreadyExistsException e) {
            // left behind by an earlier instance of this bundle that could not clean up: ours now
            unregister(name);
            server.registerMBean(mbean, name);
        }
    }

    private void unregister(ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (JMException e) {
            LOG.warn("Could not unregister {}: {}", name, e.toString());
        }
    }
}
