//! Observations as CSV: `unit,indicator,period,value,standing,source`.

use std::borrow::Cow;
use std::io::Read;

use chitieu_domain::{Decimal, Observation, Period, ReviewState, Standing, ValidationError};

use crate::error::{BundleError, ErrorItem, LineIndex};
use crate::text::{decimal_to_text, nfc_cow, parse_decimal_text, DECIMAL_EXPECTED};

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
        if let Some(c) = read_cells(&record, line, &mut errors) {
            parsed.observations.push(Observation {
                unit: c.unit.into_owned(),
                indicator: c.indicator.into_owned(),
                period: c.period,
                value: c.value,
                standing: c.standing,
                state: ReviewState::Approved,
                source: c.source.map(Cow::into_owned),
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

/// The cells of one data row, checked; text NFC-normalised (borrowed when it already is).
struct Cells<'r> {
    unit: Cow<'r, str>,
    indicator: Cow<'r, str>,
    period: Period,
    value: Decimal,
    standing: Standing,
    source: Option<Cow<'r, str>>,
}

/// Reads a data row of [`CSV_HEADER`]'s columns; every problem goes to `errors`.
fn read_cells<'r>(
    record: &'r csv::StringRecord,
    line: usize,
    errors: &mut Vec<ErrorItem>,
) -> Option<Cells<'r>> {
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
        return None;
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
            Some(nfc_cow(v))
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
    let source = Some(cell(5)).filter(|s| !s.is_empty()).map(nfc_cow);
    Some(Cells {
        unit: unit?,
        indicator: indicator?,
        period: period?,
        value: value?,
        standing: standing?,
        source,
    })
}

/// One row of [`CsvObservations`], borrowed from the reader until the next row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvRow<'a> {
    /// The 1-based line the row starts on.
    pub line: usize,
    pub unit: &'a str,
    pub indicator: &'a str,
    pub period: Period,
    pub value: Decimal,
    pub standing: Standing,
    pub source: Option<&'a str>,
}

/// Counts line ends as the CSV reader pulls bytes, so that a row's line is known without
/// holding the text: the offsets of `\r` and `\n` not yet behind the current row are kept
/// (a few per row in flight), the `\n`s before it are only counted.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    ends: std::collections::VecDeque<(u64, u8)>,
    newlines_before: usize,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        for i in memchr::memchr2_iter(b'\r', b'\n', data) {
            if let Some(b) = data.get(i) {
                self.ends.push_back((self.offset + i as u64, *b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineCounter<R> {
    /// The line of a record whose position is byte `at`: the csv crate may place it on the
    /// line end before the record (after a CR of CRLF, or on a blank line), so line ends at
    /// `at` onwards are stepped over.
    fn line_at(&mut self, at: u64) -> usize {
        while let Some(&(o, b)) = self.ends.front() {
            if o >= at {
                break;
            }
            if b == b'\n' {
                self.newlines_before += 1;
            }
            self.ends.pop_front();
        }
        let mut line = self.newlines_before + 1;
        for (next, &(o, b)) in (at..).zip(self.ends.iter()) {
            if o != next {
                break;
            }
            if b == b'\n' {
                line += 1;
            }
        }
        line
    }
}

/// Observations read from CSV one row at a time, for imports too large to hold: the same
/// format, rules and messages as [`parse_observations_csv`], but the first problem ends the
/// reading (`next_row` returns it, then `None`). Opens nothing: give it any reader.
pub struct CsvObservations<R: Read> {
    reader: csv::Reader<LineCounter<R>>,
    record: csv::StringRecord,
    file: String,
    header_seen: bool,
    finished: bool,
    scratch: [String; 3],
}

impl<R: Read> CsvObservations<R> {
    pub fn new(input: R, file: &str) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .buffer_capacity(1 << 16)
            .from_reader(LineCounter {
                inner: input,
                offset: 0,
                ends: std::collections::VecDeque::new(),
                newlines_before: 0,
            });
        CsvObservations {
            reader,
            record: csv::StringRecord::new(),
            file: file.to_string(),
            header_seen: false,
            finished: false,
            scratch: Default::default(),
        }
    }

    fn fail(&mut self, items: Vec<ErrorItem>) -> Option<Result<CsvRow<'_>, BundleError>> {
        self.finished = true;
        Some(Err(BundleError::new(&self.file, items)))
    }

    /// The next observation; `None` at the end of the input or after an error.
    pub fn next_row(&mut self) -> Option<Result<CsvRow<'_>, BundleError>> {
        if self.finished {
            return None;
        }
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    if !self.header_seen {
                        return self.fail(vec![csv_item(
                            1,
                            Some("header".into()),
                            format!("expected `{}`, found an empty file", CSV_HEADER.join(",")),
                        )]);
                    }
                    return None;
                }
                Err(e) => {
                    let at = e.position().map_or(0, |p| p.byte());
                    let line = self.reader.get_mut().line_at(at);
                    return self.fail(vec![csv_item(line, None, format!("unreadable CSV: {e}"))]);
                }
            }
            let at = self.record.position().map_or(0, |p| p.byte());
            let line = self.reader.get_mut().line_at(at);
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            if !self.header_seen {
                self.header_seen = true;
                // A BOM is part of the first cell as the csv crate reads it.
                let found: Vec<&str> = self
                    .record
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i == 0 {
                            c.trim_start_matches('\u{feff}')
                        } else {
                            c
                        }
                    })
                    .collect();
                if found != CSV_HEADER {
                    let message = format!(
                        "expected `{}`, found `{}`",
                        CSV_HEADER.join(","),
                        found.join(",")
                    );
                    return self.fail(vec![csv_item(line, Some("header".into()), message)]);
                }
                continue;
            }
            let mut errors = Vec::new();
            let Some(cells) = read_cells(&self.record, line, &mut errors) else {
                return self.fail(errors);
            };
            // The row lends its text from the reader's scratch strings (the record's cells
            // cannot be lent alongside NFC-normalised copies): a few bytes copied into
            // buffers that are reused, no allocation per row.
            let Cells {
                unit,
                indicator,
                period,
                value,
                standing,
                source,
            } = cells;
            let has_source = source.is_some();
            let texts = [
                &unit,
                &indicator,
                source.as_ref().unwrap_or(&Cow::Borrowed("")),
            ];
            for (slot, text) in self.scratch.iter_mut().zip(texts) {
                slot.clear();
                slot.push_str(text);
            }
            let [u, i, s] = &self.scratch;
            return Some(Ok(CsvRow {
                line,
                unit: u,
                indicator: i,
                period,
                value,
                standing,
                source: has_source.then_some(s.as_str()),
            }));
        }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod stream_tests {
    use super::*;

    fn streamed(text: &str) -> Result<(Vec<Observation>, Vec<usize>), BundleError> {
        let mut r = CsvObservations::new(text.as_bytes(), "f.csv");
        let (mut obs, mut lines) = (Vec::new(), Vec::new());
        while let Some(row) = r.next_row() {
            let row = row?;
            lines.push(row.line);
            obs.push(Observation {
                unit: row.unit.into(),
                indicator: row.indicator.into(),
                period: row.period,
                value: row.value,
                standing: row.standing,
                state: ReviewState::Approved,
                source: row.source.map(Into::into),
                reported_by: None,
                reported: None,
            });
        }
        Ok((obs, lines))
    }

    /// The streaming reader reads what the whole-file parser reads, at the same lines, and
    /// fails at the same first line with the same message.
    #[test]
    fn streaming_matches_the_parser() {
        let good = [
            "unit,indicator,period,value,standing,source\nu,i,2019,1.50,,\nv,i,2019-Q2,-2,estimate,Cục\n",
            "\u{feff}unit,indicator,period,value,standing,source\r\nu,i,2019,1,final,\r\n\r\nu,i,2019-06,2,,\"a,\nb\"\r\nLu\u{0323}c,i,2020,3,,\r\n",
            "\n\nunit,indicator,period,value,standing,source\n\n u , i ,2019, 4 ,,\n,,,,,\nw,i,2019-H1,5,,\n",
        ];
        for text in good {
            let parsed = parse_observations_csv(text, "f.csv").unwrap();
            let (obs, lines) = streamed(text).unwrap();
            assert_eq!(obs, parsed.observations, "{text:?}");
            assert_eq!(lines, parsed.lines, "{text:?}");
        }
        let bad = [
            "",
            "unit,indicator\n",
            "unit,indicator,period,value,standing,source\r\nu,i,2019,1,,\r\nu,i,2019,\"12,5\",,\r\nu,i,2019,x,,\r\n",
            "unit,indicator,period,value,standing,source\nu,i,2019,1,,\n\nu,i,2019-13,1,,\n",
            "unit,indicator,period,value,standing,source\nu,i,2019,1,sure,\n",
            "unit,indicator,period,value,standing,source\nu,i,2019\n",
        ];
        for text in bad {
            let want = parse_observations_csv(text, "f.csv").unwrap_err();
            let got = streamed(text).unwrap_err();
            assert_eq!(got.errors.first(), want.errors.first(), "{text:?}");
            assert_eq!(got.file, "f.csv");
        }
    }
}
