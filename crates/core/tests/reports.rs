//! The other seed reports, each written to a real file and read back as its
//! reader's tool would: the Tokushima project card (.xlsx by calamine, .pdf by
//! pdftotext) against every figure of seed 002; the progress report (.docx, its
//! XML unzipped) with figures quoted from KPIs; the 工程表 sheet exported,
//! imported and refused cell by cell; the schedule pages of the chart book.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use serde_json::Value;
use shinchoku_core::fy::FiscalYear;
use shinchoku_core::model::{Actor, Progress};
use shinchoku_core::ops;
use shinchoku_core::seed;
use shinchoku_core::store::Store;
use support::Package;

const TOKUSHIMA: &str = "2";
const OKAYAMA: &str = "3";
const FUKUOKA: &str = "4";

fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("plan.db");
    ops::init(&db, true).unwrap();
    db
}

fn fixture() -> Value {
    serde_json::from_str(seed::TOKUSHIMA_JSON).unwrap()
}

fn text_of(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// A sheet as rows of cell texts.
fn sheet_rows(file: &Path) -> (String, Vec<Vec<String>>) {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let rows = range.rows().map(|r| r.iter().map(text_of).collect()).collect();
    (name, rows)
}

fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_info(pdf: &Path) -> String {
    let out = std::process::Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the seed prints in each year's 目標 and 実績 cells: a worded target that
/// carries on is one cell ending in `→` (the following cells are part of it).
fn expected_cells(ind: &Value, years: &[String]) -> (Vec<String>, Vec<String>) {
    let mut targets: Vec<String> = Vec::new();
    let mut prev: Option<String> = None;
    for y in years {
        let t = ind["years"][y]["target"].as_str().map(str::to_string);
        let worded = t.as_deref().is_some_and(|t| !t.chars().any(|c| c.is_ascii_digit()));
        if t.is_some() && t == prev && worded {
            let last = targets.iter_mut().rev().find(|c| !c.is_empty()).unwrap();
            if !last.ends_with(" →") {
                last.push_str(" →");
            }
            targets.push(String::new());
        } else {
            targets.push(t.clone().unwrap_or_else(|| "—".into()));
        }
        prev = t;
    }
    let actuals = years
        .iter()
        .map(|y| ind["years"][y]["actual"].as_str().unwrap_or("—").to_string())
        .collect();
    (targets, actuals)
}

#[test]
fn the_card_workbook_reproduces_every_figure_of_seed_002() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("card.xlsx");
    assert_eq!(ops::card(&db, Some(TOKUSHIMA), &out, &[], None, None).unwrap(), 1);
    let (sheet, rows) = sheet_rows(&out);
    assert_eq!(sheet, "5 スマート自治体推進プロジェクト");
    let f = fixture();
    let years: Vec<String> = f["fiscal_years"].as_object().unwrap().keys().cloned().collect();
    let col_a: Vec<&str> = rows.iter().map(|r| r.first().map(String::as_str).unwrap_or("")).collect();
    let find = |text: &str, from: usize| (from..rows.len()).find(|i| col_a[*i] == text);
    let mut at = 0;
    for ind in f["indicators"].as_array().unwrap() {
        let (mark, code) = if ind["kind"] == "KGI" {
            ("◆", "KGI")
        } else {
            ("▶", ind["code"].as_str().unwrap())
        };
        let heading = format!("{mark} {code} : {}", ind["name"].as_str().unwrap());
        // In the seed's order: each KPI after the previous one.
        let h = find(&heading, at).unwrap_or_else(|| panic!("{heading} not found after row {at}"));
        let divisions: Vec<&str> = ind["division"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        assert_eq!(col_a[h + 1], format!("担当課:{}", divisions.join("、")), "{heading}");
        let header = &rows[h + 2];
        let labels: Vec<String> = f["fiscal_years"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(&header[1..=5], &labels[..], "{heading}");
        let (targets, actuals) = expected_cells(ind, &years);
        assert_eq!(col_a[h + 3], "目標");
        assert_eq!(&rows[h + 3][1..=5], &targets[..], "{heading} 目標");
        assert_eq!(col_a[h + 4], "実績");
        assert_eq!(&rows[h + 4][1..=5], &actuals[..], "{heading} 実績");
        for (i, n) in ind["footnotes"].as_array().unwrap().iter().enumerate() {
            assert_eq!(col_a[h + 5 + i], n.as_str().unwrap(), "{heading} footnote");
        }
        at = h + 5;
    }
    // CSF headings in order, each before its first KPI.
    let mut last = 0;
    for csf in f["csfs"].as_array().unwrap() {
        let (code, name) = csf.as_str().unwrap().split_once(' ').unwrap();
        let r = find(&format!("□ {code} : {name}"), last).unwrap_or_else(|| panic!("{csf} heading"));
        assert!(r > last);
        last = r;
    }
    // 課題とアクション: both issues, every action.
    let all: Vec<&String> = rows.iter().flatten().collect();
    let has = |t: &str| all.iter().any(|c| c.as_str() == t);
    for ia in f["issues_and_actions"].as_array().unwrap() {
        assert!(has(ia["issue"].as_str().unwrap()));
        for a in ia["actions"].as_array().unwrap() {
            assert!(has(a.as_str().unwrap()), "{a}");
        }
    }
    for key in ["activities_2023", "plans_2024"] {
        for a in f[key].as_array().unwrap() {
            assert!(has(&format!("▶ {}", a["title"].as_str().unwrap())), "{a}");
            assert!(has(&format!("・{}", a["text"].as_str().unwrap())), "{a}");
        }
    }
    // 予算: the stated totals and every line, and the seed's mismatch flagged, not fixed.
    for (y, b) in f["budget"].as_object().unwrap() {
        let label = format!("■ {}予算", FiscalYear(y.parse().unwrap()).long());
        let r = find(&label, 0).unwrap_or_else(|| panic!("{label}"));
        assert_eq!(rows[r][5], b["total_text"].as_str().unwrap());
        for (i, l) in b["items"].as_array().unwrap().iter().enumerate() {
            assert_eq!(col_a[r + 1 + i], format!("・{}", l["item"].as_str().unwrap()));
            assert_eq!(rows[r + 1 + i][5], l["amount_text"].as_str().unwrap());
        }
        let n = b["items"].as_array().unwrap().len();
        let sum: i64 = b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount_thousand_yen"].as_i64().unwrap())
            .sum();
        assert_ne!(sum, b["total_thousand_yen"].as_i64().unwrap(), "the seed's totals do not add up");
        assert!(
            col_a[r + 1 + n].contains(&shinchoku_core::card::yen(sum)),
            "mismatch flagged: {}",
            col_a[r + 1 + n]
        );
    }
}

#[test]
fn the_card_pdf_is_a4_portrait_with_every_figure_and_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("card.pdf");
    ops::card(&db, Some(TOKUSHIMA), &out, &["5".into()], Some(FiscalYear(2023)), None).unwrap();
    let info = pdf_info(&out);
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "A4 portrait: {info}");
    let text = pdf_text(&out);
    let flat: String = text.split_whitespace().collect();
    let f = fixture();
    let years: Vec<String> = f["fiscal_years"].as_object().unwrap().keys().cloned().collect();
    for ind in f["indicators"].as_array().unwrap() {
        let name: String = ind["name"].as_str().unwrap().split_whitespace().collect();
        assert!(flat.contains(&name), "{name}");
        let (targets, actuals) = expected_cells(ind, &years);
        for v in targets.iter().chain(&actuals).filter(|v| !v.is_empty()) {
            let v: String = v.split_whitespace().collect();
            assert!(flat.contains(&v), "{name}: {v}");
        }
    }
    for b in f["budget"].as_object().unwrap().values() {
        assert!(flat.contains(b["total_text"].as_str().unwrap()));
        for l in b["items"].as_array().unwrap() {
            assert!(flat.contains(l["amount_text"].as_str().unwrap()));
        }
    }
    assert!(
        flat.contains("※内訳の合計は43,324千円で、総額43,624千円と300千円の差があります"),
        "mismatch flagged"
    );
    // A chart beside every KPI with numbers: its own title is on the page.
    let plan = ops::load(&db, Some(TOKUSHIMA)).unwrap();
    let numeric = plan
        .kpis
        .iter()
        .filter(|k| {
            k.targets
                .values()
                .chain(k.actuals.values().map(|a| &a.value))
                .any(|v| v.number().is_some())
        })
        .count();
    assert_eq!(numeric, 9);
    let charts = (1..=plan.kpis.len()).filter(|n| flat.contains(&format!("KPI{n}"))).count();
    assert_eq!(charts, numeric, "one chart per KPI with numbers");
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!((3..=6).contains(&pages), "{pages} pages");
    assert!(flat.contains(&format!("-{pages}/{pages}-")), "page numbers");
}

#[test]
fn card_refusals_name_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = std::fs::read(&db).unwrap();
    for (plan, file, projects, said) in [
        (TOKUSHIMA, "card.docx", vec![], "ファイル名の拡張子は .xlsx か .pdf にしてください"),
        (
            TOKUSHIMA,
            "card.xlsx",
            vec!["9".to_string()],
            "事業番号 9 はこの計画にありません(この計画の事業番号: 5)",
        ),
        (OKAYAMA, "card.xlsx", vec![], "この計画には事業がない"),
    ] {
        let e = ops::card(&db, Some(plan), &dir.path().join(file), &projects, None, None).unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains(said), "{e}");
        assert!(!dir.path().join(file).exists());
    }
    let e = ops::card(&db, Some(TOKUSHIMA), &dir.path().join("c.xlsx"), &[], Some(FiscalYear(2030)), None).unwrap_err();
    assert!(e.to_string().contains("この計画の年度ではありません"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// The text runs of a .docx part, paragraph by paragraph.
fn docx_paragraphs(file: &Path, part: &str) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    xml.split("</w:p>")
        .map(|p| {
            let mut out = String::new();
            for piece in p.split("<w:t").skip(1) {
                let body = &piece[piece.find('>').unwrap() + 1..];
                out.push_str(&body[..body.find("</w:t>").unwrap_or(0)]);
            }
            out
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn docx_part(file: &Path, part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn the_progress_report_is_a_word_document_with_quoted_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("report.docx");
    assert_eq!(ops::report(&db, Some(FUKUOKA), &out, None).unwrap(), 6);
    let paras = docx_paragraphs(&out, "word/document.xml");
    assert_eq!(paras[0], "本県の取組み（現戦略（令和４～６年度）の取組状況等）");
    // Headings per area and item, in the seed's order, each item with its two sections.
    let order = [
        "○ フルデジタル県庁",
        "１ 県庁行政手続のオンライン化",
        "２ 県庁行政事務の業務効率化",
        "３ 新時代に対応した強固なデジタル基盤の構築",
        "○ 官民のデータ利活用の推進",
        "１ 自治体データの効率的な活用の推進と基盤整備",
        "２ データの活用推進のための体制の強化",
        "３ オープンデータの拡充と県民の利活用の促進",
    ];
    let mut last = 0;
    for h in order {
        let i = paras.iter().position(|p| p == h).unwrap_or_else(|| panic!("{h}"));
        assert!(i >= last, "{h} out of order");
        last = i;
    }
    assert_eq!(paras.iter().filter(|p| *p == "［現戦略策定時（Ｒ３年度）の現状、課題］").count(), 6);
    assert_eq!(paras.iter().filter(|p| *p == "戦略策定後の取組状況").count(), 6);
    // The seed's figure, written from KPI 1's baseline and latest actual.
    assert!(paras.contains(&"申請手続のオンライン化を推進（Ｒ３．６（当初値）:877件→Ｒ５．３:5,403件）".to_string()));
    // Bullets are list paragraphs with a ○ numbering; the ○ is not in the text.
    let xml = docx_part(&out, "word/document.xml");
    let seed_bullets = seed::FUKUOKA_JSON.matches("\"○ ").count();
    assert_eq!(xml.matches("<w:numId w:val=\"2\" />").count(), seed_bullets);
    assert!(!paras
        .iter()
        .any(|p| p.starts_with('○') && !p.starts_with("○ フル") && !p.starts_with("○ 官民")));
    let numbering = docx_part(&out, "word/numbering.xml");
    assert!(
        numbering.contains("<w:numFmt w:val=\"bullet\" /><w:lvlText w:val=\"○\" />"),
        "{numbering}"
    );
    // Page numbers in the footer, a Japanese font, A4.
    let footer = (1..4)
        .filter_map(|i| std::panic::catch_unwind(|| docx_part(&out, &format!("word/footer{i}.xml"))).ok())
        .collect::<String>();
    assert!(footer.contains("PAGE"), "a PAGE field in the footer");
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\""), "A4");
    let styles = docx_part(&out, "word/styles.xml");
    assert!(styles.contains("w:eastAsia=\"ＭＳ 明朝\""), "a Japanese font");

    // The figure follows the data: a new actual, a new sentence.
    let mut store = Store::open(&db).unwrap();
    let id = store.resolve_plan(Some(FUKUOKA)).unwrap();
    let mut plan = store.load_plan(id).unwrap();
    plan.apply_changes(&[
        ("kpi[1].actual[2023]".into(), Some("6,210件".into())),
        ("kpi[1].actual[2023].as_of".into(), Some("2024-03-31".into())),
    ])
    .unwrap();
    store.save_plan(&plan, &Default::default()).unwrap();
    drop(store);
    ops::report(&db, Some(FUKUOKA), &out, None).unwrap();
    let paras = docx_paragraphs(&out, "word/document.xml");
    assert!(paras.contains(&"申請手続のオンライン化を推進（Ｒ３．６（当初値）:877件→Ｒ６．３:6,210件）".to_string()));
    // …and the year asked for quotes what was known then.
    ops::report(&db, Some(FUKUOKA), &out, Some(FiscalYear(2022))).unwrap();
    assert!(docx_paragraphs(&out, "word/document.xml")
        .iter()
        .any(|p| p.contains("877件→Ｒ５．３:5,403件")));
}

#[test]
fn a_report_with_a_broken_quote_is_refused_with_its_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let id = store.resolve_plan(Some(FUKUOKA)).unwrap();
    let mut plan = store.load_plan(id).unwrap();
    plan.apply_changes(&[("area[1].item[2].progress".into(), Some("○ 採用者数 {kpi:7}".into()))])
        .unwrap();
    store.save_plan(&plan, &Default::default()).unwrap();
    drop(store);
    let out = dir.path().join("r.docx");
    let e = ops::report(&db, Some(FUKUOKA), &out, None).unwrap_err();
    assert_eq!(e.to_string(), "２ 県庁行政事務の業務効率化: {kpi:7}: KPI 7 は計画にありません");
    assert!(!out.exists());
    let e = ops::report(&db, Some(OKAYAMA), &out, None).unwrap_err();
    assert!(e.to_string().contains("報告書を作れません"), "{e}");
}

#[test]
fn the_schedule_sheet_round_trips_through_export_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // The cases the seed lacks: a delayed span, a nation's span, a row without a group or note.
    let mut store = Store::open(&db).unwrap();
    let id = store.resolve_plan(Some(OKAYAMA)).unwrap();
    let mut plan = store.load_plan(id).unwrap();
    plan.schedule[4].progress = Some(Progress::Delayed);
    plan.schedule[5].actor = Actor::Nation;
    plan.schedule[5].note = Some("国の移行期限".into());
    plan.schedule[6].group = None;
    store.save_plan(&plan, &Default::default()).unwrap();
    drop(store);

    let out = dir.path().join("okayama.xlsx");
    ops::export(&db, Some(OKAYAMA), &out, None).unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert!(wb.sheet_names().contains(&"工程表".to_string()));
    let range = wb.worksheet_range("工程表").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text_of).collect()).collect();
    assert_eq!(
        &rows[3][..10],
        [
            "分野",
            "テーマ",
            "項目",
            "主体",
            "種別",
            "R3年度",
            "R4年度",
            "R5年度",
            "R6年度",
            "R7年度"
        ]
    );
    // A milestone is its mark and label in its year; a span its label in its first year.
    let row_of = |label: &str| {
        rows.iter()
            .position(|r| r.iter().any(|c| c == label))
            .unwrap_or_else(|| panic!("{label}"))
    };
    let r = row_of("★県証紙の廃止");
    assert_eq!(rows[r][7], "★県証紙の廃止");
    assert_eq!(
        (rows[r][3].as_str(), rows[r][4].as_str(), rows[r][10].as_str(), rows[r][11].as_str()),
        ("★県", "時点", "令和5年10月に廃止済", "完了")
    );
    let r = row_of("AI-OCR利用拡大");
    assert_eq!((rows[r][4].as_str(), rows[r][5].as_str()), ("期間", "AI-OCR利用拡大"));
    let merged = wb.merge_cells_by_sheet_name("工程表").unwrap();
    assert!(
        merged.iter().any(|m| m.start == (r as u32, 5) && m.end == (r as u32, 9)),
        "R3–R7 as one merged cell"
    );

    // Into a fresh database: the same schedule, row for row.
    let fresh = dir.path().join("fresh.db");
    ops::import(&fresh, &out, None, false).unwrap();
    let back = ops::load(&fresh, None).unwrap();
    assert_eq!(back.schedule, plan.schedule);
    assert_eq!(back.schedule.len(), seed::okayama_plan().unwrap().schedule.len());
    // Over the plan it came from: nothing changes.
    let report = ops::import(&db, &out, None, false).unwrap();
    assert_eq!(report.saved.fields_changed, 0);
}

#[test]
fn a_bad_schedule_sheet_is_refused_cell_by_cell_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("okayama.xlsx");
    ops::export(&db, Some(OKAYAMA), &out, None).unwrap();
    let rows: Vec<Vec<String>> = {
        let mut wb = calamine::open_workbook_auto(&out).unwrap();
        let range = wb.worksheet_range("工程表").unwrap();
        range.rows().map(|r| r.iter().map(text_of).collect()).collect()
    };
    let find = |label: &str| rows.iter().position(|r| r.iter().any(|c| c == label)).unwrap() + 1;
    let (ms, span, other) = (find("★県証紙の廃止"), find("AI-OCR利用拡大"), find("仕様確認等"));
    let mut pkg = Package::open(&out);
    pkg.set_text("工程表", &format!("D{ms}"), "市")
        .set_text("工程表", &format!("E{span}"), "時点")
        .set_text("工程表", &format!("J{other}"), "調達")
        .set_text("工程表", &format!("L{ms}"), "途中");
    pkg.save(&out);
    let before = std::fs::read(&db).unwrap();
    let e = ops::import(&db, &out, None, false).unwrap_err();
    let problems: HashMap<String, String> = e
        .problems()
        .into_iter()
        .map(|p| (format!("{}!{}", p.sheet, p.cell.unwrap_or_default()), p.message))
        .collect();
    let said = |cell: String, what: &str| {
        let m = problems.get(&cell).unwrap_or_else(|| panic!("{cell} not named: {problems:?}"));
        assert!(m.contains(what), "{cell}: {m}");
    };
    said(format!("工程表!D{ms}"), "主体「市」は ★県 か ●国 で入力してください");
    said(
        format!("工程表!F{span}"),
        "時点の取組は一つの年度に置きます。この取組は R3~R7 になっています",
    );
    said(format!("工程表!H{other}"), "1行の年度には一つの取組だけを書きます");
    said(format!("工程表!L{ms}"), "進捗「途中」は 完了 か 遅延 で入力してください");
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn the_chart_book_carries_the_schedule_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("book.pdf");
    let opts = shinchoku_core::chart::book::BookOptions {
        paper: shinchoku_core::chart::book::Paper::A4,
        per_page: 2,
        by: shinchoku_core::chart::book::GroupBy::Area,
        year: FiscalYear(2024),
        year_style: shinchoku_core::fy::YearStyle::Short,
        created: String::new(),
    };
    ops::chart_book(&db, Some(OKAYAMA), &out, &opts, None).unwrap();
    let text = pdf_text(&out);
    let flat: String = text.split_whitespace().collect();
    let plan = seed::okayama_plan().unwrap();
    // Every theme with rows has its heading, every activity its label.
    for r in &plan.schedule {
        let label: String = shinchoku_core::xlsx::schedule::milestone_text(r).split_whitespace().collect();
        let shown = if r.milestone { label } else { r.label.split_whitespace().collect() };
        assert!(flat.contains(&shown), "{shown}");
    }
    assert!(flat.contains("【主な取組スケジュール】(1)重点取組事項ア情報システムの標準化・共通化"));
    assert!(flat.contains("県証紙の廃止(完了)"));
    let info = pdf_info(&out);
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    // The cover, then one page per theme with rows (no KPIs in this plan).
    let themes: std::collections::BTreeSet<_> = plan.schedule.iter().map(|r| (&r.area, &r.item)).collect();
    assert_eq!(pages, 1 + themes.len());
    assert!(flat.contains(&format!("-{pages}/{pages}-")));
    let out2 = std::process::Command::new("pdfinfo")
        .args(["-f", "2", "-l", "2"])
        .arg(&out)
        .output()
        .unwrap();
    let page2 = String::from_utf8_lossy(&out2.stdout);
    assert!(page2.contains("841.89 x 595.28"), "landscape schedule pages: {page2}");
}

#[test]
fn the_app_opens_on_every_demo_plan() {
    // Plans without projects (Okayama) or with items and a KPI only (Fukuoka) are plans too.
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for id in 1..=4i64 {
        Store::open(&db).unwrap().set_current_plan(id).unwrap();
        let o = ops::app_overview(&db, None).unwrap();
        let plan = ops::load(&db, None).unwrap();
        assert_eq!(o.title, plan.title);
        let out = dir.path().join(format!("export{id}.xlsx"));
        ops::app_export(&db, &out, None, None).unwrap();
        let book = dir.path().join(format!("book{id}.pdf"));
        ops::app_chart_book(
            &db,
            &book,
            shinchoku_core::chart::book::Paper::A4,
            2,
            shinchoku_core::chart::book::GroupBy::Area,
        )
        .unwrap();
        assert!(std::fs::read(&book).unwrap().starts_with(b"%PDF-"));
    }
}
