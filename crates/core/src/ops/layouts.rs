//! A prefecture's own KPI sheet (issue 20): `layout learn` writes the layout it
//! finds; `import --layout` reads the sheet with a layout file into the plan.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{sha256_file, Error, Result};
use crate::layout::learn::{learn, Learned};
use crate::layout::Layout;
use crate::store::{RevisionInfo, Store};
use crate::xlsx::import::ImportError;

/// Learns the layout of a workbook and writes it to `out` (a new file, written whole).
pub fn layout_learn(file: &Path, sheet: Option<&str>, out: &Path) -> Result<Learned> {
    if !file.is_file() {
        return Err(Error::BadInput(format!("{}: ファイルがありません", file.display())));
    }
    let learned = learn(file, sheet).map_err(|problems| {
        Error::Import(ImportError::InFile {
            file: file.display().to_string(),
            problems,
        })
    })?;
    if out.canonicalize().ok().is_some_and(|o| file.canonicalize().ok() == Some(o)) || out.extension().is_some_and(|e| e == "xlsx") {
        return Err(Error::BadInput(format!(
            "{}: レイアウトはブックとは別の .toml ファイルに書き出してください",
            out.display()
        )));
    }
    let tmp = out.with_extension("toml.tmp");
    std::fs::write(&tmp, learned.layout.to_toml()).map_err(|source| Error::Io { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, out).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(learned)
}

/// Writes the plan in `layout` (a built-in layout's name or a layout file) to `out`;
/// `取組一覧` is the summary workbook, whatever layout the plan was imported with.
pub fn export_with_layout(db: &Path, plan: Option<&str>, layout: &Path, out: &Path) -> Result<()> {
    if is_summary(layout) {
        return super::export_summary(db, plan, out, None);
    }
    let (l, _) = layout_named(layout)?;
    let p = super::load(db, plan)?;
    super::guard_output(db, out, &[layout.to_path_buf()])?;
    crate::layout::write::write(&p, &l, out)?;
    Ok(())
}

/// The layouts that can be chosen by name: the summary workbook's, then the built-ins.
pub fn layout_names() -> Vec<String> {
    std::iter::once(crate::layout::SUMMARY[0])
        .chain(crate::layout::BUILTIN.iter().map(|b| b.0))
        .map(str::to_string)
        .collect()
}

/// A built-in layout's file, by its name (`取組一覧`, `総合戦略`): to copy and make one's own.
pub fn layout_text(name: &str) -> Result<&'static str> {
    if is_summary(Path::new(name)) {
        return Ok(crate::layout::SUMMARY_LAYOUT);
    }
    crate::layout::builtin(name).map(|(_, text)| text).ok_or_else(|| {
        Error::BadInput(format!(
            "組み込みのレイアウト「{name}」はありません(組み込みのレイアウト: {})",
            layout_names().join("、")
        ))
    })
}

/// Whether `--layout` names the summary workbook (`取組一覧`, with its KPI推移 and 集計 sheets).
pub fn is_summary(layout: &Path) -> bool {
    layout
        .to_str()
        .is_some_and(|n| crate::layout::SUMMARY.iter().any(|s| s.eq_ignore_ascii_case(n.trim())))
}

/// A layout by `--layout`'s argument: a built-in layout's name (`総合戦略`), else a layout
/// file; with the layout's text, remembered with a plan imported in it.
pub fn layout_named(layout: &Path) -> Result<(Layout, String)> {
    if let Some((l, text)) = layout.to_str().and_then(crate::layout::builtin) {
        return Ok((l, text.to_string()));
    }
    if !layout.is_file() && layout.extension().is_none() {
        let names = layout_names();
        return Err(Error::BadInput(format!(
            "レイアウト「{}」はありません(組み込みのレイアウト: {}。ほかは `layout learn` で作った .toml ファイルを指定します)",
            layout.display(),
            names.join("、")
        )));
    }
    let text = std::fs::read_to_string(layout).map_err(|source| Error::Io {
        path: layout.to_path_buf(),
        source,
    })?;
    let l = Layout::from_toml(&text).map_err(|e| Error::BadInput(format!("{}: {e}", layout.display())))?;
    Ok((l, text))
}

/// The setting holding the layout a plan was imported with.
pub(crate) fn layout_key(plan_id: i64) -> String {
    format!("layout.plan.{plan_id}")
}

/// The layout a plan was imported with, when it was imported with one.
pub(crate) fn remembered_layout(store: &Store, plan_id: i64) -> Result<Option<Layout>> {
    match store.setting(&layout_key(plan_id))? {
        Some(text) => Layout::from_toml(&text)
            .map(Some)
            .map_err(|e| Error::BadInput(format!("この計画のレイアウト: {e}"))),
        None => Ok(None),
    }
}

/// A layout file (or a built-in layout's name), checked; every problem names its line.
pub fn read_layout(path: &Path) -> Result<Layout> {
    layout_named(path).map(|(l, _)| l)
}

/// What `import --layout` did.
#[derive(Debug, Clone, Serialize)]
pub struct LayoutImport {
    pub file: String,
    pub plan_id: i64,
    pub revision_id: i64,
    pub title: String,
    pub created: bool,
    pub areas: usize,
    pub kpis: usize,
    pub fields_changed: usize,
}

/// Reads `file` with the layout in `layout` and saves it as a plan (a new one, or
/// the new version of the plan with the same title and organization).
pub fn import_with_layout(db: &Path, file: &Path, layout: &Path, organization: Option<&str>) -> Result<LayoutImport> {
    if !file.is_file() {
        return Err(Error::BadInput(format!("{}: ファイルがありません", file.display())));
    }
    let (l, text) = layout_named(layout)?;
    import_in_layout(db, file, &l, &text, organization)
}

/// A column of the app's mapping table: its letter and header, the field it is read as
/// (none: not read) and the year of a per-year field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MappedColumn {
    pub column: String,
    pub header: String,
    pub field: Option<String>,
    pub year: Option<String>,
    /// Placed without the header saying so (check it).
    pub guessed: bool,
}

/// A field the mapping table offers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldChoice {
    pub key: String,
    pub label: String,
    /// Takes a year (目標値, 実績値, 基準値).
    pub per_year: bool,
}

/// What `取り込み` shows for a workbook that is not a 取組一覧: the layout learned from it, as a
/// table of its columns to correct before anything is imported.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MappingView {
    pub file: String,
    pub sheet: String,
    pub header_row: u32,
    pub columns: Vec<MappedColumn>,
    pub fields: Vec<FieldChoice>,
    /// `learn`'s report, in Japanese.
    pub report: Vec<String>,
}

/// Whether `file` is a summary workbook Shinchoku reads as it is (it has a 取組一覧 sheet).
pub fn is_summary_workbook(file: &Path) -> Result<bool> {
    let wb = crate::xlsx::package::Workbook::open(file).map_err(|m| Error::BadInput(format!("{}: {m}", file.display())))?;
    Ok(wb.sheet_names().iter().any(|n| n == crate::xlsx::SHEET_SUMMARY))
}

/// The mapping table of a workbook in a layout of its own; `None` for a 取組一覧 (imported as it is).
pub fn layout_mapping(file: &Path) -> Result<Option<MappingView>> {
    if !file.is_file() {
        return Err(Error::BadInput(format!("{}: ファイルがありません", file.display())));
    }
    if is_summary_workbook(file)? {
        return Ok(None);
    }
    let learned = learn_file(file)?;
    let l = &learned.layout;
    let guessed_letter = |c: &str| learned.guessed.iter().any(|g| g.starts_with(&format!("列 {c}「")));
    let mut columns: Vec<MappedColumn> = l
        .columns
        .iter()
        .map(|c| MappedColumn {
            column: c.column.clone(),
            header: c.full_header(),
            field: Some(c.field.clone()),
            year: c.year.clone(),
            guessed: guessed_letter(&c.column),
        })
        .chain(learned.unplaced_columns.iter().map(|c| MappedColumn {
            column: c.column.clone(),
            header: c.full_header(),
            field: None,
            year: None,
            guessed: false,
        }))
        .collect();
    columns.sort_by_key(|c| crate::layout::column_index(&c.column));
    Ok(Some(MappingView {
        file: file.display().to_string(),
        sheet: l.sheet.clone().unwrap_or_default(),
        header_row: l.header_row,
        columns,
        fields: crate::layout::Field::ALL
            .iter()
            .map(|f| FieldChoice {
                key: f.key().to_string(),
                label: f.label().to_string(),
                per_year: matches!(
                    f,
                    crate::layout::Field::Target | crate::layout::Field::Actual | crate::layout::Field::Baseline
                ),
            })
            .collect(),
        report: learned.report(),
    }))
}

fn learn_file(file: &Path) -> Result<Learned> {
    learn(file, None).map_err(|problems| {
        Error::Import(ImportError::InFile {
            file: file.display().to_string(),
            problems,
        })
    })
}

/// Imports a workbook with the layout learned from it, its columns placed as the mapping
/// table says (a column without a field is not read). Checked as a layout file is: a field
/// and year on two columns, an unknown field or year is refused, nothing imported.
pub fn import_with_mapping(db: &Path, file: &Path, columns: &[MappedColumn], organization: Option<&str>) -> Result<LayoutImport> {
    let learned = learn_file(file)?;
    let mut l = learned.layout.clone();
    let known: Vec<&crate::layout::Column> = learned.layout.columns.iter().chain(&learned.unplaced_columns).collect();
    let mut placed = Vec::new();
    for m in columns {
        let Some(field) = m.field.as_deref().filter(|f| !f.is_empty()) else {
            continue;
        };
        let Some(c) = known.iter().find(|c| c.column == m.column) else {
            return Err(Error::BadInput(format!("列 {} は見出しのある列ではありません", m.column)));
        };
        let year = m.year.as_deref().map(str::trim).filter(|y| !y.is_empty());
        if let Some(other) = placed
            .iter()
            .find(|p: &&crate::layout::Column| p.field == field && p.year.as_deref() == year && field != crate::layout::Field::Note.key())
        {
            let label = crate::layout::Field::from_key(field).map_or(field, |f| f.label());
            return Err(Error::BadInput(format!(
                "列 {} と列 {} が同じ「{}{label}」になっています。どちらかを直してください",
                other.column,
                m.column,
                year.map(|y| format!("{y} の")).unwrap_or_default()
            )));
        }
        placed.push(crate::layout::Column {
            field: field.to_string(),
            year: year.map(str::to_string),
            ..(*c).clone()
        });
    }
    placed.sort_by_key(|c| crate::layout::column_index(&c.column));
    l.columns = placed;
    // Checked as the file would be: a mapping the reader cannot use is refused here.
    let text = l.to_toml();
    let l = Layout::from_toml(&text).map_err(|e| Error::BadInput(e.message))?;
    import_in_layout(db, file, &l, &text, organization)
}

/// Reads `file` in `l` (whose file text is `text`) and saves the plan, remembering the layout.
fn import_in_layout(db: &Path, file: &Path, l: &Layout, text: &str, organization: Option<&str>) -> Result<LayoutImport> {
    let plan = crate::layout::read::read(file, l, organization).map_err(|problems| {
        Error::Import(ImportError::InFile {
            file: file.display().to_string(),
            problems,
        })
    })?;
    let sha256 = sha256_file(file)?;
    let mut store = Store::open_or_create(db)?;
    if !store.plans()?.is_empty() {
        store.backup("import")?;
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let info = RevisionInfo {
        kind: "import".into(),
        summary: format!("{name} をレイアウト「{}」で取り込み", l.name),
        source_file: Some(file.display().to_string()),
        source_sha256: Some(sha256),
        department: None,
        undoes: None,
    };
    // The layout is remembered with the plan, in the same transaction: `export` writes
    // the plan in it unless told another.
    let existing = store.find_same_plan(&plan)?;
    let o = store.save_version(existing, &plan, &info, |tx, revision| {
        let plan_id: i64 = tx.query_row("SELECT plan_id FROM revision WHERE id = ?1", [revision], |r| r.get(0))?;
        tx.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![layout_key(plan_id), text],
        )?;
        Ok(())
    })?;
    Ok(LayoutImport {
        file: file.display().to_string(),
        plan_id: o.plan_id,
        revision_id: o.revision_id,
        title: plan.title.clone(),
        created: o.created,
        areas: plan.areas.len(),
        kpis: plan.kpis.len(),
        fields_changed: o.fields_changed,
    })
}
