#!/usr/bin/env bash
# Runs a command (examples/seed/run.sh) with the guide's paths made private: run by
# tests/e2e/seed_scenario.rs inside `unshare --mount --pid --fork --mount-proc`, it puts tmpfs
# mounts over /opt, /etc/nginx/conf.d, /etc/nginx/sites-enabled (no default site on port 80),
# /var/log/nginx, /var/lib/consul-data and /run (keeping Docker's socket), so nothing the
# scenario writes reaches the host and every process it starts ends with the namespace. The
# network is the host's: Docker publishes the containers' ports there.
set -euo pipefail
mkdir -p /var/lib/consul-data
for d in /opt /etc/nginx/conf.d /etc/nginx/sites-enabled /var/log/nginx /var/lib/consul-data; do
  mount -t tmpfs tmpfs "$d"
done
keep=$(mktemp -d)
touch "$keep/docker.sock"
mount --bind /run/docker.sock "$keep/docker.sock"
mount -t tmpfs tmpfs /run
touch /run/docker.sock
mount --bind "$keep/docker.sock" /run/docker.sock
exec "$@"
