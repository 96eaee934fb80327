#!/usr/bin/env bash
# The Linux package installed as a person installs it: a clean Debian 12 root made
# with debootstrap (Debian's own packages only), `apt-get install ./Shinchoku….deb`
# inside it (which brings WebKitGTK and the fonts), then, inside it:
# `shinchoku --version`, `shinchoku init --demo`, `shinchoku show`, and the app
# started under Xvfb to its first screen, screenshot in target/package/first-screen.png.
# Needs root (debootstrap, chroot, mounts). PACKAGE_TEST_KEEP=1 keeps the root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/package.sh
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
out=target/package
mkdir -p "$out"
root=$(mktemp -d /var/tmp/shinchoku-root.XXXXXX)
display=":$((90 + RANDOM % 100))"
xvfb=""
mounts=()
# Every process running inside the root (the app, its session bus).
stop_inside() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    return 0
}
cleanup() {
    stop_inside
    [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
    for m in $(printf '%s\n' "${mounts[@]}" | tac); do umount -l "$m" 2>/dev/null || true; done
    [ "${PACKAGE_TEST_KEEP:-}" = 1 ] || rm -rf --one-file-system "$root"
}
trap cleanup EXIT
step() { printf '%s package-test: %s\n' "$(date +%T)" "$*"; }

step "a clean Debian 12 root in $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1 ||
    { tail -20 "$out/debootstrap.log"; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
for m in proc sys dev dev/shm tmp/.X11-unix; do
    mkdir -p "$root/$m"
    case $m in
        proc) mount -t proc proc "$root/proc" ;;
        sys) mount -t sysfs sys "$root/sys" ;;
        dev/shm) mount -t tmpfs shm "$root/dev/shm" ;;
        *) mkdir -p "/$m" && mount --bind "/$m" "$root/$m" ;;
    esac
    mounts+=("$root/$m")
done
in_root() { chroot "$root" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 "$@"; }

step "apt-get install ./$(basename "$deb") (with what it depends on, from Debian)"
cp "$deb" "$root/tmp/shinchoku.deb"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/shinchoku.deb dbus >"$out/apt.log" 2>&1 ||
    { tail -30 "$out/apt.log"; exit 1; }
in_root dpkg -L shinchoku >"$out/files.txt"
for f in /usr/bin/shinchoku /usr/bin/shinchoku-app /usr/share/applications/Shinchoku.desktop \
    /usr/share/doc/shinchoku/copyright /usr/share/doc/shinchoku/THIRD-PARTY-LICENSES.txt; do
    grep -qx "$f" "$out/files.txt" || { echo "package-test: $f is not in the package"; cat "$out/files.txt"; exit 1; }
done
grep -q '^Exec=shinchoku-app' "$root/usr/share/applications/Shinchoku.desktop"

step "shinchoku --version, init --demo, show"
in_root shinchoku --version | tee "$out/version.txt"
grep -q "^shinchoku $(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)" "$out/version.txt"
in_root shinchoku init --demo
# Whole to a file first: `| head` would close the pipe on a longer summary (SIGPIPE under pipefail).
in_root shinchoku show > "$out/show.txt"
head -5 "$out/show.txt"
grep -q "福島県" "$out/show.txt"

step "the app under Xvfb ($display) to its first screen"
Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
in_root env DISPLAY="$display" dbus-run-session -- shinchoku-app >"$out/app.log" 2>&1 &
app=$!
shown=""
for _ in $(seq 120); do
    if xwininfo -display "$display" -root -tree 2>/dev/null | grep -q '進捗'; then shown=1; break; fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
done
[ -n "$shown" ] || { echo "package-test: no window of the app"; cat "$out/app.log"; exit 1; }
# The first screen: the window drawn, then looked at (the first start in a fresh root also
# builds the font cache, which takes a while).
ok=""
for i in $(seq 120); do
    sleep 1
    xwd -root -silent -display "$display" | xwdtopnm 2>/dev/null >"$out/first-screen.ppm"
    if python3 - "$out/first-screen.ppm" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
# P6 header: magic, width, height, maxval, then RGB samples.
parts = data.split(maxsplit=4)
w, h, maxval = int(parts[1]), int(parts[2]), int(parts[3])
size = 6 if maxval > 255 else 3  # xwdtopnm writes 16-bit samples for some visuals
px = parts[4][: w * h * size]
colours = {px[i : i + size] for i in range(0, len(px), size * 7)}
# A blank or half-drawn window has a handful of colours; text and icons many.
sys.exit(0 if len(colours) > 200 else 1)
PY
    then ok=1; step "drawn after about $i s"; break; fi
done
pnmtopng "$out/first-screen.ppm" >"$out/first-screen.png" && rm -f "$out/first-screen.ppm"
stop_inside
[ -n "$ok" ] || { echo "package-test: the first screen was not drawn ($out/first-screen.png)"; cat "$out/app.log"; exit 1; }
in_root test -s /root/.local/share/shinchoku/shinchoku.db
step "installed and started: $out/first-screen.png"
