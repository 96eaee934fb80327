//! Reads a department return: the values in its editable cells, each with the
//! base recorded when the file was made. Rows are found by project and KPI
//! number, so a return still reads when rows were moved; a return whose
//! metadata sheet is gone (the sheet copied into a new workbook) reads without
//! bases. Every problem names its `sheet!cell`; a file with problems gives no
//! values at all.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::sign::{self, Signature};
use super::{canonical_of, parse_entered, Column, Entered, META_FORMAT, META_VERSION, SHEET_ENTRY, SHEET_META, SHEET_PLAN_SLICE};
use crate::fy::FiscalYear;
use crate::model::Plan;
use crate::text::clean_cell;
use crate::value::KpiValue;
use crate::xlsx::import::{load_grid, Grid, Problem};
use crate::xlsx::package::Workbook;
use crate::xlsx::CellRef;

/// A value that does not follow the rules but is what the plan already holds.
fn kept_as_is(col: Column, text: Option<&str>, held: Option<&str>) -> Option<Entered> {
    let canon = canonical_of(col, text);
    (canon.is_some() && canon.as_deref() == held).then(|| Entered {
        raw: text.and_then(clean_cell),
        canon,
    })
}

/// The editable columns, in sheet order.
const EDITABLE: [Column; 5] = [
    Column::Actual,
    Column::Evaluation,
    Column::Narrative,
    Column::Budget,
    Column::Issues,
];

/// What the hidden sheet says about the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnMeta {
    pub plan_id: i64,
    pub plan_title: String,
    pub organization: String,
    pub department: String,
    pub year: FiscalYear,
    pub revision: i64,
    pub created_at: String,
    /// The 照会 round the file was written for.
    pub round_id: Option<i64>,
}

/// One editable cell of a return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnField {
    /// The plan field (see `Plan::fields`).
    pub path: String,
    #[serde(skip)]
    pub column: Column,
    pub project: String,
    pub kpi: Option<u32>,
    /// `記入!M7`
    pub cell: String,
    /// Whether the file recorded the value when it was made.
    pub has_base: bool,
    /// That value, canonical.
    pub base: Option<String>,
    #[serde(skip)]
    pub value: Entered,
}

impl ReturnField {
    /// The field as the entry sheet names it.
    pub fn label(&self) -> &'static str {
        self.column.key()
    }
}

/// A department return as read.
#[derive(Debug, Clone, Serialize)]
pub struct DeptReturn {
    pub meta: Option<ReturnMeta>,
    /// Whether the metadata is this database's own, unchanged: only then are its
    /// bases trusted (see [`super::sign`]).
    pub signature: Signature,
    pub department: Option<String>,
    pub year: FiscalYear,
    pub fields: Vec<ReturnField>,
    pub warnings: Vec<Problem>,
}

fn problem(sheet: &str, message: impl Into<String>) -> Problem {
    Problem {
        sheet: sheet.to_string(),
        cell: None,
        message: message.into(),
    }
}

/// Reads a return for plan `plan_id` and `year`, verifying its metadata with
/// `key` (this database's signing key); every problem when it cannot be merged.
pub fn read_return(path: &Path, plan: &Plan, plan_id: i64, year: FiscalYear, key: Option<&[u8]>) -> Result<DeptReturn, Vec<Problem>> {
    load_return(path, key)?.read(plan, plan_id, year)
}

/// A return's sheets as read from the file, before they are read against the plan
/// (the part of reading a return that needs no plan — its cells, its metadata and
/// the signature's check — done ahead on another thread while the previous return
/// is merged).
pub struct LoadedReturn {
    entry: Grid,
    /// The metadata sheet, parsed, and whether its signature is this database's.
    meta: Option<Result<(Meta, Signature), Vec<Problem>>>,
}

/// Opens a return, reads its sheets' cells and checks its metadata's signature
/// with `key` (this database's; none: it signs nothing).
pub fn load_return(path: &Path, key: Option<&[u8]>) -> Result<LoadedReturn, Vec<Problem>> {
    let mut wb = Workbook::open(path).map_err(|e| vec![problem("", e)])?;
    let names = wb.sheet_names().to_vec();
    if !names.iter().any(|n| n == SHEET_ENTRY) {
        return Err(vec![problem(
            "",
            format!(
                "これは記入用ファイルではありません(「{SHEET_ENTRY}」シートがありません)。取組一覧のブックは「取り込み」で読み込んでください"
            ),
        )]);
    }
    let entry = load_grid(&mut wb, SHEET_ENTRY).map_err(|p| vec![p])?;
    let meta = if names.iter().any(|n| n == SHEET_META) {
        Some(load_grid(&mut wb, SHEET_META).map_err(|p| vec![p])?)
    } else {
        None
    };
    let unreadable: Vec<Problem> = entry
        .problems
        .iter()
        .chain(meta.iter().flat_map(|g| &g.problems))
        .cloned()
        .collect();
    if !unreadable.is_empty() {
        return Err(unreadable);
    }
    let meta = meta.map(|g| {
        Meta::parse(&g).map(|meta| {
            let signature = sign::verify(key, &meta.signed_head, &meta.signed_cells, meta.signature.as_deref(), &meta.key_id);
            (meta, signature)
        })
    });
    Ok(LoadedReturn { entry, meta })
}

impl LoadedReturn {
    /// Reads the return against plan `plan_id` and `year` (see [`read_return`]).
    pub fn read(self, plan: &Plan, plan_id: i64, year: FiscalYear) -> Result<DeptReturn, Vec<Problem>> {
        let LoadedReturn { entry, meta } = self;
        let sheet = Sheet::new(&entry)?;
        match meta {
            Some(parsed) => {
                let (meta, signature) = parsed?;
                check_meta(&meta.head, plan, year)?;
                if signature == Signature::Verified {
                    if meta.head.plan_id != plan_id {
                        return Err(vec![problem(
                            SHEET_META,
                            format!(
                                "この記入用ファイルは別の計画(計画 #{})のものです(取りまとめ先: 計画 #{plan_id})",
                                meta.head.plan_id
                            ),
                        )]);
                    }
                    sheet.read_with_meta(plan, meta)
                } else {
                    let claimed = Some(meta.head.department.clone()).filter(|d| !d.is_empty());
                    sheet.read_without_meta(plan, year, signature, claimed)
                }
            }
            None => sheet.read_without_meta(plan, year, Signature::NoMeta, None),
        }
    }
}

/// What a coordinator's 記入用ファイル carries for a department's app.
#[derive(Debug, Clone)]
pub struct Carried {
    /// The department's slice of the plan, with what was already typed in the file.
    pub plan: Plan,
    pub department: String,
    pub year: FiscalYear,
    /// The metadata sheet's rows exactly as read, to be written back unchanged.
    pub meta_rows: Vec<Vec<String>>,
    /// Whether the coordinator signed it (only then does the return verify).
    pub signed: bool,
}

/// Reads what a department's app needs of a coordinator's file: the plan slice,
/// the department and year, and the metadata sheet as it is.
pub fn read_carried(path: &Path) -> Result<Carried, Vec<Problem>> {
    let mut wb = Workbook::open(path).map_err(|e| vec![problem("", e)])?;
    let names = wb.sheet_names().to_vec();
    for needed in [SHEET_ENTRY, SHEET_META] {
        if !names.iter().any(|n| n == needed) {
            return Err(vec![problem(
                "",
                format!("これは Shinchoku の記入用ファイルではありません(「{needed}」シートがありません)"),
            )]);
        }
    }
    if !names.iter().any(|n| n == SHEET_PLAN_SLICE) {
        return Err(vec![problem(
            "",
            "この記入用ファイルには計画の情報がありません(以前の版の Shinchoku で作られたファイルです)。取りまとめ担当に記入用ファイルの作り直しを依頼してください",
        )]);
    }
    let entry = load_grid(&mut wb, SHEET_ENTRY).map_err(|p| vec![p])?;
    let meta_grid = load_grid(&mut wb, SHEET_META).map_err(|p| vec![p])?;
    let slice_grid = load_grid(&mut wb, SHEET_PLAN_SLICE).map_err(|p| vec![p])?;
    let raw = |g: &Grid, r: u32, c: u32| match g.get(r, c) {
        crate::xlsx::import::Cell::Text(t) => t.clone(),
        other => other.text().unwrap_or_default(),
    };
    let json: String = (1..slice_grid.rows()).map(|r| raw(&slice_grid, r, 0)).collect();
    let mut plan: Plan = serde_json::from_str(&json).map_err(|_| {
        vec![problem(
            SHEET_PLAN_SLICE,
            format!("{SHEET_PLAN_SLICE} シートが壊れています。取りまとめ担当に記入用ファイルの作り直しを依頼してください"),
        )]
    })?;
    let meta_rows: Vec<Vec<String>> = (0..meta_grid.rows())
        .map(|r| (0..meta_grid.width().min(4)).map(|c| raw(&meta_grid, r, c)).collect())
        .collect();
    let meta = Meta::parse(&meta_grid)?;
    let (department, year, signed) = (meta.head.department.clone(), meta.head.year, meta.signature.is_some());
    // What was already typed in the file (in Excel, before the app opened it) is kept.
    let typed = Sheet::new(&entry)?.read_with_meta(&plan, meta)?;
    let changes: Vec<(String, Option<String>)> = typed
        .fields
        .iter()
        .filter(|f| f.value.canon != f.base)
        .map(|f| (f.path.clone(), f.value.raw.clone()))
        .collect();
    plan.apply_changes(&changes)
        .map_err(|e| vec![problem(SHEET_ENTRY, format!("値を読み込めません: {e}"))])?;
    Ok(Carried {
        plan,
        department,
        year,
        meta_rows,
        signed,
    })
}

fn check_meta(meta: &ReturnMeta, plan: &Plan, year: FiscalYear) -> Result<(), Vec<Problem>> {
    let same_org = meta.organization.is_empty() || plan.organization.is_empty() || meta.organization == plan.organization;
    if meta.plan_title != plan.title || !same_org {
        return Err(vec![problem(
            SHEET_META,
            format!(
                "この記入用ファイルは別の計画「{}{}」のものです(取りまとめ先: 「{}{}」)",
                meta.organization, meta.plan_title, plan.organization, plan.title
            ),
        )]);
    }
    if meta.year != year {
        return Err(vec![problem(
            SHEET_META,
            format!(
                "この記入用ファイルは{}のものです(取りまとめ中の年度は{})",
                meta.year.long(),
                year.long()
            ),
        )]);
    }
    Ok(())
}

/// The hidden sheet: the head, and per written cell its row, column, field and base.
struct Meta {
    head: ReturnMeta,
    cells: Vec<MetaCell>,
    /// What the signature covers, exactly as read.
    signed_head: Vec<String>,
    signed_cells: Vec<[String; 4]>,
    signature: Option<String>,
    key_id: String,
}

struct MetaCell {
    /// 0-based row as written.
    row: u32,
    column: Column,
    path: Option<String>,
    base: Option<String>,
}

impl Meta {
    fn parse(g: &Grid) -> Result<Meta, Vec<Problem>> {
        let text = |r: u32, c: u32| g.get(r, c).text();
        let broken = |m: &str| {
            vec![problem(
                SHEET_META,
                format!("{SHEET_META} シートが壊れています({m})。新しい記入用ファイルを作り直してください"),
            )]
        };
        if text(0, 0).as_deref() != Some(META_FORMAT) {
            return Err(broken("形式の印がありません"));
        }
        let version: u32 = text(0, 1).and_then(|v| v.parse().ok()).unwrap_or(0);
        if version > META_VERSION {
            return Err(vec![problem(
                SHEET_META,
                "新しい版の Shinchoku で作られた記入用ファイルです。Shinchoku を更新してください",
            )]);
        }
        // Exactly as written (the signature covers the text, not a cleaned form).
        let raw = |r: u32, c: u32| match g.get(r, c) {
            crate::xlsx::import::Cell::Text(t) => t.clone(),
            other => other.text().unwrap_or_default(),
        };
        let mut head: HashMap<String, String> = HashMap::new();
        let mut raw_head: HashMap<String, String> = HashMap::new();
        let mut r = 1;
        while r < g.rows() && text(r, 0).as_deref() != Some("row") {
            if let (Some(k), v) = (text(r, 0), text(r, 1)) {
                head.insert(k.clone(), v.unwrap_or_default());
                raw_head.insert(k, raw(r, 1));
            }
            r += 1;
        }
        let signed_head: Vec<String> = sign::SIGNED_HEAD
            .iter()
            .map(|k| raw_head.get(*k).cloned().unwrap_or_default())
            .collect();
        let get = |k: &str| head.get(k).cloned().unwrap_or_default();
        let num = |k: &str| get(k).parse::<i64>().map_err(|_| broken(k));
        let meta = ReturnMeta {
            plan_id: num("plan_id")?,
            plan_title: get("plan_title"),
            organization: get("organization"),
            department: get("department"),
            year: FiscalYear(num("fiscal_year")? as i32),
            revision: num("revision")?,
            created_at: get("created_at"),
            round_id: get("round_id").parse().ok(),
        };
        let mut cells = Vec::new();
        let mut signed_cells = Vec::new();
        for r in r + 1..g.rows() {
            let Some(row) = text(r, 0).and_then(|v| v.parse::<u32>().ok()) else {
                continue;
            };
            signed_cells.push([raw(r, 0), raw(r, 1), raw(r, 2), raw(r, 3)]);
            let column = text(r, 1)
                .and_then(|k| Column::from_header(&k))
                .ok_or_else(|| broken(&format!("{r} 行目の列名")))?;
            cells.push(MetaCell {
                row: row.saturating_sub(1),
                column,
                path: text(r, 2),
                // The base exactly as written (clean_cell is applied when comparing).
                base: match g.get(r, 3) {
                    crate::xlsx::import::Cell::Text(t) => Some(t.clone()).filter(|t| !t.is_empty()),
                    other => other.text(),
                },
            });
        }
        Ok(Meta {
            head: meta,
            cells,
            signed_head,
            signed_cells,
            signature: head.get("signature").cloned().filter(|s| !s.is_empty()),
            key_id: get("key_id"),
        })
    }
}

/// The entry sheet: its header and the rows of projects.
struct Sheet<'g> {
    g: &'g Grid,
    header: u32,
    cols: HashMap<Column, u32>,
}

impl<'g> Sheet<'g> {
    fn new(g: &'g Grid) -> Result<Self, Vec<Problem>> {
        let header = (0..g.rows().min(40)).find(|&r| {
            let has = |c: Column| (0..g.width()).any(|x| g.get(r, x).text().and_then(|t| Column::from_header(&t)) == Some(c));
            has(Column::No) && has(Column::KpiNo)
        });
        let Some(header) = header else {
            return Err(vec![problem(
                SHEET_ENTRY,
                "見出し行(事業番号、KPI番号)が見つかりません。記入用ファイルの形を変えずに返送してください",
            )]);
        };
        let mut cols = HashMap::new();
        for c in 0..g.width() {
            if let Some(col) = g.get(header, c).text().and_then(|t| Column::from_header(&t)) {
                cols.entry(col).or_insert(c);
            }
        }
        Ok(Sheet { g, header, cols })
    }

    /// A date where a person typed a value: LibreOffice stores `1/2` typed into a
    /// text cell as a date, and what it showed cannot be known from the file.
    fn is_date(&self, r: u32, c: u32, col: Column, problems: &mut Vec<Problem>) -> bool {
        let crate::xlsx::import::Cell::Date(d) = self.g.get(r, c) else {
            return false;
        };
        let how = if col == Column::Actual {
            "数値で入力してください"
        } else {
            "文字列で入力してください(先頭に ' を付けるか、セルの書式を文字列にしてから入力)"
        };
        problems.push(
            self.g
                .problem(r, c, format!("{}が日付({d})として保存されています。{how}", col.key())),
        );
        true
    }

    fn cell_ref(&self, r: u32, c: u32) -> String {
        format!("{}!{}", SHEET_ENTRY, CellRef { row: r, col: c })
    }

    fn text(&self, r: u32, col: Column) -> Option<String> {
        self.cols.get(&col).and_then(|c| self.g.get(r, *c).text())
    }

    /// Data rows: `(row, project number, KPI number text)`.
    fn rows(&self) -> Vec<(u32, String, Option<String>)> {
        (self.header + 1..self.g.rows())
            .filter_map(|r| self.text(r, Column::No).map(|no| (r, no, self.text(r, Column::KpiNo))))
            .collect()
    }

    fn read_with_meta(&self, plan: &Plan, meta: Meta) -> Result<DeptReturn, Vec<Problem>> {
        let mut warnings = Vec::new();
        let mut problems = Vec::new();
        let scale = plan.rule.scale();
        // Where each written row is now: by position when its numbers still match, else by numbers.
        let rows = self.rows();
        let mut by_identity: HashMap<(String, Option<String>), Vec<u32>> = HashMap::new();
        for (r, no, k) in &rows {
            by_identity.entry((no.clone(), k.clone())).or_default().push(*r);
        }
        let mut written: Vec<(u32, String, Option<String>)> = Vec::new();
        let mut project = String::new();
        for c in &meta.cells {
            if c.column == Column::No {
                project = c.base.clone().unwrap_or_default();
            }
            if written.last().map(|w| w.0) != Some(c.row) {
                written.push((c.row, project.clone(), None));
            }
            if c.column == Column::KpiNo {
                if let Some(w) = written.last_mut() {
                    w.2 = c.base.clone();
                }
            }
        }
        let mut now_row: HashMap<u32, u32> = HashMap::new();
        let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
        let here: HashMap<u32, (String, Option<String>)> = rows.iter().map(|(r, n, k)| (*r, (n.clone(), k.clone()))).collect();
        for (row, no, k) in &written {
            let id = (no.clone(), k.clone());
            let nth = seen.entry(id.clone()).or_insert(0);
            let found = if here.get(row) == Some(&id) {
                Some(*row)
            } else {
                by_identity.get(&id).and_then(|v| v.get(*nth)).copied()
            };
            *nth += 1;
            match found {
                Some(r) => {
                    now_row.insert(*row, r);
                }
                None => warnings.push(Problem {
                    sheet: SHEET_ENTRY.into(),
                    cell: None,
                    message: format!(
                        "事業番号 {no}{} の行が見つかりません(削除されています)。この行は変更なしとして扱います",
                        k.as_deref().map(|k| format!("・KPI番号 {k}")).unwrap_or_default()
                    ),
                }),
            }
        }
        let used: HashSet<u32> = now_row.values().copied().collect();
        for (r, no, _) in &rows {
            if !used.contains(r) {
                warnings.push(
                    self.g
                        .problem(*r, self.cols[&Column::No], format!("追加された行(事業番号 {no})は取り込みません")),
                );
            }
        }
        let mut missing_cols: HashSet<Column> = HashSet::new();
        let mut fields = Vec::new();
        for c in &meta.cells {
            let Some(r) = now_row.get(&c.row).copied() else { continue };
            let Some(col) = self.cols.get(&c.column).copied() else {
                if missing_cols.insert(c.column) {
                    warnings.push(problem(
                        SHEET_ENTRY,
                        format!("「{}」列がありません。この列は変更なしとして扱います", c.column.key()),
                    ));
                }
                continue;
            };
            let now = self.g.get(r, col).text();
            match &c.path {
                Some(_) if self.is_date(r, col, c.column, &mut problems) => {}
                Some(path) => {
                    let kpi_no = path
                        .strip_prefix("kpi[")
                        .and_then(|p| p.split(']').next())
                        .and_then(|n| n.parse::<u32>().ok());
                    let kpi = kpi_no.and_then(|n| plan.kpi(n));
                    // A value the plan already held is not re-judged (older data may not follow today's rules).
                    let entered = parse_entered(c.column, now.as_deref(), kpi, &scale)
                        .or_else(|m| kept_as_is(c.column, now.as_deref(), canonical_of(c.column, c.base.as_deref()).as_deref()).ok_or(m));
                    match entered {
                        Ok(value) => fields.push(ReturnField {
                            path: path.clone(),
                            column: c.column,
                            project: self.text(r, Column::No).unwrap_or_default(),
                            kpi: kpi_no,
                            cell: self.cell_ref(r, col),
                            has_base: true,
                            base: canonical_of(c.column, c.base.as_deref()),
                            value,
                        }),
                        Err(m) => problems.push(self.g.problem(r, col, m)),
                    }
                }
                None => {
                    let norm = |t: Option<&str>| t.and_then(clean_cell).and_then(KpiValue::new).map(|v| v.canonical());
                    if norm(now.as_deref()) != norm(c.base.as_deref()) {
                        warnings.push(self.g.problem(
                            r,
                            col,
                            format!(
                                "読み取り専用のセル({})が変更されていました。この変更は取り込みません",
                                c.column.key()
                            ),
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(DeptReturn {
            signature: Signature::Verified,
            department: Some(meta.head.department.clone()).filter(|d| !d.is_empty()),
            year: meta.head.year,
            meta: Some(meta.head),
            fields,
            warnings,
        })
    }

    /// Without trusted metadata (none, unsigned, or not verified): rows matched by
    /// project and KPI number, no bases. The department is the one the metadata
    /// claims, else the one the sheet's title names, else the first row's 担当部.
    fn read_without_meta(
        &self,
        plan: &Plan,
        year: FiscalYear,
        signature: Signature,
        claimed: Option<String>,
    ) -> Result<DeptReturn, Vec<Problem>> {
        let mut problems = Vec::new();
        let scale = plan.rule.scale();
        let warnings: Vec<Problem> = signature.warning().map(|w| problem(SHEET_ENTRY, w)).into_iter().collect();
        let titled = (0..self.header).find_map(|r| {
            let t = self.g.get(r, 0).text()?;
            let inner = t.rsplit_once(['(', '（'])?.1.trim_end_matches([')', '）']).trim().to_string();
            (t.contains("記入用ファイル") && !inner.is_empty()).then_some(inner)
        });
        let file_year = self.cols.get(&Column::Actual).and_then(|c| {
            let h = self.g.get(self.header, *c).text()?;
            let inner = h.split(['(', '（']).nth(1)?.trim_end_matches([')', '）']);
            FiscalYear::parse(inner).ok()
        });
        match file_year {
            Some(y) if y != year => {
                return Err(vec![problem(
                    SHEET_ENTRY,
                    format!("この記入用ファイルは{}のものです(取りまとめ中の年度は{})", y.long(), year.long()),
                )])
            }
            Some(_) => {}
            None => {
                return Err(vec![problem(
                    SHEET_ENTRY,
                    "実績値の見出しに年度(例: 実績値(令和5年度))がないため、どの年度の記入か分かりません",
                )])
            }
        }
        let no_col = self.cols[&Column::No];
        let kpi_col = self.cols[&Column::KpiNo];
        let mut fields: Vec<ReturnField> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut kpis_seen: HashSet<u32> = HashSet::new();
        let mut department = claimed.or(titled);
        let plan_now = plan.fields();
        for (r, no, kno) in self.rows() {
            let Some(project) = plan.project(&no) else {
                problems.push(self.g.problem(r, no_col, format!("事業番号 {no} は計画にありません")));
                continue;
            };
            if department.is_none() {
                department = self.text(r, Column::Dept).and_then(|d| d.lines().next().map(str::to_string));
            }
            let kpi = match kno.as_deref() {
                None => None,
                Some(k) => match k.parse::<u32>().ok().filter(|n| project.kpis.iter().any(|x| x.no == *n)) {
                    Some(n) => plan.kpi(n),
                    None => {
                        problems.push(
                            self.g
                                .problem(r, kpi_col, format!("KPI番号 {k} は事業番号 {no} の KPI ではありません")),
                        );
                        continue;
                    }
                },
            };
            let relisted = kpi.is_some_and(|k| project.kpis.iter().any(|x| x.no == k.no && x.relisted));
            for col in EDITABLE {
                let Some(c) = self.cols.get(&col) else { continue };
                if col == Column::Actual && (kpi.is_none() || relisted || !kpis_seen.insert(kpi.map_or(0, |k| k.no))) {
                    continue;
                }
                let Some(path) = col.field_path(&no, kpi.map(|k| k.no), year) else {
                    continue;
                };
                if self.is_date(r, *c, col, &mut problems) {
                    continue;
                }
                let text = self.g.get(r, *c).text();
                let held = canonical_of(col, plan_now.get(&path).map(String::as_str));
                let entered = parse_entered(col, text.as_deref(), kpi, &scale)
                    .or_else(|m| kept_as_is(col, text.as_deref(), held.as_deref()).ok_or(m));
                let value = match entered {
                    Ok(v) => v,
                    Err(m) => {
                        problems.push(self.g.problem(r, *c, m));
                        continue;
                    }
                };
                match index.get(&path) {
                    // A project's cells repeat over its KPI rows: the first value counts.
                    Some(i) => {
                        let first = &fields[*i];
                        if value.canon.is_some() && first.value.canon.is_some() && value.canon != first.value.canon {
                            problems.push(
                                self.g
                                    .problem(r, *c, format!("事業番号 {no} の{}が行によって異なります", col.key())),
                            );
                        } else if first.value.canon.is_none() && value.canon.is_some() {
                            let cell = self.cell_ref(r, *c);
                            let f = &mut fields[*i];
                            f.value = value;
                            f.cell = cell;
                        }
                    }
                    None => {
                        index.insert(path.clone(), fields.len());
                        fields.push(ReturnField {
                            path,
                            column: col,
                            project: no.clone(),
                            kpi: kpi.map(|k| k.no),
                            cell: self.cell_ref(r, *c),
                            has_base: false,
                            base: None,
                            value,
                        });
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(DeptReturn {
            meta: None,
            signature,
            department,
            year,
            fields,
            warnings,
        })
    }
}
