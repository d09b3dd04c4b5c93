# Functions the lab's requests use inside the guest (sourced by guest-init.sh and by every request).
# busybox sh: its own `ip` applet knows no netns, so iproute2 is called by absolute path.
B=/bin/busybox
IP=/usr/sbin/ip
KA_PID=/run/keepalived.pid

# Director (the guest's root namespace): br-cli 10.1.0.1/24 towards the client, br-rs 10.2.0.1/24 towards the real
# servers, forwarding on (NAT replies go back through it). Client namespace cli: 10.1.0.2 on br-cli (default route
# via the director) and 10.2.0.2 on br-rs (the real servers' segment, for direct routing).
net_base() {
  $IP link set lo up || return 1
  for br in br-cli br-rs; do $IP link add $br type bridge && $IP link set $br up || return 1; done
  $IP addr add 10.1.0.1/24 dev br-cli && $IP addr add 10.2.0.1/24 dev br-rs || return 1
  echo 1 > /proc/sys/net/ipv4/ip_forward || return 1
  $IP netns add cli && $IP -n cli link set lo up || return 1
  veth_into cli cli0 br-cli 10.1.0.2/24 && veth_into cli cli1 br-rs 10.2.0.2/24 || return 1
  $IP -n cli route add default via 10.1.0.1
}

# veth_into NS IFACE BRIDGE ADDR: a veth pair, one end IFACE in NS with ADDR, the other on BRIDGE.
veth_into() {
  $IP link add "$2" type veth peer name "$2p" && $IP link set "$2p" master "$3" up && $IP link set "$2" netns "$1" \
    && $IP -n "$1" addr add "$4" dev "$2" && $IP -n "$1" link set "$2" up
}

# rs_add NAME ADDR: a real-server namespace on br-rs (default route via the director), its servers started.
rs_add() {
  $IP netns add "$1" || return 1
  $IP -n "$1" link set lo up
  veth_into "$1" "$1" br-rs "$2/24" || return 1
  $IP -n "$1" route add default via 10.2.0.1
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
  # UDP on 5353 (NAT, Stratos' member port) and 53 (DR): each datagram is answered with NAME. busybox has no UDP
  # server here; perl (Debian's essential perl-base) has sockets.
  for port in 5353 53; do
    $IP netns exec "$1" /usr/bin/perl -MIO::Socket::INET -e '
      my $s = IO::Socket::INET->new(LocalPort => $ARGV[0], Proto => "udp") or die "udp $ARGV[0]: $!";
      while (defined $s->recv(my $m, 512)) { $s->send("$ARGV[1]\n"); }' "$port" "$1" &
    echo $! > "/run/rs/$1/udp-$port.pid"
  done
  # answer only once listening, so a health check that runs right after sees the servers
  for i in $($B seq 50); do
    $IP netns exec "$1" $B netstat -ltn | $B grep -q ':8080 ' && return 0
    $B usleep 20000
  done
  return 1
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
  $IP netns exec cli $B sh -c 'for i in $($0 seq "$3"); do
      a=$($0 timeout 3 $0 wget -q -O - "http://$1:$2/" 2>/dev/null); echo "${a:--}"; done' $B "$1" "$2" "$3" \
    2>/dev/null # the shell's "Terminated" for a request that timed out
}

# udp_get ADDR PORT N: N datagrams from the client namespace, each from a new socket (a new source port, so a new
# IPVS connection); one line per datagram, the real server's answer or "-" when none came within 3 s.
udp_get() {
  $IP netns exec cli /usr/bin/perl -MIO::Socket::INET -MIO::Select -e '
    for (1 .. $ARGV[2]) {
      my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Proto => "udp") or die "udp: $!";
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
# system is the host's, read-only). A small heap: the guest has little memory and runs one JVM at a time.
rs_tool() {
  name=$1; tool=$2; shift 2
  $IP netns exec "$name" $B env JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java \
    JAVA_TOOL_OPTIONS="-Xmx48m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" \
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
