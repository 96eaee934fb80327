//! The app as a prefecture's staff use it, on a real database file and a real home
//! folder: outputs offered in the documents folder and then where they were last
//! written, the 部・課 remembered, printing through a PDF with its heading, 和暦 date
//! and page numbers, the plans switched and a demo plan removed, what a revision
//! changed described for people, and words where a number would confuse.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use shinchoku_core::ops;
use shinchoku_core::views::{ChartSelection, FieldEdit};

const SOUMU: &str = "総務部";

/// One home folder for this test binary (the tests run in threads of one process, and
/// the documents folder is found from `HOME`): fresh, with no `Documents` in it yet.
fn home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        // Set once, before any test reads it: every test calls home() first.
        std::env::set_var("HOME", &dir);
        std::env::remove_var("XDG_CONFIG_HOME");
        dir
    })
}

fn demo_db() -> (tempfile::TempDir, PathBuf) {
    home();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("shinchoku.db");
    assert!(ops::ensure_demo(&db).unwrap());
    (dir, db)
}

fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn outputs_are_offered_in_the_documents_folder_then_where_they_were_last_written() {
    let (dir, db) = demo_db();
    let docs = home().join("Documents");
    assert!(!docs.exists() || docs.is_dir());
    // A fresh home: the documents folder is made and offered for every kind.
    for kind in ops::OUTPUT_KINDS {
        assert_eq!(ops::default_folder(&db, kind).unwrap(), docs, "{kind}");
    }
    assert!(docs.is_dir(), "the documents folder is created");
    assert!(ops::default_folder(&db, "nonsense").is_err());

    // The templates go into a new folder inside it (created), and the next offer is there.
    let templates = docs.join("記入用_R5");
    let w = ops::app_templates(&db, &templates, None).unwrap();
    assert!(w.files.len() > 3 && templates.is_dir());
    assert_eq!(ops::default_folder(&db, "templates").unwrap(), docs);
    let elsewhere = dir.path().join("会議資料");
    std::fs::create_dir_all(&elsewhere).unwrap();
    ops::app_export(&db, &elsewhere.join("取組一覧.xlsx"), None, None).unwrap();
    assert_eq!(ops::default_folder(&db, "summary").unwrap(), elsewhere);
    // A remembered folder that was removed is not offered.
    std::fs::remove_dir_all(&elsewhere).unwrap();
    assert_eq!(ops::default_folder(&db, "summary").unwrap(), docs);
    // A folder inside a missing folder is refused by name, in Japanese.
    let e = ops::app_templates(&db, &dir.path().join("ない").join("記入用"), None).unwrap_err();
    assert!(e.to_string().contains("保存先のフォルダがありません"), "{e}");
}

#[test]
fn the_department_and_division_chosen_are_remembered() {
    let (_dir, db) = demo_db();
    let first = ops::app_entry_page(&db, None, None, None).unwrap();
    let other = first.departments.iter().find(|d| d.name != first.department).unwrap().clone();
    let division = other.divisions.first().cloned();
    ops::app_entry_page(&db, Some(&other.name), division.as_deref(), None).unwrap();
    let again = ops::app_entry_page(&db, None, None, None).unwrap();
    assert_eq!((again.department.as_str(), again.division.clone()), (other.name.as_str(), division));
    // Viewing the page again writes nothing more.
    let before = std::fs::read(&db).unwrap();
    ops::app_entry_page(&db, None, None, None).unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn printing_writes_a_pdf_with_its_heading_the_date_in_wareki_and_page_numbers() {
    let (_dir, db) = demo_db();
    let w = ops::print_charts(&db, &ChartSelection::Department(SOUMU.into()), None).unwrap();
    let pdf = PathBuf::from(&w.files[0]);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    let pages = text.matches('\u{c}').count().max(1);
    assert!(pages >= 2, "{pages} pages");
    assert!(text.contains("総務部の指標"), "the heading: {text}");
    assert!(text.contains("印刷 令和"), "the date in 和暦: {text}");
    // (pdftotext may drop the spaces of the centred page number.)
    let tight: String = text.chars().filter(|c| *c != ' ').collect();
    for n in 1..=pages {
        assert!(tight.contains(&format!("-{n}/{pages}-")), "page {n} numbered: {text}");
    }
    assert!(ops::print_charts(&db, &ChartSelection::Department("存在しない部".into()), None).is_err());
}

#[test]
fn the_chart_book_cover_dates_the_book_in_wareki() {
    let (dir, db) = demo_db();
    let out = dir.path().join("book.pdf");
    ops::app_chart_book(
        &db,
        &out,
        shinchoku_core::chart::book::Paper::A4,
        2,
        shinchoku_core::chart::book::GroupBy::Area,
    )
    .unwrap();
    let text = pdf_text(&out);
    let cover = text.split('\u{c}').next().unwrap();
    assert!(cover.contains("作成: 令和"), "{cover}");
    assert!(!cover.contains("作成: 20"), "no western date on the cover: {cover}");
}

#[test]
fn plans_are_switched_and_only_demo_plans_are_removed() {
    let (dir, db) = demo_db();
    let plans = ops::plan_views(&db).unwrap();
    assert_eq!(plans.len(), 4);
    assert!(plans.iter().all(|p| p.demo), "the demo plans are labelled");
    assert!(ops::app_overview(&db, None).unwrap().only_demos);
    // An imported plan is the user's: listed without デモ, and never removed here.
    let xlsx = dir.path().join("synth.xlsx");
    shinchoku_core::xlsx::export_summary(&shinchoku_core::synth::synthetic_plan(20), None, &xlsx).unwrap();
    ops::import(&db, &xlsx, Some("架空県"), false).unwrap();
    let plans = ops::plan_views(&db).unwrap();
    let mine = plans.iter().find(|p| !p.demo).unwrap().clone();
    assert!(!ops::app_overview(&db, None).unwrap().only_demos);
    let e = ops::delete_demo_plan(&db, mine.id).unwrap_err();
    assert!(e.to_string().contains("取り込んだ計画のため削除できません"), "{e}");

    // Switching: the app's overview is the chosen plan.
    let demo = plans.iter().find(|p| p.demo && !p.current).unwrap().clone();
    let after = ops::switch_plan(&db, demo.id).unwrap();
    assert!(after.iter().find(|p| p.id == demo.id).unwrap().current);
    let o = ops::app_overview(&db, None).unwrap();
    assert_eq!((o.plan_id, o.demo), (demo.id, true));
    assert!(ops::switch_plan(&db, 999).is_err());

    // Removing the open demo plan: gone, backed up first, recorded in 履歴.
    let backups = ops::backups(&db).unwrap().len();
    let left = ops::delete_demo_plan(&db, demo.id).unwrap();
    assert_eq!(left.len(), 4);
    assert!(left.iter().all(|p| p.id != demo.id));
    assert_eq!(ops::backups(&db).unwrap().len(), backups + 1);
    let revs = ops::revision_views(&db).unwrap();
    assert_eq!(revs[0].kind_label, "計画の削除");
    assert!(revs[0].summary.contains(&demo.title), "{}", revs[0].summary);
    assert!(ops::app_overview(&db, None).is_ok(), "another plan is open");
}

#[test]
fn a_revision_says_which_fields_it_changed_in_words() {
    let (_dir, db) = demo_db();
    let page = ops::app_entry_page(&db, Some(SOUMU), None, None).unwrap();
    let form = &page.projects[0];
    let saved = ops::save_field(
        &db,
        SOUMU,
        None,
        &FieldEdit {
            path: form.paths.narrative.clone(),
            text: "履歴で見る取組状況".into(),
        },
    )
    .unwrap();
    let c = ops::revision_changes(&db, saved.revision_id, 200).unwrap();
    assert_eq!(c.total, 1);
    let x = &c.changes[0];
    assert_eq!(x.what, format!("事業 {} {} / 取組状況(R5)", form.no, form.name));
    assert_eq!(x.after.as_deref(), Some("履歴で見る取組状況"));
    // Every plan's revisions are listed, each with its plan, so the numbers run without gaps.
    let revs = ops::revision_views(&db).unwrap();
    let mut ids: Vec<i64> = revs.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
    assert!(revs.iter().all(|r| r.plan.is_some()));
}

#[test]
fn an_actual_below_the_baseline_reads_in_words_not_as_a_negative_rate() {
    let (_dir, db) = demo_db();
    let page = ops::app_entry_page(&db, Some(SOUMU), None, None).unwrap();
    let plan = ops::load(&db, None).unwrap();
    let (form, k) = page
        .projects
        .iter()
        .flat_map(|f| f.kpis.iter().map(move |k| (f, k)))
        .find(|(_, k)| {
            let kpi = plan.kpi(k.no).unwrap();
            kpi.baseline.as_ref().and_then(|b| b.number()).is_some()
                && kpi.targets.get(&plan.report_year).and_then(|t| t.number()).is_some()
                && kpi.direction == shinchoku_core::eval::Direction::Up
                && !k.path.is_empty()
        })
        .unwrap();
    let kpi = plan.kpi(k.no).unwrap();
    let below = kpi.baseline.as_ref().unwrap().number().unwrap() - 1.0;
    let saved = ops::save_field(
        &db,
        SOUMU,
        None,
        &FieldEdit {
            path: k.path.clone(),
            text: format!("{below}"),
        },
    )
    .unwrap();
    let row = saved
        .forms
        .iter()
        .find(|f| f.no == form.no)
        .unwrap()
        .kpis
        .iter()
        .find(|r| r.no == k.no)
        .unwrap();
    assert_eq!(row.rate.as_deref(), Some("基準値を下回る"));
    let show = ops::show(&db, None, None).unwrap();
    let rate = show.kpi_rates.iter().find(|r| r.no == k.no).unwrap();
    assert!(rate.rate.unwrap() < 0.0);
    assert_eq!(rate.rate_label.as_deref(), Some("基準値を下回る"));
}

#[test]
fn a_conflict_is_titled_by_its_project_kpi_and_field() {
    let (_dir, db) = demo_db();
    let plan = ops::load(&db, None).unwrap();
    let p = plan.projects().find(|p| !p.kpis.is_empty()).unwrap();
    let k = plan.kpi(p.kpis[0].no).unwrap();
    let t = shinchoku_core::views::describe_path(Some(&plan), &format!("kpi[{}].actual[2023]", k.no));
    assert_eq!(t, format!("KPI {} {} / 実績値(R5)", k.no, k.name));
    let t = shinchoku_core::views::describe_path(Some(&plan), &format!("project[{}].year[2023].evaluation", p.no));
    assert_eq!(t, format!("事業 {} {} / 評価(R5)", p.no, p.name.clone().unwrap_or_default()));
}

/// Every way the app's operations refuse what the window hands them, each said in
/// Japanese (a person reads these under the field or above the screen).
#[test]
fn every_refusal_the_window_can_meet_is_japanese() {
    let (dir, db) = demo_db();
    let d = dir.path();
    let pdf = d.join("report.xlsx");
    std::fs::write(&pdf, b"%PDF-1.7\n").unwrap();
    let csv = d.join("plan.xlsx");
    std::fs::write(&csv, "a,b\n1,2\n").unwrap();
    let page = ops::app_entry_page(&db, Some(SOUMU), None, None).unwrap();
    let form = &page.projects[0];
    let kpi = page.projects.iter().flat_map(|f| &f.kpis).find(|k| !k.path.is_empty()).unwrap();
    let save = |path: &str, text: &str| {
        ops::save_field(
            &db,
            SOUMU,
            None,
            &FieldEdit {
                path: path.into(),
                text: text.into(),
            },
        )
        .map(|_| ())
    };
    let refusals: Vec<(&str, ops::Result<()>)> = vec![
        ("an actual that is not a number", save(&kpi.path, "たくさん")),
        ("an evaluation that is not a mark", save(&form.paths.evaluation, "済")),
        ("a budget that is not a whole number", save(&form.paths.budget, "多い")),
        ("a path the form does not have", save("plan.title", "x")),
        ("another department's field", {
            let other = ops::app_entry_page(&db, None, None, None).unwrap();
            let theirs = other.departments.iter().find(|x| x.name != SOUMU).unwrap().name.clone();
            let p = ops::app_entry_page(&db, Some(&theirs), None, None).unwrap();
            let f = p
                .projects
                .iter()
                .find(|f| !f.owners.iter().any(|o| o.department.as_deref() == Some(SOUMU)))
                .unwrap();
            save(&f.paths.narrative, "担当外")
        }),
        (
            "an unknown department",
            ops::app_entry_page(&db, Some("存在しない部"), None, None).map(|_| ()),
        ),
        (
            "an unknown year",
            ops::app_entry_page(&db, Some(SOUMU), None, Some(1990)).map(|_| ()),
        ),
        (
            "a relative output path",
            ops::app_export(&db, Path::new("out.xlsx"), None, None).map(|_| ()),
        ),
        (
            "a wrong extension",
            ops::app_export(&db, &d.join("out.pdf"), None, None).map(|_| ()),
        ),
        (
            "a missing folder",
            ops::app_export(&db, &d.join("ない").join("out.xlsx"), None, None).map(|_| ()),
        ),
        (
            "the database itself",
            ops::app_export(&db, &db.with_extension("xlsx"), None, None).map(|_| ()),
        ),
        ("a PDF as a return", ops::open_return_file(&db, &pdf).map(|_| ())),
        ("a CSV as a 記入用ファイル", ops::open_return_file(&db, &csv).map(|_| ())),
        ("a missing file", ops::check_inputs(&[d.join("none.xlsx")], &["xlsx"]).map(|_| ())),
        (
            "a file of another kind",
            ops::check_inputs(&[pdf.with_extension("pdf")], &["xlsx"]).map(|_| ()),
        ),
        ("an unusable font", {
            let s = shinchoku_core::views::Settings {
                year_labels: "short".into(),
                font: Some(csv.display().to_string()),
            };
            ops::save_settings(&db, &s).map(|_| ())
        }),
        ("a year label style", {
            let s = shinchoku_core::views::Settings {
                year_labels: "wide".into(),
                font: None,
            };
            ops::save_settings(&db, &s).map(|_| ())
        }),
        ("a conflict that is not there", ops::resolve(&db, 99, &ops::Take::Plan).map(|_| ())),
        ("undoing the plan's creation", ops::undo(&db, 1).map(|_| ())),
        ("a revision that is not there", ops::revision_changes(&db, 9999, 10).map(|_| ())),
        (
            "printing nothing",
            ops::print_charts(&db, &ChartSelection::Area("Z-9".into()), None).map(|_| ()),
        ),
        ("a plan that is not there", ops::switch_plan(&db, 99).map(|_| ())),
        ("an unknown kind of output", ops::default_folder(&db, "elsewhere").map(|_| ())),
        ("a send-back without a round", ops::app_send_back(&db, SOUMU, "", d).map(|_| ())),
        (
            "a due date that is not a date",
            ops::round_open(&db, None, None, "来月", None).map(|_| ()),
        ),
        ("importing a PDF", ops::import(&db, &pdf, None, false).map(|_| ())),
        (
            "a merge of nothing readable",
            ops::check_inputs(&[csv.with_extension("txt")], &["xlsx"]).map(|_| ()),
        ),
    ];
    for (what, r) in refusals {
        let e = r.expect_err(what);
        let msg = e.to_string();
        assert!(
            shinchoku_core::text::is_japanese_message(&msg),
            "{what}: not Japanese: {msg:?} (English words: {:?})",
            shinchoku_core::text::english_words(&msg)
        );
    }
    // A database that is not Shinchoku's, and one that is not there, are refused in Japanese too.
    let other = d.join("other.db");
    std::fs::write(&other, vec![b'x'; 4096]).unwrap();
    for e in [
        ops::app_overview(&other, None).unwrap_err(),
        ops::app_overview(&d.join("none.db"), None).unwrap_err(),
    ] {
        assert!(shinchoku_core::text::is_japanese_message(&e.to_string()), "{e}");
    }
}
