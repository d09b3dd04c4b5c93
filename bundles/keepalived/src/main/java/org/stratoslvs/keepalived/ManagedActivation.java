package org.stratoslvs.keepalived;

import java.io.IOException;
import java.util.function.Function;

import org.stratoslvs.api.ControlStatus.ProcessState;
import org.stratoslvs.api.ControlStatus.Step;

/**
 * {@code keepalived.mode = managed}: keepalived runs as our child under a {@link KeepalivedSupervisor}, started on the
 * first apply (or adopted when one we left running earlier still runs) and reloaded by SIGHUP after.
 */
final class ManagedActivation implements Activation {

    private final KeepalivedSettings settings;
    private final Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory;
    // created on the apply thread at the first activation; read by the status from any thread
    private volatile KeepalivedSupervisor supervisor;

    ManagedActivation(KeepalivedSettings settings, Function<KeepalivedSettings, KeepalivedSupervisor> supervisorFactory) {
        this.settings = settings;
        this.supervisorFactory = supervisorFactory;
    }

    /** The supervisor, or null before the first activation. */
    KeepalivedSupervisor supervisor() {
        return supervisor;
    }

    @Override
    public Result activate(Steps steps) {
        long t = System.nanoTime();
        KeepalivedSupervisor sup = supervisor;
        if (sup == null) {
            sup = supervisorFactory.apply(settings);
            supervisor = sup;
        }
        if (!sup.isStarted()) {
            if (!sup.start()) {
                steps.add(Step.Kind.START, Steps.millisSince(t), "start " + Steps.millisSince(t) + " ms");
                return Result.ok(false);
            }
            // adopted a keepalived left running earlier: it still runs the old file
            steps.add(Step.Kind.START, "adopted pid " + sup.pid());
            t = System.nanoTime();
        }
        if (!sup.isRunning()) {
            sup.kick();
            return Result.failed("keepalived is not running (" + sup.describe() + "); it reads the new file when it "
                    + "starts again");
        }
        try {
            long pid = sup.pid();
            sup.reload();
            long took = Steps.millisSince(t);
            steps.add(Step.Kind.RELOAD, took, "reload (SIGHUP pid " + pid + ") " + took + " ms");
            return Result.ok(true);
        } catch (IOException e) {
            return Result.failed(e.getMessage());
        }
    }

    @Override
    public long pid() {
        KeepalivedSupervisor sup = supervisor;
        return sup == null ? -1 : sup.pid();
    }

    @Override
    public String describe() {
        KeepalivedSupervisor sup = supervisor;
        return sup == null ? "not started (no config applied yet)" : sup.describe();
    }

    @Override
    public ProcessState state() {
        KeepalivedSupervisor sup = supervisor;
        return sup == null ? ProcessState.NOT_STARTED : sup.processState();
    }

    @Override
    public void close(boolean stopKeepalived) {
        KeepalivedSupervisor sup = supervisor;
        if (sup == null) {
            return;
        }
        if (stopKeepalived) {
            sup.stop();
        } else {
            sup.detach();
        }
    }
}
