//! Roll-ups through the unit tree: a unit's value for an indicator and a period is its own
//! reported figure when it has one, else the aggregate of its children by the indicator's
//! method; derived indicators are computed from the aggregated inputs, never averaged.
//!
//! Built for national scale (tens of thousands of units, millions of figures a year): units,
//! indicators and periods are interned to integers, figures are held in columns as integers
//! scaled by a power of ten per indicator (exact: sums of budgets must add up), and a year
//! is rolled up level by level in one pass over its figures.
//!
//! Reorganisations: the tree is the one in force at a date. Figures reported by units that
//! no longer exist at that date flow into their successors, multiplied by the share of the
//! old unit that went to each (for additive methods), so a merged commune has figures for
//! years before it existed; every rolled-up figure can say which reporting units it came from.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::formula::Formula;
use crate::model::*;
use crate::period::Period;
use crate::status::Figure;
use crate::version::FigureFilter;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("indicator `{indicator}`: formula `{formula}`: {message}")]
    Formula {
        indicator: String,
        formula: String,
        message: String,
    },
    #[error("indicator `{indicator}`: formula uses `{input}`, which is not an indicator")]
    UnknownInput { indicator: String, input: String },
    #[error("indicators {0} are defined in a cycle")]
    Cycle(String),
    #[error("indicator `{0}`: a figure has too many digits to be added up exactly")]
    Overflow(String),
}

/// The unit tree in force at a date, over the dataset's units by index.
#[derive(Debug, Clone)]
pub struct Tree {
    pub date: NaiveDate,
    ids: Vec<String>,
    index: HashMap<String, u32>,
    present: Vec<bool>,
    parent: Vec<u32>,
    /// Distance to the root, for bottom-up passes.
    depth: Vec<u32>,
}

impl Tree {
    /// The units valid on `date` and their parents. A unit whose parent is not valid on that
    /// date is a root.
    pub fn at(units: &[Unit], date: NaiveDate) -> Tree {
        let ids: Vec<String> = units.iter().map(|u| u.id.clone()).collect();
        let index: HashMap<String, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i as u32))
            .collect();
        let present: Vec<bool> = units.iter().map(|u| u.is_valid_on(date)).collect();
        let parent: Vec<u32> = units
            .iter()
            .map(|u| {
                u.parent
                    .as_deref()
                    .and_then(|p| index.get(p).copied())
                    .filter(|&p| present[p as usize])
                    .unwrap_or(NONE)
            })
            .collect();
        let mut depth = vec![0u32; units.len()];
        for i in 0..units.len() {
            let mut d = 0;
            let mut cur = parent[i];
            while cur != NONE && d <= units.len() {
                d += 1;
                cur = parent[cur as usize];
            }
            depth[i] = d as u32;
        }
        Tree {
            date,
            ids,
            index,
            present,
            parent,
            depth,
        }
    }

    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }

    pub fn is_present(&self, i: u32) -> bool {
        self.present.get(i as usize).copied().unwrap_or(false)
    }

    pub fn parent(&self, i: u32) -> Option<u32> {
        self.parent.get(i as usize).copied().filter(|&p| p != NONE)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Where each unit's figures go in a tree: present units to themselves; units that ended to
/// their successors present at the tree's date, with the share of the old unit each received.
#[derive(Debug, Clone)]
pub struct Lineage {
    targets: Vec<Vec<(u32, Decimal)>>,
    /// Units whose figures stay their own, whole (those present in the tree): the bulk load's
    /// test for every figure, cheaper than comparing a decimal share.
    identity: Vec<bool>,
}

impl Lineage {
    pub fn new(tree: &Tree, reorganisations: &[Reorganisation]) -> Lineage {
        // Successions in force by the tree's date, by predecessor.
        let mut next: HashMap<u32, Vec<(NaiveDate, u32, Decimal)>> = HashMap::new();
        for r in reorganisations.iter().filter(|r| r.date <= tree.date) {
            for p in &r.parts {
                if let (Some(f), Some(t)) = (tree.index_of(&p.from), tree.index_of(&p.to)) {
                    next.entry(f).or_default().push((r.date, t, p.share));
                }
            }
        }
        let targets: Vec<Vec<(u32, Decimal)>> = (0..tree.len() as u32)
            .map(|u| {
                let mut out = Vec::new();
                resolve(tree, &next, u, Decimal::ONE, 0, &mut out);
                out
            })
            .collect();
        let identity = targets
            .iter()
            .enumerate()
            .map(|(u, t)| matches!(t.as_slice(), [(to, share)] if *to as usize == u && *share == Decimal::ONE))
            .collect();
        Lineage { targets, identity }
    }

    /// Whether unit `u`'s figures stay its own, whole.
    pub fn is_identity(&self, u: u32) -> bool {
        self.identity.get(u as usize).copied().unwrap_or(false)
    }

    /// Where figures of unit `u` go: (present unit, share).
    pub fn of(&self, u: u32) -> &[(u32, Decimal)] {
        self.targets.get(u as usize).map_or(&[], |v| v.as_slice())
    }
}

fn resolve(
    tree: &Tree,
    next: &HashMap<u32, Vec<(NaiveDate, u32, Decimal)>>,
    u: u32,
    share: Decimal,
    depth: usize,
    out: &mut Vec<(u32, Decimal)>,
) {
    if tree.is_present(u) {
        match out.iter_mut().find(|(x, _)| *x == u) {
            Some(slot) => slot.1 += share,
            None => out.push((u, share)),
        }
        return;
    }
    // A chain of reorganisations longer than the number of units is a cycle in bad data.
    if depth > tree.len() {
        return;
    }
    if let Some(steps) = next.get(&u) {
        // Only the earliest reorganisation the unit went through: later ones apply to its
        // successors.
        let first = steps.iter().map(|s| s.0).min();
        for (_, to, s) in steps.iter().filter(|s| Some(s.0) == first) {
            resolve(tree, next, *to, share * *s, depth + 1, out);
        }
    }
}

/// How an indicator combines, resolved to indices.
#[derive(Debug, Clone)]
enum Rule {
    Base(AggregationMethod),
    /// A 0/1 flag at the units that report the source indicator, summed above them.
    CountWhere {
        source: u32,
        op: CompareOp,
        value: Decimal,
    },
    Derived {
        formula: Formula,
        inputs: Vec<u32>,
    },
}

/// Indicators interned, with their rules; derived ones in an order where inputs come first.
#[derive(Debug, Clone)]
pub struct Catalogue {
    ids: Vec<String>,
    index: HashMap<String, u32>,
    rules: Vec<Rule>,
    /// Derived indicators, inputs before the formulas that use them.
    derived_order: Vec<u32>,
}

impl Catalogue {
    pub fn new(indicators: &[Indicator]) -> Result<Catalogue, RollupError> {
        let ids: Vec<String> = indicators.iter().map(|i| i.id.clone()).collect();
        let index: HashMap<String, u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i as u32))
            .collect();
        let mut rules = Vec::with_capacity(indicators.len());
        for ind in indicators {
            rules.push(match &ind.aggregation {
                Aggregation::Base(m) => Rule::Base(*m),
                Aggregation::CountWhere {
                    indicator,
                    op,
                    value,
                } => Rule::CountWhere {
                    source: *index
                        .get(indicator)
                        .ok_or_else(|| RollupError::UnknownInput {
                            indicator: ind.id.clone(),
                            input: indicator.clone(),
                        })?,
                    op: *op,
                    value: *value,
                },
                Aggregation::Derived { formula } => {
                    let f = Formula::parse(formula).map_err(|e| RollupError::Formula {
                        indicator: ind.id.clone(),
                        formula: formula.clone(),
                        message: e.to_string(),
                    })?;
                    let inputs = f
                        .inputs()
                        .iter()
                        .map(|x| {
                            index.get(x.as_str()).copied().ok_or_else(|| {
                                RollupError::UnknownInput {
                                    indicator: ind.id.clone(),
                                    input: x.clone(),
                                }
                            })
                        })
                        .collect::<Result<Vec<u32>, _>>()?;
                    Rule::Derived { formula: f, inputs }
                }
            });
        }
        let derived_order = topological(&ids, &rules)?;
        Ok(Catalogue {
            ids,
            index,
            rules,
            derived_order,
        })
    }

    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Which indicators a roll-up of `indicators` needs, by index: those, the inputs of their
    /// formulas and the sources of their count_where, transitively.
    pub fn needed_by(&self, indicators: &[u32]) -> Vec<bool> {
        let mut needed = vec![false; self.rules.len()];
        let mut todo: Vec<u32> = indicators.to_vec();
        while let Some(i) = todo.pop() {
            let Some(seen) = needed.get_mut(i as usize) else {
                continue;
            };
            if *seen {
                continue;
            }
            *seen = true;
            match &self.rules[i as usize] {
                Rule::Base(_) => {}
                Rule::CountWhere { source, .. } => todo.push(*source),
                Rule::Derived { inputs, .. } => todo.extend(inputs),
            }
        }
        needed
    }

    fn is_additive(&self, i: u32) -> bool {
        matches!(
            self.rules[i as usize],
            Rule::Base(AggregationMethod::Sum) | Rule::Base(AggregationMethod::Count)
        )
    }
}

fn topological(ids: &[String], rules: &[Rule]) -> Result<Vec<u32>, RollupError> {
    // 0 = not seen, 1 = in progress, 2 = done.
    let mut state = vec![0u8; rules.len()];
    let mut order = Vec::new();
    fn visit(
        i: u32,
        rules: &[Rule],
        ids: &[String],
        state: &mut [u8],
        order: &mut Vec<u32>,
    ) -> Result<(), RollupError> {
        match state[i as usize] {
            2 => return Ok(()),
            1 => return Err(RollupError::Cycle(format!("`{}`", ids[i as usize]))),
            _ => {}
        }
        state[i as usize] = 1;
        if let Rule::Derived { inputs, .. } = &rules[i as usize] {
            for &x in inputs {
                visit(x, rules, ids, state, order)?;
            }
            order.push(i);
        }
        state[i as usize] = 2;
        Ok(())
    }
    for i in 0..rules.len() as u32 {
        visit(i, rules, ids, &mut state, &mut order)?;
    }
    Ok(order)
}

/// A reported figure as integers: `mantissa × 10^-scale` for an indicator and period, reported
/// by the unit `origin` (an index of the tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaled {
    pub origin: u32,
    pub indicator: u32,
    pub period: Period,
    pub mantissa: i64,
    pub scale: u32,
    pub standing: Standing,
}

/// Figures in columns, already mapped onto the units of one tree. A value is the integer
/// `value` scaled by `10^value_scale`; `scale` holds, per indicator, the largest scale seen, to
/// which a roll-up brings all of that indicator's values.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub unit: Vec<u32>,
    pub indicator: Vec<u32>,
    pub period: Vec<Period>,
    pub value: Vec<i64>,
    pub value_scale: Vec<u8>,
    /// The unit that reported the figure (differs from `unit` after a reorganisation).
    pub origin: Vec<u32>,
    pub standing: Vec<Standing>,
    pub scale: Vec<u32>,
    /// Per indicator, whether a figure was pushed (kept, like `scale`, by the push methods):
    /// a roll-up leaves out the rows of own figures of formulas nobody reported.
    reported: Vec<bool>,
}

impl Figures {
    /// An empty set for a catalogue's indicators.
    pub fn new(catalogue: &Catalogue) -> Figures {
        Figures {
            scale: vec![0; catalogue.len()],
            reported: vec![false; catalogue.len()],
            ..Figures::default()
        }
    }

    pub fn with_capacity(catalogue: &Catalogue, rows: usize) -> Figures {
        Figures {
            unit: Vec::with_capacity(rows),
            indicator: Vec::with_capacity(rows),
            period: Vec::with_capacity(rows),
            value: Vec::with_capacity(rows),
            value_scale: Vec::with_capacity(rows),
            origin: Vec::with_capacity(rows),
            standing: Vec::with_capacity(rows),
            scale: vec![0; catalogue.len()],
            reported: vec![false; catalogue.len()],
        }
    }

    pub fn len(&self) -> usize {
        self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Adds a figure reported by unit `r.origin` (an index of the tree), mapped onto the units
    /// of the tree through `lineage`: a share of an additive figure for each successor. The
    /// fast path, for bulk loads, when the unit is in the tree.
    pub fn push_scaled(
        &mut self,
        lineage: &Lineage,
        catalogue: &Catalogue,
        r: Scaled,
    ) -> Result<(), RollupError> {
        if lineage.is_identity(r.origin) {
            self.push_row(r.origin, r, r.mantissa, r.scale);
            return Ok(());
        }
        let value = Decimal::new(r.mantissa, r.scale);
        for &(to, share) in lineage.of(r.origin) {
            let v = if share == Decimal::ONE || !catalogue.is_additive(r.indicator) {
                value
            } else {
                value * share
            };
            let v = v.normalize();
            let mantissa = i64::try_from(v.mantissa())
                .map_err(|_| RollupError::Overflow(catalogue.id(r.indicator).to_string()))?;
            self.push_row(to, r, mantissa, v.scale());
        }
        Ok(())
    }

    /// Adds a figure given as a decimal.
    pub fn push(
        &mut self,
        lineage: &Lineage,
        catalogue: &Catalogue,
        r: Scaled,
        value: Decimal,
    ) -> Result<(), RollupError> {
        let v = value.normalize();
        let mantissa = i64::try_from(v.mantissa())
            .map_err(|_| RollupError::Overflow(catalogue.id(r.indicator).to_string()))?;
        self.push_scaled(
            lineage,
            catalogue,
            Scaled {
                mantissa,
                scale: v.scale(),
                ..r
            },
        )
    }

    fn push_row(&mut self, unit: u32, r: Scaled, mantissa: i64, scale: u32) {
        self.unit.push(unit);
        self.indicator.push(r.indicator);
        self.period.push(r.period);
        self.value.push(mantissa);
        self.value_scale.push(scale.min(28) as u8);
        self.origin.push(r.origin);
        self.standing.push(r.standing);
        if let Some(s) = self.scale.get_mut(r.indicator as usize) {
            *s = (*s).max(scale);
        }
        if let Some(x) = self.reported.get_mut(r.indicator as usize) {
            *x = true;
        }
    }

    /// Whether a figure of indicator `i` was pushed.
    fn reports(&self, i: usize) -> bool {
        self.reported.get(i).copied().unwrap_or(false)
    }

    /// The figures in force in `ds` (the last reported per unit, indicator and period among
    /// those the filter admits), mapped onto `tree` through `lineage`.
    pub fn from_dataset(
        ds: &Dataset,
        tree: &Tree,
        lineage: &Lineage,
        catalogue: &Catalogue,
        filter: FigureFilter,
    ) -> Result<Figures, RollupError> {
        let mut in_force: HashMap<(u32, u32, Period), &Observation> = HashMap::new();
        for o in &ds.observations {
            if o.known_from() > filter.known_by
                || !(filter.include_unapproved || o.state == ReviewState::Approved)
            {
                continue;
            }
            let (Some(u), Some(i)) = (tree.index_of(&o.unit), catalogue.index_of(&o.indicator))
            else {
                continue;
            };
            let slot = in_force.entry((u, i, o.period)).or_insert(o);
            if o.known_from() >= slot.known_from() {
                *slot = o;
            }
        }
        let mut keys: Vec<(u32, u32, Period)> = in_force.keys().copied().collect();
        keys.sort_by_key(|k| (k.1, k.2, k.0));
        let mut f = Figures::with_capacity(catalogue, keys.len());
        for key in keys {
            if let Some(o) = in_force.get(&key) {
                let r = Scaled {
                    origin: key.0,
                    indicator: key.1,
                    period: key.2,
                    mantissa: 0,
                    scale: 0,
                    standing: o.standing,
                };
                f.push(lineage, catalogue, r, o.value)?;
            }
        }
        Ok(f)
    }
}

fn from_scaled(v: i128, scale: u32) -> Option<Decimal> {
    // The common case, stripped of trailing zeros in an i64 rather than by dividing a 96-bit
    // mantissa: the same decimal as `normalize` gives.
    if let (Ok(mut m), true) = (i64::try_from(v), scale <= 28) {
        if m == 0 {
            return Some(Decimal::ZERO);
        }
        let mut s = scale;
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        return Decimal::try_new(m, s).ok();
    }
    Decimal::try_from_i128_with_scale(v, scale)
        .ok()
        .map(|d| d.normalize())
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The unit's own figure.
    Reported,
    /// Aggregated from the units below.
    Computed,
    /// Computed by the indicator's formula from aggregated inputs.
    Derived,
}

/// One rolled-up value.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub value: Decimal,
    pub source: Source,
    /// The least firm standing among the figures the value came from.
    pub standing: Standing,
    /// The aggregate of the units below, shown beside a reported figure when they disagree.
    pub computed: Option<Decimal>,
}

/// Why a cell has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    None,
    Formula,
    NotAdded,
    Range,
    /// Not among the indicators of a roll-up restricted to some.
    NotRolledUp,
}

/// Why a derived value is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub reason: String,
}

/// The roll-up of a set of periods: every indicator (or those asked for, and what they are
/// computed from) for every present unit that has a figure or a unit below with one.
///
/// Laid out for national scale: own figures are one dense block (slot × row × period) of
/// scaled integers, a row per indicator rolled up; children's aggregates exist only for slots
/// that have children; derived values only for derived indicators.
#[derive(Debug, Clone)]
pub struct Cube {
    pub periods: Vec<Period>,
    /// Indicator → its row of own figures in each slot's block (`NONE` when it was not rolled
    /// up, or is a formula no figure reports: its values are all in `derived`).
    row: Vec<u32>,
    n_rows: usize,
    /// Tree unit → slot (`NONE` when the unit has no figure and none below it).
    slot_of: Vec<u32>,
    units: Vec<u32>,
    scale: Vec<u32>,
    /// (slot, indicator, period) → own figure, scaled; `i64::MIN` when none.
    own: Vec<i64>,
    /// Standing of each own figure, and the least firm standing among each aggregate's
    /// contributors (`Standing as u8`: estimate < preliminary < final).
    own_standing: Vec<u8>,
    agg_standing: Vec<u8>,
    /// Slot → row of `agg` (`NONE` for slots without children).
    agg_row: Vec<u32>,
    /// (agg row, indicator row, period) → aggregate of the children; `agg_n` counts
    /// contributors.
    agg: Vec<i64>,
    agg_n: Vec<u32>,
    /// Indicator → position among the derived ones rolled up (`NONE` for others).
    derived_pos: Vec<u32>,
    n_derived: usize,
    /// (slot, derived position, period) → value; NaN when it cannot be computed.
    derived: Vec<f64>,
}

impl Cube {
    /// The row of an indicator that was rolled up.
    fn row_of(&self, ind: u32) -> Option<usize> {
        self.row
            .get(ind as usize)
            .filter(|&&r| r != NONE)
            .map(|&r| r as usize)
    }

    fn cell(&self, slot: u32, ind: u32, per: usize) -> Option<usize> {
        let r = self.row_of(ind)?;
        Some((slot as usize * self.n_rows + r) * self.periods.len() + per)
    }

    fn agg_cell(&self, slot: u32, ind: u32, per: usize) -> Option<usize> {
        let row = *self.agg_row.get(slot as usize)?;
        let r = self.row_of(ind)?;
        (row != NONE).then(|| (row as usize * self.n_rows + r) * self.periods.len() + per)
    }

    fn derived_cell(&self, slot: u32, ind: u32, per: usize) -> Option<usize> {
        let pos = *self.derived_pos.get(ind as usize)?;
        (pos != NONE)
            .then(|| (slot as usize * self.n_derived + pos as usize) * self.periods.len() + per)
    }

    fn aggregate(&self, slot: u32, ind: u32, per: usize) -> Option<i64> {
        self.agg_cell(slot, ind, per)
            .filter(|&c| self.agg_n[c] > 0)
            .map(|c| self.agg[c])
    }

    /// The value of `indicator` at `unit` for `period`.
    pub fn get(
        &self,
        tree: &Tree,
        catalogue: &Catalogue,
        unit: &str,
        indicator: &str,
        period: Period,
    ) -> Result<Value, Missing> {
        let missing = |reason: String| Missing { reason };
        let u = tree
            .index_of(unit)
            .filter(|&u| tree.is_present(u))
            .ok_or_else(|| missing(format!("`{unit}` is not in the tree of {}", tree.date)))?;
        let i = catalogue
            .index_of(indicator)
            .ok_or_else(|| missing(format!("unknown indicator `{indicator}`")))?;
        let p = self
            .periods
            .iter()
            .position(|x| *x == period)
            .ok_or_else(|| missing(format!("period {period} was not rolled up")))?;
        let slot = self
            .slot_of
            .get(u as usize)
            .copied()
            .filter(|&s| s != NONE)
            .ok_or_else(|| {
                missing(format!(
                    "no figure for `{indicator}` at `{unit}` or the units below it in {period}"
                ))
            })?;
        match self.value_at(catalogue, slot, i, p) {
            Ok(v) => Ok(v),
            Err(Why::Formula) => Err(missing(format!(
                "`{indicator}` cannot be computed for `{unit}` in {period}: an input is missing or a divisor is zero"
            ))),
            Err(Why::NotAdded) => Err(missing(format!(
                "`{indicator}` is not added up over units (method `last`); report it or define it by a formula"
            ))),
            Err(Why::Range) => Err(missing("value out of range".into())),
            Err(Why::NotRolledUp) => Err(missing(format!(
                "`{indicator}` was not among the indicators rolled up"
            ))),
            Err(Why::None) => Err(missing(format!("no figure for `{indicator}` at `{unit}` or below in {period}"))),
        }
    }

    /// The value in a cell, or why there is none: no strings, for series over many periods.
    fn value_at(&self, catalogue: &Catalogue, slot: u32, i: u32, p: usize) -> Result<Value, Why> {
        self.value_in(catalogue, slot, i, p, true)
    }

    /// [`Cube::value_at`]; without `beside`, a reported value's `computed` twin is not worked
    /// out (`None`), for the many callers that judge the value alone.
    fn value_in(
        &self,
        catalogue: &Catalogue,
        slot: u32,
        i: u32,
        p: usize,
        beside: bool,
    ) -> Result<Value, Why> {
        let c = self.cell(slot, i, p);
        let derived = self.derived_cell(slot, i, p);
        if c.is_none() && derived.is_none() {
            return Err(Why::NotRolledUp);
        }
        let last = matches!(
            catalogue.rules[i as usize],
            Rule::Base(AggregationMethod::Last)
        );
        let scale = self.scale[i as usize];
        // What the units below add up to (or the formula gives), shown beside an own figure.
        let computed = || match derived {
            // A formula's result is a float: kept to 6 decimals, not to the float's noise.
            Some(c) => Some(self.derived[c])
                .filter(|v| v.is_finite() && v.abs() < 9.0e12)
                .and_then(|v| from_scaled(i128::from((v * 1e6).round() as i64), 6)),
            None if last => None,
            None => self
                .aggregate(slot, i, p)
                .and_then(|v| from_scaled(i128::from(v), scale)),
        };
        if let Some(c) = c.filter(|&c| self.own[c] != i64::MIN) {
            let value = from_scaled(i128::from(self.own[c]), scale).ok_or(Why::Range)?;
            return Ok(Value {
                value,
                source: Source::Reported,
                standing: standing_from(self.own_standing[c]),
                computed: if beside {
                    computed().filter(|c| *c != value)
                } else {
                    None
                },
            });
        }
        let computed = computed();
        if derived.is_some() {
            let value = computed.ok_or(Why::Formula)?;
            let standing = self.standing_of(catalogue, slot, i, p, 0);
            return Ok(Value {
                value,
                source: Source::Derived,
                standing,
                computed: None,
            });
        }
        match computed {
            Some(value) => {
                let standing = self.standing_of(catalogue, slot, i, p, 0);
                Ok(Value {
                    value,
                    source: Source::Computed,
                    standing,
                    computed: None,
                })
            }
            None if last && self.aggregate(slot, i, p).is_some() => Err(Why::NotAdded),
            None => Err(Why::None),
        }
    }

    /// Every period's value of an indicator at a unit, in period order (none where there is no
    /// value).
    pub fn series(
        &self,
        tree: &Tree,
        catalogue: &Catalogue,
        unit: &str,
        indicator: &str,
    ) -> Vec<(Period, Value)> {
        let (Some(u), Some(i)) = (tree.index_of(unit), catalogue.index_of(indicator)) else {
            return Vec::new();
        };
        let Some(slot) = self.slot_of.get(u as usize).copied().filter(|&s| s != NONE) else {
            return Vec::new();
        };
        (0..self.periods.len())
            .filter_map(|p| {
                self.value_at(catalogue, slot, i, p)
                    .ok()
                    .map(|v| (self.periods[p], v))
            })
            .collect()
    }

    /// A unit's series of an indicator as a target is judged on it: [`Cube::series`] without
    /// the computed twins of reported values.
    fn figures_of(&self, catalogue: &Catalogue, u: u32, i: u32) -> Vec<Figure> {
        let Some(slot) = self.slot_of.get(u as usize).copied().filter(|&s| s != NONE) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(self.periods.len());
        for (p, &period) in self.periods.iter().enumerate() {
            if let Ok(v) = self.value_in(catalogue, slot, i, p, false) {
                out.push(Figure {
                    period,
                    value: v.value,
                    standing: v.standing,
                });
            }
        }
        out
    }

    /// The least firm standing behind a value: its own figure's, its children's, or (for a
    /// formula) its inputs'.
    fn standing_of(
        &self,
        catalogue: &Catalogue,
        slot: u32,
        ind: u32,
        per: usize,
        depth: usize,
    ) -> Standing {
        if let Some(c) = self
            .cell(slot, ind, per)
            .filter(|&c| self.own[c] != i64::MIN)
        {
            return standing_from(self.own_standing[c]);
        }
        match &catalogue.rules[ind as usize] {
            // Formulas are acyclic (the catalogue refuses cycles); the depth guard is for safety.
            Rule::Derived { inputs, .. } if depth < 64 => inputs
                .iter()
                .map(|&x| self.standing_of(catalogue, slot, x, per, depth + 1))
                .min()
                .unwrap_or(Standing::Final),
            Rule::CountWhere { source, .. } if depth < 64 => {
                self.standing_of(catalogue, slot, *source, per, depth + 1)
            }
            _ => self
                .agg_cell(slot, ind, per)
                .map_or(Standing::Final, |ac| standing_from(self.agg_standing[ac])),
        }
    }

    /// Number of (unit, indicator, period) values: own, aggregated or derived.
    pub fn filled(&self) -> usize {
        let mut n = 0;
        for slot in 0..self.units.len() as u32 {
            for i in 0..self.row.len() as u32 {
                for p in 0..self.periods.len() {
                    let own = self.cell(slot, i, p).map(|c| self.own[c] != i64::MIN);
                    let has = match self.derived_cell(slot, i, p) {
                        Some(d) => self.derived[d].is_finite(),
                        None if own.is_none() => continue,
                        None => own == Some(true) || self.aggregate(slot, i, p).is_some(),
                    };
                    n += usize::from(has);
                }
            }
        }
        n
    }

    pub fn units(&self) -> &[u32] {
        &self.units
    }

    /// The values in force of an indicator at a slot as f64, period by period (NaN where
    /// none): the input of formulas.
    fn row_f64(&self, catalogue: &Catalogue, slot: u32, ind: u32, out: &mut [f64]) {
        let n_per = self.periods.len();
        let scale = POWERS_OF_TEN
            .get(self.scale[ind as usize] as usize)
            .copied()
            .unwrap_or(f64::INFINITY);
        let own = self
            .cell(slot, ind, 0)
            .and_then(|at| self.own.get(at..at + n_per));
        let derived = self
            .derived_cell(slot, ind, 0)
            .and_then(|c| self.derived.get(c..c + n_per));
        let last = matches!(
            catalogue.rules[ind as usize],
            Rule::Base(AggregationMethod::Last)
        );
        let agg = match self.agg_cell(slot, ind, 0) {
            Some(c) if !last => self.agg.get(c..c + n_per).zip(self.agg_n.get(c..c + n_per)),
            _ => None,
        };
        for (p, o) in out.iter_mut().enumerate().take(n_per) {
            let own = own.map_or(i64::MIN, |own| own[p]);
            *o = if own != i64::MIN {
                own as f64 / scale
            } else if let Some(d) = derived {
                d[p]
            } else {
                match agg {
                    Some((a, n)) if n[p] > 0 => a[p] as f64 / scale,
                    _ => f64::NAN,
                }
            };
        }
    }
}

/// A childless slot's row of own figures and its parent's row of aggregates.
struct Row<'a> {
    own: &'a [i64],
    standing: &'a [u8],
    agg: &'a mut [i64],
    n: &'a mut [u32],
    agg_standing: &'a mut [u8],
}

impl Row<'_> {
    /// [`combine`] for every period with an own figure, by `f` (the method's rule once there is
    /// an aggregate); `None` at the first overflow.
    fn add(self, f: impl Fn(i64, i64) -> Option<i64>) -> Option<()> {
        let cells = self
            .own
            .iter()
            .zip(self.standing)
            .zip(self.agg.iter_mut())
            .zip(self.n.iter_mut())
            .zip(self.agg_standing.iter_mut());
        for ((((&v, &standing), acc), n), acc_standing) in cells {
            if v == i64::MIN {
                continue;
            }
            *acc = if *n == 0 { v } else { f(*acc, v)? };
            *n += 1;
            *acc_standing = (*acc_standing).min(standing);
        }
        Some(())
    }
}

fn combine(method: AggregationMethod, acc: i64, n: u32, v: i64) -> Option<i64> {
    if n == 0 {
        return Some(v);
    }
    match method {
        AggregationMethod::Sum | AggregationMethod::Count => acc.checked_add(v),
        AggregationMethod::Min => Some(acc.min(v)),
        AggregationMethod::Max => Some(acc.max(v)),
        // Not added over units; kept so that a reader can see children reported something.
        AggregationMethod::Last => Some(acc),
    }
}

const FINAL: u8 = Standing::Final as u8;

fn standing_from(x: u8) -> Standing {
    match x {
        0 => Standing::Estimate,
        1 => Standing::Preliminary,
        _ => Standing::Final,
    }
}

const POWERS_OF_TEN: [f64; 29] = {
    let mut t = [1.0; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10.0;
        i += 1;
    }
    t
};

/// Periods to positions without hashing: a table indexed by a period's ordinal (a few
/// dozen entries per year), since a national roll-up asks this for tens of millions of figures.
struct PeriodIndex {
    first: i64,
    table: Vec<u32>,
}

impl PeriodIndex {
    fn ordinal(p: Period) -> i64 {
        let sub = match p {
            Period::Year(_) => 0,
            Period::Half(_, h) => i64::from(h),
            Period::Quarter(_, q) => 2 + i64::from(q),
            Period::Month(_, m) => 6 + i64::from(m),
        };
        i64::from(p.year()) * 19 + sub
    }

    /// The period of an ordinal (the inverse of `ordinal`).
    fn period(o: i64) -> Option<Period> {
        let year = i32::try_from(o.div_euclid(19)).ok()?;
        let sub = o.rem_euclid(19) as u8;
        Some(match sub {
            0 => Period::Year(year),
            1..=2 => Period::Half(year, sub),
            3..=6 => Period::Quarter(year, sub - 2),
            _ => Period::Month(year, sub - 6),
        })
    }

    fn new(periods: &[Period]) -> PeriodIndex {
        let ords: Vec<i64> = periods.iter().map(|p| Self::ordinal(*p)).collect();
        let first = ords.iter().copied().min().unwrap_or(0);
        let last = ords.iter().copied().max().unwrap_or(-1);
        let mut table = vec![NONE; usize::try_from(last - first + 1).unwrap_or(0)];
        for (i, o) in ords.iter().enumerate() {
            if let Some(slot) = usize::try_from(o - first)
                .ok()
                .and_then(|x| table.get_mut(x))
            {
                *slot = i as u32;
            }
        }
        PeriodIndex { first, table }
    }

    fn get(&self, p: Period) -> Option<usize> {
        let i = usize::try_from(Self::ordinal(p) - self.first).ok()?;
        self.table
            .get(i)
            .copied()
            .filter(|&x| x != NONE)
            .map(|x| x as usize)
    }
}

/// Rolls up `periods` over the tree: each unit's own figure, or the aggregate of its
/// children; then derived indicators from the aggregated inputs.
pub fn roll_up(
    tree: &Tree,
    catalogue: &Catalogue,
    figures: &Figures,
    periods: &[Period],
) -> Result<Cube, RollupError> {
    build(
        tree,
        catalogue,
        figures,
        periods,
        &vec![true; catalogue.len()],
    )
}

/// [`roll_up`] of some indicators only, and of what they are computed from (the inputs of
/// formulas and the sources of count_where, transitively): their values are those of the full
/// roll-up; other indicators have none ("not rolled up"), and only the indicators rolled up
/// can fail with an overflow. For a question about a few indicators, such as the targets of a
/// resolution.
pub fn roll_up_of(
    tree: &Tree,
    catalogue: &Catalogue,
    figures: &Figures,
    periods: &[Period],
    indicators: &[u32],
) -> Result<Cube, RollupError> {
    build(
        tree,
        catalogue,
        figures,
        periods,
        &catalogue.needed_by(indicators),
    )
}

fn build(
    tree: &Tree,
    catalogue: &Catalogue,
    figures: &Figures,
    periods: &[Period],
    wanted: &[bool],
) -> Result<Cube, RollupError> {
    let mut every_row = false;
    loop {
        match build_rows(tree, catalogue, figures, periods, wanted, every_row) {
            Ok(cube) => return Ok(cube),
            Err(Build::Failed(e)) => return Err(e),
            // Figures put in the columns other than by the push methods do not say which
            // formulas they report: every formula gets a row, and the second pass cannot stop
            // for this reason.
            Err(Build::Unrowed) => every_row = true,
        }
    }
}

/// Why a roll-up stopped.
enum Build {
    Failed(RollupError),
    /// A figure of a formula that [`Figures`] did not record as reported.
    Unrowed,
}

impl From<RollupError> for Build {
    fn from(e: RollupError) -> Build {
        Build::Failed(e)
    }
}

fn build_rows(
    tree: &Tree,
    catalogue: &Catalogue,
    figures: &Figures,
    periods: &[Period],
    wanted: &[bool],
    every_row: bool,
) -> Result<Cube, Build> {
    let n_ind = catalogue.len();
    let is_wanted = |i: usize| wanted.get(i).copied().unwrap_or(false);
    let n_per = periods.len();
    let per_index = PeriodIndex::new(periods);

    // Slots: every unit with a figure in these periods, and its ancestors.
    let mut slot_of = vec![NONE; tree.len()];
    let mut units = Vec::new();
    let mut previous = NONE;
    // Whole runs of one unit's figures are skipped at once, by a comparison without early
    // exit, which the compiler vectorises.
    const RUN: usize = 64;
    for (run, periods) in figures.unit.chunks(RUN).zip(figures.period.chunks(RUN)) {
        if run.iter().fold(true, |same, &u| same & (u == previous)) {
            continue;
        }
        for (&u, &period) in run.iter().zip(periods) {
            // A unit already given a slot needs no period check: most figures are of such
            // units.
            if u == previous || slot_of.get(u as usize).is_none_or(|&s| s != NONE) {
                previous = u;
                continue;
            }
            if per_index.get(period).is_none() {
                continue;
            }
            let mut u = u;
            while slot_of[u as usize] == NONE {
                slot_of[u as usize] = units.len() as u32;
                units.push(u);
                match tree.parent(u) {
                    Some(p) => u = p,
                    None => break,
                }
            }
        }
    }
    let mut agg_row = vec![NONE; units.len()];
    let mut n_agg = 0u32;
    for &u in &units {
        if let Some(p) = tree.parent(u) {
            let ps = slot_of[p as usize] as usize;
            if agg_row[ps] == NONE {
                agg_row[ps] = n_agg;
                n_agg += 1;
            }
        }
    }
    let mut row = vec![NONE; n_ind];
    let mut n_rows = 0usize;
    for (i, r) in row.iter_mut().enumerate() {
        // A formula has own figures only where someone reported its value.
        let formula = matches!(catalogue.rules[i], Rule::Derived { .. });
        if is_wanted(i) && (every_row || !formula || figures.reports(i)) {
            *r = n_rows as u32;
            n_rows += 1;
        }
    }
    let mut derived_pos = vec![NONE; n_ind];
    let mut n_derived = 0usize;
    for &i in &catalogue.derived_order {
        if is_wanted(i as usize) {
            derived_pos[i as usize] = n_derived as u32;
            n_derived += 1;
        }
    }
    let mut cube = Cube {
        periods: periods.to_vec(),
        row,
        n_rows,
        slot_of,
        scale: figures.scale.clone(),
        own: vec![i64::MIN; units.len() * n_rows * n_per],
        own_standing: vec![FINAL; units.len() * n_rows * n_per],
        agg_standing: vec![FINAL; n_agg as usize * n_rows * n_per],
        agg_row,
        agg: vec![0; n_agg as usize * n_rows * n_per],
        agg_n: vec![0; n_agg as usize * n_rows * n_per],
        derived_pos,
        n_derived,
        derived: vec![f64::NAN; units.len() * n_derived * n_per],
        units,
    };
    if cube.units.is_empty() || n_per == 0 {
        return Ok(cube);
    }
    // Each indicator's values are brought to its common scale by one multiplication, known
    // per (indicator, row scale): computed once, not per figure, beside where the indicator's
    // row starts in a block, so that a figure needs one look-up for both.
    let into: Vec<Destination> = cube
        .row
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let s = figures.scale.get(i).copied().unwrap_or(0);
            Destination {
                offset: if r == NONE { NONE } else { r * n_per as u32 },
                factor: std::array::from_fn(|row_scale| {
                    s.checked_sub(row_scale as u32)
                        .and_then(|up| 10i64.checked_pow(up))
                        .unwrap_or(0)
                }),
            }
        })
        .collect();
    let per_slot = n_rows * n_per;
    let (own, own_standing, slot_of) = (&mut cube.own, &mut cube.own_standing, &cube.slot_of);
    let rows = figures
        .period
        .iter()
        .zip(&figures.indicator)
        .zip(&figures.unit)
        .zip(&figures.value)
        .zip(&figures.value_scale)
        .zip(&figures.standing);
    for (((((&period, &ind), &unit), &value), &value_scale), &standing) in rows {
        let i = ind as usize;
        let to = &into[i];
        if to.offset == NONE {
            if !every_row && is_wanted(i) && per_index.get(period).is_some() {
                return Err(Build::Unrowed);
            }
            continue;
        }
        let Some(p) = per_index.get(period) else {
            continue;
        };
        let overflow = || RollupError::Overflow(catalogue.id(ind).to_string());
        let slot = slot_of[unit as usize] as usize;
        let c = slot * per_slot + to.offset as usize + p;
        let factor = to.factor[usize::from(value_scale).min(28)];
        let v = match factor {
            1 => value,
            0 => return Err(overflow().into()),
            _ => value.checked_mul(factor).ok_or_else(overflow)?,
        };
        // Cells start final: only a less firm figure changes their standing.
        let standing = standing as u8;
        if standing < FINAL {
            own_standing[c] = own_standing[c].min(standing);
        }
        // Several predecessors can flow into one successor: their shares add up.
        let cell = &mut own[c];
        *cell = if *cell == i64::MIN {
            v
        } else {
            cell.checked_add(v).ok_or_else(overflow)?
        };
    }
    let years = year_groups(&cube.periods);
    let year_methods: Vec<(usize, AggregationMethod)> = catalogue
        .rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| match rule {
            Rule::Base(m) => Some((cube.row_of(i as u32)?, *m)),
            _ => None,
        })
        .collect();
    // CountWhere, in the catalogue's order: each reads its source at the scale in force when
    // its turn comes (a count_where source already turned into flags is at scale 0).
    let mut count_where = Vec::new();
    for (i, rule) in catalogue.rules.iter().enumerate() {
        if let Rule::CountWhere { source, op, value } = rule {
            let s = cube.scale.get(*source as usize).copied().unwrap_or(0);
            if let (Some(indicator), Some(source)) = (cube.row_of(i as u32), cube.row_of(*source)) {
                count_where.push(CountWhere {
                    indicator,
                    source,
                    op: *op,
                    value: *value,
                    scale: s,
                });
            }
            if let Some(sc) = cube.scale.get_mut(i) {
                *sc = 0;
            }
        }
    }
    // Bottom-up: every slot's value goes into its parent's aggregate. Slots are visited
    // deepest first so a parent's aggregate is complete before it is passed on; by then the
    // slot's own figures, years and flags are complete too, so each slot is finished in one
    // visit while its block of the cube is in cache.
    let mut order: Vec<u32> = (0..cube.units.len() as u32).collect();
    order.sort_by_key(|s| std::cmp::Reverse(tree.depth[cube.units[*s as usize] as usize]));
    let methods: Vec<(u32, usize, AggregationMethod)> = catalogue
        .rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let m = match r {
                Rule::Base(m) => *m,
                Rule::CountWhere { .. } => AggregationMethod::Sum,
                Rule::Derived { .. } => return None,
            };
            Some((i as u32, cube.row_of(i as u32)?, m))
        })
        .collect();
    // Derived values of finished slots, a batch at a time: enough rows per formula evaluation
    // to amortise it, few enough that the batch's blocks are still in cache.
    let batch_len = (768 / n_per).max(1);
    let mut batch = Vec::with_capacity(batch_len);
    let mut scratch = DeriveScratch::default();
    for (k, &slot) in order.iter().enumerate() {
        if let Some(&next) = order.get(k + 1) {
            cube.warm(next as usize);
        }
        cube.fill_years(slot as usize, &year_methods, &years);
        cube.count_where(slot as usize, &count_where);
        cube.pass_up(tree, catalogue, slot, &methods)?;
        batch.push(slot);
        if batch.len() == batch_len {
            cube.derive(catalogue, &batch, &mut scratch);
            batch.clear();
        }
    }
    cube.derive(catalogue, &batch, &mut scratch);
    Ok(cube)
}

/// Each year among `periods` with the ways to make it up from its quarters, halves or months,
/// as positions in `periods`; only complete sets of periods (all four quarters present among
/// the rolled-up periods) are ways.
fn year_groups(periods: &[Period]) -> Vec<(usize, Vec<Vec<usize>>)> {
    let position = |p: Period| periods.iter().position(|x| *x == p);
    periods
        .iter()
        .enumerate()
        .filter_map(|(py, year)| {
            let Period::Year(y) = *year else { return None };
            let groups: Vec<Vec<usize>> = [
                (1..=4u8)
                    .map(|q| position(Period::Quarter(y, q)))
                    .collect::<Option<Vec<_>>>(),
                (1..=2u8)
                    .map(|h| position(Period::Half(y, h)))
                    .collect::<Option<Vec<_>>>(),
                (1..=12u8)
                    .map(|m| position(Period::Month(y, m)))
                    .collect::<Option<Vec<_>>>(),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!groups.is_empty()).then_some((py, groups))
        })
        .collect()
}

/// Where an indicator's figures go in a slot's block.
struct Destination {
    /// Start of its row of own figures (`NONE` when it has none).
    offset: u32,
    /// By row scale, what brings a value to the indicator's scale; 0 when that overflows.
    factor: [i64; 29],
}

/// A count_where indicator resolved for a roll-up: its row and its source's.
struct CountWhere {
    indicator: usize,
    source: usize,
    op: CompareOp,
    value: Decimal,
    /// The scale of the source's values.
    scale: u32,
}

/// Buffers reused by every batch of derived values.
#[derive(Default)]
struct DeriveScratch {
    columns: Vec<Vec<f64>>,
    out: Vec<f64>,
}

impl Cube {
    /// A unit's year from its own quarters (or halves, or months) when it reported no yearly
    /// figure: flows add up over a complete year, stocks take the last period, min and max
    /// take theirs. An incomplete year of a flow stays empty rather than understated.
    fn fill_years(
        &mut self,
        slot: usize,
        methods: &[(usize, AggregationMethod)],
        years: &[(usize, Vec<Vec<usize>>)],
    ) {
        let n_per = self.periods.len();
        if years.is_empty() {
            return;
        }
        for &(r, method) in methods {
            let at = (slot * self.n_rows + r) * n_per;
            let Some(row) = self.own.get_mut(at..at + n_per) else {
                continue;
            };
            for (py, groups) in years {
                if row[*py] != i64::MIN {
                    continue;
                }
                if let Some(v) = year_of(row, groups, method) {
                    row[*py] = v;
                }
            }
        }
    }

    /// Reads one value of every cache line of a slot's block of own figures, so that the
    /// memory is fetched many lines at a time, ahead of the visit that needs it, rather than
    /// line after line as that visit's loop reaches them.
    fn warm(&self, slot: usize) {
        let block = self.n_rows * self.periods.len();
        if let Some(own) = self.own.get(slot * block..(slot + 1) * block) {
            let touched = own.iter().step_by(8).fold(0i64, |a, &v| a ^ v);
            std::hint::black_box(touched);
        }
    }

    /// CountWhere: a flag where the source indicator is reported.
    fn count_where(&mut self, slot: usize, rules: &[CountWhere]) {
        let n_per = self.periods.len();
        for r in rules {
            let src = (slot * self.n_rows + r.source) * n_per;
            let dst = (slot * self.n_rows + r.indicator) * n_per;
            for p in 0..n_per {
                let v = self.own[src + p];
                if v != i64::MIN && self.own[dst + p] == i64::MIN {
                    self.own_standing[dst + p] = self.own_standing[src + p];
                    let v = from_scaled(i128::from(v), r.scale).unwrap_or_default();
                    self.own[dst + p] = i64::from(r.op.holds(v, r.value));
                }
            }
        }
    }

    /// Adds a finished slot's values (its own, else its children's aggregate) into its
    /// parent's aggregate.
    fn pass_up(
        &mut self,
        tree: &Tree,
        catalogue: &Catalogue,
        slot: u32,
        methods: &[(u32, usize, AggregationMethod)],
    ) -> Result<(), RollupError> {
        let (n_rows, n_per) = (self.n_rows, self.periods.len());
        let Some(parent) = tree.parent(self.units[slot as usize]) else {
            return Ok(());
        };
        let Some(&prow) = self
            .slot_of
            .get(parent as usize)
            .and_then(|&ps| self.agg_row.get(ps as usize))
            .filter(|&&r| r != NONE)
        else {
            return Ok(());
        };
        let srow = self.agg_row[slot as usize];
        if srow == NONE {
            // A slot without children (most are communes): only its own figures go up, a
            // row of periods at a time, the method chosen once per row.
            for &(i, r, m) in methods {
                let own = (slot as usize * n_rows + r) * n_per;
                let to = (prow as usize * n_rows + r) * n_per;
                let (Some(own), Some(standing)) = (
                    self.own.get(own..own + n_per),
                    self.own_standing.get(own..own + n_per),
                ) else {
                    continue;
                };
                let (Some(agg), Some(n), Some(agg_standing)) = (
                    self.agg.get_mut(to..to + n_per),
                    self.agg_n.get_mut(to..to + n_per),
                    self.agg_standing.get_mut(to..to + n_per),
                ) else {
                    continue;
                };
                let row = Row {
                    own,
                    standing,
                    agg,
                    n,
                    agg_standing,
                };
                let added = match m {
                    AggregationMethod::Sum | AggregationMethod::Count => {
                        row.add(|acc, v| acc.checked_add(v))
                    }
                    AggregationMethod::Min => row.add(|acc, v| Some(acc.min(v))),
                    AggregationMethod::Max => row.add(|acc, v| Some(acc.max(v))),
                    AggregationMethod::Last => row.add(|acc, _| Some(acc)),
                };
                added.ok_or_else(|| RollupError::Overflow(catalogue.id(i).to_string()))?;
            }
            return Ok(());
        }
        for &(i, r, m) in methods {
            let own = (slot as usize * n_rows + r) * n_per;
            let mine = (srow != NONE).then(|| (srow as usize * n_rows + r) * n_per);
            let to = (prow as usize * n_rows + r) * n_per;
            for p in 0..n_per {
                let c = own + p;
                let (v, standing) = if self.own[c] != i64::MIN {
                    (self.own[c], self.own_standing[c])
                } else if m == AggregationMethod::Last {
                    continue;
                } else {
                    match mine.map(|a| a + p).filter(|&a| self.agg_n[a] > 0) {
                        Some(a) => (self.agg[a], self.agg_standing[a]),
                        None => continue,
                    }
                };
                let pc = to + p;
                self.agg[pc] = combine(m, self.agg[pc], self.agg_n[pc], v)
                    .ok_or_else(|| RollupError::Overflow(catalogue.id(i).to_string()))?;
                self.agg_n[pc] += 1;
                self.agg_standing[pc] = self.agg_standing[pc].min(standing);
            }
        }
        Ok(())
    }

    /// Derived values of finished slots, from each slot's values in force: a column holds
    /// every slot's row of periods, and each formula is evaluated once over the batch, in an
    /// order where inputs come first.
    fn derive(&mut self, catalogue: &Catalogue, slots: &[u32], scratch: &mut DeriveScratch) {
        let n_per = self.periods.len();
        if slots.is_empty() || n_per == 0 {
            return;
        }
        let rows = slots.len() * n_per;
        for &i in &catalogue.derived_order {
            let Rule::Derived { formula, inputs } = &catalogue.rules[i as usize] else {
                continue;
            };
            let Some(pos) = self
                .derived_pos
                .get(i as usize)
                .filter(|&&p| p != NONE)
                .map(|&p| p as usize)
            else {
                continue;
            };
            scratch.columns.resize_with(inputs.len(), Vec::new);
            for (col, &x) in scratch.columns.iter_mut().zip(inputs) {
                col.clear();
                col.resize(rows, f64::NAN);
                for (&slot, row) in slots.iter().zip(col.chunks_exact_mut(n_per)) {
                    self.row_f64(catalogue, slot, x, row);
                }
            }
            scratch.out.clear();
            scratch.out.resize(rows, f64::NAN);
            let refs: Vec<&[f64]> = scratch.columns.iter().map(|c| c.as_slice()).collect();
            formula.eval_columns(&refs, &mut scratch.out);
            for (&slot, row) in slots.iter().zip(scratch.out.chunks_exact(n_per)) {
                let at = (slot as usize * self.n_derived + pos) * n_per;
                if let Some(dst) = self.derived.get_mut(at..at + n_per) {
                    dst.copy_from_slice(row);
                }
            }
        }
    }
}

/// A year's value from the first way to make it up that gives one.
fn year_of(row: &[i64], groups: &[Vec<usize>], method: AggregationMethod) -> Option<i64> {
    for group in groups {
        let mut present = 0usize;
        let (mut sum, mut min, mut max) = (Some(0i64), i64::MAX, i64::MIN);
        for &p in group {
            let v = row[p];
            if v != i64::MIN {
                present += 1;
                sum = sum.and_then(|s| s.checked_add(v));
                min = min.min(v);
                max = max.max(v);
            }
        }
        if present == 0 {
            continue;
        }
        let last = group.last().map(|&p| row[p]).filter(|v| *v != i64::MIN);
        let v = match method {
            AggregationMethod::Sum if present == group.len() => sum,
            AggregationMethod::Sum => None,
            AggregationMethod::Count | AggregationMethod::Last => last,
            AggregationMethod::Min => Some(min),
            AggregationMethod::Max => Some(max),
        };
        if v.is_some() {
            return v;
        }
    }
    None
}

/// Which reporting units a rolled-up value comes from: the units whose own figures for the
/// indicator and period entered the value of `unit` (in `tree`), by the id of the unit that
/// reported them (an old unit, after a reorganisation). A unit that reports its own figure
/// stops the search below it: its children's figures did not enter.
pub fn provenance(
    tree: &Tree,
    figures: &Figures,
    unit: &str,
    indicator: u32,
    period: Period,
) -> Vec<String> {
    let Some(root) = tree.index_of(unit) else {
        return Vec::new();
    };
    let rows: Vec<usize> = (0..figures.len())
        .filter(|&k| figures.indicator[k] == indicator && figures.period[k] == period)
        .collect();
    let reporting: std::collections::HashSet<u32> = rows.iter().map(|&k| figures.unit[k]).collect();
    let mut out: Vec<String> = Vec::new();
    for k in rows {
        let mut u = figures.unit[k];
        let contributes = loop {
            if u == root {
                break true;
            }
            match tree.parent(u) {
                // The parent reports its own figure: this one stops there.
                Some(p) if reporting.contains(&p) && p != root => break false,
                Some(p) => u = p,
                None => break false,
            }
        };
        // The root's own figure, when it has one, is the value: nothing below entered it.
        let root_reports = reporting.contains(&root);
        if contributes && (!root_reports || figures.unit[k] == root) {
            let id = tree.id(figures.origin[k]).to_string();
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out.sort();
    out
}

/// The roll-ups of a dataset with the figures known at a date, built once and asked many
/// times: a review judges dozens of targets on the same figures.
pub struct Rollups<'a> {
    /// For the figures of units outside the tree of the date.
    ds: Option<(&'a Dataset, FigureFilter)>,
    tree: Tree,
    /// Absent when the indicators cannot be rolled up (a formula that does not parse: the
    /// dataset's validation says why); own figures still count.
    built: Option<(Catalogue, Cube)>,
}

impl<'a> Rollups<'a> {
    /// Every period the dataset has, in the tree in force at `tree_date`.
    pub fn new(ds: &'a Dataset, filter: FigureFilter, tree_date: NaiveDate) -> Rollups<'a> {
        let tree = Tree::at(&ds.units, tree_date);
        let built = Catalogue::new(&ds.indicators).ok().and_then(|catalogue| {
            let lineage = Lineage::new(&tree, &ds.reorganisations);
            let figures = Figures::from_dataset(ds, &tree, &lineage, &catalogue, filter).ok()?;
            let cube = roll_up(&tree, &catalogue, &figures, &periods_with_years(&figures)).ok()?;
            Some((catalogue, cube))
        });
        Rollups {
            ds: Some((ds, filter)),
            tree,
            built,
        }
    }

    /// Roll-ups of figures already in columns (loaded from a store in bulk).
    pub fn from_figures(
        tree: Tree,
        catalogue: Catalogue,
        figures: &Figures,
    ) -> Result<Rollups<'static>, RollupError> {
        let cube = roll_up(&tree, &catalogue, figures, &periods_with_years(figures))?;
        Ok(Rollups {
            ds: None,
            tree,
            built: Some((catalogue, cube)),
        })
    }

    /// [`Rollups::from_figures`] for the questions of a few indicators (the targets of a
    /// resolution): only `indicators` (by id; unknown ids are ignored) and what they are
    /// computed from are rolled up ([`roll_up_of`]). Their series are those of the full
    /// roll-up; the series of any other indicator is empty.
    pub fn from_figures_of(
        tree: Tree,
        catalogue: Catalogue,
        figures: &Figures,
        indicators: &[&str],
    ) -> Result<Rollups<'static>, RollupError> {
        let wanted: Vec<u32> = indicators
            .iter()
            .filter_map(|id| catalogue.index_of(id))
            .collect();
        let cube = roll_up_of(
            &tree,
            &catalogue,
            figures,
            &periods_with_years(figures),
            &wanted,
        )?;
        Ok(Rollups {
            ds: None,
            tree,
            built: Some((catalogue, cube)),
        })
    }

    /// Roll-ups of figures already in columns, with `fallback` holding the figures of units
    /// outside the tree (filtered by `filter` like [`Rollups::new`]'s), for the series of such
    /// a unit: a store's bulk read gives the columns, the few units outside the tree a caller
    /// asks about get their own figures from `fallback`. With `indicators`, only those and
    /// what they are computed from are rolled up, as in [`Rollups::from_figures_of`].
    pub fn from_figures_with_fallback(
        tree: Tree,
        catalogue: Catalogue,
        figures: &Figures,
        fallback: &'a Dataset,
        filter: FigureFilter,
        indicators: Option<&[&str]>,
    ) -> Result<Rollups<'a>, RollupError> {
        let periods = periods_with_years(figures);
        let cube = match indicators {
            Some(ids) => {
                let wanted: Vec<u32> = ids.iter().filter_map(|id| catalogue.index_of(id)).collect();
                roll_up_of(&tree, &catalogue, figures, &periods, &wanted)?
            }
            None => roll_up(&tree, &catalogue, figures, &periods)?,
        };
        Ok(Rollups {
            ds: Some((fallback, filter)),
            tree,
            built: Some((catalogue, cube)),
        })
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The figures of one unit and indicator, period by period, as a target is judged on them:
    /// the unit's own figure where it reported one, else the roll-up of the units below it (or
    /// the indicator's formula over rolled-up inputs), each with the least firm standing of
    /// the figures it came from.
    pub fn series(&self, unit: &str, indicator: &str) -> Vec<Figure> {
        if let Some((catalogue, cube)) = &self.built {
            let u = self
                .tree
                .index_of(unit)
                .filter(|&u| self.tree.is_present(u));
            if let (Some(u), Some(i)) = (u, catalogue.index_of(indicator)) {
                return cube.figures_of(catalogue, u, i);
            }
        }
        // A unit outside the tree of the date (it ended, or did not exist yet): its own figures.
        match self.ds {
            Some((ds, filter)) => crate::version::figures(ds, unit, indicator, filter)
                .into_iter()
                .map(|o| Figure {
                    period: o.period,
                    value: o.value,
                    standing: o.standing,
                })
                .collect(),
            None => Vec::new(),
        }
    }
}

/// The figures' periods and every year they fall in, sorted: a year reported by quarters has a
/// value.
fn periods_with_years(figures: &Figures) -> Vec<Period> {
    // A bitmap over period ordinals: hashing millions of periods costs more than the roll-up.
    // It spans whole years, from the first year's ordinal to the largest the last year's
    // periods can have (a month is at most 255).
    let Some((first, last)) = figures.period.iter().fold(None, |span, p| {
        let y = p.year();
        Some(span.map_or((y, y), |(a, b): (i32, i32)| (a.min(y), b.max(y))))
    }) else {
        return Vec::new();
    };
    let lo = PeriodIndex::ordinal(Period::Year(first));
    let hi = PeriodIndex::ordinal(Period::Month(last, u8::MAX));
    let mut seen = vec![false; usize::try_from(hi - lo + 1).unwrap_or(0)];
    let mut previous = None;
    for p in &figures.period {
        // Figures come in runs of one period: each run is marked once.
        if previous == Some(*p) {
            continue;
        }
        previous = Some(*p);
        for o in [
            PeriodIndex::ordinal(*p),
            PeriodIndex::ordinal(Period::Year(p.year())),
        ] {
            if let Some(x) = usize::try_from(o - lo).ok().and_then(|i| seen.get_mut(i)) {
                *x = true;
            }
        }
    }
    let mut periods: Vec<Period> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .filter_map(|(i, _)| PeriodIndex::period(lo + i as i64))
        .collect();
    periods.sort();
    periods
}

/// [`Rollups::series`] for one question: builds the roll-ups and asks once.
pub fn series(
    ds: &Dataset,
    unit: &str,
    indicator: &str,
    filter: FigureFilter,
    tree_date: NaiveDate,
) -> Vec<Figure> {
    Rollups::new(ds, filter, tree_date).series(unit, indicator)
}

#[cfg(test)]
mod tests;
