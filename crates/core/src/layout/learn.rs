//! `shinchoku layout learn`: the header block found by its labels, each column
//! mapped to a field by its synonyms, per-year columns recognised by the 和暦 or 西暦
//! in their header, and a report in Japanese of what was mapped, what was guessed and
//! which columns could not be placed.

use std::collections::BTreeSet;
use std::path::Path;

use super::{field_of_header, split_year, Column, Field, Hierarchy, Layout};
use crate::fy::FiscalYear;
use crate::xlsx::import::{load_grid, Grid};

use crate::xlsx::package::Workbook;
use crate::xlsx::{column_name, Problem};

/// A learned layout and what was done to learn it.
#[derive(Debug, Clone)]
pub struct Learned {
    pub layout: Layout,
    /// `列 B「指標名」→ 指標名`
    pub mapped: Vec<String>,
    /// Mappings made without the header saying so.
    pub guessed: Vec<String>,
    /// Columns with a header that names no field.
    pub unplaced: Vec<String>,
    /// Those columns as they are (no field), for the app's table to place by hand.
    pub unplaced_columns: Vec<Column>,
}

/// Learns the layout of `sheet` (or of the first sheet whose header is found).
pub fn learn(path: &Path, sheet: Option<&str>) -> Result<Learned, Vec<Problem>> {
    let file = path.display().to_string();
    let mut wb = Workbook::open(path).map_err(|m| vec![problem(&file, None, m)])?;
    let names: Vec<String> = wb.sheet_names().to_vec();
    let order: Vec<String> = match sheet {
        Some(s) if names.iter().any(|n| n == s) => vec![s.to_string()],
        Some(s) => {
            return Err(vec![problem(
                &file,
                None,
                format!("シート「{s}」はありません(このブックのシート: {})", names.join("、")),
            )])
        }
        None => names,
    };
    for name in &order {
        let g = load_grid(&mut wb, name).map_err(|p| vec![p])?;
        if let Some(mut l) = learn_grid(&g, Field::KpiName) {
            if let (Some(p), Some((a, b))) = (l.layout.print.as_mut(), wb.print_titles(name)) {
                p.repeat_rows = Some([a + 1, b + 1]);
            }
            // KPI rows that name their project by number: the projects may be on a sheet of
            // their own (事業番号 and the project's fields, no 指標名).
            if l.layout.columns.iter().any(|c| c.field == Field::ProjectNo.key()) {
                for other in names_of(&wb).iter().filter(|n| *n != name) {
                    let pg = load_grid(&mut wb, other).map_err(|p| vec![p])?;
                    let Some(mut pl) = learn_grid(&pg, Field::ProjectNo) else {
                        continue;
                    };
                    if pl
                        .layout
                        .columns
                        .iter()
                        .any(|c| !Field::from_key(&c.field).is_some_and(Field::of_project))
                    {
                        continue;
                    }
                    if let (Some(p), Some((a, b))) = (pl.layout.print.as_mut(), wb.print_titles(other)) {
                        p.repeat_rows = Some([a + 1, b + 1]);
                    }
                    let at = |m: &String| format!("シート「{other}」の{m}");
                    l.mapped.extend(pl.mapped.iter().map(at));
                    l.guessed.extend(pl.guessed.iter().map(at));
                    l.unplaced.extend(pl.unplaced.iter().map(at));
                    if l.layout.marks.is_empty() {
                        l.layout.marks = pl.layout.marks.clone();
                    }
                    let p = pl.layout;
                    // The KPI rows of one project repeat its number: they join it, not begin it.
                    if l.layout.project_cells.take().is_some() {
                        l.guessed.retain(|g| g != PROJECT_ROWS);
                    }
                    l.layout.projects = Some(super::ProjectSheet {
                        sheet: other.clone(),
                        title: p.title,
                        header_row: p.header_row,
                        header_rows: p.header_rows,
                        columns: p.columns,
                        print: p.print,
                        heights: p.heights,
                    });
                    break;
                }
            }
            return Ok(l);
        }
    }
    Err(vec![problem(
        order.first().map_or(&file, |s| s),
        Some("A1".into()),
        "KPIの表の見出しが見つかりません(指標名・基準値・目標値・実績 などが並んだ行が必要です)".into(),
    )])
}

const PROJECT_ROWS: &str = "事業の行の下に、その事業のKPIが複数の行で続く表と判断しました";

/// The number format of a column's first formatted number (of the first 20 data rows).
fn number_format_of(g: &Grid, c: u32, data: u32) -> Option<String> {
    (data..g.rows().min(data + 20)).find_map(|r| match g.get(r, c) {
        crate::xlsx::import::Cell::Number(_, f) if !f.is_empty() && &**f != "General" => Some(f.to_string()),
        _ => None,
    })
}

fn names_of(wb: &Workbook) -> Vec<String> {
    wb.sheet_names().to_vec()
}

fn problem(sheet: &str, cell: Option<String>, message: String) -> Problem {
    Problem {
        sheet: sheet.to_string(),
        cell,
        message,
    }
}

/// The header's text of a column over `rows` header rows (a parent merged over its years).
pub(super) fn header_text(g: &Grid, h: u32, rows: u32, c: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in h..h + rows {
        if let Some(t) = g.get(r, c).text() {
            if parts.last() != Some(&t) {
                parts.push(t);
            }
        }
    }
    parts.join("")
}

/// The table of `g` whose header names `key` (指標名 for a KPI table, 事業番号 for a sheet of
/// projects) and at least two other fields.
fn learn_grid(g: &Grid, key: Field) -> Option<Learned> {
    // The header: the row (of the first 30) naming the most fields, `key` among them.
    let scan = g.rows().min(30);
    let mut best: Option<(u32, usize)> = None;
    for r in 0..scan {
        let fields: Vec<Field> = (0..g.width())
            .filter_map(|c| g.get(r, c).text().and_then(|t| field_of_header(&t)).map(|(f, _)| f))
            .collect();
        if fields.len() >= 3 && fields.contains(&key) && best.is_none_or(|(_, n)| fields.len() > n) {
            best = Some((r, fields.len()));
        }
    }
    let (h, _) = best?;
    // A second header row of years (or of 値 / 年度) under merged parents.
    let yearish = |t: &str| split_year(t).1.is_some() && split_year(t).0.trim().is_empty();
    let sub = (0..g.width())
        .filter(|&c| g.get(h + 1, c).text().is_some_and(|t| yearish(&t) || t == "年度" || t == "値"))
        .count();
    let rows = if sub >= 2 { 2 } else { 1 };
    let data = h + rows;

    let mut columns: Vec<Column> = Vec::new();
    let (mut mapped, mut guessed, mut unplaced) = (Vec::new(), Vec::new(), Vec::new());
    let mut unplaced_columns = Vec::new();
    let mut taken: BTreeSet<(Field, Option<FiscalYear>)> = BTreeSet::new();
    let mut pending_final: Vec<(usize, String)> = Vec::new();
    let mut pending_actual: Vec<(usize, String)> = Vec::new();
    let mut years: BTreeSet<FiscalYear> = BTreeSet::new();
    for c in 0..g.width() {
        let text = header_text(g, h, rows, c);
        if text.is_empty() {
            continue;
        }
        let letter = column_name(c);
        // 基準値 over 値 / 年度: the baseline and the year column of the baseline.
        let parent = field_of_header(&g.get(h, c).text().unwrap_or_default());
        let child = if rows == 2 { g.get(h + 1, c).text() } else { None };
        let field = match (parent, child.as_deref()) {
            (Some((Field::Baseline, _)), Some("年度")) => Some((Field::BaselineYear, None)),
            (Some(p), Some("値")) => Some(p),
            _ => field_of_header(&text),
        };
        // A column that is not placed is kept as it is, for the app's table to place by hand.
        let as_is = || Column {
            column: letter.clone(),
            field: String::new(),
            header: text.clone(),
            sub_header: None,
            year: None,
            synonyms: Vec::new(),
            width: g.width_of(c),
            number_format: number_format_of(g, c, data),
            align: None,
            group: None,
            lines: false,
            words: false,
        };
        let Some((field, year)) = field else {
            unplaced.push(format!("列 {letter}「{}」", text.replace('\n', " ")));
            unplaced_columns.push(as_is());
            continue;
        };
        if !taken.insert((field, year)) && field != Field::Note {
            unplaced_columns.push(as_is());
            unplaced.push(format!(
                "列 {letter}「{}」({}{}は列 {}に割り当て済み)",
                text.replace('\n', " "),
                year.map(|y| y.long()).unwrap_or_default(),
                field.label(),
                columns
                    .iter()
                    .find(|x| x.field == field.key() && x.year == year.map(|y| y.short()))
                    .map_or(String::new(), |x| x.column.clone())
            ));
            continue;
        }
        if let Some(y) = year {
            if field != Field::Baseline {
                years.insert(y);
            }
        }
        let number_format = number_format_of(g, c, data);
        let (header, sub_header) = match (rows, g.get(h, c).text(), g.get(h + 1, c).text()) {
            (2, Some(p), Some(s)) if p != s => (p, Some(s)),
            (2, Some(p), _) => (p, None),
            _ => (text.clone(), None),
        };
        columns.push(Column {
            column: letter.clone(),
            field: field.key().to_string(),
            header,
            sub_header,
            year: year.map(|y| y.short()),
            synonyms: Vec::new(),
            width: g.width_of(c),
            number_format,
            align: None,
            group: None,
            lines: false,
            words: false,
        });
        let i = columns.len() - 1;
        match (field, year) {
            (Field::Target, None) => pending_final.push((i, letter)),
            (Field::Actual, None) => pending_actual.push((i, letter)),
            _ => mapped.push(format!(
                "列 {letter}「{}」→ {}{}",
                text.replace('\n', " "),
                year.map(|y| format!("{}の", y.long()))
                    .filter(|_| field != Field::Baseline)
                    .unwrap_or_default(),
                field.label()
            )),
        }
    }
    // A target without its year is the final target: the last year the sheet names.
    let last = years.iter().next_back().copied();
    for (i, letter) in pending_final {
        match last {
            Some(y) => {
                columns[i].year = Some(y.short());
                guessed.push(format!(
                    "列 {letter}「{}」→ {}の目標値(見出しに年度がないため、表の最後の年度の目標としました)",
                    columns[i].header,
                    y.long()
                ));
            }
            None => guessed.push(format!(
                "列 {letter}「{}」→ 目標値(年度が見出しにありません。`year` を書き足してください)",
                columns[i].header
            )),
        }
    }
    for (i, letter) in pending_actual {
        match last {
            Some(y) => {
                columns[i].year = Some(y.short());
                guessed.push(format!(
                    "列 {letter}「{}」→ {}の実績値(見出しに年度がないため、表の最後の年度としました)",
                    columns[i].header,
                    y.long()
                ));
            }
            None => guessed.push(format!(
                "列 {letter}「{}」→ 実績値(年度が見出しにありません。`year` を書き足してください)",
                columns[i].header
            )),
        }
    }
    let has = |f: Field| columns.iter().any(|c| c.field == f.key());
    if !has(key) {
        return None;
    }
    // Heading rows: one cell of text alone on its row.
    let headings = (data..g.rows()).any(|r| super::read::is_heading(g, r));
    let hierarchy = if !has(Field::Area) && !has(Field::Item) && headings {
        guessed.push("分野・項目は見出しの行として書かれていると判断しました(文字が一つだけの行)".into());
        Hierarchy::HeadingRows
    } else {
        Hierarchy::Columns
    };
    let marks = columns
        .iter()
        .find(|c| c.field == Field::Evaluation.key())
        .and_then(|c| super::column_index(&c.column))
        .map(|ec| marks_in(g, ec, data))
        .unwrap_or_default();
    // A project's cells over its KPI rows: merged down, or the same 事業番号 / 事業名 on the next row.
    let project_col = columns
        .iter()
        .find(|c| c.field == Field::ProjectNo.key() || c.field == Field::ProjectName.key())
        .and_then(|c| super::column_index(&c.column));
    let project_cells = match project_col.filter(|_| key == Field::KpiName) {
        Some(pc)
            if g.merges
                .iter()
                .any(|&((sr, sc), (er, ec))| sc <= pc && pc <= ec && sr >= data && er > sr) =>
        {
            Some(super::ProjectCells::Merged)
        }
        Some(pc) if (data + 1..g.rows()).any(|r| g.get(r, pc).text().is_some() && g.get(r, pc).text() == g.get(r - 1, pc).text()) => {
            Some(super::ProjectCells::Repeated)
        }
        _ => None,
    };
    if project_cells.is_some() {
        guessed.push(PROJECT_ROWS.into());
    }
    // How the table looks: each column aligned as most of its first data cells are, and
    // borders where the header or the first data rows have them.
    for c in columns.iter_mut().chain(unplaced_columns.iter_mut()) {
        let Some(ci) = super::column_index(&c.column) else { continue };
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for r in data..g.rows().min(data + 20) {
            if let Some(a) = g.looks.get(&(r, ci)).and_then(|l| l.align).filter(|_| !g.get(r, ci).is_empty()) {
                match counts.iter_mut().find(|(x, _)| *x == a) {
                    Some(n) => n.1 += 1,
                    None => counts.push((a, 1)),
                }
            }
        }
        c.align = counts.iter().max_by_key(|(_, n)| *n).map(|(a, _)| a.to_string());
    }
    let borders = (h..g.rows().min(data + 20)).any(|r| (0..g.width()).any(|c| g.looks.get(&(r, c)).is_some_and(|l| l.border)));
    let style = style_of(g, h, data);
    let title: Vec<String> = (0..h).filter_map(|r| (0..g.width()).find_map(|c| g.get(r, c).text())).collect();
    Some(Learned {
        layout: Layout {
            name: title.first().cloned().unwrap_or_else(|| g.name.clone()),
            sheet: Some(g.name.clone()),
            title,
            header_row: h + 1,
            header_rows: rows,
            hierarchy,
            marks,
            columns,
            print: Some(super::Print {
                paper: g.page.paper,
                landscape: g.page.landscape,
                fit_width: g.page.fit.map(|f| f.0),
                fit_height: g.page.fit.map(|f| f.1),
                repeat_rows: None,
                header: g.page.header.clone(),
                footer: g.page.footer.clone(),
                margins: None,
            }),
            // The title's and header's heights; the data rows' heights fit what they hold.
            heights: g
                .heights
                .iter()
                .filter(|(r, _)| *r < data)
                .map(|&(r, points)| super::RowHeight { row: r + 1, points })
                .collect(),
            projects: None,
            borders: Some(borders),
            project_cells,
            listings: None,
            numbers: None,
            freeze: None,
            style,
        },
        mapped,
        guessed,
        unplaced,
        unplaced_columns,
    })
}

/// The evaluation marks a column uses from row `data` down, in the order of a known
/// scale where one fits them all.
pub(super) fn marks_in(g: &Grid, col: u32, data: u32) -> Vec<String> {
    let mut marks: Vec<String> = Vec::new();
    for r in data..g.rows() {
        if let Some(t) = g.get(r, col).text() {
            if !marks.contains(&t) && t.chars().count() <= 8 {
                marks.push(t);
            }
        }
    }
    for name in crate::eval::EvaluationRule::BUILTIN {
        if let Some(rule) = crate::eval::EvaluationRule::builtin(name) {
            let scale: Vec<String> = rule.scale().marks.iter().map(|m| m.mark.clone()).collect();
            if !marks.is_empty() && marks.iter().all(|m| scale.contains(m)) {
                return scale;
            }
        }
    }
    marks
}

impl Learned {
    /// The report as `layout learn` prints it.
    pub fn report(&self) -> Vec<String> {
        let l = &self.layout;
        let mut out = vec![format!(
            "見出し: {}!{}行目から{}行",
            l.sheet.as_deref().unwrap_or(""),
            l.header_row,
            l.header_rows
        )];
        out.push(format!("割り当てた列 {} 件:", self.mapped.len()));
        out.extend(self.mapped.iter().map(|m| format!("  {m}")));
        if !self.guessed.is_empty() {
            out.push(format!("推測した列 {} 件(確認してください):", self.guessed.len()));
            out.extend(self.guessed.iter().map(|m| format!("  {m}")));
        }
        if !self.unplaced.is_empty() {
            out.push(format!("割り当てられなかった列 {} 件(取り込みません):", self.unplaced.len()));
            out.extend(self.unplaced.iter().map(|m| format!("  {m}")));
        }
        out
    }
}

/// The value most of `items` have (the first of those tied).
fn most<T: PartialEq>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for x in items {
        match counts.iter_mut().find(|(y, _)| *y == x) {
            Some(n) => n.1 += 1,
            None => counts.push((x, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(x, _)| x)
}

/// How the table looks as a whole: the font most of its first data cells are in (the
/// workbook's own where they have none), the fill most of its header cells have, and where
/// most data cells stand their text, where the style says.
fn style_of(g: &Grid, h: u32, data: u32) -> Option<super::Style> {
    let data_looks = || {
        (data..g.rows().min(data + 20))
            .flat_map(move |r| (0..g.width()).filter(move |&c| !g.get(r, c).is_empty()).map(move |c| (r, c)))
            .filter_map(|at| g.looks.get(&at))
    };
    let font = most(data_looks().filter_map(|l| l.font))
        .and_then(|f| g.fonts.get(usize::from(f)))
        .or(g.fonts.first());
    let header_looks = || (h..data).flat_map(|r| (0..g.width()).filter_map(move |c| g.looks.get(&(r, c))));
    let fill = most(header_looks().filter_map(|l| l.fill));
    // The header's own font, said where it is not the table's; bold unless it is not.
    let header = most(header_looks().filter_map(|l| l.font))
        .and_then(|f| g.fonts.get(usize::from(f)))
        .or(g.fonts.first());
    let differs = |a: Option<String>, b: Option<String>| if a != b { a } else { None };
    let style = super::Style {
        font: font.and_then(|f| f.name.clone()),
        font_size: font.and_then(|f| f.size),
        header_fill: fill.map(|c| format!("{c:06X}")),
        header_font: differs(header.and_then(|f| f.name.clone()), font.and_then(|f| f.name.clone())),
        header_font_size: header.and_then(|f| f.size).filter(|s| Some(*s) != font.and_then(|f| f.size)),
        header_bold: header.filter(|f| !f.bold).map(|_| false),
        // A style without a vertical alignment stands its text at the bottom (the spreadsheet's default).
        vertical: data_looks().next().map(|_| {
            most(data_looks().map(|l| l.vertical.unwrap_or("bottom")))
                .unwrap_or("bottom")
                .to_string()
        }),
    };
    (style != super::Style::default()).then_some(style)
}
