//! The office's text for a review as a TOML file (`docs/review-text.md`): what `chitieu
//! review-text set` reads and `chitieu review-text show` writes.

use chitieu_domain::{Layout, ReviewText};
use unicode_normalization::UnicodeNormalization;

use crate::error::{BundleError, ErrorItem, LineIndex};

const KEYS: [&str; 12] = [
    "unit",
    "as_of",
    "number",
    "layout",
    "issuer",
    "superior",
    "place",
    "causes",
    "directions",
    "recipients",
    "signer",
    "signer_title",
];

fn item(location: &str, message: impl Into<String>) -> ErrorItem {
    ErrorItem {
        line: None,
        column: None,
        location: Some(location.to_string()),
        message: message.into(),
    }
}

/// Reads the text of a review from TOML. `file` names the source in errors, which give the
/// line and column of a syntax error and the key of a wrong value.
pub fn parse_review_text(text: &str, file: &str) -> Result<ReviewText, BundleError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, column) = e
            .span()
            .map(|s| LineIndex::new(text).pos(s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        BundleError::new(
            file,
            vec![ErrorItem {
                line,
                column,
                location: None,
                message: e.message().trim().replace('\n', " "),
            }],
        )
    })?;
    let mut errors = Vec::new();
    for k in table.keys() {
        if !KEYS.contains(&k.as_str()) {
            errors.push(item(
                k,
                format!("unknown key; expected one of {}", KEYS.join(", ")),
            ));
        }
    }
    let string = |key: &str, errors: &mut Vec<ErrorItem>| -> Option<String> {
        match table.get(key) {
            None => None,
            Some(toml::Value::String(s)) => Some(s.nfc().collect()),
            Some(_) => {
                errors.push(item(key, "expected a string"));
                None
            }
        }
    };
    let unit = string("unit", &mut errors);
    if unit.is_none() && !table.contains_key("unit") {
        errors.push(item("unit", "missing; expected the unit's id"));
    }
    let as_of = match table.get("as_of") {
        Some(toml::Value::Datetime(d)) => d.to_string().parse().ok(),
        Some(toml::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    if as_of.is_none() {
        errors.push(item("as_of", "expected the review's date as YYYY-MM-DD"));
    }
    let layout = string("layout", &mut errors).and_then(|s| {
        let l = Layout::parse(&s);
        if l.is_none() {
            errors.push(item(
                "layout",
                format!(
                    "`{s}`: expected party (Hướng dẫn 36-HD/VPTW) or state (Decree 30/2020/NĐ-CP)"
                ),
            ));
        }
        l
    });
    let recipients = match table.get("recipients") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                toml::Value::String(s) => Some(s.nfc().collect()),
                _ => {
                    errors.push(item(&format!("recipients[{i}]"), "expected a string"));
                    None
                }
            })
            .collect(),
        Some(toml::Value::String(s)) => s.lines().map(|l| l.nfc().collect()).collect(),
        Some(_) => {
            errors.push(item("recipients", "expected a list of strings"));
            Vec::new()
        }
    };
    let t = ReviewText {
        unit: unit.unwrap_or_default(),
        as_of: as_of.unwrap_or_default(),
        number: string("number", &mut errors),
        layout,
        issuer: string("issuer", &mut errors),
        superior: string("superior", &mut errors),
        place: string("place", &mut errors),
        causes: string("causes", &mut errors).unwrap_or_default(),
        directions: string("directions", &mut errors).unwrap_or_default(),
        recipients,
        signer: string("signer", &mut errors),
        signer_title: string("signer_title", &mut errors),
    };
    if !errors.is_empty() {
        return Err(BundleError::new(file, errors));
    }
    t.normalised().map_err(|e| match e {
        chitieu_domain::ReviewTextError::Invalid { field, message } => {
            BundleError::new(file, vec![item(field, message)])
        }
    })
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Long text as a TOML multi-line literal when it can be one (no `'''` inside), so the file
/// reads as the office wrote it.
fn long(s: &str) -> String {
    if s.contains('\n') && !s.contains("'''") {
        format!("'''\n{s}\n'''")
    } else {
        quoted(s)
    }
}

/// Writes the text of a review as TOML that [`parse_review_text`] reads back the same.
pub fn review_text_to_toml(t: &ReviewText) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "unit = {}", quoted(&t.unit));
    let _ = writeln!(o, "as_of = {}", t.as_of);
    let opt = |o: &mut String, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(o, "{k} = {}", quoted(v));
        }
    };
    opt(&mut o, "number", &t.number);
    if let Some(l) = t.layout {
        let _ = writeln!(o, "layout = {}", quoted(l.as_str()));
    }
    opt(&mut o, "issuer", &t.issuer);
    opt(&mut o, "superior", &t.superior);
    opt(&mut o, "place", &t.place);
    opt(&mut o, "signer", &t.signer);
    opt(&mut o, "signer_title", &t.signer_title);
    if !t.recipients.is_empty() {
        let _ = writeln!(o, "recipients = [");
        for r in &t.recipients {
            let _ = writeln!(o, "  {},", quoted(r));
        }
        let _ = writeln!(o, "]");
    }
    let _ = writeln!(o, "causes = {}", long(&t.causes));
    let _ = writeln!(o, "directions = {}", long(&t.directions));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ReviewText {
        ReviewText {
            number: Some("45-BC/HU".into()),
            layout: Some(Layout::Party),
            place: Some("Lục Ngạn".into()),
            causes: "Nguyên nhân khách quan: \"thời tiết\".\n\nNguyên nhân chủ quan.".into(),
            directions: "Một dòng.".into(),
            recipients: vec!["Ban Thường vụ Tỉnh ủy (b/c),".into(), "Lưu VP.".into()],
            signer: Some("Thân Văn Khánh".into()),
            signer_title: Some("BÍ THƯ".into()),
            ..ReviewText::new(
                "luc-ngan",
                chrono::NaiveDate::from_ymd_opt(2018, 6, 25).unwrap_or_default(),
            )
        }
    }

    #[test]
    fn written_text_reads_back_the_same() {
        let t = sample();
        let toml = review_text_to_toml(&t);
        assert_eq!(parse_review_text(&toml, "t.toml"), Ok(t), "{toml}");
    }

    #[test]
    fn a_date_may_be_quoted_or_bare() {
        let bare = parse_review_text("unit = \"u\"\nas_of = 2018-06-25\n", "t.toml");
        let quoted = parse_review_text("unit = \"u\"\nas_of = \"2018-06-25\"\n", "t.toml");
        assert!(bare.is_ok(), "{bare:?}");
        assert_eq!(bare, quoted);
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        let e = parse_review_text(
            "unit = \"u\"\nas_of = \"25/6/2018\"\nlayout = \"council\"\nsigner = 3\nsignr = \"x\"\n",
            "t.toml",
        )
        .err()
        .map(|e| e.errors.iter().map(|i| i.to_string()).collect::<Vec<_>>())
        .unwrap_or_default();
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e.iter().any(|x| x.contains("signr: unknown key")), "{e:?}");
        assert!(
            e.iter()
                .any(|x| x.contains("as_of: expected the review's date as YYYY-MM-DD")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|x| x.contains("layout: `council`: expected party")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|x| x.contains("signer: expected a string")),
            "{e:?}"
        );
    }

    #[test]
    fn a_syntax_error_gives_line_and_column() {
        let e = parse_review_text("unit = \"u\"\nas_of = \n", "t.toml").err();
        let first = e.as_ref().and_then(|e| e.errors.first());
        assert_eq!(first.and_then(|i| i.line), Some(2), "{e:?}");
        assert!(first.and_then(|i| i.column).is_some());
    }
}
