//! The review as a format-neutral document: what a Vietnamese review report holds, in the
//! order it holds it — the heading block, the title, the body's sections, the recipients and
//! the signature block. Markdown, HTML, Word and PDF are renderings of one `ReviewDocument`, so
//! the four can never say different things.
//!
//! Layout words follow the two rule books offices work to: a party committee's documents
//! (Hướng dẫn 36-HD/VPTW) and a state body's (Nghị định 30/2020/NĐ-CP).

use serde::Serialize;

use crate::locale::Lang;

/// Which rule book the heading block and the signature follow, chosen by the issuing body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A party committee (Hướng dẫn 36-HD/VPTW): superior body, issuing body, an asterisk and
    /// the number on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place-date line on the right.
    Party,
    /// A people's committee or other state body (Decree 30/2020/NĐ-CP): superior and issuing
    /// body and the number on the left; the national name and motto and the place-date line
    /// on the right.
    State,
}

/// The heading block: two columns above the title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letterhead {
    pub layout: Layout,
    /// Left column, first line, upper case: the body above the issuer ("ĐẢNG BỘ TỈNH BẮC
    /// GIANG"); absent for a top-level body.
    pub superior: Option<String>,
    /// Left column, bold, upper case: the issuing body ("HUYỆN ỦY LỤC NGẠN").
    pub issuer: String,
    /// Left column, under the issuer: "*" for a party document (36-HD/VPTW), a short rule for
    /// a state one (drawn by the renderer, so `None` here).
    pub mark: Option<String>,
    /// Left column, last line: "Số 45-BC/HU" (party) or "Số: 45/BC-UBND" (state). The number
    /// itself is left blank until the office gives it.
    pub number: String,
    /// Right column, bold, upper case; the last line is underlined. Party: "ĐẢNG CỘNG SẢN VIỆT
    /// NAM"; state: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "Độc lập - Tự do - Hạnh phúc".
    pub national: Vec<String>,
    /// Right column, italic: "Lục Ngạn, ngày 25 tháng 6 năm 2018".
    pub place_date: String,
}

/// A run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: true,
            italic: false,
        }
    }
    pub fn italic(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: true,
        }
    }
}

/// How a column's cells align.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub header: String,
    /// Relative width: renderers share the text width among columns in these proportions.
    pub width: u16,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// A chart drawn by `chart.rs`, the same SVG the web app shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub svg: String,
    /// Its size in points at print scale (the SVG's own width and height).
    pub width: f32,
    pub height: f32,
    /// Printed under the chart.
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "block")]
pub enum Block {
    /// Level 1: a Roman-numbered section ("I. KẾT QUẢ ..."), bold upper case; level 2: an
    /// Arabic-numbered part ("1. Công tác lãnh đạo"), bold; level 3: a resolution or a field
    /// within a part, bold italic.
    Heading { level: u8, text: String },
    Paragraph { spans: Vec<Span> },
    /// A list whose items begin with "- " in the report's style.
    List { items: Vec<Vec<Span>> },
    Table { table: Table },
    Chart { chart: Chart },
    /// The office's own text, as it wrote it: paragraphs separated by blank lines.
    OfficeText { text: String },
}

/// The recipients (left) and the signature block (right) that close the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closing {
    /// "Nơi nhận:".
    pub recipients_label: String,
    /// Each begins with "- " when rendered; the last usually "Lưu Văn phòng ...".
    pub recipients: Vec<String>,
    /// "T/M BAN THƯỜNG VỤ" (party) or "TM. ỦY BAN NHÂN DÂN" (state); absent when the signer
    /// signs in their own name.
    pub on_behalf: Option<String>,
    /// "BÍ THƯ", "CHỦ TỊCH"...
    pub signer_title: String,
    /// The signer's name, printed under the space for the signature; blank until given.
    pub signer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewDocument {
    pub lang: Lang,
    pub letterhead: Letterhead,
    /// The document's kind, bold upper case and centred: "BÁO CÁO".
    pub kind: String,
    /// What it reports on, bold and centred under the kind, possibly over several lines.
    pub title: Vec<String>,
    pub blocks: Vec<Block>,
    pub closing: Closing,
}
