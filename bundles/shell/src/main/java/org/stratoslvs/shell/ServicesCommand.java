package org.stratoslvs.shell;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.RenderStatus;

/** {@code lvs:services}: every mapped service with its VIP, whether Stratos has it, its ports and Active members. */
@Service
@Command(scope = "lvs", name = "services", description = "Lists the mapped services: VIP, present or absent, ports, Active members")
public class ServicesCommand implements Action {

    @Reference(optional = true)
    ConfigGenerator generator;

    @Override
    public Object execute() {
        if (generator == null) {
            System.out.println("The rendering bundle (stratos-lvs-render) is not running.");
            return null;
        }
        RenderStatus status = generator.status();
        if (status.mappedServices().isEmpty()) {
            System.out.println("No mapped services: set lvs.service.virtualip.set in etc/org.stratoslvs.cfg.");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Service");
        table.column("VIP");
        table.column("State");
        table.column("Ports");
        table.column("Active").alignRight();
        for (RenderStatus.MappedService m : status.mappedServices()) {
            table.addRow().addContent(m.serviceName(), m.virtualIp(), m.present() ? "present" : "ABSENT",
                    m.ports().stream().map(String::valueOf).collect(Collectors.joining(",")), m.activeMembers());
        }
        table.print(System.out);
        return null;
    }
}
