//! The review as one self-contained HTML file: the review document (`document.rs`) as HTML,
//! its charts inline, under a stylesheet of its own for screen and paper. It loads nothing:
//! an office can mail the file, open it offline, or print it from any browser.

use crate::document::{self, ReviewDocument};
use crate::locale::Lang;

// Times New Roman is the typeface Decree 30/2020/NĐ-CP sets for administrative documents and
// carries every Vietnamese diacritic on the machines offices use; the fallbacks do too.
const STYLE: &str = "\
body { font-family: \"Times New Roman\", \"Liberation Serif\", \"DejaVu Serif\", serif; \
font-size: 14pt; line-height: 1.4; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #000; }
h1 { font-size: 16pt; text-align: center; text-transform: uppercase; }
h2 { font-size: 14pt; } h3 { font-size: 14pt; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: 12pt; }
th, td { border: 1px solid #000; padding: .2rem .4rem; vertical-align: top; text-align: left; }
th { font-weight: bold; text-align: center; }
td.c { text-align: center; } td.r { text-align: right; }
.letterhead, .closing { display: flex; justify-content: space-between; gap: 1rem; }
.letterhead > div { text-align: center; flex: 1; }
.letterhead .issuer .body, .letterhead .national div:not(.place-date) { font-weight: bold; }
.letterhead .motto { text-decoration: underline; }
.letterhead .rule { width: 6rem; margin: .2rem auto; border-top: 1px solid #000; }
.letterhead .number { margin-top: .3rem; } .letterhead .place-date { font-style: italic; margin-top: .6rem; }
h1 { margin: 1.2rem 0 0; } p.title { text-align: center; font-weight: bold; margin-top: .2rem; }
h4 { font-style: italic; } p.office { text-indent: 1.2cm; text-align: justify; }
figure.chart { margin: .6rem 0; text-align: center; } figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { font-style: italic; font-size: 12pt; }
.closing { margin-top: 1.5rem; } .closing .recipients { font-size: 11pt; flex: 1; }
.closing .recipients .label { font-weight: bold; font-style: italic; font-size: 12pt; }
.closing .signature { text-align: center; font-weight: bold; flex: 1; } .closing .space { height: 5rem; }
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; } }
";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The review document as a complete HTML file.
pub fn review(doc: &ReviewDocument) -> String {
    let title = doc.title.join(" ");
    let code = match doc.lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<article class=\"review\">\n{}</article>\n</body>\n</html>\n",
        esc(&title),
        document::html_body(doc)
    )
}
