//! Issue 14: a merge coordinators can trust. Every tamper case leaves the other
//! departments' fields byte-for-byte unchanged; a corrected return supersedes;
//! decisions hold across re-merges; importing an old export reverts nothing;
//! text is kept as typed. Real files, a real database.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::PathBuf;

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops::{self, MergeOptions, MergeReport, Take};
use shinchoku_core::returns::{FileStatus, Signature};
use shinchoku_core::Plan;
use support::{cell_of, meta_cell, sheet_rows, write_entry_rows, Package};

const SOUMU: &str = "総務部";

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("plan.db");
        ops::init(&db, true).unwrap();
        let out = dir.path().join("returns");
        ops::templates(&db, None, &out, None, &[], false, None).unwrap();
        Setup { _dir: dir, db, out }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
    fn plan(&self) -> Plan {
        ops::load(&self.db, None).unwrap()
    }
    fn merge(&self, files: &[PathBuf]) -> MergeReport {
        ops::merge(&self.db, None, files, &MergeOptions::default(), &mut |_| {}).unwrap()
    }
    fn template(&self, dept: &str) -> PathBuf {
        self.path(&format!("令和5年度_{dept}.xlsx"))
    }
    fn fill(&self, dept: &str, name: &str, edits: &[(&str, &str)]) -> PathBuf {
        let from = self.template(dept);
        let mut pkg = Package::open(&from);
        for (path, text) in edits {
            pkg.set_text("記入", &cell_of(&from, path), text);
        }
        let to = self.path(name);
        pkg.save(&to);
        to
    }
    /// The fields of every project and KPI the department does not own.
    fn others_fields(&self, dept: &str) -> Vec<(String, String)> {
        let p = self.plan();
        let mine: Vec<String> = p
            .projects()
            .filter(|x| x.owners.iter().any(|o| o.department.as_deref() == Some(dept)))
            .map(|x| x.no.clone())
            .collect();
        p.fields()
            .into_iter()
            .filter(|(k, _)| {
                k.starts_with("project[") && !mine.iter().any(|m| k.starts_with(&format!("project[{m}]"))) || k.starts_with("kpi[")
            })
            .collect()
    }
}

/// A project owned by another department only, with a KPI of its own.
fn others_project(p: &Plan, dept: &str) -> (String, u32, String) {
    let x = p
        .projects()
        .find(|x| {
            !x.owners.iter().any(|o| o.department.as_deref() == Some(dept))
                && x.owners.iter().any(|o| o.department.is_some())
                && x.kpis.iter().any(|k| !k.relisted)
        })
        .unwrap();
    let owner = x.owners.iter().find_map(|o| o.department.clone()).unwrap();
    (x.no.clone(), x.kpis.iter().find(|k| !k.relisted).unwrap().no, owner)
}

fn narrative(p: &Plan, no: &str, y: i32) -> Option<String> {
    p.project(no).unwrap().years.get(&FiscalYear(y)).and_then(|y| y.narrative.clone())
}

#[test]
fn issue14_a_meta_key_redirected_to_another_departments_field_changes_nothing_of_theirs() {
    let s = Setup::new();
    let (other, other_kpi, owner) = others_project(&s.plan(), SOUMU);
    let before = s.others_fields(SOUMU);
    let from = s.template(SOUMU);
    let mine = "project[1].year[2023].narrative";
    let mut pkg = Package::open(&from);
    pkg.set_text("記入", &cell_of(&from, mine), "他部の事業に書き込む");
    pkg.set_text(
        "shinchoku_meta",
        &meta_cell(&from, 2, mine, 2),
        &format!("project[{other}].year[2023].narrative"),
    );
    let actual = "kpi[2].actual[2023]";
    pkg.set_text("記入", &cell_of(&from, actual), "99");
    pkg.set_text(
        "shinchoku_meta",
        &meta_cell(&from, 2, actual, 2),
        &format!("kpi[{other_kpi}].actual[2023]"),
    );
    let file = s.path("tampered-key.xlsx");
    pkg.save(&file);
    let r = s.merge(std::slice::from_ref(&file));
    let o = &r.files[0];
    assert_eq!(o.signature, Some(Signature::Invalid), "{o:#?}");
    assert_eq!(r.applied, 0, "nothing of an unverified file is applied: {o:#?}");
    assert!(
        o.warnings.iter().any(|w| w.message.contains("書き換えられています")),
        "{:?}",
        o.warnings
    );
    assert_eq!(s.others_fields(SOUMU), before, "{owner}'s fields are unchanged");
    // What it does carry for its own rows is listed for the coordinator, by the sender's own fields.
    assert!(o.conflicts.iter().all(|c| c.project.as_deref() != Some(other.as_str())));
}

#[test]
fn issue14_meta_department_plan_or_revision_changed_does_not_verify() {
    for (key, value) in [("department", "保健福祉部"), ("plan_id", "2"), ("revision", "999")] {
        let s = Setup::new();
        let before = s.others_fields(SOUMU);
        let from = s.template(SOUMU);
        let mut pkg = Package::open(&from);
        pkg.set_text("記入", &cell_of(&from, "project[1].year[2023].narrative"), "書き換えたファイル");
        pkg.set_text("shinchoku_meta", &meta_cell(&from, 0, key, 1), value);
        let file = s.path("tampered-head.xlsx");
        pkg.save(&file);
        let r = s.merge(std::slice::from_ref(&file));
        let o = &r.files[0];
        assert_eq!(o.signature, Some(Signature::Invalid), "{key}: {o:#?}");
        assert_eq!(r.applied, 0, "{key}");
        assert_eq!(s.others_fields(SOUMU), before, "{key}");
    }
}

#[test]
fn issue14_a_pasted_row_of_another_department_without_meta_is_refused_by_cell() {
    // R5: the other department's fields hold values; R6: they are empty.
    for year in [2023, 2024] {
        let s = Setup::new();
        let plan = s.plan();
        let (other, _, owner) = others_project(&plan, SOUMU);
        let dir = s.out.join(format!("y{year}"));
        ops::templates(&s.db, None, &dir, Some(FiscalYear(year)), &[], false, None).unwrap();
        let fy = FiscalYear(year).long();
        let mine = sheet_rows(&dir.join(format!("{fy}_{SOUMU}.xlsx")), "記入");
        let theirs = sheet_rows(&dir.join(format!("{fy}_{owner}.xlsx")), "記入");
        let header = &mine[3];
        let col = header.iter().position(|h| h.starts_with("取組状況")).unwrap();
        let mut pasted = theirs.iter().find(|r| r[0] == other).unwrap().clone();
        pasted.resize(header.len(), String::new());
        pasted[col] = "総務部が貼り付けた他部の行".into();
        let mut rows = mine.clone();
        rows.push(pasted);
        let file = s.path("pasted.xlsx");
        write_entry_rows(&rows, &file);
        let before = s.others_fields(SOUMU);
        let r = ops::merge(
            &s.db,
            None,
            std::slice::from_ref(&file),
            &MergeOptions {
                year: Some(FiscalYear(year)),
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap();
        let o = &r.files[0];
        assert_eq!(o.signature, Some(Signature::NoMeta));
        assert_eq!(o.department.as_deref(), Some(SOUMU), "the sender is the sheet's title's 部");
        assert_eq!(
            s.others_fields(SOUMU),
            before,
            "{year}: {owner}'s fields are byte-for-byte unchanged"
        );
        assert_eq!(o.not_owned, 1, "{o:#?}");
        let w = o.warnings.iter().find(|w| w.message.contains("の項目です")).unwrap().to_string();
        let row = rows.len();
        assert!(
            w.starts_with(&format!("記入!{}{row}", (b'A' + col as u8) as char)) && w.contains(&owner) && w.contains("取組状況"),
            "{w}"
        );
        assert!(narrative(&s.plan(), &other, year) == narrative(&plan, &other, year));
    }
}

#[test]
fn issue14_a_corrected_return_supersedes_and_decisions_hold_on_remerge() {
    let s = Setup::new();
    let v1 = s.fill(
        SOUMU,
        "v1.xlsx",
        &[("project[1].year[2023].narrative", "一回目"), ("kpi[2].actual[2023]", "50%")],
    );
    let v2 = s.fill(
        SOUMU,
        "v2.xlsx",
        &[("project[1].year[2023].narrative", "訂正版"), ("kpi[2].actual[2023]", "50%")],
    );
    let r1 = s.merge(std::slice::from_ref(&v1));
    assert_eq!((r1.applied, r1.conflicts), (2, 0));
    let r2 = s.merge(std::slice::from_ref(&v2));
    assert_eq!((r2.applied, r2.conflicts), (1, 0), "{:#?}", r2.files[0]);
    assert_eq!(r2.files[0].supersedes, vec![v1.display().to_string()]);
    assert_eq!(narrative(&s.plan(), "1", 2023).as_deref(), Some("訂正版"));
    let h = &ops::history(&s.db, None).unwrap()[0];
    assert!(h.summary.contains("再提出") && h.summary.contains("v1.xlsx"), "{}", h.summary);

    // The co-owner and 総務部 disagree on project 8; the coordinator decides for the co-owner.
    let a = s.fill(SOUMU, "a.xlsx", &[("project[8].year[2023].narrative", "総務部の記述")]);
    let b = s.fill("企画調整部", "b.xlsx", &[("project[8].year[2023].narrative", "企画調整部の記述")]);
    let r = s.merge(&[a.clone(), b.clone()]);
    assert_eq!((r.applied, r.conflicts), (1, 1));
    ops::resolve(&s.db, r.files[1].conflict_ids[0], &Take::Return).unwrap();
    // Merging the whole folder again changes nothing: the database is byte-identical.
    let bytes = std::fs::read(&s.db).unwrap();
    let all = [v1.clone(), v2.clone(), a.clone(), b.clone()];
    let again = s.merge(&all);
    assert_eq!((again.applied, again.conflicts), (0, 0));
    assert!(again.files.iter().all(|f| f.status == FileStatus::Skipped));
    assert_eq!(std::fs::read(&s.db).unwrap(), bytes);
    // A copy of a saved again (another hash, same values) does not reopen the decision either.
    let a2 = s.path("a2.xlsx");
    let mut pkg = Package::open(&a);
    pkg.set_text("記入", "A3", "再送します");
    pkg.save(&a2);
    let r = s.merge(std::slice::from_ref(&a2));
    assert_eq!((r.applied, r.conflicts), (0, 0), "{:#?}", r.files[0]);
    assert_eq!(narrative(&s.plan(), "8", 2023).as_deref(), Some("企画調整部の記述"));
}

#[test]
fn issue14_refused_files_take_no_backup() {
    let s = Setup::new();
    let bad = s.path("bad.xlsx");
    std::fs::write(&bad, b"not a workbook").unwrap();
    let n = ops::backups(&s.db).unwrap().len();
    let r = s.merge(&[bad]);
    assert_eq!(r.rejected, 1);
    assert!(r.backup.is_none());
    assert_eq!(ops::backups(&s.db).unwrap().len(), n);
}

#[test]
fn issue14_a_date_in_a_text_cell_is_refused_with_its_cell() {
    let s = Setup::new();
    let from = s.template(SOUMU);
    let cell = cell_of(&from, "project[1].year[2023].narrative");
    let mut pkg = Package::open(&from);
    pkg.set_date("記入", &cell, "2026-01-02T00:00:00");
    let file = s.path("date.xlsx");
    pkg.save(&file);
    let r = s.merge(&[file]);
    let e = r.files[0].errors[0].to_string();
    assert_eq!(r.rejected, 1);
    assert!(
        e.starts_with(&format!("記入!{cell}")) && e.contains("取組状況が日付") && e.contains("文字列で入力"),
        "{e}"
    );
    assert!(!e.contains("a date"), "{e}");
}

#[test]
fn issue14_libreoffices_empty_last_row_is_harmless() {
    let s = Setup::new();
    let from = s.template(SOUMU);
    let mut pkg = Package::open(&from);
    pkg.set_text("記入", &cell_of(&from, "project[1].year[2023].narrative"), "行を削除したファイル");
    pkg.append_to_sheet_data("記入", r#"<row r="1048576" spans="1:1"/>"#);
    let file = s.path("lo.xlsx");
    pkg.save(&file);
    let r = s.merge(&[file]);
    assert_eq!(r.applied, 1, "{:#?}", r.files[0]);
}

#[test]
fn issue14_importing_an_old_export_reverts_nothing_entered_since() {
    let s = Setup::new();
    let export = s.out.join("summary.xlsx");
    ops::export(&s.db, None, &export, None).unwrap();
    // After the export: an entry in the app and a merged return.
    let plan = s.plan();
    let proj = plan
        .projects()
        .find(|p| p.years.contains_key(&FiscalYear(2023)))
        .unwrap()
        .no
        .clone();
    let path = format!("project[{proj}].year[2023].narrative");
    let dept = plan
        .project(&proj)
        .unwrap()
        .owners
        .iter()
        .find_map(|o| o.department.clone())
        .unwrap();
    ops::save_field(
        &s.db,
        &dept,
        None,
        &shinchoku_core::views::FieldEdit {
            path: path.clone(),
            text: "アプリで入力".into(),
        },
    )
    .unwrap();
    let v1 = s.fill(SOUMU, "v1.xlsx", &[("project[1].year[2023].evaluation", "×")]);
    assert_eq!(s.merge(&[v1]).applied, 1);
    let entered = s.plan().fields();

    // The old export imported again: nothing changed in it, nothing reverted, nothing recorded.
    let revs = ops::history(&s.db, None).unwrap().len();
    let r = ops::import(&s.db, &export, None, false).unwrap();
    assert_eq!((r.saved.fields_changed, r.conflicts), (0, 0), "{:?}", r.warnings);
    assert_eq!(ops::history(&s.db, None).unwrap().len(), revs);
    assert_eq!(s.plan().fields(), entered);

    // A workbook without the base that would put entries back is refused unless confirmed.
    let foreign = s.out.join("foreign.xlsx");
    shinchoku_core::xlsx::export_summary(&plan, None, &foreign).unwrap();
    let before = std::fs::read(&s.db).unwrap();
    let e = ops::import(&s.db, &foreign, None, false).unwrap_err();
    assert!(
        matches!(e, ops::Error::WouldReplaceEntered(ref f) if f.iter().any(|f| f.path == "project[1].year[2023].evaluation")),
        "{e}"
    );
    assert!(e.to_string().contains("--replace-entered"), "{e}");
    assert_eq!(std::fs::read(&s.db).unwrap(), before, "nothing imported");
    // The same workbook with one cell edited: that edit is applied, the entries stay.
    let rows = sheet_rows(&export, "取組一覧");
    let header = rows.iter().position(|r| r.iter().any(|c| c == "事業番号")).unwrap();
    let name_col = rows[header].iter().position(|c| c.starts_with("事業名")).unwrap();
    let r10 = rows.iter().position(|r| r[0] == "10").unwrap();
    let edited = s.out.join("summary-edited.xlsx");
    let mut pkg = Package::open(&export);
    let cell = format!("{}{}", (b'A' + name_col as u8) as char, r10 + 1);
    pkg.set_text("取組一覧", &cell, "ブックで直した事業名");
    pkg.save(&edited);
    let r = ops::import(&s.db, &edited, None, false).unwrap();
    assert_eq!(r.saved.fields_changed, 1, "{:?}", r.warnings);
    let after = s.plan();
    assert_eq!(after.project("10").unwrap().name.as_deref(), Some("ブックで直した事業名"));
    let now = after.fields();
    for (k, v) in &entered {
        if k != "project[10].name" {
            assert_eq!(now.get(k), Some(v), "{k} kept");
        }
    }
    // Confirmed, the workbook without a base replaces what it shows.
    ops::import(&s.db, &foreign, None, true).unwrap();
    assert_eq!(
        s.plan().project("1").unwrap().years[&FiscalYear(2023)].evaluation,
        plan.project("1").unwrap().years[&FiscalYear(2023)].evaluation
    );
}

#[test]
fn issue14_text_is_kept_across_merge_undo_and_import() {
    let s = Setup::new();
    let plan = s.plan();
    let (kpi, old) = plan
        .kpis
        .iter()
        .find_map(|k| k.actuals.get(&FiscalYear(2023)).map(|a| (k.no, a.value.text().to_string())))
        .unwrap();
    let _ = old;
    let soumu_kpi = 2;
    let path = format!("kpi[{soumu_kpi}].actual[2023]");
    let v = s.fill(SOUMU, "v.xlsx", &[(&path, "64,169")]);
    let r = s.merge(&[v]);
    assert_eq!(r.applied, 1);
    assert_eq!(s.plan().fields()[&path], "64,169", "stored as typed");
    let before_undo = plan.fields().get(&path).cloned();
    ops::undo(&s.db, r.revision_id.unwrap()).unwrap();
    assert_eq!(s.plan().fields().get(&path).cloned(), before_undo, "undo puts back the text it had");
    // An export imported again keeps every stored text, and records nothing.
    let export = s.out.join("summary.xlsx");
    ops::export(&s.db, None, &export, None).unwrap();
    let fields = s.plan().fields();
    let r = ops::import(&s.db, &export, None, false).unwrap();
    assert_eq!(r.saved.fields_changed, 0);
    assert_eq!(s.plan().fields(), fields);
    assert!(fields.contains_key(&format!("kpi[{kpi}].actual[2023]")));
}

#[test]
fn issue14_the_summary_sheets_own_problem_is_reported_not_another_sheets() {
    let s = Setup::new();
    let export = s.out.join("summary.xlsx");
    ops::export(&s.db, None, &export, None).unwrap();
    let mut pkg = Package::open(&export);
    pkg.append_to_sheet_data(
        "取組一覧",
        r#"<row r="300000"><c r="A300000" t="inlineStr"><is><t>x</t></is></c></row>"#,
    );
    let bad = s.out.join("too-many-rows.xlsx");
    pkg.save(&bad);
    let e = ops::import(&s.db, &bad, None, false).unwrap_err();
    let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
    assert!(problems.iter().any(|p| p.starts_with("取組一覧!A300000")), "{problems:?}");
    assert!(!problems.iter().any(|p| p.contains("事業年度データ")), "{problems:?}");
}

#[test]
fn issue14_a_date_in_a_text_column_of_the_summary_is_refused() {
    let s = Setup::new();
    let export = s.out.join("summary.xlsx");
    ops::export(&s.db, None, &export, None).unwrap();
    let rows = sheet_rows(&export, "取組一覧");
    let header = rows.iter().position(|r| r.iter().any(|c| c == "事業番号")).unwrap();
    let col = rows[header].iter().position(|c| c.starts_with("事業名")).unwrap();
    let r = rows.iter().position(|r| r[0] == "3").unwrap() + 1;
    let cell = format!("{}{r}", (b'A' + col as u8) as char);
    let mut pkg = Package::open(&export);
    pkg.set_date("取組一覧", &cell, "2026-01-02T00:00:00");
    let bad = s.out.join("date.xlsx");
    pkg.save(&bad);
    let before = std::fs::read(&s.db).unwrap();
    let e = ops::import(&s.db, &bad, None, false).unwrap_err();
    let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("取組一覧!{cell}")) && p.contains("日付")),
        "{problems:?}"
    );
    assert_eq!(std::fs::read(&s.db).unwrap(), before);
}

#[test]
fn issue14_templates_say_cumulative_once() {
    let s = Setup::new();
    let mut seen_cumulative = false;
    for f in std::fs::read_dir(&s.out).unwrap().flatten() {
        for row in sheet_rows(&f.path(), "記入") {
            for c in row {
                assert!(!c.contains("(累計)(累計)") && !c.contains("累計(累計)"), "{c}");
                seen_cumulative |= c.contains("累計");
            }
        }
    }
    assert!(seen_cumulative, "the plan has cumulative KPIs");
}
