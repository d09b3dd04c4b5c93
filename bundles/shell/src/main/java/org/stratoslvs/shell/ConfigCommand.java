package org.stratoslvs.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.core.text.ConfigText;

/**
 * {@code lvs:config}: the applied keepalived.conf, or with {@code --preview} what would be rendered now and how it
 * differs from the applied one. The VRRP password is always masked.
 */
@Service
@Command(scope = "lvs", name = "config", description = "Shows the applied keepalived.conf (secrets masked); --preview: what would be rendered now, with a diff")
public class ConfigCommand implements Action {

    @Option(name = "--preview", aliases = "-p", description = "Render from the current topology and settings and show the diff against the applied config")
    boolean preview;

    @Option(name = "--diff", aliases = "-d", description = "With --preview: show only the diff")
    boolean diffOnly;

    @Reference(optional = true)
    ConfigGenerator generator;

    @Reference(optional = true)
    KeepalivedControl control;

    @Override
    public Object execute() {
        String applied = control == null ? null : ConfigText.maskSecrets(control.appliedConfig());
        if (!preview) {
            if (control == null) {
                System.out.println("The keepalived control bundle (stratos-lvs-keepalived) is not running.");
            } else if (applied == null) {
                System.out.println("No config applied yet (lvs:status says why).");
            } else {
                System.out.print(applied);
            }
            return null;
        }
        if (generator == null) {
            System.out.println("The rendering bundle (stratos-lvs-render) is not running.");
            return null;
        }
        String rendered = ConfigText.maskSecrets(generator.preview());
        if (!diffOnly) {
            System.out.print(rendered);
            System.out.println();
        }
        if (applied == null) {
            System.out.println("# Nothing applied yet: the whole preview is new.");
            return null;
        }
        String diff = ConfigText.unifiedDiff(applied, rendered, "applied", "preview", 3);
        System.out.println(diff.isEmpty() ? "# The preview equals the applied config." : "# Diff against the applied config:");
        System.out.print(diff);
        return null;
    }
}
