//! Any valid dataset survives export → import, and a second export is byte-identical.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chitieu_domain::{
    Adjustment, Aggregation, AggregationMethod, BodyKind, Change, CompareOp, Dataset, Decimal,
    Decision, Direction, Document, DocumentKind, Field, Indicator, Level, Milestone, Observation,
    Period, Reorganisation, ReorganisationKind, Resolution, ResolutionKind, ReviewState, Standing,
    Subject, Succession, Target, TargetKind, TargetSpec, TargetValue, Task, TaskState, Term, Unit,
};
use chitieu_io::{bundle_to_toml, observations_to_csv, parse_bundle, parse_observations_csv};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::{select, Index};

/// Characters that stress quoting and normalisation: Vietnamese letters (precomposed, as NFC
/// has them), quotes, backslashes, line ends, controls, TOML punctuation, astral characters.
const CHARS: &[char] = &[
    'a', 'b', 'z', 'A', '0', '9', ' ', '-', '_', '/', '.', ',', 'Đ', 'đ', 'ư', 'ơ', 'ạ', 'ậ', 'ế',
    'ồ', 'ữ', 'ỹ', 'Ỷ', '"', '\'', '\\', '\n', '\r', '\t', '#', '=', '[', ']', '{', '}', '\u{7f}',
    '\u{1}', '\u{1b}', '–', '€', '𝔸', '😀',
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(CHARS), 0..10).prop_map(|v| v.into_iter().collect())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (-1000i64..1000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<u32>(), any::<u64>(), any::<bool>(), 0u32..=28).prop_map(|(hi, lo, neg, s)| {
            Decimal::from_parts(lo as u32, (lo >> 32) as u32, hi, neg, s)
        }),
    ]
}

fn date(years: std::ops::Range<i32>) -> impl Strategy<Value = NaiveDate> {
    (years, 1u32..=365).prop_map(|(y, d)| NaiveDate::from_yo_opt(y, d).unwrap_or_default())
}

fn period(years: std::ops::Range<i32>) -> impl Strategy<Value = Period> {
    prop_oneof![
        years.clone().prop_map(Period::Year),
        (years.clone(), 1u8..=2).prop_map(|(y, h)| Period::Half(y, h)),
        (years.clone(), 1u8..=4).prop_map(|(y, q)| Period::Quarter(y, q)),
        (years, 1u8..=12).prop_map(|(y, m)| Period::Month(y, m)),
    ]
}

fn target_value() -> impl Strategy<Value = TargetValue> {
    prop_oneof![
        decimal().prop_map(TargetValue::Exact),
        (decimal(), decimal()).prop_map(|(a, b)| TargetValue::Range {
            min: a.min(b),
            max: a.max(b)
        }),
        decimal().prop_map(TargetValue::ChangePerYear),
    ]
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Nation),
        Just(Level::Province),
        Just(Level::District),
        Just(Level::Commune),
        Just(Level::Village),
        select(vec!["thôn", "tổ dân phố", "sở", "site \"x\""])
            .prop_map(|s| Level::Custom(s.to_string())),
    ]
}

#[derive(Debug, Clone)]
struct RawUnit {
    name: String,
    name_en: Option<String>,
    level: Level,
    parent: Option<Index>,
    code: Option<String>,
    valid: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
}

fn raw_unit() -> impl Strategy<Value = RawUnit> {
    (
        text(),
        opt_text(),
        level(),
        prop::option::of(any::<Index>()),
        opt_text(),
        prop::option::of((
            prop::option::of(date(1990..2000)),
            prop::option::of(date(2000..2030)),
        )),
    )
        .prop_map(|(name, name_en, level, parent, code, valid)| RawUnit {
            name,
            name_en,
            level,
            parent,
            code,
            valid,
        })
}

#[derive(Debug, Clone)]
struct RawResolution {
    unit: Index,
    kind: ResolutionKind,
    congress: Option<u32>,
    term: Index,
    number: Option<String>,
    adopted: NaiveDate,
    title: String,
    issuer: Option<String>,
    body: BodyKind,
}

fn raw_resolution() -> impl Strategy<Value = RawResolution> {
    (
        any::<Index>(),
        select(ResolutionKind::ALL.to_vec()),
        prop::option::of(1u32..40),
        any::<Index>(),
        opt_text(),
        date(2010..2020),
        text(),
        opt_text(),
        select(BodyKind::ALL.to_vec()),
    )
        .prop_map(
            |(unit, kind, congress, term, number, adopted, title, issuer, body)| RawResolution {
                unit,
                kind,
                congress,
                term,
                number,
                adopted,
                title,
                issuer,
                body,
            },
        )
}

fn indicator(i: usize) -> impl Strategy<Value = Indicator> {
    (
        text(),
        opt_text(),
        text(),
        select(vec![Direction::Higher, Direction::Lower]),
        prop_oneof![
            select(AggregationMethod::ALL.to_vec()).prop_map(Aggregation::Base),
            text().prop_map(|f| Aggregation::Derived {
                formula: format!("x{f}")
            }),
            // Which other indicator is counted is chosen in `build`, from this number.
            (select(CompareOp::ALL.to_vec()), decimal(), any::<usize>()).prop_map(
                |(op, value, k)| Aggregation::CountWhere {
                    indicator: k.to_string(),
                    op,
                    value
                }
            ),
        ],
    )
        .prop_map(
            move |(name, name_en, measure, direction, aggregation)| Indicator {
                id: format!("ind-{i}"),
                name,
                name_en,
                measure,
                direction,
                aggregation,
            },
        )
}

#[derive(Debug, Clone)]
struct RawTarget {
    resolution: Index,
    code: String,
    name: String,
    indicator: Index,
    unit: Option<Index>,
    field: Field,
    kind: TargetKind,
    baseline: Decimal,
    baseline_period: Period,
    value: TargetValue,
    deadline: Option<NaiveDate>,
    milestones: Vec<(Period, Decimal)>,
    precision: Option<u32>,
    source: Option<String>,
    illustrative: bool,
    /// A share of an earlier target.
    allocated_from: Option<Index>,
}

fn raw_target() -> impl Strategy<Value = RawTarget> {
    (
        (
            any::<Index>(),
            text(),
            text(),
            any::<Index>(),
            prop::option::of(any::<Index>()),
        ),
        (
            select(Field::ALL.to_vec()),
            select(TargetKind::ALL.to_vec()),
            decimal(),
            period(1995..2005),
        ),
        (
            target_value(),
            prop::option::of(date(2010..2040)),
            prop::collection::vec((period(2005..2030), decimal()), 0..3),
            prop::option::of(0u32..=28),
            opt_text(),
            any::<bool>(),
            prop::option::of(any::<Index>()),
        ),
    )
        .prop_map(
            |(
                (resolution, code, name, indicator, unit),
                (field, kind, baseline, baseline_period),
                (value, deadline, milestones, precision, source, illustrative, allocated_from),
            )| RawTarget {
                resolution,
                code,
                name,
                indicator,
                unit,
                field,
                kind,
                baseline,
                baseline_period,
                value,
                deadline,
                milestones,
                precision,
                source,
                illustrative,
                allocated_from,
            },
        )
}

#[derive(Debug, Clone)]
struct RawTask {
    resolution: Index,
    code: String,
    name: String,
    unit: Option<Index>,
    field: Field,
    due: Option<NaiveDate>,
    state: TaskState,
    done_on: Option<NaiveDate>,
    illustrative: bool,
}

fn raw_task() -> impl Strategy<Value = RawTask> {
    (
        any::<Index>(),
        text(),
        text(),
        prop::option::of(any::<Index>()),
        select(Field::ALL.to_vec()),
        prop::option::of(date(2015..2025)),
        select(TaskState::ALL.to_vec()),
        prop::option::of(date(2015..2025)),
        any::<bool>(),
    )
        .prop_map(
            |(resolution, code, name, unit, field, due, state, done_on, illustrative)| RawTask {
                resolution,
                code,
                name,
                unit,
                field,
                due,
                state,
                done_on,
                illustrative,
            },
        )
}

#[derive(Debug, Clone)]
struct RawAdjustment {
    on_task: bool,
    subject: Index,
    date: NaiveDate,
    body: String,
    decision: String,
    reason: String,
    value: Option<TargetValue>,
    deadline: Option<NaiveDate>,
    wording: Option<String>,
    withdraw: bool,
}

fn raw_adjustment() -> impl Strategy<Value = RawAdjustment> {
    (
        any::<bool>(),
        any::<Index>(),
        date(2015..2025),
        (text(), text(), text()),
        prop::option::of(target_value()),
        prop::option::of(date(2015..2030)),
        opt_text(),
        any::<bool>(),
    )
        .prop_map(
            |(
                on_task,
                subject,
                date,
                (body, decision, reason),
                value,
                deadline,
                wording,
                withdraw,
            )| {
                RawAdjustment {
                    on_task,
                    subject,
                    date,
                    body,
                    decision,
                    reason,
                    value,
                    deadline,
                    wording,
                    withdraw,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct RawDocument {
    number: String,
    kind: DocumentKind,
    date: NaiveDate,
    title: String,
    issuer: Index,
    resolutions: Vec<Index>,
    targets: Vec<Index>,
    illustrative: bool,
}

fn raw_document() -> impl Strategy<Value = RawDocument> {
    (
        text(),
        select(DocumentKind::ALL.to_vec()),
        date(2015..2025),
        text(),
        any::<Index>(),
        prop::collection::vec(any::<Index>(), 0..3),
        prop::collection::vec(any::<Index>(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(number, kind, date, title, issuer, resolutions, targets, illustrative)| RawDocument {
                number,
                kind,
                date,
                title,
                issuer,
                resolutions,
                targets,
                illustrative,
            },
        )
}

#[derive(Debug, Clone)]
struct RawObservation {
    unit: Index,
    indicator: Index,
    period: Period,
    value: Decimal,
    standing: Standing,
    state: ReviewState,
    source: Option<String>,
    reported_by: Option<String>,
    reported: Option<NaiveDate>,
}

fn raw_observation() -> impl Strategy<Value = RawObservation> {
    (
        any::<Index>(),
        any::<Index>(),
        period(2010..2030),
        decimal(),
        select(Standing::ALL.to_vec()),
        select(ReviewState::ALL.to_vec()),
        opt_text(),
        opt_text(),
        prop::option::of(date(2010..2030)),
    )
        .prop_map(
            |(unit, indicator, period, value, standing, state, source, reported_by, reported)| {
                RawObservation {
                    unit,
                    indicator,
                    period,
                    value,
                    standing,
                    state,
                    source,
                    reported_by,
                    reported,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct RawReorganisation {
    id: String,
    kind: ReorganisationKind,
    date: NaiveDate,
    decision: Option<String>,
    /// The units taking part; `build` decides who gives and who receives.
    units: Vec<Index>,
    /// Shares of a split or transfer, in hundredths.
    shares: Vec<u32>,
}

fn raw_reorganisation() -> impl Strategy<Value = RawReorganisation> {
    (
        text(),
        select(ReorganisationKind::ALL.to_vec()),
        date(2000..2030),
        opt_text(),
        prop::collection::vec(any::<Index>(), 2..5),
        prop::collection::vec(1u32..=100, 4),
    )
        .prop_map(
            |(id, kind, date, decision, units, shares)| RawReorganisation {
                id,
                kind,
                date,
                decision,
                units,
                shares,
            },
        )
}

#[derive(Debug, Clone)]
struct Raw {
    units: Vec<RawUnit>,
    terms: Vec<(NaiveDate, NaiveDate)>,
    resolutions: Vec<RawResolution>,
    indicators: Vec<Indicator>,
    targets: Vec<RawTarget>,
    tasks: Vec<RawTask>,
    adjustments: Vec<RawAdjustment>,
    documents: Vec<RawDocument>,
    reorganisations: Vec<RawReorganisation>,
    observations: Vec<RawObservation>,
}

fn raw() -> impl Strategy<Value = Raw> {
    let indicators = (1usize..4).prop_flat_map(|n| (0..n).map(indicator).collect::<Vec<_>>());
    (
        prop::collection::vec(raw_unit(), 1..5),
        prop::collection::vec((date(2005..2015), date(2015..2030)), 1..3),
        prop::collection::vec(raw_resolution(), 1..4),
        indicators,
        prop::collection::vec(raw_target(), 0..6),
        prop::collection::vec(raw_task(), 0..4),
        prop::collection::vec(raw_adjustment(), 0..5),
        prop::collection::vec(raw_document(), 0..3),
        prop::collection::vec(raw_reorganisation(), 0..4),
        prop::collection::vec(raw_observation(), 0..8),
    )
        .prop_map(
            |(
                units,
                terms,
                resolutions,
                indicators,
                targets,
                tasks,
                adjustments,
                documents,
                reorganisations,
                observations,
            )| Raw {
                units,
                terms,
                resolutions,
                indicators,
                targets,
                tasks,
                adjustments,
                documents,
                reorganisations,
                observations,
            },
        )
}

/// A valid dataset from raw draws: ids are unique, references resolve, the unit tree has no
/// cycle (a parent comes before its child).
fn build(raw: Raw) -> Dataset {
    let mut ds = Dataset::default();
    for (i, u) in raw.units.into_iter().enumerate() {
        let (valid_from, valid_to) = u.valid.unwrap_or((None, None));
        let parent = if i == 0 {
            None
        } else {
            u.parent.map(|p| ds.units[p.index(i)].id.clone())
        };
        ds.units.push(Unit {
            id: format!("u{i}{}", u.name),
            name: u.name,
            name_en: u.name_en,
            level: u.level,
            parent,
            code: u.code,
            valid_from,
            valid_to,
        });
    }
    let units = ds.units.len();
    ds.terms = raw
        .terms
        .into_iter()
        .enumerate()
        .map(|(i, (start, end))| Term {
            id: format!("{}-{}#{i}", start.format("%Y"), end.format("%Y")),
            start,
            end,
        })
        .collect();
    for (i, r) in raw.resolutions.into_iter().enumerate() {
        ds.resolutions.push(Resolution {
            id: format!("r{i}{}", r.title),
            unit: ds.units[r.unit.index(units)].id.clone(),
            kind: r.kind,
            congress: r.congress,
            term: ds.terms[r.term.index(ds.terms.len())].id.clone(),
            number: r.number,
            adopted: r.adopted,
            title: r.title,
            issuer: r.issuer,
            body: r.body,
        });
    }
    ds.indicators = raw.indicators;
    let n = ds.indicators.len();
    for (i, ind) in ds.indicators.iter_mut().enumerate() {
        let Aggregation::CountWhere { indicator, .. } = &mut ind.aggregation else {
            continue;
        };
        if n < 2 {
            ind.aggregation = Aggregation::Base(AggregationMethod::Count);
            continue;
        }
        // Any indicator but this one.
        let k: usize = indicator.parse().unwrap_or(0);
        *indicator = format!("ind-{}", (i + 1 + k % (n - 1)) % n);
    }
    let term_end = |ds: &Dataset, r: usize| {
        let term = &ds.resolutions[r].term;
        ds.terms
            .iter()
            .find(|t| &t.id == term)
            .map(|t| t.end)
            .unwrap_or_default()
    };
    for (i, t) in raw.targets.into_iter().enumerate() {
        let r = t.resolution.index(ds.resolutions.len());
        let unit = match t.unit {
            Some(u) => ds.units[u.index(units)].id.clone(),
            None => ds.resolutions[r].unit.clone(),
        };
        let deadline = t.deadline.unwrap_or_else(|| term_end(&ds, r));
        // A share of an earlier target (so never of itself), measuring what it measures.
        let (indicator, allocated_from) = match t.allocated_from {
            Some(p) if i > 0 => {
                let parent = &ds.targets[p.index(i)];
                (
                    parent.indicator.clone(),
                    Some(format!("{}/{}", parent.resolution, parent.code)),
                )
            }
            _ => (
                ds.indicators[t.indicator.index(ds.indicators.len())]
                    .id
                    .clone(),
                None,
            ),
        };
        ds.targets.push(Target {
            resolution: ds.resolutions[r].id.clone(),
            code: format!("{i}{}", t.code),
            indicator,
            unit,
            field: t.field,
            kind: t.kind,
            baseline: t.baseline,
            baseline_period: t.baseline_period,
            original: TargetSpec {
                name: t.name,
                value: t.value,
                deadline,
            },
            milestones: t
                .milestones
                .into_iter()
                .map(|(period, value)| Milestone { period, value })
                .collect(),
            precision: t.precision,
            source: t.source,
            illustrative: t.illustrative,
            allocated_from,
        });
    }
    for (i, k) in raw.tasks.into_iter().enumerate() {
        let r = k.resolution.index(ds.resolutions.len());
        let unit = match k.unit {
            Some(u) => ds.units[u.index(units)].id.clone(),
            None => ds.resolutions[r].unit.clone(),
        };
        ds.tasks.push(Task {
            resolution: ds.resolutions[r].id.clone(),
            code: format!("NV{i}{}", k.code),
            name: k.name,
            unit,
            field: k.field,
            due: k.due,
            state: k.state,
            done_on: k.done_on,
            illustrative: k.illustrative,
        });
    }
    for a in raw.adjustments {
        let on_task = if ds.targets.is_empty() {
            true
        } else {
            a.on_task && !ds.tasks.is_empty()
        };
        let (subject, value) = if on_task {
            let Some(k) = ds.tasks.get(a.subject.index(ds.tasks.len().max(1))) else {
                continue;
            };
            (
                Subject::Task {
                    resolution: k.resolution.clone(),
                    code: k.code.clone(),
                },
                None,
            )
        } else {
            let g = &ds.targets[a.subject.index(ds.targets.len())];
            (
                Subject::Target {
                    resolution: g.resolution.clone(),
                    code: g.code.clone(),
                },
                a.value,
            )
        };
        let mut change = Change {
            value,
            deadline: a.deadline,
            wording: a.wording,
            withdraw: a.withdraw,
        };
        if change.is_empty() {
            change.withdraw = true;
        }
        ds.adjustments.push(Adjustment {
            subject,
            decision: Decision {
                body: format!("BTV{}", a.body),
                reference: format!("{}/NQ", a.decision),
                date: a.date,
            },
            reason: a.reason,
            change,
        });
    }
    for (i, d) in raw.documents.into_iter().enumerate() {
        let targets = if ds.targets.is_empty() {
            Vec::new()
        } else {
            d.targets
                .iter()
                .map(|t| {
                    let g = &ds.targets[t.index(ds.targets.len())];
                    format!("{}/{}", g.resolution, g.code)
                })
                .collect()
        };
        ds.documents.push(Document {
            number: format!("{i}-{}", d.number),
            kind: d.kind,
            date: d.date,
            title: d.title,
            issuer: ds.units[d.issuer.index(units)].id.clone(),
            resolutions: d
                .resolutions
                .iter()
                .map(|r| ds.resolutions[r.index(ds.resolutions.len())].id.clone())
                .collect(),
            targets,
            illustrative: d.illustrative,
        });
    }
    reorganisations(&mut ds, raw.reorganisations);
    for o in raw.observations {
        ds.observations.push(Observation {
            unit: ds.units[o.unit.index(units)].id.clone(),
            indicator: ds.indicators[o.indicator.index(ds.indicators.len())]
                .id
                .clone(),
            period: o.period,
            value: o.value,
            standing: o.standing,
            state: o.state,
            source: o.source,
            reported_by: o.reported_by,
            reported: o.reported,
        });
    }
    ds
}

/// Adds the reorganisations that can be made valid: distinct units, shares that add up as the
/// kind requires, and unit validity moved to agree with the date. A reorganisation whose dates
/// clash with an earlier one's is left out.
fn reorganisations(ds: &mut Dataset, raw: Vec<RawReorganisation>) {
    let one = Decimal::ONE;
    let hundredths = |n: u32| Decimal::new(i64::from(n), 2);
    // Bounds an earlier reorganisation relies on.
    let mut fixed_from = vec![false; ds.units.len()];
    let mut fixed_to = vec![false; ds.units.len()];
    for (i, r) in raw.into_iter().enumerate() {
        let mut taking_part: Vec<usize> = Vec::new();
        for u in &r.units {
            let u = u.index(ds.units.len());
            if !taking_part.contains(&u) {
                taking_part.push(u);
            }
        }
        if taking_part.len() < 2 {
            continue;
        }
        let k = taking_part.len();
        // (from, to, share) as unit indices.
        let parts: Vec<(usize, usize, Decimal)> = match r.kind {
            ReorganisationKind::Merge => taking_part[..k - 1]
                .iter()
                .map(|&f| (f, taking_part[k - 1], one))
                .collect(),
            ReorganisationKind::Rename => vec![(taking_part[0], taking_part[1], one)],
            ReorganisationKind::Split => {
                // k - 1 receivers: all but the last get at most 1/(k-1), the last the rest.
                let cap = 100 / u32::try_from(k - 1).unwrap_or(1);
                let mut left = one;
                let mut parts = Vec::new();
                for (j, &to) in taking_part[1..].iter().enumerate() {
                    let share = if j + 2 == k {
                        left
                    } else {
                        hundredths(r.shares[j % r.shares.len()] % cap + 1)
                    };
                    left -= share;
                    parts.push((taking_part[0], to, share));
                }
                parts
            }
            ReorganisationKind::Transfer => (0..k - 1)
                .map(|j| {
                    (
                        taking_part[j],
                        taking_part[j + 1],
                        hundredths(r.shares[j % r.shares.len()]),
                    )
                })
                .collect(),
        };
        let Some(day_before) = r.date.pred_opt() else {
            continue;
        };
        let mut validity: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = ds
            .units
            .iter()
            .map(|u| (u.valid_from, u.valid_to))
            .collect();
        let (mut new_from, mut new_to) = (fixed_from.clone(), fixed_to.clone());
        let mut ok = true;
        let mut ending: Vec<usize> = Vec::new();
        for &(f, _, _) in &parts {
            let total: Decimal = parts.iter().filter(|p| p.0 == f).map(|p| p.2).sum();
            if total == one && !ending.contains(&f) {
                ending.push(f);
            }
        }
        for u in ending {
            let (from, to) = &mut validity[u];
            if to.is_some_and(|t| t != day_before) {
                ok &= !new_to[u];
                *to = Some(day_before);
            }
            new_to[u] = true;
            if from.is_some_and(|f| f > day_before) {
                ok &= !new_from[u];
                *from = None;
            }
        }
        if r.kind != ReorganisationKind::Transfer {
            for &(_, u, _) in &parts {
                let (from, to) = &mut validity[u];
                if from.is_some_and(|f| f != r.date) {
                    ok &= !new_from[u];
                    *from = Some(r.date);
                }
                new_from[u] = true;
                if to.is_some_and(|t| t < r.date) {
                    ok &= !new_to[u];
                    *to = None;
                }
            }
        }
        if !ok {
            continue;
        }
        for (u, (from, to)) in ds.units.iter_mut().zip(validity) {
            u.valid_from = from;
            u.valid_to = to;
        }
        (fixed_from, fixed_to) = (new_from, new_to);
        ds.reorganisations.push(Reorganisation {
            id: format!("re{i}{}", r.id),
            kind: r.kind,
            date: r.date,
            decision: r.decision,
            parts: parts
                .into_iter()
                .map(|(f, t, share)| Succession {
                    from: ds.units[f].id.clone(),
                    to: ds.units[t].id.clone(),
                    share,
                })
                .collect(),
        });
    }
}

fn dataset() -> impl Strategy<Value = Dataset> {
    raw().prop_map(build)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn export_import_export(ds in dataset()) {
        prop_assert_eq!(ds.validate(), Vec::new(), "the generator makes valid datasets");
        let text = bundle_to_toml(&ds);
        let parsed = match parse_bundle(&text, "gen.toml") {
            Ok(p) => p.dataset,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        prop_assert_eq!(&parsed, &ds);
        let again = bundle_to_toml(&parsed);
        prop_assert_eq!(again, text);
    }

    #[test]
    fn decimals_are_exact_and_normalised(d in decimal()) {
        let mut ds = build_minimal();
        ds.observations[0].value = d;
        let text = bundle_to_toml(&ds);
        let parsed = parse_bundle(&text, "d.toml").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let back = parsed.dataset.observations[0].value;
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.to_string(), d.normalize().to_string());
    }

    #[test]
    fn csv_round_trip(ds in dataset()) {
        // The CSV carries unit, indicator, period, value, standing and source; text loses
        // surrounding whitespace.
        let obs: Vec<Observation> = ds
            .observations
            .into_iter()
            .map(|o| Observation {
                unit: o.unit.trim().to_string(),
                indicator: o.indicator,
                source: o.source.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                state: ReviewState::Approved,
                reported_by: None,
                reported: None,
                value: o.value.normalize(),
                ..o
            })
            .collect();
        let text = observations_to_csv(&obs);
        let parsed = parse_observations_csv(&text, "gen.csv").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed.observations, &obs);
        prop_assert_eq!(observations_to_csv(&parsed.observations), text);
    }
}

fn build_minimal() -> Dataset {
    let unit = Unit {
        id: "u".into(),
        name: "U".into(),
        name_en: None,
        level: Level::Commune,
        parent: None,
        code: None,
        valid_from: None,
        valid_to: None,
    };
    let indicator = Indicator {
        id: "i".into(),
        name: "I".into(),
        name_en: None,
        measure: "ha".into(),
        direction: Direction::Higher,
        aggregation: Aggregation::Base(AggregationMethod::Sum),
    };
    let observation = Observation {
        unit: "u".into(),
        indicator: "i".into(),
        period: Period::Year(2020),
        value: Decimal::ZERO,
        standing: Standing::Final,
        state: ReviewState::Approved,
        source: None,
        reported_by: None,
        reported: None,
    };
    Dataset {
        units: vec![unit],
        indicators: vec![indicator],
        observations: vec![observation],
        ..Dataset::default()
    }
}
