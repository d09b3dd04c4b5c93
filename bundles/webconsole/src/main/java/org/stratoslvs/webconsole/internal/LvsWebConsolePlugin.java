package org.stratoslvs.webconsole.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/**
 * The "LVS" page of Karaf's web console at {@code /system/console/lvs}. A plain servlet with the
 * {@code felix.webconsole.label} property: the Felix web console draws its frame and navigation around what
 * {@link #doGet} writes, and guards it with Karaf's login (role admin, etc/org.apache.karaf.webconsole.cfg).
 *
 * <p>Actions are POSTs that must carry a token only this page shows: the browser sends the console's Basic
 * credentials to any site's form, so without it another page could make an admin's browser reload keepalived.
 */
@Component(service = Servlet.class, property = {
        "felix.webconsole.label=" + LvsWebConsolePlugin.LABEL,
        "felix.webconsole.title=LVS",
        "felix.webconsole.category=Stratos"})
public class LvsWebConsolePlugin extends HttpServlet {

    static final String LABEL = "lvs";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TopologyService topology;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigGenerator generator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeepalivedControl control;

    private final String actionToken = newToken();

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        new LvsPage(topology, generator, control).render(out, actionToken, req.getParameter("done"));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String token = req.getParameter("token");
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                actionToken.getBytes(StandardCharsets.UTF_8))) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or wrong action token; reload the LVS page");
            return;
        }
        String done = Actions.run(req.getParameter("action"), topology, control);
        // Post/redirect/get: a browser refresh does not repeat the action.
        resp.sendRedirect(LABEL + "?done=" + java.net.URLEncoder.encode(done, StandardCharsets.UTF_8));
    }
}
