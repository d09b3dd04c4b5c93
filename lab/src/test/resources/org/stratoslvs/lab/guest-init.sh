#!/bin/busybox sh
# PID 1 of the lab's user-mode Linux guest. The guest's root is the host's own / (hostfs, read-only); the lab
# directory this script sits in is mounted again read-write, at the same path, so both sides use the same paths.
# Then: the IPVS modules, the base network, and the agent loop that runs the host's requests (see Guest.java).
B=/bin/busybox
LAB=$($B dirname "$0")
export LAB PATH=/usr/sbin:/usr/bin:/sbin:/bin
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
$B mkdir -p "$CTL/req" "$CTL/run" "$CTL/out"
echo "LAB-READY $($B uname -r)"
# Requests are shell scripts the host renames into req/ (so they appear whole). Each runs in the background, so a
# long request (a traffic series) never holds back another (a reload); its rc file is renamed into place last.
while :; do
  for f in "$CTL"/req/*.sh; do
    [ -e "$f" ] || continue
    id=$($B basename "$f" .sh)
    $B mv "$f" "$CTL/run/$id.sh"
    ( $B sh "$CTL/run/$id.sh" > "$CTL/out/$id.out" 2>&1
      echo $? > "$CTL/out/$id.rc.tmp"
      $B mv "$CTL/out/$id.rc.tmp" "$CTL/out/$id.rc" ) < /dev/null &
  done
  $B usleep 10000
done
