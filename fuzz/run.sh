#!/usr/bin/env bash
# Build the AFL++ target with stable Rust and fuzz for $1 seconds (default 1200) on one core.
# Needs AFL++ (Debian: `apt-get install afl++`). Findings land in fuzz/out/default/.
set -euo pipefail
cd "$(dirname "$0")"
RT=${AFL_RT:-/usr/lib/afl/afl-compiler-rt.o}
export RUSTFLAGS="-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3 \
 -C llvm-args=-sanitizer-coverage-trace-pc-guard -C llvm-args=-sanitizer-coverage-prune-blocks=0 \
 -C opt-level=3 -C link-arg=$RT"
cargo build --release
mkdir -p out
export AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
# Resume an earlier session when there is one.
INPUT=${AFL_INPUT:-corpus}
if [ -d out/default/queue ]; then INPUT=-; fi
exec timeout --signal=INT "${1:-1200}" afl-fuzz -i "$INPUT" -o out -x ron.dict -t 200 -m none -- ./target/release/cascade-sim-fuzz
