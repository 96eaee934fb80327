//! The plans of a database as the app offers them: which is open, which are demo
//! plans, switching between them, and removing a demo plan the user no longer wants.

use std::path::Path;

use super::{Error, Result};
use crate::store::Store;
use crate::views::PlanView;

/// Every plan, the current one marked, demo plans labelled.
pub fn plan_views(db: &Path) -> Result<Vec<PlanView>> {
    let store = Store::open(db)?;
    store
        .plans()?
        .into_iter()
        .map(|p| {
            Ok(PlanView {
                demo: store.is_demo(p.id)?,
                id: p.id,
                title: p.title,
                organization: p.organization,
                year: p.report_year.long(),
                current: p.current,
            })
        })
        .collect()
}

/// Makes a plan the one the app and the commands act on.
pub fn switch_plan(db: &Path, plan_id: i64) -> Result<Vec<PlanView>> {
    let mut store = Store::open(db)?;
    if !store.plans()?.iter().any(|p| p.id == plan_id) {
        return Err(Error::BadInput(format!("計画 #{plan_id} はありません")));
    }
    store.set_current_plan(plan_id)?;
    drop(store);
    plan_views(db)
}

/// Removes a demo plan (after a backup). A plan the user imported is never removed
/// here: it holds their work.
pub fn delete_demo_plan(db: &Path, plan_id: i64) -> Result<Vec<PlanView>> {
    let mut store = Store::open(db)?;
    let Some(info) = store.plans()?.into_iter().find(|p| p.id == plan_id) else {
        return Err(Error::BadInput(format!("計画 #{plan_id} はありません")));
    };
    if !store.is_demo(plan_id)? {
        return Err(Error::BadInput(format!(
            "「{}」は取り込んだ計画のため削除できません(削除できるのはデモ計画だけです)",
            info.title
        )));
    }
    store.backup("delete_plan")?;
    store.delete_plan(plan_id, &format!("デモ計画「{}」を削除しました", info.title))?;
    drop(store);
    plan_views(db)
}
