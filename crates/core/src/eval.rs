//! Evaluations (評価 ○ △ × -), achievement rates (達成率) and the rule that
//! proposes an evaluation from a KPI's target and actual.
//!
//! An entered evaluation always wins; the proposal is advice the UI can compare.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Kpi;
use crate::text::label_key;
use crate::value::{KpiValue, Parsed, Qualifier};
use crate::FiscalYear;

/// 評価: ○ 達成 / △ 一部達成 / × 未達成 / - (no KPI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Evaluation {
    #[serde(rename = "○")]
    Achieved,
    #[serde(rename = "△")]
    Partial,
    #[serde(rename = "×")]
    NotAchieved,
    #[serde(rename = "-")]
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("評価「{input}」は ○ △ × - のいずれかで入力してください")]
pub struct EvaluationError {
    pub input: String,
}

impl Evaluation {
    pub const ALL: [Evaluation; 4] = [
        Evaluation::Achieved,
        Evaluation::Partial,
        Evaluation::NotAchieved,
        Evaluation::NotApplicable,
    ];

    /// `○`, `△`, `×`, `-`
    pub fn mark(self) -> &'static str {
        match self {
            Evaluation::Achieved => "○",
            Evaluation::Partial => "△",
            Evaluation::NotAchieved => "×",
            Evaluation::NotApplicable => "-",
        }
    }

    /// The form the summary sheet prints: `○ (達成)`, `△ (一部達成)`, `× (未達成)`, `-`.
    pub fn label(self) -> &'static str {
        match self {
            Evaluation::Achieved => "○ (達成)",
            Evaluation::Partial => "△ (一部達成)",
            Evaluation::NotAchieved => "× (未達成)",
            Evaluation::NotApplicable => "-",
        }
    }

    /// Accepts `○`/`〇`/`◯`, `△`, `×`/`✕`/`✖`, `-`/`－`, with or without the
    /// parenthesised word, and the words alone (`達成`, `一部達成`, `未達成`).
    pub fn parse(input: &str) -> Result<Self, EvaluationError> {
        let key = label_key(input);
        let key = key.replace(['(', ')', '（', '）'], "");
        let e = match key.as_str() {
            "○" | "〇" | "◯" | "○達成" | "〇達成" | "◯達成" | "達成" => Evaluation::Achieved,
            "△" | "△一部達成" | "一部達成" => Evaluation::Partial,
            "×" | "✕" | "✖" | "☓" | "×未達成" | "✕未達成" | "未達成" => Evaluation::NotAchieved,
            "-" | "ー" | "-なし" => Evaluation::NotApplicable,
            _ => {
                return Err(EvaluationError {
                    input: input.trim().to_string(),
                })
            }
        };
        Ok(e)
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mark())
    }
}

/// Whether a higher or a lower number is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Up,
    Down,
}

/// The rule that turns a KPI's target and actual into a proposed evaluation.
/// A plan can configure it; the default is the prefectures' own practice:
/// ○ when the year's target is met, else △.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRule {
    /// When set, an achievement rate below this (e.g. 0.5) proposes × instead of △.
    #[serde(default)]
    pub not_achieved_below: Option<f64>,
    /// `ほぼN` is met from this share of N (default 0.95).
    #[serde(default = "default_almost")]
    pub almost_ratio: f64,
}

fn default_almost() -> f64 {
    0.95
}

impl Default for EvaluationRule {
    fn default() -> Self {
        EvaluationRule {
            not_achieved_below: None,
            almost_ratio: default_almost(),
        }
    }
}

/// 達成率: (actual − baseline) / (target − baseline), the same for either
/// direction; without a baseline, actual / target (target / actual when lower is
/// better). `None` for text values, a missing value or a zero denominator.
pub fn achievement_rate(baseline: Option<&KpiValue>, target: &KpiValue, actual: &KpiValue, direction: Direction) -> Option<f64> {
    let t = target.number()?;
    let a = actual.comparable()?;
    let b = baseline.and_then(KpiValue::number);
    let rate = match b {
        Some(b) if (t - b).abs() > f64::EPSILON => (a - b) / (t - b),
        Some(_) => return None,
        None => match direction {
            Direction::Up if t != 0.0 => a / t,
            Direction::Down if a != 0.0 => t / a,
            _ => return None,
        },
    };
    rate.is_finite().then_some(rate)
}

/// An achievement rate as people read it: `67.4%`, and a negative rate (the actual is
/// on the wrong side of the baseline) in words rather than as `-305.5%`.
pub fn rate_label(rate: f64, direction: Direction) -> String {
    if rate < 0.0 {
        match direction {
            Direction::Up => "基準値を下回る".into(),
            Direction::Down => "基準値を上回る".into(),
        }
    } else {
        format!("{:.1}%", rate * 100.0)
    }
}

impl EvaluationRule {
    /// Whether the actual meets the target; `None` when they cannot be compared.
    pub fn met(&self, target: &KpiValue, actual: &KpiValue, direction: Direction) -> Option<bool> {
        let tp = target.parse();
        if matches!(tp, Parsed::Dash) || actual.is_dash() {
            return None;
        }
        if let Parsed::Text = tp {
            return (target.canonical() == actual.canonical()).then_some(true);
        }
        let a = actual.comparable()?;
        let cmp = |t: f64| match direction {
            Direction::Up => a >= t - 1e-9,
            Direction::Down => a <= t + 1e-9,
        };
        Some(match tp {
            Parsed::Number(q) => cmp(q.value),
            Parsed::Qualified(q, Qualifier::AtLeast) => a >= q.value - 1e-9,
            Parsed::Qualified(q, Qualifier::Over) => a > q.value,
            Parsed::Qualified(q, Qualifier::AtMost) => a <= q.value + 1e-9,
            Parsed::Qualified(q, Qualifier::Under) => a < q.value,
            Parsed::Qualified(q, Qualifier::Almost) => match direction {
                Direction::Up => a >= q.value * self.almost_ratio - 1e-9,
                Direction::Down => a <= q.value / self.almost_ratio + 1e-9,
            },
            Parsed::Dash | Parsed::Text => return None,
        })
    }

    /// The proposed evaluation of one KPI in one year; `None` when there is no
    /// actual or target to judge by.
    pub fn propose_kpi(&self, kpi: &Kpi, year: FiscalYear) -> Option<Evaluation> {
        let target = kpi.targets.get(&year)?;
        let actual = &kpi.actuals.get(&year)?.value;
        if actual.is_dash() {
            return None;
        }
        match self.met(target, actual, kpi.direction) {
            Some(true) => Some(Evaluation::Achieved),
            Some(false) | None => {
                if target.parse() == Parsed::Text && actual.comparable().is_none() {
                    // Two qualitative values that differ: nothing to judge by.
                    return None;
                }
                let rate = achievement_rate(kpi.baseline.as_ref(), target, actual, kpi.direction);
                match (self.not_achieved_below, rate) {
                    (Some(limit), Some(r)) if r < limit => Some(Evaluation::NotAchieved),
                    _ => Some(Evaluation::Partial),
                }
            }
        }
    }

    /// The proposed evaluation of a project from its KPIs: `-` without a KPI, ○ when
    /// every KPI is ○, × when every judged KPI is ×, else △; `None` while no KPI can
    /// be judged.
    pub fn propose_project<'a>(&self, kpis: impl IntoIterator<Item = &'a Kpi>, year: FiscalYear) -> Option<Evaluation> {
        let mut any = false;
        let mut marks = Vec::new();
        for k in kpis {
            any = true;
            if let Some(m) = self.propose_kpi(k, year) {
                marks.push(m);
            }
        }
        if !any {
            return Some(Evaluation::NotApplicable);
        }
        if marks.is_empty() {
            return None;
        }
        Some(if marks.iter().all(|m| *m == Evaluation::Achieved) {
            Evaluation::Achieved
        } else if marks.iter().all(|m| *m == Evaluation::NotAchieved) {
            Evaluation::NotAchieved
        } else {
            Evaluation::Partial
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KpiValue {
        KpiValue::new(s).unwrap()
    }

    #[test]
    fn parses_marks_in_every_spelling() {
        for s in ["○", "〇", "◯", "○ (達成)", "○(達成)", "〇（達成）", " ○ "] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::Achieved), "{s}");
        }
        for s in ["△", "△ (一部達成)", "一部達成"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::Partial), "{s}");
        }
        for s in ["×", "✕", "× (未達成)"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::NotAchieved), "{s}");
        }
        for s in ["-", "－"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::NotApplicable), "{s}");
        }
        let e = Evaluation::parse("済").unwrap_err();
        assert_eq!(e.to_string(), "評価「済」は ○ △ × - のいずれかで入力してください");
    }

    #[test]
    fn rate_is_direction_aware() {
        assert_eq!(achievement_rate(Some(&v("0")), &v("8"), &v("10"), Direction::Up), Some(1.25));
        let r = achievement_rate(Some(&v("40百万枚")), &v("32百万枚"), &v("36百万枚"), Direction::Down).unwrap();
        assert!((r - 0.5).abs() < 1e-9);
        assert_eq!(achievement_rate(None, &v("10%"), &v("1%"), Direction::Up), Some(0.1));
        assert_eq!(achievement_rate(None, &v("10"), &v("20"), Direction::Down), Some(0.5));
        assert_eq!(achievement_rate(None, &v("運用"), &v("運用"), Direction::Up), None);
        assert_eq!(achievement_rate(Some(&v("40")), &v("40"), &v("40"), Direction::Down), None);
    }

    #[test]
    fn targets_with_qualifiers() {
        let r = EvaluationRule::default();
        assert_eq!(r.met(&v("4以上"), &v("3.54"), Direction::Up), Some(false));
        assert_eq!(r.met(&v("4以上"), &v("4"), Direction::Up), Some(true));
        assert_eq!(r.met(&v("ほぼ100%"), &v("96%"), Direction::Up), Some(true));
        assert_eq!(r.met(&v("ほぼ100%"), &v("人口に対する保有枚数率:74%"), Direction::Up), Some(false));
        assert_eq!(r.met(&v("運用"), &v("運用"), Direction::Up), Some(true));
        assert_eq!(r.met(&v("32百万枚"), &v("32百万枚"), Direction::Down), Some(true));
        assert_eq!(r.met(&v("32百万枚"), &v("33百万枚"), Direction::Down), Some(false));
    }
}
