//! The plan model: a prefecture's DX plan as areas (分野) → items (項目) →
//! projects (事業), with re-listings (再掲), owners (部・課), KPIs and the
//! yearly results. Plain data; storage and workbooks live elsewhere.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::eval::{Direction, Evaluation, EvaluationRule};
use crate::fy::{AsOf, FiscalYear};
use crate::value::KpiValue;

/// A DX plan (計画) and its report year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// 団体名, e.g. 福島県. Empty when a workbook did not say.
    pub organization: String,
    /// 計画名, the title in the summary sheet's first cell.
    pub title: String,
    /// The summary sheet's report title when it is not the usual
    /// `令和5年度関連事業 取組一覧` for the report year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_title: Option<String>,
    /// 計画期間 (first and last fiscal year), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<(FiscalYear, FiscalYear)>,
    /// The fiscal years that have targets (目標値 R4–R7).
    pub fiscal_years: Vec<FiscalYear>,
    /// The year being reported on (報告年度).
    pub report_year: FiscalYear,
    /// As-of date of the report year's actuals (※R6.3.31時点).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<AsOf>,
    #[serde(default)]
    pub rule: EvaluationRule,
    pub areas: Vec<Area>,
    pub kpis: Vec<Kpi>,
    /// Projects and re-listings in plan order.
    pub entries: Vec<Entry>,
    /// 工程表: the plan's activities over its fiscal years, by theme.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ScheduleRow>,
}

/// 分野: an area of the plan, e.g. `I-1 まず始めに実施すべき取組`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub code: String,
    pub name: Option<String>,
    pub items: Vec<Item>,
}

/// 項目: an item within an area, e.g. `(1)`, `(6)ア`, `計画`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub code: String,
    pub name: Option<String>,
    /// 現状、課題: the situation and issues when the strategy was made (progress report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<String>,
    /// 取組状況 since the strategy: one line per bullet (a leading ○, ◯ or ・), other
    /// lines are sub-headings (（１）申請手続のオンライン化). Figures can be quoted from
    /// KPIs with `{kpi:N}` and the like (see `report::expand_quotes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
}

/// One activity of the 工程表: a span of fiscal years or a milestone in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRow {
    /// The theme: an area and (usually) one of its items.
    pub area: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The row group within the theme (the schedule's 項目 column: `申請しやすい環境の整備`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub label: String,
    pub actor: Actor,
    pub start: FiscalYear,
    /// The last year of a span; equal to `start` for a milestone.
    pub end: FiscalYear,
    #[serde(default)]
    pub milestone: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// Whose activity a schedule row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    /// ★県の取組
    #[default]
    Prefecture,
    /// ●国の取組
    Nation,
}

impl Actor {
    pub fn mark(self) -> char {
        match self {
            Actor::Prefecture => '★',
            Actor::Nation => '●',
        }
    }

    /// `★県` / `●国`, as the 工程表 sheet writes it.
    pub fn label(self) -> &'static str {
        match self {
            Actor::Prefecture => "★県",
            Actor::Nation => "●国",
        }
    }

    pub fn parse(s: &str) -> Option<Actor> {
        match s.trim() {
            "★" | "★県" | "県" | "★県の取組" => Some(Actor::Prefecture),
            "●" | "●国" | "国" | "●国の取組" => Some(Actor::Nation),
            _ => None,
        }
    }
}

/// Actual progress marked against the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Progress {
    /// 完了
    Done,
    /// 遅延
    Delayed,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Progress::Done => "完了",
            Progress::Delayed => "遅延",
        }
    }

    pub fn parse(s: &str) -> Option<Progress> {
        match s.trim() {
            "完了" | "済" | "done" => Some(Progress::Done),
            "遅延" | "遅れ" | "delayed" => Some(Progress::Delayed),
            _ => None,
        }
    }
}

/// One row group of the summary sheet: a project where it is defined, or a
/// re-listing of it under another item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Entry {
    Project(Project),
    Relisting(Relisting),
}

/// 担当: one 部/課 pair. A co-owned project has several.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Owner {
    /// 部
    pub department: Option<String>,
    /// 課
    pub division: Option<String>,
}

/// A KPI shown on a project or re-listing. `relisted` marks a KPI repeated from
/// where it was first listed (the sheet prints `再掲` and `※再掲:No2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiRef {
    pub no: u32,
    #[serde(default)]
    pub relisted: bool,
}

/// 事業: a project with its own number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 事業番号 (`1`, `2`, …), unique in the plan.
    pub no: String,
    pub area: String,
    pub item: Option<String>,
    pub owners: Vec<Owner>,
    /// 事業名又は取組名
    pub name: Option<String>,
    /// 事業概要又は取組内容
    pub summary: Option<String>,
    /// 指標(KPI)又は目標
    pub goal: Option<String>,
    pub kpis: Vec<KpiRef>,
    #[serde(default)]
    pub years: BTreeMap<FiscalYear, ProjectYear>,
    /// 新規: the first fiscal year of a project started within the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<FiscalYear>,
    /// 終了: the last fiscal year the project runs; it is not asked for or counted after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<FiscalYear>,
    /// 統合・分割: the numbers of the projects this one continues (two or more: merged
    /// into it; one that others also continue: split).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origin: Vec<String>,
}

impl Project {
    /// Whether the project runs in `year` (from its start, up to its end).
    pub fn runs_in(&self, year: FiscalYear) -> bool {
        self.start.is_none_or(|s| s <= year) && self.end.is_none_or(|e| year <= e)
    }
}

impl Plan {
    /// The projects that continue `no` (統合・分割 先).
    pub fn successors(&self, no: &str) -> Vec<&Project> {
        self.projects().filter(|p| p.origin.iter().any(|o| o == no)).collect()
    }

    /// What a project's status says in `year`, as the summary sheets print it in 備考:
    /// `新規`, `新規(No.1・No.2を統合)`, `新規(No.3から分割)`, `令和5年度で終了(No.50に統合)`,
    /// `終了`; `None` for a project simply continuing (継続).
    pub fn status_note(&self, p: &Project, year: FiscalYear) -> Option<String> {
        let numbers = |ps: &[&str]| ps.iter().map(|n| format!("No.{n}")).collect::<Vec<_>>().join("・");
        if p.start == Some(year) {
            let origin: Vec<&str> = p.origin.iter().map(String::as_str).collect();
            return Some(match origin.as_slice() {
                [] => "新規".into(),
                [one] if self.successors(one).len() > 1 => format!("新規({}から分割)", numbers(&origin)),
                [_] => format!("新規({}を継承)", numbers(&origin)),
                _ => format!("新規({}を統合)", numbers(&origin)),
            });
        }
        let end = p.end?;
        if year < end {
            return None;
        }
        let next: Vec<&Project> = self.successors(&p.no);
        let to: Vec<&str> = next.iter().map(|q| q.no.as_str()).collect();
        let whither = match next.as_slice() {
            [] => String::new(),
            [q] if q.origin.len() > 1 => format!("({}に統合)", numbers(&to)),
            [_] => format!("({}に継承)", numbers(&to)),
            _ => format!("({}に分割)", numbers(&to)),
        };
        Some(if year == end {
            format!("{}で終了{whither}", end.long())
        } else {
            format!("終了{whither}")
        })
    }
}

/// What a project reports for one fiscal year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectYear {
    pub evaluation: Option<Evaluation>,
    /// 取組状況
    pub narrative: Option<String>,
    /// 予算 (千円)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    /// 課題・アクション
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<String>,
    /// Why the evaluation differs from the one the KPIs propose (評価の理由).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The department has confirmed the year's entry (確定).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirmed: bool,
    /// 主な取組 (取組内容 for a past year, 取組予定 for a coming one), as on a project card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<Activity>,
    /// 課題とアクション as rows of an issue and its actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<IssueActions>,
    /// 予算 lines (千円). `budget` is the total as stated; it is checked against
    /// these lines and never replaced by their sum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget_lines: Vec<BudgetLine>,
}

/// One 主な取組 bullet: a title and what was (or will be) done, with its footnote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub title: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footnote: Option<String>,
}

/// One row of 課題とアクション.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueActions {
    pub issue: String,
    pub actions: Vec<String>,
}

/// One 予算 line: an item and its amount in 千円.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub item: String,
    pub amount: i64,
}

/// A stated budget total that is not the sum of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetMismatch {
    pub stated: i64,
    pub sum: i64,
}

impl ProjectYear {
    pub fn is_empty(&self) -> bool {
        self == &ProjectYear::default()
    }

    /// The stated total against the sum of the budget lines, when they differ.
    pub fn budget_mismatch(&self) -> Option<BudgetMismatch> {
        if self.budget_lines.is_empty() {
            return None;
        }
        let sum = self.budget_lines.iter().map(|l| l.amount).sum();
        let stated = self.budget?;
        (stated != sum).then_some(BudgetMismatch { stated, sum })
    }
}

/// 再掲: a project shown again under another item. Not a copy: name and owners
/// always come from the original; summary, goal and the yearly evaluation and
/// narrative are stored only where the re-listing says something different
/// (an empty text: the re-listing leaves that cell blank).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relisting {
    /// The original project's number.
    pub of: String,
    pub area: String,
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    pub kpis: Vec<KpiRef>,
    #[serde(default)]
    pub years: BTreeMap<FiscalYear, RelistingYear>,
}

/// A re-listing's own evaluation or narrative for a year, where it differs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelistingYear {
    pub evaluation: Option<Evaluation>,
    pub narrative: Option<String>,
}

/// A KPI (重要業績評価指標) or KGI. It may be shown on several projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    /// KPI番号, unique in the plan.
    pub no: u32,
    /// The code printed on a project card (`KGI`, `KPI-1`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The group on a project card (`CSF-1 最新デジタル技術の活用拡大`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub cumulative: bool,
    /// 維持: how far the actual may be from the target (`5`, `2%`, written like the values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<KpiValue>,
    pub baseline: Option<KpiValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_year: Option<FiscalYear>,
    /// The targets in force now (a revised year's latest value).
    pub targets: BTreeMap<FiscalYear, KpiValue>,
    /// 目標値の改定: every revision of a target, oldest first; the first of a year
    /// keeps its original (当初目標).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<TargetRevision>,
    pub actuals: BTreeMap<FiscalYear, Actual>,
    /// 担当課 as printed on a project card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub divisions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footnotes: Vec<String>,
}

/// One revision of a target (目標値の改定): the target of `year` became `value`
/// for the years rated from `from` on; the years rated before keep `previous`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRevision {
    /// The year whose target changed (目標年度).
    pub year: FiscalYear,
    /// The target before the revision; `None` when the year had none.
    pub previous: Option<KpiValue>,
    pub value: KpiValue,
    /// The first report year rated against `value`.
    pub from: FiscalYear,
    /// 改定日 (`2024-06-30`).
    pub date: String,
    /// 改定理由
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `(当初 80%)`: the note under a revised target.
pub fn original_note(original: &str) -> String {
    format!("(当初 {original})")
}

/// A target cell's text without the `(当初 …)` line a summary sheet writes under a
/// revised target.
pub fn strip_original_note(text: &str) -> &str {
    let t = text.trim_end();
    match t.rfind('\n') {
        Some(i) => {
            let last = t[i + 1..].trim();
            let note = (last.starts_with("(当初") && last.ends_with(')')) || (last.starts_with("（当初") && last.ends_with('）'));
            if note {
                t[..i].trim_end()
            } else {
                t
            }
        }
        None => t,
    }
}

impl Kpi {
    /// Its values: the baseline, the targets and the actuals, in that order.
    pub fn values(&self) -> impl Iterator<Item = &KpiValue> {
        self.baseline
            .iter()
            .chain(self.targets.values())
            .chain(self.actuals.values().map(|a| &a.value))
    }

    /// The target of `year` as it stood when `rated` was rated: revisions made for
    /// later report years are undone.
    pub fn target_for(&self, year: FiscalYear, rated: FiscalYear) -> Option<KpiValue> {
        let mut value = self.targets.get(&year).cloned();
        for r in self.revisions.iter().rev().filter(|r| r.year == year) {
            if r.from > rated {
                value = r.previous.clone();
            }
        }
        value
    }

    /// 当初目標: the target of `year` before any revision, where it was revised.
    pub fn original_target(&self, year: FiscalYear) -> Option<&KpiValue> {
        self.revisions.iter().find(|r| r.year == year).and_then(|r| r.previous.as_ref())
    }

    /// Whether the target of `year` in force for `rated` is a revised one.
    pub fn revised_for(&self, year: FiscalYear, rated: FiscalYear) -> bool {
        self.revisions.iter().any(|r| r.year == year && r.from <= rated)
    }
}

/// 実績値 for one year, with the date it was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub value: KpiValue,
    pub as_of: Option<AsOf>,
}

/// A re-listing seen through its original: what the summary sheet shows.
#[derive(Debug, Clone, Copy)]
pub struct EntryView<'a> {
    pub entry: &'a Entry,
    /// The project that owns the data (the original for a re-listing).
    pub project: &'a Project,
}

impl Entry {
    pub fn area(&self) -> &str {
        match self {
            Entry::Project(p) => &p.area,
            Entry::Relisting(r) => &r.area,
        }
    }

    pub fn item(&self) -> Option<&str> {
        match self {
            Entry::Project(p) => p.item.as_deref(),
            Entry::Relisting(r) => r.item.as_deref(),
        }
    }

    pub fn kpis(&self) -> &[KpiRef] {
        match self {
            Entry::Project(p) => &p.kpis,
            Entry::Relisting(r) => &r.kpis,
        }
    }

    pub fn is_relisting(&self) -> bool {
        matches!(self, Entry::Relisting(_))
    }
}

impl<'a> EntryView<'a> {
    pub fn summary(&self) -> Option<&'a str> {
        match self.entry {
            Entry::Relisting(r) if r.summary.is_some() => r.summary.as_deref().filter(|s| !s.is_empty()),
            _ => self.project.summary.as_deref(),
        }
    }

    pub fn goal(&self) -> Option<&'a str> {
        match self.entry {
            Entry::Relisting(r) if r.goal.is_some() => r.goal.as_deref().filter(|s| !s.is_empty()),
            _ => self.project.goal.as_deref(),
        }
    }

    pub fn evaluation(&self, year: FiscalYear) -> Option<Evaluation> {
        if let Entry::Relisting(r) = self.entry {
            if let Some(e) = r.years.get(&year).and_then(|y| y.evaluation.clone()) {
                return Some(e);
            }
        }
        self.project.years.get(&year).and_then(|y| y.evaluation.clone())
    }

    pub fn narrative(&self, year: FiscalYear) -> Option<&'a str> {
        if let Entry::Relisting(r) = self.entry {
            if let Some(n) = r.years.get(&year).and_then(|y| y.narrative.as_deref()) {
                return Some(n).filter(|n| !n.is_empty());
            }
        }
        self.project.years.get(&year).and_then(|y| y.narrative.as_deref())
    }
}

/// A problem that makes a plan inconsistent, located by entry where it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanProblem {
    /// Index into `Plan::entries`, when the problem belongs to one.
    pub entry: Option<usize>,
    pub message: String,
}

impl Plan {
    /// The report title printed in the summary sheet (`令和5年度関連事業 取組一覧`).
    pub fn report_title(&self) -> String {
        self.report_title.clone().unwrap_or_else(|| default_report_title(self.report_year))
    }

    pub fn projects(&self) -> impl Iterator<Item = &Project> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Project(p) => Some(p),
            Entry::Relisting(_) => None,
        })
    }

    pub fn relistings(&self) -> impl Iterator<Item = &Relisting> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Relisting(r) => Some(r),
            Entry::Project(_) => None,
        })
    }

    pub fn project(&self, no: &str) -> Option<&Project> {
        self.projects().find(|p| p.no == no)
    }

    /// A KPI by number: a binary search (KPIs are kept in number order), with a
    /// linear look as the fallback for a plan built out of order.
    pub fn kpi(&self, no: u32) -> Option<&Kpi> {
        match self.kpis.binary_search_by_key(&no, |k| k.no) {
            Ok(i) => Some(&self.kpis[i]),
            Err(_) => self.kpis.iter().find(|k| k.no == no),
        }
    }

    pub fn area(&self, code: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.code == code)
    }

    pub fn item_name(&self, area: &str, item: Option<&str>) -> Option<&str> {
        let item = item?;
        self.area(area)?.items.iter().find(|i| i.code == item)?.name.as_deref()
    }

    /// Every entry with the project that holds its data. Entries whose original is
    /// missing (an invalid plan) are skipped.
    pub fn views(&self) -> Vec<EntryView<'_>> {
        let by_no: HashMap<&str, &Project> = self.projects().map(|p| (p.no.as_str(), p)).collect();
        self.entries
            .iter()
            .filter_map(|e| {
                let project = match e {
                    Entry::Project(p) => p,
                    Entry::Relisting(r) => by_no.get(r.of.as_str())?,
                };
                Some(EntryView { entry: e, project })
            })
            .collect()
    }

    /// Every fiscal year the plan mentions: target years, the report year and the
    /// years with values.
    pub fn all_years(&self) -> Vec<FiscalYear> {
        let mut ys: BTreeSet<FiscalYear> = self.fiscal_years.iter().copied().collect();
        ys.insert(self.report_year);
        for k in &self.kpis {
            ys.extend(k.targets.keys());
            ys.extend(k.actuals.keys());
            ys.extend(k.baseline_year);
        }
        ys.into_iter().collect()
    }

    /// Consistency checks: unique numbers, references that resolve.
    pub fn validate(&self) -> Vec<PlanProblem> {
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        let numbers: BTreeSet<&str> = self.projects().map(|p| p.no.as_str()).collect();
        for (i, e) in self.entries.iter().enumerate() {
            let mut push = |m: String| {
                out.push(PlanProblem {
                    entry: Some(i),
                    message: m,
                })
            };
            if self.area(e.area()).is_none() {
                push(format!("分野 {} は計画にありません", e.area()));
            } else if let Some(item) = e.item() {
                if !self.area(e.area()).is_some_and(|a| a.items.iter().any(|it| it.code == item)) {
                    push(format!("項目 {item} は分野 {} にありません", e.area()));
                }
            }
            match e {
                Entry::Project(p) => {
                    if let Some(prev) = seen.insert(p.no.as_str(), i) {
                        let _ = prev;
                        push(format!("事業番号 {} が二度使われています", p.no));
                    }
                }
                Entry::Relisting(r) => {
                    if !numbers.contains(r.of.as_str()) {
                        push(format!("再掲の元の No.{} が計画にありません", r.of));
                    }
                }
            }
            for k in e.kpis() {
                if self.kpi(k.no).is_none() {
                    push(format!("KPI番号 {} の指標がありません", k.no));
                }
            }
        }
        for (i, r) in self.schedule.iter().enumerate() {
            let at = format!("工程表の{}行目", i + 1);
            match self.area(&r.area) {
                None => out.push(PlanProblem {
                    entry: None,
                    message: format!("{at}: 分野 {} は計画にありません", r.area),
                }),
                Some(a) => {
                    if let Some(item) = &r.item {
                        if !a.items.iter().any(|it| &it.code == item) {
                            out.push(PlanProblem {
                                entry: None,
                                message: format!("{at}: 項目 {item} は分野 {} にありません", r.area),
                            });
                        }
                    }
                }
            }
            if r.end < r.start || (r.milestone && r.end != r.start) {
                out.push(PlanProblem {
                    entry: None,
                    message: format!(
                        "{at}: 「{}」の期間が {} から {} になっています",
                        r.label,
                        r.start.short(),
                        r.end.short()
                    ),
                });
            }
        }
        let mut kpi_nos = BTreeSet::new();
        for k in &self.kpis {
            if !kpi_nos.insert(k.no) {
                out.push(PlanProblem {
                    entry: None,
                    message: format!("KPI番号 {} が二度定義されています", k.no),
                });
            }
        }
        out
    }

    /// [`Plan::fields`] with KPI values in their canonical form (`64,169` →
    /// `64169`): two plans hold the same values when these are equal, however
    /// the numbers were written.
    pub fn canonical_fields(&self) -> BTreeMap<String, String> {
        let mut f = self.fields();
        for (path, v) in f.iter_mut() {
            if crate::fields::is_value_path(path) {
                if let Some(k) = KpiValue::new(v.clone()) {
                    *v = k.canonical();
                }
            }
        }
        f
    }

    /// The plan flattened to `path → value` (each text exactly as stored), in a
    /// stable order. Revisions record field changes.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        self.head_fields(&mut f);
        for k in &self.kpis {
            kpi_fields(k, &mut f);
        }
        for (key, (order, e)) in self.entry_keys().into_iter().zip(self.entries.iter().enumerate()) {
            entry_fields(&key, order, e, &mut f);
        }
        f
    }

    /// The plan's own fields, its areas and items, and the 工程表.
    fn head_fields(&self, f: &mut BTreeMap<String, String>) {
        put(
            f,
            "plan.organization".into(),
            Some(self.organization.clone()).filter(|s| !s.is_empty()),
        );
        put(f, "plan.title".into(), Some(self.title.clone()));
        put(f, "plan.report_title".into(), Some(self.report_title()));
        put(f, "plan.period".into(), self.period.map(|(a, b)| format!("{}-{}", a.0, b.0)));
        put(
            f,
            "plan.fiscal_years".into(),
            Some(self.fiscal_years.iter().map(|y| y.0.to_string()).collect::<Vec<_>>().join(",")),
        );
        put(f, "plan.report_year".into(), Some(self.report_year.0.to_string()));
        put(f, "plan.as_of".into(), self.as_of.map(AsOf::iso));
        put(f, "plan.rule".into(), serde_json::to_string(&self.rule).ok());
        for (i, a) in self.areas.iter().enumerate() {
            let k = format!("area[{}]", a.code);
            put(f, format!("{k}.order"), Some(i.to_string()));
            put(f, format!("{k}.name"), a.name.clone());
            for (j, it) in a.items.iter().enumerate() {
                let k = format!("{k}.item[{}]", it.code);
                put(f, format!("{k}.order"), Some(j.to_string()));
                put(f, format!("{k}.name"), it.name.clone());
                put(f, format!("{k}.situation"), it.situation.clone());
                put(f, format!("{k}.progress"), it.progress.clone());
            }
        }
        for (i, r) in self.schedule.iter().enumerate() {
            put(f, format!("schedule[{i}]"), serde_json::to_string(r).ok());
        }
    }

    /// A stable key per entry: `project[8]`, `relisting[4@I-3(9)]` (with `#2` when
    /// the same project is re-listed twice under one item).
    /// The fields of the KPI or project a path names, made from it alone (`entry_at`:
    /// project number → position in `entries`), not from the whole plan; the whole
    /// plan's fields for any other path.
    pub(crate) fn fields_of(&self, path: &str, entry_at: &HashMap<String, usize>) -> BTreeMap<String, String> {
        let inner = |prefix: &str| path.strip_prefix(prefix).and_then(|p| p.split(']').next());
        let mut f = BTreeMap::new();
        if let Some(no) = inner("kpi[").and_then(|n| n.parse::<u32>().ok()) {
            if let Some(k) = self.kpi(no) {
                kpi_fields(k, &mut f);
            }
        } else if let Some(no) = inner("project[") {
            if let Some((i, e)) = entry_at.get(no).and_then(|&i| Some((i, self.entries.get(i)?))) {
                entry_fields(&format!("project[{no}]"), i, e, &mut f);
            }
        } else {
            return self.fields();
        }
        f
    }

    /// Project number → position in `entries`, for [`Plan::fields_of`].
    pub(crate) fn project_positions(&self) -> HashMap<String, usize> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::Project(p) => Some((p.no.clone(), i)),
                Entry::Relisting(_) => None,
            })
            .collect()
    }

    pub fn entry_keys(&self) -> Vec<String> {
        let mut used: HashMap<String, usize> = HashMap::new();
        self.entries
            .iter()
            .map(|e| {
                let base = match e {
                    Entry::Project(p) => format!("project[{}]", p.no),
                    Entry::Relisting(r) => format!("relisting[{}@{}{}]", r.of, r.area, r.item.as_deref().unwrap_or("")),
                };
                let n = used.entry(base.clone()).or_insert(0);
                *n += 1;
                if *n == 1 {
                    base
                } else {
                    format!("{}#{}]", base.trim_end_matches(']'), n)
                }
            })
            .collect()
    }
}

/// Sets `k` to `v` when there is a value.
fn put(f: &mut BTreeMap<String, String>, k: String, v: Option<String>) {
    if let Some(v) = v {
        f.insert(k, v);
    }
}

/// A KPI's fields.
fn kpi_fields(k: &Kpi, f: &mut BTreeMap<String, String>) {
    let p = format!("kpi[{}]", k.no);
    put(f, format!("{p}.label"), k.label.clone());
    put(f, format!("{p}.group"), k.group.clone());
    put(f, format!("{p}.name"), Some(k.name.clone()));
    put(f, format!("{p}.unit"), k.unit.clone());
    put(f, format!("{p}.direction"), Some(k.direction.key().to_string()));
    put(f, format!("{p}.tolerance"), k.tolerance.as_ref().map(|v| v.text().to_string()));
    put(f, format!("{p}.revisions"), list_json(&k.revisions));
    put(f, format!("{p}.cumulative"), Some(k.cumulative.to_string()));
    // Values as typed (`64,169` stays `64,169`); compared by their canonical form where it matters.
    put(f, format!("{p}.baseline"), k.baseline.as_ref().map(|v| v.text().to_string()));
    put(f, format!("{p}.baseline_year"), k.baseline_year.map(|y| y.0.to_string()));
    for (y, v) in &k.targets {
        put(f, format!("{p}.target[{}]", y.0), Some(v.text().to_string()));
    }
    for (y, a) in &k.actuals {
        put(f, format!("{p}.actual[{}]", y.0), Some(a.value.text().to_string()));
        put(f, format!("{p}.actual[{}].as_of", y.0), a.as_of.map(AsOf::iso));
    }
    put(f, format!("{p}.divisions"), Some(k.divisions.join("\n")).filter(|s| !s.is_empty()));
    put(f, format!("{p}.footnotes"), Some(k.footnotes.join("\n")).filter(|s| !s.is_empty()));
}

/// An entry's fields, under its key and at its position.
fn entry_fields(key: &str, order: usize, e: &Entry, f: &mut BTreeMap<String, String>) {
    put(f, format!("{key}.order"), Some(order.to_string()));
    put(f, format!("{key}.area"), Some(e.area().to_string()));
    put(f, format!("{key}.item"), e.item().map(str::to_string));
    put(f, format!("{key}.kpis"), Some(kpi_refs_text(e.kpis())).filter(|s| !s.is_empty()));
    match e {
        Entry::Project(p) => {
            put(f, format!("{key}.name"), p.name.clone());
            put(f, format!("{key}.summary"), p.summary.clone());
            put(f, format!("{key}.goal"), p.goal.clone());
            put(f, format!("{key}.owners"), Some(owners_text(&p.owners)).filter(|s| !s.is_empty()));
            put(f, format!("{key}.start"), p.start.map(|y| y.0.to_string()));
            put(f, format!("{key}.end"), p.end.map(|y| y.0.to_string()));
            put(f, format!("{key}.origin"), Some(p.origin.join("\n")).filter(|s| !s.is_empty()));
            for (y, d) in &p.years {
                let k = format!("{key}.year[{}]", y.0);
                put(f, format!("{k}.evaluation"), d.evaluation.as_ref().map(|e| e.mark().to_string()));
                put(f, format!("{k}.narrative"), d.narrative.clone());
                put(f, format!("{k}.budget"), d.budget.map(|b| b.to_string()));
                put(f, format!("{k}.issues"), d.issues.clone());
                put(f, format!("{k}.reason"), d.reason.clone());
                put(f, format!("{k}.confirmed"), Some("true".to_string()).filter(|_| d.confirmed));
                put(f, format!("{k}.activities"), list_json(&d.activities));
                put(f, format!("{k}.actions"), list_json(&d.actions));
                put(f, format!("{k}.budget_lines"), list_json(&d.budget_lines));
            }
        }
        Entry::Relisting(r) => {
            put(f, format!("{key}.of"), Some(r.of.clone()));
            put(f, format!("{key}.summary"), r.summary.clone());
            put(f, format!("{key}.goal"), r.goal.clone());
            for (y, d) in &r.years {
                let k = format!("{key}.year[{}]", y.0);
                put(f, format!("{k}.evaluation"), d.evaluation.as_ref().map(|e| e.mark().to_string()));
                put(f, format!("{k}.narrative"), d.narrative.clone());
            }
        }
    }
}

/// `令和5年度関連事業 取組一覧`
pub fn default_report_title(year: FiscalYear) -> String {
    format!("{}関連事業 取組一覧", year.long())
}

/// A card list as one field: JSON, or nothing when empty.
fn list_json<T: Serialize>(list: &[T]) -> Option<String> {
    if list.is_empty() {
        None
    } else {
        serde_json::to_string(list).ok()
    }
}

fn owners_text(owners: &[Owner]) -> String {
    owners
        .iter()
        .map(|o| format!("{}/{}", o.department.as_deref().unwrap_or(""), o.division.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(";")
}

/// A KPI list as `project[…].kpis` stores it: `3,4(再掲),5`.
pub(crate) fn kpi_refs_text(refs: &[KpiRef]) -> String {
    refs.iter()
        .map(|k| {
            if k.relisted {
                format!("{}(再掲)", k.no)
            } else {
                k.no.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The differences between two plans' fields: `(path, before, after)`.
pub fn diff_fields(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<(String, Option<String>, Option<String>)> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (before.get(k), after.get(k));
            (a != b).then(|| (k.clone(), a.cloned(), b.cloned()))
        })
        .collect()
}

/// [`diff_fields`] of two plans' fields, without flattening what is the same in both:
/// when the plans hold the same entries and KPIs in the same order, only the entries
/// that differ are compared field by field, each KPI is compared on its own (its
/// values' texts matter, not only their numbers), and the plan's own fields, areas and
/// 工程表 together. Otherwise both plans are flattened whole. The result is the same.
pub fn diff_plans(a: &Plan, b: &Plan) -> Vec<(String, Option<String>, Option<String>)> {
    let keys = a.entry_keys();
    let same_shape = a.kpis.len() == b.kpis.len() && a.kpis.iter().zip(&b.kpis).all(|(x, y)| x.no == y.no) && keys == b.entry_keys();
    if !same_shape {
        return diff_fields(&a.fields(), &b.fields());
    }
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    a.head_fields(&mut fa);
    b.head_fields(&mut fb);
    let mut out = diff_fields(&fa, &fb);
    for (x, y) in a.kpis.iter().zip(&b.kpis) {
        fa.clear();
        fb.clear();
        kpi_fields(x, &mut fa);
        kpi_fields(y, &mut fb);
        out.extend(diff_fields(&fa, &fb));
    }
    for (i, (key, (x, y))) in keys.iter().zip(a.entries.iter().zip(&b.entries)).enumerate() {
        // Entries hold no KPI values: equal entries have equal fields.
        if x != y {
            fa.clear();
            fb.clear();
            entry_fields(key, i, x, &mut fa);
            entry_fields(key, i, y, &mut fb);
            out.extend(diff_fields(&fa, &fb));
        }
    }
    out.sort_by(|p, q| p.0.cmp(&q.0));
    out
}

/// What a summary-sheet row says about an entry, as read from a document.
#[derive(Debug, Clone, Default)]
pub struct ListingTexts {
    pub summary: Option<String>,
    pub goal: Option<String>,
    pub evaluation: Option<Evaluation>,
    pub narrative: Option<String>,
}

impl Relisting {
    /// A re-listing row read from a document, storing only what differs from its
    /// original's row (one source of truth).
    pub fn from_row(
        of: String,
        area: String,
        item: Option<String>,
        kpis: Vec<KpiRef>,
        year: FiscalYear,
        row: &ListingTexts,
        original: &ListingTexts,
    ) -> Self {
        let y = RelistingYear {
            evaluation: if row.evaluation != original.evaluation {
                row.evaluation.clone()
            } else {
                None
            },
            narrative: override_text(&row.narrative, &original.narrative),
        };
        Relisting {
            of,
            area,
            item,
            summary: override_text(&row.summary, &original.summary),
            goal: override_text(&row.goal, &original.goal),
            kpis,
            years: [(year, y)].into_iter().filter(|(_, y)| y != &RelistingYear::default()).collect(),
        }
    }
}

/// A re-listing's own text where it differs from the original's: `None` when
/// the same, `Some("")` when the re-listing leaves it blank.
pub fn override_text(mine: &Option<String>, original: &Option<String>) -> Option<String> {
    if mine == original {
        None
    } else {
        Some(mine.clone().unwrap_or_default())
    }
}
