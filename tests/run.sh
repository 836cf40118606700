#!/usr/bin/env bash
# Runs every test: static checks, then the same test files under Deno, Bun and Node.
# Prints one line per stage and a final plain "N passed, M failed" total.
set -u
cd "$(dirname "$0")/.."
BIN=node_modules/.bin
OUT=$(mktemp -d)
pass=0
fail=0
status=0

stage() { echo "== $*"; }

stage "static checks (deno check, lint, fmt)"
if $BIN/deno check mod.ts src/ tests/ bench/ >"$OUT/check.log" 2>&1 && $BIN/deno lint >>"$OUT/check.log" 2>&1 &&
  $BIN/deno fmt --check >>"$OUT/check.log" 2>&1; then
  pass=$((pass + 1)); echo "checks: ok"
else
  fail=$((fail + 1)); status=1; tail -40 "$OUT/check.log"; echo "checks: FAILED"
fi

stage "build single executable"
if $BIN/bun build --compile src/main.ts --outfile dist/kite-server >"$OUT/build.log" 2>&1; then
  echo "build: ok"
else
  tail -20 "$OUT/build.log"; echo "build: FAILED"; fail=$((fail + 1)); status=1
fi

FILES=$(find tests -name '*_test.ts' | sort)

stage "deno test"
$BIN/deno test -A --reporter=junit --junit-path="$OUT/deno.xml" tests/ >"$OUT/deno.log" 2>&1 || status=1
dp=$(grep -c '<testcase' "$OUT/deno.xml" 2>/dev/null || echo 0)
df=$(grep -c '<failure' "$OUT/deno.xml" 2>/dev/null || echo 0)
# A failure before any test ran (a load error) leaves no report: count it as one failure.
if [ "$status" != 0 ] && [ "$df" = 0 ]; then df=1; fi
dp=$((dp - df)); [ "$dp" -lt 0 ] && dp=0
echo "deno: $dp passed, $df failed"
[ "$df" != 0 ] && grep -B2 -A20 '<failure' "$OUT/deno.xml" | head -80 && tail -40 "$OUT/deno.log"
pass=$((pass + dp)); fail=$((fail + df))

stage "bun test"
$BIN/bun test --timeout 60000 tests/ >"$OUT/bun.log" 2>&1; bs=$?
bp=$(grep -Eo '^ *[0-9]+ pass' "$OUT/bun.log" | grep -Eo '[0-9]+' | tail -1); bp=${bp:-0}
bf=$(grep -Eo '^ *[0-9]+ fail' "$OUT/bun.log" | grep -Eo '[0-9]+' | tail -1); bf=${bf:-0}
if [ "$bs" != 0 ] && [ "$bf" = 0 ]; then bf=1; fi
[ "$bs" != 0 ] && status=1 && grep -E -B5 -A25 '\(fail\)|error:' "$OUT/bun.log" | head -120
echo "bun: $bp passed, $bf failed"
pass=$((pass + bp)); fail=$((fail + bf))

stage "node test"
# shellcheck disable=SC2086
node --import tsx --test --test-timeout=120000 $FILES >"$OUT/node.log" 2>&1; ns=$?
np=$(grep -E '^# pass' "$OUT/node.log" | grep -Eo '[0-9]+'); np=${np:-0}
nf=$(grep -E '^# fail' "$OUT/node.log" | grep -Eo '[0-9]+'); nf=${nf:-0}
if [ "$ns" != 0 ] && [ "$nf" = 0 ]; then nf=1; fi
[ "$ns" != 0 ] && status=1 && grep -E -B3 -A30 '^not ok|# Subtest.*\n.*not ok' "$OUT/node.log" | head -120
echo "node: $np passed, $nf failed"
pass=$((pass + np)); fail=$((fail + nf))

rm -rf "$OUT"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$status" = 0 ]
