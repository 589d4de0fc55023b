#!/usr/bin/env bash
# Builds the image the guide runs, `nginx:latest`, on a machine whose Docker engine cannot pull:
# a Debian root filesystem with nginx made by debootstrap, imported with `docker import`. It serves
# /usr/share/nginx/html on port 80 in the foreground, as the official image does, so the guide's
# `docker run -d -p 1314:80 --name v1 nginx:latest` and `docker exec -it v1 bash` work verbatim.
#
# Idempotent: an image built by this script (label org.sd.example=seed-nginx) is kept.
# Needs: root, debootstrap, Docker, and Debian's package mirror (SD_DEBIAN_MIRROR to override).
set -euo pipefail

tag=${1:-nginx:latest}
label=org.sd.example=seed-nginx
if [ "$(docker image inspect --format '{{index .Config.Labels "org.sd.example"}}' "$tag" 2>/dev/null)" = seed-nginx ]; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "error: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

mirror=${SD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/sd-nginx-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=nginx-light bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  echo "error: debootstrap failed; its log:" >&2; tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# The official image's layout: pages in /usr/share/nginx/html, logs to the container's output.
mkdir -p "$root/usr/share/nginx/html"
cat > "$root/usr/share/nginx/html/index.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>Welcome to nginx!</title></head>
<body><h1>Welcome to nginx!</h1></body></html>
HTML
cat > "$root/etc/nginx/sites-available/default" <<'CONF'
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    root /usr/share/nginx/html;
    index index.html index.htm;
    location / {
        try_files $uri $uri/ =404;
    }
}
CONF
ln -sf /dev/stdout "$root/var/log/nginx/access.log"
ln -sf /dev/stderr "$root/var/log/nginx/error.log"
# What a container never needs.
rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

tar -C "$root" -c . | docker import \
  --change 'EXPOSE 80' \
  --change "LABEL $label" \
  --change 'CMD ["nginx", "-g", "daemon off;"]' \
  - "$tag" >/dev/null
echo "built $tag"
