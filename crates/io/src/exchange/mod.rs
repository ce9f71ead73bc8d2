//! Exchange with the neighbours: DHIS2 data value sets (JSON and CSV) and SDMX-CSV, read into
//! observations and written from them, through a mapping file from their codes to chitieu's
//! ids (`docs/exchange.md`).
//!
//! Reading gives every observation of the file or every problem found (up to
//! [`MAX_PROBLEMS`]), each at its place: a JSON path with its line and column, or a CSV line
//! and column name. Writing sends, for each unit × indicator × period, the approved figure in
//! force (the formats hold one value per key); figures the mapping has no code for are left
//! out and counted in [`Exported::skipped`], so that a mapping may cover only what a
//! neighbour asks for.

pub mod dhis2;
pub mod mapping;
pub mod sdmx;

use std::collections::{BTreeMap, HashMap};

use chitieu_domain::{Observation, Period, ReviewState, ValidationError};

use crate::error::{BundleError, ErrorItem, LineIndex};

pub use mapping::{parse_mapping, CodeMap, Dhis2Mapping, Mapping, SdmxMapping};

/// At most this many problems are listed; a file with more stops being read there.
pub const MAX_PROBLEMS: usize = 100;

/// Where an observation was read: its line (and column) and how to name its fields there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: Option<usize>,
    /// Put before a field's name: `dataValues[3].` in JSON, `column ` in CSV.
    pub prefix: String,
}

/// Observations read from a neighbour's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub observations: Vec<Observation>,
    /// `places[i]` is where `observations[i]` was read.
    pub places: Vec<Place>,
    /// The file's name for chitieu's fields (`unit` → `orgUnit`), for messages.
    pub labels: BTreeMap<&'static str, String>,
    /// Rows left out on purpose: SDMX observations marked missing (no value).
    pub skipped: usize,
}

impl Imported {
    /// Formats a store's refusal of these observations (`observations[i].unit`: an unknown
    /// unit) at the place in the file each came from.
    pub fn located(&self, file: &str, errors: &[ValidationError]) -> BundleError {
        let items = errors
            .iter()
            .map(|e| {
                let place = (e.location.collection == "observations")
                    .then(|| self.places.get(e.location.index))
                    .flatten();
                match place {
                    Some(p) => ErrorItem {
                        line: Some(p.line),
                        column: p.column,
                        location: Some(format!(
                            "{}{}",
                            p.prefix,
                            self.labels
                                .get(e.location.field)
                                .map_or(e.location.field, String::as_str)
                        )),
                        message: e.message.clone(),
                    },
                    None => ErrorItem {
                        line: None,
                        column: None,
                        location: Some(e.location.to_string()),
                        message: e.message.clone(),
                    },
                }
            })
            .collect();
        BundleError::new(file, items)
    }
}

/// Figures not written for one reason, and for one unit or indicator when the reason is
/// that it has no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `not approved (…)`, `of units with no code in [dhis2.org_units] of MAP.toml`.
    pub reason: String,
    /// The unit or indicator without a code.
    pub id: Option<String>,
    pub count: usize,
}

/// A file written for a neighbour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    /// Figures written.
    pub written: usize,
    /// Figures not written: reasons in the order first met, ids alphabetically within one.
    pub skipped: Vec<Skipped>,
}

impl Exported {
    /// One line saying what was left out, or `None` when nothing was:
    /// `8 figures not written: 2 not approved (…); 6 of units with no code in
    /// [dhis2.org_units] of m.toml: chu (2), vn (4)`.
    pub fn skipped_line(&self) -> Option<String> {
        if self.skipped.is_empty() {
            return None;
        }
        let total: usize = self.skipped.iter().map(|s| s.count).sum();
        let mut parts: Vec<(String, usize, Vec<String>)> = Vec::new();
        for s in &self.skipped {
            match parts.iter_mut().find(|p| p.0 == s.reason) {
                Some(p) => {
                    p.1 += s.count;
                    p.2.extend(s.id.as_ref().map(|id| format!("{id} ({})", s.count)));
                }
                None => parts.push((
                    s.reason.clone(),
                    s.count,
                    s.id.iter()
                        .map(|id| format!("{id} ({})", s.count))
                        .collect(),
                )),
            }
        }
        let parts: Vec<String> = parts
            .into_iter()
            .map(|(why, n, ids)| {
                if ids.is_empty() {
                    format!("{n} {why}")
                } else {
                    format!("{n} {why}: {}", ids.join(", "))
                }
            })
            .collect();
        Some(format!(
            "{total} figure{} not written: {}",
            if total == 1 { "" } else { "s" },
            parts.join("; ")
        ))
    }
}

/// Problems of one file, at most [`MAX_PROBLEMS`]; an unmapped code is listed once, at its
/// first use, with how many values used it.
pub(crate) struct Problems {
    items: Vec<ErrorItem>,
    more: bool,
    unmapped: HashMap<(String, String), (usize, usize, String)>,
}

impl Problems {
    pub(crate) fn new() -> Problems {
        Problems {
            items: Vec::new(),
            more: false,
            unmapped: HashMap::new(),
        }
    }

    pub(crate) fn full(&self) -> bool {
        self.more
    }

    pub(crate) fn push(&mut self, item: ErrorItem) {
        if self.items.len() < MAX_PROBLEMS {
            self.items.push(item);
        } else {
            self.more = true;
        }
    }

    /// An unmapped code: listed at its first use; later uses only count.
    pub(crate) fn unmapped(&mut self, kind: &str, code: &str, item: ErrorItem) {
        let key = (kind.to_string(), code.to_string());
        if let Some((_, n, _)) = self.unmapped.get_mut(&key) {
            *n += 1;
            return;
        }
        if self.items.len() >= MAX_PROBLEMS {
            self.more = true;
            return;
        }
        let message = item.message.clone();
        self.unmapped.insert(key, (self.items.len(), 1, message));
        self.items.push(item);
    }

    pub(crate) fn finish(mut self, file: &str) -> Result<(), BundleError> {
        for (at, n, message) in self.unmapped.values() {
            if *n > 1 {
                if let Some(item) = self.items.get_mut(*at) {
                    item.message = format!("{message} ({n} values use it; the first is here)");
                }
            }
        }
        if self.items.is_empty() {
            return Ok(());
        }
        if self.more {
            self.items.push(ErrorItem {
                line: None,
                column: None,
                location: None,
                message: format!("stopped after {MAX_PROBLEMS} problems"),
            });
        }
        Err(BundleError::new(file, self.items))
    }
}

pub(crate) fn item(
    line: usize,
    column: Option<usize>,
    location: String,
    message: String,
) -> ErrorItem {
    ErrorItem {
        line: Some(line),
        column,
        location: Some(location),
        message,
    }
}

/// The figures to send: for each (unit, indicator, period), the approved figure in force —
/// the latest known (`reported`, else the period's first day), the later in the list on a
/// tie, as chitieu's own questions choose it — in (unit, indicator, period) order. Also
/// returns how many figures were left out for not being approved.
pub(crate) fn in_force(obs: &[Observation]) -> (Vec<&Observation>, usize) {
    let mut best: BTreeMap<(&str, &str, Period), usize> = BTreeMap::new();
    let mut unapproved = 0;
    for (i, o) in obs.iter().enumerate() {
        if o.state != ReviewState::Approved {
            unapproved += 1;
            continue;
        }
        let key = (o.unit.as_str(), o.indicator.as_str(), o.period);
        match best.get(&key) {
            Some(&j) if obs.get(j).is_some_and(|p| p.known_from() > o.known_from()) => {}
            _ => {
                best.insert(key, i);
            }
        }
    }
    let chosen = best.values().filter_map(|&i| obs.get(i)).collect();
    (chosen, unapproved)
}

/// Counts figures left out, by reason (in first-seen order) and id.
#[derive(Default)]
pub(crate) struct Skips {
    order: Vec<String>,
    counts: BTreeMap<(usize, Option<String>), usize>,
}

impl Skips {
    pub(crate) fn add(&mut self, why: &str, id: Option<&str>, n: usize) {
        if n == 0 {
            return;
        }
        let at = match self.order.iter().position(|w| w == why) {
            Some(at) => at,
            None => {
                self.order.push(why.to_string());
                self.order.len() - 1
            }
        };
        *self.counts.entry((at, id.map(String::from))).or_insert(0) += n;
    }

    pub(crate) fn into_vec(self) -> Vec<Skipped> {
        let Skips { order, counts } = self;
        counts
            .into_iter()
            .map(|((at, id), count)| Skipped {
                reason: order.get(at).cloned().unwrap_or_default(),
                id,
                count,
            })
            .collect()
    }
}

/// Why figures of a unit or indicator without a code are not written.
pub(crate) fn no_code(kind: &str, section: &str, map_file: &str) -> String {
    format!("of {kind} with no code in [{section}] of {map_file}")
}

pub(crate) const NOT_APPROVED: &str = "not approved (draft, submitted or returned)";

/// Every record of a CSV text with the 1-based line it starts on, or the first unreadable
/// record as a problem. Cells keep their spaces here; readers trim what they compare.
pub(crate) fn csv_records(
    text: &str,
    delimiter: u8,
) -> Result<Vec<(usize, csv::StringRecord)>, ErrorItem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let ix = LineIndex::new(text);
    // A record's position can be on the line end before it (see obs_csv): step over it.
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
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(1, &line_of);
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                out.push((line, r));
            }
            Err(e) => {
                let line = e.position().map_or(1, &line_of);
                return Err(ErrorItem {
                    line: Some(line),
                    column: None,
                    location: None,
                    message: format!("unreadable CSV: {e}"),
                });
            }
        }
    }
    Ok(out)
}

/// A CSV cell written so that it reads back the same (RFC 4180 quoting).
pub(crate) fn csv_cell(out: &mut String, s: &str, delimiter: char) {
    if s.contains([delimiter, '"', '\n', '\r']) || s.trim() != s {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

pub(crate) fn csv_row(out: &mut String, cells: &[&str]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(out, c, ',');
    }
    out.push_str("\r\n");
}
