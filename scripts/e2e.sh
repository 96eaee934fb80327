#!/usr/bin/env bash
# End-to-end tests of the real app: builds the UI, the app and the CLI, then
# drives the app through tauri-driver + WebKitWebDriver under Xvfb (with its
# own session bus), on a 1366×768 screen (E2E_SCREEN=1920x1080 for another).
# Screenshots go to target/e2e-screenshots, or to
# E2E_SCREENSHOTS=DIR (docs/screenshots refreshes the README's).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-app.sh --locked
# The CLI as the workspace build makes it (the same features: after scripts/test.sh, nothing to do).
cargo build -q --locked --workspace --all-targets
dbus-run-session -- xvfb-run -a -s "-screen 0 ${E2E_SCREEN:-1366x768}x24" node --test --test-concurrency=1 tests/e2e/
