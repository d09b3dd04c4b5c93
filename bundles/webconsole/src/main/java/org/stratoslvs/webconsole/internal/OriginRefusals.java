package org.stratoslvs.webconsole.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refused console requests: counted per reason, and logged once per claimed origin for at most
 * {@value #MAX_LOGGED_ORIGINS} distinct origins (a hostile page can vary its origin without end; the log must not
 * grow with it).
 */
final class OriginRefusals {

    static final int MAX_LOGGED_ORIGINS = 32;

    private static final Logger LOG = LoggerFactory.getLogger(OriginRefusals.class);

    private final AtomicLong total = new AtomicLong();
    private final Map<SameOrigin.Verdict, AtomicLong> byVerdict = new ConcurrentHashMap<>();
    private final Set<String> loggedOrigins = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean toldLimit = new AtomicBoolean();

    /** Counts a refusal; returns whether it was logged (the first from its origin and reason, within the bound). */
    boolean refused(String method, String path, SameOrigin.Decision decision) {
        long count = total.incrementAndGet();
        byVerdict.computeIfAbsent(decision.verdict(), v -> new AtomicLong()).incrementAndGet();
        String key = decision.verdict() + " " + decision.claimed();
        if (loggedOrigins.contains(key)) {
            return false;
        }
        if (loggedOrigins.size() >= MAX_LOGGED_ORIGINS) {
            if (toldLimit.compareAndSet(false, true)) {
                LOG.warn("web console: refused requests from more than {} distinct origins; further origins are"
                        + " counted, not logged ({} refused so far)", MAX_LOGGED_ORIGINS, count);
            }
            return false;
        }
        if (!loggedOrigins.add(key)) {
            return false;
        }
        LOG.warn("web console: refused {} {} ({}, origin {}): a request that can change something must come from"
                + " the console's own pages; logged once per origin ({} refused so far)",
                SameOrigin.printable(String.valueOf(method)), SameOrigin.printable(String.valueOf(path)),
                decision.verdict(), decision.claimed(), count);
        return true;
    }

    long total() {
        return total.get();
    }

    Map<SameOrigin.Verdict, Long> byVerdict() {
        Map<SameOrigin.Verdict, Long> copy = new EnumMap<>(SameOrigin.Verdict.class);
        byVerdict.forEach((verdict, count) -> copy.put(verdict, count.get()));
        return copy;
    }

    int loggedOrigins() {
        return loggedOrigins.size();
    }
}
