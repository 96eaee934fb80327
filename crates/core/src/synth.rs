//! Deterministic synthetic plans for benchmarks and scale tests: N projects,
//! 0–3 KPIs each, 40 departments, 10 % co-owned, 10 % re-listed.

use std::collections::BTreeMap;

use crate::eval::{Direction, Evaluation, EvaluationRule};
use crate::fy::{AsOf, FiscalYear};
use crate::model::{Actual, Area, Entry, Item, Kpi, KpiRef, Owner, Plan, Project, ProjectYear, Relisting};
use crate::value::KpiValue;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const DEPARTMENTS: usize = 40;
const AREAS: usize = 8;
const ITEMS_PER_AREA: usize = 10;

/// The synthetic plan with `n` projects (seeded by `n`, so the same `n` gives the same plan).
pub fn synthetic_plan(n: usize) -> Plan {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    let years: Vec<FiscalYear> = (2022..=2025).map(FiscalYear).collect();
    let report_year = FiscalYear(2023);
    let as_of = AsOf::new(2024, 3, 31);
    let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"];
    let areas: Vec<Area> = (0..AREAS)
        .map(|a| Area {
            code: format!("{}-{}", roman[a / 4], a % 4 + 1),
            name: Some(format!("分野{}の取組", a + 1)),
            items: (0..ITEMS_PER_AREA)
                .map(|i| Item {
                    code: format!("({})", i + 1),
                    name: Some(format!("項目{}-{}", a + 1, i + 1)),
                    ..Default::default()
                })
                .collect(),
        })
        .collect();
    let mut kpis = Vec::new();
    let mut entries = Vec::new();
    let mut projects_made = 0usize;
    while projects_made < n {
        let a = (projects_made * AREAS) / n.max(1);
        let i = rng.below(ITEMS_PER_AREA as u64) as usize;
        let dept = rng.below(DEPARTMENTS as u64) as usize;
        let mut owners = vec![Owner {
            department: Some(format!("第{:02}部", dept + 1)),
            division: Some(format!("第{:02}部第{}課", dept + 1, rng.below(5) + 1)),
        }];
        if rng.below(10) == 0 {
            let d2 = (dept + 1 + rng.below(DEPARTMENTS as u64 - 1) as usize) % DEPARTMENTS;
            owners.push(Owner {
                department: Some(format!("第{:02}部", d2 + 1)),
                division: Some(format!("第{:02}部第1課", d2 + 1)),
            });
        }
        let n_kpis = rng.below(4) as usize;
        let mut refs = Vec::new();
        let mut marks = Vec::new();
        for _ in 0..n_kpis {
            let no = kpis.len() as u32 + 1;
            let percent = rng.below(3) == 0;
            let base = rng.below(900) + 100;
            let fmt = |v: u64| {
                if percent {
                    format!("{:.1}%", v as f64 / 10.0)
                } else {
                    format!("{v}")
                }
            };
            let targets: BTreeMap<FiscalYear, KpiValue> = years
                .iter()
                .enumerate()
                .filter_map(|(j, y)| Some((*y, KpiValue::new(fmt(base + 50 * (j as u64 + 1)))?)))
                .collect();
            let actual = base + rng.below(160);
            let met = actual >= base + 100;
            marks.push(met);
            kpis.push(Kpi {
                tolerance: None,
                revisions: Vec::new(),
                no,
                label: None,
                group: None,
                name: format!("指標{no}の達成件数"),
                unit: Some(if percent { "%".into() } else { "件".into() }),
                direction: Direction::Up,
                cumulative: rng.below(5) == 0,
                baseline: KpiValue::new(fmt(base)),
                baseline_year: None,
                targets,
                actuals: KpiValue::new(fmt(actual))
                    .map(|v| (report_year, Actual { value: v, as_of }))
                    .into_iter()
                    .collect(),
                divisions: Vec::new(),
                footnotes: Vec::new(),
            });
            refs.push(KpiRef { no, relisted: false });
        }
        let evaluation = if refs.is_empty() {
            Evaluation::NONE
        } else if marks.iter().all(|m| *m) {
            Evaluation::ACHIEVED
        } else {
            Evaluation::PARTIAL
        };
        let no = (projects_made + 1).to_string();
        entries.push(Entry::Project(Project {
            start: None,
            end: None,
            origin: Vec::new(),
            no: no.clone(),
            area: areas[a].code.clone(),
            item: Some(areas[a].items[i].code.clone()),
            owners,
            name: Some(format!("事業{no}(デジタル化推進事業)")),
            summary: Some(format!(
                "事業{no}の概要。業務の効率化と県民サービスの向上を図るため、関係課と連携してシステムを導入する。"
            )),
            goal: Some(if refs.is_empty() {
                "【目標】計画どおり実施する。".to_string()
            } else {
                "【指標(KPI)】目標値の達成を目指す。".to_string()
            }),
            kpis: refs.clone(),
            years: [(
                report_year,
                ProjectYear {
                    evaluation: Some(evaluation),
                    narrative: Some(format!("令和5年度は事業{no}を実施し、所期の成果を得た。引き続き取組を進める。")),
                    budget: None,
                    issues: None,
                    ..Default::default()
                },
            )]
            .into(),
        }));
        projects_made += 1;
        if rng.below(10) == 0 {
            let a2 = rng.below(AREAS as u64) as usize;
            let i2 = rng.below(ITEMS_PER_AREA as u64) as usize;
            entries.push(Entry::Relisting(Relisting {
                of: no,
                area: areas[a2].code.clone(),
                item: Some(areas[a2].items[i2].code.clone()),
                summary: None,
                goal: None,
                kpis: refs.iter().map(|r| KpiRef { no: r.no, relisted: true }).collect(),
                years: BTreeMap::new(),
            }));
        }
    }
    Plan {
        organization: "架空県".into(),
        title: format!("架空県デジタル化推進計画({n}事業)"),
        report_title: None,
        period: Some((FiscalYear(2022), FiscalYear(2025))),
        fiscal_years: years,
        report_year,
        as_of,
        rule: EvaluationRule::default(),
        areas,
        kpis,
        entries,
        schedule: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = synthetic_plan(300);
        assert_eq!(a, synthetic_plan(300));
        assert_eq!(a.projects().count(), 300);
        assert!(a.validate().is_empty());
        let relisted = a.relistings().count();
        assert!((15..=50).contains(&relisted), "{relisted}");
        let co = a.projects().filter(|p| p.owners.len() > 1).count();
        assert!((10..=60).contains(&co), "{co}");
    }
}
