#!/usr/bin/env bash
# Regenerate the showcase pictures the README embeds:
#   scripts/showcase.sh [scenario]      (default: scenarios/cascade2021.ron)
# Runs the scenario, then renders report.svg and graph.svg to PNG with rsvg-convert
# (Debian: apt-get install librsvg2-bin). Same scenario and seed ⇒ same pictures.
set -euo pipefail
scenario="${1:-scenarios/cascade2021.ron}"
name="$(basename "$scenario" .ron)"
out="reports/showcase-$name"
cargo run --quiet -- run "$scenario" --quiet --out "$out"
mkdir -p docs/showcase
rsvg-convert "$out/report.svg" -o "docs/showcase/$name-report.png"
rsvg-convert "$out/graph.svg" -o "docs/showcase/$name-graph.png"
echo "wrote docs/showcase/$name-report.png docs/showcase/$name-graph.png"
