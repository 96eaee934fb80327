//! The progress report (現戦略の取組状況, Fukuoka seed 000) as a Word document:
//! per area and item a heading, the situation and issues when the strategy was
//! made (現状、課題), then the progress since (取組状況) as sub-headings and ○
//! bullets. Figures in the text can be quoted from KPIs (`{kpi:1}` →
//! `877件→5,403件`), so they follow the data.

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, Footer, IndentLevel, Level, LevelJc, LevelText, LineSpacing, NumberFormat, Numbering,
    NumberingId, PageMargin, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style, StyleType,
};

use crate::fy::{AsOf, FiscalYear};
use crate::model::{Item, Kpi, Plan};

/// The Japanese font the document asks for (Word on a prefecture PC has it; other
/// readers substitute their own Mincho).
pub const FONT: &str = "ＭＳ 明朝";
pub const HEADING_FONT: &str = "ＭＳ ゴシック";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A `{kpi:…}` quote that cannot be written, named by item and quote.
    #[error("{item}: {quote}: {message}")]
    Quote { item: String, quote: String, message: String },
    #[error("この計画にはどの項目にも現状・課題・取組状況の文章がないため、報告書を作れません")]
    Empty,
    #[error("Wordの文書を書き出せませんでした: {0}")]
    Write(String),
}

/// One line of 取組状況: a sub-heading or a bullet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressLine {
    Heading(String),
    Bullet(String),
}

/// Splits an item's 取組状況 into sub-headings and bullets: a line starting with
/// ○, ◯ or ・ is a bullet (the mark is the document's, not the text's).
pub fn progress_lines(text: &str) -> Vec<ProgressLine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix(['○', '◯', '・']) {
            Some(rest) => ProgressLine::Bullet(rest.trim().to_string()),
            None => ProgressLine::Heading(l.to_string()),
        })
        .collect()
}

/// Writes the KPI quotes of a text for `year`:
/// - `{kpi:N}` — baseline → latest actual up to `year` (`877件→5,403件`);
/// - `{kpi:N:基準値}`, `{kpi:N:実績}` — one of them;
/// - `{kpi:N:実績時点}` — when the latest actual was measured (`Ｒ５．３`, or `Ｒ４年度`);
/// - `{kpi:N:基準年度}` — the baseline's year (`Ｒ３年度`).
pub fn expand_quotes(text: &str, plan: &Plan, year: FiscalYear, item: &str) -> Result<String, ReportError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{kpi:") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('}').ok_or_else(|| ReportError::Quote {
            item: item.to_string(),
            quote: after.chars().take(20).collect(),
            message: "引用の終わりの } がありません".into(),
        })?;
        let quote = &after[..=end];
        out.push_str(&quote_value(&after[5..end], plan, year).map_err(|message| ReportError::Quote {
            item: item.to_string(),
            quote: quote.to_string(),
            message,
        })?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn quote_value(spec: &str, plan: &Plan, year: FiscalYear) -> Result<String, String> {
    let (no, what) = spec.split_once(':').unwrap_or((spec, ""));
    let no: u32 = no.trim().parse().map_err(|_| format!("「{no}」はKPI番号ではありません"))?;
    let kpi = plan.kpi(no).ok_or_else(|| format!("KPI {no} は計画にありません"))?;
    let baseline = || {
        kpi.baseline
            .as_ref()
            .map(|b| b.text().to_string())
            .ok_or_else(|| format!("KPI {no} には基準値がありません"))
    };
    let latest = latest_actual(kpi, year);
    let actual = || {
        latest
            .map(|(_, v, _)| v.to_string())
            .ok_or_else(|| format!("KPI {no} には{}までの実績値がありません", year.long()))
    };
    match what {
        "" => Ok(format!("{}→{}", baseline()?, actual()?)),
        "基準値" => baseline(),
        "実績" => actual(),
        "実績時点" => {
            let (fy, _, as_of) = latest.ok_or_else(|| format!("KPI {no} には{}までの実績値がありません", year.long()))?;
            Ok(match as_of {
                Some(a) => month_label(a),
                None => full_width(&format!("{}年度", fy.short())),
            })
        }
        "基準年度" => kpi
            .baseline_year
            .map(|y| full_width(&format!("{}年度", y.short())))
            .ok_or_else(|| format!("KPI {no} には基準年度がありません")),
        other => Err(format!(
            "「{other}」は引用の種類ではありません。{{kpi:N}} のほか、基準値・実績・実績時点・基準年度が使えます"
        )),
    }
}

/// The latest actual of a KPI up to `year`: (year, text, as-of).
fn latest_actual(kpi: &Kpi, year: FiscalYear) -> Option<(FiscalYear, &str, Option<AsOf>)> {
    kpi.actuals.range(..=year).next_back().map(|(y, a)| (*y, a.value.text(), a.as_of))
}

/// `Ｒ５．３`: a year and month as such documents write them.
fn month_label(a: AsOf) -> String {
    let era = FiscalYear(a.year).short();
    full_width(&format!("{era}.{}", a.month))
}

/// ASCII letters, digits and dots in their full-width forms (`R5.3` → `Ｒ５．３`).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' | '.' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// What the document says, before it is typeset: the checks and quotes done once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportItem {
    pub area: String,
    pub heading: String,
    pub situation: Vec<String>,
    pub progress: Vec<ProgressLine>,
}

/// The report's content for `year`: every item with a situation or progress, in plan order.
pub fn report_items(plan: &Plan, year: FiscalYear) -> Result<Vec<ReportItem>, ReportError> {
    let mut out = Vec::new();
    for a in &plan.areas {
        let area = match &a.name {
            Some(n) => format!("○ {n}"),
            None => format!("○ {}", a.code),
        };
        for it in &a.items {
            if it.situation.is_none() && it.progress.is_none() {
                continue;
            }
            let heading = item_heading(it);
            let situation = match &it.situation {
                Some(s) => expand_quotes(s, plan, year, &heading)?
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                None => Vec::new(),
            };
            let progress = match &it.progress {
                Some(p) => progress_lines(&expand_quotes(p, plan, year, &heading)?),
                None => Vec::new(),
            };
            out.push(ReportItem {
                area: area.clone(),
                heading,
                situation,
                progress,
            });
        }
    }
    if out.is_empty() {
        return Err(ReportError::Empty);
    }
    Ok(out)
}

fn item_heading(it: &Item) -> String {
    let code = full_width(&it.code);
    match &it.name {
        Some(n) => format!("{code} {n}"),
        None => code,
    }
}

/// The progress report as .docx bytes: A4 portrait, a Japanese font, headings per
/// area and item, the two sections, bullets, and page numbers in the footer.
pub fn progress_report(plan: &Plan, year: FiscalYear) -> Result<Vec<u8>, ReportError> {
    docx(plan, &report_items(plan, year)?)
}

/// The report's items (from [`report_items`]) typeset as .docx bytes.
pub fn docx(plan: &Plan, items: &[ReportItem]) -> Result<Vec<u8>, ReportError> {
    let strategy_year = plan.period.map(|(a, _)| FiscalYear(a.0 - 1)).unwrap_or(plan.report_year);
    let situation_label = format!("［現戦略策定時（{}年度）の現状、課題］", full_width(&strategy_year.short()));
    let fonts = || RunFonts::new().east_asia(FONT).ascii(FONT).hi_ansi(FONT);
    let gothic = || RunFonts::new().east_asia(HEADING_FONT).ascii(HEADING_FONT).hi_ansi(HEADING_FONT);
    // docx-rs brings a numbering of its own as number 1.
    const BULLETS: usize = 2;
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1701).bottom(1418).left(1418).right(1418).footer(567))
        .default_fonts(fonts())
        .default_size(21)
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .fonts(gothic())
                .size(28)
                .bold()
                .outline_lvl(0),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("heading 2")
                .fonts(gothic())
                .size(24)
                .bold()
                .outline_lvl(1),
        )
        .add_style(
            Style::new("Heading3", StyleType::Paragraph)
                .name("heading 3")
                .fonts(gothic())
                .size(21)
                .outline_lvl(2),
        )
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("○"),
                    LevelJc::new("left"),
                )
                .indent(Some(630), Some(SpecialIndentType::Hanging(420)), None, None),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .footer(Footer::new().add_paragraph(Paragraph::new().add_page_num(PageNum::new()).align(AlignmentType::Center)));
    let text = |t: &str| Run::new().add_text(t);
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(text(&plan.report_title()).size(28).bold().fonts(gothic()))
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(240)),
    );
    if !plan.organization.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(text(&plan.organization)).align(AlignmentType::Right));
    }
    let mut last_area = None;
    for it in items {
        if last_area != Some(&it.area) {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(text(&it.area))
                    .style("Heading1")
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(240).after(120)),
            );
            last_area = Some(&it.area);
        }
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(text(&it.heading))
                .style("Heading2")
                .keep_next(true)
                .line_spacing(LineSpacing::new().before(200).after(80)),
        );
        if !it.situation.is_empty() {
            doc = doc.add_paragraph(Paragraph::new().add_run(text(&situation_label).bold()).keep_next(true));
            for s in &it.situation {
                doc = doc.add_paragraph(Paragraph::new().add_run(text(s)).indent(
                    Some(210),
                    Some(SpecialIndentType::FirstLine(210)),
                    None,
                    None,
                ));
            }
        }
        if !it.progress.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(text("戦略策定後の取組状況").bold().fonts(gothic()))
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(160).after(60)),
            );
            for line in &it.progress {
                doc = match line {
                    ProgressLine::Heading(h) => doc.add_paragraph(Paragraph::new().add_run(text(h)).style("Heading3").keep_next(true)),
                    ProgressLine::Bullet(b) => doc.add_paragraph(
                        Paragraph::new()
                            .add_run(text(b))
                            .numbering(NumberingId::new(BULLETS), IndentLevel::new(0)),
                    ),
                };
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| ReportError::Write(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn quotes_follow_the_data() {
        let mut p = seed::fukuoka_plan().unwrap();
        let y = p.report_year;
        assert_eq!(expand_quotes("{kpi:1}", &p, y, "x").unwrap(), "877件→5,403件");
        assert_eq!(expand_quotes("({kpi:1:実績時点})", &p, y, "x").unwrap(), "(Ｒ５．３)");
        assert_eq!(expand_quotes("{kpi:1:基準年度}", &p, y, "x").unwrap(), "Ｒ３年度");
        let k = p.kpis.iter_mut().find(|k| k.no == 1).unwrap();
        k.actuals.insert(
            FiscalYear(2023),
            crate::model::Actual {
                value: crate::value::KpiValue::new("6,100件").unwrap(),
                as_of: None,
            },
        );
        assert_eq!(expand_quotes("{kpi:1}", &p, y, "x").unwrap(), "877件→6,100件");
        assert_eq!(expand_quotes("{kpi:1:実績時点}", &p, y, "x").unwrap(), "Ｒ５年度");
        // An earlier year quotes what was known then.
        assert_eq!(expand_quotes("{kpi:1}", &p, FiscalYear(2022), "x").unwrap(), "877件→5,403件");
    }

    #[test]
    fn a_bad_quote_is_named() {
        let p = seed::fukuoka_plan().unwrap();
        let y = p.report_year;
        for (text, said) in [
            ("{kpi:9}", "KPI 9 は計画にありません"),
            ("{kpi:1:目標}", "は引用の種類ではありません"),
            ("{kpi:1", "終わりの } がありません"),
            ("{kpi:x}", "はKPI番号ではありません"),
        ] {
            let e = expand_quotes(text, &p, y, "１ 県庁行政手続のオンライン化").unwrap_err().to_string();
            assert!(e.starts_with("１ 県庁行政手続のオンライン化: "), "{e}");
            assert!(e.contains(said), "{text}: {e}");
        }
        assert!(expand_quotes("{kpi:1}", &p, FiscalYear(2021), "x")
            .unwrap_err()
            .to_string()
            .contains("令和3年度までの実績値がありません"));
    }

    #[test]
    fn progress_lines_are_headings_and_bullets() {
        let l = progress_lines("（１）申請\n○ 刷新\n◯ 整備\n\n・導入");
        assert_eq!(
            l,
            vec![
                ProgressLine::Heading("（１）申請".into()),
                ProgressLine::Bullet("刷新".into()),
                ProgressLine::Bullet("整備".into()),
                ProgressLine::Bullet("導入".into()),
            ]
        );
    }
}
