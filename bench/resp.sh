#!/usr/bin/env bash
# Kite benchmarks on loopback: RESP throughput and server CPU per operation (bench/resp.ts), and
# with --all also memory per key (bench/memory.ts), memory of 1M-element collections
# (bench/memory_types.ts), the 100k-member sorted-set workload (bench/zset_workload.ts) and time
# to first PONG (bench/startup.ts). Needs Linux (taskset, /proc), redis-server and
# redis-benchmark on PATH.
#
#   bash bench/resp.sh [--quick] [--all | --only resp,memory,memory_types,zset_workload,startup]
#                      [--rounds N] [--targets redis,deno,bun,node] [--tests set,get,...]
#
# --quick: few requests/elements and one round, for smoke testing. --only runs the named scripts.
# Other flags go to every script (each ignores the ones it has no use for).
# Machine-readable results: each script prints a final "SUMMARY_JSON {...}" line; with --out DIR
# they are also written to DIR/<script>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server redis-benchmark taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not on PATH" >&2; exit 1; }
done
only="resp"
out=""
quick=()
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) only="resp,memory,memory_types,zset_workload,startup" ;;
    --only) only="$2"; shift ;;
    --out) out="$2"; shift ;;
    --quick) quick=(--quick) ;;
    *) args+=("$1") ;;
  esac
  shift
done
IFS=, read -r -a scripts <<<"$only"
for s in "${scripts[@]}"; do
  [ -f "bench/$s.ts" ] && [ "${s#_}" = "$s" ] || { echo "bench: unknown script \"$s\"" >&2; exit 1; }
done
# Node runs the production bundle (dist/kite.mjs); rebuild it from the current sources.
npm run --silent build:node
[ -n "$out" ] && mkdir -p "$out"
echo "# $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${scripts[@]}"; do
  json=()
  [ -n "$out" ] && json=(--json "$out/$s.json")
  node --import tsx "bench/$s.ts" "${quick[@]}" "${args[@]}" "${json[@]}"
  echo "# $(date -u +%FT%TZ) after $s, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
