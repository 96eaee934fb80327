//! Editing the whole plan from the app (報告書 texts, the 工程表, project cards): a
//! change of fields that belong together saved as one transaction and one revision of
//! kind `edit`, checked by the core (the values by `Plan::apply_changes`, the plan as a
//! whole by `Plan::validate`), allowed to a coordinator everywhere and to a department
//! only on its own projects and their KPIs.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Error, Result};
use crate::model::{Plan, ScheduleRow};
use crate::store::{RevisionInfo, Store};
use crate::views::{self, FieldEdit, ReportItemView, ScheduleRowView, ScheduleTheme, ScheduleView};

/// Who edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Editor {
    /// The coordinator (取りまとめ担当): every field of the plan.
    Coordinator,
    /// A department's DX leader: the fields of the 部's projects and of their KPIs.
    Department(String),
}

impl Editor {
    /// The app's editor: the 部 chosen in 年度入力 when the database is a department's
    /// (opened from a 記入用ファイル), else the coordinator.
    pub fn of_app(db: &Path) -> Result<Editor> {
        let store = Store::open(db)?;
        let id = store.resolve_plan(None)?;
        Ok(match store.opened_department(id)? {
            Some(d) => Editor::Department(d),
            None => Editor::Coordinator,
        })
    }
}

/// What an edit saved: the revision and the fields as now stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Edited {
    /// 0 when nothing changed (and nothing was written).
    pub revision_id: i64,
    pub fields: BTreeMap<String, Option<String>>,
}

/// Whether `editor` may change `path` of `plan`.
fn allowed(editor: &Editor, plan: &Plan, path: &str) -> bool {
    let Editor::Department(d) = editor else { return true };
    let inside = |open: &str| -> Option<String> {
        let rest = path.strip_prefix(open)?;
        Some(rest[..rest.find(']')?].to_string())
    };
    let mine = |p: &crate::model::Project| p.owners.iter().any(|o| o.department.as_deref() == Some(d.as_str()));
    if let Some(no) = inside("project[") {
        return plan.project(&no).is_some_and(mine);
    }
    if let Some(n) = inside("kpi[").and_then(|n| n.parse::<u32>().ok()) {
        return plan.projects().any(|p| mine(p) && p.kpis.iter().any(|r| r.no == n));
    }
    false
}

/// Saves edits of the plan as one revision: every path checked, the whole change
/// refused (nothing written) when one value does not fit or the plan it makes is not
/// sound; nothing written when nothing changes.
pub fn edit_fields(db: &Path, editor: &Editor, edits: &[FieldEdit], summary: &str) -> Result<Edited> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(None)?;
    let stored = store.load_plan(plan_id)?;
    let mut plan = stored.clone();
    for e in edits {
        if !allowed(editor, &plan, &e.path) {
            let who = match editor {
                Editor::Department(d) => format!("{d}の事業ではないため"),
                Editor::Coordinator => String::new(),
            };
            return Err(Error::Field {
                path: e.path.clone(),
                message: format!("{}は{who}変更できません", crate::views::describe_path(Some(&plan), &e.path)),
            });
        }
    }
    let changes: Vec<(String, Option<String>)> = edits
        .iter()
        .map(|e| {
            let t = e.text.trim_end();
            let value = Some(t.to_string()).filter(|t| !t.trim().is_empty());
            Ok((e.path.clone(), value.map(|v| card_list_json(&e.path, &v)).transpose()?))
        })
        .collect::<Result<_>>()?;
    plan.apply_changes(&changes).map_err(|e| Error::Field {
        path: e.path.clone(),
        message: format!("{}: {}", crate::views::describe_path(Some(&stored), &e.path), e.message),
    })?;
    let before: Vec<String> = stored.validate().into_iter().map(|p| p.message).collect();
    if let Some(p) = plan.validate().into_iter().find(|p| !before.contains(&p.message)) {
        return Err(Error::Field {
            path: edits.first().map(|e| e.path.clone()).unwrap_or_default(),
            message: p.message,
        });
    }
    let fields = plan.fields();
    let now: BTreeMap<String, Option<String>> = changes.iter().map(|(p, _)| (p.clone(), fields.get(p).cloned())).collect();
    if stored.fields() == fields {
        return Ok(Edited {
            revision_id: 0,
            fields: now,
        });
    }
    let info = RevisionInfo {
        kind: "edit".into(),
        summary: summary.to_string(),
        department: match editor {
            Editor::Department(d) => Some(d.clone()),
            Editor::Coordinator => None,
        },
        ..Default::default()
    };
    // Typing in one text saves as it pauses: those saves are one revision, as in 年度入力.
    let saved = store.save_version_over(Some((plan_id, &stored)), &plan, &info, |tx, rev| {
        super::app::coalesce(tx, plan_id, rev)
    })?;
    Ok(Edited {
        revision_id: saved.revision_id,
        fields: now,
    })
}

/// A card list written as on the card (`▶ 見出し` / `・本文`, `課題: …` / `→ …`,
/// `内訳: 金額`) as the JSON the plan stores; JSON passes as it is. The card's own
/// parsers say, in Japanese, which line does not fit.
fn card_list_json(path: &str, text: &str) -> Result<String> {
    use crate::card::text;
    let bad = |message: String| Error::Field {
        path: path.to_string(),
        message,
    };
    if text.trim_start().starts_with('[') {
        return Ok(text.to_string());
    }
    let json = if path.ends_with(".activities") {
        serde_json::to_string(&text::parse_activities(text).map_err(bad)?)
    } else if path.ends_with(".actions") {
        serde_json::to_string(&text::parse_actions(text).map_err(bad)?)
    } else if path.ends_with(".budget_lines") {
        serde_json::to_string(&text::parse_budget_lines(text).map_err(bad)?)
    } else {
        return Ok(text.to_string());
    };
    json.map_err(|e| Error::BadInput(format!("一覧を保存できません({e})")))
}

/// 事業カード: what the card shows of a project, with the place of every value it
/// holds (KPI targets and actuals per year, 担当課, notes, 課題とアクション, and per
/// year 取組内容 and 予算 with its lines, written as on the card).
pub fn card_edit_view(db: &Path, project: &str, year: Option<i32>) -> Result<views::CardEditView> {
    use crate::card::text;
    use views::{CardCellView, CardGroupView, CardKpiView, CardSectionView};
    let plan = super::load(db, None)?;
    let p = plan
        .project(project)
        .ok_or_else(|| Error::BadInput(format!("事業番号 {project} はこの計画にありません")))?;
    let year = year.map(crate::FiscalYear).unwrap_or(plan.report_year);
    let card = crate::card::card(&plan, p, year);
    let groups = card
        .groups
        .iter()
        .map(|g| CardGroupView {
            heading: g.heading.clone(),
            kpis: g
                .tables
                .iter()
                .filter_map(|t| plan.kpi(t.no).map(|k| (t, k)))
                .map(|(t, k)| CardKpiView {
                    no: k.no,
                    heading: t.heading.clone(),
                    is_kgi: t.is_kgi,
                    name: k.name.clone(),
                    name_path: format!("kpi[{}].name", k.no),
                    group: k.group.clone(),
                    group_path: format!("kpi[{}].group", k.no),
                    label_path: format!("kpi[{}].label", k.no),
                    divisions: k.divisions.join("\n"),
                    divisions_path: format!("kpi[{}].divisions", k.no),
                    footnotes: k.footnotes.join("\n"),
                    footnotes_path: format!("kpi[{}].footnotes", k.no),
                    revisions: k.revisions.iter().map(crate::views::revision_line).collect(),
                    cells: card
                        .years
                        .iter()
                        .map(|y| CardCellView {
                            year: (*y).into(),
                            target: k.targets.get(y).map(|v| v.text().to_string()),
                            target_path: format!("kpi[{}].target[{}]", k.no, y.0),
                            actual: k.actuals.get(y).map(|a| a.value.text().to_string()),
                            actual_path: format!("kpi[{}].actual[{}]", k.no, y.0),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let section = |y: crate::FiscalYear, heading: String| {
        let d = p.years.get(&y).cloned().unwrap_or_default();
        let base = format!("project[{}].year[{}]", p.no, y.0);
        CardSectionView {
            year: y.into(),
            heading,
            activities: text::activities(&d.activities),
            activities_path: format!("{base}.activities"),
            budget: d.budget.map(|b| b.to_string()),
            budget_path: format!("{base}.budget"),
            budget_lines: text::budget_lines(&d.budget_lines),
            budget_lines_path: format!("{base}.budget_lines"),
            mismatch: d.budget_mismatch().map(crate::card::mismatch_note),
        }
    };
    let next = crate::FiscalYear(year.0 + 1);
    let actions = p.years.get(&year).map(|d| text::actions(&d.actions)).unwrap_or_default();
    Ok(views::CardEditView {
        project: p.no.clone(),
        title: card.title.clone(),
        year: year.into(),
        years: card.years.iter().map(|y| (*y).into()).collect(),
        groups,
        actions,
        actions_path: format!("project[{}].year[{}].actions", p.no, year.0),
        kpi_refs: crate::model::kpi_refs_text(&p.kpis),
        kpi_refs_path: format!("project[{}].kpis", p.no),
        next_kpi: plan.kpis.iter().map(|k| k.no).max().unwrap_or(0) + 1,
        sections: vec![
            section(year, format!("{}における取組内容", year.long())),
            section(next, format!("{}における取組予定", next.long())),
        ],
    })
}

/// 報告書: every item of the plan with its two texts (empty ones too, to be written).
pub fn report_item_views(db: &Path) -> Result<Vec<ReportItemView>> {
    let plan = super::load(db, None)?;
    Ok(plan
        .areas
        .iter()
        .flat_map(|a| {
            a.items.iter().map(move |it| ReportItemView {
                area: a.code.clone(),
                area_name: a.name.clone(),
                item: it.code.clone(),
                item_name: it.name.clone(),
                situation: it.situation.clone(),
                progress: it.progress.clone(),
                situation_path: format!("area[{}].item[{}].situation", a.code, it.code),
                progress_path: format!("area[{}].item[{}].progress", a.code, it.code),
            })
        })
        .collect())
}

/// A text of the report as it will print, its `{kpi:…}` quotes written out for the
/// report year; a quote that cannot be written is the error, named as in the report.
pub fn report_preview(db: &Path, text: &str) -> Result<String> {
    let plan = super::load(db, None)?;
    crate::report::expand_quotes(text, &plan, plan.report_year, "この文章").map_err(|e| Error::BadInput(e.to_string()))
}

/// 工程表: the rows by theme (分野・項目) in plan order, with the years of the plan.
pub fn schedule_view(db: &Path) -> Result<ScheduleView> {
    let plan = super::load(db, None)?;
    let mut themes: Vec<ScheduleTheme> = Vec::new();
    for (i, r) in plan.schedule.iter().enumerate() {
        let key = (r.area.clone(), r.item.clone());
        let row = ScheduleRowView::of(i, r);
        match themes.iter_mut().find(|t| (t.area.clone(), t.item.clone()) == key) {
            Some(t) => t.rows.push(row),
            None => themes.push(ScheduleTheme {
                name: theme_name(&plan, r),
                area: key.0,
                item: key.1,
                rows: vec![row],
            }),
        }
    }
    Ok(ScheduleView {
        years: plan.all_years().into_iter().map(views::YearView::from).collect(),
        themes,
        count: plan.schedule.len() as u32,
    })
}

fn theme_name(plan: &Plan, r: &ScheduleRow) -> String {
    let area = plan.area(&r.area);
    let item = r
        .item
        .as_ref()
        .and_then(|code| area.and_then(|a| a.items.iter().find(|it| &it.code == code)));
    match item {
        Some(it) => format!("{} {}", it.code, it.name.clone().unwrap_or_default()).trim().to_string(),
        None => format!("{} {}", r.area, area.and_then(|a| a.name.clone()).unwrap_or_default())
            .trim()
            .to_string(),
    }
}
