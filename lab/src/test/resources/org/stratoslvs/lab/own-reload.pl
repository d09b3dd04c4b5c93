#!/usr/bin/perl
# keepalived's own reload time, inside the lab guest, for the benchmark to compare with: N times, put file A (with
# one real server more) in place of the live config, SIGHUP keepalived, and time until /proc/net/ip_vs shows that
# real server; then the same with file B (without it) until it is gone. Prints "present MILLIS" / "absent MILLIS".
# After the change, it also waits until keepalived is idle again and prints where the CPU went, per process:
# "present MILLIS cpu PARENT CHECKER VRRP idle MILLIS" (CPU in ms, at the kernel's 10 ms tick; idle: SIGHUP → no
# process busy any more). Each reload starts from an idle keepalived (no CPU used by its processes for 200 ms, as guest-lib's ka_idle),
# as each of the benchmark's events does: a reload goes on after IPVS shows its change.
# Usage: own-reload.pl LIVE A B ADDRHEX:PORTHEX N PIDFILE
use strict;
use warnings;
use File::Copy qw(copy);
use Time::HiRes qw(time usleep);

my ($live, $with, $without, $target, $n, $pidfile) = @ARGV;
open(my $pf, '<', $pidfile) or die "$pidfile: $!";
chomp(my $pid = <$pf>);
close $pf;

sub has_target {
    open(my $ip, '<', '/proc/net/ip_vs') or die "/proc/net/ip_vs: $!";
    local $/;
    my $table = <$ip>;
    close $ip;
    return index($table, "-> $target ") >= 0;
}

# CPU ticks (user + system) of keepalived's parent, checker and VRRP processes, in that order
sub cpu_of {
    my @ticks;
    for my $f ($pidfile, '/run/keepalived_checkers.pid', '/run/keepalived_vrrp.pid') {
        my $t = 0;
        if (open(my $p, '<', $f)) {
            chomp(my $id = <$p> // '');
            close $p;
            if (open(my $st, '<', "/proc/$id/stat")) {
                my @f = split ' ', scalar <$st>;
                close $st;
                $t = $f[13] + $f[14];
            }
        }
        push @ticks, $t;
    }
    return @ticks;
}

sub cpu_ticks {
    return join(' ', cpu_of());
}

sub await_idle {
    my $prev = '';
    for (1 .. 3000) {
        my $now = cpu_ticks();
        return if $now eq $prev;
        $prev = $now;
        usleep(200_000);
    }
    die "keepalived still busy after 10 minutes\n";
}

sub reload_until {
    my ($file, $want) = @_;
    await_idle();
    copy($file, "$live.own") or die "copy: $!";
    rename("$live.own", $live) or die "rename: $!";
    my @before = cpu_of();
    my $t0 = time;
    kill('HUP', $pid) or die "kill -HUP $pid: $!";
    while (1) {
        my $r0 = time;
        my $has = has_target() ? 1 : 0;
        last if $has == $want;
        my $took = time - $r0;
        die "no change within 600 s\n" if time - $t0 > 600;
        usleep($took * 9e6 > 1000 ? $took * 9e6 : 1000); # as ipvs-watch.pl: a tenth of the CPU at most
    }
    my $changed = (time - $t0) * 1000;
    await_idle();
    my $idle = (time - $t0) * 1000 - 200; # await_idle's last quiet 200 ms are not work
    my @after = cpu_of();
    my @cpu = map { ($after[$_] - $before[$_]) * 10 } 0 .. 2; # USER_HZ 100: a tick is 10 ms
    return sprintf("%.1f cpu %d %d %d idle %.0f", $changed, @cpu, $idle);
}

$| = 1;
for (1 .. $n) {
    print "present ", reload_until($with, 1), "\n";
    print "absent ", reload_until($without, 0), "\n";
}
