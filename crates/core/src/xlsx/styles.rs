//! Number formats of a workbook's cells, read from the package's XML.
//!
//! calamine gives a cell's value but not its number format, and the format is
//! what says `0.482` was written as `48.2%`. This reads `xl/styles.xml` and the
//! sheet's `s` (style) attributes, nothing else.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::events::Event;
use quick_xml::Reader;

/// `(row, col)` → number format code, for cells whose format is not General.
#[derive(Debug, Default, Clone)]
pub struct NumberFormats {
    formats: HashMap<(u32, u32), String>,
}

impl NumberFormats {
    pub fn get(&self, row: u32, col: u32) -> &str {
        self.formats.get(&(row, col)).map_or("General", String::as_str)
    }

    /// Reads the formats of one sheet. Any failure gives an empty map: values are
    /// then read as General, which is still correct, only less faithful.
    pub fn read<R: Read + Seek>(reader: R, sheet_name: &str, max_xml_bytes: u64) -> Self {
        Self::try_read(reader, sheet_name, max_xml_bytes).unwrap_or_default()
    }

    fn try_read<R: Read + Seek>(reader: R, sheet_name: &str, max_xml_bytes: u64) -> Option<Self> {
        let mut zip = zip::ZipArchive::new(reader).ok()?;
        let sheet_path = sheet_path(&mut zip, sheet_name)?;
        let xf_formats = {
            let f = zip.by_name("xl/styles.xml").ok()?;
            style_formats(BufReader::new(f.take(max_xml_bytes)))?
        };
        let f = zip.by_name(&sheet_path).ok()?;
        let mut r = Reader::from_reader(BufReader::new(f.take(max_xml_bytes)));
        let mut buf = Vec::new();
        let mut formats = HashMap::new();
        loop {
            match r.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                    let mut cell = None;
                    let mut style = None;
                    for a in e.attributes().flatten() {
                        match a.key.local_name().as_ref() {
                            "r" => cell = parse_a1(&a.value),
                            "s" => style = a.value.parse::<usize>().ok(),
                            _ => {}
                        }
                    }
                    if let (Some(pos), Some(s)) = (cell, style) {
                        if let Some(code) = xf_formats.get(s).filter(|c| !c.eq_ignore_ascii_case("general")) {
                            formats.insert(pos, code.clone());
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Some(NumberFormats { formats })
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| unescape(&a.value))
}

/// The package path of the sheet called `name`.
fn sheet_path<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    let mut rid = None;
    {
        let f = zip.by_name("xl/workbook.xml").ok()?;
        let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
        let mut buf = Vec::new();
        loop {
            match r.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                    if attr(&e, "name").as_deref() == Some(name) {
                        rid = attr(&e, "id");
                        break;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    let rid = rid?;
    let f = zip.by_name("xl/_rels/workbook.xml.rels").ok()?;
    let mut r = Reader::from_reader(BufReader::new(f.take(16 << 20)));
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if attr(&e, "Id").as_deref() == Some(rid.as_str()) {
                    let target = attr(&e, "Target")?;
                    let target = target.trim_start_matches('/');
                    return Some(if target.starts_with("xl/") {
                        target.to_string()
                    } else {
                        format!("xl/{target}")
                    });
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The number format code of each cell style (`cellXfs` index).
fn style_formats<B: BufRead>(src: B) -> Option<Vec<String>> {
    let mut r = Reader::from_reader(src);
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, String> = HashMap::new();
    let mut xfs = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId").and_then(|s| s.parse().ok()), attr(&e, "formatCode")) {
                        custom.insert(id, code);
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    let id: u32 = attr(&e, "numFmtId").and_then(|s| s.parse().ok()).unwrap_or(0);
                    xfs.push(custom.get(&id).cloned().unwrap_or_else(|| builtin(id).to_string()));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(xfs)
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
fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let letters: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &s[letters.len()..];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_refs() {
        assert_eq!(parse_a1("A1"), Some((0, 0)));
        assert_eq!(parse_a1("S17"), Some((16, 18)));
        assert_eq!(parse_a1("AA3"), Some((2, 26)));
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(parse_a1("17"), None);
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
