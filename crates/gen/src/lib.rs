//! A deterministic synthetic country for chitieu, at national scale.
//!
//! This crate owns synthetic data and nothing else: it builds a [`Dataset`] of units, terms,
//! resolutions, indicators, targets and reorganisations, and streams quarterly observations
//! for every commune, the same bytes for the same seed on every machine. It opens no file
//! and knows no database: the command line writes the bundle (`chitieu_io::bundle_to_toml`)
//! and the CSV, and `chitieu import` loads them.
//!
//! # The country
//!
//! * **Before 1 July 2025**: the nation `vn`; provinces `p01`…; districts `p01-d01`…;
//!   communes `p01-d01-c01`…; villages `p01-d01-c01-v01`…. Counts per parent vary around
//!   the averages of [`GenOptions`] (by [`GenOptions::spread`]); the totals are
//!   `round(parents × average)` at each level.
//!   With the reform they all end on 2025-06-30 (the nation does not).
//! * **The 2025 reorganisation** ([`GenOptions::reform`]): new provinces `np01`… from
//!   2025-07-01, each a `merge` of 1–3 consecutive old provinces (decision *Nghị quyết
//!   202/2025/QH15 (mô phỏng)*); no district level; new communes `np01-c0001`…, each a
//!   `merge` of neighbouring old communes of one old province (about
//!   [`GenOptions::communes_per_new_commune`] of them, mostly 2–5), and a few old communes
//!   ([`GenOptions::split_fraction`]) `split` between two new communes (shares 0.5/0.5,
//!   0.6/0.4 or 0.7/0.3). Districts and villages just end: only communes report figures.
//!   The data set passes [`Dataset::validate`].
//! * **Indicators**: [`GenOptions::indicators_base`] base indicators that communes report
//!   (70 written out: population, households, areas, poverty, insurance, schools, budget,
//!   output, party building, security...) and [`GenOptions::indicators_derived`] derived
//!   ones: formulas over base ids in brackets (`[dien-tich-rung] / [dien-tich-tu-nhien] *
//!   100`), and one counting indicator, `xa-dat-ntm` = communes whose `tieu-chi-ntm` is
//!   `>= 19`, counted among the derived. Stocks (population, areas, households) aggregate
//!   with `count` — added over units, the last quarter of a year stands for the year — and
//!   flows (output, revenue, new members) with `sum`, added over units and quarters; the
//!   new-rural criteria and the distance to hospital with `max`, the two administration
//!   scores with `min`.
//! * **Resolutions**: per old province a congress resolution for 2020–2025, per new province
//!   one for 2025–2030 (congress I), each with about
//!   [`GenOptions::targets_per_resolution`] targets whose baselines (2019, 2024) are the
//!   province's figures in the model. Every target is `illustrative`; every title says
//!   *(mô phỏng)*.
//! * **Observations**: every commune, every base indicator, every quarter from
//!   [`GenOptions::first_year`] to [`GenOptions::last_year`] in which the commune exists
//!   (old communes up to 2025-Q2, new ones from 2025-Q3). Figures are exact decimals with at
//!   most two places (a fixed number per indicator), non-negative, with trends, seasons
//!   and noise. They are never held: [`Synthetic::observations`] and
//!   [`Synthetic::for_each_observation`] stream them, [`Synthetic::write_observations_csv`]
//!   writes the chitieu CSV fast.
//!
//! # Determinism
//!
//! The structure, names, profiles and targets come from ChaCha8 streams (`rand_chacha`) of
//! the seed; each figure from a fixed 64-bit hash of (seed, commune, indicator, quarter), so
//! any figure can be computed alone. Floating point on the way to a figure uses only
//! `+ − × ÷`, square roots and rounding, which IEEE 754 makes exact: the output is the same
//! on every machine.
//!
//! ```
//! let syn = chitieu_gen::generate(&chitieu_gen::GenOptions::tiny()).unwrap();
//! assert!(syn.dataset.validate().is_empty());
//! let mut csv = Vec::new();
//! let rows = syn.write_observations_csv(&mut csv).unwrap();
//! assert_eq!(rows, syn.observation_count());
//! ```

mod catalogue;
mod names;
mod obs;
mod plan;
mod rng;
mod structure;

use std::io::Write;

use chitieu_domain::{Aggregation, Dataset, Indicator};

pub use obs::{ObsRow, Observations};

use crate::catalogue::DerivedRule;
use crate::obs::Model;
use crate::structure::{qi, Qi, Reporter};

/// The sizes of a preset, named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// 2 provinces, 4 districts, 12 communes, 24 villages; 8 + 3 indicators; 2015–2018.
    Tiny,
    /// 5 provinces, 50 districts, 600 communes; 70 + 30 indicators; 2015–2026.
    Small,
    /// 20 provinces, 200 districts, 3,000 communes; 70 + 30 indicators; 2015–2026.
    Medium,
    /// 63 provinces, ~706 districts, ~10,600 communes, ~100,000 villages, reorganised into
    /// 34 provinces and ~3,300 communes; 70 + 30 indicators; 2015–2026.
    Full,
}

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::Tiny, Preset::Small, Preset::Medium, Preset::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Tiny => "tiny",
            Preset::Small => "small",
            Preset::Medium => "medium",
            Preset::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn options(self) -> GenOptions {
        match self {
            Preset::Tiny => GenOptions::tiny(),
            Preset::Small => GenOptions::small(),
            Preset::Medium => GenOptions::medium(),
            Preset::Full => GenOptions::full(),
        }
    }
}

/// What to generate. The per-parent counts are averages (the totals at each level are
/// `round(parents × average)`), so that 63 provinces can hold ~10,600 communes.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    pub seed: u64,
    pub provinces: usize,
    pub districts_per_province: f64,
    pub communes_per_district: f64,
    /// May be 0: no villages (figures still count "villages" per commune).
    pub villages_per_commune: f64,
    /// How much the number of children varies between parents: each parent's share is
    /// weighted by a random `1 ± spread` (0: all alike, at most 0.9).
    pub spread: f64,
    pub indicators_base: usize,
    pub indicators_derived: usize,
    pub first_year: i32,
    pub last_year: i32,
    /// The 2025 reorganisation.
    pub reform: bool,
    /// Provinces after the reorganisation: at least a third of the old ones, at most all.
    pub new_provinces: usize,
    /// Old communes per new commune, on average (≈ 3.2 in 2025).
    pub communes_per_new_commune: f64,
    /// Share of old communes split between two new ones (at least one when above 0).
    pub split_fraction: f64,
    pub targets_per_resolution: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions::full()
    }
}

impl GenOptions {
    /// The full country: 63 provinces, ~706 districts, ~10,600 communes, ~100,000 villages;
    /// 34 provinces and ~3,300 communes after 2025; 100 indicators; 2015–2026.
    pub fn full() -> GenOptions {
        GenOptions {
            seed: 1,
            provinces: 63,
            districts_per_province: 11.2,
            communes_per_district: 15.0,
            villages_per_commune: 9.4,
            spread: 0.6,
            indicators_base: 70,
            indicators_derived: 30,
            first_year: 2015,
            last_year: 2026,
            reform: true,
            new_provinces: 34,
            communes_per_new_commune: 3.2,
            split_fraction: 0.02,
            targets_per_resolution: 20,
        }
    }

    /// For tests: 2 provinces of 2 districts of 3 communes of 2 villages; 8 base and 3
    /// derived indicators; 2015–2018.
    pub fn tiny() -> GenOptions {
        GenOptions {
            provinces: 2,
            districts_per_province: 2.0,
            communes_per_district: 3.0,
            villages_per_commune: 2.0,
            spread: 0.0,
            indicators_base: 8,
            indicators_derived: 3,
            first_year: 2015,
            last_year: 2018,
            new_provinces: 1,
            ..GenOptions::full()
        }
    }

    /// 5 provinces, 50 districts, 600 communes, ~5,600 villages; 3 provinces after 2025.
    pub fn small() -> GenOptions {
        GenOptions {
            provinces: 5,
            districts_per_province: 10.0,
            communes_per_district: 12.0,
            new_provinces: 3,
            ..GenOptions::full()
        }
    }

    /// 20 provinces, 200 districts, 3,000 communes, ~28,000 villages; 11 after 2025.
    pub fn medium() -> GenOptions {
        GenOptions {
            provinces: 20,
            districts_per_province: 10.0,
            communes_per_district: 15.0,
            new_provinces: 11,
            ..GenOptions::full()
        }
    }

    /// Refuses options that cannot make a coherent country.
    pub fn check(&self) -> Result<(), GenError> {
        let bad = |m: String| Err(GenError::Options(m));
        if self.provinces == 0 {
            return bad("at least one province is needed".into());
        }
        for (name, v, min) in [
            ("districts per province", self.districts_per_province, 1.0),
            ("communes per district", self.communes_per_district, 1.0),
            ("villages per commune", self.villages_per_commune, 0.0),
            (
                "communes per new commune",
                self.communes_per_new_commune,
                1.0,
            ),
        ] {
            if !v.is_finite() || v < min || v > 10_000.0 {
                return bad(format!(
                    "{name} must be a number from {min} to 10000, not {v}"
                ));
            }
        }
        if !self.spread.is_finite() || !(0.0..=0.9).contains(&self.spread) {
            return bad(format!(
                "the spread must be from 0 to 0.9, not {}",
                self.spread
            ));
        }
        if !self.split_fraction.is_finite() || !(0.0..=0.5).contains(&self.split_fraction) {
            return bad(format!(
                "the split fraction must be from 0 to 0.5, not {}",
                self.split_fraction
            ));
        }
        if !(1000..=9999).contains(&self.first_year)
            || !(1000..=9999).contains(&self.last_year)
            || self.first_year > self.last_year
        {
            return bad(format!(
                "years must be four digits, the first not after the last ({}–{})",
                self.first_year, self.last_year
            ));
        }
        if self.indicators_base == 0 {
            return bad("at least one base indicator is needed".into());
        }
        if self.reform && (self.new_provinces == 0 || self.new_provinces > self.provinces) {
            return bad(format!(
                "the reorganisation needs 1 to {} new provinces, not {}",
                self.provinces, self.new_provinces
            ));
        }
        if self.reform && self.provinces > 3 * self.new_provinces {
            return bad(format!(
                "{} new provinces cannot take in {} old ones (at most 3 each)",
                self.new_provinces, self.provinces
            ));
        }
        let districts = structure::total(self.provinces, self.districts_per_province);
        let communes = structure::total(districts, self.communes_per_district);
        let villages = structure::total(communes, self.villages_per_commune);
        if villages.saturating_add(communes) > 20_000_000 {
            return bad(format!(
                "{communes} communes and {villages} villages are more than this generator makes (20 million units)"
            ));
        }
        if self.indicators_base > 10_000 || self.indicators_derived > 10_000 {
            return bad("at most 10000 base and 10000 derived indicators".into());
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{0}")]
    Options(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What was generated, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sizes {
    pub units: usize,
    pub provinces: usize,
    pub districts: usize,
    pub communes: usize,
    pub villages: usize,
    pub new_provinces: usize,
    pub new_communes: usize,
    /// Old communes split between two new ones.
    pub split_communes: usize,
    pub reorganisations: usize,
    pub reorganisation_parts: usize,
    pub indicators_base: usize,
    pub indicators_derived: usize,
    pub resolutions: usize,
    pub targets: usize,
    pub observations: u64,
}

/// A generated country: the structure as a [`Dataset`] without observations, and the means
/// to stream its observations.
pub struct Synthetic {
    /// Units, terms, resolutions, indicators (base first, then derived), targets and
    /// reorganisations. `observations` is empty.
    pub dataset: Dataset,
    pub sizes: Sizes,
    pub(crate) models: Vec<Model>,
    pub(crate) reporters: Vec<Reporter>,
    pub(crate) first: Qi,
    pub(crate) last: Qi,
    pub(crate) figure_seed: u64,
}

/// Generates the country described by `opts`.
pub fn generate(opts: &GenOptions) -> Result<Synthetic, GenError> {
    opts.check()?;
    let first = qi(opts.first_year, 1);
    let last = qi(opts.last_year, 4);
    let base = catalogue::base_indicators(opts.indicators_base);
    let derived =
        catalogue::derived_indicators(&base, opts.indicators_derived).ok_or_else(|| {
            GenError::Options(format!(
                "{} base indicators give fewer than {} derived ones",
                opts.indicators_base, opts.indicators_derived
            ))
        })?;
    let st = structure::build(opts, first, last);
    let figure_seed = rng::Rng::new(opts.seed, rng::stream::FIGURES).u64();
    let models: Vec<Model> = base
        .into_iter()
        .map(|spec| Model::new(spec, first, last))
        .collect();
    let plan = plan::build(opts, &st, &models, &derived, figure_seed);

    let mut indicators: Vec<Indicator> = models
        .iter()
        .map(|m| Indicator {
            id: m.spec.id.clone(),
            name: m.spec.name.clone(),
            name_en: Some(m.spec.name_en.to_string()),
            measure: m.spec.measure.to_string(),
            direction: m.spec.direction,
            aggregation: Aggregation::Base(m.spec.method),
        })
        .collect();
    indicators.extend(derived.iter().map(|d| Indicator {
        id: d.id.clone(),
        name: d.name.clone(),
        name_en: Some(d.name_en.clone()),
        measure: d.measure.to_string(),
        direction: d.direction,
        aggregation: match &d.rule {
            DerivedRule::Formula(f) => Aggregation::Derived { formula: f.clone() },
            DerivedRule::CountWhere { of, op, value } => Aggregation::CountWhere {
                indicator: (*of).to_string(),
                op: *op,
                value: (*value).into(),
            },
        },
    }));

    let observations = st
        .reporters
        .iter()
        .map(Reporter::quarters)
        .sum::<u64>()
        .saturating_mul(models.len() as u64);
    let sizes = Sizes {
        units: st.units.len(),
        provinces: st.counts.provinces,
        districts: st.counts.districts,
        communes: st.counts.communes,
        villages: st.counts.villages,
        new_provinces: st.counts.new_provinces,
        new_communes: st.counts.new_communes,
        split_communes: st.counts.split_communes,
        reorganisations: st.reorganisations.len(),
        reorganisation_parts: st.reorganisations.iter().map(|r| r.parts.len()).sum(),
        indicators_base: models.len(),
        indicators_derived: derived.len(),
        resolutions: plan.resolutions.len(),
        targets: plan.targets.len(),
        observations,
    };
    let dataset = Dataset {
        units: st.units,
        terms: plan.terms,
        resolutions: plan.resolutions,
        indicators,
        targets: plan.targets,
        reorganisations: st.reorganisations,
        ..Dataset::default()
    };
    Ok(Synthetic {
        dataset,
        sizes,
        models,
        reporters: st.reporters,
        first,
        last,
        figure_seed,
    })
}

impl Synthetic {
    /// How many observations the stream holds.
    pub fn observation_count(&self) -> u64 {
        self.sizes.observations
    }

    /// The observations, one at a time, in order: commune by commune, base indicator by base
    /// indicator, quarter by quarter.
    pub fn observations(&self) -> Observations<'_> {
        Observations::new(self)
    }

    /// Calls `f` with every observation, in the order of [`Synthetic::observations`] (a
    /// little faster); returns how many there were.
    pub fn for_each_observation(&self, mut f: impl FnMut(&ObsRow<'_>)) -> u64 {
        let r: Result<u64, std::convert::Infallible> = self.try_rows(|row, _| {
            f(row);
            Ok(())
        });
        r.unwrap_or_else(|never| match never {})
    }

    /// Writes the observations as chitieu CSV (`docs/bundle.md`): a UTF-8 BOM, the header
    /// `unit,indicator,period,value,standing,source`, then one CRLF-terminated row per figure
    /// with standing `final` and no source. Buffers itself: pass a `File` as is. Returns the
    /// number of rows.
    pub fn write_observations_csv<W: Write>(&self, out: W) -> std::io::Result<u64> {
        obs::write_csv(self, out)
    }
}

/// Generates the country of `opts` and calls `f` with every observation; returns how many.
pub fn for_each_observation(
    opts: &GenOptions,
    f: impl FnMut(&ObsRow<'_>),
) -> Result<u64, GenError> {
    Ok(generate(opts)?.for_each_observation(f))
}

/// Generates the country of `opts` and writes its observations as CSV; returns how many.
pub fn write_observations_csv<W: Write>(opts: &GenOptions, out: W) -> Result<u64, GenError> {
    Ok(generate(opts)?.write_observations_csv(out)?)
}
