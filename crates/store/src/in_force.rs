//! The figures a judgement at a date uses, read in bulk: [`Store::load_figures`] as columns,
//! mapped onto the tree of the date (`rollup::Figures`), so that a review or a status table of
//! a national database builds no `Observation` per figure. What `Rollups::new` does from a
//! whole `Dataset`, from a store.

use chitieu_domain::review::Scope;
use chitieu_domain::rollup::{Catalogue, Figures, Lineage, RollupError, Rollups, Scaled, Tree};
use chitieu_domain::version::FigureFilter;
use chitieu_domain::{Dataset, Observation, ReviewState};
use chrono::NaiveDate;

use crate::{FigureColumns, FigureQuery, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum InForceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rollup(#[from] RollupError),
}

/// The figures in force at a date in the tree of that date, and, for the units outside that
/// tree a caller asks about, their own figures (`outside.observations`). Make the roll-ups
/// with `Rollups::from_figures_with_fallback(tree, catalogue, &figures, &outside, filter,
/// indicators.as_deref())`: they borrow `outside`.
pub struct InForce {
    pub tree: Tree,
    pub catalogue: Catalogue,
    pub figures: Figures,
    pub outside: Dataset,
    pub filter: FigureFilter,
    /// The indicators asked about (what they are computed from is read too); `None`: all.
    pub indicators: Option<Vec<String>>,
}

impl InForce {
    /// Reads the figures that [`FigureFilter`] admits (a figure of a later period known early
    /// counts, as in `version::figures`) that a judgement within `scope` can use (everything
    /// when `None`): those reported by the scope's units and the units below them in the tree
    /// of `tree_date`, and by the old units whose figures flow into those through
    /// reorganisations; and, for a unit of the scope outside that tree (an ended district
    /// reviewed after the reform), its own figures (in `outside`). `structure` is what
    /// `load_structure` returned.
    pub async fn read(
        store: &dyn Store,
        structure: &Dataset,
        filter: FigureFilter,
        tree_date: NaiveDate,
        scope: Option<&Scope>,
    ) -> Result<InForce, InForceError> {
        let tree = Tree::at(&structure.units, tree_date);
        let lineage = Lineage::new(&tree, &structure.reorganisations);
        let asked: Vec<&str> = scope.map_or_else(
            || structure.units.iter().map(|u| u.id.as_str()).collect(),
            |s| s.units.iter().map(String::as_str).collect(),
        );
        let units = scope.map(|_| reporters(&tree, &lineage, &asked));
        let indicators: Option<Vec<String>> = scope.map(|s| s.indicators.clone());
        // The indicators asked about and everything they are computed from, by position.
        let needed = match (&indicators, Catalogue::new(&structure.indicators)) {
            (Some(ids), Ok(catalogue)) => {
                let asked: Vec<u32> = ids.iter().filter_map(|i| catalogue.index_of(i)).collect();
                let mask = catalogue.needed_by(&asked);
                Some(
                    (0..mask.len() as u32)
                        .filter(|&i| mask[i as usize])
                        .collect::<Vec<u32>>(),
                )
            }
            _ => None,
        };
        let columns = store
            .load_figures(&FigureQuery {
                first_year: 0,
                last_year: crate::figure::MAX_YEAR,
                known_by: filter.known_by,
                include_unapproved: filter.include_unapproved,
                units,
                indicators: needed,
            })
            .await?;
        let mut read = Self::from_columns(structure, tree, &lineage, &columns, filter, &asked)?;
        read.indicators = indicators;
        Ok(read)
    }

    /// [`InForce::read`] on columns already read, in `tree` with its `lineage`.
    pub fn from_columns(
        structure: &Dataset,
        tree: Tree,
        lineage: &Lineage,
        columns: &FigureColumns,
        filter: FigureFilter,
        asked: &[&str],
    ) -> Result<InForce, InForceError> {
        let catalogue = Catalogue::new(&structure.indicators)?;
        let mut figures = Figures::with_capacity(&catalogue, columns.len());
        let kept: Vec<u32> = asked
            .iter()
            .filter_map(|u| tree.index_of(u))
            .filter(|&u| !tree.is_present(u))
            .collect();
        let mut outside = Dataset::default();
        let mut wide = columns.wide.iter().peekable();
        for k in 0..columns.len() {
            let r = Scaled {
                origin: columns.unit[k],
                indicator: columns.indicator[k],
                period: columns.period[k],
                mantissa: columns.mantissa[k],
                scale: columns.scale[k],
                standing: columns.standing[k],
            };
            let value = match wide.peek() {
                Some((at, v)) if *at == k => {
                    let v = *v;
                    wide.next();
                    figures.push(lineage, &catalogue, r, v)?;
                    v
                }
                _ => {
                    figures.push_scaled(lineage, &catalogue, r)?;
                    if kept.is_empty() {
                        continue;
                    }
                    match chitieu_domain::Decimal::try_from_i128_with_scale(
                        i128::from(r.mantissa),
                        r.scale,
                    ) {
                        Ok(v) => v,
                        Err(_) => continue,
                    }
                }
            };
            if kept.contains(&r.origin) {
                outside.observations.push(Observation {
                    unit: tree.id(r.origin).to_string(),
                    indicator: catalogue.id(r.indicator).to_string(),
                    period: r.period,
                    value,
                    standing: r.standing,
                    // In force under `filter` already (approved, or admitted unapproved; known
                    // by its date, maybe before its period began): `version::figures` applies
                    // the filter again and must keep it.
                    state: ReviewState::Approved,
                    source: None,
                    reported_by: None,
                    reported: Some(filter.known_by),
                });
            }
        }
        Ok(InForce {
            tree,
            catalogue,
            figures,
            outside,
            filter,
            indicators: None,
        })
    }
}

/// Runs `f` on the structure and the roll-ups of the figures `filter` admits, in the tree of
/// `tree_date`, read in bulk: a review or a status table of a national database builds no
/// `Observation` per figure and reads only the part of the figures its `scope` (given the
/// structure) says it asks about. Where the figures cannot be rolled up in integers (a value
/// too wide, indicators whose formulas do not resolve), the exact path: the whole dataset and
/// `Rollups::new`, as before.
pub async fn judge<T>(
    store: &dyn Store,
    filter: FigureFilter,
    tree_date: NaiveDate,
    scope: impl Fn(&Dataset) -> Scope,
    f: impl FnOnce(&Dataset, &Rollups) -> T,
) -> Result<T, StoreError> {
    let ds = store.load_structure().await?;
    judge_on(store, &ds, filter, tree_date, scope, f).await
}

/// [`judge`] on a structure already read (`load_structure`'s), as a cache of it keeps it.
pub async fn judge_on<T>(
    store: &dyn Store,
    ds: &Dataset,
    filter: FigureFilter,
    tree_date: NaiveDate,
    scope: impl Fn(&Dataset) -> Scope,
    f: impl FnOnce(&Dataset, &Rollups) -> T,
) -> Result<T, StoreError> {
    let scope = scope(ds);
    match InForce::read(store, ds, filter, tree_date, Some(&scope)).await {
        Ok(InForce {
            tree,
            catalogue,
            figures,
            outside,
            filter,
            indicators,
        }) => {
            let only: Option<Vec<&str>> = indicators
                .as_ref()
                .map(|v| v.iter().map(String::as_str).collect());
            if let Ok(r) = Rollups::from_figures_with_fallback(
                tree,
                catalogue,
                &figures,
                &outside,
                filter,
                only.as_deref(),
            ) {
                return Ok(f(ds, &r));
            }
        }
        Err(InForceError::Rollup(_)) => {}
        Err(InForceError::Store(e)) => return Err(e),
    }
    let full = store.load().await?;
    Ok(f(&full, &Rollups::new(&full, filter, tree_date)))
}

/// The units whose figures a judgement of `asked` in `tree` can use (positions): every unit
/// at or below an asked one, every old unit whose figures flow into one of those, and the
/// asked units themselves.
fn reporters(tree: &Tree, lineage: &Lineage, asked: &[&str]) -> Vec<u32> {
    let n = tree.len();
    let mut is_asked = vec![false; n];
    for u in asked.iter().filter_map(|u| tree.index_of(u)) {
        if let Some(slot) = is_asked.get_mut(u as usize) {
            *slot = true;
        }
    }
    // Below an asked unit: walk up from each present unit (trees are a few levels deep).
    let mut below = vec![false; n];
    for u in 0..n as u32 {
        if !tree.is_present(u) {
            continue;
        }
        let mut cur = Some(u);
        let mut steps = 0;
        while let Some(x) = cur {
            if is_asked[x as usize] {
                below[u as usize] = true;
                break;
            }
            steps += 1;
            if steps > n {
                break;
            }
            cur = tree.parent(x);
        }
    }
    (0..n as u32)
        .filter(|&u| {
            below[u as usize]
                || is_asked[u as usize]
                || lineage.of(u).iter().any(|(to, _)| below[*to as usize])
        })
        .collect()
}

/// A unit's own figures in force (not rolled up; approved or not) in the periods of some
/// years, as known at a date, by (indicator id, period); `None` for an unknown unit. What the
/// Excel template shows for reference.
pub async fn own_figures(
    store: &dyn Store,
    ds: &Dataset,
    unit: &str,
    first_year: i32,
    last_year: i32,
    known_by: NaiveDate,
) -> Result<
    Option<std::collections::HashMap<(String, chitieu_domain::Period), chitieu_domain::Decimal>>,
    StoreError,
> {
    let Some(u) = ds.units.iter().position(|x| x.id == unit) else {
        return Ok(None);
    };
    let cols = store
        .load_figures(&FigureQuery {
            first_year,
            last_year,
            known_by,
            include_unapproved: true,
            units: Some(vec![u as u32]),
            indicators: None,
        })
        .await?;
    let mut out = std::collections::HashMap::new();
    for k in 0..cols.len() {
        let (Some(p), Some(i), Some(v)) =
            (cols.period.get(k), cols.indicator.get(k), cols.value(k))
        else {
            continue;
        };
        if let Some(ind) = ds.indicators.get(*i as usize) {
            out.insert((ind.id.clone(), *p), v);
        }
    }
    Ok(Some(out))
}
