package org.stratoslvs.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * The memory a director pays for the started assembly: the resident set (VmRSS) of its JVM idle, and after a
 * complete topology of N members published on its embedded broker has been rendered into keepalived.conf.
 *
 * <p>Runs a copy of {@code karaf-assembly/target/assembly} (so the built one stays clean) in server mode, on free
 * ports, with {@code keepalived.mode = render-only} (no root, no keepalived needed), its heap as {@code bin/setenv}
 * sets it unless {@code --java-opts} adds options. One command:
 * {@code java -cp benchmarks/target/benchmarks.jar org.stratoslvs.benchmarks.AssemblyFootprintBenchmark}
 * ({@code --members=10000 --services=1000 --assembly=DIR --java-opts="-Xmx..."}).
 */
public final class AssemblyFootprintBenchmark {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(3);

    private AssemblyFootprintBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new TreeMap<>();
        for (String a : args) {
            if (a.equals("--help")) {
                System.out.println("options: --assembly=karaf-assembly/target/assembly --members=10000 "
                        + "--services=1000 --java-opts=\"...\" (appended to bin/setenv's) --settle-seconds=20 --bomb=false "
                        + "(then publish 3.2 million empty members in 32,000,000 bytes and check it is refused)");
                return;
            }
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument " + a + " (--help)");
            }
            opts.put(a.substring(2, eq), a.substring(eq + 1));
        }
        Path assembly = Paths.get(opts.getOrDefault("assembly", "karaf-assembly/target/assembly")).toAbsolutePath();
        int members = Integer.parseInt(opts.getOrDefault("members", "10000"));
        int services = Integer.parseInt(opts.getOrDefault("services", "1000"));
        String javaOpts = opts.getOrDefault("java-opts", "");
        int settle = Integer.parseInt(opts.getOrDefault("settle-seconds", "20"));
        boolean bomb = Boolean.parseBoolean(opts.getOrDefault("bomb", "false"));
        if (!Files.isExecutable(assembly.resolve("bin/karaf"))) {
            throw new IllegalStateException(assembly + "/bin/karaf missing: build with mvn install -DskipTests");
        }
        run(assembly, members, services, javaOpts, settle, bomb, System.out);
    }

    static void run(Path assembly, int members, int services, String javaOpts, int settle, boolean bomb,
                    PrintStream out) throws Exception {
        Path home = Files.createTempDirectory("stratos-lvs-footprint");
        Process karaf = null;
        boolean done = false;
        try {
            copyTree(assembly, home);
            int openwire = freePort();
            int mqtt = freePort();
            // Everything on free ports of loopback, so that another assembly on this machine does not matter.
            Files.writeString(home.resolve("etc/org.stratoslvs.broker.cfg"), "bind.address = 127.0.0.1\n"
                    + "openwire.port = " + openwire + "\nmqtt.port = " + mqtt + "\n");
            Files.writeString(home.resolve("etc/org.stratoslvs.cfg"), "lvs.service.virtualip.set = "
                    + ApplyLatencyBenchmark.vipMapping(services) + "\nbroker.url = tcp://127.0.0.1:" + openwire
                    + "\nkeepalived.mode = render-only\nvrrp.interface = " + anInterface() + "\n");
            replaceKey(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", freePort());
            replaceKey(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort", freePort());
            replaceKey(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort", freePort());
            replaceKey(home.resolve("etc/org.ops4j.pax.web.cfg"), "org.osgi.service.http.port", freePort());

            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                    .redirectErrorStream(true).redirectOutput(home.resolve("console.out").toFile());
            if (!javaOpts.isBlank()) {
                pb.environment().put("EXTRA_JAVA_OPTS", javaOpts);
            }
            long t0 = System.nanoTime();
            karaf = pb.start();
            ProcessHandle jvm = awaitJvm(karaf);
            out.printf("assembly copy %s, JVM pid %d: %s%n", home, jvm.pid(),
                    jvm.info().arguments().map(a -> heapArgs(a)).orElse("?"));
            awaitPort(openwire, START_TIMEOUT, karaf);
            Path conf = home.resolve("data/keepalived/keepalived.conf");
            // The listener asks for the complete topology once it is subscribed: then every bundle of ours is up.
            awaitFile(home.resolve("data/log/karaf.log"), "Requesting the complete topology", START_TIMEOUT, karaf);
            out.printf("started (broker up, complete topology requested) in %.1f s%n", seconds(t0));
            long idle = settledRss(jvm.pid(), settle, out, "idle");

            String body = StratosMessages.completeTopology(services, 1, members / services, 0, 0);
            String lastIp = StratosMessages.ip(services - 1, 0, members / services - 1);
            ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + openwire);
            long t1 = System.nanoTime();
            try (Connection c = factory.createConnection()) {
                Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = session.createProducer(session.createTopic("topology.CompleteTopologyEvent"));
                producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
                producer.send(session.createTextMessage(body));
            }
            body = null;
            awaitFile(conf, "real_server " + lastIp + " ", APPLY_TIMEOUT, karaf);
            out.printf("%,d members (%,d services) published and in keepalived.conf (%,d bytes) in %.1f s%n",
                    members, services, Files.size(conf), seconds(t1));
            long peakRss = status(jvm.pid(), "VmHWM");
            long loaded = settledRss(jvm.pid(), settle, out, "with " + members + " members");
            out.printf("RESULT idle VmRSS %d MB; with %,d members VmRSS %d MB (peak VmHWM %d MB)%n", idle >> 10,
                    members, loaded >> 10, peakRss >> 10);
            if (bomb) {
                publishBomb(openwire, home.resolve("data/log/karaf.log"), karaf, out);
                out.printf("after the bomb: VmRSS %d MB, VmHWM %d MB%n", status(jvm.pid(), "VmRSS") >> 10,
                        status(jvm.pid(), "VmHWM") >> 10);
            }
            done = true;
        } finally {
            if (karaf != null) {
                stop(karaf);
            }
            if (done) {
                deleteTree(home);
            } else {
                out.println("kept for a look: " + home + " (data/log/karaf.log)");
            }
        }
    }

    /** The element bomb of issue 11 (3.2 million empty members, 32,000,000 bytes): refused, and no OutOfMemoryError. */
    private static void publishBomb(int openwire, Path log, Process karaf, PrintStream out) throws Exception {
        StringBuilder sb = new StringBuilder(32_000_100).append("{\"topology\":{\"serviceMap\":{\"s\":{\"serviceName\":"
                + "\"s\",\"clusterIdClusterMap\":{\"s.c\":{\"serviceName\":\"s\",\"clusterId\":\"s.c\",\"memberMap\":{");
        String symbols = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (int i = 0; i < 3_200_000; i++) {
            sb.append(i == 0 ? "\"" : ",\"");
            for (int d = 0, n = i; d < 4; d++, n /= 62) {
                sb.append(symbols.charAt(n % 62));
            }
            sb.append("\":{}");
        }
        byte[] body = sb.append("}}}}}}}").toString().getBytes(StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        try (Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + openwire).createConnection()) {
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic("topology.CompleteTopologyEvent"));
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            var message = session.createBytesMessage();
            message.writeBytes(body);
            producer.send(message);
        }
        awaitFile(log, "Rejected a message on topology.CompleteTopologyEvent", APPLY_TIMEOUT, karaf);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        int at = text.indexOf("Rejected a message on topology.CompleteTopologyEvent");
        String line = text.substring(at, text.indexOf('\n', at));
        out.printf("bomb of %,d bytes refused in %.1f s: %s (line of %d characters); OutOfMemoryError in the log: %s%n",
                body.length, seconds(t0), line.length() > 200 ? line.substring(0, 200) + "..." : line, line.length(),
                text.contains("OutOfMemoryError"));
    }

    /** Samples VmRSS every second until it moved less than 1% over 5 s (or {@code maxSeconds}); in KiB. */
    private static long settledRss(long pid, int maxSeconds, PrintStream out, String what) throws Exception {
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < maxSeconds; i++) {
            samples.add(status(pid, "VmRSS"));
            int n = samples.size();
            if (n >= 6) {
                long min = Long.MAX_VALUE;
                long max = 0;
                for (long s : samples.subList(n - 6, n)) {
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
                if (max - min <= max / 100) {
                    break;
                }
            }
            Thread.sleep(1000);
        }
        long last = samples.get(samples.size() - 1);
        out.printf("%s: VmRSS %d MB after %d s of sampling%n", what, last >> 10, samples.size());
        return last;
    }

    /** A field of /proc/PID/status in KiB. */
    static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /** bin/karaf runs java as a child (or execs it): the process whose command is java. */
    private static ProcessHandle awaitJvm(Process karaf) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (isJava(karaf.toHandle())) {
                return karaf.toHandle();
            }
            Optional<ProcessHandle> child = karaf.descendants().filter(AssemblyFootprintBenchmark::isJava).findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            if (!karaf.isAlive()) {
                throw new IllegalStateException("bin/karaf ended with " + karaf.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no JVM under bin/karaf");
    }

    /** Karaf's JVM, not the {@code java -version} bin/karaf runs first to learn the version. */
    private static boolean isJava(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/java")).orElse(false)
                && p.info().arguments().map(a -> List.of(a).contains("org.apache.karaf.main.Main")).orElse(false);
    }

    private static String heapArgs(String[] args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (a.startsWith("-Xm") || a.startsWith("-XX:") && !a.contains("Diagnostic")) {
                sb.append(a).append(' ');
            }
        }
        return sb.length() == 0 ? "(JVM default heap)" : sb.toString().trim();
    }

    private static void awaitPort(int port, Duration timeout, Process karaf) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!karaf.isAlive()) {
                    throw new IllegalStateException("Karaf ended with " + karaf.exitValue());
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker did not listen on " + port + " within " + timeout);
    }

    private static void awaitFile(Path file, String text, Duration timeout, Process karaf) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                try {
                    if (Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
                        return;
                    }
                } catch (IOException e) {
                    // replaced while reading: read again
                }
            }
            if (!karaf.isAlive()) {
                throw new IllegalStateException("Karaf ended with " + karaf.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(file + " did not get \"" + text + "\" within " + timeout);
    }

    /** bin/karaf's own shutdown (SIGTERM to the JVM), then a kill of what is left of the processes we started. */
    private static void stop(Process karaf) throws InterruptedException {
        List<ProcessHandle> ours = new ArrayList<>(karaf.descendants().toList());
        ours.forEach(ProcessHandle::destroy);
        karaf.destroy();
        if (!karaf.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            karaf.destroyForcibly();
        }
        for (ProcessHandle p : ours) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /** keepalived -t (which render-only still runs) wants an interface of this host that is not loopback. */
    private static String anInterface() throws IOException {
        try (var names = Files.list(Paths.get("/sys/class/net"))) {
            return names.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lo")).sorted().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no network interface but lo"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void replaceKey(Path cfg, String key, int value) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(cfg)) {
            lines.add(line.matches("\\s*" + java.util.regex.Pattern.quote(key) + "\\s*=.*") ? key + " = " + value : line);
        }
        Files.write(cfg, lines);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
