//! The compact column form of an observation (a *figure*) shared by both SQL backends, so
//! that both store the same integers for the same figure:
//!
//! * a period as one ordinal, `year × 19 + sub` ([`encode_period`]);
//! * a value as an `i64` mantissa and a scale (`41.30` is 4130 and 2: the scale written is kept,
//!   so `0.30` comes back `0.30`), or, when the mantissa does not fit 64 bits (rust_decimal holds
//!   96), as exact text in a fallback column ([`encode_value`]);
//! * standing and review state packed in one small integer ([`encode_flags`]);
//! * a date as days since 1970-01-01 ([`encode_date`]).
//!
//! Integers make a row small (SQLite stores small integers in 1–4 bytes) and let a roll-up
//! read figures without parsing text.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{Decimal, Period, ReviewState, Standing};
use chrono::NaiveDate;

use crate::{FigureColumns, ObservationRow, StoreError};

/// Ordinals per year: the year itself, two halves, four quarters, twelve months.
pub const PERIODS_PER_YEAR: i64 = 19;
/// The largest year a period may have: periods are written with four digits.
pub const MAX_YEAR: i32 = 9999;
/// The largest period ordinal (`9999-12`), for the schema's CHECK.
pub const MAX_PERIOD: i64 = MAX_YEAR as i64 * PERIODS_PER_YEAR + PERIODS_PER_YEAR - 1;

/// `year × 19 + sub` with sub 0 for the year, 1–2 for H1–H2, 3–6 for Q1–Q4, 7–18 for the
/// months. `None` for a period that cannot be written back (a year outside 0–9999, a
/// quarter 5, a month 13): the store refuses it like the old schema's CHECK did.
pub fn encode_period(p: Period) -> Option<i64> {
    let (year, sub) = match p {
        Period::Year(y) => (y, 0),
        Period::Half(y, h @ 1..=2) => (y, i64::from(h)),
        Period::Quarter(y, q @ 1..=4) => (y, 2 + i64::from(q)),
        Period::Month(y, m @ 1..=12) => (y, 6 + i64::from(m)),
        _ => return None,
    };
    (0..=MAX_YEAR)
        .contains(&year)
        .then(|| i64::from(year) * PERIODS_PER_YEAR + sub)
}

/// The inverse of [`encode_period`].
pub fn decode_period(n: i64) -> Option<Period> {
    if !(0..=MAX_PERIOD).contains(&n) {
        return None;
    }
    let year = i32::try_from(n / PERIODS_PER_YEAR).ok()?;
    let sub = u8::try_from(n % PERIODS_PER_YEAR).ok()?;
    Some(match sub {
        0 => Period::Year(year),
        1..=2 => Period::Half(year, sub),
        3..=6 => Period::Quarter(year, sub - 2),
        _ => Period::Month(year, sub - 6),
    })
}

/// The ordinals of every period of `year` lie in `year_range(year)` (inclusive).
pub fn year_range(year: i32) -> (i64, i64) {
    let first = i64::from(year) * PERIODS_PER_YEAR;
    (first, first + PERIODS_PER_YEAR - 1)
}

/// The first day of the period an ordinal stands for, as days since 1970-01-01 (what
/// `Observation::known_from` falls back to), computed without building a `Period`.
pub fn period_start_days(n: i64) -> Option<i64> {
    decode_period(n).map(|p| encode_date(p.start()))
}

/// `standing × 4 + state`, with the enums' declaration order (`Standing::ALL`,
/// `ReviewState::ALL`): an approved final figure is 11.
pub fn encode_flags(standing: Standing, state: ReviewState) -> i64 {
    let s = Standing::ALL
        .iter()
        .position(|x| *x == standing)
        .unwrap_or(0) as i64;
    let r = ReviewState::ALL
        .iter()
        .position(|x| *x == state)
        .unwrap_or(0) as i64;
    s * 4 + r
}

pub fn decode_flags(n: i64) -> Option<(Standing, ReviewState)> {
    let s = Standing::ALL.get(usize::try_from(n / 4).ok()?).copied()?;
    let r = ReviewState::ALL
        .get(usize::try_from(n % 4).ok()?)
        .copied()?;
    Some((s, r))
}

/// The flags of an approved figure have `flags % 4 == APPROVED`.
pub const APPROVED: i64 = 3;

/// A value's columns: `(mantissa, scale, exact)`. `exact` is the text of a value whose
/// mantissa does not fit an `i64` (then `mantissa` is `None`), and of a negative zero, whose
/// sign a mantissa cannot carry.
pub fn encode_value(d: Decimal) -> (Option<i64>, i64, Option<String>) {
    let scale = i64::from(d.scale());
    match i64::try_from(d.mantissa()) {
        Ok(m) if !(m == 0 && d.is_sign_negative()) => (Some(m), scale, None),
        _ => (None, scale, Some(d.to_string())),
    }
}

/// The inverse of [`encode_value`]; `Err` says what is wrong.
pub fn decode_value(
    mantissa: Option<i64>,
    scale: i64,
    exact: Option<&str>,
) -> Result<Decimal, String> {
    match (mantissa, exact) {
        (Some(m), None) => {
            let scale = u32::try_from(scale).map_err(|e| format!("scale {scale}: {e}"))?;
            Decimal::try_from_i128_with_scale(i128::from(m), scale)
                .map_err(|e| format!("scale {scale}: {e}"))
        }
        (None, Some(text)) => {
            let mut d: Decimal = text.parse().map_err(|e| format!("`{text}`: {e}"))?;
            // rust_decimal reads "-0.0" as a positive zero; the sign was written, keep it.
            if d.is_zero() && text.starts_with('-') {
                d.set_sign_negative(true);
            }
            Ok(d)
        }
        (Some(_), Some(_)) => Err("both a mantissa and an exact text".into()),
        (None, None) => Err("neither a mantissa nor an exact text".into()),
    }
}

/// The value a duplicate check compares: rust_decimal's equality is numeric (`41.30 ==
/// 41.3`), so the normalised mantissa and scale.
pub fn value_key(d: Decimal) -> (i128, u32) {
    let n = d.normalize();
    (n.mantissa(), n.scale())
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01.
pub fn encode_date(d: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
}

pub fn decode_date(days: i64) -> Option<NaiveDate> {
    let n = i32::try_from(days).ok()?.checked_add(EPOCH_DAYS_FROM_CE)?;
    NaiveDate::from_num_days_from_ce_opt(n)
}

// ---------------------------------------------------------------------------------------------
// Encoding rows for a write, shared by both backends

/// A figure's columns, ready to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub period: i64,
    pub indicator: i64,
    pub unit: i64,
    pub seq: i64,
    pub mantissa: Option<i64>,
    pub scale: i64,
    pub flags: i64,
    pub source: Option<i64>,
    pub reported_by: Option<i64>,
    /// Days since 1970-01-01.
    pub reported: Option<i64>,
    pub exact: Option<String>,
}

/// What makes two figures the same for the duplicate check: every column but `seq`, the
/// value compared numerically ([`value_key`]) like `Observation`'s equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub period: i64,
    pub indicator: i64,
    pub unit: i64,
    pub value: (i128, u32),
    pub flags: i64,
    pub source: Option<i64>,
    pub reported_by: Option<i64>,
    pub reported: Option<i64>,
}

impl Key {
    pub fn of(e: &Encoded, value: Decimal) -> Key {
        Key {
            period: e.period,
            indicator: e.indicator,
            unit: e.unit,
            value: value_key(value),
            flags: e.flags,
            source: e.source,
            reported_by: e.reported_by,
            reported: e.reported,
        }
    }
}

/// Turns rows into [`Encoded`] figures against what a database holds: the `seq` of units and
/// indicators by id, the ids of texts (new texts get the next ids and are listed in
/// `new_texts` for the caller to insert), and the next figure `seq`.
#[derive(Debug, Default)]
pub struct Encoder {
    pub units: HashMap<String, i64>,
    pub indicators: HashMap<String, i64>,
    pub texts: HashMap<String, i64>,
    pub new_texts: Vec<(i64, String)>,
    pub next_seq: i64,
    pub next_text: i64,
}

impl Encoder {
    fn text(&mut self, t: Option<&str>) -> Option<i64> {
        let t = t?;
        if let Some(id) = self.texts.get(t) {
            return Some(*id);
        }
        let id = self.next_text;
        self.next_text += 1;
        self.texts.insert(t.to_string(), id);
        self.new_texts.push((id, t.to_string()));
        Some(id)
    }

    /// The figure's columns, or the problem with the row: an unknown unit or indicator
    /// ([`StoreError::Row`]), a period that cannot be stored ([`StoreError::Database`], as
    /// the schema's CHECK reported it before).
    pub fn encode(&mut self, r: &ObservationRow<'_>) -> Result<Encoded, StoreError> {
        let row_error = |field: &'static str, message: String| StoreError::Row {
            line: r.line,
            field,
            message,
        };
        let unit = *self
            .units
            .get(r.unit)
            .ok_or_else(|| row_error("unit", format!("unknown unit `{}`", r.unit)))?;
        let indicator = *self.indicators.get(r.indicator).ok_or_else(|| {
            row_error("indicator", format!("unknown indicator `{}`", r.indicator))
        })?;
        let period = encode_period(r.period).ok_or_else(|| StoreError::Database {
            context: "writing",
            message: format!(
                "figures: period `{}` (line {}) cannot be stored: years are 0000 to 9999",
                r.period, r.line
            ),
        })?;
        let (mantissa, scale, exact) = encode_value(r.value);
        let seq = self.next_seq;
        self.next_seq += 1;
        Ok(Encoded {
            period,
            indicator,
            unit,
            seq,
            mantissa,
            scale,
            flags: encode_flags(r.standing, r.state),
            source: self.text(r.source),
            reported_by: self.text(r.reported_by),
            reported: r.reported.map(encode_date),
            exact,
        })
    }
}

/// The duplicate check of an import into a table that holds figures: the stored figures of
/// an indicator are read (by the backend, through `load`) the first time a row names it.
/// For an empty table it is never asked and costs nothing.
#[derive(Debug, Default)]
pub struct Duplicates {
    pub stored: HashSet<Key>,
    pub loaded: HashSet<i64>,
}

impl Duplicates {
    /// Whether `indicator`'s stored figures still need reading.
    pub fn needs(&self, indicator: i64) -> bool {
        !self.loaded.contains(&indicator)
    }

    pub fn is_stored(&self, e: &Encoded, value: Decimal) -> bool {
        self.stored.contains(&Key::of(e, value))
    }
}

/// One stored figure as read back, for [`Duplicates`] and for choosing the figure in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub period: i64,
    pub unit: i64,
    pub seq: i64,
    pub value: Decimal,
    pub flags: i64,
    pub source: Option<i64>,
    pub reported_by: Option<i64>,
    pub reported: Option<i64>,
}

fn corrupt(
    column: &'static str,
    value: impl ToString,
    reason: impl std::fmt::Display,
) -> StoreError {
    StoreError::corrupt("figures", column, value.to_string(), reason)
}

/// One row of the roll-up read.
pub struct RawFigure {
    pub period: i64,
    pub indicator: i64,
    pub unit: i64,
    pub mantissa: Option<i64>,
    pub scale: i64,
    pub flags: i64,
    pub reported: Option<i64>,
}

/// `seq → position` of the units or indicators of a database: a table indexed by seq when the
/// seqs are dense (they are insertion counters), a hash map otherwise; a roll-up read asks it
/// for every figure.
enum SeqIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<i64, u32>),
}

impl SeqIndex {
    const ABSENT: u32 = u32::MAX;

    fn new(map: &HashMap<i64, u32>) -> SeqIndex {
        let max = map.keys().copied().max().unwrap_or(0);
        let dense_enough = map.keys().all(|k| *k >= 0)
            && usize::try_from(max).is_ok_and(|m| m <= 4 * map.len() + 1024);
        if !dense_enough {
            return SeqIndex::Sparse(map.clone());
        }
        let mut table = vec![Self::ABSENT; usize::try_from(max).unwrap_or(0) + 1];
        for (&k, &v) in map {
            if let Some(slot) = usize::try_from(k).ok().and_then(|k| table.get_mut(k)) {
                *slot = v;
            }
        }
        SeqIndex::Dense(table)
    }

    fn get(&self, seq: i64) -> Option<u32> {
        match self {
            SeqIndex::Dense(t) => usize::try_from(seq)
                .ok()
                .and_then(|i| t.get(i))
                .copied()
                .filter(|&v| v != Self::ABSENT),
            SeqIndex::Sparse(m) => m.get(&seq).copied(),
        }
    }
}

/// The stored seqs of the positions `wanted` (positions as `seq → position` maps them), for a
/// backend's `IN (…)` / `= ANY(…)`.
pub fn seqs_of(map: &HashMap<i64, u32>, wanted: &[u32]) -> Vec<i64> {
    let wanted: HashSet<u32> = wanted.iter().copied().collect();
    let mut out: Vec<i64> = map
        .iter()
        .filter(|(_, p)| wanted.contains(p))
        .map(|(s, _)| *s)
        .collect();
    out.sort_unstable();
    out
}

/// Whether a seq is among `seqs`, asked for every figure of a read: a table when the seqs are
/// small (they are insertion counters), a hash set otherwise.
pub fn seq_set(seqs: &[i64]) -> impl Fn(i64) -> bool {
    let max = seqs.iter().copied().max().unwrap_or(0);
    let dense = seqs.iter().all(|s| *s >= 0) && max < 1 << 26;
    let mut table = Vec::new();
    let mut set = HashSet::new();
    if dense {
        table = vec![false; usize::try_from(max).unwrap_or(0) + 1];
        for &s in seqs {
            if let Some(slot) = usize::try_from(s).ok().and_then(|s| table.get_mut(s)) {
                *slot = true;
            }
        }
    } else {
        set = seqs.iter().copied().collect();
    }
    move |s: i64| {
        if dense {
            usize::try_from(s)
                .ok()
                .and_then(|s| table.get(s))
                .copied()
                .unwrap_or(false)
        } else {
            set.contains(&s)
        }
    }
}

/// At most `max` ranges `(first, last)` covering the sorted `seqs`: the runs of consecutive
/// seqs, the closest ones joined until few enough remain, for a backend's range test on
/// blocks.
pub fn seq_ranges(seqs: &[i64], max: usize) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &s in seqs {
        match runs.last_mut() {
            Some(r) if s <= r.1.saturating_add(1) => r.1 = r.1.max(s),
            _ => runs.push((s, s)),
        }
    }
    while runs.len() > max.max(1) {
        // Join the two neighbouring runs with the smallest gap between them.
        let Some(k) = (1..runs.len()).min_by_key(|&k| runs[k].0 - runs[k - 1].1) else {
            break;
        };
        runs[k - 1].1 = runs[k].1;
        runs.remove(k);
    }
    runs
}

/// Chooses, among the versions of each (period, indicator, unit) met in key order, the one
/// in force: known by the date, latest `known_from`, the later stored on a tie; and writes it
/// into the columns as soon as the next key begins.
pub struct Picker {
    known_by: i64,
    units: SeqIndex,
    indicators: SeqIndex,
    /// The period of the last row, its first day and its `Period`: rows come grouped by period.
    period: Option<(i64, i64, Period)>,
    best: Option<(RawFigure, Option<String>, i64)>,
    out: FigureColumns,
    /// By position: whether a unit's / an indicator's figures are wanted (all when `None`).
    only_units: Option<Vec<bool>>,
    only_indicators: Option<Vec<bool>>,
}

impl Picker {
    /// `units` and `indicators` map the stored seqs to positions in `load`'s order.
    pub fn new(known_by: i64, units: &HashMap<i64, u32>, indicators: &HashMap<i64, u32>) -> Self {
        Picker {
            known_by,
            units: SeqIndex::new(units),
            indicators: SeqIndex::new(indicators),
            period: None,
            best: None,
            out: FigureColumns::default(),
            only_units: None,
            only_indicators: None,
        }
    }

    /// Keeps only the figures of these units and indicators (positions), when given.
    pub fn only(mut self, units: Option<&[u32]>, indicators: Option<&[u32]>) -> Self {
        let mask = |wanted: &[u32]| {
            let n = wanted.iter().map(|&w| w as usize + 1).max().unwrap_or(0);
            let mut m = vec![false; n];
            for &w in wanted {
                m[w as usize] = true;
            }
            m
        };
        self.only_units = units.map(mask);
        self.only_indicators = indicators.map(mask);
        self
    }

    fn wanted(&self, f: &RawFigure) -> bool {
        let allowed = |mask: &Option<Vec<bool>>, index: &SeqIndex, seq: i64| match mask {
            None => true,
            Some(m) => index
                .get(seq)
                .is_some_and(|p| m.get(p as usize).copied().unwrap_or(false)),
        };
        allowed(&self.only_units, &self.units, f.unit)
            && allowed(&self.only_indicators, &self.indicators, f.indicator)
    }

    /// Room for `n` more figures.
    pub fn reserve(&mut self, n: usize) {
        let c = &mut self.out;
        c.unit.reserve(n);
        c.indicator.reserve(n);
        c.period.reserve(n);
        c.mantissa.reserve(n);
        c.scale.reserve(n);
        c.standing.reserve(n);
    }

    fn period(&mut self, n: i64) -> Result<(i64, Period), StoreError> {
        match self.period {
            Some((p, start, period)) if p == n => Ok((start, period)),
            _ => {
                let period =
                    decode_period(n).ok_or_else(|| corrupt("period", n, "not a period ordinal"))?;
                let start = encode_date(period.start());
                self.period = Some((n, start, period));
                Ok((start, period))
            }
        }
    }

    pub fn row(&mut self, f: RawFigure, exact: Option<String>) -> Result<(), StoreError> {
        if !self.wanted(&f) {
            return Ok(());
        }
        let (start, _) = self.period(f.period)?;
        let known_from = f.reported.unwrap_or(start);
        if known_from > self.known_by {
            return Ok(());
        }
        let same_key =
            |b: &RawFigure| b.period == f.period && b.indicator == f.indicator && b.unit == f.unit;
        match &self.best {
            Some((b, _, k)) if same_key(b) => {
                // Rows come in seq order within a key: a later one wins unless known earlier.
                if known_from >= *k {
                    self.best = Some((f, exact, known_from));
                }
            }
            _ => {
                if let Some((b, e, _)) = self.best.take() {
                    self.emit(b, e)?;
                }
                self.best = Some((f, exact, known_from));
            }
        }
        Ok(())
    }

    fn emit(&mut self, f: RawFigure, exact: Option<String>) -> Result<(), StoreError> {
        let unit = self
            .units
            .get(f.unit)
            .ok_or_else(|| corrupt("unit", f.unit, "no such unit"))?;
        let indicator = self
            .indicators
            .get(f.indicator)
            .ok_or_else(|| corrupt("indicator", f.indicator, "no such indicator"))?;
        let (_, period) = self.period(f.period)?;
        let (standing, _) = decode_flags(f.flags)
            .ok_or_else(|| corrupt("flags", f.flags, "not standing × 4 + state"))?;
        let scale = u32::try_from(f.scale).map_err(|e| corrupt("scale", f.scale, e))?;
        let c = &mut self.out;
        match f.mantissa {
            Some(m) => c.mantissa.push(m),
            None => {
                let v = decode_value(None, f.scale, exact.as_deref())
                    .map_err(|e| corrupt("exact", "", e))?;
                c.wide.push((c.unit.len(), v));
                c.mantissa.push(0);
            }
        }
        c.unit.push(unit);
        c.indicator.push(indicator);
        c.period.push(period);
        c.scale.push(scale);
        c.standing.push(standing);
        Ok(())
    }

    pub fn finish(mut self) -> Result<FigureColumns, StoreError> {
        if let Some((b, e, _)) = self.best.take() {
            self.emit(b, e)?;
        }
        Ok(self.out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip_and_order() {
        let mut last = -1;
        for y in [0, 1, 2018, 9999] {
            let mut all = vec![Period::Year(y)];
            all.extend((1..=2).map(|h| Period::Half(y, h)));
            all.extend((1..=4).map(|q| Period::Quarter(y, q)));
            all.extend((1..=12).map(|m| Period::Month(y, m)));
            for p in all {
                let n = encode_period(p).unwrap();
                assert!(n > last, "{p}");
                last = n;
                assert_eq!(decode_period(n), Some(p));
                assert_eq!(period_start_days(n), Some(encode_date(p.start())));
            }
        }
        assert_eq!(last, MAX_PERIOD);
        for bad in [
            Period::Year(10000),
            Period::Year(-1),
            Period::Month(2019, 13),
            Period::Month(2019, 0),
            Period::Quarter(2019, 5),
            Period::Half(2019, 3),
        ] {
            assert_eq!(encode_period(bad), None, "{bad:?}");
        }
        assert_eq!(decode_period(MAX_PERIOD + 1), None);
        assert_eq!(decode_period(-1), None);
    }

    #[test]
    fn values_keep_their_scale() {
        for t in [
            "0.30",
            "0",
            "0.000",
            "-2.50",
            "79228162514264337593543950335",
            "-0.0000000000000000000000000001",
            "9223372036854775807",
            "9223372036854775808",
        ] {
            let d: Decimal = t.parse().unwrap();
            let (m, s, e) = encode_value(d);
            let back = decode_value(m, s, e.as_deref()).unwrap();
            assert_eq!(back.to_string(), d.to_string());
        }
        let (m, _, e) = encode_value("9223372036854775808".parse().unwrap());
        assert!(m.is_none() && e.is_some());
        let negative_zero = -Decimal::new(0, 1);
        let (_, _, e) = encode_value(negative_zero);
        let back = decode_value(None, 1, e.as_deref()).unwrap();
        assert_eq!(back.to_string(), negative_zero.to_string());
        assert!(decode_value(None, 0, None).is_err());
    }

    #[test]
    fn seq_sets_and_ranges() {
        let seqs = [1, 2, 3, 7, 8, 20, 40, 41];
        let set = seq_set(&seqs);
        assert!((0..50).all(|s| set(s) == seqs.contains(&s)));
        let sparse = seq_set(&[-5, 1 << 40]);
        assert!(sparse(-5) && sparse(1 << 40) && !sparse(0));
        assert_eq!(
            seq_ranges(&seqs, 8),
            vec![(1, 3), (7, 8), (20, 20), (40, 41)]
        );
        assert_eq!(seq_ranges(&seqs, 2), vec![(1, 20), (40, 41)]);
        assert_eq!(seq_ranges(&seqs, 1), vec![(1, 41)]);
        assert!(seq_ranges(&[], 4).is_empty());
    }

    #[test]
    fn flags_and_dates() {
        for s in Standing::ALL {
            for r in ReviewState::ALL {
                let n = encode_flags(s, r);
                assert!((0..16).contains(&n));
                assert_eq!(decode_flags(n), Some((s, r)));
                assert_eq!(n % 4 == APPROVED, r == ReviewState::Approved);
            }
        }
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(encode_date(epoch), 0);
        for d in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            epoch,
            epoch.pred_opt().unwrap(),
        ] {
            assert_eq!(decode_date(encode_date(d)), Some(d));
        }
    }
}
