# Functions the lab's requests use inside the guest (sourced by guest-init.sh and by every request).
# busybox sh: its own `ip` applet knows no netns, so iproute2 is called by absolute path.
B=/bin/busybox
IP=/usr/sbin/ip
KA_PID=/run/keepalived.pid

# Director (the guest's root namespace): br-cli 10.1.0.1/24 and fd00:1::1/64 towards the client, br-rs 10.2.0.1/24
# and fd00:2::1/64 towards the real servers, forwarding on for both families (NAT replies go back through it).
# Client namespace cli: 10.1.0.2 and fd00:1::2 on br-cli (default routes via the director), 10.2.0.2 and fd00:2::2
# on br-rs (the real servers' segment, for direct routing). IPv6 addresses without duplicate address detection: a
# lab address is unique by construction, and DAD would hold each one back for a second or more.
net_base() {
  $IP link set lo up || return 1
  for br in br-cli br-rs; do $IP link add $br type bridge && $IP link set $br up || return 1; done
  $IP addr add 10.1.0.1/24 dev br-cli && $IP addr add 10.2.0.1/24 dev br-rs || return 1
  $IP -6 addr add fd00:1::1/64 dev br-cli nodad && $IP -6 addr add fd00:2::1/64 dev br-rs nodad || return 1
  echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding || return 1
  $IP netns add cli && $IP -n cli link set lo up || return 1
  veth_into cli cli0 br-cli 10.1.0.2/24 && veth_into cli cli1 br-rs 10.2.0.2/24 || return 1
  $IP -n cli -6 addr add fd00:1::2/64 dev cli0 nodad && $IP -n cli -6 addr add fd00:2::2/64 dev cli1 nodad \
    || return 1
  $IP -n cli route add default via 10.1.0.1 && $IP -n cli -6 route add default via fd00:1::1
}

# veth_into NS IFACE BRIDGE ADDR: a veth pair, one end IFACE in NS with ADDR, the other on BRIDGE.
veth_into() {
  $IP link add "$2" type veth peer name "$2p" && $IP link set "$2p" master "$3" up && $IP link set "$2" netns "$1" \
    && $IP -n "$1" addr add "$4" dev "$2" && $IP -n "$1" link set "$2" up
}

# rs_add NAME ADDR [ADDR6]: a real-server namespace on br-rs (default routes via the director), its servers
# started; ADDR6 its IPv6 address, if it has one.
rs_add() {
  $IP netns add "$1" || return 1
  $IP -n "$1" link set lo up
  veth_into "$1" "$1" br-rs "$2/24" || return 1
  $IP -n "$1" route add default via 10.2.0.1
  if [ -n "${3:-}" ]; then
    $IP -n "$1" -6 addr add "$3/64" dev "$1" nodad && $IP -n "$1" -6 route add default via fd00:2::1 || return 1
  fi
  rs_start "$1"
}

# rs_start NAME: HTTP on 8080 (NAT, Stratos' member port) and 80 (DR delivers the virtual port), each answering
# NAME; a TCP service on 7000 that says NAME, then echoes every line (the long-lived connection).
rs_start() {
  $B mkdir -p "/run/rs/$1/www"
  echo "$1" > "/run/rs/$1/www/index.html"
  for port in 8080 80; do
    $IP netns exec "$1" $B httpd -f -p "$port" -h "/run/rs/$1/www" &
    echo $! > "/run/rs/$1/httpd-$port.pid"
  done
  $IP netns exec "$1" $B env "RS_NAME=$1" $B nc -ll -p 7000 -e "$LAB/echo-server.sh" &
  echo $! > "/run/rs/$1/echo.pid"
  # UDP on 5353 (NAT, Stratos' member port) and 53 (the virtual port, where DR and TUN deliver; the health checks
  # go to the real server's own address), over IPv4 and IPv6: each datagram is answered with NAME
  rs_udp "$1" :: 5353 && rs_udp "$1" :: 53 || return 1
  # answer only once listening, so a health check that runs right after sees the servers
  for i in $($B seq 50); do
    $IP netns exec "$1" $B netstat -ltn | $B grep -q ':8080 ' && return 0
    $B usleep 20000
  done
  return 1
}

# rs_udp NAME ADDR PORT: a UDP server in NAME bound to ADDR:PORT (:: for every address, both families) that answers
# each datagram with NAME. With direct routing or tunnelling ADDR is the VIP: an answer must come from the address
# the client sent to, and a socket bound to the wildcard answers from the real server's own address (the kernel
# gives a datagram to the socket bound most specifically; both reuse the address to share the port). busybox has no
# UDP server; perl (Debian's essential perl-base) has sockets.
rs_udp() {
  $B mkdir -p "/run/rs/$1"
  $IP netns exec "$1" /usr/bin/perl -MIO::Socket::IP -e '
    my $s = IO::Socket::IP->new(LocalHost => $ARGV[0], LocalService => $ARGV[1], Proto => "udp", V6Only => 0,
      ReuseAddr => 1)
      or die "udp [$ARGV[0]]:$ARGV[1]: $@";
    while (defined $s->recv(my $m, 512)) { $s->send("$ARGV[2]\n"); }' "$2" "$3" "$1" &
  echo $! > "/run/rs/$1/udp-$2-$3.pid"
}

# rs_stop NAME: stops its servers (the namespace and address stay: the health check sees connections refused).
rs_stop() {
  for f in /run/rs/"$1"/*.pid; do
    [ -e "$f" ] && $B kill "$($B cat "$f")" 2>/dev/null
    $B rm -f "$f"
  done
  return 0
}

# ka_start CONF: a full keepalived (IPVS and VRRP) on CONF, in the foreground of a background job, logging to
# $LAB/keepalived.log; prints its pid once it wrote the pid file (keepalived starts its VRRP and checker children
# only for a file that has work for them, and on a reload that brings some).
ka_start() {
  /usr/sbin/keepalived -n -l -D -f "$1" -p $KA_PID -r /run/keepalived_vrrp.pid -c /run/keepalived_checkers.pid \
    >> "$LAB/keepalived.log" 2>&1 < /dev/null &
  for i in $($B seq 250); do
    [ -s $KA_PID ] && { $B cat $KA_PID; return 0; }
    $B usleep 20000
  done
  echo "keepalived wrote no pid file"
  return 1
}

# ka_pid: keepalived's parent pid, if it runs.
ka_pid() {
  [ -s $KA_PID ] || return 1
  pid=$($B cat $KA_PID)
  $B kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# ka_reload: SIGHUP to keepalived's parent (what the product's external mode asks for); prints the pid signalled.
ka_reload() {
  pid=$(ka_pid) || { echo "keepalived is not running"; return 1; }
  $B kill -HUP "$pid" && echo "$pid"
}

# http_get ADDR PORT N: N HTTP requests from the client namespace, one new connection each; one line per request,
# the real server's answer or "-" when none came within 3 s. One shell inside the namespace runs them all: every
# process costs in UML, and entering a namespace costs several.
http_get() {
  host=$1
  case "$host" in *:*) host="[$host]" ;; esac # an IPv6 literal in a URL
  $IP netns exec cli $B sh -c 'for i in $($0 seq "$3"); do
      a=$($0 timeout 3 $0 wget -q -O - "http://$1:$2/" 2>/dev/null); echo "${a:--}"; done' $B "$host" "$2" "$3" \
    2>/dev/null # the shell's "Terminated" for a request that timed out
}

# udp_get ADDR PORT N: N datagrams from the client namespace, each from a new socket (a new source port, so a new
# IPVS connection) connected to ADDR, so an answer from any other address is dropped; one line per datagram, the
# real server's answer or "-" when none came within 3 s.
udp_get() {
  $IP netns exec cli /usr/bin/perl -MIO::Socket::IP -MIO::Select -e '
    for (1 .. $ARGV[2]) {
      my $s = IO::Socket::IP->new(PeerHost => $ARGV[0], PeerService => $ARGV[1], Proto => "udp") or die "udp: $@";
      $s->send("who\n");
      my $a = "";
      $s->recv($a, 512) if IO::Select->new($s)->can_read(3);
      chomp $a;
      print(($a eq "" ? "-" : $a), "\n");
    }' "$1" "$2" "$3"
}

# long_start ADDR PORT: one TCP connection from the client namespace that sends a line every 100 ms; the server's
# name and the echoes accumulate in /run/long.out. long_count: lines received so far, and whether nc still runs.
long_start() {
  ( i=0; while [ ! -e /run/long.stop ]; do i=$((i+1)); echo "ping $i"; $B usleep 100000; done ) \
    | $IP netns exec cli $B nc "$1" "$2" > /run/long.out 2>&1 &
  echo $! > /run/long.pid
}

long_status() {
  alive=no
  $B kill -0 "$($B cat /run/long.pid)" 2>/dev/null && alive=yes
  echo "alive=$alive lines=$($B wc -l < /run/long.out) first=$($B head -n 1 /run/long.out)"
}

# await_addr IFACE ADDR: waits up to 10 s for ADDR on IFACE (the VRRP master's VIP).
await_addr() {
  for i in $($B seq 100); do
    $IP -o addr show dev "$1" | $B grep -q " $2/" && return 0
    $B usleep 100000
  done
  echo "$2 never appeared on $1"
  return 1
}

# rs_tool NAME TOOL ARGS...: runs the real-server tool (lvs-realserver, the wrapper next to its jar) inside real
# server NAME's namespace, as a member runs it on itself, with its state file in the guest's /run (the root file
# system is the host's, read-only). A small heap: the guest has little memory and runs one JVM at a time. No
# AVX-512 in compiled code (see GLIBC_TUNABLES in guest-init.sh).
rs_tool() {
  name=$1; tool=$2; shift 2
  $IP netns exec "$name" $B env JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java \
    JAVA_TOOL_OPTIONS="-Xmx48m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:UseAVX=2" \
    /bin/sh "$tool" "$@" --state-file "/run/rs/$name/realserver.state"
}

# rs_tun NAME VIP: the real-server side of LVS tunnelling (lb_kind TUN): the VIP on the namespace's ipip fallback
# device tunl0 (ipip makes one in every namespace), up, answering no ARP for it; no reverse-path filter on tunl0
# (the decapsulated packets come from the client, whose route is not via tunl0).
rs_tun() {
  $IP netns exec "$1" $B sh -c "echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore; \
    echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce; echo 0 > /proc/sys/net/ipv4/conf/tunl0/rp_filter; \
    echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter" || return 1
  $IP -n "$1" addr add "$2/32" dev tunl0 && $IP -n "$1" link set tunl0 up
}

# rs_tun6 NAME VIP6: the same for IPv6 (IPVS tunnels IPv6 in IPv6): the VIP on the namespace's ip6_tunnel fallback
# device ip6tnl0, which takes in tunnelled packets for any of the namespace's addresses. IPv6 has no ARP to silence.
rs_tun6() {
  $IP -n "$1" -6 addr add "$2/128" dev ip6tnl0 nodad && $IP -n "$1" link set ip6tnl0 up
}

# farm_add COUNT: one namespace "farm" on br-rs holding COUNT real-server addresses 10.3.X.Y (farm_addr), each
# answering TCP on 8080 by accepting and closing (enough for TCP_CHECK): the benchmark's members, thousands of them,
# healthy without a process per address. One perl accept loop, not busybox httpd, which forks per connection.
farm_add() {
  $IP netns add farm && $IP -n farm link set lo up || return 1
  veth_into farm farm0 br-rs 10.3.255.253/16 || return 1
  $IP addr add 10.3.255.254/16 dev br-rs || return 1
  $IP -n farm route add default via 10.3.255.254
  /usr/bin/perl -e 'for my $i (0 .. $ARGV[0] - 1) {
      printf "addr add 10.3.%d.%d/32 dev farm0\n", int($i / 250), $i % 250 + 1; }' "$1" > /run/farm.batch
  $IP -n farm -batch /run/farm.batch || return 1
  $IP netns exec farm /usr/bin/perl -MIO::Socket::IP -e '
    my $s = IO::Socket::IP->new(LocalHost => "0.0.0.0", LocalService => 8080, Listen => 1024, ReuseAddr => 1)
      or die "listen: $@";
    while (1) { my $c = $s->accept or next; close $c; }' &
  echo $! > /run/farm.pid
}

# ipvs_watch: the benchmark's watcher, in the background (see ipvs-watch.pl): answers "when does the kernel's IPVS
# table show this real server / no longer show it" by reading /proc/net/ip_vs.
ipvs_watch() {
  $B mkdir -p "$LAB/watch"
  /usr/bin/perl "$LAB/ipvs-watch.pl" "$LAB/watch" > "$LAB/watch.log" 2>&1 < /dev/null &
  echo $! > /run/ipvs-watch.pid
}

# ka_idle: waits (up to 10 minutes) until keepalived's processes have used no CPU for 200 ms: a reload goes on
# after IPVS shows its change (the checker process finishes migrating its checkers), and the benchmark starts each
# event from an idle keepalived, as own-reload.pl starts each of keepalived's own reloads.
ka_idle() {
  pids=$($B cat $KA_PID /run/keepalived_checkers.pid /run/keepalived_vrrp.pid 2>/dev/null)
  prev=
  for i in $($B seq 3000); do
    now=
    for p in $pids; do now="$now $($B cut -d' ' -f14,15 /proc/$p/stat 2>/dev/null)"; done
    [ "$now" = "$prev" ] && return 0
    prev=$now
    $B usleep 200000
  done
  echo "keepalived still busy after 10 minutes"
  return 1
}
