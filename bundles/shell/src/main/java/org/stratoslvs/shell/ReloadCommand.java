package org.stratoslvs.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.KeepalivedControl;

/** {@code lvs:reload}: forces an apply (validate, write, reload) of the current rendering even if nothing changed. */
@Service
@Command(scope = "lvs", name = "reload", description = "Forces an apply of the current rendering: keepalived -t, write, reload")
public class ReloadCommand implements Action {

    static final String CAUSE = "operator: lvs:reload";

    @Reference(optional = true)
    KeepalivedControl control;

    @Override
    public Object execute() throws InterruptedException {
        if (control == null) {
            System.out.println("The keepalived control bundle (stratos-lvs-keepalived) is not running.");
            return null;
        }
        ApplyRecord before = control.status().lastApply();
        // The render component submits on every change, so the last submitted config is the current rendering:
        // force that one through. (A rerender first would race: its own apply could be the one we report.)
        control.reload(CAUSE);
        ApplyRecord next = Applies.awaitNext(() -> control.status().lastApply(), before, CAUSE, 30_000);
        if (next == null) {
            System.out.println("Reload requested; no apply finished within 30 s (see lvs:status).");
        } else {
            System.out.printf("%s in %d ms (%s)%n", next.result(), next.millis(), next.steps());
        }
        return null;
    }
}
