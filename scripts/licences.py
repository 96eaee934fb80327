#!/usr/bin/env python3
"""The licences of what the package ships: every crate linked into the app and the
`shinchoku` command (for the machine building it: Linux or Windows), and the JavaScript bundled into the window,
each with its licence expression and the licence texts it carries.

    scripts/licences.py OUT.txt
"""
import json
import pathlib
import subprocess
import sys

ROOTS = {"shinchoku-app", "shinchoku-cli"}
TEXTS = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "COPYRIGHT", "UNLICENSE")


def crates():
    host = next(
        line.split(":", 1)[1].strip()
        for line in subprocess.check_output(["rustc", "-vV"], text=True).splitlines()
        if line.startswith("host:")
    )
    meta = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host])
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    todo = [p["id"] for p in meta["packages"] if p["name"] in ROOTS]
    seen = set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            # What is linked or run to build it; not the tests' own dependencies.
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    out = []
    for pid in seen:
        p = packages[pid]
        if p["source"] is None:
            continue  # Shinchoku's own crates: the package's own licence.
        folder = pathlib.Path(p["manifest_path"]).parent
        out.append((p["name"], p["version"], p.get("license") or "", p.get("repository") or "", folder))
    return sorted(out)


def scripts():
    out = []
    modules = pathlib.Path(__file__).resolve().parent.parent / "ui" / "node_modules"
    package = json.loads((modules.parent / "package.json").read_text())
    for name in sorted(package.get("dependencies", {})):
        folder = modules / name
        meta = json.loads((folder / "package.json").read_text())
        repo = meta.get("repository")
        repo = repo.get("url", "") if isinstance(repo, dict) else (repo or "")
        out.append((name, meta["version"], meta.get("license", ""), repo, folder))
    return out


def texts(folder):
    found = []
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.name.upper().startswith(TEXTS):
            found.append((f.name, f.read_text(errors="replace").strip()))
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    lines = [
        "Shinchoku: licences of the software it ships",
        "",
        "Shinchoku itself is under the MIT licence (see copyright). It contains the following",
        "Rust crates and JavaScript packages, each under the licence named, with the licence",
        "texts the package carries.",
        "",
    ]
    missing = []
    for kind, items in (("crate", crates()), ("npm", scripts())):
        for name, version, licence, repo, folder in items:
            lines.append("=" * 78)
            lines.append(f"{name} {version} ({kind})")
            lines.append(f"License: {licence or 'not stated'}")
            if repo:
                lines.append(f"Source: {repo}")
            found = texts(folder)
            if not found:
                missing.append(f"{name} {version}")
                lines.append("(no licence text in the package; the licence named above applies)")
            for file, text in found:
                lines.append("-" * 78)
                lines.append(file)
                lines.append("")
                lines.append(text)
            lines.append("")
    out = pathlib.Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    count = sum(1 for line in lines if line.startswith("License: "))
    print(f"licences: {count} packages, {len(missing)} without a licence text of their own -> {out}")


if __name__ == "__main__":
    main()
