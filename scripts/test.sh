#!/usr/bin/env bash
# Sets up and runs every test: unit, integration (real SQLite files, real
# workbooks read back by calamine), the CLI as a process, and the printed-page
# check of the exported workbook (LibreOffice → PDF → text).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --workspace --all-targets --locked
cargo test --workspace --locked
scripts/print-check.sh
