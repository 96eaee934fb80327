#!/usr/bin/env bash
# Sets up, builds and launches the desktop app (release build). On first start
# it loads the demo plan into the user's data folder (SHINCHOKU_DB=FILE to use
# another database). Without a display, it runs the command-line main job
# instead: the demo plans loaded, the summary printed and the workbook exported.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The `shinchoku` command on the PATH (~/.cargo/bin), as the README's commands call it.
cargo install --quiet --locked --path crates/cli
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    scripts/build-app.sh --release --locked
    exec target/release/shinchoku-app
fi
echo "run: no display; running the command-line job (shinchoku) instead" >&2
shinchoku init --demo
shinchoku show
# The workbook goes to the documents folder (or the path given), never into the repository.
docs="$(xdg-user-dir DOCUMENTS 2>/dev/null || true)"
[ -n "$docs" ] && [ "$docs" != "$HOME" ] || docs="$HOME/Documents"
out="${1:-$docs/取組一覧_令和5年度.xlsx}"
mkdir -p "$(dirname "$out")"
shinchoku export "$out"
echo "次は: shinchoku import FILE.xlsx / shinchoku export FILE.xlsx / shinchoku --help"
