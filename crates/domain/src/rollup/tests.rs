use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn unit(id: &str, level: Level, parent: Option<&str>) -> Unit {
    Unit {
        id: id.into(),
        name: id.into(),
        name_en: None,
        level,
        parent: parent.map(Into::into),
        code: None,
        valid_from: None,
        valid_to: None,
    }
}

fn indicator(id: &str, aggregation: Aggregation) -> Indicator {
    Indicator {
        id: id.into(),
        name: id.into(),
        name_en: None,
        measure: "".into(),
        direction: Direction::Higher,
        aggregation,
    }
}

fn sum(id: &str) -> Indicator {
    indicator(id, Aggregation::Base(AggregationMethod::Sum))
}

fn obs(unit: &str, indicator: &str, period: &str, value: &str) -> Observation {
    Observation {
        unit: unit.into(),
        indicator: indicator.into(),
        period: period.parse().unwrap(),
        value: dec(value),
        standing: Standing::Final,
        state: ReviewState::Approved,
        source: None,
        reported_by: None,
        reported: None,
    }
}

struct World {
    ds: Dataset,
}

impl World {
    fn district() -> World {
        let ds = Dataset {
            units: vec![
                unit("p", Level::Province, None),
                unit("d", Level::District, Some("p")),
                unit("a", Level::Commune, Some("d")),
                unit("b", Level::Commune, Some("d")),
            ],
            indicators: vec![
                sum("forest_area"),
                sum("natural_area"),
                indicator(
                    "forest_cover",
                    Aggregation::Derived {
                        formula: "forest_area / natural_area * 100".into(),
                    },
                ),
            ],
            ..Dataset::default()
        };
        World { ds }
    }

    fn cube(&self, at: &str, periods: &[&str]) -> (Tree, Catalogue, Figures, Cube) {
        let tree = Tree::at(&self.ds.units, date(at));
        let lineage = Lineage::new(&tree, &self.ds.reorganisations);
        let catalogue = Catalogue::new(&self.ds.indicators).unwrap();
        let filter = FigureFilter {
            known_by: date("2100-01-01"),
            include_unapproved: false,
        };
        let figures = Figures::from_dataset(&self.ds, &tree, &lineage, &catalogue, filter).unwrap();
        let periods: Vec<Period> = periods.iter().map(|p| p.parse().unwrap()).collect();
        let cube = roll_up(&tree, &catalogue, &figures, &periods).unwrap();
        (tree, catalogue, figures, cube)
    }
}

fn get(
    c: &(Tree, Catalogue, Figures, Cube),
    unit: &str,
    indicator: &str,
    period: &str,
) -> Result<Value, Missing> {
    c.3.get(&c.0, &c.1, unit, indicator, period.parse().unwrap())
}

#[test]
fn a_ratio_of_sums_never_an_average_of_ratios() {
    let mut w = World::district();
    // Commune a: 10 of 100 ha forest (10%); commune b: 90 of 300 ha (30%).
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("a", "natural_area", "2018", "100"),
        obs("b", "forest_area", "2018", "90"),
        obs("b", "natural_area", "2018", "300"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    let cover = get(&c, "d", "forest_cover", "2018").unwrap();
    // (10 + 90) ÷ (100 + 300) × 100 = 25, not (10 + 30) ÷ 2 = 20.
    assert_eq!(cover.value, dec("25"));
    assert_eq!(cover.source, Source::Derived);
    assert_eq!(
        get(&c, "p", "forest_cover", "2018").unwrap().value,
        dec("25")
    );
    assert_eq!(
        get(&c, "a", "forest_cover", "2018").unwrap().value,
        dec("10")
    );
    assert_eq!(
        get(&c, "d", "forest_area", "2018").unwrap(),
        Value {
            standing: Standing::Final,
            value: dec("100"),
            source: Source::Computed,
            computed: None
        }
    );
}

#[test]
fn a_reported_figure_wins_and_the_disagreement_shows() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("b", "forest_area", "2018", "90"),
        obs("d", "forest_area", "2018", "120"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    let d = get(&c, "d", "forest_area", "2018").unwrap();
    assert_eq!(
        d,
        Value {
            standing: Standing::Final,
            value: dec("120"),
            source: Source::Reported,
            computed: Some(dec("100"))
        }
    );
    // The province adds the district's own figure, not its communes'.
    assert_eq!(
        get(&c, "p", "forest_area", "2018").unwrap().value,
        dec("120")
    );
    assert_eq!(provenance(&c.0, &c.2, "p", 0, Period::Year(2018)), ["d"]);
    assert_eq!(provenance(&c.0, &c.2, "d", 0, Period::Year(2018)), ["d"]);
}

#[test]
fn missing_inputs_and_zero_divisors_give_no_data_with_a_reason() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("b", "natural_area", "2018", "0"),
        obs("b", "forest_area", "2018", "0"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    let e = get(&c, "a", "forest_cover", "2018").unwrap_err();
    assert!(e.reason.contains("forest_cover"), "{e:?}");
    let e = get(&c, "b", "forest_cover", "2018").unwrap_err();
    assert!(e.reason.contains("cannot be computed"), "{e:?}");
    let e = get(&c, "p", "natural_area", "2019").unwrap_err();
    assert!(e.reason.contains("2019"), "{e:?}");
}

#[test]
fn count_of_communes_meeting_a_condition() {
    let mut w = World::district();
    w.ds.units.push(unit("c", Level::Commune, Some("d")));
    w.ds.indicators.push(indicator(
        "ntm_criteria",
        Aggregation::Base(AggregationMethod::Max),
    ));
    w.ds.indicators.push(indicator(
        "ntm_communes",
        Aggregation::CountWhere {
            indicator: "ntm_criteria".into(),
            op: CompareOp::Ge,
            value: dec("19"),
        },
    ));
    w.ds.observations = vec![
        obs("a", "ntm_criteria", "2018", "19"),
        obs("b", "ntm_criteria", "2018", "17"),
        obs("c", "ntm_criteria", "2018", "19"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    assert_eq!(
        get(&c, "d", "ntm_communes", "2018").unwrap().value,
        dec("2")
    );
    assert_eq!(
        get(&c, "p", "ntm_communes", "2018").unwrap().value,
        dec("2")
    );
    assert_eq!(
        get(&c, "b", "ntm_communes", "2018").unwrap().value,
        dec("0")
    );
    assert_eq!(
        get(&c, "d", "ntm_criteria", "2018").unwrap().value,
        dec("19")
    );
}

#[test]
fn rates_are_not_added_over_units() {
    let mut w = World::district();
    w.ds.indicators.push(indicator(
        "rate",
        Aggregation::Base(AggregationMethod::Last),
    ));
    w.ds.observations = vec![
        obs("a", "rate", "2018", "40"),
        obs("b", "rate", "2018", "60"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    let e = get(&c, "d", "rate", "2018").unwrap_err();
    assert!(e.reason.contains("formula"), "{e:?}");
}

#[test]
fn a_year_from_its_quarters() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018-Q1", "1"),
        obs("a", "forest_area", "2018-Q2", "2"),
        obs("a", "forest_area", "2018-Q3", "3"),
        obs("a", "forest_area", "2018-Q4", "4"),
        obs("b", "forest_area", "2018-Q1", "5"),
    ];
    let c = w.cube(
        "2018-06-30",
        &["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4", "2018"],
    );
    assert_eq!(
        get(&c, "a", "forest_area", "2018").unwrap().value,
        dec("10")
    );
    // b's year is incomplete: not understated as 5.
    assert!(get(&c, "b", "forest_area", "2018").is_err());
    assert_eq!(
        get(&c, "d", "forest_area", "2018").unwrap().value,
        dec("10")
    );
    assert_eq!(
        get(&c, "d", "forest_area", "2018-Q1").unwrap().value,
        dec("6")
    );
}

/// Two communes merged on 1 July 2025 into one; a third split into two.
fn reorganised() -> World {
    let mut w = World::district();
    let ended = |mut u: Unit| {
        u.valid_to = Some(date("2025-06-30"));
        u
    };
    let born = |mut u: Unit| {
        u.valid_from = Some(date("2025-07-01"));
        u
    };
    w.ds.units = vec![
        unit("p", Level::Province, None),
        ended(unit("d", Level::District, Some("p"))),
        ended(unit("a", Level::Commune, Some("d"))),
        ended(unit("b", Level::Commune, Some("d"))),
        ended(unit("s", Level::Commune, Some("d"))),
        born(unit("ab", Level::Commune, Some("p"))),
        born(unit("s1", Level::Commune, Some("p"))),
        born(unit("s2", Level::Commune, Some("p"))),
    ];
    w.ds.reorganisations = vec![
        Reorganisation {
            id: "merge".into(),
            kind: ReorganisationKind::Merge,
            date: date("2025-07-01"),
            decision: None,
            parts: vec![
                Succession {
                    from: "a".into(),
                    to: "ab".into(),
                    share: Decimal::ONE,
                },
                Succession {
                    from: "b".into(),
                    to: "ab".into(),
                    share: Decimal::ONE,
                },
            ],
        },
        Reorganisation {
            id: "split".into(),
            kind: ReorganisationKind::Split,
            date: date("2025-07-01"),
            decision: None,
            parts: vec![
                Succession {
                    from: "s".into(),
                    to: "s1".into(),
                    share: dec("0.6"),
                },
                Succession {
                    from: "s".into(),
                    to: "s2".into(),
                    share: dec("0.4"),
                },
            ],
        },
    ];
    w.ds.observations = vec![
        obs("a", "forest_area", "2020", "10"),
        obs("a", "natural_area", "2020", "100"),
        obs("b", "forest_area", "2020", "30"),
        obs("b", "natural_area", "2020", "100"),
        obs("s", "forest_area", "2020", "50"),
        obs("s", "natural_area", "2020", "200"),
        // After the reform the new communes report themselves.
        obs("ab", "forest_area", "2026", "45"),
        obs("ab", "natural_area", "2026", "200"),
    ];
    w
}

#[test]
fn a_merge_rolls_old_figures_into_the_new_unit() {
    let w = reorganised();
    let c = w.cube("2026-01-01", &["2020", "2026"]);
    assert_eq!(
        get(&c, "ab", "forest_area", "2020").unwrap().value,
        dec("40")
    );
    assert_eq!(
        get(&c, "ab", "forest_cover", "2020").unwrap().value,
        dec("20")
    );
    assert_eq!(
        get(&c, "ab", "forest_area", "2026").unwrap().value,
        dec("45")
    );
    let fa = c.1.index_of("forest_area").unwrap();
    assert_eq!(
        provenance(&c.0, &c.2, "ab", fa, Period::Year(2020)),
        ["a", "b"]
    );
    assert_eq!(provenance(&c.0, &c.2, "ab", fa, Period::Year(2026)), ["ab"]);
    // The province is the same total whichever tree.
    assert_eq!(
        get(&c, "p", "forest_area", "2020").unwrap().value,
        dec("90")
    );
}

#[test]
fn a_split_shares_additive_figures_and_keeps_ratios() {
    let w = reorganised();
    let c = w.cube("2026-01-01", &["2020"]);
    assert_eq!(
        get(&c, "s1", "forest_area", "2020").unwrap().value,
        dec("30")
    );
    assert_eq!(
        get(&c, "s2", "forest_area", "2020").unwrap().value,
        dec("20")
    );
    assert_eq!(
        get(&c, "s1", "forest_cover", "2020").unwrap().value,
        dec("25")
    );
    assert_eq!(
        get(&c, "s2", "forest_cover", "2020").unwrap().value,
        dec("25")
    );
}

#[test]
fn a_review_as_of_2018_uses_the_tree_of_2018() {
    let w = reorganised();
    let c = w.cube("2018-06-25", &["2020"]);
    assert_eq!(
        get(&c, "a", "forest_area", "2020").unwrap().value,
        dec("10")
    );
    assert_eq!(
        get(&c, "d", "forest_area", "2020").unwrap().value,
        dec("90")
    );
    assert!(get(&c, "ab", "forest_area", "2020")
        .unwrap_err()
        .reason
        .contains("not in the tree"));
}

#[test]
fn exact_sums_of_decimals() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "0.1"),
        obs("b", "forest_area", "2018", "0.2"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    assert_eq!(
        get(&c, "d", "forest_area", "2018").unwrap().value,
        dec("0.3")
    );
}

#[test]
fn formula_errors_and_cycles_are_refused() {
    let bad = vec![indicator(
        "x",
        Aggregation::Derived {
            formula: "y +".into(),
        },
    )];
    assert!(matches!(
        Catalogue::new(&bad),
        Err(RollupError::Formula { .. })
    ));
    let unknown = vec![indicator(
        "x",
        Aggregation::Derived {
            formula: "nope * 2".into(),
        },
    )];
    assert!(matches!(
        Catalogue::new(&unknown),
        Err(RollupError::UnknownInput { .. })
    ));
    let cycle = vec![
        indicator(
            "x",
            Aggregation::Derived {
                formula: "y".into(),
            },
        ),
        indicator(
            "y",
            Aggregation::Derived {
                formula: "x".into(),
            },
        ),
    ];
    assert!(matches!(Catalogue::new(&cycle), Err(RollupError::Cycle(_))));
}

proptest! {
    /// With only the leaves reporting, every ancestor's sum is the sum of the leaves below it,
    /// whatever the shape of the tree.
    #[test]
    fn sums_are_the_leaves_below(parents in prop::collection::vec(0usize..1000, 1..40), values in prop::collection::vec(-1000i64..1000, 40)) {
        let mut units = vec![unit("u0", Level::Nation, None)];
        for (i, p) in parents.iter().enumerate() {
            let parent = format!("u{}", p % (i + 1));
            units.push(unit(&format!("u{}", i + 1), Level::Custom("x".into()), Some(&parent)));
        }
        let has_child: std::collections::HashSet<String> = units.iter().filter_map(|u| u.parent.clone()).collect();
        let leaves: Vec<&Unit> = units.iter().filter(|u| !has_child.contains(&u.id)).collect();
        let observations: Vec<Observation> = leaves.iter().enumerate().map(|(k, u)| obs(&u.id, "forest_area", "2018", &values[k % values.len()].to_string())).collect();
        let w = World { ds: Dataset { units: units.clone(), indicators: vec![sum("forest_area")], observations, ..Dataset::default() } };
        let c = w.cube("2018-06-30", &["2018"]);
        let total: i64 = (0..leaves.len()).map(|k| values[k % values.len()]).sum();
        prop_assert_eq!(get(&c, "u0", "forest_area", "2018").unwrap().value, Decimal::from(total));
    }
}

#[test]
fn a_target_of_a_unit_that_reports_nothing_is_judged_on_its_communes() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2015", "10"),
        obs("a", "natural_area", "2015", "100"),
        obs("b", "forest_area", "2015", "30"),
        obs("b", "natural_area", "2015", "100"),
        obs("a", "forest_area", "2018", "20"),
        obs("a", "natural_area", "2018", "100"),
        obs("b", "forest_area", "2018", "40"),
        obs("b", "natural_area", "2018", "100"),
    ];
    let mut estimate = obs("b", "forest_area", "2019", "50");
    estimate.standing = Standing::Estimate;
    w.ds.observations.push(estimate);
    w.ds.observations
        .push(obs("a", "forest_area", "2019", "20"));
    w.ds.observations
        .push(obs("a", "natural_area", "2019", "100"));
    w.ds.observations
        .push(obs("b", "natural_area", "2019", "100"));
    let filter = FigureFilter {
        known_by: date("2100-01-01"),
        include_unapproved: false,
    };
    let s = series(&w.ds, "d", "forest_cover", filter, date("2019-12-31"));
    let got: Vec<(String, Decimal, Standing)> = s
        .iter()
        .map(|f| (f.period.to_string(), f.value, f.standing))
        .collect();
    assert_eq!(
        got,
        [
            ("2015".to_string(), dec("20"), Standing::Final),
            ("2018".to_string(), dec("30"), Standing::Final),
            ("2019".to_string(), dec("35"), Standing::Estimate),
        ]
    );
    // Through the status engine: forest cover of the district from 20% (2015) to 40% (2020).
    let target = Target {
        resolution: "r".into(),
        code: "1".into(),
        indicator: "forest_cover".into(),
        unit: "d".into(),
        field: Field::Environment,
        kind: TargetKind::Level,
        baseline: dec("20"),
        baseline_period: Period::Year(2015),
        original: TargetSpec {
            name: "t".into(),
            value: TargetValue::Exact(dec("40")),
            deadline: date("2020-12-31"),
        },
        milestones: vec![],
        precision: None,
        source: None,
        illustrative: false,
        allocated_from: None,
    };
    let ind = w.ds.indicators[2].clone();
    let (_, a) = crate::status::assess_at(
        &w.ds,
        &target,
        &ind,
        crate::version::Cutoff::Original,
        crate::status::StatusOptions {
            as_of: date("2019-12-31"),
            include_unapproved: false,
        },
    );
    assert_eq!(a.latest.unwrap().value, dec("35"));
    assert_eq!(a.status, crate::status::Status::OnTrack);
}

#[test]
fn scaled_figures_of_mixed_scales_add_up_exactly() {
    let w = World::district();
    let tree = Tree::at(&w.ds.units, date("2018-06-30"));
    let lineage = Lineage::new(&tree, &[]);
    let catalogue = Catalogue::new(&w.ds.indicators).unwrap();
    let mut f = Figures::new(&catalogue);
    let fa = catalogue.index_of("forest_area").unwrap();
    let a = tree.index_of("a").unwrap();
    let b = tree.index_of("b").unwrap();
    f.push_scaled(
        &lineage,
        &catalogue,
        Scaled {
            origin: a,
            indicator: fa,
            period: Period::Year(2018),
            mantissa: 15,
            scale: 1,
            standing: Standing::Final,
        },
    )
    .unwrap();
    f.push_scaled(
        &lineage,
        &catalogue,
        Scaled {
            origin: b,
            indicator: fa,
            period: Period::Year(2018),
            mantissa: 2,
            scale: 0,
            standing: Standing::Final,
        },
    )
    .unwrap();
    let cube = roll_up(&tree, &catalogue, &f, &[Period::Year(2018)]).unwrap();
    assert_eq!(
        cube.get(&tree, &catalogue, "d", "forest_area", Period::Year(2018))
            .unwrap()
            .value,
        dec("3.5")
    );
    // Sums beyond what 64 bits hold are refused, not wrapped.
    f.push_scaled(
        &lineage,
        &catalogue,
        Scaled {
            origin: a,
            indicator: fa,
            period: Period::Year(2019),
            mantissa: i64::MAX,
            scale: 0,
            standing: Standing::Final,
        },
    )
    .unwrap();
    f.push_scaled(
        &lineage,
        &catalogue,
        Scaled {
            origin: b,
            indicator: fa,
            period: Period::Year(2019),
            mantissa: i64::MAX,
            scale: 0,
            standing: Standing::Final,
        },
    )
    .unwrap();
    assert!(matches!(
        roll_up(&tree, &catalogue, &f, &[Period::Year(2019)]),
        Err(RollupError::Overflow(_))
    ));
}

#[test]
fn an_own_figure_of_a_derived_indicator_wins_and_the_formula_shows_beside_it() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("a", "natural_area", "2018", "100"),
        obs("b", "forest_area", "2018", "30"),
        obs("b", "natural_area", "2018", "100"),
        obs("d", "forest_cover", "2018", "21.5"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    let v = get(&c, "d", "forest_cover", "2018").unwrap();
    assert_eq!(
        v,
        Value {
            standing: Standing::Final,
            value: dec("21.5"),
            source: Source::Reported,
            computed: Some(dec("20"))
        }
    );
    // The province's formula uses its own inputs, not the district's reported rate.
    assert_eq!(
        get(&c, "p", "forest_cover", "2018").unwrap().value,
        dec("20")
    );
}

#[test]
fn a_rate_reported_at_a_unit_has_no_computed_twin() {
    let mut w = World::district();
    w.ds.indicators.push(indicator(
        "rate",
        Aggregation::Base(AggregationMethod::Last),
    ));
    w.ds.observations = vec![
        obs("a", "rate", "2018", "40"),
        obs("d", "rate", "2018", "55"),
    ];
    let c = w.cube("2018-06-30", &["2018"]);
    assert_eq!(
        get(&c, "d", "rate", "2018").unwrap(),
        Value {
            standing: Standing::Final,
            value: dec("55"),
            source: Source::Reported,
            computed: None
        }
    );
}

mod reference;

/// Every cell of two cubes: own figures, aggregates, derived values (NaN equal to NaN) and
/// standings.
fn assert_same_cube(a: &Cube, b: &Cube) -> Result<(), TestCaseError> {
    prop_assert_eq!(&a.periods, &b.periods);
    prop_assert_eq!(&a.units, &b.units);
    prop_assert_eq!(&a.slot_of, &b.slot_of);
    prop_assert_eq!(&a.scale, &b.scale);
    prop_assert_eq!(&a.agg_row, &b.agg_row);
    // The reference has a row for every indicator; the roll-up none for formulas that no
    // figure reports, which must then be empty in the reference.
    let n_ind = b.n_rows;
    for slot in 0..a.units.len() as u32 {
        for i in 0..n_ind as u32 {
            for p in 0..a.periods.len() {
                let rc = b.reference_cell(slot, i, p);
                let (own, standing) = match a.cell(slot, i, p) {
                    Some(c) => (a.own[c], a.own_standing[c]),
                    None => (i64::MIN, FINAL),
                };
                prop_assert_eq!(own, b.own[rc], "own of {} at slot {} in {}", i, slot, p);
                prop_assert_eq!(standing, b.own_standing[rc]);
                let agg = b.agg_row[slot as usize];
                if agg == NONE {
                    continue;
                }
                let rc = (agg as usize * n_ind + i as usize) * a.periods.len() + p;
                let (n, agg, standing) = match a.agg_cell(slot, i, p) {
                    Some(c) => (a.agg_n[c], a.agg[c], a.agg_standing[c]),
                    None => (0, 0, FINAL),
                };
                prop_assert_eq!(n, b.agg_n[rc]);
                prop_assert_eq!(standing, b.agg_standing[rc]);
                // An aggregate with no contributor is never read: only counted ones must agree.
                if n > 0 {
                    prop_assert_eq!(agg, b.agg[rc], "aggregate of {} at slot {}", i, slot);
                }
            }
        }
    }
    prop_assert_eq!(a.derived.len(), b.derived.len());
    for (k, (x, y)) in a.derived.iter().zip(&b.derived).enumerate() {
        prop_assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "derived {}: {} vs {}",
            k,
            x,
            y
        );
    }
    Ok(())
}

/// A small world with every kind of indicator: each method, a count_where, formulas over
/// sums, over min and max, over another formula and over a `last` input.
fn every_kind_of_indicator() -> Vec<Indicator> {
    let base = |id: &str, m| indicator(id, Aggregation::Base(m));
    let derived = |id: &str, f: &str| indicator(id, Aggregation::Derived { formula: f.into() });
    vec![
        base("s", AggregationMethod::Sum),
        base("c", AggregationMethod::Count),
        base("mn", AggregationMethod::Min),
        base("mx", AggregationMethod::Max),
        base("l", AggregationMethod::Last),
        derived("d3", "d1 - s"),
        indicator(
            "cw",
            Aggregation::CountWhere {
                indicator: "s".into(),
                op: CompareOp::Gt,
                value: dec("0.5"),
            },
        ),
        derived("d1", "s / c * 100"),
        derived("d2", "mn + mx"),
        derived("d4", "l * 2"),
    ]
}

const SOME_PERIODS: [&str; 14] = [
    "2018", "2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4", "2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4",
    "2019-H1", "2019-H2", "2019-01", "2020-Q1", "2020-03",
];

/// Figures of a random tree (`parents[i]` picks the parent of unit i + 1 among those before
/// it): `(unit, indicator, period, mantissa, scale, standing)`.
fn random_world(
    parents: &[usize],
    rows: &[(usize, usize, usize, i64, u32, u8)],
) -> (Tree, Catalogue, Figures) {
    let mut units = vec![unit("u0", Level::Nation, None)];
    for (i, p) in parents.iter().enumerate() {
        let parent = format!("u{}", p % (i + 1));
        units.push(unit(
            &format!("u{}", i + 1),
            Level::Custom("x".into()),
            Some(&parent),
        ));
    }
    let indicators = every_kind_of_indicator();
    let tree = Tree::at(&units, date("2019-06-30"));
    let lineage = Lineage::new(&tree, &[]);
    let catalogue = Catalogue::new(&indicators).unwrap();
    let mut figures = Figures::new(&catalogue);
    for &(u, i, p, mantissa, scale, standing) in rows {
        let r = Scaled {
            origin: (u % units.len()) as u32,
            indicator: (i % indicators.len()) as u32,
            period: SOME_PERIODS[p % SOME_PERIODS.len()].parse().unwrap(),
            mantissa,
            scale,
            standing: standing_from(standing),
        };
        figures.push_scaled(&lineage, &catalogue, r).unwrap();
    }
    (tree, catalogue, figures)
}

fn world_rows() -> impl Strategy<Value = Vec<(usize, usize, usize, i64, u32, u8)>> {
    prop::collection::vec(
        (
            0usize..40,
            0usize..10,
            0usize..14,
            // Now and then a mantissa too wide to be brought to a larger scale or added up.
            prop_oneof![1500 => -30i64..30, 1 => any::<i64>()],
            0u32..3,
            0u8..3,
        ),
        0..300,
    )
}

proptest! {
    /// The optimised roll-up agrees cell for cell with the first, cell-by-cell one, for any
    /// tree, figures (missing, duplicated, mixed scales and standings) and set of periods.
    #[test]
    fn the_roll_up_agrees_with_the_reference(
        parents in prop::collection::vec(0usize..1000, 0..30),
        rows in world_rows(),
        chosen in prop::collection::vec(any::<bool>(), 14),
    ) {
        let (tree, catalogue, figures) = random_world(&parents, &rows);
        for periods in [
            periods_with_years(&figures),
            SOME_PERIODS
                .iter()
                .zip(&chosen)
                .filter(|(_, c)| **c)
                .map(|(p, _)| p.parse().unwrap())
                .collect::<Vec<Period>>(),
        ] {
            let fast = roll_up(&tree, &catalogue, &figures, &periods);
            let slow = reference::reference_roll_up(&tree, &catalogue, &figures, &periods);
            match (fast, slow) {
                (Ok(a), Ok(b)) => assert_same_cube(&a, &b)?,
                (a, b) => prop_assert_eq!(a.err(), b.err()),
            }
        }
    }
}

#[test]
fn a_roll_up_of_some_indicators_needs_their_inputs_and_sources() {
    let catalogue = Catalogue::new(&every_kind_of_indicator()).unwrap();
    let index = |id: &str| catalogue.index_of(id).unwrap();
    let needed = |ids: &[&str]| -> Vec<&str> {
        let wanted: Vec<u32> = ids.iter().map(|id| index(id)).collect();
        let mask = catalogue.needed_by(&wanted);
        (0..catalogue.len() as u32)
            .filter(|&i| mask[i as usize])
            .map(|i| catalogue.id(i))
            .collect()
    };
    // d3 = d1 - s, d1 = s / c * 100: through a formula to the formula's inputs.
    assert_eq!(needed(&["d3"]), ["s", "c", "d3", "d1"]);
    assert_eq!(needed(&["cw"]), ["s", "cw"]);
    assert_eq!(needed(&["mx", "d4"]), ["mx", "l", "d4"]);
    assert!(needed(&[]).is_empty());
}

#[test]
fn an_indicator_outside_a_restricted_roll_up_says_so() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("a", "natural_area", "2018", "100"),
    ];
    let tree = Tree::at(&w.ds.units, date("2018-06-30"));
    let catalogue = Catalogue::new(&w.ds.indicators).unwrap();
    let filter = FigureFilter {
        known_by: date("2100-01-01"),
        include_unapproved: false,
    };
    let figures =
        Figures::from_dataset(&w.ds, &tree, &Lineage::new(&tree, &[]), &catalogue, filter).unwrap();
    let only = [catalogue.index_of("forest_area").unwrap()];
    let cube = roll_up_of(
        &tree,
        &catalogue,
        &figures,
        &["2018".parse().unwrap()],
        &only,
    )
    .unwrap();
    let c = (tree, catalogue, figures, cube);
    assert_eq!(
        get(&c, "p", "forest_area", "2018").unwrap().value,
        dec("10")
    );
    let e = get(&c, "p", "forest_cover", "2018").unwrap_err();
    assert_eq!(
        e.reason,
        "`forest_cover` was not among the indicators rolled up"
    );
    let rollups =
        Rollups::from_figures_of(c.0, c.1, &c.2, &["forest_cover", "no-such-id"]).unwrap();
    assert_eq!(rollups.series("p", "forest_cover")[0].value, dec("10"));
    assert!(!rollups.series("p", "natural_area").is_empty());
}

proptest! {
    /// A roll-up of some indicators gives, for each of them and for everything they are
    /// computed from, the values of the full roll-up at every unit and period, reasons for
    /// missing values included; the others are "not rolled up".
    #[test]
    fn a_restricted_roll_up_agrees_with_the_full_one(
        parents in prop::collection::vec(0usize..1000, 0..30),
        rows in world_rows(),
        asked in prop::collection::vec(0u32..10, 0..4),
    ) {
        let (tree, catalogue, figures) = random_world(&parents, &rows);
        let periods = periods_with_years(&figures);
        let full = roll_up(&tree, &catalogue, &figures, &periods);
        let some = roll_up_of(&tree, &catalogue, &figures, &periods, &asked);
        let (full, some) = match (full, some) {
            (Ok(full), Ok(some)) => (full, some),
            // The full roll-up can also fail on an indicator not asked for.
            (Err(_), _) => return Ok(()),
            (Ok(_), Err(e)) => return Err(TestCaseError::fail(format!("only the restricted roll-up failed: {e}"))),
        };
        let needed = catalogue.needed_by(&asked);
        for u in 0..tree.len() as u32 {
            let unit = tree.id(u);
            for i in 0..catalogue.len() as u32 {
                let indicator = catalogue.id(i);
                if needed[i as usize] {
                    prop_assert_eq!(
                        full.series(&tree, &catalogue, unit, indicator),
                        some.series(&tree, &catalogue, unit, indicator)
                    );
                }
                for &p in &periods {
                    let a = full.get(&tree, &catalogue, unit, indicator, p);
                    let b = some.get(&tree, &catalogue, unit, indicator, p);
                    if needed[i as usize] {
                        prop_assert_eq!(a, b);
                    } else {
                        prop_assert!(b.is_err());
                    }
                }
            }
        }
    }
}

proptest! {
    /// The fast path of `from_scaled` gives the very decimal `normalize` gives: same digits,
    /// scale and sign.
    #[test]
    fn from_scaled_is_the_normalized_decimal(v in any::<i64>(), zeros in 0u32..6, scale in 0u32..32) {
        let v = i128::from(v) * 10i128.pow(zeros);
        let slow = Decimal::try_from_i128_with_scale(v, scale).ok().map(|d| d.normalize());
        let fast = from_scaled(v, scale);
        prop_assert_eq!(fast.map(|d| d.serialize()), slow.map(|d| d.serialize()));
    }

    /// A series as a target is judged on it is the cube's series without the computed twins.
    #[test]
    fn rollups_series_is_the_cubes(
        parents in prop::collection::vec(0usize..1000, 0..30),
        rows in world_rows(),
    ) {
        let (tree, catalogue, figures) = random_world(&parents, &rows);
        // Figures too wide to add up fail both alike (the reference test checks how).
        let Ok(cube) = roll_up(&tree, &catalogue, &figures, &periods_with_years(&figures)) else {
            return Ok(());
        };
        let rollups = Rollups::from_figures(tree.clone(), catalogue.clone(), &figures).unwrap();
        for u in 0..tree.len() as u32 {
            for i in 0..catalogue.len() as u32 {
                let (unit, indicator) = (tree.id(u), catalogue.id(i));
                let expected: Vec<(Period, Decimal, Standing)> = cube
                    .series(&tree, &catalogue, unit, indicator)
                    .into_iter()
                    .map(|(p, v)| (p, v.value, v.standing))
                    .collect();
                let got: Vec<(Period, Decimal, Standing)> = rollups
                    .series(unit, indicator)
                    .into_iter()
                    .map(|f| (f.period, f.value, f.standing))
                    .collect();
                prop_assert_eq!(got, expected);
            }
        }
    }
}

#[test]
fn figures_put_in_the_columns_directly_still_count_for_formulas() {
    let mut w = World::district();
    w.ds.observations = vec![
        obs("a", "forest_area", "2018", "10"),
        obs("a", "natural_area", "2018", "100"),
        obs("d", "forest_cover", "2018", "21.5"),
    ];
    let (tree, catalogue, mut figures, _) = w.cube("2018-06-30", &["2018"]);
    // As if the columns had been filled without the push methods, which record what is
    // reported.
    figures.reported = Vec::new();
    let cube = roll_up(&tree, &catalogue, &figures, &["2018".parse().unwrap()]).unwrap();
    let c = (tree, catalogue, figures, cube);
    assert_eq!(
        get(&c, "d", "forest_cover", "2018").unwrap().value,
        dec("21.5")
    );
    assert_eq!(
        get(&c, "p", "forest_cover", "2018").unwrap().value,
        dec("10")
    );
}

proptest! {
    /// The figures' periods and their years, as a set of every period seen, whatever the order
    /// and span of the figures.
    #[test]
    fn periods_with_years_are_the_periods_seen_and_their_years(
        seen in prop::collection::vec((1990i32..2060, 0u8..4, 1u8..13), 0..200),
    ) {
        let periods: Vec<Period> = seen
            .iter()
            .map(|&(y, kind, n)| match kind {
                0 => Period::Year(y),
                1 => Period::Half(y, 1 + n % 2),
                2 => Period::Quarter(y, 1 + n % 4),
                _ => Period::Month(y, n),
            })
            .collect();
        let figures = Figures { period: periods.clone(), ..Figures::default() };
        let mut expected: Vec<Period> = periods
            .iter()
            .flat_map(|p| [*p, Period::Year(p.year())])
            .collect();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(periods_with_years(&figures), expected);
    }
}
