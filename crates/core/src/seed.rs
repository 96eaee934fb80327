//! The demo plans shipped in `seeds/`: the Fukushima R5 summary (福島県 取組一覧)
//! and the Tokushima project card (徳島県 スマート自治体推進プロジェクト), kept as the
//! transcriptions they are and turned into [`Plan`]s here.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::eval::{Direction, Evaluation};
use crate::fy::{AsOf, FiscalYear};
use crate::model::{
    Activity, Actor, Actual, Area, BudgetLine, Entry, IssueActions, Item, Kpi, KpiRef, ListingTexts, Owner, Plan, Progress, Project,
    ProjectYear, Relisting, ScheduleRow,
};
use crate::value::KpiValue;

pub const FUKUSHIMA_JSON: &str = include_str!("../../../seeds/fukushima-r5.json");
pub const TOKUSHIMA_JSON: &str = include_str!("../../../seeds/tokushima-kpis.json");
pub const OKAYAMA_JSON: &str = include_str!("../../../seeds/okayama-schedule.json");
pub const FUKUOKA_JSON: &str = include_str!("../../../seeds/fukuoka-progress.json");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("デモ計画のデータ {name} を読めません: {source}")]
    Json { name: &'static str, source: serde_json::Error },
    #[error("デモ計画のデータ {name} が正しくありません: {message}")]
    Invalid { name: &'static str, message: String },
}

/// The demo plans: Fukushima (取組一覧), Tokushima (project card), Okayama (工程表),
/// Fukuoka (progress report), in that order.
pub fn demo_plans() -> Result<Vec<Plan>, SeedError> {
    Ok(vec![fukushima_plan()?, tokushima_plan()?, okayama_plan()?, fukuoka_plan()?])
}

// --- Fukushima: the 取組一覧 transcription -------------------------------------

#[derive(Deserialize)]
struct FkFile {
    plan: FkPlan,
    areas: Vec<FkArea>,
    kpis: Vec<FkKpi>,
    projects: Vec<FkProject>,
}

#[derive(Deserialize)]
struct FkPlan {
    organization: String,
    title: String,
    report_title: String,
    report_fy: i32,
    as_of: String,
    fiscal_years: Vec<i32>,
}

#[derive(Deserialize)]
struct FkArea {
    code: String,
    name: Option<String>,
    items: Vec<FkItem>,
}

#[derive(Deserialize)]
struct FkItem {
    code: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct FkKpi {
    no: u32,
    name: String,
    unit: Option<String>,
    cumulative: bool,
    direction: Direction,
    baseline: Option<String>,
    targets: BTreeMap<i32, String>,
    actual_2023: Option<String>,
}

#[derive(Deserialize)]
struct FkProject {
    no: String,
    relisted_from: Option<String>,
    area: String,
    item: Option<String>,
    owners: Vec<FkOwner>,
    name: Option<String>,
    summary: Option<String>,
    goal: Option<String>,
    kpi_no: Option<u32>,
    kpi_relisted: bool,
    evaluation: Option<String>,
    progress: Option<String>,
}

#[derive(Deserialize)]
struct FkOwner {
    dept: Option<String>,
    division: Option<String>,
}

fn value(s: Option<&str>) -> Option<KpiValue> {
    s.and_then(KpiValue::new)
}

/// The Fukushima R5 plan: 52 projects, 13 re-listings, 19 KPIs.
pub fn fukushima_plan() -> Result<Plan, SeedError> {
    const NAME: &str = "seeds/fukushima-r5.json";
    let f: FkFile = serde_json::from_str(FUKUSHIMA_JSON).map_err(|source| SeedError::Json { name: NAME, source })?;
    let invalid = |message: String| SeedError::Invalid { name: NAME, message };
    let report_year = FiscalYear(f.plan.report_fy);
    let as_of = AsOf::parse(&f.plan.as_of).map_err(|e| invalid(e.to_string()))?;
    let kpis = f
        .kpis
        .iter()
        .map(|k| Kpi {
            tolerance: None,
            revisions: Vec::new(),
            no: k.no,
            label: None,
            group: None,
            name: k.name.clone(),
            unit: k.unit.clone(),
            direction: k.direction,
            cumulative: k.cumulative,
            baseline: value(k.baseline.as_deref()),
            baseline_year: None,
            targets: k
                .targets
                .iter()
                .filter_map(|(y, v)| Some((FiscalYear(*y), KpiValue::new(v.as_str())?)))
                .collect(),
            actuals: value(k.actual_2023.as_deref())
                .map(|v| {
                    (
                        report_year,
                        Actual {
                            value: v,
                            as_of: Some(as_of),
                        },
                    )
                })
                .into_iter()
                .collect(),
            divisions: Vec::new(),
            footnotes: Vec::new(),
        })
        .collect();
    let mut entries: Vec<Entry> = Vec::new();
    for p in &f.projects {
        let evaluation = match p.evaluation.as_deref() {
            Some(e) => Some(Evaluation::parse(e).map_err(|e| invalid(e.to_string()))?),
            None => None,
        };
        let kpis: Vec<KpiRef> = p
            .kpi_no
            .map(|no| KpiRef {
                no,
                relisted: p.kpi_relisted,
            })
            .into_iter()
            .collect();
        match &p.relisted_from {
            None => {
                let year = ProjectYear {
                    evaluation,
                    narrative: p.progress.clone(),
                    budget: None,
                    issues: None,
                    ..Default::default()
                };
                entries.push(Entry::Project(Project {
                    start: None,
                    end: None,
                    origin: Vec::new(),
                    no: p.no.clone(),
                    area: p.area.clone(),
                    item: p.item.clone(),
                    owners: p
                        .owners
                        .iter()
                        .map(|o| Owner {
                            department: o.dept.clone(),
                            division: o.division.clone(),
                        })
                        .collect(),
                    name: p.name.clone(),
                    summary: p.summary.clone(),
                    goal: p.goal.clone(),
                    kpis,
                    years: [(report_year, year)].into_iter().filter(|(_, y)| !y.is_empty()).collect(),
                }));
            }
            Some(of) => {
                let original = entries
                    .iter()
                    .find_map(|e| match e {
                        Entry::Project(o) if &o.no == of => Some(o),
                        _ => None,
                    })
                    .ok_or_else(|| invalid(format!("No.{of} の再掲が元の No.{of} より前にあります")))?;
                let orig_year = original.years.get(&report_year).cloned().unwrap_or_default();
                let row = ListingTexts {
                    summary: p.summary.clone(),
                    goal: p.goal.clone(),
                    evaluation,
                    narrative: p.progress.clone(),
                };
                let orig = ListingTexts {
                    summary: original.summary.clone(),
                    goal: original.goal.clone(),
                    evaluation: orig_year.evaluation,
                    narrative: orig_year.narrative,
                };
                entries.push(Entry::Relisting(Relisting::from_row(
                    of.clone(),
                    p.area.clone(),
                    p.item.clone(),
                    kpis,
                    report_year,
                    &row,
                    &orig,
                )));
            }
        }
    }
    let report_title = (f.plan.report_title != crate::model::default_report_title(report_year)).then(|| f.plan.report_title.clone());
    Ok(Plan {
        organization: f.plan.organization,
        title: f.plan.title,
        report_title,
        period: None,
        fiscal_years: f.plan.fiscal_years.into_iter().map(FiscalYear).collect(),
        report_year,
        as_of: Some(as_of),
        rule: Default::default(),
        areas: f
            .areas
            .into_iter()
            .map(|a| Area {
                code: a.code,
                name: a.name,
                items: a
                    .items
                    .into_iter()
                    .map(|i| Item {
                        code: i.code,
                        name: i.name,
                        ..Default::default()
                    })
                    .collect(),
            })
            .collect(),
        kpis,
        entries,
        schedule: Vec::new(),
    })
}

// --- Tokushima: the project card transcription --------------------------------

#[derive(Deserialize)]
struct TkFile {
    organization: String,
    project_no: u32,
    project: String,
    positioning: BTreeMap<String, String>,
    contents: Vec<String>,
    actuals_note: String,
    fiscal_years: BTreeMap<i32, String>,
    indicators: Vec<TkIndicator>,
    issues_and_actions: Vec<TkIssue>,
    activities_2023: Vec<TkActivity>,
    plans_2024: Vec<TkActivity>,
    budget: BTreeMap<i32, TkBudget>,
}

#[derive(Deserialize)]
struct TkIndicator {
    kind: String,
    csf: Option<String>,
    code: String,
    name: String,
    division: Vec<String>,
    years: BTreeMap<i32, TkYear>,
    footnotes: Vec<String>,
}

#[derive(Deserialize)]
struct TkYear {
    target: Option<String>,
    actual: Option<String>,
}

#[derive(Deserialize)]
struct TkIssue {
    issue: String,
    actions: Vec<String>,
}

#[derive(Deserialize)]
struct TkActivity {
    title: String,
    text: String,
    footnote: Option<String>,
}

#[derive(Deserialize)]
struct TkBudget {
    total_thousand_yen: i64,
    items: Vec<TkBudgetLine>,
}

#[derive(Deserialize)]
struct TkBudgetLine {
    item: String,
    amount_thousand_yen: i64,
}

/// The title under which the Tokushima card is kept.
pub const TOKUSHIMA_TITLE: &str = "プロジェクト別 主な指標及び工程";

/// The Tokushima project card as a one-project plan: a KGI and 12 KPIs under
/// three CSFs, R2–R6, with qualitative targets.
pub fn tokushima_plan() -> Result<Plan, SeedError> {
    const NAME: &str = "seeds/tokushima-kpis.json";
    let f: TkFile = serde_json::from_str(TOKUSHIMA_JSON).map_err(|source| SeedError::Json { name: NAME, source })?;
    let invalid = |message: String| SeedError::Invalid { name: NAME, message };
    let note = f.actuals_note.replace('※', "");
    let note = note.split("時点").next().unwrap_or("");
    let as_of = AsOf::parse(note.trim_start_matches("実績値は")).map_err(|e| invalid(e.to_string()))?;
    let report_year = as_of.fiscal_year();
    let mut kpis = Vec::new();
    let mut divisions: Vec<String> = Vec::new();
    for (i, ind) in f.indicators.iter().enumerate() {
        let targets: BTreeMap<FiscalYear, KpiValue> = ind
            .years
            .iter()
            .filter_map(|(y, v)| Some((FiscalYear(*y), value(v.target.as_deref())?)))
            .collect();
        let actuals: BTreeMap<FiscalYear, Actual> = ind
            .years
            .iter()
            .filter_map(|(y, v)| {
                let fy = FiscalYear(*y);
                Some((
                    fy,
                    Actual {
                        value: value(v.actual.as_deref())?,
                        as_of: (fy == report_year).then_some(as_of),
                    },
                ))
            })
            .collect();
        let unit = targets
            .values()
            .chain(actuals.values().map(|a| &a.value))
            .find_map(|v| match v.parse() {
                crate::value::Parsed::Number(q) | crate::value::Parsed::Qualified(q, _) => {
                    if q.percent {
                        Some("%".to_string())
                    } else {
                        q.unit
                    }
                }
                _ => None,
            });
        for d in &ind.division {
            if !divisions.contains(d) {
                divisions.push(d.clone());
            }
        }
        kpis.push(Kpi {
            tolerance: None,
            revisions: Vec::new(),
            no: u32::try_from(i + 1).map_err(|e| invalid(e.to_string()))?,
            label: Some(ind.code.clone()),
            group: ind.csf.clone().filter(|_| ind.kind != "KGI"),
            name: ind.name.clone(),
            unit,
            direction: Direction::Up,
            cumulative: ind.name.contains("累計"),
            baseline: None,
            baseline_year: None,
            targets,
            actuals,
            divisions: ind.division.clone(),
            footnotes: ind.footnotes.clone(),
        });
    }
    let activities = |list: &[TkActivity]| -> Vec<Activity> {
        list.iter()
            .map(|a| Activity {
                title: a.title.clone(),
                text: a.text.clone(),
                footnote: a.footnote.clone(),
            })
            .collect()
    };
    // The 取組状況 of the summary sheet and the app: the card's 主な取組 as text.
    let narrative = f
        .activities_2023
        .iter()
        .map(|a| format!("・{}:{}", a.title, a.text))
        .collect::<Vec<_>>()
        .join("\n");
    let mut years = BTreeMap::new();
    for (y, b) in &f.budget {
        years.insert(
            FiscalYear(*y),
            ProjectYear {
                budget: Some(b.total_thousand_yen),
                budget_lines: b
                    .items
                    .iter()
                    .map(|l| BudgetLine {
                        item: l.item.clone(),
                        amount: l.amount_thousand_yen,
                    })
                    .collect(),
                ..Default::default()
            },
        );
    }
    let ry = years.entry(report_year).or_default();
    ry.narrative = Some(narrative);
    ry.activities = activities(&f.activities_2023);
    ry.actions = f
        .issues_and_actions
        .iter()
        .map(|i| IssueActions {
            issue: i.issue.clone(),
            actions: i.actions.clone(),
        })
        .collect();
    years.entry(FiscalYear(report_year.0 + 1)).or_default().activities = activities(&f.plans_2024);
    let area_name = f.positioning.get("基本目標(分野)").cloned();
    let item_name = f.positioning.get("重点戦略").cloned();
    let kgi = f.indicators.iter().find(|i| i.kind == "KGI").map(|k| format!("【KGI】{}", k.name));
    let fiscal_years: Vec<FiscalYear> = f.fiscal_years.keys().map(|y| FiscalYear(*y)).collect();
    Ok(Plan {
        organization: f.organization,
        title: TOKUSHIMA_TITLE.to_string(),
        report_title: None,
        period: Some((fiscal_years[0], fiscal_years[fiscal_years.len() - 1])),
        fiscal_years,
        report_year,
        as_of: Some(as_of),
        rule: Default::default(),
        areas: vec![Area {
            code: "基本目標".into(),
            name: area_name,
            items: vec![Item {
                code: "重点戦略".into(),
                name: item_name,
                ..Default::default()
            }],
        }],
        entries: vec![Entry::Project(Project {
            start: None,
            end: None,
            origin: Vec::new(),
            no: f.project_no.to_string(),
            area: "基本目標".into(),
            item: Some("重点戦略".into()),
            owners: divisions
                .into_iter()
                .map(|d| Owner {
                    department: None,
                    division: Some(d),
                })
                .collect(),
            name: Some(f.project),
            summary: Some(f.contents.join("\n")),
            goal: kgi,
            kpis: kpis.iter().map(|k| KpiRef { no: k.no, relisted: false }).collect(),
            years,
        })],
        kpis,
        schedule: Vec::new(),
    })
}

// --- Okayama: the 工程表 of the DX推進指針 ------------------------------------------

#[derive(Deserialize)]
struct OkFile {
    organization: String,
    title: String,
    fiscal_years: Vec<i32>,
    report_year: i32,
    areas: Vec<OkArea>,
}

#[derive(Deserialize)]
struct OkArea {
    code: String,
    name: String,
    items: Vec<OkItem>,
}

#[derive(Deserialize)]
struct OkItem {
    code: String,
    name: String,
    rows: Vec<OkRow>,
}

/// `[項目, label, 県|国, first year, last year, milestone, note, progress]`
#[derive(Deserialize)]
struct OkRow(String, String, String, i32, i32, bool, Option<String>, Option<String>);

/// The Okayama guideline as a plan of themes and their 工程表 (no projects or KPIs).
pub fn okayama_plan() -> Result<Plan, SeedError> {
    const NAME: &str = "seeds/okayama-schedule.json";
    let f: OkFile = serde_json::from_str(OKAYAMA_JSON).map_err(|source| SeedError::Json { name: NAME, source })?;
    let invalid = |message: String| SeedError::Invalid { name: NAME, message };
    let mut schedule = Vec::new();
    for a in &f.areas {
        for it in &a.items {
            for OkRow(group, label, actor, start, end, milestone, note, progress) in &it.rows {
                schedule.push(ScheduleRow {
                    area: a.code.clone(),
                    item: Some(it.code.clone()),
                    group: Some(group.clone()),
                    label: label.clone(),
                    actor: Actor::parse(actor).ok_or_else(|| invalid(format!("{label}: 主体「{actor}」は 県 でも 国 でもありません")))?,
                    start: FiscalYear(*start),
                    end: FiscalYear(*end),
                    milestone: *milestone,
                    note: note.clone(),
                    progress: match progress.as_deref() {
                        None => None,
                        Some(p) => Some(Progress::parse(p).ok_or_else(|| invalid(format!("{label}: 進捗「{p}」を読めません")))?),
                    },
                });
            }
        }
    }
    let areas = f
        .areas
        .iter()
        .map(|a| Area {
            code: a.code.clone(),
            name: Some(a.name.clone()),
            items: a
                .items
                .iter()
                .map(|i| Item {
                    code: i.code.clone(),
                    name: Some(i.name.clone()),
                    ..Default::default()
                })
                .collect(),
        })
        .collect();
    let mut plan = document_plan(f.organization, f.title, &f.fiscal_years, f.report_year, areas);
    plan.schedule = schedule;
    check(plan, NAME)
}

// --- Fukuoka: the progress report (資料５) ------------------------------------------

#[derive(Deserialize)]
struct FoFile {
    organization: String,
    title: String,
    report_title: String,
    fiscal_years: Vec<i32>,
    report_year: i32,
    kpis: Vec<FoKpi>,
    areas: Vec<FoArea>,
}

#[derive(Deserialize)]
struct FoKpi {
    no: u32,
    name: String,
    unit: Option<String>,
    baseline: Option<String>,
    baseline_year: Option<i32>,
    actuals: Vec<FoActual>,
}

#[derive(Deserialize)]
struct FoActual {
    fy: i32,
    value: String,
    as_of: Option<String>,
}

#[derive(Deserialize)]
struct FoArea {
    code: String,
    name: String,
    items: Vec<FoItem>,
}

#[derive(Deserialize)]
struct FoItem {
    code: String,
    name: String,
    situation: String,
    progress: Vec<String>,
}

/// The Fukuoka progress of the current strategy: per item its 現状、課題 and
/// 取組状況, one figure quoted from a KPI.
pub fn fukuoka_plan() -> Result<Plan, SeedError> {
    const NAME: &str = "seeds/fukuoka-progress.json";
    let f: FoFile = serde_json::from_str(FUKUOKA_JSON).map_err(|source| SeedError::Json { name: NAME, source })?;
    let invalid = |message: String| SeedError::Invalid { name: NAME, message };
    let mut kpis = Vec::new();
    for k in &f.kpis {
        let mut actuals = BTreeMap::new();
        for a in &k.actuals {
            let as_of = a
                .as_of
                .as_deref()
                .map(AsOf::parse)
                .transpose()
                .map_err(|e| invalid(e.to_string()))?;
            let value = KpiValue::new(&a.value).ok_or_else(|| invalid(format!("KPI {}: 実績値が空です", k.no)))?;
            actuals.insert(FiscalYear(a.fy), Actual { value, as_of });
        }
        kpis.push(Kpi {
            tolerance: None,
            revisions: Vec::new(),
            no: k.no,
            label: None,
            group: None,
            name: k.name.clone(),
            unit: k.unit.clone(),
            direction: Direction::Up,
            cumulative: false,
            baseline: k.baseline.as_deref().and_then(KpiValue::new),
            baseline_year: k.baseline_year.map(FiscalYear),
            targets: BTreeMap::new(),
            actuals,
            divisions: Vec::new(),
            footnotes: Vec::new(),
        });
    }
    let areas = f
        .areas
        .into_iter()
        .map(|a| Area {
            code: a.code,
            name: Some(a.name),
            items: a
                .items
                .into_iter()
                .map(|i| Item {
                    code: i.code,
                    name: Some(i.name),
                    situation: Some(i.situation),
                    progress: Some(i.progress.join("\n")),
                })
                .collect(),
        })
        .collect();
    let mut plan = document_plan(f.organization, f.title, &f.fiscal_years, f.report_year, areas);
    plan.report_title = Some(f.report_title);
    plan.kpis = kpis;
    check(plan, NAME)
}

/// A plan of areas and items over fiscal years, as a guideline or strategy document gives it.
fn document_plan(organization: String, title: String, years: &[i32], report_year: i32, areas: Vec<Area>) -> Plan {
    let fiscal_years: Vec<FiscalYear> = years.iter().map(|y| FiscalYear(*y)).collect();
    Plan {
        organization,
        title,
        report_title: None,
        period: fiscal_years.first().copied().zip(fiscal_years.last().copied()),
        fiscal_years,
        report_year: FiscalYear(report_year),
        as_of: None,
        rule: Default::default(),
        areas,
        kpis: Vec::new(),
        entries: Vec::new(),
        schedule: Vec::new(),
    }
}

/// A demo plan that fails the plan's own checks is a build mistake: said, not shipped.
fn check(plan: Plan, name: &'static str) -> Result<Plan, SeedError> {
    match plan.validate().first() {
        Some(p) => Err(SeedError::Invalid {
            name,
            message: p.message.clone(),
        }),
        None => Ok(plan),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fukushima_counts() {
        let p = fukushima_plan().unwrap();
        assert_eq!(p.projects().count(), 52);
        assert_eq!(p.relistings().count(), 13);
        assert_eq!(p.kpis.len(), 19);
        assert!(p.validate().is_empty(), "{:?}", p.validate());
    }

    #[test]
    fn tokushima_card() {
        let p = tokushima_plan().unwrap();
        assert_eq!(p.kpis.len(), 13);
        assert_eq!(p.kpis[0].label.as_deref(), Some("KGI"));
        assert_eq!(p.report_year, FiscalYear(2023));
        assert!(p.validate().is_empty(), "{:?}", p.validate());
        assert_eq!(p.kpis[5].targets[&FiscalYear(2021)].text(), "運用");
    }
}
