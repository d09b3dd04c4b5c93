package org.stratoslvs.api;

import java.util.function.Supplier;

/**
 * A {@link ConfigGenerator} that answers with canned state (the status through a supplier, so a test can change the
 * mapping between calls). Public: other modules use it through core's test-jar.
 */
public final class StubConfigGenerator implements ConfigGenerator {

    private final Supplier<RenderStatus> status;
    private final String preview;

    public StubConfigGenerator(Supplier<RenderStatus> status, String preview) {
        this.status = status;
        this.preview = preview;
    }

    @Override
    public RenderStatus status() {
        return status.get();
    }

    @Override
    public String preview() {
        return preview;
    }

    @Override
    public void rerender(String cause) {
    }
}
