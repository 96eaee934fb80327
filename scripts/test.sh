#!/usr/bin/env bash
# Sets up and runs every test and the lints (clippy, warnings denied): unit, integration (real SQLite files, real
# workbooks read back by calamine), the CLI as a process, the UI's type check,
# the generated IPC bindings, the printed-page check of the exported workbook
# (LibreOffice → PDF → text), and the end-to-end tests of the real app window
# (tauri-driver under Xvfb), and the Linux package installed into a clean Debian 12
# root and started there (as root: debootstrap and chroot need it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-app.sh --locked
cargo build --workspace --all-targets --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
scripts/print-check.sh
scripts/e2e.sh
if [ "$(id -u)" -eq 0 ]; then
    scripts/package-test.sh
else
    echo "test: the package test needs root (debootstrap, chroot); run scripts/package-test.sh with sudo" >&2
fi
