#!/usr/bin/perl
# The event -> kernel benchmark's watcher, inside the lab guest. The host drops DIR/ID.req holding
# "present|absent ADDRHEX:PORTHEX" (a real server as /proc/net/ip_vs prints it); from then on this reads
# /proc/net/ip_vs every millisecond (or nine times the last read's duration, if longer) until the table agrees, then writes DIR/ID.ans: "0 READS LASTREADMICROS" (how
# many reads it took and how long the last read took, the measurement's resolution), renamed into place whole.
# Nothing runs between requests, so the guest's one CPU is left to keepalived.
use strict;
use warnings;
use Time::HiRes qw(time usleep);

my $dir = shift or die "usage: ipvs-watch.pl DIR\n";
while (1) {
    opendir(my $dh, $dir) or die "$dir: $!";
    my @reqs = sort grep { /\.req$/ } readdir $dh;
    closedir $dh;
    for my $req (@reqs) {
        (my $id = $req) =~ s/\.req$//;
        next if -e "$dir/$id.ans";
        open(my $fh, '<', "$dir/$req") or next;
        my $line = <$fh>;
        close $fh;
        next unless defined $line && $line =~ /^(present|absent) ([0-9A-F]+:[0-9A-F]+)$/;
        my ($want, $target) = ($1 eq 'present', $2);
        my ($reads, $took) = (0, 0);
        while (1) {
            my $t0 = time;
            open(my $ip, '<', '/proc/net/ip_vs') or die "/proc/net/ip_vs: $!";
            local $/;
            my $table = <$ip>;
            close $ip;
            $took = time - $t0;
            $reads++;
            my $has = index($table, "-> $target ") >= 0;
            last if $has == $want;
            # at most a tenth of the CPU on reading: with 10,000 real servers a read takes milliseconds, and
            # keepalived, whose time this measures, shares the guest's one CPU with this loop
            usleep($took * 9e6 > 1000 ? $took * 9e6 : 1000);
        }
        open(my $out, '>', "$dir/.$id.tmp") or die "$dir: $!";
        printf $out "0 %d %d\n", $reads, $took * 1e6;
        close $out;
        rename("$dir/.$id.tmp", "$dir/$id.ans") or die "rename: $!";
    }
    usleep(1000);
}
