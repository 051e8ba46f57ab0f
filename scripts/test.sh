#!/usr/bin/env bash
# `npm test`: the type check, ESLint, Prettier's check and the unused-code check (knip, knip.jsonc) run beside jest
# rather than before it. They are single-threaded, so run first they would leave one of this machine's two cores
# idle for their ~35 s (measured one after the other: TypeScript 7 s, ESLint 11 s, Prettier 14 s, knip 3 s of CPU).
# The type check is TypeScript 7's native compiler (`@typescript/native`, single-threaded as the rest), about a
# quarter of TypeScript 5.9's CPU; 5.9 stays the `typescript` package for the tools that import its API (README).
# The run fails when either side fails; the static checks' output is printed after jest's.
# Arguments go to jest (`npm test -- test/config`).
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Each with one GC thread, as jest's workers: beside two workers on two cores, parallel GC threads only compete.
check() { node --single-threaded-gc "node_modules/$1" "${@:2}"; }
(
  node node_modules/@typescript/native/bin/tsc --noEmit --singleThreaded &&
    check eslint/bin/eslint.js . &&
    check prettier/bin/prettier.cjs --check --log-level warn . &&
    check knip/bin/knip.js --no-progress
) >"$log" 2>&1 &
static=$!

node --single-threaded-gc node_modules/jest/bin/jest.js "$@"
jest_status=$?

wait "$static"
static_status=$?
if [ "$static_status" -ne 0 ]; then
  echo "--- type check, lint, format check or unused-code check failed:"
  cat "$log"
else
  echo "type check, lint, format check and unused-code check: passed"
fi
[ "$jest_status" -eq 0 ] && [ "$static_status" -eq 0 ]
