package org.stratoslvs.management;

import java.util.List;
import java.util.Map;

/**
 * {@code org.stratoslvs:type=Status}: what {@code lvs:status} shows, as attributes, and the operator actions.
 * An attribute whose source bundle is not running reads as empty, -1 or false; {@link #getUnavailable()} names
 * those bundles.
 */
public interface LvsStatusMXBean {

    String OBJECT_NAME = "org.stratoslvs:type=Status";

    /** The bundles whose service is missing right now (e.g. during a redeploy). */
    List<String> getUnavailable();

    // topology listener
    String getBrokerUrl();

    boolean isBrokerConnected();

    boolean isTopologyInitialized();

    int getServices();

    int getClusters();

    int getMembers();

    int getActiveMembers();

    long getEventsApplied();

    long getEventsIgnored();

    long getEventsRejected();

    Map<String, Long> getRejectsByReason();

    /** The last rejected messages, newest last, each "time topic reason: detail". */
    List<String> getRecentRejects();

    long getCompleteTopologies();

    long getDriftRepairs();

    /** ISO-8601, or empty. */
    String getLastEventAt();

    // rendering
    List<String> getMappedServices();

    List<String> getSettingErrors();

    List<String> getWarnings();

    String getLastRenderAt();

    // keepalived control
    String getKeepalivedMode();

    String getKeepalivedState();

    /**
     * The same, typed: NOT_STARTED, STARTING, RUNNING, RESTARTING, CANNOT_RUN, STOPPED, LEFT_RUNNING (managed),
     * NOT_FOUND (external), NOT_MANAGED (render-only); "" when keepalived control is not running.
     */
    String getKeepalivedProcess();

    long getKeepalivedPid();

    String getConfigPath();

    long getReloads();

    String getLastApplyAt();

    String getLastApplyResult();

    String getLastApplyCause();

    long getLastApplyMillis();

    String getLastApplySteps();

    /** The last applies, newest last, each "time result (n ms) cause". */
    List<String> getLastApplies();

    /** Rejected applies among {@link #getLastApplies()}. */
    int getRejectedApplies();

    /**
     * Virtual servers keepalived -t rejected while the rest applied (one bad member holds back its own virtual server
     * only); at most 50 are listed, {@link #getHeldBackTotal()} counts them all.
     */
    List<HeldBackVirtualServer> getHeldBack();

    int getHeldBackTotal();

    /**
     * The retry planned for an apply that failed for a reason that can go away (write, keepalived -t without a
     * verdict, reload): "attempt N at TIME after: RESULT", or "" when none is planned.
     */
    String getPendingRetry();

    // operations

    /** Forces an apply of the current rendering; returns the result of that apply (waits up to 30 s). */
    String reload();

    /** Requests a complete topology from Stratos. */
    String resync();

    /** Renders now and runs keepalived -t on it; "accepted" or keepalived's message. */
    String validate();

    /** The applied keepalived.conf, secrets masked. */
    String appliedConfig();

    /** A unified diff from the applied config to what would be rendered now (secrets masked); empty: equal. */
    String previewDiff();
}
