package org.stratoslvs.keepalived;

import org.stratoslvs.api.ControlStatus.ProcessState;

/** {@code keepalived.mode = render-only}: the file is the product; keepalived is neither started nor signalled. */
final class RenderOnlyActivation implements Activation {

    @Override
    public Result activate(Steps steps) {
        return Result.ok(false);
    }

    @Override
    public long pid() {
        return -1;
    }

    @Override
    public String describe() {
        return "render-only: keepalived is not started or signalled";
    }

    @Override
    public ProcessState state() {
        return ProcessState.NOT_MANAGED;
    }

    @Override
    public void close(boolean stopKeepalived) {
        // nothing runs
    }
}
