//! A plan written back in a layout: the title rows, the header (a parent merged over
//! its years or its 値 / 年度, a single header merged down), and the rows in plan
//! order — 分野 and 項目 in their columns or as heading rows — each value in the
//! column the layout gives its field and year, numbers as numbers in the format the
//! sheet used.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Field, Hierarchy, Layout};
use crate::fy::FiscalYear;
use crate::model::{Entry, Plan};
use crate::value::{KpiValue, Parsed};
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

fn build(wb: &mut Workbook, plan: &Plan, layout: &Layout) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(layout.sheet.as_deref().unwrap_or("KPI"))?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    for (r, t) in layout.title.iter().enumerate() {
        let t = t
            .replace("{organization}", &plan.organization)
            .replace("{year}", &plan.report_year.long());
        ws.write_string(r as u32, 0, t)?;
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
    let mut row = h + layout.header_rows;
    let (mut area, mut item): (Option<&str>, Option<&str>) = (None, None);
    for e in &plan.entries {
        let Entry::Project(p) = e else { continue };
        let Some(k) = p.kpis.first().and_then(|r| plan.kpi(r.no)) else {
            continue;
        };
        let area_name = plan.area(&p.area).and_then(|a| a.name.as_deref());
        let item_name = plan.item_name(&p.area, p.item.as_deref());
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
        let year = p.years.get(&plan.report_year);
        for (m, c) in mapped.iter().zip(&layout.columns) {
            let col = m.col as u16;
            let fmt = c.number_format.as_deref();
            let text = |t: Option<&str>| t.map(str::to_string);
            match (m.field, m.year) {
                (Field::Area, _) => put_text(ws, row, col, area_name, &cell)?,
                (Field::Item, _) => put_text(ws, row, col, item_name, &cell)?,
                (Field::ProjectNo, _) => put_value(ws, row, col, KpiValue::new(p.no.as_str()).as_ref(), fmt, &cell)?,
                (Field::ProjectName, _) => put_text(ws, row, col, p.name.as_deref(), &cell)?,
                (Field::Department, _) => put_text(ws, row, col, p.owners.first().and_then(|o| o.department.as_deref()), &cell)?,
                (Field::Division, _) => put_text(ws, row, col, p.owners.first().and_then(|o| o.division.as_deref()), &cell)?,
                (Field::KpiNo, _) => {
                    ws.write_number_with_format(row, col, f64::from(k.no), &cell)?;
                }
                (Field::KpiName, _) => put_text(ws, row, col, Some(&k.name), &cell)?,
                (Field::Unit, _) => put_text(ws, row, col, k.unit.as_deref(), &cell)?,
                (Field::Baseline, _) => put_value(ws, row, col, k.baseline.as_ref(), fmt, &cell)?,
                (Field::BaselineYear, _) => put_text(
                    ws,
                    row,
                    col,
                    text(k.baseline_year.map(FiscalYear::short).as_deref()).as_deref(),
                    &cell,
                )?,
                (Field::Target, Some(y)) => put_value(ws, row, col, k.targets.get(&y), fmt, &cell)?,
                (Field::Actual, Some(y)) => put_value(ws, row, col, k.actuals.get(&y).map(|a| &a.value), fmt, &cell)?,
                (Field::Target | Field::Actual, None) => put_text(ws, row, col, None, &cell)?,
                (Field::Evaluation, _) => put_text(ws, row, col, year.and_then(|y| y.evaluation.as_ref()).map(|e| e.mark()), &cell)?,
                (Field::Narrative, _) => put_text(ws, row, col, year.and_then(|y| y.narrative.as_deref()), &cell)?,
                (Field::Note, _) => put_text(ws, row, col, year.and_then(|y| y.issues.as_deref()), &cell)?,
            }
        }
        row += 1;
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
            ws.write_number_with_format(row, col, q.cell_value(), &f.clone().set_num_format(format))?;
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
