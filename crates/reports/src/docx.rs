//! The review as a Word document (.docx), laid out as a Vietnamese administrative report: A4
//! with the margins of Decree 30/2020/NĐ-CP, Times New Roman throughout, the heading block as a
//! borderless two-column table (party or state layout), the kind and title centred, the body,
//! then recipients and the signature block side by side.
//!
//! Everything comes from a [`ReviewDocument`]; this module chooses layout only. Charts arrive
//! as SVG and are drawn to PNG here (resvg), because Word and LibreOffice do not reliably show
//! SVG pictures without a raster fallback.
//!
//! docx-rs writes the package; what it cannot say is patched into its XML parts after it has
//! written them (see [`finish`]): the header rows repeated on every page (`w:tblHeader`), the
//! document's language (`w:lang`), its title and language in the core properties, paragraph
//! ids numbered per document rather than per process, and properties in schema order
//! (`order.rs`).

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, Header, HeightRule, LineSpacing, LineSpacingType,
    PageMargin, PageNum, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders,
    Pic, Run, RunFonts, SpecialIndentType, Table, TableAlignmentType, TableBorder,
    TableBorderPosition, TableBorders, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};
use resvg::{tiny_skia, usvg};
use unicode_normalization::UnicodeNormalization;

use crate::document::{
    self, Align, Block, Chart, Closing, Layout, Letterhead, ReviewDocument, Span, Table as DocTable,
};
use crate::locale::Lang;

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("chart {index} ({caption:?}): {reason}")]
    Chart {
        /// 1-based, among the document's charts.
        index: usize,
        caption: String,
        reason: String,
    },
    #[error("table {index}: row {row} has {cells} cells for {columns} columns")]
    Table {
        /// 1-based, among the document's tables.
        index: usize,
        /// 1-based, not counting the header.
        row: usize,
        cells: usize,
        columns: usize,
    },
    #[error("writing the .docx package: {0}")]
    Package(String),
}

/// Decree 30/2020/NĐ-CP, Phụ lục I: A4, text in Times New Roman.
const FONT: &str = "Times New Roman";
const PAGE_W: i32 = 11906; // 210 mm
const PAGE_H: i32 = 16838; // 297 mm
const MARGIN_TOP: i32 = 1134; // 20 mm
const MARGIN_BOTTOM: i32 = 1134; // 20 mm
const MARGIN_LEFT: i32 = 1701; // 30 mm
const MARGIN_RIGHT: i32 = 850; // 15 mm
/// The page number sits in the top margin (Decree 30: centred, from the second page on).
const HEADER_DISTANCE: i32 = 567; // 10 mm
const TEXT_W: i32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
const TEXT_H: i32 = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM;
/// First-line indent of body paragraphs: 1 cm (Decree 30 allows 1 to 1.27 cm).
const INDENT: i32 = 567;
/// docx-rs sizes are in half-points.
const BODY: usize = 28; // 14 pt
const TABLE: usize = 24; // 12 pt
const KIND: usize = 30; // 15 pt
const LETTERHEAD: usize = 26; // 13 pt
const PARTY_NATIONAL: usize = 30; // 15 pt (36-HD/VPTW)
const STATE_NATIONAL: usize = 24; // 12 pt: the long national name must fit its column
const CAPTION: usize = 26; // 13 pt
const RECIPIENTS_LABEL: usize = 24; // 12 pt
const RECIPIENT: usize = 22; // 11 pt
/// Charts are drawn at twice the pixels of their printed size (96 dpi), so they stay sharp.
const CHART_SCALE: f64 = 2.0;
/// EMU (the unit of DrawingML sizes) per point.
const EMU_PER_PT: f64 = 12700.0;
/// The heading block's columns: the issuer's side is the narrower.
const LETTERHEAD_LEFT: i32 = TEXT_W * 2 / 5;
/// The closing's columns: recipients left, signature right.
const CLOSING_LEFT: i32 = TEXT_W * 9 / 20;

/// docx-rs cannot mark a header row, so header rows are given this height (in twips, "at
/// least", so it changes nothing) and `finish` replaces it by `w:tblHeader`.
const HEADER_MARK: f32 = 1.0;

/// Renders the review as the bytes of a .docx file.
pub fn render(doc: &ReviewDocument) -> Result<Vec<u8>, DocxError> {
    let mut docx = Docx::new()
        .page_size(PAGE_W as u32, PAGE_H as u32)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(HEADER_DISTANCE)
                .footer(HEADER_DISTANCE)
                .gutter(0),
        )
        .default_fonts(fonts())
        .default_size(BODY)
        // Page numbers from the second page on: the first page carries the heading block.
        .title_pg()
        .first_header(Header::new().add_paragraph(Paragraph::new()))
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_page_num(PageNum::new()),
            ),
        )
        .first_footer(Footer::new().add_paragraph(Paragraph::new()));

    docx = docx.add_table(letterhead(&doc.letterhead));
    docx = docx.add_paragraph(
        centred(&doc.kind, KIND, true, false)
            .line_spacing(spacing(18, 0))
            .keep_next(true),
    );
    for line in &doc.title {
        docx = docx.add_paragraph(centred(line, BODY, true, false).keep_next(true));
    }
    docx = docx.add_paragraph(title_rule(doc.letterhead.layout));

    let mut body_parts = Vec::new();
    let (mut charts, mut tables) = (0, 0);
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                body_parts.push(Part::P(Box::new(heading(*level, text))))
            }
            Block::Paragraph { spans } => body_parts.push(Part::P(Box::new(body(spans, "")))),
            Block::List { items } => {
                body_parts.extend(items.iter().map(|item| Part::P(Box::new(body(item, "- ")))));
            }
            Block::Table { table } => {
                tables += 1;
                // Word refuses a row without cells: a table of no columns shows nothing.
                if table.columns.is_empty() {
                    continue;
                }
                // Empty paragraphs around a table give it room, and keep two tables apart:
                // Word merges adjacent ones.
                // Kept with the table, so a heading above it stays with its first rows.
                body_parts.push(Part::P(Box::new(spacer().keep_next(true))));
                body_parts.push(Part::T(Box::new(data_table(table, tables)?)));
                body_parts.push(Part::P(Box::new(spacer())));
            }
            Block::Chart { chart } => {
                charts += 1;
                let (picture, caption) = chart_paragraphs(chart, charts)?;
                body_parts.push(Part::P(Box::new(picture)));
                body_parts.push(Part::P(Box::new(caption)));
            }
            Block::OfficeText { text } => {
                body_parts.extend(
                    document::paragraphs(text)
                        .into_iter()
                        .map(|para| Part::P(Box::new(body(&[Span::plain(para)], "")))),
                );
            }
        }
    }
    // The signature never stands alone on a page: the body's last paragraph goes with it.
    match body_parts.pop() {
        Some(Part::P(last)) => body_parts.push(Part::P(Box::new(last.keep_next(true)))),
        Some(table) => body_parts.push(table),
        None => {}
    }
    for part in body_parts {
        docx = match part {
            Part::P(p) => docx.add_paragraph(*p),
            Part::T(t) => docx.add_table(*t),
        };
    }

    // Clear of the body, and apart from a table that ends it.
    docx = docx.add_paragraph(Paragraph::new().line_spacing(spacing(6, 0)).keep_next(true));
    // The row cannot split (see `closing`), so recipients and signature move as one.
    docx = docx.add_table(closing(&doc.closing));
    finish(docx, doc)
}

/// A piece of the body, kept until the last is known.
enum Part {
    P(Box<Paragraph>),
    T(Box<Table>),
}

/// Patches what docx-rs cannot write into its parts, then zips them.
fn finish(docx: Docx, doc: &ReviewDocument) -> Result<Vec<u8>, DocxError> {
    let mut xml = docx.build();
    // Header rows carry a height no other row has (see `HEADER_MARK`); it becomes
    // `tblHeader`, which repeats them at the top of each page.
    xml.document = replace_bytes(
        &xml.document,
        br#"<w:trHeight w:val="1" w:hRule="atLeast" />"#,
        b"<w:tblHeader />",
    );
    // docx-rs numbers paragraphs from a process-wide counter; numbered afresh here, the same
    // review gives the same bytes and no two paragraphs share an id.
    let mut next_id = 1;
    xml.document = renumber_paragraphs(&xml.document, &mut next_id);
    for part in xml.headers.iter_mut().chain(xml.footers.iter_mut()) {
        *part = renumber_paragraphs(part, &mut next_id);
    }
    // The language of every run (spelling, hyphenation), set once in the document defaults.
    // `w:lang` comes after the size in a run's properties, so it goes last there.
    let lang = lang_tag(doc.lang);
    let with_lang = format!(
        r#"<w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA" /></w:rPr></w:rPrDefault>"#
    );
    xml.styles = replace_bytes(
        &xml.styles,
        b"</w:rPr></w:rPrDefault>",
        with_lang.as_bytes(),
    );
    xml.doc_props.core = core_properties(doc).into_bytes();
    // Last, the properties' children in schema order (see `order`); should a part not parse
    // back, it is kept as docx-rs wrote it.
    for part in [&mut xml.document, &mut xml.styles]
        .into_iter()
        .chain(xml.headers.iter_mut())
        .chain(xml.footers.iter_mut())
    {
        if let Some(ordered) = order::reorder(part) {
            *part = ordered;
        }
    }
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError::Package(e.to_string()))?;
    Ok(out.into_inner())
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi-VN",
        Lang::En => "en-US",
    }
}

/// `docProps/core.xml`: the title (what Word shows in its title bar and file properties) and
/// the language. No dates: the same review gives the same bytes.
fn core_properties(doc: &ReviewDocument) -> String {
    let mut title = nfc(&doc.kind);
    for line in &doc.title {
        title.push(' ');
        title.push_str(&nfc(line));
    }
    let language = match doc.lang {
        Lang::Vi => "vi-VN",
        Lang::En => "en",
    };
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties""#,
            r#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/""#,
            r#" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{}</dc:title><dc:language>{}</dc:language><dc:creator>chitieu</dc:creator>",
            "</cp:coreProperties>"
        ),
        xml_escape(&title),
        language
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Rewrites every `w14:paraId="XXXXXXXX"` with the next number, in hex as Word writes it.
fn renumber_paragraphs(xml: &[u8], next: &mut u32) -> Vec<u8> {
    const KEY: &[u8] = b"w14:paraId=\"";
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        let value = at + KEY.len();
        let Some(len) = rest[value..].iter().position(|b| *b == b'"') else {
            break;
        };
        out.extend_from_slice(&rest[..value]);
        out.extend_from_slice(format!("{:08X}", *next).as_bytes());
        *next += 1;
        rest = &rest[value + len..];
    }
    out.extend_from_slice(rest);
    out
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Upper case as the layout rules want it, staying NFC (upper-casing a precomposed letter can
/// decompose it).
fn upper(s: &str) -> String {
    nfc(&s.to_uppercase())
}

/// The font named for every script slot: Vietnamese letters outside Latin-1 are laid out
/// with the hAnsi font, so naming only `ascii` would set them in another face.
fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT)
}

/// Paragraph spacing in points before and after, single lines.
fn spacing(before_pt: u32, after_pt: u32) -> LineSpacing {
    LineSpacing::new()
        .before(before_pt * 20)
        .after(after_pt * 20)
        .line(240)
        .line_rule(LineSpacingType::Auto)
}

#[derive(Clone, Copy, Default)]
struct Look {
    size: usize,
    bold: bool,
    italic: bool,
    underline: bool,
}

fn run(text: &str, look: Look) -> Run {
    let mut r = Run::new()
        .add_text(nfc(text))
        .fonts(fonts())
        .size(look.size);
    if look.bold {
        r = r.bold();
    }
    if look.italic {
        r = r.italic();
    }
    if look.underline {
        r = r.underline("single");
    }
    r
}

fn centred(text: &str, size: usize, bold: bool, italic: bool) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(spacing(0, 0))
        .add_run(run(
            text,
            Look {
                size,
                bold,
                italic,
                underline: false,
            },
        ))
}

/// An empty paragraph whose bottom border is a rule of `len` twips, centred in `width`, drawn
/// `before_pt` under the text above it.
fn short_rule(width: i32, len: i32, before_pt: u32, after_pt: u32) -> Paragraph {
    let side = ((width - len) / 2).max(0);
    let mut p = Paragraph::new()
        // A line one point high, so the rule sits just under the text above.
        .line_spacing(
            spacing(before_pt, after_pt)
                .line(20)
                .line_rule(LineSpacingType::Exact),
        )
        .indent(Some(side), None, Some(side), None)
        .size(2);
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6)
                .space(1)
                .color("000000"),
        ),
    );
    p
}

/// Under the title: a short solid rule for a state body (Decree 30), five hyphens for a party
/// committee (36-HD/VPTW).
fn title_rule(layout: Layout) -> Paragraph {
    match layout {
        Layout::State => short_rule(TEXT_W, TEXT_W / 5, 3, 14),
        Layout::Party => centred("-----", BODY, false, false).line_spacing(spacing(0, 12)),
    }
}

fn letterhead(lh: &Letterhead) -> Table {
    let left_w = LETTERHEAD_LEFT;
    let right_w = TEXT_W - left_w;
    let plain = Look {
        size: LETTERHEAD,
        ..Look::default()
    };
    let bold = Look {
        bold: true,
        ..plain
    };
    let cell = |w: i32| {
        TableCell::new()
            .width(w as usize, WidthType::Dxa)
            .vertical_align(VAlignType::Top)
    };

    // First row: who issues (left), the national or party heading (right).
    let mut left = cell(left_w);
    if let Some(superior) = &lh.superior {
        left = left.add_paragraph(line(&upper(superior), plain));
    }
    left = left.add_paragraph(line(&upper(&lh.issuer), bold));
    match (&lh.mark, lh.layout) {
        (Some(mark), _) => left = left.add_paragraph(line(mark, plain)),
        // Decree 30: a solid rule under the issuer, a third to a half of its line.
        (None, Layout::State) => {
            left = left.add_paragraph(short_rule(left_w, left_w / 3, 1, 0));
        }
        (None, Layout::Party) => {}
    }

    let national = Look {
        size: match lh.layout {
            Layout::Party => PARTY_NATIONAL,
            Layout::State => STATE_NATIONAL,
        },
        bold: true,
        ..Look::default()
    };
    let mut right = cell(right_w);
    let last = lh.national.len().saturating_sub(1);
    for (i, text) in lh.national.iter().enumerate() {
        let look = match (i == last, lh.layout) {
            // The motto: underlined, a size above the national name.
            (true, Layout::State) if i > 0 => Look {
                size: LETTERHEAD,
                underline: true,
                ..national
            },
            // The party's name, or a state heading of one line: underlined.
            (true, _) => Look {
                underline: true,
                ..national
            },
            (false, _) => national,
        };
        right = right.add_paragraph(line(text, look));
    }

    // Second row: the number and the place-date line, side by side on one line as both rule
    // books draw them.
    let number = cell(left_w).add_paragraph(line(&lh.number, plain));
    let date = cell(right_w).add_paragraph(line(
        &lh.place_date,
        Look {
            size: BODY,
            italic: true,
            ..Look::default()
        },
    ));
    let gap = Paragraph::new().line_spacing(spacing(0, 0)).size(12);

    borderless(
        vec![
            TableRow::new(vec![
                left.add_paragraph(gap.clone()),
                right.add_paragraph(gap),
            ]),
            TableRow::new(vec![number, date]),
        ],
        vec![left_w, right_w],
    )
}

/// A centred line of the heading block or the signature.
fn line(text: &str, look: Look) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(spacing(0, 0))
        .add_run(run(text, look))
}

fn borderless(rows: Vec<TableRow>, grid: Vec<i32>) -> Table {
    let total: i32 = grid.iter().sum();
    Table::without_borders(rows)
        .set_grid(grid.iter().map(|w| *w as usize).collect())
        .width(total as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

/// An empty line of 6 pt.
fn spacer() -> Paragraph {
    Paragraph::new().line_spacing(spacing(0, 0)).size(12)
}

fn heading(level: u8, text: &str) -> Paragraph {
    let (text, italic) = match level {
        0 | 1 => (upper(text), false),
        2 => (nfc(text), false),
        _ => (nfc(text), true),
    };
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(spacing(6, 0))
        .keep_next(true)
        .outline_lvl(usize::from(level.clamp(1, 3)) - 1)
        .add_run(run(
            &text,
            Look {
                size: BODY,
                bold: true,
                italic,
                underline: false,
            },
        ))
}

/// A body paragraph: justified, first line indented, 6 pt between paragraphs (Decree 30).
fn body(spans: &[Span], prefix: &str) -> Paragraph {
    let mut p = Paragraph::new()
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .line_spacing(spacing(6, 0));
    let plain = Look {
        size: BODY,
        ..Look::default()
    };
    if !prefix.is_empty() {
        p = p.add_run(run(prefix, plain));
    }
    for span in spans {
        p = p.add_run(run(
            &span.text,
            Look {
                bold: span.bold,
                italic: span.italic,
                ..plain
            },
        ));
    }
    p
}

/// Twips a cell at the table's 12 pt needs for `word`, which cannot wrap: the word's width
/// estimated from Times' proportions (narrow letters a third of an em, capitals seven tenths,
/// most others half; bold a little wider), 5% to spare, and the cell's margins (108 twips a
/// side). An estimate, so it errs wide.
fn unbreakable(word: &str, bold: bool) -> i32 {
    let ems: f64 = word
        .chars()
        .map(|c| {
            // The base letter: "ị" is as wide as "i".
            let base = c.nfd().next().unwrap_or(c);
            match base {
                'i' | 'j' | 'l' | 't' | 'f' | 'r' | 'I' | '/' | '.' | ',' | ':' | ';' | '\''
                | '(' | ')' | '[' | ']' | '!' | '|' => 0.34,
                'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.9,
                c if c.is_uppercase() => 0.72,
                _ => 0.5,
            }
        })
        .sum();
    let ems = if bold { ems * 1.08 } else { ems };
    let pt = ems * (TABLE as f64 / 2.0) * 1.05;
    216 + (pt * 20.0).ceil().min(f64::from(TEXT_W)) as i32
}

/// The columns' widths: the text width shared by the relative widths, except that a column
/// too narrow for its longest word ("15/9/2015", "84,4%") gets what that word needs and the
/// others share the rest — a fixed-layout table otherwise breaks such words in the middle.
/// Words longer than a third of the width do not count (they must wrap anyway); when the
/// words cannot all fit, the relative widths stand.
fn column_widths(t: &DocTable) -> Vec<i32> {
    let weights: Vec<u16> = t.columns.iter().map(|c| c.width).collect();
    let words = |text: &str, bold: bool| {
        text.split(|c: char| c.is_whitespace() || c == '-' || c == '–')
            .map(|w| unbreakable(w, bold))
            .max()
            .unwrap_or(0)
    };
    let need: Vec<i32> = (0..weights.len())
        .map(|i| {
            let body = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|x| words(x, false));
            body.chain([words(&t.columns[i].header, true)])
                .max()
                .unwrap_or(0)
        })
        .map(|w| if w > TEXT_W / 3 { 0 } else { w })
        .collect();
    if need.iter().sum::<i32>() > TEXT_W {
        return share(TEXT_W, &weights);
    }
    // Pin the columns that fall short at what they need and share the rest among the
    // others, until no other falls short; each pass pins at least one, so this ends.
    let mut pinned = vec![false; weights.len()];
    loop {
        let left = TEXT_W
            - need
                .iter()
                .zip(&pinned)
                .filter(|(_, p)| **p)
                .map(|(n, _)| n)
                .sum::<i32>();
        let free: Vec<usize> = (0..weights.len()).filter(|i| !pinned[*i]).collect();
        let free_weights: Vec<u16> = free.iter().map(|i| weights[*i]).collect();
        let shared = share(left, &free_weights);
        let mut widths = need.clone();
        for (i, w) in free.iter().zip(&shared) {
            widths[*i] = *w;
        }
        let short: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| widths[*i] < need[*i])
            .collect();
        if short.is_empty() {
            if free.is_empty() {
                // Every column pinned: what is left goes to the last.
                if let Some(last) = widths.last_mut() {
                    *last += left;
                }
            }
            return widths;
        }
        for i in short {
            pinned[i] = true;
        }
    }
}

/// Shares `total` twips among columns in proportion to their relative widths; the last
/// column takes what rounding left, so the columns fill the width exactly.
fn share(total: i32, weights: &[u16]) -> Vec<i32> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let sum: i64 = weights.iter().map(|w| i64::from(*w)).sum();
    let mut out: Vec<i32> = if sum == 0 {
        vec![total / n as i32; n]
    } else {
        weights
            .iter()
            .map(|w| (i64::from(total) * i64::from(*w) / sum) as i32)
            .collect()
    };
    let used: i32 = out[..n - 1].iter().sum();
    out[n - 1] = total - used;
    out
}

fn cell_align(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

fn table_cell(text: &str, width: i32, align: AlignmentType, bold: bool) -> TableCell {
    TableCell::new()
        .width(width as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(
            Paragraph::new()
                .align(align)
                .line_spacing(spacing(2, 2))
                .add_run(run(
                    text,
                    Look {
                        size: TABLE,
                        bold,
                        ..Look::default()
                    },
                )),
        )
}

fn data_table(t: &DocTable, index: usize) -> Result<Table, DocxError> {
    for (i, row) in t.rows.iter().enumerate() {
        if row.len() != t.columns.len() {
            return Err(DocxError::Table {
                index,
                row: i + 1,
                cells: row.len(),
                columns: t.columns.len(),
            });
        }
    }
    let widths = column_widths(t);
    let header = TableRow::new(
        t.columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| table_cell(&c.header, *w, AlignmentType::Center, true))
            .collect(),
    )
    // The marker `finish` turns into a repeated header row; a header never splits anyway.
    .cant_split()
    .row_height(HEADER_MARK)
    .height_rule(HeightRule::AtLeast);
    let mut rows = vec![header];
    for row in &t.rows {
        rows.push(
            TableRow::new(
                row.iter()
                    .zip(&t.columns)
                    .zip(&widths)
                    .map(|((text, c), w)| table_cell(text, *w, cell_align(c.align), false))
                    .collect(),
            )
            // A row read across a page break is easily misread: rows move whole.
            .cant_split(),
        );
    }
    let single = |pos| {
        TableBorder::new(pos)
            .border_type(BorderType::Single)
            .size(4)
            .color("000000")
    };
    let borders = TableBorders::with_empty()
        .set(single(TableBorderPosition::Top))
        .set(single(TableBorderPosition::Left))
        .set(single(TableBorderPosition::Bottom))
        .set(single(TableBorderPosition::Right))
        .set(single(TableBorderPosition::InsideH))
        .set(single(TableBorderPosition::InsideV));
    Ok(Table::new(rows)
        .set_borders(borders)
        .set_grid(widths.iter().map(|w| *w as usize).collect())
        .width(TEXT_W as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center))
}

/// The chart's printed size in points: its own, scaled down to fit the text area.
fn printed_size(chart: &Chart) -> Option<(f64, f64)> {
    let (w, h) = (f64::from(chart.width), f64::from(chart.height));
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return None;
    }
    let max_w = f64::from(TEXT_W) / 20.0;
    // Leave room for the caption on the same page.
    let max_h = f64::from(TEXT_H) / 20.0 * 0.8;
    let k = (max_w / w).min(max_h / h).min(1.0);
    Some((w * k, h * k))
}

fn chart_paragraphs(chart: &Chart, index: usize) -> Result<(Paragraph, Paragraph), DocxError> {
    let fail = |reason: String| DocxError::Chart {
        index,
        caption: chart.caption.clone(),
        reason,
    };
    let (w_pt, h_pt) = printed_size(chart).ok_or_else(|| {
        fail(format!(
            "its size {} × {} pt is not a size",
            chart.width, chart.height
        ))
    })?;
    let png = rasterise(&chart.svg, w_pt, h_pt).map_err(fail)?;
    let pic = Pic::new_with_dimensions(png.bytes, png.width, png.height)
        // Our own id, so the same review gives the same package (docx-rs counts process-wide).
        .id(format!("rIdImage{index}"))
        .size(
            (w_pt * EMU_PER_PT).round() as u32,
            (h_pt * EMU_PER_PT).round() as u32,
        );
    let picture = Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(spacing(6, 0))
        .keep_next(true)
        .add_run(Run::new().fonts(fonts()).add_image(pic));
    let caption = centred(&chart.caption, CAPTION, false, true).line_spacing(spacing(2, 6));
    Ok((picture, caption))
}

struct Png {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

/// Draws the SVG at `CHART_SCALE` times the pixels of its printed size at 96 dpi, on white
/// (a transparent PNG prints black in some viewers).
fn rasterise(svg: &str, w_pt: f64, h_pt: f64) -> Result<Png, String> {
    rasterise_with(svg, w_pt, h_pt, chart_fonts())
}

fn rasterise_with(svg: &str, w_pt: f64, h_pt: f64, fonts: &ChartFonts) -> Result<Png, String> {
    let opts = usvg::Options {
        font_family: fonts.family.clone(),
        fontdb: fonts.db.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opts).map_err(|e| format!("not a valid SVG: {e}"))?;
    let px = |pt: f64| (pt * 96.0 / 72.0 * CHART_SCALE).round().max(1.0) as u32;
    let (width, height) = (px(w_pt), px(h_pt));
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot draw {width} × {height} pixels"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let transform = tiny_skia::Transform::from_scale(
        width as f32 / size.width(),
        height as f32 / size.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let bytes = pixmap
        .encode_png()
        .map_err(|e| format!("encoding the PNG: {e}"))?;
    Ok(Png {
        bytes,
        width,
        height,
    })
}

/// Liberation Serif (Times New Roman's metrics, every Vietnamese letter), compiled in so chart
/// labels are drawn on a machine without fonts: the files the PDF review embeds
/// (`fonts/README.md`). Charts set no italic.
// When `pdf.rs` lands, its `pdf::REGULAR` and `pdf::BOLD` are these same files: use those, so
// the binary is sure to hold them once.
const EMBEDDED_FONTS: [&[u8]; 2] = [crate::pdf::REGULAR, crate::pdf::BOLD];

/// The fonts chart labels are set in, and the family to ask for.
struct ChartFonts {
    db: Arc<usvg::fontdb::Database>,
    family: String,
}

impl ChartFonts {
    /// The system's fonts when `system`, then the embedded ones; the family is the report's
    /// own face where installed, else Liberation Serif.
    fn load(system: bool) -> ChartFonts {
        let mut db = usvg::fontdb::Database::new();
        if system {
            db.load_system_fonts();
        }
        for data in EMBEDDED_FONTS {
            db.load_font_data(data.to_vec());
        }
        let has = |name: &str| {
            db.faces()
                .any(|f| f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        let family = if has(FONT) { FONT } else { "Liberation Serif" }.to_string();
        // usvg falls back to the serif family; fontdb's default for it is Times New Roman,
        // which Linux machines rarely have.
        db.set_serif_family(family.clone());
        db.set_sans_serif_family(family.clone());
        ChartFonts {
            db: Arc::new(db),
            family,
        }
    }
}

/// Loaded once: reading the system's fonts takes a moment.
fn chart_fonts() -> &'static ChartFonts {
    static FONTS: OnceLock<ChartFonts> = OnceLock::new();
    FONTS.get_or_init(|| ChartFonts::load(true))
}

fn closing(c: &Closing) -> Table {
    let left_w = CLOSING_LEFT;
    let right_w = TEXT_W - left_w;
    let mut left = TableCell::new()
        .width(left_w as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Top)
        .add_paragraph(Paragraph::new().line_spacing(spacing(0, 0)).add_run(run(
            &c.recipients_label,
            Look {
                size: RECIPIENTS_LABEL,
                bold: true,
                italic: true,
                underline: false,
            },
        )));
    for r in &c.recipients {
        left = left.add_paragraph(Paragraph::new().line_spacing(spacing(0, 0)).add_run(run(
            &format!("- {r}"),
            Look {
                size: RECIPIENT,
                ..Look::default()
            },
        )));
    }

    let bold = Look {
        size: BODY,
        bold: true,
        ..Look::default()
    };
    let mut right = TableCell::new()
        .width(right_w as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Top);
    if let Some(on_behalf) = &c.on_behalf {
        right = right.add_paragraph(line(on_behalf, bold));
    }
    right = right.add_paragraph(line(&c.signer_title, bold));
    // Room for the signature and the seal.
    for _ in 0..4 {
        right = right.add_paragraph(line("", bold));
    }
    right = right.add_paragraph(line(c.signer.as_deref().unwrap_or(""), bold));

    // Recipients and signature stay together on one page.
    borderless(
        vec![TableRow::new(vec![left, right]).cant_split()],
        vec![left_w, right_w],
    )
}

mod order;
#[cfg(test)]
mod tests;
