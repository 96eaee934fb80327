//! Issue 19: the rating rules, worked out by hand.
//!
//! Every KPI below is rated for 令和5年度 (2023). Unless a row says otherwise the
//! baseline is of 令和2年度 (2020) and the final target of 令和7年度 (2025), so the
//! straight line of `kitaichi` is at 3/5 of the way in 2023:
//! E = 基準値 + (最終目標値 − 基準値) × 0.6. The expected marks were worked out on paper
//! from the issue's definitions (r = 実績/目標, p = (実績−基準)/(目標−基準)); the code
//! is not asked for them.

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
        ("増加 r=1.10 edge, behind E", kpi(Up, "0", "50", "100", Some("55")), ["○", "A", "達成", "△"]),
        // b=20 T=50 F=100: E = 68.
        ("増加 at the baseline", kpi(Up, "20", "50", "100", Some("20")), ["△", "D", "横ばい", "●"]),
        ("増加 below the baseline", kpi(Up, "20", "50", "100", Some("10")), ["△", "D", "後退", "●"]),
        ("増加 final target reached", kpi(Up, "20", "50", "100", Some("100")), ["○", "A", "達成", "◎"]),
        // 減少 b=100 T=80 F=50: E = 70; r = 目標/実績.
        ("減少 on target", kpi(Down, "100", "80", "50", Some("80")), ["○", "B", "達成", "△"]),
        ("減少 r=1.11", kpi(Down, "100", "80", "50", Some("72")), ["○", "A", "達成", "△"]),
        ("減少 worse than the baseline", kpi(Down, "100", "80", "50", Some("110")), ["△", "C", "後退", "●"]),
        ("減少 past the final target", kpi(Down, "100", "80", "50", Some("45")), ["○", "A", "達成", "◎"]),
        // 維持: within the tolerance is met; outside, r = the nearer of a/t and t/a.
        ("維持 ±5 within", keep("5", "90", "90", "93"), ["○", "A", "達成", "◎"]),
        ("維持 ±5 outside (r=0.889)", keep("5", "90", "90", "80"), ["△", "B", "後退", "●"]),
        ("維持 ±2% on the edge", keep("2%", "95%", "95%", "97%"), ["○", "A", "達成", "◎"]),
        // Threshold targets: met is the top mark; not met, the number is the target.
        ("4以上 met", kpi(Up, "3", "4以上", "4以上", Some("4.2")), ["○", "A", "達成", "◎"]),
        // r = 3.5/4 = 0.875; p = 0.5/1; E = 3 + 1 × 0.6 = 3.6.
        ("4以上 not met", kpi(Up, "3", "4以上", "4以上", Some("3.5")), ["△", "B", "前進", "△"]),
        ("ほぼ100% from 95%", kpi(Up, "80%", "ほぼ100%", "ほぼ100%", Some("95%")), ["○", "A", "達成", "◎"]),
        // Worded targets: met when the actual says it, otherwise nothing to judge.
        ("運用 met", kpi(Up, "構築中", "運用", "運用", Some("運用")), ["○", "A", "達成", "◎"]),
        ("運用 not yet", kpi(Up, "構築中", "運用", "運用", Some("構築中")), ["-", "-", "-", "-"]),
        ("no actual", kpi(Up, "0", "50", "100", None), ["-", "-", "-", "-"]),
        ("actual -", kpi(Up, "0", "50", "100", Some("-")), ["-", "-", "-", "-"]),
        // 目標値 = 基準値: 維持 with zero tolerance.
        ("baseline = target, on it", kpi(Up, "50", "50", "50", Some("50")), ["○", "A", "達成", "◎"]),
        ("baseline = target, above (r=0.833)", kpi(Up, "50", "50", "50", Some("60")), ["△", "B", "後退", "●"]),
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
