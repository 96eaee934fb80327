//! A plan written back in a layout: the title rows, the header (a parent merged over
//! its years or its 値 / 年度, a single header merged down), and the rows in plan
//! order — 分野 and 項目 in their columns or as heading rows — each value in the
//! column the layout gives its field and year, numbers as numbers in the format the
//! sheet used.

use std::path::Path;

use std::collections::HashMap;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Field, Hierarchy, Layout, Listings, Numbers};
use crate::fy::FiscalYear;
use crate::model::{Entry, EntryView, Kpi, KpiRef, Plan};
use crate::value::{KpiValue, Parsed};
use crate::xlsx::export::{lines_in, put_text, PAD_PT};
use crate::xlsx::{save_atomically, WriteError, RELISTED};

/// Writes `plan` in `layout` to `path` (a temporary file renamed into place).
pub fn write(plan: &Plan, layout: &Layout, path: &Path) -> Result<(), WriteError> {
    let mut wb = Workbook::new();
    build(&mut wb, plan, layout).map_err(|source| WriteError::Xlsx {
        path: path.to_path_buf(),
        source,
    })?;
    save_atomically(&mut wb, path)
}

/// The years a template's per-year columns take for a plan: its fiscal years (its period
/// where it lists none, its report year where it has neither).
fn plan_years(plan: &Plan) -> Vec<FiscalYear> {
    if !plan.fiscal_years.is_empty() {
        return plan.fiscal_years.clone();
    }
    match plan.period {
        Some((a, b)) => (a.0..=b.0).map(FiscalYear).collect(),
        None => vec![plan.report_year],
    }
}

/// A row of a sheet: the listing it is under (its index among the plan's listings, its
/// project, area and item), its KPI, and whether the KPI is shown again there (再掲).
#[derive(Clone, Copy)]
struct Row<'a> {
    listing: Option<(usize, EntryView<'a>)>,
    kpi: Option<&'a Kpi>,
    relisted: bool,
}

impl<'a> Row<'a> {
    fn view(&self) -> Option<EntryView<'a>> {
        self.listing.map(|(_, v)| v)
    }
}

/// The rows of a KPI table. With `Listings::Each`: every listing in the plan's order (a
/// 再掲 too), with each KPI it lists, or a row of its own where it lists none. Otherwise
/// each of the plan's KPIs once, where it is listed (its own listing before a 再掲), in the
/// plan's order, then any KPI nothing lists; with `projects_too`, a project with no KPI of
/// its own has a row of its own.
fn kpi_rows(plan: &Plan, listings: Listings, projects_too: bool) -> Vec<Row<'_>> {
    let views = plan.views();
    if listings == Listings::Each {
        let mut rows = Vec::new();
        for (i, v) in views.into_iter().enumerate() {
            let before = rows.len();
            rows.extend(v.entry.kpis().iter().map(|r| Row {
                listing: Some((i, v)),
                kpi: plan.kpi(r.no),
                relisted: r.relisted,
            }));
            if rows.len() == before {
                rows.push(Row {
                    listing: Some((i, v)),
                    kpi: None,
                    relisted: false,
                });
            }
        }
        return rows;
    }
    let listed: Vec<(usize, &KpiRef)> = views
        .iter()
        .enumerate()
        .flat_map(|(i, v)| v.entry.kpis().iter().map(move |r| (i, r)))
        .collect();
    // KPI → the listing it is written under.
    let mut chosen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for (i, (_, r)) in listed.iter().enumerate() {
        let at = chosen.entry(r.no).or_insert(i);
        if listed[*at].1.relisted && !r.relisted {
            *at = i;
        }
    }
    let mut at: Vec<usize> = chosen.values().copied().collect();
    at.sort_unstable();
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut next = at.into_iter().peekable();
    for (vi, v) in views.iter().enumerate() {
        let mut any = false;
        while let Some(&i) = next.peek().filter(|&&i| listed[i].0 == vi) {
            next.next();
            if let Some(k) = plan.kpi(listed[i].1.no) {
                rows.push(Row {
                    listing: Some((vi, *v)),
                    kpi: Some(k),
                    relisted: false,
                });
                any = true;
            }
        }
        if projects_too && !any && !v.entry.is_relisting() {
            rows.push(Row {
                listing: Some((vi, *v)),
                kpi: None,
                relisted: false,
            });
        }
    }
    rows.extend(plan.kpis.iter().filter(|k| !chosen.contains_key(&k.no)).map(|k| Row {
        listing: None,
        kpi: Some(k),
        relisted: false,
    }));
    rows
}

fn build(wb: &mut Workbook, plan: &Plan, layout: &Layout) -> Result<(), XlsxError> {
    // Projects on a sheet of their own: one row each, before the sheet of their KPIs.
    if let Some(ps) = &layout.projects {
        let rows = plan
            .views()
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.entry.is_relisting())
            .map(|(i, v)| Row {
                listing: Some((i, v)),
                kpi: None,
                relisted: false,
            })
            .collect();
        write_rows(wb.add_worksheet(), plan, &ps.as_layout(layout), plan.report_year, rows)?;
    }
    write_table(wb.add_worksheet(), plan, layout, plan.report_year).map(|_| ())
}

/// Writes the plan's KPI table in `layout` for `year` on `ws`: its title, header, widths,
/// rows and print setup. Rows are written in order, each row's height set before it, so
/// `ws` may be a sheet that keeps one row in memory (the summary workbook's 取組一覧).
/// Returns the row below the last one written.
pub fn write_table(ws: &mut Worksheet, plan: &Plan, layout: &Layout, year: FiscalYear) -> Result<u32, XlsxError> {
    let rows = kpi_rows(plan, layout.listings.unwrap_or(Listings::Once), layout.project_cells.is_some());
    write_rows(ws, plan, layout, year, rows)
}

/// The sheet's formats: the title, the header and each column's cells (and those cells in
/// a number format), in the layout's face and colours.
struct Formats {
    title: Format,
    head: Format,
    columns: Vec<Format>,
    numbers: HashMap<(usize, String), Format>,
    /// A line of the sheet's text, in points.
    line_pt: f64,
}

impl Formats {
    fn new(layout: &Layout) -> Formats {
        let style = layout.style.clone().unwrap_or_default();
        let mut base = Format::new();
        if let Some(f) = &style.font {
            base = base.set_font_name(f);
        }
        if let Some(size) = style.font_size {
            base = base.set_font_size(size);
        }
        // Thin borders unless the sheet has none.
        let border = if layout.borders == Some(false) {
            FormatBorder::None
        } else {
            FormatBorder::Thin
        };
        let mut head = base.clone();
        if let Some(f) = &style.header_font {
            head = head.set_font_name(f);
        }
        if let Some(size) = style.header_font_size {
            head = head.set_font_size(size);
        }
        if style.header_bold != Some(false) {
            head = head.set_bold();
        }
        let mut head = head
            .set_border(border)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        if let Some(rgb) = style
            .header_fill
            .as_deref()
            .and_then(|h| u32::from_str_radix(h.trim_start_matches('#'), 16).ok())
        {
            head = head.set_background_color(Color::RGB(rgb));
        }
        let vertical = match style.vertical.as_deref() {
            Some("top") => FormatAlign::Top,
            Some("bottom") => FormatAlign::Bottom,
            _ => FormatAlign::VerticalCenter,
        };
        let cell = base.clone().set_border(border).set_text_wrap().set_align(vertical);
        // Each column's cells: aligned as the layout says.
        let columns = layout
            .columns
            .iter()
            .map(|c| match c.align.as_deref() {
                Some("left") => cell.clone().set_align(FormatAlign::Left),
                Some("center") => cell.clone().set_align(FormatAlign::Center),
                Some("right") => cell.clone().set_align(FormatAlign::Right),
                _ => cell.clone(),
            })
            .collect();
        Formats {
            title: base.set_bold().set_font_size(14),
            head,
            columns,
            numbers: HashMap::new(),
            // 9 pt text takes 12 points a line, 11 pt 15.
            line_pt: style.font_size.map_or(15.0, |s| (s * 4.0 / 3.0).round()),
        }
    }

    /// Column `i`'s cell format with a number format.
    fn number(&mut self, i: usize, num_format: &str) -> &Format {
        let column = &self.columns[i];
        self.numbers
            .entry((i, num_format.to_string()))
            .or_insert_with(|| column.clone().set_num_format(num_format))
    }
}

/// The words a title or header stands for: `{organization}`, `{year}` (令和5年度) and
/// `{year_short}` (R5) of the year written, `{plan_title}`, `{report_title}` and `{as_of}`
/// (`※令和6年3月31日時点`, where the plan says when its figures are from).
fn filled(text: &str, plan: &Plan, year: FiscalYear) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let as_of = plan
        .as_of
        .filter(|_| year == plan.report_year)
        .map(|d| format!("※{}時点", d.short()))
        .unwrap_or_default();
    text.replace("{organization}", &plan.organization)
        .replace("{year_short}", &year.short())
        .replace("{year}", &year.long())
        .replace("{plan_title}", &plan.title)
        .replace("{report_title}", &plan.report_title_for(year))
        .replace("{as_of}", &as_of)
}

/// One sheet of the layout: its title, header, widths, rows and print setup.
fn write_rows(ws: &mut Worksheet, plan: &Plan, layout: &Layout, year: FiscalYear, rows: Vec<Row<'_>>) -> Result<u32, XlsxError> {
    let resolved;
    let layout = if layout.is_template() {
        resolved = layout.for_years(&plan_years(plan), None);
        &resolved
    } else {
        layout
    };
    ws.set_name(layout.sheet.as_deref().unwrap_or("KPI"))?;
    let mut formats = Formats::new(layout);
    let h = layout.header_row - 1;
    let data = h + layout.header_rows;
    // Heights the layout gives its rows, set before each row is written.
    let heights: HashMap<u32, f64> = layout
        .heights
        .iter()
        .filter(|rh| rh.row >= 1)
        .map(|rh| (rh.row - 1, rh.points))
        .collect();
    for (r, p) in &heights {
        if *r < data {
            ws.set_row_height(*r, *p)?;
        }
    }
    for c in &layout.columns {
        if let (Some(w), Some(i)) = (c.width, super::column_index(&c.column)) {
            // The width as the sheet stores it, given in pixels (7 to a character): what is
            // written is that width again, not that width plus the padding of a width in characters.
            ws.set_column_width_pixels(i as u16, (w * 7.0).round() as u32)?;
        }
    }
    for (r, t) in layout.title.iter().enumerate() {
        let t = filled(t, plan, year);
        if r == 0 {
            ws.write_string_with_format(0, 0, t, &formats.title)?;
        } else {
            ws.write_string(r as u32, 0, t)?;
        }
    }
    write_header(ws, layout, h, &formats.head, &|t| filled(t, plan, year))?;
    let mapped = layout.mapped();
    // The characters a line of each column holds: its width less the cell's padding.
    let text_widths: Vec<Option<f64>> = layout
        .columns
        .iter()
        .map(|c| c.width.map(|w| ((w - 5.0 / 7.0) * 100.0).round() / 100.0))
        .collect();
    let scale = plan.rule.scale();
    let merged = layout.project_cells == Some(super::ProjectCells::Merged);
    let mut row = data;
    let (mut area, mut item): (Option<&str>, Option<&str>) = (None, None);
    let mut i = 0;
    while i < rows.len() {
        // A project's run of rows: one row, or its KPIs' rows under a merged project cell.
        let mut end = i + 1;
        if merged && rows[i].listing.is_some() {
            while end < rows.len() && rows[end].listing.map(|l| l.0) == rows[i].listing.map(|l| l.0) {
                end += 1;
            }
        }
        let run = &rows[i..end];
        let v = run[0].view();
        let area_name = v.and_then(|v| plan.area(v.entry.area())).and_then(|a| a.name.as_deref());
        let item_name = v.and_then(|v| plan.item_name(v.entry.area(), v.entry.item()));
        if layout.hierarchy == Hierarchy::HeadingRows {
            if area_name != area {
                if let Some(a) = area_name {
                    ws.write_string(row, 0, a)?;
                    row += 1;
                }
                item = None;
            }
            if item_name != item {
                if let Some(i) = item_name {
                    ws.write_string(row, 0, i)?;
                    row += 1;
                }
            }
        }
        area = area_name;
        item = item_name;
        let cells: Vec<Vec<Out<'_>>> = run
            .iter()
            .map(|r| {
                mapped
                    .iter()
                    .zip(&layout.columns)
                    .map(|(m, c)| cell(layout, &scale, year, r, m, c, area_name, item_name))
                    .collect()
            })
            .collect();
        // Row heights that fit the wrapped text: a project's own cells over its rows are
        // spread over them, each KPI row as tall as its own cells.
        let lines_of = |outs: &[Out<'_>], project: bool| {
            outs.iter()
                .zip(&mapped)
                .zip(&text_widths)
                .filter(|((_, m), _)| !merged || m.field.of_project() == project)
                .filter_map(|((o, _), w)| Some(lines_in(&o.shown()?, (*w)?)))
                .max()
                .unwrap_or(1)
        };
        let mut lines: Vec<usize> = cells.iter().map(|c| lines_of(c, false)).collect();
        if merged {
            let span = lines.len();
            let extra = lines_of(&cells[0], true).saturating_sub(lines.iter().sum());
            for (k, l) in lines.iter_mut().enumerate() {
                *l += extra / span + usize::from(k < extra % span);
            }
        }
        for (k, l) in lines.iter().enumerate() {
            let r = row + k as u32;
            let points = heights.get(&r).copied().unwrap_or(*l as f64 * formats.line_pt + PAD_PT);
            ws.set_row_height(r, points)?;
        }
        let first = row;
        let last = row + run.len() as u32 - 1;
        for (k, outs) in cells.into_iter().enumerate() {
            for (ci, (out, m)) in outs.into_iter().zip(&mapped).enumerate() {
                let col = m.col as u16;
                if merged && m.field.of_project() && run[0].listing.is_some() {
                    if k > 0 {
                        continue;
                    }
                    if last > first {
                        ws.merge_range(first, col, last, col, "", &formats.columns[ci])?;
                    }
                }
                write_out(ws, row, col, out, layout, ci, &mut formats)?;
            }
            row += 1;
        }
        i = end;
    }
    if rows.is_empty() && heights.keys().any(|r| *r >= data) {
        // Nothing to write under the header: the layout's heights below it still hold.
        for (r, p) in heights.iter().filter(|(r, _)| **r >= data) {
            ws.set_row_height(*r, *p)?;
        }
    }
    if let Some((r, c)) = layout.freeze.as_deref().and_then(super::cell_position) {
        ws.set_freeze_panes(r, c as u16)?;
    }
    match &layout.print {
        // The sheet's own print setup, as learned.
        Some(p) => {
            if let Some(paper) = p.paper {
                ws.set_paper_size(paper.min(255) as u8);
            }
            if p.landscape {
                ws.set_landscape();
            } else {
                ws.set_portrait();
            }
            if let (Some(w), Some(t)) = (p.fit_width, p.fit_height) {
                ws.set_print_fit_to_pages(w, t);
            }
            if let Some([a, b]) = p.repeat_rows.filter(|[a, b]| *a >= 1 && b >= a) {
                ws.set_repeat_rows(a - 1, b - 1)?;
            }
            if let Some(t) = &p.header {
                ws.set_header(t);
            }
            if let Some(t) = &p.footer {
                ws.set_footer(t);
            }
            if let Some([l, r, t, b, hd, ft]) = p.margins {
                ws.set_margins(l, r, t, b, hd, ft);
            }
        }
        None => {
            ws.set_paper_size(9);
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
            ws.set_repeat_rows(h, data - 1)?;
        }
    }
    Ok(row)
}

/// What a row shows in a column.
#[allow(clippy::too_many_arguments)]
fn cell<'a>(
    layout: &Layout,
    scale: &crate::eval::Scale,
    year: FiscalYear,
    row: &Row<'a>,
    m: &super::Mapped,
    c: &super::Column,
    area_name: Option<&'a str>,
    item_name: Option<&'a str>,
) -> Out<'a> {
    let v = row.view();
    let p = v.map(|v| v.project);
    let k = row.kpi;
    let relisting = v.and_then(|v| match v.entry {
        Entry::Relisting(r) => Some(r.of.as_str()),
        Entry::Project(_) => None,
    });
    // The owners: each on a line of their own, or each name once.
    let owners = |name: fn(&crate::model::Owner) -> Option<&str>| {
        p.map(|p| {
            if c.lines {
                p.owners.iter().map(|o| name(o).unwrap_or("")).collect::<Vec<_>>().join("\n")
            } else {
                joined(p.owners.iter().filter_map(name))
            }
        })
        .filter(|s| !s.trim().is_empty())
    };
    match (m.field, m.year) {
        (Field::Area, _) => Out::Text(area_name),
        (Field::AreaNo, _) => Out::Text(v.map(|v| v.entry.area())),
        (Field::Item, _) => Out::Text(item_name),
        (Field::ItemNo, _) => Out::Text(v.and_then(|v| v.entry.item())),
        (Field::ProjectNo, _) if relisting.is_some() => Out::Text(Some(RELISTED)),
        (Field::ProjectNo, _) if c.number_format.is_some() => Out::Value(p.and_then(|p| KpiValue::new(p.no.as_str()))),
        (Field::ProjectNo, _) => match p.map(|p| (p.no.as_str(), p.no.parse::<u32>())) {
            Some((no, Ok(n))) if n.to_string() == no => Out::Number(f64::from(n)),
            Some((no, _)) => Out::Text(Some(no)),
            None => Out::Text(None),
        },
        (Field::ProjectName, _) => match (relisting, p.and_then(|p| p.name.as_deref())) {
            (Some(of), Some(n)) => Out::Owned(Some(format!("{n}\n※再掲:No{of}"))),
            (Some(of), None) => Out::Owned(Some(format!("※再掲:No{of}"))),
            (None, n) => Out::Text(n),
        },
        (Field::Summary, _) => Out::Text(v.and_then(|v| v.summary())),
        (Field::Goal, _) => Out::Text(v.and_then(|v| v.goal())),
        (Field::Department, _) => Out::Owned(owners(|o| o.department.as_deref())),
        // A KPI's own divisions where it names them, on a row of its own.
        (Field::Division, _) => match k.filter(|k| !k.divisions.is_empty() && layout.project_cells.is_none()) {
            Some(k) => Out::Owned(Some(joined(k.divisions.iter().map(String::as_str)))),
            None => Out::Owned(owners(|o| o.division.as_deref())),
        },
        (Field::KpiNo, _) if row.relisted => Out::Text(Some(RELISTED)),
        (Field::KpiNo, _) => k.map_or(Out::Text(None), |k| Out::Number(f64::from(k.no))),
        (Field::KpiName, _) if row.relisted => Out::Owned(k.map(|k| format!("{}\n※再掲:No{}", k.name, k.no))),
        (Field::KpiName, _) => Out::Text(k.map(|k| k.name.as_str())),
        (Field::Unit, _) => Out::Text(k.and_then(|k| k.unit.as_deref())),
        (Field::Baseline, _) => Out::Value(k.and_then(|k| k.baseline.clone())),
        (Field::BaselineYear, _) => Out::Owned(k.and_then(|k| k.baseline_year.map(FiscalYear::short))),
        // The target in force for the year written, with its original under it where revised.
        (Field::Target, Some(y)) => match k.and_then(|k| revised_target_text(k, y, year)) {
            Some(t) => Out::Owned(Some(t)),
            None => Out::Value(k.and_then(|k| k.target_for(y, year))),
        },
        (Field::Actual, y) => Out::Value(k.and_then(|k| k.actuals.get(&y.unwrap_or(year)).map(|a| a.value.clone()))),
        (Field::Target, None) => Out::Text(None),
        (Field::Evaluation, _) => {
            Out::Owned(
                v.and_then(|v| v.evaluation(year))
                    .map(|e| if c.words { scale.label(&e) } else { e.mark().to_string() }),
            )
        }
        (Field::Narrative, _) => Out::Text(v.and_then(|v| v.narrative(year))),
        (Field::Note, _) => Out::Text(p.and_then(|p| p.years.get(&year)).and_then(|y| y.issues.as_deref())),
    }
}

/// A revised target as a sheet shows it: the target in force for the year written with
/// its original under it (`90%` / `(当初 80%)`); `None` where the target was not revised.
pub(crate) fn revised_target_text(k: &Kpi, y: FiscalYear, report: FiscalYear) -> Option<String> {
    if !k.revised_for(y, report) {
        return None;
    }
    let now = k.target_for(y, report)?;
    let original = k.original_target(y).map_or("なし", KpiValue::text);
    Some(format!("{}\n{}", now.text(), crate::model::original_note(original)))
}

/// What makes a column one of a run of header cells merged across: its group, or its
/// group and header over sub-headers (`None`: it stands alone).
type RunKey<'a> = dyn Fn(&super::Column) -> Option<(Option<&str>, &str)> + 'a;

/// The header: one row per level — a column's `group` on the first of three, its header,
/// its `sub_header` on the last. Columns next to each other that share a group, or a header
/// over sub-headers, have it merged across them; a header with nothing under it is merged
/// down to the last header row, and with no group over it, from the first.
fn write_header(ws: &mut Worksheet, layout: &Layout, h: u32, f: &Format, fill: &dyn Fn(&str) -> String) -> Result<(), XlsxError> {
    let cols: Vec<(u16, &super::Column)> = layout
        .columns
        .iter()
        .filter_map(|c| super::column_index(&c.column).map(|i| (i as u16, c)))
        .collect();
    let last = h + layout.header_rows - 1;
    let rows = layout.header_rows;
    fn group(c: &super::Column, rows: u32) -> Option<&str> {
        c.group.as_deref().filter(|_| rows >= 3)
    }
    fn sub(c: &super::Column, rows: u32) -> Option<&str> {
        c.sub_header.as_deref().filter(|_| rows >= 2)
    }
    // Text over the columns `a..=b` from row `top` to `bottom`, written when all are known.
    let mut cells: Vec<(u32, u32, u16, u16, String)> = Vec::new();
    let mut put = |top: u32, bottom: u32, a: u16, b: u16, text: &str| -> Result<(), XlsxError> {
        cells.push((top, bottom, a, b, fill(text)));
        Ok(())
    };
    // The last column of the run from `i` whose columns stand next to each other and
    // give the same `key` (`None` stands alone).
    let run_end = |i: usize, key: &RunKey<'_>| {
        let mut j = i;
        while j + 1 < cols.len() && key(cols[i].1).is_some() && key(cols[j + 1].1) == key(cols[i].1) && cols[j + 1].0 == cols[j].0 + 1 {
            j += 1;
        }
        j
    };
    let mut i = 0;
    while i < cols.len() {
        let j = run_end(i, &|c| group(c, rows).map(|g| (None, g)));
        if let Some(g) = group(cols[i].1, rows) {
            put(h, h, cols[i].0, cols[j].0, g)?;
        }
        i = j + 1;
    }
    let mut i = 0;
    while i < cols.len() {
        let c = cols[i].1;
        let top = if group(c, rows).is_some() { h + 1 } else { h };
        if sub(c, rows).is_none() {
            put(top, last, cols[i].0, cols[i].0, &c.header)?;
            i += 1;
            continue;
        }
        let j = run_end(i, &|c| sub(c, rows).map(|_| (group(c, rows), c.header.as_str())));
        put(top, last - 1, cols[i].0, cols[j].0, &c.header)?;
        for (ci, c) in &cols[i..=j] {
            put(last, last, *ci, *ci, sub(c, rows).unwrap_or(""))?;
        }
        i = j + 1;
    }
    // Row by row, left to right: a sheet that keeps one row in memory takes no cell above
    // the row it is on (a merged cell's rows below are written ahead).
    cells.sort_by_key(|&(top, _, a, _, _)| (top, a));
    for (top, bottom, a, b, text) in cells {
        if top == bottom && a == b {
            ws.write_string_with_format(top, a, text, f)?;
        } else {
            ws.merge_range(top, a, bottom, b, &text, f)?;
        }
    }
    Ok(())
}

/// Writes a cell: text, a blank, or a number in the column's (or its text's) format.
fn write_out(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    out: Out<'_>,
    layout: &Layout,
    i: usize,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    let f = &formats.columns[i];
    match out {
        Out::Text(t) => put_text(ws, row, col, t, f),
        Out::Owned(t) => put_text(ws, row, col, t.as_deref(), f),
        Out::Number(n) => ws.write_number_with_format(row, col, n, f).map(|_| ()),
        Out::Value(None) => ws.write_blank(row, col, f).map(|_| ()),
        Out::Value(Some(v)) => {
            let c = &layout.columns[i];
            match number_cell(&v, c.number_format.as_deref(), layout.numbers.unwrap_or(Numbers::Typed)) {
                Some((n, format)) => {
                    let f = formats.number(i, &format);
                    ws.write_number_with_format(row, col, n, f)?;
                }
                None => {
                    ws.write_string_with_format(row, col, v.text(), f)?;
                }
            }
            Ok(())
        }
    }
}

/// What a cell of a row holds, before it is written.
#[derive(Clone)]
enum Out<'a> {
    Text(Option<&'a str>),
    Owned(Option<String>),
    Value(Option<KpiValue>),
    Number(f64),
}

impl Out<'_> {
    /// The text the cell shows, for its height (a number is one line).
    fn shown(&self) -> Option<String> {
        match self {
            Out::Text(t) => t.map(str::to_string),
            Out::Owned(t) => t.clone(),
            Out::Value(v) => v.as_ref().map(|v| v.text().to_string()),
            Out::Number(_) => None,
        }
    }
}

/// Names joined as a cell lists them: `企画課、情報政策課` (each once).
fn joined<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out.join("、")
}

/// A value as a number cell and its number format, where it is written as one.
/// `Numbers::Formatted`: every plain number, in the format its text shows. `Numbers::Typed`:
/// as the sheet typed it — in the column's format, or General where the text is a plain
/// number; a percentage stays text in a column whose numbers are not percentages; and only
/// where the cell shows the value as written (`7(※1)` stays text).
fn number_cell(v: &KpiValue, fmt: Option<&str>, numbers: Numbers) -> Option<(f64, String)> {
    let Parsed::Number(q) = v.parse() else { return None };
    if q.unit.is_some() {
        return None;
    }
    if numbers == Numbers::Formatted {
        return Some((q.cell_value(), q.cell_format()));
    }
    if q.percent && !fmt.is_some_and(|x| x.contains('%')) {
        return None;
    }
    let written_plain = !q.percent && q.decimals == 0 && !v.text().contains(',');
    let format = match fmt {
        Some(x) => x.to_string(),
        None if written_plain => "General".to_string(),
        None => q.cell_format(),
    };
    KpiValue::from_cell_number(q.cell_value(), &format)
        .is_some_and(|shown| shown.text() == v.text())
        .then(|| (q.cell_value(), format))
}
