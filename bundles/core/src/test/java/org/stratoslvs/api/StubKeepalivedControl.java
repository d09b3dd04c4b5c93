package org.stratoslvs.api;

/**
 * A {@link KeepalivedControl} that answers with canned state and applies nothing; it accepts every config unless a
 * test sets {@link #rejectWith}. Public: other modules use it through core's test-jar.
 */
public final class StubKeepalivedControl implements KeepalivedControl {

    private final ControlStatus status;
    private final String appliedConfig;
    /** What {@link #validate} answers: null accepts. */
    public volatile String rejectWith;

    public StubKeepalivedControl(ControlStatus status, String appliedConfig) {
        this.status = status;
        this.appliedConfig = appliedConfig;
    }

    @Override
    public void submit(String configText, String cause) {
    }

    @Override
    public ControlStatus status() {
        return status;
    }

    @Override
    public String appliedConfig() {
        return appliedConfig;
    }

    @Override
    public String validate(String configText) {
        return rejectWith;
    }

    @Override
    public void reload(String cause) {
    }
}
