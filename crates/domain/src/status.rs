//! The status of a target at a date: the brief's "Status of a target at a date".
//!
//! Comparisons and sums are exact (decimals); the progress ratio R and the projection are
//! growth rates and powers, computed in `f64` and reported rounded.

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::model::*;
use crate::period::Period;
use crate::rollup::Rollups;
use crate::version::{self, Cutoff, FigureFilter, TargetVersion};

/// The brief's statuses, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Exceeded,
    Achieved,
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Exceeded,
        Status::Achieved,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NoData,
        Status::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exceeded => "exceeded",
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
            Status::Withdrawn => "withdrawn",
        }
    }
    /// Met: counted in the headline "hoàn thành và hoàn thành vượt mức".
    pub fn is_met(self) -> bool {
        matches!(self, Status::Exceeded | Status::Achieved)
    }
    /// Could be assessed at all ("đánh giá được").
    pub fn is_assessable(self) -> bool {
        !matches!(self, Status::NoData | Status::Withdrawn)
    }
    /// Rank for "never worse" comparisons: lower is better. `NoData` and `Withdrawn` are
    /// outside the order.
    pub fn rank(self) -> Option<u8> {
        match self {
            Status::Exceeded => Some(0),
            Status::Achieved => Some(1),
            Status::OnTrack => Some(2),
            Status::AtRisk => Some(3),
            Status::OffTrack => Some(4),
            Status::NoData | Status::Withdrawn => None,
        }
    }
}

/// Which rule judged a target; reports print it so a reader can redo the sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The measure meets the target: no projection needed.
    Comparison,
    /// Statistics Canada / Open SDG progress measure with compound annual growth rates.
    Compound,
    /// The same with linear rates, where compound growth cannot apply (zero or sign change).
    Linear,
    /// Cumulative and average targets: share of the requirement met against time elapsed.
    Requirement,
    /// Every-year and maintain targets: share of the years (or periods) that met the target.
    YearByYear,
    /// Nothing to judge.
    None,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Comparison => "comparison",
            Method::Compound => "compound",
            Method::Linear => "linear",
            Method::Requirement => "requirement",
            Method::YearByYear => "year_by_year",
            Method::None => "none",
        }
    }
}

/// A figure used in a judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub period: Period,
    pub value: Decimal,
    pub standing: Standing,
}

/// A status and every number behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub status: Status,
    pub method: Method,
    /// The target value the measure is compared with (the lower or upper end of a range, or
    /// the level implied by a change per year).
    pub target: Option<Decimal>,
    /// The latest figure known.
    pub latest: Option<Figure>,
    /// What is compared with the target: the latest value (level), the sum (cumulative), the
    /// average (average), the latest year's value or change (every year, maintain).
    pub measure: Option<Decimal>,
    /// Realisation rate in percent, as Vietnamese reports quote it ("đạt 87,5% kế hoạch"):
    /// measure ÷ target, or target ÷ measure where lower is better.
    pub realisation: Option<f64>,
    /// Share of the requirement covered, in percent: of the distance from baseline to target
    /// (level), of the total (cumulative, average), of the years (every year, maintain).
    pub progress: Option<f64>,
    /// The progress ratio R.
    pub ratio: Option<f64>,
    /// The measure projected to the deadline at the observed pace.
    pub projected: Option<f64>,
    /// Figures after the baseline that the judgement used.
    pub figures_used: usize,
    /// One line on why, for readers and for `no_data`.
    pub note: Option<String>,
}

impl Assessment {
    fn empty(status: Status, note: Option<String>) -> Self {
        Assessment {
            status,
            method: Method::None,
            target: None,
            latest: None,
            measure: None,
            realisation: None,
            progress: None,
            ratio: None,
            projected: None,
            figures_used: 0,
            note,
        }
    }
}

/// Options of a judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusOptions {
    /// Judge with what was known and decided at this date.
    pub as_of: NaiveDate,
    /// Count figures that the level above has not approved yet.
    pub include_unapproved: bool,
}

/// Thresholds of the brief.
pub const ON_TRACK: f64 = 0.95;
pub const AT_RISK: f64 = 0.6;

/// Once the figure for the deadline is in, a target that is not met will not be: the pace
/// no longer matters.
fn past_deadline(a: &mut Assessment, last_end: NaiveDate, deadline: NaiveDate) {
    if !a.status.is_met() && a.status != Status::NoData && last_end >= deadline {
        a.status = Status::OffTrack;
        a.note = Some("the deadline has passed and the target is not met".into());
    }
}

fn band(ratio: f64) -> Status {
    if ratio >= ON_TRACK {
        Status::OnTrack
    } else if ratio >= AT_RISK {
        Status::AtRisk
    } else {
        Status::OffTrack
    }
}

/// Years between two dates, as the brief's t − t0.
pub fn years_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / 365.25
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

fn round_to(d: Decimal, precision: Option<u32>) -> Decimal {
    match precision {
        Some(p) => d.round_dp_with_strategy(p, RoundingStrategy::MidpointAwayFromZero),
        None => d,
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// How a measure stands against a target value: strictly better, met, or not met (with the
/// end of the target that still has to be reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Better,
    Met,
    Short(Decimal),
}

fn compare(measure: Decimal, value: &Bound, d: Direction) -> Comparison {
    match *value {
        Bound::Point(t) => {
            let diff = (measure - t) * Decimal::from(d.sign());
            if diff > Decimal::ZERO {
                Comparison::Better
            } else if diff == Decimal::ZERO {
                Comparison::Met
            } else {
                Comparison::Short(t)
            }
        }
        Bound::Range(lo, hi) => {
            let (near, far) = match d {
                Direction::Higher => (lo, hi),
                Direction::Lower => (hi, lo),
            };
            let beyond_far = (measure - far) * Decimal::from(d.sign()) > Decimal::ZERO;
            let short_of_near = (measure - near) * Decimal::from(d.sign()) < Decimal::ZERO;
            if beyond_far {
                Comparison::Better
            } else if short_of_near {
                Comparison::Short(near)
            } else {
                Comparison::Met
            }
        }
    }
}

/// A target value reduced to what a measure is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Point(Decimal),
    Range(Decimal, Decimal),
}

impl Bound {
    /// The end a measure has to reach first.
    fn near(self, d: Direction) -> Decimal {
        match (self, d) {
            (Bound::Point(t), _) => t,
            (Bound::Range(lo, _), Direction::Higher) => lo,
            (Bound::Range(_, hi), Direction::Lower) => hi,
        }
    }
}

/// Realisation rate in percent: measure ÷ target, or target ÷ measure where lower is better.
pub fn realisation_rate(measure: Decimal, target: Decimal, d: Direction) -> Option<f64> {
    realisation(measure, target, d)
}

fn realisation(measure: Decimal, target: Decimal, d: Direction) -> Option<f64> {
    if target.is_zero() {
        // "đạt x% kế hoạch" means nothing against a target of zero.
        return None;
    }
    let (num, den) = match d {
        Direction::Higher => (measure, target),
        Direction::Lower => (target, measure),
    };
    if den.is_zero() {
        None
    } else {
        finite(f(num) / f(den) * 100.0)
    }
}

impl StatusOptions {
    /// The figures a judgement at these options may use.
    pub fn filter(&self) -> FigureFilter {
        FigureFilter {
            known_by: self.as_of,
            include_unapproved: self.include_unapproved,
        }
    }

    /// The roll-ups a judgement at these options uses: the figures known then, in the tree of
    /// the date. Build once for many targets.
    pub fn rollups<'a>(&self, ds: &'a Dataset) -> Rollups<'a> {
        Rollups::new(ds, self.filter(), self.as_of)
    }
}

/// The status of `target` under `version` at `opts.as_of`.
pub fn assess(
    ds: &Dataset,
    target: &Target,
    version: &TargetVersion,
    indicator: &Indicator,
    opts: StatusOptions,
) -> Assessment {
    assess_with(&opts.rollups(ds), target, version, indicator)
}

/// [`assess`] on roll-ups already built for `opts`.
pub fn assess_with(
    rollups: &Rollups,
    target: &Target,
    version: &TargetVersion,
    indicator: &Indicator,
) -> Assessment {
    if version.withdrawn {
        return Assessment::empty(Status::Withdrawn, Some("withdrawn by an adjustment".into()));
    }
    let all = rollups.series(&target.unit, &target.indicator);
    let t0 = target.baseline_period.end();
    let t1 = version.spec.deadline;
    let after: Vec<Figure> = all
        .into_iter()
        .filter(|o| o.period.end() > t0 && o.period.start() <= t1)
        .collect();
    let d = indicator.direction;
    let flow = matches!(
        indicator.aggregation,
        Aggregation::Base(AggregationMethod::Sum)
    );
    let input = Input {
        target,
        spec_value: &version.spec.value,
        t0,
        t1,
        d,
    };
    let mut a = match target.kind {
        // A flow (added up over time: revenue, roads built) is judged on whole years; a stock
        // (population, a rate) on its latest figure, whatever the period.
        TargetKind::Level if flow => assess_level(&input, &yearly(&after)),
        TargetKind::Level => assess_level(&input, &after),
        TargetKind::Cumulative => assess_cumulative(&input, &yearly(&after)),
        TargetKind::Average => assess_average(&input, &yearly(&after)),
        TargetKind::EveryYear => assess_each(&input, &yearly(&after), true),
        TargetKind::Maintain => assess_each(&input, &after, false),
    };
    if let Some(last_end) = a.latest.as_ref().map(|l| l.period.end()) {
        past_deadline(&mut a, last_end, t1);
    }
    a
}

/// Convenience: judge under the version in force by the cutoff.
pub fn assess_at(
    ds: &Dataset,
    target: &Target,
    indicator: &Indicator,
    cutoff: Cutoff,
    opts: StatusOptions,
) -> (TargetVersion, Assessment) {
    let v = version::target_version(ds, target, cutoff);
    let a = assess(ds, target, &v, indicator, opts);
    (v, a)
}

struct Input<'a> {
    target: &'a Target,
    spec_value: &'a TargetValue,
    t0: NaiveDate,
    t1: NaiveDate,
    d: Direction,
}

impl Input<'_> {
    /// Realisation of a yearly measure. A change per year is compared by its size: a cut of
    /// 2.9 points against a required cut of 2.5 is 116%, whichever the direction.
    fn realisation(&self, measure: Decimal, target: Decimal) -> Option<f64> {
        if matches!(self.spec_value, TargetValue::ChangePerYear(_)) {
            if target.is_zero() {
                None
            } else {
                finite(f(measure) / f(target) * 100.0)
            }
        } else {
            realisation(measure, target, self.d)
        }
    }

    /// Years of the term after the baseline, through the deadline's year.
    fn term_years(&self) -> i64 {
        let first = self.target.baseline_period.year() + 1;
        let last = chrono::Datelike::year(&self.t1);
        i64::from((last - first + 1).max(1))
    }
}

fn yearly(figures: &[Figure]) -> Vec<Figure> {
    figures
        .iter()
        .filter(|x| x.period.is_year())
        .cloned()
        .collect()
}

fn latest(figures: &[Figure]) -> Option<&Figure> {
    figures.iter().max_by(|a, b| {
        a.period
            .end()
            .cmp(&b.period.end())
            .then(a.period.span_rank().cmp(&b.period.span_rank()))
    })
}

fn no_data(what: &str) -> Assessment {
    Assessment::empty(
        Status::NoData,
        Some(format!("no {what} reported after the baseline")),
    )
}

fn assess_level(input: &Input, figures: &[Figure]) -> Assessment {
    let Some(last) = latest(figures).cloned() else {
        return no_data("figure");
    };
    let b = input.target.baseline;
    let bound = match *input.spec_value {
        TargetValue::Exact(t) => Bound::Point(t),
        TargetValue::Range { min, max } => Bound::Range(min, max),
        TargetValue::ChangePerYear(c) => {
            let years = Decimal::from(input.term_years());
            Bound::Point(b + c * years)
        }
    };
    let v = round_to(last.value, input.target.precision);
    let t_near = bound.near(input.d);
    let mut a = Assessment::empty(Status::NoData, None);
    a.target = Some(t_near);
    a.measure = Some(last.value);
    a.latest = Some(last.clone());
    a.figures_used = figures.len();
    a.realisation = realisation(last.value, t_near, input.d);
    a.progress = if t_near == b {
        None
    } else {
        finite(f(last.value - b) / f(t_near - b) * 100.0)
    };
    match compare(v, &bound, input.d) {
        Comparison::Better => {
            a.status = Status::Exceeded;
            a.method = Method::Comparison;
            a
        }
        Comparison::Met => {
            a.status = Status::Achieved;
            a.method = Method::Comparison;
            a
        }
        Comparison::Short(t) => {
            let t_now = last.period.end();
            let elapsed = years_between(input.t0, t_now);
            let horizon = years_between(input.t0, input.t1);
            let remaining = years_between(t_now, input.t1).max(0.0);
            let (bf, vf, tf) = (f(b), f(last.value), f(t));
            let sign = input.d.sign() as f64;
            let compound_ok = bf != 0.0
                && vf != 0.0
                && tf != 0.0
                && bf.signum() == vf.signum()
                && bf.signum() == tf.signum()
                && tf != bf;
            if elapsed <= 0.0 || horizon <= 0.0 {
                a.note = Some("no time has elapsed since the baseline".into());
                return a;
            }
            if compound_ok {
                let cagr_a = (vf / bf).powf(1.0 / elapsed) - 1.0;
                let cagr_r = (tf / bf).powf(1.0 / horizon) - 1.0;
                let s = if bf < 0.0 { -1.0 } else { 1.0 };
                a.method = Method::Compound;
                a.ratio = finite(s * sign * cagr_a / cagr_r.abs());
                a.projected = finite(vf * (1.0 + cagr_a).powf(remaining));
            } else {
                let rate_a = (vf - bf) / elapsed;
                let rate_r = (tf - bf) / horizon;
                a.method = Method::Linear;
                a.ratio = if rate_r == 0.0 {
                    None
                } else {
                    finite(sign * rate_a / rate_r.abs())
                };
                a.projected = finite(vf + rate_a * remaining);
            }
            a.status = match a.ratio {
                Some(r) => band(r),
                // The target asked to hold the baseline and the figure is worse: the trend is
                // in the wrong direction.
                None => Status::OffTrack,
            };
            a
        }
    }
}

fn assess_cumulative(input: &Input, years: &[Figure]) -> Assessment {
    let Some(last) = latest(years).cloned() else {
        return no_data("annual figure");
    };
    let n = input.term_years();
    let sum: Decimal = years.iter().map(|x| x.value).sum();
    let bound = match *input.spec_value {
        TargetValue::Exact(t) => Bound::Point(t),
        TargetValue::Range { min, max } => Bound::Range(min, max),
        TargetValue::ChangePerYear(c) => Bound::Point(c * Decimal::from(n)),
    };
    let t = bound.near(input.d);
    let elapsed_years = i64::from(last.period.year() - input.target.baseline_period.year());
    let elapsed_share = (elapsed_years as f64 / n as f64).clamp(0.0, 1.0);
    let measure = round_to(sum, input.target.precision);
    let mut a = Assessment::empty(Status::NoData, None);
    a.target = Some(t);
    a.measure = Some(sum);
    a.latest = Some(last);
    a.figures_used = years.len();
    a.realisation = realisation(sum, t, input.d);
    a.progress = if t.is_zero() {
        None
    } else {
        finite(f(sum) / f(t) * 100.0)
    };
    a.method = Method::Requirement;
    a.projected = if elapsed_share > 0.0 {
        finite(f(sum) / elapsed_share)
    } else {
        None
    };
    match compare(measure, &bound, input.d) {
        Comparison::Better => a.status = Status::Exceeded,
        Comparison::Met => a.status = Status::Achieved,
        Comparison::Short(_) => {
            let share_met = match input.d {
                Direction::Higher if !t.is_zero() => finite(f(sum) / f(t)),
                Direction::Lower if !sum.is_zero() => finite(f(t) / f(sum)),
                _ => None,
            };
            a.ratio = share_met.and_then(|m| {
                if input.d == Direction::Higher {
                    finite(m / elapsed_share)
                } else {
                    Some(m)
                }
            });
            a.status = if input.d == Direction::Lower {
                // A cap on a total ("at most 40 over the term") that is already passed stays
                // passed: the years left can only add to it.
                a.note = Some("the cap on the total is already exceeded".into());
                Status::OffTrack
            } else {
                a.ratio.map_or(Status::OffTrack, band)
            };
        }
    }
    a
}

/// Yearly measures: the values, or their changes from the previous year (from the baseline
/// for the first year) when the target is a change per year. A year whose previous year is
/// missing has no change.
fn yearly_measures(input: &Input, years: &[Figure]) -> Vec<(Figure, Decimal)> {
    if !matches!(input.spec_value, TargetValue::ChangePerYear(_)) {
        return years.iter().map(|x| (x.clone(), x.value)).collect();
    }
    let mut out = Vec::new();
    let mut prev = (input.target.baseline_period.year(), input.target.baseline);
    for y in years {
        if y.period.year() == prev.0 + 1 {
            out.push((y.clone(), y.value - prev.1));
        }
        prev = (y.period.year(), y.value);
    }
    out
}

fn bound_of(value: &TargetValue) -> Bound {
    match *value {
        TargetValue::Exact(t) | TargetValue::ChangePerYear(t) => Bound::Point(t),
        TargetValue::Range { min, max } => Bound::Range(min, max),
    }
}

fn assess_average(input: &Input, years: &[Figure]) -> Assessment {
    let measures = yearly_measures(input, years);
    let Some((last, _)) = measures.last().cloned() else {
        return no_data("annual figure");
    };
    let k = Decimal::from(measures.len() as i64);
    let sum: Decimal = measures.iter().map(|(_, m)| *m).sum();
    let mean = sum / k;
    let bound = bound_of(input.spec_value);
    let t = bound.near(input.d);
    let n = input.term_years();
    let mut a = Assessment::empty(Status::NoData, None);
    a.target = Some(t);
    a.measure = Some(mean.round_dp(6).normalize());
    a.latest = Some(last);
    a.figures_used = measures.len();
    a.realisation = input.realisation(mean, t);
    a.progress = if t.is_zero() {
        None
    } else {
        finite(f(sum) / (f(t) * n as f64) * 100.0)
    };
    a.method = Method::Requirement;
    a.projected = finite(f(mean));
    match compare(round_to(mean, input.target.precision), &bound, input.d) {
        Comparison::Better => a.status = Status::Exceeded,
        Comparison::Met => a.status = Status::Achieved,
        Comparison::Short(_) => {
            // Share of the requirement (t × n) met so far against the share of the term elapsed
            // (k ÷ n): for an average this is the mean over the target.
            a.ratio = input.realisation(mean, t).map(|r| r / 100.0);
            a.status = a.ratio.map_or(Status::OffTrack, band);
        }
    }
    a
}

fn assess_each(input: &Input, figures: &[Figure], per_year: bool) -> Assessment {
    let measures = if per_year {
        yearly_measures(input, figures)
    } else {
        figures.iter().map(|x| (x.clone(), x.value)).collect()
    };
    let Some((last, last_measure)) = measures
        .iter()
        .max_by(|a, b| a.0.period.cmp(&b.0.period))
        .cloned()
    else {
        return no_data(if per_year { "annual figure" } else { "figure" });
    };
    let bound = bound_of(input.spec_value);
    let t = bound.near(input.d);
    let verdicts: Vec<Comparison> = measures
        .iter()
        .map(|(_, m)| compare(round_to(*m, input.target.precision), &bound, input.d))
        .collect();
    let met = verdicts
        .iter()
        .filter(|c| !matches!(c, Comparison::Short(_)))
        .count();
    let total = verdicts.len();
    let mut a = Assessment::empty(Status::NoData, None);
    a.target = Some(t);
    a.measure = Some(last_measure);
    a.latest = Some(last);
    a.figures_used = total;
    a.realisation = input.realisation(last_measure, t);
    a.method = Method::YearByYear;
    let share = met as f64 / total as f64;
    a.progress = Some(share * 100.0);
    a.ratio = Some(share);
    a.note = Some(format!(
        "{met}/{total} {} met the target",
        if per_year { "years" } else { "figures" }
    ));
    a.status = if met == total {
        if verdicts.iter().all(|c| *c == Comparison::Better) {
            Status::Exceeded
        } else {
            Status::Achieved
        }
    } else {
        band(share)
    };
    if a.status.is_met() {
        a.ratio = None;
    }
    a
}

#[cfg(test)]
mod tests;
