#!/bin/sh
# The lab's keepalived.reload.command (external mode), run on the host by the product after it wrote the file:
# asks the guest's agent to SIGHUP its keepalived (hup/ID.req, see guest-init.sh) and waits for the answer,
# "0 PID" once the signal was sent or "1 why". Exit 0 only once the signal was sent; prints the pid signalled.
set -eu
hup=$(dirname "$0")/ctl/hup
id=$$-$(date +%s%N)
: > "$hup/$id.req"
i=0
while :; do
  if [ -s "$hup/$id.ans" ]; then
    answer=$(cat "$hup/$id.ans")
    case "$answer" in *[0-9a-z]) break ;; esac # the whole line is there
  fi
  i=$((i + 1))
  if [ "$i" -gt 5000 ]; then
    rm -f "$hup/$id.req"
    echo "the lab guest did not answer the reload request $id within 10 s" >&2
    exit 1
  fi
  sleep 0.002
done
rm -f "$hup/$id.req" "$hup/$id.ans"
echo "${answer#* }"
[ "${answer%% *}" = 0 ]
