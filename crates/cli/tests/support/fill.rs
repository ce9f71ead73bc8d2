//! Fills a workbook's cells as a person in Excel would, by editing the sheet's XML in the
//! zip, so that a test imports the very template chitieu wrote, styles, validation and
//! protection untouched. Shared by the CLI's and the web app's tests.

#![allow(clippy::unwrap_used, dead_code)]

use std::io::{Cursor, Read, Write};

/// What to put in a cell.
pub enum Fill<'a> {
    Number(f64),
    Text(&'a str),
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The XML of one part of the workbook (`xl/worksheets/sheet1.xml`).
pub fn part(book: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(book)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// `cell` (`E7`) of `xml` replaced by `fill`, keeping its style. The cell must be written in
/// the sheet (the template writes every input cell, blank or not).
fn set_cell(xml: &str, cell: &str, fill: &Fill) -> String {
    let open = format!("<c r=\"{cell}\"");
    let start = xml
        .find(&format!("{open} "))
        .or_else(|| xml.find(&format!("{open}>")))
        .or_else(|| xml.find(&format!("{open}/>")))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let rest = &xml[start..];
    let head_end = rest.find('>').unwrap();
    let end = if rest[..head_end].ends_with('/') {
        head_end + 1
    } else {
        rest.find("</c>").unwrap() + 4
    };
    let head = &rest[..head_end];
    let style = head
        .split_once(" s=\"")
        .map(|(_, s)| format!(" s=\"{}\"", s.split('"').next().unwrap()))
        .unwrap_or_default();
    let new = match fill {
        Fill::Number(x) => format!("<c r=\"{cell}\"{style}><v>{x}</v></c>"),
        Fill::Text(t) => format!(
            "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t>{}</t></is></c>",
            escape(t)
        ),
    };
    format!("{}{new}{}", &xml[..start], &rest[end..])
}

/// `book` with the cells of `part_name` filled.
pub fn fill(book: &[u8], part_name: &str, cells: &[(&str, Fill)]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == part_name {
            let mut xml = String::from_utf8(bytes).unwrap();
            for (cell, v) in cells {
                xml = set_cell(&xml, cell, v);
            }
            bytes = xml.into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The style index of `cell` in a sheet's XML.
pub fn style_of(xml: &str, cell: &str) -> usize {
    let at = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
    let head = &xml[at..at + xml[at..].find('>').unwrap()];
    head.split_once(" s=\"")
        .map_or(0, |(_, s)| s.split('"').next().unwrap().parse().unwrap())
}

/// Whether cell format `index` of `styles.xml` is unlocked.
pub fn unlocked(styles: &str, index: usize) -> bool {
    let xfs = styles.split("<cellXfs").nth(1).unwrap();
    let xfs = xfs.split("</cellXfs>").next().unwrap();
    let xf = xfs.split("<xf ").nth(index + 1).unwrap();
    xf.contains("locked=\"0\"")
}

/// The row (1-based) of the template's sheet whose hidden key (column I) is `indicator`.
pub fn row_of(book: &[u8], sheet: &str, indicator: &str) -> u32 {
    use calamine::{Data, Reader, Xlsx};
    let mut x: Xlsx<_> = Xlsx::new(Cursor::new(book.to_vec())).unwrap();
    let range = x.worksheet_range(sheet).unwrap();
    (0..=range.end().unwrap().0)
        .find(|r| range.get_value((*r, 8)) == Some(&Data::String(indicator.into())))
        .unwrap_or_else(|| panic!("no row for {indicator}"))
        + 1
}
