//! The unit tree: the nation, provinces, districts, communes and villages before 1 July 2025,
//! and the 2025 reorganisation into fewer provinces and larger communes with no district
//! level, written as `Reorganisation`s that the domain's validation accepts.

use std::collections::HashSet;

use chitieu_domain::{Decimal, Level, Reorganisation, ReorganisationKind, Succession, Unit};
use chrono::NaiveDate;

use crate::names::fresh;
use crate::rng::{stream, Rng};
use crate::GenOptions;

/// The first day of the reorganised tree.
pub(crate) fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day of the units before it.
pub(crate) fn old_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or(NaiveDate::MIN)
}

/// A quarter as one integer: `year * 4 + quarter - 1`.
pub(crate) type Qi = i64;

pub(crate) fn qi(year: i32, quarter: u8) -> Qi {
    i64::from(year) * 4 + i64::from(quarter) - 1
}

/// 2025-Q3: the first quarter of the reorganised communes.
pub(crate) fn reform_qi() -> Qi {
    qi(2025, 3)
}

/// The decision of the province merge, marked as simulated.
pub(crate) const PROVINCE_DECISION: &str = "Nghị quyết 202/2025/QH15 (mô phỏng)";

/// What a commune's figures scale with.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Profile {
    pub pop: f64,
    /// Natural area, ha.
    pub area: f64,
    /// Share of the area under forest.
    pub forest: f64,
    /// 0 (rural) to 1 (urban).
    pub urban: f64,
    /// Share of poor households in 2015.
    pub poor: f64,
    /// New-rural criteria met at the start of 2015, and gained per year.
    pub ntm0: f64,
    pub ntm_speed: f64,
    /// Villages (at least one even when the tree has none).
    pub villages: f64,
}

/// A unit that reports figures: a commune, in the quarters it exists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reporter {
    /// Index in `units`.
    pub unit: usize,
    pub profile: Profile,
    /// The quarters it reports, inclusive (none when `last < first`).
    pub first: Qi,
    pub last: Qi,
}

impl Reporter {
    pub fn quarters(&self) -> u64 {
        u64::try_from(self.last - self.first + 1).unwrap_or(0)
    }
}

/// A province (old or new) and the communes that report in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Province {
    pub unit: usize,
    /// The name without "Tỉnh"/"Thành phố".
    pub bare: String,
    /// "tỉnh" or "thành phố".
    pub kind: &'static str,
    /// Indices in `reporters`.
    pub reporters: Vec<usize>,
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub provinces: usize,
    pub districts: usize,
    pub communes: usize,
    pub villages: usize,
    pub new_provinces: usize,
    pub new_communes: usize,
    pub split_communes: usize,
}

pub(crate) struct Structure {
    pub units: Vec<Unit>,
    pub reorganisations: Vec<Reorganisation>,
    pub reporters: Vec<Reporter>,
    pub old: Vec<Province>,
    pub new: Vec<Province>,
    pub counts: Counts,
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len()
}

/// `parents × average`, rounded.
pub(crate) fn total(parents: usize, average: f64) -> usize {
    (parents as f64 * average).round() as usize
}

/// `total` children over `parents`: one each when there are enough, the rest in proportion
/// to random weights `1 ± spread` (largest remainders first, ties to the first parent). With
/// no spread and a whole average, every parent gets the average.
fn distribute(rng: &mut Rng, total: usize, parents: usize, spread: f64) -> Vec<usize> {
    if parents == 0 {
        return Vec::new();
    }
    let min = usize::from(total >= parents);
    let rest = total - min * parents;
    let weights: Vec<f64> = (0..parents)
        .map(|_| 1.0 + spread * (2.0 * rng.f64() - 1.0))
        .collect();
    let sum: f64 = weights.iter().sum();
    let ideal: Vec<f64> = weights.iter().map(|w| rest as f64 * w / sum).collect();
    let mut counts: Vec<usize> = ideal.iter().map(|x| min + x.floor() as usize).collect();
    let given: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..parents).collect();
    order.sort_by(|&a, &b| {
        let ra = ideal.get(a).map_or(0.0, |x| x - x.floor());
        let rb = ideal.get(b).map_or(0.0, |x| x - x.floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(total.saturating_sub(given)) {
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    counts
}

fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

struct Builder<'a> {
    o: &'a GenOptions,
    first: Qi,
    last: Qi,
    units: Vec<Unit>,
    reporters: Vec<Reporter>,
    /// Bare names of reporting communes, by reporter.
    bare: Vec<String>,
    /// Province index of each old reporter.
    province_of: Vec<usize>,
    old: Vec<Province>,
    code: usize,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn unit(
        &mut self,
        id: String,
        name: String,
        level: Level,
        parent: Option<&str>,
        code: Option<String>,
        valid_from: Option<NaiveDate>,
        valid_to: Option<NaiveDate>,
    ) -> usize {
        self.units.push(Unit {
            id,
            name,
            name_en: None,
            level,
            parent: parent.map(str::to_string),
            code,
            valid_from,
            valid_to,
        });
        self.units.len() - 1
    }

    fn next_code(&mut self) -> String {
        self.code += 1;
        format!("{:05}", self.code)
    }
}

pub(crate) fn build(o: &GenOptions, first: Qi, last: Qi) -> Structure {
    let mut counts_rng = Rng::new(o.seed, stream::COUNTS);
    let mut prof = Rng::new(o.seed, stream::PROFILES);
    let mut names = Rng::new(o.seed, stream::NAMES);

    let p = o.provinces;
    let n_d = total(p, o.districts_per_province);
    let d_counts = distribute(&mut counts_rng, n_d, p, o.spread);
    let n_c = total(n_d, o.communes_per_district);
    let c_counts = distribute(&mut counts_rng, n_c, n_d, o.spread);
    let n_v = total(n_c, o.villages_per_commune);
    let v_counts = distribute(&mut counts_rng, n_v, n_c, o.spread);
    let w_p = digits(p).max(2);
    let w_d = digits(d_counts.iter().copied().max().unwrap_or(0)).max(2);
    let w_c = digits(c_counts.iter().copied().max().unwrap_or(0)).max(2);
    let w_v = digits(v_counts.iter().copied().max().unwrap_or(0)).max(2);
    let end = o.reform.then(old_end);
    let old_last = if o.reform {
        last.min(reform_qi() - 1)
    } else {
        last
    };

    let mut b = Builder {
        o,
        first,
        last,
        units: Vec::with_capacity(1 + p + n_d + n_c + n_v),
        reporters: Vec::with_capacity(n_c),
        bare: Vec::with_capacity(n_c),
        province_of: Vec::with_capacity(n_c),
        old: Vec::with_capacity(p),
        code: 0,
    };
    b.units.push(Unit {
        id: "vn".into(),
        name: "Việt Nam".into(),
        name_en: Some("Viet Nam".into()),
        level: Level::Nation,
        parent: None,
        code: Some("VN".into()),
        valid_from: None,
        valid_to: None,
    });

    let mut province_names = HashSet::new();
    let mut district_seq = 0usize;
    let mut d_iter = d_counts.iter();
    let mut c_iter = c_counts.iter();
    let mut v_iter = v_counts.iter();
    for pi in 0..p {
        let mountain = {
            let u = prof.f64();
            u * u
        };
        let city = prof.chance(0.08);
        let urban = if city {
            prof.range(0.75, 0.95)
        } else {
            prof.range(0.1, 0.4)
        };
        let bare = fresh(&mut names, &mut province_names);
        let kind = if city { "thành phố" } else { "tỉnh" };
        let pid = format!("p{:0w_p$}", pi + 1);
        let unit = b.unit(
            pid.clone(),
            format!("{} {bare}", capitalise(kind)),
            Level::Province,
            Some("vn"),
            Some(format!("{:02}", pi + 1)),
            None,
            end,
        );
        let mut province = Province {
            unit,
            bare,
            kind,
            reporters: Vec::new(),
        };
        let mut district_names = HashSet::new();
        for di in 0..d_iter.next().copied().unwrap_or(0) {
            district_seq += 1;
            let du = clamp01(urban + (prof.f64() - 0.5) * 0.5);
            let dm = clamp01(mountain + (prof.f64() - 0.5) * 0.3);
            let dname = fresh(&mut names, &mut district_names);
            let dkind = if du > 0.75 {
                if city {
                    "Quận"
                } else {
                    "Thành phố"
                }
            } else if du > 0.6 {
                "Thị xã"
            } else {
                "Huyện"
            };
            let did = format!("{pid}-d{:0w_d$}", di + 1);
            b.unit(
                did.clone(),
                format!("{dkind} {dname}"),
                Level::District,
                Some(&pid),
                Some(format!("{district_seq:03}")),
                None,
                end,
            );
            let mut commune_names = HashSet::new();
            for ci in 0..c_iter.next().copied().unwrap_or(0) {
                let villages = v_iter.next().copied().unwrap_or(0);
                let cu = clamp01(du + (prof.f64() - 0.5) * 0.4);
                let cm = clamp01(dm + (prof.f64() - 0.5) * 0.4);
                let (u1, u2, u3, u4, u5, u6) = (
                    prof.f64(),
                    prof.f64(),
                    prof.f64(),
                    prof.f64(),
                    prof.f64(),
                    prof.f64(),
                );
                let pop = (2800.0 + 14000.0 * u1) * (1.0 + cu) * (1.0 - 0.45 * cm);
                let profile = Profile {
                    pop,
                    area: (520.0 + 2600.0 * u2) * (1.0 + 2.0 * cm) * (1.0 - 0.8 * cu),
                    forest: (0.05 + 0.7 * cm + 0.2 * (u3 - 0.5)).clamp(0.0, 0.85) * (1.0 - cu),
                    urban: cu,
                    poor: (0.02 + 0.35 * cm * u4 + 0.04 * u4).clamp(0.005, 0.6) * (1.0 - 0.7 * cu),
                    ntm0: 8.0 + 14.0 * u5 * (1.0 - 0.5 * cm),
                    ntm_speed: 0.3 + 1.4 * u6,
                    villages: if villages > 0 {
                        villages as f64
                    } else {
                        (pop / 1000.0).round().max(1.0)
                    },
                };
                let cname = fresh(&mut names, &mut commune_names);
                let ckind = if cu > 0.7 {
                    "Phường"
                } else if ci == 0 && cu > 0.5 {
                    "Thị trấn"
                } else {
                    "Xã"
                };
                let cid = format!("{did}-c{:0w_c$}", ci + 1);
                let code = b.next_code();
                let unit = b.unit(
                    cid.clone(),
                    format!("{ckind} {cname}"),
                    Level::Commune,
                    Some(&did),
                    Some(code),
                    None,
                    end,
                );
                province.reporters.push(b.reporters.len());
                b.reporters.push(Reporter {
                    unit,
                    profile,
                    first,
                    last: old_last,
                });
                b.bare.push(cname);
                b.province_of.push(pi);
                let mut village_names = HashSet::new();
                for vi in 0..villages {
                    let vname = if ckind == "Phường" {
                        format!("Tổ dân phố {}", vi + 1)
                    } else if cm > 0.6 {
                        format!("Bản {}", fresh(&mut names, &mut village_names))
                    } else {
                        format!("Thôn {}", fresh(&mut names, &mut village_names))
                    };
                    b.unit(
                        format!("{cid}-v{:0w_v$}", vi + 1),
                        vname,
                        Level::Village,
                        Some(&cid),
                        None,
                        None,
                        end,
                    );
                }
            }
        }
        b.old.push(province);
    }

    let mut counts = Counts {
        provinces: p,
        districts: n_d,
        communes: n_c,
        villages: n_v,
        ..Counts::default()
    };
    let (new, reorganisations) = if o.reform {
        reform(&mut b, &mut counts)
    } else {
        (Vec::new(), Vec::new())
    };
    Structure {
        units: b.units,
        reorganisations,
        reporters: b.reporters,
        old: b.old,
        new,
        counts,
    }
}

/// Sizes from `n` items in `groups` groups, each within `lo..=hi` when possible, at random.
fn group_sizes(rng: &mut Rng, n: usize, groups: usize, lo: usize, hi: usize) -> Vec<usize> {
    if groups == 0 {
        return Vec::new();
    }
    let mut sizes = vec![n / groups; groups];
    for s in sizes.iter_mut().take(n % groups) {
        *s += 1;
    }
    // Random moves that keep every size within bounds: unequal groups, same total.
    for _ in 0..groups * 2 {
        let a = rng.below(groups);
        let c = rng.below(groups);
        let (Some(&sa), Some(&sc)) = (sizes.get(a), sizes.get(c)) else {
            continue;
        };
        if a != c && sa > lo && sc < hi {
            if let Some(x) = sizes.get_mut(a) {
                *x -= 1;
            }
            if let Some(x) = sizes.get_mut(c) {
                *x += 1;
            }
        }
    }
    sizes
}

/// One reorganised commune: the old communes (reporters) it takes in, with the share of each.
struct NewCommune {
    province: usize,
    old_province: usize,
    whole: Vec<usize>,
    /// Parts of split communes: (reporter, share, the share as a float).
    parts: Vec<(usize, Decimal, f64)>,
}

fn reform(b: &mut Builder<'_>, counts: &mut Counts) -> (Vec<Province>, Vec<Reorganisation>) {
    let o = b.o;
    let mut rng = Rng::new(o.seed, stream::REFORM);
    let date = reform_date();
    let n_new = o.new_provinces;
    counts.new_provinces = n_new;
    let w_np = digits(n_new).max(2);

    // Old provinces into new ones, 1 to 3 each, in order.
    let p_sizes = group_sizes(&mut rng, b.old.len(), n_new, 1, 3);
    let mut members: Vec<Vec<usize>> = Vec::with_capacity(n_new);
    let mut next = 0;
    for s in p_sizes {
        members.push((next..next + s).collect());
        next += s;
    }

    // Old communes into new ones, within each old province, neighbours together.
    let mut communes: Vec<NewCommune> = Vec::new();
    let mut group_of = vec![usize::MAX; b.reporters.len()];
    for (np, olds) in members.iter().enumerate() {
        for &op in olds {
            let Some(province) = b.old.get(op) else {
                continue;
            };
            let olds = province.reporters.clone();
            let n = olds.len();
            if n == 0 {
                continue;
            }
            let k = ((n as f64 / o.communes_per_new_commune).round() as usize).clamp(1, n);
            let lo = if n >= 2 * k { 2 } else { 1 };
            let hi = n.div_ceil(k).max(5);
            let mut at = 0;
            for s in group_sizes(&mut rng, n, k, lo, hi) {
                let whole: Vec<usize> = olds.iter().skip(at).take(s).copied().collect();
                for &r in &whole {
                    if let Some(g) = group_of.get_mut(r) {
                        *g = communes.len();
                    }
                }
                communes.push(NewCommune {
                    province: np,
                    old_province: op,
                    whole,
                    parts: Vec::new(),
                });
                at += s;
            }
        }
    }

    // A few old communes split between their new commune and a neighbouring one.
    let per_old_province = |op: usize, communes: &[NewCommune]| {
        communes.iter().filter(|c| c.old_province == op).count()
    };
    let mut eligible: Vec<usize> = (0..b.reporters.len())
        .filter(|&r| {
            let Some(c) = communes.get(group_of.get(r).copied().unwrap_or(usize::MAX)) else {
                return false;
            };
            c.whole.len() >= 3 && per_old_province(c.old_province, &communes) >= 2
        })
        .collect();
    let mut wanted = (b.reporters.len() as f64 * o.split_fraction).round() as usize;
    if o.split_fraction > 0.0 && wanted == 0 {
        wanted = 1;
    }
    let mut splits = 0;
    let mut i = 0;
    while splits < wanted && i < eligible.len() {
        let j = i + rng.below(eligible.len() - i);
        eligible.swap(i, j);
        let r = eligible.get(i).copied().unwrap_or(usize::MAX);
        i += 1;
        let g = group_of.get(r).copied().unwrap_or(usize::MAX);
        let Some(c) = communes.get(g) else { continue };
        if c.whole.len() < 3 {
            continue;
        }
        let op = c.old_province;
        // The neighbour: the next new commune of the same old province, else the previous.
        let neighbour = [g + 1, g.wrapping_sub(1)]
            .into_iter()
            .find(|&h| communes.get(h).is_some_and(|x| x.old_province == op));
        let Some(h) = neighbour else { continue };
        let (a, z) = [(5, 5), (6, 4), (7, 3)]
            .get(rng.below(3))
            .copied()
            .unwrap_or((6, 4));
        if let Some(c) = communes.get_mut(g) {
            c.whole.retain(|&x| x != r);
            c.parts.push((r, Decimal::new(a, 1), a as f64 / 10.0));
        }
        if let Some(c) = communes.get_mut(h) {
            c.parts.push((r, Decimal::new(z, 1), z as f64 / 10.0));
        }
        splits += 1;
    }
    counts.split_communes = splits;
    counts.new_communes = communes.len();

    // Units and reorganisations, new province by new province.
    let mut new = Vec::with_capacity(n_new);
    let mut reorganisations = Vec::new();
    let w_nc = digits(communes.len()).max(4);
    let mut split_done = vec![false; b.reporters.len()];
    for (np, olds) in members.iter().enumerate() {
        let first_old = olds.first().and_then(|&i| b.old.get(i));
        let bare = first_old.map(|x| x.bare.clone()).unwrap_or_default();
        let kind = first_old.map_or("tỉnh", |x| x.kind);
        let code = first_old
            .and_then(|x| b.units.get(x.unit))
            .and_then(|u| u.code.clone());
        let npid = format!("np{:0w_np$}", np + 1);
        let unit = b.unit(
            npid.clone(),
            format!("{} {bare}", capitalise(kind)),
            Level::Province,
            Some("vn"),
            code,
            Some(date),
            None,
        );
        reorganisations.push(Reorganisation {
            id: format!("{npid}-2025"),
            kind: ReorganisationKind::Merge,
            date,
            decision: Some(PROVINCE_DECISION.into()),
            parts: olds
                .iter()
                .filter_map(|&i| b.old.get(i).and_then(|x| b.units.get(x.unit)))
                .map(|u| Succession {
                    from: u.id.clone(),
                    to: npid.clone(),
                    share: Decimal::ONE,
                })
                .collect(),
        });
        let decision = format!("Nghị quyết {}/NQ-UBTVQH15 (mô phỏng)", 1650 + np + 1);
        let mut province = Province {
            unit,
            bare,
            kind,
            reporters: Vec::new(),
        };
        let mine: Vec<usize> = (0..communes.len())
            .filter(|&g| communes.get(g).is_some_and(|c| c.province == np))
            .collect();
        let mut commune_ids: Vec<(usize, String)> = Vec::new();
        let mut pending_reorgs = Vec::new();
        for (k, &g) in mine.iter().enumerate() {
            let Some(c) = communes.get(g) else { continue };
            let ncid = format!("{npid}-c{:0w_nc$}", k + 1);
            commune_ids.push((g, ncid.clone()));
            let all: Vec<(usize, f64)> = c
                .whole
                .iter()
                .map(|&r| (r, 1.0))
                .chain(c.parts.iter().map(|&(r, _, f)| (r, f)))
                .collect();
            let profile = merged(&all, &b.reporters);
            let first_name = c
                .whole
                .first()
                .and_then(|&r| b.bare.get(r))
                .cloned()
                .unwrap_or_default();
            let ckind = if profile.urban > 0.7 {
                "Phường"
            } else {
                "Xã"
            };
            let code = b.next_code();
            let unit = b.unit(
                ncid.clone(),
                format!("{ckind} {first_name}"),
                Level::Commune,
                Some(&npid),
                Some(code),
                Some(date),
                None,
            );
            province.reporters.push(b.reporters.len());
            b.reporters.push(Reporter {
                unit,
                profile,
                first: b.first.max(reform_qi()),
                last: b.last,
            });
            b.bare.push(first_name);
            pending_reorgs.push(Reorganisation {
                id: format!("{ncid}-2025"),
                kind: ReorganisationKind::Merge,
                date,
                decision: Some(decision.clone()),
                parts: c
                    .whole
                    .iter()
                    .filter_map(|&r| b.reporters.get(r).and_then(|x| b.units.get(x.unit)))
                    .map(|u| Succession {
                        from: u.id.clone(),
                        to: ncid.clone(),
                        share: Decimal::ONE,
                    })
                    .collect(),
            });
        }
        reorganisations.extend(pending_reorgs);
        // The splits of this new province's old communes, once each.
        for &g in &mine {
            let Some(c) = communes.get(g) else { continue };
            for &(r, _, _) in &c.parts {
                if split_done.get(r).copied().unwrap_or(true) {
                    continue;
                }
                if let Some(x) = split_done.get_mut(r) {
                    *x = true;
                }
                let Some(from) = b.reporters.get(r).and_then(|x| b.units.get(x.unit)) else {
                    continue;
                };
                let parts: Vec<Succession> = mine
                    .iter()
                    .filter_map(|&h| {
                        let share = communes.get(h)?.parts.iter().find(|(x, _, _)| *x == r)?.1;
                        let to = commune_ids.iter().find(|(x, _)| *x == h)?.1.clone();
                        Some(Succession {
                            from: from.id.clone(),
                            to,
                            share,
                        })
                    })
                    .collect();
                reorganisations.push(Reorganisation {
                    id: format!("{}-tach-2025", from.id),
                    kind: ReorganisationKind::Split,
                    date,
                    decision: Some(decision.clone()),
                    parts,
                });
            }
        }
        new.push(province);
    }
    (new, reorganisations)
}

/// The profile of a commune made of `parts` (reporter, share) of old communes: sizes add up,
/// rates are averaged with the population (forest with the area).
fn merged(parts: &[(usize, f64)], reporters: &[Reporter]) -> Profile {
    let mut m = Profile::default();
    let mut forest_area = 0.0;
    for &(r, s) in parts {
        let Some(p) = reporters.get(r).map(|x| &x.profile) else {
            continue;
        };
        let pop = p.pop * s;
        m.pop += pop;
        m.area += p.area * s;
        forest_area += p.area * s * p.forest;
        m.urban += p.urban * pop;
        m.poor += p.poor * pop;
        m.ntm0 += p.ntm0 * pop;
        m.ntm_speed += p.ntm_speed * pop;
        m.villages += p.villages * s;
    }
    if m.pop > 0.0 {
        m.urban /= m.pop;
        m.poor /= m.pop;
        m.ntm0 /= m.pop;
        m.ntm_speed /= m.pop;
    }
    if m.area > 0.0 {
        m.forest = forest_area / m.area;
    }
    m.villages = m.villages.round().max(1.0);
    m
}
