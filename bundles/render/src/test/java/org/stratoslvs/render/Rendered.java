package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.stratoslvs.core.topology.Topology;

/**
 * Test-side rendering: every text rendered through here is rendered twice (must be byte-identical), also through a
 * {@link RenderCache} (must give the same result) and, after
 * the test's own assertions, checked by the real keepalived -t (this extension's afterEach). Tests use it
 * with {@code @ExtendWith(Rendered.class)} so that no rendered text escapes the keepalived check.
 */
public final class Rendered implements AfterEachCallback {

    private static final List<String> PENDING = new ArrayList<>();

    static RenderResult render(Topology topology, RenderSettings.Parsed parsed) {
        RenderResult r = KeepalivedRenderer.render(topology, parsed);
        RenderResult again = KeepalivedRenderer.render(topology, parsed);
        assertEquals(r.text(), again.text(), "rendering is not deterministic");
        assertEquals(r.warnings(), again.warnings());
        // and through a cache, rendering everything (cold) and then reusing everything (warm)
        RenderCache cache = new RenderCache();
        assertEquals(r, KeepalivedRenderer.render(topology, parsed, cache), "cached rendering (cold) differs");
        assertEquals(r, KeepalivedRenderer.render(topology, parsed, cache), "cached rendering (warm) differs");
        synchronized (PENDING) {
            PENDING.add(r.text());
        }
        return r;
    }

    /** Queues a text rendered elsewhere (e.g. by the RenderLoop) for the keepalived -t check after the test. */
    static void checkAfterTest(String text) {
        synchronized (PENDING) {
            PENDING.add(text);
        }
    }

    static RenderResult render(Topology topology, Map<String, ?> props, List<Map<String, ?>> overrides) {
        return render(topology, RenderSettings.parse(props, overrides));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> texts;
        synchronized (PENDING) {
            texts = new ArrayList<>(PENDING);
            PENDING.clear();
        }
        if (texts.isEmpty()) {
            return;
        }
        List<KeepalivedConfigCheck.Result> results = KeepalivedConfigCheck.shared().checkAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            KeepalivedConfigCheck.Result r = results.get(i);
            if (!r.accepted()) {
                fail("keepalived -t rejected a rendered file (exit " + r.exitCode() + "):\n" + r.output() + "\n"
                        + KeepalivedConfigCheck.numbered(texts.get(i)));
            }
        }
    }
}
