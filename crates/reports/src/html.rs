//! The review as one self-contained HTML file: the Markdown review's content (`markdown.rs`,
//! the one layout of the review's text), rendered to HTML with its tables, under a stylesheet
//! of its own for screen and paper. It loads nothing: an office can mail the file, open it
//! offline, or print it from any browser.

use chitieu_domain::review::Review;

use crate::locale::{self, Lang};
use crate::markdown;

/// Markdown as HTML, tables included: the web app's review page shows the same body.
pub fn body_of(md: &str) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(
        &mut out,
        pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES),
    );
    out
}

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
td:first-child { white-space: nowrap; }
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; } }
";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The review of `r` as a complete HTML document in `lang`, with the terms it needs to tell a
/// mid-term from an end-of-term review.
pub fn review(lang: Lang, r: &Review, terms: &[chitieu_domain::Term]) -> String {
    let md = markdown::review_in_terms(lang, r, terms);
    let title = format!("{} — {}", r.unit.name, locale::date(lang, r.as_of));
    let code = match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<article class=\"review\">\n{}</article>\n</body>\n</html>\n",
        esc(&title),
        body_of(&md)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_and_escapes_become_html() {
        let html = body_of("# A & B\n\n| x | y |\n| --- | --- |\n| 1 | <2> |\n");
        assert!(html.contains("<h1>A &amp; B</h1>"), "{html}");
        assert!(html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("&lt;2&gt;"), "{html}");
        assert!(!html.contains("<2>"));
    }
}
