//! Small text helpers shared by the parsers: full-width folding, cell cleaning,
//! label matching and display width.

/// Folds full-width ASCII (`６７．４％`, `Ｒ５`) and the ideographic space to their
/// half-width forms, and the full-width minus and similar dashes to `-`.
/// Japanese letters are left alone.
pub fn normalize_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '−' | '―' | '‐' | '‑' | '–' | '—' => '-',
            _ => c,
        })
        .collect()
}

/// Cleans a cell's text as read from a workbook: CR/LF folded to LF, each line trimmed
/// of trailing spaces, leading/trailing blank space removed. `None` when nothing is left.
pub fn clean_cell(s: &str) -> Option<String> {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = s.split('\n').map(|l| l.trim_end_matches([' ', '\t', '\u{3000}'])).collect();
    let joined = lines.join("\n");
    let t = joined.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    (!t.is_empty()).then(|| t.to_string())
}

/// A header label reduced for matching: width-folded, all white space removed.
pub fn label_key(s: &str) -> String {
    normalize_width(s).chars().filter(|c| !c.is_whitespace()).collect()
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
