//! Layouts as data (issue 20): what a prefecture's own KPI sheet says, column by
//! column — which field a column holds (by its header text and synonyms), the
//! fiscal year of a per-year column, where the header is and how the hierarchy is
//! written (as columns, or as heading rows). `learn` finds a layout in a workbook;
//! `read` turns the sheet's rows into a plan with it. The file format is documented
//! field by field in `docs/layouts.md`.

pub mod learn;
pub mod read;
pub mod write;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fy::FiscalYear;
use crate::text::label_key;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 分野・基本目標: the plan's first level.
    Area,
    /// 分野の番号 (`No` under 分野)
    AreaNo,
    /// 項目・施策: the second level.
    Item,
    /// 項目の番号
    ItemNo,
    /// 事業番号
    ProjectNo,
    /// 事業名
    ProjectName,
    /// 事業概要
    Summary,
    /// 事業の指標(KPI)又は目標 (the project's own words)
    Goal,
    /// 担当部
    Department,
    /// 担当課・所管課
    Division,
    /// KPI番号
    KpiNo,
    /// 指標名
    KpiName,
    Unit,
    /// 基準値 (its year in the header, or in a `baseline_year` column)
    Baseline,
    BaselineYear,
    /// 目標値 of a year (`year` set), or the final target (the last target year)
    Target,
    /// 実績値 of a year (`year` set), or of the report year
    Actual,
    /// 評価・達成状況
    Evaluation,
    /// 取組状況
    Narrative,
    /// 備考
    Note,
}

impl Field {
    pub const ALL: [Field; 20] = [
        Field::Area,
        Field::AreaNo,
        Field::Item,
        Field::ItemNo,
        Field::ProjectNo,
        Field::ProjectName,
        Field::Summary,
        Field::Goal,
        Field::Department,
        Field::Division,
        Field::KpiNo,
        Field::KpiName,
        Field::Unit,
        Field::Baseline,
        Field::BaselineYear,
        Field::Target,
        Field::Actual,
        Field::Evaluation,
        Field::Narrative,
        Field::Note,
    ];

    /// The name in a layout file: `kpi_name`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Area => "area",
            Field::AreaNo => "area_no",
            Field::Item => "item",
            Field::ItemNo => "item_no",
            Field::ProjectNo => "project_no",
            Field::ProjectName => "project_name",
            Field::Summary => "summary",
            Field::Goal => "goal",
            Field::Department => "department",
            Field::Division => "division",
            Field::KpiNo => "kpi_no",
            Field::KpiName => "kpi_name",
            Field::Unit => "unit",
            Field::Baseline => "baseline",
            Field::BaselineYear => "baseline_year",
            Field::Target => "target",
            Field::Actual => "actual",
            Field::Evaluation => "evaluation",
            Field::Narrative => "narrative",
            Field::Note => "note",
        }
    }

    /// The field as people call it: `指標名`.
    pub fn label(self) -> &'static str {
        match self {
            Field::Area => "分野・基本目標",
            Field::AreaNo => "分野の番号",
            Field::Item => "項目・施策",
            Field::ItemNo => "項目の番号",
            Field::ProjectNo => "事業番号",
            Field::ProjectName => "事業名",
            Field::Summary => "事業概要",
            Field::Goal => "事業の目標",
            Field::Department => "担当部",
            Field::Division => "担当課",
            Field::KpiNo => "KPI番号",
            Field::KpiName => "指標名",
            Field::Unit => "単位",
            Field::Baseline => "基準値",
            Field::BaselineYear => "基準年度",
            Field::Target => "目標値",
            Field::Actual => "実績値",
            Field::Evaluation => "評価",
            Field::Narrative => "取組状況",
            Field::Note => "備考",
        }
    }

    /// Header texts that name the field (compared by `label_key`, the year taken out).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Area => &["分野", "基本目標", "政策", "基本方針", "政策分野", "分野名", "柱"],
            Field::AreaNo => &["分野番号", "分野No"],
            Field::Item => &["項目", "施策", "具体的施策", "施策名", "主な施策", "施策の方向", "取組の方向"],
            Field::ItemNo => &["項目番号", "項目No"],
            Field::ProjectNo => &["事業番号", "事業No", "No", "番号", "No."],
            Field::ProjectName => &["事業名", "取組名", "事業名又は取組名", "主な事業", "事業"],
            Field::Summary => &["事業概要", "事業概要又は取組内容", "概要", "事業内容"],
            Field::Goal => &["指標(KPI)又は目標", "事業の目標"],
            Field::Department => &["担当部", "部局", "担当部局名", "所管部"],
            Field::Division => &["担当課", "所管課", "担当部局", "所管部局", "担当", "所管", "担当課室", "所管課室"],
            Field::KpiNo => &["KPI番号", "指標番号", "KPINo"],
            Field::KpiName => &[
                "指標名",
                "KPI",
                "成果指標",
                "重要業績評価指標",
                "重要業績評価指標(KPI)",
                "KPI名",
                "指標",
                "数値目標",
            ],
            Field::Unit => &["単位"],
            Field::Baseline => &["基準値", "現状値", "策定時", "基準値(策定時)", "策定時の値", "現状"],
            Field::BaselineYear => &["基準年度", "基準年", "現状値の年度", "策定時の年度"],
            Field::Target => &["目標値", "目標", "最終目標", "目標値(最終)", "数値目標値"],
            Field::Actual => &["実績", "実績値", "実績値(年度)"],
            Field::Evaluation => &["評価", "達成状況", "進捗状況", "判定", "達成度", "進捗", "評価区分"],
            Field::Narrative => &["取組状況", "取組内容", "実績内容", "取組実績", "主な取組"],
            Field::Note => &["備考"],
        }
    }

    /// A field of the project rather than of one of its KPIs.
    pub fn of_project(self) -> bool {
        matches!(
            self,
            Field::Area
                | Field::AreaNo
                | Field::Item
                | Field::ItemNo
                | Field::ProjectNo
                | Field::ProjectName
                | Field::Summary
                | Field::Goal
                | Field::Department
                | Field::Division
                | Field::Evaluation
                | Field::Narrative
                | Field::Note
        )
    }

    fn per_year(self) -> bool {
        matches!(self, Field::Target | Field::Actual)
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// How the plan's levels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hierarchy {
    /// 分野 and 項目 in columns of each row (repeated or merged down).
    #[default]
    Columns,
    /// 分野 and 項目 as rows of their own above their KPIs (`基本目標１ …`, `施策(1) …`).
    HeadingRows,
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Its position: `A`, `B`, … (as the sheet was learned).
    pub column: String,
    pub field: String,
    /// The header as written (the upper row's text over a second header row).
    pub header: String,
    /// The second header row's text under `header` (`R5` under a merged 実績, `年度` under 基準値).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_header: Option<String>,
    /// The fiscal year of a per-year column (`R5`); `"each"`: one column per fiscal year of
    /// the plan, from this one rightwards (the columns after it move right); `"final"`: the
    /// plan's last year. `{year}` in the header stands for the column's year (`令和5年度`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
    /// Other header texts accepted for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_format: Option<String>,
    /// How the column's cells are aligned: `left`, `center` or `right` (as their values fall when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<String>,
    /// The text over `header` in a third header row above it (`KPI (重要業績評価指標)` over
    /// KPI番号 … 目標値): merged across the columns next to each other that share it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// 担当部・担当課: each owner's name on a line of its own, in the owners' order (a blank
    /// line for an owner without one), instead of the names once each, joined by `、`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lines: bool,
    /// 評価: the mark with the rating scale's word for it (`○ (達成)`), not the mark alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub words: bool,
}

/// A layout: the sheet, its header, its columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub name: String,
    /// The sheet it is on (the first sheet whose header is found when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The title rows above the header, as written (`{organization}`, `{year}` in 和暦 stand for the plan's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<String>,
    /// The first header row (1-based, as the sheet numbers it) and how many rows the header takes (1–3).
    pub header_row: u32,
    #[serde(default = "one")]
    pub header_rows: u32,
    #[serde(default)]
    pub hierarchy: Hierarchy,
    /// The evaluation marks found, best first (ties the sheet to a rating scale).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<String>,
    #[serde(rename = "column")]
    pub columns: Vec<Column>,
    /// How the sheet prints (the writer's own setup when not given: A4 landscape, one page
    /// wide, the header repeated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print: Option<Print>,
    /// Heights the sheet gives its title and header rows.
    #[serde(default, rename = "height", skip_serializing_if = "Vec::is_empty")]
    pub heights: Vec<RowHeight>,
    /// Projects on a sheet of their own, one row each, joined to their KPI rows by 事業番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<ProjectSheet>,
    /// Whether the table's cells have borders (thin lines: when absent, they have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub borders: Option<bool>,
    /// A project's KPIs on rows of their own under it, its cells merged down over them or
    /// repeated on each; when absent, each KPI row is a project of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_cells: Option<ProjectCells>,
    /// Which listings have rows: `"once"` (each KPI once, under its own listing: when absent)
    /// or `"each"` (every listing of the plan in its order, a 再掲 too, with all its KPIs;
    /// a 再掲 says so in its 事業番号, KPI番号 and names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listings: Option<Listings>,
    /// How numbers are written: `"typed"` (as the sheet typed them: a plain number in the
    /// General format, a percentage as text unless the column's format is one; when absent)
    /// or `"formatted"` (every plain number a number in the format its text shows: `#,##0`, `0.0%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbers: Option<Numbers>,
    /// The first cell below and right of the panes that stay in view when scrolling (`B4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze: Option<String>,
    /// The sheet's face, size and colours (the spreadsheet's own when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<Style>,
}

/// Which listings of the plan a layout writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Listings {
    Once,
    Each,
}

/// How a layout writes numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numbers {
    Typed,
    Formatted,
}

/// The sheet's text and header look.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// The font's name (`MS ゴシック`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Its size in points; rows are as tall as their lines of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_size: Option<f64>,
    /// The header cells' fill, as RGB in hex (`D9D9D9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_fill: Option<String>,
    /// The header's font and size, where they are not the table's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_font: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_font_size: Option<f64>,
    /// Whether the header is bold (when absent: it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_bold: Option<bool>,
    /// Where the table's text stands in its cell: `top`, `bottom` or `center` (when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical: Option<String>,
}

/// How a project's cells stand over its KPI rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectCells {
    /// One cell merged down over the project's rows.
    Merged,
    /// The same value on each of its rows.
    Repeated,
}

/// The sheet of projects of a workbook that keeps its KPIs on another sheet: its title,
/// header and columns (事業番号 among them), as for the KPI sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSheet {
    pub sheet: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<String>,
    pub header_row: u32,
    #[serde(default = "one")]
    pub header_rows: u32,
    #[serde(rename = "column")]
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print: Option<Print>,
    #[serde(default, rename = "height", skip_serializing_if = "Vec::is_empty")]
    pub heights: Vec<RowHeight>,
}

impl ProjectSheet {
    /// The sheet as a layout of its own (the KPI layout's name and marks), for the code
    /// that reads and writes one table.
    pub fn as_layout(&self, of: &Layout) -> Layout {
        Layout {
            name: of.name.clone(),
            sheet: Some(self.sheet.clone()),
            title: self.title.clone(),
            header_row: self.header_row,
            header_rows: self.header_rows,
            hierarchy: Hierarchy::Columns,
            marks: of.marks.clone(),
            columns: self.columns.clone(),
            print: self.print.clone(),
            heights: self.heights.clone(),
            projects: None,
            borders: of.borders,
            project_cells: None,
            listings: None,
            numbers: of.numbers,
            freeze: None,
            style: of.style.clone(),
        }
    }
}

/// A sheet's print setup, as learned from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    /// Excel's paper number: 9 = A4, 8 = A3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<u16>,
    #[serde(default)]
    pub landscape: bool,
    /// Fitted to this many pages wide and tall (0: as many as needed); not fitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_width: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_height: Option<u16>,
    /// The rows repeated at the top of each page, first and last (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_rows: Option<[u32; 2]>,
    /// The page header and footer as Excel codes them (`&C&P / &N`: page / pages, centred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// The page margins in inches: left, right, top, bottom, header, footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margins: Option<[f64; 6]>,
}

/// A row's height in points (the row 1-based, as the sheet numbers it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowHeight {
    pub row: u32,
    pub points: f64,
}

fn one() -> u32 {
    1
}

/// A layout file that cannot be used, with the line where one is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "レイアウト {l}行目: {}", self.message),
            None => write!(f, "レイアウト: {}", self.message),
        }
    }
}

impl std::error::Error for LayoutError {}

impl Column {
    /// The header over all its rows, as the reader compares it: `実績令和5年度`.
    pub fn full_header(&self) -> String {
        match &self.sub_header {
            Some(s) if s != &self.header => format!("{}{s}", self.header),
            _ => self.header.clone(),
        }
    }
}

/// A column as the reader uses it: its index, field and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    pub col: u32,
    pub field: Field,
    pub year: Option<FiscalYear>,
}

impl Layout {
    /// A layout from its TOML text, checked: known fields, valid columns and years,
    /// no column mapped twice, no field-and-year held by two columns.
    pub fn from_toml(text: &str) -> Result<Layout, LayoutError> {
        let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let layout: Layout = toml::from_str(text).map_err(|e| LayoutError {
            line: e.span().map(|s| line_at(s.start)),
            message: toml_message(&e),
        })?;
        // The line of the n-th `[[column]]` table, to name where a problem is.
        let column_line = |n: usize| text.match_indices("[[column]]").nth(n).map(|(i, _)| line_at(i));
        check_table(
            layout.header_row,
            layout.header_rows,
            &layout.columns,
            layout.is_template(),
            "[[column]]",
            &|n| column_line(n),
        )
        .map_err(|e| LayoutError {
            line: e.line.or(text.find("header_row").map(line_at)),
            ..e
        })?;
        if !layout.columns.iter().any(|c| c.field == Field::KpiName.key()) {
            return Err(LayoutError {
                line: None,
                message: "指標名(`kpi_name`)の列がありません。KPIの表には指標名が必要です".into(),
            });
        }
        if let Some(st) = &layout.style {
            let at = text.find("[style]").map(line_at);
            let bad = |message: String| LayoutError { line: at, message };
            if let Some(v) = st.vertical.as_deref().filter(|v| !matches!(*v, "top" | "center" | "bottom")) {
                return Err(bad(format!(
                    "`vertical` の「{v}」は \"top\"(上)、\"center\"(中央)、\"bottom\"(下)のどれかで書いてください"
                )));
            }
            if let Some(f) = st
                .header_fill
                .as_deref()
                .filter(|f| f.trim_start_matches('#').len() != 6 || u32::from_str_radix(f.trim_start_matches('#'), 16).is_err())
            {
                return Err(bad(format!(
                    "`header_fill` の「{f}」は D9D9D9 のような6桁の16進数(RGB)で書いてください"
                )));
            }
            if let Some(z) = st.font_size.filter(|z| !(1.0..=409.0).contains(z)) {
                return Err(bad(format!("`font_size` の {z} は 1〜409 のポイント数で書いてください")));
            }
            if let Some(z) = st.header_font_size.filter(|z| !(1.0..=409.0).contains(z)) {
                return Err(bad(format!("`header_font_size` の {z} は 1〜409 のポイント数で書いてください")));
            }
        }
        if layout.project_cells.is_some() {
            let at = text.find("project_cells").map(line_at);
            if !layout
                .columns
                .iter()
                .any(|c| c.field == Field::ProjectNo.key() || c.field == Field::ProjectName.key())
            {
                return Err(LayoutError {
                    line: at,
                    message: "project_cells には事業番号(`project_no`)か事業名(`project_name`)の列が必要です(それで事業の行のまとまりを見分けます)"
                        .into(),
                });
            }
            if layout.projects.is_some() {
                return Err(LayoutError {
                    line: at,
                    message: "project_cells と [projects](事業を別のシートに置く)は一緒に使えません".into(),
                });
            }
        }
        if let Some(ps) = &layout.projects {
            let at = text.find("[projects]").map(line_at);
            let project_line = |n: usize| text.match_indices("[[projects.column]]").nth(n).map(|(i, _)| line_at(i));
            check_table(
                ps.header_row,
                ps.header_rows,
                &ps.columns,
                false,
                "[[projects.column]]",
                &project_line,
            )
            .map_err(|e| LayoutError { line: e.line.or(at), ..e })?;
            for (i, c) in ps.columns.iter().enumerate() {
                if let Some(f) = Field::from_key(&c.field).filter(|f| !f.of_project()) {
                    return Err(LayoutError {
                        line: project_line(i),
                        message: format!("{}(`{}`)はKPIの列です。事業のシートには書けません", f.label(), f.key()),
                    });
                }
            }
            let no = |cols: &[Column]| cols.iter().any(|c| c.field == Field::ProjectNo.key());
            if !no(&ps.columns) || !no(&layout.columns) {
                return Err(LayoutError {
                    line: at,
                    message: "事業を別のシートに置くときは、事業のシートとKPIのシートの両方に事業番号(`project_no`)の列が必要です".into(),
                });
            }
        }
        Ok(layout)
    }

    /// The layout as a TOML file.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!("# Shinchoku のレイアウト(docs/layouts.md)。`shinchoku layout learn` が書き、直して使えます。\n{body}")
    }

    /// The columns with their fields and years (checked by `from_toml`).
    pub fn mapped(&self) -> Vec<Mapped> {
        self.columns
            .iter()
            .filter_map(|c| {
                Some(Mapped {
                    col: column_index(&c.column)?,
                    field: Field::from_key(&c.field)?,
                    year: c.year.as_deref().and_then(|y| FiscalYear::parse(y).ok()),
                })
            })
            .collect()
    }
}

/// The layouts Shinchoku brings, chosen by name (`--layout 総合戦略`): their names, the
/// name's ASCII spelling and the layout file.
pub const BUILTIN: [(&str, &str, &str); 1] = [("総合戦略", "sogo-senryaku", include_str!("builtin/sogo-senryaku.toml"))];

/// The names of the summary workbook Shinchoku writes in code (the Fukushima 取組一覧 with
/// its KPI推移 and 集計 sheets): the layout every plan has unless it was imported with another.
pub const SUMMARY: [&str; 2] = ["取組一覧", "torikumi-ichiran"];

/// The summary workbook's first sheet, 取組一覧, as a layout (the workbook's other sheets
/// are written in code after it).
pub const SUMMARY_LAYOUT: &str = include_str!("builtin/torikumi-ichiran.toml");

/// The 取組一覧 layout, read from its file (a test checks that it reads).
pub fn summary_layout() -> Result<Layout, LayoutError> {
    Layout::from_toml(SUMMARY_LAYOUT)
}

/// A built-in layout by its name, and its file's text.
pub fn builtin(name: &str) -> Option<(Layout, &'static str)> {
    let n = name.trim();
    BUILTIN
        .iter()
        .find(|(ja, en, _)| *ja == n || en.eq_ignore_ascii_case(n))
        .and_then(|(_, _, text)| Layout::from_toml(text).ok().map(|l| (l, *text)))
}

/// One table's checks: its header rows, and each column's field, letter, year and
/// alignment, no column mapped twice, no field-and-year held by two columns.
fn check_table(
    header_row: u32,
    header_rows: u32,
    columns: &[Column],
    template: bool,
    tag: &str,
    column_line: &dyn Fn(usize) -> Option<usize>,
) -> Result<(), LayoutError> {
    let bad = |n: usize, message: String| LayoutError {
        line: column_line(n),
        message,
    };
    if header_row == 0 || !(1..=3).contains(&header_rows) {
        return Err(LayoutError {
            line: None,
            message: "header_row は 1 以上、header_rows は 1〜3 で書いてください".into(),
        });
    }
    if columns.is_empty() {
        return Err(LayoutError {
            line: None,
            message: format!("`{tag}` が1つもありません"),
        });
    }
    let mut seen_cols = std::collections::HashMap::new();
    let mut seen_fields = std::collections::HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        let Some(field) = Field::from_key(&c.field) else {
            return Err(bad(
                i,
                format!(
                    "「{}」は項目の名前ではありません(使える名前: {})",
                    c.field,
                    Field::ALL.map(|f| format!("`{}`", f.key())).join("、")
                ),
            ));
        };
        if let Some(a) = c.align.as_deref().filter(|a| !matches!(*a, "left" | "center" | "right")) {
            return Err(bad(
                i,
                format!("`align` の「{a}」は \"left\"(左)、\"center\"(中央)、\"right\"(右)のどれかで書いてください"),
            ));
        }
        let Some(col) = column_index(&c.column) else {
            return Err(bad(i, format!("列「{}」は A、B、… AA のような列名で書いてください", c.column)));
        };
        if let Some(prev) = seen_cols.insert(col, i) {
            return Err(bad(
                i,
                format!(
                    "列 {} が二度割り当てられています({}つ目と{}つ目の `{tag}`)",
                    c.column,
                    prev + 1,
                    i + 1
                ),
            ));
        }
        let year = match c.year.as_deref() {
            Some(y @ (EACH_YEAR | FINAL_YEAR)) => {
                if !field.per_year() {
                    return Err(bad(i, format!("`year = \"{y}\"` は目標値と実績値の列だけに書けます")));
                }
                Some(YearSpec::from(y))
            }
            Some(y) => Some(YearSpec::Year(FiscalYear::parse(y).map_err(|_| {
                bad(i, format!("年度「{y}」を読めません(例: R5、令和5年度、2023、each、final)"))
            })?)),
            None => None,
        };
        if year.is_some() && !field.per_year() && field != Field::Baseline {
            return Err(bad(i, format!("{}(`{}`)は年度ごとの列にできません", field.label(), field.key())));
        }
        if let Some(prev) = seen_fields.insert((field, year), i) {
            if !matches!(field, Field::Note) {
                return Err(bad(
                    i,
                    format!(
                        "{}{}が二つの列にあります({}つ目と{}つ目の `{tag}`)",
                        year.map(YearSpec::label).unwrap_or_default(),
                        field.label(),
                        prev + 1,
                        i + 1
                    ),
                ));
            }
        }
        // The columns after a column per year move right: the file lists them left to right.
        if template && i > 0 {
            let before = column_index(&columns[i - 1].column).unwrap_or(0);
            if col <= before {
                return Err(bad(
                    i,
                    format!(
                        "`year = \"each\"` の列があるレイアウトでは、列を左から順に書いてください(列 {} が列 {} の後にあります)",
                        c.column,
                        columns[i - 1].column
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A column's year as the layout file gives it.
pub const EACH_YEAR: &str = "each";
pub const FINAL_YEAR: &str = "final";

/// A column's year, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum YearSpec {
    Year(FiscalYear),
    Each,
    Final,
}

impl YearSpec {
    fn from(text: &str) -> YearSpec {
        if text == EACH_YEAR {
            YearSpec::Each
        } else {
            YearSpec::Final
        }
    }

    fn label(self) -> String {
        match self {
            YearSpec::Year(y) => y.long(),
            YearSpec::Each => "年度ごとの".into(),
            YearSpec::Final => "最終年度の".into(),
        }
    }
}

impl Layout {
    /// Whether the layout has columns whose years come from the plan (`year = "each"` or `"final"`).
    pub fn is_template(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.year.as_deref(), Some(EACH_YEAR | FINAL_YEAR)))
    }

    /// The layout for these fiscal years: an `each` column becomes one column per year,
    /// the columns after it moving right; a `final` column is of `final_year` (the last
    /// year when not given). `{year}` in a header becomes the year (`令和5年度`).
    pub fn for_years(&self, years: &[FiscalYear], final_year: Option<FiscalYear>) -> Layout {
        let last = final_year.or(years.last().copied());
        let of = |c: &Column, y: FiscalYear, at: i64| Column {
            column: crate::xlsx::column_name(at.max(0) as u32),
            header: c.header.replace("{year}", &y.long()).replace("{year_short}", &y.short()),
            sub_header: c
                .sub_header
                .as_ref()
                .map(|s| s.replace("{year}", &y.long()).replace("{year_short}", &y.short())),
            year: Some(y.short()),
            ..c.clone()
        };
        let mut columns = Vec::new();
        let mut shift: i64 = 0;
        for c in &self.columns {
            let Some(i) = column_index(&c.column) else { continue };
            let at = i64::from(i) + shift;
            match c.year.as_deref() {
                Some(EACH_YEAR) => {
                    columns.extend(years.iter().zip(at..).map(|(y, a)| of(c, *y, a)));
                    shift += years.len() as i64 - 1;
                }
                Some(FINAL_YEAR) => match last {
                    Some(y) => columns.push(of(c, y, at)),
                    None => shift -= 1,
                },
                _ => columns.push(Column {
                    column: crate::xlsx::column_name(at.max(0) as u32),
                    ..c.clone()
                }),
            }
        }
        Layout { columns, ..self.clone() }
    }

    /// The header of a column with its `{year}` taken out: what a per-year column's
    /// header says besides its year (`実績` of `実績{year}`).
    fn template_header(c: &Column) -> String {
        c.full_header().replace("{year}", "").replace("{year_short}", "")
    }

    /// The years a sheet written in this template has: its `each` columns' headers read
    /// rightwards while they name a year (`実績令和4年度`, `実績令和5年度` …), and the year
    /// in its `final` column's header. `header_at(col)` is the sheet's header over its rows.
    pub fn years_in_sheet(&self, header_at: impl Fn(u32) -> String) -> (Vec<FiscalYear>, Option<FiscalYear>) {
        let mut years = Vec::new();
        let mut final_year = None;
        let mut shift: i64 = 0;
        for c in &self.columns {
            let Some(i) = column_index(&c.column) else { continue };
            let at = i64::from(i) + shift;
            let want = crate::text::label_key(&Self::template_header(c));
            let year_at = |col: i64| {
                let (label, year) = split_year(&header_at(col.max(0) as u32));
                year.filter(|_| crate::text::label_key(&label) == want)
            };
            match c.year.as_deref() {
                Some(EACH_YEAR) => {
                    let found: Vec<FiscalYear> = (at..at + 200).map_while(year_at).collect();
                    shift += found.len() as i64 - 1;
                    if years.is_empty() {
                        years = found;
                    }
                }
                Some(FINAL_YEAR) => final_year = year_at(at).or(final_year),
                _ => {}
            }
        }
        (years, final_year)
    }
}

/// `B4` → (3, 1): a cell's row and column, from 0.
pub fn cell_position(name: &str) -> Option<(u32, u32)> {
    let n = name.trim();
    let split = n.find(|c: char| c.is_ascii_digit())?;
    let row: u32 = n[split..].parse().ok().filter(|r| *r >= 1)?;
    Some((row - 1, column_index(&n[..split])?))
}

/// `A` → 0, `AA` → 26.
pub fn column_index(name: &str) -> Option<u32> {
    let n = name.trim();
    if n.is_empty() || n.len() > 3 || !n.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(n.bytes().fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1)) - 1)
}

/// The field a header names, and the fiscal year written in it (`R5実績`,
/// `実績値(令和5年度)`, `2023年度実績`, `基準値(R2)`); `None` when no synonym matches.
pub fn field_of_header(header: &str) -> Option<(Field, Option<FiscalYear>)> {
    let (label, year) = split_year(header);
    let key = label_key(&label).replace(['(', ')', '（', '）', ' '], "");
    if key.is_empty() {
        return None;
    }
    for f in Field::ALL {
        if f.synonyms().iter().any(|s| label_key(s).replace(['(', ')', '（', '）'], "") == key) {
            return Some((f, year));
        }
    }
    None
}

/// A header without its year, and the year: the first 和暦 (`R5`, `令和5年度`, `H30`,
/// `平成30年度`) or 西暦 (`2023`, `2023年度`) in it.
pub fn split_year(header: &str) -> (String, Option<FiscalYear>) {
    let h = crate::text::normalize_width(header);
    let chars: Vec<char> = h.chars().collect();
    let digits_from = |i: usize| {
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '元') {
            j += 1;
        }
        j
    };
    for i in 0..chars.len() {
        let (start, after_prefix) = if h[char_offset(&chars, i)..].starts_with("令和") || h[char_offset(&chars, i)..].starts_with("平成")
        {
            (i, i + 2)
        } else if matches!(chars[i], 'R' | 'H') && (i == 0 || !chars[i - 1].is_ascii_alphabetic()) {
            (i, i + 1)
        } else if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            (i, i)
        } else {
            continue;
        };
        let end = digits_from(after_prefix);
        if end == after_prefix {
            continue;
        }
        let mut stop = end;
        let rest: String = chars[end..].iter().collect();
        if rest.starts_with("年度") {
            stop = end + 2;
        } else if rest.starts_with('年') {
            stop = end + 1;
        }
        let token: String = chars[start..stop].iter().collect();
        if start == after_prefix && end - start != 4 {
            continue; // a bare number must be a 西暦 year
        }
        if let Ok(y) = FiscalYear::parse(&token) {
            if !(1989..=2100).contains(&y.0) {
                continue;
            }
            let mut label: String = chars[..start].iter().chain(chars[stop..].iter()).collect();
            label = label.replace("()", "").replace("（）", "");
            return (label.trim().to_string(), Some(y));
        }
    }
    (h.trim().to_string(), None)
}

fn char_offset(chars: &[char], i: usize) -> usize {
    chars[..i].iter().map(|c| c.len_utf8()).sum()
}

fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message();
    if let Some(field) = m.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
        return format!("「{field}」はレイアウトの項目ではありません(docs/layouts.md を参照)");
    }
    if let Some(field) = m.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        return format!("「{field}」がありません");
    }
    if m.contains("unknown variant") && m.contains("merged") {
        return "`project_cells` は \"merged\"(結合)か \"repeated\"(各行に繰り返し)にしてください".into();
    }
    if m.contains("unknown variant") && m.contains("once") {
        return "`listings` は \"once\"(KPIごとに1行)か \"each\"(再掲も含め、載っているところごと)にしてください".into();
    }
    if m.contains("unknown variant") && m.contains("typed") {
        return "`numbers` は \"typed\"(入力されたまま)か \"formatted\"(数は数として書式付きで)にしてください".into();
    }
    if m.contains("unknown variant") {
        return "`hierarchy` は \"columns\"(列)か \"heading_rows\"(見出し行)にしてください".into();
    }
    if m.contains("invalid type") {
        return "値の種類が違います(文字列は \"…\" で、数は数字で書きます)".into();
    }
    "TOML として読めません(書式を確認してください)".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_fields_and_years() {
        let y = |n| Some(FiscalYear(n));
        assert_eq!(field_of_header("R5実績"), Some((Field::Actual, y(2023))));
        assert_eq!(field_of_header("実績値(令和5年度)"), Some((Field::Actual, y(2023))));
        assert_eq!(field_of_header("2024年度実績"), Some((Field::Actual, y(2024))));
        assert_eq!(field_of_header("目標 (R7)"), Some((Field::Target, y(2025))));
        assert_eq!(field_of_header("基準値(H30)"), Some((Field::Baseline, y(2018))));
        assert_eq!(field_of_header("重要業績評価指標(KPI)"), Some((Field::KpiName, None)));
        assert_eq!(field_of_header("所管課"), Some((Field::Division, None)));
        assert_eq!(field_of_header("達成状況"), Some((Field::Evaluation, None)));
        assert_eq!(field_of_header("色"), None);
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("AA"), Some(26));
        assert_eq!(column_index("a1"), None);
        assert_eq!(cell_position("B4"), Some((3, 1)));
        assert_eq!(cell_position("AA10"), Some((9, 26)));
        assert_eq!(cell_position("4B"), None);
        assert_eq!(cell_position("B0"), None);
    }

    #[test]
    fn the_summary_sheet_is_a_layout_file() {
        let l = summary_layout().unwrap();
        assert_eq!(l.sheet.as_deref(), Some("取組一覧"));
        assert_eq!((l.header_row, l.header_rows), (1, 3));
        assert_eq!(l.listings, Some(Listings::Each));
        assert_eq!(l.numbers, Some(Numbers::Formatted));
        assert_eq!(l.freeze.as_deref(), Some("B4"));
        let fields: Vec<&str> = l.columns.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields.len(), 17);
        assert!(l.columns.iter().any(|c| c.field == "target" && c.year.as_deref() == Some("each")));
        // A wrong word for a choice is named with its line.
        let bad = SUMMARY_LAYOUT.replace("listings = \"each\"", "listings = \"all\"");
        let e = Layout::from_toml(&bad).unwrap_err();
        assert!(e.message.contains("listings") && e.line.is_some(), "{e}");
        assert!(crate::text::is_japanese_message(&e.to_string()), "{e}");
    }
}
