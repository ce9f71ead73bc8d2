//! Quarterly figures: a model per base indicator, evaluated figure by figure and streamed,
//! never held. A figure depends only on the seed, the commune's profile, the indicator and
//! the quarter: a trend from 2015 (compound growth, or a share closing its gap to 1),
//! the quarter's part of a flow, and noise from a hash of (series, quarter).

use std::io::{self, Write};

use chitieu_domain::{Decimal, Observation, Period, ReviewState, Standing};

use crate::catalogue::{BaseSpec, Driver, Form, Season};
use crate::rng::{mix, pow, triangular, unit};
use crate::structure::{qi, Profile, Qi};
use crate::Synthetic;

/// Trends are counted from 2015-Q1, whatever the first year written.
pub(crate) fn ref_qi() -> Qi {
    qi(2015, 1)
}

pub(crate) fn period_of(q: Qi) -> Period {
    let year = i32::try_from(q.div_euclid(4)).unwrap_or(i32::MAX);
    Period::Quarter(year, q.rem_euclid(4) as u8 + 1)
}

/// The trend factor of a form at a quarter: (1 + g) per year for growth, (1 − k) per year
/// for the gap of a share, applied per quarter as a fourth root (two exact square roots).
pub(crate) fn trend_at(form: Form, q: Qi) -> f64 {
    let k = q - ref_qi();
    match form {
        Form::Grow(g) => pow((1.0 + g).sqrt().sqrt(), k),
        Form::Share(c) => pow((1.0 - c).sqrt().sqrt(), k),
        Form::Criteria(_) | Form::Step => 1.0,
    }
}

fn driver(d: Driver, p: &Profile) -> f64 {
    let households = p.pop / 3.6;
    match d {
        Driver::Pop => p.pop,
        Driver::Households => households,
        Driver::Labour => p.pop * 0.58,
        Driver::Children => p.pop * 0.08,
        Driver::Pupils => p.pop * 0.17,
        Driver::Area => p.area,
        Driver::Forest => p.area * p.forest,
        Driver::Farmland => p.area * (1.0 - p.forest) * (1.0 - 0.7 * p.urban) * 0.7,
        Driver::Villages => p.villages,
        Driver::Schools => 2.0 + (p.pop / 3500.0).floor(),
        Driver::Waste => p.pop * 0.3,
        Driver::PoorHouseholds => households * p.poor,
        Driver::Urban => p.pop * (0.15 + p.urban),
        Driver::One => 1.0,
        Driver::Hundred => 100.0,
    }
}

const POW10: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];

/// One commune's figures for one indicator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Series {
    key: u64,
    drv: f64,
    a0: f64,
    switch: Qi,
    ntm0: f64,
    speed: f64,
}

impl Series {
    pub fn new(seed: u64, reporter: usize, indicator: usize, p: &Profile, s: &BaseSpec) -> Series {
        let key = mix(seed ^ mix(((reporter as u64) << 24) ^ indicator as u64));
        Series {
            key,
            drv: driver(s.driver, p),
            a0: s.lo + (s.hi - s.lo) * unit(mix(key ^ 0xa0a0)),
            switch: ref_qi() + (mix(key ^ 0x5157) % 64) as Qi,
            ntm0: p.ntm0,
            speed: p.ntm_speed,
        }
    }

    /// The figure at quarter `q` (with `trend = trend_at(s.form, q)`), before scaling.
    pub fn value(&self, s: &BaseSpec, trend: f64, q: Qi, noisy: bool) -> f64 {
        let e = if noisy && s.noise > 0.0 {
            s.noise
                * triangular(mix(
                    self.key ^ (q as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ))
        } else {
            0.0
        };
        let season = match s.season {
            Season::Stock => 1.0,
            Season::Flow(f) => f.get(q.rem_euclid(4) as usize).copied().unwrap_or(0.25),
        };
        let v = match s.form {
            Form::Grow(_) => self.drv * self.a0 * trend * season * (1.0 + e),
            Form::Share(_) => {
                let r = 1.0 - (1.0 - self.a0) * trend;
                self.drv * (r * (1.0 + e)).min(1.0) * season
            }
            Form::Criteria(offset) => {
                let years = (q - ref_qi()) as f64 / 4.0;
                ((self.ntm0 + self.speed * years).floor() - offset).clamp(0.0, 19.0)
            }
            Form::Step => {
                if q >= self.switch {
                    self.drv
                } else {
                    0.0
                }
            }
        };
        v.min(s.cap).max(0.0)
    }

    /// The figure at quarter `q` as written: scaled and rounded. Whole-number flows are
    /// rounded at random in proportion (0.3 is 1 three times in ten), so that rare events
    /// (forest fires) keep their rate in small communes.
    pub fn figure(&self, s: &BaseSpec, trend: f64, q: Qi) -> i64 {
        let v = self.value(s, trend, q, true);
        match (s.scale, s.season) {
            (0, Season::Flow(_)) => {
                let u = unit(mix(self.key
                    ^ 0x5bd1_e995
                    ^ (q as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)));
                (v + u).floor() as i64
            }
            _ => scaled(v, s.scale),
        }
    }
}

/// A figure as the scaled integer written: `round(v × 10^scale)`.
pub(crate) fn scaled(v: f64, scale: u32) -> i64 {
    let p = POW10.get(scale as usize).copied().unwrap_or(1.0);
    (v * p).round() as i64
}

/// One base indicator of the data set with its trend over the quarters written.
pub(crate) struct Model {
    pub spec: BaseSpec,
    /// `trend_at(spec.form, first + j)`.
    pub trend: Vec<f64>,
}

impl Model {
    pub fn new(spec: BaseSpec, first: Qi, last: Qi) -> Model {
        let trend = (first..=last).map(|q| trend_at(spec.form, q)).collect();
        Model { spec, trend }
    }
}

/// One generated figure. Borrowed from the [`Synthetic`]; cheap to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObsRow<'a> {
    /// The reporting commune's id and its index in `dataset.units`.
    pub unit: &'a str,
    pub unit_index: usize,
    /// The base indicator's id and its index in `dataset.indicators`.
    pub indicator: &'a str,
    pub indicator_index: usize,
    pub period: Period,
    /// The value is `scaled / 10^scale`, exactly.
    pub scaled: i64,
    pub scale: u32,
}

impl ObsRow<'_> {
    /// The value, normalised (`12.50` is `12.5`).
    pub fn value(&self) -> Decimal {
        Decimal::new(self.scaled, self.scale).normalize()
    }

    /// As the domain's observation: final, approved, no source.
    pub fn to_observation(&self) -> Observation {
        Observation {
            unit: self.unit.to_string(),
            indicator: self.indicator.to_string(),
            period: self.period,
            value: self.value(),
            standing: Standing::Final,
            state: ReviewState::Approved,
            source: None,
            reported_by: None,
            reported: None,
        }
    }
}

/// The figures in order: commune by commune (as in `dataset.units`), indicator by indicator,
/// quarter by quarter.
pub struct Observations<'a> {
    syn: &'a Synthetic,
    reporter: usize,
    indicator: usize,
    quarter: Qi,
    series: Option<Series>,
}

impl<'a> Observations<'a> {
    pub(crate) fn new(syn: &'a Synthetic) -> Self {
        Observations {
            syn,
            reporter: 0,
            indicator: 0,
            quarter: 0,
            series: None,
        }
    }
}

impl<'a> Iterator for Observations<'a> {
    type Item = ObsRow<'a>;

    fn next(&mut self) -> Option<ObsRow<'a>> {
        let syn = self.syn;
        loop {
            let rep = syn.reporters.get(self.reporter)?;
            let series = match self.series {
                Some(s) => s,
                None => {
                    let Some(model) = syn.models.get(self.indicator) else {
                        self.reporter += 1;
                        self.indicator = 0;
                        continue;
                    };
                    let s = Series::new(
                        syn.figure_seed,
                        self.reporter,
                        self.indicator,
                        &rep.profile,
                        &model.spec,
                    );
                    self.series = Some(s);
                    self.quarter = rep.first;
                    s
                }
            };
            if self.quarter > rep.last {
                self.series = None;
                self.indicator += 1;
                continue;
            }
            let q = self.quarter;
            self.quarter += 1;
            let model = syn.models.get(self.indicator)?;
            return Some(syn.row(rep.unit, self.indicator, model, &series, q));
        }
    }
}

impl Synthetic {
    fn row<'a>(
        &'a self,
        unit_index: usize,
        indicator: usize,
        model: &'a Model,
        series: &Series,
        q: Qi,
    ) -> ObsRow<'a> {
        let trend = model
            .trend
            .get((q - self.first) as usize)
            .copied()
            .unwrap_or_else(|| trend_at(model.spec.form, q));
        ObsRow {
            unit: self
                .dataset
                .units
                .get(unit_index)
                .map_or("", |u| u.id.as_str()),
            unit_index,
            indicator: model.spec.id.as_str(),
            indicator_index: indicator,
            period: period_of(q),
            scaled: series.figure(&model.spec, trend, q),
            scale: model.spec.scale,
        }
    }

    /// Calls `f` with every figure in order, stopping at the first error; returns how many
    /// figures were visited.
    pub(crate) fn try_rows<E>(
        &self,
        mut f: impl FnMut(&ObsRow<'_>, usize) -> Result<(), E>,
    ) -> Result<u64, E> {
        let mut n = 0u64;
        for (r, rep) in self.reporters.iter().enumerate() {
            for (i, model) in self.models.iter().enumerate() {
                let series = Series::new(self.figure_seed, r, i, &rep.profile, &model.spec);
                for q in rep.first..=rep.last {
                    let row = self.row(rep.unit, i, model, &series, q);
                    f(&row, (q - self.first) as usize)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}

/// Appends `scaled / 10^scale` as plain decimal text without trailing zeros (`41.3`, `7`).
pub(crate) fn push_decimal(buf: &mut Vec<u8>, value: i64, scale: u32) {
    let mut u = value.unsigned_abs();
    let mut scale = scale;
    while scale > 0 && u.is_multiple_of(10) {
        u /= 10;
        scale -= 1;
    }
    let mut tmp = [0u8; 48];
    let mut i = tmp.len();
    let mut digits = 0u32;
    loop {
        i -= 1;
        if let Some(slot) = tmp.get_mut(i) {
            *slot = b'0' + (u % 10) as u8;
        }
        u /= 10;
        digits += 1;
        if digits == scale {
            i -= 1;
            if let Some(slot) = tmp.get_mut(i) {
                *slot = b'.';
            }
        }
        if (u == 0 && digits > scale) || i < 2 {
            break;
        }
    }
    if value < 0 {
        buf.push(b'-');
    }
    buf.extend_from_slice(tmp.get(i..).unwrap_or_default());
}

/// The CSV header line, after the BOM.
pub(crate) const HEADER: &str = "unit,indicator,period,value,standing,source\r\n";

pub(crate) fn write_csv<W: Write>(syn: &Synthetic, mut w: W) -> io::Result<u64> {
    const CHUNK: usize = 1 << 20;
    let periods: Vec<String> = (syn.first..=syn.last)
        .map(|q| period_of(q).to_string())
        .collect();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 256);
    buf.extend_from_slice("\u{feff}".as_bytes());
    buf.extend_from_slice(HEADER.as_bytes());
    let n = syn.try_rows(|row, slot| {
        buf.extend_from_slice(row.unit.as_bytes());
        buf.push(b',');
        buf.extend_from_slice(row.indicator.as_bytes());
        buf.push(b',');
        match periods.get(slot) {
            Some(p) => buf.extend_from_slice(p.as_bytes()),
            None => buf.extend_from_slice(row.period.to_string().as_bytes()),
        }
        buf.push(b',');
        push_decimal(&mut buf, row.scaled, row.scale);
        buf.extend_from_slice(b",final,\r\n");
        if buf.len() >= CHUNK {
            w.write_all(&buf)?;
            buf.clear();
        }
        Ok::<(), io::Error>(())
    })?;
    w.write_all(&buf)?;
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: i64, scale: u32) -> String {
        let mut b = Vec::new();
        push_decimal(&mut b, v, scale);
        String::from_utf8(b).unwrap_or_default()
    }

    #[test]
    fn decimals_are_written_plain_and_normalised() {
        assert_eq!(text(0, 0), "0");
        assert_eq!(text(0, 2), "0");
        assert_eq!(text(7, 0), "7");
        assert_eq!(text(4130, 2), "41.3");
        assert_eq!(text(4135, 2), "41.35");
        assert_eq!(text(5, 1), "0.5");
        assert_eq!(text(5, 2), "0.05");
        assert_eq!(text(100, 2), "1");
        assert_eq!(text(-25, 1), "-2.5");
        assert_eq!(text(1_234_567_890, 2), "12345678.9");
        assert_eq!(text(i64::MAX, 0), i64::MAX.to_string());
        assert_eq!(text(i64::MIN, 0), i64::MIN.to_string());
    }

    #[test]
    fn quarters_map_to_periods() {
        assert_eq!(period_of(qi(2015, 1)), Period::Quarter(2015, 1));
        assert_eq!(period_of(qi(2025, 4)), Period::Quarter(2025, 4));
    }

    #[test]
    fn trends_start_at_one_in_2015() {
        assert_eq!(trend_at(Form::Grow(0.08), ref_qi()), 1.0);
        let a = trend_at(Form::Grow(0.08), ref_qi() + 4);
        assert!((a - 1.08).abs() < 1e-12);
        let g = trend_at(Form::Share(0.1), ref_qi() - 4);
        assert!((g - 1.0 / 0.9).abs() < 1e-12);
    }
}
