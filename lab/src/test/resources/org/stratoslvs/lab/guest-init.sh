#!/bin/busybox sh
# PID 1 of the lab's user-mode Linux guest. The guest's root is the host's own / (hostfs, read-only); the lab
# directory this script sits in is mounted again read-write, at the same path, so both sides use the same paths.
# Then: the IPVS modules, the base network, and the agent loop that runs the host's requests (see Guest.java).
B=/bin/busybox
LAB=$($B dirname "$0")
export LAB PATH=/usr/sbin:/usr/bin:/sbin:/bin
# No AVX-512 in the guest's programs (glibc's string functions pick it by CPUID): UML switches only the first 832
# bytes of FP state between the threads of a process (see uml-xstate-shim.c). A no-op on hosts without it.
export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t tmpfs run /run
# /tmp is the host's own, writable: a build may lie under it (a clone in /tmp), and the guest must see the same
# paths as the host (the lab directory, the real-server tool's jar); a tmpfs there would hide them.
$B mount -t hostfs none /tmp -o /tmp
if ! $B mount -t hostfs none "$LAB" -o "$LAB"; then
  echo "LAB-FAILED: cannot mount $LAB read-write"
  $B poweroff -f
fi
# Resolved on the host from the user-mode-linux package's modules.dep, dependencies first.
for m in $($B cat "$LAB/modules.list"); do
  $B insmod "$m" || echo "LAB-WARN: insmod $m failed"
done
. "$LAB/guest-lib.sh"
if ! net_base > "$LAB/net-base.log" 2>&1; then
  echo "LAB-FAILED: base network (see $LAB/net-base.log)"
  $B poweroff -f
fi
CTL=$LAB/ctl
$B mkdir -p "$CTL/req" "$CTL/run" "$CTL/out" "$CTL/hup"
$B mkfifo "$CTL/tick"
echo "LAB-READY $($B uname -r)"
# Two kinds of request. hup/ID.req: SIGHUP keepalived now (the product's reload command, reload-keepalived.sh); done
# in the loop with shell builtins only, because every process costs milliseconds in UML and a reload is on the
# measured path (event → kernel). The answer, hup/ID.ans, is one line "0 PID" or "1 why"; the host deletes the
# request, then the answer. req/ID.sh: anything else, as a shell script the host renames into req/ (so it appears
# whole), run in the background so a long request (a traffic series) never holds back another; its rc file is
# renamed into place last.
while :; do
  for f in "$CTL"/hup/*.req; do
    [ -e "$f" ] || continue
    a=${f%.req}.ans
    [ -e "$a" ] && continue
    if read -r pid < "$KA_PID" 2>/dev/null && kill -HUP "$pid" 2>/dev/null; then
      echo "0 $pid" > "$a"
    else
      echo "1 keepalived is not running" > "$a"
    fi
  done
  for f in "$CTL"/req/*.sh; do
    [ -e "$f" ] || continue
    id=$($B basename "$f" .sh)
    $B mv "$f" "$CTL/run/$id.sh"
    ( $B sh "$CTL/run/$id.sh" > "$CTL/out/$id.out" 2>&1
      echo $? > "$CTL/out/$id.rc.tmp"
      $B mv "$CTL/out/$id.rc.tmp" "$CTL/out/$id.rc" ) < /dev/null &
  done
  # a 5 ms wait without a process: read from a FIFO nobody writes to, with a time-out
  read -r -t 0.005 _ <> "$CTL/tick"
done
