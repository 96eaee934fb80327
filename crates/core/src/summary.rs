//! The plan summary (`shinchoku show`, sheet 集計): counts of projects,
//! re-listings and KPIs, evaluation counts per area and per department, and the
//! achievement rate of every KPI for a year. Re-listings are not counted as
//! projects anywhere here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::{achievement_rate, Evaluation};
use crate::fy::FiscalYear;
use crate::model::Plan;

/// Evaluation counts, keyed `○ △ × -`, plus projects with nothing entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    #[serde(rename = "○")]
    pub achieved: usize,
    #[serde(rename = "△")]
    pub partial: usize,
    #[serde(rename = "×")]
    pub not_achieved: usize,
    #[serde(rename = "-")]
    pub not_applicable: usize,
    /// 未入力: no evaluation entered for the year.
    #[serde(rename = "未入力")]
    pub missing: usize,
}

impl Counts {
    pub fn add(&mut self, e: Option<Evaluation>) {
        match e {
            Some(Evaluation::Achieved) => self.achieved += 1,
            Some(Evaluation::Partial) => self.partial += 1,
            Some(Evaluation::NotAchieved) => self.not_achieved += 1,
            Some(Evaluation::NotApplicable) => self.not_applicable += 1,
            None => self.missing += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.achieved + self.partial + self.not_achieved + self.not_applicable + self.missing
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
    pub proposed: Option<Evaluation>,
}

/// What `shinchoku show` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub organization: String,
    pub title: String,
    pub year: FiscalYear,
    pub year_label: String,
    pub projects: usize,
    pub relistings: usize,
    pub kpis: usize,
    /// Per project (re-listings not counted).
    pub evaluations: Counts,
    pub areas: Vec<AreaCounts>,
    pub departments: Vec<DepartmentCounts>,
    pub kpi_rates: Vec<KpiRate>,
}

/// The label used for a project with no 部 named.
pub const NO_DEPARTMENT: &str = "(部の記載なし)";

pub fn summarize(plan: &Plan, year: FiscalYear) -> Summary {
    let mut evaluations = Counts::default();
    let mut areas: Vec<AreaCounts> = plan
        .areas
        .iter()
        .map(|a| AreaCounts {
            code: a.code.clone(),
            name: a.name.clone(),
            projects: 0,
            evaluations: Counts::default(),
        })
        .collect();
    let mut departments: BTreeMap<String, (usize, Counts, usize)> = BTreeMap::new();
    for p in plan.projects() {
        let e = p.years.get(&year).and_then(|y| y.evaluation);
        evaluations.add(e);
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
            let entry = departments.entry(d).or_insert((0, Counts::default(), order));
            entry.0 += 1;
            entry.1.add(e);
        }
        if p.owners.is_empty() {
            let order = departments.len();
            let entry = departments
                .entry(NO_DEPARTMENT.to_string())
                .or_insert((0, Counts::default(), order));
            entry.0 += 1;
            entry.1.add(e);
        }
    }
    let mut departments: Vec<(String, (usize, Counts, usize))> = departments.into_iter().collect();
    departments.sort_by_key(|(_, (_, _, order))| *order);
    let kpi_rates = plan
        .kpis
        .iter()
        .map(|k| {
            let target = k.targets.get(&year);
            let actual = k.actuals.get(&year).map(|a| &a.value);
            let rate = target
                .zip(actual)
                .and_then(|(t, a)| achievement_rate(k.baseline.as_ref(), t, a, k.direction));
            KpiRate {
                no: k.no,
                name: k.name.clone(),
                baseline: k.baseline.as_ref().map(|v| v.text().to_string()),
                target: target.map(|v| v.text().to_string()),
                actual: actual.map(|v| v.text().to_string()),
                rate,
                rate_label: rate.map(|r| crate::eval::rate_label(r, k.direction)),
                proposed: plan.rule.propose_kpi(k, year),
            }
        })
        .collect();
    Summary {
        organization: plan.organization.clone(),
        title: plan.title.clone(),
        year,
        year_label: year.long(),
        projects: plan.projects().count(),
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
        assert_eq!(kpi2.proposed, Some(Evaluation::Partial));
    }
}
