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
use crate::xlsx::import::{load_grid, split_relisting_mark, Cell, Grid};

use crate::xlsx::package::Workbook;
use crate::xlsx::{Problem, RELISTED};

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
    let names: Vec<String> = wb.sheet_names().to_vec();
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
    let mut resolved = for_sheet(&g, layout)?;
    let Some(ps) = &layout.projects else {
        return read_grid(&g, &resolved, None, organization);
    };
    // The sheet of projects: there, its header as the layout says, its marks where the KPI sheet has none.
    if !names.contains(&ps.sheet) {
        return Err(vec![Problem {
            sheet: file,
            cell: None,
            message: format!(
                "レイアウトの事業のシート「{}」がこのブックにありません(シート: {})",
                ps.sheet,
                names.join("、")
            ),
        }]);
    }
    let pg = load_grid(&mut wb, &ps.sheet).map_err(|p| vec![p])?;
    if !pg.problems.is_empty() {
        return Err(pg.problems.clone());
    }
    let mut pl = for_sheet(&pg, &ps.as_layout(layout))?;
    if resolved.marks.is_empty() {
        resolved.marks = pl.marks.clone();
    }
    pl.marks = resolved.marks.clone();
    let problems = header_problems(&pg, &pl);
    if !problems.is_empty() {
        return Err(problems);
    }
    read_grid(&g, &resolved, Some((&pg, &pl)), organization)
}

/// A column's header as the sheet has it, over the header's rows: under the groups of a
/// three-row header with groups (`KPI (重要業績評価指標)` over 指標名 is not the column's header).
fn header_at(g: &Grid, layout: &Layout, col: u32) -> String {
    let h = layout.header_row - 1;
    if layout.header_rows >= 3 && layout.columns.iter().any(|c| c.group.is_some()) {
        super::learn::header_text(g, h + 1, layout.header_rows - 1, col)
    } else {
        super::learn::header_text(g, h, layout.header_rows, col)
    }
}

/// Whether a header says what the layout's does, its words (`{year} 取組状況`) standing for
/// any text (`令和5年度 取組状況`; `{as_of}` for any at all).
fn header_matches(now: &str, want: &str) -> bool {
    let now = label_key(now);
    if !want.contains('{') {
        return now == label_key(want);
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut rest = want;
    while let Some(i) = rest.find('{') {
        pieces.push(label_key(&rest[..i]));
        rest = rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]);
    }
    pieces.push(label_key(rest));
    let (first, last) = (&pieces[0], &pieces[pieces.len() - 1]);
    if !now.starts_with(first.as_str()) || now.len() < first.len() + last.len() || !now.ends_with(last.as_str()) {
        return false;
    }
    let mut at = first.len();
    let end = now.len() - last.len();
    for p in &pieces[1..pieces.len() - 1] {
        match now[at..end].find(p.as_str()) {
            Some(i) => at += i + p.len(),
            None => return false,
        }
    }
    true
}

/// Where the sheet's header does not say what the layout says: a column moved is not read as another field.
fn header_problems(g: &Grid, layout: &Layout) -> Vec<Problem> {
    let h = layout.header_row - 1;
    let mut problems = Vec::new();
    for (m, c) in layout.mapped().iter().zip(&layout.columns) {
        let now = header_at(g, layout, m.col);
        let want = c.full_header();
        let same = header_matches(&now, &want) || c.synonyms.iter().any(|s| label_key(s) == label_key(&now));
        if !same {
            problems.push(g.problem(
                h,
                m.col,
                format!("見出しは「{want}」のはずですが「{now}」です(レイアウトと列がずれています)"),
            ));
        }
    }
    problems
}

/// The layout as this sheet has it: a template's columns per year found in the sheet's
/// header, and the evaluation marks the sheet uses where the layout names none.
fn for_sheet(g: &Grid, layout: &Layout) -> Result<Layout, Vec<Problem>> {
    let h = layout.header_row - 1;
    let mut l = if layout.is_template() {
        let (years, final_year) = layout.years_in_sheet(|c| header_at(g, layout, c));
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
                {
                    let head = layout
                        .columns
                        .iter()
                        .find(|c| c.year.is_some())
                        .map(|c| c.full_header().replace("{year}", "").replace("{year_short}", ""))
                        .unwrap_or_default();
                    format!("年度ごとの列の見出し(「{head}」に年度が付いたもの。例: {head} 令和5年度)が見つかりません。このレイアウトの表ではないようです")
                },
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

/// The plan in the KPI sheet `g`, its projects on the sheet `projects` where they have one.
fn read_grid(g: &Grid, layout: &Layout, projects: Option<(&Grid, &Layout)>, organization: Option<&str>) -> Result<Plan, Vec<Problem>> {
    let mapped = layout.mapped();
    let mut problems = header_problems(g, layout);
    if !problems.is_empty() {
        return Err(problems);
    }
    let h = layout.header_row - 1;
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
    // A header that says the year written (`{year} 取組状況` as `令和5年度 取組状況`).
    let headed_year = layout
        .columns
        .iter()
        .filter(|c| c.year.is_none() && c.full_header().contains("{year}"))
        .filter_map(|c| super::column_index(&c.column))
        .find_map(|c| super::split_year(&header_at(g, layout, c)).1);
    let report_year = titled_year
        .or(headed_year)
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

    let mut places = Places::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut kpis: Vec<Kpi> = Vec::new();
    // Projects on a sheet of their own: read first, in their order; the KPI rows join them by 事業番号.
    let mut by_no: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    if let Some((pg, pl)) = projects {
        let pm = pl.mapped();
        let no_col = pm.iter().find(|m| m.field == Field::ProjectNo).map_or(0, |m| m.col);
        let (mut area, mut item): (Option<String>, Option<String>) = (None, None);
        for r in pl.header_row - 1 + pl.header_rows..pg.rows() {
            let Some(no) = pg.get(r, no_col).text() else { continue };
            let at = |f: Field| pm.iter().find(|m| m.field == f).map(|m| m.col);
            follow_places(
                &mut area,
                &mut item,
                pg.get_text(r, at(Field::Area)),
                pg.get_text(r, at(Field::Item)),
            );
            if by_no.contains_key(&no) {
                problems.push(pg.problem(r, no_col, format!("事業番号 {no} が二度あります")));
                continue;
            }
            match project_of_row(pg, r, &pm, &scale, report_year, false) {
                Ok(mut p) => {
                    // Placed by the area's and item's numbers where the sheet gives them.
                    let codes = (pg.get_text(r, at(Field::AreaNo)), pg.get_text(r, at(Field::ItemNo)));
                    (p.area, p.item) = places.place(&area, &item, codes);
                    by_no.insert(no, entries.len());
                    entries.push(Entry::Project(p));
                }
                Err(e) => problems.push(e),
            }
        }
    }
    let (mut area, mut item): (Option<String>, Option<String>) = (None, None);
    let mut area_prefix: Option<String> = None;
    // Every listing written (`listings = "each"`): a row whose 事業番号 is 再掲 shows a project
    // again, a KPI row whose KPI番号 is 再掲 a KPI again.
    let each = layout.listings == Some(super::Listings::Each);
    let relisted = |t: Option<String>| each && t.is_some_and(|t| normalize_width(&t).trim() == RELISTED);
    // With `project_cells`: the project the rows above began (its 事業番号, 事業名 and, with every
    // listing written, where it is listed), which a row naming the same continues.
    type Key = (Option<String>, Option<String>, Option<String>);
    let mut last_project: Option<(Key, usize)> = None;
    let codes = |r: u32| (text(r, col(Field::AreaNo)), text(r, col(Field::ItemNo)));
    // 担当部・担当課 one owner a line.
    let lines = layout.columns.iter().any(|c| c.lines);
    // A new listing from row `r`: a project, or a 再掲 of one; placed under its area and item.
    let new_entry = |r: u32, places: &mut Places, area: &Option<String>, item: &Option<String>, n: usize| -> Result<Entry, Problem> {
        let (a, i) = places.place(area, item, codes(r));
        if relisted(text(r, col(Field::ProjectNo))) {
            let name_col = col(Field::ProjectName).unwrap_or(0);
            let (_, of) = split_relisting_mark(&text(r, Some(name_col)).unwrap_or_default());
            let Some(of) = of.filter(|o| !o.is_empty()) else {
                return Err(g.problem(
                    r,
                    name_col,
                    "再掲の行には事業名の下に元の事業番号を「※再掲:No.N」の形で書いてください",
                ));
            };
            let p = project_of_row(g, r, &mapped, &scale, report_year, lines)?;
            let years = p
                .years
                .get(&report_year)
                .map(|y| {
                    BTreeMap::from([(
                        report_year,
                        crate::model::RelistingYear {
                            evaluation: y.evaluation.clone(),
                            narrative: y.narrative.clone(),
                        },
                    )])
                })
                .unwrap_or_default();
            return Ok(Entry::Relisting(crate::model::Relisting {
                of,
                area: a,
                item: i,
                summary: p.summary,
                goal: p.goal,
                kpis: Vec::new(),
                years,
            }));
        }
        let mut p = project_of_row(g, r, &mapped, &scale, report_year, lines)?;
        (p.area, p.item) = (a, i);
        if p.no.is_empty() {
            p.no = (n + 1).to_string();
        }
        if col(Field::ProjectName).is_none() {
            p.name = p.name.or_else(|| item.clone());
        }
        Ok(Entry::Project(p))
    };
    for r in data..g.rows() {
        let heading = layout.hierarchy == Hierarchy::HeadingRows && is_heading(g, r);
        let name = text(r, Some(kpi_col)).filter(|_| !heading);
        let project_key: Option<Key> = layout
            .project_cells
            .map(|_| {
                let at = relisted(text(r, col(Field::ProjectNo))).then(|| {
                    [Field::AreaNo, Field::Area, Field::ItemNo, Field::Item]
                        .map(|f| text(r, col(f)).unwrap_or_default())
                        .join("\u{1f}")
                });
                (text(r, col(Field::ProjectNo)), text(r, col(Field::ProjectName)), at)
            })
            .filter(|(no, name, _)| no.is_some() || name.is_some());
        if let (None, false, Some(key)) = (&name, heading, &project_key) {
            // A project's row without a KPI: a project with none.
            if layout.hierarchy == Hierarchy::Columns {
                follow_places(&mut area, &mut item, text(r, col(Field::Area)), text(r, col(Field::Item)));
            }
            if last_project.as_ref().map(|(k, _)| k) != Some(key) {
                match new_entry(r, &mut places, &area, &item, entries.len()) {
                    Ok(e) => {
                        last_project = Some((key.clone(), entries.len()));
                        entries.push(e);
                    }
                    Err(e) => problems.push(e),
                }
            }
            continue;
        }
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
            follow_places(&mut area, &mut item, text(r, col(Field::Area)), text(r, col(Field::Item)));
        }
        // The project a KPI row joins, on the sheet of projects.
        let joined = match projects {
            Some((_, pl)) => {
                let no = text(r, col(Field::ProjectNo));
                match no.as_ref().and_then(|n| by_no.get(n)) {
                    Some(&i) => Some(i),
                    None => {
                        let sheet = pl.sheet.as_deref().unwrap_or_default();
                        problems.push(g.problem(
                            r,
                            col(Field::ProjectNo).unwrap_or(0),
                            match no {
                                Some(n) => format!("事業番号 {n} の事業が「{sheet}」シートにありません"),
                                None => format!("事業番号がありません(「{sheet}」シートの事業の番号を書きます)"),
                            },
                        ));
                        continue;
                    }
                }
            }
            None => None,
        };
        // A row of the project the rows above began continues it.
        let joined = joined.or(match (&project_key, &last_project) {
            (Some(k), Some((lk, i))) if k == lk => Some(*i),
            _ => None,
        });
        // A KPI shown again: its number under its name (`※再掲:No3`), its values on its own row.
        let kpi = if relisted(text(r, col(Field::KpiNo))) {
            match split_relisting_mark(&name).1.and_then(|n| n.parse::<u32>().ok()) {
                Some(no) => KpiRef { no, relisted: true },
                None => {
                    problems.push(g.problem(r, kpi_col, "再掲のKPIは指標名の下に元のKPI番号を「※再掲:No.N」の形で書いてください"));
                    continue;
                }
            }
        } else {
            let no = match text(r, col(Field::KpiNo)).map(|t| normalize_width(&t).trim().parse::<u32>()) {
                Some(Ok(n)) => n,
                Some(Err(_)) => {
                    problems.push(g.problem(r, col(Field::KpiNo).unwrap_or(0), "KPI番号は数字で入力してください"));
                    continue;
                }
                None => kpis.len() as u32 + 1,
            };
            let shown = kpis.iter().find(|k| k.no == no);
            if each && shown.is_some_and(|k| k.name == name) {
                // Every listing written: a KPI listed under two projects is on the rows of both.
                KpiRef { no, relisted: false }
            } else if let Some(k) = shown.filter(|_| each) {
                problems.push(g.problem(
                    r,
                    kpi_col,
                    format!(
                        "KPI番号 {no} に二つの指標名があります(上の行では「{}」、ここでは「{name}」)",
                        k.name
                    ),
                ));
                continue;
            } else if shown.is_some() {
                problems.push(g.problem(
                    r,
                    col(Field::KpiNo).unwrap_or(kpi_col),
                    format!("KPI番号 {no} が二度使われています"),
                ));
                continue;
            } else {
                let mut targets = BTreeMap::new();
                let mut actuals = BTreeMap::new();
                for m in &mapped {
                    match (m.field, m.year) {
                        (Field::Target, Some(y)) => {
                            // A revised target is read as the target in force (its `(当初 …)` line left).
                            if let Some(v) = value(r, m.col) {
                                let t = crate::model::strip_original_note(v.text());
                                targets.insert(y, KpiValue::new(t).unwrap_or(v));
                            }
                        }
                        // An 実績値 column without a year holds the report year's.
                        (Field::Actual, y) => {
                            if let Some(v) = value(r, m.col) {
                                actuals.insert(y.unwrap_or(report_year), Actual { value: v, as_of: None });
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
                KpiRef { no, relisted: false }
            }
        };
        // Each KPI row a project of its own, unless its project is on the sheet of projects
        // or began on the rows above.
        let at = match joined {
            Some(i) => i,
            None => match new_entry(r, &mut places, &area, &item, entries.len()) {
                Ok(mut e) => {
                    match &mut e {
                        Entry::Project(p) if col(Field::ProjectName).is_none() => {
                            p.name = p.name.take().or(Some(name.clone()));
                        }
                        _ => {}
                    }
                    if let Some(key) = project_key {
                        last_project = Some((key, entries.len()));
                    }
                    entries.push(e);
                    entries.len() - 1
                }
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            },
        };
        match entries.get_mut(at) {
            Some(Entry::Project(p)) => p.kpis.push(kpi),
            Some(Entry::Relisting(rl)) => rl.kpis.push(kpi),
            None => {}
        }
    }
    // A 再掲 keeps only what it says differently from the project it shows again.
    let originals: std::collections::HashMap<String, Project> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Project(p) => Some((p.no.clone(), p.clone())),
            Entry::Relisting(_) => None,
        })
        .collect();
    for e in &mut entries {
        if let Entry::Relisting(rl) = e {
            let Some(p) = originals.get(&rl.of) else { continue };
            // A blank where the project has words: the 再掲 leaves that cell blank (an empty text).
            let own = |mine: &mut Option<String>, theirs: &Option<String>| {
                if mine == theirs {
                    *mine = None;
                } else if mine.is_none() {
                    *mine = Some(String::new());
                }
            };
            own(&mut rl.summary, &p.summary);
            own(&mut rl.goal, &p.goal);
            rl.years.entry(report_year).or_default();
            for (y, ry) in &mut rl.years {
                let theirs = p.years.get(y);
                if ry.evaluation == theirs.and_then(|t| t.evaluation.clone()) {
                    ry.evaluation = None;
                }
                let their_words = theirs.and_then(|t| t.narrative.clone()).filter(|n| !n.is_empty());
                own(&mut ry.narrative, &their_words);
                if ry.narrative.as_deref() == Some("") && their_words.is_none() {
                    ry.narrative = None;
                }
            }
            rl.years.retain(|_, ry| ry.evaluation.is_some() || ry.narrative.is_some());
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if kpis.is_empty() {
        return Err(vec![g.problem(data, kpi_col, "見出しの下にKPIの行がありません")]);
    }
    kpis.sort_by_key(|k| k.no);
    // The plan's words a header holds: its title and report title in a group, when it was
    // written `{plan_title}` / `{report_title}`, and the date its figures are from (`{as_of}`).
    let grouped = |word: &str| {
        layout
            .columns
            .iter()
            .filter(|_| layout.header_rows >= 3)
            .find(|c| c.group.as_deref() == Some(word))
            .and_then(|c| super::column_index(&c.column))
            .and_then(|c| g.get(h, c).text())
    };
    let as_of = layout
        .columns
        .iter()
        .filter(|c| c.header.contains("{as_of}"))
        .filter_map(|c| super::column_index(&c.column))
        .find_map(|c| (h..data).find_map(|r| g.get(r, c).text().and_then(|t| crate::fy::AsOf::parse(&t).ok())));
    let report_title = grouped("{report_title}").filter(|t| *t != crate::model::default_report_title(report_year));
    let plan = Plan {
        organization: organization.unwrap_or_default().to_string(),
        title: grouped("{plan_title}")
            .or_else(|| layout.title.first().cloned())
            .unwrap_or_else(|| layout.name.clone()),
        report_title,
        period: years.first().zip(years.last()).map(|(a, b)| (*a, *b)),
        fiscal_years: years.clone(),
        report_year,
        as_of,
        rule: scale_rule,
        areas: places.areas,
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

/// The plan's areas and items as the rows name them, each given its code once.
#[derive(Default)]
struct Places {
    areas: Vec<Area>,
}

impl Places {
    /// The codes of an area and item named so (made when new; the sheet's own numbers where it
    /// has a column for them, `codes`); rows above any 分野, or a sheet without one, go in an
    /// area without a name.
    fn place(&mut self, area: &Option<String>, item: &Option<String>, codes: (Option<String>, Option<String>)) -> (String, Option<String>) {
        let (area_code, item_code) = codes;
        let found = match &area_code {
            Some(code) => self.areas.iter().position(|x| &x.code == code),
            None => self.areas.iter().position(|x| &x.name == area),
        };
        let a = match found {
            Some(i) => i,
            None => {
                self.areas.push(Area {
                    code: area_code.unwrap_or_else(|| format!("{}", self.areas.len() + 1)),
                    name: area.clone(),
                    items: Vec::new(),
                });
                self.areas.len() - 1
            }
        };
        let a = &mut self.areas[a];
        let named = item.clone().map(Some).or(item_code.as_ref().map(|_| None));
        let it = named.map(|name| {
            let found = match &item_code {
                Some(code) => a.items.iter().find(|x| &x.code == code),
                None => a.items.iter().find(|x| x.name == name),
            };
            match found {
                Some(x) => x.code.clone(),
                None => {
                    let code = item_code.clone().unwrap_or_else(|| format!("({})", a.items.len() + 1));
                    a.items.push(Item {
                        code: code.clone(),
                        name,
                        ..Item::default()
                    });
                    code
                }
            }
        });
        (a.code.clone(), it)
    }
}

/// The 分野 and 項目 a row is under: a row that names its 分野 names its 項目 too (none when
/// blank); a row whose 分野 is blank continues the rows above it (grouped by eye, not merged).
fn follow_places(area: &mut Option<String>, item: &mut Option<String>, row_area: Option<String>, row_item: Option<String>) {
    if let Some(a) = row_area {
        *area = Some(a);
        *item = None;
    }
    if let Some(i) = row_item {
        *item = Some(i);
    }
}

/// The project a row gives (its number, name, owner, and the report year's evaluation,
/// narrative and note), not yet placed under its area and item.
/// With `lines`, each line of 担当部 and 担当課 is an owner of its own.
fn project_of_row(
    g: &Grid,
    r: u32,
    mapped: &[Mapped],
    scale: &crate::eval::Scale,
    report_year: FiscalYear,
    lines: bool,
) -> Result<Project, Problem> {
    let col = |f: Field| mapped.iter().find(|m| m.field == f && m.year.is_none()).map(|m| m.col);
    let text = |f: Field| g.get_text(r, col(f));
    let evaluation = match text(Field::Evaluation) {
        Some(t) => Some(
            scale
                .parse(&t)
                .map_err(|e| g.problem(r, col(Field::Evaluation).unwrap_or(0), e.to_string()))?,
        ),
        None => None,
    };
    let year = ProjectYear {
        evaluation: evaluation.filter(|e: &Evaluation| !e.mark().is_empty()),
        narrative: text(Field::Narrative),
        issues: text(Field::Note),
        ..ProjectYear::default()
    };
    let (departments, divisions) = (text(Field::Department), text(Field::Division));
    let owners = if lines {
        let split = |t: &Option<String>| -> Vec<Option<String>> {
            t.as_deref()
                .map(|t| {
                    t.split('\n')
                        .map(|l| Some(l.trim().to_string()).filter(|l| !l.is_empty()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (d, v) = (split(&departments), split(&divisions));
        (0..d.len().max(v.len()))
            .map(|i| Owner {
                department: d.get(i).cloned().flatten(),
                division: v.get(i).cloned().flatten(),
            })
            .collect()
    } else if departments.is_none() && divisions.is_none() {
        Vec::new()
    } else {
        vec![Owner {
            department: departments,
            division: divisions,
        }]
    };
    Ok(Project {
        no: text(Field::ProjectNo).unwrap_or_default(),
        area: String::new(),
        item: None,
        owners,
        name: text(Field::ProjectName),
        summary: text(Field::Summary),
        goal: text(Field::Goal),
        kpis: Vec::new(),
        years: if year.is_empty() {
            BTreeMap::new()
        } else {
            BTreeMap::from([(report_year, year)])
        },
        start: None,
        end: None,
        origin: Vec::new(),
    })
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

#[cfg(test)]
mod tests {
    use super::header_matches;

    #[test]
    fn a_headers_words_stand_for_any_text() {
        assert!(header_matches("指標名", "指標名"));
        assert!(!header_matches("指標", "指標名"));
        assert!(header_matches("令和5年度 取組状況", "{year} 取組状況"));
        assert!(header_matches("令和6年度取組状況", "{year} 取組状況"));
        assert!(!header_matches("令和5年度 課題", "{year} 取組状況"));
        assert!(!header_matches("取組状況令和5年度", "{year} 取組状況"));
        assert!(header_matches("※R6.3.31時点", "{as_of}"));
        assert!(header_matches("", "{as_of}"));
        assert!(header_matches("実績(令和5年度)", "実績({year})"));
        assert!(!header_matches("実績", "実績({year})"));
    }
}
