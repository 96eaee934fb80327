//! The 取組一覧 round trip on real files: the reference workbook, both demo
//! plans, real-world variations and bad input, each read back by calamine.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use shinchoku_core::model::{Entry, Plan};
use shinchoku_core::xlsx::{self, NumberFormats};
use shinchoku_core::{seed, FiscalYear};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel);
    p.exists().then_some(p)
}

/// The reference workbook; the seeds/ copy of the fixture is checked against it.
fn reference() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/torikumi-ichiran-r5.xlsx");
    assert!(p.exists(), "tests/data/torikumi-ichiran-r5.xlsx is missing");
    p
}

fn without(fields: BTreeMap<String, String>, suffixes: &[&str]) -> BTreeMap<String, String> {
    fields
        .into_iter()
        .filter(|(k, _)| !suffixes.iter().any(|s| k.ends_with(s)))
        .collect()
}

fn assert_same_fields(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    let diff = shinchoku_core::model::diff_fields(a, b);
    assert!(
        diff.is_empty(),
        "{} fields differ, first: {:#?}",
        diff.len(),
        &diff[..diff.len().min(8)]
    );
}

#[test]
fn the_test_data_is_the_shared_reference() {
    // tests/data holds a copy so the suite runs without ../shared; keep it identical.
    if let Some(p) = shared("fixtures/torikumi-ichiran-r5.xlsx") {
        assert_eq!(std::fs::read(p).unwrap(), std::fs::read(reference()).unwrap());
    }
    for (name, text) in [
        ("fukushima-r5.json", seed::FUKUSHIMA_JSON),
        ("tokushima-kpis.json", seed::TOKUSHIMA_JSON),
    ] {
        if let Some(p) = shared(&format!("fixtures/{name}")) {
            assert_eq!(std::fs::read_to_string(p).unwrap(), text, "seeds/{name} differs from the fixture");
        }
    }
}

#[test]
fn reference_workbook_gives_the_fixture_plan() {
    let read = xlsx::import_workbook(&reference()).unwrap();
    let plan = read.plan;
    assert_eq!(plan.projects().count(), 52);
    assert_eq!(plan.relistings().count(), 13);
    assert_eq!(plan.kpis.len(), 19);
    assert_eq!(plan.report_year, FiscalYear(2023));
    assert_eq!(plan.as_of.unwrap().short(), "R6.3.31");
    let fixture = seed::fukushima_plan().unwrap();
    // The layout carries no 団体名, KPI units or 累計 flags: everything else must match.
    let ignore = [".unit", ".cumulative", "plan.organization"];
    assert_same_fields(
        &without(plan.canonical_fields(), &ignore),
        &without(fixture.canonical_fields(), &ignore),
    );
    // Units that the values show (%, 百万枚) are recovered.
    assert_eq!(plan.kpi(2).unwrap().unit.as_deref(), Some("%"));
    assert_eq!(plan.kpi(6).unwrap().unit.as_deref(), Some("百万枚"));
    assert_eq!(plan.kpi(6).unwrap().direction, shinchoku_core::Direction::Down);
}

fn export_to(plan: &Plan, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    xlsx::export_summary(plan, None, &path).unwrap();
    path
}

#[test]
fn round_trip_of_both_demo_plans() {
    let dir = tempfile::tempdir().unwrap();
    for (i, plan) in seed::demo_plans().unwrap().into_iter().enumerate() {
        let path = export_to(&plan, dir.path(), &format!("plan{i}.xlsx"));
        let back = xlsx::import_workbook(&path).unwrap().plan;
        assert_same_fields(&back.canonical_fields(), &plan.canonical_fields());
        assert_eq!(back, plan);
    }
}

#[test]
fn synthetic_plan_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let plan = shinchoku_core::synth::synthetic_plan(150);
    let path = export_to(&plan, dir.path(), "synth.xlsx");
    let back = xlsx::import_workbook(&path).unwrap().plan;
    assert_same_fields(&back.canonical_fields(), &plan.canonical_fields());
}

/// A sheet's cells: `(row, col) → (value, number format)`.
type CellMap = BTreeMap<(u32, u32), (String, String)>;
/// A sheet's merged ranges: `(first, last)`.
type Merges = BTreeSet<((u32, u32), (u32, u32))>;

/// Every cell's value of a sheet, and its number format where it has a value.
fn cells(path: &Path, sheet: &str) -> (CellMap, Merges) {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let formats = NumberFormats::read(std::fs::File::open(path).unwrap(), sheet);
    let mut out = BTreeMap::new();
    for (r, c, v) in range.used_cells() {
        let (r, c) = (r as u32 + range.start().unwrap().0, c as u32 + range.start().unwrap().1);
        let text = match v {
            Data::Float(f) => format!("n:{f}"),
            Data::Int(i) => format!("n:{i}"),
            Data::String(s) => s.clone(),
            Data::Empty => continue,
            other => format!("{other:?}"),
        };
        out.insert((r, c), (text, formats.get(r, c).to_string()));
    }
    let merges = wb
        .merge_cells_by_sheet_name(sheet)
        .unwrap()
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    (out, merges)
}

#[test]
fn exported_summary_matches_the_reference_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(&seed::fukushima_plan().unwrap(), dir.path(), "fukushima.xlsx");
    let (want, want_merges) = cells(&reference(), "取組一覧");
    let (got, got_merges) = cells(&path, "取組一覧");
    let mismatches: Vec<_> = want.iter().filter(|(k, v)| got.get(k) != Some(v)).take(5).collect();
    assert!(
        mismatches.is_empty(),
        "cells differ: {mismatches:?} (got {:?})",
        mismatches.iter().map(|(k, _)| got.get(k)).collect::<Vec<_>>()
    );
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(k)).take(5).collect();
    assert!(extra.is_empty(), "cells the reference does not have: {extra:?}");
    assert_eq!(got_merges, want_merges);
    assert_eq!(want.len(), got.len());
}

fn zip_text(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn summary_sheet_print_setup() {
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(&seed::fukushima_plan().unwrap(), dir.path(), "f.xlsx");
    let sheet = zip_text(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"paperSize="8""#), "A3");
    assert!(sheet.contains(r#"orientation="landscape""#));
    assert!(
        sheet.contains(r#"fitToPage="1""#) && sheet.contains(r#"fitToHeight="0""#),
        "one page wide"
    );
    assert!(
        sheet.contains(r#"state="frozen""#) && sheet.contains(r#"topLeftCell="B4""#),
        "frozen below row 3, right of A"
    );
    assert!(sheet.contains("&amp;C- &amp;P / &amp;N -"), "footer");
    assert!(sheet.contains(r#"customHeight="1""#), "explicit row heights");
    let wb = zip_text(&path, "xl/workbook.xml");
    assert!(wb.contains("_xlnm.Print_Titles") && wb.contains("$1:$3"), "rows 1–3 repeated");
    let styles = zip_text(&path, "xl/styles.xml");
    assert!(styles.contains("MS ゴシック") && styles.contains(r#"<sz val="9"/>"#));
    assert!(styles.contains(r#"wrapText="1""#) && styles.contains(r#"vertical="top""#));
}

/// Every sheet's rows in strictly increasing order, each once: Excel refuses a sheet whose
/// `<row>` repeats (the large sheets are written a row at a time).
#[test]
fn every_sheet_lists_each_row_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut plans = seed::demo_plans().unwrap();
    plans.push(shinchoku_core::synth::synthetic_plan(120));
    for (i, plan) in plans.iter().enumerate() {
        let path = export_to(plan, dir.path(), &format!("p{i}.xlsx"));
        let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
            .collect();
        for name in names {
            let mut xml = String::new();
            z.by_name(&name).unwrap().read_to_string(&mut xml).unwrap();
            let rows: Vec<u32> = xml
                .split("<row r=\"")
                .skip(1)
                .map(|t| t[..t.find('"').unwrap()].parse().unwrap())
                .collect();
            assert!(
                rows.windows(2).all(|w| w[0] < w[1]),
                "{}: {name} rows out of order or repeated: …{:?}",
                plan.title,
                &rows[rows.len().saturating_sub(4)..]
            );
        }
    }
}

#[test]
fn every_sheet_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = export_to(&seed::fukushima_plan().unwrap(), dir.path(), "f.xlsx");
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["取組一覧", "KPI推移", "グラフ", "集計", "計画情報", "事業年度データ"]
    );
    // グラフ: a native line chart per KPI, over a table of numbers only.
    let plan = seed::fukushima_plan().unwrap();
    for i in 1..=plan.kpis.len() {
        let chart = zip_text(&path, &format!("xl/charts/chart{i}.xml"));
        assert!(chart.contains("<c:lineChart>"), "chart {i}");
        assert!(
            chart.contains("グラフ!$B$") && chart.contains("目標値") && chart.contains("実績値"),
            "chart {i}"
        );
    }
    let (graphs, _) = cells(&path, "グラフ");
    assert_eq!(graphs[&(0, 0)].0, "KPI 1 BPR実施業務");
    let kpi2_top = 24;
    assert_eq!(graphs[&(kpi2_top + 2, 2)].0, "n:67.4");
    assert_eq!(graphs[&(kpi2_top + 3, 2)].0, "n:43.1");
    let kpi16_top = 15 * 24;
    assert!(graphs[&(kpi16_top, 0)].0.starts_with("KPI 16 "));
    // Only plain numbers are plotted: not ほぼ100%, not a worded actual.
    assert!(!graphs.contains_key(&(kpi16_top + 2, 2)) && !graphs.contains_key(&(kpi16_top + 3, 2)));
    let (trend, _) = cells(&path, "KPI推移");
    // KPI 2: years as columns, 目標 / 実績 / 達成率 rows.
    let row_of = |no: f64| {
        trend
            .iter()
            .find(|((_, c), (v, _))| *c == 0 && *v == format!("n:{no}"))
            .map(|((r, _), _)| *r)
            .unwrap()
    };
    let r = row_of(2.0);
    assert_eq!(trend[&(r, 4)].0, "目標");
    assert_eq!(trend[&(r + 1, 4)].0, "実績");
    assert_eq!(trend[&(r + 2, 4)].0, "達成率");
    assert_eq!(trend[&(2, 6)].0, "令和5年度");
    assert_eq!(trend[&(r, 6)], ("n:0.674".to_string(), "0.0%".to_string()));
    assert_eq!(trend[&(r + 1, 6)], ("n:0.431".to_string(), "0.0%".to_string()));
    let rate: f64 = trend[&(r + 2, 6)].0[2..].parse().unwrap();
    assert!((rate - (-5.1 / 19.2)).abs() < 1e-9);
    let (counts, _) = cells(&path, "集計");
    let total = counts.iter().find(|(_, (v, _))| v == "計").map(|((r, _), _)| *r).unwrap();
    assert_eq!(counts[&(total, 2)].0, "n:52");
    assert_eq!(counts[&(total, 3)].0, "n:12");
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = seed::fukushima_plan().unwrap();
    let Entry::Project(p) = &mut plan.entries[0] else { panic!() };
    p.name = Some("=HYPERLINK(\"http://x\")".into());
    p.summary = Some("+81 3 0000".into());
    p.goal = Some("-5件を目指す".into());
    p.years.get_mut(&FiscalYear(2023)).unwrap().narrative = Some("@SUM(A1)".into());
    let path = export_to(&plan, dir.path(), "f.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        assert!(formulas.used_cells().next().is_none(), "{name} has formulas");
    }
    let back = xlsx::import_workbook(&path).unwrap().plan;
    assert_same_fields(&back.canonical_fields(), &plan.canonical_fields());
}

// --- Real-world variations -------------------------------------------------------

/// Writes a sheet from rows of cells: `n:1.5` is a number, anything else text.
fn write_sheet(path: &Path, sheet: &str, rows: &[Vec<&str>], merges: &[(u32, u16, u32, u16)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let f = Format::new();
    for &(r1, c1, r2, c2) in merges {
        ws.merge_range(r1, c1, r2, c2, "", &f).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.strip_prefix("n:") {
                Some(n) => ws.write_number(r as u32, c as u16, n.parse::<f64>().unwrap()).unwrap(),
                None => ws.write_string(r as u32, c as u16, *v).unwrap(),
            };
        }
    }
    wb.save(path).unwrap();
}

fn header() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "DX推進計画",
            "",
            "",
            "",
            "",
            "",
            "",
            "令和5年度関連事業 取組一覧",
            "",
            "",
            "KPI (重要業績評価指標)",
            "",
            "",
            "",
            "",
            "",
            "",
            "実績値",
            "評価",
            "令和5年度 取組状況",
        ],
        vec![
            "事業番号",
            "分野",
            "",
            "項目",
            "",
            "担当",
            "",
            "事業名又は取組名",
            "事業概要又は取組内容",
            "指標(KPI)又は目標",
            "KPI番号",
            "指標名",
            "基準値",
            "目標値",
            "",
            "",
            "",
            "",
            "※R6.3.31時点",
            "",
        ],
        vec![
            "", "No", "名称", "No", "名称", "部", "課", "", "", "", "", "", "", "R4", "R5", "R6", "R7", "", "", "",
        ],
    ]
}

#[test]
fn real_world_layout_variations_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.xlsx");
    let mut rows: Vec<Vec<&str>> = vec![vec!["福島県 作業用"], vec![]];
    rows.extend(header());
    rows.extend([
        // A project over two KPI rows (A–J, S, T merged), text numbers, full-width digits.
        vec![
            "１",
            "Ⅰ-1",
            "分野一",
            "（１）",
            "項目一",
            "総務部\n企画調整部",
            "行政経営課\nデジタル変革課",
            "事業A",
            "概要A",
            "【指標(KPI)】",
            "n:1",
            "利用率",
            "48.2%",
            "61.0%",
            "６７．４％",
            "73.7%",
            "80.0%",
            "43.1%",
            "〇 (達成)",
            "取組A\n2行目",
        ],
        vec![
            "", "", "", "", "", "", "", "", "", "", "n:2", "件数", "14442", "24,595", "30,000", "68000", "70000", "64,169", "", "",
        ],
        vec![],
        // A repeated page header in the middle.
    ]);
    rows.extend(header());
    rows.extend([
        vec![
            "n:2",
            "I 1",
            "分野一",
            "(1)",
            "項目一",
            "総務部",
            "人事課",
            "事業B",
            "概要B",
            "【目標】",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            " - ",
            "取組B",
        ],
        vec![
            "再揭",
            "I-1",
            "分野一",
            "(2)",
            "項目二",
            "総務部",
            "人事課",
            "事業B\n※再掲:No2",
            "概要B",
            "【目標】",
            "再掲",
            "件数\n※再掲:No2",
            "14442",
            "24,595",
            "30,000",
            "68000",
            "70000",
            "64,169",
            "✕",
            "取組B",
        ],
        vec![
            "n:3",
            "I-1",
            "分野一",
            "(2)",
            "項目二",
            "総務部",
            "人事課",
            "事業C",
            "概要C",
            "目標C",
            "n:3",
            "満足度",
            "-",
            "4以上",
            "4以上",
            "4以上",
            "4以上",
            "3.54",
            "◯",
            "取組C",
        ],
    ]);
    // Project 1 spans rows 6–7 (0-based 5–6).
    let mut merges = vec![];
    for c in (0u16..10).chain([18, 19]) {
        merges.push((5, c, 6, c));
    }
    write_sheet(&path, "R5一覧", &rows, &merges);
    let read = xlsx::import_workbook(&path).unwrap_or_else(|e| panic!("{:?}", e.problems()));
    let plan = read.plan;
    assert_eq!(read.sheet, "R5一覧");
    assert_eq!(plan.title, "DX推進計画");
    assert_eq!(plan.fiscal_years, (2022..=2025).map(FiscalYear).collect::<Vec<_>>());
    assert_eq!(plan.projects().count(), 3);
    assert_eq!(plan.relistings().count(), 1);
    let p1 = plan.project("1").unwrap();
    assert_eq!(p1.area, "I-1");
    assert_eq!(p1.item.as_deref(), Some("(1)"));
    assert_eq!(p1.owners.len(), 2);
    assert_eq!(p1.owners[1].division.as_deref(), Some("デジタル変革課"));
    assert_eq!(p1.kpis.len(), 2);
    assert_eq!(p1.years[&FiscalYear(2023)].narrative.as_deref(), Some("取組A\n2行目"));
    assert_eq!(p1.years[&FiscalYear(2023)].evaluation, Some(shinchoku_core::Evaluation::ACHIEVED));
    let k1 = plan.kpi(1).unwrap();
    assert_eq!(k1.targets[&FiscalYear(2023)].canonical(), "67.4%");
    let k2 = plan.kpi(2).unwrap();
    assert_eq!(k2.actuals[&FiscalYear(2023)].value.number(), Some(64169.0));
    assert_eq!(plan.project("2").unwrap().area, "I-1");
    let Entry::Relisting(r) = &plan.entries[2] else {
        panic!("{:?}", plan.entries[2])
    };
    assert_eq!(r.of, "2");
    assert_eq!(
        r.years[&FiscalYear(2023)].evaluation,
        Some(shinchoku_core::Evaluation::NOT_ACHIEVED)
    );
    assert!(r.kpis[0].relisted);
    assert_eq!(plan.kpi(3).unwrap().baseline.as_ref().unwrap().text(), "-");
    assert_eq!(
        plan.project("3").unwrap().years[&FiscalYear(2023)].evaluation,
        Some(shinchoku_core::Evaluation::ACHIEVED)
    );
}

fn problems_of(rows: &[Vec<&str>]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    write_sheet(&path, "取組一覧", rows, &[]);
    match xlsx::import_workbook(&path) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

/// K–R of a row without a KPI.
const NO_KPI: [&str; 8] = [""; 8];

/// A data row in 分野 I-1 (1): 事業番号, the KPI cells K–R, 評価 and 取組状況.
fn data_row(no: &'static str, kpi: [&'static str; 8], ev: &'static str, narrative: &'static str) -> Vec<&'static str> {
    let mut row = vec![no, "I-1", "分野", "(1)", "項目", "部", "課", "事業", "概要", "目標"];
    row.extend(kpi);
    row.extend([ev, narrative]);
    row
}

/// The header and projects 1–13 (rows 4–16), then `extra`.
fn with_rows(extra: Vec<Vec<&'static str>>) -> Vec<Vec<&'static str>> {
    let mut rows = header();
    for no in [
        "n:1", "n:2", "n:3", "n:4", "n:5", "n:6", "n:7", "n:8", "n:9", "n:10", "n:11", "n:12", "n:13",
    ] {
        rows.push(data_row(no, NO_KPI, "-", "取組"));
    }
    rows.extend(extra);
    rows
}

#[test]
fn an_unknown_evaluation_names_its_cell() {
    let p = problems_of(&with_rows(vec![data_row("n:14", NO_KPI, "済", "取組")]));
    assert_eq!(
        p,
        vec!["取組一覧!S17: 評価「済」は ○ △ × - のいずれかで入力してください".to_string()]
    );
}

#[test]
fn a_relisting_of_a_missing_project_names_its_cell() {
    let mut rows = with_rows(vec![]);
    let nums = [
        "n:14", "n:15", "n:16", "n:17", "n:18", "n:19", "n:20", "n:21", "n:22", "n:23", "n:24", "n:25", "n:26", "n:27", "n:28", "n:29",
        "n:30", "n:31", "n:32", "n:33", "n:34", "n:35", "n:36",
    ];
    for n in nums {
        rows.push(data_row(n, NO_KPI, "-", ""));
    }
    let mut relisting = data_row("再掲", NO_KPI, "-", "");
    relisting[7] = "事業\n※再掲:No99";
    relisting[8] = "";
    relisting[9] = "";
    rows.push(relisting);
    assert_eq!(rows.len(), 40);
    let p = problems_of(&rows);
    assert_eq!(p, vec!["取組一覧!H40: 再掲の元の No.99 が計画にありません".to_string()]);
}

#[test]
fn duplicate_numbers_and_kpi_names_are_refused() {
    let p = problems_of(&with_rows(vec![data_row("n:3", NO_KPI, "-", "")]));
    assert_eq!(
        p,
        vec!["取組一覧!A17: 事業番号 3 が二度使われています(A6 にもあります)".to_string()]
    );

    let k1 = data_row("n:20", ["n:1", "指標甲", "1", "2", "2", "2", "2", "2"], "○", "");
    let k2 = data_row("n:21", ["n:1", "指標乙", "1", "2", "2", "2", "2", "2"], "○", "");
    let p = problems_of(&with_rows(vec![k1, k2]));
    assert_eq!(
        p,
        vec!["取組一覧!L18: KPI番号 1 に二つの指標名があります(L17 では「指標甲」、ここでは「指標乙」)".to_string()]
    );
}

#[test]
fn a_sheet_without_the_layout_is_refused() {
    let p = problems_of(&[vec!["名前", "値"], vec!["a", "n:1"]]);
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("取組一覧!A1: 取組一覧の見出しが見つかりません"), "{p:?}");
}

#[test]
fn files_that_are_not_workbooks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("plan.xlsx");
    std::fs::write(&csv, "事業番号,事業名\n1,事業A\n").unwrap();
    let e = xlsx::import_workbook(&csv).unwrap_err().to_string();
    assert!(e.contains("Excelのブックではありません"), "{e}");
    let pdf = dir.path().join("report.xlsx");
    std::fs::write(&pdf, "%PDF-1.7\n...").unwrap();
    let e = xlsx::import_workbook(&pdf).unwrap_err().to_string();
    assert!(e.contains("PDF"), "{e}");
    let truncated = dir.path().join("cut.xlsx");
    let full = std::fs::read(reference()).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    assert!(xlsx::import_workbook(&truncated).is_err());
}
