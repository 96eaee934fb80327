//! The `shinchoku` command as a user runs it: real processes, a real database
//! file, real workbooks.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{bin, db_bytes, ok, run};

fn reference() -> PathBuf {
    common::data("torikumi-ichiran-r5.xlsx")
}

fn db_in(dir: &Path) -> String {
    dir.join("plan.db").display().to_string()
}

#[test]
fn init_demo_then_show_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let out = ok(&run(&["--db", &db, "show", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["projects"], 52);
    assert_eq!(v["relistings"], 13);
    assert_eq!(v["kpis"], 19);
    let ev = &v["evaluations"];
    assert_eq!(ev["○"], 12);
    assert_eq!(ev["△"], 6);
    assert_eq!(ev["×"], 0);
    assert_eq!(ev["-"], 34);
    // The Tokushima card is the second plan.
    let card: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "--plan", "2", "show", "--json"]))).unwrap();
    assert_eq!(card["kpis"], 13);
    assert_eq!(card["projects"], 1);
}

#[test]
fn year_is_accepted_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let base = ok(&run(&["--db", &db, "show", "--json", "--year", "2023"]));
    for y in ["R5", "令和5年度"] {
        assert_eq!(ok(&run(&["--db", &db, "show", "--json", "--year", y])), base);
    }
    let o = run(&["--db", &db, "show", "--year", "来年"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "--db",
        &db,
        "export",
        &dir.path().join("x.xlsx").display().to_string(),
        "--year",
        "R1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("この計画の年度ではありません"));
}

#[test]
fn import_of_the_reference_into_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let out = ok(&run(&["--db", &db, "import", reference().to_str().unwrap(), "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["created"], true);
    assert_eq!(v["projects"], 52);
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    // Importing the same plan again updates it, never duplicates it.
    let again: serde_json::Value =
        serde_json::from_str(&ok(&run(&["--db", &db, "import", reference().to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(again["created"], false);
    assert_eq!(again["plan_id"], v["plan_id"]);
    assert_eq!(again["fields_changed"], 0);
    let plans: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "plans", "--json"]))).unwrap();
    assert_eq!(plans.as_array().unwrap().len(), 1);
}

#[test]
fn reference_import_over_the_demo_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "import", reference().to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(v["created"], false);
    assert_eq!(v["fields_changed"], 0, "the reference workbook is the demo plan");
}

#[test]
fn export_then_import_round_trips_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    for plan in ["1", "2"] {
        let out = dir.path().join(format!("export{plan}.xlsx"));
        ok(&run(&["--db", &db, "--plan", plan, "export", out.to_str().unwrap()]));
        let fresh = dir.path().join(format!("fresh{plan}.db")).display().to_string();
        ok(&run(&["--db", &fresh, "import", out.to_str().unwrap()]));
        let a: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "--plan", plan, "show", "--json"]))).unwrap();
        let b: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &fresh, "show", "--json"]))).unwrap();
        // Numbers may come back with digit grouping (14442 → 14,442); everything counted is the same.
        for key in [
            "organization",
            "title",
            "projects",
            "relistings",
            "kpis",
            "evaluations",
            "areas",
            "departments",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
        let rates = |v: &serde_json::Value| {
            v["kpi_rates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| (k["no"].clone(), k["rate"].clone(), k["proposed"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(rates(&a), rates(&b));
        // And back into the original database: nothing changes.
        let v: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "import", out.to_str().unwrap(), "--json"]))).unwrap();
        assert_eq!(v["fields_changed"], 0);
    }
}

#[test]
fn bad_input_exits_2_and_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let before = db_bytes(&db);
    let csv = dir.path().join("plan.xlsx");
    std::fs::write(&csv, "a,b\n1,2\n").unwrap();
    for args in [
        vec!["--db", &db, "import", csv.to_str().unwrap()],
        vec!["--db", &db, "import", "/nonexistent/plan.xlsx"],
        vec!["--db", &db, "--plan", "存在しない計画", "show"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("エラー: "), "{err}");
        assert!(shinchoku_core::text::is_japanese_message(&err), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(db_bytes(&db), before);
    // A failed import into a database that does not exist yet creates nothing.
    let none = dir.path().join("none.db");
    let o = run(&["--db", none.to_str().unwrap(), "import", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
}

#[test]
fn check_lists_problems_with_their_cells() {
    let o = run(&["check", reference().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["projects"], 52);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, "%PDF-1.4").unwrap();
    let o = run(&["check", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&String::from_utf8_lossy(&o.stdout)).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["problems"][0]["message"].as_str().unwrap().contains("PDF"));
}

#[test]
fn database_from_the_environment_and_newer_schema_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let o = bin().env("SHINCHOKU_DB", &db).args(["init", "--demo"]).output().unwrap();
    ok(&o);
    assert!(Path::new(&db).exists());
    let o = run(&["--db", &db, "show"]);
    assert!(ok(&o).contains("福島県"));
    // Missing database: a clear message, not a new empty file.
    let missing = dir.path().join("missing.db");
    let o = run(&["--db", missing.to_str().unwrap(), "show"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shinchoku init"));
    assert!(!missing.exists());
}

#[test]
fn every_command_has_help() {
    for cmd in [
        "round",
        "round send-back",
        "round unlock",
        "dev",
        "dev synth",
        "dev sample-returns",
        "dev open-return",
        "dev save-field",
        "round open",
        "round status",
        "chart-book",
        "charts",
        "card",
        "report",
        "fields",
        "init",
        "import",
        "check",
        "export",
        "show",
        "plans",
        "templates",
        "merge",
        "conflicts",
        "resolve",
        "history",
        "undo",
        "backups",
        "restore",
    ] {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        let out = ok(&run(&args));
        assert!(out.contains("使い方: shinchoku"), "{cmd}: {out}");
        // Every line of the help is Japanese, but for the option names and placeholders.
        // (The usage line names the command itself, as typed.)
        for line in out.lines().filter(|l| !l.trim().is_empty()) {
            let line = line.replace(&format!("shinchoku {cmd}"), "shinchoku");
            // A line of the コマンド list begins with the command's name, as typed.
            let line = match line.trim_start().split_once("  ") {
                Some((name, rest)) if name.chars().all(|c| c.is_ascii_lowercase() || c == '-') => rest.to_string(),
                _ => line,
            };
            assert!(shinchoku_core::text::is_japanese_message(&line), "{cmd}: not Japanese: {line:?}");
        }
    }
    let out = ok(&run(&["--help"]));
    assert!(out.contains("--db"));
    // Mistakes in the arguments are said in Japanese too.
    for args in [
        vec!["imprt"],
        vec!["export"],
        vec!["charts", "d", "--format", "jpg"],
        vec!["show", "--year", "X5"],
        vec!["show", "--bogus"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("エラー: "), "{args:?}: {err}");
        for line in err.lines() {
            assert!(shinchoku_core::text::is_japanese_message(line), "{args:?}: not Japanese: {line:?}");
        }
    }
}

#[test]
fn department_returns_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let out = dir.path().join("returns");
    ok(&run(&["--db", &db, "init", "--demo"]));
    let text = ok(&run(&["--db", &db, "templates", out.to_str().unwrap()]));
    assert!(text.contains("6 部の記入用ファイル"), "{text}");
    let soumu = out.join("令和5年度_総務部.xlsx");
    assert!(soumu.is_file());
    let only = dir.path().join("only");
    let j = ok(&run(&[
        "--db",
        &db,
        "templates",
        only.to_str().unwrap(),
        "--dept",
        "警察本部",
        "--year",
        "R5",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    assert_eq!(v["files"][0]["projects"], 6);
    let o = run(&["--db", &db, "templates", only.to_str().unwrap(), "--dept", "存在しない部"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("計画にありません"));

    // Unchanged returns: nothing applied, no revision.
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut args = vec!["--db", &db, "merge", "--json"];
    args.extend(files.iter().map(String::as_str));
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&args))).unwrap();
    assert_eq!(v["applied"], 0);
    assert_eq!(v["rejected"], 0);
    assert_eq!(v["files"].as_array().unwrap().len(), 6);
    let history: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "history", "--json"]))).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["kind"], "init");

    // A damaged return: exit 2, the plan untouched, the report names the file.
    let damaged = dir.path().join("damaged.xlsx");
    let bytes = std::fs::read(&soumu).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    let report = dir.path().join("report.xlsx");
    let before = ok(&run(&["--db", &db, "show", "--json"]));
    let o = run(&[
        "--db",
        &db,
        "merge",
        damaged.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged.xlsx"));
    assert_eq!(ok(&run(&["--db", &db, "show", "--json"])), before);
    assert!(report.is_file());

    assert!(ok(&run(&["--db", &db, "conflicts"])).contains("未解決の競合はありません"));
    let o = run(&["--db", &db, "resolve", "99", "--take", "plan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("競合 #99 はありません"));
    let o = run(&["--db", &db, "undo", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("バックアップから復元"));

    // Merges that changed nothing took no backup; an import that changes something does,
    // and restoring it works.
    let b: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "backups", "--json"]))).unwrap();
    assert_eq!(b.as_array().unwrap().len(), 0);
    let synth = dir.path().join("synthetic.xlsx");
    ok(&run(&["dev", "synth", "20", synth.to_str().unwrap()]));
    ok(&run(&["--db", &db, "import", synth.to_str().unwrap()]));
    let b: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "backups", "--json"]))).unwrap();
    let list = b.as_array().unwrap();
    assert_eq!(list.len(), 1, "{b}");
    let file = list[0]["file"].as_str().unwrap();
    assert!(ok(&run(&["--db", &db, "restore", file])).contains("復元しました"));
    assert_eq!(ok(&run(&["--db", &db, "show", "--json"])), before);
}

#[test]
fn charts_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let out = dir.path().join("charts");
    let o = out.to_str().unwrap();
    let text = ok(&run(&["--db", &db, "charts", o, "--kpi", "2", "--kpi", "6", "--dpi", "150"]));
    assert!(text.contains("2 件のグラフ"), "{text}");
    let png = out.join("KPI02_県及び市町村の行政手続のオンライン利用率.png");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    ok(&run(&["--db", &db, "charts", o, "--format", "svg", "--year-labels", "long"]));
    let svg = std::fs::read_to_string(out.join("KPI02_県及び市町村の行政手続のオンライン利用率.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("令和5年度") && svg.contains("基準値 48.2%"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2 + 19);

    let o2 = run(&["--db", &db, "charts", o, "--kpi", "99"]);
    assert_eq!(o2.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o2.stderr).contains("KPI 99"));
    let o3 = run(&["--db", &db, "charts", o, "--font", "/no/such/font.ttf"]);
    assert_eq!(o3.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o3.stderr).contains("/no/such/font.ttf"));
}

#[test]
fn card_and_report_are_written_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let card = dir.path().join("card.pdf");
    let out = ok(&run(&[
        "--db",
        &db,
        "--plan",
        "2",
        "card",
        card.to_str().unwrap(),
        "--project",
        "5",
        "--year",
        "R5",
    ]));
    assert!(out.contains("事業 1 件"), "{out}");
    assert!(std::fs::read(&card).unwrap().starts_with(b"%PDF-"));
    let report = dir.path().join("report.docx");
    let out = ok(&run(&["--db", &db, "--plan", "4", "report", report.to_str().unwrap()]));
    assert!(out.contains("項目 6 件"), "{out}");
    assert!(std::fs::read(&report).unwrap().starts_with(b"PK"));
    // Bad input: exit 2 and what to do, no file written.
    for (args, said) in [
        (
            vec!["--plan", "2", "card", "x.txt"],
            "ファイル名の拡張子は .xlsx か .pdf にしてください",
        ),
        (
            vec!["--plan", "2", "card", "x.xlsx", "--project", "8"],
            "事業番号 8 はこの計画にありません",
        ),
        (vec!["--plan", "4", "report", "x.pdf"], "ファイル名の拡張子は .docx にしてください"),
        (vec!["--plan", "3", "report", "x.docx"], "報告書を作れません"),
    ] {
        let mut full = vec!["--db", db.as_str()];
        let target = dir.path().join(args[3]).display().to_string();
        let mut args = args.clone();
        args[3] = &target;
        full.extend(args);
        let o = run(&full);
        assert_eq!(o.status.code(), Some(2), "{full:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(said),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!Path::new(&target).exists());
    }
}

/// Issue 14: `shinchoku show | head` (and every printing command) ends quietly when the reader goes away.
#[test]
fn issue14_a_closed_pipe_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let synth = dir.path().join("synthetic.xlsx");
    ok(&run(&["dev", "synth", "2000", synth.to_str().unwrap()]));
    ok(&run(&["--db", &db, "import", synth.to_str().unwrap()]));
    for cmd in ["show", "fields"] {
        // More than a pipe holds, so the writer does meet the closed pipe.
        assert!(ok(&run(&["--db", &db, cmd])).len() > 256 * 1024, "{cmd}");
        let mut child = bin()
            .args(["--db", &db, cmd])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close the pipe as `head -c1` would.
        let mut out = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        out.read_exact(&mut one).unwrap();
        drop(out);
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        assert_ne!(o.status.code(), Some(101), "{cmd}");
    }
}

#[test]
fn issue14_fields_prints_stored_texts_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let all: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "fields", "--json"]))).unwrap();
    let kpi2: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "fields", "--json", "kpi[2]."]))).unwrap();
    let kpi2 = kpi2.as_object().unwrap();
    assert!(!kpi2.is_empty() && kpi2.keys().all(|k| k.starts_with("kpi[2].")));
    for (k, v) in kpi2 {
        assert_eq!(&all[k], v);
    }
    let text = ok(&run(&["--db", &db, "fields", "kpi[2].name"]));
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with("kpi[2].name\t"), "{text}");
}

/// Issue 15: the round through the CLI — open, templates carry it, status JSON, reminder file, confirm, close.
#[test]
fn issue15_rounds_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let o = ok(&run(&["--db", &db, "round", "open", "--year", "R6", "--due", "R6.5.31"]));
    assert!(o.contains("令和6年度実績照会"), "{o}");
    let out = dir.path().join("配布");
    ok(&run(&["--db", &db, "templates", out.to_str().unwrap(), "--year", "R6"]));
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "round", "status", "--json"]))).unwrap();
    assert_eq!(v["round"]["due"], "2024-05-31");
    assert_eq!(v["round"]["state"], "open");
    let d = &v["departments"][0];
    for key in ["department", "state", "overdue", "files", "filled", "empty", "last_file"] {
        assert!(d.get(key).is_some(), "{key} in {d}");
    }
    assert_eq!(d["state"], "not_returned");
    let file = dir.path().join("督促.txt");
    let text = ok(&run(&["--db", &db, "round", "remind", "--out", file.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), text.trim());
    assert!(text.contains("■ 総務部(未提出・期限超過)"), "{text}");
    let o = run(&["--db", &db, "round", "confirm", "存在しない部"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("対象ではありません"));
    let back = dir.path().join("差戻し");
    let o = ok(&run(&[
        "--db",
        &db,
        "round",
        "send-back",
        "出納局",
        "--note",
        "再提出してください",
        "--out",
        back.to_str().unwrap(),
    ]));
    assert!(o.contains("指摘 5 件") && o.contains("取組状況が未入力です"), "{o}");
    assert!(back.join("令和6年度_出納局_差戻し.xlsx").is_file());
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "round", "status", "--json"]))).unwrap();
    let state = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "出納局")
        .unwrap()["state"]
        .clone();
    assert_eq!(state, "sent_back");
    ok(&run(&["--db", &db, "round", "confirm", "総務部"]));
    let o = run(&["--db", &db, "round", "send-back", "総務部", "--out", back.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "a confirmed department is not sent back");
    ok(&run(&["--db", &db, "round", "close"]));
    let o = run(&["--db", &db, "round", "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("開いている照会がありません"));
}

/// `--layout` by name: the demo's Tokushima plan written as the built-in 総合戦略 table,
/// imported from it into another database, and written again the same; `取組一覧` is the
/// summary workbook; an unknown name is refused with the names there are.
#[test]
fn built_in_layouts_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let sheet = dir.path().join("総合戦略.xlsx");
    let sheet_s = sheet.display().to_string();
    ok(&run(&["--db", &db, "--plan", "2", "export", &sheet_s, "--layout", "総合戦略"]));
    let texts = shinchoku_core::xlsx::import::sheet_texts(&sheet, "KPI進捗").unwrap();
    assert_eq!(texts[0][0].as_deref(), Some("徳島県 総合戦略 KPIの進捗状況(令和5年度)"));
    assert_eq!(
        texts.len(),
        4 + 13,
        "the title, a blank row, two header rows and Tokushima's 13 KPIs"
    );

    let other = dir.path().join("other.db").display().to_string();
    let out = ok(&run(&["--db", &other, "import", &sheet_s, "--layout", "sogo-senryaku"]));
    assert!(out.contains("KPI 13"), "{out}");
    // The organization came from the title: the plan is 徳島県's.
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &other, "show", "--json"]))).unwrap();
    assert_eq!(shown["organization"], "徳島県", "{shown}");
    let again = dir.path().join("again.xlsx");
    ok(&run(&["--db", &other, "export", &again.display().to_string()]));
    assert_eq!(shinchoku_core::xlsx::import::sheet_texts(&again, "KPI進捗").unwrap(), texts);

    let summary = dir.path().join("summary.xlsx");
    ok(&run(&[
        "--db",
        &other,
        "export",
        &summary.display().to_string(),
        "--layout",
        "取組一覧",
    ]));
    assert!(shinchoku_core::xlsx::import::sheet_texts(&summary, "取組一覧").is_ok());

    let o = run(&[
        "--db",
        &db,
        "export",
        &dir.path().join("x.xlsx").display().to_string(),
        "--layout",
        "総合計画",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("レイアウト「総合計画」はありません") && e.contains("総合戦略"), "{e}");

    // The departments' entry sheets in the layout's words: 施策, 所管課, 達成状況.
    let returns = dir.path().join("returns");
    let returns_s = returns.display().to_string();
    ok(&run(&[
        "--db",
        &db,
        "templates",
        &returns_s,
        "--dept",
        "総務部",
        "--layout",
        "総合戦略",
    ]));
    let header = &shinchoku_core::xlsx::import::sheet_texts(&returns.join("令和5年度_総務部.xlsx"), "記入").unwrap()[3];
    for word in ["施策", "所管課", "達成状況"] {
        assert!(header.iter().any(|h| h.as_deref() == Some(word)), "{word}: {header:?}");
    }
    let o = run(&["--db", &db, "templates", &returns_s, "--overwrite", "--layout", "総合計画"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("レイアウト「総合計画」はありません"));
}

/// 取組一覧 is a layout file like any other: `layout show` gives it, and a copy with a
/// header reworded writes the same sheet with that header alone changed.
#[test]
fn the_summary_sheet_is_a_layout_file_to_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    ok(&run(&["--db", &db, "init", "--demo"]));
    let text = ok(&run(&["layout", "show", "取組一覧"]));
    assert!(
        text.contains("listings = \"each\"") && text.contains("field = \"kpi_name\""),
        "{text}"
    );
    let mine = dir.path().join("mine.toml");
    std::fs::write(&mine, text.replace("header = \"指標名\"", "header = \"成果指標\"")).unwrap();

    let summary = dir.path().join("summary.xlsx");
    ok(&run(&["--db", &db, "export", &summary.display().to_string()]));
    let own = dir.path().join("own.xlsx");
    let out = ok(&run(&[
        "--db",
        &db,
        "export",
        &own.display().to_string(),
        "--layout",
        &mine.display().to_string(),
    ]));
    assert!(out.contains("own.xlsx"), "{out}");
    let want = shinchoku_core::xlsx::import::sheet_texts(&summary, "取組一覧").unwrap();
    let got = shinchoku_core::xlsx::import::sheet_texts(&own, "取組一覧").unwrap();
    assert_eq!(got.len(), want.len());
    let mut changed = Vec::new();
    for (r, (g, w)) in got.iter().zip(&want).enumerate() {
        for c in 0..g.len().max(w.len()) {
            let (a, b) = (g.get(c).cloned().flatten(), w.get(c).cloned().flatten());
            if a != b {
                changed.push((r, c, a, b));
            }
        }
    }
    assert_eq!(
        changed,
        [1, 2].map(|r| (r, 11, Some("成果指標".to_string()), Some("指標名".to_string()))),
        "only the reworded header (merged over rows 2 and 3) differs"
    );
    // Fukushima's 再掲 rows are there, as in the summary workbook.
    assert!(got.iter().any(|row| row.first().cloned().flatten().as_deref() == Some("再掲")));

    // Read back with the same file: the same plan (再掲 and KPIs shown twice included), and
    // written again, the same sheet.
    let other = dir.path().join("other.db").display().to_string();
    let mine_s = mine.display().to_string();
    ok(&run(&[
        "--db",
        &other,
        "import",
        &own.display().to_string(),
        "--layout",
        &mine_s,
        "--organization",
        "福島県",
    ]));
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &other, "show", "--json"]))).unwrap();
    let before: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", &db, "--plan", "1", "show", "--json"]))).unwrap();
    for key in ["title", "year", "projects", "relistings", "kpis", "evaluations", "areas"] {
        assert_eq!(shown[key], before[key], "{key}");
    }
    let again = dir.path().join("again.xlsx");
    ok(&run(&["--db", &other, "export", &again.display().to_string(), "--layout", &mine_s]));
    assert_eq!(shinchoku_core::xlsx::import::sheet_texts(&again, "取組一覧").unwrap(), got);

    let o = run(&["layout", "show", "無い様式"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("取組一覧、総合戦略"));
}
