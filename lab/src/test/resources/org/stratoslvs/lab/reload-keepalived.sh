#!/bin/sh
# The lab's keepalived.reload.command (external mode), run on the host by the product after it wrote the file:
# asks the guest's agent to SIGHUP its keepalived and waits for the answer (keepalived's pid). Exit 0 only once
# the signal was sent. The request is renamed into place so the agent never reads half of it.
set -eu
ctl=$(dirname "$0")/ctl
id=reload-$$-$(date +%s%N)
printf '. "$LAB/guest-lib.sh"\nka_reload\n' > "$ctl/req/.$id.tmp"
mv "$ctl/req/.$id.tmp" "$ctl/req/$id.sh"
i=0
while [ ! -e "$ctl/out/$id.rc" ]; do
  i=$((i + 1))
  if [ "$i" -gt 1000 ]; then
    echo "the lab guest did not answer the reload request $id within 10 s" >&2
    exit 1
  fi
  sleep 0.01
done
cat "$ctl/out/$id.out"
exit "$(cat "$ctl/out/$id.rc")"
