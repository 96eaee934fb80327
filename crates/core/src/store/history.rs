//! History: the revisions of a plan and undoing one of them. An undo is itself
//! a revision (kind `undo`) that sets the fields back; it is refused when a
//! later revision changed any of the same fields since.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::conflicts::undo_conflicts;
use super::{Result, Revision, RevisionInfo, SaveOutcome, Store, StoreError};

impl Store {
    pub fn revision(&self, id: i64) -> Result<Revision> {
        let plan_id: Option<Option<i64>> = self
            .conn
            .query_row("SELECT plan_id FROM revision WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        let plan_id = plan_id.ok_or(StoreError::RevisionNotFound(id))?;
        self.revisions(plan_id)?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(StoreError::RevisionNotFound(id))
    }

    /// The plan's fields as they were just after revision `at`: `now` with every
    /// later revision's changes taken back, newest first.
    pub fn fields_at(&self, plan_id: i64, at: i64, now: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
        let mut fields = now.clone();
        let mut st = self.conn.prepare(
            "SELECT c.path, c.old FROM change c JOIN revision r ON r.id = c.revision_id
             WHERE r.plan_id = ?1 AND r.id > ?2 ORDER BY r.id DESC, c.seq DESC",
        )?;
        let mut rows = st.query(params![plan_id, at])?;
        while let Some(r) = rows.next()? {
            let path: String = r.get(0)?;
            match r.get::<_, Option<String>>(1)? {
                Some(v) => fields.insert(path, v),
                None => fields.remove(&path),
            };
        }
        Ok(fields)
    }

    /// Of these paths, those whose latest change was entered, merged, resolved or
    /// undone after the plan's last import (or creation): `(path, revision, kind)`.
    pub fn entered_since_import(&self, plan_id: i64, paths: &[String]) -> Result<Vec<(String, i64, String)>> {
        let last_import: i64 = self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM revision WHERE plan_id = ?1 AND kind IN ('import', 'init')",
            [plan_id],
            |r| r.get(0),
        )?;
        let mut st = self.conn.prepare_cached(
            "SELECT r.id, r.kind FROM change c JOIN revision r ON r.id = c.revision_id
             WHERE r.plan_id = ?1 AND c.path = ?2 ORDER BY r.id DESC LIMIT 1",
        )?;
        let mut out = Vec::new();
        for p in paths {
            let last: Option<(i64, String)> = st.query_row(params![plan_id, p], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((id, kind)) = last.filter(|(id, kind)| *id > last_import && kind != "import" && kind != "init") {
                out.push((p.clone(), id, kind));
            }
        }
        Ok(out)
    }

    /// Reverts the fields revision `id` changed, as a new revision.
    pub fn undo(&mut self, id: i64) -> Result<SaveOutcome> {
        let rev = self.revision(id)?;
        let refuse = |m: String| Err(StoreError::CannotUndo(format!("履歴 #{id} は取り消せません: {m}")));
        let Some(plan_id) = rev.plan_id else {
            return refuse("計画が削除されています".into());
        };
        if let Some(u) = rev.undone_by {
            return refuse(format!("#{u} で取り消し済みです"));
        }
        let changes = self.changes(id)?;
        let first: i64 = self
            .conn
            .query_row("SELECT min(id) FROM revision WHERE plan_id = ?1", [plan_id], |r| r.get(0))?;
        if first == id {
            return refuse("計画を作成した履歴です。作成前に戻すには、設定のバックアップから復元してください".into());
        }
        let touches_conflicts: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM conflict WHERE revision_id = ?1 OR resolved_revision = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if changes.is_empty() && !touches_conflicts {
            return refuse("何も変更していない履歴です".into());
        }
        let back: Vec<(String, Option<String>)> = changes.iter().rev().map(|(path, old, _)| (path.clone(), old.clone())).collect();
        let mut plan = self.load_part(plan_id, &back)?;
        let stored = plan.clone();
        let now = plan.fields();
        let moved: Vec<&String> = changes
            .iter()
            .filter(|(path, _, new)| !crate::fields::same_value(path, now.get(path).map(String::as_str), new.as_deref()))
            .map(|(path, _, _)| path)
            .collect();
        if let Some(path) = moved.first() {
            let later: Option<i64> = self.conn.query_row(
                "SELECT max(c.revision_id) FROM change c JOIN revision r ON r.id = c.revision_id
                 WHERE r.plan_id = ?1 AND c.revision_id > ?2 AND c.path = ?3",
                params![plan_id, id, path],
                |r| r.get(0),
            )?;
            let others = if moved.len() > 1 {
                format!(" ほか {} 項目", moved.len() - 1)
            } else {
                String::new()
            };
            let by = later.map(|l| format!("後の履歴 #{l} が")).unwrap_or_else(|| "後の変更が".into());
            return refuse(format!(
                "{by}同じ項目を変更しています({path}{others})。先に後の履歴を取り消すか、値を直接修正してください"
            ));
        }
        plan.apply_changes(&back)
            .map_err(|e| StoreError::CannotUndo(format!("履歴 #{id} は取り消せません: {e}")))?;
        let info = RevisionInfo {
            kind: "undo".into(),
            summary: format!("#{id}({})を取り消し", rev.summary),
            source_file: None,
            source_sha256: None,
            department: rev.department.clone(),
            undoes: Some(id),
        };
        self.save_part(plan_id, &stored, &plan, &info, |tx, new_rev| undo_conflicts(tx, id, new_rev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn info(kind: &str) -> RevisionInfo {
        RevisionInfo {
            kind: kind.into(),
            summary: kind.into(),
            ..Default::default()
        }
    }

    fn edit(store: &mut Store, id: i64, path: &str, value: &str) -> i64 {
        let mut p = store.load_plan(id).unwrap();
        p.apply_changes(&[(path.into(), Some(value.into()))]).unwrap();
        store.save_version(Some(id), &p, &info("edit"), |_, _| Ok(())).unwrap().revision_id
    }

    #[test]
    fn undo_reverts_one_revision_and_refuses_when_a_later_one_touched_the_field() {
        let mut store = Store::in_memory().unwrap();
        let plan = seed::fukushima_plan().unwrap();
        let created = store.save_plan(&plan, &info("init")).unwrap();
        let id = created.plan_id;
        let a = edit(&mut store, id, "project[1].year[2023].narrative", "A");
        let b = edit(&mut store, id, "project[2].year[2023].narrative", "B");
        let c = edit(&mut store, id, "project[1].year[2023].narrative", "C");

        let err = store.undo(a).unwrap_err().to_string();
        assert!(err.contains(&format!("#{c}")), "{err}");
        assert!(err.contains("project[1].year[2023].narrative"), "{err}");

        let u = store.undo(b).unwrap();
        assert_eq!(u.fields_changed, 1);
        let p = store.load_plan(id).unwrap();
        assert_eq!(
            p.project("2").unwrap().years[&plan.report_year].narrative,
            plan.project("2").unwrap().years[&plan.report_year].narrative
        );
        assert_eq!(p.project("1").unwrap().years[&plan.report_year].narrative.as_deref(), Some("C"));
        assert!(store.undo(b).unwrap_err().to_string().contains("取り消し済み"));
        assert_eq!(store.revision(b).unwrap().undone_by, Some(u.revision_id));

        // Undo C, then A can be undone: the field is back to what A left.
        store.undo(c).unwrap();
        store.undo(a).unwrap();
        assert_eq!(store.load_plan(id).unwrap().fields(), plan.fields());
        assert!(store
            .undo(created.revision_id)
            .unwrap_err()
            .to_string()
            .contains("バックアップから復元"));
        assert!(matches!(store.undo(999), Err(StoreError::RevisionNotFound(999))));
    }
}
