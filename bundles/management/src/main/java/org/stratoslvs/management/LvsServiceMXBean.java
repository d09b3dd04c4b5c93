package org.stratoslvs.management;

import java.util.List;

/**
 * {@code org.stratoslvs:type=Service,name=<service>}: one per mapped service, registered and unregistered as the
 * mapping {@code lvs.service.virtualip.set} changes.
 */
public interface LvsServiceMXBean {

    String TYPE = "Service";

    String getServiceName();

    String getVirtualIp();

    /** False when the service is mapped but not in the topology (or the rendering bundle is away). */
    boolean isPresent();

    int getActiveMembers();

    /** Members in the topology, whatever their state. */
    int getMembers();

    List<Integer> getPorts();
}
