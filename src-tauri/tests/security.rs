//! The window's reach, read from the files that grant it: a CSP without
//! `unsafe-eval`, inline code or remote origins, and capabilities that name only
//! what the screens use (no shell, no file system, no broad `*:default`).

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Everything the main window may do beyond the app's own commands.
const ALLOWED: &[&str] = &[
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    "core:window:allow-destroy",
    // The window's title names the plan and the screen.
    "core:window:allow-set-title",
    "dialog:allow-open",
    "dialog:allow-save",
];

#[test]
fn capabilities_grant_only_what_the_screens_use() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        files += 1;
        let cap = json(&path);
        for p in cap["permissions"].as_array().unwrap() {
            let id = p.as_str().unwrap_or_else(|| p["identifier"].as_str().unwrap());
            assert!(
                ALLOWED.contains(&id),
                "{}: permission {id} is not one the screens need",
                path.display()
            );
        }
        assert!(
            cap.get("remote").is_none(),
            "{}: no remote URL may use the app's commands",
            path.display()
        );
    }
    assert_eq!(files, 1, "one capability file, for the main window");
}

#[test]
fn the_csp_is_strict_and_nothing_remote_is_loaded() {
    let conf = json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json"));
    let csp = &conf["app"]["security"]["csp"];
    let text = csp
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("; ");
    for bad in ["unsafe-eval", "unsafe-inline", "https:", "http:", "*"] {
        let remote_ipc = text.replace("http://ipc.localhost", "");
        assert!(!remote_ipc.contains(bad), "CSP contains {bad}: {text}");
    }
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    assert!(
        conf["build"].get("devUrl").is_none(),
        "the window loads the embedded UI, not a server"
    );
    let index = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/index.html")).unwrap();
    assert!(
        !index.contains("http://") && !index.contains("https://"),
        "the page loads nothing remote"
    );
}
