//! Project cards as a workbook: one sheet per card, A4 portrait, one page wide.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{mismatch_note, yen, Card, Cell, KpiTable};

const FONT: &str = "游ゴシック";
/// Columns: A = row label, B.. = one per fiscal year.
const LABEL_WIDTH: f64 = 9.0;
const YEAR_WIDTH: f64 = 15.0;

struct Formats {
    title: Format,
    heading: Format,
    sub: Format,
    text: Format,
    note: Format,
    flag: Format,
    head: Format,
    label: Format,
    cell: Format,
    amount: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let boxed = base.clone().set_border(FormatBorder::Thin);
    Formats {
        title: base.clone().set_font_size(14).set_bold(),
        heading: base.clone().set_font_size(12).set_bold().set_background_color(Color::RGB(0xDDEBF7)),
        sub: base.clone().set_bold(),
        text: base.clone().set_align(FormatAlign::Top),
        note: base.clone().set_font_size(9),
        flag: base.clone().set_font_size(9).set_font_color(Color::RGB(0xC00000)),
        head: boxed
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xF2F2F2)),
        label: boxed.clone().set_bold().set_align(FormatAlign::Center),
        cell: boxed.clone().set_align(FormatAlign::Center),
        amount: base.clone().set_align(FormatAlign::Right),
    }
}

/// A sheet name from the card title: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(c: &Card, used: &mut Vec<String>) -> String {
    let clean: String = c.title.chars().filter(|ch| !"[]:*?/\\'".contains(*ch)).take(28).collect();
    let mut name = clean.trim().to_string();
    let mut n = 2;
    while used.contains(&name) || name.is_empty() {
        name = format!("{}~{n}", clean.chars().take(26).collect::<String>());
        n += 1;
    }
    used.push(name.clone());
    name
}

/// The cards as a workbook.
pub fn cards_workbook(cards: &[Card]) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let f = formats();
    let mut used = Vec::new();
    for c in cards {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(c, &mut used))?;
        write_card(ws, c, &f)?;
    }
    Ok(wb)
}

fn write_card(ws: &mut Worksheet, c: &Card, f: &Formats) -> Result<(), XlsxError> {
    let last = c.years.len() as u16; // the last year column
    ws.set_paper_size(9); // A4
    ws.set_portrait();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer("&C&P / &N");
    ws.set_column_width(0, LABEL_WIDTH)?;
    for col in 1..=last {
        ws.set_column_width(col, YEAR_WIDTH)?;
    }
    let mut row: u32 = 0;
    // One line of text across the card; its height follows its length.
    let line = move |ws: &mut Worksheet, row: &mut u32, text: &str, fmt: &Format| -> Result<(), XlsxError> {
        ws.merge_range(*row, 0, *row, last, text, fmt)?;
        let width_chars = (LABEL_WIDTH + YEAR_WIDTH * f64::from(last)) * 0.55;
        let lines = text
            .lines()
            .map(|l| (l.chars().count() as f64 / width_chars).ceil().max(1.0))
            .sum::<f64>();
        ws.set_row_height(*row, 15.0 * lines.max(1.0))?;
        *row += 1;
        Ok(())
    };
    line(ws, &mut row, &c.title, &f.title)?;
    for (label, text) in &c.positioning {
        line(ws, &mut row, &format!("{label}: {text}"), &f.text)?;
    }
    if !c.contents.is_empty() {
        line(ws, &mut row, "プロジェクトの内容", &f.sub)?;
        for l in &c.contents {
            line(ws, &mut row, l, &f.text)?;
        }
    }
    row += 1;
    line(ws, &mut row, "主な指標及び工程", &f.heading)?;
    if let Some(n) = &c.actuals_note {
        line(ws, &mut row, n, &f.note)?;
    }
    for g in &c.groups {
        if let Some(h) = &g.heading {
            row += 1;
            line(ws, &mut row, &format!("□ {h}"), &f.sub)?;
        }
        for t in &g.tables {
            write_table(ws, &mut row, c, t, f, &line)?;
        }
    }
    if !c.actions.is_empty() {
        row += 1;
        line(ws, &mut row, "課題とアクション", &f.heading)?;
        ws.write_with_format(row, 0, "", &f.head)?;
        let split = 1 + last / 2; // 課題 in B..split, アクション after
        ws.merge_range(row, 1, row, split, "課題", &f.head)?;
        ws.merge_range(row, split + 1, row, last, "アクション", &f.head)?;
        row += 1;
        // Full-width characters per line of a merged range of year columns.
        let per_line = |cols: u16| YEAR_WIDTH * f64::from(cols) / 2.0;
        let lines = |text: &str, cols: u16| (text.chars().count() as f64 / per_line(cols)).ceil().max(1.0);
        let left = f.cell.clone().set_align(FormatAlign::Left);
        for (i, a) in c.actions.iter().enumerate() {
            let actions: Vec<&str> = if a.actions.is_empty() {
                vec![""]
            } else {
                a.actions.iter().map(String::as_str).collect()
            };
            let n = actions.len() as u32;
            let mut heights: Vec<f64> = actions.iter().map(|t| 14.0 * lines(t, last - split) + 4.0).collect();
            // The issue spans the rows of its actions; the last row takes what it still needs.
            let issue_h = 14.0 * lines(&a.issue, split) + 4.0;
            let sum: f64 = heights.iter().sum();
            if issue_h > sum {
                *heights.last_mut().expect("at least one row") += issue_h - sum;
            }
            let first = row;
            for (act, h) in actions.iter().zip(&heights) {
                ws.merge_range(row, split + 1, row, last, act, &left)?;
                ws.set_row_height(row, *h)?;
                row += 1;
            }
            let num = (i + 1).to_string();
            if n > 1 {
                ws.merge_range(first, 0, first + n - 1, 0, &num, &f.label)?;
                ws.merge_range(first, 1, first + n - 1, split, &a.issue, &left)?;
            } else {
                ws.write_with_format(first, 0, num.as_str(), &f.label)?;
                ws.merge_range(first, 1, first, split, &a.issue, &left)?;
            }
        }
    }
    for s in &c.sections {
        row += 1;
        line(ws, &mut row, &s.heading, &f.heading)?;
        if !s.activities.is_empty() {
            line(ws, &mut row, "■ 主な取組", &f.sub)?;
            for a in &s.activities {
                line(ws, &mut row, &format!("▶ {}", a.title), &f.sub)?;
                line(ws, &mut row, &format!("・{}", a.text), &f.text)?;
                if let Some(n) = &a.footnote {
                    line(ws, &mut row, n, &f.note)?;
                }
            }
        }
        if s.budget.is_some() || !s.budget_lines.is_empty() {
            let label = format!("■ {}予算", s.year.long());
            ws.merge_range(row, 0, row, last - 1, &label, &f.sub)?;
            ws.write_with_format(
                row,
                last,
                s.budget.map(yen).unwrap_or_default(),
                &f.sub.clone().set_align(FormatAlign::Right),
            )?;
            row += 1;
            for l in &s.budget_lines {
                ws.merge_range(row, 0, row, last - 1, &format!("・{}", l.item), &f.text)?;
                ws.write_with_format(row, last, yen(l.amount), &f.amount)?;
                row += 1;
            }
            if let Some(m) = s.mismatch {
                line(ws, &mut row, &mismatch_note(m), &f.flag)?;
            }
        }
    }
    Ok(())
}

type LineFn = dyn Fn(&mut Worksheet, &mut u32, &str, &Format) -> Result<(), XlsxError>;

fn write_table(ws: &mut Worksheet, row: &mut u32, c: &Card, t: &KpiTable, f: &Formats, line: &LineFn) -> Result<(), XlsxError> {
    let mark = if t.is_kgi { "◆" } else { "▶" };
    line(ws, row, &format!("{mark} {}", t.heading), &f.sub)?;
    if !t.divisions.is_empty() {
        line(ws, row, &format!("担当課:{}", t.divisions.join("、")), &f.text)?;
    }
    ws.write_with_format(*row, 0, "", &f.head)?;
    for (i, y) in c.years.iter().enumerate() {
        ws.write_with_format(*row, 1 + i as u16, y.long(), &f.head)?;
    }
    *row += 1;
    for (label, cells) in [("目標", &t.targets), ("実績", &t.actuals)] {
        ws.write_with_format(*row, 0, label, &f.label)?;
        let mut col: u16 = 1;
        let mut tallest = 1.0f64;
        for Cell { text, span } in cells {
            let span = *span as u16;
            if span > 1 {
                ws.merge_range(*row, col, *row, col + span - 1, text, &f.cell)?;
            } else {
                ws.write_with_format(*row, col, text.as_str(), &f.cell)?;
            }
            tallest = tallest.max((text.chars().count() as f64 / (8.0 * f64::from(span))).ceil());
            col += span;
        }
        ws.set_row_height(*row, 16.0 * tallest)?;
        *row += 1;
    }
    for n in &t.footnotes {
        line(ws, row, n, &f.note)?;
    }
    *row += 1;
    Ok(())
}
