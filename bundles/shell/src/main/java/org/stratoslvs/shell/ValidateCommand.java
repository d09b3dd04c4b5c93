package org.stratoslvs.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;

/** {@code lvs:validate}: renders now and runs keepalived -t on it, without applying anything. */
@Service
@Command(scope = "lvs", name = "validate", description = "Renders keepalived.conf now and checks it with keepalived -t, without applying it")
public class ValidateCommand implements Action {

    @Reference(optional = true)
    ConfigGenerator generator;

    @Reference(optional = true)
    KeepalivedControl control;

    @Override
    public Object execute() {
        if (generator == null || control == null) {
            System.out.println("Needs the rendering and keepalived control bundles running.");
            return null;
        }
        for (String error : generator.status().settingErrors()) {
            System.out.println("Setting error: " + error);
        }
        String rejection = control.validate(generator.preview());
        System.out.println(rejection == null ? "keepalived -t accepts the config rendered now."
                : "keepalived -t REJECTS the config rendered now: " + rejection);
        return null;
    }
}
