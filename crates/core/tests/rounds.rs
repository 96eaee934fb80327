//! Issue 15 (first part): 照会 rounds over the Fukushima plan's six departments —
//! who has returned, who is overdue, the reminder, confirmation and its refusals.
//! Real files, a real database.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops::{self, MergeOptions, MergeReport};
use support::{cell_of, Package};

const R6: FiscalYear = FiscalYear(2024);

fn merge(db: &Path, files: &[PathBuf]) -> MergeReport {
    let opts = MergeOptions {
        year: Some(R6),
        ..Default::default()
    };
    ops::merge(db, None, files, &opts, &mut |_| {}).unwrap()
}

fn fill(out: &Path, dept: &str, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let from = out.join(format!("令和6年度_{dept}.xlsx"));
    let mut pkg = Package::open(&from);
    for (path, text) in edits {
        pkg.set_text("記入", &cell_of(&from, path), text);
    }
    let to = out.join(name);
    pkg.save(&to);
    to
}

/// The first narrative field a department's file holds.
fn first_narrative(out: &Path, dept: &str) -> String {
    let file = out.join(format!("令和6年度_{dept}.xlsx"));
    let mut wb = calamine::open_workbook_auto(&file).unwrap();
    use calamine::Reader;
    let meta = wb.worksheet_range("shinchoku_meta").unwrap();
    meta.rows()
        .filter_map(|r| r.get(2).map(|d| d.to_string()))
        .find(|k| k.ends_with(".narrative"))
        .unwrap()
}

#[test]
fn issue15_a_round_knows_who_returned_who_is_overdue_and_whom_to_remind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    ops::init(&db, true).unwrap();
    // Due in the past: whoever has not returned is overdue; a return now is a late one.
    let r = ops::round_open(&db, None, Some(R6), "2024-05-31", None).unwrap();
    assert_eq!((r.title.as_str(), r.state.as_str()), ("令和6年度実績照会", "open"));
    assert!(
        ops::round_open(&db, None, Some(R6), "2024-06-30", None).is_err(),
        "one open round per plan and year"
    );
    let out = dir.path().join("配布");
    ops::templates(&db, None, &out, Some(R6), &[], false, None).unwrap();

    let depts = ["総務部", "企画調整部", "土木部", "出納局", "議会事務局", "警察本部"];
    let returned = &depts[..4];
    let mut files = Vec::new();
    for (i, d) in returned.iter().enumerate() {
        let key = first_narrative(&out, d);
        // One department returns its file unchanged: received all the same.
        let edits: Vec<(&str, &str)> = if i == 3 {
            vec![]
        } else {
            vec![(key.as_str(), "令和6年度の取組")]
        };
        files.push(fill(&out, d, &format!("{d}.xlsx"), &edits));
    }
    let m = merge(&db, &files);
    assert_eq!(m.rejected, 0, "{:#?}", m.files);
    // 総務部 is sent back, corrects its file and is confirmed.
    let back = ops::round_send_back(
        &db,
        None,
        "総務部",
        "未入力の項目を埋めてください",
        &dir.path().join("差戻し"),
        10.0,
    )
    .unwrap();
    assert_eq!(ops::round_status(&db, None, None).unwrap().departments[0].state, "sent_back");
    let key = first_narrative(&out, "総務部");
    let mut pkg = Package::open(&back.file);
    pkg.set_text("記入", &cell_of(&back.file, &key), "令和6年度の取組(訂正)");
    let corrected = dir.path().join("総務部_訂正.xlsx");
    pkg.save(&corrected);
    assert_eq!(merge(&db, &[corrected]).applied, 1);
    assert_eq!(ops::round_status(&db, None, None).unwrap().departments[0].state, "returned");
    ops::round_confirm(&db, None, "総務部").unwrap();

    let s = ops::round_status(&db, None, None).unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["round"]["due"], "2024-05-31");
    assert_eq!(json["round"]["year"], 2024);
    let states: Vec<(String, String, bool, u64)> = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["department"].as_str().unwrap().to_string(),
                d["state"].as_str().unwrap().to_string(),
                d["overdue"].as_bool().unwrap(),
                d["files"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect: Vec<(String, String, bool, u64)> = depts
        .iter()
        .map(|d| {
            let (state, overdue, files) = match *d {
                "総務部" => ("confirmed", false, 2),
                "企画調整部" | "土木部" | "出納局" => ("returned", false, 1),
                _ => ("not_returned", true, 0),
            };
            (d.to_string(), state.to_string(), overdue, files)
        })
        .collect();
    assert_eq!(states, expect);
    let soumu = &s.departments[0];
    assert!(soumu.filled >= 1 && soumu.empty > 0, "{soumu:?}");
    assert_eq!(soumu.last_file.as_deref(), Some("総務部_訂正.xlsx"));

    // The reminder names exactly the two outstanding departments, with what they still lack.
    let text = ops::round_remind(&db, None, None).unwrap();
    assert!(text.contains("令和6年5月31日"), "{text}");
    for d in &depts[4..] {
        assert!(text.contains(&format!("■ {d}(未提出・期限超過)")), "{text}");
    }
    for d in returned {
        assert!(!text.contains(&format!("■ {d}")), "{d} has returned: {text}");
    }
    let gikai = s.departments.iter().find(|d| d.department == "議会事務局").unwrap();
    let first = &gikai.missing[0];
    assert!(
        text.contains(&format!("事業番号 {} {}: ", first.project, first.name)) && text.contains("取組状況"),
        "{text}"
    );

    // Closed, the round's record stays: in history, and in the summary workbook's 照会記録 sheet.
    ops::round_close(&db, None).unwrap();
    let summary = dir.path().join("summary.xlsx");
    ops::export(&db, None, &summary, None).unwrap();
    let mut wb = calamine::open_workbook_auto(&summary).unwrap();
    use calamine::Reader;
    let rows: Vec<Vec<String>> = wb
        .worksheet_range("照会記録")
        .unwrap()
        .rows()
        .skip(3)
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 6, "{rows:#?}");
    let line = |d: &str| rows.iter().find(|r| r[5] == d).unwrap().clone();
    assert_eq!(line("総務部")[6], "確定");
    assert!(
        line("総務部")[8].starts_with("総務部.xlsx(") && line("総務部")[8].contains("\n総務部_訂正.xlsx("),
        "{:?}",
        line("総務部")
    );
    assert_eq!(line("警察本部")[6], "未提出");
    assert!(!line("警察本部")[7].is_empty(), "when its 記入用ファイル was written");
    assert!(rows
        .iter()
        .all(|r| r[0] == "令和6年度実績照会" && r[2] == "2024-05-31" && r[4] != "(受付中)"));
    assert_eq!(
        ops::import(&db, &summary, None, false).unwrap().saved.fields_changed,
        0,
        "the sheet does not disturb an import"
    );
}

#[test]
fn issue15_returns_for_a_confirmed_department_a_closed_round_or_another_year_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    ops::init(&db, true).unwrap();
    ops::round_open(&db, None, Some(R6), "2099-05-31", Some("令和6年度実績照会(第1回)")).unwrap();
    let out = dir.path().join("配布");
    ops::templates(&db, None, &out, Some(R6), &[], false, None).unwrap();
    let key = first_narrative(&out, "総務部");
    let v1 = fill(&out, "総務部", "v1.xlsx", &[(key.as_str(), "一回目")]);
    assert_eq!(merge(&db, &[v1]).applied, 1);
    let s = ops::round_status(&db, None, None).unwrap();
    assert!(!s.departments[0].overdue, "the due date has not passed");

    // Confirmed: a later return is refused, the database unchanged; unlocking takes a reason.
    ops::round_confirm(&db, None, "総務部").unwrap();
    let v2 = fill(&out, "総務部", "v2.xlsx", &[(key.as_str(), "確定後の訂正")]);
    let before = std::fs::read(&db).unwrap();
    let r = merge(&db, std::slice::from_ref(&v2));
    assert_eq!(r.rejected, 1);
    assert!(r.files[0].errors[0].message.contains("確定済み"), "{:?}", r.files[0].errors);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(ops::round_unlock(&db, None, "総務部", " ").is_err());
    ops::round_unlock(&db, None, "総務部", "数値の誤りの連絡があったため").unwrap();
    let h = ops::history(&db, None).unwrap();
    assert!(
        h[0].summary.contains("確定を解除") && h[0].summary.contains("数値の誤り"),
        "{}",
        h[0].summary
    );
    assert_eq!(merge(&db, std::slice::from_ref(&v2)).applied, 1, "accepted again after unlocking");

    // Another year's file is refused.
    let r5 = dir.path().join("r5");
    ops::templates(&db, None, &r5, Some(FiscalYear(2023)), &[], false, None).unwrap();
    let before = std::fs::read(&db).unwrap();
    let r = merge(&db, &[r5.join("令和5年度_総務部.xlsx")]);
    assert_eq!(r.rejected, 1);
    assert!(r.files[0].errors[0].message.contains("令和5年度のもの"), "{:?}", r.files[0].errors);
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // Closed: the round's files are refused, naming the round; the record stays in history.
    ops::round_close(&db, None).unwrap();
    ops::round_open(&db, None, Some(R6), "2099-06-30", Some("令和6年度実績照会(第2回)")).unwrap();
    let late = fill(
        &out,
        "企画調整部",
        "late.xlsx",
        &[(first_narrative(&out, "企画調整部").as_str(), "締切後")],
    );
    let before = std::fs::read(&db).unwrap();
    let r = merge(&db, &[late]);
    assert_eq!(r.rejected, 1);
    let e = r.files[0].errors[0].message.clone();
    assert!(
        e.contains("締め切った照会「令和6年度実績照会(第1回)」") && e.contains("第2回"),
        "{e}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let h = ops::history(&db, None).unwrap();
    assert!(h.iter().any(|r| r.kind == "round" && r.summary.contains("を締め切り")), "{h:#?}");
}

#[test]
fn issue15_a_send_back_lists_every_planted_problem_and_merges_like_any_return() {
    use shinchoku_core::store::{RevisionInfo, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    ops::init(&db, true).unwrap();
    const DEPT: &str = "出納局";
    // 出納局 gets a second project with a KPI of its own (a coordinator's edit), so both
    // a bad value and a jump can be planted.
    let plan = ops::load(&db, None).unwrap();
    let (x, k) = plan
        .projects()
        .filter(|p| p.owners.len() == 1 && p.kpis.len() == 1 && !p.kpis[0].relisted)
        .filter(|p| plan.projects().filter(|q| q.kpis.iter().any(|r| r.no == p.kpis[0].no)).count() == 1)
        .map(|p| (p.no.clone(), p.kpis[0].no))
        .find(|(no, _)| no != "16")
        .unwrap();
    let mut store = Store::open(&db).unwrap();
    let id = store.current_plan_id().unwrap().unwrap();
    let mut p = store.load_plan(id).unwrap();
    p.apply_changes(&[(format!("project[{x}].owners"), Some(format!("{DEPT}/出納総務課")))])
        .unwrap();
    let edit = |kind: &str| RevisionInfo {
        kind: kind.into(),
        summary: "t".into(),
        ..Default::default()
    };
    store.save_version(Some(id), &p, &edit("edit"), |_, _| Ok(())).unwrap();
    drop(store);

    ops::round_open(&db, None, Some(R6), "2099-05-31", None).unwrap();
    let out = dir.path().join("配布");
    ops::templates(&db, None, &out, Some(R6), &[DEPT.to_string()], false, None).unwrap();
    // The return: project 15 without its narrative; KPI 4 at ten times last year's
    // actual with a mark that is not the proposal; project X filled.
    let plan = ops::load(&db, None).unwrap();
    let last = plan.kpi(4).unwrap().actuals[&FiscalYear(2023)].value.parse();
    let shinchoku_core::value::Parsed::Number(q) = last else {
        panic!("KPI 4 has a number for R5")
    };
    let jumped = format!("{}{}", q.value * 10.0, if q.percent { "%" } else { "" });
    let mut with_jump = plan.clone();
    with_jump
        .apply_changes(&[("kpi[4].actual[2024]".into(), Some(jumped.clone()))])
        .unwrap();
    let kpis: Vec<_> = with_jump
        .project("16")
        .unwrap()
        .kpis
        .iter()
        .filter_map(|r| with_jump.kpi(r.no))
        .collect();
    let proposed = with_jump.rule.propose_project(kpis.iter().copied(), R6).unwrap();
    let other = if proposed.mark() == "○" { "×" } else { "○" };
    let file = fill(
        &out,
        DEPT,
        "return.xlsx",
        &[
            ("project[15].year[2024].evaluation", "-"),
            ("kpi[4].actual[2024]", &jumped),
            ("project[16].year[2024].evaluation", other),
            ("project[16].year[2024].narrative", "電子収納を拡大した"),
            (&format!("project[{x}].year[2024].evaluation"), "△"),
            (&format!("project[{x}].year[2024].narrative"), "取組を進めた"),
        ],
    );
    let m = merge(&db, &[file]);
    assert_eq!((m.rejected, m.conflicts), (0, 0), "{:#?}", m.files);
    // A value that fails today's checks (kept from an older import).
    let mut store = Store::open(&db).unwrap();
    let mut p = store.load_plan(id).unwrap();
    p.apply_changes(&[(format!("kpi[{k}].actual[2024]"), Some("集計中".into()))])
        .unwrap();
    store.save_version(Some(id), &p, &edit("import"), |_, _| Ok(())).unwrap();
    drop(store);

    let back_dir = dir.path().join("差戻し");
    let s = ops::round_send_back(&db, None, DEPT, "5月20日までに再提出してください", &back_dir, 10.0).unwrap();
    let mut paths: Vec<&str> = s.findings.iter().map(|f| f.path.as_str()).collect();
    paths.sort();
    let mut expected = vec![
        "kpi[4].actual[2024]".to_string(),
        format!("kpi[{k}].actual[2024]"),
        "project[15].year[2024].narrative".to_string(),
        "project[16].year[2024].evaluation".to_string(),
    ];
    expected.sort();
    assert_eq!(paths, expected, "{:#?}", s.findings);
    let status = ops::round_status(&db, None, None).unwrap();
    assert_eq!(status.departments.iter().find(|d| d.department == DEPT).unwrap().state, "sent_back");

    // The workbook read back: the 指摘事項 sheet lists each planted problem, nothing else.
    let mut wb = calamine::open_workbook_auto(&s.file).unwrap();
    use calamine::Reader;
    assert!(wb.sheet_names().contains(&"指摘事項".to_string()));
    let rows: Vec<Vec<String>> = wb
        .worksheet_range("指摘事項")
        .unwrap()
        .rows()
        .skip(4)
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    let text = rows.iter().map(|r| r.join("\t")).collect::<Vec<_>>().join("\n");
    for want in [
        "取組状況が未入力",
        "KPIからの提案",
        "数値または「-」",
        "10倍以上変動",
        "5月20日までに再提出",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    for f in &s.findings {
        let cell = format!("記入!{}", cell_of(&s.file, &f.path));
        assert!(
            rows.iter().any(|r| r[0] == cell && r[1] == f.project && r[4] == f.message),
            "{cell} {f:?} {rows:#?}"
        );
    }
    // Each marked cell carries its message as a note.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&s.file).unwrap()).unwrap();
    let mut notes = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/comments1.xml").unwrap(), &mut notes).unwrap();
    for f in &s.findings {
        assert!(notes.contains(&f.message), "{}", f.message);
    }

    // The department fixes it and it merges like any return; the 部 is 提出済 again.
    let fixed = back_dir.join("fixed.xlsx");
    let mut pkg = Package::open(&s.file);
    pkg.set_text(
        "記入",
        &cell_of(&s.file, "project[15].year[2024].narrative"),
        "出納事務の電子化を進めた",
    );
    pkg.save(&fixed);
    let m = merge(&db, &[fixed]);
    assert_eq!((m.applied, m.rejected), (1, 0), "{:#?}", m.files);
    let status = ops::round_status(&db, None, None).unwrap();
    assert_eq!(status.departments.iter().find(|d| d.department == DEPT).unwrap().state, "returned");
}
