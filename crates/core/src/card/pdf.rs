//! Project cards as a print-ready PDF: A4 portrait, the KPI tables on the left
//! with each KPI's trend chart beside its table, then 課題とアクション, 取組内容
//! and 予算. Blocks are never split across pages; every page carries the card's
//! title and a page number.

use std::collections::HashMap;

use super::{mismatch_note, yen, Card, KpiTable, YearSection};
use crate::chart::page::{pdf, wrap, Page, Style, A4};
use crate::chart::{render_svg, ChartError, ChartFont, KpiChart, HEIGHT_PX, WIDTH_PX};
use crate::fy::YearStyle;
use crate::model::Plan;

const MARGIN: f32 = 40.0;
const TOP: f32 = 62.0;
const BOTTOM: f32 = A4.1 - 44.0;
const WIDTH: f32 = A4.0 - 2.0 * MARGIN;
/// The KPI table's width when a chart stands beside it.
const TABLE_WITH_CHART: f32 = 318.0;
const CHART_WIDTH: f32 = WIDTH - TABLE_WITH_CHART - 12.0;
const LABEL_COL: f32 = 34.0;

const BODY: Style = Style::new(9.0);
const SMALL: Style = Style::new(8.0);
const HEAD: Style = Style::new(10.5);
const GRAY: &str = "#f0f0f0";
const BLUE: &str = "#ddebf7";
const RULE: &str = "#7f7f7f";

/// Pages of cards being laid out: a cursor that moves down and starts a new
/// page when a block does not fit.
struct Flow<'a> {
    pages: Vec<Page>,
    y: f32,
    title: &'a str,
}

impl<'a> Flow<'a> {
    fn new_page(&mut self) {
        let mut p = Page::new(A4);
        p.text(MARGIN, 34.0, self.title, SMALL.color("#555555"));
        p.line(MARGIN, 40.0, A4.0 - MARGIN, 40.0, RULE, 0.5);
        self.pages.push(p);
        self.y = TOP;
    }

    /// Draws a block of the height `draw` reports, on a new page when it does not fit here.
    fn place(&mut self, draw: impl Fn(&mut Page, f32) -> f32) {
        let h = draw(&mut Page::new(A4), 0.0);
        if self.pages.is_empty() || (self.y + h > BOTTOM && self.y > TOP) {
            self.new_page();
        }
        let y = self.y;
        let page = self.pages.last_mut().expect("a page was started");
        let used = draw(page, y);
        self.y += used;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }
}

/// The cards as PDF bytes.
pub fn cards_pdf(plan: &Plan, cards: &[Card], font: &ChartFont) -> Result<Vec<u8>, ChartError> {
    let derived: HashMap<u32, Vec<String>> = crate::chart::derived_divisions(plan);
    let mut all: Vec<Page> = Vec::new();
    for c in cards {
        let mut charts: HashMap<u32, String> = HashMap::new();
        for t in c.groups.iter().flat_map(|g| &g.tables).filter(|t| t.chartable) {
            if let Some(k) = plan.kpi(t.no) {
                let chart = KpiChart::with_divisions(plan, k, c.year, YearStyle::Short, &derived);
                charts.insert(t.no, render_svg(&chart, font, YearStyle::Short)?);
            }
        }
        let mut flow = Flow {
            pages: Vec::new(),
            y: TOP,
            title: &c.title,
        };
        lay_out(&mut flow, c, &charts);
        all.extend(flow.pages);
    }
    let total = all.len();
    for (i, p) in all.iter_mut().enumerate() {
        p.text(A4.0 / 2.0, A4.1 - 22.0, &format!("- {} / {total} -", i + 1), SMALL.anchor("middle"));
    }
    pdf(&all, font)
}

fn lay_out(flow: &mut Flow<'_>, c: &Card, charts: &HashMap<u32, String>) {
    flow.place(|p, y| {
        let mut h = p.para(MARGIN, y, WIDTH, &c.title, Style::new(16.0).bold()) + 6.0;
        for (label, text) in &c.positioning {
            h += p.para(MARGIN, y + h, WIDTH, &format!("{label}: {text}"), BODY);
        }
        if !c.contents.is_empty() {
            h += 4.0;
            h += p.para(MARGIN, y + h, WIDTH, "プロジェクトの内容", BODY.bold());
            for l in &c.contents {
                h += p.para(MARGIN + 8.0, y + h, WIDTH - 8.0, l, BODY);
            }
        }
        h + 10.0
    });
    flow.place(|p, y| {
        p.rect(MARGIN, y, WIDTH, 18.0, BLUE, None);
        p.text(MARGIN + 6.0, y + 13.0, "主な指標及び工程", HEAD.bold());
        if let Some(n) = &c.actuals_note {
            p.text(A4.0 - MARGIN - 6.0, y + 13.0, n, SMALL.anchor("end"));
        }
        24.0
    });
    for g in &c.groups {
        for (i, t) in g.tables.iter().enumerate() {
            // A CSF heading stays with its first table.
            let heading = if i == 0 { g.heading.as_deref() } else { None };
            let chart = charts.get(&t.no);
            flow.place(|p, y| {
                let mut h = 0.0;
                if let Some(hd) = heading {
                    h += p.para(MARGIN, y + 2.0, WIDTH, &format!("□ {hd}"), HEAD.bold()) + 6.0;
                }
                h + kpi_block(p, y + h, c, t, chart)
            });
        }
    }
    if !c.actions.is_empty() {
        flow.gap(6.0);
        flow.place(|p, y| {
            p.rect(MARGIN, y, WIDTH, 18.0, BLUE, None);
            p.text(MARGIN + 6.0, y + 13.0, "課題とアクション", HEAD.bold());
            let (no_w, issue_w) = (20.0, 210.0);
            let act_w = WIDTH - no_w - issue_w;
            let mut yy = y + 22.0;
            p.rect(MARGIN, yy, WIDTH, 15.0, GRAY, Some(RULE));
            p.text(MARGIN + no_w + issue_w / 2.0, yy + 11.0, "課題", BODY.bold().anchor("middle"));
            p.text(
                MARGIN + no_w + issue_w + act_w / 2.0,
                yy + 11.0,
                "アクション",
                BODY.bold().anchor("middle"),
            );
            yy += 15.0;
            for (i, a) in c.actions.iter().enumerate() {
                let issue_h = wrap(&a.issue, issue_w - 8.0, BODY.size).len() as f32 * BODY.size * 1.45 + 8.0;
                let heights: Vec<f32> = a
                    .actions
                    .iter()
                    .map(|t| wrap(t, act_w - 8.0, BODY.size).len() as f32 * BODY.size * 1.45 + 8.0)
                    .collect();
                let total = issue_h.max(heights.iter().sum());
                p.rect(MARGIN, yy, no_w, total, "none", Some(RULE));
                p.text(MARGIN + no_w / 2.0, yy + 13.0, &(i + 1).to_string(), BODY.anchor("middle"));
                p.rect(MARGIN + no_w, yy, issue_w, total, "none", Some(RULE));
                p.para(MARGIN + no_w + 4.0, yy + 3.0, issue_w - 8.0, &a.issue, BODY);
                let mut ay = yy;
                let n = heights.len();
                for (j, (t, ah)) in a.actions.iter().zip(&heights).enumerate() {
                    // The last action takes what is left of the row.
                    let h = if j + 1 == n { total - (ay - yy) } else { *ah };
                    p.rect(MARGIN + no_w + issue_w, ay, act_w, h, "none", Some(RULE));
                    p.para(MARGIN + no_w + issue_w + 4.0, ay + 3.0, act_w - 8.0, t, BODY);
                    ay += h;
                }
                yy += total;
            }
            yy - y + 10.0
        });
    }
    for s in &c.sections {
        year_section(flow, s);
    }
}

/// One KPI: heading, 担当課, the 目標/実績 table and footnotes; the chart beside it.
fn kpi_block(p: &mut Page, y: f32, c: &Card, t: &KpiTable, chart: Option<&String>) -> f32 {
    let table_w = if chart.is_some() { TABLE_WITH_CHART } else { WIDTH };
    let mark = if t.is_kgi { "◆" } else { "▶" };
    let mut h = p.para(MARGIN, y, table_w, &format!("{mark} {}", t.heading), BODY.bold()) + 2.0;
    if !t.divisions.is_empty() {
        h += p.para(
            MARGIN + 8.0,
            y + h,
            table_w - 8.0,
            &format!("担当課:{}", t.divisions.join("、")),
            SMALL,
        );
    }
    h += 3.0;
    let n = c.years.len().max(1) as f32;
    let col = (table_w - LABEL_COL) / n;
    // Header row.
    p.rect(MARGIN, y + h, table_w, 14.0, GRAY, Some(RULE));
    for (i, yr) in c.years.iter().enumerate() {
        let x = MARGIN + LABEL_COL + col * i as f32;
        p.line(x, y + h, x, y + h + 14.0, RULE, 0.6);
        p.text(x + col / 2.0, y + h + 10.0, &yr.long(), SMALL.anchor("middle"));
    }
    h += 14.0;
    for (label, cells) in [("目標", &t.targets), ("実績", &t.actuals)] {
        let row_h = cells
            .iter()
            .map(|cell| wrap(&cell.text, col * cell.span as f32 - 6.0, SMALL.size).len())
            .max()
            .unwrap_or(1) as f32
            * SMALL.size
            * 1.45
            + 6.0;
        p.rect(MARGIN, y + h, LABEL_COL, row_h, GRAY, Some(RULE));
        p.text(
            MARGIN + LABEL_COL / 2.0,
            y + h + row_h / 2.0 + 3.0,
            label,
            SMALL.bold().anchor("middle"),
        );
        let mut x = MARGIN + LABEL_COL;
        for cell in cells {
            let w = col * cell.span as f32;
            p.rect(x, y + h, w, row_h, "none", Some(RULE));
            let lines = wrap(&cell.text, w - 6.0, SMALL.size).len() as f32;
            let top = y + h + (row_h - lines * SMALL.size * 1.45) / 2.0 - 1.0;
            p.para(x + 3.0, top, w - 6.0, &cell.text, SMALL.anchor("middle"));
            x += w;
        }
        h += row_h;
    }
    h += 3.0;
    for f in &t.footnotes {
        h += p.para(MARGIN + 4.0, y + h, table_w - 4.0, f, SMALL);
    }
    if let Some(svg) = chart {
        let ch = CHART_WIDTH * HEIGHT_PX as f32 / WIDTH_PX as f32;
        p.chart(svg.clone(), A4.0 - MARGIN - CHART_WIDTH, y, CHART_WIDTH);
        h = h.max(ch);
    }
    h + 10.0
}

fn year_section(flow: &mut Flow<'_>, s: &YearSection) {
    flow.gap(6.0);
    flow.place(|p, y| {
        p.rect(MARGIN, y, WIDTH, 18.0, BLUE, None);
        p.text(MARGIN + 6.0, y + 13.0, &s.heading, HEAD.bold());
        if s.activities.is_empty() {
            return 24.0;
        }
        p.text(MARGIN, y + 36.0, "■ 主な取組", BODY.bold());
        40.0
    });
    for a in &s.activities {
        flow.place(|p, y| {
            let mut h = p.para(MARGIN + 8.0, y, WIDTH - 8.0, &format!("▶ {}", a.title), BODY.bold());
            h += p.para(MARGIN + 20.0, y + h, WIDTH - 20.0, &format!("・{}", a.text), BODY);
            if let Some(n) = &a.footnote {
                h += p.para(MARGIN + 20.0, y + h, WIDTH - 20.0, n, SMALL);
            }
            h + 6.0
        });
    }
    if s.budget.is_none() && s.budget_lines.is_empty() {
        return;
    }
    flow.place(|p, y| {
        let right = A4.0 - MARGIN - 40.0;
        p.text(MARGIN, y + 12.0, &format!("■ {}予算", s.year.long()), BODY.bold());
        if let Some(total) = s.budget {
            p.text(right, y + 12.0, &yen(total), HEAD.bold().anchor("end"));
        }
        let mut h = 18.0;
        for l in &s.budget_lines {
            p.text(MARGIN + 20.0, y + h + 10.0, &format!("・{}", l.item), BODY);
            p.text(right, y + h + 10.0, &yen(l.amount), BODY.anchor("end"));
            h += 14.0;
        }
        if let Some(m) = s.mismatch {
            h += p.para(MARGIN + 20.0, y + h + 2.0, WIDTH - 20.0, &mismatch_note(m), SMALL.color("#c00000")) + 2.0;
        }
        h + 8.0
    });
}
