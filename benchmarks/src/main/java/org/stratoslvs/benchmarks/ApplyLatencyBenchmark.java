package org.stratoslvs.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.Topic;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.ControlStatus.ApplyRecord;
import org.stratoslvs.core.topology.Outcome;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyStore;
import org.stratoslvs.keepalived.ApplyPipeline;
import org.stratoslvs.keepalived.KeepalivedSettings;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderLoop;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;
import org.stratoslvs.topology.TopologyFeed;

/**
 * End-to-end apply latency: a Stratos member event published on a real (embedded, loopback) ActiveMQ broker until
 * the new keepalived.conf is durable and a real keepalived got its SIGHUP. Not a JMH benchmark: what is timed is a
 * chain of threads and processes (the Camel route, the apply thread, {@code keepalived -t}, {@code kill}), one
 * event at a time.
 *
 * <p>The pipeline is the production one, wired as the OSGi components wire it: {@link TopologyFeed} (Camel JMS
 * route) → {@link TopologyStore} → {@link RenderLoop} ({@link KeepalivedRenderer} on its own thread, merging
 * bursts) → {@link ApplyPipeline} in
 * managed mode, which validates with {@code keepalived -t}, writes atomically with fsync and sends SIGHUP to the
 * keepalived it supervises. keepalived runs VRRP-only ({@code -P}, the kernel here has no IPVS) in a network
 * namespace this harness creates and deletes ({@code -s}); it still parses, validates and reloads the whole file,
 * virtual servers included.
 *
 * <p>For each size: a complete topology, warm-up events, then single member events (MemberSuspended and
 * MemberActivated of the same member, alternately, so every event changes the file), each applied alone. After
 * each one, once keepalived is idle again, the floor of the same event: the same body published to a topic only a
 * plain JMS consumer reads, which writes and fsyncs the same bytes (the text just applied). Then a burst: events
 * published as fast as one producer can, timed from the last publish until the text of the last event is applied.
 *
 * <p>Run as root (network namespaces, keepalived): {@code java -cp benchmarks/target/benchmarks.jar
 * org.stratoslvs.benchmarks.ApplyLatencyBenchmark}; {@code --help} lists the options. Exit code 0 unless something
 * failed (a timeout, an apply that was not "applied", an event the store rejected); the targets are reported, not
 * asserted.
 */
public final class ApplyLatencyBenchmark {

    /** The target: p99 of the pipeline at most this many times the floor's p99. */
    static final double TARGET_FACTOR = 3.0;

    private static final String FLOOR_TOPIC = "stratoslvs.bench.floor";
    private static final String INTERFACE = "eth0";
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param sizes              members in the topology, one latency series each (10 members per service)
     * @param events             measured events per size (one value, or one per size)
     * @param warmup             unmeasured events per size before measuring (JIT, keepalived ready for SIGHUP)
     * @param minIntervalMs      reload.min.interval for the latency series (each event waits at least this long
     *                           after the previous apply, so it is applied alone)
     * @param burstEvents        events in the burst (0: no burst)
     * @param burstMembers       topology size for the burst
     * @param burstMinIntervalMs reload.min.interval for the burst (the product default unless told)
     * @param burstTimeout       limit for the burst to converge
     * @param dir                work directory (config files, floor file); on the file system to measure
     * @param validateScope      keepalived.validate.scope: changed (the product default) or full
     * @param auditIntervalMs    keepalived.validate.audit.interval (the product default unless told)
     */
    record Options(List<Integer> sizes, List<Integer> events, int warmup, long minIntervalMs, int burstEvents,
                   int burstMembers, long burstMinIntervalMs, Duration burstTimeout, Path dir,
                   String validateScope, long auditIntervalMs) {

        static Options defaults() {
            return new Options(List.of(10, 1_000, 10_000), List.of(200, 200, 100), 20, 50, 10_000, 1_000,
                    KeepalivedSettings.DEFAULT_MIN_INTERVAL_MS, Duration.ofMinutes(5), null, "changed",
                    KeepalivedSettings.DEFAULT_AUDIT_INTERVAL_MS);
        }

        int eventsFor(int sizeIndex) {
            return events.size() == 1 ? events.get(0) : events.get(sizeIndex);
        }
    }

    /**
     * One latency series. All durations in nanoseconds, except the *Ms arrays (whole milliseconds, from the apply
     * record). {@code renderedBytes}: keepalived.conf of the complete topology (all members Active).
     */
    record Series(int members, int services, int renderedBytes, long[] latency, long[] floor, long[] toRoute,
                  long[] routeWork, long[] toApplied, long[] floorToConsumer, long[] floorWrite, long[] validateMs,
                  long[] writeMs, long[] reloadMs, long[] keepalivedBusy, long reloads, int wholeFileChecks,
                  String checked) {

        double ratio() {
            return (double) percentile(latency, 99) / percentile(floor, 99);
        }

        boolean targetMet() {
            return ratio() <= TARGET_FACTOR;
        }

        /**
         * Each event's floor plus its own keepalived -t (whole ms from the apply record): what the floor would be if
         * it included the validation the issue requires before every write.
         */
        long[] floorWithValidation() {
            long[] out = new long[floor.length];
            for (int i = 0; i < floor.length; i++) {
                out[i] = floor[i] + TimeUnit.MILLISECONDS.toNanos(Math.max(0, validateMs[i]));
            }
            return out;
        }
    }

    /** The burst: events published back to back, then the wait for the last one's text. */
    record Burst(int members, int events, long minIntervalMs, long publishNanos, long lastPublishToRouteDoneNanos,
                 long convergeNanos, long applies, long reloads, boolean finalFileMatches) {
    }

    /**
     * @param dir        where the files were kept (--dir), or null when the run's own directory was deleted
     * @param loadBefore /proc/loadavg before the run (and {@code loadAfter} after): other work on the machine skews
     *                   the figures
     */
    record Report(List<Series> series, Burst burst, Path dir, String loadBefore, String loadAfter) {
    }

    private ApplyLatencyBenchmark() {
    }

    public static void main(String[] args) {
        // Camel and ActiveMQ are chatty at info; the pipeline logs every apply. Warnings and errors still show.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // Closing a series' route races its failover transport's reader, which then warns of an EOF with a stack
        // trace; it happens after the series is measured and loses nothing.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.transport.failover.FailoverTransport",
                "error");
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(usage());
            return;
        }
        try {
            String missing = Environment.missing();
            if (missing != null) {
                throw new IllegalStateException("cannot run: " + missing);
            }
            Report report = run(options, System.out);
            print(report, options, System.out);
            System.exit(0);
        } catch (Exception | AssertionError e) {
            System.err.println("ApplyLatencyBenchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static String usage() {
        Options d = Options.defaults();
        return """
                java -cp benchmarks/target/benchmarks.jar org.stratoslvs.benchmarks.ApplyLatencyBenchmark [options]
                  (as root, with keepalived and iproute2)
                  --sizes=%s  members per series (10 per service; empty: burst only)
                  --events=%s  measured events per size (one value, or one per size)
                  --warmup=%d  unmeasured events per size
                  --min-interval=%d  reload.min.interval (ms) of the latency series
                  --burst=%d  events in the burst (0: none)
                  --burst-members=%d  topology size of the burst
                  --burst-min-interval=%d  reload.min.interval (ms) of the burst
                  --burst-timeout=%d  seconds the burst may take to converge
                  --dir=PATH  work directory (default: a new one under java.io.tmpdir)
                  --validate-scope=%s  keepalived.validate.scope: changed or full
                  --audit-interval=%d  keepalived.validate.audit.interval (ms)
                """.formatted(join(d.sizes()), join(d.events()), d.warmup(), d.minIntervalMs(), d.burstEvents(),
                d.burstMembers(), d.burstMinIntervalMs(), d.burstTimeout().toSeconds(), d.validateScope(),
                d.auditIntervalMs());
    }

    /** Null for --help. */
    static Options parse(String[] args) {
        Options o = Options.defaults();
        List<Integer> sizes = o.sizes();
        List<Integer> events = o.events();
        int warmup = o.warmup();
        long minInterval = o.minIntervalMs();
        int burst = o.burstEvents();
        int burstMembers = o.burstMembers();
        long burstMinInterval = o.burstMinIntervalMs();
        Duration burstTimeout = o.burstTimeout();
        Path dir = null;
        String scope = o.validateScope();
        long auditInterval = o.auditIntervalMs();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("not an option: " + arg);
            }
            String key = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            try {
                switch (key) {
                    case "sizes" -> sizes = ints(value);
                    case "events" -> events = ints(value);
                    case "warmup" -> warmup = Integer.parseInt(value);
                    case "min-interval" -> minInterval = Long.parseLong(value);
                    case "burst" -> burst = Integer.parseInt(value);
                    case "burst-members" -> burstMembers = Integer.parseInt(value);
                    case "burst-min-interval" -> burstMinInterval = Long.parseLong(value);
                    case "burst-timeout" -> burstTimeout = Duration.ofSeconds(Long.parseLong(value));
                    case "dir" -> dir = Path.of(value).toAbsolutePath();
                    case "validate-scope" -> scope = value;
                    case "audit-interval" -> auditInterval = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option --" + key);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + ": not a number: " + value);
            }
        }
        if (!sizes.isEmpty() && events.size() != 1 && events.size() != sizes.size()) {
            throw new IllegalArgumentException("--events needs one value or one per size");
        }
        if (sizes.stream().anyMatch(s -> s < 2) || events.stream().anyMatch(e -> e < 2) || warmup < 1
                || burstMembers < 2 || burst < 0) {
            throw new IllegalArgumentException("sizes and burst members need at least 2 members, events at least 2, "
                    + "warmup at least 1");
        }
        if (!scope.equals("changed") && !scope.equals("full")) {
            throw new IllegalArgumentException("--validate-scope is changed or full");
        }
        return new Options(sizes, events, warmup, minInterval, burst, burstMembers, burstMinInterval, burstTimeout,
                dir, scope, auditInterval);
    }

    private static List<Integer> ints(String csv) {
        if (csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::trim).map(s -> s.replace("_", ""))
                .map(Integer::valueOf).toList();
    }

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    /** Runs everything; throws on any failure. Progress lines go to {@code log}. */
    static Report run(Options options, PrintStream log) throws Exception {
        boolean ownDir = options.dir() == null;
        Path dir = ownDir ? Files.createTempDirectory("stratos-lvs-apply-latency-") : options.dir();
        Files.createDirectories(dir);
        String loadBefore = Environment.loadAverage();
        List<Series> series = new ArrayList<>();
        Burst burst = null;
        try (Namespace ns = Namespace.create(); Broker broker = Broker.start()) {
            log.printf("namespace %s, broker %s, directory %s%n", ns.name(), broker.url(), dir);
            for (int i = 0; i < options.sizes().size(); i++) {
                int members = options.sizes().get(i);
                try (Stage stage = new Stage(broker, ns, dir.resolve("latency-" + members), members,
                        options.minIntervalMs(), options.validateScope(), options.auditIntervalMs(), options.warmup() + options.eventsFor(i) + 1)) {
                    series.add(stage.latencySeries(options.warmup(), options.eventsFor(i), options.minIntervalMs(),
                            log));
                }
            }
            if (options.burstEvents() > 0) {
                try (Stage stage = new Stage(broker, ns, dir.resolve("burst-" + options.burstMembers()),
                        options.burstMembers(), options.burstMinIntervalMs(), options.validateScope(), options.auditIntervalMs(),
                        options.warmup() + options.burstEvents() + 1)) {
                    burst = stage.burst(options.warmup(), options.burstEvents(), options.burstMinIntervalMs(),
                            options.burstTimeout(), log);
                }
            }
        } finally {
            if (ownDir) {
                // megabytes of configs per run; with --dir they are kept for inspection
                deleteTree(dir);
            }
        }
        return new Report(series, burst, ownDir ? null : dir, loadBefore, Environment.loadAverage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // One topology size: broker feed, store, renderer, managed keepalived, and the floor's plain consumer.

    /** The apply listener's view of one apply: which event's text it applied (-1: an earlier one). */
    private record Ended(ApplyRecord record, int seq, long endNanos) {
    }

    /** The latest text handed to the pipeline, and the event (message sequence number) it came from. */
    private record Submitted(int seq, String text) {
    }

    private static final class Stage implements AutoCloseable {
        private final int members;
        private final int services;
        private final Path dir;
        private final RenderSettings.Parsed renderSettings;
        private final TopologyStore store = new TopologyStore();
        private final ApplyPipeline pipeline;
        private final TopologyFeed feed;
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;
        private final Connection floorConnection;

        // written on the route thread, read by the measuring thread after the apply listener's hand-off
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicLongArray publishedAt;
        private final AtomicLongArray consumedAt;
        private final AtomicLongArray submittedAt;
        private final AtomicReference<Submitted> lastSubmitted = new AtomicReference<>();
        /** Snapshot (by identity) → the event that made it, until it is rendered or superseded. */
        private final Map<Topology, Integer> seqOf = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
        private final RenderLoop renderLoop;
        private final List<String> routeProblems = java.util.Collections.synchronizedList(new ArrayList<>());
        private final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();

        // the floor consumer: bytes to write, and when it got the message and when the fsync returned
        private volatile byte[] floorBytes = new byte[0];
        private final Path floorFile;
        private final BlockingQueue<long[]> floorDone = new LinkedBlockingQueue<>();

        private int nextSeq;
        private int completeBytes;
        /** The body of the last topology event published (the floor publishes it again). */
        private String lastEventBody;
        /** Members currently Suspended (the rest are Active). */
        private final boolean[] suspended;

        Stage(Broker broker, Namespace ns, Path dir, int members, long minIntervalMs, String validateScope,
              long auditIntervalMs, int capacity)
                throws Exception {
            this.members = members;
            this.services = Math.max(1, members / 10);
            if (members % services != 0) {
                throw new IllegalArgumentException(members + " members do not split into " + services
                        + " services of equal size (10 members per service, or fewer than 20 in one)");
            }
            this.dir = dir;
            this.suspended = new boolean[members];
            publishedAt = new AtomicLongArray(capacity);
            consumedAt = new AtomicLongArray(capacity);
            submittedAt = new AtomicLongArray(capacity);
            Files.createDirectories(dir);
            floorFile = dir.resolve("floor.bin");

            renderSettings = RenderSettings.parse(Map.of(
                    RenderSettings.VIRTUALIP_SET, vipMapping(services),
                    RenderSettings.VRRP_INTERFACE, INTERFACE), List.of());
            if (!renderSettings.errors().isEmpty()) {
                throw new IllegalStateException("render settings: " + renderSettings.errors());
            }
            renderLoop = new RenderLoop(renderSettings, this::rendered);
            KeepalivedSettings keepalived = KeepalivedSettings.parse(Map.of(
                    KeepalivedSettings.MODE, "managed",
                    KeepalivedSettings.ARGS, "-P -s " + ns.name(),
                    KeepalivedSettings.CONF_PATH, dir.resolve("keepalived.conf").toString(),
                    KeepalivedSettings.MIN_INTERVAL, Long.toString(minIntervalMs),
                    KeepalivedSettings.VALIDATE_SCOPE, validateScope,
                    KeepalivedSettings.VALIDATE_AUDIT_INTERVAL, Long.toString(auditIntervalMs)), Map.of());
            if (!keepalived.errors().isEmpty()) {
                throw new IllegalStateException("keepalived settings: " + keepalived.errors());
            }
            pipeline = new ApplyPipeline(keepalived);
            pipeline.setApplyListener(this::applyEnded);

            ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
            floorConnection = factory.createConnection();
            Session floorSession = floorConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer floorConsumer = floorSession.createConsumer(floorSession.createTopic(FLOOR_TOPIC));
            floorConsumer.setMessageListener(message -> floorDone.add(writeFloor()));
            floorConnection.start();

            connection = factory.createConnection();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(null);
            // What Stratos' Java publishers send (JMS default); on a non-persistent broker it only makes the send
            // wait for the broker's receipt, for the pipeline and the floor alike.
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);

            feed = new TopologyFeed("apply-latency-" + members,
                    new TopologyFeed.BrokerSettings(broker.url(), "", "", Duration.ZERO), this::onMessage);
            feed.start(ApplyLatencyBenchmark.class.getClassLoader());
            awaitCondition("the route to subscribe", Duration.ofSeconds(30), feed::isConnected);
        }

        /** The route's sink, as the topology component does it: apply, then hand the snapshot to the render loop. */
        private void onMessage(String topic, byte[] body) {
            int seq = received.getAndIncrement();
            long consumed = System.nanoTime();
            Outcome outcome = store.accept(topic, body);
            if (!outcome.changed()) {
                routeProblems.add("event " + seq + " on " + topic + " did not change the topology: " + outcome);
                return;
            }
            if (seq < consumedAt.length()) {
                consumedAt.set(seq, consumed);
            }
            seqOf.put(outcome.topology(), seq);
            renderLoop.topologyChanged(outcome.topology(), outcome.cause());
        }

        /**
         * The render loop's sink, as the render component does it (on the render thread, which merges bursts:
         * it always renders the latest snapshot, so the event a rendering belongs to is the snapshot's).
         */
        private void rendered(RenderResult result, Topology topology, String cause) {
            long rendered = System.nanoTime();
            int seq;
            synchronized (seqOf) {
                Integer s = seqOf.get(topology);
                seq = s == null ? -1 : s;
                seqOf.values().removeIf(v -> v <= seq); // merged snapshots are never rendered
            }
            if (!result.errors().isEmpty()) {
                routeProblems.add("event " + seq + ": render errors " + result.errors());
            }
            if (seq >= 0 && seq < submittedAt.length()) {
                submittedAt.set(seq, rendered);
            }
            // before submit: when the apply of this text ends, lastSubmitted is this one or a later one
            lastSubmitted.set(new Submitted(seq, result.text()));
            pipeline.submit(result.text(), cause);
        }

        private void applyEnded(ApplyRecord record, String text, long endNanos) {
            Submitted s = lastSubmitted.get();
            ended.add(new Ended(record, s != null && s.text() == text ? s.seq() : -1, endNanos));
        }

        private long[] writeFloor() {
            long consumed = System.nanoTime();
            try (FileChannel ch = FileChannel.open(floorFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(floorBytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            } catch (IOException e) {
                return new long[] {consumed, -1};
            }
            return new long[] {consumed, System.nanoTime()};
        }

        /** Publishes a topology event; returns its sequence number, which is also its order on the route. */
        private int publish(String topic, String body) throws JMSException {
            int seq = nextSeq++;
            lastEventBody = body;
            Topic destination = session.createTopic(topic);
            var message = session.createTextMessage(body);
            publishedAt.set(seq, System.nanoTime());
            producer.send(destination, message);
            return seq;
        }

        /** Publishes a body to the floor's topic (outside topology.>: the route never sees it); returns when. */
        private long publishFloor(String body) throws JMSException {
            Topic destination = session.createTopic(FLOOR_TOPIC);
            var message = session.createTextMessage(body);
            long at = System.nanoTime();
            producer.send(destination, message);
            return at;
        }

        /** The complete topology, then waits until keepalived was started on it. */
        private void startTopology(PrintStream log) throws Exception {
            long t0 = System.nanoTime();
            String complete = StratosMessages.completeTopology(services, 1, members / services, 0, 0);
            int seq = publish("topology.CompleteTopologyEvent", complete);
            Ended e = awaitApplyOf(seq, Duration.ofSeconds(120));
            requireApplied(e);
            completeBytes = lastText().getBytes(StandardCharsets.UTF_8).length;
            log.printf("%,d members: complete topology (%,d bytes JSON, %,d bytes keepalived.conf) applied and "
                    + "keepalived started in %d ms%n", members, complete.length(), completeBytes,
                    ms(System.nanoTime() - t0));
        }

        /** A member event that changes the rendered file: suspends an Active member or re-activates it. */
        private int publishToggle(int member) throws JMSException {
            int s = member / (members / services);
            int m = member % (members / services);
            boolean suspend = !suspended[member];
            suspended[member] = suspend;
            return suspend
                    ? publish("topology.MemberSuspendedEvent", StratosMessages.memberSuspended(s, 0, m))
                    : publish("topology.MemberActivatedEvent",
                            StratosMessages.memberActivated(s, 0, m, StratosMessages.ip(s, 0, m)));
        }

        /** Spreads events over the services (a stride coprime with the member count). */
        private int memberAt(int i) {
            int stride = 7919;
            while (gcd(stride, members) != 1) {
                stride += 2;
            }
            return (int) ((long) i * stride % members);
        }

        Series latencySeries(int warmup, int events, long minIntervalMs, PrintStream log) throws Exception {
            startTopology(log);
            long t0 = System.nanoTime();
            long[] latency = new long[events];
            long[] floor = new long[events];
            long[] toRoute = new long[events];
            long[] routeWork = new long[events];
            long[] toApplied = new long[events];
            long[] floorToConsumer = new long[events];
            long[] floorWrite = new long[events];
            long[] validateMs = new long[events];
            long[] writeMs = new long[events];
            long[] reloadMs = new long[events];
            long[] busy = new long[events];
            long reloadsBefore = 0;
            int wholeFileChecks = 0;
            java.util.SortedSet<String> checked = new java.util.TreeSet<>();
            for (int i = -warmup; i < events; i++) {
                if (i == 0) {
                    reloadsBefore = pipeline.status().reloads();
                }
                // Alternately suspend a member and re-activate the same one: the file changes every time, and
                // it returns to the complete topology's after each pair.
                int pair = (i + warmup) / 2;
                int seq = publishToggle(memberAt(pair));
                Ended e = awaitApplyOf(seq, APPLY_TIMEOUT);
                requireApplied(e);
                long keepalivedBusy = awaitKeepalivedIdle();
                byte[] applied = lastText().getBytes(StandardCharsets.UTF_8);
                // The floor of the same event, while nothing else runs: the same body through the broker to a
                // plain consumer, which writes and fsyncs the same bytes.
                floorBytes = applied;
                long floorPublished = publishFloor(lastEventBody);
                long[] done = floorDone.poll(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (done == null || done[1] < 0) {
                    throw new IllegalStateException("floor write of event " + seq + " failed or timed out");
                }
                if (i >= 0) {
                    long published = publishedAt.get(seq);
                    latency[i] = e.endNanos() - published;
                    toRoute[i] = consumedAt.get(seq) - published;
                    routeWork[i] = submittedAt.get(seq) - consumedAt.get(seq);
                    toApplied[i] = e.endNanos() - submittedAt.get(seq);
                    validateMs[i] = e.record().millisOf(ControlStatus.Step.Kind.VALIDATE);
                    ControlStatus.Step.Validated scope = e.record().stepList().stream()
                            .filter(st -> st.kind() == ControlStatus.Step.Kind.VALIDATE && st.validated() != null)
                            .map(ControlStatus.Step::validated).findFirst().orElse(null);
                    if (scope != null) {
                        checked.add(scope.checked() + " of " + scope.of());
                    } else {
                        wholeFileChecks++;
                    }
                    writeMs[i] = e.record().millisOf(ControlStatus.Step.Kind.WRITE);
                    reloadMs[i] = e.record().millisOf(ControlStatus.Step.Kind.RELOAD);
                    busy[i] = keepalivedBusy;
                    floor[i] = done[1] - floorPublished;
                    floorToConsumer[i] = done[0] - floorPublished;
                    floorWrite[i] = done[1] - done[0];
                }
                // Applied alone: the next event comes after reload.min.interval has passed since this apply.
                long wait = TimeUnit.MILLISECONDS.toNanos(minIntervalMs) - (System.nanoTime() - e.endNanos());
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait + 1_000_000);
                }
            }
            checkRoute();
            long reloads = pipeline.status().reloads() - reloadsBefore;
            if (reloads != events) {
                throw new IllegalStateException(events + " events but " + reloads + " reloads");
            }
            Series s = new Series(members, services, completeBytes, latency, floor, toRoute, routeWork, toApplied,
                    floorToConsumer, floorWrite, validateMs, writeMs, reloadMs, busy, reloads, wholeFileChecks,
                    String.join(", ", checked));
            log.printf("%,d members: %d events in %d s; p50 %s ms, p99 %s ms; floor p50 %s ms, p99 %s ms%n", members,
                    events, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), msText(percentile(latency, 50)),
                    msText(percentile(latency, 99)), msText(percentile(floor, 50)), msText(percentile(floor, 99)));
            return s;
        }

        Burst burst(int warmup, int events, long minIntervalMs, Duration timeout, PrintStream log) throws Exception {
            startTopology(log);
            // warm-up: JIT, and keepalived past the point where it handles SIGHUP
            for (int i = 0; i < warmup; i++) {
                int seq = publishToggle(memberAt(i / 2));
                requireApplied(awaitApplyOf(seq, APPLY_TIMEOUT));
                TimeUnit.MILLISECONDS.sleep(minIntervalMs + 1);
            }
            awaitKeepalivedIdle();
            TimeUnit.MILLISECONDS.sleep(minIntervalMs + 1);
            ended.clear();
            long reloadsBefore = pipeline.status().reloads();

            // Every event changes the file, and the last state differs from the first (so the end is an apply):
            // events toggle the members of a window of (events / 2 - 1) members in turn; each is toggled twice,
            // and the last two events toggle two of them a third time.
            int window = Math.max(1, Math.min(members, events / 2 - 1));
            long first = System.nanoTime();
            int lastSeq = -1;
            for (int i = 0; i < events; i++) {
                lastSeq = publishToggle(memberAt(i % window));
            }
            long lastPublish = publishedAt.get(lastSeq);
            long publishNanos = lastPublish - first;
            long applies = 0;
            Ended e;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                e = ended.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new IllegalStateException("burst did not converge within " + timeout.toSeconds() + " s: "
                            + received.get() + " of " + (lastSeq + 1) + " messages routed; " + pipeline.status());
                }
                // Within a burst, a batch merged from several events can net to the text already applied (a
                // member suspended and re-activated while the previous apply ran): "unchanged" is then the right
                // result. Whether the end is right is checked below against the last rendered text.
                requireAppliedOrUnchanged(e);
                if (e.record().outcome() == ControlStatus.Outcome.APPLIED) {
                    applies++;
                }
                if (e.seq() == lastSeq) {
                    break;
                }
            }
            checkRoute();
            long reloads = pipeline.status().reloads() - reloadsBefore;
            boolean matches = Files.readString(dir.resolve("keepalived.conf")).equals(lastText());
            Burst b = new Burst(members, events, minIntervalMs, publishNanos, submittedAt.get(lastSeq) - lastPublish,
                    e.endNanos() - lastPublish, applies, reloads, matches);
            log.printf("burst: %,d events on %,d members published in %d ms; converged %d ms after the last one with "
                    + "%d applies (%d reloads)%n", events, members, ms(publishNanos), ms(b.convergeNanos()), applies,
                    reloads);
            if (!matches) {
                throw new IllegalStateException("after the burst keepalived.conf is not the last rendered text");
            }
            return b;
        }

        private String lastText() {
            return lastSubmitted.get().text();
        }

        private Ended awaitApplyOf(int seq, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Ended e = ended.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    checkRoute();
                    throw new IllegalStateException("event " + seq + " was not applied within "
                            + timeout.toSeconds() + " s (" + received.get() + " messages routed): "
                            + pipeline.status());
                }
                if (e.seq() == seq) {
                    return e;
                }
                // an apply of an earlier text (possible only when an earlier wait timed out): must still succeed
                requireApplied(e);
            }
        }

        private void requireApplied(Ended e) {
            if (e.record().outcome() != ControlStatus.Outcome.APPLIED) {
                throw applyFailed(e);
            }
        }

        private void requireAppliedOrUnchanged(Ended e) {
            ControlStatus.Outcome outcome = e.record().outcome();
            if (outcome != ControlStatus.Outcome.APPLIED && outcome != ControlStatus.Outcome.UNCHANGED) {
                throw applyFailed(e);
            }
        }

        private IllegalStateException applyFailed(Ended e) {
            return new IllegalStateException("apply did not succeed: " + e.record() + "; keepalived: "
                    + pipeline.status().keepalived() + "; output: "
                    + (pipeline.supervisor() == null ? "" : pipeline.supervisor().lastOutput()));
        }

        private void checkRoute() {
            if (!routeProblems.isEmpty()) {
                throw new IllegalStateException("route: " + routeProblems);
            }
        }

        /**
         * Waits until keepalived (parent and VRRP child) used no CPU for a while after the SIGHUP, so that its
         * reload does not slow down the floor sample or the next event; returns how long it stayed busy
         * (approximate: CPU time is counted in clock ticks).
         */
        private long awaitKeepalivedIdle() throws InterruptedException {
            long start = System.nanoTime();
            long lastChange = start;
            long ticks = keepalivedCpuTicks();
            int quiet = 0;
            while (quiet < 4 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                TimeUnit.MILLISECONDS.sleep(15);
                long now = keepalivedCpuTicks();
                if (now != ticks) {
                    ticks = now;
                    lastChange = System.nanoTime();
                    quiet = 0;
                } else {
                    quiet++;
                }
            }
            return lastChange - start;
        }

        private long keepalivedCpuTicks() {
            long sum = 0;
            long parent = pipeline.status().pid();
            if (parent > 0) {
                sum += Environment.cpuTicks(parent);
            }
            try {
                String vrrp = Files.readString(pipeline.settings().vrrpPidFile()).strip();
                sum += Environment.cpuTicks(Long.parseLong(vrrp));
            } catch (IOException | NumberFormatException e) {
                // not written yet
            }
            return sum;
        }

        @Override
        public void close() {
            feed.close();
            renderLoop.close();
            pipeline.close();
            for (Connection c : new Connection[] {connection, floorConnection}) {
                try {
                    c.close();
                } catch (JMSException e) {
                    // closing anyway
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // gone already, or left for the operator: it is under java.io.tmpdir
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** svcN|192.168.x.y for every service: VIPs inside our namespace only. */
    static String vipMapping(int services) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < services; s++) {
            if (s > 0) {
                sb.append(',');
            }
            sb.append(StratosMessages.service(s)).append("|192.168.").append(s / 250).append('.').append(1 + s % 250);
        }
        return sb.toString();
    }

    private static void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Statistics and the report.

    /** Nearest-rank percentile of the values (not modified). */
    static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static String msText(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }

    private static String p50p99(long[] nanos) {
        return msText(percentile(nanos, 50)) + " / " + msText(percentile(nanos, 99));
    }

    private static String p50Ms(long[] wholeMs) {
        return Long.toString(percentile(wholeMs, 50));
    }

    static void print(Report report, Options options, PrintStream out) {
        out.println();
        if (!report.series().isEmpty()) {
            printSeries(report, options, out);
        }
        Burst b = report.burst();
        if (b != null) {
            out.println();
            out.printf("Burst: %,d member events on %,d members, published in %d ms; the route finished the last "
                    + "one %d ms after its publish; converged (last event's file durable + SIGHUP) %d ms after the "
                    + "last publish, with %d applies / %d reloads (reload.min.interval %d ms)%n", b.events(),
                    b.members(), ms(b.publishNanos()), ms(b.lastPublishToRouteDoneNanos()), ms(b.convergeNanos()),
                    b.applies(), b.reloads(), b.minIntervalMs());
        }
        out.println();
        out.println("Load average (1, 5, 15 min) before: " + report.loadBefore() + "; after: " + report.loadAfter()
                + "; CPUs: " + Runtime.getRuntime().availableProcessors());
        if (report.dir() != null) {
            out.println("Files kept in " + report.dir());
        }
    }

    private static void printSeries(Report report, Options options, PrintStream out) {
        out.printf("Event published -> keepalived.conf durable and SIGHUP sent (ms); floor = publish -> plain JMS "
                + "consumer + write + fsync of the same bytes; reload.min.interval %d ms; keepalived.validate.scope "
                + "%s (audit interval %d ms); target p99 <= %.0fx floor p99%n%n", options.minIntervalMs(),
                options.validateScope(), options.auditIntervalMs(),
                TARGET_FACTOR);
        out.println("| members | keepalived.conf | events | p50 / p99 / max | floor p50 / p99 | p99 / floor p99 "
                + "| target | floor + keepalived -t p50 / p99 | p99 / that p99 |");
        out.println("|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        for (Series s : report.series()) {
            long[] withValidation = s.floorWithValidation();
            out.printf(Locale.ROOT, "| %,d | %,d B | %d | %s / %s | %s | %.1fx | %s | %s | %.1fx |%n", s.members(),
                    s.renderedBytes(), s.latency().length, p50p99(s.latency()),
                    msText(Arrays.stream(s.latency()).max().orElse(0)), p50p99(s.floor()), s.ratio(),
                    s.targetMet() ? "met" : "not met", p50p99(withValidation),
                    (double) percentile(s.latency(), 99) / percentile(withValidation, 99));
        }
        out.println();
        out.println("Where the time goes, p50 (ms): publish -> route thread | store + render | submit -> applied "
                + "(validate keepalived -t, write + fsync, SIGHUP: whole ms from the apply record) | floor: "
                + "publish -> consumer, write + fsync | keepalived busy after SIGHUP (approx.)");
        out.println();
        out.println("| members | to route | store + render | to applied | validate | write | SIGHUP | floor: "
                + "to consumer | floor: write | keepalived busy | keepalived -t checked |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Series s : report.series()) {
            String scope = (s.checked().isEmpty() ? "" : s.checked() + " virtual servers")
                    + (s.wholeFileChecks() == 0 ? "" : (s.checked().isEmpty() ? "" : "; ") + "whole file in "
                    + s.wholeFileChecks() + " of " + s.latency().length + " events");
            out.printf("| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", s.members(),
                    msText(percentile(s.toRoute(), 50)), msText(percentile(s.routeWork(), 50)),
                    msText(percentile(s.toApplied(), 50)), p50Ms(s.validateMs()), p50Ms(s.writeMs()),
                    p50Ms(s.reloadMs()), msText(percentile(s.floorToConsumer(), 50)),
                    msText(percentile(s.floorWrite(), 50)), msText(percentile(s.keepalivedBusy(), 50)), scope);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The broker, the namespace, and what the run needs from the machine.

    /** A real, non-persistent ActiveMQ broker with one OpenWire connector on loopback. */
    static final class Broker implements AutoCloseable {
        private final BrokerService service;
        private final String url;

        private Broker(BrokerService service, String url) {
            this.service = service;
            this.url = url;
        }

        static Broker start() throws Exception {
            BrokerService service = new BrokerService();
            service.setBrokerName("apply-latency-" + ProcessHandle.current().pid());
            service.setPersistent(false);
            service.setUseJmx(false);
            service.setUseShutdownHook(false);
            service.setSchedulerSupport(false);
            service.setAdvisorySupport(false);
            TransportConnector connector = new TransportConnector();
            connector.setUri(new java.net.URI("tcp://127.0.0.1:0"));
            service.addConnector(connector);
            service.start();
            service.waitUntilStarted();
            String url = "tcp://127.0.0.1:" + connector.getPublishableConnectURI().getPort();
            return new Broker(service, url);
        }

        String url() {
            return url;
        }

        @Override
        public void close() throws Exception {
            service.stop();
            service.waitUntilStopped();
        }
    }

    /**
     * A network namespace holding {@value #INTERFACE} (a veth whose peer stays down, in the same namespace: nothing
     * leaves it), for keepalived's VRRP instance. Deleted on close, and by a shutdown hook should the JVM end first.
     */
    static final class Namespace implements AutoCloseable {
        private static final AtomicInteger COUNTER = new AtomicInteger();
        private final String name;
        private final Thread hook;

        private Namespace(String name) {
            this.name = name;
            this.hook = new Thread(this::delete, "namespace-cleanup-" + name);
        }

        static Namespace create() throws IOException, InterruptedException {
            Namespace ns = new Namespace("slvsbench" + ProcessHandle.current().pid() + "x"
                    + COUNTER.incrementAndGet());
            Runtime.getRuntime().addShutdownHook(ns.hook);
            try {
                Environment.run(Environment.ip(), "netns", "add", ns.name);
                Environment.run(Environment.ip(), "-n", ns.name, "link", "add", INTERFACE, "type", "veth", "peer",
                        "name", INTERFACE + "p");
                Environment.run(Environment.ip(), "-n", ns.name, "link", "set", INTERFACE, "up");
                Environment.run(Environment.ip(), "-n", ns.name, "link", "set", "lo", "up");
            } catch (IOException | RuntimeException e) {
                ns.close();
                throw e;
            }
            return ns;
        }

        String name() {
            return name;
        }

        boolean exists() throws IOException, InterruptedException {
            return Environment.run(Environment.ip(), "netns", "list").lines()
                    .anyMatch(l -> l.split("\\s+")[0].equals(name));
        }

        private void delete() {
            try {
                Environment.run(Environment.ip(), "netns", "del", name);
            } catch (IOException | RuntimeException | InterruptedException e) {
                // already gone, or the JVM is ending: nothing more to do
            }
            // keepalived -s NAME leaves a run directory of that name behind
            deleteTree(Path.of("/run/keepalived/keepalived_" + name));
        }

        @Override
        public void close() {
            delete();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    /** What the machine must offer, and small process helpers. */
    static final class Environment {
        static final Path KEEPALIVED = Path.of(KeepalivedSettings.DEFAULT_BINARY);

        private Environment() {
        }

        /** Null when the harness can run here, else what is missing. */
        static String missing() {
            if (!isRoot()) {
                return "not running as root (network namespaces and keepalived need it)";
            }
            if (!Files.isExecutable(KEEPALIVED)) {
                return KEEPALIVED + " is not installed";
            }
            if (ip() == null) {
                return "ip (iproute2) is not installed";
            }
            return null;
        }

        static boolean isRoot() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        return line.split("\\s+")[2].equals("0");
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }

        static String ip() {
            for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
                if (Files.isExecutable(Path.of(p))) {
                    return p;
                }
            }
            return null;
        }

        /** Runs a command (no shell); returns its output, throws when it fails. */
        static String run(String... argv) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", argv) + " exit " + p.exitValue() + ": " + out.strip());
            }
            return out;
        }

        static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        /** utime + stime of a process, in clock ticks; 0 when it does not exist. */
        static long cpuTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // "pid (comm) state ppid ...": fields after the last ')'; utime and stime are fields 14 and 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }
}
