//! Targeted writes: field changes written to the rows they name.
//!
//! A save records `(path, old, new)` per changed field (see [`crate::model::Plan::fields`]).
//! When every changed path is a field of a row that already exists — a KPI's values
//! and texts, a project's texts and yearly fields, an area's or item's texts — the
//! rows are updated in place: the cost of a save follows the size of the change,
//! not of the plan. Anything else (a project or KPI added, removed or moved, owners,
//! KPI lists, re-listings, the 工程表, the plan's header) is written by replacing
//! the plan's rows, as an import does.
//!
//! The texts written are the ones [`crate::model::Plan::fields`] produced, so a
//! plan read back after a targeted write is the plan a full rewrite would store
//! (the tests compare both).

use rusqlite::{params, OptionalExtension, Transaction};

use super::{FieldChangeRow, Result};

/// What one path names, when it is a field that can be updated in place.
enum Leaf<'a> {
    /// A column of the `kpi` row.
    Kpi {
        no: u32,
        column: &'static str,
    },
    /// A target or actual of a KPI for a year.
    Value {
        no: u32,
        kind: &'static str,
        fy: i32,
    },
    /// The 時点 of a KPI's actual.
    AsOf {
        no: u32,
        fy: i32,
    },
    /// A column of the `project` row.
    Project {
        no: &'a str,
        column: &'static str,
    },
    /// A column of a project's `project_year` row.
    Year {
        no: &'a str,
        fy: i32,
        column: &'static str,
    },
    Area {
        code: &'a str,
        column: &'static str,
    },
    Item {
        area: &'a str,
        code: &'a str,
        column: &'static str,
    },
}

/// `name[arg]` at the start of `s`: (`arg`, the rest after `]`).
fn bracket<'a>(s: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let rest = s.strip_prefix(name)?.strip_prefix('[')?;
    let close = rest.find(']')?;
    Some((&rest[..close], &rest[close + 1..]))
}

/// The field a path names, or `None` when the change is not a field of an existing row.
fn leaf<'a>(path: &'a str, new: Option<&str>) -> Option<Leaf<'a>> {
    if let Some((no, rest)) = bracket(path, "kpi") {
        let no: u32 = no.parse().ok()?;
        if let Some((fy, tail)) = bracket(rest, ".target") {
            return tail.is_empty().then_some(Leaf::Value {
                no,
                kind: "target",
                fy: fy.parse().ok()?,
            });
        }
        if let Some((fy, tail)) = bracket(rest, ".actual") {
            let fy = fy.parse().ok()?;
            return match tail {
                "" => Some(Leaf::Value { no, kind: "actual", fy }),
                ".as_of" => Some(Leaf::AsOf { no, fy }),
                _ => None,
            };
        }
        let column = match rest.strip_prefix('.')? {
            "label" => "label",
            "group" => "grp",
            // A KPI whose name is emptied is removed: not a field change.
            "name" if new.is_some() => "name",
            "unit" => "unit",
            "direction" if matches!(new, Some("up" | "down" | "keep")) => "direction",
            "tolerance" => "tolerance",
            "cumulative" if matches!(new, Some("true" | "false")) => "cumulative",
            "baseline" => "baseline",
            "baseline_year" => "baseline_year",
            "divisions" => "divisions",
            "footnotes" => "footnotes",
            _ => return None,
        };
        return Some(Leaf::Kpi { no, column });
    }
    if let Some((no, rest)) = bracket(path, "project") {
        if let Some((fy, tail)) = bracket(rest, ".year") {
            let column = match tail.strip_prefix('.')? {
                "evaluation" => "evaluation",
                "narrative" => "narrative",
                "budget" => "budget",
                "issues" => "issues",
                "reason" => "reason",
                "confirmed" => "confirmed",
                "activities" => "activities",
                "actions" => "actions",
                "budget_lines" => "budget_lines",
                _ => return None,
            };
            return Some(Leaf::Year {
                no,
                fy: fy.parse().ok()?,
                column,
            });
        }
        let column = match rest.strip_prefix('.')? {
            "name" => "name",
            "summary" => "summary",
            "goal" => "goal",
            "start" => "start_fy",
            "end" => "end_fy",
            "origin" => "origin",
            _ => return None,
        };
        return Some(Leaf::Project { no, column });
    }
    if let Some((code, rest)) = bracket(path, "area") {
        if rest == ".name" {
            return Some(Leaf::Area { code, column: "name" });
        }
        let (item, tail) = bracket(rest, ".item")?;
        let column = match tail.strip_prefix('.')? {
            "name" => "name",
            "situation" => "situation",
            "progress" => "progress",
            _ => return None,
        };
        return Some(Leaf::Item {
            area: code,
            code: item,
            column,
        });
    }
    None
}

/// Whether every change is a field that [`write_in_place`] can write.
pub(crate) fn all_in_place(changes: &[FieldChangeRow]) -> bool {
    changes.iter().all(|(path, _, new)| leaf(path, new.as_deref()).is_some())
}

/// Writes the changes to the rows they name, inside `tx`. Returns `false`, having
/// written nothing, when one of them is not a field of an existing row; the caller
/// then replaces the plan's rows instead.
pub(super) fn write_in_place(tx: &Transaction<'_>, plan_id: i64, changes: &[FieldChangeRow]) -> Result<bool> {
    if !all_in_place(changes) {
        return Ok(false);
    }
    tx.execute_batch("SAVEPOINT in_place")?;
    for (path, _, new) in changes {
        let written = match leaf(path, new.as_deref()) {
            Some(at) => write_one(tx, plan_id, &at, new.as_deref())?,
            None => false,
        };
        if !written {
            tx.execute_batch("ROLLBACK TO in_place; RELEASE in_place")?;
            return Ok(false);
        }
    }
    tx.execute(
        "UPDATE plan SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
        [plan_id],
    )?;
    tx.execute_batch("RELEASE in_place")?;
    Ok(true)
}

/// One change; `false` when its row does not exist.
fn write_one(c: &rusqlite::Connection, plan_id: i64, at: &Leaf<'_>, new: Option<&str>) -> Result<bool> {
    // Statements are prepared once per connection: a merge writes thousands of fields.
    let run = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<usize> { Ok(c.prepare_cached(sql)?.execute(p)?) };
    let kpi_id = |no: u32| -> Result<Option<i64>> {
        Ok(c.prepare_cached("SELECT id FROM kpi WHERE plan_id = ?1 AND no = ?2")?
            .query_row(params![plan_id, no], |r| r.get(0))
            .optional()?)
    };
    let project_id = |no: &str| -> Result<Option<i64>> {
        Ok(c.prepare_cached("SELECT id FROM project WHERE plan_id = ?1 AND no = ?2")?
            .query_row(params![plan_id, no], |r| r.get(0))
            .optional()?)
    };
    let int = |v: Option<&str>| v.and_then(|t| t.parse::<i64>().ok());
    let updated = match *at {
        Leaf::Kpi { no, column } => {
            let sql = format!("UPDATE kpi SET {column} = ?3 WHERE plan_id = ?1 AND no = ?2");
            match column {
                "baseline_year" => run(&sql, params![plan_id, no, int(new)])?,
                "cumulative" => run(&sql, params![plan_id, no, new == Some("true")])?,
                // Lists of lines: an empty list is stored as ''.
                "divisions" | "footnotes" => run(&sql, params![plan_id, no, new.unwrap_or("")])?,
                _ => run(&sql, params![plan_id, no, new])?,
            }
        }
        Leaf::Value { no, kind, fy } => {
            let Some(kid) = kpi_id(no)? else { return Ok(false) };
            match new {
                Some(v) => run(
                    "INSERT INTO kpi_value (kpi_id, fy, kind, value) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (kpi_id, fy, kind) DO UPDATE SET value = excluded.value",
                    params![kid, fy, kind, v],
                )?,
                None => {
                    run(
                        "DELETE FROM kpi_value WHERE kpi_id = ?1 AND fy = ?2 AND kind = ?3",
                        params![kid, fy, kind],
                    )?;
                    1
                }
            }
        }
        Leaf::AsOf { no, fy } => {
            let Some(kid) = kpi_id(no)? else { return Ok(false) };
            let n = run(
                "UPDATE kpi_value SET as_of = ?3 WHERE kpi_id = ?1 AND fy = ?2 AND kind = 'actual'",
                params![kid, fy, new],
            )?;
            // The 時点 of an actual removed in the same change goes with it.
            if n == 0 && new.is_none() {
                1
            } else {
                n
            }
        }
        Leaf::Project { no, column } => {
            let sql = format!("UPDATE project SET {column} = ?3 WHERE plan_id = ?1 AND no = ?2");
            match column {
                "start_fy" | "end_fy" => run(&sql, params![plan_id, no, int(new)])?,
                "origin" => run(&sql, params![plan_id, no, new.unwrap_or("")])?,
                _ => run(&sql, params![plan_id, no, new])?,
            }
        }
        Leaf::Year { no, fy, column } => {
            let Some(pid) = project_id(no)? else { return Ok(false) };
            run(
                "INSERT OR IGNORE INTO project_year (project_id, fy) VALUES (?1, ?2)",
                params![pid, fy],
            )?;
            let sql = format!("UPDATE project_year SET {column} = ?3 WHERE project_id = ?1 AND fy = ?2");
            let n = match column {
                "budget" => run(&sql, params![pid, fy, int(new)])?,
                "confirmed" => run(&sql, params![pid, fy, new == Some("true")])?,
                _ => run(&sql, params![pid, fy, new])?,
            };
            // A year with nothing left in it is not kept (as a full write does not write it).
            run(
                "DELETE FROM project_year WHERE project_id = ?1 AND fy = ?2 AND evaluation IS NULL AND narrative IS NULL
                 AND budget IS NULL AND issues IS NULL AND reason IS NULL AND confirmed = 0 AND activities IS NULL
                 AND actions IS NULL AND budget_lines IS NULL",
                params![pid, fy],
            )?;
            n
        }
        Leaf::Area { code, column } => run(
            &format!("UPDATE area SET {column} = ?3 WHERE plan_id = ?1 AND code = ?2"),
            params![plan_id, code, new],
        )?,
        Leaf::Item { area, code, column } => run(
            &format!("UPDATE item SET {column} = ?4 WHERE code = ?3 AND area_id = (SELECT id FROM area WHERE plan_id = ?1 AND code = ?2)"),
            params![plan_id, area, code, new],
        )?,
    };
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Plan;
    use crate::seed;
    use crate::store::{RevisionInfo, Store};

    fn info() -> RevisionInfo {
        RevisionInfo {
            kind: "edit".into(),
            summary: "test".into(),
            ..Default::default()
        }
    }

    fn row_ids(store: &Store, table: &str) -> Vec<i64> {
        let mut st = store.conn.prepare(&format!("SELECT id FROM {table} ORDER BY id")).unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    /// A new value for a field, of the kind the field holds.
    fn another(path: &str, old: &str, n: usize) -> Option<String> {
        let last = path.rsplit('.').next().unwrap_or(path);
        match last {
            "as_of" | "activities" | "actions" | "budget_lines" | "confirmed" => None,
            "evaluation" => Some(if old == "△" { "○" } else { "△" }.into()),
            "budget" => Some((1000 + n).to_string()),
            "direction" => Some(if old == "up" { "down" } else { "up" }.into()),
            "cumulative" => Some(if old == "true" { "false" } else { "true" }.into()),
            "baseline_year" => Some("2019".into()),
            "baseline" => Some(format!("{n}.5")),
            _ if crate::fields::is_value_path(path) => Some(format!("{}", 10 + n)),
            _ => Some(format!("{old}(改{n})")),
        }
    }

    #[test]
    fn a_targeted_write_stores_what_a_full_write_stores_and_keeps_every_row() {
        for plan in seed::demo_plans().unwrap() {
            let mut store = Store::in_memory().unwrap();
            let id = store.save_plan(&plan, &info()).unwrap().plan_id;
            let fields = plan.fields();
            // Every third field of an existing row, changed or emptied.
            let mut sets: Vec<(String, Option<String>)> = fields
                .iter()
                .filter(|(p, v)| leaf(p, Some(v)).is_some())
                .enumerate()
                .filter(|(n, _)| n % 3 == 0)
                .map(|(n, (p, v))| (p.clone(), another(p, v, n)))
                .collect();
            // A year emptied of everything, an actual for a new year, a text emptied.
            if let Some(p) = plan.projects().find(|p| !p.years.is_empty()) {
                let (y, _) = p.years.iter().next().unwrap();
                for f in [
                    "evaluation",
                    "narrative",
                    "budget",
                    "issues",
                    "reason",
                    "confirmed",
                    "activities",
                    "actions",
                    "budget_lines",
                ] {
                    sets.push((format!("project[{}].year[{}].{f}", p.no, y.0), None));
                }
            }
            if let Some(k) = plan.kpis.first().map(|k| k.no) {
                sets.push((format!("kpi[{k}].actual[2031]"), Some("7".into())));
                sets.push((format!("kpi[{k}].actual[2031].as_of"), Some("2032-03-31".into())));
                sets.push((format!("kpi[{k}].unit"), None));
            }
            let mut after = plan.clone();
            after.apply_changes(&sets).unwrap();
            let (rows_before, last) = (store.conn.total_changes(), store.last_revision_id(id).unwrap());
            let saved = store.save_part(id, &plan, &after, &info(), |_, _| Ok(())).unwrap();
            assert!(saved.revision_id > last);
            let rows_written = store.conn.total_changes() - rows_before;
            let back = store.load_plan(id).unwrap();
            assert_eq!(back.fields(), after.fields(), "{}", plan.title);
            assert_eq!(back, after, "{}", plan.title);
            // Written in place: per field at most an insert, an update and a delete,
            // plus the revision, its changes and the plan's own row.
            let recorded = store.changes(saved.revision_id).unwrap();
            assert!(
                rows_written <= (4 * recorded.len() + 3) as u64,
                "{}: {rows_written} rows written for {} fields",
                plan.title,
                recorded.len()
            );
            assert_eq!(recorded, crate::model::diff_fields(&fields, &after.fields()));
            let empty: i64 = store
                .conn
                .query_row("SELECT count(*) FROM project_year WHERE narrative IS NULL AND evaluation IS NULL AND budget IS NULL AND issues IS NULL AND reason IS NULL AND confirmed = 0 AND activities IS NULL AND actions IS NULL AND budget_lines IS NULL", [], |r| r.get(0))
                .unwrap();
            assert_eq!(empty, 0, "a year with nothing in it is not kept");
        }
    }

    #[test]
    fn a_change_of_structure_replaces_the_rows_and_still_stores_the_plan() {
        let plan = seed::fukushima_plan().unwrap();
        let mut store = Store::in_memory().unwrap();
        let id = store.save_plan(&plan, &info()).unwrap().plan_id;
        let rows_before = store.conn.total_changes();
        let p = plan.projects().next().unwrap().no.clone();
        let mut after = plan.clone();
        after
            .apply_changes(&[
                (format!("project[{p}].year[2023].narrative"), Some("x".into())),
                (format!("project[{p}].kpis"), None),
                (format!("project[{p}].owners"), Some("総務部/デジタル変革課".into())),
            ])
            .unwrap_or_else(|e| panic!("{e}"));
        store.save_part(id, &plan, &after, &info(), |_, _| Ok(())).unwrap();
        assert_eq!(store.load_plan(id).unwrap(), after);
        let rows = row_ids(&store, "project").len() + row_ids(&store, "kpi").len();
        assert!((store.conn.total_changes() - rows_before) as usize > 2 * rows, "rewritten");
    }

    #[test]
    fn a_change_to_a_row_that_is_not_there_writes_nothing_in_place() {
        let plan = seed::fukushima_plan().unwrap();
        let mut store = Store::in_memory().unwrap();
        let id = store.save_plan(&plan, &info()).unwrap().plan_id;
        let tx = store.conn.transaction().unwrap();
        let changes = vec![
            ("kpi[1].actual[2023]".to_string(), None, Some("1".to_string())),
            ("project[no-such].name".to_string(), None, Some("x".to_string())),
        ];
        assert!(!write_in_place(&tx, id, &changes).unwrap());
        tx.commit().unwrap();
        let back: Plan = store.load_plan(id).unwrap();
        assert_eq!(back, plan, "the first change was rolled back with the second");
    }

    #[test]
    fn a_slice_holds_the_named_rows_whole() {
        let plan = seed::fukushima_plan().unwrap();
        let mut store = Store::in_memory().unwrap();
        let id = store.save_plan(&plan, &info()).unwrap().plan_id;
        let full = plan.fields();
        // A KPI listed by more than one project.
        let shared = plan
            .kpis
            .iter()
            .find(|k| plan.projects().filter(|p| p.kpis.iter().any(|r| r.no == k.no)).count() > 1)
            .unwrap();
        let slice = store.load_slice(id, &[], &[shared.no]).unwrap();
        let sharing: Vec<&str> = plan
            .projects()
            .filter(|p| p.kpis.iter().any(|r| r.no == shared.no))
            .map(|p| p.no.as_str())
            .collect();
        for no in &sharing {
            let (a, b) = (slice.project(no).unwrap(), plan.project(no).unwrap());
            assert_eq!(a, b, "project {no} whole");
            for r in &a.kpis {
                assert_eq!(slice.kpi(r.no), plan.kpi(r.no));
            }
        }
        assert!(slice.projects().count() < plan.projects().count());
        assert!(slice.relistings().next().is_none() && slice.schedule.is_empty());
        for (path, v) in slice.fields() {
            // Positions are the slice's own; every other field is the plan's.
            if (path.starts_with("project[") || path.starts_with("kpi[")) && !path.ends_with(".order") {
                assert_eq!(full.get(&path), Some(&v), "{path}");
            }
        }
        let named = store.load_slice(id, &[sharing[0]], &[]).unwrap();
        assert_eq!(named.project(sharing[0]), plan.project(sharing[0]));
    }
}
