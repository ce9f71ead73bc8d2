//! The storage interface of chitieu: the [`Store`] trait every backend implements, the
//! [`ImportSummary`] it reports and the [`StoreError`] it fails with, plus the small codecs
//! that both SQL backends share (enum names, target values) so that they store the same
//! words for the same things.
//!
//! Architecture invariant: this crate knows no database. It must not depend on `sqlx` or any
//! driver, so the domain, the CLI and the reports can talk about storage without pulling one
//! in; `chitieu-store-sqlite` and `chitieu-store-postgres` depend on it, never the reverse.

pub mod block;
pub mod figure;
pub mod in_force;

use std::fmt;

use chitieu_domain::{
    Aggregation, AggregationMethod, CompareOp, Dataset, Decimal, Observation, Period, ReviewState,
    ReviewText, Standing, Subject, TargetValue, ValidationError,
};
use chrono::NaiveDate;

/// What a backend provides. Every method is one transaction: it lands whole or not at all.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Everything stored, each collection in insertion order, so that export → import →
    /// export gives the same file.
    async fn load(&self) -> Result<Dataset, StoreError>;

    /// Everything but the observations: what a roll-up needs beside
    /// [`Store::load_figures`], without reading millions of figures.
    async fn load_structure(&self) -> Result<Dataset, StoreError>;

    /// Adds `bundle` in one transaction: what is stored is read, merged with
    /// [`Dataset::merge_delta`] (identical entities are skipped, conflicting ones refused, the
    /// union validated) and only the delta is written. On any error nothing is written.
    async fn import(&self, bundle: &Dataset) -> Result<ImportSummary, StoreError>;

    /// Appends observations (a CSV import) in one transaction with the same rules: the units
    /// and indicators they name must exist, and exact duplicates of stored figures are skipped.
    async fn add_observations(
        &self,
        observations: &[Observation],
    ) -> Result<ImportSummary, StoreError>;

    /// Appends observations streamed from `rows` (a large CSV) in one transaction, without
    /// holding them: each row is encoded and written as it comes. The rules are those of
    /// [`Store::add_observations`], except that the first problem stops the import (nothing
    /// is written) and is reported at the row's `line` ([`StoreError::Row`]); an error of
    /// the source itself is returned as it is ([`StoreError::Source`]).
    async fn import_observations(
        &self,
        rows: &mut dyn ObservationSource,
    ) -> Result<ImportSummary, StoreError>;

    /// The figures in force for a roll-up, as columns: for every (unit, indicator, period)
    /// of the query's years, the figure known last by `known_by` (the latest `known_from`,
    /// the later stored on a tie), among approved figures unless `include_unapproved` — the
    /// rule of `chitieu_domain::version::figures`, applied by the store so that no
    /// `Observation` is built.
    async fn load_figures(&self, query: &FigureQuery) -> Result<FigureColumns, StoreError>;

    /// The store's revision: every committed write that changes what a read can return
    /// raises it, in its own transaction, whichever process or instance wrote; a write that
    /// adds nothing, or fails, leaves it. A reader that read the revision before reading data
    /// holds data at least that recent, and it is still what is stored while the revision
    /// reads the same. One single-row read, cheap enough to ask on every request.
    async fn revision(&self) -> Result<u64, StoreError>;

    /// The office's own text for the review of `unit` at `as_of`, when it saved one.
    async fn review_text(
        &self,
        unit: &str,
        as_of: NaiveDate,
    ) -> Result<Option<ReviewText>, StoreError>;

    /// Saves the office's text for the review of `text.unit` at `text.as_of`, replacing the
    /// one saved for that unit and date (an office redrafts until it signs); an empty text
    /// removes it. The unit must be stored ([`StoreError::NotFound`]). Raises the revision
    /// when what is stored changes.
    async fn save_review_text(&self, text: &ReviewText) -> Result<(), StoreError>;

    /// Which backend this is, for messages: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;
}

/// The office's text as both backends store it: the recipients one per line (a recipient is
/// one line, [`ReviewText::normalised`] makes sure), the layout by its word.
pub mod review_text {
    use chitieu_domain::{Layout, ReviewText};

    use crate::StoreError;

    pub fn recipients(text: &ReviewText) -> String {
        text.recipients.join("\n")
    }

    pub fn layout(text: &ReviewText) -> Option<&'static str> {
        text.layout.map(Layout::as_str)
    }

    pub fn parse_recipients(stored: &str) -> Vec<String> {
        stored
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn parse_layout(stored: Option<String>) -> Result<Option<Layout>, StoreError> {
        stored
            .map(|s| {
                Layout::parse(&s).ok_or_else(|| StoreError::Corrupt {
                    table: "review_texts",
                    column: "layout",
                    value: s.clone(),
                    reason: "expected party or state".into(),
                })
            })
            .transpose()
    }
}

/// The name of the stored revision in the backends' `counters` table.
pub const REVISION: &str = "revision";

/// A stored revision as [`Store::revision`] returns it.
pub fn revision_of(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|e| StoreError::corrupt("counters", "value", value.to_string(), e))
}

/// One observation of a streaming import, borrowed from the reader's buffer until the next
/// row is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObservationRow<'a> {
    /// Where the row is in its source (the 1-based line of a CSV file), named in errors.
    pub line: usize,
    pub unit: &'a str,
    pub indicator: &'a str,
    pub period: Period,
    pub value: Decimal,
    pub standing: Standing,
    pub state: ReviewState,
    pub source: Option<&'a str>,
    pub reported_by: Option<&'a str>,
    pub reported: Option<NaiveDate>,
}

impl<'a> ObservationRow<'a> {
    /// The row of an observation held in memory, at position `line`.
    pub fn of(o: &'a Observation, line: usize) -> Self {
        ObservationRow {
            line,
            unit: &o.unit,
            indicator: &o.indicator,
            period: o.period,
            value: o.value,
            standing: o.standing,
            state: o.state,
            source: o.source.as_deref(),
            reported_by: o.reported_by.as_deref(),
            reported: o.reported,
        }
    }
}

/// Rows for [`Store::import_observations`]: a lending iterator, so that a reader can hand out
/// rows borrowed from its own buffer.
pub trait ObservationSource: Send {
    /// The next row; `None` at the end.
    fn next_row(&mut self) -> Option<Result<ObservationRow<'_>, StoreError>>;
}

/// Observations held in memory as an [`ObservationSource`]; row `i` has line `i + 1`.
pub struct SliceSource<'a> {
    rows: std::slice::Iter<'a, Observation>,
    line: usize,
}

impl<'a> SliceSource<'a> {
    pub fn new(rows: &'a [Observation]) -> Self {
        SliceSource {
            rows: rows.iter(),
            line: 0,
        }
    }
}

impl ObservationSource for SliceSource<'_> {
    fn next_row(&mut self) -> Option<Result<ObservationRow<'_>, StoreError>> {
        let o = self.rows.next()?;
        self.line += 1;
        Some(Ok(ObservationRow::of(o, self.line)))
    }
}

/// Which figures [`Store::load_figures`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureQuery {
    /// Periods of these years (inclusive), every kind of period.
    pub first_year: i32,
    pub last_year: i32,
    /// Only figures known on or before this date.
    pub known_by: NaiveDate,
    pub include_unapproved: bool,
    /// Only the figures reported by these units, when given (positions in [`Store::load`]'s
    /// `units`): a province's review reads its own part of a national database.
    pub units: Option<Vec<u32>>,
    /// Only these indicators, when given (positions in `indicators`).
    pub indicators: Option<Vec<u32>>,
}

/// Figures in columns, one entry per (unit, indicator, period) in force, ordered by period,
/// indicator and unit. Units and indicators are positions in [`Store::load`]'s `units` and
/// `indicators` (the indices of `rollup::Tree` and `rollup::Catalogue`). A value is
/// `mantissa × 10^-scale`; a value whose mantissa does not fit 64 bits has mantissa 0 and is
/// listed in `wide` with its row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureColumns {
    pub unit: Vec<u32>,
    pub indicator: Vec<u32>,
    pub period: Vec<Period>,
    pub mantissa: Vec<i64>,
    pub scale: Vec<u32>,
    pub standing: Vec<Standing>,
    pub wide: Vec<(usize, Decimal)>,
}

impl FigureColumns {
    pub fn len(&self) -> usize {
        self.unit.len()
    }

    pub fn is_empty(&self) -> bool {
        self.unit.is_empty()
    }

    /// Row `k`'s value.
    pub fn value(&self, k: usize) -> Option<Decimal> {
        match self.wide.binary_search_by_key(&k, |w| w.0) {
            Ok(i) => self.wide.get(i).map(|w| w.1),
            Err(_) => Decimal::try_from_i128_with_scale(
                i128::from(*self.mantissa.get(k)?),
                *self.scale.get(k)?,
            )
            .ok(),
        }
    }
}

/// Failures of a store. Database details are carried as text so that no driver type leaks
/// into this crate's API.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data was refused by the domain rules; nothing was written. Each error keeps its
    /// [`chitieu_domain::Location`] in the incoming data so a caller can point at a file line.
    #[error("{}", invalid_message(.0))]
    Invalid(Vec<ValidationError>),
    /// The database could not be opened or reached.
    #[error("cannot open the {backend} database at {target}: {message}")]
    Open {
        backend: &'static str,
        target: String,
        message: String,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate the {backend} database: {message}")]
    Migration {
        backend: &'static str,
        message: String,
    },
    /// A statement or transaction failed.
    #[error("database error while {context}: {message}")]
    Database {
        context: &'static str,
        message: String,
    },
    /// A row of a streaming import was refused; nothing was written. `line` is the row's
    /// position in its source ([`ObservationRow::line`]), `field` the column at fault.
    #[error("line {line}: {field}: {message}")]
    Row {
        line: usize,
        field: &'static str,
        message: String,
    },
    /// The source of a streaming import failed (a CSV line that does not parse); nothing
    /// was written. Shown as the source wrote it.
    #[error(transparent)]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// What a write refers to is not stored.
    #[error("no {what} `{id}` in the database")]
    NotFound { what: &'static str, id: String },
    /// A stored value could not be read back into the domain: the database was written by
    /// something other than chitieu, or by an incompatible version of it.
    #[error("stored data cannot be read: {table}.{column} holds `{value}`: {reason}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
        reason: String,
    },
}

fn invalid_message(errors: &[ValidationError]) -> String {
    match errors {
        [] => "the data was refused".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more problems)", rest.len()),
    }
}

impl StoreError {
    /// A database failure, with what was being done when it happened.
    pub fn database(context: &'static str, err: impl fmt::Display) -> Self {
        StoreError::Database {
            context,
            message: err.to_string(),
        }
    }

    pub fn corrupt(
        table: &'static str,
        column: &'static str,
        value: impl Into<String>,
        reason: impl fmt::Display,
    ) -> Self {
        StoreError::Corrupt {
            table,
            column,
            value: value.into(),
            reason: reason.to_string(),
        }
    }
}

/// How many entities of each collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub units: usize,
    pub terms: usize,
    pub resolutions: usize,
    pub indicators: usize,
    pub targets: usize,
    pub adjustments: usize,
    pub documents: usize,
    pub tasks: usize,
    pub reorganisations: usize,
    pub observations: usize,
}

impl Counts {
    pub fn of(data: &Dataset) -> Self {
        Counts {
            units: data.units.len(),
            terms: data.terms.len(),
            resolutions: data.resolutions.len(),
            indicators: data.indicators.len(),
            targets: data.targets.len(),
            adjustments: data.adjustments.len(),
            documents: data.documents.len(),
            tasks: data.tasks.len(),
            reorganisations: data.reorganisations.len(),
            observations: data.observations.len(),
        }
    }

    pub fn total(&self) -> usize {
        self.entries().iter().map(|(_, n)| n).sum()
    }

    /// `(collection name, count)` in the order of [`Dataset`]'s fields.
    pub fn entries(&self) -> [(&'static str, usize); 10] {
        [
            ("units", self.units),
            ("terms", self.terms),
            ("resolutions", self.resolutions),
            ("indicators", self.indicators),
            ("targets", self.targets),
            ("adjustments", self.adjustments),
            ("documents", self.documents),
            ("tasks", self.tasks),
            ("reorganisations", self.reorganisations),
            ("observations", self.observations),
        ]
    }

    fn saturating_sub(&self, other: &Counts) -> Counts {
        Counts {
            units: self.units.saturating_sub(other.units),
            terms: self.terms.saturating_sub(other.terms),
            resolutions: self.resolutions.saturating_sub(other.resolutions),
            indicators: self.indicators.saturating_sub(other.indicators),
            targets: self.targets.saturating_sub(other.targets),
            adjustments: self.adjustments.saturating_sub(other.adjustments),
            documents: self.documents.saturating_sub(other.documents),
            tasks: self.tasks.saturating_sub(other.tasks),
            reorganisations: self.reorganisations.saturating_sub(other.reorganisations),
            observations: self.observations.saturating_sub(other.observations),
        }
    }
}

impl fmt::Display for Counts {
    /// `3 units, 1 term, 16 targets`; collections with nothing are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, n) in self.entries() {
            if n == 0 {
                continue;
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            let name = if n == 1 {
                name.strip_suffix('s').unwrap_or(name)
            } else {
                name
            };
            write!(f, "{n} {name}")?;
        }
        if first {
            f.write_str("nothing")?;
        }
        Ok(())
    }
}

/// What an import did: what it added and what it skipped as already stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: Counts,
    pub skipped: Counts,
}

impl ImportSummary {
    /// The summary of writing `delta` (what [`Dataset::merge_delta`] returned) for `incoming`.
    pub fn from_delta(incoming: &Dataset, delta: &Dataset) -> Self {
        let added = Counts::of(delta);
        ImportSummary {
            added,
            skipped: Counts::of(incoming).saturating_sub(&added),
        }
    }

    /// Whether the import changed nothing.
    pub fn is_noop(&self) -> bool {
        self.added.total() == 0
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "added {}", self.added)?;
        if self.skipped.total() > 0 {
            write!(f, "; skipped {} already stored", self.skipped)?;
        }
        Ok(())
    }
}

/// The column form of a [`TargetValue`] shared by both SQL backends: a kind word, a value
/// and, for ranges, a maximum.
pub mod target_value {
    use super::*;

    pub const EXACT: &str = "exact";
    pub const RANGE: &str = "range";
    pub const CHANGE_PER_YEAR: &str = "change_per_year";

    /// `(kind, value, max)`: `value` is the exact value, the range minimum or the change.
    pub fn split(v: &TargetValue) -> (&'static str, Decimal, Option<Decimal>) {
        match v {
            TargetValue::Exact(x) => (EXACT, *x, None),
            TargetValue::Range { min, max } => (RANGE, *min, Some(*max)),
            TargetValue::ChangePerYear(x) => (CHANGE_PER_YEAR, *x, None),
        }
    }

    pub fn join(
        table: &'static str,
        kind: &str,
        value: Decimal,
        max: Option<Decimal>,
    ) -> Result<TargetValue, StoreError> {
        match (kind, max) {
            (EXACT, None) => Ok(TargetValue::Exact(value)),
            (RANGE, Some(max)) => Ok(TargetValue::Range { min: value, max }),
            (CHANGE_PER_YEAR, None) => Ok(TargetValue::ChangePerYear(value)),
            (RANGE, None) => Err(StoreError::corrupt(
                table,
                "value_max",
                "NULL",
                "a range needs a maximum",
            )),
            (EXACT | CHANGE_PER_YEAR, Some(m)) => Err(StoreError::corrupt(
                table,
                "value_max",
                m.to_string(),
                format!("a `{kind}` value has no maximum"),
            )),
            (other, _) => Err(StoreError::corrupt(
                table,
                "value_kind",
                other,
                "unknown kind of target value",
            )),
        }
    }
}

/// The column form of an [`Aggregation`]: a method word (`sum`, `count`...); `derived` with
/// its formula; or `count_where` with the counted indicator and the condition's operator
/// (`>=`, as [`CompareOp::as_str`] writes it) and value. Columns a kind does not use are NULL.
pub mod aggregation {
    use super::*;

    pub const DERIVED: &str = "derived";
    pub const COUNT_WHERE: &str = "count_where";

    /// The `indicators` columns that hold an aggregation.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Columns {
        pub aggregation: String,
        pub formula: Option<String>,
        pub count_of: Option<String>,
        pub condition_op: Option<String>,
        pub condition_value: Option<Decimal>,
    }

    pub fn split(a: &Aggregation) -> Columns {
        match a {
            Aggregation::Base(m) => Columns {
                aggregation: m.as_str().to_string(),
                ..Columns::default()
            },
            Aggregation::Derived { formula } => Columns {
                aggregation: DERIVED.to_string(),
                formula: Some(formula.clone()),
                ..Columns::default()
            },
            Aggregation::CountWhere {
                indicator,
                op,
                value,
            } => Columns {
                aggregation: COUNT_WHERE.to_string(),
                count_of: Some(indicator.clone()),
                condition_op: Some(op.as_str().to_string()),
                condition_value: Some(*value),
                ..Columns::default()
            },
        }
    }

    pub fn join(table: &'static str, c: Columns) -> Result<Aggregation, StoreError> {
        let Columns {
            aggregation: word,
            formula,
            count_of,
            condition_op,
            condition_value,
        } = c;
        let counting = word == COUNT_WHERE;
        // Each column a kind does not use must be empty.
        let unused: [(&'static str, Option<String>, bool); 4] = [
            ("formula", formula.clone(), word == DERIVED),
            ("count_of", count_of.clone(), counting),
            ("condition_op", condition_op.clone(), counting),
            (
                "condition_value",
                condition_value.map(|v| v.to_string()),
                counting,
            ),
        ];
        for (column, value, used) in unused {
            if let (Some(value), false) = (value, used) {
                return Err(StoreError::corrupt(
                    table,
                    column,
                    value,
                    format!("an indicator aggregated by `{word}` has no {column}"),
                ));
            }
        }
        match word.as_str() {
            DERIVED => match formula {
                Some(formula) => Ok(Aggregation::Derived { formula }),
                None => Err(StoreError::corrupt(
                    table,
                    "formula",
                    "NULL",
                    "a derived indicator needs a formula",
                )),
            },
            COUNT_WHERE => {
                let missing = |column: &'static str| {
                    StoreError::corrupt(
                        table,
                        column,
                        "NULL",
                        "a counting indicator needs the counted indicator and a condition",
                    )
                };
                let indicator = count_of.ok_or_else(|| missing("count_of"))?;
                let op = condition_op.ok_or_else(|| missing("condition_op"))?;
                let value = condition_value.ok_or_else(|| missing("condition_value"))?;
                Ok(Aggregation::CountWhere {
                    indicator,
                    op: parse_word(table, "condition_op", &op, CompareOp::parse)?,
                    value,
                })
            }
            word => Ok(Aggregation::Base(parse_word(
                table,
                "aggregation",
                word,
                AggregationMethod::parse,
            )?)),
        }
    }
}

/// The column form of an adjustment's [`Subject`]: `target` or `task`, a resolution and a code.
pub mod subject {
    use super::*;

    pub const TARGET: &str = "target";
    pub const TASK: &str = "task";

    /// `(kind, resolution, code)`.
    pub fn split(s: &Subject) -> (&'static str, &str, &str) {
        match s {
            Subject::Target { resolution, code } => (TARGET, resolution, code),
            Subject::Task { resolution, code } => (TASK, resolution, code),
        }
    }

    pub fn join(
        table: &'static str,
        kind: &str,
        resolution: String,
        code: String,
    ) -> Result<Subject, StoreError> {
        match kind {
            TARGET => Ok(Subject::Target { resolution, code }),
            TASK => Ok(Subject::Task { resolution, code }),
            other => Err(StoreError::corrupt(
                table,
                "subject_kind",
                other,
                "expected `target` or `task`",
            )),
        }
    }
}

/// Parses a stored enum word with the enum's own `parse`, turning a miss into
/// [`StoreError::Corrupt`].
pub fn parse_word<T>(
    table: &'static str,
    column: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::corrupt(table, column, value, "not a known value"))
}

/// Parses a stored value with its `FromStr` (periods, decimals kept as text).
pub fn parse_text<T>(
    table: &'static str,
    column: &'static str,
    value: &str,
) -> Result<T, StoreError>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    value
        .parse()
        .map_err(|e| StoreError::corrupt(table, column, value, e))
}

/// Converts a stored integer back to an unsigned domain field (congress ordinal, precision).
pub fn to_u32(table: &'static str, column: &'static str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::corrupt(table, column, value.to_string(), e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_well() {
        let incoming = Dataset {
            units: vec![],
            ..Default::default()
        };
        let s = ImportSummary::from_delta(&incoming, &Dataset::default());
        assert_eq!(s.to_string(), "added nothing");
        let s = ImportSummary {
            added: Counts {
                units: 1,
                targets: 16,
                ..Default::default()
            },
            skipped: Counts {
                observations: 2,
                ..Default::default()
            },
        };
        assert_eq!(
            s.to_string(),
            "added 1 unit, 16 targets; skipped 2 observations already stored"
        );
        assert!(!s.is_noop());
    }

    #[test]
    fn target_values_split_and_join() {
        let d = |s: &str| -> Decimal { s.parse().unwrap() };
        for v in [
            TargetValue::Exact(d("41.30")),
            TargetValue::Range {
                min: d("90"),
                max: d("100"),
            },
            TargetValue::ChangePerYear(d("-2")),
        ] {
            let (kind, value, max) = target_value::split(&v);
            assert_eq!(target_value::join("targets", kind, value, max).unwrap(), v);
        }
        assert!(target_value::join("targets", "range", d("1"), None).is_err());
        assert!(target_value::join("targets", "bogus", d("1"), None).is_err());
    }

    #[test]
    fn aggregations_split_and_join() {
        let mut all: Vec<Aggregation> = AggregationMethod::ALL
            .into_iter()
            .map(Aggregation::Base)
            .collect();
        all.push(Aggregation::Derived {
            formula: "a / b * 100".into(),
        });
        for op in CompareOp::ALL {
            all.push(Aggregation::CountWhere {
                indicator: "ntm-criteria".into(),
                op,
                value: "19.50".parse().unwrap(),
            });
        }
        for a in all {
            let columns = aggregation::split(&a);
            assert_eq!(aggregation::join("indicators", columns).unwrap(), a);
        }
    }

    #[test]
    fn aggregation_columns_must_fit_the_kind() {
        let counting = aggregation::split(&Aggregation::CountWhere {
            indicator: "x".into(),
            op: CompareOp::Ge,
            value: 19.into(),
        });
        let bad = [
            aggregation::Columns {
                condition_op: Some("=>".into()),
                ..counting.clone()
            },
            aggregation::Columns {
                condition_value: None,
                ..counting.clone()
            },
            aggregation::Columns {
                formula: Some("a".into()),
                ..counting.clone()
            },
            aggregation::Columns {
                aggregation: "sum".into(),
                ..counting
            },
            aggregation::Columns {
                aggregation: "derived".into(),
                ..Default::default()
            },
            aggregation::Columns {
                aggregation: "bogus".into(),
                ..Default::default()
            },
        ];
        for columns in bad {
            let got = aggregation::join("indicators", columns.clone());
            assert!(
                matches!(got, Err(StoreError::Corrupt { .. })),
                "{columns:?}: {got:?}"
            );
        }
    }
}
