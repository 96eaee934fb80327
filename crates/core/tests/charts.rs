//! KPI charts: what is drawn (data), SVG snapshots of typical KPIs, the font
//! covering every label, text large enough on an A4 half page, and real PNGs.
//! Snapshots are refreshed with `UPDATE_SNAPSHOTS=1 cargo test -p shinchoku-core --test charts`
//! (then look at them: `rsvg-convert` or a browser).

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use shinchoku_core::chart::{find_font, render_png, render_svg, ChartFont, KpiChart, TargetMark, HEIGHT_PX, WIDTH_PX};
use shinchoku_core::fy::{FiscalYear, YearStyle};
use shinchoku_core::model::Plan;
use shinchoku_core::seed;
use shinchoku_core::value::KpiValue;

const R5: FiscalYear = FiscalYear(2023);

fn font() -> ChartFont {
    find_font(None).expect("a Japanese font (scripts/setup.sh installs fonts-noto-cjk)")
}

fn chart(plan: &Plan, no: u32) -> KpiChart {
    KpiChart::of(plan, plan.kpi(no).unwrap(), R5, YearStyle::Short)
}

/// A plan with the cases the seed lacks: a year without a value between two
/// with, and a target that is only words.
fn varied_plan() -> Plan {
    let mut p = seed::fukushima_plan().unwrap();
    let k = p.kpis.iter_mut().find(|k| k.no == 3).unwrap();
    k.actuals.insert(
        FiscalYear(2022),
        shinchoku_core::model::Actual {
            value: KpiValue::new("20000").unwrap(),
            as_of: None,
        },
    );
    k.actuals.insert(
        FiscalYear(2025),
        shinchoku_core::model::Actual {
            value: KpiValue::new("90000").unwrap(),
            as_of: None,
        },
    );
    let k = p.kpis.iter_mut().find(|k| k.no == 7).unwrap();
    k.targets.insert(FiscalYear(2025), KpiValue::new("運用").unwrap());
    p
}

#[test]
fn what_a_chart_shows() {
    let p = varied_plan();
    // Increasing, with a gap: R6 has no actual, and is not drawn as zero.
    let c = chart(&p, 3);
    assert_eq!(
        c.years,
        vec![FiscalYear(2022), FiscalYear(2023), FiscalYear(2024), FiscalYear(2025)]
    );
    let years: Vec<i32> = c.actuals.iter().map(|a| a.0 .0).collect();
    assert_eq!(years, vec![2022, 2023, 2025]);
    assert_eq!(c.actuals[1].1, 64169.0);
    assert_eq!(c.baseline.as_ref().map(|b| b.0), Some(14442.0));
    assert!(c.subtitle.contains("※R6.3.31時点"), "{}", c.subtitle);
    assert!(c.subtitle.contains("○ (達成)"), "{}", c.subtitle);
    // Lower is better, said in the subtitle; the unit is kept.
    let c = chart(&p, 6);
    assert!(c.lower_is_better && c.subtitle.contains("低いほど良い"), "{}", c.subtitle);
    assert_eq!(c.unit.as_deref(), Some("百万枚"));
    // Qualified targets are thresholds with their words; words-only targets are text.
    let c = chart(&p, 16);
    assert!(c
        .targets
        .iter()
        .all(|(_, m)| matches!(m, TargetMark::Threshold(v, w) if *v == 100.0 && w == "ほぼ100%")));
    assert_eq!(c.actuals, vec![], "a worded actual is not a number");
    assert_eq!(c.actual_notes.len(), 1);
    let c = chart(&p, 12);
    assert!(matches!(&c.targets[0].1, TargetMark::Threshold(v, w) if *v == 4.0 && w == "4以上"));
    let c = chart(&p, 7);
    assert!(c.targets.iter().any(|(y, m)| y.0 == 2025 && *m == TargetMark::Text("運用".into())));
    // Cumulative KPIs say so.
    assert!(chart(&p, 17).title.ends_with("(累計)"));
    // A KPI shared by two projects names both divisions once.
    let c = chart(&p, 2);
    assert!(c.subtitle.starts_with("行政経営課、デジタル変革課"), "{}", c.subtitle);
}

#[test]
fn svg_snapshots() {
    let p = varied_plan();
    let f = font();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    // increasing with a gap, decreasing, qualified target, words target, shared KPI
    for no in [3, 6, 16, 7, 2] {
        let svg = render_svg(&chart(&p, no), &f, YearStyle::Short).unwrap();
        let path = dir.join(format!("kpi{no:02}.svg"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &svg).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with UPDATE_SNAPSHOTS=1", path.display()));
        assert!(
            svg == want,
            "KPI {no}: the SVG differs from {} (UPDATE_SNAPSHOTS=1 to accept, then look at it)",
            path.display()
        );
    }
}

#[test]
fn every_label_is_covered_by_the_font() {
    let f = font();
    for plan in seed::demo_plans().unwrap() {
        for k in &plan.kpis {
            for style in [YearStyle::Short, YearStyle::Long] {
                for t in KpiChart::of(&plan, k, plan.report_year, style).texts(style) {
                    assert!(f.covers(&t), "KPI {}: {t:?} has characters {} lacks", k.no, f.path.display());
                }
            }
        }
    }
}

/// Printed on an A4 half page (180 mm wide), no text is smaller than about 8 pt.
#[test]
fn text_is_readable_at_a4_half_page() {
    let f = font();
    let p = varied_plan();
    let mm_per_px = 180.0 / f64::from(WIDTH_PX);
    for k in &p.kpis {
        let svg = render_svg(&KpiChart::of(&p, k, R5, YearStyle::Short), &f, YearStyle::Short).unwrap();
        let sizes: Vec<f64> = svg
            .split("font-size=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect();
        assert!(sizes.len() > 10, "KPI {}: no text found", k.no);
        let smallest_pt = sizes.iter().copied().fold(f64::MAX, f64::min) * mm_per_px / 0.3528;
        assert!(smallest_pt >= 7.9, "KPI {}: text of {smallest_pt:.1} pt", k.no);
        assert!(
            !svg.contains("font-family=\"sans-serif\""),
            "KPI {}: a text without the Japanese font",
            k.no
        );
    }
}

#[test]
fn png_at_print_resolution() {
    let f = font();
    let p = seed::fukushima_plan().unwrap();
    let png = render_png(&chart(&p, 2), &f, YearStyle::Long, 300).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    let scale = 300.0 / 96.0;
    assert_eq!(img.width(), (f64::from(WIDTH_PX) * scale) as u32);
    assert_eq!(img.height(), (f64::from(HEIGHT_PX) * scale) as u32);
    // Both series' colours are on the page (targets blue, actuals vermillion), and ink is not everywhere.
    let count = |r: u8, g: u8, b: u8| img.pixels().filter(|p| p.0 == [r, g, b]).count();
    assert!(count(0x00, 0x72, 0xB2) > 500, "target series drawn");
    assert!(count(0xD5, 0x5E, 0x00) > 200, "actual series drawn");
    let white = count(255, 255, 255);
    assert!(white > img.pixels().len() / 2, "mostly white paper");
}

fn pdf_text(pdf: &std::path::Path, page: Option<u32>) -> String {
    let mut cmd = std::process::Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_pages(pdf: &std::path::Path) -> (u32, String) {
    let out = std::process::Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap().to_string();
    (pages, size)
}

/// The chart book read back: the cover, every KPI's title once, headings, page
/// numbers, the font embedded, and the pages rendered to PNG.
#[test]
fn chart_book_pdf_read_back() {
    use shinchoku_core::chart::book::{chart_book, BookOptions, GroupBy, Paper};
    let plan = seed::fukushima_plan().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (paper, per_page, by) in [
        (Paper::A4, 2, GroupBy::Area),
        (Paper::A3, 4, GroupBy::Department),
        (Paper::A4, 1, GroupBy::Area),
    ] {
        let opts = BookOptions {
            paper,
            per_page,
            by,
            year: R5,
            year_style: YearStyle::Short,
            created: "2026-11-21".into(),
        };
        let pdf = dir.path().join(format!("book-{per_page}.pdf"));
        std::fs::write(&pdf, chart_book(&plan, &font(), &opts).unwrap()).unwrap();
        let (pages, size) = pdf_pages(&pdf);
        let text = pdf_text(&pdf, None);
        for k in &plan.kpis {
            let title = format!("KPI {} {}", k.no, k.name);
            assert_eq!(text.matches(&title).count(), 1, "{title} once in the {per_page}-per-page book");
        }
        // pdftotext may drop the spaces of the page number on a large page.
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let cover = pdf_text(&pdf, Some(1));
        assert!(
            cover.contains("令和5年度 KPI推移グラフ集") && cover.contains(&plan.title) && cover.contains("R6.3.31"),
            "{cover}"
        );
        assert!(
            compact.contains(&format!("-2/{pages}-")) && compact.contains(&format!("-{pages}/{pages}-")),
            "page numbers of {pages} pages ({per_page} per page): {}",
            compact.chars().rev().take(80).collect::<String>()
        );
        match by {
            GroupBy::Area => assert!(text.contains("I-1 まず始めに実施すべき取組")),
            GroupBy::Department => assert!(text.contains("企画調整部") && text.contains("総務部")),
        }
        // The cover, then the charts' pages.
        let cover = 1;
        assert!(pages as usize >= cover + plan.kpis.len().div_ceil(per_page), "{pages} pages");
        match paper {
            Paper::A4 if per_page == 2 => assert!(size.contains("595.28 x 841.89"), "{size}"),
            Paper::A3 => assert!(size.contains("1190.55 x 841.89"), "{size}"),
            _ => assert!(size.contains("841.89 x 595.28"), "{size}"),
        }
        let fonts = std::process::Command::new("pdffonts").arg(&pdf).output().unwrap();
        let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
        assert!(fonts.lines().skip(2).all(|l| l.contains(" yes ")), "every font embedded: {fonts}");
        // Rendered as a person would see it.
        let png = dir.path().join(format!("page-{per_page}"));
        let ok = std::process::Command::new("pdftoppm")
            .args(["-r", "40", "-png", "-f", "2", "-l", "2"])
            .arg(&pdf)
            .arg(&png)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}
