#!/usr/bin/env bash
# The seed's consul-template step, verbatim, on this machine's real paths: run by
# tests/e2e/template_nginx.rs inside `unshare --mount --net --pid --fork --mount-proc`, so
# 127.0.0.1:8500 and :8000 are this namespace's own and tmpfs mounts over /opt,
# /etc/nginx/conf.d, /var/log/nginx and /run hide the host's files.
#
# usage: seed_verbatim.sh SD_BINARY SEED_TEMPLATE (sd|consul-template)
set -euo pipefail
sd=$1 seed=$2 mode=$3

ip link set lo up
for d in /opt /etc/nginx/conf.d /var/log/nginx /run; do mount -t tmpfs tmpfs "$d"; done
work=$(mktemp -d)

# GET / through HOST:PORT with bash's /dev/tcp (no client program needed).
get() {
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" >&3
  timeout 2 cat <&3 | tail -n 1
  exec 3<&-
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "timed out: $*" >&2
  return 1
}

"$sd" agent -dev >"$work/agent.log" 2>&1 &
wait_for 20 "$sd" catalog services

# The seed's backends are nginx containers on one host; here they are server blocks of the
# same nginx, each answering with its name.
cat > /etc/nginx/conf.d/backends.conf <<'CONF'
server { listen 127.0.0.2:1314; location / { return 200 "backend-v1\n"; } }
server { listen 127.0.0.3:1315; location / { return 200 "backend-v2\n"; } }
CONF
/usr/sbin/nginx
"$sd" services register -id=v1 -name=nginx -address=127.0.0.2 -port=1314 >/dev/null
"$sd" services register -id=v2 -name=nginx -address=127.0.0.3 -port=1315 >/dev/null

# The guide's file and command, byte for byte.
cp "$seed" /opt/nginx.ctmpl
if [ "$mode" = consul-template ]; then
  ln -s "$sd" "$work/consul-template"
  cd "$work"
  PATH="$work:$PATH" consul-template --consul-addr 127.0.0.1:8500 \
--template "/opt/nginx.ctmpl:/etc/nginx/conf.d/servers.conf:/usr/sbin/nginx -s reload" \
--log-level=info >"$work/template.log" 2>&1 &
else
  "$sd" template --consul-addr 127.0.0.1:8500 \
--template "/opt/nginx.ctmpl:/etc/nginx/conf.d/servers.conf:/usr/sbin/nginx -s reload" \
--log-level=info >"$work/template.log" 2>&1 &
fi

both() {
  local seen
  seen=$(for _ in 1 2 3 4; do get 127.0.0.1 8000; done | sort -u | tr '\n' ' ')
  [ "$seen" = "backend-v1 backend-v2 " ]
}
if ! wait_for 20 both; then
  echo "--- servers.conf"; cat /etc/nginx/conf.d/servers.conf || true
  echo "--- template log"; cat "$work/template.log"
  echo "--- nginx error log"; cat /var/log/nginx/error.log || true
  exit 1
fi
grep -q "server 127.0.0.2:1314;" /etc/nginx/conf.d/servers.conf
grep -q "rendered" "$work/template.log"
echo "seed scenario ok ($mode)"
