package org.stratoslvs.api;

/** Offered by the rendering bundle: renders keepalived.conf from the topology and the settings. */
public interface ConfigGenerator {

    RenderStatus status();

    /** Renders from the current topology and settings without submitting anything. */
    String preview();

    /** Renders and submits to keepalived control even when nothing changed. */
    void rerender(String cause);
}
