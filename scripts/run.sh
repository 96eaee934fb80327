#!/usr/bin/env bash
# Sets up, builds and runs the main job: a database with the demo plans, its
# summary printed, and the prefecture's summary workbook exported.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked -p shinchoku-cli
bin=target/release/shinchoku
"$bin" init --demo
"$bin" show
out="${1:-取組一覧_令和5年度.xlsx}"
"$bin" export "$out"
echo "次は: $bin import FILE.xlsx / $bin export FILE.xlsx / $bin --help"
