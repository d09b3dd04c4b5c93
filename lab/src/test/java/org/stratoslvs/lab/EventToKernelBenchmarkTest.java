package org.stratoslvs.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.stratoslvs.api.ControlStatus.Outcome;
import org.stratoslvs.api.ControlStatus.Step;
import org.stratoslvs.lab.StratosEvents.Member;
import org.stratoslvs.render.RenderSettings;

/**
 * The event → kernel benchmark: a Stratos member event published on the broker → the guest kernel's IPVS table
 * showing the change, at several topology sizes, with a TCP_CHECK health checker on every real server (all of them
 * healthy: the members' addresses answer in one "farm" namespace). Per event the host records where the time went
 * (broker, store, render, the pipeline's validation/write/reload command, then the kernel: the guest's keepalived
 * reloading until /proc/net/ip_vs shows it, seen by a watcher in the guest, ipvs-watch.pl). In the same run, for
 * the same files: keepalived's own SIGHUP → IPVS-changed time (own-reload.pl, timed inside the guest), and the
 * floor an event cannot go below, the broker hop plus an fsync of the file. Every event, and every one of
 * keepalived's own reloads, starts from an idle keepalived (guest-lib's ka_idle): a reload goes on after IPVS shows
 * its change, and the next one would otherwise wait behind it.
 *
 * <p>By default a smoke run that CI does every time (10 members, 4 events). The figures in the README:
 * {@code mvn -B -ntp -pl lab test -Dtest=EventToKernelBenchmarkTest -Dlab.benchmark.sizes=10,1000,10000
 * -Dlab.benchmark.events=20}; the table goes to stdout and to {@code lab/target/event-to-kernel.md}.
 */
class EventToKernelBenchmarkTest {

    static final String VIP = "10.1.0.100";
    static final Duration KERNEL_TIMEOUT = Duration.ofSeconds(300);

    /** One measured event on the host: nanoTime stages from {@link LabProduct.Trace}, and when IPVS showed it. */
    record Sample(LabProduct.Trace trace, long seen, long fsyncNanos, String watcherReads) {
        double total() {
            return ms(seen - trace.published());
        }

        double floor() {
            return ms(trace.received() - trace.published()) + ms(fsyncNanos);
        }
    }

    /**
     * One of keepalived's own reloads: SIGHUP → IPVS changed, the CPU each process spent on it (parent, checker,
     * VRRP; ms at the kernel's 10 ms tick), and SIGHUP → every process idle again.
     */
    record OwnReload(double changedMs, int parentCpuMs, int checkerCpuMs, int vrrpCpuMs, double idleMs) {
        static OwnReload parse(String line) {
            String[] f = line.split(" ");
            return new OwnReload(Double.parseDouble(f[1]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                    Integer.parseInt(f[5]), Double.parseDouble(f[7]));
        }
    }

    /** The figures of one size. */
    record Row(int members, int delayLoop, List<Sample> samples, List<OwnReload> own) {
        List<Double> ownReload() {
            return own.stream().map(OwnReload::changedMs).toList();
        }
    }

    @Test
    void eventToKernel() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("lab.benchmark.sizes", "10").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        int events = Integer.parseInt(System.getProperty("lab.benchmark.events", "4"));
        int maxSize = Arrays.stream(sizes).max().orElseThrow();
        // one TCP_CHECK per real server per delay_loop: at most 50 checks a second, so that the checker's own
        // work stays small in the guest's one CPU (6 s, keepalived's usual default, up to 300 members)
        int delayLoop = Math.max(6, maxSize / 50);

        Guest guest = LabEnv.boot("bench");
        HostNamespace ns = null;
        LabProduct product = null;
        List<Row> rows = new ArrayList<>();
        Map<Integer, String[]> files = new LinkedHashMap<>();
        try {
            guest.sh("farm_add " + (maxSize + events) + " && ipvs_watch");
            ns = HostNamespace.create();
            LabProduct.startBootstrapKeepalived(guest);
            product = new LabProduct(guest, ns, Map.of(
                    RenderSettings.VIRTUALIP_SET, StratosEvents.SERVICE + "|" + VIP,
                    RenderSettings.VRRP_INTERFACE, "br-cli",
                    RenderSettings.VRRP_STATE, "MASTER",
                    RenderSettings.LB_KIND, "NAT",
                    RenderSettings.DELAY_LOOP, Integer.toString(delayLoop)), Map.of());
            for (int size : sizes) {
                List<Member> members = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    members.add(new Member("m" + size + "-" + i, farmAddress(i)));
                }
                long t0 = System.nanoTime();
                product.publishAndAwaitApply("CompleteTopologyEvent",
                        StratosEvents.completeTopology(members, StratosEvents.HTTP_ONLY));
                awaitAnswer(guest, ask(guest, "present", members.get(size - 1).ip()));
                System.out.printf("IPVS lab bench: %d members in IPVS %d ms after the complete topology%n", size,
                        (System.nanoTime() - t0) / 1_000_000);

                List<Sample> samples = new ArrayList<>();
                String with = null;
                String without = null;
                Member probe = null;
                for (int k = 0; k < events / 2; k++) {
                    probe = new Member("b" + size + "-" + k, farmAddress(maxSize + k));
                    product.publishAndAwaitStore("MemberCreatedEvent", StratosEvents.memberCreated(probe));
                    product.publishAndAwaitStore("MemberInitializedEvent", StratosEvents.memberInitialized(probe));
                    product.publishAndAwaitStore("MemberStartedEvent", StratosEvents.memberStarted(probe));
                    Sample in = measure(guest, product, "present", probe, "MemberActivatedEvent",
                            StratosEvents.memberActivated(probe, StratosEvents.HTTP_ONLY));
                    Sample out = measure(guest, product, "absent", probe, "MemberTerminatedEvent",
                            StratosEvents.memberTerminated(probe));
                    samples.add(in);
                    samples.add(out);
                    with = in.trace().text();
                    without = out.trace().text();
                }
                files.put(size, new String[] {with, without, probe.ip()});
                rows.add(new Row(size, delayLoop, samples, new ArrayList<>()));
            }
            // keepalived's own reload, for the same files, with the product stopped (nothing else writes the file)
            product.close();
            product = null;
            for (Row row : rows) {
                String[] f = files.get(row.members());
                Path a = guest.dir().resolve("own-with-" + row.members() + ".conf");
                Path b = guest.dir().resolve("own-without-" + row.members() + ".conf");
                Files.writeString(a, f[0]);
                Files.writeString(b, f[1]);
                // the first reload of a size loads its whole file after another size's: not timed
                String warm = guest.run("/usr/bin/perl $LAB/own-reload.pl " + LabProduct.confPath(guest) + " " + a
                        + " " + b + " " + hex(f[2]) + " 1 " + "/run/keepalived.pid", KERNEL_TIMEOUT.multipliedBy(2))
                        .output();
                assertTrue(warm.contains("absent"), warm);
                Guest.Result r = guest.run("/usr/bin/perl $LAB/own-reload.pl " + LabProduct.confPath(guest) + " "
                        + a + " " + b + " " + hex(f[2]) + " " + Math.max(1, events / 2) + " /run/keepalived.pid",
                        KERNEL_TIMEOUT.multipliedBy(2L * Math.max(1, events)));
                assertTrue(r.ok(), r.output());
                r.output().lines().filter(l -> l.startsWith("present ") || l.startsWith("absent "))
                        .forEach(l -> row.own().add(OwnReload.parse(l)));
                assertEquals(2 * Math.max(1, events / 2), row.ownReload().size(), r.output());
            }
        } finally {
            LabEnv.closeInOrder(product, guest, ns);
        }
        String report = report(rows);
        System.out.println(report);
        Files.writeString(Path.of("target", "event-to-kernel.md"), report);
        for (Row row : rows) {
            for (Sample s : row.samples()) {
                assertTrue(s.total() > 0 && s.seen() >= s.trace().applied(), "a change the kernel showed: " + s);
            }
        }
    }

    private static String farmAddress(int i) {
        return "10.3." + (i / 250) + "." + (i % 250 + 1);
    }

    /** The real server as /proc/net/ip_vs prints it: address and the member port 8080, in hexadecimal. */
    private static String hex(String ip) {
        StringBuilder sb = new StringBuilder();
        for (String part : ip.split("\\.")) {
            sb.append(String.format(Locale.ROOT, "%02X", Integer.parseInt(part)));
        }
        return sb.append(":1F90").toString();
    }

    /** Publishes the event with the watcher already waiting; the sample once the kernel agrees. */
    private static Sample measure(Guest guest, LabProduct product, String want, Member probe, String eventType,
                                  String body) throws Exception {
        Thread.sleep(300); // past reload.min.interval (250 ms): every event is applied at once, none coalesced
        guest.run("ka_idle", KERNEL_TIMEOUT); // and keepalived done with the previous reload
        String id = ask(guest, want, probe.ip());
        LabProduct.Trace trace = product.publishTraced(eventType, body);
        if (trace.record().outcome() != Outcome.APPLIED) {
            throw new AssertionError(eventType + ": " + trace.record());
        }
        String answer = awaitAnswer(guest, id);
        long seen = System.nanoTime();
        return new Sample(trace, seen, fsync(guest, trace.text()), answer);
    }

    private static int asked;

    /** A watcher request: "tell me when IPVS shows (present) or no longer shows (absent) this member". */
    private static String ask(Guest guest, String want, String ip) throws IOException {
        String id = "w" + (++asked);
        Path dir = guest.dir().resolve("watch");
        Path tmp = dir.resolve("." + id + ".tmp");
        Files.writeString(tmp, want + " " + hex(ip) + "\n");
        Files.move(tmp, dir.resolve(id + ".req"), StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    /** Polls for the watcher's answer every millisecond; "READS LASTREADMICROS". */
    private static String awaitAnswer(Guest guest, String id) throws Exception {
        Path ans = guest.dir().resolve("watch").resolve(id + ".ans");
        long deadline = System.nanoTime() + KERNEL_TIMEOUT.toNanos();
        while (!Files.exists(ans)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("IPVS did not show request " + id + " within " + KERNEL_TIMEOUT
                        + "; keepalived.log ends:\n" + Guest.tail(guest.keepalivedLog(), 20));
            }
            Thread.sleep(1);
        }
        String answer = Files.readString(ans, StandardCharsets.US_ASCII).strip();
        Files.delete(guest.dir().resolve("watch").resolve(id + ".req"));
        Files.delete(ans);
        return answer.substring(2);
    }

    /** The floor's disk part: writing and fsyncing a file of the rendered size where the product writes. */
    private static long fsync(Guest guest, String text) throws IOException {
        Path f = guest.dir().resolve("fsync-floor.tmp");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        return System.nanoTime() - t0;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Nearest-rank percentile (p99 of fewer than 100 samples is their maximum). */
    static double percentile(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    private static String report(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| members | events | event → IPVS p50 / p99 ms | floor p99 ms | keepalived's own SIGHUP → IPVS "
                + "p50 / p99 ms | target p99 ≤ 1.5 × (floor + own) | met |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            List<Double> total = r.samples().stream().map(Sample::total).toList();
            List<Double> floor = r.samples().stream().map(Sample::floor).toList();
            double target = 1.5 * (percentile(floor, 99) + percentile(r.ownReload(), 99));
            sb.append(String.format(Locale.ROOT, "| %d | %d | %.0f / %.0f | %.1f | %.0f / %.0f | %.0f | %s |%n",
                    r.members(), total.size(), percentile(total, 50), percentile(total, 99), percentile(floor, 99),
                    percentile(r.ownReload(), 50), percentile(r.ownReload(), 99), target,
                    percentile(total, 99) <= target ? "yes" : "no"));
        }
        sb.append("\nWhere the time went (p50 ms): broker = publish → the route's sink; store; render = the store → "
                + "the text handed to the pipeline; validate, write, reload = the pipeline's steps (reload: the "
                + "lab's reload command, host → guest SIGHUP → answer); kernel = the apply's end → IPVS shows it "
                + "(keepalived re-reading the file, its checker diffing IPVS); watcher = how long one read of "
                + "/proc/net/ip_vs took (the kernel figure's resolution is about ten of them).\n\n");
        sb.append("| members | broker | store | render | validate | write | reload | kernel | watcher read | "
                + "delay_loop s |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            List<Sample> s = r.samples();
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f | %d |%n",
                    r.members(),
                    p50(s, x -> ms(x.trace().received() - x.trace().published())),
                    p50(s, x -> ms(x.trace().stored() - x.trace().received())),
                    p50(s, x -> ms(x.trace().rendered() - x.trace().stored())),
                    p50(s, x -> (double) x.trace().record().millisOf(Step.Kind.VALIDATE)),
                    p50(s, x -> (double) x.trace().record().millisOf(Step.Kind.WRITE)),
                    p50(s, x -> (double) x.trace().record().millisOf(Step.Kind.RELOAD)),
                    p50(s, x -> ms(x.seen() - x.trace().applied())),
                    p50(s, x -> Long.parseLong(x.watcherReads().split(" ")[1]) / 1000.0),
                    r.delayLoop()));
        }
        sb.append("\nkeepalived's own reload, where the CPU went (p50): CPU ms of the parent, the checker and the VRRP "
                + "process from SIGHUP until all three are idle again, and how long that took.\n\n");
        sb.append("| members | SIGHUP → IPVS ms | parent CPU ms | checker CPU ms | VRRP CPU ms | SIGHUP → idle ms |\n"
                + "|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            List<OwnReload> o = r.own();
            sb.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f | %.0f |%n", r.members(),
                    percentile(r.ownReload(), 50),
                    percentile(o.stream().map(x -> (double) x.parentCpuMs()).toList(), 50),
                    percentile(o.stream().map(x -> (double) x.checkerCpuMs()).toList(), 50),
                    percentile(o.stream().map(x -> (double) x.vrrpCpuMs()).toList(), 50),
                    percentile(o.stream().map(OwnReload::idleMs).toList(), 50)));
        }
        return sb.toString();
    }

    private static double p50(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        return percentile(samples.stream().map(f::applyAsDouble).toList(), 50);
    }
}
