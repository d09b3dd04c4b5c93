package org.stratoslvs.shell.completers;

import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.TopologyService;

/** Completes service names: those in the topology and those mapped to a VIP (which may be absent from it). */
@Service
public class ServiceNameCompleter implements Completer {

    @Reference(optional = true)
    TopologyService topology;

    @Reference(optional = true)
    ConfigGenerator generator;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> names = new TreeSet<>();
        if (topology != null) {
            names.addAll(topology.current().services().keySet());
        }
        if (generator != null) {
            for (RenderStatus.MappedService m : generator.status().mappedServices()) {
                names.add(m.serviceName());
            }
        }
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
