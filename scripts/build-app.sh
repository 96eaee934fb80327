#!/usr/bin/env bash
# Builds the UI (ui/dist) and the desktop app (target/debug/shinchoku-app, or
# release with --release). The Tauri build embeds ui/dist; no dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run -s build)
cargo build -q -p shinchoku-app "$@"
