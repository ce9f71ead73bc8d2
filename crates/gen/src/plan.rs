//! Terms, resolutions and targets: one congress resolution per province and term, with about
//! twenty targets each over the data set's indicators. Baselines are the figures the model
//! gives the province for the baseline year (without noise), so they are plausible; every
//! target is marked illustrative and every title says *mô phỏng* (simulated).

use chitieu_domain::formula::Formula;
use chitieu_domain::{
    AggregationMethod, BodyKind, Decimal, Direction, Field, Period, Resolution, ResolutionKind,
    Target, TargetKind, TargetSpec, TargetValue, Term,
};
use chrono::NaiveDate;

use crate::catalogue::{Aim, BaseSpec, DerivedRule, DerivedSpec};
use crate::names::roman;
use crate::obs::{trend_at, Model, Series};
use crate::rng::{stream, Rng};
use crate::structure::{qi, Province, Reporter, Structure};
use crate::GenOptions;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A term of party congresses.
struct TermSpec {
    id: &'static str,
    dash: &'static str,
    start: NaiveDate,
    end: NaiveDate,
    baseline_year: i32,
    end_year: i32,
}

fn terms() -> [TermSpec; 2] {
    [
        TermSpec {
            id: "2020-2025",
            dash: "2020–2025",
            start: date(2020, 10, 1),
            end: date(2025, 9, 30),
            baseline_year: 2019,
            end_year: 2025,
        },
        TermSpec {
            id: "2025-2030",
            dash: "2025–2030",
            start: date(2025, 10, 1),
            end: date(2030, 9, 30),
            baseline_year: 2024,
            end_year: 2030,
        },
    ]
}

pub(crate) struct Plan {
    pub terms: Vec<Term>,
    pub resolutions: Vec<Resolution>,
    pub targets: Vec<Target>,
}

/// Vietnamese number text: `1.234,5`.
pub(crate) fn vi_number(d: Decimal) -> String {
    let text = d.normalize().to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

fn with_measure(v: Decimal, measure: &str) -> String {
    if measure == "%" {
        format!("{}%", vi_number(v))
    } else {
        format!("{} {measure}", vi_number(v))
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `x` rounded to `places` decimals as an exact decimal (`None` when not finite or huge).
fn dec(x: f64, places: u32) -> Option<Decimal> {
    let p = [1.0, 10.0, 100.0, 1000.0].get(places as usize).copied()?;
    let s = (x * p).round();
    (s.is_finite() && s.abs() < 1e17).then(|| Decimal::new(s as i64, places))
}

/// What the model gives a set of communes for a year, per base indicator: flows added up
/// over the quarters, stocks at the fourth quarter, min and max over both.
struct YearFigures {
    base: Vec<Option<Decimal>>,
    /// Per commune, per base indicator, the year's figure (for counting indicators).
    per_commune: Vec<Vec<f64>>,
}

fn year_figures(
    seed: u64,
    models: &[Model],
    reporters: &[Reporter],
    communes: &[usize],
    year: i32,
) -> YearFigures {
    let mut totals: Vec<Option<f64>> = vec![None; models.len()];
    let mut per_commune = Vec::with_capacity(communes.len());
    for &r in communes {
        let Some(rep) = reporters.get(r) else {
            continue;
        };
        let mut mine = Vec::with_capacity(models.len());
        for (i, m) in models.iter().enumerate() {
            let s = Series::new(seed, r, i, &rep.profile, &m.spec);
            let quarters: Vec<f64> = (1..=4u8)
                .map(|q| {
                    let at = qi(year, q);
                    s.value(&m.spec, trend_at(m.spec.form, at), at, false)
                })
                .collect();
            let v = match m.spec.method {
                AggregationMethod::Sum => quarters.iter().sum(),
                AggregationMethod::Max => quarters.iter().copied().fold(f64::MIN, f64::max),
                AggregationMethod::Min => quarters.iter().copied().fold(f64::MAX, f64::min),
                AggregationMethod::Count | AggregationMethod::Last => {
                    quarters.last().copied().unwrap_or(0.0)
                }
            };
            let p = [1.0, 10.0, 100.0]
                .get(m.spec.scale as usize)
                .copied()
                .unwrap_or(1.0);
            let v = (v * p).round() / p;
            mine.push(v);
            if let Some(t) = totals.get_mut(i) {
                *t = Some(match (*t, m.spec.method) {
                    (None, _) => v,
                    (Some(a), AggregationMethod::Max) => a.max(v),
                    (Some(a), AggregationMethod::Min) => a.min(v),
                    (Some(a), _) => a + v,
                });
            }
        }
        per_commune.push(mine);
    }
    YearFigures {
        base: totals
            .iter()
            .zip(models)
            .map(|(t, m)| t.and_then(|t| dec(t, m.spec.scale)).map(|d| d.normalize()))
            .collect(),
        per_commune,
    }
}

enum Pick<'a> {
    Base(usize, &'a BaseSpec),
    Derived(&'a DerivedSpec),
}

impl Pick<'_> {
    fn id(&self) -> &str {
        match self {
            Pick::Base(_, b) => &b.id,
            Pick::Derived(d) => &d.id,
        }
    }
    fn name(&self) -> &str {
        match self {
            Pick::Base(_, b) => &b.name,
            Pick::Derived(d) => &d.name,
        }
    }
    fn measure(&self) -> &str {
        match self {
            Pick::Base(_, b) => b.measure,
            Pick::Derived(d) => d.measure,
        }
    }
    fn direction(&self) -> Direction {
        match self {
            Pick::Base(_, b) => b.direction,
            Pick::Derived(d) => d.direction,
        }
    }
    fn field(&self) -> Field {
        match self {
            Pick::Base(_, b) => b.field,
            Pick::Derived(d) => d.field,
        }
    }
    fn aim(&self) -> Aim {
        match self {
            Pick::Base(_, b) => b.aim,
            Pick::Derived(d) => d.aim,
        }
    }
    fn precision(&self) -> u32 {
        match self {
            Pick::Base(_, b) => b.scale.min(1),
            Pick::Derived(d) => d.precision,
        }
    }
}

/// The baseline of a pick for a province in a year.
fn baseline(pick: &Pick<'_>, models: &[Model], figures: &YearFigures) -> Option<Decimal> {
    let places = pick.precision();
    match pick {
        Pick::Base(i, _) => figures.base.get(*i).copied().flatten(),
        Pick::Derived(d) => match &d.rule {
            DerivedRule::Formula(f) => {
                let formula = Formula::parse(f).ok()?;
                let value = formula
                    .eval(|id| {
                        let i = models.iter().position(|m| m.spec.id == id)?;
                        figures.base.get(i).copied().flatten()
                    })
                    .ok()?;
                Some(value)
            }
            DerivedRule::CountWhere { of, op, value } => {
                let i = models.iter().position(|m| m.spec.id == *of)?;
                let limit = Decimal::from(*value);
                let n = figures
                    .per_commune
                    .iter()
                    .filter_map(|c| c.get(i).and_then(|v| dec(*v, 2)))
                    .filter(|v| op.holds(*v, limit))
                    .count();
                Some(Decimal::from(n))
            }
        },
    }
    .map(|v| v.round_dp(places).normalize())
}

fn fraction(rng: &mut Rng, lo: f64, hi: f64) -> Decimal {
    Decimal::new((rng.range(lo, hi) * 100.0).round() as i64, 2)
}

/// A target's value, kind, wording and recorded baseline, from its baseline.
fn aim_at(
    pick: &Pick<'_>,
    b: Decimal,
    communes: usize,
    term: &TermSpec,
    rng: &mut Rng,
) -> Option<(TargetKind, TargetValue, String, Decimal)> {
    let places = pick.precision();
    let name = pick.name();
    let measure = pick.measure();
    let higher = pick.direction() == Direction::Higher;
    let percent = measure == "%";
    let y = term.end_year;
    let hundred = Decimal::ONE_HUNDRED;
    let r = |d: Decimal| d.round_dp(places).normalize();
    Some(match pick.aim() {
        Aim::None => return None,
        Aim::Level => {
            let f = fraction(rng, 0.08, 0.35);
            let v = if let Pick::Derived(DerivedSpec {
                rule: DerivedRule::CountWhere { .. },
                ..
            }) = pick
            {
                let room = Decimal::from(communes).checked_sub(b)?;
                b.checked_add(room.checked_mul(f)?.ceil())?
            } else if percent && higher {
                // Part of the way to 100%, and not more than the baseline grows by f.
                let room = hundred.checked_sub(b)?.max(Decimal::ZERO).checked_mul(f)?;
                b.checked_add(room.min(b.checked_mul(f)?))?
            } else if higher {
                b.checked_mul(Decimal::ONE.checked_add(f)?)?
            } else {
                b.checked_mul(Decimal::ONE.checked_sub(f)?)?
            };
            let v = r(v);
            let verb = if higher { "đạt" } else { "giảm còn" };
            (
                TargetKind::Level,
                TargetValue::Exact(v),
                format!("{name} đến năm {y} {verb} {}", with_measure(v, measure)),
                b,
            )
        }
        Aim::Maintain => {
            let v = r(b.floor());
            let how = if higher {
                "trở lên"
            } else {
                "trở xuống"
            };
            (
                TargetKind::Maintain,
                TargetValue::Exact(v),
                format!(
                    "Duy trì {} ở mức {} {how}",
                    lower_first(name),
                    with_measure(v, measure)
                ),
                b,
            )
        }
        Aim::PerYear(c) => {
            // At most a sixth of the baseline a year, at least 0.1.
            let c = Decimal::new((c * 100.0).round() as i64, 2);
            let cap = (b / Decimal::from(6)).round_dp(1).max(Decimal::new(1, 1));
            let c = if c.abs() > cap {
                if c < Decimal::ZERO {
                    -cap
                } else {
                    cap
                }
            } else {
                c
            };
            let c = c.round_dp(1).normalize();
            let verb = if c < Decimal::ZERO { "giảm" } else { "tăng" };
            let unit = if percent { "%" } else { measure };
            (
                TargetKind::EveryYear,
                TargetValue::ChangePerYear(c),
                format!(
                    "{name} {verb} bình quân {}{}{unit}/năm",
                    vi_number(c.abs()),
                    if percent { "" } else { " " }
                ),
                b,
            )
        }
        Aim::Range => {
            let min = r(b.checked_mul(Decimal::new(95, 2))?);
            let max = r(b.checked_mul(Decimal::new(115, 2))?);
            (
                TargetKind::EveryYear,
                TargetValue::Range { min, max },
                format!(
                    "Hằng năm {} từ {} đến {}",
                    lower_first(name),
                    vi_number(min),
                    with_measure(max, measure)
                ),
                b,
            )
        }
        Aim::Cumulative => {
            let f = fraction(rng, 0.05, 0.3);
            let v = r(b
                .checked_mul(Decimal::from(5))?
                .checked_mul(Decimal::ONE.checked_add(f)?)?);
            (
                TargetKind::Cumulative,
                TargetValue::Exact(v),
                format!(
                    "{name} giai đoạn {} đạt {}",
                    term.dash,
                    with_measure(v, measure)
                ),
                Decimal::ZERO,
            )
        }
    })
}

pub(crate) fn build(
    o: &GenOptions,
    st: &Structure,
    models: &[Model],
    derived: &[DerivedSpec],
    figure_seed: u64,
) -> Plan {
    let mut rng = Rng::new(o.seed, stream::PLAN);
    let [old_term, new_term] = terms();
    let mut plan = Plan {
        terms: [&old_term, &new_term]
            .iter()
            .map(|t| Term {
                id: t.id.into(),
                start: t.start,
                end: t.end,
            })
            .collect(),
        resolutions: Vec::new(),
        targets: Vec::new(),
    };
    let picks: Vec<Pick<'_>> = derived
        .iter()
        .map(Pick::Derived)
        .chain(
            models
                .iter()
                .enumerate()
                .map(|(i, m)| Pick::Base(i, &m.spec)),
        )
        .filter(|p| p.aim() != Aim::None)
        .collect();

    struct Ctx<'a> {
        o: &'a GenOptions,
        st: &'a Structure,
        models: &'a [Model],
        picks: &'a [Pick<'a>],
        figure_seed: u64,
    }
    fn congress(
        cx: &Ctx<'_>,
        rng: &mut Rng,
        p: &Province,
        term: &TermSpec,
        ordinal: u32,
        plan: &mut Plan,
    ) {
        let (o, st, models, picks, figure_seed) =
            (cx.o, cx.st, cx.models, cx.picks, cx.figure_seed);
        let Some(unit) = st.units.get(p.unit) else {
            return;
        };
        let id = format!("{}-dh-{}", unit.id, term.start.format("%Y"));
        let day = 1 + rng.below(25) as u32;
        plan.resolutions.push(Resolution {
            id: id.clone(),
            unit: unit.id.clone(),
            kind: ResolutionKind::Congress,
            congress: Some(ordinal),
            term: term.id.into(),
            number: None,
            adopted: term
                .start
                .checked_add_days(chrono::Days::new(u64::from(day)))
                .unwrap_or(term.start),
            title: format!(
                "Nghị quyết Đại hội đại biểu Đảng bộ {} {} lần thứ {}, nhiệm kỳ {} (mô phỏng)",
                p.kind,
                p.bare,
                roman(ordinal),
                term.dash
            ),
            issuer: Some(format!("Đảng bộ {} {}", p.kind, p.bare)),
            body: BodyKind::Party,
        });
        let figures = year_figures(
            figure_seed,
            models,
            &st.reporters,
            &p.reporters,
            term.baseline_year,
        );
        // A shuffled order of the candidates, then the first that have a baseline.
        let mut order: Vec<usize> = (0..picks.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut chosen: Vec<(usize, Target)> = Vec::new();
        for k in order {
            if chosen.len() >= o.targets_per_resolution {
                break;
            }
            let Some(pick) = picks.get(k) else { continue };
            let Some(b) = baseline(pick, models, &figures) else {
                continue;
            };
            let Some((kind, value, name, recorded)) = aim_at(pick, b, p.reporters.len(), term, rng)
            else {
                continue;
            };
            chosen.push((
                k,
                Target {
                    resolution: id.clone(),
                    code: String::new(),
                    indicator: pick.id().to_string(),
                    unit: unit.id.clone(),
                    field: pick.field(),
                    kind,
                    baseline: recorded,
                    baseline_period: Period::Year(term.baseline_year),
                    original: TargetSpec {
                        name,
                        value,
                        deadline: term.end,
                    },
                    milestones: Vec::new(),
                    precision: Some(pick.precision()),
                    source: None,
                    illustrative: true,
                    allocated_from: None,
                },
            ));
        }
        chosen.sort_by_key(|(k, t)| (t.field, *k));
        for (n, (_, mut t)) in chosen.into_iter().enumerate() {
            t.code = (n + 1).to_string();
            plan.targets.push(t);
        }
    }
    let cx = Ctx {
        o,
        st,
        models,
        picks: &picks,
        figure_seed,
    };

    for p in &st.old {
        let ordinal = 15 + rng.below(6) as u32;
        congress(&cx, &mut rng, p, &old_term, ordinal, &mut plan);
        if !o.reform {
            congress(&cx, &mut rng, p, &new_term, ordinal + 1, &mut plan);
        }
    }
    for p in &st.new {
        congress(&cx, &mut rng, p, &new_term, 1, &mut plan);
    }
    plan
}
