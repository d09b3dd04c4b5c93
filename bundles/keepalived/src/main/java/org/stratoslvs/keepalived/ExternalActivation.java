package org.stratoslvs.keepalived;

import java.io.IOException;
import java.util.OptionalLong;

import org.stratoslvs.api.ControlStatus.ProcessState;
import org.stratoslvs.api.ControlStatus.Step;

/**
 * {@code keepalived.mode = external}: keepalived runs under someone else (systemd, say); it is reloaded by the
 * configured reload command, or by SIGHUP to the pid in its pid file. It is never started or stopped from here.
 */
final class ExternalActivation implements Activation {

    private final KeepalivedSettings settings;
    /** SIGHUP for the external keepalived (pid file); unused with a reload command. */
    private final SighupSender hup = new SighupSender();

    ExternalActivation(KeepalivedSettings settings) {
        this.settings = settings;
    }

    /** What sends the reload signals (tests look at which way they went). */
    SighupSender sighup() {
        return hup;
    }

    @Override
    public Result activate(Steps steps) {
        long t = System.nanoTime();
        try {
            if (!settings.reloadCommand().isEmpty()) {
                Processes.Run run = Processes.run(settings.reloadCommand(), settings.validateTimeout());
                if (run.timedOut()) {
                    return Result.failed("reload command did not finish within " + settings.validateTimeout().toMillis()
                            + " ms");
                }
                if (run.exitCode() != 0) {
                    return Result.failed("reload command exit " + run.exitCode() + ": " + run.output().strip());
                }
                long took = Steps.millisSince(t);
                steps.add(Step.Kind.RELOAD, took, "reload command " + took + " ms");
                return Result.ok(true);
            }
            OptionalLong pid = Processes.livePidFrom(settings.pidFile());
            if (pid.isEmpty()) {
                return Result.failed("no running keepalived found through " + settings.pidFile() + " (the new file is "
                        + "written; keepalived reads it when it starts)");
            }
            if (!Processes.handlesSighup(pid.getAsLong())) {
                return Result.failed("keepalived pid " + pid.getAsLong() + " does not handle SIGHUP yet");
            }
            hup.signal(pid.getAsLong());
            long took = Steps.millisSince(t);
            steps.add(Step.Kind.RELOAD, took, "reload (SIGHUP pid " + pid.getAsLong() + ") " + took + " ms");
            return Result.ok(true);
        } catch (IOException e) {
            return Result.failed(e.getMessage());
        }
    }

    @Override
    public long pid() {
        return Processes.livePidFrom(settings.pidFile()).orElse(-1);
    }

    @Override
    public String describe() {
        OptionalLong live = Processes.livePidFrom(settings.pidFile());
        return (live.isPresent() ? "external, running pid " + live.getAsLong()
                : "external, no running keepalived in " + settings.pidFile())
                + (settings.reloadCommand().isEmpty() ? "" : "; reloaded by: " + String.join(" ", settings.reloadCommand()));
    }

    @Override
    public ProcessState state() {
        return Processes.livePidFrom(settings.pidFile()).isPresent() ? ProcessState.RUNNING : ProcessState.NOT_FOUND;
    }

    @Override
    public void close(boolean stopKeepalived) {
        // not ours to stop; only the signal helper ends
        hup.close();
    }
}
