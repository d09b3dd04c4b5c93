#!/bin/busybox sh
# One connection to a lab real server's port 7000: says which server it is, then echoes each line back.
echo "$RS_NAME"
exec /bin/busybox cat
