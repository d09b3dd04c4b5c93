package org.stratoslvs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.api.KeepalivedControl;

/**
 * Who may change the load balancer, in the real assembly: the web console refuses a cross-origin POST (a foreign
 * page using the admin's cached Basic credentials) and takes the console's own same-origin saves, over HTTP and
 * from the Configuration page in a real browser; the lvs:* commands that act need admin, the read-only ones viewer
 * (etc/org.apache.karaf.command.acl.lvs.cfg), over SSH as a script runs them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SecurityIT extends LvsKarafTestSupport {

    private static final String VIEWER = "lvsviewer";
    private static final String VIEWER_PASSWORD = "v13wer";
    private static final String ADMIN_BASIC = "Basic "
            + Base64.getEncoder().encodeToString("karaf:karaf".getBytes(StandardCharsets.UTF_8));

    @Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Override
    protected MavenArtifactUrlReference distribution() {
        return ourAssembly();
    }

    @Override
    protected List<Option> extraOptions() {
        return List.of(
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "lvs.service.virtualip.set", VIP_MAPPING),
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "render-only"),
                // a user with the viewer role only (and ssh, to log in over SSH)
                editConfigurationFilePut("etc/users.properties", VIEWER, VIEWER_PASSWORD + ",viewer,ssh"));
    }

    // ---- shell ACL -----------------------------------------------------------------------------------------

    @Test
    public void a_viewerReadsButCannotReloadResyncOrValidate() throws Exception {
        KeepalivedControl control = awaitService(KeepalivedControl.class);
        assertTrue("the ACL file is not in etc/", Files.isRegularFile(
                Path.of(System.getProperty("karaf.etc"), "org.apache.karaf.command.acl.lvs.cfg")));

        SshRun status = ssh(VIEWER, VIEWER_PASSWORD, "lvs:status");
        assertEquals(status.toString(), 0, status.exit());
        assertTrue(status.toString(), status.out().contains("render-only"));
        SshRun services = ssh(VIEWER, VIEWER_PASSWORD, "lvs:services");
        assertTrue(services.toString(), services.out().contains("192.168.56.40"));

        ApplyRecord before = control.status().lastApply();
        for (String command : new String[] {"lvs:reload", "lvs:resync", "lvs:validate"}) {
            SshRun refused = ssh(VIEWER, VIEWER_PASSWORD, command);
            assertTrue(command + " was not refused to a viewer: " + refused,
                    refused.out().contains("Command not found") || refused.out().contains("Insufficient"));
        }
        Thread.sleep(1_000);
        assertEquals("a viewer's lvs:reload reached keepalived control", before, control.status().lastApply());
    }

    @Test
    public void b_adminCanReload() throws Exception {
        awaitService(KeepalivedControl.class);
        SshRun reload = ssh("karaf", "karaf", "lvs:reload");
        assertEquals(reload.toString(), 0, reload.exit());
        // the command's own report: an apply's result, or that none finished in its 30 s (no topology yet)
        assertTrue(reload.toString(), java.util.regex.Pattern.compile("^(applied|unchanged|rejected|reload failed|Reload requested)")
                .matcher(reload.out().strip()).find());
    }

    // ---- web console -------------------------------------------------------------------------------------

    private static String console() {
        return "http://127.0.0.1:" + System.getProperty("itest.http.port") + "/system/console";
    }

    private static String ownOrigin() {
        return "http://127.0.0.1:" + System.getProperty("itest.http.port");
    }

    @Test
    public void c_crossOriginPostToTheConfigurationPageIsRefusedAndChangesNothing() throws Exception {
        awaitConsole();
        String before = delayLoop();
        String configMgr = console() + "/configMgr/org.stratoslvs";
        // a foreign page's form post, the admin's cached credentials attached by the browser
        assertEquals(403, post(configMgr, saveForm("23"), "Origin", "http://evil.example"));
        // no Origin (an older browser's form post) and a foreign Referer
        assertEquals(403, post(configMgr, saveForm("23"), "Referer", "http://evil.example/attack.html"));
        // neither header: what a page that suppresses its referrer looks like
        assertEquals(403, post(configMgr, saveForm("23")));
        // the opaque origin of a sandboxed frame or data: page
        assertEquals(403, post(configMgr, saveForm("23"), "Origin", "null"));
        // another port of this host is another origin
        assertEquals(403, post(configMgr, saveForm("23"), "Origin", "http://127.0.0.1:1"));
        // the other console pages as well (a harmless one here: the guard does not look at what is posted)
        assertEquals(403, post(console() + "/vmstat", "x=1", "Origin", "http://evil.example"));

        Thread.sleep(2_000);
        assertEquals("a refused POST changed the configuration", before, delayLoop());
        // reading is not affected
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(configMgr)).GET()));
    }

    @Test
    public void d_sameOriginSaveOverHttpWorks() throws Exception {
        awaitConsole();
        String configMgr = console() + "/configMgr/org.stratoslvs";
        assertEquals(302, post(configMgr, saveForm("17"), "Origin", ownOrigin()));
        assertTrue("the same-origin save did not change the configuration",
                await(() -> "17".equals(delayLoop()), 10_000));
        // a Referer of the console's own page does as well (browsers that send no Origin)
        assertEquals(302, post(configMgr, saveForm("18"), "Referer", configMgr));
        assertTrue(await(() -> "18".equals(delayLoop()), 10_000));
    }

    /**
     * The Configuration page's own Save button, clicked in Debian's chromium: the browser's request must pass
     * (chromium sends the page's Origin with it).
     */
    @Test
    public void e_saveFromTheConfigurationPageInABrowserWorks() throws Exception {
        awaitConsole();
        if (!Files.isExecutable(HeadlessChromium.BINARY)) {
            failIfCi("chromium is not installed");
            org.junit.Assume.assumeTrue("chromium is not installed", false);
        }
        String url = "http://karaf:karaf@127.0.0.1:" + System.getProperty("itest.http.port")
                + "/system/console/configMgr/org.stratoslvs";
        Path profile = Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "chromium");
        String changed = "19".equals(delayLoop()) ? "21" : "19";
        try (HeadlessChromium browser = HeadlessChromium.open(url, profile)) {
            // the page opens the editor for the PID in its URL; change one field and press Save, as a user does
            String script = String.join("\n",
                    "new Promise((resolve) => {",
                    "  const deadline = Date.now() + 30000;",
                    "  (function poll() {",
                    "    const form = document.getElementById('editorForm');",
                    "    const field = form && form.querySelector(\"[name='lvs.delay.loop']\");",
                    "    const save = Array.from(document.querySelectorAll('.ui-dialog-buttonpane button'))",
                    "        .find(b => b.textContent.trim() === 'Save');",
                    "    if (field && save) { field.value = '" + changed + "'; save.click(); resolve('clicked'); }",
                    "    else if (Date.now() > deadline) { resolve('no editor: field ' + !!field + ', save ' + !!save); }",
                    "    else { setTimeout(poll, 200); }",
                    "  })();",
                    "})");
            String clicked = "";
            // while the first page load still navigates (login, redirects) the script's context can go away
            for (int attempt = 0; attempt < 10 && !clicked.equals("clicked"); attempt++) {
                if (attempt > 0) {
                    Thread.sleep(1_000);
                }
                clicked = browser.evaluate(script, Duration.ofSeconds(60));
                if (!clicked.contains("context")) {
                    break;
                }
            }
            assertEquals("clicked", clicked);
            assertTrue("the browser's save from the Configuration page did not change the configuration ("
                    + delayLoop() + ")", await(() -> changed.equals(delayLoop()), 20_000));
        }
    }

    private void awaitConsole() throws InterruptedException {
        assertTrue("the web console never came up", await(() -> {
            try {
                return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console() + "/configMgr"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 401;
            } catch (Exception e) {
                return false;
            }
        }, 60_000));
    }

    private String delayLoop() {
        try {
            Object value = awaitService(ConfigurationAdmin.class).getConfiguration("org.stratoslvs", null)
                    .getProperties().get("lvs.delay.loop");
            return value == null ? null : value.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Configuration page's save request for org.stratoslvs: every current property, lvs.delay.loop changed. */
    private String saveForm(String delayLoop) throws Exception {
        Dictionary<String, Object> current = awaitService(ConfigurationAdmin.class)
                .getConfiguration("org.stratoslvs", null).getProperties();
        StringBuilder form = new StringBuilder("apply=true&action=ajaxConfigManager");
        StringBuilder names = new StringBuilder("lvs.delay.loop");
        form.append("&lvs.delay.loop=").append(delayLoop);
        for (String key : Collections.list(current.keys())) {
            if (key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")
                    || key.equals("lvs.delay.loop")) {
                continue;
            }
            names.append(',').append(key);
            form.append('&').append(encode(key)).append('=').append(encode(String.valueOf(current.get(key))));
        }
        return form.append("&propertylist=").append(encode(names.toString())).toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A form POST with the admin's credentials and the given headers (name, value, ...); returns the status. */
    private static int post(String url, String form, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private static int send(HttpRequest.Builder request) throws Exception {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(request.header("Authorization", ADMIN_BASIC).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // ---- ssh -------------------------------------------------------------------------------------------------

    private record SshRun(int exit, String out) {
        @Override
        public String toString() {
            return "exit " + exit + ":\n" + out;
        }
    }

    /** {@code ssh -p PORT user@127.0.0.1 command}, stdin not a terminal, as a script runs it. */
    private static SshRun ssh(String user, String password, String command) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/ssh"))) {
            failIfCi("the OpenSSH client is not installed");
            org.junit.Assume.assumeTrue("the OpenSSH client is not installed", false);
        }
        Path askpass = Files.createTempFile(Path.of(System.getProperty("karaf.data")), "askpass", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(askpass, "#!/bin/sh\necho '" + password + "'\n");
        ProcessBuilder ssh = new ProcessBuilder("/usr/bin/ssh", "-p", System.getProperty("itest.ssh.port"),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10",
                user + "@127.0.0.1", command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true);
        ssh.environment().put("SSH_ASKPASS", askpass.toString());
        ssh.environment().put("SSH_ASKPASS_REQUIRE", "force");
        ssh.environment().put("DISPLAY", ":0");
        Process p = ssh.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("ssh did not end", p.waitFor(60, TimeUnit.SECONDS));
        Files.delete(askpass);
        return new SshRun(p.exitValue(), out);
    }
}
