//! Reading a bundle: TOML text → spanned raw tables → domain [`Dataset`].
//!
//! The TOML is first read into raw tables whose keys and values carry their spans (unknown
//! top-level keys and syntax errors are reported by the TOML reader). Each table is then
//! converted field by field, so every problem — a typo'd key, a wrong type, an unknown word,
//! a missing field — is reported at its own line and column with the accepted alternatives.

use std::collections::{BTreeMap, HashMap, HashSet};

use chitieu_domain::{
    Adjustment, Aggregation, AggregationMethod, BodyKind, Change, CompareOp, Dataset, Decision,
    Direction, Document, DocumentKind, Field, Indicator, Level, Location, Milestone, Observation,
    Period, Reorganisation, ReorganisationKind, Resolution, ResolutionKind, ReviewState, Standing,
    Subject, Succession, Target, TargetKind, TargetSpec, TargetValue, Task, TaskState, Term, Unit,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::error::{BundleError, ErrorItem, LineIndex};
use crate::source_map::{located, SourceMap, TableSpan};
use crate::text::{decimal_from_f64, nfc, parse_decimal_text, DECIMAL_EXPECTED};

/// The value of the required top-level `format` key.
pub const BUNDLE_FORMAT: &str = "chitieu-bundle/1";

type RawTable = BTreeMap<Spanned<String>, Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBundle {
    format: Option<Spanned<Value>>,
    #[serde(default)]
    units: Vec<Spanned<RawTable>>,
    #[serde(default)]
    terms: Vec<Spanned<RawTable>>,
    #[serde(default)]
    resolutions: Vec<Spanned<RawTable>>,
    #[serde(default)]
    indicators: Vec<Spanned<RawTable>>,
    #[serde(default)]
    targets: Vec<Spanned<RawTable>>,
    #[serde(default)]
    adjustments: Vec<Spanned<RawTable>>,
    #[serde(default)]
    documents: Vec<Spanned<RawTable>>,
    #[serde(default)]
    tasks: Vec<Spanned<RawTable>>,
    #[serde(default)]
    reorganisations: Vec<Spanned<RawTable>>,
    #[serde(default)]
    observations: Vec<Spanned<RawTable>>,
}

/// A bundle read from a file: the data, and where each of its parts was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBundle {
    pub dataset: Dataset,
    pub spans: SourceMap,
}

type Pos = (usize, usize);

struct Entry<'v> {
    key: Pos,
    at: Pos,
    value: &'v Value,
}

/// One `[[collection]]` table being converted.
struct Tbl<'v> {
    collection: &'static str,
    index: usize,
    at: Pos,
    entries: BTreeMap<&'v str, Entry<'v>>,
}

type Errors = Vec<ErrorItem>;

fn item(at: Pos, location: String, message: String) -> ErrorItem {
    ErrorItem {
        line: Some(at.0),
        column: Some(at.1),
        location: Some(location),
        message,
    }
}

fn list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'v> Tbl<'v> {
    fn here(&self) -> String {
        format!("{}[{}]", self.collection, self.index)
    }

    fn loc(&self, key: &str) -> String {
        format!("{}[{}].{}", self.collection, self.index, key)
    }

    fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    fn at(&self, key: &str) -> Pos {
        self.entries.get(key).map_or(self.at, |e| e.at)
    }

    fn err(&self, errs: &mut Errors, key: &str, message: String) {
        errs.push(item(self.at(key), self.loc(key), message));
    }

    fn err_table(&self, errs: &mut Errors, message: String) {
        errs.push(item(self.at, self.here(), message));
    }

    fn check_keys(&self, errs: &mut Errors, allowed: &[&str]) {
        for (k, e) in &self.entries {
            if !allowed.contains(k) {
                errs.push(item(
                    e.key,
                    self.loc(k),
                    format!("unknown field `{k}`, expected one of {}", list(allowed)),
                ));
            }
        }
    }

    /// A required field: `None` (and an error) when it is absent or malformed.
    fn req<T>(
        &self,
        errs: &mut Errors,
        key: &str,
        conv: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        if !self.has(key) {
            self.err_table(errs, format!("missing field `{key}`"));
            return None;
        }
        self.opt(errs, key, conv)
    }

    /// An optional field: `None` when absent, or malformed (with an error).
    fn opt<T>(
        &self,
        errs: &mut Errors,
        key: &str,
        conv: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let e = self.entries.get(key)?;
        match conv(e.value) {
            Ok(v) => Some(v),
            Err(m) => {
                errs.push(item(e.at, self.loc(key), m));
                None
            }
        }
    }

    /// `value`, `value_min` + `value_max` or `change_per_year`: exactly one when `required`,
    /// at most one otherwise. `Err` when an error was reported.
    fn target_value(&self, errs: &mut Errors, required: bool) -> Result<Option<TargetValue>, ()> {
        const ONE_OF: &str =
            "give exactly one of `value`, `value_min` + `value_max`, or `change_per_year`";
        let forms: Vec<(&str, Pos)> = ["value", "value_min", "value_max", "change_per_year"]
            .into_iter()
            .filter_map(|k| self.entries.get(k).map(|e| (k, e.key)))
            .collect();
        fn form(k: &str) -> &str {
            if k.starts_with("value_") {
                "range"
            } else {
                k
            }
        }
        let mut kinds: Vec<&str> = forms.iter().map(|(k, _)| form(k)).collect();
        kinds.dedup();
        if kinds.len() > 1 {
            // Point at the one written last.
            let (k, _) = forms
                .iter()
                .max_by_key(|(_, p)| *p)
                .copied()
                .unwrap_or(("value", self.at));
            self.err(errs, k, format!("{ONE_OF}, not several"));
            return Err(());
        }
        match kinds.first().copied() {
            None if required => {
                self.err_table(errs, format!("missing field `value`: {ONE_OF}"));
                Err(())
            }
            None => Ok(None),
            Some("range") => {
                let min = self.req(errs, "value_min", decimal);
                let max = self.req(errs, "value_max", decimal);
                match (min, max) {
                    (Some(min), Some(max)) => Ok(Some(TargetValue::Range { min, max })),
                    _ => Err(()),
                }
            }
            Some("change_per_year") => self
                .opt(errs, "change_per_year", decimal)
                .map(|v| Some(TargetValue::ChangePerYear(v)))
                .ok_or(()),
            Some(_) => self
                .opt(errs, "value", decimal)
                .map(|v| Some(TargetValue::Exact(v)))
                .ok_or(()),
        }
    }

    fn milestones(&self, errs: &mut Errors) -> Option<Vec<Milestone>> {
        let e = self.entries.get("milestones")?;
        let Value::Array(items) = e.value else {
            self.err(
                errs,
                "milestones",
                format!(
                    "expected an array like [{{ period = \"2018\", value = 36 }}], found {}",
                    describe(e.value)
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (j, v) in items.iter().enumerate() {
            let loc = |k: &str| format!("{}.milestones[{j}]{k}", self.here());
            let Value::Table(m) = v else {
                errs.push(item(
                    e.at,
                    loc(""),
                    format!(
                        "expected a table like {{ period = \"2018\", value = 36 }}, found {}",
                        describe(v)
                    ),
                ));
                ok = false;
                continue;
            };
            for k in m.keys() {
                if k != "period" && k != "value" {
                    errs.push(item(
                        e.at,
                        loc(&format!(".{k}")),
                        format!("unknown field `{k}`, expected one of `period`, `value`"),
                    ));
                    ok = false;
                }
            }
            let mut field = |k: &str| match m.get(k) {
                None => {
                    errs.push(item(e.at, loc(""), format!("missing field `{k}`")));
                    None
                }
                Some(v) => Some(v),
            };
            let (period_v, value_v) = (field("period"), field("value"));
            let period = period_v.map(period).transpose();
            let value = value_v.map(decimal).transpose();
            match (period, value) {
                (Ok(Some(period)), Ok(Some(value))) => out.push(Milestone { period, value }),
                (p, v) => {
                    if let Err(m) = p {
                        errs.push(item(e.at, loc(".period"), m));
                    }
                    if let Err(m) = v {
                        errs.push(item(e.at, loc(".value"), m));
                    }
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A reorganisation's `parts`: `[{ from = "a", to = "b", share = 0.5 }]`, `share`
    /// defaulting to 1. Problems point at the array, naming the part.
    fn parts(&self, errs: &mut Errors) -> Option<Vec<Succession>> {
        const EXAMPLE: &str = "{ from = \"a\", to = \"b\", share = 0.5 }";
        let Some(e) = self.entries.get("parts") else {
            self.err_table(
                errs,
                format!("missing field `parts`: what becomes of each unit, like [{EXAMPLE}]"),
            );
            return None;
        };
        let Value::Array(items) = e.value else {
            self.err(
                errs,
                "parts",
                format!(
                    "expected an array like [{EXAMPLE}], found {}",
                    describe(e.value)
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (j, v) in items.iter().enumerate() {
            let loc = |k: &str| format!("{}.parts[{j}]{k}", self.here());
            let Value::Table(m) = v else {
                errs.push(item(
                    e.at,
                    loc(""),
                    format!("expected a table like {EXAMPLE}, found {}", describe(v)),
                ));
                ok = false;
                continue;
            };
            for k in m.keys() {
                if !["from", "to", "share"].contains(&k.as_str()) {
                    errs.push(item(
                        e.at,
                        loc(&format!(".{k}")),
                        format!("unknown field `{k}`, expected one of `from`, `to`, `share`"),
                    ));
                    ok = false;
                }
            }
            let mut field = |k: &str, conv: fn(&Value) -> Result<String, String>| match m.get(k) {
                None => {
                    errs.push(item(e.at, loc(""), format!("missing field `{k}`")));
                    None
                }
                Some(v) => match conv(v) {
                    Ok(x) => Some(x),
                    Err(message) => {
                        errs.push(item(e.at, loc(&format!(".{k}")), message));
                        None
                    }
                },
            };
            let (from, to) = (field("from", string), field("to", string));
            let share = match m.get("share").map(decimal).transpose() {
                Ok(share) => Some(share.unwrap_or(Decimal::ONE)),
                Err(message) => {
                    errs.push(item(e.at, loc(".share"), message));
                    None
                }
            };
            match (from, to, share) {
                (Some(from), Some(to), Some(share)) => out.push(Succession { from, to, share }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => format!("an integer ({i})"),
        Value::Float(f) => format!("a float ({f})"),
        Value::Boolean(b) => format!("a boolean ({b})"),
        Value::Datetime(d) => format!("a date-time ({d})"),
        Value::Array(_) => "an array".into(),
        Value::Table(_) => "a table".into(),
    }
}

fn string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(nfc(s)),
        other => Err(format!("expected a string, found {}", describe(other))),
    }
}

/// Codes and numbers are strings: `"11"`, `"08-NQ/HU"`.
fn code(v: &Value) -> Result<String, String> {
    match v {
        Value::Integer(i) => Err(format!(
            "expected a string, found {} (write codes in quotes: \"{i}\")",
            describe(v)
        )),
        other => string(other),
    }
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::Array(items) => items.iter().map(string).collect(),
        other => Err(format!(
            "expected an array of strings, found {}",
            describe(other)
        )),
    }
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Boolean(b) => Ok(*b),
        other => Err(format!(
            "expected `true` or `false`, found {}",
            describe(other)
        )),
    }
}

fn whole(min: u32, max: u32) -> impl Fn(&Value) -> Result<u32, String> {
    move |v| match v {
        Value::Integer(i) if (i64::from(min)..=i64::from(max)).contains(i) => {
            u32::try_from(*i).map_err(|e| e.to_string())
        }
        other => Err(format!(
            "expected a whole number from {min} to {max}, found {}",
            describe(other)
        )),
    }
}

/// An exact decimal from a TOML integer, float (its shortest form) or string.
fn decimal(v: &Value) -> Result<Decimal, String> {
    match v {
        Value::Integer(i) => Ok(Decimal::from(*i)),
        Value::Float(f) => decimal_from_f64(*f),
        Value::String(s) => parse_decimal_text(s).ok_or_else(|| {
            if s.trim().contains(',') || s.trim().contains('e') || s.trim().contains('E') {
                format!("expected {DECIMAL_EXPECTED}, found {s:?}")
            } else {
                format!("expected a number ({DECIMAL_EXPECTED}; quoted when it has many digits), found {s:?}")
            }
        }),
        other => Err(format!("expected a number, found {}", describe(other))),
    }
}

fn date(v: &Value) -> Result<NaiveDate, String> {
    const EXPECTED: &str = "expected a date like 2018-06-25";
    match v {
        Value::Datetime(d) => match (d.date, d.time, d.offset) {
            (Some(x), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(x.year), u32::from(x.month), u32::from(x.day))
                    .ok_or_else(|| {
                        format!("{EXPECTED}, found {d}, which is not a day of the calendar")
                    })
            }
            _ => Err(format!(
                "{EXPECTED} (no time of day), found a date-time ({d})"
            )),
        },
        Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{EXPECTED}, found {s:?}")),
        other => Err(format!("{EXPECTED}, found {}", describe(other))),
    }
}

fn period(v: &Value) -> Result<Period, String> {
    match v {
        Value::String(s) => s.parse::<Period>().map_err(|e| e.to_string()),
        Value::Integer(y) if (1000..=9999).contains(y) => Ok(Period::Year(i32::try_from(*y).unwrap_or_default())),
        other => Err(format!(
            "expected a period: a year (\"2018\"), a half (\"2018-H1\"), a quarter (\"2018-Q2\") or a month (\"2018-06\"), found {}",
            describe(other)
        )),
    }
}

/// One of a closed set of words.
fn word<T: Copy>(
    what: &'static str,
    all: &'static [T],
    name: fn(T) -> &'static str,
) -> impl Fn(&Value) -> Result<T, String> {
    move |v| {
        let words: Vec<&str> = all.iter().map(|x| name(*x)).collect();
        match v {
            Value::String(s) => all
                .iter()
                .copied()
                .find(|x| name(*x) == s.trim())
                .ok_or_else(|| format!("unknown {what} `{s}`, expected one of {}", list(&words))),
            other => Err(format!(
                "expected a {what}, one of {}, found {}",
                list(&words),
                describe(other)
            )),
        }
    }
}

fn level(v: &Value) -> Result<Level, String> {
    const EXPECTED: &str = "expected a level: `nation`, `province`, `district`, `commune`, `village` or a word of your own";
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(Level::parse(&nfc(s))),
        other => Err(format!("{EXPECTED}, found {}", describe(other))),
    }
}

const DIRECTIONS: [Direction; 2] = [Direction::Higher, Direction::Lower];

/// The `aggregation` word of a counting indicator.
const COUNT_WHERE: &str = "count_where";

/// A base method, or `None` for `count_where`.
fn aggregation_word(v: &Value) -> Result<Option<AggregationMethod>, String> {
    let mut words: Vec<&str> = AggregationMethod::ALL.iter().map(|m| m.as_str()).collect();
    words.push(COUNT_WHERE);
    match v {
        Value::String(s) if s.trim() == COUNT_WHERE => Ok(None),
        Value::String(s) => AggregationMethod::parse(s.trim()).map(Some).ok_or_else(|| {
            format!(
                "unknown aggregation `{s}`, expected one of {}",
                list(&words)
            )
        }),
        other => Err(format!(
            "expected an aggregation, one of {}, found {}",
            list(&words),
            describe(other)
        )),
    }
}

/// `">= 19"`: a comparison and a number, spaces between them optional.
fn condition(v: &Value) -> Result<(CompareOp, Decimal), String> {
    let ops: Vec<&str> = CompareOp::ALL.iter().map(|o| o.as_str()).collect();
    let expected = format!(
        "expected a condition: one of {} and a number, such as \">= 19\"",
        list(&ops)
    );
    let Value::String(s) = v else {
        return Err(format!("{expected}, found {}", describe(v)));
    };
    let t = s.trim();
    // Longest first, so that `>=` is not read as `>` followed by `=19`.
    let op = CompareOp::ALL
        .into_iter()
        .filter(|o| t.starts_with(o.as_str()))
        .max_by_key(|o| o.as_str().len());
    let Some(op) = op else {
        return Err(format!("{expected}, found {s:?}"));
    };
    let number = t[op.as_str().len()..].trim();
    match parse_decimal_text(number) {
        Some(value) => Ok((op, value)),
        None => Err(format!(
            "{expected}, found {s:?}: after `{}` expected {DECIMAL_EXPECTED}",
            op.as_str()
        )),
    }
}

fn tables<'v>(
    ix: &LineIndex<'_>,
    spans: &mut SourceMap,
    collection: &'static str,
    raw: &'v [Spanned<RawTable>],
) -> Vec<Tbl<'v>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut table_spans = Vec::with_capacity(raw.len());
    for (index, t) in raw.iter().enumerate() {
        let at = ix.pos(t.span().start);
        let mut entries = BTreeMap::new();
        let mut fields = HashMap::new();
        for (k, v) in t.get_ref() {
            let e = Entry {
                key: ix.pos(k.span().start),
                at: ix.pos(v.span().start),
                value: v.get_ref(),
            };
            fields.insert(k.get_ref().clone(), e.at);
            entries.insert(k.get_ref().as_str(), e);
        }
        table_spans.push(TableSpan { table: at, fields });
        out.push(Tbl {
            collection,
            index,
            at,
            entries,
        });
    }
    spans.tables.insert(collection, table_spans);
    out
}

fn raw_ids(tables: &[Tbl<'_>]) -> HashSet<String> {
    tables
        .iter()
        .filter_map(|t| match t.entries.get("id").map(|e| e.value) {
            Some(Value::String(s)) => Some(nfc(s)),
            _ => None,
        })
        .collect()
}

/// What targets and tasks take from their resolution when a field is left out.
struct Defaults<'a> {
    /// Resolution id → (index, unit, term), for resolutions that converted.
    resolutions: HashMap<String, (usize, String, String)>,
    term_ends: HashMap<String, NaiveDate>,
    raw_resolutions: HashSet<String>,
    raw_terms: HashSet<String>,
    spans: &'a SourceMap,
    reported: HashSet<usize>,
}

impl Defaults<'_> {
    /// The resolution's unit; `None` (reported unless it is already) when it is unknown.
    fn unit(&self, errs: &mut Errors, t: &Tbl<'_>, resolution: &str) -> Option<String> {
        match self.resolutions.get(resolution) {
            Some((_, unit, _)) => Some(unit.clone()),
            None => {
                if !self.raw_resolutions.contains(resolution) {
                    t.err(
                        errs,
                        "resolution",
                        format!("unknown resolution `{resolution}`"),
                    );
                }
                None
            }
        }
    }

    /// The end of the resolution's term.
    fn term_end(&mut self, errs: &mut Errors, t: &Tbl<'_>, resolution: &str) -> Option<NaiveDate> {
        let Some((index, _, term)) = self.resolutions.get(resolution) else {
            if !self.raw_resolutions.contains(resolution) {
                t.err(
                    errs,
                    "resolution",
                    format!("unknown resolution `{resolution}`"),
                );
            }
            return None;
        };
        if let Some(end) = self.term_ends.get(term) {
            return Some(*end);
        }
        if !self.raw_terms.contains(term) && self.reported.insert(*index) {
            let loc = Location {
                collection: "resolutions",
                index: *index,
                field: "term",
            };
            let at = self.spans.locate(&loc).unwrap_or((1, 1));
            errs.push(item(at, loc.to_string(), format!("unknown term `{term}`")));
        }
        None
    }
}

fn unit(errs: &mut Errors, t: &Tbl<'_>) -> Option<Unit> {
    t.check_keys(
        errs,
        &[
            "id",
            "name",
            "name_en",
            "level",
            "parent",
            "code",
            "valid_from",
            "valid_to",
        ],
    );
    let id = t.req(errs, "id", string);
    let name = t.req(errs, "name", string);
    let name_en = t.opt(errs, "name_en", string);
    let level = t.req(errs, "level", level);
    let parent = t.opt(errs, "parent", string);
    let code = t.opt(errs, "code", code);
    let valid_from = t.opt(errs, "valid_from", date);
    let valid_to = t.opt(errs, "valid_to", date);
    Some(Unit {
        id: id?,
        name: name?,
        name_en,
        level: level?,
        parent,
        code,
        valid_from,
        valid_to,
    })
}

fn term(errs: &mut Errors, t: &Tbl<'_>) -> Option<Term> {
    t.check_keys(errs, &["id", "start", "end"]);
    let id = t.req(errs, "id", string);
    let start = t.req(errs, "start", date);
    let end = t.req(errs, "end", date);
    Some(Term {
        id: id?,
        start: start?,
        end: end?,
    })
}

fn resolution(errs: &mut Errors, t: &Tbl<'_>) -> Option<Resolution> {
    t.check_keys(
        errs,
        &[
            "id", "unit", "kind", "congress", "term", "number", "adopted", "title", "issuer",
            "body",
        ],
    );
    let id = t.req(errs, "id", string);
    let unit = t.req(errs, "unit", string);
    let kind = t.req(
        errs,
        "kind",
        word(
            "resolution kind",
            &ResolutionKind::ALL,
            ResolutionKind::as_str,
        ),
    );
    let congress = t.opt(errs, "congress", whole(1, 1000));
    let term = t.req(errs, "term", string);
    let number = t.opt(errs, "number", code);
    let adopted = t.req(errs, "adopted", date);
    let title = t.req(errs, "title", string);
    let issuer = t.opt(errs, "issuer", string);
    let body = t
        .opt(errs, "body", word("body", &BodyKind::ALL, BodyKind::as_str))
        .unwrap_or(BodyKind::Party);
    Some(Resolution {
        id: id?,
        unit: unit?,
        kind: kind?,
        congress,
        term: term?,
        number,
        adopted: adopted?,
        title: title?,
        issuer,
        body,
    })
}

fn indicator(errs: &mut Errors, t: &Tbl<'_>) -> Option<Indicator> {
    t.check_keys(
        errs,
        &[
            "id",
            "name",
            "name_en",
            "measure",
            "direction",
            "aggregation",
            "formula",
            "count_of",
            "condition",
        ],
    );
    let id = t.req(errs, "id", string);
    let name = t.req(errs, "name", string);
    let name_en = t.opt(errs, "name_en", string);
    let measure = t.req(errs, "measure", string);
    let direction = t.req(
        errs,
        "direction",
        word("direction", &DIRECTIONS, Direction::as_str),
    );
    let aggregation = match (t.has("aggregation"), t.has("formula")) {
        (true, true) => {
            let later = if t.at("formula") > t.at("aggregation") {
                "formula"
            } else {
                "aggregation"
            };
            t.err(
                errs,
                later,
                "give either `aggregation` (a base indicator) or `formula` (a derived indicator), not both".into(),
            );
            None
        }
        (false, false) => {
            t.err_table(
                errs,
                "missing field `aggregation` (a base indicator) or `formula` (a derived indicator)"
                    .into(),
            );
            None
        }
        (true, false) => match t.opt(errs, "aggregation", aggregation_word) {
            Some(Some(method)) => Some(Aggregation::Base(method)),
            Some(None) => {
                let count_of = if t.has("count_of") {
                    t.opt(errs, "count_of", string)
                } else {
                    t.err_table(
                        errs,
                        format!("missing field `count_of`: the indicator whose values `{COUNT_WHERE}` tests"),
                    );
                    None
                };
                let condition = if t.has("condition") {
                    t.opt(errs, "condition", condition)
                } else {
                    t.err_table(
                        errs,
                        "missing field `condition`: the test a unit's value must pass to be counted, such as \">= 19\"".into(),
                    );
                    None
                };
                match (count_of, condition) {
                    (Some(indicator), Some((op, value))) => Some(Aggregation::CountWhere {
                        indicator,
                        op,
                        value,
                    }),
                    _ => None,
                }
            }
            None => None,
        },
        (false, true) => t
            .opt(errs, "formula", string)
            .map(|formula| Aggregation::Derived { formula }),
    };
    if matches!(
        aggregation,
        Some(Aggregation::Base(_) | Aggregation::Derived { .. })
    ) {
        for k in ["count_of", "condition"] {
            if t.has(k) {
                t.err(
                    errs,
                    k,
                    format!("`{k}` belongs to a counting indicator: write `aggregation = \"{COUNT_WHERE}\"` with it"),
                );
            }
        }
    }
    Some(Indicator {
        id: id?,
        name: name?,
        name_en,
        measure: measure?,
        direction: direction?,
        aggregation: aggregation?,
    })
}

fn target(errs: &mut Errors, t: &Tbl<'_>, defaults: &mut Defaults<'_>) -> Option<Target> {
    t.check_keys(
        errs,
        &[
            "resolution",
            "code",
            "name",
            "indicator",
            "unit",
            "field",
            "kind",
            "baseline",
            "baseline_period",
            "value",
            "value_min",
            "value_max",
            "change_per_year",
            "deadline",
            "precision",
            "source",
            "allocated_from",
            "illustrative",
            "milestones",
        ],
    );
    let resolution = t.req(errs, "resolution", string);
    let code = t.req(errs, "code", code);
    let name = t.req(errs, "name", string);
    let indicator = t.req(errs, "indicator", string);
    let unit = t.opt(errs, "unit", string);
    let field = t.req(errs, "field", word("field", &Field::ALL, Field::as_str));
    let kind = t.req(
        errs,
        "kind",
        word("target kind", &TargetKind::ALL, TargetKind::as_str),
    );
    let baseline = t.req(errs, "baseline", decimal);
    let baseline_period = t.req(errs, "baseline_period", period);
    let value = t.target_value(errs, true);
    let deadline = t.opt(errs, "deadline", date);
    let precision = t.opt(errs, "precision", whole(0, 28));
    let source = t.opt(errs, "source", string);
    let allocated_from = t.opt(errs, "allocated_from", string);
    let illustrative = t.opt(errs, "illustrative", boolean).unwrap_or(false);
    let milestones = if t.has("milestones") {
        t.milestones(errs)
    } else {
        Some(Vec::new())
    };
    let resolution = resolution?;
    let unit = match (unit, t.has("unit")) {
        (Some(u), _) => u,
        (None, true) => return None,
        (None, false) => defaults.unit(errs, t, &resolution)?,
    };
    let deadline = match (deadline, t.has("deadline")) {
        (Some(d), _) => d,
        (None, true) => return None,
        (None, false) => defaults.term_end(errs, t, &resolution)?,
    };
    Some(Target {
        resolution,
        code: code?,
        indicator: indicator?,
        unit,
        field: field?,
        kind: kind?,
        baseline: baseline?,
        baseline_period: baseline_period?,
        original: TargetSpec {
            name: name?,
            value: value.ok()??,
            deadline,
        },
        milestones: milestones?,
        precision,
        source,
        illustrative,
        allocated_from,
    })
}

fn adjustment(errs: &mut Errors, t: &Tbl<'_>) -> Option<Adjustment> {
    t.check_keys(
        errs,
        &[
            "resolution",
            "target",
            "task",
            "date",
            "body",
            "decision",
            "reason",
            "value",
            "value_min",
            "value_max",
            "change_per_year",
            "deadline",
            "name",
            "withdraw",
        ],
    );
    let resolution = t.req(errs, "resolution", string);
    let subject = match (t.has("target"), t.has("task")) {
        (true, true) => {
            let later = if t.at("task") > t.at("target") {
                "task"
            } else {
                "target"
            };
            t.err(
                errs,
                later,
                "give either `target` or `task`, not both".into(),
            );
            None
        }
        (false, false) => {
            t.err_table(
                errs,
                "missing field `target` (a target's code) or `task` (a task's code)".into(),
            );
            None
        }
        (true, false) => t.opt(errs, "target", code).map(|c| (true, c)),
        (false, true) => t.opt(errs, "task", code).map(|c| (false, c)),
    };
    let date = t.req(errs, "date", date);
    let body = t.req(errs, "body", string);
    let decision = t.req(errs, "decision", string);
    let reason = t.req(errs, "reason", string);
    let value = t.target_value(errs, false);
    let deadline = t.opt(errs, "deadline", self::date);
    let wording = t.opt(errs, "name", string);
    let withdraw = t.opt(errs, "withdraw", boolean).unwrap_or(false);
    let resolution = resolution?;
    let (is_target, code) = subject?;
    let subject = if is_target {
        Subject::Target { resolution, code }
    } else {
        Subject::Task { resolution, code }
    };
    Some(Adjustment {
        subject,
        decision: Decision {
            body: body?,
            reference: decision?,
            date: date?,
        },
        reason: reason?,
        change: Change {
            value: value.ok()?,
            deadline,
            wording,
            withdraw,
        },
    })
}

fn document(errs: &mut Errors, t: &Tbl<'_>) -> Option<Document> {
    t.check_keys(
        errs,
        &[
            "number",
            "kind",
            "date",
            "title",
            "issuer",
            "resolutions",
            "targets",
            "illustrative",
        ],
    );
    let number = t.req(errs, "number", code);
    let kind = t.req(
        errs,
        "kind",
        word("document kind", &DocumentKind::ALL, DocumentKind::as_str),
    );
    let date = t.req(errs, "date", date);
    let title = t.req(errs, "title", string);
    let issuer = t.req(errs, "issuer", string);
    let resolutions = t.opt(errs, "resolutions", strings);
    let targets = t.opt(errs, "targets", strings);
    let illustrative = t.opt(errs, "illustrative", boolean).unwrap_or(false);
    let resolutions = if t.has("resolutions") {
        resolutions?
    } else {
        Vec::new()
    };
    let targets = if t.has("targets") {
        targets?
    } else {
        Vec::new()
    };
    Some(Document {
        number: number?,
        kind: kind?,
        date: date?,
        title: title?,
        issuer: issuer?,
        resolutions,
        targets,
        illustrative,
    })
}

fn task(errs: &mut Errors, t: &Tbl<'_>, defaults: &mut Defaults<'_>) -> Option<Task> {
    t.check_keys(
        errs,
        &[
            "resolution",
            "code",
            "name",
            "unit",
            "field",
            "due",
            "state",
            "done_on",
            "illustrative",
        ],
    );
    let resolution = t.req(errs, "resolution", string);
    let code = t.req(errs, "code", code);
    let name = t.req(errs, "name", string);
    let unit = t.opt(errs, "unit", string);
    let field = t.opt(errs, "field", word("field", &Field::ALL, Field::as_str));
    let due = t.opt(errs, "due", date);
    let state = t.opt(
        errs,
        "state",
        word("task state", &TaskState::ALL, TaskState::as_str),
    );
    let done_on = t.opt(errs, "done_on", date);
    let illustrative = t.opt(errs, "illustrative", boolean).unwrap_or(false);
    let resolution = resolution?;
    let unit = match (unit, t.has("unit")) {
        (Some(u), _) => u,
        (None, true) => return None,
        (None, false) => defaults.unit(errs, t, &resolution)?,
    };
    let field = if t.has("field") { field? } else { Field::Other };
    let state = if t.has("state") {
        state?
    } else {
        TaskState::NotStarted
    };
    Some(Task {
        resolution,
        code: code?,
        name: name?,
        unit,
        field,
        due,
        state,
        done_on,
        illustrative,
    })
}

fn reorganisation(errs: &mut Errors, t: &Tbl<'_>) -> Option<Reorganisation> {
    t.check_keys(errs, &["id", "kind", "date", "decision", "parts"]);
    let id = t.req(errs, "id", string);
    let kind = t.req(
        errs,
        "kind",
        word(
            "reorganisation kind",
            &ReorganisationKind::ALL,
            ReorganisationKind::as_str,
        ),
    );
    let date = t.req(errs, "date", date);
    let decision = t.opt(errs, "decision", string);
    let parts = t.parts(errs);
    Some(Reorganisation {
        id: id?,
        kind: kind?,
        date: date?,
        decision,
        parts: parts?,
    })
}

fn observation(errs: &mut Errors, t: &Tbl<'_>) -> Option<Observation> {
    t.check_keys(
        errs,
        &[
            "unit",
            "indicator",
            "period",
            "value",
            "standing",
            "state",
            "source",
            "reported_by",
            "reported",
        ],
    );
    let unit = t.req(errs, "unit", string);
    let indicator = t.req(errs, "indicator", string);
    let period = t.req(errs, "period", period);
    let value = t.req(errs, "value", decimal);
    let standing = t.opt(
        errs,
        "standing",
        word("standing", &Standing::ALL, Standing::as_str),
    );
    let state = t.opt(
        errs,
        "state",
        word("state", &ReviewState::ALL, ReviewState::as_str),
    );
    let source = t.opt(errs, "source", string);
    let reported_by = t.opt(errs, "reported_by", string);
    let reported = t.opt(errs, "reported", date);
    let standing = if t.has("standing") {
        standing?
    } else {
        Standing::Final
    };
    let state = if t.has("state") {
        state?
    } else {
        ReviewState::Approved
    };
    Some(Observation {
        unit: unit?,
        indicator: indicator?,
        period: period?,
        value: value?,
        standing,
        state,
        source,
        reported_by,
        reported,
    })
}

/// TOML reader messages can span several lines; an error is one line.
fn one_line(message: &str) -> String {
    let mut s = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if s.contains("expected a sequence") {
        s.push_str(" (write each entry as a [[table]], e.g. [[units]], not [units])");
    }
    s
}

/// Reads a bundle (see `docs/bundle.md`). `file` is only used in error messages.
///
/// Every string is normalised to Unicode NFC, every number is an exact, normalised decimal
/// (`41.30` reads as `41.3`), and left-out fields take their documented defaults. The result
/// is validated ([`Dataset::validate`]); every problem is reported with its line and column.
///
/// Problems of form (types, keys, words, missing fields) are reported in file order; only
/// when there are none is the dataset validated, and its problems (unknown references,
/// duplicates...) are reported in the order of [`Dataset::validate`].
pub fn parse_bundle(text: &str, file: &str) -> Result<ParsedBundle, BundleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ix = LineIndex::new(text);
    let raw: RawBundle = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| ix.pos(s.start));
        let error = ErrorItem {
            line: Some(line),
            column: Some(col),
            location: None,
            message: one_line(e.message()),
        };
        BundleError::new(file, vec![error])
    })?;

    let mut errs = Errors::new();
    match &raw.format {
        None => errs.push(item(
            (1, 1),
            "format".into(),
            format!("missing `format = \"{BUNDLE_FORMAT}\"` at the top of the file"),
        )),
        Some(f) => match f.get_ref() {
            Value::String(s) if s == BUNDLE_FORMAT => {}
            other => errs.push(item(
                ix.pos(f.span().start),
                "format".into(),
                format!(
                    "unsupported format {}, expected \"{BUNDLE_FORMAT}\"",
                    describe(other)
                ),
            )),
        },
    }

    let mut spans = SourceMap::default();
    let units_t = tables(&ix, &mut spans, "units", &raw.units);
    let terms_t = tables(&ix, &mut spans, "terms", &raw.terms);
    let resolutions_t = tables(&ix, &mut spans, "resolutions", &raw.resolutions);
    let indicators_t = tables(&ix, &mut spans, "indicators", &raw.indicators);
    let targets_t = tables(&ix, &mut spans, "targets", &raw.targets);
    let adjustments_t = tables(&ix, &mut spans, "adjustments", &raw.adjustments);
    let documents_t = tables(&ix, &mut spans, "documents", &raw.documents);
    let tasks_t = tables(&ix, &mut spans, "tasks", &raw.tasks);
    let reorganisations_t = tables(&ix, &mut spans, "reorganisations", &raw.reorganisations);
    let observations_t = tables(&ix, &mut spans, "observations", &raw.observations);

    // Errors are gathered per table, then given in file order of the tables; within a table,
    // unknown keys come first (a typo'd key also makes a field missing), then the fields.
    let mut chunks: Vec<(Pos, Errors)> = Vec::new();
    if !errs.is_empty() {
        chunks.push(((1, 1), std::mem::take(&mut errs)));
    }
    fn each<'v, T>(
        chunks: &mut Vec<(Pos, Errors)>,
        tables: &[Tbl<'v>],
        mut convert: impl FnMut(&mut Errors, &Tbl<'v>) -> Option<T>,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let mut errs = Errors::new();
            out.extend(convert(&mut errs, t));
            if !errs.is_empty() {
                chunks.push((t.at, errs));
            }
        }
        out
    }

    let mut ds = Dataset {
        units: each(&mut chunks, &units_t, unit),
        terms: each(&mut chunks, &terms_t, term),
        resolutions: each(&mut chunks, &resolutions_t, resolution),
        indicators: each(&mut chunks, &indicators_t, indicator),
        ..Dataset::default()
    };

    let mut defaults = Defaults {
        resolutions: HashMap::new(),
        term_ends: HashMap::new(),
        raw_resolutions: raw_ids(&resolutions_t),
        raw_terms: raw_ids(&terms_t),
        spans: &spans,
        reported: HashSet::new(),
    };
    for (i, r) in ds.resolutions.iter().enumerate() {
        defaults
            .resolutions
            .entry(r.id.clone())
            .or_insert((i, r.unit.clone(), r.term.clone()));
    }
    for t in &ds.terms {
        defaults.term_ends.entry(t.id.clone()).or_insert(t.end);
    }
    ds.targets = each(&mut chunks, &targets_t, |e, t| target(e, t, &mut defaults));
    ds.adjustments = each(&mut chunks, &adjustments_t, adjustment);
    ds.documents = each(&mut chunks, &documents_t, document);
    ds.tasks = each(&mut chunks, &tasks_t, |e, t| task(e, t, &mut defaults));
    ds.reorganisations = each(&mut chunks, &reorganisations_t, reorganisation);
    ds.observations = each(&mut chunks, &observations_t, observation);

    chunks.sort_by_key(|c| c.0);
    let errs: Errors = chunks.into_iter().flat_map(|c| c.1).collect();
    if !errs.is_empty() {
        return Err(BundleError::new(file, errs));
    }
    let problems = ds.validate();
    if !problems.is_empty() {
        return Err(located(file, &spans, &problems));
    }
    Ok(ParsedBundle { dataset: ds, spans })
}
