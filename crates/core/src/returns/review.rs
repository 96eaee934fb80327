//! What a coordinator sends back (差戻し) a department's return for, found in the
//! plan as merged: required fields left empty, a mark that differs from the one
//! the KPIs propose without a reason, values that do not pass the entry sheet's
//! checks, and a year-on-year change beyond a factor (変動要因 asked for, as
//! statistical forms do).

use serde::Serialize;

use super::{department_projects, parse_entered, Column};
use crate::fy::FiscalYear;
use crate::model::Plan;
use crate::value::Parsed;

/// One thing to fix, at a field of the department's return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The field's path (see `Plan::fields`).
    pub path: String,
    pub project: String,
    pub kpi: Option<u32>,
    /// 実績値, 評価, 取組状況.
    pub field: String,
    pub message: String,
}

/// The findings for a department's fields of `year`, in sheet order.
pub fn review(plan: &Plan, department: &str, year: FiscalYear, jump_factor: f64) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let scale = plan.rule.scale();
    for p in department_projects(plan, department, year) {
        let y = p.years.get(&year);
        let mut push = |path: String, kpi: Option<u32>, col: Column, message: String| {
            out.push(Finding {
                path,
                project: p.no.clone(),
                kpi,
                field: col.key().to_string(),
                message,
            })
        };
        for r in p.kpis.iter().filter(|k| !k.relisted && seen.insert(k.no)) {
            let Some(k) = plan.kpi(r.no) else { continue };
            let path = format!("kpi[{}].actual[{}]", k.no, year.0);
            let Some(a) = k.actuals.get(&year) else {
                push(path, Some(k.no), Column::Actual, "実績値が未入力です".into());
                continue;
            };
            if let Err(m) = parse_entered(Column::Actual, Some(a.value.text()), Some(k), &scale) {
                push(path, Some(k.no), Column::Actual, m);
                continue;
            }
            let last = k.actuals.get(&FiscalYear(year.0 - 1)).map(|l| &l.value);
            if let (Some(last), Parsed::Number(now)) = (last, a.value.parse()) {
                if let Parsed::Number(before) = last.parse() {
                    let (was, is) = (before.value.abs(), now.value.abs());
                    if was > 0.0 && is > 0.0 && (is / was >= jump_factor || was / is >= jump_factor) {
                        push(
                            path,
                            Some(k.no),
                            Column::Actual,
                            format!(
                                "前年度の実績値({})から{}倍以上変動しています。値を確認し、変動要因を取組状況に記入してください",
                                last.text(),
                                jump_factor
                            ),
                        );
                    }
                }
            }
        }
        let ypath = |f: &str| format!("project[{}].year[{}].{f}", p.no, year.0);
        match y.and_then(|y| y.evaluation.clone()) {
            None => push(ypath("evaluation"), None, Column::Evaluation, "評価が未入力です".into()),
            Some(e) => {
                let kpis: Vec<_> = p.kpis.iter().filter_map(|r| plan.kpi(r.no)).collect();
                let proposed = plan.rule.propose_project(kpis.iter().copied(), year);
                let reason = y.and_then(|y| y.reason.as_deref()).is_some_and(|r| !r.trim().is_empty());
                if let Some(pm) = proposed.filter(|pm| *pm != e && !reason) {
                    push(
                        ypath("evaluation"),
                        None,
                        Column::Evaluation,
                        format!(
                            "評価「{}」がKPIからの提案「{}」と異なり、理由の記載がありません。評価を見直すか、理由を取組状況に記入してください",
                            e.mark(),
                            pm.mark()
                        ),
                    );
                }
            }
        }
        if y.and_then(|y| y.narrative.as_deref()).is_none_or(|n| n.trim().is_empty()) {
            push(ypath("narrative"), None, Column::Narrative, "取組状況が未入力です".into());
        }
    }
    out
}
