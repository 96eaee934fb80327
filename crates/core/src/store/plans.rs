//! Plans in the database: save (replace in one transaction, recording the
//! field changes as a revision), load, list, and which plan is current.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::{FieldChangeRow, Result, RevisionInfo, Store, StoreError};
use crate::eval::{Direction, Evaluation};
use crate::fy::{AsOf, FiscalYear};
use crate::model::{
    diff_plans, Actor, Actual, Area, Entry, Item, Kpi, KpiRef, Owner, Plan, Progress, Project, ProjectYear, Relisting, RelistingYear,
    ScheduleRow, TargetRevision,
};
use crate::value::KpiValue;

const CURRENT_PLAN: &str = "current_plan";

/// A plan as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    pub id: i64,
    pub organization: String,
    pub title: String,
    pub report_year: FiscalYear,
    pub current: bool,
}

/// What a save did.
#[derive(Debug, Clone, Serialize)]
pub struct SaveOutcome {
    pub plan_id: i64,
    pub revision_id: i64,
    /// The plan did not exist before.
    pub created: bool,
    pub fields_changed: usize,
}

impl Store {
    pub fn plans(&self) -> Result<Vec<PlanInfo>> {
        let current = self.current_plan_id()?;
        let mut stmt = self
            .conn
            .prepare("SELECT id, organization, title, report_year FROM plan ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let id: i64 = r.get(0)?;
            Ok(PlanInfo {
                id,
                organization: r.get(1)?,
                title: r.get(2)?,
                report_year: FiscalYear(r.get(3)?),
                current: Some(id) == current,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether a plan is one of the demo plans: its first revision is the demo's `init`.
    pub fn is_demo(&self, plan_id: i64) -> Result<bool> {
        let kind: Option<String> = self
            .conn
            .query_row("SELECT kind FROM revision WHERE plan_id = ?1 ORDER BY id LIMIT 1", [plan_id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(kind.as_deref() == Some("init"))
    }

    /// Deletes a plan with everything it holds, in one transaction, and records it as
    /// a revision of no plan (the plan's earlier revisions stay, without their plan).
    pub fn delete_plan(&mut self, plan_id: i64, summary: &str) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM plan WHERE id = ?1", [plan_id])?;
        if removed == 0 {
            return Err(StoreError::PlanNotFound(plan_id.to_string()));
        }
        tx.execute("DELETE FROM setting WHERE key LIKE ?1", [format!("entry.{plan_id}.%")])?;
        let info = RevisionInfo {
            kind: "delete_plan".into(),
            summary: summary.to_string(),
            ..Default::default()
        };
        let id = record_revision(&tx, None, &info, &[])?;
        tx.commit()?;
        Ok(id)
    }

    /// The plan commands act on by default: the last one imported or chosen.
    pub fn current_plan_id(&self) -> Result<Option<i64>> {
        let id: Option<i64> = self.setting(CURRENT_PLAN)?.and_then(|s| s.parse().ok());
        if let Some(id) = id {
            let exists: bool = self
                .conn
                .query_row("SELECT EXISTS(SELECT 1 FROM plan WHERE id = ?1)", [id], |r| r.get(0))?;
            if exists {
                return Ok(Some(id));
            }
        }
        Ok(self.conn.query_row("SELECT min(id) FROM plan", [], |r| r.get(0))?)
    }

    pub fn set_current_plan(&mut self, id: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![CURRENT_PLAN, id.to_string()],
        )?;
        Ok(())
    }

    /// A plan by id or by (part of) its title or organization; the current plan
    /// when no selector is given.
    pub fn resolve_plan(&self, selector: Option<&str>) -> Result<i64> {
        let Some(sel) = selector else {
            return self.current_plan_id()?.ok_or(StoreError::NoPlan);
        };
        let plans = self.plans()?;
        if let Ok(id) = sel.parse::<i64>() {
            if plans.iter().any(|p| p.id == id) {
                return Ok(id);
            }
        }
        let hits: Vec<&PlanInfo> = plans
            .iter()
            .filter(|p| p.title.contains(sel) || (!p.organization.is_empty() && p.organization.contains(sel)))
            .collect();
        match hits.as_slice() {
            [one] => Ok(one.id),
            [] => Err(StoreError::PlanNotFound(sel.to_string())),
            _ => Err(StoreError::PlanAmbiguous(sel.to_string())),
        }
    }

    /// The stored plan this one is a new version of: same title, and same
    /// organization when both name one.
    pub fn find_same_plan(&self, plan: &Plan) -> Result<Option<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, organization FROM plan WHERE title = ?1 ORDER BY id")?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([&plan.title], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let same_org = rows.iter().find(|(_, org)| org == &plan.organization);
        if let Some((id, _)) = same_org {
            return Ok(Some(*id));
        }
        if plan.organization.is_empty() || rows.iter().all(|(_, o)| o.is_empty()) {
            if let [(id, _)] = rows.as_slice() {
                return Ok(Some(*id));
            }
        }
        Ok(None)
    }

    /// Saves a plan as a new version of the same stored plan (or as a new plan),
    /// in one transaction, recording a revision with every changed field.
    pub fn save_plan(&mut self, plan: &Plan, info: &RevisionInfo) -> Result<SaveOutcome> {
        let existing = self.find_same_plan(plan)?;
        self.save_version(existing, plan, info, |_, _| Ok(()))
    }

    /// Saves a plan as the new version of plan `existing` (a new plan when `None`)
    /// in one transaction: the plan's rows, a revision with every changed field,
    /// and whatever `also` writes in the same transaction (given the revision id).
    pub fn save_version(
        &mut self,
        existing: Option<i64>,
        plan: &Plan,
        info: &RevisionInfo,
        also: impl FnOnce(&Transaction<'_>, i64) -> Result<()>,
    ) -> Result<SaveOutcome> {
        let stored = existing.map(|id| self.load_plan(id)).transpose()?;
        self.save_version_over(existing.zip(stored.as_ref()), plan, info, also)
    }

    /// [`Store::save_version`] for a caller that already holds the stored plan
    /// (`(id, plan as loaded)`), so it is not read again.
    pub fn save_version_over(
        &mut self,
        existing: Option<(i64, &Plan)>,
        plan: &Plan,
        info: &RevisionInfo,
        also: impl FnOnce(&Transaction<'_>, i64) -> Result<()>,
    ) -> Result<SaveOutcome> {
        let problems = plan.validate();
        if let Some(p) = problems.first() {
            return Err(StoreError::InvalidPlan(p.message.clone()));
        }
        // The plan keeps the stored organization when it has none (a copy only then).
        let mut plan = std::borrow::Cow::Borrowed(plan);
        let changes = match existing {
            Some((_, old)) => {
                if plan.organization.is_empty() && !old.organization.is_empty() {
                    plan.to_mut().organization = old.organization.clone();
                }
                diff_plans(old, &plan)
            }
            // A new plan: each of its fields is a change from nothing.
            None => plan.fields().into_iter().map(|(path, value)| (path, None, Some(value))).collect(),
        };
        let existing = existing.map(|(id, _)| id);
        let tx = self.conn.transaction()?;
        let plan_id = match existing {
            // Only fields of existing rows changed: those rows are updated, nothing else.
            Some(id) if super::patch::write_in_place(&tx, id, &changes)? => id,
            Some(id) => {
                clear_plan(&tx, id)?;
                write_plan_row(&tx, Some(id), &plan)?;
                write_plan_body(&tx, id, &plan)?;
                id
            }
            None => {
                let id = write_plan_row(&tx, None, &plan)?;
                write_plan_body(&tx, id, &plan)?;
                id
            }
        };
        finish(tx, plan_id, existing.is_none(), info, &changes, also)
    }

    /// Saves `after` over `before`, both the same part of plan `plan_id` as read by
    /// [`Store::load_slice`] (or the whole plan), in one transaction. When only fields
    /// of existing rows changed, those rows are written and nothing else is read or
    /// written; otherwise the whole plan is read, changed and written.
    pub fn save_part(
        &mut self,
        plan_id: i64,
        before: &Plan,
        after: &Plan,
        info: &RevisionInfo,
        also: impl FnOnce(&Transaction<'_>, i64) -> Result<()>,
    ) -> Result<SaveOutcome> {
        self.save_changes(plan_id, diff_plans(before, after), info, also)
    }

    /// Saves changes made to plan `plan_id`, `(path, old, new)` as [`diff_plans`]
    /// gives them, in one transaction. When only fields of existing rows changed,
    /// those rows are written and nothing else is read or written; otherwise the
    /// whole plan is read, changed and written.
    pub fn save_changes(
        &mut self,
        plan_id: i64,
        changes: Vec<(String, Option<String>, Option<String>)>,
        info: &RevisionInfo,
        also: impl FnOnce(&Transaction<'_>, i64) -> Result<()>,
    ) -> Result<SaveOutcome> {
        if super::patch::all_in_place(&changes) {
            let tx = self.conn.transaction()?;
            if super::patch::write_in_place(&tx, plan_id, &changes)? {
                return finish(tx, plan_id, false, info, &changes, also);
            }
        }
        let stored = self.load_plan(plan_id)?;
        let mut whole = stored.clone();
        let sets: Vec<(String, Option<String>)> = changes.into_iter().map(|(path, _, new)| (path, new)).collect();
        whole.apply_changes(&sets).map_err(|e| StoreError::InvalidPlan(e.to_string()))?;
        self.save_version_over(Some((plan_id, &stored)), &whole, info, also)
    }

    pub fn load_plan(&self, plan_id: i64) -> Result<Plan> {
        self.load(plan_id, None)
    }

    /// Part of a plan, read without the rest: its header, areas and items, the
    /// projects `projects` names and those that list one of `kpis`, the KPIs of
    /// those projects, and every other project sharing one of those KPIs (so the
    /// forms of the named projects are whole). No re-listings and no 工程表.
    /// A one-field write reads this, not the whole plan.
    pub fn load_slice(&self, plan_id: i64, projects: &[&str], kpis: &[u32]) -> Result<Plan> {
        let c = &self.conn;
        // Lists of numbers and quoted project numbers go into the SQL; the plan is a parameter.
        let ids = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>> {
            let mut st = c.prepare(sql)?;
            let rows = st.query_map(params, |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let list = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let quoted = projects
            .iter()
            .map(|p| format!("'{}'", p.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(",");
        let kpi_nos = kpis.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let named_kpis = ids(&format!("SELECT id FROM kpi WHERE plan_id = ?1 AND no IN ({kpi_nos})"), &[&plan_id])?;
        let mut project_ids = ids(
            &format!(
                "SELECT id FROM project WHERE plan_id = ?1 AND (no IN ({quoted}) OR id IN
                   (SELECT project_id FROM entry_kpi WHERE project_id IS NOT NULL AND kpi_id IN ({})))",
                list(&named_kpis)
            ),
            &[&plan_id],
        )?;
        let kpis_of = |projects: &[i64]| {
            ids(
                &format!("SELECT DISTINCT kpi_id FROM entry_kpi WHERE project_id IN ({})", list(projects)),
                &[],
            )
        };
        let mut kpi_ids = named_kpis.clone();
        kpi_ids.extend(kpis_of(&project_ids)?);
        project_ids.extend(ids(
            &format!(
                "SELECT DISTINCT project_id FROM entry_kpi WHERE project_id IS NOT NULL AND kpi_id IN ({})",
                list(&kpi_ids)
            ),
            &[],
        )?);
        kpi_ids.extend(kpis_of(&project_ids)?);
        project_ids.sort_unstable();
        project_ids.dedup();
        kpi_ids.sort_unstable();
        kpi_ids.dedup();
        self.load(
            plan_id,
            Some(&Only {
                projects: list(&project_ids),
                kpis: list(&kpi_ids),
            }),
        )
    }

    /// The part of plan `plan_id` that setting `sets` (`(path, value)`) needs: a
    /// slice with the projects and KPIs the paths name when every one is a field
    /// of a row (see [`Store::load_slice`]), otherwise the whole plan.
    pub fn load_part(&self, plan_id: i64, sets: &[(String, Option<String>)]) -> Result<Plan> {
        let rows: Vec<FieldChangeRow> = sets.iter().map(|(p, v)| (p.clone(), None, v.clone())).collect();
        if !super::patch::all_in_place(&rows) {
            return self.load_plan(plan_id);
        }
        let inside = |path: &str, name: &str| -> Option<String> {
            let rest = path.strip_prefix(name)?.strip_prefix('[')?;
            Some(rest[..rest.find(']')?].to_string())
        };
        let projects: Vec<String> = sets.iter().filter_map(|(p, _)| inside(p, "project")).collect();
        let kpis: Vec<u32> = sets
            .iter()
            .filter_map(|(p, _)| inside(p, "kpi").and_then(|n| n.parse().ok()))
            .collect();
        let projects: Vec<&str> = projects.iter().map(String::as_str).collect();
        self.load_slice(plan_id, &projects, &kpis)
    }

    /// The newest revision of a plan (0 when it has none).
    pub fn last_revision_id(&self, plan_id: i64) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM revision WHERE plan_id = ?1", [plan_id], |r| {
                r.get(0)
            })?)
    }

    fn load(&self, plan_id: i64, only: Option<&Only>) -> Result<Plan> {
        let c = &self.conn;
        // Extra conditions of a slice (lists of row ids, never text from outside).
        let (in_kpis, in_projects, whole) = match only {
            Some(o) => (
                format!("AND kpi.id IN ({})", o.kpis),
                format!("AND project.id IN ({})", o.projects),
                "AND 0",
            ),
            None => (String::new(), String::new(), ""),
        };
        let head = c
            .query_row(
                "SELECT organization, title, report_title, period_start, period_end, report_year, as_of, rule FROM plan WHERE id = ?1",
                [plan_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<i32>>(3)?,
                        r.get::<_, Option<i32>>(4)?,
                        r.get::<_, i32>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, String>(7)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::PlanNotFound(plan_id.to_string()))?;
        let (organization, title, report_title, ps, pe, report_year, as_of, rule) = head;
        let fiscal_years: Vec<FiscalYear> = query_vec(c, "SELECT fy FROM plan_year WHERE plan_id = ?1 ORDER BY fy", plan_id, |r| {
            Ok(FiscalYear(r.get(0)?))
        })?;

        let mut areas: Vec<Area> = Vec::new();
        let mut area_code: HashMap<i64, String> = HashMap::new();
        let mut area_index: HashMap<i64, usize> = HashMap::new();
        for (id, code, name) in query_vec(c, "SELECT id, code, name FROM area WHERE plan_id = ?1 ORDER BY seq", plan_id, |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })? {
            area_code.insert(id, code.clone());
            area_index.insert(id, areas.len());
            areas.push(Area {
                code,
                name,
                items: Vec::new(),
            });
        }
        let mut item_code: HashMap<i64, String> = HashMap::new();
        for (id, area_id, code, name) in query_vec(
            c,
            "SELECT item.id, item.area_id, item.code, item.name, item.situation, item.progress FROM item JOIN area ON area.id = item.area_id WHERE area.plan_id = ?1 ORDER BY item.area_id, item.seq",
            plan_id,
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, (r.get(3)?, r.get(4)?, r.get(5)?))),
        )? {
            let (name, situation, progress) = name;
            item_code.insert(id, code.clone());
            if let Some(i) = area_index.get(&area_id) {
                areas[*i].items.push(Item {
                    code,
                    name,
                    situation,
                    progress,
                });
            }
        }

        let mut kpis: Vec<Kpi> = Vec::new();
        let mut kpi_no: HashMap<i64, u32> = HashMap::new();
        let mut kpi_index: HashMap<i64, usize> = HashMap::new();
        let mut stmt = c.prepare(
            &format!("SELECT id, no, label, grp, name, unit, direction, cumulative, baseline, baseline_year, divisions, footnotes, tolerance FROM kpi WHERE plan_id = ?1 {in_kpis} ORDER BY no"),
        )?;
        let mut rows = stmt.query([plan_id])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let no: u32 = r.get(1)?;
            let direction: String = r.get(6)?;
            let divisions: String = r.get(10)?;
            let footnotes: String = r.get(11)?;
            kpi_no.insert(id, no);
            kpi_index.insert(id, kpis.len());
            kpis.push(Kpi {
                tolerance: r.get::<_, Option<String>>(12)?.and_then(KpiValue::new),
                revisions: Vec::new(),
                no,
                label: r.get(2)?,
                group: r.get(3)?,
                name: r.get(4)?,
                unit: r.get(5)?,
                direction: Direction::from_key(&direction).unwrap_or_default(),
                cumulative: r.get(7)?,
                baseline: r.get::<_, Option<String>>(8)?.and_then(KpiValue::new),
                baseline_year: r.get::<_, Option<i32>>(9)?.map(FiscalYear),
                targets: BTreeMap::new(),
                actuals: BTreeMap::new(),
                divisions: split_lines(&divisions),
                footnotes: split_lines(&footnotes),
            });
        }
        drop(rows);
        drop(stmt);
        let mut stmt = c.prepare(
            &format!("SELECT kpi_value.kpi_id, fy, kind, value, as_of FROM kpi_value JOIN kpi ON kpi.id = kpi_value.kpi_id WHERE kpi.plan_id = ?1 {in_kpis}"),
        )?;
        let mut rows = stmt.query([plan_id])?;
        while let Some(r) = rows.next()? {
            let Some(i) = kpi_index.get(&r.get::<_, i64>(0)?) else { continue };
            let fy = FiscalYear(r.get(1)?);
            let kind: String = r.get(2)?;
            let Some(value) = KpiValue::new(r.get::<_, String>(3)?) else {
                continue;
            };
            if kind == "target" {
                kpis[*i].targets.insert(fy, value);
            } else {
                let as_of = r.get::<_, Option<String>>(4)?.and_then(|s| AsOf::parse(&s).ok());
                kpis[*i].actuals.insert(fy, Actual { value, as_of });
            }
        }
        drop(rows);
        drop(stmt);
        let mut stmt = c.prepare(&format!(
            "SELECT target_revision.kpi_id, fy, previous, value, from_fy, revised_on, reason FROM target_revision
             JOIN kpi ON kpi.id = target_revision.kpi_id WHERE kpi.plan_id = ?1 {in_kpis} ORDER BY target_revision.kpi_id, seq"
        ))?;
        let mut rows = stmt.query([plan_id])?;
        while let Some(r) = rows.next()? {
            let Some(i) = kpi_index.get(&r.get::<_, i64>(0)?) else { continue };
            let Some(value) = KpiValue::new(r.get::<_, String>(3)?) else {
                continue;
            };
            kpis[*i].revisions.push(TargetRevision {
                year: FiscalYear(r.get(1)?),
                previous: r.get::<_, Option<String>>(2)?.and_then(KpiValue::new),
                value,
                from: FiscalYear(r.get(4)?),
                date: r.get(5)?,
                reason: r.get(6)?,
            });
        }
        drop(rows);
        drop(stmt);

        // KPI references, owners and years keyed by the row they belong to.
        let mut proj_kpis: HashMap<i64, Vec<KpiRef>> = HashMap::new();
        let mut rel_kpis: HashMap<i64, Vec<KpiRef>> = HashMap::new();
        for (pid, rid, kid, relisted) in query_vec(
            c,
            &match only {
                Some(o) => format!("SELECT entry_kpi.project_id, entry_kpi.relisting_id, entry_kpi.kpi_id, entry_kpi.relisted FROM entry_kpi WHERE entry_kpi.project_id IN ({}) AND ?1 = ?1 ORDER BY entry_kpi.seq", o.projects),
                None => "SELECT entry_kpi.project_id, entry_kpi.relisting_id, entry_kpi.kpi_id, entry_kpi.relisted FROM entry_kpi JOIN kpi ON kpi.id = entry_kpi.kpi_id WHERE kpi.plan_id = ?1 ORDER BY entry_kpi.seq".into(),
            },
            plan_id,
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?, r.get::<_, bool>(3)?)),
        )? {
            let Some(no) = kpi_no.get(&kid) else { continue };
            let k = KpiRef { no: *no, relisted };
            match (pid, rid) {
                (Some(p), _) => proj_kpis.entry(p).or_default().push(k),
                (_, Some(r)) => rel_kpis.entry(r).or_default().push(k),
                _ => {}
            }
        }
        let mut owners: HashMap<i64, Vec<Owner>> = HashMap::new();
        for (pid, department, division) in query_vec(
            c,
            &format!("SELECT project_owner.project_id, department, division FROM project_owner JOIN project ON project.id = project_owner.project_id WHERE project.plan_id = ?1 {in_projects} ORDER BY project_owner.project_id, project_owner.seq"),
            plan_id,
            |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
        )? {
            owners.entry(pid).or_default().push(Owner { department, division });
        }
        let mut proj_years: HashMap<i64, BTreeMap<FiscalYear, ProjectYear>> = HashMap::new();
        for (pid, fy, ev, (narrative, budget, issues), (reason, confirmed), lists) in query_vec(
            c,
            &format!(
                "SELECT project_year.project_id, fy, evaluation, narrative, budget, issues, reason, confirmed, activities, actions, budget_lines
                 FROM project_year JOIN project ON project.id = project_year.project_id WHERE project.plan_id = ?1 {in_projects}"
            ),
            plan_id,
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i32>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    (r.get(3)?, r.get(4)?, r.get(5)?),
                    (r.get(6)?, r.get::<_, bool>(7)?),
                    (
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, Option<String>>(10)?,
                    ),
                ))
            },
        )? {
            let evaluation = ev.and_then(|e| Evaluation::from_mark(&e));
            let (activities, actions, budget_lines) = lists;
            let year = ProjectYear {
                evaluation,
                narrative,
                budget,
                issues,
                reason,
                confirmed,
                activities: json_list(activities.as_deref(), "activities")?,
                actions: json_list(actions.as_deref(), "actions")?,
                budget_lines: json_list(budget_lines.as_deref(), "budget_lines")?,
            };
            proj_years.entry(pid).or_default().insert(FiscalYear(fy), year);
        }
        let mut rel_years: HashMap<i64, BTreeMap<FiscalYear, RelistingYear>> = HashMap::new();
        for (rid, fy, ev, narrative) in query_vec(
            c,
            &format!("SELECT relisting_year.relisting_id, fy, evaluation, narrative FROM relisting_year JOIN relisting ON relisting.id = relisting_year.relisting_id WHERE relisting.plan_id = ?1 {whole}"),
            plan_id,
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i32>(1)?, r.get::<_, Option<String>>(2)?, r.get(3)?)),
        )? {
            let evaluation = ev.and_then(|e| Evaluation::from_mark(&e));
            rel_years.entry(rid).or_default().insert(FiscalYear(fy), RelistingYear { evaluation, narrative });
        }

        let mut seq_entries: Vec<(i64, Entry)> = Vec::new();
        let mut project_no: HashMap<i64, String> = HashMap::new();
        for (id, seq, no, area_id, item_id, name, summary, goal, (start, end, origin)) in query_vec(
            c,
            &format!(
                "SELECT id, seq, no, area_id, item_id, name, summary, goal, start_fy, end_fy, origin FROM project WHERE plan_id = ?1 {}",
                in_projects.replace("project.id", "id")
            ),
            plan_id,
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    (r.get::<_, Option<i32>>(8)?, r.get::<_, Option<i32>>(9)?, r.get::<_, String>(10)?),
                ))
            },
        )? {
            project_no.insert(id, no.clone());
            seq_entries.push((
                seq,
                Entry::Project(Project {
                    start: start.map(FiscalYear),
                    end: end.map(FiscalYear),
                    origin: split_lines(&origin),
                    no,
                    area: area_code.get(&area_id).cloned().unwrap_or_default(),
                    item: item_id.and_then(|i| item_code.get(&i).cloned()),
                    owners: owners.remove(&id).unwrap_or_default(),
                    name,
                    summary,
                    goal,
                    kpis: proj_kpis.remove(&id).unwrap_or_default(),
                    years: proj_years.remove(&id).unwrap_or_default(),
                }),
            ));
        }
        for (id, seq, pid, area_id, item_id, summary, goal) in query_vec(
            c,
            &format!("SELECT id, seq, project_id, area_id, item_id, summary, goal FROM relisting WHERE plan_id = ?1 {whole}"),
            plan_id,
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )? {
            seq_entries.push((
                seq,
                Entry::Relisting(Relisting {
                    of: project_no.get(&pid).cloned().unwrap_or_default(),
                    area: area_code.get(&area_id).cloned().unwrap_or_default(),
                    item: item_id.and_then(|i| item_code.get(&i).cloned()),
                    summary,
                    goal,
                    kpis: rel_kpis.remove(&id).unwrap_or_default(),
                    years: rel_years.remove(&id).unwrap_or_default(),
                }),
            ));
        }
        seq_entries.sort_by_key(|(s, _)| *s);
        let schedule = query_vec(
            c,
            &format!("SELECT area_id, item_id, grp, label, actor, start_fy, end_fy, milestone, note, progress FROM schedule_row WHERE plan_id = ?1 {whole} ORDER BY seq"),
            plan_id,
            |r| {
                Ok(ScheduleRow {
                    area: area_code.get(&r.get::<_, i64>(0)?).cloned().unwrap_or_default(),
                    item: r.get::<_, Option<i64>>(1)?.and_then(|i| item_code.get(&i).cloned()),
                    group: r.get(2)?,
                    label: r.get(3)?,
                    actor: if r.get::<_, String>(4)? == "nation" {
                        Actor::Nation
                    } else {
                        Actor::Prefecture
                    },
                    start: FiscalYear(r.get(5)?),
                    end: FiscalYear(r.get(6)?),
                    milestone: r.get(7)?,
                    note: r.get(8)?,
                    progress: match r.get::<_, Option<String>>(9)?.as_deref() {
                        Some("done") => Some(Progress::Done),
                        Some("delayed") => Some(Progress::Delayed),
                        _ => None,
                    },
                })
            },
        )?;
        Ok(Plan {
            organization,
            title,
            report_title,
            period: ps.zip(pe).map(|(a, b)| (FiscalYear(a), FiscalYear(b))),
            fiscal_years,
            report_year: FiscalYear(report_year),
            as_of: as_of.and_then(|s| AsOf::parse(&s).ok()),
            rule: serde_json::from_str(&rule).unwrap_or_default(),
            areas,
            kpis,
            entries: seq_entries.into_iter().map(|(_, e)| e).collect(),
            schedule,
        })
    }
}

/// The rows a slice of a plan reads: comma-separated row ids.
struct Only {
    projects: String,
    kpis: String,
}

/// A card list column: JSON, NULL for the empty list.
fn json_list<T: serde::de::DeserializeOwned>(text: Option<&str>, column: &str) -> Result<Vec<T>> {
    text.map_or(Ok(Vec::new()), |t| {
        serde_json::from_str(t).map_err(|e| StoreError::InvalidPlan(format!("事業の年度データ({column})を読めません: {e}")))
    })
}

/// A card list as its column value.
fn list_column<T: serde::Serialize>(list: &[T]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).unwrap_or_default())
}

fn split_lines(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split('\n').map(str::to_string).collect()
    }
}

fn query_vec<T>(c: &rusqlite::Connection, sql: &str, id: i64, f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>) -> Result<Vec<T>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map([id], f)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn clear_plan(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM schedule_row WHERE plan_id = ?1", [id])?;
    tx.execute("DELETE FROM relisting WHERE plan_id = ?1", [id])?;
    tx.execute("DELETE FROM project WHERE plan_id = ?1", [id])?;
    tx.execute("DELETE FROM kpi WHERE plan_id = ?1", [id])?;
    tx.execute("DELETE FROM area WHERE plan_id = ?1", [id])?;
    tx.execute("DELETE FROM plan_year WHERE plan_id = ?1", [id])?;
    Ok(())
}

/// Inserts the plan row (`id = None`) or updates it; returns its id.
fn write_plan_row(tx: &Transaction<'_>, id: Option<i64>, p: &Plan) -> Result<i64> {
    let rule = serde_json::to_string(&p.rule).unwrap_or_else(|_| "{}".into());
    let values = params![
        id,
        p.organization,
        p.title,
        p.report_title,
        p.period.map(|x| x.0 .0),
        p.period.map(|x| x.1 .0),
        p.report_year.0,
        p.as_of.map(AsOf::iso),
        rule
    ];
    if id.is_some() {
        tx.execute(
            "UPDATE plan SET organization = ?2, title = ?3, report_title = ?4, period_start = ?5, period_end = ?6, report_year = ?7, as_of = ?8, rule = ?9,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
            values,
        )?;
    } else {
        tx.execute(
            "INSERT INTO plan (id, organization, title, report_title, period_start, period_end, report_year, as_of, rule, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            values,
        )?;
    }
    Ok(id.unwrap_or_else(|| tx.last_insert_rowid()))
}

fn write_plan_body(tx: &Transaction<'_>, plan_id: i64, p: &Plan) -> Result<()> {
    {
        let mut st = tx.prepare_cached("INSERT INTO plan_year (plan_id, fy) VALUES (?1, ?2)")?;
        for y in &p.fiscal_years {
            st.execute(params![plan_id, y.0])?;
        }
    }
    let mut area_ids: HashMap<&str, i64> = HashMap::new();
    let mut item_ids: HashMap<(&str, &str), i64> = HashMap::new();
    {
        let mut ins_area = tx.prepare_cached("INSERT INTO area (plan_id, seq, code, name) VALUES (?1, ?2, ?3, ?4)")?;
        let mut ins_item =
            tx.prepare_cached("INSERT INTO item (area_id, seq, code, name, situation, progress) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for (i, a) in p.areas.iter().enumerate() {
            ins_area.execute(params![plan_id, i as i64, a.code, a.name])?;
            let aid = tx.last_insert_rowid();
            area_ids.insert(&a.code, aid);
            for (j, it) in a.items.iter().enumerate() {
                ins_item.execute(params![aid, j as i64, it.code, it.name, it.situation, it.progress])?;
                item_ids.insert((&a.code, &it.code), tx.last_insert_rowid());
            }
        }
    }
    let mut kpi_ids: HashMap<u32, i64> = HashMap::new();
    {
        let mut ins = tx.prepare_cached(
            "INSERT INTO kpi (plan_id, no, label, grp, name, unit, direction, cumulative, baseline, baseline_year, divisions, footnotes, tolerance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut ins_rev = tx.prepare_cached(
            "INSERT INTO target_revision (kpi_id, seq, fy, previous, value, from_fy, revised_on, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut ins_v = tx.prepare_cached("INSERT INTO kpi_value (kpi_id, fy, kind, value, as_of) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for k in &p.kpis {
            ins.execute(params![
                plan_id,
                k.no,
                k.label,
                k.group,
                k.name,
                k.unit,
                k.direction.key(),
                k.cumulative,
                k.baseline.as_ref().map(KpiValue::text),
                k.baseline_year.map(|y| y.0),
                k.divisions.join("\n"),
                k.footnotes.join("\n"),
                k.tolerance.as_ref().map(KpiValue::text),
            ])?;
            let kid = tx.last_insert_rowid();
            kpi_ids.insert(k.no, kid);
            for (i, r) in k.revisions.iter().enumerate() {
                ins_rev.execute(params![
                    kid,
                    i as i64,
                    r.year.0,
                    r.previous.as_ref().map(KpiValue::text),
                    r.value.text(),
                    r.from.0,
                    r.date,
                    r.reason
                ])?;
            }
            for (y, v) in &k.targets {
                ins_v.execute(params![kid, y.0, "target", v.text(), Option::<String>::None])?;
            }
            for (y, a) in &k.actuals {
                ins_v.execute(params![kid, y.0, "actual", a.value.text(), a.as_of.map(AsOf::iso)])?;
            }
        }
    }
    let mut project_ids: HashMap<&str, i64> = HashMap::new();
    let mut ins_p = tx.prepare_cached(
        "INSERT INTO project (plan_id, seq, no, area_id, item_id, name, summary, goal, start_fy, end_fy, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut ins_o = tx.prepare_cached("INSERT INTO project_owner (project_id, seq, department, division) VALUES (?1, ?2, ?3, ?4)")?;
    let mut ins_py = tx.prepare_cached(
        "INSERT INTO project_year (project_id, fy, evaluation, narrative, budget, issues, reason, confirmed, activities, actions, budget_lines)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut ins_r = tx.prepare_cached(
        "INSERT INTO relisting (plan_id, seq, project_id, area_id, item_id, summary, goal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut ins_ry = tx.prepare_cached("INSERT INTO relisting_year (relisting_id, fy, evaluation, narrative) VALUES (?1, ?2, ?3, ?4)")?;
    let mut ins_k =
        tx.prepare_cached("INSERT INTO entry_kpi (project_id, relisting_id, seq, kpi_id, relisted) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let missing = |what: String| StoreError::InvalidPlan(what);
    // Projects first: a re-listing may stand before its original in plan order.
    let ordered = p
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.is_relisting())
        .chain(p.entries.iter().enumerate().filter(|(_, e)| e.is_relisting()));
    for (seq, e) in ordered {
        let area_id = *area_ids
            .get(e.area())
            .ok_or_else(|| missing(format!("分野 {} は計画にありません", e.area())))?;
        let item_id = match e.item() {
            Some(it) => Some(
                *item_ids
                    .get(&(e.area(), it))
                    .ok_or_else(|| missing(format!("項目 {it} は分野 {} にありません", e.area())))?,
            ),
            None => None,
        };
        let (pid, rid) = match e {
            Entry::Project(pr) => {
                ins_p.execute(params![
                    plan_id,
                    seq as i64,
                    pr.no,
                    area_id,
                    item_id,
                    pr.name,
                    pr.summary,
                    pr.goal,
                    pr.start.map(|y| y.0),
                    pr.end.map(|y| y.0),
                    pr.origin.join("\n")
                ])?;
                let id = tx.last_insert_rowid();
                project_ids.insert(&pr.no, id);
                for (i, o) in pr.owners.iter().enumerate() {
                    ins_o.execute(params![id, i as i64, o.department, o.division])?;
                }
                for (y, d) in &pr.years {
                    if !d.is_empty() {
                        ins_py.execute(params![
                            id,
                            y.0,
                            d.evaluation.as_ref().map(Evaluation::mark),
                            d.narrative,
                            d.budget,
                            d.issues,
                            d.reason,
                            d.confirmed,
                            list_column(&d.activities),
                            list_column(&d.actions),
                            list_column(&d.budget_lines),
                        ])?;
                    }
                }
                (Some(id), None)
            }
            Entry::Relisting(r) => {
                let of = *project_ids
                    .get(r.of.as_str())
                    .ok_or_else(|| missing(format!("再掲の元の No.{} が計画にありません", r.of)))?;
                ins_r.execute(params![plan_id, seq as i64, of, area_id, item_id, r.summary, r.goal])?;
                let id = tx.last_insert_rowid();
                for (y, d) in &r.years {
                    if d != &RelistingYear::default() {
                        ins_ry.execute(params![id, y.0, d.evaluation.as_ref().map(Evaluation::mark), d.narrative])?;
                    }
                }
                (None, Some(id))
            }
        };
        for (i, k) in e.kpis().iter().enumerate() {
            let kid = *kpi_ids
                .get(&k.no)
                .ok_or_else(|| missing(format!("KPI番号 {} の指標がありません", k.no)))?;
            ins_k.execute(params![pid, rid, i as i64, kid, k.relisted])?;
        }
    }
    let mut ins_s = tx.prepare_cached(
        "INSERT INTO schedule_row (plan_id, seq, area_id, item_id, grp, label, actor, start_fy, end_fy, milestone, note, progress)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (seq, r) in p.schedule.iter().enumerate() {
        let at = format!("工程表の{}行目", seq + 1);
        let area_id = *area_ids
            .get(r.area.as_str())
            .ok_or_else(|| missing(format!("{at}: 分野 {} は計画にありません", r.area)))?;
        let item_id = match &r.item {
            Some(it) => Some(
                *item_ids
                    .get(&(r.area.as_str(), it.as_str()))
                    .ok_or_else(|| missing(format!("{at}: 項目 {it} は分野 {} にありません", r.area)))?,
            ),
            None => None,
        };
        ins_s.execute(params![
            plan_id,
            seq as i64,
            area_id,
            item_id,
            r.group,
            r.label,
            match r.actor {
                Actor::Prefecture => "prefecture",
                Actor::Nation => "nation",
            },
            r.start.0,
            r.end.0,
            r.milestone,
            r.note,
            r.progress.map(|p| match p {
                Progress::Done => "done",
                Progress::Delayed => "delayed",
            }),
        ])?;
    }
    Ok(())
}

/// The end of every save: the revision with its changes, what the caller writes
/// with it, the plan made current, the commit.
fn finish(
    tx: Transaction<'_>,
    plan_id: i64,
    created: bool,
    info: &RevisionInfo,
    changes: &[(String, Option<String>, Option<String>)],
    also: impl FnOnce(&Transaction<'_>, i64) -> Result<()>,
) -> Result<SaveOutcome> {
    let revision_id = record_revision(&tx, Some(plan_id), info, changes)?;
    also(&tx, revision_id)?;
    tx.execute(
        "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![CURRENT_PLAN, plan_id.to_string()],
    )?;
    tx.commit()?;
    Ok(SaveOutcome {
        plan_id,
        revision_id,
        created,
        fields_changed: changes.len(),
    })
}

/// Records a revision and its field changes; returns its id.
pub(crate) fn record_revision(
    tx: &Transaction<'_>,
    plan_id: Option<i64>,
    info: &RevisionInfo,
    changes: &[(String, Option<String>, Option<String>)],
) -> Result<i64> {
    tx.execute(
        "INSERT INTO revision (plan_id, at, kind, summary, source_file, source_sha256, department, fields_changed, undoes)
         VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            plan_id,
            info.kind,
            info.summary,
            info.source_file,
            info.source_sha256,
            info.department,
            changes.len() as i64,
            info.undoes
        ],
    )?;
    let rid = tx.last_insert_rowid();
    let mut st = tx.prepare_cached("INSERT INTO change (revision_id, seq, path, old, new) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (i, (path, old, new)) in changes.iter().enumerate() {
        st.execute(params![rid, i as i64, path, old, new])?;
    }
    Ok(rid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn demo_plans_round_trip_through_the_database() {
        let mut store = Store::in_memory().unwrap();
        for plan in seed::demo_plans().unwrap() {
            let out = store
                .save_plan(
                    &plan,
                    &RevisionInfo {
                        kind: "init".into(),
                        summary: "demo".into(),
                        ..Default::default()
                    },
                )
                .unwrap();
            assert!(out.created);
            let back = store.load_plan(out.plan_id).unwrap();
            assert_eq!(back.fields(), plan.fields());
            assert_eq!(back, plan);
        }
        assert_eq!(store.plans().unwrap().len(), 4);
    }

    #[test]
    fn saving_again_updates_and_records_only_the_changes() {
        let mut store = Store::in_memory().unwrap();
        let mut plan = seed::fukushima_plan().unwrap();
        let info = RevisionInfo {
            kind: "import".into(),
            summary: "test".into(),
            ..Default::default()
        };
        let first = store.save_plan(&plan, &info).unwrap();
        let again = store.save_plan(&plan, &info).unwrap();
        assert_eq!(again.plan_id, first.plan_id);
        assert!(!again.created);
        assert_eq!(again.fields_changed, 0);
        if let Entry::Project(p) = &mut plan.entries[0] {
            p.name = Some("改名".into());
        }
        let third = store.save_plan(&plan, &info).unwrap();
        assert_eq!(third.fields_changed, 1);
        let ch = store.changes(third.revision_id).unwrap();
        assert_eq!(ch[0].0, "project[1].name");
        assert_eq!(ch[0].2.as_deref(), Some("改名"));
        assert_eq!(store.plans().unwrap().len(), 1);
        assert_eq!(store.revisions(Some(first.plan_id)).unwrap().len(), 3);
    }
}
