//! A plan written back in a layout: the title rows, the header (a parent merged over
//! its years or its 値 / 年度, a single header merged down), and the rows in plan
//! order — 分野 and 項目 in their columns or as heading rows — each value in the
//! column the layout gives its field and year, numbers as numbers in the format the
//! sheet used.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Field, Hierarchy, Layout};
use crate::fy::FiscalYear;
use crate::model::{EntryView, Kpi, KpiRef, Plan};
use crate::value::{KpiValue, Parsed};
use crate::xlsx::export::{lines_in, PAD_PT};
use crate::xlsx::{save_atomically, WriteError};

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

/// A listing as the rows tell one from the next: its project, whether it is a 再掲, its area and item.
type Listing<'a> = (&'a str, bool, &'a str, Option<&'a str>);

/// A project's run of rows: its listing, its first row and its cells (by column), merged down when it ends.
type Run<'a> = (Listing<'a>, u32, Vec<(usize, Out<'a>)>);

/// The rows of a KPI table: each of the plan's KPIs once, where it is listed (its own
/// listing before a 再掲), in the plan's order, then any KPI nothing lists. With
/// `projects_too`, a project with no KPI of its own has a row of its own.
fn kpi_rows(plan: &Plan, projects_too: bool) -> Vec<Row<'_>> {
    let views = plan.views();
    let listings: Vec<(usize, &KpiRef)> = views
        .iter()
        .enumerate()
        .flat_map(|(i, v)| v.entry.kpis().iter().map(move |r| (i, r)))
        .collect();
    // KPI → the listing it is written under.
    let mut chosen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for (i, (_, r)) in listings.iter().enumerate() {
        let at = chosen.entry(r.no).or_insert(i);
        if listings[*at].1.relisted && !r.relisted {
            *at = i;
        }
    }
    let mut at: Vec<usize> = chosen.values().copied().collect();
    at.sort_unstable();
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut next = at.into_iter().peekable();
    for (vi, v) in views.iter().enumerate() {
        let mut any = false;
        while let Some(&i) = next.peek().filter(|&&i| listings[i].0 == vi) {
            next.next();
            if let Some(k) = plan.kpi(listings[i].1.no) {
                rows.push((Some(*v), Some(k)));
                any = true;
            }
        }
        if projects_too && !any && !v.entry.is_relisting() {
            rows.push((Some(*v), None));
        }
    }
    rows.extend(plan.kpis.iter().filter(|k| !chosen.contains_key(&k.no)).map(|k| (None, Some(k))));
    rows
}

fn build(wb: &mut Workbook, plan: &Plan, layout: &Layout) -> Result<(), XlsxError> {
    let resolved;
    let layout = if layout.is_template() {
        resolved = layout.for_years(&plan_years(plan), None);
        &resolved
    } else {
        layout
    };
    // Projects on a sheet of their own: one row each, before the sheet of their KPIs.
    if let Some(ps) = &layout.projects {
        let rows = plan
            .views()
            .into_iter()
            .filter(|v| !v.entry.is_relisting())
            .map(|v| (Some(v), None))
            .collect();
        write_sheet(wb, plan, &ps.as_layout(layout), rows)?;
    }
    write_sheet(wb, plan, layout, kpi_rows(plan, layout.project_cells.is_some()))
}

/// A row of a sheet: the listing it is under (its project, area and item) and its KPI.
type Row<'a> = (Option<EntryView<'a>>, Option<&'a Kpi>);

/// One sheet of the layout: its title, header, widths, rows and print setup.
fn write_sheet(wb: &mut Workbook, plan: &Plan, layout: &Layout, rows: Vec<Row<'_>>) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(layout.sheet.as_deref().unwrap_or("KPI"))?;
    // Thin borders unless the sheet has none.
    let border = if layout.borders == Some(false) {
        FormatBorder::None
    } else {
        FormatBorder::Thin
    };
    let head = Format::new()
        .set_bold()
        .set_border(border)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new()
        .set_border(border)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    for (r, t) in layout.title.iter().enumerate() {
        let t = t
            .replace("{organization}", &plan.organization)
            .replace("{year}", &plan.report_year.long());
        if r == 0 {
            ws.write_string_with_format(0, 0, t, &Format::new().set_bold().set_font_size(14))?;
        } else {
            ws.write_string(r as u32, 0, t)?;
        }
    }
    let h = layout.header_row - 1;
    write_header(ws, layout, h, &head)?;
    for c in &layout.columns {
        if let (Some(w), Some(i)) = (c.width, super::column_index(&c.column)) {
            // The width as the sheet stores it, given in pixels (7 to a character): what is
            // written is that width again, not that width plus the padding of a width in characters.
            ws.set_column_width_pixels(i as u16, (w * 7.0).round() as u32)?;
        }
    }
    let mapped = layout.mapped();
    // Each column's cell format: bordered, wrapped, aligned as the layout says.
    let formats: Vec<Format> = layout
        .columns
        .iter()
        .map(|c| match c.align.as_deref() {
            Some("left") => cell.clone().set_align(FormatAlign::Left),
            Some("center") => cell.clone().set_align(FormatAlign::Center),
            Some("right") => cell.clone().set_align(FormatAlign::Right),
            _ => cell.clone(),
        })
        .collect();
    let mut row = h + layout.header_rows;
    let (mut area, mut item): (Option<&str>, Option<&str>) = (None, None);
    // A project's run of rows (its listing, first row) and its cells, merged down when it ends.
    let merged = layout.project_cells == Some(super::ProjectCells::Merged);
    let mut run: Option<Run<'_>> = None;
    for (v, k) in rows {
        let listing = v.map(|v| (v.project.no.as_str(), v.entry.is_relisting(), v.entry.area(), v.entry.item()));
        let continues = merged && listing.is_some() && run.as_ref().map(|r| Some(r.0)) == Some(listing);
        if !continues {
            if let Some((_, first, cells)) = run.take() {
                merge_run(ws, first, row - 1, cells, &mapped, layout, &formats)?;
            }
        }
        let p = v.map(|v| v.project);
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
        let year = p.and_then(|p| p.years.get(&plan.report_year));
        let evaluation = v.and_then(|v| v.evaluation(plan.report_year));
        // The owners, all of them: a KPI's own divisions where it names them.
        let departments = p.map(|p| joined(p.owners.iter().filter_map(|o| o.department.as_deref())));
        let divisions = match k.filter(|k| !k.divisions.is_empty()) {
            Some(k) => Some(joined(k.divisions.iter().map(String::as_str))),
            None => p.map(|p| joined(p.owners.iter().filter_map(|o| o.division.as_deref()))),
        };
        // The lines the row's tallest cell takes in its column's width.
        let mut lines = 1;
        for (i, ((m, c), f)) in mapped.iter().zip(&layout.columns).zip(&formats).enumerate() {
            let out = match (m.field, m.year) {
                (Field::Area, _) => Out::Text(area_name),
                (Field::Item, _) => Out::Text(item_name),
                (Field::ProjectNo, _) => Out::Value(p.and_then(|p| KpiValue::new(p.no.as_str()))),
                (Field::ProjectName, _) => Out::Text(p.and_then(|p| p.name.as_deref())),
                (Field::Department, _) => Out::Owned(departments.clone()),
                (Field::Division, _) => Out::Owned(divisions.clone()),
                (Field::KpiNo, _) => k.map_or(Out::Text(None), |k| Out::Number(f64::from(k.no))),
                (Field::KpiName, _) => Out::Text(k.map(|k| k.name.as_str())),
                (Field::Unit, _) => Out::Text(k.and_then(|k| k.unit.as_deref())),
                (Field::Baseline, _) => Out::Value(k.and_then(|k| k.baseline.clone())),
                (Field::BaselineYear, _) => Out::Owned(k.and_then(|k| k.baseline_year.map(FiscalYear::short))),
                (Field::Target, Some(y)) => Out::Value(k.and_then(|k| k.targets.get(&y).cloned())),
                (Field::Actual, Some(y)) => Out::Value(k.and_then(|k| k.actuals.get(&y).map(|a| a.value.clone()))),
                (Field::Target | Field::Actual, None) => Out::Text(None),
                (Field::Evaluation, _) => Out::Owned(evaluation.as_ref().map(|e| e.mark().to_string())),
                (Field::Narrative, _) => Out::Text(v.and_then(|v| v.narrative(plan.report_year))),
                (Field::Note, _) => Out::Text(year.and_then(|y| y.issues.as_deref())),
            };
            let col = m.col as u16;
            if merged && m.field.of_project() {
                if continues {
                    // Under the project's first row: merged over when its run ends.
                    ws.write_blank(row, col, f)?;
                    continue;
                }
                if let Some(l) = listing {
                    let r = run.get_or_insert_with(|| (l, row, Vec::new()));
                    r.2.push((i, out.clone()));
                }
            }
            let shown = match &out {
                Out::Text(t) => t.map(str::to_string),
                Out::Owned(t) => t.clone(),
                Out::Value(v) => v.as_ref().map(|v| v.text().to_string()),
                Out::Number(_) => None,
            };
            if let (Some(t), Some(w)) = (shown, c.width) {
                lines = lines.max(lines_in(&t, w));
            }
            write_out(ws, row, col, out, c, f)?;
        }
        // A row as tall as its wrapped lines (a spreadsheet keeps a row's height as written).
        ws.set_row_height(row, lines as f64 * LINE_PT + PAD_PT)?;
        row += 1;
    }
    if let Some((_, first, cells)) = run.take() {
        merge_run(ws, first, row - 1, cells, &mapped, layout, &formats)?;
    }
    for rh in &layout.heights {
        if rh.row >= 1 {
            ws.set_row_height(rh.row - 1, rh.points)?;
        }
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
        }
        None => {
            ws.set_paper_size(9);
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
            ws.set_repeat_rows(h, h + layout.header_rows - 1)?;
        }
    }
    Ok(())
}

/// The header: one row per level; a parent over several children merged across them,
/// a header without a child merged down.
fn write_header(ws: &mut Worksheet, layout: &Layout, h: u32, f: &Format) -> Result<(), XlsxError> {
    let cols: Vec<(u16, &super::Column)> = layout
        .columns
        .iter()
        .filter_map(|c| super::column_index(&c.column).map(|i| (i as u16, c)))
        .collect();
    if layout.header_rows == 1 {
        for (i, c) in &cols {
            ws.write_string_with_format(h, *i, &c.header, f)?;
        }
        return Ok(());
    }
    let last = h + layout.header_rows - 1;
    let mut i = 0;
    while i < cols.len() {
        let (c0, col) = cols[i];
        match &col.sub_header {
            None => {
                ws.merge_range(h, c0, last, c0, &col.header, f)?;
                i += 1;
            }
            Some(_) => {
                let mut j = i;
                while j + 1 < cols.len()
                    && cols[j + 1].1.sub_header.is_some()
                    && cols[j + 1].1.header == col.header
                    && cols[j + 1].0 == cols[j].0 + 1
                {
                    j += 1;
                }
                if j > i {
                    ws.merge_range(h, c0, h, cols[j].0, &col.header, f)?;
                } else {
                    ws.write_string_with_format(h, c0, &col.header, f)?;
                }
                for (ci, c) in &cols[i..=j] {
                    ws.write_string_with_format(h + 1, *ci, c.sub_header.as_deref().unwrap_or(""), f)?;
                }
                i = j + 1;
            }
        }
    }
    Ok(())
}

/// A line of the writer's 11 pt text, in points.
const LINE_PT: f64 = 15.0;

/// A project's cells merged down over its rows `first..=last` (nothing to merge on one row).
fn merge_run(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    cells: Vec<(usize, Out<'_>)>,
    mapped: &[super::Mapped],
    layout: &Layout,
    formats: &[Format],
) -> Result<(), XlsxError> {
    if last <= first {
        return Ok(());
    }
    for (i, out) in cells {
        let col = mapped[i].col as u16;
        ws.merge_range(first, col, last, col, "", &formats[i])?;
        write_out(ws, first, col, out, &layout.columns[i], &formats[i])?;
    }
    Ok(())
}

fn write_out(ws: &mut Worksheet, row: u32, col: u16, out: Out<'_>, c: &super::Column, f: &Format) -> Result<(), XlsxError> {
    match out {
        Out::Text(t) => put_text(ws, row, col, t, f),
        Out::Owned(t) => put_text(ws, row, col, t.as_deref(), f),
        Out::Value(v) => put_value(ws, row, col, v.as_ref(), c.number_format.as_deref(), f),
        Out::Number(n) => ws.write_number_with_format(row, col, n, f).map(|_| ()),
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

fn put_text(ws: &mut Worksheet, row: u32, col: u16, text: Option<&str>, f: &Format) -> Result<(), XlsxError> {
    match text {
        Some(t) if !t.is_empty() => ws.write_string_with_format(row, col, t, f)?,
        _ => ws.write_blank(row, col, f)?,
    };
    Ok(())
}

/// A value: a number cell where it is a plain number (in the column's format, or the
/// format its text shows), else its text; a percentage stays text in a column whose
/// numbers are not percentages (the sheet had it typed as text).
fn put_value(ws: &mut Worksheet, row: u32, col: u16, v: Option<&KpiValue>, fmt: Option<&str>, f: &Format) -> Result<(), XlsxError> {
    match v.map(|v| (v, v.parse())) {
        // A percentage in a column whose numbers are not percentages was typed as text there.
        Some((v, Parsed::Number(q))) if q.percent && !fmt.is_some_and(|x| x.contains('%')) => {
            ws.write_string_with_format(row, col, v.text(), f)?;
        }
        Some((v, Parsed::Number(q))) if q.unit.is_none() => {
            let written_plain = !q.percent && q.decimals == 0 && !v.text().contains(',');
            let format = match fmt {
                Some(x) => x.to_string(),
                None if written_plain => "General".to_string(),
                None => q.cell_format(),
            };
            // A number cell only where it shows the value as written (`7(※1)` stays text).
            if KpiValue::from_cell_number(q.cell_value(), &format).is_some_and(|shown| shown.text() == v.text()) {
                ws.write_number_with_format(row, col, q.cell_value(), &f.clone().set_num_format(format))?;
            } else {
                ws.write_string_with_format(row, col, v.text(), f)?;
            }
        }
        Some((v, _)) => {
            ws.write_string_with_format(row, col, v.text(), f)?;
        }
        None => {
            ws.write_blank(row, col, f)?;
        }
    }
    Ok(())
}
