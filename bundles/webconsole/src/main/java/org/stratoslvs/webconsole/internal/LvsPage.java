package org.stratoslvs.webconsole.internal;

import static org.stratoslvs.webconsole.internal.Html.esc;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;

/**
 * The body of the "LVS" page: virtual services and their members as we know them, keepalived, the last applies
 * and rejects, and the two operator actions. Every value goes through {@link Html#esc}. Any of the three
 * services may be null (its bundle is being redeployed); the page says so instead of failing.
 */
final class LvsPage {

    private final TopologyService topology;
    private final ConfigGenerator generator;
    private final KeepalivedControl control;

    LvsPage(TopologyService topology, ConfigGenerator generator, KeepalivedControl control) {
        this.topology = topology;
        this.generator = generator;
        this.control = control;
    }

    void render(PrintWriter out, String actionToken, String message) {
        out.println("<div id='stratos-lvs'>");
        if (message != null && !message.isEmpty()) {
            out.println("<p class='statline ui-state-highlight' id='lvs-message'>" + esc(message) + "</p>");
        }
        renderActions(out, actionToken);
        renderOverview(out);
        renderServices(out);
        renderHeldBack(out);
        renderApplies(out);
        renderRejects(out);
        out.println("</div>");
    }

    private void renderActions(PrintWriter out, String token) {
        out.println("<form method='post' style='margin:0.5em 0'>");
        out.println("<input type='hidden' name='token' value='" + esc(token) + "'>");
        out.println("<button type='submit' name='action' value='reload'>Reload (force an apply)</button> ");
        out.println("<button type='submit' name='action' value='resync'>Resync (request the complete topology)</button> ");
        out.println("<a href='configMgr/org.stratoslvs'>Settings (Configuration: org.stratoslvs)</a>");
        out.println("</form>");
    }

    private void renderOverview(PrintWriter out) {
        table(out, "Status", List.of("", ""));
        if (topology == null) {
            row(out, "Topology listener", "not running (bundle stratos-lvs-topology)");
        } else {
            ListenerStatus s = topology.status();
            Topology t = topology.current();
            row(out, "Broker", s.brokerUrl() + (s.connected() ? " (connected)" : " (NOT connected)"));
            row(out, "Topology", (t.initialized() ? "initialized" : "waiting for a complete topology") + ", "
                    + t.services().size() + " services, " + t.clusterCount() + " clusters, " + t.memberCount()
                    + " members (" + t.activeMemberCount() + " Active)");
            row(out, "Events", s.eventsApplied() + " applied, " + s.eventsIgnored() + " ignored, " + s.rejectsTotal()
                    + " rejected, " + s.completeTopologies() + " complete topologies, " + s.driftRepairs()
                    + " drift repairs");
            row(out, "Last event", s.lastEventAt() == null ? "-" : s.lastEventAt().toString());
        }
        if (control == null) {
            row(out, "keepalived", "keepalived control not running (bundle stratos-lvs-keepalived)");
        } else {
            ControlStatus c = control.status();
            row(out, "keepalived mode", c.mode());
            row(out, "keepalived", c.keepalived());
            row(out, "keepalived pid", c.pid() > 0 ? Long.toString(c.pid()) : "-");
            row(out, "Config file", c.configPath());
            row(out, "Reloads", Long.toString(c.reloads()));
            if (c.retry() != null) {
                row(out, "Retry", "attempt " + c.retry().attempt() + " at " + c.retry().at() + " after: "
                        + c.retry().after());
            }
        }
        if (generator == null) {
            row(out, "Rendering", "not running (bundle stratos-lvs-render)");
        } else {
            RenderStatus r = generator.status();
            for (String e : r.settingErrors()) {
                row(out, "Setting error", e);
            }
            for (String w : r.warnings()) {
                row(out, "Warning", w);
            }
            row(out, "Last render", r.lastRenderAt() == null ? "-" : r.lastRenderAt().toString());
        }
        endTable(out);
    }

    private void renderServices(PrintWriter out) {
        if (generator == null) {
            return;
        }
        String applied = control == null ? null : control.appliedConfig();
        Topology t = topology == null ? Topology.EMPTY : topology.current();
        table(out, "Virtual services", List.of("Service", "VIP", "State", "Ports", "Active members"));
        List<RenderStatus.MappedService> mapped = generator.status().mappedServices();
        for (RenderStatus.MappedService m : mapped) {
            cells(out, "lvs-service", m.serviceName(), m.virtualIp(), m.present() ? "present" : "ABSENT",
                    m.ports().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                    Integer.toString(m.activeMembers()));
        }
        if (mapped.isEmpty()) {
            cells(out, null, "none: set lvs.service.virtualip.set", "", "", "", "");
        }
        endTable(out);

        table(out, "Members of the mapped services", List.of("Service", "Cluster", "Member", "State", "Private IP",
                "Public IP", "Real server in applied keepalived.conf"));
        for (RenderStatus.MappedService m : mapped) {
            Service s = t.service(m.serviceName());
            if (s == null) {
                continue;
            }
            for (Cluster c : s.clusters().values()) {
                for (Member member : c.members().values()) {
                    cells(out, "lvs-member", s.serviceName(), c.clusterId(), member.memberId(),
                            member.status().toString(), dash(member.privateIp()), dash(member.publicIp()),
                            inApplied(applied, member) ? "yes" : "no");
                }
            }
        }
        endTable(out);
    }

    /** Whether the applied file has a real_server line for one of the member's addresses. */
    private static boolean inApplied(String applied, Member member) {
        if (applied == null) {
            return false;
        }
        for (String ip : new String[] {member.privateIp(), member.publicIp()}) {
            if (ip != null && applied.contains("real_server " + ip + " ")) {
                return true;
            }
        }
        return false;
    }

    private void renderHeldBack(PrintWriter out) {
        if (control == null) {
            return;
        }
        ControlStatus c = control.status();
        if (c.heldBackTotal() == 0) {
            return;
        }
        table(out, "Virtual servers held back: keepalived -t rejects them, the rest applies (" + c.heldBackTotal()
                + ")", List.of("Virtual server", "Service", "Members (line)", "Since", "Applied file has",
                "keepalived -t says"));
        for (ControlStatus.HeldBack h : c.heldBack()) {
            cells(out, "lvs-held-back", h.virtualServer(), h.service(), h.members(), String.valueOf(h.since()),
                    h.previousKept() ? "previous version" : "nothing (left out)", h.reason());
        }
        endTable(out);
    }

    private void renderApplies(PrintWriter out) {
        if (control == null) {
            return;
        }
        table(out, "Last applies (newest first)", List.of("When", "Result", "Duration", "Steps", "Cause"));
        List<ApplyRecord> applies = new ArrayList<>(control.status().lastApplies());
        Collections.reverse(applies);
        for (ApplyRecord a : applies) {
            cells(out, "lvs-apply", String.valueOf(a.at()), a.result(), a.millis() + " ms", a.steps(), a.cause());
        }
        endTable(out);
    }

    private void renderRejects(PrintWriter out) {
        if (topology == null) {
            return;
        }
        ListenerStatus s = topology.status();
        table(out, "Rejected topology messages", List.of("When", "Topic", "Reason", "Detail"));
        for (Map.Entry<String, Long> e : s.rejectsByReason().entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            cells(out, null, "total", "", e.getKey(), e.getValue() + " messages");
        }
        List<ListenerStatus.Reject> recent = new ArrayList<>(s.recentRejects());
        Collections.reverse(recent);
        for (ListenerStatus.Reject r : recent) {
            cells(out, "lvs-reject", String.valueOf(r.at()), r.topic(), r.reason(), r.detail());
        }
        endTable(out);
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }

    private static void table(PrintWriter out, String title, List<String> headers) {
        out.println("<table class='tablelayout nicetable' style='margin-bottom:1em'>");
        out.println("<thead><tr><th class='ui-widget-header' colspan='" + headers.size() + "'>" + esc(title)
                + "</th></tr>");
        if (headers.stream().anyMatch(h -> !h.isEmpty())) {
            out.print("<tr>");
            for (String h : headers) {
                out.print("<th>" + esc(h) + "</th>");
            }
            out.println("</tr>");
        }
        out.println("</thead><tbody>");
    }

    private static void endTable(PrintWriter out) {
        out.println("</tbody></table>");
    }

    private static void row(PrintWriter out, String name, String value) {
        out.println("<tr><td style='white-space:nowrap'>" + esc(name) + "</td><td>" + esc(value) + "</td></tr>");
    }

    private static void cells(PrintWriter out, String cssClass, String... values) {
        out.print(cssClass == null ? "<tr>" : "<tr class='" + esc(cssClass) + "'>");
        for (String v : values) {
            out.print("<td>" + esc(v) + "</td>");
        }
        out.println("</tr>");
    }
}
