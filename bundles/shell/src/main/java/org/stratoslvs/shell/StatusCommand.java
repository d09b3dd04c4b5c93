package org.stratoslvs.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Topology;

/** {@code lvs:status}: broker, topology, mapped services, keepalived and the last applies, on one screen. */
@Service
@Command(scope = "lvs", name = "status", description = "Shows broker connection, topology, mapped services and keepalived state")
public class StatusCommand implements Action {

    @Reference(optional = true)
    TopologyService topology;

    @Reference(optional = true)
    ConfigGenerator generator;

    @Reference(optional = true)
    KeepalivedControl control;

    @Override
    public Object execute() {
        PrintStream out = System.out;
        printTopology(out);
        printRender(out);
        printControl(out);
        return null;
    }

    private void printTopology(PrintStream out) {
        out.println("Topology listener");
        if (topology == null) {
            out.println("  not running (bundle stratos-lvs-topology)");
            return;
        }
        ListenerStatus s = topology.status();
        Topology t = topology.current();
        out.printf("  broker           %s (%s)%n", s.brokerUrl(), s.connected() ? "connected" : "NOT connected");
        out.printf("  topology         %s, %d services, %d clusters, %d members (%d Active)%n",
                t.initialized() ? "initialized" : "waiting for a complete topology", t.services().size(),
                t.clusterCount(), t.memberCount(), t.activeMemberCount());
        out.printf("  events           %d applied, %d ignored, %d rejected, %d complete topologies, %d drift repairs%n",
                s.eventsApplied(), s.eventsIgnored(), s.rejectsTotal(), s.completeTopologies(), s.driftRepairs());
        out.printf("  last event       %s%n", s.lastEventAt() == null ? "-" : s.lastEventAt());
        for (Map.Entry<String, Long> e : s.rejectsByReason().entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            out.printf("  rejected         %-24s %d%n", e.getKey(), e.getValue());
        }
    }

    private void printRender(PrintStream out) {
        out.println("Configuration");
        if (generator == null) {
            out.println("  not running (bundle stratos-lvs-render)");
            return;
        }
        RenderStatus s = generator.status();
        for (String error : s.settingErrors()) {
            out.println("  ERROR            " + error);
        }
        if (s.mappedServices().isEmpty()) {
            out.println("  mapped services  none (set lvs.service.virtualip.set in etc/org.stratoslvs.cfg)");
        }
        for (RenderStatus.MappedService m : s.mappedServices()) {
            out.printf("  service          %-20s VIP %-16s %s%n", m.serviceName(), m.virtualIp(),
                    m.present() ? "present, " + m.activeMembers() + " Active members, ports " + m.ports()
                            : "ABSENT from the topology");
        }
        for (String warning : s.warnings()) {
            out.println("  warning          " + warning);
        }
        out.printf("  last render      %s%n", s.lastRenderAt() == null ? "-" : s.lastRenderAt());
    }

    private void printControl(PrintStream out) {
        out.println("keepalived");
        if (control == null) {
            out.println("  not running (bundle stratos-lvs-keepalived)");
            return;
        }
        ControlStatus s = control.status();
        out.printf("  mode             %s%n", s.mode());
        out.printf("  state            %s%n", s.keepalived());
        out.printf("  pid              %s%n", s.pid() > 0 ? Long.toString(s.pid()) : "-");
        out.printf("  config           %s%n", s.configPath());
        out.printf("  reloads          %d%n", s.reloads());
        out.printf("  rejected applies %d of the last %d (lvs:rejected)%n", Applies.rejected(s.lastApplies()).size(),
                s.lastApplies().size());
        if (s.heldBackTotal() > 0) {
            out.printf("  held back        %d virtual servers keepalived -t rejects (lvs:rejected); the rest applies%n",
                    s.heldBackTotal());
            for (ControlStatus.HeldBack h : s.heldBack()) {
                out.printf("                   %s%s%s, since %s%n", h.virtualServer(),
                        h.service().isEmpty() ? "" : " (service " + h.service() + ")",
                        h.members().isEmpty() ? "" : " members " + h.members(), h.since());
            }
        }
        if (s.retry() != null) {
            out.printf("  retry            attempt %d at %s after: %s%n", s.retry().attempt(), s.retry().at(),
                    s.retry().after());
        }
        ControlStatus.ApplyRecord last = s.lastApply();
        if (last == null) {
            out.println("  last apply       -");
        } else {
            out.printf("  last apply       %s%n", last.at());
            out.printf("  result           %s%n", last.result());
            out.printf("  duration         %d ms (%s)%n", last.millis(), last.steps().isEmpty() ? "-" : last.steps());
            out.printf("  cause            %s%n", last.cause());
        }
    }
}
