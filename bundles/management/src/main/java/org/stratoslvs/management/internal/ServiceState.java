package org.stratoslvs.management.internal;

import java.util.List;

import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.management.LvsServiceMXBean;

/** One mapped service, read live by name. */
final class ServiceState implements LvsServiceMXBean {

    private final String name;
    private final Sources sources;

    ServiceState(String name, Sources sources) {
        this.name = name;
        this.sources = sources;
    }

    private RenderStatus.MappedService mapped() {
        ConfigGenerator g = sources.generator();
        if (g == null) {
            return null;
        }
        for (RenderStatus.MappedService m : g.status().mappedServices()) {
            if (m.serviceName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    @Override
    public String getServiceName() {
        return name;
    }

    @Override
    public String getVirtualIp() {
        RenderStatus.MappedService m = mapped();
        return m == null ? "" : m.virtualIp();
    }

    @Override
    public boolean isPresent() {
        RenderStatus.MappedService m = mapped();
        return m != null && m.present();
    }

    @Override
    public int getActiveMembers() {
        RenderStatus.MappedService m = mapped();
        return m == null ? 0 : m.activeMembers();
    }

    @Override
    public int getMembers() {
        TopologyService t = sources.topology();
        Service s = t == null ? null : t.current().service(name);
        return s == null ? 0 : s.memberCount();
    }

    @Override
    public List<Integer> getPorts() {
        RenderStatus.MappedService m = mapped();
        return m == null ? List.of() : List.copyOf(m.ports());
    }
}
