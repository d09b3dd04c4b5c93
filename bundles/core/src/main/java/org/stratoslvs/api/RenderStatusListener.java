package org.stratoslvs.api;

/**
 * Whiteboard service: every registered listener is called with the config generator's status after each render
 * (and once with the current one when it registers), so that views that follow the mapping (the per-service
 * MBeans) change when it changes instead of polling for it.
 *
 * <p>Called on the rendering thread: a listener must return quickly and must not call back into rendering.
 */
public interface RenderStatusListener {

    void renderStatusChanged(RenderStatus status);
}
