package org.stratoslvs.shell;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.TopologyService;

/** {@code lvs:rejected}: the topology messages we refused and the configs keepalived -t refused. */
@Service
@Command(scope = "lvs", name = "rejected", description = "Lists rejected topology messages (per reason, and the last ones) and rejected keepalived configs")
public class RejectedCommand implements Action {

    @Reference(optional = true)
    TopologyService topology;

    @Reference(optional = true)
    KeepalivedControl control;

    @Override
    public Object execute() {
        System.out.println("Rejected topology messages");
        if (topology == null) {
            System.out.println("  the topology bundle (stratos-lvs-topology) is not running");
        } else {
            ListenerStatus s = topology.status();
            if (s.rejectsTotal() == 0) {
                System.out.println("  none");
            }
            for (Map.Entry<String, Long> e : s.rejectsByReason().entrySet()) {
                if (e.getValue() == 0) {
                    continue;
                }
                System.out.printf("  %-24s %d%n", e.getKey(), e.getValue());
            }
            if (!s.recentRejects().isEmpty()) {
                ShellTable table = new ShellTable();
                table.column("When");
                table.column("Topic");
                table.column("Reason");
                table.column("Detail").maxSize(100);
                for (ListenerStatus.Reject r : s.recentRejects()) {
                    table.addRow().addContent(r.at(), r.topic(), r.reason(), r.detail());
                }
                table.print(System.out);
            }
        }
        System.out.println("Rejected keepalived configs (keepalived -t)");
        if (control == null) {
            System.out.println("  the keepalived control bundle (stratos-lvs-keepalived) is not running");
            return null;
        }
        ControlStatus status = control.status();
        System.out.println("Virtual servers held back (keepalived -t rejects their block; the rest of the file applies)");
        if (status.heldBackTotal() == 0) {
            System.out.println("  none");
        } else {
            ShellTable held = new ShellTable();
            held.column("Virtual server");
            held.column("Service");
            held.column("Members (line)");
            held.column("Since");
            held.column("Applied file has");
            held.column("keepalived -t says").maxSize(100);
            for (ControlStatus.HeldBack h : status.heldBack()) {
                held.addRow().addContent(h.virtualServer(), h.service(), h.members(), h.since(),
                        h.previousKept() ? "previous version" : "nothing (left out)", h.reason());
            }
            held.print(System.out);
            if (status.heldBackTotal() > status.heldBack().size()) {
                System.out.printf("  and %d more%n", status.heldBackTotal() - status.heldBack().size());
            }
        }
        List<ApplyRecord> rejected = Applies.rejected(status.lastApplies());
        if (rejected.isEmpty()) {
            System.out.println("  none among the last " + status.lastApplies().size() + " applies");
        }
        for (ApplyRecord a : rejected) {
            System.out.printf("  %s %s%n    cause: %s%n", a.at(), a.result(), a.cause());
        }
        return null;
    }
}
