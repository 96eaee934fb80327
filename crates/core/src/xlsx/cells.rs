//! A cell's value as the sheet's XML holds it, read in the same pass as the
//! limits and the number formats ([`super::package`]), so that a sheet is parsed
//! once. The rules are those of the OOXML cell (`<c t=…>` with `<v>` or `<is>`),
//! as Excel, LibreOffice and openpyxl write it: a shared string by its index, a
//! number (a date where its style's format is one), a formula's text result, an
//! inline string (rich text joined, phonetic runs left out), a boolean, an error
//! value, an ISO date. Debug builds check every sheet read against calamine's
//! reading of it (`import::load_grid`).

use std::io::{self, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// A cell's value before the shared strings are looked up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    /// An index into the workbook's shared strings (`t="s"`).
    Shared(u32),
    Number(f64),
    /// A number in a date or time format: Excel's serial day.
    Serial(f64),
    Text(String),
    Bool(bool),
    /// An error value as written (`#DIV/0!`).
    Error(String),
    /// `t="d"`: a date written as ISO text.
    Iso(String),
}

/// The cell's type attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// No `t`: a number, or text when it is not one.
    Untyped,
    Number,
    Shared,
    Bool,
    Error,
    Formula,
    Inline,
    Date,
    Unknown,
}

/// What is being read inside the open cell.
#[derive(Debug, Default)]
enum Inside {
    #[default]
    Nothing,
    /// `<v>`: its text, and for the plain types the first piece only (as written).
    Value { text: String, first: Option<Option<String>> },
    /// `<is>`: the text so far, and the `<t>` being read.
    Inline {
        text: Option<String>,
        phonetic: bool,
        run: Option<(String, bool)>,
    },
}

impl Inside {
    /// An inline string (or a shared string's `<si>`) begins.
    fn inline() -> Self {
        Inside::Inline {
            text: None,
            phonetic: false,
            run: None,
        }
    }
}

/// The value of the cell being read, event by event.
#[derive(Debug, Default)]
pub(crate) struct CellValue {
    kind: Option<Kind>,
    date: bool,
    value: Option<Raw>,
    inside: Inside,
    /// A type or value the cell cannot have, as written.
    pub(crate) bad: Option<String>,
}

impl CellValue {
    /// A `<c>` opens: its type and whether its style's format is a date.
    pub(crate) fn open(&mut self, t: Option<&str>, date: bool) {
        let kind = match t {
            None => Kind::Untyped,
            Some("n") => Kind::Number,
            Some("s") => Kind::Shared,
            Some("b") => Kind::Bool,
            Some("e") => Kind::Error,
            Some("str") => Kind::Formula,
            Some("inlineStr" | "is") => Kind::Inline,
            Some("d") => Kind::Date,
            Some(other) => {
                self.bad = Some(format!("セルの型「{}」", other.chars().take(20).collect::<String>()));
                Kind::Unknown
            }
        };
        *self = CellValue {
            kind: Some(kind),
            date,
            bad: self.bad.take(),
            ..CellValue::default()
        };
    }

    /// Whether a cell is open (its children are read here).
    pub(crate) fn is_open(&self) -> bool {
        self.kind.is_some()
    }

    /// An element starts (`empty`: it is `<x/>`) inside the open cell.
    pub(crate) fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let Some(kind) = self.kind else { return };
        let name = e.local_name();
        let local = name.as_ref();
        let mut ends = false;
        match &mut self.inside {
            // An inline string's `<v>` says again what `<is>` says.
            Inside::Nothing if local == "v" && kind != Kind::Inline => {
                self.inside = Inside::Value {
                    text: String::new(),
                    first: None,
                };
                ends = empty;
            }
            Inside::Nothing if local == "is" => {
                self.inside = Inside::inline();
                ends = empty;
            }
            // A formula after the value: the value is not taken.
            Inside::Nothing if local == "f" => self.value = None,
            Inside::Inline { text, phonetic, run } => match local {
                "r" => {
                    text.get_or_insert_with(String::new);
                }
                "rPh" if !empty => *phonetic = true,
                "t" if !*phonetic => {
                    let preserve = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "xml:space" && a.value.as_ref() == "preserve");
                    *run = Some((String::new(), preserve));
                    ends = empty;
                }
                _ => {}
            },
            _ => {}
        }
        if ends {
            self.end(local);
        }
    }

    /// Text inside the open cell: a piece of text, or an entity (`&amp;`) as `&amp;`.
    pub(crate) fn text(&mut self, event: &Event<'_>) {
        let piece = |text: &mut String| match event {
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => {
                text.push('&');
                text.push_str(g.as_ref());
                text.push(';');
            }
            Event::CData(c) => text.push_str(&c.as_ref().replace('&', "&amp;")),
            _ => {}
        };
        match &mut self.inside {
            Inside::Value { text, first } => {
                if first.is_none() {
                    *first = Some(match event {
                        Event::Text(t) => Some(t.as_ref().to_string()),
                        _ => None,
                    });
                }
                if !matches!(event, Event::CData(_)) {
                    piece(text);
                }
            }
            Inside::Inline { run: Some((text, _)), .. } => piece(text),
            _ => {}
        }
    }

    /// An element ends inside the open cell.
    pub(crate) fn end(&mut self, local: &str) {
        let Some(kind) = self.kind else { return };
        match (&mut self.inside, local) {
            (Inside::Value { text, first }, "v") => {
                let plain = first.take().flatten().unwrap_or_default();
                let text = super::package::unescape(text);
                self.inside = Inside::Nothing;
                self.value = self.value_of(kind, plain, text);
            }
            (Inside::Inline { phonetic, .. }, "rPh") => *phonetic = false,
            (Inside::Inline { text, run, .. }, "t") => {
                if let Some((t, preserve)) = run.take() {
                    let t = super::package::unescape(&t);
                    let t = if preserve {
                        t.as_str()
                    } else {
                        t.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    text.get_or_insert_with(String::new).push_str(&unescape_xml(t));
                }
            }
            (Inside::Inline { text, .. }, "is") => {
                self.value = Some(Raw::Text(text.take().unwrap_or_default()));
                self.inside = Inside::Nothing;
            }
            _ => {}
        }
    }

    /// The cell closes: its value, if it has one.
    pub(crate) fn close(&mut self) -> Option<Raw> {
        self.kind = None;
        self.inside = Inside::Nothing;
        self.value.take()
    }

    /// A `<v>`'s value by the cell's type: `plain` is its text as written (the
    /// plain types are ASCII), `text` with line ends and entities resolved.
    fn value_of(&mut self, kind: Kind, plain: String, text: String) -> Option<Raw> {
        let mut bad = |what: &str, v: &str| {
            let shown: String = v.chars().take(20).collect();
            self.bad.get_or_insert_with(|| format!("{what}「{shown}」"));
            None
        };
        match kind {
            Kind::Shared if plain.is_empty() => None,
            Kind::Shared => Some(Raw::Shared(plain.trim().parse().unwrap_or(0))),
            Kind::Bool => match plain.trim() {
                "" => None,
                "0" => Some(Raw::Bool(false)),
                "1" => Some(Raw::Bool(true)),
                v if v.eq_ignore_ascii_case("false") => Some(Raw::Bool(false)),
                v if v.eq_ignore_ascii_case("true") => Some(Raw::Bool(true)),
                v => bad("真偽値", v),
            },
            Kind::Error if plain.starts_with('#') => Some(Raw::Error(plain)),
            Kind::Error => bad("エラー値", &plain),
            Kind::Formula => Some(Raw::Text(unescape_xml(&text))),
            Kind::Date => Some(Raw::Iso(text)),
            Kind::Number | Kind::Untyped if plain.is_empty() => None,
            Kind::Number | Kind::Untyped => match plain.parse::<f64>() {
                Ok(n) if self.date => Some(Raw::Serial(n)),
                Ok(n) => Some(Raw::Number(n)),
                Err(_) if kind == Kind::Untyped => Some(Raw::Text(plain)),
                Err(_) => bad("数値", &plain),
            },
            Kind::Inline | Kind::Unknown => None,
        }
    }
}

/// The workbook's shared strings, in order (rich text joined, phonetic runs left out),
/// after its announced count is checked against `max`.
pub(crate) fn read_shared_strings<R: Read>(src: R, max: u64) -> io::Result<Vec<Box<str>>> {
    let mut r = Reader::from_reader(io::BufReader::new(src));
    let mut buf = Vec::new();
    let mut strings = Vec::new();
    let mut cell = CellValue::default();
    loop {
        let event = r.read_event_into(&mut buf).map_err(io::Error::other)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "sst" => {
                        if let Some(v) = e.try_get_attribute("uniqueCount").ok().flatten() {
                            let v = v.value.into_owned();
                            if v.trim().parse::<u64>().map_or(true, |n| n > max) {
                                return Err(io::Error::other(format!(
                                    "共有文字列が {v} 個と書かれており、上限の {max} 個を超えています"
                                )));
                            }
                        }
                    }
                    // Each `<si>` is read as an inline string is.
                    "si" => {
                        cell.open(Some("inlineStr"), false);
                        cell.inside = Inside::inline();
                        if empty {
                            cell.end("is");
                            strings.push(text_of(cell.close()));
                        }
                    }
                    _ => cell.start(e, empty),
                }
            }
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => cell.text(&event),
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    cell.end("is");
                    strings.push(text_of(cell.close()));
                    if strings.len() as u64 > max {
                        return Err(io::Error::other(format!("共有文字列が上限の {max} 個を超えています")));
                    }
                }
                local => cell.end(local),
            },
            Event::Eof => return Ok(strings),
            _ => {}
        }
        buf.clear();
    }
}

fn text_of(raw: Option<Raw>) -> Box<str> {
    match raw {
        Some(Raw::Text(t)) => t.into_boxed_str(),
        _ => Box::from(""),
    }
}

/// Excel's escape of a character XML cannot hold: `_x000D_` is a carriage return
/// (a UTF-16 unit; a pair for a character beyond it), `_x005F_` a `_`.
pub(crate) fn unescape_xml(s: &str) -> String {
    fn unit_at(s: &str, i: usize) -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' || !b[2..6].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    }
    if !s.contains("_x") {
        return s.to_string();
    }
    let (mut out, mut i, mut copied) = (String::with_capacity(s.len()), 0, 0);
    while let Some(off) = s[i..].find('_') {
        let at = i + off;
        let Some(unit) = unit_at(s, at) else {
            i = at + 1;
            continue;
        };
        out.push_str(&s[copied..at]);
        i = at + 7;
        match unit {
            0xD800..=0xDBFF => match unit_at(s, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
    }
    out.push_str(&s[copied..]);
    out
}

/// Whether a number format code shows a date or a time (its first section has
/// d, m, y, h or s outside quotes, brackets and escapes; `[h]` too).
pub(crate) fn is_date_format(code: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets, mut prev, mut hms, mut ampm) = (false, false, 0u8, ' ', false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if matches!(c, '_' | '\\' | '*') {
            escaped = true;
        } else if quoted {
            quoted = c != '"';
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            return false;
        } else if c == '[' {
            brackets += 1;
        } else if c == ']' && brackets == 1 && hms {
            return true;
        } else if c == ']' {
            brackets = brackets.saturating_sub(1);
        } else if matches!(c, 'a' | 'A') && !ampm && brackets == 0 {
            ampm = true;
        } else if brackets == 0
            && if ampm {
                matches!(c, 'p' | 'm' | '/' | 'P' | 'M')
            } else {
                matches!(c, 'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S')
            }
        {
            return true;
        } else if !(hms && c.eq_ignore_ascii_case(&prev)) {
            hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
        }
        prev = c;
    }
    false
}

/// Whether a built-in number format (by id) is a date or a time.
pub(crate) fn is_date_builtin(id: &str) -> bool {
    matches!(
        id,
        "14" | "15"
            | "16"
            | "17"
            | "18"
            | "19"
            | "20"
            | "21"
            | "22"
            | "45"
            | "46"
            | "47"
            | "27"
            | "28"
            | "29"
            | "30"
            | "31"
            | "32"
            | "33"
            | "34"
            | "35"
            | "36"
            | "50"
            | "51"
            | "52"
            | "53"
            | "54"
            | "55"
            | "56"
            | "57"
            | "58"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats() {
        for code in [
            "yyyy/m/d",
            "DD/MM/YY",
            "H:MM:SS;@",
            "[h]:mm:ss",
            "ge.m.d",
            "[$-ja-JP]ggge\"年\"m\"月\"d\"日\"",
        ] {
            assert!(is_date_format(code), "{code}");
        }
        for code in [
            "0.0",
            "#,##0",
            "0%",
            "0.0\"人\"",
            "[Red]0.0",
            "#,##0\\ [$\\u20bd-46D]",
            "General",
            "@",
        ] {
            assert!(!is_date_format(code), "{code}");
        }
    }

    #[test]
    fn excel_escapes() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_xml("_xD83D__xDCF7_"), "📷");
        assert_eq!(unescape_xml("x_1_y"), "x_1_y");
    }

    #[test]
    fn shared_strings_join_rich_text_without_phonetic_runs() {
        let xml = r#"<sst xmlns="x" uniqueCount="4"><si><t>県庁</t></si><si><r><t>DX</t></r><r><t xml:space="preserve"> 推進</t></r><rPh sb="0" eb="1"><t>スイシン</t></rPh></si><si><t/></si><si><t>  a&amp;b_x000A_ </t></si></sst>"#;
        let s = read_shared_strings(xml.as_bytes(), 10).unwrap();
        let s: Vec<&str> = s.iter().map(|b| &**b).collect();
        assert_eq!(s, ["県庁", "DX 推進", "", "a&b\n"]);
        assert!(read_shared_strings(xml.as_bytes(), 3).is_err());
    }
}
