//! Whatever arrives by mail: each bad workbook or database is refused by the real
//! `shinchoku` process with exit code 2, a message naming the file and, where
//! there is one, the sheet and cell, and the database left byte for byte as it was.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::{data, db_bytes, ok, run};
use shinchoku_core::hostile::{self, Filler};

/// A copy of the reference workbook with its parts passed through `edit`
/// (`None` drops a part) and `extra` parts added.
fn rewritten(dir: &Path, name: &str, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>, extra: &[(&str, &[u8])]) -> PathBuf {
    let mut src = zip::ZipArchive::new(std::fs::File::open(data("torikumi-ichiran-r5.xlsx")).unwrap()).unwrap();
    let out = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let part = f.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = edit(&part, bytes) {
            zip.start_file(part, opts).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    for (part, bytes) in extra {
        zip.start_file(*part, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out
}

/// The reference workbook with cells of the summary sheet replaced: `(cell, the new <c> element)`.
fn with_cells(dir: &Path, name: &str, cells: &[(&str, &str)]) -> PathBuf {
    let cells: Vec<(String, String)> = cells.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    rewritten(
        dir,
        name,
        move |part, bytes| {
            if part != "xl/worksheets/sheet1.xml" {
                return Some(bytes);
            }
            let mut xml = String::from_utf8(bytes).unwrap();
            for (cell, new) in &cells {
                let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("no cell {cell}"));
                let open_end = start + xml[start..].find('>').unwrap();
                let end = if xml.as_bytes()[open_end - 1] == b'/' {
                    open_end + 1
                } else {
                    open_end + xml[open_end..].find("</c>").unwrap() + "</c>".len()
                };
                xml.replace_range(start..end, new);
            }
            Some(xml.into_bytes())
        },
        &[],
    )
}

struct Case {
    what: &'static str,
    file: PathBuf,
    /// Fragments the error output must hold (besides the file name).
    expect: Vec<&'static str>,
}

/// A database holding the Fukushima plan, ready to be kept unchanged.
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("plan.db");
    ok(&run(&["--db", db.to_str().unwrap(), "init", "--demo"]));
    db
}

/// Every line the user is shown is Japanese (paths, quoted inputs and names of formats aside).
fn assert_japanese(what: &str, out: &str) {
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            shinchoku_core::text::is_japanese_message(line),
            "{what}: not Japanese: {line:?} (English words: {:?})",
            shinchoku_core::text::english_words(line)
        );
    }
}

fn assert_refused(db: &Path, args: &[&str], what: &str, file: &Path, expect: &[&str]) {
    let before = db_bytes(db);
    let mut all = vec!["--db", db.to_str().unwrap()];
    all.extend_from_slice(args);
    let t0 = std::time::Instant::now();
    let o = run(&all);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{what}: exit {:?}\n{err}", o.status.code());
    assert!(!err.contains("panicked"), "{what}: {err}");
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(err.contains(name.as_ref()), "{what}: the message does not name the file\n{err}");
    for e in expect {
        assert!(err.contains(e), "{what}: expected {e:?} in\n{err}");
    }
    assert_japanese(what, &err);
    assert!(db_bytes(db) == before, "{what}: the database changed");
    eprintln!(
        "{what}: refused in {:.2} s: {}",
        t0.elapsed().as_secs_f64(),
        err.lines().last().unwrap_or("")
    );
}

#[test]
fn files_that_are_not_plan_workbooks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = demo_db(d);
    let write = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let reference = std::fs::read(data("torikumi-ichiran-r5.xlsx")).unwrap();
    let empty_workbook = rewritten(
        d,
        "empty-workbook.xlsx",
        |part, bytes| {
            Some(if part == "xl/worksheets/sheet1.xml" {
                EMPTY_SHEET.to_vec()
            } else {
                bytes
            })
        },
        &[],
    );
    let cases = vec![
        Case {
            what: "a CSV renamed .xlsx",
            file: write("csv.xlsx", "事業番号,事業名\n1,事業A\n".as_bytes()),
            expect: vec!["Excelのブックではありません", "CSV"],
        },
        Case {
            what: "a PDF renamed .xlsx",
            file: write("report.xlsx", b"%PDF-1.7\n1 0 obj\n"),
            expect: vec!["PDF"],
        },
        Case {
            what: "an empty file",
            file: write("zero.xlsx", b""),
            expect: vec!["ファイルが空です(0バイト)"],
        },
        Case {
            what: "an empty workbook",
            file: empty_workbook,
            expect: vec!["ブックが空です"],
        },
        Case {
            what: "a truncated .xlsx",
            file: write("cut.xlsx", &reference[..reference.len() * 2 / 3]),
            expect: vec!["壊れているか、途中で切れています"],
        },
        Case {
            what: "a password-protected workbook",
            file: data("password-protected.xlsx"),
            expect: vec!["パスワードで保護", "パスワードを外し"],
        },
        Case {
            what: "an old .xls (its number formats would be lost)",
            file: data("torikumi-ichiran-r5.xls"),
            expect: vec!["古い形式のExcelファイル(.xls)", "Excel ブック(.xlsx)」として保存し直し"],
        },
        Case {
            what: "a binary workbook (.xlsb)",
            file: rewritten(d, "plan.xlsb", |_, b| Some(b), &[("xl/workbook.bin", b"\x83\x01\x00")]),
            expect: vec![".xlsb", "Excel ブック(.xlsx)」として保存し直し"],
        },
        Case {
            what: "an OpenDocument spreadsheet",
            file: {
                let p = d.join("plan.ods");
                let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
                let o = zip::write::SimpleFileOptions::default();
                z.start_file("mimetype", o).unwrap();
                z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
                z.start_file("content.xml", o).unwrap();
                z.write_all(b"<office:document-content/>").unwrap();
                z.finish().unwrap();
                p
            },
            expect: vec![".ods", "(.xlsx)」として保存し直し"],
        },
    ];
    for c in cases {
        assert_refused(&db, &["import", c.file.to_str().unwrap()], c.what, &c.file, &c.expect);
    }
}

/// The XML of a sheet without a single cell.
const EMPTY_SHEET: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>"#;

#[test]
fn bombs_and_huge_sheets_are_refused_by_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = demo_db(d);
    let path = |n: &str| d.join(n);
    hostile::zip_bomb(&path("bomb-space.xlsx"), "取組一覧", 3 << 10, Filler::Space).unwrap();
    hostile::zip_bomb(&path("bomb-tags.xlsx"), "取組一覧", 3 << 10, Filler::Tags).unwrap();
    hostile::many_rows(&path("million-rows.xlsx"), "取組一覧", 1_000_000).unwrap();
    for f in ["bomb-space.xlsx", "bomb-tags.xlsx"] {
        let size = std::fs::metadata(path(f)).unwrap().len();
        assert!(size < 4 << 20, "{f}: {size} bytes on disk for 3 GiB inflated");
    }
    let strings = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="18446744073709551615"><si><t>a</t></si></sst>"#;
    let cases = vec![
        Case {
            what: "a zip bomb of white space",
            file: path("bomb-space.xlsx"),
            expect: vec![
                "取組一覧: シートのXML: 区切りのない 16 MB を超える文字があります",
                "意図的に作られたファイル",
            ],
        },
        Case {
            what: "a zip bomb of elements",
            file: path("bomb-tags.xlsx"),
            expect: vec!["取組一覧: シートのXML: 展開すると 256 MB を超えます", "意図的に作られたファイル"],
        },
        Case {
            what: "a sheet with a million rows",
            file: path("million-rows.xlsx"),
            expect: vec!["取組一覧!A200001: シートが 200000 行を超えています"],
        },
        Case {
            what: "a used range of billions of cells",
            file: with_cells(d, "wide.xlsx", &[("T4", r#"<c r="XFD150000" t="inlineStr"><is><t>x</t></is></c>"#)]),
            expect: vec!["取組一覧!XFD150000: シートのセルが XFD150000 まであり、合計 8000000 セルを超えています"],
        },
        Case {
            what: "a shared-string table announcing 2^64 strings",
            file: rewritten(d, "strings.xlsx", |_, b| Some(b), &[("xl/sharedStrings.xml", strings)]),
            expect: vec![
                "xl/sharedStrings.xml: 共有文字列が 18446744073709551615 個と書かれており",
                "読みません",
            ],
        },
    ];
    for c in cases {
        assert_refused(&db, &["import", c.file.to_str().unwrap()], c.what, &c.file, &c.expect);
    }
    // A bomb sent back as a department's return (its sheet is 記入) is refused the same way.
    for filler in [Filler::Space, Filler::Tags] {
        let file = path(&format!("return-{filler:?}.xlsx"));
        hostile::zip_bomb(&file, "記入", 3 << 10, filler).unwrap();
        {
            let before = db_bytes(&db);
            let o = run(&["--db", db.to_str().unwrap(), "merge", file.to_str().unwrap()]);
            assert_ne!(o.status.code(), Some(0), "{filler:?}");
            assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
            let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            assert!(all.contains("意図的に作られたファイル") && all.contains("却下"), "{all}");
            assert!(db_bytes(&db) == before, "{filler:?}: merge changed the database");
        }
    }
}

#[test]
fn bad_cells_are_named_by_sheet_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = demo_db(d);
    let cases = vec![
        Case {
            what: "a formula without a saved result",
            file: with_cells(d, "formula.xlsx", &[("R9", r#"<c r="R9" s="3"><f>SUM(N9:Q9)</f></c>"#)]),
            expect: vec![
                "取組一覧!R9: 数式 =SUM(N9:Q9) の計算結果が保存されていません",
                "Excelで開いて保存し直す",
            ],
        },
        Case {
            what: "a date where a number was expected",
            file: with_cells(d, "date.xlsx", &[("R9", r#"<c r="R9" t="d"><v>2023-04-01T00:00:00</v></c>"#)]),
            expect: vec!["取組一覧!R9: 数値か文字を入力してください(日付 2023-04-01"],
        },
        Case {
            what: "a number of absurd size",
            file: with_cells(d, "huge.xlsx", &[("R9", r#"<c r="R9" s="3"><v>1E+300</v></c>"#)]),
            expect: vec!["取組一覧!R9: 数値 1e300 はKPIの値としては大きすぎます"],
        },
        Case {
            what: "a control character in a narrative",
            file: with_cells(
                d,
                "control.xlsx",
                &[("T4", r#"<c r="T4" s="2" t="inlineStr"><is><t>研修を_x0007_実施</t></is></c>"#)],
            ),
            expect: vec!["取組一覧!T4: ブックに保存できない制御文字(U+0007)"],
        },
        Case {
            what: "a 再掲 of a project that is not in the plan",
            file: with_cells(
                d,
                "relisting.xlsx",
                &[(
                    "H32",
                    r#"<c r="H32" s="2" t="inlineStr"><is><t>テレワーク
※再掲:No.99</t></is></c>"#,
                )],
            ),
            expect: vec!["取組一覧!H32: 再掲の元の No.99 が計画にありません"],
        },
        Case {
            what: "a project number used twice",
            file: with_cells(d, "duplicate.xlsx", &[("A5", r#"<c r="A5" s="2"><v>1</v></c>"#)]),
            expect: vec!["取組一覧!A5: 事業番号 1 が二度使われています(A4 にもあります)"],
        },
        Case {
            what: "a KPI number used with two names",
            file: with_cells(d, "kpi.xlsx", &[("K11", r#"<c r="K11" s="2"><v>1</v></c>"#)]),
            expect: vec!["取組一覧!L11: KPI番号 1 に二つの指標名があります"],
        },
        Case {
            what: "several problems at once",
            file: with_cells(
                d,
                "several.xlsx",
                &[
                    ("A5", r#"<c r="A5" s="2"><v>1</v></c>"#),
                    ("T4", r#"<c r="T4" s="2" t="inlineStr"><is><t>a_x0001_b</t></is></c>"#),
                ],
            ),
            expect: vec![
                "直す箇所が 2 件",
                "取組一覧!T4: ブックに保存できない制御文字(U+0001)",
                "取組一覧!A5: 事業番号 1 が二度使われています",
            ],
        },
    ];
    for c in cases {
        assert_refused(&db, &["import", c.file.to_str().unwrap()], c.what, &c.file, &c.expect);
        // `check` lists the same problems and changes nothing either.
        assert_refused(&db, &["check", c.file.to_str().unwrap()], c.what, &c.file, &c.expect[..1]);
    }
}

#[test]
fn formulas_with_results_and_macro_workbooks_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = data("torikumi-ichiran-r5.xlsx");
    // A formula with its saved result: the result is the value.
    let formula = with_cells(d, "formula.xlsx", &[("R9", r#"<c r="R9" s="3"><f>N9+4</f><v>12</v></c>"#)]);
    let db = d.join("f.db");
    let o = run(&["--db", db.to_str().unwrap(), "import", formula.to_str().unwrap()]);
    ok(&o);
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&["--db", db.to_str().unwrap(), "show", "--json"]))).unwrap();
    let kpi1 = v["kpi_rates"].as_array().unwrap().iter().find(|k| k["no"] == 1).unwrap();
    assert_eq!(kpi1["actual"], "12", "{kpi1}");

    let xlsx_db = d.join("xlsx.db");
    ok(&run(&["--db", xlsx_db.to_str().unwrap(), "import", reference.to_str().unwrap()]));

    // An .xlsm: the cells are read, the macros never run.
    let xlsm = rewritten(
        d,
        "plan.xlsm",
        |_, b| Some(b),
        &[("xl/vbaProject.bin", b"\xD0\xCF\x11\xE0 not run")],
    );
    let xlsm_db = d.join("xlsm.db");
    let o = run(&["--db", xlsm_db.to_str().unwrap(), "import", xlsm.to_str().unwrap()]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("マクロ付きのブック(.xlsm)です。マクロは実行せず"));
    let show = |db: &Path| ok(&run(&["--db", db.to_str().unwrap(), "show", "--json"]));
    assert_eq!(show(&xlsm_db), show(&xlsx_db));
}

/// Overwrites the header of the b-tree page at the root of `table`, after
/// folding the write-ahead log into the file (which stays in WAL mode, as
/// Shinchoku keeps it).
fn damage(db: &Path, table: &str) {
    let page_size: i64;
    let root: i64;
    {
        let c = rusqlite::Connection::open(db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        page_size = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        root = c
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0))
            .unwrap();
    }
    let mut bytes = std::fs::read(db).unwrap();
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + 8].copy_from_slice(&[0xFF; 8]);
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn databases_that_are_not_sound_are_refused_and_a_backup_brings_the_plan_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = data("torikumi-ichiran-r5.xlsx");

    // Another application's SQLite database.
    let other = d.join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers(name) VALUES ('a');")
            .unwrap();
    }
    assert_refused(
        &other,
        &["show"],
        "another application's database",
        &other,
        &["Shinchokuのものではありません"],
    );
    assert_refused(
        &other,
        &["import", reference.to_str().unwrap()],
        "another application's database",
        &other,
        &["Shinchokuのものではありません"],
    );

    // A file that is not a database at all.
    let text = d.join("notes.db");
    std::fs::write(&text, "これはデータベースではありません\n".repeat(200)).unwrap();
    assert_refused(
        &text,
        &["show"],
        "a text file",
        &text,
        &["Shinchokuのデータベースではありません", "バックアップから復元"],
    );

    // A database of a newer schema.
    let newer = d.join("newer.db");
    ok(&run(&["--db", newer.to_str().unwrap(), "init", "--demo"]));
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    assert_refused(
        &newer,
        &["show"],
        "a newer schema",
        &newer,
        &["新しい版のShinchokuで書かれた", "(形式 99", "Shinchokuを更新してから"],
    );

    // A damaged database: refused, with the way back; the backup restores it.
    let db = d.join("plan.db");
    ok(&run(&["--db", db.to_str().unwrap(), "init", "--demo"]));
    // An import that changes something takes a backup of the plan as it was first
    // (one that changes nothing writes nothing, backup included).
    let backed_up = ok(&run(&["--db", db.to_str().unwrap(), "show", "--json"]));
    let synth = d.join("synthetic.xlsx");
    ok(&run(&["dev", "synth", "30", synth.to_str().unwrap()]));
    ok(&run(&["--db", db.to_str().unwrap(), "import", synth.to_str().unwrap()]));
    damage(&db, "project");
    let out = d.join("out.xlsx");
    for args in [
        vec!["show"],
        vec!["import", reference.to_str().unwrap()],
        vec!["export", out.to_str().unwrap()],
    ] {
        assert_refused(
            &db,
            &args,
            "a damaged database",
            &db,
            &["データベースが破損しています", "shinchoku restore"],
        );
    }
    let backups = ok(&run(&["--db", db.to_str().unwrap(), "backups"]));
    let latest = backups
        .split_whitespace()
        .find(|w| w.ends_with(".db"))
        .unwrap_or_else(|| panic!("no backup listed:\n{backups}"));
    let o = ok(&run(&["--db", db.to_str().unwrap(), "restore", latest]));
    assert!(o.contains(".damaged-"), "the damaged file is kept aside: {o}");
    assert_eq!(ok(&run(&["--db", db.to_str().unwrap(), "show", "--json"])), backed_up);
    let kept: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("plan.db.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept beside the database");
}

#[test]
fn outputs_never_overwrite_an_input_and_leave_no_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = demo_db(d);
    let before = db_bytes(&db);
    let dbs = db.to_str().unwrap();
    // The database itself, its journal, another SQLite file: refused, unchanged.
    let other = d.join("other.db");
    std::fs::copy(&db, &other).unwrap();
    let other_bytes = std::fs::read(&other).unwrap();
    for target in [db.clone(), d.join("plan.db-wal"), other.clone()] {
        let o = run(&["--db", dbs, "export", target.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", target.display());
        assert!(
            err.contains("上書きされてしまいます") && err.contains("何も書き込んでいません"),
            "{err}"
        );
    }
    assert!(db_bytes(&db) == before);
    assert_eq!(std::fs::read(&other).unwrap(), other_bytes);

    // A failed write (the target is a folder) leaves no half-written or temporary file.
    let folder = d.join("summary.xlsx");
    std::fs::create_dir(&folder).unwrap();
    let o = run(&["--db", dbs, "export", folder.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(folder.is_dir() && std::fs::read_dir(&folder).unwrap().next().is_none());

    // Templates do not replace a department's return already in the folder.
    let out = d.join("templates");
    ok(&run(&["--db", dbs, "templates", out.to_str().unwrap()]));
    let files: Vec<PathBuf> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.path()).collect();
    std::fs::write(&files[0], b"a department's filled return").unwrap();
    let o = run(&["--db", dbs, "templates", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("同じ名前のファイルがすでにあります") && err.contains("--overwrite"),
        "{err}"
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"a department's filled return");
    ok(&run(&["--db", dbs, "templates", out.to_str().unwrap(), "--overwrite"]));
    assert_ne!(std::fs::read(&files[0]).unwrap(), b"a department's filled return");

    // The merge report is never written over a return being merged.
    let ret = files[1].to_str().unwrap();
    let ret_bytes = std::fs::read(&files[1]).unwrap();
    let before = db_bytes(&db);
    let o = run(&["--db", dbs, "merge", ret, "--report", ret]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("読み込むファイルの一つ"), "{err}");
    assert_eq!(std::fs::read(&files[1]).unwrap(), ret_bytes);
    assert!(db_bytes(&db) == before, "a refused merge changed the database");
}

/// Issue 19: a rule file that cannot be used, a target revision and a year that do not
/// fit, and a 方向 cell that is not a direction are refused in Japanese; nothing changes.
#[test]
fn rules_targets_and_years_that_do_not_fit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = demo_db(d);
    let rule = d.join("独自ルール.toml");
    std::fs::write(
        &rule,
        "name = \"独自\"\nmeasure = \"ratio\"\n[[band]]\nmark = \"A\"\nat_least = 0.5\n[[band]]\nmark = \"B\"\nat_least = 0.8\n[[band]]\nmark = \"C\"\n",
    )
    .unwrap();
    assert_refused(
        &db,
        &["rule", "use", "--file", rule.to_str().unwrap()],
        "a rule whose bands rise",
        &rule,
        &["6行目", "一つ前より小さく"],
    );
    let colour = d.join("colour.toml");
    std::fs::write(
        &colour,
        "name = \"x\"\nmeasure = \"ratio\"\ncolour = \"red\"\n[[band]]\nmark = \"A\"\n",
    )
    .unwrap();
    assert_refused(
        &db,
        &["rule", "use", "--file", colour.to_str().unwrap()],
        "an unknown key",
        &colour,
        &["3行目", "「colour」は評価ルールの項目ではありません"],
    );

    let refused = |args: &[&str], expect: &str| {
        let before = db_bytes(&db);
        let mut all = vec!["--db", db.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = run(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: expected {expect:?} in {err}");
        assert_japanese(&format!("{args:?}"), &err);
        assert!(db_bytes(&db) == before, "{args:?}: the database changed");
    };
    refused(&["rule", "use", "abcd"], "評価ルール「abcd」はありません");
    refused(
        &["target", "set", "99", "--year", "R7", "--value", "90%"],
        "KPI番号 99 の指標はこの計画にありません",
    );
    refused(
        &["target", "set", "2", "--year", "R12", "--value", "90%"],
        "令和12年度はこの計画の目標年度(令和4年度、",
    );
    refused(&["year", "start", "R4"], "前の令和4年度へは戻せません");
    refused(&["year", "start", "R5"], "報告年度はすでに令和5年度です");
    refused(&["project", "status", "1", "--from", "1"], "自分自身");

    // A 方向 cell that says neither 増加, 減少 nor 維持(±N): named by its cell.
    let out = d.join("summary.xlsx");
    ok(&run(&["--db", db.to_str().unwrap(), "export", out.to_str().unwrap()]));
    let trend = shinchoku_core::xlsx::import::sheet_texts(&out, "KPI推移").unwrap();
    let col = trend[2].iter().position(|c| c.as_deref() == Some("方向")).unwrap();
    let cell = format!("{}4", shinchoku_core::xlsx::column_name(col as u32));
    // The exported workbook with that cell rewritten, every other part as written.
    let bad = d.join("direction.xlsx");
    {
        let mut src = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let part = f.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            if part == "xl/worksheets/sheet2.xml" {
                let s = String::from_utf8(bytes).unwrap();
                let at = s.find(&format!("<c r=\"{cell}\"")).unwrap();
                let end = at + s[at..].find("</c>").unwrap() + 4;
                bytes = format!(
                    "{}<c r=\"{cell}\" t=\"inlineStr\"><is><t>横ばい</t></is></c>{}",
                    &s[..at],
                    &s[end..]
                )
                .into_bytes();
            }
            zip.start_file(part, opts).unwrap();
            zip.write_all(&bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    assert_refused(
        &db,
        &["import", bad.to_str().unwrap()],
        "a 方向 that is no direction",
        &bad,
        &[&format!(
            "KPI推移!{cell}: 方向「横ばい」は 増加、減少、維持(±5) のように入力してください"
        )],
    );
}
