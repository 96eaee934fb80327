//! KPI trend charts (plotters): per KPI the targets and actuals over the plan's
//! fiscal years, the baseline as a reference line, the evaluation and 達成率.
//!
//! What is drawn is decided in [`KpiChart::of`] (pure data, tested); drawing
//! is the same code for SVG and PNG. Years without a value are gaps; a
//! qualitative target (`運用`) is written as text, a qualified one (`4以上`,
//! `ほぼ100%`) is a hollow marker at its threshold with its words beside it —
//! nothing is plotted as a number the plan does not give. Series differ by
//! line style and marker as well as by colour (Okabe–Ito colours), so they
//! survive black-and-white printing and colour-blind readers.

pub mod book;
pub mod font;
pub mod page;
pub mod schedule;

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

pub use font::{find_font, ChartFont, FontError};

use crate::eval::{achievement_rate, Direction, Evaluation, EvaluationRule};
use crate::fy::{FiscalYear, YearStyle};
use crate::model::{Kpi, Plan};
use crate::value::{KpiValue, Parsed};
pub use crate::xlsx::export::derived_divisions;
use crate::xlsx::export::kpi_divisions;

/// Okabe–Ito blue (targets) and vermillion (actuals); grey for the baseline.
const TARGET_RGB: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const ACTUAL_RGB: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const BASE_RGB: RGBColor = RGBColor(0x55, 0x55, 0x55);
const TEXT_RGB: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// 当初目標: the target blue, faint.
const ORIGINAL_RGB: RGBColor = RGBColor(0x8C, 0xBF, 0xE0);
const ORIGINAL_TEXT_RGB: RGBColor = RGBColor(0x3D, 0x7E, 0xAA);

/// Text sizes in plotters' units (the SVG writes them ÷ 1.24): labels come out at
/// 10.9 px, 8.2 pt on an A4 half page.
const LABEL: f64 = 13.5;
const SUB: f64 = 14.0;
const TITLE: f64 = 20.0;
/// The smallest text as the SVG writes it (LABEL ÷ 1.24), in px of the 680 px chart.
pub const SMALLEST_TEXT_PX: f32 = (LABEL / 1.24) as f32;

/// Size of a chart at 96 dpi: 180 × 110 mm, an A4 half page.
pub const WIDTH_PX: u32 = 680;
pub const HEIGHT_PX: u32 = 416;

/// A target as drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TargetMark {
    /// A number: a point on the target line.
    Value(f64),
    /// A threshold (`4以上`, `ほぼ100%`): a hollow marker with its words.
    Threshold(f64, String),
    /// Words only (`運用`): written above the year.
    Text(String),
}

/// Everything a KPI chart shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiChart {
    pub no: u32,
    /// `KPI 2 県及び市町村の行政手続のオンライン利用率(累計)`
    pub title: String,
    /// Divisions · latest evaluation and 達成率 · as-of · direction.
    pub subtitle: String,
    pub unit: Option<String>,
    pub years: Vec<FiscalYear>,
    pub targets: Vec<(FiscalYear, TargetMark)>,
    /// 当初目標 where a target was revised: the line the original targets drew,
    /// from the last year before the revision on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub original_targets: Vec<(FiscalYear, f64)>,
    pub actuals: Vec<(FiscalYear, f64, String)>,
    /// Actuals that are words, not numbers.
    pub actual_notes: Vec<(FiscalYear, String)>,
    pub baseline: Option<(f64, String)>,
    pub lower_is_better: bool,
}

/// The number a value gives on the chart's axis: percent as 48.2 for `48.2%`.
pub fn axis_number(v: &KpiValue) -> Option<f64> {
    match v.parse() {
        Parsed::Number(q) => Some(q.value),
        _ => None,
    }
}

pub fn unit_of(k: &Kpi) -> Option<String> {
    if let Some(u) = &k.unit {
        return Some(u.clone());
    }
    let values = k.values();
    for v in values {
        match v.parse() {
            Parsed::Number(q) | Parsed::Qualified(q, _) if q.percent => return Some("%".into()),
            Parsed::Number(q) | Parsed::Qualified(q, _) if q.unit.is_some() => return q.unit.clone(),
            _ => {}
        }
    }
    None
}

impl KpiChart {
    /// The chart of KPI `kpi` of `plan`, evaluated for `year`.
    pub fn of(plan: &Plan, kpi: &Kpi, year: FiscalYear, style: YearStyle) -> KpiChart {
        Self::with_divisions(plan, kpi, year, style, &derived_divisions(plan))
    }

    /// The same, with the plan's divisions per KPI worked out once for many charts
    /// (see [`derived_divisions`]).
    pub fn with_divisions(plan: &Plan, kpi: &Kpi, year: FiscalYear, style: YearStyle, derived: &HashMap<u32, Vec<String>>) -> KpiChart {
        let mut years: Vec<FiscalYear> = plan.fiscal_years.clone();
        for y in kpi.targets.keys().chain(kpi.actuals.keys()) {
            if !years.contains(y) {
                years.push(*y);
            }
        }
        if let Some(b) = kpi.baseline_year.filter(|b| !years.contains(b) && kpi.actuals.contains_key(b)) {
            years.push(b);
        }
        years.sort();
        // The targets in force for the year charted; the originals of revised ones beside them.
        let in_force: Vec<(FiscalYear, KpiValue)> = kpi
            .targets
            .keys()
            .filter_map(|y| kpi.target_for(*y, year).map(|v| (*y, v)))
            .collect();
        let mut original_targets: Vec<(FiscalYear, f64)> = in_force
            .iter()
            .filter(|(y, _)| kpi.revised_for(*y, year))
            .filter_map(|(y, _)| kpi.original_target(*y).and_then(axis_number).map(|n| (*y, n)))
            .collect();
        if let Some(first) = original_targets.first().map(|o| o.0) {
            // The original line leaves the target line at the last year not revised.
            if let Some((y, n)) = in_force
                .iter()
                .rev()
                .find(|(y, _)| *y < first)
                .and_then(|(y, v)| axis_number(v).map(|n| (*y, n)))
            {
                original_targets.insert(0, (y, n));
            }
        }
        let targets = in_force
            .iter()
            .filter_map(|(y, v)| {
                let m = match v.parse() {
                    Parsed::Dash => return None,
                    Parsed::Number(q) => TargetMark::Value(q.value),
                    Parsed::Qualified(q, _) => TargetMark::Threshold(q.value, v.text().to_string()),
                    Parsed::Text => TargetMark::Text(v.text().to_string()),
                };
                Some((*y, m))
            })
            .collect();
        let mut actuals = Vec::new();
        let mut actual_notes = Vec::new();
        for (y, a) in &kpi.actuals {
            match axis_number(&a.value) {
                Some(n) => actuals.push((*y, n, a.value.text().to_string())),
                None if !a.value.is_dash() => actual_notes.push((*y, a.value.text().to_string())),
                None => {}
            }
        }
        let baseline = kpi.baseline.as_ref().and_then(|b| {
            let n = axis_number(b)?;
            let when = kpi.baseline_year.map(|y| format!("({})", y.styled(style))).unwrap_or_default();
            Some((n, format!("基準値 {}{when}", b.text())))
        });

        let mut title = format!("KPI {} {}", kpi.no, kpi.name);
        if kpi.cumulative && !kpi.name.contains("累計") {
            title.push_str("(累計)");
        }
        let mut sub: Vec<String> = Vec::new();
        let divisions = kpi_divisions(kpi, derived);
        if !divisions.is_empty() {
            sub.push(divisions.join("、"));
        }
        let rule: &EvaluationRule = &plan.rule;
        let year_target = kpi.target_for(year, year);
        if let (Some(t), Some(a)) = (year_target.as_ref(), kpi.actuals.get(&year)) {
            // The evaluation the projects listing the KPI were given, where they agree;
            // the KPI's proposal only where it differs from that (or none was given).
            let given: std::collections::BTreeSet<Evaluation> = plan
                .projects()
                .filter(|p| p.kpis.iter().any(|r| r.no == kpi.no))
                .filter_map(|p| p.years.get(&year).and_then(|y| y.evaluation.clone()))
                .collect();
            let given = (given.len() == 1).then(|| given.into_iter().next()).flatten();
            let proposed = rule.propose_kpi(kpi, year);
            let scale = rule.scale();
            let mark = match (given, proposed) {
                (Some(g), Some(p)) if g != p => Some(format!("評価 {}(KPIからの提案 {})", scale.label(&g), p.mark())),
                (Some(g), _) => Some(format!("評価 {}", scale.label(&g))),
                (None, Some(p)) => Some(format!("KPIからの提案 {}", scale.label(&p))),
                (None, None) => None,
            };
            let rate = achievement_rate(kpi.baseline.as_ref(), t, &a.value, kpi.direction).map(|r| {
                match crate::eval::rate_label(r, kpi.direction) {
                    label if r < 0.0 => format!("実績が{label}"),
                    label => format!("達成率 {label}"),
                }
            });
            let parts: Vec<String> = [mark, rate].into_iter().flatten().collect();
            if !parts.is_empty() {
                sub.push(format!("{} {}", year.styled(style), parts.join(" ")));
            }
        }
        if let Some(a) = kpi
            .actuals
            .get(&year)
            .and_then(|a| a.as_of)
            .or(plan.as_of.filter(|a| a.fiscal_year() == year))
        {
            sub.push(format!("※{}時点", a.short()));
        }
        let lower_is_better = kpi.direction == Direction::Down;
        if lower_is_better {
            sub.push("低いほど良い指標".into());
        }
        KpiChart {
            no: kpi.no,
            title,
            subtitle: sub.join(" / "),
            unit: unit_of(kpi),
            years,
            targets,
            original_targets,
            actuals,
            actual_notes,
            baseline,
            lower_is_better,
        }
    }

    /// Every text the chart draws (for the font-coverage check).
    pub fn texts(&self, style: YearStyle) -> Vec<String> {
        let mut t = vec![self.title.clone(), self.subtitle.clone(), "目標値".into(), "実績値".into()];
        t.extend(self.years.iter().map(|y| y.styled(style)));
        t.extend(self.unit.clone());
        t.extend(self.baseline.iter().map(|b| b.1.clone()));
        t.extend(self.actuals.iter().map(|a| a.2.clone()));
        t.extend(self.actual_notes.iter().map(|a| a.1.clone()));
        for (_, m) in &self.targets {
            match m {
                TargetMark::Threshold(_, s) | TargetMark::Text(s) => t.push(s.clone()),
                TargetMark::Value(_) => {}
            }
        }
        t
    }

    fn y_range(&self) -> (f64, f64) {
        let mut vals: Vec<f64> = self.actuals.iter().map(|a| a.1).collect();
        vals.extend(self.baseline.iter().map(|b| b.0));
        vals.extend(self.original_targets.iter().map(|o| o.1));
        for (_, m) in &self.targets {
            match m {
                TargetMark::Value(v) | TargetMark::Threshold(v, _) => vals.push(*v),
                TargetMark::Text(_) => {}
            }
        }
        let max = vals.iter().copied().fold(f64::NAN, f64::max);
        let min = vals.iter().copied().fold(f64::NAN, f64::min);
        if max.is_nan() {
            return (0.0, 1.0);
        }
        let lo = if min >= 0.0 { 0.0 } else { min * 1.15 };
        let hi = if max <= 0.0 { 1.0 } else { max * 1.18 };
        (lo, hi.max(lo + 1e-9))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("{0}")]
    Layout(String),
    #[error("グラフを描けませんでした: {0}")]
    Draw(String),
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// Draws the chart as SVG (text kept as text, in the font's family).
pub fn render_svg(chart: &KpiChart, font: &ChartFont, style: YearStyle) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
        draw(&root, chart, font, style, 1.0)?;
        root.present().map_err(draw_err)?;
    }
    Ok(out)
}

/// Draws the chart as PNG at `dpi` (96 is the chart's natural size; 300 for print).
pub fn render_png(chart: &KpiChart, font: &ChartFont, style: YearStyle, dpi: u32) -> Result<Vec<u8>, ChartError> {
    let scale = f64::from(dpi.clamp(48, 1200)) / 96.0;
    let (w, h) = ((f64::from(WIDTH_PX) * scale) as u32, (f64::from(HEIGHT_PX) * scale) as u32);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(&root, chart, font, style, scale)?;
        root.present().map_err(draw_err)?;
    }
    let img = image::RgbImage::from_raw(w, h, buf).ok_or_else(|| ChartError::Draw("画像の大きさ".into()))?;
    let mut png = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut png))
        .map_err(draw_err)?;
    Ok(png)
}

/// Splits a long title over lines of about `max` half-width cells.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut width = 0;
    for c in text.chars() {
        let w = crate::text::display_width(&c.to_string());
        if width + w > max {
            lines.push(String::new());
            width = 0;
        }
        if let Some(l) = lines.last_mut() {
            l.push(c);
        }
        width += w;
    }
    lines
}

fn format_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        let n = v.round() as i64;
        let s = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    } else {
        format!("{v:.1}")
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &KpiChart,
    font: &ChartFont,
    ys: YearStyle,
    s: f64,
) -> Result<(), ChartError> {
    let px = |v: f64| (v * s).round() as i32;
    let fam = font.family.as_str();
    let text = |size: f64, color: &RGBColor| (fam, size * s).into_font().color(color);
    root.fill(&WHITE).map_err(draw_err)?;

    // Title (up to two lines) and subtitle.
    let title_lines = wrap(&c.title, 62);
    let mut y = px(10.0);
    for l in title_lines.iter().take(2) {
        root.draw(&Text::new(l.clone(), (px(14.0), y), text(TITLE, &TEXT_RGB)))
            .map_err(draw_err)?;
        y += px(24.0);
    }
    if !c.subtitle.is_empty() {
        root.draw(&Text::new(c.subtitle.clone(), (px(14.0), y + px(2.0)), text(SUB, &BASE_RGB)))
            .map_err(draw_err)?;
        y += px(20.0);
    }
    let body = root.margin(y + px(6.0), px(8.0), px(10.0), px(16.0));
    let (_, body_h) = body.dim_in_pixel();
    let (plot, legend) = body.split_vertically(body_h as i32 - px(30.0));

    let n = c.years.len().max(1);
    let (lo, hi) = c.y_range();
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(72.0))
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
        .map_err(draw_err)?;
    let unit = c.unit.clone().unwrap_or_default();
    let y_fmt = |v: &f64| format_number(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .y_desc(if unit.is_empty() { String::new() } else { format!("({unit})") })
        .label_style(text(LABEL, &TEXT_RGB))
        .axis_desc_style(text(LABEL, &TEXT_RGB))
        .y_max_light_lines(1)
        .light_line_style(RGBColor(0xF2, 0xF2, 0xF2))
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .draw()
        .map_err(draw_err)?;
    let x_of = |y: FiscalYear| c.years.iter().position(|v| *v == y).unwrap_or(0) as f64;

    // Year labels under the axis, one per year (和暦).
    for (i, y) in c.years.iter().enumerate() {
        let (bx, by) = chart.backend_coord(&(i as f64, lo));
        let style = text(LABEL, &TEXT_RGB).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(y.styled(ys), (bx, by + px(6.0)), style)).map_err(draw_err)?;
    }

    // Baseline: a dotted grey reference line with its label.
    if let Some((b, label)) = &c.baseline {
        let dotted = DashedLineSeries::new(
            vec![(-0.5, *b), (n as f64 - 0.5, *b)],
            px(2.0),
            px(4.0),
            BASE_RGB.stroke_width(px(1.0).max(1) as u32),
        );
        chart.draw_series(dotted).map_err(draw_err)?;
        let (bx, by) = chart.backend_coord(&(-0.45, *b));
        root.draw(&Text::new(label.clone(), (bx, by - px(14.0)), text(LABEL, &BASE_RGB)))
            .map_err(draw_err)?;
    }

    // 当初目標: the original targets of revised years as a faint dashed line, labelled.
    let stroke = px(2.0).max(1) as u32;
    if !c.original_targets.is_empty() {
        let pts: Vec<(f64, f64)> = c.original_targets.iter().map(|(y, v)| (x_of(*y), *v)).collect();
        if pts.len() > 1 {
            chart
                .draw_series(DashedLineSeries::new(
                    pts.clone(),
                    px(4.0),
                    px(4.0),
                    ORIGINAL_RGB.stroke_width(px(1.5).max(1) as u32),
                ))
                .map_err(draw_err)?;
        }
        let r = px(3.5);
        for (x, v) in pts.iter().skip(usize::from(pts.len() > 1)) {
            let (cx, cy) = chart.backend_coord(&(*x, *v));
            root.draw(&Rectangle::new(
                [(cx - r, cy - r), (cx + r, cy + r)],
                ORIGINAL_RGB.stroke_width(px(1.5).max(1) as u32),
            ))
            .map_err(draw_err)?;
        }
        if let Some((x, v)) = pts.last() {
            let (cx, cy) = chart.backend_coord(&(*x, *v));
            // Below the line, right of its last point: clear of the actuals' labels above.
            let st = text(LABEL, &ORIGINAL_TEXT_RGB).pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new("当初目標", (cx + px(7.0), cy + px(5.0)), st))
                .map_err(draw_err)?;
        }
    }

    // Targets: dashed blue line through the numeric ones, hollow squares; thresholds with words.
    let tpoints: Vec<(f64, f64)> = c
        .targets
        .iter()
        .filter_map(|(y, m)| match m {
            TargetMark::Value(v) => Some((x_of(*y), *v)),
            _ => None,
        })
        .collect();
    if tpoints.len() > 1 {
        chart
            .draw_series(DashedLineSeries::new(
                tpoints.clone(),
                px(8.0),
                px(5.0),
                TARGET_RGB.stroke_width(stroke),
            ))
            .map_err(draw_err)?;
    }
    let r = px(5.0);
    for (y, m) in &c.targets {
        let x = x_of(*y);
        match m {
            TargetMark::Value(v) | TargetMark::Threshold(v, _) => {
                let (cx, cy) = chart.backend_coord(&(x, *v));
                root.draw(&Rectangle::new([(cx - r, cy - r), (cx + r, cy + r)], WHITE.filled()))
                    .map_err(draw_err)?;
                root.draw(&Rectangle::new(
                    [(cx - r, cy - r), (cx + r, cy + r)],
                    TARGET_RGB.stroke_width(stroke),
                ))
                .map_err(draw_err)?;
                if let TargetMark::Threshold(_, words) = m {
                    let st = text(LABEL, &TARGET_RGB).pos(Pos::new(HPos::Left, VPos::Center));
                    root.draw(&Text::new(format!("目標 {words}"), (cx + r + px(4.0), cy), st))
                        .map_err(draw_err)?;
                }
            }
            TargetMark::Text(words) => {
                let (cx, cy) = chart.backend_coord(&(x, hi));
                let st = text(LABEL, &TARGET_RGB).pos(Pos::new(HPos::Center, VPos::Top));
                root.draw(&Text::new(format!("目標: {words}"), (cx, cy + px(4.0)), st))
                    .map_err(draw_err)?;
            }
        }
    }

    // Actuals: solid vermillion line per run of consecutive years, filled circles, value labels.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    for (y, v, _) in &c.actuals {
        let x = x_of(*y);
        if let Some(last) = run.last() {
            if (x - last.0 - 1.0).abs() > 1e-9 {
                runs.push(std::mem::take(&mut run));
            }
        }
        run.push((x, *v));
    }
    runs.push(run);
    for r in runs.into_iter().filter(|r| r.len() > 1) {
        chart
            .draw_series(LineSeries::new(r, ACTUAL_RGB.stroke_width(stroke + 1)))
            .map_err(draw_err)?;
    }
    for (y, v, label) in &c.actuals {
        let (cx, cy) = chart.backend_coord(&(x_of(*y), *v));
        root.draw(&Circle::new((cx, cy), px(5.0), ACTUAL_RGB.filled())).map_err(draw_err)?;
        let st = text(LABEL, &ACTUAL_RGB).pos(Pos::new(HPos::Center, VPos::Bottom));
        root.draw(&Text::new(label.clone(), (cx, cy - px(8.0)), st)).map_err(draw_err)?;
    }
    for (y, words) in &c.actual_notes {
        let (cx, cy) = chart.backend_coord(&(x_of(*y), lo + (hi - lo) * 0.5));
        let st = text(LABEL, &ACTUAL_RGB).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(format!("実績: {words}"), (cx, cy), st)).map_err(draw_err)?;
    }

    // Legend under the plot: the marker and line style name each series.
    let (lx0, ly0) = legend.get_base_pixel();
    let ly = ly0 + px(12.0);
    let original = !c.original_targets.is_empty();
    let step = px(if original { 152.0 } else { 190.0 });
    let mut lx = lx0 + px(if original { 24.0 } else { 70.0 });
    let lst = text(LABEL, &TEXT_RGB).pos(Pos::new(HPos::Left, VPos::Center));
    root.draw(&PathElement::new(
        vec![(lx, ly), (lx + px(28.0), ly)],
        TARGET_RGB.stroke_width(stroke),
    ))
    .map_err(draw_err)?;
    root.draw(&Rectangle::new([(lx + px(9.0), ly - r), (lx + px(19.0), ly + r)], WHITE.filled()))
        .map_err(draw_err)?;
    root.draw(&Rectangle::new(
        [(lx + px(9.0), ly - r), (lx + px(19.0), ly + r)],
        TARGET_RGB.stroke_width(stroke),
    ))
    .map_err(draw_err)?;
    root.draw(&Text::new("目標値(破線、□)", (lx + px(34.0), ly), lst.clone()))
        .map_err(draw_err)?;
    if original {
        lx += step;
        for i in 0..4 {
            let x = lx + px(f64::from(i) * 8.0);
            root.draw(&PathElement::new(
                vec![(x, ly), (x + px(4.0), ly)],
                ORIGINAL_RGB.stroke_width(px(1.5).max(1) as u32),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Text::new("当初目標(淡い破線)", (lx + px(34.0), ly), lst.clone()))
            .map_err(draw_err)?;
    }
    lx += step;
    root.draw(&PathElement::new(
        vec![(lx, ly), (lx + px(28.0), ly)],
        ACTUAL_RGB.stroke_width(stroke + 1),
    ))
    .map_err(draw_err)?;
    root.draw(&Circle::new((lx + px(14.0), ly), px(5.0), ACTUAL_RGB.filled()))
        .map_err(draw_err)?;
    root.draw(&Text::new("実績値(実線、●)", (lx + px(34.0), ly), lst.clone()))
        .map_err(draw_err)?;
    if c.baseline.is_some() {
        lx += step;
        for i in 0..5 {
            let x = lx + px(f64::from(i) * 6.0);
            root.draw(&PathElement::new(
                vec![(x, ly), (x + px(3.0), ly)],
                BASE_RGB.stroke_width(px(1.5).max(1) as u32),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Text::new("基準値(点線)", (lx + px(34.0), ly), lst)).map_err(draw_err)?;
    }
    Ok(())
}

/// A file name for a KPI's chart: `KPI02_県及び市町村の行政手続のオンライン利用率.png`.
pub fn chart_file_name(kpi: &Kpi, ext: &str) -> String {
    let safe: String = kpi
        .name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    format!("KPI{:02}_{safe}.{ext}", kpi.no)
}
