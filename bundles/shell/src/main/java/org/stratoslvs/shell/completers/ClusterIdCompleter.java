package org.stratoslvs.shell.completers;

import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.stratoslvs.api.TopologyService;

/** Completes the cluster ids of the current topology. */
@Service
public class ClusterIdCompleter implements Completer {

    @Reference(optional = true)
    TopologyService topology;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> ids = new TreeSet<>();
        if (topology != null) {
            topology.current().services().values().forEach(s -> ids.addAll(s.clusters().keySet()));
        }
        return new StringsCompleter(ids).complete(session, commandLine, candidates);
    }
}
