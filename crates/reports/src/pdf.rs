//! The review as an A4 PDF laid out as a Vietnamese administrative report: the heading block
//! in two columns (Hướng dẫn 36-HD/VPTW for a party committee, Decree 30/2020/NĐ-CP for a state
//! body), the kind and title centred, the body, then the recipients and the signature block.
//!
//! The PDF is written by `krilla`, which subsets and embeds the fonts; the layout is done here,
//! in two steps: `layout` shapes every word with rustybuzz (the shaper krilla itself uses, on
//! the same font bytes, so what is measured is what is drawn), breaks lines greedily at spaces
//! (a word wider than the line is broken between letters), and places lines, table rows and
//! charts on pages; `write` then draws the pages. Keeping the two apart lets tests count pages
//! and find page numbers and repeated table headers without reading the PDF back.
//!
//! Page geometry is Decree 30's: A4, margins 20 mm top and bottom, 30 mm left, 15 mm right;
//! body 14 pt, justified with a 1 cm first-line indent; tables 11 pt; page numbers at the top
//! centre from page 2 on (the first page carries none, as the decree sets).
//!
//! Fonts: Liberation Serif (Times New Roman's metrics; SIL OFL 1.1, `fonts/`), compiled in, so
//! rendering needs no system font. Text is NFC-normalised first. A character the fonts cannot
//! show is an error naming it ([`PdfError::MissingGlyph`]), never a silently empty box.

use std::sync::Arc;

use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};
use unicode_normalization::UnicodeNormalization;

use crate::document::{Align, Block, Closing, Layout, Letterhead, ReviewDocument, Span, Table};
use crate::locale::Lang;

#[cfg(test)]
mod tests;

/// The four faces of Liberation Serif, as `fonts/README.md` says where they come from.
pub const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
pub const BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
pub const ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");
pub const BOLD_ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf");
const FAMILY: &str = "Liberation Serif";

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The embedded fonts have no glyph for a character of the document. Nothing falls back to
    /// another font: the office is told which character and where, and can replace it.
    #[error(
        "the PDF's fonts (Liberation Serif) have no glyph for {ch:?} (U+{code:04X}) in {context:?}",
        code = u32::from(*.ch)
    )]
    MissingGlyph { ch: char, context: String },
    #[error("the chart {caption:?} cannot be drawn: {reason}")]
    Chart { caption: String, reason: String },
    #[error("an embedded font cannot be read: {0}")]
    Font(&'static str),
    #[error("the PDF cannot be written: {0}")]
    Write(String),
}

type Result<T> = std::result::Result<T, PdfError>;

// Geometry in points (1 mm = 72/25.4 pt). krilla's coordinates start at the top left corner.
const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const MARGIN_TOP: f32 = 20.0 * MM;
const MARGIN_BOTTOM: f32 = 20.0 * MM;
const MARGIN_LEFT: f32 = 30.0 * MM;
const MARGIN_RIGHT: f32 = 15.0 * MM;
const TEXT_W: f32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
const BOTTOM: f32 = PAGE_H - MARGIN_BOTTOM;

const BODY: f32 = 14.0;
const TABLE: f32 = 11.0;
const CAPTION: f32 = 12.0;
const PAGE_NUMBER: f32 = 13.0;
/// Line height as a multiple of the font size: Liberation Serif's ascent and descent add up to
/// 1.107 em, so 1.25 leaves room between the stacked marks of one line ("Ặ", "ỗ") and the
/// descenders of the line above.
const LEADING: f32 = 1.25;
/// Decree 30: first-line indent 1 to 1.27 cm, at least 6 pt between paragraphs.
const INDENT: f32 = 10.0 * MM;
const PARA_GAP: f32 = 6.0;
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.5;
const RULE: f32 = 0.6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular = 0,
    Bold = 1,
    Italic = 2,
    BoldItalic = 3,
}

impl Style {
    fn of(bold: bool, italic: bool) -> Style {
        match (bold, italic) {
            (false, false) => Style::Regular,
            (true, false) => Style::Bold,
            (false, true) => Style::Italic,
            (true, true) => Style::BoldItalic,
        }
    }
}

struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
}

/// The faces, loaded once per document from the compiled-in bytes.
struct Fonts {
    faces: [Face; 4],
    /// Ascent and descent in em (the regular face's; the four share them).
    ascent: f32,
    descent: f32,
}

impl Fonts {
    fn load() -> Result<Fonts> {
        let face = |bytes: &'static [u8], name: &'static str| -> Result<Face> {
            Ok(Face {
                font: Font::new(bytes.into(), 0).ok_or(PdfError::Font(name))?,
                shaper: rustybuzz::Face::from_slice(bytes, 0).ok_or(PdfError::Font(name))?,
            })
        };
        let faces = [
            face(REGULAR, "LiberationSerif-Regular")?,
            face(BOLD, "LiberationSerif-Bold")?,
            face(ITALIC, "LiberationSerif-Italic")?,
            face(BOLD_ITALIC, "LiberationSerif-BoldItalic")?,
        ];
        let s = &faces[0].shaper;
        let upem = (s.units_per_em() as f32).max(1.0);
        let ascent = f32::from(s.ascender()) / upem;
        let descent = -f32::from(s.descender()) / upem;
        Ok(Fonts {
            faces,
            ascent,
            descent,
        })
    }

    fn face(&self, style: Style) -> &Face {
        &self.faces[style as usize]
    }

    /// Shapes `text` (one word, or a space) in `style`; an unknown character is an error.
    fn shape(&self, style: Style, text: &str, space: bool) -> Result<Piece> {
        let shaper = &self.face(style).shaper;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let out = rustybuzz::shape(shaper, &[], buffer);
        let upem = (shaper.units_per_em() as f32).max(1.0);
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut em = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            if info.glyph_id == 0 {
                let ch = text
                    .get(start..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{FFFD}');
                return Err(PdfError::MissingGlyph {
                    ch,
                    context: text.to_string(),
                });
            }
            // Left to right, clusters only grow: a glyph's text runs to the next cluster.
            let end = infos[i + 1..]
                .iter()
                .map(|g| g.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let advance = pos.x_advance as f32 / upem;
            em += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end.max(start),
                None,
            ));
        }
        Ok(Piece {
            style,
            text: text.to_string(),
            glyphs,
            em,
            space,
        })
    }
}

/// NFC, with every kind of white space (line ends and tabs included) as one plain space:
/// the layout decides where lines end. Non-breaking spaces stay, and keep words together.
fn clean(text: &str) -> String {
    text.nfc()
        .map(|c| {
            if c.is_whitespace() && c != '\u{A0}' && c != '\u{202F}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A shaped piece of one style: a word, part of a word, or a space.
#[derive(Clone)]
struct Piece {
    style: Style,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Advance in em.
    em: f32,
    space: bool,
}

impl Piece {
    /// Glyphs `a..b` (each range end a cluster start) as a piece of their own, in time
    /// proportional to their number, so that a long word is cut in one pass.
    fn slice(&self, a: usize, b: usize) -> Piece {
        let b = b.min(self.glyphs.len());
        let a = a.min(b);
        let start = |k: usize| {
            self.glyphs
                .get(k)
                .map_or(self.text.len(), |g| g.text_range.start)
                .min(self.text.len())
        };
        let (from, to) = (start(a), start(b).max(start(a)));
        // Clusters start on characters; were one not to, the text is left whole.
        let text = self.text.get(from..to).unwrap_or(&self.text).to_string();
        let glyphs: Vec<KrillaGlyph> = self.glyphs[a..b]
            .iter()
            .map(|g| {
                let mut g = g.clone();
                g.text_range =
                    g.text_range.start.saturating_sub(from)..g.text_range.end.saturating_sub(from);
                g
            })
            .collect();
        Piece {
            style: self.style,
            text,
            em: glyphs.iter().map(|g| g.x_advance).sum(),
            glyphs,
            space: false,
        }
    }

    fn starts_cluster(&self, k: usize) -> bool {
        k == 0 || self.glyphs[k].text_range.start != self.glyphs[k - 1].text_range.start
    }
}

#[derive(Clone)]
enum Token {
    /// Pieces with no break between them ("41,3" bold followed by "%" plain).
    Word(Vec<Piece>),
    Space(Piece),
}

/// One laid-out line: pieces in order, spaces included, none at either end.
#[derive(Default)]
struct Line {
    parts: Vec<Piece>,
    /// Width at the paragraph's size, in points.
    width: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Left,
    Center,
    Right,
    /// Justified, but the last line of a paragraph left-aligned.
    Justify,
}

/// A run of glyphs drawn with one call: one style, its own text for copy and search.
struct Run {
    style: Style,
    text: String,
    glyphs: Vec<KrillaGlyph>,
}

enum Op {
    /// `y` is the baseline.
    Text { x: f32, y: f32, size: f32, run: Run },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// `chart` indexes `Pages::charts`; `y` is the top.
    Chart {
        chart: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Default)]
struct Page {
    ops: Vec<Op>,
}

/// What `layout` makes: the pages' drawing operations and the parsed charts they draw.
struct Pages {
    pages: Vec<Page>,
    /// Each chart's tree and caption (to name it if drawing fails).
    charts: Vec<(usvg::Tree, String)>,
}

/// The review as a PDF file's bytes.
pub fn render(doc: &ReviewDocument) -> std::result::Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let pages = layout(doc, &fonts)?;
    write(doc, &fonts, &pages)
}

/// Every character of the document that the embedded fonts cannot show, in the order met,
/// each once, with the text it is in. `render` fails on the first of them; this lists all, so
/// an office can fix its text in one go.
pub fn uncovered(doc: &ReviewDocument) -> Vec<(char, String)> {
    let faces: Vec<rustybuzz::Face<'static>> = [REGULAR, BOLD, ITALIC, BOLD_ITALIC]
        .iter()
        .filter_map(|b| rustybuzz::Face::from_slice(b, 0))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for text in texts(doc) {
        let text = clean(&text);
        for c in text.chars() {
            if c == ' ' || seen.contains(&c) {
                continue;
            }
            let shown = faces.len() == 4 && faces.iter().all(|f| f.glyph_index(c).is_some());
            if !shown {
                seen.insert(c);
                out.push((c, text.clone()));
            }
        }
    }
    out
}

/// Every piece of text the PDF shows, charts' labels included.
fn texts(doc: &ReviewDocument) -> Vec<String> {
    let lh = &doc.letterhead;
    let mut out: Vec<String> = Vec::new();
    out.extend(lh.superior.iter().cloned());
    out.push(lh.issuer.clone());
    out.extend(lh.mark.iter().cloned());
    out.push(lh.number.clone());
    out.extend(lh.national.iter().cloned());
    out.push(lh.place_date.clone());
    out.push(doc.kind.to_uppercase());
    out.extend(doc.title.iter().cloned());
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } if *level <= 1 => out.push(text.to_uppercase()),
            Block::Heading { text, .. } => out.push(text.clone()),
            Block::Paragraph { spans } => out.extend(spans.iter().map(|s| s.text.clone())),
            Block::List { items } => {
                out.extend(items.iter().flatten().map(|s| s.text.clone()));
            }
            Block::Table { table } => {
                out.extend(table.columns.iter().map(|c| c.header.clone()));
                out.extend(table.rows.iter().flatten().cloned());
            }
            Block::Chart { chart } => {
                out.push(chart.caption.clone());
                out.extend(svg_texts(&chart.svg));
            }
            Block::OfficeText { text } => out.push(text.clone()),
        }
    }
    let c = &doc.closing;
    out.push(c.recipients_label.clone());
    out.extend(c.recipients.iter().cloned());
    out.extend(c.on_behalf.iter().cloned());
    out.push(c.signer_title.clone());
    out.extend(c.signer.iter().cloned());
    out
}

/// The text an SVG draws: the content of its `text` elements (not its `title`, which is for
/// screen readers). An SVG that does not parse has none; drawing it reports the error.
fn svg_texts(svg: &str) -> Vec<String> {
    let Ok(xml) = usvg::roxmltree::Document::parse(svg) else {
        return Vec::new();
    };
    xml.descendants()
        .filter(|n| n.is_text())
        .filter(|n| {
            n.ancestors()
                .any(|a| a.is_element() && a.tag_name().name() == "text")
        })
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

fn language(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

fn write(doc: &ReviewDocument, fonts: &Fonts, pages: &Pages) -> Result<Vec<u8>> {
    let mut document = Document::new();
    let title = std::iter::once(doc.kind.as_str())
        .chain(doc.title.iter().map(String::as_str))
        .map(clean)
        .collect::<Vec<_>>()
        .join(" ");
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(language(doc.lang).to_string())
            .creator("chitieu".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or(PdfError::Write("the page size is not valid".to_string()))?;
    for page in &pages.pages {
        let mut p = document.start_page_with(settings.clone());
        let mut surface = p.surface();
        for op in &page.ops {
            draw(&mut surface, fonts, pages, op)?;
        }
        surface.finish();
        p.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(e.to_string()))
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, pages: &Pages, op: &Op) -> Result<()> {
    match op {
        Op::Text { x, y, size, run } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &run.glyphs,
                fonts.face(run.style).font.clone(),
                &run.text,
                *size,
                false,
            );
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
            }
        }
        Op::Chart { chart, x, y, w, h } => {
            let (Some((tree, caption)), Some(size)) =
                (pages.charts.get(*chart), Size::from_wh(*w, *h))
            else {
                return Ok(());
            };
            surface.push_transform(&Transform::from_translate(*x, *y));
            let drawn = surface.draw_svg(tree, size, SvgSettings::default());
            surface.pop();
            drawn.ok_or_else(|| PdfError::Chart {
                caption: brief(caption),
                reason: "krilla-svg could not draw it".to_string(),
            })?;
        }
    }
    Ok(())
}

/// The cursor that fills pages from the top.
struct Layouter<'f> {
    fonts: &'f Fonts,
    pages: Vec<Page>,
    charts: Vec<(usvg::Tree, String)>,
    fontdb: Arc<usvg::fontdb::Database>,
    /// Top of the free space on the last page.
    y: f32,
    /// The lines of the last block if it was text: page, index of its first operation, top,
    /// and which paragraph (`paragraphs` when it was placed). The closing takes the last of
    /// them along to a new page, so that the signature never stands on a page without text.
    tail: Vec<(usize, usize, f32, usize)>,
    /// Paragraphs placed so far.
    paragraphs: usize,
}

fn layout(doc: &ReviewDocument, fonts: &Fonts) -> Result<Pages> {
    let mut fontdb = usvg::fontdb::Database::new();
    for bytes in [REGULAR, BOLD, ITALIC, BOLD_ITALIC] {
        fontdb.load_font_source(usvg::fontdb::Source::Binary(Arc::new(bytes)));
    }
    fontdb.set_serif_family(FAMILY);
    fontdb.set_sans_serif_family(FAMILY);
    let mut l = Layouter {
        fonts,
        pages: vec![Page::default()],
        charts: Vec::new(),
        fontdb: Arc::new(fontdb),
        y: MARGIN_TOP,
        tail: Vec::new(),
        paragraphs: 0,
    };
    l.letterhead(&doc.letterhead)?;
    l.title(doc)?;
    for (i, block) in doc.blocks.iter().enumerate() {
        l.block(block, doc.blocks.get(i + 1..).unwrap_or_default())?;
    }
    l.closing(&doc.closing)?;
    l.page_numbers()?;
    Ok(Pages {
        pages: l.pages,
        charts: l.charts,
    })
}

impl Layouter<'_> {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn push(&mut self, op: Op) {
        self.page().ops.push(op);
    }

    fn at_top(&self) -> bool {
        self.y <= MARGIN_TOP + 0.01
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `h` points fit under the cursor (or the page is still empty:
    /// what is taller than a page goes on one by itself and is cut there).
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM + 0.01 && !self.at_top() {
            self.new_page();
        }
    }

    /// Space between blocks, but none at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y += h;
        }
    }

    fn line_h(size: f32) -> f32 {
        size * LEADING
    }

    /// The baseline of a line whose box starts at `top`: half the spare leading above.
    fn baseline(&self, top: f32, size: f32) -> f32 {
        let f = self.fonts;
        top + (LEADING - f.ascent - f.descent) * size / 2.0 + f.ascent * size
    }

    /// Where a rule goes under the line whose box starts at `top`: below the marks under the
    /// letters ("Ạ", "Ộ"), not through them.
    fn under(&self, top: f32, size: f32) -> f32 {
        self.baseline(top, size) + self.fonts.descent * size + 1.0
    }

    fn tokens(&self, spans: &[(Style, String)]) -> Result<Vec<Token>> {
        let mut out = Vec::new();
        let mut word: Vec<Piece> = Vec::new();
        for (style, text) in spans {
            for (i, part) in text.split(' ').enumerate() {
                if i > 0 {
                    if !word.is_empty() {
                        out.push(Token::Word(std::mem::take(&mut word)));
                    }
                    if !matches!(out.last(), Some(Token::Space(_)) | None) {
                        out.push(Token::Space(self.fonts.shape(*style, " ", true)?));
                    }
                }
                if !part.is_empty() {
                    let piece = self.fonts.shape(*style, part, false).map_err(|e| match e {
                        PdfError::MissingGlyph { ch, .. } => PdfError::MissingGlyph {
                            ch,
                            context: around(text, ch),
                        },
                        e => e,
                    })?;
                    word.push(piece);
                }
            }
        }
        if !word.is_empty() {
            out.push(Token::Word(word));
        }
        if matches!(out.last(), Some(Token::Space(_))) {
            out.pop();
        }
        Ok(out)
    }

    /// Greedy line breaking: `first` is the first line's width, `rest` the others'.
    fn wrap(&self, tokens: Vec<Token>, size: f32, first: f32, rest: f32) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        let mut cur = Line::default();
        let mut pending: Option<Piece> = None;
        let avail = |n: usize| if n == 0 { first } else { rest };
        for token in tokens {
            match token {
                Token::Space(space) => {
                    if !cur.parts.is_empty() {
                        pending = Some(space);
                    }
                }
                Token::Word(pieces) => {
                    let w: f32 = pieces.iter().map(|p| p.em * size).sum();
                    let sw = pending.as_ref().map_or(0.0, |p| p.em * size);
                    if cur.parts.is_empty() || cur.width + sw + w <= avail(lines.len()) + 0.01 {
                        if !cur.parts.is_empty() {
                            if let Some(space) = pending.take() {
                                cur.width += sw;
                                cur.parts.push(space);
                            }
                        }
                        pending = None;
                        if cur.parts.is_empty() && w > avail(lines.len()) + 0.01 {
                            self.break_word(pieces, size, &avail, &mut lines, &mut cur);
                        } else {
                            cur.width += w;
                            cur.parts.extend(pieces);
                        }
                    } else {
                        pending = None;
                        lines.push(std::mem::take(&mut cur));
                        if w > avail(lines.len()) + 0.01 {
                            self.break_word(pieces, size, &avail, &mut lines, &mut cur);
                        } else {
                            cur.width = w;
                            cur.parts = pieces;
                        }
                    }
                }
            }
        }
        if !cur.parts.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// A word wider than the line: as many letters as fit on each line (at least one, so it
    /// always ends), the rest on the next; `cur` ends with its tail. One pass over the
    /// glyphs, however long the word.
    fn break_word(
        &self,
        pieces: Vec<Piece>,
        size: f32,
        avail: &dyn Fn(usize) -> f32,
        lines: &mut Vec<Line>,
        cur: &mut Line,
    ) {
        for piece in pieces {
            let n = piece.glyphs.len();
            // Glyphs `from..` are still to place.
            let mut from = 0;
            while from < n {
                let room = avail(lines.len()) - cur.width;
                // An empty line takes at least one letter; a line that holds something may
                // take none of this piece.
                let min = from + usize::from(cur.parts.is_empty());
                let mut w = 0.0;
                let mut cut = None;
                for k in from..n {
                    let advance = piece.glyphs[k].x_advance * size;
                    if piece.starts_cluster(k) && k >= min && w + advance > room + 0.01 {
                        cut = Some(k);
                        break;
                    }
                    w += advance;
                }
                let Some(mut k) = cut else {
                    let rest = piece.slice(from, n);
                    cur.width += rest.em * size;
                    cur.parts.push(rest);
                    break;
                };
                if k == from {
                    // Nothing more fits on this line.
                    lines.push(std::mem::take(cur));
                    continue;
                }
                // Rather after a slash or a dash that fits ("đồng/" "người", "LN-" "1*")
                // than between two letters; not after a leading sign ("-" of "-2,5%").
                if let Some(j) = (from + 2..=k).rev().find(|&j| {
                    let start = piece.glyphs[j].text_range.start;
                    piece.starts_cluster(j)
                        && piece
                            .text
                            .get(..start)
                            .is_some_and(|head| head.ends_with(['/', '-', '\u{2013}', '\u{2014}']))
                }) {
                    k = j;
                }
                let head = piece.slice(from, k);
                cur.width += head.em * size;
                cur.parts.push(head);
                lines.push(std::mem::take(cur));
                from = k;
            }
        }
    }

    /// The drawing operations of one line, its box starting at `left`, `avail` wide.
    #[allow(clippy::too_many_arguments)]
    fn line_ops(
        &self,
        line: &Line,
        left: f32,
        baseline: f32,
        size: f32,
        avail: f32,
        flow: Flow,
        last: bool,
    ) -> Vec<Op> {
        let spaces = line.parts.iter().filter(|p| p.space).count();
        let spare = (avail - line.width).max(0.0);
        let (mut x, extra) = match flow {
            Flow::Left => (left, 0.0),
            Flow::Center => (left + spare / 2.0, 0.0),
            Flow::Right => (left + spare, 0.0),
            Flow::Justify if last || spaces == 0 => (left, 0.0),
            Flow::Justify => (left, spare / spaces as f32),
        };
        let mut ops = Vec::new();
        let mut run: Option<(f32, Run, f32)> = None;
        for part in &line.parts {
            let mut glyphs = part.glyphs.clone();
            let mut w = part.em * size;
            if part.space && extra > 0.0 {
                if let Some(g) = glyphs.last_mut() {
                    g.x_advance += extra / size;
                    w += extra;
                }
            }
            match &mut run {
                Some((_, r, rw)) if r.style == part.style => {
                    let off = r.text.len();
                    r.text.push_str(&part.text);
                    for mut g in glyphs {
                        g.text_range = g.text_range.start + off..g.text_range.end + off;
                        r.glyphs.push(g);
                    }
                    *rw += w;
                }
                _ => {
                    if let Some((rx, r, rw)) = run.take() {
                        ops.push(Op::Text {
                            x: rx,
                            y: baseline,
                            size,
                            run: r,
                        });
                        x = rx + rw;
                    }
                    run = Some((
                        x,
                        Run {
                            style: part.style,
                            text: part.text.clone(),
                            glyphs,
                        },
                        w,
                    ));
                }
            }
        }
        if let Some((rx, r, _)) = run {
            ops.push(Op::Text {
                x: rx,
                y: baseline,
                size,
                run: r,
            });
        }
        ops
    }

    /// A paragraph in the body: lines placed one by one, breaking pages between lines.
    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &mut self,
        spans: &[(Style, String)],
        size: f32,
        left: f32,
        width: f32,
        indent: f32,
        flow: Flow,
    ) -> Result<()> {
        let tokens = self.tokens(spans)?;
        let lines = self.wrap(tokens, size, width - indent, width);
        let lh = Self::line_h(size);
        let n = lines.len();
        self.paragraphs += 1;
        for (i, line) in lines.iter().enumerate() {
            // No first line alone at the foot of a page, no last line alone at the top of
            // one: a paragraph of up to three lines moves whole, a longer one leaves two.
            if i == 0 {
                self.ensure(lh * n.min(2) as f32);
                if n <= 3 {
                    self.ensure(lh * n as f32);
                }
            } else if n >= 4 && i == n - 2 {
                self.ensure(2.0 * lh);
            } else {
                self.ensure(lh);
            }
            let (x, avail) = if i == 0 {
                (left + indent, width - indent)
            } else {
                (left, width)
            };
            let baseline = self.baseline(self.y, size);
            let ops = self.line_ops(line, x, baseline, size, avail, flow, i + 1 == n);
            let page = self.pages.len().saturating_sub(1);
            let start = self.page().ops.len();
            self.tail.push((page, start, self.y, self.paragraphs));
            for op in ops {
                self.push(op);
            }
            self.y += lh;
        }
        Ok(())
    }

    /// Lines of a box that is placed as a whole (heading block, closing, table cells):
    /// returns the operations relative to `top` and the height, plus the last line's width.
    #[allow(clippy::too_many_arguments)]
    fn stack(
        &self,
        spans: &[(Style, String)],
        size: f32,
        left: f32,
        width: f32,
        top: f32,
        flow: Flow,
        ops: &mut Vec<Op>,
    ) -> Result<(f32, f32)> {
        let tokens = self.tokens(spans)?;
        let mut lines = self.wrap(tokens.clone(), size, width, width);
        if flow == Flow::Center && lines.len() > 1 {
            // Centred lines that wrap are balanced, as offices set them ("ỦY BAN NHÂN DÂN" /
            // "HUYỆN LỤC NGẠN", not a full line and one word): the narrowest width that
            // still gives as many lines.
            let n = lines.len();
            let (mut lo, mut hi) = (width / n as f32, width);
            for _ in 0..16 {
                let mid = (lo + hi) / 2.0;
                if self.wrap(tokens.clone(), size, mid, mid).len() == n {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            lines = self.wrap(tokens, size, hi, hi);
        }
        let lh = Self::line_h(size);
        let n = lines.len();
        let mut last_w = 0.0;
        for (i, line) in lines.iter().enumerate() {
            let baseline = self.baseline(top + lh * i as f32, size);
            ops.extend(self.line_ops(line, left, baseline, size, width, flow, i + 1 == n));
            last_w = line.width;
        }
        Ok((lh * n as f32, last_w))
    }

    /// `rest`: the blocks after this one, which a heading keeps its first lines with.
    fn block(&mut self, block: &Block, rest: &[Block]) -> Result<()> {
        self.tail.clear();
        match block {
            Block::Heading { level, text } => {
                let (style, text) = heading_style(*level, text);
                self.gap(PARA_GAP);
                // Keep a heading with the start of what it heads (through any headings
                // under it): the first two lines, a table's header and first row, a chart.
                let own = self.heading_height(style, &text)?;
                self.keep_with_next(own, rest)?;
                self.paragraph(
                    &[(style, text)],
                    BODY,
                    MARGIN_LEFT,
                    TEXT_W,
                    INDENT,
                    Flow::Left,
                )?;
            }
            Block::Paragraph { spans } => {
                self.gap(PARA_GAP);
                // A paragraph all in bold is a run-in title (a field's name over its table):
                // kept with what follows, as a heading is.
                if spans.iter().any(|s| !s.text.trim().is_empty()) && spans.iter().all(|s| s.bold) {
                    let tokens = self.tokens(&spans_of(spans))?;
                    let lines = self.wrap(tokens, BODY, TEXT_W - INDENT, TEXT_W).len();
                    self.keep_with_next(lines as f32 * Self::line_h(BODY), rest)?;
                }
                self.paragraph(
                    &spans_of(spans),
                    BODY,
                    MARGIN_LEFT,
                    TEXT_W,
                    INDENT,
                    Flow::Justify,
                )?;
            }
            Block::List { items } => {
                for (i, item) in items.iter().enumerate() {
                    self.gap(if i == 0 { PARA_GAP } else { PARA_GAP / 2.0 });
                    let mut spans = vec![(Style::Regular, "- ".to_string())];
                    spans.extend(spans_of(item));
                    self.paragraph(&spans, BODY, MARGIN_LEFT, TEXT_W, INDENT, Flow::Justify)?;
                }
            }
            Block::Table { table } => {
                self.gap(PARA_GAP);
                self.table(table)?;
            }
            Block::Chart { chart } => {
                self.gap(PARA_GAP);
                self.chart(chart)?;
            }
            Block::OfficeText { text } => {
                // Split as the Markdown and HTML renderings split it.
                for para in crate::document::paragraphs(text) {
                    self.gap(PARA_GAP);
                    self.paragraph(
                        &[(Style::Regular, clean(&para))],
                        BODY,
                        MARGIN_LEFT,
                        TEXT_W,
                        INDENT,
                        Flow::Justify,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Starts a new page unless a title `own` high and the start of `rest` fit on this one;
    /// when the two would not fit even on an empty page, the title needs two lines after it.
    fn keep_with_next(&mut self, own: f32, rest: &[Block]) -> Result<()> {
        let next = self.lead(rest)?;
        let need = if own + next <= BOTTOM - MARGIN_TOP {
            own + next
        } else {
            own + 2.0 * Self::line_h(BODY)
        };
        self.ensure(need);
        Ok(())
    }

    fn heading_height(&self, style: Style, text: &str) -> Result<f32> {
        let tokens = self.tokens(&[(style, text.to_string())])?;
        let lines = self.wrap(tokens, BODY, TEXT_W - INDENT, TEXT_W).len();
        Ok(lines as f32 * Self::line_h(BODY))
    }

    /// The height of the start of `rest` that may not be left alone under a heading.
    fn lead(&self, rest: &[Block]) -> Result<f32> {
        let Some(first) = rest.first() else {
            return Ok(0.0);
        };
        let two_lines = PARA_GAP + 2.0 * Self::line_h(BODY);
        Ok(match first {
            Block::Heading { level, text } => {
                let (style, text) = heading_style(*level, text);
                PARA_GAP + self.heading_height(style, &text)? + self.lead(&rest[1..])?
            }
            Block::Paragraph { .. } | Block::List { .. } | Block::OfficeText { .. } => two_lines,
            Block::Table { table } => {
                let (widths, header) = self.table_head(table)?;
                let first = match table.rows.first() {
                    Some(row) => row_height(&self.table_cells(row, &widths)?, Self::line_h(TABLE)),
                    None => 0.0,
                };
                PARA_GAP + row_height(&header, Self::line_h(TABLE)) + first
            }
            Block::Chart { chart } => {
                let h = if chart.width > 0.0 && chart.height > 0.0 {
                    TEXT_W * chart.height / chart.width
                } else {
                    TEXT_W / 2.0
                };
                PARA_GAP + h + 4.0 + 2.0 * Self::line_h(CAPTION)
            }
        })
    }

    /// A table's column widths (its relative widths shared out over the text width) and its
    /// header's cells, wrapped.
    fn table_head(&self, table: &Table) -> Result<(Vec<f32>, Vec<Vec<Line>>)> {
        let total: f32 = table.columns.iter().map(|c| f32::from(c.width)).sum();
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| {
                if total > 0.0 {
                    TEXT_W * f32::from(c.width) / total
                } else {
                    TEXT_W / table.columns.len().max(1) as f32
                }
            })
            .collect();
        let header = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.cell_lines(&c.header, Style::Bold, *w))
            .collect::<Result<_>>()?;
        Ok((widths, header))
    }

    /// A row's cells, wrapped; a missing cell is empty, one past the columns is not shown.
    fn table_cells(&self, row: &[String], widths: &[f32]) -> Result<Vec<Vec<Line>>> {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = row.get(i).map_or("", String::as_str);
                self.cell_lines(text, Style::Regular, *w)
            })
            .collect()
    }

    fn cell_lines(&self, text: &str, style: Style, w: f32) -> Result<Vec<Line>> {
        let tokens = self.tokens(&[(style, clean(text))])?;
        let inner = w - 2.0 * CELL_PAD_X;
        Ok(self.wrap(tokens, TABLE, inner, inner))
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width: RULE,
        });
    }

    /// The two columns above the title. The number (left) and the place-date line (right)
    /// share one row under the taller of the two columns, as both rule books show them.
    fn letterhead(&mut self, lh: &Letterhead) -> Result<()> {
        let party = lh.layout == Layout::Party;
        let lw = TEXT_W * 0.42;
        let rw = TEXT_W - lw;
        let lx = MARGIN_LEFT;
        let rx = MARGIN_LEFT + lw;
        let top = self.y;
        let mut ops = Vec::new();
        // Left column: superior body, issuer (bold), then "*" or a short rule.
        let size = 13.0;
        let mut ly = top;
        if let Some(superior) = &lh.superior {
            ly += self
                .stack(
                    &[(Style::Regular, clean(superior))],
                    size,
                    lx,
                    lw,
                    ly,
                    Flow::Center,
                    &mut ops,
                )?
                .0;
        }
        let (h, issuer_w) = self.stack(
            &[(Style::Bold, clean(&lh.issuer))],
            size,
            lx,
            lw,
            ly,
            Flow::Center,
            &mut ops,
        )?;
        ly += h;
        let mut rules = Vec::new();
        match &lh.mark {
            Some(mark) => {
                ly += self
                    .stack(
                        &[(Style::Regular, clean(mark))],
                        size,
                        lx,
                        lw,
                        ly,
                        Flow::Center,
                        &mut ops,
                    )?
                    .0;
            }
            None if !party => {
                // Decree 30: a rule under the issuer, a third to a half of its length.
                let len = issuer_w * 0.4;
                let y = self.under(ly - Self::line_h(size), size);
                rules.push((lx + (lw - len) / 2.0, lx + (lw + len) / 2.0, y));
                ly = y + 3.0;
            }
            None => {}
        }
        // Right column: the national name (and motto), the last line underlined.
        let mut ry = top;
        let n = lh.national.len();
        for (i, line) in lh.national.iter().enumerate() {
            let size = match (party, i + 1 == n && n > 1) {
                (true, _) => 15.0,
                (false, true) => 14.0,
                (false, false) => 13.0,
            };
            let (h, w) = self.stack(
                &[(Style::Bold, clean(line))],
                size,
                rx,
                rw,
                ry,
                Flow::Center,
                &mut ops,
            )?;
            ry += h;
            if i + 1 == n {
                let y = self.under(ry - Self::line_h(size), size);
                rules.push((rx + (rw - w) / 2.0, rx + (rw + w) / 2.0, y));
                ry = y + 3.0;
            }
        }
        let row = ly.max(ry) + 6.0;
        // The number is left blank for the office to write in: its spaces are kept.
        let number = clean(&lh.number).replace(' ', "\u{A0}");
        let (hn, _) = self.stack(
            &[(Style::Regular, number)],
            size,
            lx,
            lw,
            row,
            Flow::Center,
            &mut ops,
        )?;
        let (hp, _) = self.stack(
            &[(Style::Italic, clean(&lh.place_date))],
            14.0,
            rx,
            rw,
            row,
            Flow::Center,
            &mut ops,
        )?;
        for op in ops {
            self.push(op);
        }
        for (x1, x2, y) in rules {
            self.rule(x1, x2, y);
        }
        self.y = row + hn.max(hp);
        Ok(())
    }

    /// The kind ("BÁO CÁO") and the title lines, bold and centred, with the mark under them:
    /// a short rule (Decree 30) or five hyphens (36-HD/VPTW).
    fn title(&mut self, doc: &ReviewDocument) -> Result<()> {
        let party = doc.letterhead.layout == Layout::Party;
        self.y += 18.0;
        let kind_size = if party { 16.0 } else { 14.0 };
        let mut ops = Vec::new();
        let h = self
            .stack(
                &[(Style::Bold, clean(&doc.kind.to_uppercase()))],
                kind_size,
                MARGIN_LEFT,
                TEXT_W,
                self.y,
                Flow::Center,
                &mut ops,
            )?
            .0;
        self.y += h;
        let mut widest: f32 = 0.0;
        for line in &doc.title {
            let (h, w) = self.stack(
                &[(Style::Bold, clean(line))],
                BODY,
                MARGIN_LEFT,
                TEXT_W,
                self.y,
                Flow::Center,
                &mut ops,
            )?;
            self.y += h;
            widest = widest.max(w);
        }
        for op in ops {
            self.push(op);
        }
        if party {
            let mut ops = Vec::new();
            let h = self
                .stack(
                    &[(Style::Regular, "-----".to_string())],
                    BODY,
                    MARGIN_LEFT,
                    TEXT_W,
                    self.y,
                    Flow::Center,
                    &mut ops,
                )?
                .0;
            for op in ops {
                self.push(op);
            }
            self.y += h;
        } else {
            let len = (widest * 0.4).max(40.0);
            let y = self.under(self.y - Self::line_h(BODY), BODY);
            self.rule(
                MARGIN_LEFT + (TEXT_W - len) / 2.0,
                MARGIN_LEFT + (TEXT_W + len) / 2.0,
                y,
            );
            self.y = y + 3.0;
        }
        self.y += 6.0;
        Ok(())
    }

    /// A table: bold centred header, repeated at the top of each page it continues on; rows
    /// wrap their cells and move whole to the next page. A row taller than a whole page is
    /// cut between its lines.
    fn table(&mut self, table: &Table) -> Result<()> {
        if table.columns.is_empty() {
            return Ok(());
        }
        let lh = Self::line_h(TABLE);
        let (widths, header) = self.table_head(table)?;
        let flows: Vec<Flow> = table
            .columns
            .iter()
            .map(|c| match c.align {
                Align::Left => Flow::Left,
                Align::Center => Flow::Center,
                Align::Right => Flow::Right,
            })
            .collect();
        let header_flows = vec![Flow::Center; widths.len()];
        let header_h = row_height(&header, lh);
        let mut rows = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            rows.push(self.table_cells(row, &widths)?);
        }
        let first_h = rows.first().map_or(0.0, |r| row_height(r, lh));
        self.ensure(header_h + first_h);
        self.table_row(&header, &widths, &header_flows, lh);
        // A header taller than a third of a page is not repeated: it would leave little
        // room for rows, and a header taller than a page none at all.
        let repeat = header_h <= (BOTTOM - MARGIN_TOP) / 3.0;
        let top_h = if repeat { header_h } else { 0.0 };
        for row in rows {
            let mut row = row;
            // Each turn places the row, or moves to a new page, or places some of its lines:
            // the row ends placed, and a row cut between lines has fewer lines each time.
            while row.iter().any(|cell| !cell.is_empty()) {
                let h = row_height(&row, lh);
                if self.y + h <= BOTTOM + 0.01 {
                    self.table_row(&row, &widths, &flows, lh);
                    break;
                }
                let fresh = self.y <= MARGIN_TOP + top_h + 0.01;
                if !fresh {
                    self.new_page();
                    if repeat {
                        self.table_row(&header, &widths, &header_flows, lh);
                    }
                    continue;
                }
                // Taller than a page: what fits here, the rest on the next page.
                let fit = (((BOTTOM - self.y - 2.0 * CELL_PAD_Y) / lh).floor() as usize).max(1);
                let rest: Vec<Vec<Line>> = row
                    .iter_mut()
                    .map(|cell| cell.split_off(fit.min(cell.len())))
                    .collect();
                self.table_row(&row, &widths, &flows, lh);
                row = rest;
                if row.iter().any(|cell| !cell.is_empty()) {
                    self.new_page();
                    if repeat {
                        self.table_row(&header, &widths, &header_flows, lh);
                    }
                }
            }
        }
        Ok(())
    }

    fn table_row(&mut self, cells: &[Vec<Line>], widths: &[f32], flows: &[Flow], lh: f32) {
        let h = row_height(cells, lh);
        let top = self.y;
        let mut x = MARGIN_LEFT;
        let mut ops = Vec::new();
        for ((lines, w), flow) in cells.iter().zip(widths).zip(flows) {
            for (i, line) in lines.iter().enumerate() {
                let baseline = self.baseline(top + CELL_PAD_Y + lh * i as f32, TABLE);
                ops.extend(self.line_ops(
                    line,
                    x + CELL_PAD_X,
                    baseline,
                    TABLE,
                    w - 2.0 * CELL_PAD_X,
                    *flow,
                    true,
                ));
            }
            x += w;
        }
        for op in ops {
            self.push(op);
        }
        // Single-line borders: the row's top and bottom, and every column's sides.
        let right = MARGIN_LEFT + widths.iter().sum::<f32>();
        self.rule(MARGIN_LEFT, right, top);
        self.rule(MARGIN_LEFT, right, top + h);
        let mut x = MARGIN_LEFT;
        for w in std::iter::once(&0.0).chain(widths) {
            x += w;
            self.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: top + h,
                width: RULE,
            });
        }
        self.y = top + h;
    }

    /// A chart at the text width (smaller if it would not fit on a page), caption in italic
    /// under it; the two kept on one page.
    fn chart(&mut self, chart: &crate::document::Chart) -> Result<()> {
        let mut opt = usvg::Options {
            font_family: FAMILY.to_string(),
            ..usvg::Options::default()
        };
        opt.fontdb = self.fontdb.clone();
        let tree = usvg::Tree::from_str(&chart.svg, &opt).map_err(|e| PdfError::Chart {
            caption: brief(&chart.caption),
            reason: e.to_string(),
        })?;
        // Labels the fonts cannot show would be dropped by the SVG renderer: refuse instead.
        for text in svg_texts(&chart.svg) {
            let text = clean(&text);
            self.fonts.shape(Style::Regular, &text, false)?;
        }
        let (sw, sh) = if chart.width > 0.0 && chart.height > 0.0 {
            (chart.width, chart.height)
        } else {
            (tree.size().width(), tree.size().height())
        };
        let mut w = TEXT_W;
        let mut h = w * sh / sw;
        let mut ops = Vec::new();
        let caption_h = self
            .stack(
                &[(Style::Italic, clean(&chart.caption))],
                CAPTION,
                MARGIN_LEFT,
                TEXT_W,
                0.0,
                Flow::Center,
                &mut ops,
            )?
            .0;
        // The chart and (up to half a page of) its caption share a page.
        let caption_h = caption_h.min((BOTTOM - MARGIN_TOP) / 2.0);
        let room = BOTTOM - MARGIN_TOP - caption_h - 4.0;
        if h > room {
            w *= room / h;
            h = room;
        }
        if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
            return Err(PdfError::Chart {
                caption: brief(&chart.caption),
                reason: format!("its size {sw} × {sh} is not drawable"),
            });
        }
        self.ensure(h + 4.0 + caption_h);
        let index = self.charts.len();
        self.charts.push((tree, chart.caption.clone()));
        self.push(Op::Chart {
            chart: index,
            x: MARGIN_LEFT + (TEXT_W - w) / 2.0,
            y: self.y,
            w,
            h,
        });
        self.y += h + 4.0;
        // As a paragraph, so that even a caption longer than a page breaks across pages.
        self.paragraph(
            &[(Style::Italic, clean(&chart.caption))],
            CAPTION,
            MARGIN_LEFT,
            TEXT_W,
            0.0,
            Flow::Center,
        )
    }

    /// Recipients on the left, the signature block on the right, kept on one page.
    fn closing(&mut self, c: &Closing) -> Result<()> {
        let lw = TEXT_W * 0.45;
        let rw = TEXT_W - lw;
        let lx = MARGIN_LEFT;
        let rx = MARGIN_LEFT + lw;
        // Laid out at 0 first, to know the height, then moved to where it goes.
        let mut ops = Vec::new();
        let mut ly = 0.0;
        ly += self
            .stack(
                &[(Style::BoldItalic, clean(&c.recipients_label))],
                12.0,
                lx,
                lw,
                ly,
                Flow::Left,
                &mut ops,
            )?
            .0;
        for r in &c.recipients {
            ly += self
                .stack(
                    &[(Style::Regular, format!("- {}", clean(r)))],
                    11.0,
                    lx,
                    lw,
                    ly,
                    Flow::Left,
                    &mut ops,
                )?
                .0;
        }
        let mut ry = 0.0;
        for line in c.on_behalf.iter().chain(std::iter::once(&c.signer_title)) {
            ry += self
                .stack(
                    &[(Style::Bold, clean(line))],
                    BODY,
                    rx,
                    rw,
                    ry,
                    Flow::Center,
                    &mut ops,
                )?
                .0;
        }
        // Room for the signature and the seal.
        ry += 4.0 * Self::line_h(BODY);
        if let Some(signer) = &c.signer {
            ry += self
                .stack(
                    &[(Style::Bold, clean(signer))],
                    BODY,
                    rx,
                    rw,
                    ry,
                    Flow::Center,
                    &mut ops,
                )?
                .0;
        }
        let h = ly.max(ry);
        self.gap(12.0);
        if self.y + h > BOTTOM + 0.01 && !self.at_top() {
            self.carry_tail();
        }
        self.ensure(h);
        let dy = self.y;
        for op in ops {
            self.push(shift(op, dy));
        }
        self.y += h;
        Ok(())
    }

    /// Moves the last two lines of the page's last paragraph (all of its lines there if
    /// they are no more than three, so that none is left alone) to the top of a new page.
    fn carry_tail(&mut self) {
        let last = self.pages.len().saturating_sub(1);
        let Some(&(_, _, _, para)) = self.tail.last() else {
            return;
        };
        let on_page: Vec<(usize, f32)> = self
            .tail
            .iter()
            .filter(|(page, _, _, p)| *page == last && *p == para)
            .map(|&(_, start, top, _)| (start, top))
            .collect();
        let carry = if on_page.len() <= 3 { on_page.len() } else { 2 };
        // The whole page's text would move: nothing gained.
        let Some(&(start, top)) = on_page.get(on_page.len() - carry) else {
            return;
        };
        if carry == 0 || top <= MARGIN_TOP + 0.01 {
            return;
        }
        let moved = self.page().ops.split_off(start);
        let y = self.y;
        self.new_page();
        let dy = MARGIN_TOP - top;
        for op in moved {
            self.push(shift(op, dy));
        }
        self.y = y + dy;
        self.tail.clear();
    }

    /// Page numbers at the top centre, in the top margin, from page 2 on.
    fn page_numbers(&mut self) -> Result<()> {
        for (i, page) in self.pages.iter_mut().enumerate().skip(1) {
            let text = (i + 1).to_string();
            let piece = self.fonts.shape(Style::Regular, &text, false)?;
            let w = piece.em * PAGE_NUMBER;
            page.ops.push(Op::Text {
                x: MARGIN_LEFT + (TEXT_W - w) / 2.0,
                y: MARGIN_TOP / 2.0 + PAGE_NUMBER * 0.35,
                size: PAGE_NUMBER,
                run: Run {
                    style: Style::Regular,
                    text: piece.text,
                    glyphs: piece.glyphs,
                },
            });
        }
        Ok(())
    }
}

/// A caption as an error names it: its first 60 characters.
fn brief(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Up to 40 characters either side of `ch` in `text`: enough for an office to find it.
fn around(text: &str, ch: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().position(|&c| c == ch).unwrap_or(0);
    let from = at.saturating_sub(40);
    let to = (at + 41).min(chars.len());
    chars[from..to].iter().collect()
}

fn shift(op: Op, dy: f32) -> Op {
    match op {
        Op::Text { x, y, size, run } => Op::Text {
            x,
            y: y + dy,
            size,
            run,
        },
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        } => Op::Line {
            x1,
            y1: y1 + dy,
            x2,
            y2: y2 + dy,
            width,
        },
        Op::Chart { chart, x, y, w, h } => Op::Chart {
            chart,
            x,
            y: y + dy,
            w,
            h,
        },
    }
}

/// Level 1 bold upper case, level 2 bold, level 3 (and below) bold italic.
fn heading_style(level: u8, text: &str) -> (Style, String) {
    match level {
        0 | 1 => (Style::Bold, clean(&text.to_uppercase())),
        2 => (Style::Bold, clean(text)),
        _ => (Style::BoldItalic, clean(text)),
    }
}

fn row_height(cells: &[Vec<Line>], lh: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    lines as f32 * lh + 2.0 * CELL_PAD_Y
}

fn spans_of(spans: &[Span]) -> Vec<(Style, String)> {
    spans
        .iter()
        .map(|s| (Style::of(s.bold, s.italic), clean(&s.text)))
        .collect()
}
