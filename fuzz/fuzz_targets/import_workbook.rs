//! Any bytes as a workbook, imported and, when they give a plan, stored in an
//! in-memory database. Problems are fine; a panic is a bug.
//!
//! Bytes that start like a file (`PK`, an OLE header, `%PDF`) are the file.
//! Other bytes are the XML of the parts, separated by `\n--part--\n` (the sheet,
//! then the shared strings and styles), packaged into a valid `.xlsx` with
//! correct checksums, so that mutations reach the XML readers instead of
//! stopping at the zip's CRC check.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use shinchoku_core::store::{RevisionInfo, Store};
use shinchoku_core::xlsx;

const SEPARATOR: &[u8] = b"\n--part--\n";

fn package(parts: &[&[u8]]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut put = |name: &str, bytes: &[u8]| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    };
    put(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#,
    );
    put(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    put(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="取組一覧" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_bytes(),
    );
    put(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
    );
    for (name, bytes) in ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"]
        .iter()
        .zip(parts)
    {
        put(name, bytes);
    }
    zip.finish().unwrap().into_inner()
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(&rest[..i]);
        rest = &rest[i + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let file = if data.starts_with(b"PK") || data.starts_with(&[0xD0, 0xCF]) || data.starts_with(b"%PDF") {
        data.to_vec()
    } else {
        package(&split(data))
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    std::fs::write(&path, file).unwrap();
    if let Ok(read) = xlsx::import_workbook(&path) {
        let mut store = Store::in_memory().unwrap();
        let info = RevisionInfo {
            kind: "import".into(),
            ..Default::default()
        };
        let _ = store.save_version(None, &read.plan, &info, |_, _| Ok(()));
    }
});
