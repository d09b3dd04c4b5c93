package org.stratoslvs.render;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.stratoslvs.render.RenderSettings.Grouping;
import org.stratoslvs.render.RenderSettings.ServiceSettings;
import org.stratoslvs.render.RenderSettings.VirtualIp;
import org.stratoslvs.render.RenderSettings.VrrpSettings;
import org.stratoslvs.render.RenderSettings.VrrpState;

/**
 * The VRRP part of keepalived.conf ({@code vrrp_sync_group} and {@code vrrp_instance}s holding the VIPs), from the
 * settings alone: one instance for all VIPs or one per mapped service, router ids and priorities, unicast peers,
 * notify scripts. Writes into the rendering's text and reports into its warnings and errors, as
 * {@link KeepalivedRenderer}'s other parts do.
 */
final class VrrpRenderer {

    /** One VRRP instance to render. */
    private record Instance(String name, int vrid, String comment, List<VirtualIp> vips, boolean ipv6,
                            VrrpState state, int priority) {
    }

    private final RenderSettings settings;
    private final StringBuilder out;
    private final List<String> warnings;
    private final List<String> errors;

    VrrpRenderer(RenderSettings settings, StringBuilder out, List<String> warnings, List<String> errors) {
        this.settings = settings;
        this.out = out;
        this.warnings = warnings;
        this.errors = errors;
    }

    private void line(int depth, String s) {
        KeepalivedRenderer.line(out, depth, s);
    }

    private void line(int depth, String keyword, long value) {
        KeepalivedRenderer.line(out, depth, keyword, value);
    }

    void render() {
        VrrpSettings v = settings.vrrp();
        List<Instance> instances = v.grouping() == Grouping.SINGLE ? singleInstance(v) : perServiceInstances(v);
        boolean group = v.syncGroup() && instances.size() >= 2;
        if (v.syncGroup() && instances.size() < 2) {
            warnings.add("vrrp.sync.group is true but only " + instances.size() + " VRRP instance is rendered;"
                    + " no sync group is written (keepalived rejects a group of one).");
        }
        if (group) {
            out.append('\n');
            line(0, "vrrp_sync_group SG_stratos {");
            line(1, "group {");
            for (Instance i : instances) {
                line(2, i.name());
            }
            line(1, "}");
            renderNotify(1, v);
            line(0, "}");
        }
        for (Instance i : instances) {
            renderInstance(i, v, !group);
        }
    }

    private List<Instance> singleInstance(VrrpSettings v) {
        List<VirtualIp> vips = uniqueVips(new ArrayList<>(settings.virtualIps().values()));
        if (vips.isEmpty()) {
            return List.of();
        }
        boolean has4 = vips.stream().anyMatch(x -> !x.ipv6());
        boolean has6 = vips.stream().anyMatch(VirtualIp::ipv6);
        boolean ipv6 = !has4;
        if (!v.unicastPeers().isEmpty()) {
            boolean peers4 = v.unicastPeers().stream().anyMatch(p -> p.indexOf(':') < 0);
            boolean peers6 = v.unicastPeers().stream().anyMatch(p -> p.indexOf(':') >= 0);
            if (has4 && peers4) {
                ipv6 = false;
            } else if (has6 && peers6) {
                ipv6 = true;
            }
        }
        return List.of(new Instance("VI_stratos", v.virtualRouterId(), "all mapped services", vips, ipv6,
                v.state(), v.priority()));
    }

    private List<Instance> perServiceInstances(VrrpSettings v) {
        List<Instance> out = new ArrayList<>();
        Map<String, String> vipOwner = new HashMap<>();
        Map<Integer, String> vridOwner = new HashMap<>();
        int index = 0;
        for (VirtualIp vip : settings.virtualIps().values()) {
            int n = index++;
            String name = vip.serviceName();
            String owner = vipOwner.get(vip.address());
            if (owner != null) {
                warnings.add("Service " + name + " shares VIP " + vip.address() + " with service " + owner
                        + "; the VIP is held by " + owner + "'s VRRP instance.");
                continue;
            }
            ServiceSettings ss = settings.forService(name);
            int vrid = ss.vrrpRouterId() != null ? ss.vrrpRouterId() : v.virtualRouterId() + n;
            if (vrid > 255) {
                errors.add("Service " + name + ": virtual_router_id " + v.virtualRouterId() + "+" + n + " = "
                        + vrid + " exceeds 255; its VIP " + vip.address() + " is not held by this director. "
                        + "Lower vrrp.virtual.router.id or pin one in the service's configuration.");
                continue;
            }
            if (vridOwner.containsKey(vrid)) {
                errors.add("Service " + name + ": virtual_router_id " + vrid + " is already used by service "
                        + vridOwner.get(vrid) + "; its VIP " + vip.address() + " is not held by this director.");
                continue;
            }
            vipOwner.put(vip.address(), name);
            vridOwner.put(vrid, name);
            VrrpState state = ss.vrrpState() != null ? ss.vrrpState() : v.state();
            int priority = ss.vrrpPriority() != null ? ss.vrrpPriority() : v.priority();
            out.add(new Instance("VI_" + vrid, vrid, "service " + name, List.of(vip), vip.ipv6(), state,
                    priority));
        }
        return out;
    }

    /** VIPs with duplicates (services sharing an address) removed, in address order. */
    private List<VirtualIp> uniqueVips(List<VirtualIp> vips) {
        Map<String, VirtualIp> byAddress = new HashMap<>();
        for (VirtualIp vip : vips) {
            byAddress.putIfAbsent(vip.address(), vip);
        }
        List<VirtualIp> out = new ArrayList<>(byAddress.values());
        out.sort((a, b) -> KeepalivedRenderer.ADDRESS_ORDER.compare(KeepalivedRenderer.bytes(a.address()), KeepalivedRenderer.bytes(b.address())));
        return out;
    }

    private void renderInstance(Instance i, VrrpSettings v, boolean notify) {
        boolean auth = v.authType() != RenderSettings.AuthType.NONE && !i.ipv6();
        VrrpState state = i.state();
        if (auth && v.authType() == RenderSettings.AuthType.AH && state == VrrpState.MASTER) {
            warnings.add("VRRP instance " + i.name() + " (" + i.comment() + "): keepalived cannot start as MASTER"
                    + " with AH authentication; rendered as BACKUP (the highest priority still wins).");
            state = VrrpState.BACKUP;
        }
        out.append('\n');
        line(0, "# " + i.comment());
        line(0, "vrrp_instance " + i.name() + " {");
        line(1, "state " + state.name());
        line(1, "interface " + v.iface());
        line(1, "virtual_router_id", i.vrid());
        line(1, "priority", i.priority());
        line(1, "advert_int", v.advertInt());
        if (state == VrrpState.BACKUP) {
            if (v.nopreempt()) {
                line(1, "nopreempt");
            }
            if (v.preemptDelay() != null) {
                line(1, "preempt_delay", v.preemptDelay());
            }
        } else if (v.nopreempt() || v.preemptDelay() != null) {
            warnings.add("VRRP instance " + i.name() + " (" + i.comment() + ") starts as MASTER: nopreempt and"
                    + " preempt_delay are not rendered for it (keepalived ignores them with MASTER).");
        }
        if (v.garpMasterDelay() != null) {
            line(1, "garp_master_delay", v.garpMasterDelay());
        }
        if (v.garpMasterRepeat() != null) {
            line(1, "garp_master_repeat", v.garpMasterRepeat());
        }
        if (v.garpMasterRefresh() != null) {
            line(1, "garp_master_refresh", v.garpMasterRefresh());
        }
        if (v.garpMasterRefreshRepeat() != null) {
            line(1, "garp_master_refresh_repeat", v.garpMasterRefreshRepeat());
        }
        renderUnicast(i, v);
        if (!v.trackInterfaces().isEmpty()) {
            line(1, "track_interface {");
            for (String t : v.trackInterfaces()) {
                line(2, t);
            }
            line(1, "}");
        }
        if (v.authType() != RenderSettings.AuthType.NONE) {
            if (!auth) {
                warnings.add("VRRP instance " + i.name() + " (" + i.comment() + ") is IPv6 (VRRPv3, which has no"
                        + " authentication): vrrp.auth.type is not rendered for it.");
            } else {
                line(1, "authentication {");
                line(2, "auth_type " + v.authType().name());
                line(2, "auth_pass " + v.authPass().reveal());
                line(1, "}");
            }
        }
        if (notify) {
            renderNotify(1, v);
        }
        line(1, "virtual_ipaddress {");
        int advertised = 0;
        for (VirtualIp vip : i.vips()) {
            if (vip.ipv6() == i.ipv6() && advertised < KeepalivedRenderer.MAX_ADVERTISED_VIPS) {
                vipLine(vip, v);
                advertised++;
            }
        }
        line(1, "}");
        boolean excluded = false;
        advertised = 0;
        for (VirtualIp vip : i.vips()) {
            boolean inAdvert = vip.ipv6() == i.ipv6() && advertised++ < KeepalivedRenderer.MAX_ADVERTISED_VIPS;
            if (!inAdvert) {
                if (!excluded) {
                    // keepalived: all virtual_ipaddress entries share the instance's family, and an advert
                    // has room for a limited number; the rest are held without being advertised
                    line(1, "virtual_ipaddress_excluded {");
                    excluded = true;
                }
                vipLine(vip, v);
            }
        }
        if (excluded) {
            line(1, "}");
        }
        line(0, "}");
    }

    private void vipLine(VirtualIp vip, VrrpSettings v) {
        out.append(KeepalivedRenderer.INDENT[2]).append(vip.address()).append('/').append(vip.prefix()).append(" dev ")
                .append(v.vipDevice()).append('\n');
    }

    private void renderUnicast(Instance i, VrrpSettings v) {
        if (v.unicastPeers().isEmpty()) {
            return;
        }
        List<String> peers = new ArrayList<>();
        for (String p : v.unicastPeers()) {
            if ((p.indexOf(':') >= 0) == i.ipv6()) {
                peers.add(p);
            }
        }
        if (peers.isEmpty()) {
            errors.add("VRRP instance " + i.name() + " (" + i.comment() + ") is " + (i.ipv6() ? "IPv6" : "IPv4")
                    + " but vrrp.unicast.peers has no peer of that family; it advertises by multicast.");
            return;
        }
        for (String s : v.unicastSrcIps()) {
            if ((s.indexOf(':') >= 0) == i.ipv6()) {
                line(1, "unicast_src_ip " + s);
            }
        }
        line(1, "unicast_peer {");
        for (String p : peers) {
            line(2, p);
        }
        line(1, "}");
    }

    private void renderNotify(int depth, VrrpSettings v) {
        if (v.notifyMaster() != null) {
            line(depth, "notify_master " + v.notifyMaster());
        }
        if (v.notifyBackup() != null) {
            line(depth, "notify_backup " + v.notifyBackup());
        }
        if (v.notifyFault() != null) {
            line(depth, "notify_fault " + v.notifyFault());
        }
        if (v.notifyStop() != null) {
            line(depth, "notify_stop " + v.notifyStop());
        }
    }
}
