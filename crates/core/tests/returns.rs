//! Department returns end to end, with real files and a real database: entry
//! workbooks made by `templates`, filled by a different writer (the sheet XML
//! edited as a person's typing would leave it), merged, and the plan checked.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]
// `cell.to_string() == "8"` compares a cell's text; calamine's `Data == &str` is true
// only for a string cell, so the lint's rewrite would change what the tests check.
#![allow(clippy::cmp_owned)]

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::Reader;
use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops::{self, MergeOptions, MergeReport, Take};
use shinchoku_core::returns::{FileStatus, Signature};
use shinchoku_core::store::{RevisionInfo, Store};
use shinchoku_core::{synth, Plan};
use support::{cell_of, copy_entry_sheet_to_new_workbook, read_cell, Package};

const R5: FiscalYear = FiscalYear(2023);
const SOUMU: &str = "令和5年度_総務部.xlsx";
const KIKAKU: &str = "令和5年度_企画調整部.xlsx";

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    fn plan(&self) -> Plan {
        ops::load(&self.db, None).unwrap()
    }

    fn merge(&self, files: &[PathBuf]) -> MergeReport {
        ops::merge(&self.db, None, files, &MergeOptions::default(), &mut |_| {}).unwrap()
    }

    fn revisions(&self) -> usize {
        ops::history(&self.db, None).unwrap().len()
    }

    /// Fills a department's return: `(field path, typed text)`.
    fn fill(&self, template: &str, name: &str, edits: &[(&str, &str)]) -> PathBuf {
        let from = self.path(template);
        let mut pkg = Package::open(&from);
        for (path, text) in edits {
            let cell = cell_of(&from, path);
            if text.is_empty() {
                pkg.clear("記入", &cell);
            } else {
                pkg.set_text("記入", &cell, text);
            }
        }
        let to = self.path(name);
        pkg.save(&to);
        to
    }
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("plan.db");
    ops::init(&db, true).unwrap();
    let out = dir.path().join("returns");
    let r = ops::templates(&db, None, &out, None, &[], false, None).unwrap();
    assert_eq!(r.files.len(), 6);
    Setup { _dir: dir, db, out }
}

fn narrative(p: &Plan, no: &str) -> Option<String> {
    p.project(no).unwrap().years.get(&R5).and_then(|y| y.narrative.clone())
}

fn zip_text(path: &Path, part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn templates_hold_each_departments_projects_protected_with_the_merge_base() {
    let s = setup();
    let plan = s.plan();
    let file = s.path(SOUMU);
    let mut wb = calamine::open_workbook_auto(&file).unwrap();
    assert_eq!(wb.sheet_names(), vec!["記入", "記入要領", "shinchoku_meta", "shinchoku_plan"]);
    let entry = wb.worksheet_range("記入").unwrap();
    // Every project 総務部 owns or co-owns, once each (re-listings are not repeated).
    let mut numbers: Vec<String> = entry.rows().skip(4).map(|r| r[0].to_string()).filter(|s| !s.is_empty()).collect();
    numbers.dedup();
    let owned: Vec<String> = plan
        .projects()
        .filter(|p| p.owners.iter().any(|o| o.department.as_deref() == Some("総務部")))
        .map(|p| p.no.clone())
        .collect();
    assert_eq!(numbers, owned);
    assert!(numbers.contains(&"8".to_string()), "the co-owned project 8 is in 総務部's file");
    let kikaku = calamine::open_workbook_auto(s.path(KIKAKU))
        .map(|mut w: calamine::Sheets<_>| w.worksheet_range("記入").unwrap())
        .unwrap();
    assert!(kikaku.rows().any(|r| r[0].to_string() == "8"), "and in 企画調整部's");
    // Read-only context: KPI 2 of project 8 with this year's target and last year's actual.
    let row8 = entry.rows().position(|r| r[0].to_string() == "8").unwrap() as u32;
    assert_eq!(read_cell(&file, "記入", row8, 6), "2");
    assert_eq!(read_cell(&file, "記入", 3, 10), "目標値\n(令和5年度)");
    assert_eq!(read_cell(&file, "記入", 3, 12), "実績値\n(令和5年度)");
    // The entered actual is a number cell (0.431) shown in the KPI's format, not text.
    assert_eq!(read_cell(&file, "記入", row8, 12), "0.431");
    let shown = shinchoku_core::xlsx::import::sheet_texts(&file, "記入").unwrap();
    assert_eq!(shown[row8 as usize][12].as_deref(), Some("43.1%"));

    let workbook = zip_text(&file, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="shinchoku_meta" sheetId="3" state="hidden""#),
        "{workbook}"
    );
    assert!(workbook.contains("記入!$1:$4"), "header rows repeat on every page");
    let sheet = zip_text(&file, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "the entry sheet is protected");
    assert!(!sheet.contains("password"), "without a password");
    assert!(sheet.contains(r#"paperSize="8""#) && sheet.contains(r#"orientation="landscape""#));
    assert!(sheet.contains(r#"<formula1>"○,△,×,-"</formula1>"#), "評価 has the drop-down");
    let styles = zip_text(&file, "xl/styles.xml");
    assert!(styles.contains(r#"<protection locked="0"/>"#), "editable cells are unlocked");
    assert!(styles.contains("FFFFF2CC"), "and filled");
    // The guide explains in Japanese.
    let guide = read_cell(&file, "記入要領", 3, 0);
    assert!(guide.contains("黄色のセル"), "{guide}");
    // The metadata: plan, department, year, revision, and the base of each editable cell.
    let meta = wb.worksheet_range("shinchoku_meta").unwrap();
    let head: Vec<(String, String)> = meta.rows().take(8).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    assert_eq!(head[0], ("shinchoku-return".into(), "1".into()));
    assert!(head.contains(&("department".into(), "総務部".into())));
    assert!(head.contains(&("fiscal_year".into(), "2023".into())));
    assert!(head.contains(&("plan_title".into(), plan.title.clone())));
    assert!(meta
        .rows()
        .any(|r| r[2].to_string() == "project[8].year[2023].narrative" && Some(r[3].to_string()) == narrative(&plan, "8")));
}

#[test]
fn filled_returns_are_merged_and_the_export_shows_them() {
    let s = setup();
    let before = s.plan();
    let rev_before = s.revisions();
    let filled = s.fill(
        SOUMU,
        "soumu.xlsx",
        &[
            ("project[1].year[2023].narrative", "研修に820名を派遣した。"),
            ("project[1].year[2023].evaluation", "○"),
            ("kpi[2].actual[2023]", "45.0%"),
        ],
    );
    let mut seen = Vec::new();
    let r = ops::merge(&s.db, None, std::slice::from_ref(&filled), &MergeOptions::default(), &mut |p| {
        seen.push((p.done, p.total))
    })
    .unwrap();
    assert_eq!(seen, vec![(1, 1)], "progress per file");
    assert_eq!(r.applied, 3, "{r:#?}");
    assert_eq!(r.conflicts, 0);
    assert_eq!(r.files[0].status, FileStatus::Applied);
    assert!(r.backup.as_ref().unwrap().exists(), "backed up before the merge");
    let after = s.plan();
    assert_eq!(narrative(&after, "1").as_deref(), Some("研修に820名を派遣した。"));
    assert_eq!(after.project("1").unwrap().years[&R5].evaluation.as_ref().unwrap().mark(), "○");
    assert_eq!(after.kpi(2).unwrap().actuals[&R5].value.text(), "45.0%");
    assert_eq!(s.revisions(), rev_before + 1, "one revision for the run");
    let h = &ops::history(&s.db, None).unwrap()[0];
    assert_eq!((h.kind.as_str(), h.fields_changed), ("merge", 3));
    assert_eq!(h.department.as_deref(), Some("総務部"));
    assert_eq!(h.source_sha256.as_deref(), Some(ops::sha256_file(&filled).unwrap().as_str()));
    // Nothing else moved.
    let changed: Vec<String> = shinchoku_core::model::diff_fields(&before.fields(), &after.fields())
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        changed,
        vec![
            "kpi[2].actual[2023]",
            "project[1].year[2023].evaluation",
            "project[1].year[2023].narrative"
        ]
    );

    // The same return again is skipped: nothing read, nothing recorded, no backup taken.
    let db_bytes = std::fs::read(&s.db).unwrap();
    let backups = ops::backups(&s.db).unwrap().len();
    let again = s.merge(std::slice::from_ref(&filled));
    assert_eq!((again.applied, again.conflicts), (0, 0));
    assert_eq!(again.files[0].status, FileStatus::Skipped);
    assert!(
        again.files[0].warnings[0].message.contains("取りまとめ済み"),
        "{:?}",
        again.files[0].warnings
    );
    assert_eq!(s.revisions(), rev_before + 1);
    assert_eq!(std::fs::read(&s.db).unwrap(), db_bytes, "the database is byte-identical");
    assert_eq!(
        ops::backups(&s.db).unwrap().len(),
        backups,
        "no backup for a merge that writes nothing"
    );

    // The summary workbook shows the merged values in the 取組一覧 layout.
    let export = s.path("summary.xlsx");
    ops::export(&s.db, None, &export, None).unwrap();
    let mut wb = calamine::open_workbook_auto(&export).unwrap();
    let sheet = wb.worksheet_range("取組一覧").unwrap();
    let row1 = sheet.rows().position(|r| r[0].to_string() == "1").unwrap();
    let texts: Vec<String> = sheet.rows().nth(row1).unwrap().iter().map(|d| d.to_string()).collect();
    assert!(texts.contains(&"研修に820名を派遣した。".to_string()), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with('○')), "{texts:?}");
}

#[test]
fn co_owned_project_changed_differently_by_two_departments_is_a_conflict() {
    let s = setup();
    let original = narrative(&s.plan(), "8");
    let a = s.fill(SOUMU, "a.xlsx", &[("project[8].year[2023].narrative", "総務部の記述")]);
    let b = s.fill(KIKAKU, "b.xlsx", &[("project[8].year[2023].narrative", "企画調整部の記述")]);
    let r = s.merge(&[a.clone(), b.clone()]);
    assert_eq!(r.applied, 1);
    assert_eq!(r.conflicts, 1);
    assert_eq!(r.files[1].status, FileStatus::Conflicts);
    let c = &r.files[1].conflicts[0];
    assert_eq!(c.path, "project[8].year[2023].narrative");
    assert_eq!(c.base, original);
    assert_eq!(c.plan_value.as_deref(), Some("総務部の記述"));
    assert_eq!(c.return_value.as_deref(), Some("企画調整部の記述"));
    assert_eq!(c.department.as_deref(), Some("企画調整部"));
    assert_eq!(c.project.as_deref(), Some("8"));
    assert_eq!(c.field, "取組状況");
    assert!(c.cell.as_deref().unwrap().starts_with("記入!O"), "{:?}", c.cell);
    assert_eq!(
        narrative(&s.plan(), "8").as_deref(),
        Some("総務部の記述"),
        "a conflict is not applied"
    );

    // Listed, not raised again by the same return (skipped), nor by a copy of it saved again.
    let open = ops::conflicts(&s.db, None, false).unwrap();
    assert_eq!(open.len(), 1);
    let again = s.merge(std::slice::from_ref(&b));
    assert_eq!((again.applied, again.conflicts), (0, 0));
    assert_eq!(again.files[0].status, FileStatus::Skipped);
    let b2 = s.path("b2.xlsx");
    let mut pkg = Package::open(&b);
    pkg.set_text("記入", "A3", "再送します");
    pkg.save(&b2);
    let again = s.merge(std::slice::from_ref(&b2));
    assert_eq!((again.applied, again.conflicts, again.files[0].known_conflicts), (0, 0, 1));

    // Resolved by taking the return: a revision; undoing it reopens the conflict.
    let res = ops::resolve(&s.db, open[0].id, &Take::Return).unwrap();
    assert_eq!(res.fields_changed, 1);
    assert_eq!(narrative(&s.plan(), "8").as_deref(), Some("企画調整部の記述"));
    assert!(ops::conflicts(&s.db, None, false).unwrap().is_empty());
    assert!(ops::resolve(&s.db, open[0].id, &Take::Plan)
        .unwrap_err()
        .to_string()
        .contains("解決済み"));
    ops::undo(&s.db, res.revision_id).unwrap();
    assert_eq!(narrative(&s.plan(), "8").as_deref(), Some("総務部の記述"));
    assert_eq!(ops::conflicts(&s.db, None, false).unwrap().len(), 1);

    // A typed value is checked like a cell of the return.
    let err = ops::resolve(&s.db, open[0].id, &Take::Value(String::new())).unwrap();
    assert_eq!(err.value, None);
    assert_eq!(narrative(&s.plan(), "8"), None);
}

#[test]
fn resolve_checks_a_typed_value_for_its_field() {
    let s = setup();
    let a = s.fill(SOUMU, "a.xlsx", &[("project[8].year[2023].evaluation", "○")]);
    let b = s.fill(KIKAKU, "b.xlsx", &[("project[8].year[2023].evaluation", "×")]);
    let r = s.merge(&[a, b]);
    let id = r.files[1].conflict_ids[0];
    let err = ops::resolve(&s.db, id, &Take::Value("よい".into())).unwrap_err();
    assert!(err.to_string().contains("○ △ × -"), "{err}");
    let ok = ops::resolve(&s.db, id, &Take::Value("△".into())).unwrap();
    assert_eq!(ok.value.as_deref(), Some("△"));
    assert_eq!(s.plan().project("8").unwrap().years[&R5].evaluation.as_ref().unwrap().mark(), "△");
}

#[test]
fn dry_run_reports_the_same_and_writes_nothing() {
    let s = setup();
    let a = s.fill(SOUMU, "a.xlsx", &[("project[1].year[2023].narrative", "試行")]);
    let before = s.plan();
    let revs = s.revisions();
    let report = s.path("dry.xlsx");
    let opts = MergeOptions {
        dry_run: true,
        report: Some(report.clone()),
        ..Default::default()
    };
    let dry = ops::merge(&s.db, None, std::slice::from_ref(&a), &opts, &mut |_| {}).unwrap();
    assert_eq!(dry.applied, 1);
    assert!(dry.revision_id.is_none() && dry.backup.is_none());
    assert_eq!(s.plan(), before);
    assert_eq!(s.revisions(), revs);
    assert!(ops::backups(&s.db).unwrap().is_empty());
    assert!(read_cell(&report, "概要", 0, 0).contains("試行"));
    let real = s.merge(&[a]);
    assert_eq!(real.applied, dry.applied);
    assert_eq!(real.files[0].applied, dry.files[0].applied);
}

#[test]
fn bad_returns_are_rejected_whole_and_good_ones_still_apply() {
    let s = setup();
    let plan = s.plan();
    // A value that does not parse.
    let bad_value = s.fill(
        SOUMU,
        "bad-value.xlsx",
        &[
            ("project[1].year[2023].narrative", "反映されないはず"),
            ("kpi[2].actual[2023]", "たくさん"),
        ],
    );
    // Another year's return.
    let r4 = s.out.join("r4");
    ops::templates(&s.db, None, &r4, Some(FiscalYear(2022)), &["総務部".into()], false, None).unwrap();
    let other_year = r4.join("令和4年度_総務部.xlsx");
    // Another plan's return.
    let mut store = Store::open(&s.db).unwrap();
    let current = store.current_plan_id().unwrap().unwrap();
    let synthetic = synth::synthetic_plan(20);
    let dept = shinchoku_core::returns::departments(&synthetic)[0].clone();
    let other = store
        .save_plan(
            &synthetic,
            &RevisionInfo {
                kind: "import".into(),
                summary: "t".into(),
                ..Default::default()
            },
        )
        .unwrap();
    store.set_current_plan(current).unwrap();
    drop(store);
    let other_dir = s.out.join("other");
    let made = ops::templates(&s.db, Some(&other.plan_id.to_string()), &other_dir, None, &[dept], false, None).unwrap();
    let other_plan = made.files[0].path.clone();
    // Not a return at all, and a damaged file.
    let summary = s.path("summary.xlsx");
    ops::export(&s.db, None, &summary, None).unwrap();
    let damaged = s.path("damaged.xlsx");
    let bytes = std::fs::read(s.path(KIKAKU)).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    let good = s.fill(KIKAKU, "good.xlsx", &[("project[10].year[2023].narrative", "反映される")]);

    let files = vec![bad_value.clone(), other_year, other_plan, summary, damaged, good];
    let r = s.merge(&files);
    let errors: Vec<String> = r
        .files
        .iter()
        .map(|o| o.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" | "))
        .collect();
    let actual_cell = cell_of(&bad_value, "kpi[2].actual[2023]");
    assert!(
        errors[0].contains(&format!("記入!{actual_cell}")) && errors[0].contains("数値または「-」"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("令和4年度のもの"), "{}", errors[1]);
    assert!(errors[2].contains("別の計画"), "{}", errors[2]);
    assert!(errors[3].contains("記入用ファイルではありません"), "{}", errors[3]);
    assert!(!errors[4].is_empty(), "the damaged file is reported");
    assert!(errors[5].is_empty());
    assert_eq!(r.rejected, 5);
    assert_eq!(r.applied, 1);
    let after = s.plan();
    assert_eq!(narrative(&after, "1"), narrative(&plan, "1"), "nothing of a rejected file applies");
    assert_eq!(narrative(&after, "10").as_deref(), Some("反映される"));

    // The merge report lists the rejections for the departments.
    let report = s.path("report.xlsx");
    let opts = MergeOptions {
        report: Some(report.clone()),
        dry_run: true,
        ..Default::default()
    };
    ops::merge(&s.db, None, &files, &opts, &mut |_| {}).unwrap();
    let mut wb = calamine::open_workbook_auto(&report).unwrap();
    assert_eq!(wb.sheet_names(), vec!["概要", "反映", "競合", "却下・警告"]);
    let problems = wb.worksheet_range("却下・警告").unwrap();
    let rows: Vec<String> = problems
        .rows()
        .map(|r| r.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\t"))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("bad-value.xlsx") && r.contains(&format!("記入!{actual_cell}"))),
        "{rows:#?}"
    );
    let overview = wb.worksheet_range("概要").unwrap();
    assert!(overview
        .rows()
        .any(|r| r[0].to_string() == "good.xlsx" && r[2].to_string() == "取りまとめ済み"));
}

#[test]
fn edits_to_read_only_cells_are_warnings_and_ignored() {
    let s = setup();
    let from = s.path(SOUMU);
    let name_cell = cell_of(&from, "project[1].year[2023].narrative").replace('O', "H");
    let mut pkg = Package::open(&from);
    pkg.set_text("記入", &name_cell, "勝手に変えたKPI名");
    pkg.set_text("記入", &cell_of(&from, "project[1].year[2023].narrative"), "本文");
    let file = s.path("ro.xlsx");
    pkg.save(&file);
    let r = s.merge(&[file]);
    assert_eq!(r.applied, 1);
    let w: Vec<String> = r.files[0].warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.starts_with(&format!("記入!{name_cell}")) && w.contains("読み取り専用")),
        "{w:?}"
    );
}

#[test]
fn a_return_without_its_metadata_sheet_matches_rows_by_number() {
    let s = setup();
    // A value that differs from the plan's non-empty value; every other cell equals the plan.
    let filled = s.fill(
        SOUMU,
        "filled.xlsx",
        &[("project[1].year[2023].narrative", "コピーされたファイルの記述")],
    );
    let copied = s.path("copied.xlsx");
    copy_entry_sheet_to_new_workbook(&filled, &copied);
    let mut wb = calamine::open_workbook_auto(&copied).unwrap();
    assert_eq!(wb.sheet_names(), vec!["記入"]);
    drop(wb.worksheet_range("記入"));
    let r = s.merge(&[copied]);
    let o = &r.files[0];
    assert_eq!(o.status, FileStatus::Conflicts, "{o:#?}");
    assert_eq!(o.conflicts.len(), 1);
    assert_eq!(o.conflicts[0].path, "project[1].year[2023].narrative");
    assert_eq!(o.conflicts[0].base, None);
    assert!(o.warnings[0].message.contains("shinchoku_meta"));
    assert!(o.unchanged > 10, "fields equal to the plan are unchanged");
}

#[test]
fn a_return_without_metadata_never_applies_a_value_unseen() {
    let s = setup();
    // Empty a narrative in the plan first (a coordinator's edit); a copied return gives it.
    let mut store = Store::open(&s.db).unwrap();
    let id = store.current_plan_id().unwrap().unwrap();
    let mut p = store.load_plan(id).unwrap();
    p.apply_changes(&[("project[2].year[2023].narrative".into(), None)]).unwrap();
    store
        .save_version(
            Some(id),
            &p,
            &RevisionInfo {
                kind: "edit".into(),
                summary: "t".into(),
                ..Default::default()
            },
            |_, _| Ok(()),
        )
        .unwrap();
    drop(store);
    let filled = s.fill(SOUMU, "filled.xlsx", &[("project[2].year[2023].narrative", "空欄だった取組状況")]);
    let copied = s.path("copied.xlsx");
    copy_entry_sheet_to_new_workbook(&filled, &copied);
    let r = s.merge(&[copied]);
    // Nothing says where the file came from: even an empty field is a conflict for the coordinator.
    assert_eq!((r.applied, r.conflicts), (0, 1), "{:#?}", r.files[0]);
    assert_eq!(r.files[0].signature, Some(Signature::NoMeta));
    assert_eq!(narrative(&s.plan(), "2"), None);
    let c = r.files[0].conflict_ids[0];
    ops::resolve(&s.db, c, &Take::Return).unwrap();
    assert_eq!(narrative(&s.plan(), "2").as_deref(), Some("空欄だった取組状況"));
}

#[test]
fn a_merge_is_undone_and_a_later_change_to_the_same_field_blocks_the_undo() {
    let s = setup();
    let plan = s.plan();
    let a = s.fill(
        SOUMU,
        "a.xlsx",
        &[
            ("project[1].year[2023].narrative", "一回目"),
            ("project[8].year[2023].evaluation", "○"),
        ],
    );
    let first = s.merge(&[a]).revision_id.unwrap();
    // The co-owner made its file before a was merged: its base is the original, the plan now ○.
    let b = s.fill(KIKAKU, "b.xlsx", &[("project[8].year[2023].evaluation", "×")]);
    let second = s.merge(&[b]);
    assert_eq!((second.applied, second.conflicts), (0, 1));
    let c = s.fill(SOUMU, "c.xlsx", &[("project[3].year[2023].narrative", "別の事業")]);
    let third = s.merge(&[c]).revision_id.unwrap();
    // The third merge touched other fields: the first can be undone.
    let u = ops::undo(&s.db, first).unwrap();
    assert_eq!(u.fields_changed, 2, "narrative and evaluation");
    let p = s.plan();
    assert_eq!(narrative(&p, "1"), narrative(&plan, "1"));
    assert_eq!(
        p.project("8").unwrap().years[&R5].evaluation,
        plan.project("8").unwrap().years[&R5].evaluation
    );
    assert_eq!(narrative(&p, "3").as_deref(), Some("別の事業"));
    // The conflict the second merge found was about the undone value… it stays listed.
    assert_eq!(ops::conflicts(&s.db, None, false).unwrap().len(), 1);
    // The department corrects project 3 (its file made from the same template): the
    // correction supersedes, and undoing the third merge is then refused.
    let d = s.fill(SOUMU, "d.xlsx", &[("project[3].year[2023].narrative", "さらに別")]);
    let r = s.merge(&[d]);
    assert_eq!((r.applied, r.conflicts), (1, 0), "d supersedes c: {:#?}", r.files[0]);
    let err = ops::undo(&s.db, third).unwrap_err().to_string();
    assert!(
        err.contains(&format!("#{}", r.revision_id.unwrap())) && err.contains("project[3].year[2023].narrative"),
        "{err}"
    );
}

#[test]
fn backups_are_taken_before_merges_and_restore_brings_the_plan_back() {
    let s = setup();
    let plan = s.plan();
    let a = s.fill(SOUMU, "a.xlsx", &[("project[1].year[2023].narrative", "復元で消える")]);
    let r = s.merge(&[a]);
    let backup = r.backup.unwrap();
    assert_eq!(backup.parent().unwrap(), s.db.parent().unwrap().join("backups"));
    assert_eq!(ops::backups(&s.db).unwrap()[0].path, backup);
    let restored = ops::restore(&s.db, Path::new(backup.file_name().unwrap())).unwrap();
    assert_eq!(s.plan(), plan);
    assert!(restored.saved.exists(), "the state before the restore is kept");
    assert_eq!(ops::backups(&s.db).unwrap().len(), 2);
    // A damaged backup is refused and the plan stays.
    let junk = s.path("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    assert!(ops::restore(&s.db, &junk).is_err());
    assert_eq!(s.plan(), plan);
}

#[test]
fn numbers_typed_into_number_cells_are_read_as_typed() {
    let s = setup();
    let from = s.path(KIKAKU);
    let mut pkg = Package::open(&from);
    pkg.set_number("記入", &cell_of(&from, "kpi[5].actual[2023]"), 7000.0);
    pkg.set_number("記入", &cell_of(&from, "project[17].year[2023].narrative"), 12.0);
    let file = s.path("numbers.xlsx");
    pkg.save(&file);
    let r = s.merge(&[file]);
    assert_eq!(r.applied, 2, "{:#?}", r.files[0]);
    let p = s.plan();
    assert_eq!(p.kpi(5).unwrap().actuals[&R5].value.text(), "7000");
    assert_eq!(narrative(&p, "17").as_deref(), Some("12"));
}

/// Every department's filled return at once (as the app saves them): each 部's
/// narratives are applied; the co-owned projects conflict between the two 部.
#[test]
fn all_departments_filled_returns_merge_with_conflicts_only_on_co_owned_projects() {
    let s = setup();
    let dir = s.out.join("filled");
    let files = ops::sample_returns(&s.db, None, &dir).unwrap();
    assert_eq!(files.len(), 6);
    let r = s.merge(&files);
    assert_eq!(r.rejected, 0);
    let conflicted: Vec<String> = r
        .files
        .iter()
        .flat_map(|o| o.conflicts.iter().map(|c| c.project.clone().unwrap_or_default()))
        .collect();
    assert_eq!(conflicted, vec!["8", "26", "44"], "the co-owned projects");
    let p = s.plan();
    let owned_once = p
        .projects()
        .filter(|x| x.owners.len() == 1 && x.owners[0].department.is_some())
        .count();
    let amended = p
        .projects()
        .filter(|x| {
            x.years
                .get(&R5)
                .and_then(|y| y.narrative.as_deref())
                .is_some_and(|n| n.ends_with("更新)"))
        })
        .count();
    assert_eq!(
        amended,
        owned_once + 3,
        "every project changed once, the co-owned by the first 部 merged"
    );
}

/// A merge writes only the rows of the fields it set: the database then differs from
/// before in exactly the fields the returns applied (with the 時点 of new actuals), each
/// with the value applied, and the revision records exactly those.
#[test]
fn a_merge_changes_exactly_the_fields_it_applied() {
    let s = setup();
    let before = s.plan().fields();
    let files = ops::sample_returns(&s.db, None, &s.out.join("filled")).unwrap();
    let r = s.merge(&files);
    let after = s.plan().fields();
    let changed: std::collections::BTreeSet<String> = shinchoku_core::model::diff_fields(&before, &after)
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    let applied: Vec<_> = r.files.iter().flat_map(|o| o.applied.iter()).collect();
    assert!(applied.len() > 40, "{}", applied.len());
    for c in &applied {
        assert!(changed.contains(&c.path), "{} applied but not stored", c.path);
        assert_eq!(after.get(&c.path), c.after.as_ref(), "{}", c.path);
    }
    for path in &changed {
        let own = applied
            .iter()
            .any(|c| &c.path == path || path.strip_suffix(".as_of") == Some(c.path.as_str()));
        assert!(own, "{path} changed without being applied");
    }
    let store = shinchoku_core::store::Store::open(&s.db).unwrap();
    let recorded: std::collections::BTreeSet<String> = store
        .changes(r.revision_id.unwrap())
        .unwrap()
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    assert_eq!(recorded, changed);
}
