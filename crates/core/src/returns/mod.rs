//! Department returns (記入用ファイル): the workbook each department (部) fills in
//! with the year's results, and the merge (取りまとめ) of the returns into the plan.
//!
//! One exchange format for both kinds of department: those who fill it in Excel
//! and those who fill it in the app. The sheet `記入` holds per project × KPI the
//! read-only context and the editable cells; a hidden sheet holds the plan,
//! department, year and revision the file was made from and, for every cell, its
//! value then — the base of a three-way merge per field.

pub mod merge;
pub mod read;
pub mod report;
pub mod review;
pub mod sign;
pub mod template;

use std::collections::HashSet;

use crate::eval::Scale;
use crate::fy::FiscalYear;
use crate::model::{Kpi, Plan, Project};
use crate::text::{clean_cell, label_key, normalize_width};
use crate::value::{KpiValue, Parsed};

pub use merge::{value_for_path, FieldChange, FileOutcome, FileStatus, Merger};
pub use read::{load_return, read_carried, read_return, Carried, DeptReturn, LoadedReturn, ReturnField, ReturnMeta};
pub use sign::Signature;
pub use template::{build_return, write_return, ReturnSpec};

/// The entry sheet.
pub const SHEET_ENTRY: &str = "記入";
/// How to fill it in.
pub const SHEET_GUIDE: &str = "記入要領";
/// The hidden sheet with the merge base.
pub const SHEET_META: &str = "shinchoku_meta";
/// The hidden sheet with the department's slice of the plan (JSON), from which a
/// department's app opens the file (記入用ファイルを開く).
pub const SHEET_PLAN_SLICE: &str = "shinchoku_plan";
/// The first cell of the metadata sheet says what the file is.
pub const META_FORMAT: &str = "shinchoku-return";
pub const META_VERSION: u32 = 1;

/// A column of the entry sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    No,
    Area,
    Item,
    Dept,
    Div,
    Name,
    KpiNo,
    KpiName,
    Unit,
    Baseline,
    Target,
    LastActual,
    Actual,
    Evaluation,
    Narrative,
    Budget,
    Issues,
    Relisted,
    /// 前年度評価: last year's evaluation, read-only beside this year's.
    PrevEvaluation,
    /// 前年度の取組状況: last year's narrative, read-only beside this year's, so a
    /// department edits only what changed.
    PrevNarrative,
}

impl Column {
    /// The columns of a plan's entry sheet: 予算 and 課題・アクション only where the plan has them.
    pub fn for_plan(plan: &Plan) -> Vec<Column> {
        use Column::*;
        let last = FiscalYear(plan.report_year.0 - 1);
        let carried = plan
            .projects()
            .filter_map(|p| p.years.get(&last))
            .any(|y| y.evaluation.is_some() || y.narrative.is_some());
        let mut cols = vec![
            No, Area, Item, Dept, Div, Name, KpiNo, KpiName, Unit, Baseline, Target, LastActual, Actual,
        ];
        if carried {
            cols.extend([PrevEvaluation, Evaluation, PrevNarrative, Narrative]);
        } else {
            cols.extend([Evaluation, Narrative]);
        }
        let years = || plan.projects().flat_map(|p| p.years.values());
        if years().any(|y| y.budget.is_some()) {
            cols.push(Budget);
        }
        if years().any(|y| y.issues.is_some()) {
            cols.push(Issues);
        }
        cols.push(Relisted);
        cols
    }

    /// The header's fixed part, as matched when reading (see [`label_key`]).
    pub fn key(self) -> &'static str {
        match self {
            Column::No => "事業番号",
            Column::Area => "分野",
            Column::Item => "項目",
            Column::Dept => "担当部",
            Column::Div => "担当課",
            Column::Name => "事業名",
            Column::KpiNo => "KPI番号",
            Column::KpiName => "KPI名",
            Column::Unit => "単位",
            Column::Baseline => "基準値",
            Column::Target => "目標値",
            Column::LastActual => "前年度実績",
            Column::Actual => "実績値",
            Column::Evaluation => "評価",
            Column::Narrative => "取組状況",
            Column::Budget => "予算(千円)",
            Column::Issues => "課題・アクション",
            Column::Relisted => "再掲先",
            Column::PrevEvaluation => "前年度評価",
            Column::PrevNarrative => "前年度の取組状況",
        }
    }

    /// The header as written, with the year where the column is a year's.
    pub fn header(self, year: FiscalYear) -> String {
        self.header_as(self.key(), year)
    }

    /// The header under another label (a prefecture's own word for the column, see
    /// [`Labels`]), with the year where the column is a year's.
    fn header_as(self, label: &str, year: FiscalYear) -> String {
        match self {
            Column::Target | Column::Actual => format!("{label}\n({})", year.long()),
            Column::LastActual | Column::PrevEvaluation | Column::PrevNarrative => {
                format!("{label}\n({})", FiscalYear(year.0 - 1).long())
            }
            _ => label.to_string(),
        }
    }

    /// The entry sheet's column holding a layout's field, where there is one.
    fn of_field(field: crate::layout::Field) -> Option<Column> {
        use crate::layout::Field;
        Some(match field {
            Field::Area => Column::Area,
            Field::Item => Column::Item,
            Field::ProjectNo => Column::No,
            Field::ProjectName => Column::Name,
            Field::Department => Column::Dept,
            Field::Division => Column::Div,
            Field::KpiNo => Column::KpiNo,
            Field::KpiName => Column::KpiName,
            Field::Unit => Column::Unit,
            Field::Baseline => Column::Baseline,
            Field::Target => Column::Target,
            Field::Actual => Column::Actual,
            Field::Evaluation => Column::Evaluation,
            Field::Narrative => Column::Narrative,
            Field::BaselineYear | Field::Note | Field::AreaNo | Field::ItemNo | Field::Summary | Field::Goal => return None,
        })
    }

    /// The column a header names.
    pub fn from_header(text: &str) -> Option<Column> {
        use Column::*;
        let k = label_key(text);
        [
            No,
            Area,
            Item,
            Dept,
            Div,
            Name,
            KpiNo,
            KpiName,
            Unit,
            Baseline,
            Target,
            LastActual,
            Actual,
            Evaluation,
            Narrative,
            Budget,
            Issues,
            Relisted,
            PrevEvaluation,
            PrevNarrative,
        ]
        .into_iter()
        .find(|c| k.starts_with(c.key()))
        // A prefecture's own word for it, as a layout's entry sheet is headed (see [`Labels`]).
        .or_else(|| crate::layout::field_of_header(text).and_then(|(f, _)| Column::of_field(f)))
    }

    /// Whether the department fills it in.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Column::Actual | Column::Evaluation | Column::Narrative | Column::Budget | Column::Issues
        )
    }

    /// Whether it belongs to the project (one value over the project's KPI rows)
    /// rather than to one KPI row.
    pub fn per_project(self) -> bool {
        !matches!(
            self,
            Column::KpiNo | Column::KpiName | Column::Unit | Column::Baseline | Column::Target | Column::LastActual | Column::Actual
        )
    }

    pub fn width(self) -> f64 {
        match self {
            Column::No | Column::KpiNo => 6.0,
            Column::Area | Column::Item => 14.0,
            Column::Dept | Column::Div => 11.0,
            Column::Name => 22.0,
            Column::KpiName => 24.0,
            Column::Unit => 6.0,
            Column::Baseline | Column::Target | Column::LastActual => 10.0,
            Column::Actual => 12.0,
            Column::Evaluation => 7.0,
            Column::Narrative => 48.0,
            Column::Budget => 11.0,
            Column::Issues => 36.0,
            Column::Relisted => 12.0,
            Column::PrevEvaluation => 7.0,
            Column::PrevNarrative => 36.0,
        }
    }

    /// The plan field an editable cell holds (see `Plan::fields`).
    pub fn field_path(self, project: &str, kpi: Option<u32>, year: FiscalYear) -> Option<String> {
        let y = year.0;
        match self {
            Column::Actual => kpi.map(|k| format!("kpi[{k}].actual[{y}]")),
            Column::Evaluation => Some(format!("project[{project}].year[{y}].evaluation")),
            Column::Narrative => Some(format!("project[{project}].year[{y}].narrative")),
            Column::Budget => Some(format!("project[{project}].year[{y}].budget")),
            Column::Issues => Some(format!("project[{project}].year[{y}].issues")),
            _ => None,
        }
    }

    /// The editable column a field path belongs to.
    pub fn of_path(path: &str) -> Option<Column> {
        if path.starts_with("kpi[") && path.contains("].actual[") && path.ends_with(']') {
            return Some(Column::Actual);
        }
        let (_, last) = path.rsplit_once('.')?;
        match last {
            "evaluation" => Some(Column::Evaluation),
            "narrative" => Some(Column::Narrative),
            "budget" => Some(Column::Budget),
            "issues" => Some(Column::Issues),
            _ => None,
        }
    }
}

/// A value as entered: the text to store and its canonical form (what is
/// compared: `Plan::fields` holds canonical values).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entered {
    pub raw: Option<String>,
    pub canon: Option<String>,
}

/// Reads what was entered in an editable column; the error says what was expected.
pub fn parse_entered(col: Column, text: Option<&str>, kpi: Option<&Kpi>, scale: &Scale) -> Result<Entered, String> {
    let Some(t) = text.and_then(clean_cell) else {
        return Ok(Entered::default());
    };
    match col {
        Column::Actual => {
            let v = KpiValue::new(t.clone()).ok_or("数値または「-」を入力してください")?;
            if matches!(v.parse(), Parsed::Text) && kpi.is_some_and(is_numeric) {
                return Err(format!("数値または「-」を入力してください(入力: {t})"));
            }
            Ok(Entered {
                canon: Some(v.canonical()),
                raw: Some(t),
            })
        }
        Column::Evaluation => {
            let e = scale
                .parse(&t)
                .map_err(|_| format!("{} のいずれかを入力してください(入力: {t})", scale.listing()))?;
            Ok(same(e.mark().to_string()))
        }
        Column::Budget => {
            let n = normalize_width(&t);
            let digits: String = n
                .trim_end_matches("千円")
                .chars()
                .filter(|c| *c != ',' && !c.is_whitespace())
                .collect();
            let v: i64 = digits
                .parse()
                .ok()
                .filter(|v: &i64| v.unsigned_abs() < 1_000_000_000_000)
                .ok_or_else(|| format!("予算は千円単位の整数で入力してください(入力: {t})"))?;
            Ok(same(v.to_string()))
        }
        Column::Narrative | Column::Issues => Ok(same(t)),
        _ => Err("この列は入力できません".into()),
    }
}

fn same(s: String) -> Entered {
    Entered {
        raw: Some(s.clone()),
        canon: Some(s),
    }
}

/// The canonical form of a stored or recorded value of an editable column.
pub fn canonical_of(col: Column, raw: Option<&str>) -> Option<String> {
    match parse_entered(col, raw, None, &Scale::maru()) {
        Ok(e) => e.canon,
        Err(_) => raw.and_then(clean_cell),
    }
}

/// A KPI measured in numbers: its actual must be a number or `-`.
fn is_numeric(k: &Kpi) -> bool {
    k.values().any(|v| matches!(v.parse(), Parsed::Number(_) | Parsed::Qualified(..)))
}

/// The words a prefecture's layout heads the entry sheet's columns with (施策 for 項目,
/// 所管課 for 担当課, 達成状況 for 評価), so that a department fills in the sheet in the
/// words it knows. A word is taken only where reading the header back finds the same
/// column ([`Column::from_header`]), so a return is read as before; the others keep
/// Shinchoku's own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    words: std::collections::HashMap<Column, String>,
    /// The context columns the layout has (分野, 項目, 担当部, 担当課, 単位, 基準値, 目標値),
    /// in its order: the entry sheet shows these, so ordered, and not the others.
    context: Vec<Column>,
}

/// The columns of the entry sheet that only give context, which a layout chooses.
const CONTEXT: [Column; 7] = [
    Column::Area,
    Column::Item,
    Column::Dept,
    Column::Div,
    Column::Unit,
    Column::Baseline,
    Column::Target,
];

impl Labels {
    /// The labels of a layout's columns (its sheet of projects' too), the first column of
    /// a field giving its word. A 目標値 column of the plan's last year (`最終目標`) is
    /// not the sheet's target of the report year, and keeps 目標値.
    pub fn from_layout(layout: &crate::layout::Layout) -> Labels {
        let mut labels = std::collections::HashMap::new();
        let mut context = Vec::new();
        let projects = layout.projects.iter().flat_map(|p| p.columns.iter());
        for c in layout.columns.iter().chain(projects) {
            let Some(field) = crate::layout::Field::from_key(&c.field) else {
                continue;
            };
            let Some(col) = Column::of_field(field) else { continue };
            if CONTEXT.contains(&col) && !context.contains(&col) {
                context.push(col);
            }
            if field == crate::layout::Field::Target && c.year.as_deref() != Some("each") {
                continue;
            }
            let (word, _) = crate::layout::split_year(&c.header.replace("{year}", ""));
            let word = word.replace("()", "").replace("（）", "");
            let word = word.trim();
            if word.is_empty() || word == col.key() || labels.contains_key(&col) {
                continue;
            }
            // Read back as its own column (the year is added as it is to the sheet's).
            if Column::from_header(&col.header_as(word, FiscalYear(2000))) == Some(col) {
                labels.insert(col, word.to_string());
            }
        }
        Labels { words: labels, context }
    }

    /// The entry sheet's columns for a plan in this layout: 事業番号 first, then the layout's
    /// context of the project (分野, 項目, 担当部, 担当課) in its order, 事業名, KPI番号 and KPI名,
    /// the layout's context of the KPI (単位, 基準値, 目標値) in its order, then what the
    /// department fills in, as on every entry sheet. A layout with none of the context keeps
    /// Shinchoku's own columns.
    pub fn columns(&self, plan: &Plan) -> Vec<Column> {
        let own = Column::for_plan(plan);
        if self.context.is_empty() {
            return own;
        }
        let of_project = [Column::Area, Column::Item, Column::Dept, Column::Div];
        let mut cols = vec![Column::No];
        cols.extend(self.context.iter().filter(|c| of_project.contains(c)));
        cols.extend([Column::Name, Column::KpiNo, Column::KpiName]);
        cols.extend(self.context.iter().filter(|c| !of_project.contains(c)));
        let rest: Vec<Column> = own.into_iter().filter(|c| !cols.contains(c) && !CONTEXT.contains(c)).collect();
        cols.extend(rest);
        cols
    }

    /// The header of a column, in the layout's word where it has one.
    pub fn header(&self, col: Column, year: FiscalYear) -> String {
        match self.words.get(&col) {
            Some(word) => col.header_as(word, year),
            None => col.header(year),
        }
    }

    /// The word for a column: the layout's, else Shinchoku's own.
    pub fn word(&self, col: Column) -> &str {
        self.words.get(&col).map_or(col.key(), String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The departments (部) of a plan, in plan order.
pub fn departments(plan: &Plan) -> Vec<String> {
    let mut seen = HashSet::new();
    plan.projects()
        .flat_map(|p| p.owners.iter().filter_map(|o| o.department.clone()))
        .filter(|d| seen.insert(d.clone()))
        .collect()
}

/// The projects a department owns or co-owns that run in `year`, in plan order
/// (re-listings are not repeated: a project appears once, at its original; a
/// project ended before the year, or starting after it, is not asked for).
pub fn department_projects<'a>(plan: &'a Plan, department: &str, year: FiscalYear) -> Vec<&'a Project> {
    plan.projects()
        .filter(|p| p.runs_in(year) && p.owners.iter().any(|o| o.department.as_deref() == Some(department)))
        .collect()
}

/// A department's slice of the plan: its projects (not re-listings), the KPIs
/// they show, and the plan's head — what its return file carries so that the
/// department's app can work from the file alone.
pub fn department_slice(plan: &Plan, department: &str) -> Plan {
    // Only the department's projects and KPIs are copied (a copy of the whole plan was
    // most of a template's memory and time at 20,000 projects); every other field is,
    // named one by one so that a field added to the plan is not forgotten here.
    let Plan {
        organization,
        title,
        report_title,
        period,
        fiscal_years,
        report_year,
        as_of,
        rule,
        areas,
        kpis,
        entries,
        schedule: _,
    } = plan;
    let entries: Vec<crate::model::Entry> = entries
        .iter()
        .filter(|e| match e {
            crate::model::Entry::Project(p) => p.owners.iter().any(|o| o.department.as_deref() == Some(department)),
            crate::model::Entry::Relisting(_) => false,
        })
        .cloned()
        .collect();
    let shown: HashSet<u32> = entries
        .iter()
        .filter_map(|e| match e {
            crate::model::Entry::Project(p) => Some(p.kpis.iter().map(|k| k.no)),
            crate::model::Entry::Relisting(_) => None,
        })
        .flatten()
        .collect();
    Plan {
        organization: organization.clone(),
        title: title.clone(),
        report_title: report_title.clone(),
        period: *period,
        fiscal_years: fiscal_years.clone(),
        report_year: *report_year,
        as_of: *as_of,
        rule: rule.clone(),
        areas: areas.clone(),
        kpis: kpis.iter().filter(|k| shown.contains(&k.no)).cloned().collect(),
        entries,
        schedule: Vec::new(),
    }
}

/// A file name for a department's return: `令和5年度_総務部.xlsx`.
pub fn return_file_name(department: &str, year: FiscalYear) -> String {
    let safe: String = department
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{}_{}.xlsx", year.long(), safe.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entered_values_are_checked_and_canonical() {
        let e = parse_entered(Column::Evaluation, Some(" 〇 "), None, &Scale::maru()).unwrap();
        assert_eq!(e.canon.as_deref(), Some("○"));
        assert!(parse_entered(Column::Evaluation, Some("よい"), None, &Scale::maru())
            .unwrap_err()
            .contains("○ △ × -"));
        assert_eq!(
            parse_entered(Column::Budget, Some("１，２００千円"), None, &Scale::maru())
                .unwrap()
                .canon
                .as_deref(),
            Some("1200")
        );
        assert!(parse_entered(Column::Budget, Some("約千"), None, &Scale::maru()).is_err());
        let plan = crate::seed::fukushima_plan().unwrap();
        let k = plan.kpis.iter().find(|k| is_numeric(k)).unwrap();
        let e = parse_entered(Column::Actual, Some("１４，４４２"), Some(k), &Scale::maru()).unwrap();
        assert_eq!(e.raw.as_deref(), Some("１４，４４２"));
        assert_eq!(e.canon.as_deref(), Some("14442"));
        assert!(parse_entered(Column::Actual, Some("たくさん"), Some(k), &Scale::maru())
            .unwrap_err()
            .contains("数値または「-」"));
        assert_eq!(
            parse_entered(Column::Actual, Some(""), Some(k), &Scale::maru()).unwrap(),
            Entered::default()
        );
    }

    #[test]
    fn columns_and_paths() {
        assert_eq!(Column::from_header("実績値\n(令和5年度)"), Some(Column::Actual));
        assert_eq!(Column::from_header("前年度実績\n(令和4年度)"), Some(Column::LastActual));
        assert_eq!(Column::from_header("予算（千円）"), Some(Column::Budget));
        let p = Column::Actual.field_path("8", Some(2), FiscalYear(2023)).unwrap();
        assert_eq!(p, "kpi[2].actual[2023]");
        assert_eq!(Column::of_path(&p), Some(Column::Actual));
        assert_eq!(Column::of_path("kpi[2].actual[2023].as_of"), None);
        assert_eq!(Column::of_path("project[8].year[2023].narrative"), Some(Column::Narrative));
        assert_eq!(return_file_name("総務部", FiscalYear(2023)), "令和5年度_総務部.xlsx");
        assert_eq!(return_file_name("a/b", FiscalYear(2023)), "令和5年度_a_b.xlsx");
    }

    #[test]
    fn a_layouts_words_head_only_the_columns_they_read_back_as() {
        let column = |field: &str, header: &str, year: Option<&str>| crate::layout::Column {
            column: "A".into(),
            field: field.into(),
            header: header.into(),
            sub_header: None,
            year: year.map(str::to_string),
            synonyms: Vec::new(),
            width: None,
            number_format: None,
            align: None,
            group: None,
            lines: false,
            words: false,
        };
        let mut layout = crate::layout::builtin("総合戦略").unwrap().0;
        layout.columns = vec![
            column("item", "施策", None),
            // Not a word the reader knows for 指標名: Shinchoku's own is kept.
            column("kpi_name", "ものさし", None),
            // The final target is not the report year's target.
            column("target", "最終目標", Some("final")),
            column("actual", "R5実績", Some("each")),
            column("actual", "実績値(見込み)", Some("each")),
            column("narrative", "主な取組", None),
        ];
        let l = Labels::from_layout(&layout);
        let r5 = FiscalYear(2023);
        assert_eq!(l.header(Column::Item, r5), "施策");
        assert_eq!(l.header(Column::KpiName, r5), "KPI名");
        assert_eq!(l.header(Column::Target, r5), "目標値\n(令和5年度)");
        assert_eq!(l.header(Column::Actual, r5), "実績\n(令和5年度)");
        assert_eq!(l.header(Column::Narrative, r5), "主な取組");
        assert_eq!((l.word(Column::Actual), l.word(Column::Evaluation)), ("実績", "評価"));
        assert_eq!(l.header(Column::LastActual, r5), "前年度実績\n(令和4年度)");
        for c in [Column::Item, Column::Actual, Column::Narrative] {
            assert_eq!(Column::from_header(&l.header(c, r5)), Some(c));
        }
        assert!(Labels::default().is_empty());
    }
}
#[cfg(test)]
mod slice_tests {
    #[test]
    fn a_department_slice_is_the_plan_cut_to_the_department() {
        for plan in [crate::seed::fukushima_plan().unwrap(), crate::synth::synthetic_plan(300)] {
            for d in super::departments(&plan) {
                let mut want = plan.clone();
                want.entries.retain(|e| match e {
                    crate::model::Entry::Project(p) => p.owners.iter().any(|o| o.department.as_deref() == Some(d.as_str())),
                    crate::model::Entry::Relisting(_) => false,
                });
                let shown: std::collections::HashSet<u32> = want.projects().flat_map(|p| p.kpis.iter().map(|k| k.no)).collect();
                want.kpis.retain(|k| shown.contains(&k.no));
                want.schedule.clear();
                assert!(!want.entries.is_empty(), "{d}");
                assert_eq!(super::department_slice(&plan, &d), want, "{d}");
            }
        }
    }

    #[test]
    fn a_department_slice_round_trips_through_json() {
        let plan = crate::seed::fukushima_plan().unwrap();
        let slice = super::department_slice(&plan, "総務部");
        let json = serde_json::to_string(&slice).unwrap();
        let back: crate::model::Plan = serde_json::from_str(&json).map_err(|e| e.to_string()).unwrap();
        assert_eq!(back.fields(), slice.fields());
        assert!(slice.validate().is_empty(), "{:?}", slice.validate());
    }
}
