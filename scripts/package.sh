#!/usr/bin/env bash
# Builds the Linux package: target/release/bundle/deb/Shinchoku_<version>_amd64.deb with
# the app (shinchoku-app, its icon and desktop entry), the `shinchoku` command, the
# licence and the licences of everything it ships (Tauri's bundler, release build).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
(cd ui && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run -s build)
cargo build --release --locked -q -p shinchoku-cli
python3 scripts/licences.py target/package/THIRD-PARTY-LICENSES.txt
rm -f target/release/bundle/deb/*.deb
(cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb -- --locked)
ls target/release/bundle/deb/*.deb
