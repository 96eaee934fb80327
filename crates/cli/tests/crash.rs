//! Crash safety: `shinchoku import`, `merge` and the app's field save are started
//! on real files and killed with SIGKILL at many moments through their run.
//! Afterwards the database passes `PRAGMA integrity_check` and holds the plan
//! exactly as before the operation or exactly as after it, nothing in between.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{bin, run};
use shinchoku_core::synth;

fn ok(args: &[&str]) {
    common::ok(&run(args));
}

/// Every row of every table but the times of writing, in order: the database's
/// content, comparable between runs made at different times.
fn content(db: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "{}", db.display());
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let mut line = String::new();
            for (i, n) in names.iter().enumerate() {
                if n != "at" && !n.ends_with("_at") {
                    let v: rusqlite::types::Value = row.get(i).unwrap();
                    line.push_str(&format!("{v:?}|"));
                }
            }
            lines.push(line);
        }
        lines.sort();
        out.push_str(&format!("[{t}]\n{}\n", lines.join("\n")));
    }
    out
}

/// A fresh copy of the database (no journal files) in its own folder.
fn copy_of(db: &Path, dir: &Path, name: &str) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    let to = d.join("plan.db");
    std::fs::copy(db, &to).unwrap();
    to
}

/// Runs `args` (after `--db COPY`) on fresh copies of `db`, killing the process
/// at spread-out moments of its run; checks every copy is `before` or `after`.
fn kill_at_random_moments(what: &str, db: &Path, args: &[&str], runs: u32) {
    let dir = tempfile::tempdir().unwrap();
    let before = content(db);
    // One whole run: the state after, and how long a run takes.
    let full = copy_of(db, dir.path(), "full");
    let t0 = Instant::now();
    let mut all = vec!["--db", full.to_str().unwrap()];
    all.extend_from_slice(args);
    ok(&all);
    let took = t0.elapsed();
    let after = content(&full);
    assert_ne!(before, after, "{what}: the operation changed nothing");
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let (mut as_before, mut as_after) = (0, 0);
    for i in 0..runs {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Spread over the whole run and past it (process start included; the
        // other tests load the machine too).
        let at = Duration::from_micros(rng % (took.as_micros() as u64 * 2 + 1));
        let copy = copy_of(db, dir.path(), &format!("run{i}"));
        let mut all = vec!["--db", copy.to_str().unwrap()];
        all.extend_from_slice(args);
        let mut child = bin()
            .args(&all)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = content(&copy);
        if now == before {
            as_before += 1;
        } else if now == after {
            as_after += 1;
        } else {
            let diff = |a: &str| -> String {
                let mine: std::collections::BTreeSet<&str> = now.lines().collect();
                let theirs: std::collections::BTreeSet<&str> = a.lines().collect();
                let extra: Vec<&&str> = mine.difference(&theirs).take(5).collect();
                let missing: Vec<&&str> = theirs.difference(&mine).take(5).collect();
                format!("only here: {extra:?}\nonly there: {missing:?}")
            };
            panic!(
                "{what}: killed after {at:?}, the database is neither before nor after the operation\nvs before: {}\nvs after: {}",
                diff(&before),
                diff(&after)
            );
        }
        // And the next process opens it normally.
        ok(&["--db", copy.to_str().unwrap(), "plans"]);
    }
    eprintln!("{what}: a run takes {took:?}; {runs} kills: {as_before} left it as before, {as_after} as after");
    assert!(as_before > 0 && as_after > 0, "{what}: the kills did not cover the run");
}

struct Setup {
    _dir: tempfile::TempDir,
    /// A database holding nothing yet.
    empty: PathBuf,
    /// A database holding the synthetic plan of 300 projects.
    db: PathBuf,
    /// That plan's workbook.
    plan_xlsx: PathBuf,
    /// Every department's filled return.
    returns: Vec<String>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (empty, db) = (dir.path().join("empty.db"), dir.path().join("plan.db"));
    let plan_xlsx = dir.path().join("plan.xlsx");
    let returns_dir = dir.path().join("returns");
    ok(&["dev", "synth", "300", plan_xlsx.to_str().unwrap()]);
    ok(&["--db", empty.to_str().unwrap(), "init"]);
    ok(&["--db", db.to_str().unwrap(), "import", plan_xlsx.to_str().unwrap()]);
    ok(&["--db", db.to_str().unwrap(), "dev", "sample-returns", returns_dir.to_str().unwrap()]);
    let mut returns: Vec<String> = std::fs::read_dir(&returns_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .collect();
    returns.sort();
    Setup {
        _dir: dir,
        empty,
        db,
        plan_xlsx,
        returns,
    }
}

#[test]
fn import_killed_at_any_moment_leaves_the_plan_before_or_after() {
    let s = setup();
    kill_at_random_moments("import", &s.empty, &["import", s.plan_xlsx.to_str().unwrap()], 30);
}

#[test]
fn merge_killed_at_any_moment_leaves_the_plan_before_or_after() {
    let s = setup();
    let mut args = vec!["merge"];
    args.extend(s.returns.iter().map(String::as_str));
    kill_at_random_moments("merge", &s.db, &args, 30);
}

#[test]
fn the_apps_field_save_killed_at_any_moment_leaves_the_field_before_or_after() {
    let s = setup();
    let plan = synth::synthetic_plan(300);
    let project = plan.projects().next().unwrap();
    let dept = project.owners[0].department.clone().unwrap();
    let path = format!("project[{}].year[{}].narrative", project.no, plan.report_year.0);
    kill_at_random_moments(
        "field save",
        &s.db,
        &[
            "dev",
            "save-field",
            path.as_str(),
            "中断されても壊れない取組状況",
            "--dept",
            dept.as_str(),
        ],
        30,
    );
}
