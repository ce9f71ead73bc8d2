//! Observations as CSV: `unit,indicator,period,value,standing,source`.

use chitieu_domain::{Observation, Period, ReviewState, Standing, ValidationError};

use crate::error::{BundleError, ErrorItem, LineIndex};
use crate::text::{decimal_to_text, nfc, parse_decimal_text, DECIMAL_EXPECTED};

/// The header an observations CSV must have, in this order.
pub const CSV_HEADER: [&str; 6] = ["unit", "indicator", "period", "value", "standing", "source"];

/// Observations read from a CSV file, with the line each came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCsv {
    pub observations: Vec<Observation>,
    /// `lines[i]` is the 1-based line of `observations[i]`.
    pub lines: Vec<usize>,
}

fn csv_item(line: usize, location: Option<String>, message: String) -> ErrorItem {
    ErrorItem {
        line: Some(line),
        column: None,
        location,
        message,
    }
}

/// Reads observations from CSV (UTF-8; a BOM, CRLF line ends and whitespace around cells
/// are accepted). The header must be exactly `unit,indicator,period,value,standing,source`.
/// An empty `standing` is `final`, an empty `source` is none; every observation is
/// `approved`. Values are strict: a dot is the decimal separator (`12.5`, never `12,5`).
/// Rows whose cells are all empty are skipped. Errors read `obs.csv:7: column value: ...`.
pub fn parse_observations_csv(text: &str, file: &str) -> Result<ParsedCsv, BundleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // The csv crate miscounts lines with CRLF ends, and a record's position can be on the line
    // end before it: count lines from the first byte of the record.
    let ix = LineIndex::new(text);
    let line_of = |p: &csv::Position| {
        let at = usize::try_from(p.byte())
            .unwrap_or(usize::MAX)
            .min(text.len());
        let skipped = text.as_bytes().get(at..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count()
        });
        ix.pos(at + skipped).0
    };
    let mut errors = Vec::new();
    let mut parsed = ParsedCsv {
        observations: Vec::new(),
        lines: Vec::new(),
    };
    let mut header_seen = false;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, &line_of);
                errors.push(csv_item(line, None, format!("unreadable CSV: {e}")));
                break;
            }
        };
        let line = record.position().map_or(1, &line_of);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            let found: Vec<&str> = record.iter().collect();
            if found != CSV_HEADER {
                errors.push(csv_item(
                    line,
                    Some("header".into()),
                    format!(
                        "expected `{}`, found `{}`",
                        CSV_HEADER.join(","),
                        found.join(",")
                    ),
                ));
                break;
            }
            continue;
        }
        if record.len() != CSV_HEADER.len() {
            errors.push(csv_item(
                line,
                None,
                format!(
                    "expected {} columns, found {}",
                    CSV_HEADER.len(),
                    record.len()
                ),
            ));
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or_default();
        let mut bad = |column: &str, message: String| {
            errors.push(csv_item(line, Some(format!("column {column}")), message));
        };
        let mut required = |i: usize| {
            let v = cell(i);
            if v.is_empty() {
                bad(
                    CSV_HEADER.get(i).copied().unwrap_or_default(),
                    "missing value".into(),
                );
                None
            } else {
                Some(nfc(v))
            }
        };
        let unit = required(0);
        let indicator = required(1);
        let period_text = required(2);
        let value_text = required(3);
        let period = period_text.and_then(|p| match p.parse::<Period>() {
            Ok(p) => Some(p),
            Err(e) => {
                bad("period", e.to_string());
                None
            }
        });
        let value = value_text.and_then(|v| match parse_decimal_text(&v) {
            Some(d) => Some(d),
            None => {
                bad("value", format!("expected {DECIMAL_EXPECTED}, found {v:?}"));
                None
            }
        });
        let standing = match cell(4) {
            "" => Some(Standing::Final),
            s => Standing::parse(s).or_else(|| {
                let words: Vec<String> = Standing::ALL
                    .iter()
                    .map(|w| format!("`{}`", w.as_str()))
                    .collect();
                bad(
                    "standing",
                    format!(
                        "unknown standing `{s}`, expected one of {} or empty (final)",
                        words.join(", ")
                    ),
                );
                None
            }),
        };
        let source = Some(cell(5)).filter(|s| !s.is_empty()).map(nfc);
        if let (Some(unit), Some(indicator), Some(period), Some(value), Some(standing)) =
            (unit, indicator, period, value, standing)
        {
            parsed.observations.push(Observation {
                unit,
                indicator,
                period,
                value,
                standing,
                state: ReviewState::Approved,
                source,
                reported_by: None,
                reported: None,
            });
            parsed.lines.push(line);
        }
    }
    if !header_seen && errors.is_empty() {
        errors.push(csv_item(
            1,
            Some("header".into()),
            format!("expected `{}`, found an empty file", CSV_HEADER.join(",")),
        ));
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(BundleError::new(file, errors))
    }
}

/// Formats validation errors about observations read from CSV (by a store, which reports
/// `observations[i].unit` in the incoming list) with the CSV line and column name.
pub fn located_csv(file: &str, csv: &ParsedCsv, errors: &[ValidationError]) -> BundleError {
    let items = errors
        .iter()
        .map(|e| {
            let line = (e.location.collection == "observations")
                .then(|| csv.lines.get(e.location.index).copied())
                .flatten();
            let location = if line.is_some() && CSV_HEADER.contains(&e.location.field) {
                format!("column {}", e.location.field)
            } else {
                e.location.to_string()
            };
            ErrorItem {
                line,
                column: None,
                location: Some(location),
                message: e.message.clone(),
            }
        })
        .collect();
    BundleError::new(file, items)
}

fn cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Writes observations as CSV: a UTF-8 BOM (so Excel shows diacritics), the header and one
/// CRLF-terminated row per observation. Only the header's columns are written: `state`,
/// `reported_by` and `reported` are not part of this format, and cells lose surrounding
/// whitespace when read back.
pub fn observations_to_csv(obs: &[Observation]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for o in obs {
        let cells = [
            o.unit.clone(),
            o.indicator.clone(),
            o.period.to_string(),
            decimal_to_text(o.value),
            o.standing.as_str().to_string(),
            o.source.clone().unwrap_or_default(),
        ];
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            cell(&mut out, c);
        }
        out.push_str("\r\n");
    }
    out
}
