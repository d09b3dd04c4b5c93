package org.stratoslvs.management.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.text.ConfigText;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.management.HeldBackVirtualServer;
import org.stratoslvs.management.LvsStatusMXBean;

/** Reads everything live from the services on each attribute access: nothing to keep in sync, nothing stale. */
final class LvsStatus implements LvsStatusMXBean {

    static final String RELOAD_CAUSE = "operator: JMX reload";
    static final long RELOAD_WAIT_MILLIS = 30_000;

    private final Sources sources;

    LvsStatus(Sources sources) {
        this.sources = sources;
    }

    @Override
    public List<String> getUnavailable() {
        List<String> missing = new ArrayList<>();
        if (sources.topology() == null) {
            missing.add("stratos-lvs-topology");
        }
        if (sources.generator() == null) {
            missing.add("stratos-lvs-render");
        }
        if (sources.control() == null) {
            missing.add("stratos-lvs-keepalived");
        }
        return missing;
    }

    private ListenerStatus listener() {
        TopologyService t = sources.topology();
        return t == null ? null : t.status();
    }

    private Topology topology() {
        TopologyService t = sources.topology();
        return t == null ? Topology.EMPTY : t.current();
    }

    private RenderStatus render() {
        ConfigGenerator g = sources.generator();
        return g == null ? null : g.status();
    }

    private ControlStatus control() {
        KeepalivedControl c = sources.control();
        return c == null ? null : c.status();
    }

    private ApplyRecord lastApply() {
        ControlStatus s = control();
        return s == null ? null : s.lastApply();
    }

    private static String str(Object value) {
        return value == null ? "" : value.toString();
    }

    @Override
    public String getBrokerUrl() {
        ListenerStatus s = listener();
        return s == null ? "" : str(s.brokerUrl());
    }

    @Override
    public boolean isBrokerConnected() {
        ListenerStatus s = listener();
        return s != null && s.connected();
    }

    @Override
    public boolean isTopologyInitialized() {
        return topology().initialized();
    }

    @Override
    public int getServices() {
        return topology().services().size();
    }

    @Override
    public int getClusters() {
        return topology().clusterCount();
    }

    @Override
    public int getMembers() {
        return topology().memberCount();
    }

    @Override
    public int getActiveMembers() {
        return topology().activeMemberCount();
    }

    @Override
    public long getEventsApplied() {
        ListenerStatus s = listener();
        return s == null ? -1 : s.eventsApplied();
    }

    @Override
    public long getEventsIgnored() {
        ListenerStatus s = listener();
        return s == null ? -1 : s.eventsIgnored();
    }

    @Override
    public long getEventsRejected() {
        ListenerStatus s = listener();
        return s == null ? -1 : s.rejectsTotal();
    }

    @Override
    public Map<String, Long> getRejectsByReason() {
        ListenerStatus s = listener();
        Map<String, Long> nonZero = new TreeMap<>();
        if (s != null) {
            s.rejectsByReason().forEach((reason, n) -> {
                if (n > 0) {
                    nonZero.put(reason, n);
                }
            });
        }
        return nonZero;
    }

    @Override
    public List<String> getRecentRejects() {
        ListenerStatus s = listener();
        if (s == null) {
            return List.of();
        }
        return s.recentRejects().stream().map(r -> r.at() + " " + r.topic() + " " + r.reason() + ": " + r.detail())
                .toList();
    }

    @Override
    public long getCompleteTopologies() {
        ListenerStatus s = listener();
        return s == null ? -1 : s.completeTopologies();
    }

    @Override
    public long getDriftRepairs() {
        ListenerStatus s = listener();
        return s == null ? -1 : s.driftRepairs();
    }

    @Override
    public String getLastEventAt() {
        ListenerStatus s = listener();
        return s == null ? "" : str(s.lastEventAt());
    }

    @Override
    public List<String> getMappedServices() {
        RenderStatus s = render();
        if (s == null) {
            return List.of();
        }
        return s.mappedServices().stream().map(m -> m.serviceName() + " " + m.virtualIp() + " "
                + (m.present() ? "present, " + m.activeMembers() + " Active, ports " + m.ports() : "ABSENT")).toList();
    }

    @Override
    public List<String> getSettingErrors() {
        RenderStatus s = render();
        return s == null ? List.of() : List.copyOf(s.settingErrors());
    }

    @Override
    public List<String> getWarnings() {
        RenderStatus s = render();
        return s == null ? List.of() : List.copyOf(s.warnings());
    }

    @Override
    public String getLastRenderAt() {
        RenderStatus s = render();
        return s == null ? "" : str(s.lastRenderAt());
    }

    @Override
    public String getKeepalivedMode() {
        ControlStatus s = control();
        return s == null ? "" : s.mode();
    }

    @Override
    public String getKeepalivedState() {
        ControlStatus s = control();
        return s == null ? "keepalived control not running" : s.keepalived();
    }

    @Override
    public String getKeepalivedProcess() {
        ControlStatus s = control();
        return s == null ? "" : s.process().name();
    }

    @Override
    public long getKeepalivedPid() {
        ControlStatus s = control();
        return s == null ? -1 : s.pid();
    }

    @Override
    public String getConfigPath() {
        ControlStatus s = control();
        return s == null ? "" : s.configPath();
    }

    @Override
    public long getReloads() {
        ControlStatus s = control();
        return s == null ? -1 : s.reloads();
    }

    @Override
    public String getLastApplyAt() {
        ApplyRecord a = lastApply();
        return a == null ? "" : str(a.at());
    }

    @Override
    public String getLastApplyResult() {
        ApplyRecord a = lastApply();
        return a == null ? "" : a.result();
    }

    @Override
    public String getLastApplyCause() {
        ApplyRecord a = lastApply();
        return a == null ? "" : a.cause();
    }

    @Override
    public long getLastApplyMillis() {
        ApplyRecord a = lastApply();
        return a == null ? -1 : a.millis();
    }

    @Override
    public String getLastApplySteps() {
        ApplyRecord a = lastApply();
        return a == null ? "" : a.steps();
    }

    @Override
    public List<String> getLastApplies() {
        ControlStatus s = control();
        if (s == null) {
            return List.of();
        }
        return s.lastApplies().stream().map(a -> a.at() + " " + a.result() + " (" + a.millis() + " ms) " + a.cause())
                .toList();
    }

    @Override
    public int getRejectedApplies() {
        ControlStatus s = control();
        return s == null ? 0 : (int) s.lastApplies().stream().filter(a -> a.outcome() == ControlStatus.Outcome.REJECTED).count();
    }

    @Override
    public List<HeldBackVirtualServer> getHeldBack() {
        ControlStatus s = control();
        if (s == null) {
            return List.of();
        }
        return s.heldBack().stream().map(h -> new HeldBackVirtualServer(h.virtualServer(), h.service(), h.members(),
                h.reason(), str(h.since()), h.previousKept())).toList();
    }

    @Override
    public int getHeldBackTotal() {
        ControlStatus s = control();
        return s == null ? 0 : s.heldBackTotal();
    }

    @Override
    public String getPendingRetry() {
        ControlStatus s = control();
        ControlStatus.Retry r = s == null ? null : s.retry();
        return r == null ? "" : "attempt " + r.attempt() + " at " + r.at() + " after: " + r.after();
    }

    @Override
    public String reload() {
        KeepalivedControl c = sources.control();
        if (c == null) {
            return "keepalived control is not running";
        }
        ApplyRecord before = c.status().lastApply();
        // the last submitted config is the current rendering (render submits on every change): force it through
        c.reload(RELOAD_CAUSE);
        long deadline = System.currentTimeMillis() + RELOAD_WAIT_MILLIS;
        try {
            while (System.currentTimeMillis() < deadline) {
                ApplyRecord now = c.status().lastApply();
                if (now != null && !now.equals(before) && now.cause().contains(RELOAD_CAUSE)) {
                    return now.result() + " (" + now.millis() + " ms: " + now.steps() + ")";
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "reload requested; no apply finished within " + RELOAD_WAIT_MILLIS / 1000 + " s";
    }

    @Override
    public String resync() {
        TopologyService t = sources.topology();
        if (t == null) {
            return "topology listener is not running";
        }
        t.requestCompleteTopology("operator: JMX resync");
        return "complete topology requested";
    }

    @Override
    public String validate() {
        ConfigGenerator g = sources.generator();
        KeepalivedControl c = sources.control();
        if (g == null || c == null) {
            return "needs the rendering and keepalived control bundles running";
        }
        String rejection = c.validate(g.preview());
        return rejection == null ? "accepted" : "rejected: " + rejection;
    }

    @Override
    public String appliedConfig() {
        KeepalivedControl c = sources.control();
        return c == null ? "" : str(ConfigText.maskSecrets(c.appliedConfig()));
    }

    @Override
    public String previewDiff() {
        ConfigGenerator g = sources.generator();
        KeepalivedControl c = sources.control();
        if (g == null || c == null) {
            return "needs the rendering and keepalived control bundles running";
        }
        return ConfigText.unifiedDiff(ConfigText.maskSecrets(c.appliedConfig()), ConfigText.maskSecrets(g.preview()),
                "applied", "preview", 3);
    }
}
