#!/usr/bin/env bash
# The source guide's whole scenario on one machine, with `sd` in place of consul, registrator and
# consul-template, checked step by step:
#
#   1. a server agent (the guide's flags, on 127.0.0.1);
#   2. `sd register-docker --ip=127.0.0.1 consul://127.0.0.1:8500`;
#   3. nginx containers v1 and v2 published on 1314 and 1315, each with its own index page;
#   4. Debian's nginx on this host, whose upstream `sd template` renders from the guide's
#      nginx.ctmpl, listening on 8000: requests alternate between v1 and v2;
#   5. v3 starts: it joins the upstream; v1 stops: it leaves;
#   6. register-docker is killed (kill -9), v2 stops meanwhile, register-docker starts again:
#      v2 is gone from the catalog and from the upstream.
#
# It uses the guide's paths and ports: /var/lib/consul-data, /opt/nginx.ctmpl,
# /etc/nginx/conf.d/servers.conf, /var/log/nginx, ports 8000, 8500, 1314-1316, and containers
# named v1, v2 and v3 (removed first if they exist). Run it as root on a machine with Docker,
# Debian's nginx and curl, with sd on PATH, after ./nginx-image.sh. tests/e2e/seed_scenario.rs runs
# it in a private mount and pid namespace so the host's files are left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  status=$?
  if [ $status -ne 0 ]; then
    for f in "$work"/*.log /etc/nginx/conf.d/servers.conf; do
      [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }
    done
    [ -f /var/log/nginx/error.log ] && { echo "--- nginx error log"; tail -20 /var/log/nginx/error.log; }
  fi
  docker rm -f v1 v2 v3 >/dev/null 2>&1 || true
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  /usr/sbin/nginx -s stop 2>/dev/null || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

step() { printf '==> %s\n' "$*"; }

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "timed out after ${limit}s: $*" >&2
  return 1
}

# The distinct pages nginx on 8000 serves over 12 requests, sorted, on one line.
pages() {
  for _ in $(seq 12); do curl -s --max-time 2 http://127.0.0.1:8000/ || true; echo; done |
    grep -o 'this is test0[0-9]' | sort -u | tr '\n' ' '
}
serves() { [ "$(pages)" = "$*" ]; }

# The IDs of service nginx in the catalog, sorted, on one line.
catalog() {
  curl -s http://127.0.0.1:8500/v1/catalog/service/nginx |
    grep -o '"ServiceID":"[^"]*"' | cut -d'"' -f4 | sort | tr '\n' ' '
}

docker rm -f v1 v2 v3 >/dev/null 2>&1 || true
"$here/nginx-image.sh"

step "server agent"
mkdir -p /var/lib/consul-data
sd agent -server -bootstrap -ui -data-dir=/var/lib/consul-data -bind=127.0.0.1 \
  -client=127.0.0.1 -node=consul-server01 &>"$work/consul.log" &
pids+=($!)
wait_for 30 sd catalog services

step "sd register-docker"
sd register-docker --ip=127.0.0.1 consul://127.0.0.1:8500 2>"$work/register-docker.log" &
rd=$!
pids+=($rd)

step "containers v1 and v2"
docker run -d -p 1314:80 --name v1 nginx:latest >/dev/null
docker run -d -p 1315:80 --name v2 nginx:latest >/dev/null
docker exec v1 bash -c 'echo "<h1>this is test01</h1>" > /usr/share/nginx/html/index.html'
docker exec v2 bash -c 'echo "<h1>this is test02</h1>" > /usr/share/nginx/html/index.html'
host=$(hostname)
wait_for 20 sh -c "[ \"\$(curl -s http://127.0.0.1:8500/v1/catalog/service/nginx | grep -o ServiceID | wc -l)\" = 2 ]"
catalog | grep -q "$host:v1:80 $host:v2:80"

step "nginx on 8000 following the catalog through sd template"
mkdir -p /opt /etc/nginx/conf.d /var/log/nginx
cp "$here/nginx.ctmpl" /opt/nginx.ctmpl
: > /etc/nginx/conf.d/servers.conf
/usr/sbin/nginx
sd template --consul-addr 127.0.0.1:8500 \
  --template "/opt/nginx.ctmpl:/etc/nginx/conf.d/servers.conf:/usr/sbin/nginx -s reload" \
  --log-level=info &>"$work/template.log" &
pids+=($!)
wait_for 20 serves "this is test01 this is test02 "
grep -q "server 127.0.0.1:1314;" /etc/nginx/conf.d/servers.conf

step "v3 joins"
docker run -d -p 1316:80 --name v3 nginx:latest >/dev/null
docker exec v3 bash -c 'echo "<h1>this is test03</h1>" > /usr/share/nginx/html/index.html'
wait_for 20 serves "this is test01 this is test02 this is test03 "

step "v1 leaves"
docker stop v1 >/dev/null
wait_for 20 serves "this is test02 this is test03 "
[ "$(catalog)" = "$host:v2:80 $host:v3:80 " ]

step "register-docker killed, v2 stopped meanwhile, register-docker back"
kill -9 "$rd"
wait "$rd" 2>/dev/null || true
docker stop v2 >/dev/null
sleep 1
[ "$(catalog)" = "$host:v2:80 $host:v3:80 " ] # nobody told the agent yet
sd register-docker --ip=127.0.0.1 consul://127.0.0.1:8500 2>>"$work/register-docker.log" &
pids+=($!)
wait_for 20 sh -c "[ \"\$(curl -s http://127.0.0.1:8500/v1/catalog/service/nginx | grep -o ServiceID | wc -l)\" = 1 ]"
[ "$(catalog)" = "$host:v3:80 " ]
wait_for 20 serves "this is test03 "
if grep -q "127.0.0.1:1315" /etc/nginx/conf.d/servers.conf; then
  echo "v2 is still in servers.conf" >&2
  exit 1
fi

echo "seed scenario ok"
