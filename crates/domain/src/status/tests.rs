use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Case {
    ds: Dataset,
}

impl Case {
    fn new(kind: TargetKind, direction: Direction, baseline: &str, value: TargetValue) -> Case {
        let ds = Dataset {
            units: vec![Unit {
                id: "u".into(),
                name: "U".into(),
                name_en: None,
                level: Level::District,
                parent: None,
                code: None,
                valid_from: None,
                valid_to: None,
            }],
            indicators: vec![Indicator {
                id: "i".into(),
                name: "I".into(),
                name_en: None,
                measure: "%".into(),
                direction,
                aggregation: Aggregation::Base(AggregationMethod::Last),
            }],
            targets: vec![Target {
                resolution: "r".into(),
                code: "1".into(),
                indicator: "i".into(),
                unit: "u".into(),
                field: Field::Economy,
                kind,
                baseline: dec(baseline),
                baseline_period: Period::Year(2015),
                original: TargetSpec {
                    name: "t".into(),
                    value,
                    deadline: date("2020-12-31"),
                },
                milestones: vec![],
                precision: None,
                source: None,
                illustrative: false,
                allocated_from: None,
            }],
            ..Dataset::default()
        };
        Case { ds }
    }

    fn obs(mut self, period: &str, value: &str) -> Self {
        self.ds.observations.push(Observation {
            unit: "u".into(),
            indicator: "i".into(),
            period: period.parse().unwrap(),
            value: dec(value),
            standing: Standing::Final,
            state: ReviewState::Approved,
            source: None,
            reported_by: None,
            reported: None,
        });
        self
    }

    fn precision(mut self, p: u32) -> Self {
        self.ds.targets[0].precision = Some(p);
        self
    }

    fn judge_at(&self, as_of: &str) -> Assessment {
        let t = &self.ds.targets[0];
        let (_, a) = assess_at(
            &self.ds,
            t,
            &self.ds.indicators[0],
            Cutoff::Through(date(as_of)),
            StatusOptions {
                as_of: date(as_of),
                include_unapproved: false,
            },
        );
        a
    }

    fn judge(&self) -> Assessment {
        self.judge_at("2030-01-01")
    }
}

fn exact(s: &str) -> TargetValue {
    TargetValue::Exact(dec(s))
}

#[test]
fn level_exceeded_achieved_and_not_met() {
    let c = Case::new(TargetKind::Level, Direction::Higher, "35.2", exact("37"));
    assert_eq!(c.judge().status, Status::NoData);
    let a = Case::new(TargetKind::Level, Direction::Higher, "35.2", exact("37"))
        .obs("2017", "37.5")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    assert_eq!(a.method, Method::Comparison);
    let a = Case::new(TargetKind::Level, Direction::Higher, "35.2", exact("37"))
        .obs("2017", "37.0")
        .judge();
    assert_eq!(a.status, Status::Achieved);
}

#[test]
fn level_compound_ratio_matches_hand_computation() {
    // B = 44 (2015), v = 49.7 at 2018-06-30, T = 70 at 2020-12-31.
    let a = Case::new(TargetKind::Level, Direction::Higher, "44", exact("70"))
        .obs("2018-H1", "49.7")
        .judge();
    let t0 = date("2015-12-31");
    let e = years_between(t0, date("2018-06-30"));
    let h = years_between(t0, date("2020-12-31"));
    let cagr_a = (49.7f64 / 44.0).powf(1.0 / e) - 1.0;
    let cagr_r = (70.0f64 / 44.0).powf(1.0 / h) - 1.0;
    let r = cagr_a / cagr_r;
    assert_eq!(a.method, Method::Compound);
    assert!((a.ratio.unwrap() - r).abs() < 1e-12);
    assert!(r < 0.6);
    assert_eq!(a.status, Status::OffTrack);
    assert!((a.realisation.unwrap() - 49.7 / 70.0 * 100.0).abs() < 1e-9);
    assert!((a.progress.unwrap() - (5.7 / 26.0 * 100.0)).abs() < 1e-9);
    let projected =
        49.7 * (1.0 + cagr_a).powf(years_between(date("2018-06-30"), date("2020-12-31")));
    assert!((a.projected.unwrap() - projected).abs() < 1e-9);
}

#[test]
fn level_bands() {
    // T = 2·B over 5 years needs 14.87%/yr. Values after 2 years at various paces.
    let needed = 2f64.powf(1.0 / years_between(date("2015-12-31"), date("2020-12-31"))) - 1.0;
    let e = years_between(date("2015-12-31"), date("2017-12-31"));
    let value_for = |ratio: f64| 100.0 * (1.0 + ratio * needed).powf(e);
    for (ratio, expected) in [
        (1.2, Status::OnTrack),
        (0.96, Status::OnTrack),
        (0.8, Status::AtRisk),
        (0.61, Status::AtRisk),
        (0.5, Status::OffTrack),
    ] {
        let v = format!("{:.6}", value_for(ratio));
        let a = Case::new(TargetKind::Level, Direction::Higher, "100", exact("200"))
            .obs("2017", &v)
            .judge();
        assert_eq!(a.status, expected, "ratio {ratio}: {a:?}");
        assert!((a.ratio.unwrap() - ratio).abs() < 1e-4);
    }
}

#[test]
fn level_wrong_direction_is_off_track() {
    let a = Case::new(TargetKind::Level, Direction::Higher, "50", exact("60"))
        .obs("2017", "48")
        .judge();
    assert_eq!(a.status, Status::OffTrack);
    assert!(a.ratio.unwrap() < 0.0);
}

#[test]
fn level_lower_is_better() {
    // Poverty 20% → 10%.
    let a = Case::new(TargetKind::Level, Direction::Lower, "20", exact("10"))
        .obs("2017", "9.5")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    let a = Case::new(TargetKind::Level, Direction::Lower, "20", exact("10"))
        .obs("2017", "10")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Level, Direction::Lower, "20", exact("10"))
        .obs("2017", "15")
        .judge();
    assert_eq!(a.method, Method::Compound);
    // Needed −12.9%/yr, done −13.4%/yr over 2 years: on track.
    assert_eq!(a.status, Status::OnTrack, "{a:?}");
    assert!((a.realisation.unwrap() - 10.0 / 15.0 * 100.0).abs() < 1e-9);
    let a = Case::new(TargetKind::Level, Direction::Lower, "20", exact("10"))
        .obs("2017", "21")
        .judge();
    assert_eq!(a.status, Status::OffTrack);
}

#[test]
fn level_linear_when_compound_cannot_apply() {
    // Zero baseline: 0 → 10 communes. 4 after 2 of 5 years: linear R = (4/2)/(10/5) = 1.0.
    let a = Case::new(TargetKind::Level, Direction::Higher, "0", exact("10"))
        .obs("2017", "4")
        .judge();
    assert_eq!(a.method, Method::Linear);
    let e = years_between(date("2015-12-31"), date("2017-12-31"));
    let h = years_between(date("2015-12-31"), date("2020-12-31"));
    assert!((a.ratio.unwrap() - (4.0 / e) / (10.0 / h)).abs() < 1e-12);
    assert_eq!(a.status, Status::OnTrack);
    // Target of zero (lower is better): 8 incidents → 0.
    let a = Case::new(TargetKind::Level, Direction::Lower, "8", exact("0"))
        .obs("2017", "6")
        .judge();
    assert_eq!(a.method, Method::Linear);
    assert_eq!(
        a.realisation, None,
        "no realisation rate against a target of zero"
    );
    // Sign change: −5 → +5.
    let a = Case::new(TargetKind::Level, Direction::Higher, "-5", exact("5"))
        .obs("2017", "-1")
        .judge();
    assert_eq!(a.method, Method::Linear);
}

#[test]
fn level_negative_baseline_uses_sign() {
    // A loss shrinking: −100 → −20 is better (higher). −60 after 2 years.
    let a = Case::new(TargetKind::Level, Direction::Higher, "-100", exact("-20"))
        .obs("2017", "-60")
        .judge();
    assert_eq!(a.method, Method::Compound);
    assert!(
        a.ratio.unwrap() > 0.0,
        "moving the right way gives a positive ratio: {a:?}"
    );
    let a = Case::new(TargetKind::Level, Direction::Higher, "-100", exact("-20"))
        .obs("2017", "-120")
        .judge();
    assert!(a.ratio.unwrap() < 0.0);
    assert_eq!(a.status, Status::OffTrack);
}

#[test]
fn level_precision_rounds_before_comparing() {
    let a = Case::new(TargetKind::Level, Direction::Higher, "90", exact("98"))
        .obs("2018", "97.96")
        .judge();
    assert_ne!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Level, Direction::Higher, "90", exact("98"))
        .precision(1)
        .obs("2018", "97.96")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Level, Direction::Higher, "90", exact("98"))
        .precision(1)
        .obs("2018", "97.94")
        .judge();
    assert_eq!(a.status, Status::OnTrack);
}

#[test]
fn level_range() {
    let r = TargetValue::Range {
        min: dec("90"),
        max: dec("100"),
    };
    let a = Case::new(TargetKind::Level, Direction::Higher, "80", r.clone())
        .obs("2018", "95")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Level, Direction::Higher, "80", r.clone())
        .obs("2018", "101")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    let a = Case::new(TargetKind::Level, Direction::Higher, "80", r)
        .obs("2018", "85")
        .judge();
    assert_eq!(a.target, Some(dec("90")));
    assert!(!a.status.is_met());
}

#[test]
fn level_change_per_year_implies_a_level() {
    // −2 points a year over 2016–2020 from 20: 10 by 2020.
    let a = Case::new(
        TargetKind::Level,
        Direction::Lower,
        "20",
        TargetValue::ChangePerYear(dec("-2")),
    )
    .obs("2020", "9")
    .judge();
    assert_eq!(a.target, Some(dec("10")));
    assert_eq!(a.status, Status::Exceeded);
}

#[test]
fn as_of_ignores_figures_not_yet_known() {
    let c = Case::new(TargetKind::Level, Direction::Higher, "35", exact("37"))
        .obs("2017", "36")
        .obs("2019", "38");
    assert_eq!(c.judge_at("2018-06-25").status, Status::OnTrack);
    assert_eq!(c.judge_at("2019-06-25").status, Status::Exceeded);
}

#[test]
fn unapproved_figures_do_not_count_unless_asked() {
    let mut c =
        Case::new(TargetKind::Level, Direction::Higher, "35", exact("37")).obs("2017", "38");
    c.ds.observations[0].state = ReviewState::Submitted;
    assert_eq!(c.judge().status, Status::NoData);
    let t = &c.ds.targets[0];
    let (_, a) = assess_at(
        &c.ds,
        t,
        &c.ds.indicators[0],
        Cutoff::Original,
        StatusOptions {
            as_of: date("2030-01-01"),
            include_unapproved: true,
        },
    );
    assert_eq!(a.status, Status::Exceeded);
}

#[test]
fn a_later_figure_supersedes_an_earlier_one() {
    let mut c = Case::new(TargetKind::Level, Direction::Higher, "35", exact("37"))
        .obs("2017", "38")
        .obs("2017", "36");
    c.ds.observations[0].reported = Some(date("2018-01-10"));
    c.ds.observations[1].reported = Some(date("2018-03-10"));
    assert_eq!(c.judge_at("2018-02-01").status, Status::Exceeded);
    assert_eq!(c.judge_at("2018-04-01").status, Status::OnTrack);
}

#[test]
fn cumulative() {
    // 250 km over 2016–2020.
    let c = Case::new(TargetKind::Cumulative, Direction::Higher, "0", exact("250"));
    let a = c
        .obs("2016", "80")
        .obs("2017", "95")
        .obs("2018", "100")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    assert_eq!(a.measure, Some(dec("275")));
    // 120 after 3 of 5 years: share 0.48 against 0.6 elapsed → R = 0.8, at risk.
    let a = Case::new(TargetKind::Cumulative, Direction::Higher, "0", exact("250"))
        .obs("2016", "40")
        .obs("2017", "40")
        .obs("2018", "40")
        .judge();
    assert_eq!(a.method, Method::Requirement);
    assert!((a.ratio.unwrap() - 0.8).abs() < 1e-12);
    assert_eq!(a.status, Status::AtRisk);
    assert!((a.projected.unwrap() - 200.0).abs() < 1e-9);
    // Quarterly figures do not enter an annual sum.
    let a = Case::new(TargetKind::Cumulative, Direction::Higher, "0", exact("250"))
        .obs("2016-Q1", "300")
        .judge();
    assert_eq!(a.status, Status::NoData);
}

#[test]
fn average() {
    // Growth averaging 10%/yr.
    let a = Case::new(TargetKind::Average, Direction::Higher, "9.2", exact("10"))
        .obs("2016", "9.6")
        .obs("2017", "10.1")
        .obs("2018", "9.7")
        .judge();
    assert_eq!(a.measure, Some(dec("9.8")));
    assert!((a.ratio.unwrap() - 0.98).abs() < 1e-12);
    assert_eq!(a.status, Status::OnTrack);
    let a = Case::new(TargetKind::Average, Direction::Higher, "9.2", exact("10"))
        .obs("2016", "11")
        .obs("2017", "9")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Average, Direction::Higher, "9.2", exact("10"))
        .obs("2016", "7")
        .judge();
    assert_eq!(a.status, Status::AtRisk);
}

#[test]
fn every_year_with_change_per_year() {
    // Cut poverty by at least 2.5 points a year, from 20.5.
    let cut = TargetValue::ChangePerYear(dec("-2.5"));
    let a = Case::new(TargetKind::EveryYear, Direction::Lower, "20.5", cut.clone())
        .obs("2016", "17.6")
        .obs("2017", "14.9")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    assert_eq!(a.measure, Some(dec("-2.7")));
    assert!((a.realisation.unwrap() - 108.0).abs() < 1e-9);
    let a = Case::new(TargetKind::EveryYear, Direction::Lower, "20.5", cut.clone())
        .obs("2016", "18")
        .obs("2017", "15.5")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::EveryYear, Direction::Lower, "20.5", cut.clone())
        .obs("2016", "17")
        .obs("2017", "16")
        .judge();
    assert_eq!(a.status, Status::OffTrack, "one year of two: R = 0.5");
    // A year whose previous year is missing has no change to judge.
    let a = Case::new(TargetKind::EveryYear, Direction::Lower, "20.5", cut)
        .obs("2017", "14")
        .judge();
    assert_eq!(a.status, Status::NoData);
}

#[test]
fn every_year_range() {
    let r = TargetValue::Range {
        min: dec("450"),
        max: dec("500"),
    };
    let a = Case::new(TargetKind::EveryYear, Direction::Higher, "430", r.clone())
        .obs("2016", "512")
        .obs("2017", "468")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::EveryYear, Direction::Higher, "430", r.clone())
        .obs("2016", "512")
        .obs("2017", "501")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
    let a = Case::new(TargetKind::EveryYear, Direction::Higher, "430", r)
        .obs("2016", "460")
        .obs("2017", "440")
        .obs("2018", "470")
        .obs("2019", "480")
        .judge();
    assert_eq!(a.status, Status::AtRisk, "3 of 4 years: 0.75");
}

#[test]
fn maintain() {
    let a = Case::new(TargetKind::Maintain, Direction::Higher, "100", exact("100"))
        .obs("2016", "100")
        .obs("2017-Q2", "100")
        .judge();
    assert_eq!(a.status, Status::Achieved);
    let a = Case::new(TargetKind::Maintain, Direction::Higher, "100", exact("100"))
        .obs("2016", "100")
        .obs("2017-Q2", "96")
        .judge();
    assert_eq!(a.status, Status::OffTrack);
    let a = Case::new(TargetKind::Maintain, Direction::Lower, "3", exact("5"))
        .obs("2016", "4")
        .obs("2017", "4.5")
        .judge();
    assert_eq!(a.status, Status::Exceeded);
}

#[test]
fn withdrawn_and_adjusted_versions() {
    let mut c =
        Case::new(TargetKind::Level, Direction::Higher, "35.2", exact("37")).obs("2017", "36.4");
    c.ds.adjustments.push(Adjustment {
        subject: Subject::Target {
            resolution: "r".into(),
            code: "1".into(),
        },
        decision: Decision {
            body: "BTV".into(),
            reference: "Hội nghị".into(),
            date: date("2018-06-25"),
        },
        reason: "".into(),
        change: Change {
            value: Some(exact("41.3")),
            ..Change::default()
        },
    });
    let t = &c.ds.targets[0];
    let ind = &c.ds.indicators[0];
    let opts = StatusOptions {
        as_of: date("2018-06-25"),
        include_unapproved: false,
    };
    let (v0, a0) = assess_at(&c.ds, t, ind, Cutoff::Before(date("2018-06-25")), opts);
    let (v1, a1) = assess_at(&c.ds, t, ind, Cutoff::Through(date("2018-06-25")), opts);
    assert_eq!(v0.spec.value, exact("37"));
    assert_eq!(v1.spec.value, exact("41.3"));
    assert_eq!(a0.status, Status::OnTrack);
    assert_eq!(a1.status, Status::OffTrack);
    c.ds.adjustments.push(Adjustment {
        subject: Subject::Target {
            resolution: "r".into(),
            code: "1".into(),
        },
        decision: Decision {
            body: "BTV".into(),
            reference: "45-NQ/HU".into(),
            date: date("2019-01-10"),
        },
        reason: "".into(),
        change: Change {
            withdraw: true,
            ..Change::default()
        },
    });
    let t = &c.ds.targets[0];
    let (_, a) = assess_at(&c.ds, t, ind, Cutoff::Through(date("2019-01-10")), opts);
    assert_eq!(a.status, Status::Withdrawn);
    let (_, a) = assess_at(&c.ds, t, ind, Cutoff::Through(date("2019-01-09")), opts);
    assert_eq!(a.status, Status::OffTrack);
}

fn level_case(direction: Direction, b: i64, t: i64, v: i64, period: &str) -> Assessment {
    Case::new(
        TargetKind::Level,
        direction,
        &b.to_string(),
        exact(&t.to_string()),
    )
    .obs(period, &v.to_string())
    .judge()
}

proptest! {
    /// Mirroring every value and the direction mirrors the status.
    #[test]
    fn mirror_values_and_direction(b in -500i64..500, t in -500i64..500, v in -500i64..500, q in 1u8..=4, y in 2016i32..2021) {
        let period = format!("{y}-Q{q}");
        let a = level_case(Direction::Higher, b, t, v, &period);
        let m = level_case(Direction::Lower, -b, -t, -v, &period);
        prop_assert_eq!(a.status, m.status);
        prop_assert_eq!(a.method, m.method);
        match (a.ratio, m.ratio) {
            (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9 * x.abs().max(1.0)),
            (x, y) => prop_assert_eq!(x, y),
        }
    }

    /// A later value that reaches the target never yields a worse status.
    #[test]
    fn reaching_the_target_is_never_worse(b in 1i64..500, t in 1i64..1000, v in 1i64..1000, extra in 0i64..100, dir in prop::bool::ANY) {
        let d = if dir { Direction::Higher } else { Direction::Lower };
        let before = level_case(d, b, t, v, "2017");
        let reaching = if dir { t + extra } else { (t - extra).max(0) };
        let c = Case::new(TargetKind::Level, d, &b.to_string(), exact(&t.to_string()))
            .obs("2017", &v.to_string())
            .obs("2018", &reaching.to_string());
        let after = c.judge();
        prop_assert!(after.status.is_met());
        if !before.status.is_met() {
            prop_assert!(after.status.rank() < before.status.rank());
        }
    }

    /// Statuses never come out of NaN: every not-met level judgement has a ratio or is off track.
    #[test]
    fn no_nan(b in -50i64..50, t in -50i64..50, v in -50i64..50) {
        let a = level_case(Direction::Higher, b, t, v, "2018");
        if let Some(r) = a.ratio { prop_assert!(r.is_finite()); }
        if let Some(p) = a.projected { prop_assert!(p.is_finite()); }
        prop_assert!(a.status != Status::NoData);
    }

    /// A cumulative target is met exactly when the sum reaches it, whatever the order of years.
    #[test]
    fn cumulative_met_iff_sum_reaches(values in prop::collection::vec(0i64..200, 1..=5), t in 1i64..800) {
        let mut c = Case::new(TargetKind::Cumulative, Direction::Higher, "0", exact(&t.to_string()));
        for (i, v) in values.iter().enumerate() {
            c = c.obs(&(2016 + i as i32).to_string(), &v.to_string());
        }
        let sum: i64 = values.iter().sum();
        prop_assert_eq!(c.judge().status.is_met(), sum >= t);
    }
}

#[test]
fn not_met_at_the_deadline_is_off_track_whatever_the_pace() {
    let a = Case::new(TargetKind::Level, Direction::Higher, "100", exact("110"))
        .obs("2020", "109")
        .judge();
    assert_eq!(a.status, Status::OffTrack);
    let a = Case::new(TargetKind::Level, Direction::Higher, "100", exact("110"))
        .obs("2019", "109")
        .judge();
    assert_eq!(a.status, Status::OnTrack);
}

#[test]
fn cumulative_and_average_where_lower_is_better() {
    // At most 40 forest fires over 2016–2020: 30 after three years is still within the cap.
    let a = Case::new(TargetKind::Cumulative, Direction::Lower, "0", exact("40"))
        .obs("2016", "10")
        .obs("2017", "10")
        .obs("2018", "10")
        .judge();
    assert!(a.status.is_met());
    let a = Case::new(TargetKind::Cumulative, Direction::Lower, "0", exact("40"))
        .obs("2016", "20")
        .obs("2017", "30")
        .judge();
    assert_eq!(
        a.status,
        Status::OffTrack,
        "the cap is already broken: {a:?}"
    );
    // Infant mortality averaging at most 10‰: 11 on average → R = 10/11.
    let a = Case::new(TargetKind::Average, Direction::Lower, "12", exact("10"))
        .obs("2016", "12")
        .obs("2017", "10")
        .judge();
    assert_eq!(a.status, Status::AtRisk);
    assert!((a.ratio.unwrap() - 10.0 / 11.0).abs() < 1e-12);
}

fn kind_case(kind: TargetKind, direction: Direction, b: i64, t: i64, values: &[i64]) -> Assessment {
    let mut c = Case::new(kind, direction, &b.to_string(), exact(&t.to_string()));
    for (i, v) in values.iter().enumerate() {
        c = c.obs(&(2016 + i as i32).to_string(), &v.to_string());
    }
    c.judge()
}

proptest! {
    /// Mirroring holds for the year-by-year kinds too: met or not, and the share of years.
    #[test]
    fn mirror_year_by_year(b in -100i64..100, t in -100i64..100, values in prop::collection::vec(-100i64..100, 1..=5), maintain in prop::bool::ANY) {
        let kind = if maintain { TargetKind::Maintain } else { TargetKind::EveryYear };
        let a = kind_case(kind, Direction::Higher, b, t, &values);
        let neg: Vec<i64> = values.iter().map(|v| -v).collect();
        let m = kind_case(kind, Direction::Lower, -b, -t, &neg);
        prop_assert_eq!(a.status, m.status);
        prop_assert_eq!(a.ratio, m.ratio);
    }

    /// Raising every figure of a higher-is-better target never makes its status worse.
    #[test]
    fn better_figures_never_worse(kind_i in 0usize..5, b in 1i64..100, t in 1i64..200, values in prop::collection::vec(1i64..200, 1..=5), bump in 0i64..50) {
        let kind = TargetKind::ALL[kind_i];
        let a = kind_case(kind, Direction::Higher, b, t, &values);
        let better: Vec<i64> = values.iter().map(|v| v + bump).collect();
        let c = kind_case(kind, Direction::Higher, b, t, &better);
        prop_assert!(c.status.rank() <= a.status.rank(), "{:?} → {:?}", a.status, c.status);
    }
}

#[test]
fn a_flow_reported_by_quarters_is_judged_on_whole_years() {
    let mut c = Case::new(TargetKind::Level, Direction::Higher, "100", exact("200"));
    c.ds.indicators[0].aggregation = Aggregation::Base(AggregationMethod::Sum);
    for (p, v) in [
        ("2017-Q1", "30"),
        ("2017-Q2", "30"),
        ("2017-Q3", "30"),
        ("2017-Q4", "40"),
        ("2018-Q1", "45"),
    ] {
        c = c.obs(p, v);
    }
    let a = c.judge();
    // 2017 adds up to 130; the single quarter of 2018 is not a year of 45.
    assert_eq!(a.latest.as_ref().unwrap().period, Period::Year(2017));
    assert_eq!(a.measure, Some(dec("130")));
    // A stock takes its latest figure, whatever the period.
    let mut c = Case::new(TargetKind::Level, Direction::Higher, "100", exact("200"));
    c.ds.indicators[0].aggregation = Aggregation::Base(AggregationMethod::Count);
    let a = c.obs("2017-Q4", "150").obs("2018-Q1", "160").judge();
    assert_eq!(a.latest.unwrap().period, "2018-Q1".parse().unwrap());
}
