package org.stratoslvs.webconsole.internal;

import java.io.IOException;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.osgi.service.component.annotations.Component;

/**
 * Refuses requests that can change something (POST, PUT, DELETE, ...) to the whole web console,
 * {@code /system/console} and below, unless they prove they come from the console's own pages (see
 * {@link SameOrigin}). Our LVS page's actions carry a token, but the Felix console's own pages do not: without
 * this, any web page an admin opens could post to the Configuration page (configMgr) with the browser's cached
 * Basic credentials and set {@code keepalived.binary}, {@code keepalived.command.prefix} or {@code vrrp.notify.*},
 * a command run as root.
 *
 * <p>Why a Jetty handler and not a servlet filter: the Felix console registers its servlet through the HttpService
 * with an HttpContext of its own, and Pax Web 8 keeps such a context private to the registering bundle; an OSGi
 * Http Whiteboard filter selecting {@code (osgi.http.whiteboard.context.httpservice=*)} finds no context to join
 * ("No matching target context(s)", even with the pax-web-whiteboard extender installed), so it never runs. Pax Web
 * 8's Jetty runtime instead runs every {@link Handler} OSGi service with a positive {@code service.ranking} before
 * all servlet contexts, and skips them once a handler marked the request handled: this one does that for a refused
 * request, and leaves every other request alone. It needs Pax Web on Jetty (Karaf 4.4's {@code http} feature).
 */
@Component(service = Handler.class, property = "service.ranking:Integer=1000")
public class SameOriginGuard extends AbstractHandler {

    private final OriginRefusals refusals = new OriginRefusals();

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        // target: Jetty's decoded, canonical path, the one its contexts map servlets by
        if (!SameOrigin.isConsolePath(target)) {
            return;
        }
        SameOrigin.Decision decision = SameOrigin.check(request.getMethod(), request.getScheme(),
                request.getServerName(), request.getServerPort(), request.getHeader("Origin"),
                request.getHeader("Referer"));
        if (decision.verdict().allowed()) {
            return;
        }
        refusals.refused(request.getMethod(), target, decision);
        baseRequest.setHandled(true);
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "refused: a " + request.getMethod() + " to the web"
                + " console must come from the console's own pages (an Origin or Referer of this server)");
    }

    /** Refused requests since the bundle started. */
    long refusedTotal() {
        return refusals.total();
    }
}
