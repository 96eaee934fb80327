//! Editing the whole plan from the app on a real database: a 工程表 span moved and a
//! milestone completed, a KPI quote inserted into a report text (previewed as it will
//! print), a budget line changed so the stated total no longer matches — each one
//! revision, undone from 履歴, and round-tripped through the summary workbook; a
//! department edits only its own projects, and a bad value or an unsound plan changes
//! nothing.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use shinchoku_core::ops::{self, Editor};
use shinchoku_core::views::FieldEdit;

const TOKUSHIMA: i64 = 2;
const OKAYAMA: i64 = 3;
const FUKUOKA: i64 = 4;

fn demo(plan: i64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shinchoku.db");
    assert!(ops::ensure_demo(&db).unwrap());
    ops::switch_plan(&db, plan).unwrap();
    (dir, db)
}

fn field(db: &Path, path: &str) -> Option<String> {
    ops::fields(db, None, Some(path)).unwrap().get(path).cloned()
}

fn edit(path: &str, text: &str) -> FieldEdit {
    FieldEdit {
        path: path.into(),
        text: text.into(),
    }
}

/// Export → import of the current plan changes nothing (what the app edited is in the workbook).
fn round_trips(dir: &Path, db: &Path) {
    let out = dir.join("roundtrip.xlsx");
    ops::export(db, None, &out, None).unwrap();
    let r = ops::import(db, &out, None, false).unwrap();
    assert_eq!(r.saved.fields_changed, 0, "export → import changes nothing");
}

#[test]
fn a_span_moved_and_a_milestone_completed_are_one_revision_each_undone_and_exported() {
    let (dir, db) = demo(OKAYAMA);
    let view = ops::schedule_view(&db).unwrap();
    let rows: Vec<_> = view.themes.iter().flat_map(|t| t.rows.clone()).collect();
    let span = rows.iter().find(|r| !r.milestone && r.end < 2025).unwrap().clone();
    let ms = rows.iter().find(|r| r.milestone).unwrap().clone();
    let before = field(&db, &span.path);

    // Extend the span by one year.
    let mut row: serde_json::Value = serde_json::from_str(&span.json).unwrap();
    row["end"] = (span.end + 1).into();
    let e = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&span.path, &row.to_string())], "工程表: 期間").unwrap();
    assert!(e.revision_id > 0);
    let after = ops::schedule_view(&db).unwrap();
    let moved = after.themes.iter().flat_map(|t| &t.rows).find(|r| r.index == span.index).unwrap();
    assert_eq!((moved.start, moved.end), (span.start, span.end + 1));

    // Complete a milestone.
    let mut m: serde_json::Value = serde_json::from_str(&ms.json).unwrap();
    m["progress"] = "done".into();
    ops::edit_fields(&db, &Editor::Coordinator, &[edit(&ms.path, &m.to_string())], "工程表: 進捗").unwrap();
    let done = ops::schedule_view(&db).unwrap();
    assert_eq!(
        done.themes
            .iter()
            .flat_map(|t| &t.rows)
            .find(|r| r.index == ms.index)
            .unwrap()
            .progress
            .as_deref(),
        Some("完了")
    );
    round_trips(dir.path(), &db);

    // A span that ends before it starts is refused, naming what is wrong; nothing changes.
    let bytes = std::fs::read(&db).unwrap();
    let mut bad = row.clone();
    bad["end"] = (span.start - 1).into();
    let err = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&span.path, &bad.to_string())], "x").unwrap_err();
    assert!(err.to_string().contains("期間が"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);

    // Undo the span's revision: back as it was.
    ops::undo(&db, e.revision_id).unwrap();
    assert_eq!(field(&db, &span.path), before);
}

#[test]
fn a_quote_inserted_into_a_report_text_previews_as_printed_and_reaches_the_docx() {
    let (dir, db) = demo(FUKUOKA);
    let items = ops::report_item_views(&db).unwrap();
    let it = items.iter().find(|i| i.progress.is_some()).unwrap();
    let text = format!("{}\n○ 電子申請の件数は{{kpi:1}}に増えた", it.progress.clone().unwrap());
    assert!(ops::report_preview(&db, "電子申請は{kpi:1}").unwrap().contains("877件→5,403件"));
    // A quote that cannot be written is said before anything is saved or written.
    let e = ops::report_preview(&db, "{kpi:99}").unwrap_err();
    assert!(e.to_string().contains("KPI 99 は計画にありません"), "{e}");

    let saved = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&it.progress_path, &text)], "報告書: 取組状況").unwrap();
    assert_eq!(field(&db, &it.progress_path).as_deref(), Some(text.as_str()));
    let docx = dir.path().join("report.docx");
    ops::app_report(&db, &docx).unwrap();
    let xml = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&docx)
        .arg("word/document.xml")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&xml.stdout).contains("電子申請の件数は877件→5,403件に増えた"));
    round_trips(dir.path(), &db);
    ops::undo(&db, saved.revision_id).unwrap();
    assert_eq!(field(&db, &it.progress_path), it.progress);
}

#[test]
fn a_budget_line_changed_so_the_total_mismatches_is_saved_and_flagged_on_the_card() {
    let (dir, db) = demo(TOKUSHIMA);
    let path = "project[5].year[2023].budget_lines";
    let lines: serde_json::Value = serde_json::from_str(&field(&db, path).unwrap()).unwrap();
    let mut changed = lines.clone();
    changed[0]["amount"] = 20000.into();
    let e = ops::edit_fields(&db, &Editor::Coordinator, &[edit(path, &changed.to_string())], "事業カード: 予算").unwrap();
    let plan = ops::load(&db, None).unwrap();
    let y = &plan.project("5").unwrap().years[&shinchoku_core::FiscalYear(2023)];
    let was: i64 = lines.as_array().unwrap().iter().map(|l| l["amount"].as_i64().unwrap()).sum();
    let m = y.budget_mismatch().unwrap();
    assert_eq!((m.stated, m.sum), (43624, was - 18525 + 20000));
    round_trips(dir.path(), &db);
    ops::undo(&db, e.revision_id).unwrap();
    assert_eq!(
        field(&db, path).map(|t| serde_json::from_str::<serde_json::Value>(&t).unwrap()),
        Some(lines)
    );
    // A list that is not one is refused by the core.
    assert!(ops::edit_fields(&db, &Editor::Coordinator, &[edit(path, "予算は多い")], "x").is_err());
}

#[test]
fn a_department_edits_only_its_own_projects_and_their_kpis() {
    let (_dir, db) = demo(1);
    let plan = ops::load(&db, None).unwrap();
    let soumu = Editor::Department("総務部".into());
    let mine = plan
        .projects()
        .find(|p| p.owners.iter().any(|o| o.department.as_deref() == Some("総務部")) && !p.kpis.is_empty())
        .unwrap();
    let theirs = plan
        .projects()
        .find(|p| !p.owners.iter().any(|o| o.department.as_deref() == Some("総務部")))
        .unwrap();
    ops::edit_fields(
        &db,
        &soumu,
        &[edit(&format!("project[{}].summary", mine.no), "総務部が書いた概要")],
        "x",
    )
    .unwrap();
    ops::edit_fields(
        &db,
        &soumu,
        &[edit(&format!("kpi[{}].footnotes", mine.kpis[0].no), "※総務部の注記")],
        "x",
    )
    .unwrap();
    let bytes = std::fs::read(&db).unwrap();
    for path in [
        format!("project[{}].summary", theirs.no),
        "schedule[0]".to_string(),
        "plan.title".to_string(),
    ] {
        let e = ops::edit_fields(&db, &soumu, &[edit(&path, "x")], "x").unwrap_err();
        assert!(e.to_string().contains("変更できません"), "{path}: {e}");
        assert!(shinchoku_core::text::is_japanese_message(&e.to_string()), "{e}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "refused edits change nothing");
    // The coordinator edits everything; saving the same value again writes nothing.
    let c = ops::edit_fields(
        &db,
        &Editor::Coordinator,
        &[edit(&format!("project[{}].summary", theirs.no), "取りまとめ担当の概要")],
        "x",
    )
    .unwrap();
    assert!(c.revision_id > 0);
    let bytes = std::fs::read(&db).unwrap();
    let again = ops::edit_fields(
        &db,
        &Editor::Coordinator,
        &[edit(&format!("project[{}].summary", theirs.no), "取りまとめ担当の概要")],
        "x",
    )
    .unwrap();
    assert_eq!(again.revision_id, 0);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    assert_eq!(ops::revision_views(&db).unwrap()[0].kind_label, "編集");
}

#[test]
fn the_card_shows_every_value_with_its_place_and_its_lists_are_edited_as_written_on_the_card() {
    let (dir, db) = demo(TOKUSHIMA);
    let card = ops::card_edit_view(&db, "5", None).unwrap();
    assert!(card.groups[0].heading.is_none() && card.groups[0].kpis[0].is_kgi, "the KGI first");
    assert!(card
        .groups
        .iter()
        .skip(1)
        .all(|g| g.heading.as_deref().is_some_and(|h| h.starts_with("CSF"))));
    let kgi = &card.groups[0].kpis[0];
    assert!(kgi.cells.iter().any(|c| c.target.is_some()));
    let this_year = &card.sections[0];
    assert!(this_year.heading.ends_with("における取組内容"));
    assert!(this_year.activities.starts_with('▶'), "{}", this_year.activities);
    assert!(
        this_year.budget_lines.contains("RPA環境拡充事業: 18,525"),
        "{}",
        this_year.budget_lines
    );

    // A budget line changed as written on the card: the total no longer matches, and the card says so.
    let lines = this_year.budget_lines.replace("18,525", "20,000");
    ops::edit_fields(&db, &Editor::Coordinator, &[edit(&this_year.budget_lines_path, &lines)], "予算").unwrap();
    let after = ops::card_edit_view(&db, "5", None).unwrap();
    assert!(after.sections[0].budget_lines.contains("RPA環境拡充事業: 20,000"));
    assert!(
        after.sections[0].mismatch.as_deref().is_some_and(|m| m.contains("43,624千円")),
        "{:?}",
        after.sections[0].mismatch
    );
    // An R5 actual changed on the card.
    let cell = after.groups[0].kpis[0].cells.iter().find(|c| c.year.fy == 2023).unwrap();
    ops::edit_fields(&db, &Editor::Coordinator, &[edit(&cell.actual_path, "87.5%")], "実績").unwrap();
    // Both reach the printed card.
    let pdf = dir.path().join("card.pdf");
    ops::app_card(&db, &pdf, "5", None).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("20,000"), "{text}");
    assert!(text.contains("87.5%"), "{text}");
    round_trips(dir.path(), &db);

    // A line that is not one is refused by the card's own reader, in Japanese, and nothing changes.
    let bytes = std::fs::read(&db).unwrap();
    let e = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&this_year.budget_lines_path, "RPA: 多い")], "x").unwrap_err();
    assert!(e.to_string().contains("千円単位の整数ではありません"), "{e}");
    let e = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&card.actions_path, "アクションだけ")], "x").unwrap_err();
    assert!(shinchoku_core::text::is_japanese_message(&e.to_string()), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn a_kpi_added_to_a_csf_removed_and_reordered_is_one_revision_each_and_round_trips() {
    let (dir, db) = demo(TOKUSHIMA);
    let card = ops::card_edit_view(&db, "5", None).unwrap();
    let csf = card.groups[1].kpis[0].group.clone().unwrap();
    let no = card.next_kpi;
    let refs = format!("{},{no}", card.kpi_refs);
    let added = ops::edit_fields(
        &db,
        &Editor::Coordinator,
        &[
            edit(&format!("kpi[{no}].name"), "オンライン相談の件数"),
            edit(&format!("kpi[{no}].label"), "KPI-99"),
            edit(&format!("kpi[{no}].group"), &csf),
            edit(&card.kpi_refs_path, &refs),
        ],
        "事業カード: KPI を追加",
    )
    .unwrap();
    let after = ops::card_edit_view(&db, "5", None).unwrap();
    let group = after.groups.iter().find(|g| g.kpis.iter().any(|k| k.no == no)).unwrap();
    assert_eq!(group.kpis[0].group.as_deref(), Some(csf.as_str()), "under the CSF");
    assert_eq!(group.kpis.last().unwrap().heading, "KPI-99 : オンライン相談の件数");
    round_trips(dir.path(), &db);

    // Reordered: the new KPI first in its CSF.
    let mut list: Vec<String> = refs.split(',').map(str::to_string).collect();
    let first = list.iter().position(|r| *r == group.kpis[0].no.to_string()).unwrap();
    let last = list.len() - 1;
    list.swap(first, last);
    ops::edit_fields(&db, &Editor::Coordinator, &[edit(&card.kpi_refs_path, &list.join(","))], "並び順").unwrap();
    let reordered = ops::card_edit_view(&db, "5", None).unwrap();
    let g = reordered.groups.iter().find(|g| g.kpis.iter().any(|k| k.no == no)).unwrap();
    assert_eq!(g.kpis[0].no, no);

    // Removed (with the KPI, which no other project lists), then the removal undone.
    let removed = ops::edit_fields(
        &db,
        &Editor::Coordinator,
        &[edit(&card.kpi_refs_path, &card.kpi_refs), edit(&format!("kpi[{no}].name"), "")],
        "外す",
    )
    .unwrap();
    assert!(ops::load(&db, None).unwrap().kpi(no).is_none());
    ops::undo(&db, removed.revision_id).unwrap();
    assert!(ops::load(&db, None).unwrap().kpi(no).is_some());
    // Undoing the addition is refused while later revisions touched the same fields; the history says why.
    assert!(ops::undo(&db, added.revision_id).is_err());
    // A KPI list naming a KPI that does not exist is refused.
    let e = ops::edit_fields(&db, &Editor::Coordinator, &[edit(&card.kpi_refs_path, "1,999")], "x").unwrap_err();
    assert!(e.to_string().contains("999"), "{e}");
}
