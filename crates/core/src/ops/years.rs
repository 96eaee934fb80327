//! The plan across years: the rating rule a plan uses (`rule use`), target
//! revisions (`target set`), rolling to the next fiscal year (`year start`) and a
//! project's status (新規 / 終了 / 統合・分割). Each is one revision, undoable from
//! the history like any edit.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{Error, Result};
use crate::eval::EvaluationRule;
use crate::fy::FiscalYear;
use crate::model::{Entry, Plan, TargetRevision};
use crate::store::{RevisionInfo, Store};
use crate::value::KpiValue;

/// A rating rule as 設定 offers it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "bindings.ts")]
pub struct RuleView {
    /// `maru`, `ratio-abcd`, `progress-abcd`, `kitaichi`, or a custom rule's name.
    pub name: String,
    pub description: String,
    /// The marks of its scale, best first, `-` last.
    pub marks: Vec<String>,
    /// The plan rates with this rule.
    pub current: bool,
    /// Read from a rule file (not one of the built-in rules).
    pub custom: bool,
}

fn rule_view(r: &EvaluationRule, current: bool) -> RuleView {
    RuleView {
        name: r.name(),
        description: r.description(),
        marks: r.scale().marks.iter().map(|m| m.mark.clone()).collect(),
        current,
        custom: r.custom.is_some(),
    }
}

/// The built-in rules, and the plan's own when it is a custom one; the plan's marked.
pub fn rules(db: &Path, plan: Option<&str>) -> Result<Vec<RuleView>> {
    let p = super::load(db, plan)?;
    let mut out: Vec<RuleView> = EvaluationRule::BUILTIN
        .iter()
        .filter_map(|n| EvaluationRule::builtin(n))
        .map(|r| {
            let current = r.kind == p.rule.kind;
            rule_view(&r, current)
        })
        .collect();
    if p.rule.custom.is_some() {
        out.push(rule_view(&p.rule, true));
    }
    Ok(out)
}

/// Which rule to use: a built-in by name, or a rule file.
#[derive(Debug, Clone)]
pub enum RuleChoice<'a> {
    Builtin(&'a str),
    File(&'a Path),
}

/// The rule a choice names, checked (a rule file is read and every problem named by line).
pub fn rule_of(choice: &RuleChoice<'_>) -> Result<EvaluationRule> {
    match choice {
        RuleChoice::Builtin(name) => EvaluationRule::builtin(name).ok_or_else(|| {
            Error::BadInput(format!(
                "評価ルール「{name}」はありません。{} のいずれか、または --file でルールのファイルを指定してください",
                EvaluationRule::BUILTIN.map(|n| format!("`{n}`")).join("、")
            ))
        }),
        RuleChoice::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            EvaluationRule::from_toml(&text).map_err(|e| Error::BadInput(format!("{}: {e}", path.display())))
        }
    }
}

/// Makes the plan rate with another rule (one `rule` revision). The marks already
/// entered stay as they were written; the forms, templates and counts use the new scale.
pub fn rule_use(db: &Path, plan: Option<&str>, choice: &RuleChoice<'_>) -> Result<RuleView> {
    let rule = rule_of(choice)?;
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let stored = store.load_plan(plan_id)?;
    let mut next = stored.clone();
    next.rule = EvaluationRule {
        // A maru threshold for × carries over when staying on maru.
        not_achieved_below: if rule.kind == stored.rule.kind {
            stored.rule.not_achieved_below
        } else {
            rule.not_achieved_below
        },
        ..rule
    };
    if next.rule != stored.rule {
        let info = RevisionInfo {
            kind: "rule".into(),
            summary: format!("評価ルールを「{}」にしました", next.rule.name()),
            ..Default::default()
        };
        store.save_version_over(Some((plan_id, &stored)), &next, &info, |_, _| Ok(()))?;
    }
    Ok(rule_view(&next.rule, true))
}

/// What `target set` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "bindings.ts")]
pub struct TargetSet {
    pub kpi: u32,
    /// The target's year, `令和7年度`.
    pub year: String,
    pub previous: Option<String>,
    pub value: String,
    /// The first report year rated against the new value.
    pub from: String,
    pub revision_id: i64,
}

/// Revises the target of `year` of KPI `kpi` to `value` for the years rated from
/// `from` (default: the report year) on. The original and every revision are kept.
pub fn target_set(
    db: &Path,
    plan: Option<&str>,
    kpi: u32,
    year: FiscalYear,
    value: &str,
    reason: Option<&str>,
    from: Option<FiscalYear>,
) -> Result<TargetSet> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let stored = store.load_plan(plan_id)?;
    let from = from.unwrap_or(stored.report_year);
    let value = KpiValue::new(value).ok_or_else(|| Error::BadInput("新しい目標値が空です".into()))?;
    if value.is_dash() {
        return Err(Error::BadInput(
            "目標値を「-」に改定することはできません。目標をなくすときは計画の編集で消してください".into(),
        ));
    }
    let mut next = stored.clone();
    let Some(k) = next.kpis.iter_mut().find(|k| k.no == kpi) else {
        return Err(Error::BadInput(format!("KPI番号 {kpi} の指標はこの計画にありません")));
    };
    let years = &stored.fiscal_years;
    if !years.is_empty() && !years.contains(&year) {
        return Err(Error::BadInput(format!(
            "{}はこの計画の目標年度({})ではありません",
            year.long(),
            years.iter().map(|y| y.long()).collect::<Vec<_>>().join("、")
        )));
    }
    let previous = k.targets.get(&year).cloned();
    let same = |p: &KpiValue| {
        p.canonical() == value.canonical()
            || crate::fields::same_value(&format!("kpi[{kpi}].target[{}]", year.0), Some(p.text()), Some(value.text()))
    };
    if previous.as_ref().is_some_and(same) {
        return Err(Error::BadInput(format!(
            "KPI {kpi} の{}の目標値はすでに {} です",
            year.long(),
            value.text()
        )));
    }
    let date = store.now()?.chars().take(10).collect::<String>();
    k.revisions.push(TargetRevision {
        year,
        previous: previous.clone(),
        value: value.clone(),
        from,
        date,
        reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
    });
    k.targets.insert(year, value.clone());
    let info = RevisionInfo {
        kind: "target".into(),
        summary: format!(
            "KPI {kpi} の{}の目標値を {} → {} に改定({}から)",
            year.long(),
            previous.as_ref().map_or("(なし)", KpiValue::text),
            value.text(),
            from.long()
        ),
        ..Default::default()
    };
    let out = store.save_version_over(Some((plan_id, &stored)), &next, &info, |_, _| Ok(()))?;
    Ok(TargetSet {
        kpi,
        year: year.long(),
        previous: previous.map(|p| p.text().to_string()),
        value: value.text().to_string(),
        from: from.long(),
        revision_id: out.revision_id,
    })
}

/// What `year start` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "bindings.ts")]
pub struct YearStarted {
    pub from: String,
    pub to: String,
    /// Projects asked for in the new year (終了 before it not counted).
    pub projects: u32,
    /// Projects whose last year was the one left (終了).
    pub ended: u32,
}

/// Makes `year` the report year. Nothing is copied into its values: the previous
/// year's 取組状況 and evaluation travel beside the fields as 前年度.
pub fn year_start(db: &Path, plan: Option<&str>, year: FiscalYear) -> Result<YearStarted> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let stored = store.load_plan(plan_id)?;
    let from = stored.report_year;
    if year == from {
        return Err(Error::BadInput(format!("報告年度はすでに{}です", year.long())));
    }
    if year < from {
        return Err(Error::BadInput(format!(
            "報告年度を{}から前の{}へは戻せません。戻すときは履歴から「年度開始」を取り消してください",
            from.long(),
            year.long()
        )));
    }
    if let Some((_, last)) = stored.period {
        if year > last {
            return Err(Error::BadInput(format!("{}は計画期間(〜{})の後です", year.long(), last.long())));
        }
    }
    if let Some(r) = store.open_round(plan_id, from.0)? {
        return Err(Error::BadInput(format!(
            "{}の照会「{}」が開いています。締め切ってから次の年度を始めてください",
            from.long(),
            r.title
        )));
    }
    let mut next = stored.clone();
    next.report_year = year;
    next.as_of = None;
    if let Some(t) = &stored.report_title {
        // A title naming the year left names the new one.
        next.report_title = Some(t.replace(&from.long(), &year.long()));
    }
    let info = RevisionInfo {
        kind: "year".into(),
        summary: format!("{}を開始しました(前年度 {})", year.long(), from.long()),
        ..Default::default()
    };
    store.save_version_over(Some((plan_id, &stored)), &next, &info, |_, _| Ok(()))?;
    Ok(YearStarted {
        from: from.long(),
        to: year.long(),
        projects: next.projects().filter(|p| p.runs_in(year)).count() as u32,
        ended: next.projects().filter(|p| p.end.is_some_and(|e| e < year && e >= from)).count() as u32,
    })
}

/// A project's status as set by `project status`.
#[derive(Debug, Clone, Default)]
pub struct StatusChange {
    /// 新規 from this year.
    pub start: Option<FiscalYear>,
    /// 終了 after this year.
    pub end: Option<FiscalYear>,
    /// The projects this one continues (統合: two or more; 分割: one that others also continue).
    pub origin: Option<Vec<String>>,
    /// Back to 継続: no start, no end.
    pub ongoing: bool,
}

/// Sets a project's 新規 year, 終了 year and the projects it continues; one revision.
pub fn project_status(db: &Path, plan: Option<&str>, no: &str, change: &StatusChange) -> Result<Option<String>> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let stored = store.load_plan(plan_id)?;
    let mut next = stored.clone();
    let numbers: Vec<String> = stored.projects().map(|p| p.no.clone()).collect();
    if let Some(origin) = &change.origin {
        for o in origin {
            if o == no {
                return Err(Error::BadInput(format!("No.{no} を自分自身の統合・分割元にはできません")));
            }
            if !numbers.contains(o) {
                return Err(Error::BadInput(format!("統合・分割元の No.{o} はこの計画にありません")));
            }
        }
    }
    let Some(p) = next.entries.iter_mut().find_map(|e| match e {
        Entry::Project(p) if p.no == no => Some(p),
        _ => None,
    }) else {
        return Err(Error::BadInput(format!("事業番号 {no} の事業はこの計画にありません")));
    };
    if change.ongoing {
        p.start = None;
        p.end = None;
    }
    if change.start.is_some() {
        p.start = change.start;
    }
    if change.end.is_some() {
        p.end = change.end;
    }
    if let Some(o) = &change.origin {
        p.origin = o.clone();
    }
    if let (Some(s), Some(e)) = (p.start, p.end) {
        if e < s {
            return Err(Error::BadInput(format!("終了年度({})が開始年度({})より前です", e.long(), s.long())));
        }
    }
    let year = next.report_year;
    let note = next.project(no).and_then(|p| next.status_note(p, year));
    if next != stored {
        let info = RevisionInfo {
            kind: "status".into(),
            summary: format!("No.{no} の状態: {}", describe(&next, no)),
            ..Default::default()
        };
        store.save_version_over(Some((plan_id, &stored)), &next, &info, |_, _| Ok(()))?;
    }
    Ok(note)
}

/// `令和6年度から新規、No.1・No.2 から` / `継続`, for the history.
fn describe(plan: &Plan, no: &str) -> String {
    let Some(p) = plan.project(no) else { return String::new() };
    let mut parts = Vec::new();
    if let Some(s) = p.start {
        parts.push(format!("{}から新規", s.long()));
    }
    if let Some(e) = p.end {
        parts.push(format!("{}で終了", e.long()));
    }
    if !p.origin.is_empty() {
        parts.push(format!("元 No.{}", p.origin.join("・No.")));
    }
    if parts.is_empty() {
        "継続".into()
    } else {
        parts.join("、")
    }
}
