//! Writes a department's entry workbook: `記入` (protected; the editable cells
//! unlocked and filled), `記入要領` (how to fill it in) and the hidden metadata
//! sheet with the merge base.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_xlsxwriter::{Color, DataValidation, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError};

use super::{
    department_projects, department_slice, sign, Column, META_FORMAT, META_VERSION, SHEET_ENTRY, SHEET_GUIDE, SHEET_META, SHEET_PLAN_SLICE,
};
use crate::fy::FiscalYear;
use crate::model::{Entry, Kpi, Plan, Project};
use crate::value::{KpiValue, Parsed};
use crate::xlsx::export::{base_format, header_format, lines_in, sheet_setup, LINE_PT, PAD_PT};
use crate::xlsx::{save_atomically, WriteError};

/// The fill of the cells a department fills in.
pub const EDITABLE_FILL: u32 = 0xFFF2CC;
/// The fill of a cell a 差戻し asks to fix.
pub const FLAGGED_FILL: u32 = 0xF8CBAD;
/// The header row of `記入` (0-based); data rows follow.
pub const HEADER_ROW: u32 = 3;

/// What a department's return is made of.
#[derive(Debug, Clone)]
pub struct ReturnSpec<'a> {
    /// The plan as it is when the file is made: the context and the merge base.
    pub plan: &'a Plan,
    /// The values to show in the editable cells when they are not the base (the
    /// app saving what a department entered); `None`: the base.
    pub filled: Option<&'a Plan>,
    pub plan_id: i64,
    /// The plan's latest revision when the file is made.
    pub revision: i64,
    pub department: &'a str,
    pub year: FiscalYear,
    pub created_at: String,
    /// The coordinator database's signing key: the metadata is signed with it.
    /// `None` writes an unsigned file (a department's own database has no key).
    pub key: Option<&'a [u8]>,
    /// The metadata sheet exactly as a coordinator's file carried it (a
    /// department's app saving its return from an opened 記入用ファイル): written
    /// unchanged, so the return verifies as the Excel-filled file would.
    pub carried_meta: Option<&'a [Vec<String>]>,
    /// The 照会 round the file answers (signed with the rest).
    pub round_id: Option<i64>,
    /// 差戻し: the cells to mark, and the coordinator's note, listed on a 指摘事項 sheet.
    pub findings: Option<(&'a [super::review::Finding], &'a str)>,
    /// The words of the plan's layout for the columns' headers (none: Shinchoku's own).
    pub labels: Option<&'a super::Labels>,
}

/// One row of the entry sheet: a project and one of its KPIs (or none).
#[derive(Debug, Clone, Copy)]
pub struct EntryRow<'a> {
    pub project: &'a Project,
    pub kpi: Option<&'a Kpi>,
    /// The KPI's actual is entered on this row (its first row in the file, and
    /// not a KPI repeated from another project).
    pub actual_editable: bool,
    /// First row of the project; the project's cells span `span` rows from here.
    pub first: bool,
    pub span: u32,
}

/// The rows of the entry sheet for these projects.
pub fn entry_rows<'a>(plan: &'a Plan, projects: &[&'a Project]) -> Vec<EntryRow<'a>> {
    let mut seen: HashSet<u32> = HashSet::new();
    let mut rows = Vec::new();
    for p in projects {
        let span = p.kpis.len().max(1) as u32;
        if p.kpis.is_empty() {
            rows.push(EntryRow {
                project: p,
                kpi: None,
                actual_editable: false,
                first: true,
                span,
            });
        }
        for (i, r) in p.kpis.iter().enumerate() {
            let kpi = plan.kpi(r.no);
            rows.push(EntryRow {
                project: p,
                kpi,
                actual_editable: kpi.is_some() && !r.relisted && seen.insert(r.no),
                first: i == 0,
                span,
            });
        }
    }
    rows
}

/// Where each project is re-listed: `I-3(9)`.
fn relisted_at(plan: &Plan) -> HashMap<&str, Vec<String>> {
    let mut out: HashMap<&str, Vec<String>> = HashMap::new();
    for e in &plan.entries {
        if let Entry::Relisting(r) = e {
            out.entry(r.of.as_str())
                .or_default()
                .push(format!("{}{}", r.area, r.item.as_deref().unwrap_or("")));
        }
    }
    out
}

/// Writes the department's return under a temporary name and renames it into place.
pub fn write_return(spec: &ReturnSpec<'_>, path: &Path) -> Result<usize, WriteError> {
    let (mut wb, rows) = build_return(spec).map_err(|source| WriteError::Xlsx {
        path: path.to_path_buf(),
        source,
    })?;
    save_atomically(&mut wb, path)?;
    Ok(rows)
}

/// The workbook in memory, and how many projects it holds.
pub fn build_return(spec: &ReturnSpec<'_>) -> Result<(Workbook, usize), XlsxError> {
    let plan = spec.plan;
    let projects = department_projects(plan, spec.department, spec.year);
    let rows = entry_rows(plan, &projects);
    let cols = spec.labels.map_or_else(|| Column::for_plan(plan), |l| l.columns(plan));
    let mut wb = Workbook::new();
    let styles = Styles::new();
    let mut meta: Vec<[String; 4]> = Vec::new();

    let ws = wb.add_worksheet();
    ws.set_name(SHEET_ENTRY)?;
    write_entry_sheet(ws, spec, &rows, &cols, &styles, &mut meta)?;
    let mut marked: Vec<(String, String)> = Vec::new();
    let ws = wb.worksheets_mut().last_mut().expect("the entry sheet was just added");
    if let Some((findings, _)) = spec.findings {
        mark_findings(ws, &meta, &cols, findings, &styles, &mut marked)?;
    }
    if let Some((findings, note)) = spec.findings {
        let ws = wb.add_worksheet();
        ws.set_name(SHEET_FINDINGS)?;
        write_findings_sheet(ws, spec, findings, note, &marked, &styles)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_GUIDE)?;
    write_guide_sheet(ws, spec, &cols, &styles)?;
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_META)?;
    match spec.carried_meta {
        Some(rows) => write_rows(ws, rows)?,
        None => write_meta_sheet(ws, spec, &meta)?,
    }
    ws.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_PLAN_SLICE)?;
    write_slice_sheet(ws, &department_slice(plan, spec.department))?;
    ws.set_hidden(true);
    Ok((wb, projects.len()))
}

struct Styles {
    title: Format,
    note: Format,
    header: Format,
    data: Format,
    edit: Format,
    edit_text: Format,
    edit_center: Format,
    /// An editable cell a 差戻し asks to fix.
    flagged: Format,
}

impl Styles {
    fn new() -> Self {
        let base = base_format();
        let data = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let edit = data.clone().set_background_color(Color::RGB(EDITABLE_FILL)).set_unlocked();
        Styles {
            title: base.clone().set_bold().set_font_size(12.0),
            note: base.clone(),
            header: header_format(),
            // General, not text: what a department types as a number stays a number (a
            // typed 1/2 that a spreadsheet turns into a date is refused by the reader, named by cell).
            edit_text: edit.clone(),
            edit_center: edit.clone().set_align(FormatAlign::Center).set_num_format("@"),
            flagged: edit
                .clone()
                .set_background_color(Color::RGB(FLAGGED_FILL))
                .set_border(FormatBorder::Medium)
                .set_border_color(Color::RGB(0xC00000)),
            edit,
            data,
        }
    }
}

/// A read-only value: a number cell where it is a plain number, else text.
fn put_value(ws: &mut Worksheet, row: u32, col: u16, v: Option<&KpiValue>, f: &Format) -> Result<(), XlsxError> {
    match v.map(|v| (v, v.parse())) {
        Some((_, Parsed::Number(q))) if q.unit.is_none() => {
            ws.write_number_with_format(row, col, q.cell_value(), &f.clone().set_num_format(q.cell_format()))?;
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

/// An entered 実績値 or 予算: a number cell in the number's own format (`45.2%` as 0.452
/// shown `0.0%`, `1,200` as 1200) where it is a plain number, else its text as written.
fn put_entered(ws: &mut Worksheet, row: u32, col: u16, text: Option<&str>, f: &Format) -> Result<(), XlsxError> {
    match text.and_then(entered_number) {
        Some((value, format)) => {
            ws.write_number_with_format(row, col, value, &f.clone().set_num_format(format))?;
        }
        None => put_text(ws, row, col, text, f)?,
    }
    Ok(())
}

/// An entered value that is a plain number: the cell value and its number format. A
/// whole number written without separators (6906) keeps that form; 1,200 keeps its comma.
fn entered_number(text: &str) -> Option<(f64, String)> {
    match KpiValue::new(text)?.parse() {
        Parsed::Number(q) if q.unit.is_none() => {
            let written_plain = !q.percent && q.decimals == 0 && !text.contains(',');
            Some((q.cell_value(), if written_plain { "0".to_string() } else { q.cell_format() }))
        }
        _ => None,
    }
}

fn put_text(ws: &mut Worksheet, row: u32, col: u16, text: Option<&str>, f: &Format) -> Result<(), XlsxError> {
    match text {
        Some(t) if !t.is_empty() => ws.write_string_with_format(row, col, t, f)?,
        _ => ws.write_blank(row, col, f)?,
    };
    Ok(())
}

fn code_and_name(code: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}

fn write_entry_sheet(
    ws: &mut Worksheet,
    spec: &ReturnSpec<'_>,
    rows: &[EntryRow<'_>],
    cols: &[Column],
    s: &Styles,
    meta: &mut Vec<[String; 4]>,
) -> Result<(), XlsxError> {
    let plan = spec.plan;
    let filled = spec.filled.unwrap_or(plan);
    let year = spec.year;
    let relisted = relisted_at(plan);
    let title = format!("{} 取組状況 記入用ファイル({})", year.long(), spec.department);
    ws.write_string_with_format(0, 0, &title, &s.title)?;
    let org = if plan.organization.is_empty() {
        String::new()
    } else {
        format!("{} ", plan.organization)
    };
    ws.write_string_with_format(1, 0, format!("{org}{}", plan.title), &s.note)?;
    ws.write_string_with_format(
        2,
        0,
        "黄色のセルに入力してください(他のセルは変更できません)。入力方法は「記入要領」シートを参照してください。",
        &s.note,
    )?;
    ws.set_row_height(0, 18.0)?;
    for (i, c) in cols.iter().enumerate() {
        let i = i as u16;
        ws.set_column_width(i, c.width())?;
        let header = spec.labels.map_or_else(|| c.header(year), |l| l.header(*c, year));
        ws.write_string_with_format(HEADER_ROW, i, header, &s.header)?;
    }
    ws.set_row_height(HEADER_ROW, 2.0 * LINE_PT + PAD_PT)?;
    let col_of = |c: Column| cols.iter().position(|x| *x == c).map(|i| i as u16);

    let mut r = HEADER_ROW + 1;
    let mut lines_needed: Vec<usize> = Vec::new();
    for row in rows {
        let p = row.project;
        let fp = filled.project(&p.no).unwrap_or(p);
        let kno = row.kpi.map(|k| k.no);
        let mut lines = 1usize;
        for (ci, c) in cols.iter().enumerate() {
            let ci = ci as u16;
            if c.per_project() && !row.first {
                continue;
            }
            let (base, shown): (Option<String>, Option<String>) = match c {
                Column::Actual => {
                    let get = |pl: &Plan| {
                        kno.and_then(|n| pl.kpi(n))
                            .and_then(|k| k.actuals.get(&year))
                            .map(|a| a.value.text().to_string())
                    };
                    (get(plan), get(filled))
                }
                Column::Evaluation => {
                    let get = |pr: &Project| pr.years.get(&year).and_then(|y| y.evaluation.clone()).map(|e| e.mark().to_string());
                    (get(p), get(fp))
                }
                Column::Narrative => {
                    let get = |pr: &Project| pr.years.get(&year).and_then(|y| y.narrative.clone());
                    (get(p), get(fp))
                }
                Column::Budget => {
                    let get = |pr: &Project| pr.years.get(&year).and_then(|y| y.budget).map(|b| b.to_string());
                    (get(p), get(fp))
                }
                Column::Issues => {
                    let get = |pr: &Project| pr.years.get(&year).and_then(|y| y.issues.clone());
                    (get(p), get(fp))
                }
                _ => {
                    let v = read_only_text(plan, row, *c, year, &relisted);
                    (v.clone(), v)
                }
            };
            let editable = c.editable() && (*c != Column::Actual || row.actual_editable);
            let span = if c.per_project() { row.span } else { 1 };
            let f = match (editable, c) {
                (false, _) => &s.data,
                (true, Column::Evaluation) => &s.edit_center,
                (true, Column::Actual | Column::Budget) => &s.edit_text,
                (true, _) => &s.edit,
            };
            if span > 1 {
                ws.merge_range(r, ci, r + span - 1, ci, "", f)?;
            }
            match c {
                Column::Baseline | Column::Target | Column::LastActual => {
                    put_value(ws, r, ci, base.as_deref().and_then(KpiValue::new).as_ref(), f)?
                }
                Column::Actual if !editable => put_value(ws, r, ci, base.as_deref().and_then(KpiValue::new).as_ref(), f)?,
                Column::Actual | Column::Budget => put_entered(ws, r, ci, shown.as_deref(), f)?,
                Column::No | Column::KpiNo => match base.as_deref().map(|t| (t, t.parse::<u32>())) {
                    Some((t, Ok(n))) if n.to_string() == t => {
                        ws.write_number_with_format(r, ci, f64::from(n), f)?;
                    }
                    other => put_text(ws, r, ci, other.map(|(t, _)| t), f)?,
                },
                _ => put_text(ws, r, ci, shown.as_deref(), f)?,
            }
            let key = if editable {
                c.field_path(&p.no, kno, year).unwrap_or_default()
            } else {
                String::new()
            };
            meta.push([(r + 1).to_string(), c.key().to_string(), key, base.clone().unwrap_or_default()]);
            if let Some(t) = shown.as_deref() {
                let l = lines_in(t, c.width());
                lines = lines.max(if span > 1 { l.div_ceil(span as usize) } else { l });
            }
        }
        lines_needed.push(lines);
        r += 1;
    }
    for (i, lines) in lines_needed.iter().enumerate() {
        ws.set_row_height(HEADER_ROW + 1 + i as u32, (*lines as f64) * LINE_PT + PAD_PT)?;
    }
    if let Some(ec) = col_of(Column::Evaluation).filter(|_| r > HEADER_ROW + 1) {
        // The plan's scale: its marks in the drop-down, their words in the hint.
        let scale = plan.rule.scale();
        let marks: Vec<&str> = scale.marks.iter().map(|m| m.mark.as_str()).collect();
        let words: Vec<String> = scale
            .marks
            .iter()
            .map(|m| match &m.label {
                Some(l) if l != &m.mark => format!("{} {l}", m.mark),
                _ => m.mark.clone(),
            })
            .collect();
        let dv = DataValidation::new()
            .allow_list_strings(&marks)?
            .set_input_title("評価")?
            .set_input_message(
                Some(words.join(" / "))
                    .filter(|w| w.chars().count() <= 250)
                    .unwrap_or_else(|| scale.listing()),
            )?
            .set_error_title("評価")?
            .set_error_message(format!("{} のいずれかを選んでください", scale.listing()))?;
        ws.add_data_validation(HEADER_ROW + 1, ec, r - 1, ec, &dv)?;
    }
    if let Some(ac) = col_of(Column::Actual) {
        if r > HEADER_ROW + 1 {
            let dv = DataValidation::new()
                .allow_any_value()
                .set_input_title("実績値")?
                .set_input_message("数値(例: 63.5%、1,234)または「-」。未確定なら空欄のまま。")?;
            ws.add_data_validation(HEADER_ROW + 1, ac, r - 1, ac, &dv)?;
        }
    }
    sheet_setup(ws, (0, HEADER_ROW), (HEADER_ROW + 1, 1))?;
    let mut opts = ProtectionOptions::new();
    opts.format_rows = true;
    opts.format_columns = true;
    ws.protect_with_options(&opts);
    Ok(())
}

/// The text of a read-only cell.
fn read_only_text(plan: &Plan, row: &EntryRow<'_>, c: Column, year: FiscalYear, relisted: &HashMap<&str, Vec<String>>) -> Option<String> {
    let p = row.project;
    let k = row.kpi;
    let owners = |f: fn(&crate::model::Owner) -> Option<&String>| {
        Some(p.owners.iter().filter_map(f).cloned().collect::<Vec<_>>().join("\n")).filter(|s| !s.is_empty())
    };
    match c {
        Column::No => Some(p.no.clone()),
        Column::Area => Some(code_and_name(&p.area, plan.area(&p.area).and_then(|a| a.name.as_deref()))),
        Column::Item => p.item.as_deref().map(|i| code_and_name(i, plan.item_name(&p.area, Some(i)))),
        Column::Dept => owners(|o| o.department.as_ref()),
        Column::Div => owners(|o| o.division.as_ref()),
        Column::Name => p.name.clone(),
        Column::KpiNo => k.map(|k| k.no.to_string()),
        Column::KpiName => k.map(|k| {
            let mut n = k.name.clone();
            if k.cumulative && !n.contains("累計") {
                n.push_str("(累計)");
            }
            if !row.actual_editable {
                n.push_str("\n※実績値は上の行で入力");
            }
            n
        }),
        Column::Unit => k.and_then(|k| k.unit.clone()),
        Column::Baseline => k.and_then(|k| k.baseline.as_ref()).map(|v| v.text().to_string()),
        Column::Target => k.and_then(|k| k.target_for(year, year)).map(|v| v.text().to_string()),
        Column::LastActual => k
            .and_then(|k| k.actuals.get(&FiscalYear(year.0 - 1)))
            .map(|a| a.value.text().to_string()),
        Column::Actual => k.and_then(|k| k.actuals.get(&year)).map(|a| a.value.text().to_string()),
        Column::Relisted => relisted.get(p.no.as_str()).map(|v| v.join("\n")),
        Column::PrevEvaluation => p
            .years
            .get(&FiscalYear(year.0 - 1))
            .and_then(|y| y.evaluation.as_ref())
            .map(|e| e.mark().to_string()),
        Column::PrevNarrative => p.years.get(&FiscalYear(year.0 - 1)).and_then(|y| y.narrative.clone()),
        _ => None,
    }
}

fn write_guide_sheet(ws: &mut Worksheet, spec: &ReturnSpec<'_>, cols: &[Column], s: &Styles) -> Result<(), XlsxError> {
    let plan = spec.plan;
    let year = spec.year.long();
    // The columns as the sheet heads them (a layout's words, see `Labels`).
    let word = |c: Column| spec.labels.map_or(c.key(), |l| l.word(c));
    let mut lines: Vec<String> = vec![
        format!("{year} 取組状況 記入要領({})", spec.department),
        String::new(),
        format!(
            "このファイルは「{}{}」の{year}の取組状況を、{}から返送していただくための記入用ファイルです。",
            plan.organization, plan.title, spec.department
        ),
        "1. 「記入」シートの黄色のセルだけに入力してください。ほかのセルは誤って変更しないよう保護しています(パスワードはありません)。"
            .into(),
        format!(
            "2. {}: 数値(例: 63.5%、1,234)または「-」を入力します。単位は「単位」列のとおりです。未確定の場合は空欄のままにしてください。",
            word(Column::Actual)
        ),
        format!("   同じKPIが複数の事業にある場合、{}は最初の行で入力します。", word(Column::Actual)),
        format!(
            "3. {}: {}から選びます({})。",
            word(Column::Evaluation),
            plan.rule
                .scale()
                .marks
                .iter()
                .map(|m| match &m.label {
                    Some(l) if l != &m.mark => format!("{}({l})", m.mark),
                    _ => m.mark.clone(),
                })
                .collect::<Vec<_>>()
                .join("、"),
            plan.rule.description()
        ),
        format!(
            "4. {}: 今年度の取組内容と成果を文章で記入します。セル内の改行は Alt+Enter です。",
            word(Column::Narrative)
        ),
    ];
    if cols.contains(&Column::PrevNarrative) {
        lines.push(
            "   「前年度評価」「前年度の取組状況」は昨年度の回答です(変更できません)。変わったところだけ今年度の欄に書いてください。"
                .into(),
        );
    }
    if cols.contains(&Column::Budget) {
        lines.push("5. 予算(千円): 今年度の予算額を千円単位の整数で記入します。".into());
    }
    if cols.contains(&Column::Issues) {
        lines.push("6. 課題・アクション: 課題と今後の対応を記入します。".into());
    }
    lines.extend([
        String::new(),
        "注意".into(),
        "・行や列の追加・削除、シート名の変更はしないでください。".into(),
        format!("・非表示の「{SHEET_META}」シートは取りまとめに使います。削除しないでください。"),
        "・ほかのブックにコピーせず、このファイルに入力して保存してください。".into(),
        "・入力が終わったら保存し、DX推進担当へ返送してください。".into(),
        String::new(),
        format!("作成: {}(計画の版 #{})", spec.created_at, spec.revision),
    ]);
    ws.set_column_width(0, 120.0)?;
    for (i, l) in lines.iter().enumerate() {
        let f = if i == 0 { &s.title } else { &s.note };
        ws.write_string_with_format(i as u32, 0, l, f)?;
    }
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn write_meta_sheet(ws: &mut Worksheet, spec: &ReturnSpec<'_>, cells: &[[String; 4]]) -> Result<(), XlsxError> {
    let signed: [String; 9] = [
        spec.plan_id.to_string(),
        spec.plan.title.clone(),
        spec.plan.organization.clone(),
        spec.department.to_string(),
        spec.year.0.to_string(),
        spec.revision.to_string(),
        spec.created_at.clone(),
        spec.round_id.map(|r| r.to_string()).unwrap_or_default(),
        spec.key.map(sign::key_id).unwrap_or_default(),
    ];
    let signature = spec.key.map(|k| sign::sign(k, &signed, cells)).unwrap_or_default();
    let mut head: Vec<(&str, String)> = vec![(META_FORMAT, META_VERSION.to_string())];
    head.extend(sign::SIGNED_HEAD.iter().copied().zip(signed));
    head.push(("signature", signature));
    for (i, (k, v)) in head.iter().enumerate() {
        ws.write_string(i as u32, 0, *k)?;
        ws.write_string(i as u32, 1, v)?;
    }
    let start = head.len() as u32 + 1;
    for (j, h) in ["row", "column", "key", "base"].iter().enumerate() {
        ws.write_string(start, j as u16, *h)?;
    }
    for (i, cell) in cells.iter().enumerate() {
        for (j, v) in cell.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(start + 1 + i as u32, j as u16, v)?;
            }
        }
    }
    ws.protect();
    Ok(())
}

/// The sheet listing what a 差戻し asks to fix.
pub const SHEET_FINDINGS: &str = "指摘事項";

/// Marks the cells of the findings (a red fill and a note) and tells where each is.
fn mark_findings(
    ws: &mut Worksheet,
    meta: &[[String; 4]],
    cols: &[Column],
    findings: &[super::review::Finding],
    s: &Styles,
    marked: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    for f in findings {
        let Some(m) = meta.iter().find(|m| m[2] == f.path) else { continue };
        let (Ok(row), Some(col)) = (m[0].parse::<u32>(), cols.iter().position(|c| c.key() == m[1])) else {
            continue;
        };
        let (r, c) = (row - 1, col as u16);
        // The mark keeps the number format of a number cell (a 10% stays 10%).
        match entered_number(&m[3]).filter(|_| matches!(cols[col], Column::Actual | Column::Budget)) {
            Some((_, format)) => ws.set_cell_format(r, c, &s.flagged.clone().set_num_format(format))?,
            None => ws.set_cell_format(r, c, &s.flagged)?,
        };
        let note = rust_xlsxwriter::Note::new(&f.message).set_author("取りまとめ担当");
        ws.insert_note(r, c, &note)?;
        marked.push((
            f.path.clone(),
            format!("{SHEET_ENTRY}!{}", crate::xlsx::CellRef { row: r, col: u32::from(c) }),
        ));
    }
    Ok(())
}

fn write_findings_sheet(
    ws: &mut Worksheet,
    spec: &ReturnSpec<'_>,
    findings: &[super::review::Finding],
    note: &str,
    marked: &[(String, String)],
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, format!("{} 指摘事項({})", spec.year.long(), spec.department), &s.title)?;
    ws.write_string_with_format(1, 0, "赤色のセルを修正し、このファイルを保存して返送してください。", &s.note)?;
    let head = ["セル", "事業番号", "KPI番号", "項目", "指摘内容", "取りまとめ担当から"];
    let widths = [12.0, 9.0, 9.0, 12.0, 60.0, 40.0];
    for (i, (h, w)) in head.iter().zip(widths).enumerate() {
        ws.set_column_width(i as u16, w)?;
        ws.write_string_with_format(3, i as u16, *h, &s.header)?;
    }
    for (i, f) in findings.iter().enumerate() {
        let r = 4 + i as u32;
        let cell = marked.iter().find(|m| m.0 == f.path).map(|m| m.1.as_str()).unwrap_or("");
        let kpi = f.kpi.map(|k| k.to_string()).unwrap_or_default();
        for (c, v) in [cell, f.project.as_str(), kpi.as_str(), f.field.as_str(), f.message.as_str(), note]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *v, &s.data)?;
        }
        ws.set_row_height(r, (lines_in(&f.message, 60.0).max(lines_in(note, 40.0)) as f64) * LINE_PT + PAD_PT)?;
    }
    if findings.is_empty() {
        ws.write_string_with_format(4, 0, "自動で見つかった指摘はありません。", &s.note)?;
        ws.write_string_with_format(5, 0, note, &s.note)?;
    }
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.protect();
    Ok(())
}

/// Rows of text, as they were read.
fn write_rows(ws: &mut Worksheet, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(i as u32, j as u16, v)?;
            }
        }
    }
    ws.protect();
    Ok(())
}

/// The most characters one cell holds.
const CELL_CHARS: usize = 30_000;

/// The department's slice of the plan as JSON, cut into cells of column A.
fn write_slice_sheet(ws: &mut Worksheet, slice: &Plan) -> Result<(), XlsxError> {
    let json = serde_json::to_string(slice).unwrap_or_default();
    let chars: Vec<char> = json.chars().collect();
    ws.write_string(0, 0, "shinchoku-plan-slice")?;
    for (i, chunk) in chars.chunks(CELL_CHARS).enumerate() {
        ws.write_string(i as u32 + 1, 0, chunk.iter().collect::<String>())?;
    }
    ws.protect();
    Ok(())
}
