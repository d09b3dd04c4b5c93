package org.stratoslvs.render;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.stratoslvs.core.topology.Topology;

/**
 * Renders on one thread of its own, always from the latest topology and settings, so that the JMS route never
 * waits for rendering and a burst of events costs one render per render time rather than one per event:
 * changes arriving while a render runs are merged into the next one. Results reach the sink in order.
 */
public final class RenderLoop implements AutoCloseable {

    /** Receives each render with the (merged) cause and the topology it was made from. */
    @FunctionalInterface
    public interface Sink {
        void rendered(RenderResult result, Topology topology, String cause);
    }

    private final Sink sink;
    /**
     * Only the loop's thread renders with it: successive renders of successive snapshots are what it is made for
     * (one member event, one service rendered again).
     */
    private final RenderCache cache = new RenderCache();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stratos-lvs-render");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    // Guarded by lock.
    private Topology topology = Topology.EMPTY;
    private RenderSettings.Parsed settings;
    private String firstCause;
    private int merged;
    private boolean scheduled;

    public RenderLoop(RenderSettings.Parsed settings, Sink sink) {
        this.settings = settings;
        this.sink = sink;
    }

    public void topologyChanged(Topology newTopology, String cause) {
        synchronized (lock) {
            topology = newTopology;
            scheduleLocked(cause);
        }
    }

    public void settingsChanged(RenderSettings.Parsed newSettings, String cause) {
        synchronized (lock) {
            settings = newSettings;
            scheduleLocked(cause);
        }
    }

    /**
     * Renders the current state on the caller's thread, without telling the sink (for previews). Without the
     * cache: a preview from the shell or JMX then never waits for the loop's rendering, nor evicts its parts.
     */
    public RenderResult renderNow() {
        Topology t;
        RenderSettings.Parsed s;
        synchronized (lock) {
            t = topology;
            s = settings;
        }
        return KeepalivedRenderer.render(t, s);
    }

    private void scheduleLocked(String cause) {
        if (firstCause == null) {
            firstCause = cause;
        }
        merged++;
        if (!scheduled && !thread.isShutdown()) {
            scheduled = true;
            thread.execute(this::renderLatest);
        }
    }

    private void renderLatest() {
        Topology t;
        RenderSettings.Parsed s;
        String cause;
        synchronized (lock) {
            scheduled = false;
            t = topology;
            s = settings;
            cause = merged > 1 ? firstCause + " (+" + (merged - 1) + " more changes)" : firstCause;
            firstCause = null;
            merged = 0;
        }
        sink.rendered(KeepalivedRenderer.render(t, s, cache), t, cause);
    }

    /** The loop's cache, for tests that check what the last rendering reused. */
    RenderCache cache() {
        return cache;
    }

    /** Waits until every change made so far has been rendered and handed to the sink. */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            var done = new java.util.concurrent.CountDownLatch(1);
            thread.execute(done::countDown);
            if (!done.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                    TimeUnit.MILLISECONDS)) {
                return false;
            }
            synchronized (lock) {
                if (!scheduled) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
