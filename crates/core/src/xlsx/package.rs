//! Opening a workbook file safely: what it is, and whether it is small enough to read.
//!
//! A file that arrives by mail may be anything: a CSV or a PDF renamed `.xlsx`, a
//! download cut short, a password-protected or an old (`.xls`) workbook, or a zip
//! bomb. The file is recognised by its content, not its name. Every package part
//! is inflated here under explicit limits (bytes per part, bytes between two
//! tags, shared strings, rows and used cells per sheet), so a bomb is refused
//! within seconds and with bounded memory: the parts but the sheets when the
//! workbook is opened (the shared strings read on the way, the rest into nothing),
//! each sheet when it is read. The pass over a sheet reads its cells' values
//! ([`super::cells`]), so a sheet is parsed once, with what a plain reader does not
//! give: each cell's number format (it says `0.482` was written as `48.2%`) and
//! the formulas that have no saved result. Debug builds compare what it reads with
//! calamine's reading.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::import::Problem;
use super::CellRef;

/// Largest workbook file read (a plan of 20,000 projects is 15 MB).
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// Largest uncompressed package part: one sheet's XML, the shared strings.
pub const MAX_PART_BYTES: u64 = 256 << 20;
/// Longest run of XML between two tags (one cell's text is far less).
pub const MAX_RUN_BYTES: u64 = 16 << 20;
/// Most distinct strings in a workbook.
pub const MAX_STRINGS: u64 = 4_000_000;
/// Largest sheet read, in rows: a plan has thousands of rows, not millions.
pub const MAX_ROWS: u32 = 200_000;
/// Largest used range of a sheet read, in cells (rows × columns).
pub const MAX_CELLS: u64 = 8_000_000;

/// A workbook recognised and checked against the limits, open for reading.
pub(crate) struct Workbook {
    /// The sheets' names, in the workbook's order.
    names: Vec<String>,
    pub(crate) path: PathBuf,
    /// Sheet name → its package part (`xl/worksheets/sheet1.xml`).
    parts: HashMap<String, String>,
    /// Cell style (`cellXfs` index) → number format code, and whether it is a date's.
    xf_formats: Arc<[XfFormat]>,
    /// The shared strings (`xl/sharedStrings.xml`), in order.
    pub(crate) strings: Vec<Box<str>>,
    /// Cell style → its alignment, border, fill and font.
    pub(crate) xf_looks: Vec<Look>,
    /// The fonts the looks name.
    pub(crate) fonts: Vec<Font>,
    /// The workbook carries macros (`.xlsm`); they are never run.
    pub(crate) has_macros: bool,
    /// Scans under way on another thread (see [`Workbook::scan_ahead`]).
    ahead: HashMap<String, std::sync::mpsc::Receiver<Result<SheetScan, Problem>>>,
}

/// A cell style's number format: its code, and whether it shows a date or a time.
#[derive(Debug, Clone)]
pub(crate) struct XfFormat {
    code: Arc<str>,
    date: bool,
}

/// What one pass over a sheet's XML found.
#[derive(Debug, Default)]
pub(crate) struct SheetScan {
    /// The cells that hold a value, in the order written: `(row, col, value)`.
    pub(crate) values: Vec<(u32, u32, super::cells::Raw)>,
    pub(crate) formats: NumberFormats,
    /// Formula cells without a saved result: `(row, col, formula)`.
    pub(crate) uncached: Vec<(u32, u32, String)>,
    /// Column widths as the sheet stores them: `(first, last column, width)`, 0-based.
    pub(crate) widths: Vec<(u32, u32, f64)>,
    /// Merged ranges: `((first row, first column), (last row, last column))`, 0-based.
    pub(crate) merges: Vec<((u32, u32), (u32, u32))>,
    /// Row heights the sheet sets (`customHeight`), in points: `(row, height)`, 0-based.
    pub(crate) heights: Vec<(u32, f64)>,
    pub(crate) page: PageSetup,
    /// The styled cells of the first rows (title, header, the first data rows), empty ones
    /// too: `(row, col, cellXfs index)`, for a layout's look.
    pub(crate) styles: Vec<(u32, u32, usize)>,
}

/// The rows whose cell styles are kept for a layout's look.
const LOOK_ROWS: u32 = 60;

/// A sheet's print setup as stored.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageSetup {
    /// Excel's paper number (9 = A4, 8 = A3).
    pub paper: Option<u16>,
    pub landscape: bool,
    /// Fitted to pages wide × tall (0: as many as needed), when the sheet is fitted.
    pub fit: Option<(u16, u16)>,
    /// The header and footer as Excel codes them (`&C&P / &N`).
    pub header: Option<String>,
    pub footer: Option<String>,
}

const PASSWORD: &str = "パスワードで保護(暗号化)されたブックです。Excelで開いてパスワードを外し\
     (ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化 を空に)、保存し直してから読み込んでください";

/// A zip error as a person reads it: what is wrong with the package, not the library's words.
fn zip_detail(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError as Z;
    match e {
        Z::Io(e) => format!("({})", crate::text::io_message(e)),
        Z::FileNotFound => "(必要な部品がありません)".into(),
        Z::UnsupportedArchive(_) => "(対応していない圧縮の形式です)".into(),
        _ => "(zipの構造が壊れています)".into(),
    }
}

impl Workbook {
    /// Recognises the file by its content and checks the parts read at open.
    /// The error says what the file is and what to do, without the path.
    pub(crate) fn open(path: &Path) -> Result<Self, String> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => "ファイルがありません".to_string(),
            _ => format!("ファイルを開けません({})", crate::text::io_message(&e)),
        })?;
        if meta.is_dir() {
            return Err("ブックではなくフォルダです".into());
        }
        if meta.len() == 0 {
            return Err("ファイルが空です(0バイト)".into());
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "ファイルが {} MB あります。計画のブックは数 MB なので、{} MB を超えるファイルは読みません",
                meta.len() >> 20,
                MAX_FILE_BYTES >> 20
            ));
        }
        let mut head = Vec::with_capacity(8);
        File::open(path)
            .and_then(|f| f.take(8).read_to_end(&mut head))
            .map_err(|e| format!("ファイルを読めません({})", crate::text::io_message(&e)))?;
        let open = || {
            File::open(path)
                .map(BufReader::new)
                .map_err(|e| format!("ファイルを読めません({})", crate::text::io_message(&e)))
        };
        if head.starts_with(b"%PDF") {
            return Err("PDFのファイルです。Excelのブック(.xlsx)を選んでください".into());
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // An OLE compound file: an encrypted .xlsx (its directory names an
            // EncryptedPackage stream), or an old .xls. calamine's reader of the
            // old format panics on damaged files (found by fuzzing), and loses the
            // number formats (48.2% arrives as 0.482), so it is not used.
            let bytes = std::fs::read(path).map_err(|e| format!("ファイルを読めません({})", crate::text::io_message(&e)))?;
            let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
            if bytes.windows(name.len()).any(|w| w == name.as_slice()) {
                return Err(PASSWORD.into());
            }
            return Err("古い形式のExcelファイル(.xls)は、数値の書式が失われるため読みません。\
                 Excelで開いて「Excel ブック(.xlsx)」として保存し直し、そのファイルを読み込んでください"
                .into());
        }
        if !head.starts_with(b"PK") {
            return Err(
                "Excelのブックではありません(.xlsx でも .xls でもありません。CSVやテキストのファイルの名前を変えたものではありませんか)"
                    .into(),
            );
        }
        let mut zip = zip::ZipArchive::new(open()?).map_err(|e| {
            format!(
                "ファイルが壊れているか、途中で切れています(ダウンロードが途中で止まりませんでしたか)。{}",
                zip_detail(&e)
            )
        })?;
        let has = |zip: &mut zip::ZipArchive<_>, name: &str| zip.by_name(name).is_ok();
        if has(&mut zip, "xl/workbook.bin") {
            return Err("Excelバイナリブック(.xlsb)です。Excelで「Excel ブック(.xlsx)」として保存し直してから読み込んでください".into());
        }
        if has(&mut zip, "content.xml") {
            return Err(
                "OpenDocumentのスプレッドシート(.ods)です。「Excel 2007-365(.xlsx)」として保存し直してから読み込んでください".into(),
            );
        }
        if !has(&mut zip, "xl/workbook.xml") {
            return Err("zipのファイルですが、Excelのブックではありません(xl/workbook.xml がありません)".into());
        }
        let has_macros = has(&mut zip, "xl/vbaProject.bin");
        if !document_is_standard(&mut zip) {
            return Err(
                "ブックの内部の構成が通常と異なります(本体が xl/workbook.xml ではありません)。Excelで開いて保存し直してください".into(),
            );
        }
        let sheets = sheet_parts(&mut zip).ok_or("ブックを読めません(ブックの構造が壊れているか、対応していない形式です)")?;
        let sheet_names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
        let parts: HashMap<String, String> = sheets.into_iter().collect();
        // Every part but the sheets is inflated now (the shared strings read, the rest
        // into nothing); each sheet when it is read.
        let later: std::collections::HashSet<&String> = parts.values().collect();
        let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
        let mut strings = Vec::new();
        for name in names.iter().filter(|n| !later.contains(n)) {
            let f = zip
                .by_name(name)
                .map_err(|e| format!("{name}: ブックの部品を読めません。{}", zip_detail(&e)))?;
            let lower = name.to_ascii_lowercase();
            let xml = lower.ends_with(".xml") || lower.ends_with(".rels");
            let mut limited = Limited::new(f, xml);
            if lower == "xl/sharedstrings.xml" {
                strings = super::cells::read_shared_strings(&mut limited, MAX_STRINGS).map_err(|e| match limited.over {
                    Some(_) => limited.explain(name, e),
                    None => format!(
                        "{name}: {e}。計画のブックにはこれほど多くないため、読みません(壊れたファイルか、意図的に作られたファイルです)"
                    ),
                })?;
            }
            io::copy(&mut limited, &mut io::sink()).map_err(|e| limited.explain(name, e))?;
        }
        let (xf_formats, xf_looks, fonts) = zip
            .by_name("xl/styles.xml")
            .ok()
            .and_then(|f| style_formats(BufReader::new(f)))
            .unwrap_or_default();
        let xf_formats = xf_formats
            .into_iter()
            .map(|(code, date)| XfFormat {
                code: Arc::from(code),
                date,
            })
            .collect();
        // Debug builds: the sheets are those calamine finds, in its order.
        #[cfg(debug_assertions)]
        if let Ok(x) = <calamine::Xlsx<_> as calamine::Reader<_>>::new(open()?) {
            assert_eq!(calamine::Reader::sheet_names(&x), sheet_names, "the workbook's sheets");
        }
        Ok(Workbook {
            names: sheet_names,
            path: path.to_path_buf(),
            parts,
            xf_formats,
            strings,
            xf_looks,
            fonts,
            has_macros,
            ahead: HashMap::new(),
        })
    }

    /// The sheets' names, in the workbook's order.
    pub(crate) fn sheet_names(&self) -> &[String] {
        &self.names
    }

    /// Starts scanning these sheets, one after the other, on another thread, so
    /// that each scan is done (or nearly) when its sheet is read. A sheet is still
    /// read only after its own scan has passed; a scan nobody waits for any more
    /// stops the thread.
    pub(crate) fn scan_ahead(&mut self, sheets: &[&str]) {
        let mut jobs = Vec::new();
        for &sheet in sheets {
            if let (Some(part), false) = (self.parts.get(sheet), self.ahead.contains_key(sheet)) {
                let (tx, rx) = std::sync::mpsc::channel();
                self.ahead.insert(sheet.to_string(), rx);
                jobs.push((sheet.to_string(), part.clone(), tx));
            }
        }
        let (path, xf) = (self.path.clone(), self.xf_formats.clone());
        std::thread::spawn(move || {
            for (sheet, part, tx) in jobs {
                if tx.send(scan_part(&path, &sheet, &part, &xf)).is_err() {
                    break;
                }
            }
        });
    }

    /// Scans one sheet's XML under the limits: its number formats, merged ranges,
    /// column widths and formulas without a result.
    pub(crate) fn scan(&mut self, sheet: &str) -> Result<SheetScan, Problem> {
        if let Some(scanned) = self.ahead.remove(sheet).and_then(|rx| rx.recv().ok()) {
            return scanned;
        }
        let part = self.parts.get(sheet).ok_or_else(|| Problem {
            sheet: sheet.to_string(),
            cell: None,
            message: "シートの部品がブックの中に見つかりません".into(),
        })?;
        scan_part(&self.path, sheet, part, &self.xf_formats)
    }

    /// The rows a sheet repeats at the top of each printed page (`_xlnm.Print_Titles`,
    /// `'KPI'!$3:$4`): first and last row, 0-based.
    pub(crate) fn print_titles(&self, sheet: &str) -> Option<(u32, u32)> {
        let file = File::open(&self.path).ok()?;
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).ok()?;
        let f = zip.by_name("xl/workbook.xml").ok()?;
        let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
        let (mut buf, mut inside, mut text) = (Vec::new(), false, String::new());
        loop {
            match r.read_event_into(&mut buf).ok()? {
                Event::Start(e) if e.local_name().as_ref() == "definedName" => {
                    inside = attr(&e, "name").as_deref() == Some("_xlnm.Print_Titles");
                    text.clear();
                }
                ref e @ (Event::Text(_) | Event::GeneralRef(_)) if inside => push_text(&mut text, e),
                Event::End(e) if e.local_name().as_ref() == "definedName" && inside => {
                    inside = false;
                    let text = unescape(&text);
                    for part in text.split(',') {
                        let Some((name, range)) = part.rsplit_once('!') else { continue };
                        let name = name.trim_matches('\'').replace("''", "'");
                        let rows: Vec<u32> = range.split(':').filter_map(|x| x.trim_start_matches('$').parse().ok()).collect();
                        if name == sheet {
                            if let [a, b] = rows.as_slice() {
                                return Some((a.checked_sub(1)?, b.checked_sub(1)?));
                            }
                        }
                    }
                }
                Event::Eof => return None,
                _ => {}
            }
            buf.clear();
        }
    }
}

/// Adds an element's text as it is written: text comes in pieces, and a reference
/// (`&amp;`, `&#9675;`) as an event of its own; [`unescape`] resolves them after.
fn push_text(text: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) => text.push_str(t.as_ref()),
        Event::GeneralRef(g) => {
            text.push('&');
            text.push_str(g.as_ref());
            text.push(';');
        }
        _ => {}
    }
}

fn scan_part(path: &Path, sheet: &str, part: &str, xf_formats: &[XfFormat]) -> Result<SheetScan, Problem> {
    let problem = |message: String| Problem {
        sheet: sheet.to_string(),
        cell: None,
        message,
    };
    let file = File::open(path).map_err(|e| problem(format!("ファイルを読めません({})", crate::text::io_message(&e))))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| problem(format!("ブックを読めません。{}", zip_detail(&e))))?;
    let f = zip
        .by_name(part)
        .map_err(|e| problem(format!("{part}: ブックの部品を読めません。{}", zip_detail(&e))))?;
    scan_sheet(sheet, Limited::new(f, true), xf_formats)
}

/// Inflates a part without keeping it, and stops at the limits.
struct Limited<R> {
    inner: R,
    total: u64,
    /// Bytes since the last `<` (XML parts only).
    run: Option<u64>,
    over: Option<&'static str>,
}

impl<R: Read> Limited<R> {
    fn new(inner: R, xml: bool) -> Self {
        Limited {
            inner,
            total: 0,
            run: xml.then_some(0),
            over: None,
        }
    }

    /// The message for an error met while reading the part.
    fn explain(&self, part: &str, _e: impl std::fmt::Display) -> String {
        match self.over {
            Some(what) => {
                format!("{part}: {what}。計画のブックは展開しても数 MB なので、読みません(壊れたファイルか、意図的に作られたファイルです)")
            }
            None => format!("{part}: ブックの部品が壊れています"),
        }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > MAX_PART_BYTES {
            self.over = Some("展開すると 256 MB を超えます");
        } else if let Some(run) = self.run.as_mut() {
            match buf[..n].iter().rposition(|&b| b == b'<') {
                Some(i) => *run = (n - i - 1) as u64,
                None => *run += n as u64,
            }
            if *run > MAX_RUN_BYTES {
                self.over = Some("区切りのない 16 MB を超える文字があります");
            }
        }
        match self.over {
            Some(what) => Err(io::Error::other(what)),
            None => Ok(n),
        }
    }
}

/// One pass over a sheet's XML: limits, values, number formats, formulas without a result.
fn scan_sheet<R: Read>(sheet: &str, src: Limited<R>, xf_formats: &[XfFormat]) -> Result<SheetScan, Problem> {
    let mut r = Reader::from_reader(BufReader::new(src));
    let problem = |cell: Option<CellRef>, message: String| Problem {
        sheet: sheet.to_string(),
        cell: cell.map(|c| c.to_string()),
        message,
    };
    let mut buf = Vec::new();
    let mut scan = SheetScan::default();
    let (mut row, mut col): (u32, u32) = (0, 0);
    let (mut rows_tagged, mut rows_seen, mut max_row, mut max_col) = (0u64, 0u64, 0u32, 0u32);
    let mut last_counted_row: Option<u32> = None;
    // The open cell: where it is, whether it has a formula, a formula's text, a value.
    let mut cell: Option<(u32, u32)> = None;
    let (mut formula, mut in_formula, mut has_value) = (None::<String>, false, false);
    let mut value = super::cells::CellValue::default();
    // The print setup: fitted to pages, and the header or footer whose text is being read.
    let (mut fit_to_page, mut fit_pages, mut in_print_text) = (false, None::<(u16, u16)>, None::<bool>);
    let mut print_text = String::new();
    loop {
        let event = match r.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let limited = r.get_ref().get_ref();
                return Err(problem(None, limited.explain("シートのXML", e)));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                "col" => {
                    let n = |k: &str| attr(e, k).and_then(|v| v.trim().parse::<f64>().ok());
                    if let (Some(a), Some(b), Some(w)) = (n("min"), n("max"), n("width")) {
                        if a >= 1.0 && b >= a && b <= 16_384.0 && (0.0..=255.0).contains(&w) && scan.widths.len() < 16_384 {
                            scan.widths.push((a as u32 - 1, b as u32 - 1, w));
                        }
                    }
                }
                "pageSetup" => {
                    let n = |k: &str| attr(e, k).and_then(|v| v.trim().parse::<u16>().ok());
                    scan.page.paper = n("paperSize");
                    scan.page.landscape = attr(e, "orientation").as_deref() == Some("landscape");
                    fit_pages = Some((n("fitToWidth").unwrap_or(1), n("fitToHeight").unwrap_or(1)));
                }
                "pageSetUpPr" => fit_to_page = matches!(attr(e, "fitToPage").as_deref(), Some("1" | "true")),
                "oddHeader" | "oddFooter" if matches!(event, Event::Start(_)) => {
                    in_print_text = Some(e.local_name().as_ref() == "oddFooter");
                }
                "row" => {
                    rows_tagged += 1;
                    row = match attr(e, "r") {
                        None if rows_tagged == 1 => 0,
                        None => row.saturating_add(1),
                        Some(v) => match v.trim().parse::<u32>() {
                            Ok(n) if n > 0 => n - 1,
                            _ => {
                                let shown: String = v.chars().take(20).collect();
                                return Err(problem(
                                    Some(CellRef { row, col: 0 }),
                                    format!("シートのXMLの行番号「{shown}」が行番号になっていません。ファイルが壊れています"),
                                ));
                            }
                        },
                    };
                    col = 0;
                    // The heights of the rows a layout keeps (its title and header), not of every row.
                    if row < 50 && matches!(attr(e, "customHeight").as_deref(), Some("1" | "true")) {
                        if let Some(h) = attr(e, "ht")
                            .and_then(|v| v.trim().parse::<f64>().ok())
                            .filter(|h| (0.0..=409.0).contains(h))
                        {
                            scan.heights.push((row, h));
                        }
                    }
                }
                "c" => {
                    let (mut at, mut style, mut kind) = (None, None, None);
                    for a in e.attributes().flatten() {
                        match a.key.local_name().as_ref() {
                            "r" => {
                                // A reference that is not a cell of a sheet would be read by
                                // calamine as some far-away cell: refused, not guessed.
                                at = parse_a1(&a.value).filter(|&(_, c)| c < 16_384);
                                if at.is_none() {
                                    let shown: String = a.value.chars().take(20).collect();
                                    return Err(problem(
                                        Some(CellRef { row, col }),
                                        format!("シートのXMLのセル番地「{shown}」がセル番地になっていません。ファイルが壊れています"),
                                    ));
                                }
                            }
                            "s" => style = a.value.parse::<usize>().ok(),
                            "t" => kind = Some(a.value.into_owned()),
                            _ => {}
                        }
                    }
                    let (cr, cc) = at.unwrap_or((row, col));
                    (row, col) = (cr, cc.saturating_add(1));
                    if let Some(s) = style.filter(|_| cr < LOOK_ROWS && cc < 256) {
                        scan.styles.push((cr, cc, s));
                    }
                    // Rows are counted by the cells they hold: LibreOffice ends a sheet it deleted a
                    // row of with an empty `<row r="1048576"/>`, and a cell with only a style is empty.
                    if matches!(event, Event::Empty(_)) {
                        buf.clear();
                        continue;
                    }
                    if last_counted_row != Some(cr) {
                        last_counted_row = Some(cr);
                        rows_seen += 1;
                    }
                    if cr >= MAX_ROWS || rows_seen > MAX_ROWS as u64 {
                        return Err(problem(
                            Some(CellRef { row: cr, col: 0 }),
                            format!(
                                "シートが {MAX_ROWS} 行を超えています。計画は数千行なので読みません。\
                                 計画より下の行を削除して保存し直してください"
                            ),
                        ));
                    }
                    max_row = max_row.max(cr);
                    max_col = max_col.max(cc);
                    if cr >= MAX_ROWS || (max_row as u64 + 1) * (max_col as u64 + 1) > MAX_CELLS {
                        return Err(problem(
                            Some(CellRef { row: cr, col: cc }),
                            format!(
                                "シートのセルが {} まであり、合計 {MAX_CELLS} セルを超えています。計画はずっと小さいので読みません。\
                                 計画の外のセルを削除して保存し直してください",
                                CellRef { row: cr, col: cc }
                            ),
                        ));
                    }
                    let xf = style.and_then(|s| xf_formats.get(s));
                    if let Some(f) = xf.filter(|f| !f.code.eq_ignore_ascii_case("general")) {
                        scan.formats.insert(cr, cc, Arc::clone(&f.code));
                    }
                    if matches!(event, Event::Start(_)) {
                        cell = Some((cr, cc));
                        (formula, in_formula, has_value) = (None, false, false);
                        value.open(kind.as_deref(), xf.is_some_and(|f| f.date));
                    }
                }
                "mergeCell" => {
                    // `A1:C2`, or one cell; a range that is not one is left out, as calamine leaves it.
                    let range = attr(e, "ref").and_then(|v| {
                        let (a, b) = v.split_once(':').unwrap_or((&v, &v));
                        Some((parse_a1(a)?, parse_a1(b)?))
                    });
                    if let Some((a, b)) = range.filter(|(a, b)| a.0 <= b.0 && a.1 <= b.1) {
                        scan.merges.push((a, b));
                    }
                }
                "f" if cell.is_some() => {
                    formula.get_or_insert_with(String::new);
                    in_formula = matches!(event, Event::Start(_));
                    value.start(e, matches!(event, Event::Empty(_)));
                }
                "v" | "is" if cell.is_some() => {
                    has_value = true;
                    value.start(e, matches!(event, Event::Empty(_)));
                }
                _ if value.is_open() => value.start(e, matches!(event, Event::Empty(_))),
                _ => {}
            },
            // The header's or footer's text comes in pieces: text, and `&amp;` as a reference.
            Event::Text(_) | Event::GeneralRef(_) if in_print_text.is_some() && print_text.len() < 1024 => {
                push_text(&mut print_text, &event)
            }
            Event::Text(ref t) if in_formula => {
                if let Some(f) = formula.as_mut().filter(|f| f.len() < 200) {
                    f.push_str(t.as_ref());
                }
            }
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) if value.is_open() => value.text(&event),
            Event::End(ref e) => match e.local_name().as_ref() {
                "f" => in_formula = false,
                "oddHeader" | "oddFooter" => {
                    let text = Some(unescape(&std::mem::take(&mut print_text))).filter(|t| !t.is_empty());
                    match in_print_text.take() {
                        Some(true) => scan.page.footer = text,
                        Some(false) => scan.page.header = text,
                        None => {}
                    }
                }
                "c" => {
                    let raw = value.close();
                    if let Some(what) = value.bad.take() {
                        let at = cell.map(|(row, col)| CellRef { row, col });
                        return Err(problem(
                            at,
                            format!("セルの値を読めません({what}はセルの値になりません)。ファイルが壊れています"),
                        ));
                    }
                    if let (Some((cr, cc)), Some(raw)) = (cell, raw) {
                        scan.values.push((cr, cc, raw));
                    }
                    if let (Some((cr, cc)), Some(f), false) = (cell.take(), formula.take(), has_value) {
                        scan.uncached.push((cr, cc, unescape(&f)));
                    }
                }
                local if value.is_open() => value.end(local),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if fit_to_page {
        scan.page.fit = fit_pages.or(Some((1, 1)));
    }
    Ok(scan)
}

/// `(row, col)` → number format code, for cells whose format is not General.
#[derive(Debug, Default, Clone)]
pub struct NumberFormats {
    /// Per row, `(column, code)` in column order; one shared code per cell style
    /// (a sheet of 100,000 number cells holds a few codes).
    rows: Vec<Vec<(u32, Arc<str>)>>,
}

impl NumberFormats {
    fn find(&self, row: u32, col: u32) -> Option<&Arc<str>> {
        let cells = self.rows.get(row as usize)?;
        // Cells come in column order; a sheet written otherwise is searched through.
        match cells.binary_search_by_key(&col, |c| c.0) {
            Ok(i) => Some(&cells[i].1),
            Err(_) => cells.iter().rev().find(|c| c.0 == col).map(|c| &c.1),
        }
    }

    fn insert(&mut self, row: u32, col: u32, code: Arc<str>) {
        if self.rows.len() <= row as usize {
            self.rows.resize_with(row as usize + 1, Vec::new);
        }
        self.rows[row as usize].push((col, code));
    }

    pub fn get(&self, row: u32, col: u32) -> &str {
        self.find(row, col).map_or("General", |f| f)
    }

    /// The code shared with every cell of the same format.
    pub(crate) fn shared(&self, row: u32, col: u32) -> Arc<str> {
        thread_local!(static GENERAL: Arc<str> = Arc::from("General"));
        match self.find(row, col) {
            Some(f) => Arc::clone(f),
            None => GENERAL.with(Arc::clone),
        }
    }

    /// Reads the formats of one sheet of an `.xlsx` package. Any failure gives an
    /// empty map: values are then read as General, still correct, less faithful.
    pub fn read<R: Read + Seek>(reader: R, sheet_name: &str) -> Self {
        let read = || -> Option<Self> {
            let mut zip = zip::ZipArchive::new(reader).ok()?;
            let part = sheet_parts(&mut zip)?.into_iter().find(|(n, _)| n == sheet_name)?.1;
            let xf: Vec<XfFormat> = style_formats(BufReader::new(zip.by_name("xl/styles.xml").ok()?))?
                .0
                .into_iter()
                .map(|(code, date)| XfFormat {
                    code: Arc::from(code),
                    date,
                })
                .collect();
            let f = zip.by_name(&part).ok()?;
            scan_sheet(sheet_name, Limited::new(f, true), &xf).ok().map(|s| s.formats)
        };
        read().unwrap_or_default()
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| unescape(&a.value))
}

/// Whether `_rels/.rels` names `xl/workbook.xml` as the workbook, the one place
/// [`sheet_parts`] and calamine both look.
fn document_is_standard<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> bool {
    let Ok(f) = zip.by_name("_rels/.rels") else {
        return false;
    };
    let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" && attr(&e, "Type").is_some_and(|t| t.ends_with("/officeDocument")) =>
            {
                return attr(&e, "Target").is_some_and(|t| t.trim_start_matches('/') == "xl/workbook.xml");
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
        buf.clear();
    }
}

/// The sheets in the workbook's order, each with its package part, resolved as calamine resolves it (a target is
/// absolute, or relative to `xl/`; names match without regard to case), the
/// first sheet of a name winning.
fn sheet_parts<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<Vec<(String, String)>> {
    let mut ids = Vec::new();
    {
        let f = zip.by_name("xl/workbook.xml").ok()?;
        let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
        let mut buf = Vec::new();
        loop {
            match r.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                    if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "id")) {
                        ids.push((name, id));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let mut targets = HashMap::new();
    {
        let f = zip.by_name("xl/_rels/workbook.xml.rels").ok()?;
        let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
        let mut buf = Vec::new();
        loop {
            match r.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                    if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                        let part = match target.strip_prefix('/') {
                            Some(abs) => abs.to_string(),
                            None => format!("xl/{target}"),
                        };
                        targets.insert(id, part);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let actual: HashMap<String, String> = zip
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| (n.replace('\\', "/").to_ascii_lowercase(), n.into_owned()))
        .collect();
    let mut parts: Vec<(String, String)> = Vec::new();
    for (name, id) in ids {
        if let Some(part) = targets.get(&id) {
            let part = actual.get(&part.to_ascii_lowercase()).cloned().unwrap_or_else(|| part.clone());
            if !parts.iter().any(|(n, _)| *n == name) {
                parts.push((name, part));
            }
        }
    }
    Some(parts)
}

/// How a cell style looks where a layout keeps it: its alignment, whether it draws a
/// border, its solid fill and its font.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// `left`, `center` or `right`, where the style sets one.
    pub align: Option<&'static str>,
    pub border: bool,
    /// `top`, `center` or `bottom`, where the style sets one.
    pub vertical: Option<&'static str>,
    /// A solid fill's colour as RGB.
    pub fill: Option<u32>,
    /// Its font (an index into the workbook's fonts).
    pub font: Option<u16>,
}

/// A font of the workbook's styles: its name, size and weight.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Font {
    pub name: Option<String>,
    pub size: Option<f64>,
    pub bold: bool,
}

/// The styles of a workbook: each cell style's number format code and look, and the fonts.
type Styles = (Vec<(String, bool)>, Vec<Look>, Vec<Font>);

/// The number format code and the look of each cell style (`cellXfs` index).
fn style_formats<B: BufRead>(src: B) -> Option<Styles> {
    let mut r = Reader::from_reader(src);
    let mut buf = Vec::new();
    let mut custom: HashMap<String, String> = HashMap::new();
    let (mut xfs, mut looks) = (Vec::new(), Vec::new());
    // Per `<border>`: whether any of its edges has a style.
    let mut borders: Vec<bool> = Vec::new();
    // Per `<fill>`: its solid colour; per `<font>`: its name and size.
    let mut fills: Vec<Option<u32>> = Vec::new();
    let mut solid = false;
    let mut fonts: Vec<Font> = Vec::new();
    let (mut in_borders, mut in_cell_xfs, mut in_fills, mut in_fonts) = (false, false, false, false);
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "fonts" => in_fonts = true,
                "font" if in_fonts => fonts.push(Font::default()),
                "name" if in_fonts => {
                    if let Some(f) = fonts.last_mut() {
                        f.name = attr(&e, "val");
                    }
                }
                "b" if in_fonts => {
                    if let Some(f) = fonts.last_mut() {
                        f.bold = !matches!(attr(&e, "val").as_deref(), Some("0" | "false"));
                    }
                }
                "sz" if in_fonts => {
                    if let Some(f) = fonts.last_mut() {
                        f.size = attr(&e, "val").and_then(|v| v.parse().ok());
                    }
                }
                "fills" => in_fills = true,
                "fill" if in_fills => fills.push(None),
                "patternFill" if in_fills => solid = attr(&e, "patternType").as_deref() == Some("solid"),
                "fgColor" if in_fills && solid => {
                    if let Some(f) = fills.last_mut() {
                        *f = attr(&e, "rgb")
                            .and_then(|c| u32::from_str_radix(&c, 16).ok())
                            .map(|c| c & 0xFF_FFFF);
                    }
                }
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode")) {
                        custom.insert(id, code);
                    }
                }
                "borders" => in_borders = true,
                "border" if in_borders => borders.push(false),
                "left" | "right" | "top" | "bottom" if in_borders && attr(&e, "style").is_some_and(|s| s != "none") => {
                    if let Some(b) = borders.last_mut() {
                        *b = true;
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    // A date's format: a custom code that shows one, or a built-in date (as calamine tells them).
                    let raw_id = attr(&e, "numFmtId");
                    let id: u32 = raw_id.as_deref().and_then(|s| s.parse().ok()).unwrap_or(0);
                    let (code, date) = match raw_id.as_deref().and_then(|r| custom.get(r)) {
                        Some(code) => (code.clone(), super::cells::is_date_format(code)),
                        None => (
                            builtin(id).to_string(),
                            raw_id.as_deref().is_some_and(super::cells::is_date_builtin),
                        ),
                    };
                    xfs.push((code, date));
                    let id = |name: &str| attr(&e, name).and_then(|s| s.parse::<usize>().ok());
                    looks.push(Look {
                        border: id("borderId").and_then(|b| borders.get(b).copied()).unwrap_or(false),
                        fill: id("fillId").and_then(|f| fills.get(f).copied().flatten()),
                        font: id("fontId").and_then(|f| u16::try_from(f).ok()),
                        ..Look::default()
                    });
                }
                "alignment" if in_cell_xfs => {
                    let align = match attr(&e, "horizontal").as_deref() {
                        Some("left") => Some("left"),
                        Some("center" | "centerContinuous") => Some("center"),
                        Some("right") => Some("right"),
                        _ => None,
                    };
                    let vertical = match attr(&e, "vertical").as_deref() {
                        Some("top") => Some("top"),
                        Some("center") => Some("center"),
                        Some("bottom") => Some("bottom"),
                        _ => None,
                    };
                    if let Some(l) = looks.last_mut() {
                        l.align = align;
                        l.vertical = vertical;
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::End(e) if e.local_name().as_ref() == "borders" => in_borders = false,
            Event::End(e) if e.local_name().as_ref() == "fills" => in_fills = false,
            Event::End(e) if e.local_name().as_ref() == "fonts" => in_fonts = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some((xfs, looks, fonts))
}

/// Excel's built-in number formats that matter for KPI values.
fn builtin(id: u32) -> &'static str {
    match id {
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        14 => "yyyy/m/d",
        _ => "General",
    }
}

/// `S17` → (16, 18).
pub(crate) fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let split = s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || digits.is_empty() {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col.checked_mul(26)?.checked_add(c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)?;
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    // Named references and numeric ones (`&#9675;`, `&#x25CB;`: openpyxl writes non-ASCII so).
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail.find(';').filter(|&j| j <= 10).and_then(|j| {
            let name = &tail[1..j];
            let c = match name {
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => name.strip_prefix('#').and_then(|d| d.parse().ok()).and_then(char::from_u32),
                },
            };
            c.map(|c| (c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_reads_every_kind_of_cell() {
        use super::super::cells::Raw;
        let xf = [
            XfFormat {
                code: Arc::from("General"),
                date: false,
            },
            XfFormat {
                code: Arc::from("yyyy/m/d"),
                date: true,
            },
        ];
        let xml = r#"<worksheet><sheetData><row r="1">
            <c r="A1" t="s"><v>3</v></c><c r="B1"><v>48.2</v></c><c r="C1" s="1"><v>45017</v></c>
            <c r="D1" t="b"><v>1</v></c><c r="E1" t="e"><v>#DIV/0!</v></c>
            <c r="F1" t="str"><f>A1&amp;"x"</f><v>a&amp;b_x000D_</v></c>
            <c r="G1" t="inlineStr"><is><r><t>県</t></r><r><t xml:space="preserve"> 庁 </t></r><rPh><t>ケン</t></rPh></is></c>
            <c r="H1" t="d"><v>2023-04-01</v></c><c r="I1" s="1"/><c r="J1"><v>abc</v></c>
            <c r="K1"><v>1</v><f>1</f></c><c r="L1" t="str"><f>X</f></c>
            </row></sheetData></worksheet>"#;
        let scan = scan_sheet("S", Limited::new(xml.as_bytes(), true), &xf).unwrap();
        let got: Vec<(u32, Raw)> = scan.values.into_iter().map(|(_, c, v)| (c, v)).collect();
        assert_eq!(
            got,
            [
                (0, Raw::Shared(3)),
                (1, Raw::Number(48.2)),
                (2, Raw::Serial(45017.0)),
                (3, Raw::Bool(true)),
                (4, Raw::Error("#DIV/0!".into())),
                (5, Raw::Text("a&b\r".into())),
                (6, Raw::Text("県 庁 ".into())),
                (7, Raw::Iso("2023-04-01".into())),
                (9, Raw::Text("abc".into())),
            ]
        );
        assert_eq!(scan.uncached.len(), 1, "L1: a formula without its result");
        let bad = r#"<worksheet><sheetData><row r="1"><c r="B2" t="n"><v>1,5</v></c></row></sheetData></worksheet>"#;
        let e = scan_sheet("S", Limited::new(bad.as_bytes(), true), &xf).unwrap_err();
        assert_eq!(e.cell.as_deref(), Some("B2"));
        assert!(e.message.contains("数値「1,5」"), "{}", e.message);
    }

    #[test]
    fn a1_refs() {
        assert_eq!(parse_a1("A1"), Some((0, 0)));
        assert_eq!(parse_a1("S17"), Some((16, 18)));
        assert_eq!(parse_a1("AA3"), Some((2, 26)));
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(parse_a1("17"), None);
    }
}
