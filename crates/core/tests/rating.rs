//! Issue 19: the rating rules, worked out by hand.
//!
//! Every KPI below is rated for 令和5年度 (2023). Unless a row says otherwise the
//! baseline is of 令和2年度 (2020) and the final target of 令和7年度 (2025), so the
//! straight line of `kitaichi` is at 3/5 of the way in 2023:
//! E = 基準値 + (最終目標値 − 基準値) × 0.6. The expected marks were worked out on paper
//! from the issue's definitions (r = 実績/目標, p = (実績−基準)/(目標−基準)); the code
//! is not asked for them.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use shinchoku_core::eval::{EvaluationRule, RuleKind};
use shinchoku_core::model::{Actual, Kpi, TargetRevision};
use shinchoku_core::{Direction, FiscalYear, KpiValue};

const R2: FiscalYear = FiscalYear(2020);
const R5: FiscalYear = FiscalYear(2023);
const R6: FiscalYear = FiscalYear(2024);
const R7: FiscalYear = FiscalYear(2025);

fn v(s: &str) -> KpiValue {
    KpiValue::new(s).unwrap()
}

/// A KPI with a baseline, the 2023 and 2025 targets, and the 2023 actual.
fn kpi(direction: Direction, baseline: &str, t5: &str, t7: &str, actual: Option<&str>) -> Kpi {
    let mut targets = BTreeMap::new();
    targets.insert(R5, v(t5));
    targets.insert(R7, v(t7));
    let mut actuals = BTreeMap::new();
    if let Some(a) = actual {
        actuals.insert(R5, Actual { value: v(a), as_of: None });
    }
    Kpi {
        no: 1,
        label: None,
        group: None,
        name: "指標".into(),
        unit: None,
        direction,
        cumulative: false,
        tolerance: None,
        baseline: Some(v(baseline)),
        baseline_year: Some(R2),
        targets,
        revisions: Vec::new(),
        actuals,
        divisions: Vec::new(),
        footnotes: Vec::new(),
    }
}

fn keep(tolerance: &str, baseline: &str, target: &str, actual: &str) -> Kpi {
    let mut k = kpi(Direction::Keep, baseline, target, target, Some(actual));
    k.tolerance = Some(v(tolerance));
    k
}

/// A revision of `year`'s target from `from` on.
fn revised(mut k: Kpi, year: FiscalYear, value: &str, from: FiscalYear) -> Kpi {
    let previous = k.targets.get(&year).cloned();
    k.revisions.push(TargetRevision {
        year,
        previous,
        value: v(value),
        from,
        date: "2024-06-30".into(),
        reason: Some("国の目標変更".into()),
    });
    k.targets.insert(year, v(value));
    k
}

use Direction::{Down, Up};

/// (what the row is, the KPI, marks under maru, ratio-abcd, progress-abcd, kitaichi)
fn table() -> Vec<(&'static str, Kpi, [&'static str; 4])> {
    vec![
        // b=0 T=50 F=100: E = 60.
        ("増加 r=1.2, on E", kpi(Up, "0", "50", "100", Some("60")), ["○", "A", "達成", "○"]),
        ("増加 r=0.80 edge", kpi(Up, "0", "50", "100", Some("40")), ["△", "B", "前進", "△"]),
        ("増加 r=0.50 edge", kpi(Up, "0", "50", "100", Some("25")), ["△", "C", "前進", "△"]),
        ("増加 r=0.48", kpi(Up, "0", "50", "100", Some("24")), ["△", "D", "前進", "△"]),
        (
            "増加 r=1.10 edge, behind E",
            kpi(Up, "0", "50", "100", Some("55")),
            ["○", "A", "達成", "△"],
        ),
        // b=20 T=50 F=100: E = 68.
        (
            "増加 at the baseline",
            kpi(Up, "20", "50", "100", Some("20")),
            ["△", "D", "横ばい", "●"],
        ),
        (
            "増加 below the baseline",
            kpi(Up, "20", "50", "100", Some("10")),
            ["△", "D", "後退", "●"],
        ),
        (
            "増加 final target reached",
            kpi(Up, "20", "50", "100", Some("100")),
            ["○", "A", "達成", "◎"],
        ),
        // 減少 b=100 T=80 F=50: E = 70; r = 目標/実績.
        ("減少 on target", kpi(Down, "100", "80", "50", Some("80")), ["○", "B", "達成", "△"]),
        ("減少 r=1.11", kpi(Down, "100", "80", "50", Some("72")), ["○", "A", "達成", "△"]),
        (
            "減少 worse than the baseline",
            kpi(Down, "100", "80", "50", Some("110")),
            ["△", "C", "後退", "●"],
        ),
        (
            "減少 past the final target",
            kpi(Down, "100", "80", "50", Some("45")),
            ["○", "A", "達成", "◎"],
        ),
        // 維持: within the tolerance is met; outside, r = the nearer of a/t and t/a.
        ("維持 ±5 within", keep("5", "90", "90", "93"), ["○", "A", "達成", "◎"]),
        ("維持 ±5 outside (r=0.889)", keep("5", "90", "90", "80"), ["△", "B", "後退", "●"]),
        ("維持 ±2% on the edge", keep("2%", "95%", "95%", "97%"), ["○", "A", "達成", "◎"]),
        // Threshold targets: met is the top mark; not met, the number is the target.
        ("4以上 met", kpi(Up, "3", "4以上", "4以上", Some("4.2")), ["○", "A", "達成", "◎"]),
        // r = 3.5/4 = 0.875; p = 0.5/1; E = 3 + 1 × 0.6 = 3.6.
        (
            "4以上 not met",
            kpi(Up, "3", "4以上", "4以上", Some("3.5")),
            ["△", "B", "前進", "△"],
        ),
        (
            "ほぼ100% from 95%",
            kpi(Up, "80%", "ほぼ100%", "ほぼ100%", Some("95%")),
            ["○", "A", "達成", "◎"],
        ),
        // Worded targets: met when the actual says it, otherwise nothing to judge.
        ("運用 met", kpi(Up, "構築中", "運用", "運用", Some("運用")), ["○", "A", "達成", "◎"]),
        (
            "運用 not yet",
            kpi(Up, "構築中", "運用", "運用", Some("構築中")),
            ["-", "-", "-", "-"],
        ),
        ("no actual", kpi(Up, "0", "50", "100", None), ["-", "-", "-", "-"]),
        ("actual -", kpi(Up, "0", "50", "100", Some("-")), ["-", "-", "-", "-"]),
        // 目標値 = 基準値: 維持 with zero tolerance.
        (
            "baseline = target, on it",
            kpi(Up, "50", "50", "50", Some("50")),
            ["○", "A", "達成", "◎"],
        ),
        (
            "baseline = target, above (r=0.833)",
            kpi(Up, "50", "50", "50", Some("60")),
            ["△", "B", "後退", "●"],
        ),
        // The 2023 target revised 50 → 60 for the years rated from 2023: r = p = 55/60.
        (
            "revised from R5",
            revised(kpi(Up, "0", "50", "100", Some("55")), R5, "60", R5),
            ["△", "B", "前進", "△"],
        ),
        // The same revision made for the years from 2024: 2023 keeps 50 (r = p = 1.1).
        (
            "revised from R6",
            revised(kpi(Up, "0", "50", "100", Some("55")), R5, "60", R6),
            ["○", "A", "達成", "△"],
        ),
        // The final target revised 100 → 80 from 2023: E = 80 × 0.6 = 48 ≤ 50.
        (
            "final target revised from R5",
            revised(kpi(Up, "0", "50", "100", Some("50")), R7, "80", R5),
            ["○", "B", "達成", "○"],
        ),
        // …and from 2024: 2023 keeps E = 60.
        (
            "final target revised from R6",
            revised(kpi(Up, "0", "50", "100", Some("50")), R7, "80", R6),
            ["○", "B", "達成", "△"],
        ),
    ]
}

#[test]
fn every_builtin_rule_gives_the_hand_worked_mark() {
    let rules = ["maru", "ratio-abcd", "progress-abcd", "kitaichi"].map(|n| EvaluationRule::builtin(n).unwrap());
    let rows = table();
    assert!(rows.len() >= 20);
    let mut wrong = Vec::new();
    for (what, k, expected) in &rows {
        for (rule, want) in rules.iter().zip(expected) {
            let got = rule.rate(k, R5).mark;
            if got.mark() != *want {
                wrong.push(format!("{what} under {}: {} (expected {want})", rule.name(), got.mark()));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn measures_are_the_issues_formulas() {
    let r = EvaluationRule::default();
    // p = (43.1 − 48.2) / (67.4 − 48.2); r = 43.1 / 67.4.
    let k = kpi(Up, "48.2%", "67.4%", "80%", Some("43.1%"));
    let m = r.rate(&k, R5);
    assert!((m.rate.unwrap() - (-5.1 / 19.2)).abs() < 1e-9);
    assert!((m.ratio.unwrap() - 43.1 / 67.4).abs() < 1e-9);
    // E = 48.2 + (80 − 48.2) × 3/5
    assert!((m.expected.unwrap() - (48.2 + 31.8 * 0.6)).abs() < 1e-9);
    // 減少: r = 目標 / 実績
    let k = kpi(Down, "100", "80", "50", Some("64"));
    assert!((r.rate(&k, R5).ratio.unwrap() - 1.25).abs() < 1e-9);
    // No baseline year: no 期待値.
    let mut k = kpi(Up, "0", "50", "100", Some("60"));
    k.baseline_year = None;
    assert_eq!(r.rate(&k, R5).expected, None);
}

#[test]
fn a_custom_rule_from_toml_rates_by_its_bands() {
    let text = r#"
name = "独自の4段階"
measure = "progress"

[[band]]
mark = "S"
label = "大きく前進"
at_least = 1.2

[[band]]
mark = "A"
at_least = 1.0

[[band]]
mark = "B"
at_least = 0.5

[[band]]
mark = "C"
"#;
    let rule = EvaluationRule::from_toml(text).unwrap();
    assert_eq!(rule.kind, RuleKind::Custom);
    assert_eq!(rule.scale().listing(), "S A B C -");
    // p = 60/50 = 1.2 (edge), 55/50 = 1.1, 25/50 = 0.5 (edge), 24/50 = 0.48
    for (a, want) in [("60", "S"), ("55", "A"), ("25", "B"), ("24", "C")] {
        assert_eq!(rule.rate(&kpi(Up, "0", "50", "100", Some(a)), R5).mark.mark(), want, "{a}");
    }
    assert_eq!(rule.rate(&kpi(Up, "0", "運用", "運用", Some("運用")), R5).mark.mark(), "S");
    assert_eq!(rule.scale().parse("s").unwrap().mark(), "S");
    assert_eq!(rule.scale().label(&rule.scale().parse("S").unwrap()), "S (大きく前進)");
}

#[test]
fn a_bad_rule_file_is_refused_naming_the_line() {
    let cases = [
        ("name = \"x\"\nmeasure = \"ratio\"\ncolour = 1\n[[band]]\nmark = \"A\"\n", Some(3), "colour"),
        ("name = \"x\"\nmeasure = \"speed\"\n[[band]]\nmark = \"A\"\n", Some(2), "measure"),
        (
            "name = \"x\"\nmeasure = \"ratio\"\n[[band]]\nmark = \"A\"\nat_least = 0.5\n[[band]]\nmark = \"B\"\nat_least = 0.8\n[[band]]\nmark = \"C\"\n",
            Some(6),
            "一つ前より小さく",
        ),
        ("name = \"x\"\nmeasure = \"ratio\"\n[[band]]\nmark = \"A\"\n[[band]]\nmark = \"B\"\n", Some(3), "at_least"),
        ("name = \"x\"\nmeasure = \"ratio\"\n[[band]]\nmark = \"A\"\nat_least = 1\n[[band]]\nmark = \"A\"\n", None, "2回"),
        ("name = \"x\"\nmeasure = \"ratio\"\n[[band]]\nmark = \"-\"\n", Some(3), "判定不能"),
    ];
    for (text, line, says) in cases {
        let e = EvaluationRule::from_toml(text).unwrap_err();
        assert_eq!(e.line, line, "{text}: {e}");
        let m = e.to_string();
        assert!(m.contains(says), "{m}");
        assert!(shinchoku_core::text::is_japanese_message(&m), "{m}");
    }
}

#[test]
fn the_direction_cell_reads_what_export_writes() {
    use shinchoku_core::eval::{direction_cell, parse_direction_cell};
    for (d, t, cell) in [
        (Direction::Up, None, "増加"),
        (Direction::Down, None, "減少"),
        (Direction::Keep, Some("5"), "維持(±5)"),
        (Direction::Keep, Some("2%"), "維持(±2%)"),
    ] {
        let tol = t.map(v);
        assert_eq!(direction_cell(d, tol.as_ref()), cell);
        let (d2, t2) = parse_direction_cell(cell).unwrap();
        assert_eq!((d2, t2.map(|x| x.text().to_string())), (d, t.map(str::to_string)));
    }
    assert_eq!(parse_direction_cell("維持（±0.5）").unwrap().1.unwrap().text(), "0.5");
    let e = parse_direction_cell("横ばい").unwrap_err();
    assert!(e.contains("維持(±5)"), "{e}");
}

mod support;

use shinchoku_core::ops::{self, Editor};
use shinchoku_core::views::FieldEdit;

/// A target written like `like` (`67.4%` → `80.9%`, `64,169` → `77003`).
fn like(like: &KpiValue, n: f64) -> String {
    if like.text().ends_with('%') {
        format!("{n:.1}%")
    } else {
        format!("{}", n.round())
    }
}

#[test]
fn revise_a_target_roll_the_year_and_rate_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shinchoku.db");
    ops::init(&db, true).unwrap();
    let plan = ops::load(&db, None).unwrap();
    // An increasing KPI with numbers for its baseline, R5 and R6 targets and R5 actual.
    let k = plan
        .kpis
        .iter()
        .find(|k| {
            k.direction == Up
                && k.baseline.as_ref().and_then(KpiValue::number).is_some()
                && [R5, R6]
                    .iter()
                    .all(|y| k.targets.get(y).and_then(|t| t.number()).is_some_and(|n| n > 0.0))
                && k.actuals.get(&R5).and_then(|a| a.value.number()).is_some()
        })
        .expect("a KPI to revise");
    let no = k.no;
    let rate_of = |y: FiscalYear| {
        let s = ops::show(&db, None, Some(y)).unwrap();
        s.kpi_rates.into_iter().find(|r| r.no == no).unwrap()
    };
    let r5_before = rate_of(R5);

    // Roll to R6; revise the R5 target (from R6 on) and the R6 target.
    let started = ops::year_start(&db, None, R6).unwrap();
    assert_eq!((started.from.as_str(), started.to.as_str()), ("令和5年度", "令和6年度"));
    let old5 = k.targets[&R5].clone();
    let old6 = k.targets[&R6].clone();
    let new5 = like(&old5, old5.number().unwrap() * 2.0);
    let new6 = like(&old6, old6.number().unwrap() * 1.5);
    let t = ops::target_set(&db, None, no, R5, &new5, Some("算定方法の見直し"), None).unwrap();
    assert_eq!((t.previous.as_deref(), t.from.as_str()), (Some(old5.text()), "令和6年度"));
    ops::target_set(&db, None, no, R6, &new6, Some("国の目標変更に合わせて引き上げ"), None).unwrap();
    // The same value again is refused, and so is an unknown KPI.
    assert!(ops::target_set(&db, None, no, R6, &new6, None, None).is_err());
    assert!(ops::target_set(&db, None, 9999, R6, "1", None, None).is_err());

    // R5 was rated against its target of the time: nothing about its rating moves.
    let r5_after = rate_of(R5);
    assert_eq!(r5_after.target.as_deref(), Some(old5.text()));
    assert_eq!(
        (r5_after.rate, r5_after.ratio, r5_after.proposed.clone()),
        (r5_before.rate, r5_before.ratio, r5_before.proposed.clone())
    );

    // An R6 actual that meets the old R6 target and not the new one: △ under maru.
    ops::edit_fields(
        &db,
        &Editor::Coordinator,
        &[FieldEdit {
            path: format!("kpi[{no}].actual[2024]"),
            text: old6.text().to_string(),
        }],
        "R6 実績",
    )
    .unwrap();
    let r6 = rate_of(R6);
    assert_eq!(r6.target.as_deref(), Some(new6.as_str()));
    assert_eq!(r6.original_target.as_deref(), Some(old6.text()));
    assert!((r6.ratio.unwrap() - old6.number().unwrap() / KpiValue::new(new6.as_str()).unwrap().number().unwrap()).abs() < 1e-9);
    assert_eq!(r6.proposed.mark(), "△");

    // The workbook shows both targets, and lists the revisions.
    let out = dir.path().join("summary.xlsx");
    ops::export(&db, None, &out, None).unwrap();
    let summary = support::sheet_rows(&out, "取組一覧");
    let note = format!("{new6}\n(当初 {})", old6.text());
    assert!(summary.iter().flatten().any(|c| c == &note), "no cell says {note:?}");
    let trend = support::sheet_rows(&out, "KPI推移");
    let original_row = trend
        .iter()
        .find(|r| r.get(4).map(String::as_str) == Some("目標値(当初)"))
        .expect("a 目標値(当初) row");
    assert!(
        original_row.iter().any(|c| c == old6.text() || c == &old6.canonical()),
        "{original_row:?}"
    );
    let revisions = support::sheet_rows(&out, "目標値の改定");
    let rows: Vec<&Vec<String>> = revisions
        .iter()
        .skip(3)
        .filter(|r| r.first().is_some_and(|c| !c.is_empty()))
        .collect();
    assert_eq!(rows.len(), 2, "{revisions:?}");
    assert_eq!(rows[1][7], "国の目標変更に合わせて引き上げ");

    // The chart draws the original target beside the revised one.
    let plan = ops::load(&db, None).unwrap();
    let kpi = plan.kpi(no).unwrap();
    let chart = shinchoku_core::chart::KpiChart::of(&plan, kpi, R6, shinchoku_core::fy::YearStyle::Short);
    assert!(chart
        .original_targets
        .iter()
        .any(|(y, v)| *y == R6 && (*v - old6.number().unwrap()).abs() < 1e-9));
    if let Ok(font) = shinchoku_core::chart::find_font(None) {
        let svg = shinchoku_core::chart::render_svg(&chart, &font, shinchoku_core::fy::YearStyle::Short).unwrap();
        assert!(svg.contains("当初目標"));
        if let Ok(dir) = std::env::var("SHINCHOKU_LOOK") {
            let png = shinchoku_core::chart::render_png(&chart, &font, shinchoku_core::fy::YearStyle::Short, 96).unwrap();
            std::fs::write(std::path::Path::new(&dir).join("revised-target.png"), png).unwrap();
        }
    }

    // The project card marks the revised target ※ and says what it was.
    let owner = plan.projects().find(|p| p.kpis.iter().any(|r| r.no == no)).unwrap();
    let card = shinchoku_core::card::card(&plan, owner, R6);
    let table = card.groups.iter().flat_map(|g| &g.tables).find(|t| t.no == no).unwrap();
    assert!(table.targets.iter().any(|c| c.text == format!("{new6}※")), "{:?}", table.targets);
    assert!(
        table
            .footnotes
            .iter()
            .any(|f| f.contains(&format!("当初 {}", old6.text())) && f.contains("国の目標変更")),
        "{:?}",
        table.footnotes
    );

    // Round trip: the workbook imported into a new database gives back the revisions.
    let db2 = dir.path().join("again.db");
    ops::init(&db2, false).unwrap();
    ops::import(&db2, &out, None, false).unwrap();
    let back = ops::load(&db2, None).unwrap();
    let kb = back.kpi(no).unwrap();
    assert_eq!(kb.revisions, kpi.revisions);
    assert_eq!(kb.targets, kpi.targets);
    assert_eq!(back.report_year, R6);
}

/// The XML of a workbook part.
fn part_text(file: &std::path::Path, name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn the_next_years_templates_carry_last_year_and_the_plans_scale() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shinchoku.db");
    ops::init(&db, true).unwrap();
    let plan = ops::load(&db, None).unwrap();
    let dept = "総務部";
    let mine: Vec<_> = plan
        .projects()
        .filter(|p| p.owners.iter().any(|o| o.department.as_deref() == Some(dept)))
        .collect();
    let carried = mine
        .iter()
        .find(|p| p.years.get(&R5).is_some_and(|y| y.narrative.is_some() && y.evaluation.is_some()))
        .expect("a project with an R5 narrative");
    let ended = mine.iter().find(|p| p.no != carried.no).expect("a second project");

    ops::rule_use(&db, None, &ops::RuleChoice::Builtin("ratio-abcd")).unwrap();
    ops::year_start(&db, None, R6).unwrap();
    ops::project_status(
        &db,
        None,
        &ended.no,
        &ops::StatusChange {
            end: Some(R5),
            ..Default::default()
        },
    )
    .unwrap();
    // Nothing was copied into the new year.
    let rolled = ops::load(&db, None).unwrap();
    assert!(rolled
        .projects()
        .all(|p| p.years.get(&R6).is_none_or(|y| y.narrative.is_none() && y.evaluation.is_none())));

    let out = dir.path().join("out");
    let t = ops::templates(&db, None, &out, None, &[dept.to_string()], false, None).unwrap();
    let file = &t.files[0].path;
    let rows = support::sheet_rows(file, "記入");
    let header = &rows[3];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    assert_eq!(header[col("前年度評価")], "前年度評価\n(令和5年度)");
    let (prev_e, prev_n, eval) = (col("前年度評価"), col("前年度の取組状況"), col("評価"));
    assert_eq!(eval, prev_e + 1, "評価 stands beside 前年度評価");
    let row = rows
        .iter()
        .find(|r| r.first() == Some(&carried.no))
        .expect("the carried project's row");
    let r5 = &carried.years[&R5];
    assert_eq!(row[prev_n], r5.narrative.clone().unwrap());
    assert_eq!(row[prev_e], r5.evaluation.as_ref().unwrap().mark());
    assert!(row[eval].is_empty(), "nothing copied into 令和6年度's evaluation");
    // The project ended in R5 is not asked for in R6.
    assert!(!rows.iter().any(|r| r.first() == Some(&ended.no)), "No.{} ended in R5", ended.no);
    // The drop-down offers the plan's marks, and the guide names the rule.
    let sheet = part_text(file, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("\"A,B,C,D,-\""), "the evaluation list is the A–D scale");
    let guide = support::sheet_rows(file, "記入要領");
    assert!(guide.iter().flatten().any(|l| l.contains("A(目標を大きく上回る)")), "{guide:?}");

    // A department types a mark of the scale: taken; a mark of another scale: refused by cell.
    let path = format!("project[{}].year[2024].evaluation", carried.no);
    let cell = support::cell_of(file, &path);
    let filled = dir.path().join("filled.xlsx");
    support::Package::open(file).set_text("記入", &cell, "b").save(&filled);
    let r = ops::merge(&db, None, std::slice::from_ref(&filled), &ops::MergeOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.applied, 1, "{:?}", r.files[0].errors);
    let after = ops::load(&db, None).unwrap();
    assert_eq!(
        after.project(&carried.no).unwrap().years[&R6].evaluation.as_ref().unwrap().mark(),
        "B"
    );

    let t = ops::templates(&db, None, &dir.path().join("again"), None, &[dept.to_string()], false, None).unwrap();
    let wrong = dir.path().join("wrong.xlsx");
    support::Package::open(&t.files[0].path).set_text("記入", &cell, "○").save(&wrong);
    let r = ops::merge(&db, None, std::slice::from_ref(&wrong), &ops::MergeOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.applied, 0);
    let errors: Vec<String> = r.files[0].errors.iter().map(|p| p.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains(&cell) && e.contains("A B C D - のいずれか")),
        "{errors:?}"
    );
}

#[test]
fn project_statuses_are_counted_noted_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shinchoku.db");
    ops::init(&db, true).unwrap();
    let plan = ops::load(&db, None).unwrap();
    let nos: Vec<String> = plan.projects().map(|p| p.no.clone()).take(5).collect();
    let before = ops::show(&db, None, Some(R6)).unwrap().projects;
    let set = |no: &str, start: Option<FiscalYear>, end: Option<FiscalYear>, origin: Option<Vec<String>>| {
        ops::project_status(
            &db,
            None,
            no,
            &ops::StatusChange {
                start,
                end,
                origin,
                ongoing: false,
            },
        )
        .unwrap()
    };
    // No.a and No.b end in R5 and continue as No.c from R6 (統合); No.e continues No.a too, so No.a is split.
    let (a, b, c, e) = (&nos[0], &nos[1], &nos[2], &nos[4]);
    set(a, None, Some(R5), None);
    set(b, None, Some(R5), None);
    let note = set(c, Some(R6), None, Some(vec![a.clone(), b.clone()]));
    assert_eq!(note, None, "the report year is R5: No.{c} starts in R6");
    set(e, Some(R6), None, Some(vec![a.clone()]));
    // Unknown and self references are refused.
    assert!(ops::project_status(
        &db,
        None,
        c,
        &ops::StatusChange {
            origin: Some(vec!["9999".into()]),
            ..Default::default()
        }
    )
    .is_err());
    assert!(ops::project_status(
        &db,
        None,
        c,
        &ops::StatusChange {
            origin: Some(vec![c.clone()]),
            ..Default::default()
        }
    )
    .is_err());

    let plan = ops::load(&db, None).unwrap();
    let note = |no: &str, y| plan.status_note(plan.project(no).unwrap(), y);
    assert_eq!(
        note(a, R5).as_deref(),
        Some(format!("令和5年度で終了(No.{c}・No.{e}に分割)").as_str())
    );
    assert_eq!(note(b, R5).as_deref(), Some(format!("令和5年度で終了(No.{c}に統合)").as_str()));
    assert_eq!(note(b, R6).as_deref(), Some(format!("終了(No.{c}に統合)").as_str()));
    assert_eq!(note(c, R6).as_deref(), Some(format!("新規(No.{a}・No.{b}を統合)").as_str()));
    assert_eq!(note(e, R6).as_deref(), Some(format!("新規(No.{a}から分割)").as_str()));
    assert_eq!(note(c, R7), None, "継続 after its first year");
    // R6 counts: a and b ended; c and e run from R6.
    assert_eq!(ops::show(&db, None, Some(R6)).unwrap().projects, before - 2);
    assert_eq!(
        ops::show(&db, None, Some(R5)).unwrap().projects,
        before - 2,
        "c and e do not run in R5"
    );

    // The workbook carries the statuses, and the 集計 sheet the year's 新規・終了.
    ops::year_start(&db, None, R6).unwrap();
    let out = dir.path().join("summary.xlsx");
    ops::export(&db, None, &out, None).unwrap();
    let counts = support::sheet_rows(&out, "集計");
    assert!(
        counts.iter().flatten().any(|t| t == &format!("新規(No.{a}・No.{b}を統合)")),
        "{counts:?}"
    );
    let db2 = dir.path().join("again.db");
    ops::init(&db2, false).unwrap();
    ops::import(&db2, &out, None, false).unwrap();
    let back = ops::load(&db2, None).unwrap();
    let plan = ops::load(&db, None).unwrap();
    for no in [a, b, c, e] {
        let (x, y) = (plan.project(no).unwrap(), back.project(no).unwrap());
        assert_eq!((x.start, x.end, &x.origin), (y.start, y.end, &y.origin), "No.{no}");
    }
}
