#!/usr/bin/perl
# keepalived's own reload time, inside the lab guest, for the benchmark to compare with: N times, put file A (with
# one real server more) in place of the live config, SIGHUP keepalived, and time until /proc/net/ip_vs shows that
# real server; then the same with file B (without it) until it is gone. Prints "present MILLIS" / "absent MILLIS".
# Each reload starts from an idle keepalived (no CPU used by its processes for 200 ms, as guest-lib's ka_idle),
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

sub cpu_ticks {
    my $all = '';
    for my $f ($pidfile, '/run/keepalived_checkers.pid', '/run/keepalived_vrrp.pid') {
        open(my $p, '<', $f) or next;
        chomp(my $id = <$p> // '');
        close $p;
        open(my $st, '<', "/proc/$id/stat") or next;
        my @f = split ' ', scalar <$st>;
        close $st;
        $all .= "$f[13]/$f[14] ";
    }
    return $all;
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
    return (time - $t0) * 1000;
}

$| = 1;
for (1 .. $n) {
    printf "present %.1f\n", reload_until($with, 1);
    printf "absent %.1f\n", reload_until($without, 0);
}
