#!/usr/bin/env bash
# Installs what Shinchoku needs on a Debian/Ubuntu machine, idempotently:
# the Rust toolchain's C dependencies, Japanese fonts, and the tools the tests
# use to look at exported workbooks (LibreOffice, poppler).
set -euo pipefail

need=()
for pkg in build-essential pkg-config fonts-noto-cjk poppler-utils libreoffice-calc-nogui time; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found; install Rust from https://rustup.rs (stable) and run again" >&2
    exit 1
fi
