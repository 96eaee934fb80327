//! KPI values (基準値・目標値・実績値) as the plans write them.
//!
//! A value is kept as its original text, so an export reproduces exactly what was
//! entered, and is read on demand as a number with a unit (`48.2%`, `64,169`,
//! `40百万枚`), a number with a qualifier (`4以上`, `ほぼ100%`), text (`運用`,
//! `構築済`) or "none" (`-`, `－`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::normalize_width;

/// One KPI value, exactly as written.
#[derive(Debug, Clone, Eq)]
pub struct KpiValue {
    text: String,
}

/// Equal values hash alike: by the canonical form, as they compare.
impl std::hash::Hash for KpiValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.canonical().hash(state);
    }
}

/// A number as written: `48.2%` is `value = 48.2, percent = true, decimals = 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub percent: bool,
    /// Digits written after the decimal point.
    pub decimals: u8,
    /// A unit word after the number (`百万枚`, `人`, `件`), not `%`.
    pub unit: Option<String>,
}

/// How a qualified number constrains what meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Qualifier {
    /// `N以上`
    AtLeast,
    /// `N以下`
    AtMost,
    /// `N超`
    Over,
    /// `N未満`
    Under,
    /// `ほぼN` / `約N`
    Almost,
}

/// What a value means.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// `-` / `－`: no value.
    Dash,
    Number(Quantity),
    Qualified(Quantity, Qualifier),
    /// A qualitative value (`運用`, `構築済`, `人口に対する保有枚数率:74%`).
    Text,
}

impl KpiValue {
    /// A value from its written text; `None` for an empty text.
    pub fn new(text: impl Into<String>) -> Option<Self> {
        let text: String = text.into();
        let t = text.trim();
        (!t.is_empty()).then(|| KpiValue { text: t.to_string() })
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn parse(&self) -> Parsed {
        parse(&self.text)
    }

    /// The value as a plain number if it is one (qualifiers included): `48.2%` → 48.2.
    pub fn number(&self) -> Option<f64> {
        match self.parse() {
            Parsed::Number(q) | Parsed::Qualified(q, _) => Some(q.value),
            _ => None,
        }
    }

    /// A number usable for comparison: the number itself, or for a text value the one
    /// number written inside it (`人口に対する保有枚数率:74%` → 74).
    pub fn comparable(&self) -> Option<f64> {
        match self.parse() {
            Parsed::Number(q) | Parsed::Qualified(q, _) => Some(q.value),
            Parsed::Text => embedded_number(&self.text),
            Parsed::Dash => None,
        }
    }

    pub fn is_dash(&self) -> bool {
        matches!(self.parse(), Parsed::Dash)
    }

    /// The form two values are compared in: numbers without digit grouping or
    /// full-width digits (`６４，１６９` and `64,169` are the same value), text as written.
    pub fn canonical(&self) -> String {
        match self.parse() {
            Parsed::Dash => "-".to_string(),
            Parsed::Number(q) => q.canonical(),
            Parsed::Qualified(q, k) => {
                let n = q.canonical();
                match k {
                    Qualifier::AtLeast => format!("{n}以上"),
                    Qualifier::AtMost => format!("{n}以下"),
                    Qualifier::Over => format!("{n}超"),
                    Qualifier::Under => format!("{n}未満"),
                    Qualifier::Almost => format!("ほぼ{n}"),
                }
            }
            Parsed::Text => self.text.clone(),
        }
    }

    /// A value from a number cell and its Excel number format (`0.482` with `0.0%`
    /// → `48.2%`; `64169` with `#,##0` → `64,169`).
    pub fn from_cell_number(n: f64, number_format: &str) -> Option<Self> {
        if !n.is_finite() {
            return None;
        }
        let fmt = number_format.split(';').next().unwrap_or("");
        if fmt.contains('%') {
            let decimals = decimals_in_format(fmt);
            return KpiValue::new(format!("{}%", format_fixed(n * 100.0, decimals, false)));
        }
        let decimals = decimals_in_format(fmt);
        let grouped = fmt.contains("#,##") || fmt.contains(",0");
        if fmt.is_empty() || fmt.eq_ignore_ascii_case("general") || !fmt.contains('0') {
            return KpiValue::new(general_number(n));
        }
        KpiValue::new(format_fixed(n, decimals, grouped))
    }
}

impl Quantity {
    fn canonical(&self) -> String {
        let mut s = format_fixed(self.value, self.decimals, false);
        if self.percent {
            s.push('%');
        }
        if let Some(u) = &self.unit {
            s.push_str(u);
        }
        s
    }

    /// The number as a spreadsheet would store it (`48.2%` → 0.482).
    pub fn cell_value(&self) -> f64 {
        if self.percent {
            // Rounded to the written precision so 0.482 stays 0.482, not 0.48200000000000004.
            let scale = 10f64.powi(i32::from(self.decimals) + 2);
            (self.value / 100.0 * scale).round() / scale
        } else {
            self.value
        }
    }

    /// The Excel number format that shows the number as written.
    pub fn cell_format(&self) -> String {
        let frac = if self.decimals > 0 {
            format!(".{}", "0".repeat(usize::from(self.decimals)))
        } else {
            String::new()
        };
        if self.percent {
            format!("0{frac}%")
        } else if self.decimals == 0 {
            "#,##0".to_string()
        } else if general_number(self.value) == format_fixed(self.value, self.decimals, false) {
            "General".to_string()
        } else {
            format!("0{frac}")
        }
    }
}

impl PartialEq for KpiValue {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text || self.canonical() == other.canonical()
    }
}

impl fmt::Display for KpiValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for KpiValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for KpiValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KpiValue::new(s).ok_or_else(|| serde::de::Error::custom("KPIの値が空です"))
    }
}

fn decimals_in_format(fmt: &str) -> u8 {
    match fmt.find('.') {
        Some(i) => fmt[i + 1..].chars().take_while(|c| *c == '0' || *c == '#').count().min(9) as u8,
        None => 0,
    }
}

/// Fixed decimals, optional digit grouping, no trailing `.`.
fn format_fixed(n: f64, decimals: u8, grouped: bool) -> String {
    let s = format!("{:.*}", usize::from(decimals), n);
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    if !grouped {
        return s;
    }
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// How Excel's General format shows a number: shortest form, at most 10 significant digits.
fn general_number(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let s = format!("{:.10}", n);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

const DASHES: [&str; 2] = ["-", "ー"];

fn parse(raw: &str) -> Parsed {
    let s = normalize_width(raw);
    let s = s.trim();
    if DASHES.contains(&s) {
        return Parsed::Dash;
    }
    let s = strip_footnote(s);
    let (prefix_q, s) = if let Some(r) = s.strip_prefix("ほぼ") {
        (Some(Qualifier::Almost), r.trim_start())
    } else if let Some(r) = s.strip_prefix('約') {
        (Some(Qualifier::Almost), r.trim_start())
    } else {
        (None, s)
    };
    let Some((value, decimals, rest)) = leading_number(s) else {
        return Parsed::Text;
    };
    let mut rest = rest.trim();
    let percent = rest.starts_with('%');
    if percent {
        rest = rest[1..].trim();
    }
    let mut suffix_q = None;
    for (word, q) in [
        ("以上", Qualifier::AtLeast),
        ("以下", Qualifier::AtMost),
        ("未満", Qualifier::Under),
        ("超", Qualifier::Over),
    ] {
        if let Some(r) = rest.strip_suffix(word) {
            suffix_q = Some(q);
            rest = r.trim();
            break;
        }
    }
    let unit = if rest.is_empty() {
        None
    } else if rest.chars().count() <= 6
        && !rest
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_whitespace() || "()（）:：、。,.%".contains(c))
        && !percent
    {
        Some(rest.to_string())
    } else {
        return Parsed::Text;
    };
    let q = Quantity {
        value,
        percent,
        decimals,
        unit,
    };
    match (prefix_q, suffix_q) {
        (None, None) => Parsed::Number(q),
        (Some(k), None) | (None, Some(k)) => Parsed::Qualified(q, k),
        (Some(_), Some(_)) => Parsed::Text,
    }
}

/// Removes a trailing footnote mark: `19件(※)`, `4(※)`, `7(※1)`, `6,000※`.
fn strip_footnote(s: &str) -> &str {
    let t = s.trim_end();
    if let Some(open) = t.rfind('(') {
        let inner = &t[open + 1..];
        if let Some(inner) = inner.strip_suffix(')') {
            if let Some(n) = inner.strip_prefix('※') {
                if n.bytes().all(|b| b.is_ascii_digit()) {
                    return t[..open].trim_end();
                }
            }
        }
    }
    if let Some(i) = t.rfind('※') {
        if t[i + '※'.len_utf8()..].bytes().all(|b| b.is_ascii_digit()) && i > 0 {
            return t[..i].trim_end();
        }
    }
    t
}

/// A number at the start of `s` (`-1,234.5`), with its decimals and the rest.
/// Digit groups are `,` followed by exactly three digits (also `, ` as OCR writes it).
fn leading_number(s: &str) -> Option<(f64, u8, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = String::new();
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        if b[i] == b'-' {
            digits.push('-');
        }
        i += 1;
    }
    let start = i;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            digits.push(b[i] as char);
            i += 1;
        } else if b[i] == b',' && i > start {
            let mut j = i + 1;
            if j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j + 3 <= b.len() && b[j..j + 3].iter().all(u8::is_ascii_digit) && (j + 3 == b.len() || !b[j + 3].is_ascii_digit()) {
                i = j;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    if i == start {
        return None;
    }
    let mut decimals = 0u8;
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        digits.push('.');
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] as char);
            decimals = decimals.saturating_add(1);
            i += 1;
        }
    }
    let v: f64 = digits.parse().ok()?;
    if !v.is_finite() || decimals > 9 {
        return None;
    }
    Some((v, decimals, &s[i..]))
}

/// The single number written inside a text (`保有枚数率:74%` → 74); `None` when
/// there is no number or more than one.
fn embedded_number(text: &str) -> Option<f64> {
    let s = normalize_width(text);
    let mut found = None;
    let mut rest = s.as_str();
    while let Some(pos) = rest.find(|c: char| c.is_ascii_digit()) {
        let (v, _, after) = leading_number(&rest[pos..])?;
        if found.is_some() {
            return None;
        }
        found = Some(v);
        rest = after;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Parsed {
        KpiValue::new(s).map(|v| v.parse()).unwrap_or(Parsed::Dash)
    }

    fn q(value: f64, percent: bool, decimals: u8, unit: Option<&str>) -> Quantity {
        Quantity {
            value,
            percent,
            decimals,
            unit: unit.map(str::to_string),
        }
    }

    #[test]
    fn parses_the_forms_in_the_plans() {
        assert_eq!(p("48.2%"), Parsed::Number(q(48.2, true, 1, None)));
        assert_eq!(p("64,169"), Parsed::Number(q(64169.0, false, 0, None)));
        assert_eq!(p("64, 169"), Parsed::Number(q(64169.0, false, 0, None)));
        assert_eq!(p("６７．４％"), Parsed::Number(q(67.4, true, 1, None)));
        assert_eq!(p("40百万枚"), Parsed::Number(q(40.0, false, 0, Some("百万枚"))));
        assert_eq!(p("3.54"), Parsed::Number(q(3.54, false, 2, None)));
        assert_eq!(p("380人"), Parsed::Number(q(380.0, false, 0, Some("人"))));
        assert_eq!(p("-"), Parsed::Dash);
        assert_eq!(p("－"), Parsed::Dash);
        assert_eq!(p("4以上"), Parsed::Qualified(q(4.0, false, 0, None), Qualifier::AtLeast));
        assert_eq!(p("ほぼ100%"), Parsed::Qualified(q(100.0, true, 0, None), Qualifier::Almost));
        assert_eq!(
            p("32百万枚以下"),
            Parsed::Qualified(q(32.0, false, 0, Some("百万枚")), Qualifier::AtMost)
        );
        assert_eq!(p("運用"), Parsed::Text);
        assert_eq!(p("構築済"), Parsed::Text);
        assert_eq!(p("人口に対する保有枚数率:74%"), Parsed::Text);
        assert_eq!(p("19件(※)"), Parsed::Number(q(19.0, false, 0, Some("件"))));
        assert_eq!(p("7(※1)"), Parsed::Number(q(7.0, false, 0, None)));
        assert_eq!(p("1,800件"), Parsed::Number(q(1800.0, false, 0, Some("件"))));
        assert_eq!(p("12,34"), Parsed::Text);
    }

    #[test]
    fn keeps_the_original_text() {
        let v = KpiValue::new(" ６７．４％ ").unwrap();
        assert_eq!(v.text(), "６７．４％");
        assert_eq!(v.canonical(), "67.4%");
        assert_eq!(v, KpiValue::new("67.4%").unwrap());
        assert_ne!(v, KpiValue::new("67.40%").unwrap());
        assert_eq!(KpiValue::new("14442").unwrap(), KpiValue::new("14,442").unwrap());
    }

    #[test]
    fn comparable_numbers() {
        let v = KpiValue::new("人口に対する保有枚数率:74%").unwrap();
        assert_eq!(v.comparable(), Some(74.0));
        assert_eq!(KpiValue::new("運用").unwrap().comparable(), None);
        assert_eq!(KpiValue::new("R5とR6").unwrap().comparable(), None);
    }

    #[test]
    fn cell_numbers_and_formats() {
        let v = KpiValue::from_cell_number(0.482, "0.0%").unwrap();
        assert_eq!(v.text(), "48.2%");
        assert_eq!(KpiValue::from_cell_number(64169.0, "#,##0").unwrap().text(), "64,169");
        assert_eq!(KpiValue::from_cell_number(3.54, "General").unwrap().text(), "3.54");
        assert_eq!(KpiValue::from_cell_number(0.375, "0.00%").unwrap().text(), "37.50%");
        assert_eq!(KpiValue::from_cell_number(1.0, "0.0%").unwrap().text(), "100.0%");
        assert_eq!(KpiValue::from_cell_number(0.01, "0%").unwrap().text(), "1%");
        let Parsed::Number(q) = KpiValue::new("48.2%").unwrap().parse() else {
            panic!()
        };
        assert_eq!(q.cell_value(), 0.482);
        assert_eq!(q.cell_format(), "0.0%");
        let Parsed::Number(q) = KpiValue::new("3.54").unwrap().parse() else {
            panic!()
        };
        assert_eq!(q.cell_format(), "General");
        let Parsed::Number(q) = KpiValue::new("3.50").unwrap().parse() else {
            panic!()
        };
        assert_eq!(q.cell_format(), "0.00");
        let Parsed::Number(q) = KpiValue::new("14442").unwrap().parse() else {
            panic!()
        };
        assert_eq!(q.cell_format(), "#,##0");
    }

    #[test]
    fn never_panics_on_odd_text() {
        for s in [
            "%",
            "ほぼ",
            "1e999",
            "9".repeat(400).as_str(),
            ",,,",
            "1,",
            "1.",
            ".5",
            "(※)",
            "※",
            "ほぼ以上",
            "-1,000以下",
            "1.2.3",
        ] {
            let _ = KpiValue::new(s).map(|v| (v.parse(), v.canonical(), v.comparable()));
        }
    }
}
