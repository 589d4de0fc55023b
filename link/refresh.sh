#!/usr/bin/env bash
# Writes link/startup-symbols.txt again (build.rs: the order of .text in the static release
# binary): the functions a client agent runs while it starts, joins 3 servers and idles, as
# valgrind's callgrind sees them, under their names in the linked binary.
#
# Needs valgrind and curl, and Consul's ports free on 127.77.1.1-4. Takes a release build (6-14
# minutes) and about a minute of agents; the next `cargo build` links the binary again, stripped.
# Run it when the idle RSS of a client agent (README, Benchmarks) has grown back: names that
# changed are skipped at link time, so their code lands outside the ordered part again.
set -euo pipefail
# sort and comm compare the same way, byte by byte.
export LC_ALL=C
cd "$(dirname "$0")/.."
out=link/startup-symbols.txt
idle_secs=${IDLE_SECS:-30}
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/x86_64-unknown-linux-gnu/release/sd

# The README's build, with the symbol table kept. Only the binary's own crate (main.rs) gets
# `-C strip=none`: a profile change would change the library's crate hash, which is part of
# every symbol name in the list.
RUSTFLAGS="-C target-feature=+crt-static" cargo rustc --locked --release \
  --target x86_64-unknown-linux-gnu --bin sd -- -C strip=none

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  rm -rf "$work"
}
trap cleanup EXIT

# 3 servers and a client agent under callgrind, as the cluster bench's rss part starts them.
for n in 1 2 3 4; do
  ip=127.77.1.$n
  mkdir -p "$work/d$n"
  args=(agent "-data-dir=$work/d$n" "-node=n$n" "-bind=$ip" "-client=$ip" -retry-interval=1s)
  wrap=()
  if [ "$n" -le 3 ]; then
    args+=(-server -bootstrap-expect=3)
  else
    wrap=(valgrind --tool=callgrind --demangle=no --compress-strings=no
      "--callgrind-out-file=$work/callgrind.out")
  fi
  if [ "$n" -gt 1 ]; then args+=(-retry-join=127.77.1.1); fi
  "${wrap[@]}" "$bin" "${args[@]}" >"$work/n$n.log" 2>&1 &
  pids+=($!)
done
client=${pids[3]}
# Meanwhile the requests the cluster bench sends it (members, as it waits for the cluster to
# settle), and the agent's own and the leader's status a health check would ask for.
for _ in $(seq "$idle_secs"); do
  sleep 1
  for path in /v1/agent/members /v1/agent/self /v1/status/leader; do
    curl -sf -o /dev/null "http://127.77.1.4:8500$path" || true
  done
done
kill -INT "$client"
while kill -0 "$client" 2>/dev/null; do sleep 0.2; done
grep -q "joined" "$work/n4.log" || { cat "$work/n4.log" >&2; echo "error: the client never joined" >&2; exit 1; }

# Function names callgrind counted ('N marks a recursion level). glibc's string functions
# appear under their generic names (valgrind replaces them): every CPU variant of each is kept.
grep '^fn=' "$work/callgrind.out" | sed -e 's/^fn=//' -e "s/'[0-9]*\$//" | sort -u >"$work/run"
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u >"$work/text"
{
  comm -12 "$work/run" "$work/text"
  comm -23 "$work/run" "$work/text" | while read -r f; do
    grep -E "^__${f}_(sse2|avx|evex|erms)" "$work/text" || true
  done
} | sort -u >"$out"
echo "$(wc -l <"$out") functions in $out"
