//! Fiscal years (年度) and as-of dates (時点), in the 和暦 forms the plans use.
//!
//! A Japanese fiscal year runs April–March and is named after its starting
//! calendar year: 令和5年度 = R5 = FY2023 (April 2023 – March 2024).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::normalize_width;

/// The first western year of the 令和 era (令和元年 = 2019).
const REIWA_BASE: i32 = 2018;
/// The first western year of the 平成 era (平成元年 = 1989).
const HEISEI_BASE: i32 = 1988;

/// A fiscal year (年度), stored as its starting western year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FiscalYear(pub i32);

/// A number, or its digits as text (a map key in JSON is a string: `{"2023": …}`).
impl<'de> Deserialize<'de> for FiscalYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Year;
        impl serde::de::Visitor<'_> for Year {
            type Value = FiscalYear;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("2023 のような年度")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<FiscalYear, E> {
                i32::try_from(v).map(FiscalYear).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FiscalYear, E> {
                i32::try_from(v).map(FiscalYear).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FiscalYear, E> {
                v.trim().parse().map(FiscalYear).map_err(E::custom)
            }
        }
        d.deserialize_any(Year)
    }
}

/// How a fiscal year is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearStyle {
    /// `R5`
    Short,
    /// `令和5年度` (`令和元年度` for 2019)
    Long,
    /// `2023`
    Western,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{input}」は年度として読めません(例: 2023、R5、令和5年度)")]
pub struct FiscalYearError {
    pub input: String,
}

impl FiscalYear {
    /// The 令和 year number (R5 → 5). Years before 令和 give 0 or negative numbers.
    pub fn reiwa(self) -> i32 {
        self.0 - REIWA_BASE
    }

    pub fn from_reiwa(n: i32) -> Self {
        FiscalYear(n + REIWA_BASE)
    }

    /// `R5` for 令和 years; `H30` for 平成 years.
    pub fn short(self) -> String {
        if self.0 > REIWA_BASE {
            format!("R{}", self.reiwa())
        } else {
            format!("H{}", self.0 - HEISEI_BASE)
        }
    }

    /// `令和5年度`, `令和元年度` (never `令和1年度`).
    pub fn long(self) -> String {
        let (era, n) = if self.0 > REIWA_BASE {
            ("令和", self.reiwa())
        } else {
            ("平成", self.0 - HEISEI_BASE)
        };
        if n == 1 {
            format!("{era}元年度")
        } else {
            format!("{era}{n}年度")
        }
    }

    pub fn styled(self, style: YearStyle) -> String {
        match style {
            YearStyle::Short => self.short(),
            YearStyle::Long => self.long(),
            YearStyle::Western => self.0.to_string(),
        }
    }

    /// Parses `2023`, `FY2023`, `2023年度`, `R5`, `R5年度`, `令和5年度`, `令和元年度`,
    /// `H30`, `平成30年度`, with full-width digits and surrounding spaces allowed.
    pub fn parse(input: &str) -> Result<Self, FiscalYearError> {
        let err = || FiscalYearError { input: input.to_string() };
        let s = normalize_width(input.trim());
        let s = s.trim();
        let s = s.strip_suffix("年度").or_else(|| s.strip_suffix('年')).unwrap_or(s).trim();
        let s = s.strip_prefix("FY").or_else(|| s.strip_prefix("fy")).unwrap_or(s);
        let (base, rest) = if let Some(r) = s.strip_prefix("令和") {
            (Some(REIWA_BASE), r)
        } else if let Some(r) = s.strip_prefix('R').or_else(|| s.strip_prefix('r')) {
            (Some(REIWA_BASE), r)
        } else if let Some(r) = s.strip_prefix("平成") {
            (Some(HEISEI_BASE), r)
        } else if let Some(r) = s.strip_prefix('H').or_else(|| s.strip_prefix('h')) {
            (Some(HEISEI_BASE), r)
        } else {
            (None, s)
        };
        let rest = rest.trim();
        let n: i32 = if rest == "元" && base.is_some() {
            1
        } else if !rest.is_empty() && rest.len() <= 4 && rest.bytes().all(|b| b.is_ascii_digit()) {
            rest.parse().map_err(|_| err())?
        } else {
            return Err(err());
        };
        match base {
            Some(b) if (1..=99).contains(&n) => Ok(FiscalYear(b + n)),
            None if (1900..=2200).contains(&n) => Ok(FiscalYear(n)),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for FiscalYear {
    /// The long 和暦 form, `令和5年度`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.long())
    }
}

impl FromStr for FiscalYear {
    type Err = FiscalYearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FiscalYear::parse(s)
    }
}

/// An as-of date (時点) such as `R6.3.31` (= 2024-03-31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AsOf {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{input}」は日付として読めません(例: R6.3.31、2024-03-31、令和6年3月31日)")]
pub struct AsOfError {
    pub input: String,
}

impl AsOf {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days).then_some(AsOf { year, month, day })
    }

    /// `R6.3.31`
    pub fn short(self) -> String {
        let era = if self.year > REIWA_BASE {
            format!("R{}", self.year - REIWA_BASE)
        } else {
            format!("H{}", self.year - HEISEI_BASE)
        };
        format!("{era}.{}.{}", self.month, self.day)
    }

    /// `令和6年5月31日`
    pub fn long(self) -> String {
        let y = self.year - REIWA_BASE;
        let era = if y == 1 { "令和元".to_string() } else { format!("令和{y}") };
        format!("{era}年{}月{}日", self.month, self.day)
    }

    /// `2024-03-31`
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The fiscal year the date falls in (2024-03-31 → FY2023).
    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear(if self.month >= 4 { self.year } else { self.year - 1 })
    }

    /// Parses `R6.3.31`, `令和6年3月31日`, `2024-03-31`, `2024/3/31`, also when wrapped
    /// as in the sheet header `※R6.3.31時点`.
    pub fn parse(input: &str) -> Result<Self, AsOfError> {
        let err = || AsOfError { input: input.to_string() };
        let s = normalize_width(input.trim());
        let s = s.trim_start_matches('※').trim();
        let s = s.strip_suffix("時点").unwrap_or(s).trim();
        let s = s.strip_suffix("現在").unwrap_or(s).trim();
        let (base, rest) = if let Some(r) = s.strip_prefix("令和") {
            (REIWA_BASE, r)
        } else if let Some(r) = s.strip_prefix('R') {
            (REIWA_BASE, r)
        } else if let Some(r) = s.strip_prefix("平成") {
            (HEISEI_BASE, r)
        } else if let Some(r) = s.strip_prefix('H') {
            (HEISEI_BASE, r)
        } else {
            (0, s)
        };
        let rest = rest.strip_suffix('日').unwrap_or(rest);
        let rest = rest.replacen("元", "1", 1);
        let parts: Vec<&str> = rest.split(['.', '-', '/', '年', '月']).map(str::trim).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 4)
        {
            return Err(err());
        }
        let y: i32 = parts[0].parse().map_err(|_| err())?;
        let m: u8 = parts[1].parse().map_err(|_| err())?;
        let d: u8 = parts[2].parse().map_err(|_| err())?;
        let year = if base == 0 {
            if !(1900..=2200).contains(&y) {
                return Err(err());
            }
            y
        } else {
            if !(1..=99).contains(&y) {
                return Err(err());
            }
            base + y
        };
        AsOf::new(year, m, d).ok_or_else(err)
    }
}

impl fmt::Display for AsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl Serialize for AsOf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for AsOf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AsOf::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_written_form() {
        for s in [
            "2023",
            "R5",
            "r5",
            "R5年度",
            "令和5年度",
            "令和５年度",
            "FY2023",
            "2023年度",
            " R 5 ",
            "Ｒ５",
        ] {
            assert_eq!(FiscalYear::parse(s), Ok(FiscalYear(2023)), "{s}");
        }
        assert_eq!(FiscalYear::parse("令和元年度"), Ok(FiscalYear(2019)));
        assert_eq!(FiscalYear::parse("H30"), Ok(FiscalYear(2018)));
        assert_eq!(FiscalYear::parse("平成30年度"), Ok(FiscalYear(2018)));
    }

    #[test]
    fn refuses_what_is_not_a_year() {
        for s in ["", "R", "令和", "R0", "R100", "abc", "20233", "123", "R5.3", "令和1.5年度", "元"] {
            assert!(FiscalYear::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn prints_gannen_never_1nen() {
        assert_eq!(FiscalYear(2019).long(), "令和元年度");
        assert_eq!(FiscalYear(2020).long(), "令和2年度");
        assert_eq!(FiscalYear(2023).short(), "R5");
        assert_eq!(FiscalYear(2023).to_string(), "令和5年度");
    }

    #[test]
    fn round_trips_every_year_of_the_era() {
        for y in 1990..2100 {
            let fy = FiscalYear(y);
            for st in [YearStyle::Short, YearStyle::Long, YearStyle::Western] {
                assert_eq!(FiscalYear::parse(&fy.styled(st)), Ok(fy), "{}", fy.styled(st));
            }
        }
    }

    #[test]
    fn as_of_dates() {
        let d = AsOf::parse("R6.3.31").unwrap();
        assert_eq!(d, AsOf::new(2024, 3, 31).unwrap());
        assert_eq!(d.short(), "R6.3.31");
        assert_eq!(d.fiscal_year(), FiscalYear(2023));
        assert_eq!(AsOf::parse("※R6.3.31時点"), Ok(d));
        assert_eq!(AsOf::parse("令和6年3月31日"), Ok(d));
        assert_eq!(AsOf::parse("2024-03-31"), Ok(d));
        assert_eq!(AsOf::parse("2024/3/31"), Ok(d));
        assert_eq!(AsOf::parse("Ｒ６．３．３１"), Ok(d));
        assert!(AsOf::parse("R6.2.30").is_err());
        assert!(AsOf::parse("R6.13.1").is_err());
        assert!(AsOf::parse("yesterday").is_err());
    }
}
