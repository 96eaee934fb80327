//! Field-level changes to a plan: the inverse of [`Plan::fields`].
//!
//! A revision records `(path, old, new)` per field; merging a department return,
//! resolving a conflict and undoing a revision all come down to setting some
//! paths to new values. [`Plan::apply_changes`] does that in place, so every
//! field not named keeps exactly what it had (the typed text of a value, not only
//! its canonical form). Entries, areas, items and KPIs are created when a path
//! names one that does not exist, and removed when their `order` (or a KPI's
//! `name`) is set to nothing.

use std::collections::{BTreeMap, HashMap};

use crate::eval::{Direction, Evaluation, EvaluationRule, Scale};
use crate::fy::{AsOf, FiscalYear};
use crate::model::{default_report_title, Actual, Area, Entry, Item, Kpi, KpiRef, Owner, Plan, Project, Relisting, ScheduleRow};
use crate::value::KpiValue;

/// A path that does not name a field, or a value that does not fit it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

/// Whether two stored texts of a field are the same value: the same text, or for
/// a KPI value (基準値, 目標値, 実績値) the same number written another way
/// (revisions recorded before texts were kept hold the canonical form).
pub fn same_value(path: &str, a: Option<&str>, b: Option<&str>) -> bool {
    if a == b {
        return true;
    }
    let canon = |v: Option<&str>| v.and_then(|t| KpiValue::new(t.to_string())).map(|v| v.canonical());
    is_value_path(path) && canon(a).is_some() && canon(a) == canon(b)
}

/// What a person calls the field a path names (実績値, 取組状況, 目標値 …).
pub fn label(path: &str) -> String {
    if path.starts_with("kpi[") && path.ends_with(']') {
        if path.contains("].actual[") {
            return "実績値".into();
        }
        if path.contains("].target[") {
            return "目標値".into();
        }
    }
    let last = path.rsplit_once('.').map_or(path, |(_, l)| l);
    match last {
        "baseline" => "基準値",
        "baseline_year" => "基準年度",
        "evaluation" => "評価",
        "narrative" => "取組状況",
        "budget" => "予算",
        "issues" => "課題・アクション",
        "reason" => "評価の理由",
        "confirmed" => "確定",
        "name" => "名称",
        "unit" => "単位",
        "summary" => "事業概要",
        "goal" => "目指す姿",
        "order" => "並び順",
        "as_of" => "時点",
        "title" => "計画の表題",
        "organization" => "団体名",
        "period" => "計画期間",
        "report_year" => "報告年度",
        "report_title" => "報告書の表題",
        "situation" => "現状・課題",
        "progress" => "取組状況",
        "footnotes" => "注記",
        "tolerance" => "維持の許容幅",
        "revisions" => "目標値の改定",
        "start" => "開始年度",
        "end" => "終了年度",
        "origin" => "統合・分割元",
        "divisions" => "担当課",
        "activities" => "取組内容",
        "actions" => "課題とアクション",
        "budget_lines" => "予算の内訳",
        "direction" => "指標の向き",
        "cumulative" => "累計",
        "owners" => "担当",
        "kpis" => "KPI",
        "rule" => "評価ルール",
        _ if path.starts_with("schedule[") => return format!("工程表の{}行目", path_index(path).map_or(0, |i| i + 1)),
        other => other,
    }
    .to_string()
}

/// The number inside the first `[…]` of a path (`schedule[3]` → 3).
fn path_index(path: &str) -> Option<usize> {
    let rest = &path[path.find('[')? + 1..];
    rest[..rest.find(']')?].parse().ok()
}

/// Whether a path is a KPI value: 基準値, a 目標値 or a 実績値.
pub fn is_value_path(path: &str) -> bool {
    path.starts_with("kpi[")
        && (path.ends_with(".baseline") || (path.ends_with(']') && (path.contains("].target[") || path.contains("].actual["))))
}

impl Plan {
    /// Keeps the stored text of every KPI value the new plan holds as the same
    /// number written another way: an import never reformats what was typed.
    pub fn keep_value_texts(&mut self, stored: &Plan) {
        for k in &mut self.kpis {
            let Some(o) = stored.kpi(k.no) else { continue };
            if let (Some(new), Some(old)) = (&k.baseline, &o.baseline) {
                if new.canonical() == old.canonical() {
                    k.baseline = Some(old.clone());
                }
            }
            for (y, v) in k.targets.iter_mut() {
                if let Some(old) = o.targets.get(y).filter(|old| old.canonical() == v.canonical()) {
                    *v = old.clone();
                }
            }
            for (y, a) in k.actuals.iter_mut() {
                if let Some(old) = o.actuals.get(y).filter(|old| old.value.canonical() == a.value.canonical()) {
                    a.value = old.value.clone();
                }
            }
        }
    }
}

/// One segment of a path: `project[8]` → (`project`, Some(`8`)).
fn segments(path: &str) -> Option<Vec<(&str, Option<&str>)>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        let name_end = rest.find(['[', '.']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let arg = if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            rest = &r[close + 1..];
            Some(&r[..close])
        } else {
            None
        };
        out.push((name, arg));
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// Where the entries, areas and KPIs are, by the keys the paths use.
struct Index {
    entries: HashMap<String, usize>,
    /// Entry index → the order the changes gave it (`None`: removed).
    entry_order: HashMap<usize, Option<usize>>,
    area_order: HashMap<String, Option<usize>>,
    item_order: HashMap<(String, String), Option<usize>>,
    removed_kpis: Vec<u32>,
    /// Schedule rows the changes set (`None`: removed), by position.
    schedule: BTreeMap<usize, Option<ScheduleRow>>,
}

impl Plan {
    /// Sets each path to its value (`None`: the field is emptied), in place.
    /// Either every change applies or the plan is left as it was.
    pub fn apply_changes(&mut self, changes: &[(String, Option<String>)]) -> Result<(), FieldError> {
        if let Some(done) = self.apply_in_place(changes) {
            return done;
        }
        let mut next = self.clone();
        let mut ix = Index {
            entries: next.entry_keys().into_iter().enumerate().map(|(i, k)| (k, i)).collect(),
            entry_order: HashMap::new(),
            area_order: HashMap::new(),
            item_order: HashMap::new(),
            removed_kpis: Vec::new(),
            schedule: BTreeMap::new(),
        };
        for (path, value) in changes {
            next.set_field(&mut ix, path, value.as_deref()).map_err(|message| FieldError {
                path: path.clone(),
                message,
            })?;
        }
        next.settle(ix);
        *self = next;
        Ok(())
    }

    /// [`Plan::apply_changes`] when every change is a field of a KPI or project that
    /// exists (not its position, not a KPI removed): the fields are set in place, and
    /// only the KPIs and projects touched are copied first, to be put back when a
    /// value does not fit. A merge of 50 returns into a plan of 20,000 projects does
    /// not copy the plan 50 times. `None` (nothing changed) for any other change.
    pub(crate) fn apply_in_place(&mut self, changes: &[(String, Option<String>)]) -> Option<Result<(), FieldError>> {
        enum At<'a> {
            Kpi(usize, Vec<(&'a str, Option<&'a str>)>),
            Project(usize, Vec<(&'a str, Option<&'a str>)>),
        }
        let kpis: HashMap<u32, usize> = self.kpis.iter().enumerate().map(|(i, k)| (k.no, i)).collect();
        let mut projects: Option<HashMap<&str, usize>> = None;
        let mut targets = Vec::with_capacity(changes.len());
        for (path, value) in changes {
            let segs = segments(path)?;
            let at = match segs.as_slice() {
                [("kpi", Some(no)), rest @ ..] if !rest.is_empty() && (rest != [("name", None)] || value.is_some()) => {
                    At::Kpi(*kpis.get(&no.parse::<u32>().ok()?)?, rest.to_vec())
                }
                [("project", Some(no)), rest @ ..] if !rest.is_empty() && rest != [("order", None)] => {
                    let index = projects.get_or_insert_with(|| {
                        self.entries
                            .iter()
                            .enumerate()
                            .filter_map(|(i, e)| match e {
                                Entry::Project(p) => Some((p.no.as_str(), i)),
                                Entry::Relisting(_) => None,
                            })
                            .collect()
                    });
                    At::Project(*index.get(no)?, rest.to_vec())
                }
                _ => return None,
            };
            targets.push(at);
        }
        let mut saved_kpis: Vec<(usize, Kpi)> = Vec::new();
        let mut saved_entries: Vec<(usize, Entry)> = Vec::new();
        let scale = self.rule.scale();
        for ((path, value), at) in changes.iter().zip(targets) {
            let done = match at {
                At::Kpi(i, rest) => {
                    if !saved_kpis.iter().any(|(j, _)| *j == i) {
                        saved_kpis.push((i, self.kpis[i].clone()));
                    }
                    self.kpis[i].set_field(&rest, value.as_deref())
                }
                At::Project(i, rest) => {
                    if !saved_entries.iter().any(|(j, _)| *j == i) {
                        saved_entries.push((i, self.entries[i].clone()));
                    }
                    set_entry_field(&mut self.entries[i], &rest, value.as_deref(), &scale)
                }
            };
            if let Err(message) = done {
                for (i, k) in saved_kpis {
                    self.kpis[i] = k;
                }
                for (i, e) in saved_entries {
                    self.entries[i] = e;
                }
                return Some(Err(FieldError {
                    path: path.clone(),
                    message,
                }));
            }
        }
        Some(Ok(()))
    }

    fn set_field(&mut self, ix: &mut Index, path: &str, value: Option<&str>) -> Result<(), String> {
        let segs = segments(path).ok_or("項目の場所として読めません")?;
        let text = || value.map(str::to_string);
        match segs.as_slice() {
            [("plan", None), (field, None)] => self.set_plan_field(field, value),
            [("area", Some(code)), (field, None)] => {
                let a = self.area_mut(code);
                match *field {
                    "name" => a.name = text(),
                    "order" => {
                        ix.area_order.insert(code.to_string(), parse_order(value)?);
                    }
                    _ => return Err("分野にない項目です".into()),
                }
                Ok(())
            }
            [("area", Some(code)), ("item", Some(item)), (field, None)] => {
                let a = self.area_mut(code);
                let it = match a.items.iter().position(|i| i.code == *item) {
                    Some(i) => &mut a.items[i],
                    None => {
                        a.items.push(Item {
                            code: item.to_string(),
                            ..Default::default()
                        });
                        a.items.last_mut().expect("just pushed")
                    }
                };
                match *field {
                    "name" => it.name = text(),
                    "situation" => it.situation = text(),
                    "progress" => it.progress = text(),
                    "order" => {
                        ix.item_order.insert((code.to_string(), item.to_string()), parse_order(value)?);
                    }
                    _ => return Err("項目にない欄です".into()),
                }
                Ok(())
            }
            [("schedule", Some(i))] => {
                let i: usize = i.parse().map_err(|_| "工程表の行の位置(数字)を指定してください")?;
                let row = value
                    .map(|v| serde_json::from_str::<ScheduleRow>(v).map_err(|e| format!("工程表の行として読めません: {e}")))
                    .transpose()?;
                ix.schedule.insert(i, row);
                Ok(())
            }
            [("kpi", Some(no)), rest @ ..] => {
                let no: u32 = no.parse().map_err(|_| "KPI番号が数字ではありません")?;
                if rest == [("name", None)] && value.is_none() {
                    ix.removed_kpis.push(no);
                    return Ok(());
                }
                self.kpi_mut(no).set_field(rest, value)
            }
            [(kind @ ("project" | "relisting"), Some(id)), rest @ ..] => {
                let key = format!("{kind}[{id}]");
                let i = match ix.entries.get(&key) {
                    Some(i) => *i,
                    None => {
                        self.entries.push(if *kind == "project" {
                            Entry::Project(Project {
                                start: None,
                                end: None,
                                origin: Vec::new(),
                                no: id.to_string(),
                                area: String::new(),
                                item: None,
                                owners: Vec::new(),
                                name: None,
                                summary: None,
                                goal: None,
                                kpis: Vec::new(),
                                years: Default::default(),
                            })
                        } else {
                            Entry::Relisting(Relisting {
                                of: String::new(),
                                area: String::new(),
                                item: None,
                                summary: None,
                                goal: None,
                                kpis: Vec::new(),
                                years: Default::default(),
                            })
                        });
                        let i = self.entries.len() - 1;
                        ix.entries.insert(key, i);
                        i
                    }
                };
                if rest == [("order", None)] {
                    ix.entry_order.insert(i, parse_order(value)?);
                    return Ok(());
                }
                let scale = self.rule.scale();
                set_entry_field(&mut self.entries[i], rest, value, &scale)
            }
            _ => Err("項目の場所として読めません".into()),
        }
    }

    fn set_plan_field(&mut self, field: &str, value: Option<&str>) -> Result<(), String> {
        let required = || value.ok_or_else(|| "この欄は空にできません".to_string());
        match field {
            "organization" => self.organization = value.unwrap_or("").to_string(),
            "title" => self.title = required()?.to_string(),
            "report_title" => self.report_title = value.map(str::to_string),
            "period" => {
                self.period = match value {
                    None => None,
                    Some(v) => {
                        let (a, b) = v
                            .split_once('-')
                            .ok_or("期間は「R3-R7」のように始めと終わりの年度で入力してください")?;
                        Some((parse_year(a)?, parse_year(b)?))
                    }
                }
            }
            "fiscal_years" => {
                self.fiscal_years = value
                    .unwrap_or("")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(parse_year)
                    .collect::<Result<_, _>>()?
            }
            "report_year" => self.report_year = parse_year(required()?)?,
            "as_of" => self.as_of = value.map(parse_as_of).transpose()?,
            "rule" => {
                self.rule = match value {
                    None => EvaluationRule::default(),
                    Some(v) => serde_json::from_str(v).map_err(|e| format!("評価ルールとして読めません: {e}"))?,
                }
            }
            _ => return Err("計画にない欄です".into()),
        }
        Ok(())
    }

    fn area_mut(&mut self, code: &str) -> &mut Area {
        let i = match self.areas.iter().position(|a| a.code == code) {
            Some(i) => i,
            None => {
                self.areas.push(Area {
                    code: code.to_string(),
                    name: None,
                    items: Vec::new(),
                });
                self.areas.len() - 1
            }
        };
        &mut self.areas[i]
    }

    fn kpi_mut(&mut self, no: u32) -> &mut Kpi {
        let i = match self.kpis.binary_search_by_key(&no, |k| k.no) {
            Ok(i) => i,
            Err(i) => {
                self.kpis.insert(
                    i,
                    Kpi {
                        tolerance: None,
                        revisions: Vec::new(),
                        no,
                        label: None,
                        group: None,
                        name: String::new(),
                        unit: None,
                        direction: Direction::Up,
                        cumulative: false,
                        baseline: None,
                        baseline_year: None,
                        targets: Default::default(),
                        actuals: Default::default(),
                        divisions: Vec::new(),
                        footnotes: Vec::new(),
                    },
                );
                i
            }
        };
        &mut self.kpis[i]
    }

    /// Orders and removals, once every change is in: the paths name an order
    /// per entry, area and item; what has none left is removed.
    fn settle(&mut self, ix: Index) {
        self.kpis.retain(|k| !ix.removed_kpis.contains(&k.no));
        if !ix.schedule.is_empty() {
            let mut rows: BTreeMap<usize, ScheduleRow> = std::mem::take(&mut self.schedule).into_iter().enumerate().collect();
            for (i, r) in ix.schedule {
                match r {
                    Some(r) => rows.insert(i, r),
                    None => rows.remove(&i),
                };
            }
            self.schedule = rows.into_values().collect();
        }
        let entries = std::mem::take(&mut self.entries);
        let mut keyed: Vec<(usize, Entry)> = entries
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| match ix.entry_order.get(&i) {
                Some(None) => None,
                Some(Some(o)) => Some((*o, e)),
                None => Some((i, e)),
            })
            .collect();
        keyed.sort_by_key(|(o, _)| *o);
        self.entries = keyed.into_iter().map(|(_, e)| e).collect();

        let order_of = |map: &HashMap<String, Option<usize>>, code: &str, i: usize| map.get(code).copied().unwrap_or(Some(i));
        let mut areas: Vec<(usize, Area)> = std::mem::take(&mut self.areas)
            .into_iter()
            .enumerate()
            .filter_map(|(i, a)| order_of(&ix.area_order, &a.code, i).map(|o| (o, a)))
            .collect();
        areas.sort_by_key(|(o, _)| *o);
        self.areas = areas.into_iter().map(|(_, a)| a).collect();
        for a in &mut self.areas {
            let code = a.code.clone();
            let mut items: Vec<(usize, Item)> = std::mem::take(&mut a.items)
                .into_iter()
                .enumerate()
                .filter_map(|(i, it)| {
                    let o = ix.item_order.get(&(code.clone(), it.code.clone())).copied().unwrap_or(Some(i));
                    o.map(|o| (o, it))
                })
                .collect();
            items.sort_by_key(|(o, _)| *o);
            a.items = items.into_iter().map(|(_, it)| it).collect();
        }
        if self.report_title.as_deref() == Some(default_report_title(self.report_year).as_str()) {
            self.report_title = None;
        }
    }
}

impl Kpi {
    fn set_field(&mut self, rest: &[(&str, Option<&str>)], value: Option<&str>) -> Result<(), String> {
        let text = || value.map(str::to_string);
        match rest {
            [("label", None)] => self.label = text(),
            [("group", None)] => self.group = text(),
            [("name", None)] => self.name = value.unwrap_or("").to_string(),
            [("unit", None)] => self.unit = text(),
            [("direction", None)] => {
                self.direction = match value {
                    None => Direction::Up,
                    Some(v) => Direction::from_key(v).ok_or("向きは up(増加)、down(減少)、keep(維持)のいずれかです")?,
                }
            }
            [("tolerance", None)] => {
                self.tolerance = match value.map(|v| (v, KpiValue::new(v))) {
                    None => None,
                    Some((_, Some(t))) if t.number().is_some_and(|n| n >= 0.0) => Some(t),
                    Some((v, _)) => return Err(format!("維持の許容幅「{v}」は 0 以上の数で入力してください(例: 5、2%)")),
                }
            }
            [("revisions", None)] => {
                self.revisions = parse_list(value)?;
            }
            [("cumulative", None)] => self.cumulative = value == Some("true"),
            [("baseline", None)] => self.baseline = value.and_then(KpiValue::new),
            [("baseline_year", None)] => self.baseline_year = value.map(parse_year).transpose()?,
            [("target", Some(y))] => {
                let y = parse_year(y)?;
                match value.and_then(KpiValue::new) {
                    Some(v) => self.targets.insert(y, v),
                    None => self.targets.remove(&y),
                };
            }
            [("actual", Some(y))] => {
                let y = parse_year(y)?;
                match value.and_then(KpiValue::new) {
                    Some(v) => match self.actuals.get_mut(&y) {
                        Some(a) => a.value = v,
                        None => {
                            self.actuals.insert(y, Actual { value: v, as_of: None });
                        }
                    },
                    None => {
                        self.actuals.remove(&y);
                    }
                }
            }
            [("actual", Some(y)), ("as_of", None)] => {
                let y = parse_year(y)?;
                let as_of = value.map(parse_as_of).transpose()?;
                match self.actuals.get_mut(&y) {
                    Some(a) => a.as_of = as_of,
                    None if as_of.is_none() => {}
                    None => return Err("実績値のない年度には時点を入れられません".into()),
                }
            }
            [("divisions", None)] => self.divisions = lines(value),
            [("footnotes", None)] => self.footnotes = lines(value),
            _ => return Err("KPIにない欄です".into()),
        }
        Ok(())
    }
}

fn set_entry_field(e: &mut Entry, rest: &[(&str, Option<&str>)], value: Option<&str>, scale: &Scale) -> Result<(), String> {
    let text = || value.map(str::to_string);
    match (e, rest) {
        (Entry::Project(p), [("area", None)]) => p.area = value.unwrap_or("").to_string(),
        (Entry::Relisting(r), [("area", None)]) => r.area = value.unwrap_or("").to_string(),
        (Entry::Project(p), [("item", None)]) => p.item = text(),
        (Entry::Relisting(r), [("item", None)]) => r.item = text(),
        (Entry::Project(p), [("kpis", None)]) => p.kpis = parse_kpi_refs(value)?,
        (Entry::Relisting(r), [("kpis", None)]) => r.kpis = parse_kpi_refs(value)?,
        (Entry::Project(p), [("name", None)]) => p.name = text(),
        (Entry::Project(p), [("summary", None)]) => p.summary = text(),
        (Entry::Project(p), [("goal", None)]) => p.goal = text(),
        (Entry::Project(p), [("owners", None)]) => p.owners = parse_owners(value),
        (Entry::Project(p), [("start", None)]) => p.start = value.map(parse_year).transpose()?,
        (Entry::Project(p), [("end", None)]) => p.end = value.map(parse_year).transpose()?,
        (Entry::Project(p), [("origin", None)]) => p.origin = lines(value),
        (Entry::Project(p), [("year", Some(y)), (field, None)]) => {
            let y = parse_year(y)?;
            let d = p.years.entry(y).or_default();
            match *field {
                "evaluation" => d.evaluation = value.map(|v| parse_evaluation(v, scale)).transpose()?,
                "narrative" => d.narrative = text(),
                "budget" => d.budget = value.map(|v| v.parse::<i64>().map_err(|_| "整数で入力してください")).transpose()?,
                "issues" => d.issues = text(),
                "reason" => d.reason = text(),
                "confirmed" => d.confirmed = value == Some("true"),
                "activities" => d.activities = parse_list(value)?,
                "actions" => d.actions = parse_list(value)?,
                "budget_lines" => d.budget_lines = parse_list(value)?,
                _ => return Err("年度データにない欄です".into()),
            }
            if d.is_empty() {
                p.years.remove(&y);
            }
        }
        (Entry::Relisting(r), [("of", None)]) => r.of = value.unwrap_or("").to_string(),
        (Entry::Relisting(r), [("summary", None)]) => r.summary = text(),
        (Entry::Relisting(r), [("goal", None)]) => r.goal = text(),
        (Entry::Relisting(r), [("year", Some(y)), (field, None)]) => {
            let y = parse_year(y)?;
            let d = r.years.entry(y).or_default();
            match *field {
                "evaluation" => d.evaluation = value.map(|v| parse_evaluation(v, scale)).transpose()?,
                "narrative" => d.narrative = text(),
                _ => return Err("年度データにない欄です".into()),
            }
            if d == &Default::default() {
                r.years.remove(&y);
            }
        }
        _ => return Err("ない欄です".into()),
    }
    Ok(())
}

/// A card list field (JSON); nothing is the empty list.
fn parse_list<T: serde::de::DeserializeOwned>(value: Option<&str>) -> Result<Vec<T>, String> {
    value.map_or(Ok(Vec::new()), |v| {
        serde_json::from_str(v).map_err(|e| format!("一覧の形式が正しくありません: {e}"))
    })
}

fn parse_order(value: Option<&str>) -> Result<Option<usize>, String> {
    value
        .map(|v| v.parse::<usize>().map_err(|_| "位置(数字)を指定してください".to_string()))
        .transpose()
}

fn parse_year(s: &str) -> Result<FiscalYear, String> {
    s.trim()
        .parse::<i32>()
        .map(FiscalYear)
        .map_err(|_| format!("「{s}」は年度として読めません"))
}

fn parse_as_of(s: &str) -> Result<AsOf, String> {
    AsOf::parse(s).map_err(|e| e.to_string())
}

/// A mark of the plan's scale in any spelling, or a mark of a built-in scale as
/// stored (an evaluation entered under an earlier rule keeps its mark).
fn parse_evaluation(s: &str, scale: &Scale) -> Result<Evaluation, String> {
    scale.parse_or_known(s).map_err(|e| e.to_string())
}

fn lines(value: Option<&str>) -> Vec<String> {
    value.map(|v| v.split('\n').map(str::to_string).collect()).unwrap_or_default()
}

/// `1,2(再掲)` (see `kpi_refs_text`).
fn parse_kpi_refs(value: Option<&str>) -> Result<Vec<KpiRef>, String> {
    value
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (no, relisted) = match s.strip_suffix("(再掲)") {
                Some(n) => (n, true),
                None => (s, false),
            };
            no.parse::<u32>()
                .map(|no| KpiRef { no, relisted })
                .map_err(|_| format!("「{s}」はKPI番号ではありません"))
        })
        .collect()
}

/// `部/課;部/課` (see `owners_text`).
fn parse_owners(value: Option<&str>) -> Vec<Owner> {
    let part = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    value
        .unwrap_or("")
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|o| {
            let (d, v) = o.split_once('/').unwrap_or((o, ""));
            Owner {
                department: part(d),
                division: part(v),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diff_fields;
    use crate::{seed, synth};

    fn forward(before: &Plan, after: &Plan) -> Vec<(String, Option<String>)> {
        diff_fields(&before.fields(), &after.fields())
            .into_iter()
            .map(|(p, _, new)| (p, new))
            .collect()
    }

    /// Applying the field differences of two plans to the first gives the second.
    fn assert_turns_into(from: &Plan, to: &Plan) {
        let mut p = from.clone();
        p.apply_changes(&forward(from, to)).unwrap();
        assert_eq!(diff_fields(&p.fields(), &to.fields()), vec![]);
    }

    #[test]
    fn any_plan_turns_into_any_other() {
        let fk = seed::fukushima_plan().unwrap();
        let tk = seed::tokushima_plan().unwrap();
        let s1 = synth::synthetic_plan(60);
        let s2 = synth::synthetic_plan(90);
        for (a, b) in [(&fk, &tk), (&tk, &fk), (&s1, &s2), (&s2, &s1), (&fk, &s1)] {
            assert_turns_into(a, b);
        }
    }

    #[test]
    fn a_plan_is_rebuilt_from_its_fields_alone() {
        let empty = Plan {
            organization: String::new(),
            title: "x".into(),
            report_title: None,
            period: None,
            fiscal_years: Vec::new(),
            report_year: FiscalYear(2020),
            as_of: None,
            rule: EvaluationRule::default(),
            areas: Vec::new(),
            kpis: Vec::new(),
            entries: Vec::new(),
            schedule: Vec::new(),
        };
        // Every demo plan: the 取組一覧, the card lists, the 工程表 and the progress texts.
        for fk in seed::demo_plans().unwrap() {
            let mut p = empty.clone();
            p.apply_changes(&forward(&empty, &fk)).unwrap();
            assert_eq!(p.fields(), fk.fields(), "{}", fk.title);
            assert_eq!(p, fk, "{}", fk.title);
            assert!(p.validate().is_empty());
        }
    }

    #[test]
    fn schedule_rows_are_set_and_removed_by_position() {
        let mut ok = seed::okayama_plan().unwrap();
        let n = ok.schedule.len();
        assert!(n > 10);
        let mut moved = ok.schedule[1].clone();
        moved.progress = Some(crate::model::Progress::Delayed);
        let changes = vec![
            ("schedule[1]".to_string(), Some(serde_json::to_string(&moved).unwrap())),
            (format!("schedule[{}]", n - 1), None),
            ("schedule[0]".to_string(), Some("not json".to_string())),
        ];
        let before = ok.clone();
        assert!(ok.apply_changes(&changes).is_err());
        assert_eq!(ok, before, "a refused change leaves the plan as it was");
        ok.apply_changes(&changes[..2]).unwrap();
        assert_eq!(ok.schedule.len(), n - 1);
        assert_eq!(ok.schedule[1], moved);
    }

    #[test]
    fn untouched_fields_keep_their_text() {
        let mut fk = seed::fukushima_plan().unwrap();
        let k = fk.kpis.iter_mut().find(|k| k.actuals.contains_key(&fk.report_year)).unwrap();
        let no = k.no;
        k.actuals.get_mut(&FiscalYear(2023)).unwrap().value = KpiValue::new("１４，４４２").unwrap();
        let before = fk.kpi(no).unwrap().actuals[&FiscalYear(2023)].value.text().to_string();
        fk.apply_changes(&[("project[1].year[2023].narrative".into(), Some("新しい取組状況".into()))])
            .unwrap();
        assert_eq!(fk.kpi(no).unwrap().actuals[&FiscalYear(2023)].value.text(), before);
        assert_eq!(
            fk.project("1").unwrap().years[&FiscalYear(2023)].narrative.as_deref(),
            Some("新しい取組状況")
        );
    }

    /// Comparing two plans entry by entry gives exactly the differences of their
    /// flattened fields: after leaf changes (a value's text only, a narrative, a KPI's
    /// unit), after structural ones, and between unrelated plans.
    #[test]
    fn plans_compared_row_by_row_differ_as_their_fields_do() {
        use crate::model::diff_plans;
        let fk = seed::fukushima_plan().unwrap();
        let s = synth::synthetic_plan(90);
        let mut pairs: Vec<(Plan, Plan)> = Vec::new();
        for base in seed::demo_plans().unwrap().into_iter().chain([s.clone()]) {
            let leaf: Vec<(String, Option<String>)> = base
                .fields()
                .into_iter()
                .enumerate()
                .filter(|(i, (p, _))| i % 5 == 0 && !p.ends_with(".order") && !p.starts_with("plan.") && !p.ends_with(".kpis"))
                .map(|(_, (p, v))| {
                    let new = if crate::fields::is_value_path(&p) {
                        format!("{v} ")
                    } else {
                        format!("{v}改")
                    };
                    (p, Some(new))
                })
                .filter(|(p, _)| {
                    !p.ends_with(".evaluation")
                        && !p.ends_with(".budget")
                        && !p.ends_with(".confirmed")
                        && !p.ends_with("direction")
                        && !p.ends_with("cumulative")
                        && !p.ends_with("baseline_year")
                        && !p.ends_with("as_of")
                        && !p.starts_with("schedule[")
                        && !p.ends_with("activities")
                        && !p.ends_with("actions")
                        && !p.ends_with("budget_lines")
                        && !p.ends_with(".owners")
                        && !p.ends_with(".area")
                        && !p.ends_with(".item")
                        && !p.ends_with(".of")
                })
                .collect();
            let mut changed = base.clone();
            changed.apply_changes(&leaf).unwrap_or_else(|e| panic!("{}: {e}", base.title));
            pairs.push((base.clone(), changed));
        }
        // A value written another way: the same number, another text (equal KPIs by value).
        let (mut plain, mut commas) = (fk.clone(), fk.clone());
        let at = plain.kpis.iter().position(|k| k.actuals.contains_key(&FiscalYear(2023))).unwrap();
        plain.kpis[at].actuals.get_mut(&FiscalYear(2023)).unwrap().value = KpiValue::new("14442".to_string()).unwrap();
        commas.kpis[at].actuals.get_mut(&FiscalYear(2023)).unwrap().value = KpiValue::new("14,442".to_string()).unwrap();
        assert_eq!(plain.kpis[at], commas.kpis[at], "the same value");
        pairs.push((plain, commas));
        // Structure: a project's KPIs emptied, one plan into another.
        let mut structural = fk.clone();
        structural.apply_changes(&[("project[1].kpis".into(), Some("1,2".into()))]).unwrap();
        pairs.push((fk.clone(), structural));
        pairs.push((fk.clone(), s.clone()));
        pairs.push((s.clone(), synth::synthetic_plan(91)));
        for (a, b) in &pairs {
            let want = diff_fields(&a.fields(), &b.fields());
            assert_eq!(diff_plans(a, b), want, "{} → {}", a.title, b.title);
            assert_eq!(diff_plans(b, a), diff_fields(&b.fields(), &a.fields()));
        }
        assert!(pairs.iter().all(|(a, b)| !diff_plans(a, b).is_empty()));
    }

    #[test]
    fn fields_of_existing_rows_are_set_in_place_and_put_back_on_a_bad_value() {
        let s = synth::synthetic_plan(80);
        let sets: Vec<(String, Option<String>)> = s
            .fields()
            .into_iter()
            .filter(|(p, _)| p.ends_with(".narrative") || (p.contains("].actual[") && !p.ends_with(".as_of")))
            .map(|(p, v)| (p, Some(format!("{v}1"))))
            .collect();
        assert!(sets.len() > 80);
        let mut want = s.fields();
        for (p, v) in &sets {
            want.insert(p.clone(), v.clone().unwrap());
        }
        let mut p = s.clone();
        p.apply_changes(&sets).unwrap();
        assert_eq!(p.fields(), want);
        // A bad value last: every field set before it is put back.
        let mut bad = sets.clone();
        bad.push(("kpi[1].direction".into(), Some("sideways".into())));
        let mut q = s.clone();
        assert_eq!(q.apply_changes(&bad).unwrap_err().path, "kpi[1].direction");
        assert_eq!(q, s);
    }

    #[test]
    fn a_bad_change_leaves_the_plan_as_it_was() {
        let mut fk = seed::fukushima_plan().unwrap();
        let before = fk.clone();
        let err = fk
            .apply_changes(&[
                ("project[1].year[2023].narrative".into(), Some("x".into())),
                ("project[1].year[2023].evaluation".into(), Some("よい".into())),
            ])
            .unwrap_err();
        assert_eq!(err.path, "project[1].year[2023].evaluation");
        assert_eq!(fk, before);
        assert!(fk.apply_changes(&[("nonsense".into(), None)]).is_err());
    }
}
