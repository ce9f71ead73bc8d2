//! Cascaded targets (*giao chỉ tiêu*): a unit's target split among its sub-units, and the check
//! that the shares are coherent with the whole.
//!
//! A share is an ordinary target of the sub-unit whose `allocated_from` names the parent target.
//! For an additive indicator (sum, count) the shares must add up to the whole. For a derived
//! ratio `numerator / denominator × k` the shares, weighted by each sub-unit's latest
//! denominator, must imply an aggregate that reaches the parent's target: 80% of the communes'
//! hectares is not the average of their percentages.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::formula::Formula;
use crate::model::*;
use crate::validate::target_key;
use crate::version::{self, Cutoff, FigureFilter};

/// How to split a target among sub-units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// The same value for every sub-unit (a rate), or the whole divided equally (an amount).
    Equal,
    /// In proportion to each sub-unit's figure for an indicator in a period (its population,
    /// its area): for additive indicators only.
    Proportional {
        indicator: String,
        period: crate::period::Period,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("unknown target `{0}`")]
    UnknownTarget(String),
    #[error("target `{0}` has a range or a change per year: only a single value can be split")]
    NotAValue(String),
    #[error("unit `{0}` has no sub-units in the tree of {1}")]
    NoSubUnits(String, chrono::NaiveDate),
    #[error("sub-unit `{unit}` has no figure for `{indicator}` in {period}")]
    MissingWeight {
        unit: String,
        indicator: String,
        period: String,
    },
    #[error("the weights add up to zero")]
    ZeroWeights,
    #[error(
        "indicator `{0}` is not additive: split it equally (every sub-unit gets the same rate)"
    )]
    NotAdditive(String),
}

/// Whether the indicator's values add up over units.
pub fn is_additive(indicator: &Indicator) -> bool {
    matches!(
        indicator.aggregation,
        Aggregation::Base(AggregationMethod::Sum | AggregationMethod::Count)
            | Aggregation::CountWhere { .. }
    )
}

/// The shares of `parent` for the sub-units of its unit (in the tree of `date`), as new
/// targets of the same resolution with codes `{code}.{unit}`. Amounts are rounded to the
/// target's precision (or 2 decimals) and the last sub-unit takes the rounding remainder, so
/// the shares add up to the whole exactly.
pub fn allocate(
    ds: &Dataset,
    resolution: &str,
    code: &str,
    split: &Split,
    date: chrono::NaiveDate,
) -> Result<Vec<Target>, AllocationError> {
    let filter = FigureFilter {
        known_by: date,
        include_unapproved: false,
    };
    let rollups = crate::rollup::Rollups::new(ds, filter, date);
    allocate_with(ds, &rollups, resolution, code, split, date)
}

/// [`allocate`] on roll-ups already made for `date` (approved figures known then, in the tree
/// of that date), e.g. from a store's bulk read of [`Scope::of_allocation`].
///
/// [`Scope::of_allocation`]: crate::review::Scope::of_allocation
pub fn allocate_with(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    resolution: &str,
    code: &str,
    split: &Split,
    date: chrono::NaiveDate,
) -> Result<Vec<Target>, AllocationError> {
    let key = target_key(resolution, code);
    let parent = ds
        .targets
        .iter()
        .find(|t| t.resolution == resolution && t.code == code)
        .ok_or_else(|| AllocationError::UnknownTarget(key.clone()))?;
    let version = version::target_version(ds, parent, Cutoff::Through(date));
    let TargetValue::Exact(whole) = version.spec.value else {
        return Err(AllocationError::NotAValue(key));
    };
    let indicator = ds
        .indicators
        .iter()
        .find(|i| i.id == parent.indicator)
        .ok_or_else(|| AllocationError::UnknownTarget(key.clone()))?;
    let subs: Vec<&Unit> = ds
        .units
        .iter()
        .filter(|u| u.parent.as_deref() == Some(parent.unit.as_str()) && u.is_valid_on(date))
        .collect();
    if subs.is_empty() {
        return Err(AllocationError::NoSubUnits(parent.unit.clone(), date));
    }
    let additive = is_additive(indicator);
    // Weights and baselines from rolled-up figures: a district whose population only its
    // communes report still has one.
    let figure_at = |unit: &str, indicator: &str, period: crate::period::Period| {
        rollups
            .series(unit, indicator)
            .into_iter()
            .find(|f| f.period == period)
            .map(|f| f.value)
    };
    let weights: Vec<Decimal> = match split {
        Split::Equal => vec![Decimal::ONE; subs.len()],
        Split::Proportional {
            indicator: by,
            period,
        } => {
            if !additive {
                return Err(AllocationError::NotAdditive(indicator.id.clone()));
            }
            subs.iter()
                .map(|u| {
                    figure_at(&u.id, by, *period).ok_or_else(|| AllocationError::MissingWeight {
                        unit: u.id.clone(),
                        indicator: by.clone(),
                        period: period.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?
        }
    };
    let total: Decimal = weights.iter().sum();
    if total.is_zero() {
        return Err(AllocationError::ZeroWeights);
    }
    let places = parent.precision.unwrap_or(2);
    let mut values: Vec<Decimal> = if additive {
        weights
            .iter()
            .map(|w| (whole * *w / total).round_dp(places))
            .collect()
    } else {
        vec![whole; subs.len()]
    };
    if additive {
        let allocated: Decimal = values.iter().sum();
        if let Some(last) = values.last_mut() {
            *last += whole - allocated;
        }
    }
    Ok(subs
        .iter()
        .zip(values)
        .zip(&weights)
        .map(|((u, v), w)| Target {
            resolution: parent.resolution.clone(),
            code: format!("{}.{}", parent.code, u.id),
            indicator: parent.indicator.clone(),
            unit: u.id.clone(),
            field: parent.field,
            kind: parent.kind,
            // The sub-unit's own baseline when its figure is known; else its share of the
            // parent's (an amount) or the parent's (a rate).
            baseline: figure_at(&u.id, &parent.indicator, parent.baseline_period).unwrap_or_else(
                || {
                    if additive {
                        (parent.baseline * *w / total).round_dp(places).normalize()
                    } else {
                        parent.baseline
                    }
                },
            ),
            baseline_period: parent.baseline_period,
            original: TargetSpec {
                name: format!("{} — {}", version.spec.name, u.name),
                value: TargetValue::Exact(v.normalize()),
                deadline: version.spec.deadline,
            },
            milestones: Vec::new(),
            precision: parent.precision,
            source: Some(format!("giao từ chỉ tiêu {key}")),
            illustrative: parent.illustrative,
            allocated_from: Some(key.clone()),
        })
        .collect())
}

/// The coherence of one parent target with its shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coherence {
    pub resolution: String,
    pub code: String,
    pub unit: String,
    pub indicator: String,
    /// The parent's target value.
    pub whole: Decimal,
    /// What the shares add up to (additive), or the aggregate they imply (ratio).
    pub implied: Option<Decimal>,
    /// `whole − implied` where higher is better (`implied − whole` where lower is better):
    /// positive means the shares fall short of the whole.
    pub gap: Option<Decimal>,
    pub shares: Vec<Share>,
    /// Why the check could not be made, when it could not.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub unit: String,
    pub code: String,
    pub value: Decimal,
    /// The weight used for a ratio (the sub-unit's latest denominator).
    pub weight: Option<Decimal>,
}

/// Checks every parent target that has shares, with versions and figures as of `date`.
pub fn check(ds: &Dataset, date: chrono::NaiveDate) -> Vec<Coherence> {
    let filter = FigureFilter {
        known_by: date,
        include_unapproved: false,
    };
    check_with(ds, &crate::rollup::Rollups::new(ds, filter, date), date)
}

/// [`check`] on roll-ups already made for `date`, e.g. from a store's bulk read of
/// [`Scope::of_allocations`](crate::review::Scope::of_allocations).
pub fn check_with(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    date: chrono::NaiveDate,
) -> Vec<Coherence> {
    let mut out = Vec::new();
    for parent in &ds.targets {
        let key = target_key(&parent.resolution, &parent.code);
        let children: Vec<&Target> = ds
            .targets
            .iter()
            .filter(|t| t.allocated_from.as_deref() == Some(key.as_str()))
            .collect();
        if children.is_empty() {
            continue;
        }
        let Some(indicator) = ds.indicators.iter().find(|i| i.id == parent.indicator) else {
            continue;
        };
        let pv = version::target_version(ds, parent, Cutoff::Through(date));
        let mut c = Coherence {
            resolution: parent.resolution.clone(),
            code: parent.code.clone(),
            unit: parent.unit.clone(),
            indicator: parent.indicator.clone(),
            whole: Decimal::ZERO,
            implied: None,
            gap: None,
            shares: Vec::new(),
            note: None,
        };
        let TargetValue::Exact(whole) = pv.spec.value else {
            c.note = Some("the parent target is a range or a change per year".into());
            out.push(c);
            continue;
        };
        c.whole = whole;
        let mut values = Vec::new();
        for child in &children {
            let v = version::target_version(ds, child, Cutoff::Through(date));
            if v.withdrawn {
                continue;
            }
            if let TargetValue::Exact(x) = v.spec.value {
                values.push((child, x));
            }
        }
        let sign = Decimal::from(indicator.direction.sign());
        if is_additive(indicator) {
            let implied: Decimal = values.iter().map(|(_, x)| *x).sum();
            c.implied = Some(implied);
            c.gap = Some((whole - implied) * sign);
            c.shares = values
                .iter()
                .map(|(t, x)| Share {
                    unit: t.unit.clone(),
                    code: t.code.clone(),
                    value: *x,
                    weight: None,
                })
                .collect();
        } else if let Some(denominator) = ratio_denominator(indicator) {
            let mut num = Decimal::ZERO;
            let mut den = Decimal::ZERO;
            let mut missing = Vec::new();
            for (t, x) in &values {
                let w = rollups
                    .series(&t.unit, &denominator)
                    .last()
                    .map(|f| f.value);
                match w {
                    Some(w) => {
                        num += *x * w;
                        den += w;
                    }
                    None => missing.push(t.unit.clone()),
                }
                c.shares.push(Share {
                    unit: t.unit.clone(),
                    code: t.code.clone(),
                    value: *x,
                    weight: w,
                });
            }
            if !missing.is_empty() {
                c.note = Some(format!(
                    "no figure for `{denominator}` at {}",
                    missing.join(", ")
                ));
            } else if den.is_zero() {
                c.note = Some(format!("`{denominator}` adds up to zero"));
            } else {
                let implied = (num / den).round_dp(6).normalize();
                c.implied = Some(implied);
                c.gap = Some((whole - implied) * sign);
            }
        } else {
            c.note = Some(format!(
                "indicator `{}` neither adds up nor is a ratio of two indicators",
                indicator.id
            ));
            c.shares = values
                .iter()
                .map(|(t, x)| Share {
                    unit: t.unit.clone(),
                    code: t.code.clone(),
                    value: *x,
                    weight: None,
                })
                .collect();
        }
        out.push(c);
    }
    out
}

/// The denominator of a derived indicator that is a ratio of two inputs (`a / b * k`,
/// `pct(a, b)`): the second input.
fn ratio_denominator(indicator: &Indicator) -> Option<String> {
    let Aggregation::Derived { formula } = &indicator.aggregation else {
        return None;
    };
    let f = Formula::parse(formula).ok()?;
    match f.inputs() {
        [_, denominator] => Some(denominator.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn date(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn unit(id: &str, parent: Option<&str>) -> Unit {
        Unit {
            id: id.into(),
            name: id.into(),
            name_en: None,
            level: Level::District,
            parent: parent.map(Into::into),
            code: None,
            valid_from: None,
            valid_to: None,
        }
    }
    fn target(code: &str, unit: &str, indicator: &str, value: &str, from: Option<&str>) -> Target {
        Target {
            resolution: "r".into(),
            code: code.into(),
            indicator: indicator.into(),
            unit: unit.into(),
            field: Field::Economy,
            kind: TargetKind::Level,
            baseline: Decimal::ZERO,
            baseline_period: Period::Year(2015),
            original: TargetSpec {
                name: code.into(),
                value: TargetValue::Exact(dec(value)),
                deadline: date("2020-12-31"),
            },
            milestones: vec![],
            precision: None,
            source: None,
            illustrative: false,
            allocated_from: from.map(Into::into),
        }
    }
    fn ind(id: &str, aggregation: Aggregation) -> Indicator {
        Indicator {
            id: id.into(),
            name: id.into(),
            name_en: None,
            measure: "".into(),
            direction: Direction::Higher,
            aggregation,
        }
    }
    fn obs(unit: &str, indicator: &str, value: &str) -> Observation {
        Observation {
            unit: unit.into(),
            indicator: indicator.into(),
            period: Period::Year(2017),
            value: dec(value),
            standing: Standing::Final,
            state: ReviewState::Approved,
            source: None,
            reported_by: None,
            reported: None,
        }
    }
    fn world() -> Dataset {
        Dataset {
            units: vec![
                unit("p", None),
                unit("d1", Some("p")),
                unit("d2", Some("p")),
                unit("d3", Some("p")),
            ],
            indicators: vec![
                ind("revenue", Aggregation::Base(AggregationMethod::Sum)),
                ind("population", Aggregation::Base(AggregationMethod::Sum)),
                ind("forest", Aggregation::Base(AggregationMethod::Sum)),
                ind("land", Aggregation::Base(AggregationMethod::Sum)),
                ind(
                    "cover",
                    Aggregation::Derived {
                        formula: "forest / land * 100".into(),
                    },
                ),
            ],
            ..Dataset::default()
        }
    }

    #[test]
    fn shares_that_do_not_add_up_show_the_gap() {
        let mut ds = world();
        ds.targets = vec![
            target("1", "p", "revenue", "1000", None),
            target("1.d1", "d1", "revenue", "400", Some("r/1")),
            target("1.d2", "d2", "revenue", "350", Some("r/1")),
            target("1.d3", "d3", "revenue", "200", Some("r/1")),
        ];
        let c = check(&ds, date("2018-01-01"));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].implied, Some(dec("950")));
        assert_eq!(c[0].gap, Some(dec("50")));
    }

    #[test]
    fn ratio_shares_are_weighted_by_their_denominators() {
        let mut ds = world();
        // The province wants 40% forest cover. d1 (100 ha) is asked 60%, d2 (300 ha) 30%:
        // (60 × 100 + 30 × 300) ÷ 400 = 37.5%, short of 40 — although their average is 45%.
        ds.targets = vec![
            target("2", "p", "cover", "40", None),
            target("2.d1", "d1", "cover", "60", Some("r/2")),
            target("2.d2", "d2", "cover", "30", Some("r/2")),
        ];
        ds.observations = vec![obs("d1", "land", "100"), obs("d2", "land", "300")];
        let c = check(&ds, date("2018-06-01"));
        assert_eq!(c[0].implied, Some(dec("37.5")));
        assert_eq!(c[0].gap, Some(dec("2.5")));
        assert_eq!(c[0].shares[1].weight, Some(dec("300")));
    }

    #[test]
    fn allocate_equally_and_in_proportion_adds_up_exactly() {
        let mut ds = world();
        ds.targets = vec![target("1", "p", "revenue", "1000", None)];
        let shares = allocate(&ds, "r", "1", &Split::Equal, date("2018-01-01")).unwrap();
        let values: Vec<Decimal> = shares
            .iter()
            .map(|t| match t.original.value {
                TargetValue::Exact(v) => v,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(values, [dec("333.33"), dec("333.33"), dec("333.34")]);
        ds.observations = vec![
            obs("d1", "population", "50"),
            obs("d2", "population", "30"),
            obs("d3", "population", "20"),
        ];
        let by = Split::Proportional {
            indicator: "population".into(),
            period: Period::Year(2017),
        };
        let shares = allocate(&ds, "r", "1", &by, date("2018-01-01")).unwrap();
        let values: Vec<Decimal> = shares
            .iter()
            .map(|t| match t.original.value {
                TargetValue::Exact(v) => v,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(values, [dec("500"), dec("300"), dec("200")]);
        assert!(shares
            .iter()
            .all(|t| t.allocated_from.as_deref() == Some("r/1")));
        ds.targets.extend(shares);
        assert_eq!(check(&ds, date("2018-01-01"))[0].gap, Some(Decimal::ZERO));
    }

    #[test]
    fn a_rate_is_given_to_every_sub_unit() {
        let mut ds = world();
        ds.targets = vec![target("2", "p", "cover", "40", None)];
        let shares = allocate(&ds, "r", "2", &Split::Equal, date("2018-01-01")).unwrap();
        assert!(shares
            .iter()
            .all(|t| t.original.value == TargetValue::Exact(dec("40"))));
        let by = Split::Proportional {
            indicator: "land".into(),
            period: Period::Year(2017),
        };
        assert!(matches!(
            allocate(&ds, "r", "2", &by, date("2018-01-01")),
            Err(AllocationError::NotAdditive(_))
        ));
    }

    #[test]
    fn a_review_names_the_sub_units_that_hold_a_target_back() {
        let mut ds = world();
        ds.terms = vec![Term {
            id: "t".into(),
            start: date("2016-01-01"),
            end: date("2020-12-31"),
        }];
        ds.resolutions = vec![Resolution {
            id: "r".into(),
            unit: "p".into(),
            kind: ResolutionKind::Congress,
            congress: Some(1),
            term: "t".into(),
            number: None,
            adopted: date("2016-01-01"),
            title: "r".into(),
            issuer: None,
            body: BodyKind::Party,
        }];
        let mut parent = target("1", "p", "revenue", "1000", None);
        parent.baseline = dec("500");
        let mut d1 = target("1.d1", "d1", "revenue", "500", Some("r/1"));
        d1.baseline = dec("250");
        let mut d2 = target("1.d2", "d2", "revenue", "500", Some("r/1"));
        d2.baseline = dec("250");
        // A rate with no shares: d3's own cover is short of the province's 40%.
        let mut cover = target("2", "p", "cover", "40", None);
        cover.baseline = dec("30");
        ds.targets = vec![parent, d1, d2, cover];
        ds.observations = vec![
            obs("d1", "revenue", "400"),
            obs("d2", "revenue", "260"),
            obs("d1", "forest", "50"),
            obs("d1", "land", "100"),
            obs("d3", "forest", "10"),
            obs("d3", "land", "100"),
        ];
        let r = crate::review::build(
            &ds,
            crate::review::ReviewOptions {
                unit: "p",
                as_of: date("2018-06-30"),
                include_unapproved: false,
            },
        )
        .unwrap();
        let lagging: Vec<(&str, &str)> = r
            .shortfalls
            .iter()
            .filter(|s| s.kind == crate::review::ShortfallKind::LaggingUnit)
            .map(|s| (s.code.as_str(), s.unit.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(lagging, [("1", "d2"), ("2", "d3")]);
    }

    #[test]
    fn weights_and_baselines_come_from_rolled_up_figures() {
        let mut ds = world();
        ds.units.push(unit("c1", Some("d1")));
        ds.units.push(unit("c2", Some("d2")));
        ds.units.push(unit("c3", Some("d3")));
        let mut parent = target("1", "p", "revenue", "1000", None);
        parent.baseline = dec("600");
        ds.targets = vec![parent];
        // Only the communes report population and revenue.
        ds.observations = vec![
            obs("c1", "population", "50"),
            obs("c2", "population", "30"),
            obs("c3", "population", "20"),
        ];
        for (c, v) in [("c1", "300"), ("c2", "200"), ("c3", "100")] {
            let mut o = obs(c, "revenue", v);
            o.period = Period::Year(2015);
            ds.observations.push(o);
        }
        let by = Split::Proportional {
            indicator: "population".into(),
            period: Period::Year(2017),
        };
        let shares = allocate(&ds, "r", "1", &by, date("2018-01-01")).unwrap();
        let baselines: Vec<Decimal> = shares.iter().map(|t| t.baseline).collect();
        assert_eq!(baselines, [dec("300"), dec("200"), dec("100")]);
        let values: Vec<TargetValue> = shares.iter().map(|t| t.original.value.clone()).collect();
        assert_eq!(
            values,
            [
                TargetValue::Exact(dec("500")),
                TargetValue::Exact(dec("300")),
                TargetValue::Exact(dec("200"))
            ]
        );
    }
}
