//! The roll-up as it was written first, cell by cell and pass by pass (commit e91bc4c): the
//! reference the optimised [`roll_up`] must agree with exactly, cell for cell.

use super::super::*;

impl Cube {
    /// A cell when every indicator is rolled up, in its own row.
    pub(super) fn reference_cell(&self, slot: u32, ind: u32, per: usize) -> usize {
        (slot as usize * self.n_rows + ind as usize) * self.periods.len() + per
    }

    /// The value in force of a base indicator as f64 (NaN when none): the input of formulas.
    fn reference_value_f64(&self, catalogue: &Catalogue, slot: u32, ind: u32, per: usize) -> f64 {
        let scale = POWERS_OF_TEN
            .get(self.scale[ind as usize] as usize)
            .copied()
            .unwrap_or(f64::INFINITY);
        let own = self.own[self.reference_cell(slot, ind, per)];
        if own != i64::MIN {
            return own as f64 / scale;
        }
        if let Some(c) = self.derived_cell(slot, ind, per) {
            return self.derived[c];
        }
        match (
            self.aggregate(slot, ind, per),
            &catalogue.rules[ind as usize],
        ) {
            (Some(_), Rule::Base(AggregationMethod::Last)) | (None, _) => f64::NAN,
            (Some(v), _) => v as f64 / scale,
        }
    }
}

/// Rolls up `periods` over the tree: each unit's own figure, or the aggregate of its
/// children; then derived indicators from the aggregated inputs.
pub(super) fn reference_roll_up(
    tree: &Tree,
    catalogue: &Catalogue,
    figures: &Figures,
    periods: &[Period],
) -> Result<Cube, RollupError> {
    let n_ind = catalogue.len();
    let n_per = periods.len();
    let per_index = PeriodIndex::new(periods);

    // Slots: every unit with a figure in these periods, and its ancestors.
    let mut slot_of = vec![NONE; tree.len()];
    let mut units = Vec::new();
    for k in 0..figures.len() {
        if per_index.get(figures.period[k]).is_none() {
            continue;
        }
        let mut u = figures.unit[k];
        while slot_of[u as usize] == NONE {
            slot_of[u as usize] = units.len() as u32;
            units.push(u);
            match tree.parent(u) {
                Some(p) => u = p,
                None => break,
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
    let mut derived_pos = vec![NONE; n_ind];
    for (k, &i) in catalogue.derived_order.iter().enumerate() {
        derived_pos[i as usize] = k as u32;
    }
    let n_derived = catalogue.derived_order.len();
    let mut cube = Cube {
        periods: periods.to_vec(),
        row: (0..n_ind as u32).collect(),
        n_rows: n_ind,
        slot_of,
        scale: figures.scale.clone(),
        own: vec![i64::MIN; units.len() * n_ind * n_per],
        own_standing: vec![FINAL; units.len() * n_ind * n_per],
        agg_standing: vec![FINAL; n_agg as usize * n_ind * n_per],
        agg_row,
        agg: vec![0; n_agg as usize * n_ind * n_per],
        agg_n: vec![0; n_agg as usize * n_ind * n_per],
        derived_pos,
        n_derived,
        derived: vec![f64::NAN; units.len() * n_derived * n_per],
        units,
    };
    if cube.units.is_empty() {
        return Ok(cube);
    }
    // Each indicator's values are brought to its common scale by one multiplication, known
    // per (indicator, row scale): computed once, not per figure.
    let factors: Vec<[Option<i64>; 29]> = figures
        .scale
        .iter()
        .map(|&s| {
            std::array::from_fn(|row_scale| {
                s.checked_sub(row_scale as u32)
                    .and_then(|up| 10i64.checked_pow(up))
            })
        })
        .collect();
    let per_slot = n_ind * n_per;
    for k in 0..figures.len() {
        let Some(p) = per_index.get(figures.period[k]) else {
            continue;
        };
        let ind = figures.indicator[k] as usize;
        let slot = cube.slot_of[figures.unit[k] as usize] as usize;
        let c = slot * per_slot + ind * n_per + p;
        let overflow = || RollupError::Overflow(catalogue.id(figures.indicator[k]).to_string());
        let factor =
            factors[ind][usize::from(figures.value_scale[k]).min(28)].ok_or_else(overflow)?;
        let v = if factor == 1 {
            figures.value[k]
        } else {
            figures.value[k].checked_mul(factor).ok_or_else(overflow)?
        };
        cube.own_standing[c] = cube.own_standing[c].min(figures.standing[k] as u8);
        // Several predecessors can flow into one successor: their shares add up.
        cube.own[c] = if cube.own[c] == i64::MIN {
            v
        } else {
            cube.own[c].checked_add(v).ok_or_else(overflow)?
        };
    }
    reference_fill_years(&mut cube, catalogue);
    // CountWhere: a flag where the source indicator is reported.
    for (i, rule) in catalogue.rules.iter().enumerate() {
        if let Rule::CountWhere { source, op, value } = rule {
            let s = cube.scale.get(*source as usize).copied().unwrap_or(0);
            for slot in 0..cube.units.len() as u32 {
                for p in 0..n_per {
                    let src = cube.own[cube.reference_cell(slot, *source, p)];
                    let c = cube.reference_cell(slot, i as u32, p);
                    if src != i64::MIN && cube.own[c] == i64::MIN {
                        cube.own_standing[c] =
                            cube.own_standing[cube.reference_cell(slot, *source, p)];
                        let v = from_scaled(i128::from(src), s).unwrap_or_default();
                        cube.own[c] = i64::from(op.holds(v, *value));
                    }
                }
            }
            if let Some(sc) = cube.scale.get_mut(i) {
                *sc = 0;
            }
        }
    }
    // Bottom-up: every slot's value goes into its parent's aggregate. Slots are visited
    // deepest first so a parent's aggregate is complete before it is passed on.
    let mut order: Vec<u32> = (0..cube.units.len() as u32).collect();
    order.sort_by_key(|s| std::cmp::Reverse(tree.depth[cube.units[*s as usize] as usize]));
    let methods: Vec<(u32, AggregationMethod)> = catalogue
        .rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Rule::Base(m) => Some((i as u32, *m)),
            Rule::CountWhere { .. } => Some((i as u32, AggregationMethod::Sum)),
            Rule::Derived { .. } => None,
        })
        .collect();
    for &slot in &order {
        let Some(parent) = tree.parent(cube.units[slot as usize]) else {
            continue;
        };
        let pslot = cube.slot_of[parent as usize];
        for &(i, m) in &methods {
            for p in 0..n_per {
                let c = cube.reference_cell(slot, i, p);
                let own = cube.own[c];
                let (v, standing) = if own != i64::MIN {
                    (own, cube.own_standing[c])
                } else if m == AggregationMethod::Last {
                    continue;
                } else if let Some(a) = cube.aggregate(slot, i, p) {
                    let st = cube
                        .agg_cell(slot, i, p)
                        .map_or(FINAL, |ac| cube.agg_standing[ac]);
                    (a, st)
                } else {
                    continue;
                };
                let Some(pc) = cube.agg_cell(pslot, i, p) else {
                    continue;
                };
                cube.agg[pc] = combine(m, cube.agg[pc], cube.agg_n[pc], v)
                    .ok_or_else(|| RollupError::Overflow(catalogue.id(i).to_string()))?;
                cube.agg_n[pc] += 1;
                cube.agg_standing[pc] = cube.agg_standing[pc].min(standing);
            }
        }
    }
    // Derived: from each unit's values in force, column by column.
    let n_slots = cube.units.len();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut out = vec![f64::NAN; n_slots];
    for &i in &catalogue.derived_order {
        let Rule::Derived { formula, inputs } = &catalogue.rules[i as usize] else {
            continue;
        };
        for p in 0..n_per {
            columns.resize_with(inputs.len(), Vec::new);
            for (col, &x) in columns.iter_mut().zip(inputs) {
                col.clear();
                col.extend(
                    (0..n_slots as u32).map(|s| cube.reference_value_f64(catalogue, s, x, p)),
                );
            }
            let refs: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
            formula.eval_columns(&refs, &mut out);
            for (s, v) in out.iter().enumerate() {
                if let Some(c) = cube.derived_cell(s as u32, i, p) {
                    cube.derived[c] = *v;
                }
            }
        }
    }
    Ok(cube)
}

/// A unit's year from its own quarters (or halves, or months) when it reported no yearly
/// figure: flows add up over a complete year, stocks take the last period, min and max
/// take theirs. An incomplete year of a flow stays empty rather than understated.
fn reference_fill_years(cube: &mut Cube, catalogue: &Catalogue) {
    let periods = cube.periods.clone();
    let n_per = periods.len();
    for (py, year) in periods.iter().enumerate() {
        let Period::Year(y) = *year else { continue };
        let position = |p: Period| periods.iter().position(|x| *x == p);
        // Each way to make up the year, as positions in the cube; only complete sets of
        // periods (all four quarters present among the rolled-up periods) are tried.
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
        if groups.is_empty() {
            continue;
        }
        for (i, rule) in catalogue.rules.iter().enumerate() {
            let Rule::Base(method) = rule else { continue };
            for slot in 0..cube.units.len() {
                let base = (slot * cube.n_rows + i) * n_per;
                if cube.own[base + py] != i64::MIN {
                    continue;
                }
                for group in &groups {
                    let mut present = 0usize;
                    let (mut sum, mut min, mut max) = (Some(0i64), i64::MAX, i64::MIN);
                    for &p in group {
                        let v = cube.own[base + p];
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
                    let last = group
                        .last()
                        .map(|&p| cube.own[base + p])
                        .filter(|v| *v != i64::MIN);
                    let v = match method {
                        AggregationMethod::Sum if present == group.len() => sum,
                        AggregationMethod::Sum => None,
                        AggregationMethod::Count | AggregationMethod::Last => last,
                        AggregationMethod::Min => Some(min),
                        AggregationMethod::Max => Some(max),
                    };
                    if let Some(v) = v {
                        cube.own[base + py] = v;
                        break;
                    }
                }
            }
        }
    }
}
