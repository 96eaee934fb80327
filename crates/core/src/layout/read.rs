//! A sheet in a layout read into a plan. A KPI table has no 事業 of its own: each
//! KPI row becomes a project of one KPI under its 分野 and 項目 (its name the 事業名
//! where the sheet has one, else the 項目's), so that its 評価, 担当課 and 備考 are kept row
//! by row. Every problem names its sheet and cell.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Field, Hierarchy, Layout, Mapped};
use crate::eval::{Evaluation, EvaluationRule};
use crate::fy::FiscalYear;
use crate::model::{Actual, Area, Entry, Item, Kpi, KpiRef, Owner, Plan, Project, ProjectYear};
use crate::text::{label_key, normalize_width};
use crate::value::KpiValue;
use crate::xlsx::import::{load_grid, Cell, Grid};
use calamine::Reader;

use crate::xlsx::package::Workbook;
use crate::xlsx::Problem;

/// Reads `path` with `layout` into a plan of `organization`.
pub fn read(path: &Path, layout: &Layout, organization: Option<&str>) -> Result<Plan, Vec<Problem>> {
    let file = path.display().to_string();
    let mut wb = Workbook::open(path).map_err(|m| {
        vec![Problem {
            sheet: file.clone(),
            cell: None,
            message: m,
        }]
    })?;
    let names: Vec<String> = wb.sheets.sheet_names().to_vec();
    let sheet = match &layout.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(vec![Problem {
                sheet: file,
                cell: None,
                message: format!("レイアウトのシート「{s}」がこのブックにありません(シート: {})", names.join("、")),
            }])
        }
        None => names.first().cloned().unwrap_or_default(),
    };
    let g = load_grid(&mut wb, &sheet).map_err(|p| vec![p])?;
    if !g.problems.is_empty() {
        return Err(g.problems.clone());
    }
    let resolved = for_sheet(&g, layout)?;
    read_grid(&g, &resolved, organization)
}

/// The layout as this sheet has it: a template's columns per year found in the sheet's
/// header, and the evaluation marks the sheet uses where the layout names none.
fn for_sheet(g: &Grid, layout: &Layout) -> Result<Layout, Vec<Problem>> {
    let h = layout.header_row - 1;
    let mut l = if layout.is_template() {
        let (years, final_year) = layout.years_in_sheet(|c| super::learn::header_text(g, h, layout.header_rows, c));
        if years.is_empty() && final_year.is_none() {
            let at = layout
                .columns
                .iter()
                .find(|c| c.year.is_some())
                .and_then(|c| super::column_index(&c.column))
                .unwrap_or(0);
            return Err(vec![g.problem(
                h,
                at,
                format!(
                    "年度ごとの列の見出し(「{}」に年度が付いたもの)が見つかりません",
                    layout
                        .columns
                        .iter()
                        .find(|c| c.year.is_some())
                        .map(|c| c.full_header().replace("{year}", "令和5年度"))
                        .unwrap_or_default()
                ),
            )]);
        }
        layout.for_years(&years, final_year)
    } else {
        layout.clone()
    };
    if l.marks.is_empty() {
        if let Some(ec) = l.mapped().iter().find(|m| m.field == Field::Evaluation) {
            l.marks = super::learn::marks_in(g, ec.col, h + l.header_rows);
        }
    }
    Ok(l)
}

fn read_grid(g: &Grid, layout: &Layout, organization: Option<&str>) -> Result<Plan, Vec<Problem>> {
    let mapped = layout.mapped();
    let mut problems = Vec::new();
    // The header must still say what the layout says: a column moved is not read as another field.
    let h = layout.header_row - 1;
    for (m, c) in mapped.iter().zip(&layout.columns) {
        let now = super::learn::header_text(g, h, layout.header_rows, m.col);
        let want = c.full_header();
        let same = label_key(&now) == label_key(&want) || c.synonyms.iter().any(|s| label_key(s) == label_key(&now));
        if !same {
            problems.push(g.problem(
                h,
                m.col,
                format!("見出しは「{want}」のはずですが「{now}」です(レイアウトと列がずれています)"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let col = |f: Field| mapped.iter().find(|m| m.field == f && m.year.is_none()).map(|m| m.col);
    let kpi_col = col(Field::KpiName).unwrap_or(0);
    let scale_rule = rule_for(&layout.marks);
    let scale = scale_rule.scale();
    let baseline_year = mapped.iter().find(|m| m.field == Field::Baseline).and_then(|m| m.year);
    let years: Vec<FiscalYear> = {
        let mut y: Vec<FiscalYear> = mapped
            .iter()
            .filter(|m| matches!(m.field, Field::Target | Field::Actual))
            .filter_map(|m| m.year)
            .collect();
        y.sort();
        y.dedup();
        y
    };
    // The report year: the year the title gives (`…進捗状況(令和5年度)`), else the last year
    // with an actual in the sheet (a sheet may have columns for the years still to come),
    // else the last year of its columns.
    let data = h + layout.header_rows;
    let (titled_organization, titled_year) = from_title(g, layout);
    let organization = organization.or(titled_organization.as_deref());
    let actual_years = mapped
        .iter()
        .filter(|m| m.field == Field::Actual)
        .filter_map(|m| m.year.map(|y| (y, m.col)));
    let report_year = titled_year
        .into_iter()
        .chain(
            actual_years
                .clone()
                .filter(|&(_, c)| (data..g.rows()).any(|r| !g.get(r, c).is_empty()))
                .map(|(y, _)| y)
                .max(),
        )
        .next()
        .or(actual_years.map(|(y, _)| y).max())
        .or(years.last().copied())
        .unwrap_or(FiscalYear(2023));
    let text = |r: u32, c: Option<u32>| c.and_then(|c| g.get(r, c).text());
    let value = |r: u32, c: u32| match g.get(r, c) {
        Cell::Number(v, f) => KpiValue::from_cell_number(*v, f),
        Cell::Text(t) => KpiValue::new(normalize_width(t).trim()),
        _ => None,
    };

    let mut areas: Vec<Area> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut kpis: Vec<Kpi> = Vec::new();
    let (mut area, mut item): (Option<String>, Option<String>) = (None, None);
    let mut area_prefix: Option<String> = None;
    for r in data..g.rows() {
        let heading = layout.hierarchy == Hierarchy::HeadingRows && is_heading(g, r);
        let name = text(r, Some(kpi_col)).filter(|_| !heading);
        if name.is_none() {
            if heading {
                // A heading row: the first level is the one the first heading starts like.
                if let Some(t) = (0..g.width()).find_map(|c| g.get(r, c).text()) {
                    let prefix: String = t
                        .chars()
                        .take_while(|c| !c.is_ascii_digit() && !"０１２３４５６７８９(（ 　".contains(*c))
                        .collect();
                    if area_prefix.is_none() {
                        area_prefix = Some(prefix.clone());
                    }
                    if area_prefix.as_deref() == Some(prefix.as_str()) {
                        area = Some(t);
                        item = None;
                    } else {
                        item = Some(t);
                    }
                }
            }
            continue;
        }
        let name = name.unwrap_or_default();
        if layout.hierarchy == Hierarchy::Columns {
            // A row that names its 分野 names its 項目 too (none when blank); a row whose
            // 分野 is blank continues the rows above it (grouped by eye, not merged).
            if let Some(a) = text(r, col(Field::Area)) {
                area = Some(a);
                item = None;
            }
            if let Some(i) = text(r, col(Field::Item)) {
                item = Some(i);
            }
        }
        // KPIs above any 分野 (or in a sheet without one) go in an area without a name.
        let a_code = match areas.iter().position(|x| x.name == area) {
            Some(i) => areas[i].code.clone(),
            None => {
                let code = format!("{}", areas.len() + 1);
                areas.push(Area {
                    code: code.clone(),
                    name: area.clone(),
                    items: Vec::new(),
                });
                code
            }
        };
        let it_code = item.as_ref().map(|i_name| {
            let a = areas.iter_mut().find(|x| x.code == a_code).expect("added above");
            match a.items.iter().find(|x| x.name.as_deref() == Some(i_name.as_str())) {
                Some(x) => x.code.clone(),
                None => {
                    let code = format!("({})", a.items.len() + 1);
                    a.items.push(Item {
                        code: code.clone(),
                        name: Some(i_name.clone()),
                        ..Item::default()
                    });
                    code
                }
            }
        });
        let no = match text(r, col(Field::KpiNo)).map(|t| normalize_width(&t).trim().parse::<u32>()) {
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                problems.push(g.problem(r, col(Field::KpiNo).unwrap_or(0), "KPI番号は数字で入力してください"));
                continue;
            }
            None => kpis.len() as u32 + 1,
        };
        if kpis.iter().any(|k| k.no == no) {
            problems.push(g.problem(
                r,
                col(Field::KpiNo).unwrap_or(kpi_col),
                format!("KPI番号 {no} が二度使われています"),
            ));
            continue;
        }
        let mut targets = BTreeMap::new();
        let mut actuals = BTreeMap::new();
        for m in &mapped {
            match (m.field, m.year) {
                (Field::Target, Some(y)) => {
                    if let Some(v) = value(r, m.col) {
                        targets.insert(y, v);
                    }
                }
                (Field::Actual, Some(y)) => {
                    if let Some(v) = value(r, m.col) {
                        actuals.insert(y, Actual { value: v, as_of: None });
                    }
                }
                _ => {}
            }
        }
        let by = |f: Field| mapped.iter().find(|m| m.field == f).map(|m| m.col);
        let baseline_year = match text(r, col(Field::BaselineYear)) {
            Some(t) => match FiscalYear::parse(&t) {
                Ok(y) => Some(y),
                Err(_) => {
                    problems.push(g.problem(
                        r,
                        col(Field::BaselineYear).unwrap_or(0),
                        format!("基準年度「{t}」を年度として読めません(例: R2、令和2年度)"),
                    ));
                    continue;
                }
            },
            None => baseline_year,
        };
        let evaluation = match text(r, col(Field::Evaluation)) {
            Some(t) => match scale.parse(&t) {
                Ok(e) => Some(e),
                Err(e) => {
                    problems.push(g.problem(r, col(Field::Evaluation).unwrap_or(0), e.to_string()));
                    continue;
                }
            },
            None => None,
        };
        kpis.push(Kpi {
            no,
            label: None,
            group: None,
            name: name.clone(),
            unit: text(r, col(Field::Unit)),
            direction: crate::eval::Direction::Up,
            cumulative: name.contains("累計"),
            tolerance: None,
            baseline: by(Field::Baseline).and_then(|c| value(r, c)),
            baseline_year,
            targets,
            revisions: Vec::new(),
            actuals,
            divisions: Vec::new(),
            footnotes: Vec::new(),
        });
        let year = ProjectYear {
            evaluation: evaluation.filter(|e: &Evaluation| !e.mark().is_empty()),
            narrative: text(r, col(Field::Narrative)),
            issues: text(r, col(Field::Note)),
            ..ProjectYear::default()
        };
        let owner = Owner {
            department: text(r, col(Field::Department)),
            division: text(r, col(Field::Division)),
        };
        entries.push(Entry::Project(Project {
            no: text(r, col(Field::ProjectNo)).unwrap_or_else(|| (entries.len() + 1).to_string()),
            area: a_code,
            item: it_code,
            owners: if owner.department.is_none() && owner.division.is_none() {
                Vec::new()
            } else {
                vec![owner]
            },
            name: text(r, col(Field::ProjectName)).or_else(|| item.clone()).or(Some(name)),
            summary: None,
            goal: None,
            kpis: vec![KpiRef { no, relisted: false }],
            years: if year.is_empty() {
                BTreeMap::new()
            } else {
                BTreeMap::from([(report_year, year)])
            },
            start: None,
            end: None,
            origin: Vec::new(),
        }));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if kpis.is_empty() {
        return Err(vec![g.problem(data, kpi_col, "見出しの下にKPIの行がありません")]);
    }
    kpis.sort_by_key(|k| k.no);
    let plan = Plan {
        organization: organization.unwrap_or_default().to_string(),
        title: layout.title.first().cloned().unwrap_or_else(|| layout.name.clone()),
        report_title: None,
        period: years.first().zip(years.last()).map(|(a, b)| (*a, *b)),
        fiscal_years: years.clone(),
        report_year,
        as_of: None,
        rule: scale_rule,
        areas,
        kpis,
        entries,
        schedule: Vec::new(),
    };
    let invalid = plan.validate();
    if let Some(p) = invalid.first() {
        return Err(vec![Problem {
            sheet: g.name.clone(),
            cell: None,
            message: p.message.clone(),
        }]);
    }
    Ok(plan)
}

/// What the title rows say where the layout's title has `{organization}` or `{year}`:
/// `福岡県` and 令和5年度 of `福岡県 総合戦略 KPIの進捗状況(令和5年度)`.
fn from_title(g: &Grid, layout: &Layout) -> (Option<String>, Option<FiscalYear>) {
    let (mut organization, mut year) = (None, None);
    for (r, template) in layout.title.iter().enumerate() {
        let Some(text) = (0..g.width()).find_map(|c| g.get(r as u32, c).text()) else {
            continue;
        };
        if template.contains("{year}") {
            year = year.or(super::split_year(&text).1);
        }
        if let Some(rest) = template.strip_prefix("{organization}") {
            // The organization is what stands before the title's next words.
            let words = rest.split('{').next().unwrap_or_default();
            let found = if words.is_empty() { None } else { text.find(words) };
            organization = organization.or(found.map(|i| text[..i].trim().to_string()).filter(|o| !o.is_empty()));
        }
    }
    (organization, year)
}

/// A heading row: one cell of text alone on its row (merged across it or not).
pub(crate) fn is_heading(g: &Grid, r: u32) -> bool {
    let mut texts = (0..g.width()).filter_map(|c| g.get(r, c).text()).collect::<Vec<_>>();
    texts.dedup();
    texts.len() == 1
        && matches!(
            g.get(r, (0..g.width()).find(|&c| !g.get(r, c).is_empty()).unwrap_or(0)),
            Cell::Text(_)
        )
}

/// The built-in rule whose marks are the layout's (`maru` when none fits).
fn rule_for(marks: &[String]) -> EvaluationRule {
    EvaluationRule::BUILTIN
        .iter()
        .filter_map(|n| EvaluationRule::builtin(n))
        .find(|r| !marks.is_empty() && marks.iter().all(|m| r.scale().marks.iter().any(|s| &s.mark == m)))
        .unwrap_or_default()
}

/// Which columns hold a field, for tests and the app's mapping table.
pub fn columns_of(layout: &Layout) -> Vec<Mapped> {
    layout.mapped()
}
