#!/usr/bin/env bash
# Runs every test: static checks (deno check, lint, fmt), the single-executable build, then the
# same test files under Deno, Bun and Node. Prints one summary line per stage, the failures in
# full, and as its very last line the plain total "N passed, M failed" (", S skipped" when any).
# Usage: bash tests/run.sh [test files...]   (default: every tests/**/*_test.ts)
set -u
cd "$(dirname "$0")/.."
BIN=node_modules/.bin
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
pass=0
fail=0
skip=0

stage() { echo "== $*"; }
count() { # count <label> <passed> <failed> <skipped>
  echo "$1: $2 passed, $3 failed, $4 skipped"
  pass=$((pass + $2)); fail=$((fail + $3)); skip=$((skip + $4))
}
# A number out of a log line, or 0: "grep -c ... || echo 0" would print two lines on no match.
# -a: test output can contain any byte (binary-safety tests), and grep would then only say "Binary file matches".
num() { local n; n=$(grep -aEo "$1" "$2" 2>/dev/null | grep -Eo '[0-9]+' | tail -1); echo "${n:-0}"; }

if [ "$#" -gt 0 ]; then
  FILES="$*"
else
  FILES=$(find tests -name '*_test.ts' -not -path '*/node_modules/*' | sort | tr '\n' ' ')
fi

stage "static checks"
for step in check lint fmt; do
  case $step in
    check) cmd=("$BIN/deno" check mod.ts src/ tests/) ;;
    lint) cmd=("$BIN/deno" lint) ;;
    fmt) cmd=("$BIN/deno" fmt --check) ;;
  esac
  # bench/ is checked once it holds TypeScript.
  if [ "$step" = check ] && compgen -G "bench/*.ts" >/dev/null; then cmd+=(bench/); fi
  if "${cmd[@]}" >"$OUT/$step.log" 2>&1; then
    count "deno $step" 1 0 0
  else
    tail -60 "$OUT/$step.log"
    count "deno $step" 0 1 0
  fi
done

stage "build single executable (dist/kite-server)"
if npm run --silent build:exe >"$OUT/build.log" 2>&1; then
  count "bun build --compile" 1 0 0
else
  tail -30 "$OUT/build.log"
  count "bun build --compile" 0 1 0
fi

stage "build Node bundle (dist/kite.mjs)"
if npm run --silent build:node >"$OUT/build-node.log" 2>&1; then
  count "esbuild bundle" 1 0 0
else
  tail -30 "$OUT/build-node.log"
  count "esbuild bundle" 0 1 0
fi

stage "deno test"
# Types were checked above; --no-check keeps the run from type-checking everything twice.
# shellcheck disable=SC2086
"$BIN/deno" test -A --no-check --reporter=junit --junit-path="$OUT/deno.xml" $FILES >"$OUT/deno.log" 2>&1
ds=$?
# Deno reports each describe() and each it() as a testcase: count the leaves only.
read -r dp df dk < <(node -e '
  const fs = require("node:fs");
  let xml = "";
  try { xml = fs.readFileSync(process.argv[1], "utf8"); } catch { console.log("0 0 0"); process.exit(0); }
  const unesc = (s) => s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, "\"").replace(/&apos;/g, "'"'"'").replace(/&amp;/g, "&");
  let p = 0, f = 0, k = 0;
  // Deno files steps under odd suites (ext:deno_node/testing.ts), so leaves are found globally.
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)]
    .map((m) => ({ name: unesc(m[1]), body: m[3] ?? "" }));
  const parents = new Set();
  for (const c of cases) {
    for (let i = c.name.indexOf(" > "); i >= 0; i = c.name.indexOf(" > ", i + 3)) parents.add(c.name.slice(0, i));
  }
  for (const c of cases) {
    if (parents.has(c.name)) continue;
    if (c.body.includes("<failure")) {
      f++;
      fs.appendFileSync(process.argv[2], `FAILED: ${c.name}\n${unesc(c.body).trim().split("\n").slice(0, 25).join("\n")}\n\n`);
    } else if (c.body.includes("<skipped")) k++;
    else p++;
  }
  console.log(p, f, k);
' "$OUT/deno.xml" "$OUT/deno.failures")
# A failure outside any test (a module that does not load) leaves no failed testcase.
if [ "$ds" != 0 ] && [ "$df" = 0 ]; then df=1; fi
if [ "$ds" != 0 ]; then
  if [ -s "$OUT/deno.failures" ]; then head -150 "$OUT/deno.failures"; else tail -40 "$OUT/deno.log"; fi
fi
count deno "$dp" "$df" "$dk"

stage "bun test"
# shellcheck disable=SC2086
"$BIN/bun" test --timeout 120000 $(printf './%s ' $FILES) >"$OUT/bun.log" 2>&1
bs=$?
bp=$(num '^ *[0-9]+ pass' "$OUT/bun.log")
bf=$(num '^ *[0-9]+ fail' "$OUT/bun.log")
bk=$(num '^ *[0-9]+ skip' "$OUT/bun.log")
if [ "$bs" != 0 ] && [ "$bf" = 0 ]; then bf=1; fi
if [ "$bs" != 0 ]; then
  # Bun prints a failure's error above its "(fail)" line: show what follows the previous result.
  awk '/^\((pass|skip|todo)\)|^tests\/|^\.\/tests\// {buf=""; next} /^\(fail\)/ {printf "%s%s\n", buf, $0; buf=""; next} {buf=buf $0 "\n"} END {if (buf ~ /error/) printf "%s", buf}' \
    "$OUT/bun.log" | head -150
fi
count bun "$bp" "$bf" "$bk"

stage "node test"
# Node 20 does not discover .ts test files: they are listed explicitly.
# shellcheck disable=SC2086
node --import tsx --test --test-timeout=120000 $FILES >"$OUT/node.log" 2>&1
ns=$?
np=$(num '^# pass [0-9]+' "$OUT/node.log")
nf=$(num '^# fail [0-9]+' "$OUT/node.log")
nk=$(num '^# skipped [0-9]+' "$OUT/node.log")
nc=$(num '^# cancelled [0-9]+' "$OUT/node.log")
nf=$((nf + nc))
if [ "$ns" != 0 ] && [ "$nf" = 0 ]; then nf=1; fi
if [ "$ns" != 0 ]; then
  # Each failing test's YAML block, from "not ok" to its closing "...".
  awk '/^ *not ok/ {on=1} on {print} on && /^ *\.\.\.$/ {on=0}' "$OUT/node.log" | head -150
fi
count node "$np" "$nf" "$nk"

if [ "$skip" -gt 0 ]; then
  echo "$pass passed, $fail failed, $skip skipped"
else
  echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
