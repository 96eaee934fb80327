//! 照会 rounds: open one for a plan and year with a due date, see who has
//! returned and who has not, write the reminder for those outstanding, confirm
//! (lock) and unlock a department, close the round.

use std::path::Path;

use serde::Serialize;

use super::{Error, Result};
use crate::fy::{AsOf, FiscalYear};
use crate::model::Plan;
use crate::returns::{department_projects, departments};
use crate::store::{Round, Store};

/// The round as `round status --json` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundHead {
    pub id: i64,
    pub year: i32,
    /// ISO date.
    pub due: String,
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
}

/// One department's line of the board.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundLine {
    pub department: String,
    /// `not_returned`, `returned`, `sent_back` or `confirmed`.
    pub state: String,
    /// Not returned (nor confirmed) after the due date.
    pub overdue: bool,
    pub files: usize,
    /// The department's fields of the year (実績値, 評価, 取組状況) filled and still empty.
    pub filled: usize,
    pub empty: usize,
    pub last_file: Option<String>,
    #[serde(skip)]
    #[ts(skip)]
    pub missing: Vec<Missing>,
}

/// A project of a department with what it still lacks for the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    pub project: String,
    pub name: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundStatus {
    pub round: RoundHead,
    pub departments: Vec<RoundLine>,
}

/// 照会's board in the app: the open round, if any, with days to the due date.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundBoard {
    pub status: Option<RoundStatus>,
    /// Days from today to the due date (negative when past).
    pub days_left: Option<i32>,
    pub returned: u32,
    pub total: u32,
}

/// The board of the current plan's open round (none open: an empty board).
pub fn round_board(db: &Path) -> Result<RoundBoard> {
    let store = Store::open(db)?;
    let plan_id = store.resolve_plan(None)?;
    if store.latest_open_round(plan_id)?.is_none() {
        return Ok(RoundBoard {
            status: None,
            days_left: None,
            returned: 0,
            total: 0,
        });
    }
    let today = store.today()?;
    drop(store);
    let s = round_status(db, None, None)?;
    let day = |iso: &str| AsOf::parse(iso).ok().map(|d| days_from_civil(d.year, d.month, d.day));
    let days_left = day(&s.round.due).zip(day(&today)).map(|(a, b)| (a - b) as i32);
    Ok(RoundBoard {
        returned: s
            .departments
            .iter()
            .filter(|d| matches!(d.state.as_str(), "returned" | "confirmed"))
            .count() as u32,
        total: s.departments.len() as u32,
        status: Some(s),
        days_left,
    })
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let (y, m) = if m <= 2 {
        (i64::from(y) - 1, i64::from(m) + 9)
    } else {
        (i64::from(y), i64::from(m) - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A state as people read it.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "returned" => "提出済",
        "sent_back" => "差戻し",
        "confirmed" => "確定",
        _ => "未提出",
    }
}

/// Opens a round for the plan and year (one open round per plan and year).
pub fn round_open(db: &Path, plan: Option<&str>, year: Option<FiscalYear>, due: &str, title: Option<&str>) -> Result<RoundHead> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let p = store.load_plan(plan_id)?;
    let year = year.unwrap_or(p.report_year);
    let due = AsOf::parse(due).map_err(|e| Error::BadInput(format!("期限: {e}")))?;
    if let Some(r) = store.open_round(plan_id, year.0)? {
        return Err(Error::BadInput(format!(
            "{}の照会「{}」がすでに開いています(期限 {})。先にその照会を締め切ってください",
            year.long(),
            r.title,
            r.due
        )));
    }
    let title = title.map(str::to_string).unwrap_or_else(|| format!("{}実績照会", year.long()));
    let r = store.start_round(plan_id, year.0, &title, &due.iso(), &departments(&p))?;
    Ok(head(&r))
}

fn head(r: &Round) -> RoundHead {
    RoundHead {
        id: r.id,
        year: r.year,
        due: r.due.clone(),
        title: r.title.clone(),
        state: if r.closed_at.is_some() { "closed" } else { "open" }.into(),
    }
}

/// The open round of the plan (of `year`, else the latest open one).
fn current(store: &Store, plan_id: i64, year: Option<FiscalYear>) -> Result<Round> {
    let r = match year {
        Some(y) => store.open_round(plan_id, y.0)?,
        None => store.latest_open_round(plan_id)?,
    };
    r.ok_or_else(|| Error::BadInput("開いている照会がありません。先に照会を開始してください".into()))
}

/// What a department has filled and not yet filled for the year.
fn filled_of(plan: &Plan, department: &str, year: FiscalYear) -> (usize, Vec<Missing>) {
    let mut filled = 0;
    let mut missing = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in department_projects(plan, department, year) {
        let y = p.years.get(&year);
        let mut lacks = Vec::new();
        for k in p.kpis.iter().filter(|k| !k.relisted && seen.insert(k.no)) {
            match plan.kpi(k.no).and_then(|k| k.actuals.get(&year)) {
                Some(_) => filled += 1,
                None => lacks.push(format!("実績値(KPI {})", k.no)),
            }
        }
        for (has, label) in [
            (y.and_then(|y| y.evaluation.clone()).is_some(), "評価"),
            (
                y.and_then(|y| y.narrative.as_deref()).is_some_and(|n| !n.trim().is_empty()),
                "取組状況",
            ),
        ] {
            if has {
                filled += 1;
            } else {
                lacks.push(label.to_string());
            }
        }
        if !lacks.is_empty() {
            missing.push(Missing {
                project: p.no.clone(),
                name: p.name.clone().unwrap_or_default(),
                fields: lacks,
            });
        }
    }
    (filled, missing)
}

/// The board: per department its state, overdue, files and what is filled.
pub fn round_status(db: &Path, plan: Option<&str>, year: Option<FiscalYear>) -> Result<RoundStatus> {
    let store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let r = current(&store, plan_id, year)?;
    let p = store.load_plan(plan_id)?;
    let today = store.today()?;
    let departments = store
        .round_departments(r.id)?
        .into_iter()
        .map(|d| {
            let (filled, missing) = filled_of(&p, &d.department, FiscalYear(r.year));
            RoundLine {
                overdue: today > r.due && !matches!(d.state.as_str(), "returned" | "confirmed"),
                files: d.files.len(),
                filled,
                empty: missing.iter().map(|m| m.fields.len()).sum(),
                last_file: d.files.last().map(|f| crate::views::file_name(&f.0)),
                missing,
                department: d.department,
                state: d.state,
            }
        })
        .collect();
    Ok(RoundStatus {
        round: head(&r),
        departments,
    })
}

/// The reminder (督促) for the departments still outstanding, ready to paste into mail.
pub fn round_remind(db: &Path, plan: Option<&str>, year: Option<FiscalYear>) -> Result<String> {
    let s = round_status(db, plan, year)?;
    let due = AsOf::parse(&s.round.due).map(AsOf::long).unwrap_or_else(|_| s.round.due.clone());
    let outstanding: Vec<&RoundLine> = s
        .departments
        .iter()
        .filter(|d| matches!(d.state.as_str(), "not_returned" | "sent_back"))
        .collect();
    let mut out = format!("【督促】{}(回答期限: {due})\n\n", s.round.title);
    if outstanding.is_empty() {
        out.push_str("すべての部から回答をいただいています。\n");
        return Ok(out);
    }
    out.push_str("次の部からの回答をまだ受け取っていません。記入用ファイルに入力のうえ、期限までに返送をお願いします。\n");
    for d in outstanding {
        let late = if d.overdue { "・期限超過" } else { "" };
        out.push_str(&format!("\n■ {}({}{late})\n", d.department, state_label(&d.state)));
        if d.missing.is_empty() {
            out.push_str("  (未入力の項目はありません。返送のみお願いします)\n");
        }
        for m in &d.missing {
            out.push_str(&format!("  ・事業番号 {} {}: {}\n", m.project, m.name, m.fields.join("、")));
        }
    }
    Ok(out)
}

fn department_of(store: &Store, r: &Round, department: &str) -> Result<String> {
    let d = store.round_departments(r.id)?;
    match d.iter().find(|x| x.department == department) {
        Some(x) => Ok(x.state.clone()),
        None => Err(Error::BadInput(format!(
            "部「{department}」は照会「{}」の対象ではありません(対象: {})",
            r.title,
            d.iter().map(|x| x.department.as_str()).collect::<Vec<_>>().join("、")
        ))),
    }
}

/// What a 差戻し wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SentBack {
    pub department: String,
    pub file: std::path::PathBuf,
    pub findings: Vec<crate::returns::review::Finding>,
}

/// 差戻し: the department's workbook written again with its returned values, each
/// problem cell marked and a 指摘事項 sheet (cell, field, what is wrong, the note);
/// the department's state becomes 差戻し. The file merges like any return.
pub fn round_send_back(db: &Path, plan: Option<&str>, department: &str, note: &str, dir: &Path, jump_factor: f64) -> Result<SentBack> {
    if jump_factor.is_nan() || jump_factor <= 1.0 {
        return Err(Error::BadInput(format!(
            "変動の倍率は 1 より大きい数で指定してください(指定: {jump_factor})"
        )));
    }
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let r = current(&store, plan_id, None)?;
    let state = department_of(&store, &r, department)?;
    if state == "confirmed" {
        return Err(Error::BadInput(format!(
            "{department}は確定済みです。差し戻すには先に確定を解除してください"
        )));
    }
    let p = store.load_plan(plan_id)?;
    let year = FiscalYear(r.year);
    let findings = crate::returns::review::review(&p, department, year, jump_factor);
    let file = dir.join(crate::returns::return_file_name(department, year).replace(".xlsx", "_差戻し.xlsx"));
    super::guard_output(db, &file, &[])?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let key = store.signing_key()?;
    let spec = crate::returns::ReturnSpec {
        plan: &p,
        filled: None,
        plan_id,
        revision: store.revisions(Some(plan_id))?.first().map(|x| x.id).unwrap_or(0),
        department,
        year,
        created_at: store.now()?,
        key: Some(&key),
        carried_meta: None,
        round_id: Some(r.id),
        findings: Some((&findings, note)),
        labels: Some(&super::returns::entry_labels(&store, plan_id, None)?),
    };
    crate::returns::write_return(&spec, &file)?;
    store.set_round_state(
        &r,
        department,
        "sent_back",
        format!(
            "照会「{}」: {department}へ差戻し(指摘 {} 件){}",
            r.title,
            findings.len(),
            if note.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", note.trim())
            }
        ),
    )?;
    Ok(SentBack {
        department: department.to_string(),
        file,
        findings,
    })
}

/// 確定: later returns from the department for this round are refused.
pub fn round_confirm(db: &Path, plan: Option<&str>, department: &str) -> Result<()> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let r = current(&store, plan_id, None)?;
    if department_of(&store, &r, department)? == "confirmed" {
        return Err(Error::BadInput(format!("{department}はすでに確定しています")));
    }
    store.set_round_state(&r, department, "confirmed", format!("照会「{}」: {department}を確定", r.title))?;
    Ok(())
}

/// 確定の解除, with the reason kept in the history.
pub fn round_unlock(db: &Path, plan: Option<&str>, department: &str, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::BadInput("確定を解除する理由を --reason で入力してください".into()));
    }
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let r = current(&store, plan_id, None)?;
    if department_of(&store, &r, department)? != "confirmed" {
        return Err(Error::BadInput(format!("{department}は確定していません")));
    }
    store.set_round_state(
        &r,
        department,
        "returned",
        format!("照会「{}」: {department}の確定を解除(理由: {reason})", r.title),
    )?;
    Ok(())
}

/// Closes the open round; its record stays in `history`.
pub fn round_close(db: &Path, plan: Option<&str>) -> Result<RoundStatus> {
    let s = round_status(db, plan, None)?;
    let mut store = Store::open(db)?;
    let r = store
        .round(s.round.id)?
        .ok_or_else(|| Error::BadInput("照会が見つかりません".into()))?;
    let count = |st: &str| s.departments.iter().filter(|d| d.state == st).count();
    store.close_round(
        &r,
        format!(
            "照会「{}」を締め切り(提出済 {}・確定 {}・差戻し {}・未提出 {})",
            r.title,
            count("returned"),
            count("confirmed"),
            count("sent_back"),
            count("not_returned")
        ),
    )?;
    Ok(s)
}

/// Writes a text file (the reminder) under a temporary name and renames it into place.
pub fn write_text(db: &Path, path: &Path, text: &str) -> Result<()> {
    super::guard_output(db, path, &[])?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
