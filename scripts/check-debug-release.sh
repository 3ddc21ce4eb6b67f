#!/usr/bin/env bash
# Determinism between debug and release builds: run every shipped scenario with both
# builds of `sim` and compare the bytes of summary.json and metrics.csv.
#
# Usage: scripts/check-debug-release.sh [DURATION]   (DURATION, e.g. 10m, overrides each
# scenario's length to keep the debug runs short; default: each scenario's own length)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
cargo build --quiet --release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for scenario in scenarios/*.ron; do
  # Sweep files are not scenarios.
  if grep -v '^\s*//' "$scenario" | grep -q '^\s*Sweep'; then continue; fi
  name=$(basename "$scenario" .ron)
  extra=()
  if [ -n "${1:-}" ]; then extra=(--duration "$1"); fi
  for profile in debug release; do
    "target/$profile/sim" run "$scenario" --quiet --out "$work/$profile/$name" "${extra[@]}" >/dev/null
  done
  for file in summary.json metrics.csv; do
    if cmp -s "$work/debug/$name/$file" "$work/release/$name/$file"; then
      echo "same   $name/$file ($(wc -c <"$work/release/$name/$file") bytes)"
    else
      echo "DIFFER $name/$file"
      diff "$work/debug/$name/$file" "$work/release/$name/$file" | head -20
      status=1
    fi
  done
done
exit $status
