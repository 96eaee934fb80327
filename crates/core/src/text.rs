//! Small text helpers shared by the parsers: full-width folding, cell cleaning,
//! label matching and display width.

/// Folds full-width ASCII (`６７．４％`, `Ｒ５`) and the ideographic space to their
/// half-width forms, and the full-width minus and similar dashes to `-`.
/// Japanese letters are left alone.
pub fn normalize_width(s: &str) -> String {
    s.chars().map(fold_width).collect()
}

/// One character of [`normalize_width`].
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '−' | '―' | '‐' | '‑' | '–' | '—' => '-',
        _ => c,
    }
}

/// Cleans a cell's text as read from a workbook: CR/LF folded to LF, each line trimmed
/// of trailing spaces, leading/trailing blank space removed. `None` when nothing is left.
pub fn clean_cell(s: &str) -> Option<String> {
    let blank = |c: char| c.is_whitespace() || c == '\u{3000}';
    // Most cells have nothing to fold or trim inside: one copy, no more.
    if !s.contains('\r') && s.split('\n').all(|l| !l.ends_with([' ', '\t', '\u{3000}'])) {
        let t = s.trim_matches(blank);
        return (!t.is_empty()).then(|| t.to_string());
    }
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = s.split('\n').map(|l| l.trim_end_matches([' ', '\t', '\u{3000}'])).collect();
    let joined = lines.join("\n");
    let t = joined.trim_matches(blank);
    (!t.is_empty()).then(|| t.to_string())
}

/// A header label reduced for matching: width-folded, all white space removed.
pub fn label_key(s: &str) -> String {
    normalize_width(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `label_key(s) == key`, without making the key.
pub fn has_label_key(s: &str, key: &str) -> bool {
    let mut folded = s.chars().map(fold_width).filter(|c| !c.is_whitespace());
    let mut want = key.chars();
    loop {
        match (folded.next(), want.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// Display width in half-width cells: East Asian wide characters count 2.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x2460..=0x24FF).contains(&u)
                || (0x25A0..=0x27BF).contains(&u)
                || u >= 0x1F300;
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Characters that would turn a cell into something other than plain text when
/// typed at the start: formulas (`=`, `+`, `-`, `@`). The lone `-` is a value.
pub fn looks_like_formula(s: &str) -> bool {
    s != "-" && s.starts_with(['=', '+', '-', '@'])
}

/// What an I/O error means, in Japanese, for a person: the operating system's own
/// text is English on most machines and says nothing to the users.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "ファイルまたはフォルダがありません".into(),
        K::PermissionDenied => "アクセスが拒否されました(読み取り専用の場所か、権限がありません)".into(),
        K::AlreadyExists => "同じ名前のファイルがすでにあります".into(),
        K::StorageFull => "ディスクの空き容量が足りません".into(),
        K::ReadOnlyFilesystem => "読み取り専用の場所には書き込めません".into(),
        K::IsADirectory => "ファイルではなくフォルダです".into(),
        K::NotADirectory => "フォルダではありません".into(),
        K::ResourceBusy => "ほかのアプリが使用中です".into(),
        K::InvalidFilename => "ファイル名に使えない文字が含まれています".into(),
        K::DirectoryNotEmpty => "フォルダが空ではありません".into(),
        K::CrossesDevices => "別のドライブへは移動できません".into(),
        K::UnexpectedEof => "ファイルが途中で切れています".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("読み書きできませんでした(OSのエラー番号 {code})"),
            None => "読み書きできませんでした".into(),
        },
    }
}

/// What an SQLite error means, in Japanese, for a person.
pub fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => {
            "ほかのShinchoku(アプリまたはコマンド)がデータベースを使用中です。しばらくしてからもう一度実行してください".into()
        }
        Some(C::ReadOnly) => "データベースに書き込めません(読み取り専用です)".into(),
        Some(C::DiskFull) => "ディスクの空き容量が足りないため、データベースに書き込めません".into(),
        Some(C::CannotOpen) => "データベースのファイルを開けません(フォルダがないか、権限がありません)".into(),
        Some(C::NotADatabase) => "データベースのファイルではありません".into(),
        Some(C::DatabaseCorrupt) => "データベースが破損しています".into(),
        Some(C::PermissionDenied) => "データベースへのアクセスが拒否されました".into(),
        Some(C::SystemIoFailure) => "データベースの読み書きに失敗しました(ディスクを確認してください)".into(),
        Some(C::ConstraintViolation) => "データベースの整合性の制約に反するため、書き込めません".into(),
        _ => match e {
            rusqlite::Error::SqliteFailure(f, _) => format!("データベースのエラーです(SQLiteのエラー番号 {})", f.extended_code),
            _ => "データベースのエラーです".into(),
        },
    }
}

/// Whether a message a person reads is Japanese: it has Japanese letters, and what is
/// left after removing paths, quoted inputs and the names of things (Excel, KPI, .xlsx,
/// option names) has no English words. Tests run every refusal through it.
pub fn is_japanese_message(msg: &str) -> bool {
    let has_japanese = msg.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF));
    if !has_japanese {
        return false;
    }
    english_words(msg).is_empty()
}

/// The English words of a message, ignoring paths, quoted text, option and command names
/// and the product and format names people know by their English names.
pub fn english_words(msg: &str) -> Vec<String> {
    const NAMES: &[&str] = &[
        "shinchoku",
        "excel",
        "sqlite",
        "kpi",
        "kgi",
        "csf",
        "pdf",
        "png",
        "svg",
        "xlsx",
        "xls",
        "xlsm",
        "xlsb",
        "ods",
        "opendocument",
        "docx",
        "csv",
        "word",
        "libreoffice",
        "zip",
        "json",
        "toml",
        "no",
        "utf",
        "ok",
        "db",
        "app",
        "windows",
        "linux",
        "macos",
        "mac",
        "noto",
        "sans",
        "cjk",
        "jp",
        "yu",
        "gothic",
        "meiryo",
        "ipaex",
        "fonts",
        "ipaexfont",
        "apt",
        "install",
        "truetype",
        "opentype",
        "mb",
        "gb",
        "kb",
        "pt",
        "dpi",
        "dx",
        "id",
        "os",
        "sha",
        "hmac",
        "shinchoku_meta",
        "shinchoku_plan",
        "shinchoku_base",
        "fy",
        "true",
        "false",
        "short",
        "long",
        "area",
        "dept",
        "plan",
        "return",
        "nan",
        "inf",
        "xml",
        "ole",
        "bom",
        "ascii",
    ];
    let mut out = Vec::new();
    // Drop what is quoted or a path: `…`, "…", 「…」 are inputs or names; a token with / \ . _ or -- is a path, file or option.
    let mut cleaned = String::new();
    let mut skip: Option<char> = None;
    for c in msg.chars() {
        match (skip, c) {
            (Some(end), c) if c == end => skip = None,
            (Some(_), _) => {}
            (None, '`') => skip = Some('`'),
            (None, '"') => skip = Some('"'),
            (None, '「') => skip = Some('」'),
            (None, c) => cleaned.push(c),
        }
    }
    for token in cleaned.split(|c: char| c.is_whitespace() || matches!(c as u32, 0x3000..=0x30FF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)) {
        let token = token.trim_start_matches(['(', '[', '<', '\'']);
        if token.contains(['/', '\\', '.', '_', '=', '@', '#', '[']) || token.starts_with('-') {
            continue;
        }
        for word in token.split(|c: char| !c.is_ascii_alphabetic()) {
            if word.len() >= 2 && !NAMES.contains(&word.to_ascii_lowercase().as_str()) && word.chars().any(|c| c.is_ascii_lowercase()) {
                out.push(word.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width() {
        assert_eq!(normalize_width("６７．４％"), "67.4%");
        assert_eq!(normalize_width("Ｒ５　年度"), "R5 年度");
        assert_eq!(normalize_width("－"), "-");
        assert_eq!(normalize_width("令和"), "令和");
    }

    #[test]
    fn a_label_key_is_checked_as_it_is_made() {
        let texts = [
            "事業番号",
            " 事業\n番号 ",
            "事業　番号",
            "ＫＰＩ番号",
            "KPI 番号",
            "事業名",
            "",
            "  ",
            "R５",
        ];
        for s in texts {
            for k in texts.iter().map(|t| label_key(t)) {
                assert_eq!(has_label_key(s, &k), label_key(s) == k, "{s:?} against {k:?}");
            }
        }
    }

    #[test]
    fn cleans_cells() {
        assert_eq!(clean_cell("  a \r\nb  "), Some("a\nb".into()));
        assert_eq!(clean_cell(" \u{3000}\n "), None);
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("事業"), 4);
        assert_eq!(display_width("R5年度"), 6);
    }

    #[test]
    fn formula_lookalikes() {
        assert!(looks_like_formula("=SUM(A1)"));
        assert!(looks_like_formula("+81"));
        assert!(looks_like_formula("-5件"));
        assert!(looks_like_formula("@x"));
        assert!(!looks_like_formula("-"));
        assert!(!looks_like_formula("運用"));
    }
}
