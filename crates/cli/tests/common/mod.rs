//! What the tests of the `shinchoku` process share: running it, reading its
//! answer, the test data, a database's bytes.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `shinchoku` binary, without the database of the environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shinchoku"));
    c.env_remove("SHINCHOKU_DB");
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// The standard output of a run that must succeed.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A file of `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(name)
}

/// The database file's bytes with its write-ahead log, so a change in either shows.
pub fn db_bytes(db: impl AsRef<Path>) -> Vec<u8> {
    let db = db.as_ref();
    let mut all = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", db.display())) {
        all.extend(wal);
    }
    all
}
