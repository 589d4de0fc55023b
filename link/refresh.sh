#!/usr/bin/env bash
# Writes link/startup-symbols.txt again (build.rs: the order of .text in the static release
# binary): the functions a client agent runs while it starts, joins 3 servers and idles, as
# valgrind's callgrind and perf's page faults see them, under their names in the linked binary;
# then those a server runs besides (callgrind, as a follower and as the leader), so a client
# agent's resident code stays in the first part and a server's in the first two.
#
# Needs valgrind, perf and curl, and Consul's ports free on 127.77.1.1-5. Takes a release build
# (6-14 minutes) and about three minutes of agents; the next `cargo build` links the binary again,
# stripped. Run it when tests/link_order.rs fails (Cargo.toml, Cargo.lock or rustc changed: most
# mangled names change with them) or the idle RSS of a client agent (docs/benchmarks.md) has
# grown back: names that changed are skipped at link time, so their code lands outside the
# ordered part again.
set -euo pipefail
# sort and comm compare the same way, byte by byte.
export LC_ALL=C
cd "$(dirname "$0")/.."
out=link/startup-symbols.txt
idle_secs=${IDLE_SECS:-60}
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/x86_64-unknown-linux-gnu/release/sd

# The README's build, with the symbol table kept (linked with the list as it stands). Only the
# binary's own crate (main.rs) gets `-C strip=none`: a profile change would change the
# library's crate hash, which is part of every symbol name in the list.
build() {
  RUSTFLAGS="-C target-feature=+crt-static" cargo rustc --locked --release \
    --target x86_64-unknown-linux-gnu --bin sd -- -C strip=none
}
build

work=$(mktemp -d)
# Agents started here, and (in $work/*.pid) by background starters.
pids=()
# Sends signal $1 to every agent started so far and waits until all are gone.
stop_agents() {
  for f in "$work"/*.pid; do
    if [ -e "$f" ]; then pids+=("$(cat "$f")") && rm -f "$f"; fi
  done
  for p in "${pids[@]}"; do kill "-$1" "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  pids=()
}
cleanup() {
  stop_agents TERM
  rm -rf "$work"
}
trap cleanup EXIT

# Starts agent n on 127.77.1.n as the cluster bench's rss part does: 1-3 are servers, the others
# clients; the rest of the arguments wrap the command (a profiler).
start_agent() {
  local n=$1 ip=127.77.1.$1
  shift
  mkdir -p "$work/d$n"
  local args=(agent "-data-dir=$work/d$n" "-node=n$n" "-bind=$ip" "-client=$ip" -retry-interval=1s)
  if [ "$n" -le 3 ]; then args+=(-server -bootstrap-expect=3); fi
  if [ "$n" -gt 1 ]; then args+=(-retry-join=127.77.1.1); fi
  "$@" "$bin" "${args[@]}" >"$work/n$n.log" 2>&1 &
  pids+=($!)
}

# Runs client agent n under a profiler for idle_secs, sending it the requests the cluster bench
# sends (members, as it waits for the cluster to settle) and the agent's own and the leader's
# status a health check would ask for, then stops it.
profile_client() {
  local n=$1
  shift
  start_agent "$n" "$@"
  local client=${pids[-1]}
  for _ in $(seq "$idle_secs"); do
    sleep 1
    for path in /v1/agent/members /v1/agent/self /v1/status/leader; do
      curl -sf -o /dev/null "http://127.77.1.$n:8500$path" || true
    done
  done
  kill -INT "$client"
  while kill -0 "$client" 2>/dev/null; do sleep 0.2; done
  grep -q "joined" "$work/n$n.log" || {
    cat "$work/n$n.log" >&2
    echo "error: client $n never joined" >&2
    exit 1
  }
}

# Server 1 runs under callgrind from the start: the bootstrap election, a follower's and (after
# the transfer below) the leader's work, and the client agents' requests.
start_agent 1 valgrind --tool=callgrind --demangle=no --compress-strings=no \
  "--callgrind-out-file=$work/server.out"
server=${pids[-1]}
for n in 2 3; do start_agent "$n"; done
# callgrind sees every function the client runs, but runs its threads one at a time.
profile_client 4 valgrind --tool=callgrind --demangle=no --compress-strings=no \
  "--callgrind-out-file=$work/callgrind.out"
# A client running natively takes a page fault on each 64 KiB of code it runs outside what is
# mapped already: this adds glibc's start (before valgrind's view begins) and paths only threads
# running at once take.
profile_client 5 perf record -q -e page-faults -c 1 -d -o "$work/perf.data"
# Server 1 leads for a while, then stops (callgrind writes its file at exit).
id=$(curl -sf http://127.77.1.1:8500/v1/agent/self | python3 -c 'import json,sys; print(json.load(sys.stdin)["Config"]["NodeID"])')
curl -sf -X POST "http://127.77.1.2:8500/v1/operator/raft/transfer-leader?id=$id" >/dev/null || true
for _ in $(seq 20); do
  sleep 1
  curl -sf -o /dev/null "http://127.77.1.1:8500/v1/catalog/nodes" || true
done
[ "$(curl -sf http://127.77.1.1:8500/v1/status/leader)" = '"127.77.1.1:8300"' ] || {
  echo "error: server 1 did not take the leadership" >&2
  exit 1
}
kill -INT "$server"
while kill -0 "$server" 2>/dev/null; do sleep 0.2; done

nm --defined-only "$bin" | awk '$2 ~ /^[tTwWi]$/ {print $3}' | sort -u >"$work/text"
# The linked names of the functions in callgrind file $1 (and perf's, appended by the caller).
# glibc's string functions appear under their generic names (valgrind replaces them), which
# are also the names of their IFUNCs: every CPU variant of each is kept. ('N marks a recursion
# level.)
linked() {
  sort -u "$1" >"$1.sorted"
  comm -12 "$1.sorted" "$work/text"
  grep -E '^[a-z_]+$' "$1.sorted" | while read -r f; do
    grep -E "^__${f}_(sse2|avx|evex|erms)" "$work/text" || true
  done
}
# The functions of the faults on the instruction being fetched (address = ip) in perf file $1.
faulted() {
  perf script -i "$1" -F ip,sym,addr --no-demangle 2>/dev/null |
    awk '{ if ($1 == $(NF - 1)) print $NF }'
}
grep '^fn=' "$work/callgrind.out" | sed -e 's/^fn=//' -e "s/'[0-9]*\$//" >"$work/names"
faulted "$work/perf.data" >>"$work/names"
# Code every start runs before either profiler sees it, or that neither names as linked: the
# resolver of every IFUNC (glibc's static start resolves them all, one fault each where they
# lie outside the ordered part) and crtbegin's constructor.
{
  nm --defined-only "$bin" | awk '$2 == "i" {print $3}'
  printf '%s\n' frame_dummy register_tm_clones
} >>"$work/names"
linked "$work/names" | sort -u >"$work/client"
grep '^fn=' "$work/server.out" | sed -e 's/^fn=//' -e "s/'[0-9]*\$//" >"$work/server_names"
linked "$work/server_names" | sort -u >"$work/server"
{
  cat "$work/client"
  comm -13 "$work/client" "$work/server"
} >"$out"

# More native runs, each on the binary linked with the list so far: perf names only the first
# fault in each 64 KiB, so code that shared a window with code that faulted first shows now,
# lying outside the ordered part. Its functions join the client part. Two rounds: the second
# finds what the first one's additions moved.
cp "$work/client" "$work/client_all"
for round in 1 2; do
  stop_agents INT
  rm -rf "$work"/d*
  build
  # The servers start two seconds after the client, as the cluster bench starts all its agents
  # at once: the client's first join is refused and retried, a path of its own.
  (
    sleep 2
    for n in 1 2 3; do
      start_agent "$n"
      echo "${pids[-1]}" >"$work/server$n.pid"
    done
    wait
  ) &
  profile_client 6 perf record -q -e page-faults -c 1 -d -o "$work/perf$round.data"
  faulted "$work/perf$round.data" >"$work/names$round"
  linked "$work/names$round" | sort -u | comm -23 - "$work/client_all" >"$work/added$round"
  sort -u "$work/client_all" "$work/added$round" -o "$work/client_all"
  {
    cat "$work/client"
    for r in $(seq "$round"); do cat "$work/added$r"; done
    comm -13 "$work/client_all" "$work/server"
  } >"$out"
  echo "round $round: $(wc -l <"$work/added$round") more client functions"
done
echo "$(wc -l <"$work/client_all") client functions and $(comm -13 "$work/client_all" "$work/server" | wc -l) more for servers in $out"
# What the list was written for (tests/link_order.rs fails once these inputs change).
cargo test -q --locked --test link_order -- --ignored write_digest >/dev/null
