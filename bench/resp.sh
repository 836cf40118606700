#!/usr/bin/env bash
# Kite benchmarks on loopback: RESP throughput and server CPU per operation (bench/resp.ts), and
# with --all also memory per key (bench/memory.ts) and time to first PONG (bench/startup.ts).
# Needs Linux (taskset, /proc), redis-server and redis-benchmark on PATH.
#
#   bash bench/resp.sh [--quick] [--all] [--rounds N] [--targets redis,deno,bun,node] [--tests set,get]
#
# --quick: few requests and one round, for smoke testing. Other flags go to bench/resp.ts.
# Machine-readable results: each script prints a final "SUMMARY_JSON {...}" line; with --out DIR
# they are also written to DIR/{resp,memory,startup}.json.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server redis-benchmark taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not on PATH" >&2; exit 1; }
done
all=0
out=""
quick=()
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=1 ;;
    --out) out="$2"; shift ;;
    --quick) quick=(--quick) ;;
    *) args+=("$1") ;;
  esac
  shift
done
json() { [ -n "$out" ] && echo "--json" "$out/$1.json"; true; }
# Node runs the production bundle (dist/kite.mjs); rebuild it from the current sources.
npm run --silent build:node
[ -n "$out" ] && mkdir -p "$out"
# shellcheck disable=SC2046
node --import tsx bench/resp.ts "${quick[@]}" "${args[@]}" $(json resp)
if [ "$all" = 1 ]; then
  # shellcheck disable=SC2046
  node --import tsx bench/memory.ts "${quick[@]}" $(json memory)
  # shellcheck disable=SC2046
  node --import tsx bench/startup.ts "${quick[@]}" $(json startup)
fi
