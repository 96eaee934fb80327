//! Shinchoku core: the DX plan model, its SQLite store, the 取組一覧 workbook
//! import and export, evaluations and summaries. UI-free: the `shinchoku` CLI and
//! the desktop shell both call the operations in [`ops`].

pub mod card;
pub mod chart;
pub mod eval;
pub mod fields;
pub mod fy;
pub mod hostile;
pub mod layout;
pub mod model;
pub mod ops;
pub mod report;
pub mod returns;
pub mod seed;
pub mod store;
pub mod summary;
pub mod synth;
pub mod text;
pub mod value;
pub mod views;
pub mod xlsx;

pub use eval::{Direction, Evaluation, EvaluationRule};
pub use fy::{AsOf, FiscalYear, YearStyle};
pub use model::{Entry, Kpi, Plan, Project, Relisting};
pub use value::KpiValue;

#[cfg(test)]
mod tests {
    use super::*;

    /// The default rule reproduces every evaluation mark of the Fukushima plan.
    #[test]
    fn default_rule_reproduces_every_fukushima_mark() {
        let plan = seed::fukushima_plan().unwrap();
        let rule = EvaluationRule::default();
        let mut checked = 0;
        for view in plan.views() {
            let kpis: Vec<&Kpi> = view.entry.kpis().iter().filter_map(|r| plan.kpi(r.no)).collect();
            let entered = view.evaluation(plan.report_year);
            let proposed = rule.propose_project(kpis.iter().copied(), plan.report_year);
            assert_eq!(proposed, entered, "entry {:?}", view.entry);
            checked += kpis.len();
        }
        assert!(checked >= 19);
        for k in &plan.kpis {
            assert!(rule.propose_kpi(k, plan.report_year).is_some(), "KPI {} has no proposal", k.no);
        }
    }
}
