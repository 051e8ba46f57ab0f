#!/usr/bin/env bash
# Benchmark (not a test): `npm test` against one synthesis of prod by the app compiled with tsc and run by plain
# node, both measured in this one run, and their ratio (issue 15's target: at most 10). Run it on a quiet machine.
#   bash scripts/bench-suite.sh [--synth-runs N] [--warm] [--baseline] [-- JEST_ARGS...]
#     --synth-runs N  synthesize prod N times (default 3), half before the suite and half after; the median counts
#     --warm          also time a second `npm test` with the Control Tower result cache left from the first
#     --baseline      run the suite without its shortcuts (TEST_SYNTH_SHORTCUTS=off: the result cache, esbuild
#                     without npx, the shared templates, modules and app context, docs/testing.md): the suite as it
#                     ran before them
#     -- JEST_ARGS    passed to jest, e.g. test files, to try the script on part of the suite (not the target's figure)
# The suite runs from a cold result cache (cleared first), as in a fresh clone or on CI. Prints wall-clock and
# CPU (user + system, children included) seconds, and the slowest test files from jest's --json report. Exits 1
# when a measured command fails or a test was skipped (a lighter suite than CI's: install the servers first).
set -euo pipefail
cd "$(dirname "$0")/.."
synth_runs=3
warm=false
baseline=false
while [ $# -gt 0 ]; do
  case $1 in
    --synth-runs) synth_runs=$2; shift 2 ;;
    --warm) warm=true; shift ;;
    --baseline) baseline=true; shift ;;
    --) shift; break ;;
    *) echo "unknown argument: $1 (expected --synth-runs N, --warm, --baseline or -- JEST_ARGS)" >&2; exit 2 ;;
  esac
done
export CDK_DISABLE_CLI_TELEMETRY=true
work=$(mktemp -d)
trap 'rm -rf "$work" dist' EXIT
cache_dir=node_modules/.cache/scaled-app-stack/guard-results

# The reference synth runs without the test suite's result cache.
bash scripts/compile-app.sh
context=$(node -e 'const c=require("./cdk.json").context; c.env="prod"; console.log(JSON.stringify(c))')

# Runs a command, appends "wall cpu" (seconds) to the file named first; the command's output goes to $work/log.
# A failing command is reported (with the end of its output) and leaves "failed" in $work/status.
measure() { # file command...
  local file=$1
  shift
  local start end
  start=$(date +%s%N)
  # /proc/PID/stat of a child shell: its ended children's user+system ticks (cutime, cstime), descendants included.
  if ! bash -c '"$@" >>"'"$work"'/log" 2>&1; status=$?; read -ra s </proc/$$/stat; echo "${s[15]} ${s[16]}" >"'"$work"'/ticks"; exit $status' _ "$@"; then
    echo "FAILED: $*; the end of its output:" >&2
    tail -40 "$work/log" >&2
    echo failed >"$work/status"
  fi
  end=$(date +%s%N)
  read -r cu cs <"$work/ticks"
  awk -v w=$((end - start)) -v t=$((cu + cs)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f %.1f\n", w / 1e9, t / hz}' >>"$file"
}

synth_prod() {
  rm -rf "$work/out"
  env -u GUARD_RESULT_CACHE_DIR CDK_OUTDIR="$work/out" CDK_CONTEXT_JSON="$context" node dist/bin/app.js
}

# `measure` runs its command in a child shell.
export work context
export -f synth_prod

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

synth_prod >/dev/null 2>&1 || { echo "the compiled app does not synthesize prod:" >&2; synth_prod >/dev/null; } # warms the file cache
before=$((synth_runs - synth_runs / 2))
for _ in $(seq "$before"); do measure "$work/synth" synth_prod; done

rm -rf "$cache_dir"
suite_env=()
$baseline && suite_env=(TEST_SYNTH_SHORTCUTS=off)
measure "$work/suite" env "${suite_env[@]}" TEST_CPU_REPORT="$work/cpu.tsv" bash scripts/test.sh --json --outputFile="$work/jest.json" "$@"
if $warm; then measure "$work/suite-warm" env "${suite_env[@]}" bash scripts/test.sh "$@"; fi

for _ in $(seq $((synth_runs / 2))); do measure "$work/synth" synth_prod; done

synth_wall=$(cut -d' ' -f1 "$work/synth" | median)
synth_cpu=$(cut -d' ' -f2 "$work/synth" | median)
read -r suite_wall suite_cpu <"$work/suite"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

echo "prod synth, compiled JS by plain node (median of $synth_runs): ${synth_wall} s wall, ${synth_cpu} s CPU"
# Not `$([ $# -gt 0 ] && echo ...)`: without jest arguments that substitution fails, and `set -e` ends the script.
what="npm test"
if [ $# -gt 0 ]; then what+=" -- $*"; fi
echo "$what$($baseline && echo ' without the synthesis shortcuts' || echo ', result cache cold'): ${suite_wall} s wall, ${suite_cpu} s CPU"
echo "ratio (npm test / one prod synth): $(ratio "$suite_wall" "$synth_wall") by wall clock, $(ratio "$suite_cpu" "$synth_cpu") by CPU"
if $warm; then
  read -r warm_wall warm_cpu <"$work/suite-warm"
  echo "$what again, result cache warm: ${warm_wall} s wall, ${warm_cpu} s CPU (ratio $(ratio "$warm_wall" "$synth_wall") by wall clock)"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "slowest test files (jest's own per-file time, workers in parallel):"
node -e '
  const r = require(process.argv[1]);
  const files = r.testResults.map((t) => [(t.endTime - t.startTime) / 1000, require("path").relative(process.cwd(), t.name)]);
  files.sort((a, b) => b[0] - a[0]);
  for (const [s, f] of files.slice(0, 12)) console.log(`  ${s.toFixed(1).padStart(6)} s  ${f}`);
  console.log(`  ${r.numTotalTests} tests in ${r.numTotalTestSuites} files, ${r.numFailedTests} failed`);
' "$work/jest.json"
echo "test files that cost most CPU (test/support/cpu-report.ts: the file's worker, and the child processes it waited for):"
# No line at all when no test ran (every file skipped).
[ -s "$work/cpu.tsv" ] && node -e '
  const [file, ticks] = process.argv.slice(1);
  const rows = require("fs").readFileSync(file, "utf8").trim().split("\n").map((l) => l.split("\t"));
  const files = rows.map(([own, children, wall, name]) => [own / ticks, children / ticks, wall / 1000, require("path").relative(process.cwd(), name)]);
  const sum = (i) => files.reduce((s, f) => s + f[i], 0).toFixed(1);
  files.sort((a, b) => b[0] + b[1] - (a[0] + a[1]));
  console.log("  own CPU  children  wall");
  for (const [own, children, wall, name] of files.slice(0, 15))
    console.log(`  ${own.toFixed(1).padStart(6)} s  ${children.toFixed(1).padStart(6)} s  ${wall.toFixed(1).padStart(5)} s  ${name}`);
  console.log(`  all ${files.length} files: ${sum(0)} s own CPU, ${sum(1)} s in child processes`);
' "$work/cpu.tsv" "$(getconf CLK_TCK)"
# A skipped test makes a lighter suite than CI runs: the real-server files skip outside CI without PostgreSQL,
# redis-server and pgbouncer (test/support/local-servers.ts), about 14 s of CPU. Such a run is not the target's figure.
skipped=$(node -e 'console.log(require(process.argv[1]).numPendingTests)' "$work/jest.json")
if [ "$skipped" -gt 0 ]; then
  echo "$skipped tests were skipped (the real-server tests need PostgreSQL, redis-server and pgbouncer; .ci/run installs them): these figures are not npm test's as CI runs it." >&2
fi
if [ -e "$work/status" ]; then
  echo "A measured command failed (see above): these figures are not a passing run's." >&2
  exit 1
fi
[ "$skipped" -eq 0 ]
