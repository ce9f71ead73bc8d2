//! The commands on the unit hierarchy: `value` (a roll-up and where it came from), `allocate`
//! (a target split among the sub-units, as a bundle) and `allocations` (the coherence of the
//! shares with the whole). They load nothing themselves: each takes the dataset (for `value`,
//! the structure and the figures read in bulk) and returns the text to print.

use std::collections::HashSet;

use anyhow::{anyhow, bail, Result};
use chitieu_domain::allocation::{self, Split};
use chitieu_domain::formula::Formula;
use chitieu_domain::rollup::{self, Catalogue, Cube, Figures, Rollups, Source, Tree, Value};
use chitieu_domain::validate::target_key;
use chitieu_domain::{Aggregation, Dataset, Indicator, Period, Subject, Target};
use chitieu_reports::hierarchy::{self as render, ValueReport, ValueRow};
use chitieu_reports::Lang;
use chitieu_store::in_force::InForce;
use chrono::NaiveDate;

/// What `chitieu value` asks.
pub struct ValueQuery<'a> {
    pub unit: &'a str,
    pub indicator: &'a str,
    pub period: &'a str,
    pub as_of: NaiveDate,
    pub tree_date: NaiveDate,
    pub children: bool,
    pub include_unapproved: bool,
}

/// The periods rolled up for `period`: a year with its halves, quarters and months, so that a
/// unit that reported only quarters has a year.
fn with_subperiods(period: Period) -> Vec<Period> {
    let mut out = vec![period];
    if let Period::Year(y) = period {
        out.extend((1..=2).map(|h| Period::Half(y, h)));
        out.extend((1..=4).map(|q| Period::Quarter(y, q)));
        out.extend((1..=12).map(|m| Period::Month(y, m)));
    }
    out
}

/// The base indicators a value is made of: the indicator itself, the inputs of its formula
/// (through derived inputs), or the indicator a count tests.
fn base_inputs(ds: &Dataset, id: &str, seen: &mut HashSet<String>, out: &mut Vec<String>) {
    if !seen.insert(id.to_string()) {
        return;
    }
    match ds
        .indicators
        .iter()
        .find(|i| i.id == id)
        .map(|i| &i.aggregation)
    {
        Some(Aggregation::Derived { formula }) => {
            if let Ok(f) = Formula::parse(formula) {
                for input in f.inputs() {
                    base_inputs(ds, input, seen, out);
                }
            }
        }
        Some(Aggregation::CountWhere { indicator, .. }) => base_inputs(ds, indicator, seen, out),
        _ => out.push(id.to_string()),
    }
}

struct Rolled<'a> {
    ds: &'a Dataset,
    tree: Tree,
    catalogue: Catalogue,
    figures: Figures,
    cube: Cube,
    indicator: &'a Indicator,
    period: Period,
    periods: Vec<Period>,
}

impl Rolled<'_> {
    /// The value as a target is judged on it: the unit's own figure when it reported one (for a
    /// derived indicator too, as `rollup::series` does), else the roll-up.
    fn value(&self, unit: &str) -> Result<Value, String> {
        self.cube
            .get(
                &self.tree,
                &self.catalogue,
                unit,
                &self.indicator.id,
                self.period,
            )
            .map_err(|m| m.reason)
    }

    /// Which reporting units the value came from, per base indicator.
    fn provenance(&self, unit: &str, value: &Result<Value, String>) -> Vec<(String, Vec<String>)> {
        let ind = self.indicator;
        let own_derived = matches!(ind.aggregation, Aggregation::Derived { .. })
            && matches!(value, Ok(v) if v.source == Source::Reported);
        if own_derived {
            return vec![(ind.id.clone(), vec![unit.to_string()])];
        }
        if value.is_err() {
            return Vec::new();
        }
        let mut inputs = Vec::new();
        base_inputs(self.ds, &ind.id, &mut HashSet::new(), &mut inputs);
        inputs
            .into_iter()
            .filter_map(|id| {
                let i = self.catalogue.index_of(&id)?;
                let mut units = rollup::provenance(&self.tree, &self.figures, unit, i, self.period);
                if units.is_empty() {
                    // A year made of the unit's halves, quarters or months.
                    for p in self.periods.iter().skip(1) {
                        units.extend(rollup::provenance(&self.tree, &self.figures, unit, i, *p));
                    }
                    units.sort();
                    units.dedup();
                }
                Some((id, units))
            })
            .collect()
    }

    fn row(&self, unit: &chitieu_domain::Unit) -> ValueRow {
        let value = self.value(&unit.id);
        let provenance = self.provenance(&unit.id, &value);
        let below = self
            .tree
            .index_of(&unit.id)
            .and_then(|idx| self.sub_units(idx).first().map(|u| u.level.clone()));
        ValueRow {
            unit: unit.clone(),
            below,
            value,
            provenance,
        }
    }

    /// The units right below `idx` in the tree, in the dataset's order.
    fn sub_units(&self, idx: u32) -> Vec<&chitieu_domain::Unit> {
        self.ds
            .units
            .iter()
            .filter(|u| {
                self.tree
                    .index_of(&u.id)
                    .is_some_and(|i| self.tree.is_present(i) && self.tree.parent(i) == Some(idx))
            })
            .collect()
    }
}

/// `chitieu value`: the value of an indicator at a unit for a period, where it came from and,
/// with `children`, the value of each sub-unit. `ds` is the structure; `read` the figures in
/// force in the tree of `q.tree_date` (`InForce::read` of the unit and the indicator).
pub fn value_report(ds: &Dataset, read: InForce, q: &ValueQuery<'_>) -> Result<ValueReport> {
    let unit = ds
        .units
        .iter()
        .find(|u| u.id == q.unit)
        .ok_or_else(|| anyhow!("unknown unit `{}`", q.unit))?;
    let indicator = ds
        .indicators
        .iter()
        .find(|i| i.id == q.indicator)
        .ok_or_else(|| anyhow!("unknown indicator `{}`", q.indicator))?;
    let period: Period = q.period.parse()?;
    let InForce {
        tree,
        catalogue,
        figures,
        ..
    } = read;
    let Some(idx) = tree.index_of(&unit.id).filter(|&i| tree.is_present(i)) else {
        bail!(
            "unit `{}` does not exist on {} (the date of the unit tree, --tree-date)",
            unit.id,
            q.tree_date
        );
    };
    let periods = with_subperiods(period);
    let cube = rollup::roll_up(&tree, &catalogue, &figures, &periods)?;
    let rolled = Rolled {
        ds,
        tree,
        catalogue,
        figures,
        cube,
        indicator,
        period,
        periods,
    };
    let main = rolled.row(unit);
    let children = q.children.then(|| {
        rolled
            .sub_units(idx)
            .into_iter()
            .map(|u| rolled.row(u))
            .collect::<Vec<_>>()
    });
    // No value at all is an error; with --children a table where some sub-units have one is
    // still an answer.
    if let Err(reason) = &main.value {
        let any_child = children
            .as_ref()
            .is_some_and(|c| c.iter().any(|r| r.value.is_ok()));
        if !any_child {
            bail!("`{}` at `{}` in {period}: {reason}", indicator.id, unit.id);
        }
    }
    Ok(ValueReport {
        indicator: indicator.clone(),
        period,
        as_of: q.as_of,
        tree_date: q.tree_date,
        include_unapproved: q.include_unapproved,
        main,
        children,
    })
}

/// The target `RESOLUTION/CODE`.
fn find_target<'a>(ds: &'a Dataset, key: &str) -> Result<&'a Target> {
    ds.targets
        .iter()
        .find(|t| target_key(&t.resolution, &t.code) == key)
        .ok_or_else(|| anyhow!("unknown target `{key}` (expected RESOLUTION/CODE)"))
}

/// `chitieu allocate`: the shares of `key` for the sub-units of its unit.
pub fn allocate(
    ds: &Dataset,
    rollups: &Rollups,
    key: &str,
    by: Option<(&str, &str)>,
    as_of: NaiveDate,
) -> Result<Vec<Target>> {
    let parent = find_target(ds, key)?;
    let split = match by {
        None => Split::Equal,
        Some((indicator, period)) => {
            if !ds.indicators.iter().any(|i| i.id == indicator) {
                bail!("unknown indicator `{indicator}`");
            }
            Split::Proportional {
                indicator: indicator.to_string(),
                period: period.parse()?,
            }
        }
    };
    Ok(allocation::allocate_with(
        ds,
        rollups,
        &parent.resolution,
        &parent.code,
        &split,
        as_of,
    )?)
}

/// The shares as a bundle that imports on its own: the new targets, and, copied unchanged
/// from the dataset, what they refer to — the target they are shares of (and the targets it
/// is a share of, with their adjustments), resolutions, terms, units with the units above
/// them, and indicators with the indicators their formulas use. Importing it into the database
/// it came from adds the shares and skips the rest as already present.
///
/// Why not the shares alone: `chitieu_io::parse_bundle` validates the references of a file
/// by themselves, before the store merges it with what is stored, so a bundle of targets whose
/// resolution and units are only in the database is refused.
pub fn shares_bundle(ds: &Dataset, shares: &[Target]) -> String {
    // The chain of targets the shares come from.
    let mut keys: HashSet<String> = HashSet::new();
    let mut next = shares.first().and_then(|s| s.allocated_from.clone());
    while let Some(k) = next {
        if !keys.insert(k.clone()) {
            break;
        }
        next = ds
            .targets
            .iter()
            .find(|t| target_key(&t.resolution, &t.code) == k)
            .and_then(|t| t.allocated_from.clone());
    }
    let mut targets: Vec<Target> = ds
        .targets
        .iter()
        .filter(|t| keys.contains(&target_key(&t.resolution, &t.code)))
        .cloned()
        .collect();
    targets.extend(shares.iter().cloned());

    let resolution_ids: HashSet<&str> = targets.iter().map(|t| t.resolution.as_str()).collect();
    let resolutions: Vec<_> = ds
        .resolutions
        .iter()
        .filter(|r| resolution_ids.contains(r.id.as_str()))
        .cloned()
        .collect();
    let term_ids: HashSet<&str> = resolutions.iter().map(|r| r.term.as_str()).collect();

    let mut unit_ids: HashSet<String> = HashSet::new();
    let mut pending: Vec<String> = targets
        .iter()
        .map(|t| t.unit.clone())
        .chain(resolutions.iter().map(|r| r.unit.clone()))
        .collect();
    while let Some(id) = pending.pop() {
        if unit_ids.insert(id.clone()) {
            if let Some(p) = ds
                .units
                .iter()
                .find(|u| u.id == id)
                .and_then(|u| u.parent.clone())
            {
                pending.push(p);
            }
        }
    }

    let mut indicator_ids: HashSet<String> = HashSet::new();
    let mut pending: Vec<String> = targets.iter().map(|t| t.indicator.clone()).collect();
    while let Some(id) = pending.pop() {
        if !indicator_ids.insert(id.clone()) {
            continue;
        }
        match ds
            .indicators
            .iter()
            .find(|i| i.id == id)
            .map(|i| &i.aggregation)
        {
            Some(Aggregation::Derived { formula }) => {
                if let Ok(f) = Formula::parse(formula) {
                    pending.extend(f.inputs().iter().cloned());
                }
            }
            Some(Aggregation::CountWhere { indicator, .. }) => pending.push(indicator.clone()),
            _ => {}
        }
    }

    let bundle = Dataset {
        units: ds
            .units
            .iter()
            .filter(|u| unit_ids.contains(&u.id))
            .cloned()
            .collect(),
        terms: ds
            .terms
            .iter()
            .filter(|t| term_ids.contains(t.id.as_str()))
            .cloned()
            .collect(),
        indicators: ds
            .indicators
            .iter()
            .filter(|i| indicator_ids.contains(&i.id))
            .cloned()
            .collect(),
        adjustments: ds
            .adjustments
            .iter()
            .filter(|a| match &a.subject {
                Subject::Target { resolution, code } => {
                    keys.contains(&target_key(resolution, code))
                }
                Subject::Task { .. } => false,
            })
            .cloned()
            .collect(),
        resolutions,
        targets,
        ..Dataset::default()
    };
    chitieu_io::bundle_to_toml(&bundle)
}

/// What `chitieu allocate --out FILE` prints: the shares and their total.
pub fn shares_text(lang: Lang, ds: &Dataset, key: &str, shares: &[Target]) -> String {
    render::shares_text(lang, ds, key, shares)
}

/// `chitieu allocations`: every target with shares, checked as of `as_of`.
pub fn allocations_text(
    ds: &Dataset,
    rollups: &Rollups,
    lang: Lang,
    as_of: NaiveDate,
    json: bool,
) -> Result<String> {
    let c = allocation::check_with(ds, rollups, as_of);
    let tally = render::Tally {
        with_gap: c
            .iter()
            .filter(|x| x.gap.is_some_and(|g| !g.is_zero()))
            .count(),
        unchecked: c.iter().filter(|x| x.gap.is_none()).count(),
    };
    Ok(if json {
        serde_json::to_string_pretty(&render::allocations_json(ds, as_of, &c, tally))? + "\n"
    } else {
        render::allocations_text(lang, ds, as_of, &c, tally)
    })
}

/// `chitieu value` as text or JSON.
pub fn value_text(
    ds: &Dataset,
    read: InForce,
    lang: Lang,
    q: &ValueQuery<'_>,
    json: bool,
) -> Result<String> {
    let r = value_report(ds, read, q)?;
    Ok(if json {
        serde_json::to_string_pretty(&render::value_json(&r))? + "\n"
    } else {
        render::value_text(lang, &r)
    })
}
