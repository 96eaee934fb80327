//! The plan summary (`shinchoku show`, sheet 集計): counts of projects,
//! re-listings and KPIs, evaluation counts per area and per department, and the
//! achievement rate of every KPI for a year. Re-listings are not counted as
//! projects anywhere here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::{achievement_rate, Evaluation, EvaluationRule, Scale};
use crate::fy::FiscalYear;
use crate::model::Plan;

/// Evaluation counts per mark of the plan's scale (in its order, then any mark
/// not on it that was entered under an earlier rule), plus projects with nothing entered.
/// Serialised as `{"○": 3, "△": 1, …, "未入力": 0}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub marks: Vec<(Evaluation, usize)>,
    /// 未入力: no evaluation entered for the year.
    pub missing: usize,
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.marks.len() + 1))?;
        for (e, n) in &self.marks {
            m.serialize_entry(e.mark(), n)?;
        }
        m.serialize_entry("未入力", &self.missing)?;
        m.end()
    }
}

impl Counts {
    /// Zero for every mark of the scale.
    pub fn new(scale: &Scale) -> Counts {
        Counts {
            marks: scale
                .marks
                .iter()
                .filter_map(|m| Evaluation::from_mark(&m.mark))
                .map(|e| (e, 0))
                .collect(),
            missing: 0,
        }
    }

    pub fn add(&mut self, e: Option<&Evaluation>) {
        match e {
            Some(e) => match self.marks.iter_mut().find(|(m, _)| m == e) {
                Some((_, n)) => *n += 1,
                None => self.marks.push((e.clone(), 1)),
            },
            None => self.missing += 1,
        }
    }

    /// Lists the marks in `order` (zero where none), so every row of a table has the same columns.
    fn align(&mut self, order: &[Evaluation]) {
        self.marks = order.iter().map(|m| (m.clone(), self.of(m))).collect();
    }

    /// The count of one mark.
    pub fn of(&self, e: &Evaluation) -> usize {
        self.marks.iter().find(|(m, _)| m == e).map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> usize {
        self.marks.iter().map(|(_, n)| n).sum::<usize>() + self.missing
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaCounts {
    pub code: String,
    pub name: Option<String>,
    pub projects: usize,
    pub evaluations: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentCounts {
    pub department: String,
    pub projects: usize,
    pub evaluations: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiRate {
    pub no: u32,
    pub name: String,
    pub baseline: Option<String>,
    pub target: Option<String>,
    pub actual: Option<String>,
    /// 達成率 as a fraction (1.0 = 100 %).
    pub rate: Option<f64>,
    /// The rate as people read it (`67.4%`, `基準値を下回る`).
    pub rate_label: Option<String>,
    /// r = 実績 / 目標値 (目標値 / 実績 for 減少).
    pub ratio: Option<f64>,
    /// 期待値 E for the year, where defined.
    pub expected: Option<f64>,
    /// The mark under the rule (`-`: nothing to judge by).
    pub proposed: Evaluation,
    /// The target in force is a revised one; its original (当初目標).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_target: Option<String>,
}

/// A project whose entered evaluation is not the one its KPIs propose.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub no: String,
    pub name: String,
    pub evaluation: Evaluation,
    pub proposed: Evaluation,
    /// 評価の理由, when the department gave one.
    pub reason: Option<String>,
}

/// What `shinchoku show` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub organization: String,
    pub title: String,
    pub year: FiscalYear,
    pub year_label: String,
    /// The rule that proposes marks (`maru`, `ratio-abcd`, …) and its marks.
    pub rule: String,
    pub scale: Vec<String>,
    /// Projects running in the year (新規 included, 終了 after its year not).
    pub projects: usize,
    pub relistings: usize,
    pub kpis: usize,
    /// Per project (re-listings not counted).
    pub evaluations: Counts,
    pub areas: Vec<AreaCounts>,
    pub departments: Vec<DepartmentCounts>,
    pub kpi_rates: Vec<KpiRate>,
    pub differences: Vec<Difference>,
}

/// The label used for a project with no 部 named.
pub const NO_DEPARTMENT: &str = "(部の記載なし)";

pub fn summarize(plan: &Plan, year: FiscalYear) -> Summary {
    summarize_with(plan, year, &plan.rule)
}

/// The summary with marks proposed by another rule than the plan's (`show --rule`).
pub fn summarize_with(plan: &Plan, year: FiscalYear, rule: &EvaluationRule) -> Summary {
    let scale = rule.scale();
    let mut evaluations = Counts::new(&scale);
    let mut differences = Vec::new();
    let mut areas: Vec<AreaCounts> = plan
        .areas
        .iter()
        .map(|a| AreaCounts {
            code: a.code.clone(),
            name: a.name.clone(),
            projects: 0,
            evaluations: Counts::new(&scale),
        })
        .collect();
    let mut departments: BTreeMap<String, (usize, Counts, usize)> = BTreeMap::new();
    for p in plan.projects().filter(|p| p.runs_in(year)) {
        let py = p.years.get(&year);
        let e = py.and_then(|y| y.evaluation.as_ref());
        evaluations.add(e);
        if let Some(e) = e {
            let proposed = rule.propose_project(p.kpis.iter().filter_map(|r| plan.kpi(r.no)), year);
            if let Some(proposed) = proposed.filter(|q| q != e) {
                differences.push(Difference {
                    no: p.no.clone(),
                    name: p.name.clone().unwrap_or_default(),
                    evaluation: e.clone(),
                    proposed,
                    reason: py.and_then(|y| y.reason.clone()).filter(|r| !r.trim().is_empty()),
                });
            }
        }
        if let Some(a) = areas.iter_mut().find(|a| a.code == p.area) {
            a.projects += 1;
            a.evaluations.add(e);
        }
        let mut seen = Vec::new();
        for o in &p.owners {
            let d = o.department.clone().unwrap_or_else(|| NO_DEPARTMENT.to_string());
            if seen.contains(&d) {
                continue;
            }
            seen.push(d.clone());
            let order = departments.len();
            let entry = departments.entry(d).or_insert((0, Counts::new(&scale), order));
            entry.0 += 1;
            entry.1.add(e);
        }
        if p.owners.is_empty() {
            let order = departments.len();
            let entry = departments
                .entry(NO_DEPARTMENT.to_string())
                .or_insert((0, Counts::new(&scale), order));
            entry.0 += 1;
            entry.1.add(e);
        }
    }
    let mut departments: Vec<(String, (usize, Counts, usize))> = departments.into_iter().collect();
    departments.sort_by_key(|(_, (_, _, order))| *order);
    let order: Vec<Evaluation> = evaluations.marks.iter().map(|(m, _)| m.clone()).collect();
    for a in &mut areas {
        a.evaluations.align(&order);
    }
    for (_, (_, c, _)) in &mut departments {
        c.align(&order);
    }
    let kpi_rates = plan
        .kpis
        .iter()
        .map(|k| {
            let target = k.target_for(year, year);
            let actual = k.actuals.get(&year).map(|a| &a.value);
            let shown = target
                .as_ref()
                .zip(actual)
                .and_then(|(t, a)| achievement_rate(k.baseline.as_ref(), t, a, k.direction));
            let rating = rule.rate(k, year);
            KpiRate {
                no: k.no,
                name: k.name.clone(),
                baseline: k.baseline.as_ref().map(|v| v.text().to_string()),
                target: target.as_ref().map(|v| v.text().to_string()),
                actual: actual.map(|v| v.text().to_string()),
                rate: rating.rate,
                rate_label: shown.map(|r| crate::eval::rate_label(r, k.direction)),
                ratio: rating.ratio,
                expected: rating.expected,
                proposed: rating.mark,
                original_target: k
                    .revised_for(year, year)
                    .then(|| k.original_target(year).map(|v| v.text().to_string()))
                    .flatten(),
            }
        })
        .collect();
    Summary {
        organization: plan.organization.clone(),
        title: plan.title.clone(),
        year,
        year_label: year.long(),
        rule: rule.name(),
        scale: scale.marks.iter().map(|m| m.mark.clone()).collect(),
        projects: plan.projects().filter(|p| p.runs_in(year)).count(),
        relistings: plan.relistings().count(),
        kpis: plan.kpis.len(),
        evaluations,
        areas,
        departments: departments
            .into_iter()
            .map(|(department, (projects, evaluations, _))| DepartmentCounts {
                department,
                projects,
                evaluations,
            })
            .collect(),
        kpi_rates,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn fukushima_summary() {
        let plan = seed::fukushima_plan().unwrap();
        let s = summarize(&plan, FiscalYear(2023));
        assert_eq!((s.projects, s.relistings, s.kpis), (52, 13, 19));
        assert_eq!(s.evaluations.total(), 52);
        assert_eq!(s.evaluations.missing, 0);
        let by_area: usize = s.areas.iter().map(|a| a.projects).sum();
        assert_eq!(by_area, 52);
        let kpi2 = s.kpi_rates.iter().find(|k| k.no == 2).unwrap();
        let r = kpi2.rate.unwrap();
        // (43.1 − 48.2) / (67.4 − 48.2)
        assert!((r - (-5.1 / 19.2)).abs() < 1e-9, "{r}");
        assert_eq!(kpi2.proposed, Evaluation::PARTIAL);
    }
}
