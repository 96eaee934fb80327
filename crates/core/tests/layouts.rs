//! Issue 20 (the first part): KPI sheets in layouts the code has never seen, written
//! by another writer (openpyxl), learned, and read into a plan; bad layouts refused
//! by line, a sheet without a KPI header by cell, nothing imported.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::layout::{Field, Hierarchy, Layout};
use shinchoku_core::ops;
use shinchoku_core::Plan;

const R2: FiscalYear = FiscalYear(2020);
const R3: FiscalYear = FiscalYear(2021);
const R4: FiscalYear = FiscalYear(2022);
const R5: FiscalYear = FiscalYear(2023);
const R7: FiscalYear = FiscalYear(2025);

/// The unseen workbooks, made by `tests/layouts/make_unseen.py` with openpyxl.
fn unseen(dir: &Path) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/layouts/make_unseen.py");
    let out = dir.join("unseen");
    let o = Command::new("/usr/bin/python3").arg(&script).arg(&out).output().unwrap();
    assert!(o.status.success(), "openpyxl: {}", String::from_utf8_lossy(&o.stderr));
    out
}

fn fields(l: &Layout) -> Vec<(String, Field, Option<FiscalYear>)> {
    l.mapped()
        .into_iter()
        .map(|m| (shinchoku_core::xlsx::column_name(m.col), m.field, m.year))
        .collect()
}

fn kpi<'a>(p: &'a Plan, name: &str) -> &'a shinchoku_core::Kpi {
    p.kpis.iter().find(|k| k.name == name).unwrap_or_else(|| panic!("no KPI {name}"))
}

fn text(v: Option<&shinchoku_core::KpiValue>) -> Option<&str> {
    v.map(|v| v.text())
}

#[test]
fn a_strategy_table_with_years_as_columns_is_learned_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let src = unseen(dir.path()).join("sogo-senryaku.xlsx");
    let toml = dir.path().join("sogo.toml");
    let learned = ops::layout_learn(&src, None, &toml).unwrap();
    let l = ops::read_layout(&toml).unwrap();
    assert_eq!(l, learned.layout, "the file written reads back as learned");
    use Field::*;
    let c = |s: &str| s.to_string();
    assert_eq!(
        fields(&l),
        vec![
            (c("A"), Area, None),
            (c("B"), Item, None),
            (c("C"), KpiName, None),
            (c("D"), Unit, None),
            (c("E"), Baseline, Some(R2)),
            (c("F"), Actual, Some(R4)),
            (c("G"), Actual, Some(R5)),
            (c("H"), Target, Some(R7)),
            (c("I"), Evaluation, None),
            (c("J"), Division, None),
        ]
    );
    assert_eq!((l.header_row, l.header_rows, l.hierarchy), (3, 1, Hierarchy::Columns));
    assert_eq!(l.marks, ["A", "B", "C", "D", "-"]);
    assert!(learned.unplaced.is_empty() && learned.guessed.is_empty());

    let db = dir.path().join("shinchoku.db");
    let r = ops::import_with_layout(&db, &src, &toml, Some("○○県")).unwrap();
    assert_eq!((r.areas, r.kpis), (2, 5));
    let p = ops::load(&db, None).unwrap();
    assert_eq!(p.organization, "○○県");
    assert_eq!(p.rule.name(), "ratio-abcd", "A–D marks: the ratio rule");
    assert_eq!(p.report_year, R5);
    let items: Vec<usize> = p.areas.iter().map(|a| a.items.len()).collect();
    assert_eq!(items, [2, 1]);
    let k = kpi(&p, "企業誘致件数");
    assert_eq!(text(k.baseline.as_ref()), Some("5"));
    assert_eq!(k.baseline_year, Some(R2));
    assert_eq!(text(k.actuals.get(&R4).map(|a| &a.value)), Some("7"));
    assert_eq!(text(k.actuals.get(&R5).map(|a| &a.value)), Some("12"));
    assert_eq!(text(k.targets.get(&R7)), Some("10"));
    let project = p.projects().find(|x| x.kpis.iter().any(|r| r.no == k.no)).unwrap();
    assert_eq!(project.years[&R5].evaluation.as_ref().unwrap().mark(), "A");
    assert_eq!(project.owners[0].division.as_deref(), Some("企業立地課"));
    assert!(kpi(&p, "観光入込客数(累計)").cumulative);
}

#[test]
fn heading_rows_and_a_two_row_header_are_learned_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let src = unseen(dir.path()).join("headings.xlsx");
    let toml = dir.path().join("headings.toml");
    let learned = ops::layout_learn(&src, None, &toml).unwrap();
    let l = &learned.layout;
    assert_eq!((l.header_row, l.header_rows, l.hierarchy), (3, 2, Hierarchy::HeadingRows));
    use Field::*;
    let f: Vec<(Field, Option<FiscalYear>)> = fields(l).into_iter().map(|(_, f, y)| (f, y)).collect();
    assert_eq!(
        f,
        vec![
            (KpiName, None),
            (Baseline, None),
            (BaselineYear, None),
            (Actual, Some(R4)),
            (Actual, Some(R5)),
            (Target, Some(R7)),
            (Evaluation, None),
            (Division, None)
        ]
    );
    assert!(
        learned.report().iter().any(|line| line.contains("見出しの行")),
        "the guess is reported"
    );

    let db = dir.path().join("shinchoku.db");
    ops::import_with_layout(&db, &src, &toml, None).unwrap();
    let p = ops::load(&db, None).unwrap();
    let names: Vec<(&str, Vec<&str>)> = p
        .areas
        .iter()
        .map(|a| {
            (
                a.name.as_deref().unwrap(),
                a.items.iter().map(|i| i.name.as_deref().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("基本目標1 安心して暮らせるまち", vec!["施策(1) 防災力の向上", "施策(2) 地域医療"]),
            ("基本目標2 活力あるまち", vec!["施策(1) 商工業"]),
        ]
    );
    assert_eq!(p.kpis.len(), 4);
    let k = kpi(&p, "防災訓練の参加者数");
    assert_eq!((text(k.baseline.as_ref()), k.baseline_year), (Some("3200"), Some(R2)));
    assert_eq!(text(k.actuals.get(&R5).map(|a| &a.value)), Some("2900"));
    assert_eq!(text(k.targets.get(&R7)), Some("5000"));
    assert_eq!(kpi(&p, "かかりつけ医を持つ市民の割合").baseline_year, Some(R3));
    assert_eq!(p.rule.name(), "maru");
    let project = p.projects().find(|x| x.kpis.iter().any(|r| r.no == k.no)).unwrap();
    assert_eq!(project.years[&R5].evaluation.as_ref().unwrap().mark(), "△");
    assert_eq!(project.owners[0].division.as_deref(), Some("危機管理課"));
}

#[test]
fn a_sheet_without_a_header_and_bad_layouts_are_refused_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let made = unseen(dir.path());
    let db = dir.path().join("shinchoku.db");
    ops::init(&db, false).unwrap();
    let e = ops::layout_learn(&made.join("no-table.xlsx"), None, &dir.path().join("x.toml")).unwrap_err();
    assert!(e.to_string().contains("メモ!A1: KPIの表の見出しが見つかりません"), "{e}");
    assert!(!dir.path().join("x.toml").exists());

    let src = made.join("sogo-senryaku.xlsx");
    let good = dir.path().join("sogo.toml");
    ops::layout_learn(&src, None, &good).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    let line_of = |t: &str, needle: &str| t[..t.find(needle).unwrap()].matches('\n').count() + 1;

    // An unknown field: named, with the line of its column.
    let unknown = text.replacen("field = \"unit\"", "field = \"colour\"", 1);
    let f = dir.path().join("unknown.toml");
    std::fs::write(&f, &unknown).unwrap();
    let e = ops::import_with_layout(&db, &src, &f, None).unwrap_err().to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    let col_d = unknown[..unknown.find("field = \"colour\"").unwrap()].rfind("[[column]]").unwrap();
    let line = unknown[..col_d].matches('\n').count() + 1;
    assert!(
        e.contains(&format!("レイアウト {line}行目: 「colour」は項目の名前ではありません")),
        "{e}"
    );

    // A column mapped twice: the second `[[column]]` naming it.
    let twice = text.replacen("column = \"D\"", "column = \"C\"", 1);
    let f = dir.path().join("twice.toml");
    std::fs::write(&f, &twice).unwrap();
    let e = ops::import_with_layout(&db, &src, &f, None).unwrap_err().to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    let line = line_of(&twice, "column = \"C\"\nfield = \"unit\"") - 1;
    assert!(
        e.contains(&format!("レイアウト {line}行目: 列 C が二度割り当てられています")),
        "{e}"
    );

    // An unknown key of the file itself.
    let f = dir.path().join("key.toml");
    std::fs::write(&f, text.replacen("hierarchy = ", "colour = \"red\"\nhierarchy = ", 1)).unwrap();
    let e = ops::import_with_layout(&db, &src, &f, None).unwrap_err().to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    assert!(e.contains("「colour」はレイアウトの項目ではありません"), "{e}");

    // A layout whose columns do not match the sheet: the header cell named.
    let f = dir.path().join("moved.toml");
    std::fs::write(&f, text.replacen("header = \"単位\"", "header = \"単位名\"", 1)).unwrap();
    let e = ops::import_with_layout(&db, &src, &f, None).unwrap_err().to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    assert!(e.contains("KPI進捗!D3: 見出しは「単位名」のはずですが「単位」です"), "{e}");

    // The file's newer keys, each refused with its line: an alignment, a year that only a
    // per-year column can take, the project cells, a sheet of projects without 事業番号.
    let refused = |name: &str, layout: String, want: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, &layout).unwrap();
        let e = ops::import_with_layout(&db, &src, &f, None).unwrap_err().to_string();
        assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
        assert!(e.contains(want), "{name}: {e}");
    };
    assert!(text.contains("column = \"D\"\nfield = \"unit\""), "{text}");
    let align = text.replacen("align = \"center\"", "align = \"middle\"", 1);
    let line = line_of(&align, "column = \"D\"") - 1;
    refused("align.toml", align, &format!("レイアウト {line}行目: `align` の「middle」は"));
    let each = text.replacen("field = \"unit\"", "field = \"unit\"\nyear = \"each\"", 1);
    let line = line_of(&each, "column = \"D\"") - 1;
    refused(
        "each.toml",
        each,
        &format!("レイアウト {line}行目: `year = \"each\"` は目標値と実績値の列だけに書けます"),
    );
    let cells = text.replacen("hierarchy = ", "project_cells = \"merged\"\nhierarchy = ", 1);
    let line = line_of(&cells, "project_cells");
    refused("cells.toml", cells, &format!("レイアウト {line}行目: project_cells には事業番号"));
    refused(
        "cells-value.toml",
        text.replacen("hierarchy = ", "project_cells = \"both\"\nhierarchy = ", 1),
        "`project_cells` は \"merged\"(結合)か \"repeated\"",
    );
    let projects = format!(
        "{text}\n[projects]\nsheet = \"事業一覧\"\nheader_row = 3\n\n[[projects.column]]\ncolumn = \"A\"\nfield = \"project_name\"\nheader = \"事業名\"\n"
    );
    let line = line_of(&projects, "[projects]");
    refused(
        "projects.toml",
        projects,
        &format!("レイアウト {line}行目: 事業を別のシートに置くときは"),
    );

    // A sheet that is not the built-in table's: refused by its sheet, or by the cell where
    // its year columns should be.
    let e = ops::import_with_layout(&db, &made.join("headings.xlsx"), Path::new("総合戦略"), None)
        .unwrap_err()
        .to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    assert!(e.contains("シート「KPI進捗」がこのブックにありません"), "{e}");
    let e = ops::import_with_layout(&db, &src, Path::new("総合戦略"), None)
        .unwrap_err()
        .to_string();
    assert!(shinchoku_core::text::is_japanese_message(&e), "{e}");
    assert!(e.contains("KPI進捗!G3: 年度ごとの列の見出し"), "{e}");
    assert!(Store::open(&db).unwrap().plans().unwrap().is_empty(), "nothing imported");
}

use shinchoku_core::store::Store;

/// Every cell's displayed text, the merged ranges and the numbers' formats of a sheet.
fn sheet_of(path: &Path, sheet: &str) -> (Vec<Vec<String>>, Vec<String>, shinchoku_core::xlsx::import::NumberFormats) {
    let texts: Vec<Vec<String>> = shinchoku_core::xlsx::import::sheet_texts(path, sheet)
        .unwrap()
        .into_iter()
        .map(|r| {
            let mut r: Vec<String> = r.into_iter().map(Option::unwrap_or_default).collect();
            while r.last().is_some_and(String::is_empty) {
                r.pop();
            }
            r
        })
        .collect();
    let (merges, formats) = shinchoku_core::xlsx::import::sheet_layout(path, sheet).unwrap();
    let mut texts = texts;
    while texts.last().is_some_and(Vec::is_empty) {
        texts.pop();
    }
    (texts, merges, formats)
}

/// The cells whose displayed text differs: `(row, column, the text now)`.
fn cell_diffs(want: &[Vec<String>], got: &[Vec<String>]) -> Vec<(usize, u32, String)> {
    let mut diffs = Vec::new();
    for r in 0..want.len().max(got.len()) {
        let (a, b) = (want.get(r).cloned().unwrap_or_default(), got.get(r).cloned().unwrap_or_default());
        for c in 0..a.len().max(b.len()) {
            if a.get(c) != b.get(c) {
                diffs.push((r, c as u32, b.get(c).cloned().unwrap_or_default()));
            }
        }
    }
    diffs
}

/// One field of the plan changed as the coordinator changes it.
fn set_field(db: &Path, path: &str, text: &str) {
    ops::edit_fields(
        db,
        &ops::Editor::Coordinator,
        &[shinchoku_core::views::FieldEdit {
            path: path.into(),
            text: text.into(),
        }],
        "test",
    )
    .unwrap();
}

/// Learn → import → export with the learned layout gives back the workbook's sheet,
/// cell for cell (values, merges, number formats); a value changed in the plan
/// appears in exactly its cell.
#[test]
fn a_learned_layout_writes_the_sheet_back_cell_for_cell() {
    let dir = tempfile::tempdir().unwrap();
    let made = unseen(dir.path());
    for (file, sheet, kpi_name, col) in [
        ("sogo-senryaku.xlsx", "KPI進捗", "企業誘致件数", 6u32),
        ("headings.xlsx", "進捗管理表", "防災訓練の参加者数", 4u32),
    ] {
        let src = made.join(file);
        let toml = dir.path().join(format!("{file}.toml"));
        ops::layout_learn(&src, None, &toml).unwrap();
        let db = dir.path().join(format!("{file}.db"));
        ops::import_with_layout(&db, &src, &toml, None).unwrap();
        let out = dir.path().join(format!("out-{file}"));
        ops::export_with_layout(&db, None, &toml, &out).unwrap();
        let (want, want_merges, want_formats) = sheet_of(&src, sheet);
        let (got, got_merges, got_formats) = sheet_of(&out, sheet);
        assert_eq!(got, want, "{file}: the values");
        assert_eq!(got_merges, want_merges, "{file}: the merged ranges");
        assert_eq!(got_formats, want_formats, "{file}: the numbers' formats");
        let widths = |p: &Path| shinchoku_core::xlsx::import::sheet_widths(p, sheet).unwrap();
        assert_eq!(widths(&out), widths(&src), "{file}: the column widths");
        // How it prints: paper, orientation, fitting, the rows repeated on each page, the
        // page header and footer, and the heights of the title and header rows.
        let print = |p: &Path| shinchoku_core::xlsx::import::sheet_print(p, sheet).unwrap();
        let shinchoku_core::xlsx::import::SheetPrint {
            page,
            repeat_rows: repeat,
            heights,
        } = print(&src);
        match file {
            "sogo-senryaku.xlsx" => {
                assert_eq!(
                    (page.paper, page.landscape, page.fit),
                    (Some(8), true, Some((1, 0))),
                    "{file}: {page:?}"
                );
                assert_eq!(page.footer.as_deref(), Some("&C&P / &N"), "{file}: {page:?}");
                assert_eq!(repeat, Some((2, 2)), "{file}");
                assert!(heights.contains(&(0, 24.0)) && heights.contains(&(2, 30.0)), "{file}: {heights:?}");
            }
            _ => {
                assert_eq!((page.paper, page.landscape, page.fit), (Some(9), false, None), "{file}: {page:?}");
                assert!(
                    page.header.as_deref().is_some_and(|h| h.contains("○○市 企画課")),
                    "{file}: {page:?}"
                );
                assert_eq!(repeat, Some((2, 3)), "{file}");
            }
        }
        let got = print(&out);
        assert_eq!((got.page, got.repeat_rows), (page, repeat), "{file}: how it prints");
        // How the data rows look: each column's alignment, and borders or none.
        let l = ops::read_layout(&toml).unwrap();
        let data = l.header_row - 1 + l.header_rows;
        let looks = |f: &Path| {
            let mut m = shinchoku_core::xlsx::import::sheet_looks(f, sheet).unwrap();
            m.retain(|(r, _), _| *r >= data);
            m
        };
        let want_looks = looks(&src);
        assert!(!want_looks.is_empty(), "{file}: the input has alignment or borders");
        assert_eq!(looks(&out), want_looks, "{file}: the data rows' alignment and borders");
        // The sheet's face and colours: a data cell's font and vertical alignment, a header cell's fill.
        let style = |f: &Path, r: u32, c: u32| {
            let (font, size, fill, vertical, bold) = shinchoku_core::xlsx::import::cell_style(f, sheet, r, c).unwrap();
            (font, size, fill, vertical.unwrap_or("bottom"), bold)
        };
        let kpi_col = shinchoku_core::layout::column_index(&l.columns.iter().find(|c| c.field == "kpi_name").unwrap().column).unwrap();
        assert_eq!(
            style(&out, data, kpi_col),
            style(&src, data, kpi_col),
            "{file}: a data cell's font, fill and alignment"
        );
        let h = l.header_row - 1;
        let head = |f: &Path| {
            let (font, size, fill, _, bold) = style(f, h, kpi_col);
            (font, size, fill, bold)
        };
        assert_eq!(head(&out), head(&src), "{file}: the header's font, size, fill and weight");
        if file == "sogo-senryaku.xlsx" {
            assert_eq!(
                style(&src, data, 0),
                (Some("MS Gothic".to_string()), Some(10.0), None, "top", false),
                "the test's workbook has its own face"
            );
            assert_eq!(
                head(&src),
                (Some("MS Mincho".to_string()), Some(9.0), Some(0xDDEBF7), false),
                "and its header its own"
            );
            let st = l.style.as_ref().unwrap();
            assert_eq!(
                (st.header_font.as_deref(), st.header_font_size, st.header_bold),
                (Some("MS Mincho"), Some(9.0), Some(false)),
                "the header's face is learned"
            );
        }
        // The title's and header's heights as learned; the data rows are as tall as their text.
        let out_heights: Vec<(u32, f64)> = got.heights.into_iter().filter(|(r, _)| *r < data).collect();
        // rust_xlsxwriter keeps a row's height in whole pixels (20 pt is written 20.25 pt).
        assert_eq!(out_heights.len(), heights.len(), "{file}: {out_heights:?} for {heights:?}");
        for ((r, h), (want_r, want_h)) in out_heights.iter().zip(&heights) {
            assert!(r == want_r && (h - want_h).abs() <= 0.75, "{file}: {out_heights:?} for {heights:?}");
        }

        // One actual changed in the plan: exactly its cell differs.
        let p = ops::load(&db, None).unwrap();
        let no = kpi(&p, kpi_name).no;
        set_field(&db, &format!("kpi[{no}].actual[2023]"), "4321");
        // The plan remembers the layout it was imported with: a plain export uses it.
        ops::export(&db, None, &out, None).unwrap();
        let (changed, _, _) = sheet_of(&out, sheet);
        let diffs = cell_diffs(&want, &changed);
        assert_eq!(diffs.len(), 1, "{file}: {diffs:?}");
        assert_eq!((diffs[0].1, diffs[0].2.as_str()), (col, "4321"), "{file}: {diffs:?}");
        let row = &changed[diffs[0].0];
        assert!(row.iter().any(|c| c == kpi_name), "{file}: the change is on {kpi_name}'s row");
    }
}

/// The cells typed into a sheet in LibreOffice Calc (UNO, `tests/lo/edit.py`: typed as a person
/// types, saved with Calc's own XML) as `DIR/edited.xlsx`; every typing must have been taken.
fn typed_in_calc(dir: &Path, from: &Path, sheet: &str, cells: &[(&str, &str)]) -> PathBuf {
    let edited = dir.join("edited.xlsx");
    let spec = dir.join("spec.json");
    let actions: Vec<[&str; 4]> = cells.iter().map(|(cell, text)| ["type", sheet, cell, text]).collect();
    let body = serde_json::json!({"in": from, "out": edited, "actions": actions});
    std::fs::write(&spec, body.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/lo/edit.py");
    let o = Command::new("/usr/bin/python3").arg(script).arg(&spec).output().unwrap();
    let done = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "LibreOffice: {done}{}", String::from_utf8_lossy(&o.stderr));
    let taken: Vec<String> = serde_json::from_str(done.trim()).unwrap();
    assert_eq!(taken, vec!["ok"; cells.len()], "{done}");
    edited
}

/// A sheet written in its learned layout is edited in LibreOffice Calc (driven through
/// Python-UNO, typing as a person types, saved with LibreOffice's own XML) and read back
/// with the same layout: the typed actual arrives, the rest is as it was.
#[test]
fn a_layout_sheet_edited_in_libreoffice_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let made = unseen(dir.path());
    let src = made.join("sogo-senryaku.xlsx");
    let toml = dir.path().join("layout.toml");
    ops::layout_learn(&src, None, &toml).unwrap();
    let db = dir.path().join("plan.db");
    ops::import_with_layout(&db, &src, &toml, None).unwrap();
    let out = dir.path().join("out.xlsx");
    ops::export_with_layout(&db, None, &toml, &out).unwrap();

    // 企業誘致件数 is the second data row (row 5); R5実績 is column G.
    let edited = typed_in_calc(dir.path(), &out, "KPI進捗", &[("G5", "15")]);

    let before = ops::load(&db, None).unwrap();
    ops::import_with_layout(&db, &edited, &toml, None).unwrap();
    let after = ops::load(&db, None).unwrap();
    let actual = |p: &Plan, name: &str| text(kpi(p, name).actuals.get(&R5).map(|a| &a.value)).map(str::to_string);
    assert_eq!(actual(&before, "企業誘致件数").as_deref(), Some("12"));
    assert_eq!(actual(&after, "企業誘致件数").as_deref(), Some("15"));
    for k in &before.kpis {
        if k.name != "企業誘致件数" {
            assert_eq!(kpi(&after, &k.name), k, "{}: unchanged", k.name);
        }
    }
    assert_eq!(after.entries, before.entries);

    // Learned again from Calc's file (its own styles.xml and sheet XML): the same columns,
    // the same face (the table's font and size, the header's size, fill and weight, where
    // text stands). Calc saves the header's Japanese text in its own East Asian font
    // (Noto Sans CJK here) instead of the 9 pt MS Mincho it was given, so that name is not compared.
    let l = ops::read_layout(&toml).unwrap();
    let again = ops::layout_learn(&edited, None, &dir.path().join("again.toml")).unwrap().layout;
    assert_eq!(fields(&again), fields(&l), "the columns learned from Calc's file");
    let style = l.style.clone().unwrap();
    assert_eq!(style.header_font.as_deref(), Some("MS Mincho"), "{style:?}");
    let again = again.style.unwrap();
    assert_eq!(
        shinchoku_core::layout::Style {
            header_font: style.header_font.clone(),
            ..again
        },
        style,
        "the face learned from Calc's file"
    );
}

/// What the built-in 総合戦略 table keeps of a KPI: its name, unit, baseline and its year,
/// the final target and the actual of each of the plan's years.
type StrategyRow = (
    String,
    Option<String>,
    Option<String>,
    Option<FiscalYear>,
    Option<String>,
    Vec<(FiscalYear, String)>,
);

fn strategy_rows(p: &Plan, years: &[FiscalYear]) -> Vec<StrategyRow> {
    let last = *years.last().unwrap();
    let mut rows: Vec<StrategyRow> = p
        .kpis
        .iter()
        .map(|k| {
            (
                k.name.clone(),
                k.unit.clone(),
                text(k.baseline.as_ref()).map(str::to_string),
                k.baseline_year,
                text(k.targets.get(&last)).map(str::to_string),
                k.actuals
                    .iter()
                    .filter(|(y, _)| years.contains(y))
                    .map(|(y, a)| (*y, a.value.text().to_string()))
                    .collect(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The built-in 総合戦略 KPI table (基本目標 → 施策 → KPI; 基準値 and its year, the final
/// target, one 実績 column per year, 達成状況, 所管課), chosen by name: every demo plan
/// written in it reads back with each KPI's values, and written again from what was read
/// gives the same sheet cell for cell.
#[test]
fn the_built_in_strategy_table_round_trips_every_demo_plan() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = Path::new("総合戦略");
    let layout = ops::read_layout(builtin).unwrap();
    assert!(layout.is_template(), "its 実績 columns come from the plan's years");
    let mut checked = Vec::new();
    for (i, plan) in shinchoku_core::seed::demo_plans().unwrap().into_iter().enumerate() {
        let years: Vec<FiscalYear> = if plan.fiscal_years.is_empty() {
            let (a, b) = plan.period.unwrap();
            (a.0..=b.0).map(FiscalYear).collect()
        } else {
            plan.fiscal_years.clone()
        };
        let first = dir.path().join(format!("{i}-first.xlsx"));
        shinchoku_core::layout::write::write(&plan, &layout, &first).unwrap();
        let sheet = "KPI進捗";
        let (cells, _, _) = sheet_of(&first, sheet);
        let title = format!("{} 総合戦略 KPIの進捗状況({})", plan.organization, plan.report_year.long());
        assert_eq!(cells[0], vec![title], "{}", plan.organization);
        // One 実績 column per year of the plan, under a 実績 merged across them.
        let actual_heads: Vec<&String> = cells[3].iter().skip(7).take(years.len()).collect();
        assert_eq!(
            actual_heads,
            years.iter().map(|y| y.long()).collect::<Vec<_>>().iter().collect::<Vec<_>>(),
            "{}",
            plan.organization
        );
        assert_eq!(cells.len() - 4, plan.kpis.len(), "{}: one row per KPI", plan.organization);
        let db = dir.path().join(format!("{i}.db"));
        if plan.kpis.is_empty() {
            // A plan without KPIs (a 工程表 only) gives the header alone, which is not imported.
            let e = ops::import_with_layout(&db, &first, builtin, None).unwrap_err().to_string();
            assert!(e.contains("KPI進捗!C5") && e.contains("KPIの行がありません"), "{e}");
            continue;
        }
        checked.push(plan.organization.clone());
        let r = ops::import_with_layout(&db, &first, builtin, Some(&plan.organization)).unwrap();
        assert_eq!(r.kpis, plan.kpis.len(), "{}", plan.organization);
        let read = ops::load(&db, None).unwrap();
        assert_eq!(read.report_year, plan.report_year, "{}", plan.organization);
        assert_eq!(read.fiscal_years, years, "{}", plan.organization);
        assert_eq!(
            strategy_rows(&read, &years),
            strategy_rows(&plan, &years),
            "{}: the KPIs' values",
            plan.organization
        );

        // Written again (the plan remembers its layout), the same sheet.
        let second = dir.path().join(format!("{i}-second.xlsx"));
        ops::export(&db, None, &second, None).unwrap();
        assert_eq!(
            sheet_of(&second, sheet),
            sheet_of(&first, sheet),
            "{}: cell for cell",
            plan.organization
        );
        let widths = |p: &Path| shinchoku_core::xlsx::import::sheet_widths(p, sheet).unwrap();
        assert_eq!(widths(&second), widths(&first), "{}", plan.organization);
    }
    assert!(checked.len() >= 2, "the demo plans with KPIs: {checked:?}");
}

/// `--layout` names: the summary workbook (`取組一覧`) and the built-ins; an unknown name
/// is refused with the names there are.
#[test]
fn layouts_are_chosen_by_name() {
    assert!(ops::is_summary(Path::new("取組一覧")));
    assert!(!ops::is_summary(Path::new("総合戦略")));
    assert_eq!(ops::read_layout(Path::new("sogo-senryaku")).unwrap().name, "総合戦略 KPI進捗表");
    let e = ops::read_layout(Path::new("総合計画")).unwrap_err().to_string();
    assert!(e.contains("総合計画") && e.contains("総合戦略") && e.contains("取組一覧"), "{e}");
}

/// Projects on one sheet, their KPIs on another joined by 事業番号 (openpyxl): learned as a
/// layout with a sheet of projects, imported as projects with several KPIs (and one with
/// none), written back cell for cell on both sheets; an evaluation changed in the plan
/// appears in exactly its cell of the sheet of projects.
#[test]
fn projects_and_kpis_on_separate_sheets_are_learned_read_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let src = unseen(dir.path()).join("two-sheets.xlsx");
    let toml = dir.path().join("two.toml");
    let learned = ops::layout_learn(&src, None, &toml).unwrap();
    let l = ops::read_layout(&toml).unwrap();
    assert_eq!(l, learned.layout, "the file written reads back as learned");
    assert_eq!(l.sheet.as_deref(), Some("KPI"));
    let ps = l.projects.as_ref().expect("the sheet of projects is found");
    assert_eq!((ps.sheet.as_str(), ps.header_row), ("事業一覧", 3));
    use Field::*;
    let c = |s: &str| s.to_string();
    assert_eq!(
        fields(&ps.as_layout(&l)),
        vec![
            (c("A"), ProjectNo, None),
            (c("B"), AreaNo, None),
            (c("C"), Area, None),
            (c("D"), ProjectName, None),
            (c("E"), Division, None),
            (c("F"), Evaluation, None),
            (c("G"), Narrative, None),
        ]
    );
    assert!(
        learned.report().iter().any(|l| l.contains("シート「事業一覧」の列 D「事業名」")),
        "{:?}",
        learned.report()
    );

    let db = dir.path().join("two.db");
    let r = ops::import_with_layout(&db, &src, &toml, Some("○○県")).unwrap();
    assert_eq!((r.areas, r.kpis), (2, 5));
    let p = ops::load(&db, None).unwrap();
    let projects: Vec<&shinchoku_core::Project> = p.projects().collect();
    assert_eq!(
        projects.iter().map(|x| (x.no.as_str(), x.kpis.len())).collect::<Vec<_>>(),
        vec![("1", 2), ("2", 1), ("3", 2), ("4", 0)]
    );
    assert_eq!(
        p.areas.iter().map(|a| (a.code.as_str(), a.name.as_deref())).collect::<Vec<_>>(),
        vec![("3", Some("行政のDX")), ("5", Some("地域のDX"))],
        "the areas keep the numbers the sheet of projects gives them"
    );
    let first = projects[0];
    assert_eq!(first.name.as_deref(), Some("電子申請の拡充"));
    assert_eq!(first.owners[0].division.as_deref(), Some("デジタル推進課"));
    let y = &first.years[&R5];
    assert_eq!(
        (y.evaluation.as_ref().map(|e| e.mark()), y.narrative.as_deref()),
        (Some("A"), Some("申請手続のオンライン化を進めた。"))
    );
    let k = kpi(&p, "オンライン申請の利用率");
    assert_eq!(
        (
            text(k.baseline.as_ref()),
            text(k.actuals.get(&R4).map(|a| &a.value)),
            text(k.targets.get(&R7))
        ),
        (Some("12%"), Some("25%"), Some("50%"))
    );

    let out = dir.path().join("out.xlsx");
    ops::export(&db, None, &out, None).unwrap();
    for sheet in ["事業一覧", "KPI"] {
        assert_eq!(sheet_of(&out, sheet), sheet_of(&src, sheet), "{sheet}: cell for cell");
        let widths = |f: &Path| shinchoku_core::xlsx::import::sheet_widths(f, sheet).unwrap();
        assert_eq!(widths(&out), widths(&src), "{sheet}: the column widths");
        let print = |f: &Path| {
            let s = shinchoku_core::xlsx::import::sheet_print(f, sheet).unwrap();
            (s.page.paper, s.page.landscape, s.repeat_rows)
        };
        assert_eq!(print(&out), print(&src), "{sheet}: how it prints");
    }

    // Project 3's evaluation changed: exactly F6 of 事業一覧 differs.
    set_field(&db, "project[3].year[2023].evaluation", "B");
    ops::export(&db, None, &out, None).unwrap();
    let (want, _, _) = sheet_of(&src, "事業一覧");
    let (got, _, _) = sheet_of(&out, "事業一覧");
    assert_eq!(cell_diffs(&want, &got), vec![(5, 5, "B".to_string())]);
    assert_eq!(sheet_of(&out, "KPI"), sheet_of(&src, "KPI"), "the KPI sheet unchanged");

    // A KPI row naming a project the sheet of projects does not have: refused by its cell, nothing imported.
    let bad = dir.path().join("bad.xlsx");
    let script = "import sys, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\nwb['KPI']['A5'] = 9\nwb.save(sys.argv[2])";
    let o = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&src)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = ops::load(&db, None).unwrap();
    let e = ops::import_with_layout(&db, &bad, &toml, Some("○○県")).unwrap_err().to_string();
    assert!(
        e.contains("KPI!A5") && e.contains("事業番号 9 の事業が「事業一覧」シートにありません"),
        "{e}"
    );
    assert_eq!(ops::load(&db, None).unwrap(), before, "nothing imported");
}

/// The app's mapping table: a 取組一覧 has none (imported as it is); another workbook's columns
/// come as learned (unplaced ones without a field), a correction made in the table is what is
/// imported, and a field and year on two columns is refused with both columns named.
#[test]
fn the_mapping_table_is_learned_corrected_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/torikumi-ichiran-r5.xlsx");
    assert_eq!(ops::layout_mapping(&reference).unwrap(), None, "a 取組一覧 is imported as it is");
    let src = unseen(dir.path()).join("sogo-senryaku.xlsx");
    let m = ops::layout_mapping(&src).unwrap().unwrap();
    assert_eq!((m.sheet.as_str(), m.header_row), ("KPI進捗", 3));
    let col = |c: &str| m.columns.iter().find(|x| x.column == c).unwrap().clone();
    assert_eq!(
        (col("C").field.as_deref(), col("C").header.as_str()),
        (Some("kpi_name"), "重要業績評価指標(KPI)")
    );
    assert_eq!((col("G").field.as_deref(), col("G").year.as_deref()), (Some("actual"), Some("R5")));
    assert!(m.fields.iter().any(|f| f.key == "division" && f.label == "担当課"));
    // 所管課 read as 担当部 instead, 単位 not read at all.
    let mut corrected = m.columns.clone();
    for c in corrected.iter_mut() {
        match c.column.as_str() {
            "J" => c.field = Some("department".into()),
            "D" => c.field = None,
            _ => {}
        }
    }
    let db = dir.path().join("mapped.db");
    let r = ops::import_with_mapping(&db, &src, &corrected, Some("○○市")).unwrap();
    assert_eq!(r.kpis, 5);
    let p = ops::load(&db, None).unwrap();
    let first = p.projects().next().unwrap();
    assert_eq!(first.owners[0].department.as_deref(), Some("商工政策課"));
    assert_eq!(first.owners[0].division, None);
    assert!(p.kpis.iter().all(|k| k.unit.is_none()), "単位 was not read");

    // Two columns as R5's 実績: refused, naming both; nothing imported.
    let mut twice = m.columns.clone();
    for c in twice.iter_mut().filter(|c| c.column == "F") {
        (c.field, c.year) = (Some("actual".into()), Some("R5".into()));
    }
    let other = dir.path().join("twice.db");
    let e = ops::import_with_mapping(&other, &src, &twice, None).unwrap_err().to_string();
    assert!(e.contains("列 F と列 G") && e.contains("実績値"), "{e}");
    assert!(!other.exists() || ops::load(&other, None).is_err(), "nothing imported");
}

/// A project's KPIs on rows under it, its cells merged down over them (openpyxl): learned as
/// `project_cells = "merged"`, read as projects with several KPIs (and one with none), written
/// back cell for cell with the same merged ranges; an evaluation changed in the plan changes
/// exactly its merged cell.
#[test]
fn project_cells_merged_over_their_kpi_rows_are_learned_read_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let src = unseen(dir.path()).join("merged-projects.xlsx");
    let toml = dir.path().join("merged.toml");
    let learned = ops::layout_learn(&src, None, &toml).unwrap();
    let l = ops::read_layout(&toml).unwrap();
    assert_eq!(l, learned.layout);
    assert_eq!(l.project_cells, Some(shinchoku_core::layout::ProjectCells::Merged));
    let db = dir.path().join("merged.db");
    let r = ops::import_with_layout(&db, &src, &toml, None).unwrap();
    assert_eq!(r.kpis, 6);
    let p = ops::load(&db, None).unwrap();
    let projects: Vec<&shinchoku_core::Project> = p.projects().collect();
    assert_eq!(
        projects
            .iter()
            .map(|x| (x.no.as_str(), x.name.as_deref().unwrap_or(""), x.kpis.len()))
            .collect::<Vec<_>>(),
        vec![
            ("1", "電子申請の拡充", 2),
            ("2", "テレワークの推進", 1),
            ("3", "スマート農業の普及", 3),
            ("4", "オープンデータの公開", 0)
        ]
    );
    assert_eq!(projects[2].years[&R5].evaluation.as_ref().map(|e| e.mark()), Some("△"));

    let sheet = "事業別KPI";
    let out = dir.path().join("out.xlsx");
    ops::export(&db, None, &out, None).unwrap();
    assert_eq!(sheet_of(&out, sheet), sheet_of(&src, sheet), "cell for cell, the merged ranges too");

    set_field(&db, "project[3].year[2023].evaluation", "○");
    ops::export(&db, None, &out, None).unwrap();
    let (want, want_merges, _) = sheet_of(&src, sheet);
    let (got, got_merges, _) = sheet_of(&out, sheet);
    assert_eq!(got_merges, want_merges);
    // The merged I7:I9 (read as the one value spread over its cells).
    assert_eq!(
        cell_diffs(&want, &got),
        (6..=8).map(|r| (r, 8, "○".to_string())).collect::<Vec<_>>()
    );
}

/// The built-in 総合戦略 table as a city's staff fill it in: written for the demo's Tokushima
/// plan, a 令和6年度 actual typed into it in LibreOffice Calc (UNO, LibreOffice's own XML), and
/// imported with the built-in layout by name: the template finds its year columns in the
/// sheet LibreOffice saved, the typed actual arrives, nothing else changes.
#[test]
fn the_built_in_strategy_table_edited_in_libreoffice_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = Path::new("総合戦略");
    let plan = shinchoku_core::seed::demo_plans()
        .unwrap()
        .into_iter()
        .find(|p| p.organization == "徳島県")
        .unwrap();
    let out = dir.path().join("tokushima.xlsx");
    shinchoku_core::layout::write::write(&plan, &ops::read_layout(builtin).unwrap(), &out).unwrap();
    let db = dir.path().join("plan.db");
    ops::import_with_layout(&db, &out, builtin, None).unwrap();
    let before = ops::load(&db, None).unwrap();

    // The 令和6年度 実績 column, by its header (row 4, from H: G is the final target's); the
    // first KPI's row is 5.
    let cells = shinchoku_core::xlsx::import::sheet_texts(&out, "KPI進捗").unwrap();
    let col = 7 + cells[3].iter().skip(7).position(|c| c.as_deref() == Some("令和6年度")).unwrap();
    assert_eq!(cells[2][col].as_deref(), Some("実績"));
    let first = before.kpis.iter().find(|k| k.no == 1).unwrap();
    assert_eq!(cells[4][2].as_deref(), Some(first.name.as_str()));
    let at = format!("{}5", shinchoku_core::xlsx::column_name(col as u32));
    let edited = typed_in_calc(dir.path(), &out, "KPI進捗", &[(&at, "97%")]);

    ops::import_with_layout(&db, &edited, builtin, None).unwrap();
    let after = ops::load(&db, None).unwrap();
    let r6 = FiscalYear(2024);
    let k = after.kpis.iter().find(|k| k.no == 1).unwrap();
    // Calc made the typed 97% a percentage cell of its own format (0.00%): read as it shows it.
    assert_eq!(text(k.actuals.get(&r6).map(|a| &a.value)), Some("97.00%"), "{k:?}");
    assert_eq!(k.actuals[&r6].value.number(), Some(97.0));
    assert_eq!((&after.fiscal_years, after.report_year), (&before.fiscal_years, before.report_year));
    for k in &before.kpis {
        if k.no != 1 {
            assert_eq!(after.kpis.iter().find(|x| x.no == k.no), Some(k), "{}: unchanged", k.name);
        }
    }
    assert_eq!(after.entries, before.entries);
}

/// A sheet whose project cells are merged over their KPI rows, written by Shinchoku, edited
/// in LibreOffice Calc (UNO; Calc writes the merged ranges in its own XML) and read back with
/// the learned layout: the typed actual arrives under its project, the projects and their
/// KPIs stay as they were.
#[test]
fn merged_project_cells_edited_in_libreoffice_are_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let src = unseen(dir.path()).join("merged-projects.xlsx");
    let toml = dir.path().join("merged.toml");
    ops::layout_learn(&src, None, &toml).unwrap();
    let db = dir.path().join("plan.db");
    ops::import_with_layout(&db, &src, &toml, None).unwrap();
    let out = dir.path().join("out.xlsx");
    ops::export(&db, None, &out, None).unwrap();

    // 研修の受講者数(累計), the second KPI under the merged project 3 (row 8); R5実績 is G.
    let edited = typed_in_calc(dir.path(), &out, "事業別KPI", &[("G8", "175")]);

    let before = ops::load(&db, None).unwrap();
    ops::import_with_layout(&db, &edited, &toml, None).unwrap();
    let after = ops::load(&db, None).unwrap();
    let actual = |p: &Plan| text(kpi(p, "研修の受講者数(累計)").actuals.get(&R5).map(|a| &a.value)).map(str::to_string);
    assert_eq!((actual(&before).as_deref(), actual(&after).as_deref()), (Some("150"), Some("175")));
    assert_eq!(after.entries, before.entries, "the projects and their KPIs as they were");
    for k in before.kpis.iter().filter(|k| k.name != "研修の受講者数(累計)") {
        assert_eq!(kpi(&after, &k.name), k, "{}: unchanged", k.name);
    }
}

/// The entry sheet's header row (row 4) as written.
fn entry_header(file: &Path) -> Vec<String> {
    let cells = shinchoku_core::xlsx::import::sheet_texts(file, "記入").unwrap();
    cells[3].iter().map(|c| c.clone().unwrap_or_default()).collect()
}

/// Where a return holds a field (`N12`): its row from the metadata sheet, its column by
/// reading the header as the merge reads it.
fn entry_cell(file: &Path, path: &str) -> String {
    let meta = shinchoku_core::xlsx::import::sheet_texts(file, "shinchoku_meta").unwrap();
    let text = |r: &Vec<Option<String>>, c: usize| r.get(c).cloned().flatten().unwrap_or_default();
    let row = meta.iter().find(|r| text(r, 2) == path).unwrap_or_else(|| panic!("{path}"));
    let want = shinchoku_core::returns::Column::from_header(&text(row, 1));
    let col = entry_header(file)
        .iter()
        .position(|h| shinchoku_core::returns::Column::from_header(h) == want)
        .unwrap();
    format!("{}{}", shinchoku_core::xlsx::column_name(col as u32), text(row, 0))
}

/// `templates --layout`: a department's entry sheet is headed in the layout's words (基本目標,
/// 施策, 所管課, 重要業績評価指標(KPI), 実績, 達成状況) where reading the header back finds the
/// same column, in Shinchoku's own elsewhere (目標値: the built-in's 目標 is the final one, not
/// the report year's); an actual and a narrative typed under those headers in LibreOffice Calc
/// (UNO) are merged as from any return. 取組一覧, and a plan not imported in a layout, keep
/// Shinchoku's own words.
#[test]
fn templates_are_headed_in_the_layouts_words_and_their_returns_merge() {
    use shinchoku_core::returns::Column;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    ops::init(&db, true).unwrap();
    let dept = vec!["総務部".to_string()];
    let name = "令和5年度_総務部.xlsx";
    let own = dir.path().join("own");
    ops::templates(&db, None, &own, None, &dept, false, None).unwrap();
    let own_header = entry_header(&own.join(name));
    let summary = dir.path().join("summary");
    ops::templates(&db, None, &summary, None, &dept, false, Some(Path::new("取組一覧"))).unwrap();
    assert_eq!(entry_header(&summary.join(name)), own_header);

    let out = dir.path().join("strategy");
    ops::templates(&db, None, &out, None, &dept, false, Some(Path::new("総合戦略"))).unwrap();
    let file = out.join(name);
    let header = entry_header(&file);
    let words = [
        ("分野", "基本目標"),
        ("項目", "施策"),
        ("担当課", "所管課"),
        ("KPI名", "重要業績評価指標(KPI)"),
        ("実績値\n(令和5年度)", "実績\n(令和5年度)"),
        ("評価", "達成状況"),
    ];
    // The layout's columns: no 担当部 (the table has none), the rest in its words.
    let kept: Vec<&String> = own_header.iter().filter(|h| *h != "担当部").collect();
    let want: Vec<String> = kept
        .iter()
        .map(|h| words.iter().find(|w| w.0 == h.as_str()).map_or((*h).clone(), |w| w.1.to_string()))
        .collect();
    assert_eq!(header, want);
    assert!(header.iter().any(|h| h == "目標値\n(令和5年度)"), "{header:?}");
    for (h, o) in header.iter().zip(&kept) {
        assert_eq!(Column::from_header(h), Column::from_header(o), "{h} is read as {o}");
    }
    // The guide says how to fill in the columns by the words the sheet uses.
    let guide: Vec<String> = shinchoku_core::xlsx::import::sheet_texts(&file, "記入要領")
        .unwrap()
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    for start in ["2. 実績:", "3. 達成状況:", "4. 取組状況:"] {
        assert!(guide.iter().any(|l| l.starts_with(start)), "{start} {guide:?}");
    }

    // A 総務部 project's narrative and the 令和5年度 actual of one of its KPIs, typed in Calc.
    let plan = ops::load(&db, None).unwrap();
    let (project, kpi) = plan
        .projects()
        .filter(|p| p.owners.iter().any(|o| o.department.as_deref() == Some("総務部")))
        .find_map(|p| {
            let k = p.kpis.iter().find(|r| !r.relisted && plan.kpi(r.no).is_some())?;
            Some((p.no.clone(), k.no))
        })
        .unwrap();
    let narrative = format!("project[{project}].year[2023].narrative");
    let actual = format!("kpi[{kpi}].actual[2023]");
    let (narrative_at, actual_at) = (entry_cell(&file, &narrative), entry_cell(&file, &actual));
    let edited = typed_in_calc(
        dir.path(),
        &file,
        "記入",
        &[(&narrative_at, "庁内の研修を全課で実施した"), (&actual_at, "42")],
    );

    let r = ops::merge(&db, None, &[edited], &ops::MergeOptions::default(), &mut |_| {}).unwrap();
    let applied: Vec<(String, Option<String>)> = r.files[0].applied.iter().map(|c| (c.path.clone(), c.after.clone())).collect();
    assert_eq!(
        applied,
        vec![
            (actual.clone(), Some("42".to_string())),
            (narrative.clone(), Some("庁内の研修を全課で実施した".to_string()))
        ],
        "{:?}",
        r.files[0]
    );
    assert_eq!(r.files[0].signature, Some(shinchoku_core::returns::Signature::Verified));
    let after = ops::load(&db, None).unwrap();
    assert_eq!(text(after.kpi(kpi).unwrap().actuals.get(&R5).map(|a| &a.value)), Some("42"));
}

/// A plan imported in a layout heads its departments' entry sheets in that layout's words
/// by default (here the built-in 総合戦略 table with a 所管部 column added, written for the
/// demo plan and imported with it); `--layout 取組一覧` writes Shinchoku's own.
#[test]
fn a_plan_imported_in_a_layout_heads_its_templates_in_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.db");
    ops::init(&demo, true).unwrap();
    let mut layout = ops::read_layout(Path::new("総合戦略")).unwrap();
    let mut dept = layout.columns.last().unwrap().clone();
    (dept.column, dept.field, dept.header) = ("K".into(), "department".into(), "所管部".into());
    layout.columns.push(dept);
    let toml = dir.path().join("strategy.toml");
    std::fs::write(&toml, layout.to_toml()).unwrap();
    let sheet = dir.path().join("strategy.xlsx");
    shinchoku_core::layout::write::write(&ops::load(&demo, None).unwrap(), &layout, &sheet).unwrap();
    let db = dir.path().join("plan.db");
    ops::import_with_layout(&db, &sheet, &toml, None).unwrap();

    let plan = ops::load(&db, None).unwrap();
    let department = shinchoku_core::returns::departments(&plan)[0].clone();
    let name = format!("令和5年度_{department}.xlsx");
    let own = dir.path().join("own");
    ops::templates(
        &db,
        None,
        &own,
        None,
        std::slice::from_ref(&department),
        false,
        Some(Path::new("取組一覧")),
    )
    .unwrap();
    let own_header = entry_header(&own.join(&name));
    assert!(own_header.iter().any(|h| h == "担当部"), "{own_header:?}");
    let out = dir.path().join("default");
    ops::templates(&db, None, &out, None, &[department], false, None).unwrap();
    let header = entry_header(&out.join(&name));
    // In the layout's words, its 所管課 before its 所管部 as the layout has them, then 事業名.
    let at = |w: &str| header.iter().position(|h| h == w).unwrap_or_else(|| panic!("{w} in {header:?}"));
    assert_eq!((at("所管課") + 1, at("所管部") + 1), (at("所管部"), at("事業名")), "{header:?}");
    assert!(at("達成状況") > at("重要業績評価指標(KPI)"), "{header:?}");
    assert_eq!(header.len(), own_header.len(), "the same columns: {header:?} {own_header:?}");
}
