//! Writes the summary workbook: `取組一覧` exactly in the prefecture's layout,
//! `KPI推移`, `集計`, and the two data sheets that let a re-import give back
//! the whole plan (`計画情報`, `事業年度データ`).

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::base::SummaryBase;
use super::{col, save_atomically, WriteError, SHEET_CHARTS, SHEET_COUNTS, SHEET_PLAN, SHEET_TREND, SHEET_YEARS};
use crate::eval::{achievement_rate, Evaluation, Scale};
use crate::fy::FiscalYear;
use crate::model::{Kpi, Plan};
use crate::summary::{summarize, Counts};
use crate::text::display_width;
use crate::value::{KpiValue, Parsed};

/// The Japanese gothic face of the prefecture's sheets.
pub const FONT: &str = "MS ゴシック";
pub(crate) const FONT_SIZE: f64 = 9.0;
pub(crate) const HEADER_FILL: u32 = 0xD9D9D9;
/// Height of one line of 9 pt text, in points, and the cell's padding.
pub(crate) const LINE_PT: f64 = 12.0;
pub(crate) const PAD_PT: f64 = 4.0;

/// Writes the summary workbook for `year` (the plan's report year when `None`).
/// The file is written under a temporary name and renamed into place.
pub fn export_summary(plan: &Plan, year: Option<FiscalYear>, path: &Path) -> Result<(), WriteError> {
    export_summary_with_base(plan, year, path, None, &[])
}

/// One 部's line of a 照会 round, for the 照会記録 sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundRecord {
    pub round: crate::store::Round,
    pub departments: Vec<crate::store::RoundDepartment>,
}

/// [`export_summary`] with the hidden base sheet (see [`super::base`]), so that
/// importing the workbook again applies only what was changed in it, and the
/// 照会記録 sheet when the plan had rounds.
pub fn export_summary_with_base(
    plan: &Plan,
    year: Option<FiscalYear>,
    path: &Path,
    base: Option<&SummaryBase>,
    rounds: &[RoundRecord],
) -> Result<(), WriteError> {
    let xlsx_error = |source| WriteError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut wb = build_workbook(plan, year.unwrap_or(plan.report_year)).map_err(xlsx_error)?;
    if !rounds.is_empty() {
        write_rounds_sheet(wb.add_worksheet(), rounds, &Styles::new()).map_err(xlsx_error)?;
    }
    if let Some(b) = base {
        b.write(wb.add_worksheet()).map_err(xlsx_error)?;
    }
    save_atomically(&mut wb, path)
}

/// The workbook in memory.
pub fn build_workbook(plan: &Plan, year: FiscalYear) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let styles = Styles::new();
    // The sheets that grow with the plan are written row by row and kept one row at a
    // time (low-memory mode: the shared strings stay, the cells go to a temporary file).
    wb.add_worksheet_with_low_memory()?;
    // KPI推移 keeps its strings in its cells (constant-memory mode), so the two largest
    // sheets are written at once, one on each core, and the shared strings stay in the
    // order 取組一覧 gives them.
    wb.add_worksheet_with_constant_memory()?;
    // グラフ, written after 取組一覧 on its thread while KPI推移 is written (its strings
    // go to the shared table after 取組一覧's, as when it was written after both).
    wb.add_worksheet_with_low_memory()?;
    // Every format the three use is numbered first, in plan order, so that the file is
    // the same whichever sheet meets a format first.
    for f in [&styles.header, &styles.title, &styles.data, &styles.data_center] {
        wb.register_format(f);
    }
    let mut numbers = vec!["0.0%".to_string(), "#,##0".to_string()];
    for k in &plan.kpis {
        let values = k.values();
        for v in values {
            if let Parsed::Number(q) = v.parse() {
                if q.unit.is_none() && !numbers.contains(&q.cell_format()) {
                    numbers.push(q.cell_format());
                }
            }
        }
    }
    for n in &numbers {
        wb.register_format(&styles.number(n));
    }
    {
        let (summary, rest) = wb.worksheets_mut().split_at_mut(1);
        let (trend, charts) = rest.split_at_mut(1);
        std::thread::scope(|scope| {
            let summary = scope.spawn(|| {
                write_summary_sheet(&mut summary[0], plan, year)?;
                write_charts_sheet(&mut charts[0], plan, year, &Styles::new())
            });
            let trend = write_trend_sheet(&mut trend[0], plan, year, &styles);
            summary
                .join()
                .unwrap_or(Err(XlsxError::ParameterError("取組一覧を書けませんでした".into())))
                .and(trend)
        })?;
    }
    let ws = wb.add_worksheet();
    write_counts_sheet(ws, plan, year, &styles)?;
    let ws = wb.add_worksheet();
    write_plan_sheet(ws, plan, &styles)?;
    let ws = wb.add_worksheet_with_low_memory()?;
    write_years_sheet(ws, plan, &styles)?;
    if plan.kpis.iter().any(|k| !k.revisions.is_empty()) {
        write_revisions_sheet(wb.add_worksheet(), plan, &styles)?;
    }
    if plan
        .projects()
        .any(|p| p.start.is_some() || p.end.is_some() || !p.origin.is_empty())
    {
        write_status_sheet(wb.add_worksheet(), plan, year, &styles)?;
    }
    if !plan.schedule.is_empty() {
        let ws = wb.add_worksheet();
        super::schedule::write_schedule_sheet(ws, plan)?;
    }
    Ok(wb)
}

struct Styles {
    header: Format,
    title: Format,
    data: Format,
    data_center: Format,
    numbers: std::cell::RefCell<HashMap<String, Format>>,
}

/// The sheets' text: the gothic face at 9 pt.
pub(crate) fn base_format() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

/// A header cell: bold, bordered, grey, centred, wrapped.
pub(crate) fn header_format() -> Format {
    base_format()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

impl Styles {
    fn new() -> Self {
        let base = base_format();
        let header = header_format();
        let title = base.clone().set_bold().set_font_size(11.0);
        let data = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let data_center = data.clone().set_align(FormatAlign::Center);
        Styles {
            header,
            title,
            data,
            data_center,
            numbers: Default::default(),
        }
    }

    fn number(&self, num_format: &str) -> Format {
        self.numbers
            .borrow_mut()
            .entry(num_format.to_string())
            .or_insert_with(|| self.data.clone().set_num_format(num_format))
            .clone()
    }
}

/// Writes text as a string cell (never a formula), or a blank bordered cell.
pub(crate) fn put_text(ws: &mut Worksheet, row: u32, c: u16, text: Option<&str>, f: &Format) -> Result<(), XlsxError> {
    match text {
        Some(t) if !t.is_empty() => ws.write_string_with_format(row, c, t, f)?,
        _ => ws.write_blank(row, c, f)?,
    };
    Ok(())
}

/// Writes a KPI value: a number with the unit in its number format where it is a
/// plain number, else the text exactly as given.
fn put_value(ws: &mut Worksheet, row: u32, c: u16, v: Option<&KpiValue>, s: &Styles) -> Result<(), XlsxError> {
    match v {
        None => {
            ws.write_blank(row, c, &s.data)?;
        }
        Some(v) => match v.parse() {
            Parsed::Number(q) if q.unit.is_none() => {
                ws.write_number_with_format(row, c, q.cell_value(), &s.number(&q.cell_format()))?;
            }
            _ => {
                ws.write_string_with_format(row, c, v.text(), &s.data)?;
            }
        },
    }
    Ok(())
}

/// A project number as the sheet shows it: a number where it is one.
fn put_project_no(ws: &mut Worksheet, row: u32, no: &str, f: &Format) -> Result<(), XlsxError> {
    match no.parse::<u32>() {
        Ok(n) if n.to_string() == no => ws.write_number_with_format(row, col::NO, f64::from(n), f)?,
        _ => ws.write_string_with_format(row, col::NO, no, f)?,
    };
    Ok(())
}

/// Lines a text takes in a column of `width` characters (9 pt gothic).
/// Ends a sheet written in low-memory mode with an empty row below its last one.
/// rust_xlsxwriter (0.102) writes the last row's `<row>` a second time when that row has
/// a height of its own, and Excel refuses a sheet whose rows repeat; a formatted blank
/// cell in the next row (no height) makes that row the last one instead.
fn end_rows(ws: &mut Worksheet, next_row: u32) -> Result<(), XlsxError> {
    ws.write_blank(next_row, 0, &Format::new().set_font_name("MS ゴシック"))?;
    Ok(())
}

pub(crate) fn lines_in(text: &str, width: f64) -> usize {
    let per_line = ((width - 1.0) * 1.15).max(2.0);
    text.split('\n')
        .map(|l| ((display_width(l) as f64) / per_line).ceil().max(1.0) as usize)
        .sum()
}

pub(crate) fn sheet_setup(ws: &mut Worksheet, repeat_rows: (u32, u32), freeze: (u32, u16)) -> Result<(), XlsxError> {
    ws.set_paper_size(8); // A3
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(repeat_rows.0, repeat_rows.1)?;
    ws.set_margins(0.25, 0.25, 0.5, 0.5, 0.3, 0.3);
    ws.set_footer("&C- &P / &N -");
    ws.set_freeze_panes(freeze.0, freeze.1)?;
    Ok(())
}

/// 取組一覧: the plan in the built-in layout `builtin/torikumi-ichiran.toml`.
fn write_summary_sheet(ws: &mut Worksheet, plan: &Plan, year: FiscalYear) -> Result<(), XlsxError> {
    let layout = crate::layout::summary_layout().map_err(|e| XlsxError::ParameterError(e.to_string()))?;
    let next = crate::layout::write::write_table(ws, plan, &layout, year)?;
    end_rows(ws, next)
}

impl Plan {
    /// The summary sheet's report title for a year (the stored one for the report year).
    pub fn report_title_for(&self, year: FiscalYear) -> String {
        if year == self.report_year {
            self.report_title()
        } else {
            crate::model::default_report_title(year)
        }
    }
}

/// The years the trend sheet shows: every year with a target or an actual, and
/// the plan's target years.
fn trend_years(plan: &Plan) -> Vec<FiscalYear> {
    let mut ys: Vec<FiscalYear> = plan.fiscal_years.clone();
    for k in &plan.kpis {
        ys.extend(k.targets.keys());
        ys.extend(k.actuals.keys());
    }
    ys.sort();
    ys.dedup();
    ys
}

/// 担当課 of a KPI: its own list, or the divisions of the projects that show it.
pub fn kpi_divisions(kpi: &Kpi, derived: &HashMap<u32, Vec<String>>) -> Vec<String> {
    if !kpi.divisions.is_empty() {
        return kpi.divisions.clone();
    }
    derived.get(&kpi.no).cloned().unwrap_or_default()
}

/// Per KPI, the divisions of the entries that show it, in plan order.
pub fn derived_divisions(plan: &Plan) -> HashMap<u32, Vec<String>> {
    let mut out: HashMap<u32, Vec<String>> = HashMap::new();
    for v in plan.views() {
        for r in v.entry.kpis() {
            let list = out.entry(r.no).or_default();
            for o in &v.project.owners {
                if let Some(d) = o.division.as_ref().or(o.department.as_ref()) {
                    if !list.contains(d) {
                        list.push(d.clone());
                    }
                }
            }
        }
    }
    out
}

/// Column headers of the trend sheet before the years, and after them.
pub const TREND_HEAD: [&str; 5] = ["KPI番号", "指標名", "単位", "基準値", "区分"];
pub const TREND_TAIL: [&str; 7] = ["担当課", "記号", "CSF・区分", "方向", "累計", "基準年度", "注記"];
/// Row labels of the trend sheet.
pub const ROW_TARGET: &str = "目標";
pub const ROW_ACTUAL: &str = "実績";
pub const ROW_RATE: &str = "達成率";
pub const ROW_AS_OF: &str = "時点";
/// KPI推移's row of original targets, where a year's target was revised.
pub const ROW_ORIGINAL: &str = "目標値(当初)";

/// Rows a KPI's block takes on the グラフ sheet (its table, then room for the chart).
const CHART_BLOCK_ROWS: u32 = 24;
/// Native charts written at most: a plan of thousands of KPIs gets its tables for
/// every KPI but charts for the first ones (each chart costs memory and time in
/// the writer and in Excel); the sheet says so.
pub const MAX_NATIVE_CHARTS: usize = 200;

/// `グラフ`: per KPI a small table of numbers (目標値, 実績値, 基準値 per year; words
/// are left out, never turned into numbers) and a native line chart of it.
fn write_charts_sheet(ws: &mut Worksheet, plan: &Plan, year: FiscalYear, s: &Styles) -> Result<(), XlsxError> {
    use rust_xlsxwriter::{Chart, ChartLine, ChartLineDashType, ChartMarker, ChartMarkerType, ChartSolidFill, ChartType};
    ws.set_name(SHEET_CHARTS)?;
    ws.set_column_width(0, 12.0)?;
    let years = trend_years(plan);
    let first = if plan.kpis.len() > MAX_NATIVE_CHARTS {
        let note = format!(
            "KPIが {} 件あるため、グラフは先頭の {MAX_NATIVE_CHARTS} 件のみ作成しています(表はすべての KPI)。",
            plan.kpis.len()
        );
        ws.write_string_with_format(0, 0, note, &s.title)?;
        1
    } else {
        0
    };
    for (i, k) in plan.kpis.iter().enumerate() {
        let top = first + i as u32 * CHART_BLOCK_ROWS;
        let mut title = format!("KPI {} {}", k.no, k.name);
        if k.cumulative {
            title.push_str("(累計)");
        }
        // Row by row (low-memory mode): the title, the years, then 目標値, 実績値, 基準値.
        ws.write_string_with_format(top, 0, &title, &s.title)?;
        ws.write_string_with_format(top + 1, 0, "年度", &s.header)?;
        for (j, y) in years.iter().enumerate() {
            ws.write_string_with_format(top + 1, 1 + j as u16, y.short(), &s.header)?;
        }
        let baseline = k.baseline.as_ref().and_then(crate::chart::axis_number);
        let rows = [("目標値", 2u32), ("実績値", 3), ("基準値", 4)];
        for (label, r) in rows {
            ws.write_string_with_format(top + r, 0, label, &s.header)?;
            for (j, y) in years.iter().enumerate() {
                let n = match r {
                    2 => k.target_for(*y, *y).as_ref().and_then(crate::chart::axis_number),
                    3 => k.actuals.get(y).and_then(|a| crate::chart::axis_number(&a.value)),
                    _ => baseline,
                };
                match n {
                    Some(v) => ws.write_number_with_format(top + r, 1 + j as u16, v, &s.data)?,
                    None => ws.write_blank(top + r, 1 + j as u16, &s.data)?,
                };
            }
        }
        if i >= MAX_NATIVE_CHARTS {
            continue;
        }
        let last = years.len() as u16;
        let mut chart = Chart::new(ChartType::Line);
        // Titles taken from their cells, never from the text itself: rust_xlsxwriter
        // reads a name such as `x'!A1` or `=(…)` as a range or a formula.
        chart.title().set_name((SHEET_CHARTS, top, 0));
        if let Some(unit) = crate::chart::unit_of(k) {
            ws.write_string_with_format(top + 5, 0, "単位", &s.header)?;
            ws.write_string_with_format(top + 5, 1, format!("({unit})"), &s.data)?;
            chart.y_axis().set_name((SHEET_CHARTS, top + 5, 1));
        }
        chart.x_axis().set_name(&format!("年度(評価は{})", year.short()));
        let series = [
            (
                "目標値",
                2u32,
                0x0072B2u32,
                ChartLineDashType::Dash,
                Some(ChartMarkerType::Square),
                false,
            ),
            ("実績値", 3, 0xD55E00, ChartLineDashType::Solid, Some(ChartMarkerType::Circle), true),
            ("基準値", 4, 0x555555, ChartLineDashType::RoundDot, None, false),
        ];
        for (name, r, rgb, dash, marker, filled) in series {
            if name == "基準値" && baseline.is_none() {
                continue;
            }
            let mut m = ChartMarker::new();
            match marker {
                None => {
                    m.set_none();
                }
                Some(t) => {
                    // Filled for actuals, hollow for targets: they differ in print too.
                    let mut fill = ChartSolidFill::new();
                    fill.set_color(if filled { rgb } else { 0xFFFFFF });
                    let mut line = ChartLine::new();
                    line.set_color(rgb);
                    m.set_type(t)
                        .set_size(7)
                        .set_format(rust_xlsxwriter::ChartFormat::new().set_solid_fill(&fill).set_line(&line));
                }
            }
            let ser = chart
                .add_series()
                .set_name(name)
                .set_categories((SHEET_CHARTS, top + 1, 1, top + 1, last))
                .set_values((SHEET_CHARTS, top + r, 1, top + r, last))
                .set_format(
                    rust_xlsxwriter::ChartFormat::new().set_line(ChartLine::new().set_color(rgb).set_width(2.0).set_dash_type(dash)),
                )
                .set_marker(&m);
            if filled {
                ser.set_data_label(rust_xlsxwriter::ChartDataLabel::new().show_value());
            }
        }
        chart.set_width(640).set_height(330);
        ws.insert_chart(top + 6, 0, &chart)?;
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C- &P / &N -");
    Ok(())
}

fn write_trend_sheet(ws: &mut Worksheet, plan: &Plan, year: FiscalYear, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(SHEET_TREND)?;
    let years = trend_years(plan);
    let ny = years.len() as u16;
    let first_year = TREND_HEAD.len() as u16;
    let tail = first_year + ny;
    let as_of = plan.as_of.map(|d| format!(" ※{}時点", d.short())).unwrap_or_default();
    ws.write_string_with_format(0, 0, format!("KPI推移({}{as_of})", year.long()), &s.title)?;
    for (i, h) in TREND_HEAD.iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &s.header)?;
    }
    for (i, y) in years.iter().enumerate() {
        ws.write_string_with_format(2, first_year + i as u16, y.long(), &s.header)?;
    }
    for (i, h) in TREND_TAIL.iter().enumerate() {
        ws.write_string_with_format(2, tail + i as u16, *h, &s.header)?;
    }
    let widths = [6.0, 28.0, 8.0, 10.0, 7.0];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    for i in 0..ny {
        ws.set_column_width(first_year + i, 12.0)?;
    }
    for (i, w) in [18.0, 8.0, 20.0, 6.0, 6.0, 9.0, 24.0].iter().enumerate() {
        ws.set_column_width(tail + i as u16, *w)?;
    }
    let mut row = 3u32;
    let derived = derived_divisions(plan);
    for k in &plan.kpis {
        let default_as_of = |y: FiscalYear| if y == plan.report_year { plan.as_of } else { None };
        let as_of_row = k.actuals.iter().any(|(y, a)| a.as_of != default_as_of(*y));
        let original_row = k.revisions.iter().any(|r| r.previous.is_some());
        let span = 3 + u32::from(as_of_row) + u32::from(original_row);
        let (first, last) = (row, row + span - 1);
        // Heights first: the tallest value of the years, the name spread over the rows.
        let tallest = years
            .iter()
            .map(|y| {
                let t = k.targets.get(y).map_or(1, |t| lines_in(t.text(), 12.0));
                let a = k.actuals.get(y).map_or(1, |a| lines_in(a.value.text(), 12.0));
                t.max(a)
            })
            .max()
            .unwrap_or(1);
        let name_lines = lines_in(&k.name, 28.0).div_ceil(span as usize);
        for i in 0..span {
            let l = if i < 2 { tallest.max(name_lines) } else { name_lines.max(1) };
            ws.set_row_height(first + i, l as f64 * LINE_PT + PAD_PT)?;
        }
        let divisions = kpi_divisions(k, &derived).join("\n");
        let direction = crate::eval::direction_cell(k.direction, k.tolerance.as_ref());
        let info: [(u16, Option<String>); 4] = [
            (1, Some(k.name.clone())),
            (2, k.unit.clone()),
            (3, None),
            (tail, Some(divisions).filter(|d| !d.is_empty())),
        ];
        ws.merge_range(first, 0, last, 0, "", &s.data_center)?;
        ws.write_number_with_format(first, 0, f64::from(k.no), &s.data_center)?;
        for (c, text) in &info {
            ws.merge_range(first, *c, last, *c, "", &s.data)?;
            if *c == 3 {
                put_value(ws, first, 3, k.baseline.as_ref(), s)?;
            } else {
                put_text(ws, first, *c, text.as_deref(), &s.data)?;
            }
        }
        let extra: [(u16, Option<String>); 6] = [
            (tail + 1, k.label.clone()),
            (tail + 2, k.group.clone()),
            (tail + 3, Some(direction)),
            (tail + 4, k.cumulative.then(|| "累計".to_string())),
            (tail + 5, k.baseline_year.map(|y| y.short())),
            (tail + 6, Some(k.footnotes.join("\n")).filter(|f| !f.is_empty())),
        ];
        for (c, text) in &extra {
            ws.merge_range(first, *c, last, *c, "", &s.data)?;
            put_text(ws, first, *c, text.as_deref(), &s.data)?;
        }
        let mut labels = vec![ROW_TARGET];
        if original_row {
            labels.push(ROW_ORIGINAL);
        }
        labels.extend([ROW_ACTUAL, ROW_RATE]);
        if as_of_row {
            labels.push(ROW_AS_OF);
        }
        // Row by row (low-memory mode): 目標, 目標値(当初), 実績, 達成率, 時点, each across the years.
        for (i, l) in labels.iter().enumerate() {
            let r = first + i as u32;
            ws.write_string_with_format(r, 4, *l, &s.data_center)?;
            for (j, y) in years.iter().enumerate() {
                let c = first_year + j as u16;
                // Each year against the target in force when it is rated.
                let rated = *y;
                let t = k.target_for(*y, rated);
                let a = k.actuals.get(y);
                match *l {
                    ROW_TARGET => put_value(ws, r, c, t.as_ref(), s)?,
                    ROW_ORIGINAL => put_value(ws, r, c, k.original_target(*y).filter(|_| k.revised_for(*y, rated)), s)?,
                    ROW_ACTUAL => put_value(ws, r, c, a.map(|a| &a.value), s)?,
                    ROW_RATE => match t
                        .as_ref()
                        .zip(a)
                        .and_then(|(t, a)| achievement_rate(k.baseline.as_ref(), t, &a.value, k.direction))
                    {
                        Some(rate) => {
                            ws.write_number_with_format(r, c, rate, &s.number("0.0%"))?;
                        }
                        None => {
                            ws.write_blank(r, c, &s.data)?;
                        }
                    },
                    _ => put_text(ws, r, c, a.and_then(|a| a.as_of).map(|d| d.short()).as_deref(), &s.data)?,
                }
            }
        }
        row = last + 1;
    }
    end_rows(ws, row)?;
    sheet_setup(ws, (2, 2), (3, 2))?;
    Ok(())
}

fn write_counts(
    ws: &mut Worksheet,
    row: u32,
    label_cols: &[Option<String>],
    projects: usize,
    c: &Counts,
    marks: &[Evaluation],
    s: &Styles,
) -> Result<(), XlsxError> {
    for (i, l) in label_cols.iter().enumerate() {
        put_text(ws, row, i as u16, l.as_deref(), &s.data)?;
    }
    // The counts start after the two label columns (分野 and 名称, or 部 merged over both).
    let base = 2u16;
    let values = std::iter::once(projects)
        .chain(marks.iter().map(|m| c.of(m)))
        .chain(std::iter::once(c.missing));
    for (i, v) in values.enumerate() {
        ws.write_number_with_format(row, base + i as u16, v as f64, &s.number("#,##0"))?;
    }
    Ok(())
}

/// The count columns' headings: 事業数, each mark with its word (`○ 達成`), 未入力.
fn count_head(scale: &Scale, marks: &[Evaluation]) -> Vec<String> {
    let mut head = vec!["事業数".to_string()];
    for m in marks {
        let word = scale.marks.iter().find(|x| x.mark == m.mark()).and_then(|x| x.label.clone());
        head.push(match word {
            Some(w) if !m.is_none() && w != m.mark() => format!("{} {w}", m.mark()),
            _ => m.mark().to_string(),
        });
    }
    head.push("未入力".into());
    head
}

fn write_counts_sheet(ws: &mut Worksheet, plan: &Plan, year: FiscalYear, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(SHEET_COUNTS)?;
    let sum = summarize(plan, year);
    let scale = plan.rule.scale();
    let marks: Vec<Evaluation> = sum.evaluations.marks.iter().map(|(m, _)| m.clone()).collect();
    let head = count_head(&scale, &marks);
    ws.write_string_with_format(0, 0, format!("評価集計({}、再掲を除く)", year.long()), &s.title)?;
    ws.set_column_width(0, 10.0)?;
    ws.set_column_width(1, 36.0)?;
    for i in 2..(2 + head.len() as u16) {
        ws.set_column_width(i, 10.0)?;
    }
    let mut row = 2u32;
    for (i, h) in ["分野", "名称"]
        .iter()
        .map(|h| h.to_string())
        .chain(head.iter().cloned())
        .enumerate()
    {
        ws.write_string_with_format(row, i as u16, h, &s.header)?;
    }
    row += 1;
    for a in &sum.areas {
        write_counts(
            ws,
            row,
            &[Some(a.code.clone()), a.name.clone()],
            a.projects,
            &a.evaluations,
            &marks,
            s,
        )?;
        row += 1;
    }
    write_counts(ws, row, &[Some("計".into()), None], sum.projects, &sum.evaluations, &marks, s)?;
    row += 2;
    ws.merge_range(row, 0, row, 1, "部", &s.header)?;
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(row, 2 + i as u16, h, &s.header)?;
    }
    row += 1;
    for d in &sum.departments {
        ws.merge_range(row, 0, row, 1, &d.department, &s.data)?;
        write_counts(ws, row, &[], d.projects, &d.evaluations, &marks, s)?;
        row += 1;
    }
    ws.write_string_with_format(
        row + 1,
        0,
        "※共管の事業は各部に計上しています。",
        &s.title.clone().set_bold().set_font_size(FONT_SIZE),
    )?;
    row += 3;
    let changed: Vec<(&crate::model::Project, String)> = plan
        .projects()
        .filter_map(|p| plan.status_note(p, year).map(|n| (p, n)))
        // Started or ending this year, and those that ended last year (where they went).
        .filter(|(p, _)| p.start == Some(year) || p.end == Some(year) || p.end == Some(FiscalYear(year.0 - 1)))
        .collect();
    if !changed.is_empty() {
        ws.write_string_with_format(
            row,
            0,
            format!("{}の新規・終了の事業", year.long()),
            &s.title.clone().set_bold().set_font_size(FONT_SIZE),
        )?;
        row += 1;
        let last = 1 + head.len() as u16;
        ws.write_string_with_format(row, 0, "事業番号", &s.header)?;
        ws.write_string_with_format(row, 1, "事業名", &s.header)?;
        ws.merge_range(row, 2, row, last, "備考", &s.header)?;
        row += 1;
        for (p, note) in &changed {
            put_text(ws, row, 0, Some(&p.no), &s.data)?;
            put_text(ws, row, 1, p.name.as_deref(), &s.data)?;
            ws.merge_range(row, 2, row, last, note, &s.data)?;
            row += 1;
        }
        row += 1;
    }
    if !sum.differences.is_empty() {
        ws.write_string_with_format(
            row,
            0,
            format!("評価がKPIからの提案({})と異なる事業", plan.rule.name()),
            &s.title.clone().set_bold().set_font_size(FONT_SIZE),
        )?;
        row += 1;
        let last = (1 + head.len() as u16).max(5);
        for (i, h) in ["事業番号", "事業名", "評価", "提案"].iter().enumerate() {
            ws.write_string_with_format(row, i as u16, *h, &s.header)?;
        }
        ws.merge_range(row, 4, row, last, "評価の理由", &s.header)?;
        row += 1;
        for d in &sum.differences {
            put_text(ws, row, 0, Some(&d.no), &s.data)?;
            put_text(ws, row, 1, Some(&d.name), &s.data)?;
            put_text(ws, row, 2, Some(d.evaluation.mark()), &s.data_center)?;
            put_text(ws, row, 3, Some(d.proposed.mark()), &s.data_center)?;
            ws.merge_range(row, 4, row, last, d.reason.as_deref().unwrap_or("(理由の記載なし)"), &s.data)?;
            row += 1;
        }
    }
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C- &P / &N -");
    Ok(())
}

/// Keys of the plan sheet, in order.
pub const PLAN_KEYS: [&str; 8] = [
    "団体名",
    "計画名",
    "報告書名",
    "計画期間",
    "目標年度",
    "報告年度",
    "実績時点",
    "評価ルール",
];

fn write_plan_sheet(ws: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(SHEET_PLAN)?;
    ws.set_column_width(0, 14.0)?;
    ws.set_column_width(1, 40.0)?;
    ws.set_column_width(2, 10.0)?;
    ws.set_column_width(3, 48.0)?;
    let years = plan.fiscal_years.iter().map(|y| y.short()).collect::<Vec<_>>().join(",");
    let values: [Option<String>; 8] = [
        Some(plan.organization.clone()).filter(|o| !o.is_empty()),
        Some(plan.title.clone()),
        Some(plan.report_title()),
        plan.period.map(|(a, b)| format!("{}-{}", a.short(), b.short())),
        Some(years),
        Some(plan.report_year.short()),
        plan.as_of.map(|d| d.short()),
        serde_json::to_string(&plan.rule).ok(),
    ];
    ws.write_string_with_format(0, 0, "項目", &s.header)?;
    ws.write_string_with_format(0, 1, "内容", &s.header)?;
    for (i, (k, v)) in PLAN_KEYS.iter().zip(values.iter()).enumerate() {
        ws.write_string_with_format(1 + i as u32, 0, *k, &s.data)?;
        put_text(ws, 1 + i as u32, 1, v.as_deref(), &s.data)?;
    }
    let mut row = PLAN_KEYS.len() as u32 + 2;
    ws.set_column_width(4, 48.0)?;
    ws.set_column_width(5, 48.0)?;
    for (i, h) in ["分野No", "分野名", "項目No", "項目名", "現状・課題", "取組状況(報告)"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, i as u16, *h, &s.header)?;
    }
    row += 1;
    for a in &plan.areas {
        if a.items.is_empty() {
            put_text(ws, row, 0, Some(&a.code), &s.data)?;
            put_text(ws, row, 1, a.name.as_deref(), &s.data)?;
            row += 1;
        }
        for it in &a.items {
            put_text(ws, row, 0, Some(&a.code), &s.data)?;
            put_text(ws, row, 1, a.name.as_deref(), &s.data)?;
            put_text(ws, row, 2, Some(&it.code), &s.data)?;
            put_text(ws, row, 3, it.name.as_deref(), &s.data)?;
            put_text(ws, row, 4, it.situation.as_deref(), &s.data)?;
            put_text(ws, row, 5, it.progress.as_deref(), &s.data)?;
            row += 1;
        }
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Columns of the per-year data sheet.
pub const YEARS_HEAD: [&str; 9] = [
    "事業番号",
    "年度",
    "評価",
    "取組状況",
    "予算(千円)",
    "課題・アクション",
    "主な取組",
    "課題とアクション",
    "予算内訳(千円)",
];

/// Columns of 目標値の改定.
pub const REVISIONS_HEAD: [&str; 8] = [
    "KPI番号",
    "指標名",
    "目標年度",
    "改定前",
    "改定後",
    "適用年度",
    "改定日",
    "改定理由",
];

/// 目標値の改定: one row per revision, oldest first per KPI. Import reads it back.
fn write_revisions_sheet(ws: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(super::SHEET_REVISIONS)?;
    ws.write_string_with_format(0, 0, "目標値の改定(当初の目標値と改定の履歴)", &s.title)?;
    for (i, (h, w)) in REVISIONS_HEAD
        .iter()
        .zip([8.0, 36.0, 11.0, 12.0, 12.0, 11.0, 12.0, 48.0])
        .enumerate()
    {
        ws.set_column_width(i as u16, w)?;
        ws.write_string_with_format(2, i as u16, *h, &s.header)?;
    }
    let mut row = 3u32;
    for k in &plan.kpis {
        for r in &k.revisions {
            ws.write_number_with_format(row, 0, f64::from(k.no), &s.data_center)?;
            put_text(ws, row, 1, Some(&k.name), &s.data)?;
            ws.write_string_with_format(row, 2, r.year.short(), &s.data_center)?;
            // As text: a value keeps exactly the form it was written in.
            put_text(ws, row, 3, r.previous.as_ref().map(KpiValue::text), &s.data)?;
            put_text(ws, row, 4, Some(r.value.text()), &s.data)?;
            ws.write_string_with_format(row, 5, r.from.short(), &s.data_center)?;
            ws.write_string_with_format(row, 6, &r.date, &s.data_center)?;
            put_text(ws, row, 7, r.reason.as_deref(), &s.data)?;
            let lines = lines_in(&k.name, 36.0).max(r.reason.as_deref().map_or(1, |t| lines_in(t, 48.0)));
            ws.set_row_height(row, lines as f64 * LINE_PT + PAD_PT)?;
            row += 1;
        }
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(2, 2)?;
    ws.set_footer("&C- &P / &N -");
    Ok(())
}

/// Columns of 事業の状態.
pub const STATUS_HEAD: [&str; 6] = ["事業番号", "事業名", "開始年度(新規)", "終了年度", "統合・分割元", "備考"];

/// 事業の状態: the projects with a start, an end or an origin; 備考 says what it means
/// for the report year. Import reads the first five columns back.
fn write_status_sheet(ws: &mut Worksheet, plan: &Plan, year: FiscalYear, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(super::SHEET_STATUS)?;
    ws.write_string_with_format(0, 0, format!("事業の新規・終了・統合・分割({})", year.long()), &s.title)?;
    for (i, (h, w)) in STATUS_HEAD.iter().zip([9.0, 40.0, 13.0, 11.0, 14.0, 40.0]).enumerate() {
        ws.set_column_width(i as u16, w)?;
        ws.write_string_with_format(2, i as u16, *h, &s.header)?;
    }
    let with_status = plan
        .projects()
        .filter(|p| p.start.is_some() || p.end.is_some() || !p.origin.is_empty());
    for (row, p) in (3u32..).zip(with_status) {
        put_project_no(ws, row, &p.no, &s.data_center)?;
        put_text(ws, row, 1, p.name.as_deref(), &s.data)?;
        put_text(ws, row, 2, p.start.map(|y| y.short()).as_deref(), &s.data_center)?;
        put_text(ws, row, 3, p.end.map(|y| y.short()).as_deref(), &s.data_center)?;
        put_text(
            ws,
            row,
            4,
            Some(p.origin.join(",")).filter(|o| !o.is_empty()).as_deref(),
            &s.data_center,
        )?;
        put_text(ws, row, 5, plan.status_note(p, year).as_deref(), &s.data)?;
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(2, 2)?;
    Ok(())
}

/// 照会記録: per round and 部 its state, when its 記入用ファイル was written, and the
/// files received with their times.
fn write_rounds_sheet(ws: &mut Worksheet, rounds: &[RoundRecord], s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(super::SHEET_ROUNDS)?;
    ws.write_string_with_format(0, 0, "照会記録", &s.title)?;
    let head = [
        ("照会", 26.0),
        ("年度", 11.0),
        ("回答期限", 12.0),
        ("開始", 20.0),
        ("締切", 20.0),
        ("部", 14.0),
        ("状態", 9.0),
        ("記入用ファイル作成", 20.0),
        ("受領ファイル(受領日時)", 60.0),
    ];
    for (i, (h, w)) in head.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
        ws.write_string_with_format(2, i as u16, *h, &s.header)?;
    }
    let mut r = 3;
    for rec in rounds {
        for d in &rec.departments {
            let files: Vec<String> = d
                .files
                .iter()
                .map(|(f, at)| format!("{}({at})", crate::views::file_name(f)))
                .collect();
            let cells = [
                rec.round.title.clone(),
                FiscalYear(rec.round.year).long(),
                rec.round.due.clone(),
                rec.round.opened_at.clone(),
                rec.round.closed_at.clone().unwrap_or_else(|| "(受付中)".into()),
                d.department.clone(),
                crate::ops::state_label(&d.state).to_string(),
                d.templates_at.clone().unwrap_or_default(),
                files.join("\n"),
            ];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, v, &s.data)?;
            }
            ws.set_row_height(r, (files.len().max(1) as f64) * LINE_PT + PAD_PT)?;
            r += 1;
        }
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn write_years_sheet(ws: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(SHEET_YEARS)?;
    for (i, w) in [8.0, 10.0, 8.0, 60.0, 12.0, 60.0, 50.0, 50.0, 36.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    for (i, h) in YEARS_HEAD.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &s.header)?;
    }
    let mut row = 1u32;
    for p in plan.projects() {
        for (y, d) in &p.years {
            // The report year's evaluation and narrative live in 取組一覧.
            let in_summary = *y == plan.report_year;
            let ev = if in_summary { None } else { d.evaluation.as_ref() };
            let narrative = if in_summary { None } else { d.narrative.as_deref() };
            let card = [
                crate::card::text::activities(&d.activities),
                crate::card::text::actions(&d.actions),
                crate::card::text::budget_lines(&d.budget_lines),
            ];
            if ev.is_none() && narrative.is_none() && d.budget.is_none() && d.issues.is_none() && card.iter().all(String::is_empty) {
                continue;
            }
            let lines = [narrative, d.issues.as_deref(), Some(card[0].as_str()), Some(card[1].as_str())]
                .iter()
                .map(|t| t.map_or(1, |t| lines_in(t, 60.0)))
                .max()
                .unwrap_or(1);
            ws.set_row_height(row, lines as f64 * LINE_PT + PAD_PT)?;
            put_project_no(ws, row, &p.no, &s.data)?;
            ws.write_string_with_format(row, 1, y.short(), &s.data)?;
            put_text(ws, row, 2, ev.map(|e| e.mark()), &s.data_center)?;
            put_text(ws, row, 3, narrative, &s.data)?;
            match d.budget {
                Some(b) => ws.write_number_with_format(row, 4, b as f64, &s.number("#,##0"))?,
                None => ws.write_blank(row, 4, &s.data)?,
            };
            put_text(ws, row, 5, d.issues.as_deref(), &s.data)?;
            for (i, t) in card.iter().enumerate() {
                put_text(ws, row, 6 + i as u16, Some(t.as_str()).filter(|t| !t.is_empty()), &s.data)?;
            }
            row += 1;
        }
    }
    end_rows(ws, row)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}
