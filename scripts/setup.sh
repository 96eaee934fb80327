#!/usr/bin/env bash
# Installs what Shinchoku needs on a Debian/Ubuntu machine, idempotently:
# the C dependencies of the Rust build, WebKitGTK for the desktop app, Japanese
# fonts, Node.js for the UI build, and the tools the tests use to look at what a
# person sees (LibreOffice, poppler, Xvfb, WebKitWebDriver, tauri-driver), and what
# the package test uses (debootstrap, xwd, netpbm); openpyxl writes the workbooks
# in layouts the code has never seen (issue 20).
set -euo pipefail

pkgs=(build-essential pkg-config fonts-noto-cjk poppler-utils libreoffice-calc-nogui libreoffice-writer-nogui python3-uno python3-openpyxl time unzip
      libwebkit2gtk-4.1-dev xvfb xauth dbus webkit2gtk-driver debootstrap x11-apps x11-utils netpbm)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
need=()
for pkg in "${pkgs[@]}"; do
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
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "setup: installing tauri-driver (end-to-end tests of the app)"
    cargo install tauri-driver --locked --quiet
fi
