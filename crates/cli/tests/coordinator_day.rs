//! Issue 14's coordinator's day, with the returns and the summary workbook edited
//! by LibreOffice Calc itself (headless, through Python-UNO, typing as a person
//! types: `tests/lo/edit.py`), merged and imported by the real `shinchoku`.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::Reader;
use common::{bin, db_bytes, ok};

struct Day {
    _dir: tempfile::TempDir,
    root: PathBuf,
    db: String,
}

impl Day {
    fn sh(&self, args: &[&str]) -> std::process::Output {
        bin().arg("--db").arg(&self.db).args(args).output().unwrap()
    }
    fn fields(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&ok(&self.sh(&["fields", "--json"]))).unwrap()
    }
    fn template(&self, dept: &str) -> PathBuf {
        self.root.join("配布").join(format!("令和5年度_{dept}.xlsx"))
    }
    /// Edits `input` in LibreOffice into `out`; what each action did.
    fn libreoffice(&self, input: &Path, out: &str, actions: serde_json::Value) -> (PathBuf, Vec<String>) {
        let out = self.root.join("返送").join(out);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let spec = self.root.join("spec.json");
        let body = serde_json::json!({"in": input, "out": out, "actions": actions});
        std::fs::write(&spec, body.to_string()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/lo/edit.py");
        let o = Command::new("/usr/bin/python3").arg(script).arg(&spec).output().unwrap();
        let done = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(o.status.success(), "LibreOffice: {done}{}", String::from_utf8_lossy(&o.stderr));
        (out, serde_json::from_str(done.trim()).unwrap())
    }
}

/// The entry sheet's header (row 4) and, per field key of the metadata, its cell.
fn cells(file: &Path) -> BTreeMap<String, String> {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let entry = wb.worksheet_range("記入").unwrap();
    let header: Vec<String> = entry.rows().nth(3).unwrap().iter().map(|d| d.to_string()).collect();
    let meta = wb.worksheet_range("shinchoku_meta").unwrap();
    let mut out = BTreeMap::new();
    for row in meta.rows() {
        let (Some(r), Some(col), Some(key)) = (row.first(), row.get(1), row.get(2)) else {
            continue;
        };
        let (r, col, key) = (r.to_string(), col.to_string(), key.to_string());
        if key.is_empty() || r.parse::<u32>().is_err() {
            continue;
        }
        let c = header.iter().position(|h| h.split('\n').next() == Some(col.as_str())).unwrap();
        out.insert(key, format!("{}{r}", (b'A' + c as u8) as char));
    }
    out
}

fn first_narrative(cells: &BTreeMap<String, String>, not_in: &BTreeMap<String, String>) -> (String, String) {
    cells
        .iter()
        .find(|(k, _)| k.ends_with(".narrative") && !not_in.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap()
}

fn rows_of(file: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    r.rows().map(|row| row.iter().map(|d| d.to_string()).collect()).collect()
}

#[test]
fn issue14_a_coordinators_day_with_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let day = Day {
        db: root.join("plan.db").display().to_string(),
        root,
        _dir: dir,
    };
    ok(&day.sh(&["init", "--demo"]));
    ok(&day.sh(&["templates", day.root.join("配布").to_str().unwrap()]));
    let start = day.root.join("取組一覧_開始時.xlsx");
    ok(&day.sh(&["export", start.to_str().unwrap()]));
    let before = day.fields();

    let soumu = cells(&day.template("総務部"));
    let kikaku = cells(&day.template("企画調整部"));
    let doboku = cells(&day.template("土木部"));
    let suitou = cells(&day.template("出納局"));

    // A: 総務部 in LibreOffice, a row below the table deleted (LibreOffice then writes <row r="1048576"/>).
    let (a_key, a_cell) = first_narrative(&soumu, &BTreeMap::new());
    let last = rows_of(&day.template("総務部"), "記入").len();
    let (a, done) = day.libreoffice(
        &day.template("総務部"),
        "令和5年度_総務部.xlsx",
        serde_json::json!([
            ["type", "記入", a_cell, "LibreOfficeで入力した取組状況"],
            ["type", "記入", "B5", "保護されたセル"],
            ["unprotect", "記入"],
            ["delete_row", "記入", last + 3]
        ]),
    );
    assert_eq!(done, vec!["ok", "refused", "ok", "ok"], "a locked cell refuses typing");

    // B: 企画調整部 sends v1, then a corrected v2 from the same template.
    let (b_key, b_cell) = first_narrative(&kikaku, &soumu);
    let (b1, _) = day.libreoffice(
        &day.template("企画調整部"),
        "令和5年度_企画調整部.xlsx",
        serde_json::json!([["type", "記入", b_cell, "一回目の記述"]]),
    );
    let (b2, _) = day.libreoffice(
        &day.template("企画調整部"),
        "令和5年度_企画調整部_訂正.xlsx",
        serde_json::json!([["type", "記入", b_cell, "訂正した記述"]]),
    );

    // C: 土木部 redirects a metadata key to 出納局's project and types a value for it.
    let (c_key, c_cell) = first_narrative(&doboku, &BTreeMap::new());
    let (target, _) = first_narrative(&suitou, &BTreeMap::new());
    let (c, _) = day.libreoffice(
        &day.template("土木部"),
        "令和5年度_土木部.xlsx",
        serde_json::json!([
            ["type", "記入", c_cell, "出納局の事業への書き込み"],
            ["unhide", "shinchoku_meta"],
            ["unprotect", "shinchoku_meta"],
            ["replace", "shinchoku_meta", c_key, target]
        ]),
    );

    // D: 警察本部 without the metadata sheet, with 議会事務局's row typed below its own.
    let gikai_rows = rows_of(&day.template("議会事務局"), "記入");
    let gikai_no = gikai_rows[4][0].clone();
    let police_rows = rows_of(&day.template("警察本部"), "記入");
    let narrative_col = police_rows[3].iter().position(|h| h.starts_with("取組状況")).unwrap();
    let row = police_rows.len() + 1;
    let (d, _) = day.libreoffice(
        &day.template("警察本部"),
        "令和5年度_警察本部.xlsx",
        serde_json::json!([
            ["remove_sheet", "shinchoku_meta"],
            ["unprotect", "記入"],
            ["type", "記入", format!("A{row}"), gikai_no],
            [
                "type",
                "記入",
                format!("{}{row}", (b'A' + narrative_col as u8) as char),
                "警察本部が書いた議会事務局の取組状況"
            ]
        ]),
    );

    let files: Vec<String> = [&a, &b1, &b2, &c, &d].iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["merge", "--json"];
    args.extend(files.iter().map(String::as_str));
    let o = day.sh(&args);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = |i: usize| &r["files"][i];
    assert_eq!(f(0)["status"], "applied", "{}", f(0));
    assert_eq!(f(0)["signature"], "verified", "LibreOffice keeps the signed metadata");
    assert_eq!(f(2)["status"], "applied", "{}", f(2));
    assert_eq!(f(2)["supersedes"][0], b1.display().to_string(), "v2 replaces v1 without a conflict");
    assert_eq!(f(2)["conflicts"].as_array().unwrap().len(), 0);
    assert_eq!(f(3)["signature"], "invalid", "{}", f(3));
    assert_eq!(f(3)["applied"].as_array().unwrap().len(), 0);
    assert_eq!(f(4)["signature"], "no_meta");
    let refused = f(4)["warnings"].to_string();
    assert!(
        refused.contains("議会事務局の項目です") && refused.contains(r#""sheet":"記入""#) && refused.contains(r#""cell":"O"#),
        "{refused}"
    );

    // Only the owners' fields changed: A's value and B's corrected value.
    let after = day.fields();
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| after.get(*k) != before.get(*k))
        .collect();
    let mut changed: Vec<String> = changed.into_iter().cloned().collect();
    changed.sort();
    changed.dedup();
    let mut expected = vec![a_key.clone(), b_key.clone()];
    expected.sort();
    assert_eq!(changed, expected);
    assert_eq!(after[&a_key], "LibreOfficeで入力した取組状況");
    assert_eq!(after[&b_key], "訂正した記述");
    assert_eq!(after.get(&target), before.get(&target), "出納局's field untouched");

    // The real conflicts (土木部's unverified value) are decided; the folder merged again changes nothing.
    let open: serde_json::Value = serde_json::from_str(&ok(&day.sh(&["conflicts", "--json"]))).unwrap();
    assert!(!open.as_array().unwrap().is_empty());
    for c in open.as_array().unwrap() {
        ok(&day.sh(&["resolve", &c["id"].to_string(), "--take", "plan"]));
    }
    let bytes = db_bytes(&day.db);
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    ok(&day.sh(&args));
    assert_eq!(db_bytes(&day.db), bytes, "merging the folder again changes nothing");

    // The summary exported at the start, imported: no entered value is reverted.
    let decided = day.fields();
    let out = ok(&day.sh(&["import", start.to_str().unwrap()]));
    assert!(out.contains("変更 0 項目"), "{out}");
    assert_eq!(day.fields(), decided);

    // The summary edited in LibreOffice (a name changed, a row below deleted) and imported: that edit only.
    let now = day.root.join("取組一覧_編集前.xlsx");
    ok(&day.sh(&["export", now.to_str().unwrap()]));
    let rows = rows_of(&now, "取組一覧");
    let header = rows.iter().position(|r| r.iter().any(|c| c == "事業番号")).unwrap();
    let name_col = rows[header].iter().position(|c| c.starts_with("事業名")).unwrap();
    let r10 = rows.iter().position(|r| r[0] == "10").unwrap() + 1;
    let (edited, _) = day.libreoffice(
        &now,
        "取組一覧_編集後.xlsx",
        serde_json::json!([
            [
                "type",
                "取組一覧",
                format!("{}{r10}", (b'A' + name_col as u8) as char),
                "Calcで直した事業名"
            ],
            ["delete_row", "取組一覧", rows.len() + 2]
        ]),
    );
    let out = ok(&day.sh(&["import", edited.to_str().unwrap()]));
    assert!(out.contains("変更 1 項目"), "{out}");
    let last = day.fields();
    assert_eq!(last["project[10].name"], "Calcで直した事業名");
    for (k, v) in &decided {
        if k != "project[10].name" {
            assert_eq!(last.get(k), Some(v), "{k}");
        }
    }
}
