//! Project cards (プロジェクト別 主な指標及び工程, Tokushima seed 002): per project
//! its KGI and its KPIs grouped under CSFs with 目標/実績 per fiscal year, then
//! 課題とアクション, 取組内容 and 予算 for the year and 取組予定 and 予算 for the
//! next. [`Card`] is what a card says, decided once; `xlsx.rs` and `pdf.rs` lay
//! it out.

pub mod pdf;
pub mod xlsx;

use crate::fy::FiscalYear;
use crate::model::{Activity, BudgetLine, BudgetMismatch, IssueActions, Kpi, Plan, Project};
use crate::value::Parsed;

/// One project card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub project_no: String,
    /// `5 スマート自治体推進プロジェクト`
    pub title: String,
    /// `基本目標(分野)`, `重点戦略` and the like: (label, text).
    pub positioning: Vec<(String, String)>,
    /// プロジェクトの内容, one line each.
    pub contents: Vec<String>,
    /// `※実績値はR6.3.31時点(見込)`, when the plan has an as-of date.
    pub actuals_note: Option<String>,
    pub years: Vec<FiscalYear>,
    /// The KGI first (a group without a heading), then one group per CSF.
    pub groups: Vec<KpiGroup>,
    pub year: FiscalYear,
    pub actions: Vec<IssueActions>,
    /// 取組内容 of the year and 取組予定 of the next, each with its 予算.
    pub sections: Vec<YearSection>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiGroup {
    /// `CSF-1 : 最新デジタル技術の活用拡大`; `None` for the KGI.
    pub heading: Option<String>,
    pub tables: Vec<KpiTable>,
}

/// One KPI's table: a heading, 担当課, two rows of cells over the years, footnotes.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiTable {
    pub no: u32,
    /// `KGI : 公文書の電子化率(電子決裁システム利用率)`
    pub heading: String,
    pub is_kgi: bool,
    pub divisions: Vec<String>,
    pub targets: Vec<Cell>,
    pub actuals: Vec<Cell>,
    pub footnotes: Vec<String>,
    /// Whether a chart is worth drawing (some value is a number).
    pub chartable: bool,
}

/// A cell of a KPI table: its text and how many year columns it covers. A worded
/// target that carries on over the following years is one cell with `→`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub span: usize,
}

/// 取組内容 (a past or current year) or 取組予定 (a coming one), with the budget.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSection {
    pub year: FiscalYear,
    /// `令和5年度における取組内容` / `令和6年度における取組予定`
    pub heading: String,
    pub activities: Vec<Activity>,
    pub budget: Option<i64>,
    pub budget_lines: Vec<BudgetLine>,
    pub mismatch: Option<BudgetMismatch>,
}

/// The dash printed for a year without a value.
pub const DASH: &str = "—";

/// `43,624千円`
pub fn yen(thousands: i64) -> String {
    let digits = thousands.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}千円", if thousands < 0 { "-" } else { "" })
}

/// What a stated total that is not the sum of its lines is flagged with.
pub fn mismatch_note(m: BudgetMismatch) -> String {
    format!(
        "※内訳の合計は{}で、総額{}と{}の差があります(記載のまま)",
        yen(m.sum),
        yen(m.stated),
        yen((m.stated - m.sum).abs())
    )
}

/// The cards of a plan in plan order: all projects, or those numbered in `only`.
pub fn cards(plan: &Plan, only: &[String], year: FiscalYear) -> Result<Vec<Card>, String> {
    for no in only {
        if plan.project(no).is_none() {
            let nos: Vec<&str> = plan.projects().map(|p| p.no.as_str()).collect();
            let more = if nos.len() > 12 { " …" } else { "" };
            return Err(format!(
                "事業番号 {no} はこの計画にありません(この計画の事業番号: {}{more})",
                nos[..nos.len().min(12)].join("、")
            ));
        }
    }
    let out: Vec<Card> = plan
        .projects()
        .filter(|p| only.is_empty() || only.contains(&p.no))
        .map(|p| card(plan, p, year))
        .collect();
    if out.is_empty() {
        return Err("この計画には事業がないため、事業カードを作れません".into());
    }
    Ok(out)
}

/// One project's card for `year`.
pub fn card(plan: &Plan, p: &Project, year: FiscalYear) -> Card {
    let years = plan.fiscal_years.clone();
    let mut positioning = Vec::new();
    if let Some(a) = plan.area(&p.area) {
        positioning.push((label_of(&a.code, "分野"), a.name.clone().unwrap_or_default()));
    }
    if let Some(name) = plan.item_name(&p.area, p.item.as_deref()) {
        positioning.push((label_of(p.item.as_deref().unwrap_or(""), "項目"), name.to_string()));
    }
    let mut groups: Vec<KpiGroup> = Vec::new();
    for r in &p.kpis {
        let Some(k) = plan.kpi(r.no) else { continue };
        let table = kpi_table(k, &years, year);
        let heading = if table.is_kgi {
            None
        } else {
            k.group.as_ref().map(|g| group_heading(g))
        };
        match groups.iter_mut().find(|g| g.heading == heading) {
            Some(g) => g.tables.push(table),
            None => groups.push(KpiGroup {
                heading,
                tables: vec![table],
            }),
        }
    }
    // The KGI leads, as on the card.
    groups.sort_by_key(|g| g.heading.is_some());
    let section = |y: FiscalYear, heading: String| {
        let d = p.years.get(&y).cloned().unwrap_or_default();
        YearSection {
            year: y,
            heading,
            mismatch: d.budget_mismatch(),
            activities: d.activities,
            budget: d.budget,
            budget_lines: d.budget_lines,
        }
    };
    let mut sections = vec![section(year, format!("{}における取組内容", year.long()))];
    let next = FiscalYear(year.0 + 1);
    if p.years.get(&next).is_some_and(|d| !d.activities.is_empty() || d.budget.is_some()) {
        sections.push(section(next, format!("{}における取組予定", next.long())));
    }
    Card {
        project_no: p.no.clone(),
        title: format!("{} {}", p.no, p.name.as_deref().unwrap_or("")).trim().to_string(),
        positioning,
        contents: p
            .summary
            .as_deref()
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        actuals_note: plan.as_of.map(|a| format!("※実績値は{}時点", a.short())),
        years,
        groups,
        year,
        actions: p.years.get(&year).map(|d| d.actions.clone()).unwrap_or_default(),
        sections,
    }
}

/// The label of an area or item code on the card: the seed's codes are the labels
/// themselves (`基本目標`, `重点戦略`); other plans get `分野 I-1`.
fn label_of(code: &str, kind: &str) -> String {
    if code.chars().any(|c| c.is_ascii_digit() || c.is_ascii_punctuation()) || code.chars().count() <= 2 {
        format!("{kind} {code}")
    } else {
        code.to_string()
    }
}

/// `CSF-1 最新デジタル技術の活用拡大` → `CSF-1 : 最新デジタル技術の活用拡大`
fn group_heading(g: &str) -> String {
    match g.split_once(' ') {
        Some((code, name)) if code.is_ascii() => format!("{code} : {name}"),
        _ => g.to_string(),
    }
}

fn kpi_table(k: &Kpi, years: &[FiscalYear], year: FiscalYear) -> KpiTable {
    let is_kgi = k.label.as_deref() == Some("KGI");
    let code = k.label.clone().unwrap_or_else(|| format!("KPI {}", k.no));
    // The targets in force for the card's year; a revised one is marked ※ and explained below.
    let mut footnotes = k.footnotes.clone();
    let targets = carried_cells(
        years
            .iter()
            .map(|y| {
                let v = k.target_for(*y, year)?;
                if k.revised_for(*y, year) {
                    let r = k.revisions.iter().rev().find(|r| r.year == *y && r.from <= year);
                    footnotes.push(format!(
                        "※{}の目標値は改定後の値です(当初 {}{})",
                        y.long(),
                        k.original_target(*y).map_or("なし", |o| o.text()),
                        r.and_then(|r| r.reason.as_deref()).map(|t| format!("、{t}")).unwrap_or_default()
                    ));
                    Some(format!("{}※", v.text()))
                } else {
                    Some(v.text().to_string())
                }
            })
            .collect(),
    );
    let actuals = years
        .iter()
        .map(|y| Cell {
            text: k.actuals.get(y).map(|a| a.value.text().to_string()).unwrap_or_else(|| DASH.into()),
            span: 1,
        })
        .collect();
    let chartable = k
        .targets
        .values()
        .chain(k.actuals.values().map(|a| &a.value))
        .any(|v| v.number().is_some());
    KpiTable {
        no: k.no,
        heading: format!("{code} : {}", k.name),
        is_kgi,
        divisions: k.divisions.clone(),
        targets,
        actuals,
        footnotes,
        chartable,
    }
}

/// Year cells where a worded target repeated over the following years is one
/// cell ending in `→` (`より使いやすい利用環境へ改善(PDCA) →`), as the card prints it.
fn carried_cells(values: Vec<Option<String>>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let Some(v) = &values[i] else {
            out.push(Cell {
                text: DASH.into(),
                span: 1,
            });
            i += 1;
            continue;
        };
        let worded = crate::value::KpiValue::new(v).is_some_and(|k| matches!(k.parse(), Parsed::Text));
        let mut span = 1;
        while worded && i + span < values.len() && values[i + span].as_ref() == Some(v) {
            span += 1;
        }
        out.push(Cell {
            text: if span > 1 { format!("{v} →") } else { v.clone() },
            span,
        });
        i += span;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn the_tokushima_card_reads_as_the_seed() {
        let p = seed::tokushima_plan().unwrap();
        let cards = cards(&p, &[], FiscalYear(2023)).unwrap();
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.title, "5 スマート自治体推進プロジェクト");
        let heads: Vec<Option<&str>> = c.groups.iter().map(|g| g.heading.as_deref()).collect();
        assert_eq!(
            heads,
            [
                None,
                Some("CSF-1 : 最新デジタル技術の活用拡大"),
                Some("CSF-2 : 行政運営のデジタル化の促進"),
                Some("CSF-3 : デジタル行政を支える基盤整備や人材育成")
            ]
        );
        let kgi = &c.groups[0].tables[0];
        let texts = |cells: &[Cell]| cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&kgi.targets), ["—", "90%", "100%", "100%", "100%"]);
        assert_eq!(texts(&kgi.actuals), ["87%", "96%", "100%", "100%", "—"]);
        // テレワーク: 運用, then one carried cell over R4–R6.
        let telework = &c.groups[2].tables[1];
        assert_eq!(telework.targets.len(), 3);
        assert_eq!(telework.targets[2].span, 3);
        assert_eq!(telework.targets[2].text, "より使いやすい利用環境へ改善(PDCA) →");
        assert!(!telework.chartable);
        assert_eq!(telework.divisions, ["人事課", "スマート県庁推進課"]);
        // The budget total as stated, flagged: the lines sum to 300千円 less.
        let r5 = &c.sections[0];
        assert_eq!(r5.heading, "令和5年度における取組内容");
        assert_eq!(r5.budget, Some(43_624));
        assert_eq!(
            r5.mismatch,
            Some(BudgetMismatch {
                stated: 43_624,
                sum: 43_324
            })
        );
        assert_eq!(c.sections[1].heading, "令和6年度における取組予定");
        assert_eq!(c.actions.len(), 2);
        assert_eq!(yen(181_884), "181,884千円");
    }

    #[test]
    fn unknown_projects_are_named() {
        let p = seed::tokushima_plan().unwrap();
        let e = cards(&p, &["9".into()], FiscalYear(2023)).unwrap_err();
        assert!(e.contains("事業番号 9 はこの計画にありません(この計画の事業番号: 5)"), "{e}");
        let ok = seed::okayama_plan().unwrap();
        assert!(cards(&ok, &[], FiscalYear(2023)).unwrap_err().contains("事業がない"));
    }
}

/// The card lists as the 事業年度データ sheet writes them, one text per cell:
/// readable in Excel and read back exactly.
pub mod text {
    use crate::model::{Activity, BudgetLine, IssueActions};

    /// `▶ title` / `・text` / a footnote line, per activity.
    pub fn activities(list: &[Activity]) -> String {
        let mut out = Vec::new();
        for a in list {
            out.push(format!("▶ {}", a.title));
            out.push(format!("・{}", a.text));
            if let Some(f) = &a.footnote {
                out.push(f.clone());
            }
        }
        out.join("\n")
    }

    pub fn parse_activities(text: &str) -> Result<Vec<Activity>, String> {
        let mut out: Vec<Activity> = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(t) = line.strip_prefix('▶') {
                out.push(Activity {
                    title: t.trim().to_string(),
                    text: String::new(),
                    footnote: None,
                });
                continue;
            }
            let Some(a) = out.last_mut() else {
                return Err(format!("主な取組は「▶ 見出し」の行から始めてください(「{line}」になっています)"));
            };
            match line.strip_prefix('・') {
                Some(t) if a.text.is_empty() => a.text = t.trim().to_string(),
                _ if a.footnote.is_none() && !a.text.is_empty() => a.footnote = Some(line.to_string()),
                _ => return Err(format!("「{line}」: ▶ 見出しごとに ・ の行は一つ、注記は一つまでです")),
            }
        }
        Ok(out)
    }

    /// `課題: issue` / `→ action`, per row.
    pub fn actions(list: &[IssueActions]) -> String {
        let mut out = Vec::new();
        for a in list {
            out.push(format!("課題: {}", a.issue));
            out.extend(a.actions.iter().map(|x| format!("→ {x}")));
        }
        out.join("\n")
    }

    pub fn parse_actions(text: &str) -> Result<Vec<IssueActions>, String> {
        let mut out: Vec<IssueActions> = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(t) = line.strip_prefix("課題:").or_else(|| line.strip_prefix("課題：")) {
                out.push(IssueActions {
                    issue: t.trim().to_string(),
                    actions: Vec::new(),
                });
            } else if let (Some(t), Some(a)) = (line.strip_prefix('→'), out.last_mut()) {
                a.actions.push(t.trim().to_string());
            } else {
                return Err(format!("「{line}」: 「課題: …」の行の後に「→ アクション」の行を書いてください"));
            }
        }
        Ok(out)
    }

    /// `item: 18,525` (千円), per line.
    pub fn budget_lines(list: &[BudgetLine]) -> String {
        list.iter()
            .map(|l| format!("{}: {}", l.item, super::yen(l.amount).trim_end_matches("千円")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn parse_budget_lines(text: &str) -> Result<Vec<BudgetLine>, String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (item, amount) = line
                    .rsplit_once([':', '：'])
                    .ok_or_else(|| format!("「{line}」: 「内訳: 金額(千円)」の形で書いてください"))?;
                let digits: String = crate::text::normalize_width(amount)
                    .replace([',', ' '], "")
                    .trim_end_matches("千円")
                    .to_string();
                let amount = digits
                    .parse::<i64>()
                    .map_err(|_| format!("「{line}」: 「{amount}」は千円単位の整数ではありません"))?;
                Ok(BudgetLine {
                    item: item.trim().to_string(),
                    amount,
                })
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::seed;

        #[test]
        fn the_card_lists_read_back_as_written() {
            let p = seed::tokushima_plan().unwrap();
            for d in p.projects().flat_map(|p| p.years.values()) {
                assert_eq!(parse_activities(&activities(&d.activities)).unwrap(), d.activities);
                assert_eq!(parse_actions(&actions(&d.actions)).unwrap(), d.actions);
                assert_eq!(parse_budget_lines(&budget_lines(&d.budget_lines)).unwrap(), d.budget_lines);
            }
            assert!(parse_budget_lines("RPA: 多い")
                .unwrap_err()
                .contains("千円単位の整数ではありません"));
            assert!(parse_actions("→ 先に行動").is_err());
            assert!(parse_activities("・本文だけ").is_err());
        }
    }
}
