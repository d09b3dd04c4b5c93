package org.stratoslvs.render.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.RenderStatusListener;

/** The component's whiteboard of {@link RenderStatusListener}s, driven as SCR drives it. */
class ConfigGeneratorComponentTest {

    private final ConfigGeneratorComponent component = new ConfigGeneratorComponent();
    private final List<RenderStatus> seen = new CopyOnWriteArrayList<>();
    private final RenderStatusListener recorder = seen::add;

    @AfterEach
    void deactivate() {
        component.deactivate();
    }

    @Test
    void listenersFollowTheMappingInOrderAndAFailingOneHarmsNobody() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        RenderStatusListener failing = s -> {
            failures.incrementAndGet();
            throw new IllegalStateException("a broken view");
        };
        component.bindRenderStatusListener(failing);
        component.activate(Map.of("lvs.service.virtualip.set", "web|192.168.56.40"));
        // bound after the first render (or during it): gets the current status at once
        awaitRendered();
        component.bindRenderStatusListener(recorder);
        assertFalse(seen.isEmpty(), "a listener that registers gets the current status");
        awaitMapping(List.of("web"));

        component.modified(Map.of("lvs.service.virtualip.set", "web|192.168.56.40,dns|192.168.56.41"));
        awaitMapping(List.of("dns", "web"));
        assertTrue(failures.get() >= 2, "the failing listener is still called on each render: " + failures);

        // never an older status after a newer one
        List<RenderStatus> all = new ArrayList<>(seen);
        for (int i = 1; i < all.size(); i++) {
            assertFalse(all.get(i).lastRenderAt().isBefore(all.get(i - 1).lastRenderAt()), all.toString());
        }

        component.unbindRenderStatusListener(failing);
        int failed = failures.get();
        int count = seen.size();
        component.rerender("test");
        awaitSize(count + 1);
        assertEquals(failed, failures.get(), "an unbound listener is not called");
    }

    private void awaitRendered() throws InterruptedException {
        await(() -> component.status().lastRenderAt() != null, "no render");
    }

    private void awaitSize(int size) throws InterruptedException {
        await(() -> seen.size() >= size, "fewer than " + size + " statuses: " + seen);
    }

    private void awaitMapping(List<String> expected) throws InterruptedException {
        await(() -> !seen.isEmpty() && names(seen.get(seen.size() - 1)).equals(expected),
                "never saw the mapping " + expected + ": " + seen);
    }

    private static void await(java.util.function.BooleanSupplier condition, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            Thread.sleep(10);
        }
    }

    private static List<String> names(RenderStatus status) {
        return status.mappedServices().stream().map(RenderStatus.MappedService::serviceName).sorted().toList();
    }
}
