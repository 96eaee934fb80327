//! The chart book (グラフ集) for meetings: a PDF with a cover, the KPI charts
//! grouped by area or department under their headings, page numbers, the
//! Japanese font embedded and the charts as vectors (the same SVG, drawn by
//! krilla-svg). No PDF syntax is written by hand.

use std::sync::Arc;

use krilla::geom::{Point, Size, Transform};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use super::{render_svg, ChartError, ChartFont, KpiChart, HEIGHT_PX, WIDTH_PX};
use crate::fy::{FiscalYear, YearStyle};
use crate::model::{Kpi, Plan};

/// Paper of the chart book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

/// How charts are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Area,
    Department,
}

#[derive(Debug, Clone)]
pub struct BookOptions {
    pub paper: Paper,
    /// 1, 2 or 4 charts per page.
    pub per_page: usize,
    pub by: GroupBy,
    pub year: FiscalYear,
    pub year_style: YearStyle,
    /// Shown on the cover (作成日).
    pub created: String,
}

/// A group of charts under one heading.
struct Group<'a> {
    heading: String,
    kpis: Vec<&'a Kpi>,
}

/// KPIs grouped by the area (or department) of the first project that lists them,
/// in plan order; KPIs no project lists come last.
fn groups<'a>(plan: &'a Plan, by: GroupBy) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    let mut placed = std::collections::HashSet::new();
    for p in plan.projects() {
        let heading = match by {
            GroupBy::Area => {
                let name = plan.area(&p.area).and_then(|a| a.name.clone()).unwrap_or_default();
                format!("{} {}", p.area, name).trim().to_string()
            }
            GroupBy::Department => p
                .owners
                .iter()
                .find_map(|o| o.department.clone())
                .unwrap_or_else(|| "担当部なし".into()),
        };
        for r in &p.kpis {
            let Some(k) = plan.kpi(r.no) else { continue };
            if !placed.insert(k.no) {
                continue;
            }
            match out.iter_mut().find(|g| g.heading == heading) {
                Some(g) => g.kpis.push(k),
                None => out.push(Group {
                    heading: heading.clone(),
                    kpis: vec![k],
                }),
            }
        }
    }
    let rest: Vec<&Kpi> = plan.kpis.iter().filter(|k| !placed.contains(&k.no)).collect();
    if !rest.is_empty() {
        out.push(Group {
            heading: "その他の指標".into(),
            kpis: rest,
        });
    }
    out
}

/// Page size in points and where the charts go: `(x, y, width)` per slot.
fn layout(paper: Paper, per_page: usize) -> (f32, f32, Vec<(f32, f32, f32)>) {
    let (short, long) = match paper {
        Paper::A4 => (595.28f32, 841.89f32),
        Paper::A3 => (841.89, 1190.55),
    };
    let margin: f32 = 36.0;
    let top: f32 = 64.0; // heading
    let aspect = HEIGHT_PX as f32 / WIDTH_PX as f32;
    match per_page {
        1 => {
            let (w, h) = (long, short);
            let cw = (w - 2.0 * margin).min((h - top - margin - 20.0) / aspect);
            (w, h, vec![((w - cw) / 2.0, top, cw)])
        }
        2 => {
            let (w, h) = (short, long);
            let avail = (h - top - margin - 20.0 - 16.0) / 2.0;
            let cw = (w - 2.0 * margin).min(avail / aspect);
            let x = (w - cw) / 2.0;
            (w, h, vec![(x, top, cw), (x, top + cw * aspect + 16.0, cw)])
        }
        _ => {
            let (w, h) = (long, short);
            let cw = ((w - 2.0 * margin - 16.0) / 2.0).min((h - top - margin - 20.0 - 16.0) / 2.0 / aspect);
            let ch = cw * aspect;
            let x0 = (w - 2.0 * cw - 16.0) / 2.0;
            (
                w,
                h,
                vec![
                    (x0, top, cw),
                    (x0 + cw + 16.0, top, cw),
                    (x0, top + ch + 16.0, cw),
                    (x0 + cw + 16.0, top + ch + 16.0, cw),
                ],
            )
        }
    }
}

/// The smallest chart text, in points, of a paper and charts per page: the
/// chart's smallest text is 10.9 px on its 680 px width.
pub fn smallest_text_pt(paper: Paper, per_page: usize) -> f32 {
    let (_, _, slots) = layout(paper, per_page);
    let width = slots.iter().map(|s| s.2).fold(f32::MAX, f32::min);
    super::SMALLEST_TEXT_PX * width / WIDTH_PX as f32
}

/// The font embedded in the PDF for its own text, and the SVG options that draw the
/// charts with the same font.
fn fonts(font: &ChartFont) -> Result<(Font, Arc<usvg::Options<'static>>), ChartError> {
    let pdf_font = Font::new(font.bytes.to_vec().into(), 0).ok_or_else(|| ChartError::Draw("フォントを埋め込めません".into()))?;
    let mut svg_opts = usvg::Options {
        font_family: font.family.clone(),
        ..Default::default()
    };
    svg_opts.fontdb_mut().load_font_data(font.bytes.to_vec());
    Ok((pdf_font, Arc::new(svg_opts)))
}

/// What every page of charts shares: the plan, the fonts and the layout.
struct Sheet<'a> {
    plan: &'a Plan,
    font: &'a ChartFont,
    pdf_font: &'a Font,
    svg_opts: &'a Arc<usvg::Options<'static>>,
    year: FiscalYear,
    year_style: YearStyle,
    derived: &'a std::collections::HashMap<u32, Vec<String>>,
    size: (f32, f32),
    slots: &'a [(f32, f32, f32)],
}

impl Sheet<'_> {
    /// One page: the heading (and a note at the right, such as the date), the charts in
    /// their slots, and the page number at the foot.
    fn page(&self, doc: &mut Document, heading: &str, note: Option<&str>, kpis: &[&Kpi], number: &str) -> Result<(), ChartError> {
        let (pw, ph) = self.size;
        let settings = PageSettings::from_wh(pw, ph).ok_or_else(|| ChartError::Draw("用紙の大きさ".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        s.draw_text(
            Point::from_xy(36.0, 40.0),
            self.pdf_font.clone(),
            14.0,
            heading,
            false,
            TextDirection::Auto,
        );
        if let Some(note) = note {
            let width = crate::text::display_width(note) as f32 * 5.0;
            s.draw_text(
                Point::from_xy(pw - 36.0 - width, 40.0),
                self.pdf_font.clone(),
                10.0,
                note,
                false,
                TextDirection::Auto,
            );
        }
        for (k, (x, y, w)) in kpis.iter().zip(self.slots.iter()) {
            let chart = KpiChart::with_divisions(self.plan, k, self.year, self.year_style, self.derived);
            let svg = render_svg(&chart, self.font, self.year_style)?;
            let tree = usvg::Tree::from_str(&svg, self.svg_opts).map_err(|e| ChartError::Draw(e.to_string()))?;
            let h = w * HEIGHT_PX as f32 / WIDTH_PX as f32;
            s.push_transform(&Transform::from_translate(*x, *y));
            s.draw_svg(
                &tree,
                Size::from_wh(*w, h).ok_or_else(|| ChartError::Draw("グラフの大きさ".into()))?,
                SvgSettings::default(),
            )
            .ok_or_else(|| ChartError::Draw(format!("KPI {} のグラフをPDFに描けませんでした", k.no)))?;
            s.pop();
        }
        let width = number.chars().count() as f32 * 5.0;
        s.draw_text(
            Point::from_xy(pw / 2.0 - width / 2.0, ph - 20.0),
            self.pdf_font.clone(),
            10.0,
            number,
            false,
            TextDirection::Auto,
        );
        s.finish();
        page.finish();
        Ok(())
    }
}

/// What 印刷 in the app prints: the charts on screen under their heading, with the
/// date printed (in 和暦) and page numbers; A4 portrait, two charts to a page.
pub fn chart_print(
    plan: &Plan,
    font: &ChartFont,
    kpis: &[&Kpi],
    heading: &str,
    printed: &str,
    year: FiscalYear,
    year_style: YearStyle,
) -> Result<Vec<u8>, ChartError> {
    let (pw, ph, slots) = layout(Paper::A4, 2);
    let (pdf_font, svg_opts) = fonts(font)?;
    let derived = super::derived_divisions(plan);
    let sheet = Sheet {
        plan,
        font,
        pdf_font: &pdf_font,
        svg_opts: &svg_opts,
        year,
        year_style,
        derived: &derived,
        size: (pw, ph),
        slots: &slots,
    };
    let mut doc = Document::new();
    let pages: Vec<&[&Kpi]> = kpis.chunks(2).collect();
    let total = pages.len().max(1);
    let note = format!("{}  印刷 {printed}", plan.title);
    if pages.is_empty() {
        sheet.page(&mut doc, heading, Some(&note), &[], "- 1 / 1 -")?;
    }
    for (i, chunk) in pages.iter().enumerate() {
        sheet.page(&mut doc, heading, Some(&note), chunk, &format!("- {} / {total} -", i + 1))?;
    }
    doc.finish().map_err(|e| ChartError::Draw(format!("{e:?}")))
}

/// The chart book as PDF bytes. Layouts whose text would print smaller than
/// about 8 pt (4 charts on A4) are refused with what to choose instead.
pub fn chart_book(plan: &Plan, font: &ChartFont, opts: &BookOptions) -> Result<Vec<u8>, ChartError> {
    let per_page = match opts.per_page {
        1 | 2 | 4 => opts.per_page,
        _ => 2,
    };
    let pt = smallest_text_pt(opts.paper, per_page);
    if pt < 7.9 {
        return Err(ChartError::Layout(format!(
            "この用紙に1ページ {per_page} 枚のグラフでは文字が {pt:.1} ポイントになり、小さすぎて読めません。用紙をA3にするか、1ページ2枚にしてください"
        )));
    }
    let (pw, ph, slots) = layout(opts.paper, per_page);
    let (pdf_font, svg_opts) = fonts(font)?;

    // Pages: the cover, then per group its charts in slots.
    let groups = groups(plan, opts.by);
    let mut pages: Vec<(String, Vec<&Kpi>)> = Vec::new();
    for g in &groups {
        for chunk in g.kpis.chunks(per_page) {
            pages.push((g.heading.clone(), chunk.to_vec()));
        }
    }
    // The 工程表 after the charts, on the book's paper turned landscape.
    let (long, short) = if pw > ph { (pw, ph) } else { (ph, pw) };
    let mut schedule = super::schedule::schedule_pages(plan, (long, short));
    let total = pages.len() + 1 + schedule.len();
    let derived = super::derived_divisions(plan);
    let mut doc = Document::new();
    let settings = || PageSettings::from_wh(pw, ph).ok_or_else(|| ChartError::Draw("用紙の大きさ".into()));

    // Cover.
    {
        let mut page = doc.start_page_with(settings()?);
        let mut s = page.surface();
        let line = |s: &mut krilla::surface::Surface<'_>, y: f32, size: f32, text: &str| {
            s.draw_text(Point::from_xy(56.0, y), pdf_font.clone(), size, text, false, TextDirection::Auto);
        };
        line(&mut s, ph * 0.30, 14.0, &plan.organization);
        line(&mut s, ph * 0.30 + 30.0, 20.0, &plan.title);
        line(&mut s, ph * 0.30 + 70.0, 26.0, &format!("{} KPI推移グラフ集", opts.year.long()));
        if let Some(a) = plan.as_of.filter(|a| a.fiscal_year() == opts.year) {
            line(&mut s, ph * 0.30 + 110.0, 13.0, &format!("実績値は{}時点", a.short()));
        }
        let by = match opts.by {
            GroupBy::Area => "分野別",
            GroupBy::Department => "部局別",
        };
        line(&mut s, ph * 0.30 + 134.0, 13.0, &format!("指標 {} 件({by})", plan.kpis.len()));
        if !plan.schedule.is_empty() {
            line(&mut s, ph * 0.30 + 156.0, 13.0, &format!("工程表 {} 件の取組", plan.schedule.len()));
        }
        line(&mut s, ph - 60.0, 11.0, &format!("作成: {}", opts.created));
        s.finish();
        page.finish();
    }
    let sheet = Sheet {
        plan,
        font,
        pdf_font: &pdf_font,
        svg_opts: &svg_opts,
        year: opts.year,
        year_style: opts.year_style,
        derived: &derived,
        size: (pw, ph),
        slots: &slots,
    };
    for (i, (heading, kpis)) in pages.iter().enumerate() {
        sheet.page(&mut doc, heading, None, kpis, &format!("- {} / {total} -", i + 2))?;
    }
    let drawing = super::page::Drawing::new(font);
    let first = pages.len() + 2;
    for (i, p) in schedule.iter_mut().enumerate() {
        let (w, h) = (p.width, p.height);
        p.text(
            w / 2.0,
            h - 20.0,
            &format!("- {} / {total} -", first + i),
            super::page::Style::new(10.0).anchor("middle"),
        );
        drawing.add(&mut doc, p, first + i)?;
    }
    doc.finish().map_err(|e| ChartError::Draw(format!("{e:?}")))
}
