//! The desktop app's operations on a real database file: the views it shows,
//! the yearly entry saved field by field, the department's filled return merged
//! by a coordinator, and the checks on paths handed over by the window.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops::{self, MergeOptions};
use shinchoku_core::returns::FileStatus;
use shinchoku_core::store::Store;
use shinchoku_core::views::{ChartSelection, EntryStatus, FieldEdit, Settings};
use shinchoku_core::{Plan, Project};

const R5: FiscalYear = FiscalYear(2023);
const SOUMU: &str = "総務部";

struct Setup {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("shinchoku.db");
    assert!(ops::ensure_demo(&db).unwrap());
    Setup { dir, db }
}

fn edit(s: &Setup, path: &str, text: &str) -> ops::Result<shinchoku_core::views::SavedField> {
    ops::save_field(
        &s.db,
        SOUMU,
        None,
        &FieldEdit {
            path: path.into(),
            text: text.into(),
        },
    )
}

/// A 総務部 project with a KPI that has a numeric R5 target, and that KPI's number.
fn project_with_numeric_target(plan: &Plan) -> (Project, u32) {
    for p in plan
        .projects()
        .filter(|p| p.owners.iter().any(|o| o.department.as_deref() == Some(SOUMU)))
    {
        for r in &p.kpis {
            let k = plan.kpi(r.no).unwrap();
            if k.targets.get(&R5).and_then(|t| t.number()).is_some() && k.baseline.is_some() {
                return (p.clone(), r.no);
            }
        }
    }
    panic!("no 総務部 KPI with a numeric R5 target");
}

#[test]
fn an_entered_actual_is_saved_with_its_rate_and_proposal_and_repeated_edits_are_one_revision() {
    let s = setup();
    let plan = ops::load(&s.db, None).unwrap();
    let (p, kpi) = project_with_numeric_target(&plan);
    let k = plan.kpi(kpi).unwrap();
    let target = k.targets[&R5].number().unwrap();
    let path = format!("kpi[{kpi}].actual[2023]");
    let revisions = ops::history(&s.db, None).unwrap().len();

    let low = edit(&s, &path, "0").unwrap();
    let form = low.forms.iter().find(|f| f.no == p.no).unwrap();
    let row = form.kpis.iter().find(|r| r.no == kpi).unwrap();
    assert_eq!(row.actual.as_deref(), Some("0"));
    assert!(row.rate.is_some());

    let met = edit(&s, &path, &format!("{target}")).unwrap();
    let row = met
        .forms
        .iter()
        .find(|f| f.no == p.no)
        .unwrap()
        .kpis
        .iter()
        .find(|r| r.no == kpi)
        .unwrap()
        .clone();
    assert_eq!(row.proposed.as_deref(), Some("○"));
    assert_eq!(row.rate.as_deref(), Some("100.0%"));

    // Two edits of one field: one revision, from the original value to the last.
    let h = ops::history(&s.db, None).unwrap();
    assert_eq!(h.len(), revisions + 1);
    let changes = Store::open(&s.db).unwrap().changes(h[0].id).unwrap();
    let actual = changes.iter().find(|c| c.0 == path).unwrap();
    assert_eq!(actual.1, plan.fields().get(&path).cloned());
    assert_eq!(actual.2.as_deref(), Some(format!("{target}").as_str()));

    // The narrative is another field: another revision; the overview counts it.
    let np = format!("project[{}].year[2023].narrative", p.no);
    edit(&s, &np, "窓口のオンライン化を進めた。").unwrap();
    assert_eq!(ops::history(&s.db, None).unwrap().len(), revisions + 2);
    let reopened = ops::load(&s.db, None).unwrap();
    assert_eq!(
        reopened.project(&p.no).unwrap().years[&R5].narrative.as_deref(),
        Some("窓口のオンライン化を進めた。")
    );
    assert_eq!(reopened.kpi(kpi).unwrap().actuals[&R5].value.text(), format!("{target}"));

    // Undo the actual's revision: back to the original value.
    ops::undo(&s.db, h[0].id).unwrap();
    assert_eq!(ops::load(&s.db, None).unwrap().fields().get(&path), plan.fields().get(&path));
}

#[test]
fn a_bad_value_is_refused_with_its_reason_and_changes_nothing() {
    let s = setup();
    let plan = ops::load(&s.db, None).unwrap();
    let (p, kpi) = project_with_numeric_target(&plan);
    let before = std::fs::read(&s.db).unwrap();
    let revisions = ops::history(&s.db, None).unwrap().len();
    let err = edit(&s, &format!("kpi[{kpi}].actual[2023]"), "たくさん").unwrap_err();
    assert!(matches!(err, ops::Error::Field { .. }));
    assert!(err.to_string().contains("数値または「-」を入力してください"), "{err}");
    let err = edit(&s, &format!("project[{}].year[2023].evaluation", p.no), "◎").unwrap_err();
    assert!(err.to_string().contains("○ △ × -"), "{err}");
    let err = edit(&s, &format!("project[{}].name", p.no), "x").unwrap_err();
    assert!(err.to_string().contains("年度入力では変更できません"), "{err}");
    // Another department's project is not 総務部's to change.
    let other = plan
        .projects()
        .find(|q| !q.owners.iter().any(|o| o.department.as_deref() == Some(SOUMU)) && !q.owners.is_empty())
        .unwrap();
    let err = edit(&s, &format!("project[{}].year[2023].narrative", other.no), "x").unwrap_err();
    assert!(err.to_string().contains("総務部 の事業ではありません"), "{err}");
    assert_eq!(ops::history(&s.db, None).unwrap().len(), revisions);
    assert_eq!(ops::load(&s.db, None).unwrap().fields(), plan.fields());
    assert_eq!(std::fs::read(&s.db).unwrap().len(), before.len());
}

#[test]
fn overview_and_entry_page_follow_the_entries() {
    let s = setup();
    let o = ops::app_overview(&s.db, None).unwrap();
    assert_eq!(o.year.long, "令和5年度");
    assert!(o.counts.marks.iter().take(2).map(|m| m.count).sum::<u32>() > 0);
    let page = ops::app_entry_page(&s.db, Some(SOUMU), None, Some(2023)).unwrap();
    assert!(!page.projects.is_empty());
    let p = &page.projects[0];
    edit(&s, &p.paths.confirmed, "true").unwrap();
    let page = ops::app_entry_page(&s.db, Some(SOUMU), None, Some(2023)).unwrap();
    assert_eq!(page.projects[0].status, EntryStatus::Confirmed);
    let o2 = ops::app_overview(&s.db, None).unwrap();
    assert_eq!(o2.counts.confirmed, o.counts.confirmed + 1);
    assert!(ops::app_entry_page(&s.db, Some("存在しない部"), None, None).is_err());
    assert!(ops::app_overview(&s.db, Some(1990)).is_err());
}

#[test]
fn the_saved_department_return_merges_into_the_coordinators_plan() {
    let s = setup();
    // The coordinator's copy of the plan, before the department enters anything.
    let coord = s.dir.path().join("coordinator").join("shinchoku.db");
    ops::ensure_demo(&coord).unwrap();

    let plan = ops::load(&s.db, None).unwrap();
    let (p, kpi) = project_with_numeric_target(&plan);
    edit(&s, &format!("kpi[{kpi}].actual[2023]"), "0").unwrap();
    edit(&s, &format!("project[{}].year[2023].narrative", p.no), "アプリで入力した取組状況").unwrap();
    let file = s.dir.path().join("令和5年度_総務部.xlsx");
    let w = ops::save_return(&s.db, SOUMU, Some(2023), &file).unwrap();
    assert_eq!(w.files, vec![file.display().to_string()]);

    // The department's own database holds no signing key: the return is unsigned, and
    // the coordinator decides each of its values (none is applied unseen).
    let r = ops::merge(&coord, None, std::slice::from_ref(&file), &MergeOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.files[0].status, FileStatus::Conflicts, "{:?}", r.files[0]);
    assert_eq!(r.files[0].signature, Some(shinchoku_core::returns::Signature::Unsigned));
    assert_eq!((r.applied, r.conflicts), (0, 2), "{:?}", r.files[0].conflicts);
    for id in &r.files[0].conflict_ids {
        ops::resolve(&coord, *id, &ops::Take::Return).unwrap();
    }
    let merged = ops::load(&coord, None).unwrap();
    assert_eq!(
        merged.project(&p.no).unwrap().years[&R5].narrative.as_deref(),
        Some("アプリで入力した取組状況")
    );
    assert_eq!(merged.kpi(kpi).unwrap().actuals[&R5].value.text(), "0");
}

#[test]
fn charts_settings_and_paths() {
    let s = setup();
    let charts = ops::chart_views(&s.db, &ChartSelection::Kpi(2), None).unwrap();
    assert_eq!(charts.len(), 1);
    assert!(charts[0].svg.contains(&charts[0].title), "the SVG carries its title");
    let dept = ops::chart_views(&s.db, &ChartSelection::Department(SOUMU.into()), None).unwrap();
    assert!(!dept.is_empty());

    let v = ops::save_settings(
        &s.db,
        &Settings {
            year_labels: "long".into(),
            font: None,
        },
    )
    .unwrap();
    assert_eq!(v.settings.year_labels, "long");
    assert!(ops::chart_views(&s.db, &ChartSelection::Kpi(2), None).unwrap()[0]
        .svg
        .contains("令和"));
    let bad = Settings {
        year_labels: "long".into(),
        font: Some("/nonexistent/font.ttf".into()),
    };
    assert!(ops::save_settings(&s.db, &bad).is_err());
    assert_eq!(ops::settings(&s.db).unwrap().font, None);

    // Paths from the window are checked before anything is written.
    let data = s.db.parent().unwrap();
    for (path, ext) in [
        (s.db.clone(), "db"),
        (data.join("shinchoku.xlsx"), "xlsx"),
        (PathBuf::from("relative.xlsx"), "xlsx"),
        (s.dir.path().join("x.txt"), "xlsx"),
        (s.dir.path().join("missing/x.xlsx"), "xlsx"),
    ] {
        assert!(ops::check_output(&s.db, &path, ext).is_err(), "{}", path.display());
    }
    assert!(ops::check_output(&s.db, &s.dir.path().join("out.xlsx"), "xlsx").is_ok());
    let png = s.dir.path().join("kpi2.png");
    ops::chart_png(&s.db, 2, &png).unwrap();
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn a_return_conflicting_with_an_entry_is_resolved_and_undone() {
    let s = setup();
    let returns = s.dir.path().join("returns");
    let files = ops::sample_returns(&s.db, None, &returns).unwrap();
    let soumu = files.iter().find(|f| f.to_string_lossy().contains(SOUMU)).unwrap().clone();
    let plan = ops::load(&s.db, None).unwrap();
    let (p, _) = project_with_numeric_target(&plan);
    let path = format!("project[{}].year[2023].narrative", p.no);
    edit(&s, &path, "アプリで入力").unwrap();
    let r = ops::merge(&s.db, None, &[soumu], &MergeOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.conflicts, 1, "{:?}", r.files[0].conflicts);
    let open = ops::conflict_views(&s.db, false).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].current.as_deref(), Some("アプリで入力"));
    ops::resolve(&s.db, open[0].id, &ops::Take::Return).unwrap();
    assert!(
        ops::conflict_views(&s.db, false).unwrap().is_empty(),
        "resolved conflicts are not open"
    );
    let now = ops::load(&s.db, None).unwrap().fields().get(&path).cloned();
    assert_eq!(now, open[0].return_value);
    let newest = ops::history(&s.db, None).unwrap()[0].id;
    ops::undo(&s.db, newest).unwrap();
    assert_eq!(
        ops::load(&s.db, None).unwrap().fields().get(&path).map(String::as_str),
        Some("アプリで入力")
    );
}
