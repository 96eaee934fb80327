//! Test helpers: editing a workbook the way a person would in Excel, but with a
//! different writer than the one that made it (the sheet XML edited in place,
//! values as inline strings or numbers), and finding a field's cell in a return.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use calamine::{Data, Reader};

/// A workbook package held in memory, edited part by part.
pub struct Package {
    parts: Vec<(String, Vec<u8>)>,
}

impl Package {
    pub fn open(path: &Path) -> Package {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut parts = Vec::new();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            parts.push((f.name().unwrap().to_string(), b));
        }
        Package { parts }
    }

    fn part_mut(&mut self, name: &str) -> &mut Vec<u8> {
        &mut self.parts.iter_mut().find(|(n, _)| n == name).unwrap().1
    }

    /// The worksheet part of a sheet, by its position in workbook.xml.
    fn sheet_part(&self, sheet: &str) -> String {
        let wb = String::from_utf8(self.parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1.clone()).unwrap();
        let names: Vec<&str> = wb.split("<sheet name=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        let i = names.iter().position(|n| *n == sheet).unwrap();
        format!("xl/worksheets/sheet{}.xml", i + 1)
    }

    fn replace_cell(&mut self, sheet: &str, cell: &str, body: impl Fn(&str) -> String) {
        let part = self.sheet_part(sheet);
        let xml = String::from_utf8(self.part_mut(&part).clone()).unwrap();
        let open = format!("<c r=\"{cell}\"");
        let start = xml.find(&open).unwrap_or_else(|| panic!("{sheet}!{cell} is not in the sheet"));
        let tag_end = start + xml[start..].find('>').unwrap();
        let end = if xml.as_bytes()[tag_end - 1] == b'/' {
            tag_end + 1
        } else {
            tag_end + xml[tag_end..].find("</c>").unwrap() + 4
        };
        let style = xml[start..tag_end]
            .split(" s=\"")
            .nth(1)
            .map(|s| format!(" s=\"{}\"", s.split('"').next().unwrap()))
            .unwrap_or_default();
        let new = format!("{}{}{}", &xml[..start], body(&style), &xml[end..]);
        *self.part_mut(&part) = new.into_bytes();
    }

    /// Types text into a cell (an inline string, as some writers store it).
    pub fn set_text(&mut self, sheet: &str, cell: &str, text: &str) -> &mut Self {
        let esc = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        self.replace_cell(sheet, cell, |s| {
            format!("<c r=\"{cell}\"{s} t=\"inlineStr\"><is><t xml:space=\"preserve\">{esc}</t></is></c>")
        });
        self
    }

    /// Types a number into a cell.
    pub fn set_number(&mut self, sheet: &str, cell: &str, n: f64) -> &mut Self {
        self.replace_cell(sheet, cell, |s| format!("<c r=\"{cell}\"{s}><v>{n}</v></c>"));
        self
    }

    /// Deletes a cell's content.
    pub fn clear(&mut self, sheet: &str, cell: &str) -> &mut Self {
        self.replace_cell(sheet, cell, |s| format!("<c r=\"{cell}\"{s}/>"));
        self
    }

    pub fn save(&self, path: &Path) {
        let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &self.parts {
            z.start_file(name.as_str(), opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
}

/// Where a return holds a field: `M7`, read from its metadata sheet and header.
pub fn cell_of(file: &Path, path: &str) -> String {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let meta = wb.worksheet_range("shinchoku_meta").unwrap();
    let mut found = None;
    for row in meta.rows() {
        if row.get(2).map(|d| d.to_string()) == Some(path.to_string()) {
            found = Some((row[0].to_string().parse::<u32>().unwrap(), row[1].to_string()));
        }
    }
    let (row, label) = found.unwrap_or_else(|| panic!("{path} is not in {}", file.display()));
    let entry = wb.worksheet_range("記入").unwrap();
    let header: HashMap<String, u32> = entry
        .rows()
        .nth(3)
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, d)| (d.to_string().split('\n').next().unwrap().to_string(), i as u32))
        .collect();
    let col = header[&label];
    format!("{}{}", (b'A' + col as u8) as char, row)
}

/// The cell's text as calamine reads it.
pub fn read_cell(file: &Path, sheet: &str, row: u32, col: u32) -> String {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(d) => d.to_string(),
        None => String::new(),
    }
}

/// Copies a workbook's `記入` sheet, values only, into a new workbook (what a
/// person does with "move or copy to a new book" and then pastes values).
pub fn copy_entry_sheet_to_new_workbook(from: &Path, to: &Path) {
    // What the sheet shows, cell by cell (numbers in their format, as a copy keeps them).
    let rows = shinchoku_core::xlsx::import::sheet_texts(from, "記入").unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet().set_name("記入").unwrap();
    for (i, row) in rows.iter().enumerate() {
        for (j, t) in row.iter().enumerate() {
            let Some(t) = t else { continue };
            match t.parse::<f64>() {
                Ok(n) if !t.contains(',') => ws.write_number(i as u32, j as u16, n).unwrap(),
                _ => ws.write_string(i as u32, j as u16, t).unwrap(),
            };
        }
    }
    out.save(to).unwrap();
}

impl Package {
    /// Appends raw XML at the end of a sheet's data (`<row r="1048576"/>`, as
    /// LibreOffice writes after a row was deleted).
    pub fn append_to_sheet_data(&mut self, sheet: &str, xml: &str) -> &mut Self {
        let part = self.sheet_part(sheet);
        let s = String::from_utf8(self.part_mut(&part).clone()).unwrap();
        let at = s.find("</sheetData>").unwrap();
        *self.part_mut(&part) = format!("{}{xml}{}", &s[..at], &s[at..]).into_bytes();
        self
    }

    /// Stores a date in a cell (an ISO date cell, as a spreadsheet makes of `1/2` typed there).
    pub fn set_date(&mut self, sheet: &str, cell: &str, iso: &str) -> &mut Self {
        self.replace_cell(sheet, cell, |s| format!("<c r=\"{cell}\"{s} t=\"d\"><v>{iso}</v></c>"));
        self
    }
}

/// Where the metadata sheet holds something: the cell of column `col` (0-based)
/// on the row whose column `find_col` reads `find`.
pub fn meta_cell(file: &Path, find_col: usize, find: &str, col: u8) -> String {
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    let meta = wb.worksheet_range("shinchoku_meta").unwrap();
    let row = meta
        .rows()
        .position(|r| r.get(find_col).map(|d| d.to_string()) == Some(find.to_string()))
        .unwrap_or_else(|| panic!("{find} is not in the metadata of {}", file.display()));
    format!("{}{}", (b'A' + col) as char, row + 1)
}

/// The rows of a sheet as text, as the sheet shows them (numbers in their format).
pub fn sheet_rows(file: &Path, sheet: &str) -> Vec<Vec<String>> {
    shinchoku_core::xlsx::import::sheet_texts(file, sheet)
        .unwrap()
        .into_iter()
        .map(|row| row.into_iter().map(Option::unwrap_or_default).collect())
        .collect()
}

/// Writes rows of text (numbers where a cell reads as a whole number) as a sheet `記入` of a new workbook.
pub fn write_entry_rows(rows: &[Vec<String>], to: &Path) {
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet().set_name("記入").unwrap();
    for (i, row) in rows.iter().enumerate() {
        for (j, t) in row.iter().enumerate() {
            if t.is_empty() {
                continue;
            }
            match t.parse::<u32>() {
                Ok(n) if n.to_string() == *t => ws.write_number(i as u32, j as u16, f64::from(n)).unwrap(),
                _ => ws.write_string(i as u32, j as u16, t).unwrap(),
            };
        }
    }
    out.save(to).unwrap();
}
