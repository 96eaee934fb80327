//! Hostile workbooks, written on purpose for the robustness tests and
//! benchmarks: a zip bomb (a small `.xlsx` whose sheet inflates to gigabytes)
//! and a sheet of a million rows. Both are valid packages that Excel's format
//! allows; only their size is hostile.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::write::DeflateEncoder;
use flate2::Compression;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
fn workbook(sheet: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    )
}
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// A minimal zip writer: stored small parts, and one part given already deflated.
struct Zip<W: Write> {
    out: W,
    offset: u64,
    central: Vec<u8>,
    entries: u16,
}

impl<W: Write> Zip<W> {
    fn new(out: W) -> Self {
        Zip {
            out,
            offset: 0,
            central: Vec::new(),
            entries: 0,
        }
    }

    fn stored(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        let crc = crc32fast::hash(data);
        self.entry(name, 0, crc, data.len() as u32, data.len() as u32, &mut |w| w.write_all(data))
    }

    /// `deflated` writes the raw deflate stream; sizes and CRC are as given.
    fn entry(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        compressed: u32,
        size: u32,
        data: &mut dyn FnMut(&mut W) -> io::Result<()>,
    ) -> io::Result<()> {
        let header = |sig: u32, central: bool, offset: u32| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&compressed.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes());
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        let local = header(0x0403_4b50, false, 0);
        self.central.extend(header(0x0201_4b50, true, self.offset as u32));
        self.out.write_all(&local)?;
        data(&mut self.out)?;
        self.offset += local.len() as u64 + u64::from(compressed);
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.central)?;
        let mut end = Vec::new();
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&(self.central.len() as u32).to_le_bytes());
        end.extend_from_slice(&(self.offset as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn package<W: Write>(out: W, sheet: &str) -> io::Result<Zip<W>> {
    let mut zip = Zip::new(out);
    zip.stored("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
    zip.stored("_rels/.rels", ROOT_RELS.as_bytes())?;
    zip.stored("xl/workbook.xml", workbook(sheet).as_bytes())?;
    zip.stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes())?;
    Ok(zip)
}

/// Deflates `data` as one block ending on a byte boundary (a sync flush), with
/// the window already full of `data`: the block can be repeated as often as wanted.
fn repeatable_block(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(data)?;
    enc.flush()?;
    let first = enc.get_ref().len();
    enc.write_all(data)?;
    enc.flush()?;
    Ok(enc.get_ref()[first..].to_vec())
}

/// What a zip bomb's sheet is filled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filler {
    /// White space: one endless run of text.
    Space,
    /// Empty elements (`<a/>`): well-formed XML that never ends.
    Tags,
}

/// A workbook whose one sheet, called `sheet`, inflates to `mebibytes` MiB of
/// `filler` (about 1 KB on disk per MiB). Its zip headers state the true sizes, up to 4 GiB - 1
/// (larger sizes are stated modulo 4 GiB, as a bomb would).
pub fn zip_bomb(path: &Path, sheet: &str, mebibytes: u32, filler: Filler) -> io::Result<()> {
    let pattern: &[u8] = match filler {
        Filler::Space => b" ",
        Filler::Tags => b"<a/>",
    };
    let chunk = pattern.repeat((1 << 20) / pattern.len());
    let head = {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(SHEET_HEAD.as_bytes())?;
        enc.write_all(&chunk)?;
        enc.flush()?;
        enc.get_ref().clone()
    };
    let block = repeatable_block(&chunk)?;
    let tail = {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(SHEET_TAIL.as_bytes())?;
        enc.finish()?
    };
    let blocks = mebibytes.saturating_sub(1);
    let compressed = head.len() + block.len() * blocks as usize + tail.len();
    let size = (SHEET_HEAD.len() + SHEET_TAIL.len()) as u64 + (u64::from(mebibytes.max(1)) << 20);
    // The CRC of the whole: head, the chunks, the tail, combined without inflating.
    let mut crc = crc32fast::Hasher::new();
    crc.update(SHEET_HEAD.as_bytes());
    let mut run = crc32fast::Hasher::new();
    run.update(&chunk);
    let mut n = mebibytes.max(1);
    let mut power = run;
    let mut all = crc32fast::Hasher::new();
    while n > 0 {
        if n & 1 == 1 {
            all.combine(&power);
        }
        let p = power.clone();
        power.combine(&p);
        n >>= 1;
    }
    crc.combine(&all);
    crc.update(SHEET_TAIL.as_bytes());
    let mut zip = package(BufWriter::new(File::create(path)?), sheet)?;
    zip.entry(
        "xl/worksheets/sheet1.xml",
        8,
        crc.finalize(),
        compressed as u32,
        size as u32,
        &mut |w| {
            w.write_all(&head)?;
            for _ in 0..blocks {
                w.write_all(&block)?;
            }
            w.write_all(&tail)
        },
    )?;
    zip.finish()?;
    Ok(())
}

/// A workbook whose one sheet, called `sheet`, has `rows` rows, a number in column A of each.
pub fn many_rows(path: &Path, sheet: &str, rows: u32) -> io::Result<()> {
    let mut xml = DeflateEncoder::new(Vec::new(), Compression::fast());
    let mut crc = crc32fast::Hasher::new();
    let mut size = 0u64;
    let mut put = |enc: &mut DeflateEncoder<Vec<u8>>, s: &[u8]| -> io::Result<()> {
        crc.update(s);
        size += s.len() as u64;
        enc.write_all(s)
    };
    put(&mut xml, SHEET_HEAD.as_bytes())?;
    let mut line = String::new();
    for r in 1..=rows {
        line.clear();
        use std::fmt::Write as _;
        let _ = write!(line, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#);
        put(&mut xml, line.as_bytes())?;
    }
    put(&mut xml, SHEET_TAIL.as_bytes())?;
    let data = xml.finish()?;
    let mut zip = package(BufWriter::new(File::create(path)?), sheet)?;
    zip.entry(
        "xl/worksheets/sheet1.xml",
        8,
        crc.finalize(),
        data.len() as u32,
        size as u32,
        &mut |w| w.write_all(&data),
    )?;
    zip.finish()?;
    Ok(())
}
