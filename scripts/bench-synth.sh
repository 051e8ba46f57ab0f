#!/usr/bin/env bash
# Benchmark (not a test): the cost of synthesizing one environment through cdk.json's app (tsx,
# esbuild's transpiling) against the same app compiled once with tsc and run by plain node.
#   bash scripts/bench-synth.sh [ENV] [RUNS]        (defaults: prod, 5)
# Prints the median of RUNS for each way, for the app alone and through the CDK CLI, and their ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name=${1:-prod}
runs=${2:-5}
export CDK_DISABLE_CLI_TELEMETRY=true
out=$(mktemp -d)
trap 'rm -rf "$out" dist' EXIT

bash scripts/compile-app.sh >/dev/null
ts_app=$(node -e 'console.log(require("./cdk.json").app)')
js_app="node dist/bin/app.js"
# The same node flags as cdk.json's app (e.g. --single-threaded-gc), for a like-for-like ratio.
js_flags_app="node $(echo "$ts_app" | sed -E 's/^node //; s/--import tsx//; s/bin\/app\.ts//') dist/bin/app.js"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

time_ms() { # command...
  local start=$(date +%s%N)
  # A failed synth is no timing: stop, with its output (a failure here used to be timed silently).
  "$@" >"$out/last.log" 2>&1 || { echo "failed: $*" >&2; tail -20 "$out/last.log" >&2; return 1; }
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

app_only() { # app-command
  CDK_OUTDIR="$out/app" CDK_CONTEXT_JSON="$(node -e 'const c=require("./cdk.json").context; c.env=process.argv[1]; console.log(JSON.stringify(c))' "$env_name")" bash -c "$1"
}

via_cli() { # app-command
  npx cdk synth -c "env=$env_name" --no-notices -q --app "$1" -o "$out/cli"
}

declare -A result
for way in ts js jsf; do
  case $way in ts) app=$ts_app ;; js) app=$js_app ;; jsf) app=$js_flags_app ;; esac
  app_only "$app" >/dev/null 2>&1 # warm the file cache
  times=$(for _ in $(seq "$runs"); do time_ms app_only "$app" || exit 1; done) || exit 1
  result[app_$way]=$(median <<<"$times")
  times=$(for _ in $(seq "$runs"); do time_ms via_cli "$app" || exit 1; done) || exit 1
  result[cli_$way]=$(median <<<"$times")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "synth of $env_name, median of $runs runs"
echo "  cdk.json app:    $ts_app"
echo "  app alone:       cdk.json app ${result[app_ts]} ms; compiled JS by plain node ${result[app_js]} ms (ratio $(ratio "${result[app_ts]}" "${result[app_js]}")); compiled JS with the same node flags ${result[app_jsf]} ms (ratio $(ratio "${result[app_ts]}" "${result[app_jsf]}"))"
echo "  through cdk CLI: cdk.json app ${result[cli_ts]} ms; compiled JS by plain node ${result[cli_js]} ms (ratio $(ratio "${result[cli_ts]}" "${result[cli_js]}")); compiled JS with the same node flags ${result[cli_jsf]} ms (ratio $(ratio "${result[cli_ts]}" "${result[cli_jsf]}"))"
