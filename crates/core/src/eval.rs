//! Evaluations (評価), achievement measures and the rating rules that propose an
//! evaluation from a KPI's baseline, the target in force, the actual and its direction.
//!
//! A plan rates with one rule (`maru` ○ △ × - by default, the prefectures' own
//! practice; `ratio-abcd`, `progress-abcd`, `kitaichi`, or a custom rule read from
//! TOML). The rule's marks are the plan's evaluation scale: what the entry forms,
//! the templates' drop-down, the 取組一覧's 評価 column and the counts offer.
//! An entered evaluation always wins; the proposal is advice the UI compares.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Kpi;
use crate::text::label_key;
use crate::value::{KpiValue, Parsed, Qualifier};
use crate::FiscalYear;

/// 評価: one mark of a plan's scale (`○`, `A`, `達成`, `◎` …); `-` is 判定不能 /
/// no KPI on every scale. Stored and serialised as the mark itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Evaluation(Cow<'static, str>);

impl Serialize for Evaluation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Evaluation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Evaluation::from_mark(&s).ok_or_else(|| serde::de::Error::custom(format!("評価「{s}」は記号として使えません")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("評価「{input}」は {expected} のいずれかで入力してください")]
pub struct EvaluationError {
    pub input: String,
    /// The scale's marks, as the message lists them (`○ △ × -`).
    pub expected: String,
}

impl Evaluation {
    /// ○ 達成
    pub const ACHIEVED: Evaluation = Evaluation(Cow::Borrowed("○"));
    /// △ 一部達成
    pub const PARTIAL: Evaluation = Evaluation(Cow::Borrowed("△"));
    /// × 未達成
    pub const NOT_ACHIEVED: Evaluation = Evaluation(Cow::Borrowed("×"));
    /// `-`: no KPI, or nothing to judge by (判定不能). On every scale.
    pub const NONE: Evaluation = Evaluation(Cow::Borrowed("-"));

    /// A mark as stored: 1–8 characters without line breaks or spaces around it.
    pub fn from_mark(mark: &str) -> Option<Evaluation> {
        let ok = !mark.is_empty() && mark.chars().count() <= 8 && mark.trim() == mark && !mark.chars().any(char::is_control);
        ok.then(|| Evaluation(Cow::Owned(mark.to_string())))
    }

    /// The mark itself: `○`, `A`, `達成`, `-`.
    pub fn mark(&self) -> &str {
        &self.0
    }

    pub fn is_none(&self) -> bool {
        self.0 == "-"
    }

    /// A mark on the default scale (○ △ × -), in any of its spellings.
    pub fn parse(input: &str) -> Result<Self, EvaluationError> {
        Scale::maru().parse(input)
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One mark of a scale, with the word printed beside it (`○ (達成)`) and other
/// spellings people type for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "bindings.ts")]
pub struct ScaleMark {
    pub mark: String,
    /// The word beside the mark on the summary sheet (`達成`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A plan's evaluation scale: its marks, best first, `-` last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "bindings.ts")]
pub struct Scale {
    pub marks: Vec<ScaleMark>,
}

fn sm(mark: &str, label: Option<&str>, aliases: &[&str]) -> ScaleMark {
    ScaleMark {
        mark: mark.into(),
        label: label.map(str::to_string),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

impl Scale {
    /// ○ 達成 / △ 一部達成 / × 未達成 / - (福島県).
    pub fn maru() -> Scale {
        Scale {
            marks: vec![
                sm("○", Some("達成"), &["〇", "◯"]),
                sm("△", Some("一部達成"), &[]),
                sm("×", Some("未達成"), &["✕", "✖", "☓"]),
                sm("-", Some("なし"), &["ー", "判定不能"]),
            ],
        }
    }

    fn of(marks: &[(&str, Option<&str>)]) -> Scale {
        let mut marks: Vec<ScaleMark> = marks.iter().map(|(m, l)| sm(m, *l, &[])).collect();
        marks.push(sm("-", Some("判定不能"), &["ー"]));
        Scale { marks }
    }

    /// The marks in order, as a message lists them: `○ △ × -`.
    pub fn listing(&self) -> String {
        self.marks.iter().map(|m| m.mark.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The best mark (met targets get it).
    pub fn top(&self) -> Evaluation {
        self.marks
            .first()
            .and_then(|m| Evaluation::from_mark(&m.mark))
            .unwrap_or(Evaluation::NONE)
    }

    /// The marks that rate something (every mark but `-`), best first.
    pub fn rated(&self) -> impl Iterator<Item = Evaluation> + '_ {
        self.marks
            .iter()
            .filter_map(|m| Evaluation::from_mark(&m.mark))
            .filter(|e| !e.is_none())
    }

    /// Where a mark stands on the scale (0 = best); `None` for a mark not on it.
    pub fn rank(&self, e: &Evaluation) -> Option<usize> {
        self.marks.iter().position(|m| m.mark == e.mark())
    }

    /// The form the summary sheet prints: `○ (達成)`, `A`, `-`.
    pub fn label(&self, e: &Evaluation) -> String {
        match self.marks.iter().find(|m| m.mark == e.mark()) {
            Some(ScaleMark { label: Some(l), mark, .. }) if !e.is_none() && l != mark => format!("{mark} ({l})"),
            _ => e.mark().to_string(),
        }
    }

    /// Reads a mark in any of its spellings: the mark, the mark with its word
    /// (`○ (達成)`, `○(達成)`), the word alone, or an alias; full-width letters and
    /// spaces are tolerated.
    pub fn parse(&self, input: &str) -> Result<Evaluation, EvaluationError> {
        let key = label_key(input).replace(['(', ')', '（', '）'], "").to_lowercase();
        let found = self.marks.iter().find(|m| {
            let mk = label_key(&m.mark).to_lowercase();
            let spellings = std::iter::once(mk.clone()).chain(m.aliases.iter().map(|a| label_key(a).to_lowercase()));
            let mut hit = false;
            for s in spellings {
                if key == s {
                    hit = true;
                }
                if let Some(l) = &m.label {
                    let l = label_key(l).to_lowercase();
                    if key == l || key == format!("{s}{l}") {
                        hit = true;
                    }
                }
            }
            hit
        });
        found.and_then(|m| Evaluation::from_mark(&m.mark)).ok_or_else(|| EvaluationError {
            input: input.trim().to_string(),
            expected: self.listing(),
        })
    }

    /// [`Scale::parse`], also accepting a mark of any built-in scale: an evaluation
    /// entered under an earlier rule keeps its mark in the history and other years.
    pub fn parse_or_known(&self, input: &str) -> Result<Evaluation, EvaluationError> {
        self.parse(input).or_else(|e| {
            EvaluationRule::BUILTIN
                .iter()
                .filter_map(|n| EvaluationRule::builtin(n))
                .find_map(|r| r.scale().parse(input).ok())
                .ok_or(e)
        })
    }

    /// Checks a scale read from a rule file: marks unique, usable, `-` last.
    fn check(&self) -> Result<(), String> {
        if self.marks.len() < 2 {
            return Err("評価の記号が1つもありません".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &self.marks {
            if Evaluation::from_mark(&m.mark).is_none() {
                return Err(format!("評価の記号「{}」は使えません(1〜8文字、前後に空白なし)", m.mark));
            }
            if !seen.insert(m.mark.clone()) {
                return Err(format!("評価の記号「{}」が2回あります", m.mark));
            }
        }
        Ok(())
    }
}

/// Whether a higher or a lower number is better, or a level is to be kept
/// (維持, within the KPI's tolerance of its target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// 増加
    #[default]
    Up,
    /// 減少
    Down,
    /// 維持
    Keep,
}

impl Direction {
    /// `up`, `down`, `keep`: the stored form.
    pub fn key(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Keep => "keep",
        }
    }

    pub fn from_key(key: &str) -> Option<Direction> {
        match key {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            "keep" => Some(Direction::Keep),
            _ => None,
        }
    }

    /// 増加 / 減少 / 維持
    pub fn word(self) -> &'static str {
        match self {
            Direction::Up => "増加",
            Direction::Down => "減少",
            Direction::Keep => "維持",
        }
    }
}

/// The KPI推移 sheet's 方向 cell: `増加`, `減少`, or `維持(±N)` with the tolerance
/// written like the KPI's values.
pub fn direction_cell(direction: Direction, tolerance: Option<&KpiValue>) -> String {
    match (direction, tolerance) {
        (Direction::Keep, Some(t)) => format!("維持(±{})", t.text()),
        (Direction::Keep, None) => "維持(±0)".into(),
        (d, _) => d.word().into(),
    }
}

/// Reads a 方向 cell (see `direction_cell`); the message says what was expected.
pub fn parse_direction_cell(cell: &str) -> Result<(Direction, Option<KpiValue>), String> {
    let t = crate::text::normalize_width(cell.trim())
        .replace('（', "(")
        .replace('）', ")")
        .replace([' ', '\u{3000}'], "");
    match t.as_str() {
        "" | "増加" | "上昇" | "増" => return Ok((Direction::Up, None)),
        "減少" | "低下" | "減" => return Ok((Direction::Down, None)),
        "維持" => return Ok((Direction::Keep, None)),
        _ => {}
    }
    let inner = t
        .strip_prefix("維持(")
        .and_then(|r| r.strip_suffix(')'))
        .map(|r| r.trim_start_matches(['±', '+']).trim_start_matches('-'));
    match inner.and_then(KpiValue::new).filter(|v| matches!(v.parse(), Parsed::Number(_))) {
        Some(v) if v.number().is_some_and(|n| n >= 0.0) => Ok((Direction::Keep, Some(v))),
        _ => Err(format!("方向「{}」は 増加、減少、維持(±5) のように入力してください", cell.trim())),
    }
}

/// The built-in rules and a custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// ○ 達成 / △ / × / - (福島県).
    #[default]
    Maru,
    /// A–D on the ratio to target (大阪府 and others).
    RatioAbcd,
    /// 達成 / 前進 / 横ばい / 後退 on progress from the baseline (群馬県 and others).
    ProgressAbcd,
    /// ◎ ○ △ ● against a straight-line 期待値 (静岡県 and others).
    Kitaichi,
    /// Marks, measure and bands from a rule file.
    Custom,
}

/// What a custom rule's bands are drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// r = 実績 / 目標値 (目標値 / 実績 for a 減少 KPI).
    Ratio,
    /// p = (実績 − 基準値) / (目標値 − 基準値).
    Progress,
}

/// One band of a custom rule: its mark from `at_least` of the measure up (the last
/// band, without `at_least`, takes the rest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub mark: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
}

/// A rule from a file: `name`, `measure` and its `[[band]]`s, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    pub name: String,
    pub measure: Measure,
    #[serde(rename = "band")]
    pub bands: Vec<Band>,
}

/// The rule that turns a KPI's baseline, target in force, actual and direction into
/// a proposed evaluation; stored with the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRule {
    #[serde(default)]
    pub kind: RuleKind,
    /// `maru` only: a progress below this (e.g. 0.5) proposes × instead of △.
    #[serde(default)]
    pub not_achieved_below: Option<f64>,
    /// `ほぼN` is met from this share of N (default 0.95).
    #[serde(default = "default_almost")]
    pub almost_ratio: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomRule>,
}

fn default_almost() -> f64 {
    0.95
}

impl Default for EvaluationRule {
    fn default() -> Self {
        EvaluationRule {
            kind: RuleKind::Maru,
            not_achieved_below: None,
            almost_ratio: default_almost(),
            custom: None,
        }
    }
}

/// A rule file that cannot be used, with the line where one is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("評価ルール{}: {message}", line.map(|l| format!(" {l}行目")).unwrap_or_default())]
pub struct RuleError {
    pub line: Option<usize>,
    pub message: String,
}

/// What a KPI's rating says: the proposed mark (`-` when nothing can be judged) and
/// the measures behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub mark: Evaluation,
    /// p = (実績 − 基準値) / (目標値 − 基準値), where defined.
    pub rate: Option<f64>,
    /// r = 実績 / 目標値 (目標値 / 実績 for 減少; the nearer of the two for 維持).
    pub ratio: Option<f64>,
    /// 期待値 E on the straight line from the baseline to the final target.
    pub expected: Option<f64>,
}

const EPS: f64 = 1e-9;

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
            Direction::Up | Direction::Keep if t != 0.0 => a / t,
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
            Direction::Up | Direction::Keep => "基準値を下回る".into(),
            Direction::Down => "基準値を上回る".into(),
        }
    } else {
        format!("{:.1}%", rate * 100.0)
    }
}

impl EvaluationRule {
    /// A built-in rule by its name: `maru`, `ratio-abcd`, `progress-abcd`, `kitaichi`.
    pub fn builtin(name: &str) -> Option<EvaluationRule> {
        let kind = match name.trim() {
            "maru" => RuleKind::Maru,
            "ratio-abcd" => RuleKind::RatioAbcd,
            "progress-abcd" => RuleKind::ProgressAbcd,
            "kitaichi" => RuleKind::Kitaichi,
            _ => return None,
        };
        Some(EvaluationRule {
            kind,
            ..EvaluationRule::default()
        })
    }

    /// The built-in rules' names, as `rule use` and 設定 offer them.
    pub const BUILTIN: [&'static str; 4] = ["maru", "ratio-abcd", "progress-abcd", "kitaichi"];

    /// A custom rule from its TOML text (see docs/rules.md).
    pub fn from_toml(text: &str) -> Result<EvaluationRule, RuleError> {
        let custom: CustomRule = toml::from_str(text).map_err(|e| RuleError {
            line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: toml_message(&e),
        })?;
        let line_of = |needle: &str, nth: usize| {
            text.match_indices(needle)
                .nth(nth)
                .map(|(i, _)| text[..i].matches('\n').count() + 1)
        };
        let bad = |nth: usize, message: String| RuleError {
            line: line_of("[[band]]", nth),
            message,
        };
        if custom.name.trim().is_empty() {
            return Err(RuleError {
                line: line_of("name", 0),
                message: "`name`(ルールの名前)が空です".into(),
            });
        }
        if custom.bands.is_empty() {
            return Err(RuleError {
                line: None,
                message: "`[[band]]` が1つもありません。評価の記号ごとに `[[band]]` を書いてください".into(),
            });
        }
        let last = custom.bands.len() - 1;
        let mut prev: Option<f64> = None;
        for (i, b) in custom.bands.iter().enumerate() {
            match (b.at_least, i == last) {
                (None, false) => {
                    return Err(bad(
                        i,
                        format!(
                            "{}つ目の `[[band]]`(記号「{}」)に `at_least` がありません。最後の `[[band]]` 以外は下限が必要です",
                            i + 1,
                            b.mark
                        ),
                    ))
                }
                (Some(v), _) if !v.is_finite() => {
                    return Err(bad(i, format!("{}つ目の `[[band]]` の `at_least` が数ではありません", i + 1)))
                }
                (Some(v), _) => {
                    if prev.is_some_and(|p| v >= p) {
                        return Err(bad(
                            i,
                            format!(
                                "{}つ目の `[[band]]`(記号「{}」)の `at_least` {v} は一つ前より小さくしてください(良い記号から順に書きます)",
                                i + 1,
                                b.mark
                            ),
                        ));
                    }
                    prev = Some(v);
                }
                (None, true) => {}
            }
            if b.mark.trim() == "-" {
                return Err(bad(i, "記号「-」は判定不能のための記号です。別の記号にしてください".into()));
            }
        }
        let rule = EvaluationRule {
            kind: RuleKind::Custom,
            custom: Some(custom),
            ..EvaluationRule::default()
        };
        rule.scale().check().map_err(|message| RuleError { line: None, message })?;
        Ok(rule)
    }

    /// The rule's name as people choose it: `maru`, …, or the custom rule's own.
    pub fn name(&self) -> String {
        match self.kind {
            RuleKind::Maru => "maru".into(),
            RuleKind::RatioAbcd => "ratio-abcd".into(),
            RuleKind::ProgressAbcd => "progress-abcd".into(),
            RuleKind::Kitaichi => "kitaichi".into(),
            RuleKind::Custom => self.custom.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        }
    }

    /// A sentence saying how the rule rates.
    pub fn description(&self) -> String {
        match self.kind {
            RuleKind::Maru => "○ 目標値を達成 / △ 実績はあるが未達成 / × 進捗が下限未満(設定時) / - KPIなし".into(),
            RuleKind::RatioAbcd => "目標値に対する実績の比率 r で A (1.10以上) / B (0.80以上) / C (0.50以上) / D".into(),
            RuleKind::ProgressAbcd => "基準値からの進捗 p で 達成 (1以上) / 前進 / 横ばい (0) / 後退 (0未満)".into(),
            RuleKind::Kitaichi => "◎ 最終目標値に到達 / ○ 期待値以上 / △ 基準値より前進 / ● 基準値以下".into(),
            RuleKind::Custom => match &self.custom {
                Some(c) => {
                    let m = match c.measure {
                        Measure::Ratio => "比率 r",
                        Measure::Progress => "進捗 p",
                    };
                    let bands: Vec<String> = c
                        .bands
                        .iter()
                        .map(|b| match b.at_least {
                            Some(v) => format!("{} ({v}以上)", b.mark),
                            None => b.mark.clone(),
                        })
                        .collect();
                    format!("{m} で {}", bands.join(" / "))
                }
                None => String::new(),
            },
        }
    }

    /// The plan's evaluation scale under this rule.
    pub fn scale(&self) -> Scale {
        match self.kind {
            RuleKind::Maru => Scale::maru(),
            RuleKind::RatioAbcd => Scale::of(&[
                ("A", Some("目標を大きく上回る")),
                ("B", Some("概ね順調")),
                ("C", Some("やや遅れ")),
                ("D", Some("遅れ")),
            ]),
            RuleKind::ProgressAbcd => Scale::of(&[("達成", None), ("前進", None), ("横ばい", None), ("後退", None)]),
            RuleKind::Kitaichi => Scale::of(&[
                ("◎", Some("目標達成")),
                ("○", Some("期待値以上")),
                ("△", Some("期待値未満")),
                ("●", Some("基準値以下")),
            ]),
            RuleKind::Custom => {
                let bands = self.custom.as_ref().map(|c| c.bands.as_slice()).unwrap_or_default();
                let marks: Vec<(&str, Option<&str>)> = bands.iter().map(|b| (b.mark.as_str(), b.label.as_deref())).collect();
                Scale::of(&marks)
            }
        }
    }

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
            Direction::Up => a >= t - EPS,
            Direction::Down => a <= t + EPS,
            Direction::Keep => (a - t).abs() <= EPS,
        };
        Some(match tp {
            Parsed::Number(q) => cmp(q.value),
            Parsed::Qualified(q, Qualifier::AtLeast) => a >= q.value - EPS,
            Parsed::Qualified(q, Qualifier::Over) => a > q.value,
            Parsed::Qualified(q, Qualifier::AtMost) => a <= q.value + EPS,
            Parsed::Qualified(q, Qualifier::Under) => a < q.value,
            Parsed::Qualified(q, Qualifier::Almost) => match direction {
                Direction::Up | Direction::Keep => a >= q.value * self.almost_ratio - EPS,
                Direction::Down => a <= q.value / self.almost_ratio + EPS,
            },
            Parsed::Dash | Parsed::Text => return None,
        })
    }

    /// Rates one KPI for one year against the target in force for that year.
    pub fn rate(&self, kpi: &Kpi, year: FiscalYear) -> Rating {
        let scale = self.scale();
        let none = |rate, ratio, expected| Rating {
            mark: Evaluation::NONE,
            rate,
            ratio,
            expected,
        };
        let target = kpi.target_for(year, year);
        let actual = kpi.actuals.get(&year).map(|a| &a.value).filter(|a| !a.is_dash());
        let b = kpi.baseline.as_ref().and_then(KpiValue::number);
        let a = actual.and_then(KpiValue::comparable);
        let t = target.as_ref().and_then(KpiValue::number);
        let expected = expected_value(kpi, year);
        // The direction the measures use: 維持, and a target equal to its baseline, keep a level.
        let keep = kpi.direction == Direction::Keep || matches!((b, t), (Some(b), Some(t)) if (t - b).abs() <= EPS);
        let tolerance = match kpi.direction {
            Direction::Keep => kpi.tolerance.as_ref().and_then(KpiValue::number).unwrap_or(0.0).abs(),
            _ => 0.0,
        };
        let rate = match (a, b, t) {
            (Some(a), Some(b), Some(t)) if (t - b).abs() > EPS => Some((a - b) / (t - b)),
            _ => None,
        };
        let ratio = match (a, t) {
            (Some(a), Some(t)) if keep && a > 0.0 && t > 0.0 => Some((a / t).min(t / a)),
            (Some(_), Some(_)) if keep => None,
            (Some(a), Some(t)) if kpi.direction == Direction::Down => (a > 0.0).then(|| t / a),
            (Some(a), Some(t)) => (t != 0.0).then(|| a / t),
            _ => None,
        }
        .filter(|r| r.is_finite());
        let (Some(target), Some(actual)) = (target.as_ref(), actual) else {
            return none(rate, ratio, expected);
        };
        let met = self.met(target, actual, kpi.direction);
        let rating = |mark| Rating {
            mark,
            rate,
            ratio,
            expected,
        };
        match target.parse() {
            Parsed::Dash => return none(rate, ratio, expected),
            Parsed::Text => {
                return if met == Some(true) {
                    rating(scale.top())
                } else {
                    none(rate, ratio, expected)
                }
            }
            Parsed::Qualified(..) if met == Some(true) => return rating(scale.top()),
            _ => {}
        }
        let Some(a) = a else {
            return none(rate, ratio, expected);
        };
        if keep {
            if let Some(t) = t {
                if (a - t).abs() <= tolerance + EPS {
                    return rating(scale.top());
                }
            }
        }
        // The way better lies when the measures compare (a 維持 KPI's from its baseline).
        let up = match kpi.direction {
            Direction::Up => true,
            Direction::Down => false,
            Direction::Keep => match (b, t) {
                (Some(b), Some(t)) => t >= b,
                _ => true,
            },
        };
        let reaches = |x: f64| if up { a >= x - EPS } else { a <= x + EPS };
        let lowest = || scale.rated().last().unwrap_or(Evaluation::NONE);
        let mark = match self.kind {
            RuleKind::Maru => {
                if !keep && met == Some(true) {
                    Evaluation::ACHIEVED
                } else {
                    let progress = achievement_rate(kpi.baseline.as_ref(), target, actual, kpi.direction);
                    match (self.not_achieved_below, progress) {
                        (Some(limit), Some(p)) if p < limit => Evaluation::NOT_ACHIEVED,
                        _ => Evaluation::PARTIAL,
                    }
                }
            }
            RuleKind::RatioAbcd => match ratio {
                Some(r) => band(&scale, &[1.10, 0.80, 0.50], r),
                None => Evaluation::NONE,
            },
            RuleKind::ProgressAbcd => match rate {
                _ if keep && kpi.direction != Direction::Keep => lowest(),
                Some(p) if p >= 1.0 - EPS => mark_at(&scale, 0),
                Some(p) if p > EPS => mark_at(&scale, 1),
                Some(p) if p >= -EPS => mark_at(&scale, 2),
                Some(_) => mark_at(&scale, 3),
                None if keep && b.is_some() => lowest(),
                None => Evaluation::NONE,
            },
            RuleKind::Kitaichi => {
                let fin = final_target(kpi, year);
                if keep && fin.zip(b).is_none_or(|(f, b)| (f - b).abs() <= EPS) {
                    lowest()
                } else if fin.is_some_and(reaches) {
                    mark_at(&scale, 0)
                } else if expected.or(t).is_some_and(reaches) {
                    mark_at(&scale, 1)
                } else {
                    match b {
                        Some(b) if (up && a > b + EPS) || (!up && a < b - EPS) => mark_at(&scale, 2),
                        Some(_) => mark_at(&scale, 3),
                        None => Evaluation::NONE,
                    }
                }
            }
            RuleKind::Custom => {
                let Some(c) = &self.custom else {
                    return none(rate, ratio, expected);
                };
                let m = match c.measure {
                    Measure::Ratio => ratio,
                    Measure::Progress => rate,
                };
                match m {
                    Some(m) => {
                        let edges: Vec<f64> = c.bands.iter().filter_map(|b| b.at_least).collect();
                        band(&scale, &edges, m)
                    }
                    None if keep && b.is_some() => lowest(),
                    None => Evaluation::NONE,
                }
            }
        };
        rating(mark)
    }

    /// The proposed evaluation of one KPI in one year; `None` when nothing can be
    /// judged (no actual, `-`, a worded target not yet met, no target).
    pub fn propose_kpi(&self, kpi: &Kpi, year: FiscalYear) -> Option<Evaluation> {
        let mark = self.rate(kpi, year).mark;
        (!mark.is_none()).then_some(mark)
    }

    /// The proposed evaluation of a project from its KPIs: `-` without a KPI; `None`
    /// while no KPI can be judged. `maru`: ○ when every KPI is ○, × when every judged
    /// KPI is ×, else △. Other scales: the mean of the judged KPIs' places on the
    /// scale, a half rounded towards the lower mark.
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
            return Some(Evaluation::NONE);
        }
        if marks.is_empty() {
            return None;
        }
        if self.kind == RuleKind::Maru {
            return Some(if marks.iter().all(|m| *m == Evaluation::ACHIEVED) {
                Evaluation::ACHIEVED
            } else if marks.iter().all(|m| *m == Evaluation::NOT_ACHIEVED) {
                Evaluation::NOT_ACHIEVED
            } else {
                Evaluation::PARTIAL
            });
        }
        let scale = self.scale();
        let ranks: Vec<usize> = marks.iter().filter_map(|m| scale.rank(m)).collect();
        if ranks.is_empty() {
            return None;
        }
        let mean = ranks.iter().sum::<usize>() as f64 / ranks.len() as f64;
        Some(mark_at(&scale, (mean + 0.5).floor() as usize))
    }
}

/// The mark at a place of the scale (0 = best), never `-`.
fn mark_at(scale: &Scale, place: usize) -> Evaluation {
    let rated: Vec<Evaluation> = scale.rated().collect();
    rated
        .get(place.min(rated.len().saturating_sub(1)))
        .cloned()
        .unwrap_or(Evaluation::NONE)
}

/// The mark of the first band whose lower edge the measure reaches; the last mark below them all.
fn band(scale: &Scale, edges: &[f64], m: f64) -> Evaluation {
    let place = edges.iter().position(|e| m >= e - EPS).unwrap_or(edges.len());
    mark_at(scale, place)
}

/// The final target (the last target year's number) in force when `year` is rated.
pub fn final_target(kpi: &Kpi, year: FiscalYear) -> Option<f64> {
    let (_, last) = final_target_year(kpi, year)?;
    Some(last)
}

fn final_target_year(kpi: &Kpi, year: FiscalYear) -> Option<(FiscalYear, f64)> {
    kpi.targets
        .keys()
        .rev()
        .find_map(|y| kpi.target_for(*y, year).and_then(|v| v.number()).map(|n| (*y, n)))
}

/// 期待値 E = 基準値 + (最終目標値 − 基準値) × (年度 − 基準年度) / (目標年度 − 基準年度): where
/// the KPI would stand in `year` on a straight line from its baseline to its final
/// target. Defined only with a numeric baseline, its year, and a final target year after it.
pub fn expected_value(kpi: &Kpi, year: FiscalYear) -> Option<f64> {
    let b = kpi.baseline.as_ref()?.number()?;
    let yb = kpi.baseline_year?;
    let (yf, f) = final_target_year(kpi, year)?;
    if yf.0 <= yb.0 {
        return None;
    }
    let e = b + (f - b) * f64::from(year.0 - yb.0) / f64::from(yf.0 - yb.0);
    e.is_finite().then_some(e)
}

fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message();
    if let Some(field) = m.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
        return format!(
            "「{field}」は評価ルールの項目ではありません(使える項目: `name`、`measure`、`[[band]]` の `mark`、`label`、`at_least`)"
        );
    }
    if let Some(field) = m.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        return format!("「{field}」がありません");
    }
    if m.contains("unknown variant") {
        return "`measure` は \"ratio\"(比率)か \"progress\"(進捗)にしてください".into();
    }
    if m.contains("invalid type") {
        return "値の種類が違います(`name` と `mark` は文字列、`at_least` は数)".into();
    }
    "TOML として読めません(書式を確認してください)".into()
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
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::ACHIEVED), "{s}");
        }
        for s in ["△", "△ (一部達成)", "一部達成"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::PARTIAL), "{s}");
        }
        for s in ["×", "✕", "× (未達成)"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::NOT_ACHIEVED), "{s}");
        }
        for s in ["-", "－"] {
            assert_eq!(Evaluation::parse(s), Ok(Evaluation::NONE), "{s}");
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
