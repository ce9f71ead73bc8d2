//! A small dataset that touches every field and every enum value the schema has to carry,
//! built around the Lục Ngạn mid-term review of the brief.

use chitieu_domain::*;
use chrono::NaiveDate;

/// A decimal from its text, scale included (`"41.30"` keeps two places).
pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("bad decimal {s}: {e}"))
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
}

pub fn period(s: &str) -> Period {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

pub fn unit(id: &str, name: &str, level: Level, parent: Option<&str>) -> Unit {
    Unit {
        id: id.into(),
        name: name.into(),
        name_en: None,
        level,
        parent: parent.map(Into::into),
        code: None,
        valid_from: None,
        valid_to: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn observation(
    unit: &str,
    indicator: &str,
    period_text: &str,
    value: &str,
    standing: Standing,
    state: ReviewState,
    reported: Option<NaiveDate>,
) -> Observation {
    Observation {
        unit: unit.into(),
        indicator: indicator.into(),
        period: period(period_text),
        value: dec(value),
        standing,
        state,
        source: None,
        reported_by: None,
        reported,
    }
}

fn target(
    code: &str,
    indicator: &str,
    field: Field,
    kind: TargetKind,
    value: TargetValue,
) -> Target {
    Target {
        resolution: "luc-ngan-xxiv".into(),
        code: code.into(),
        indicator: indicator.into(),
        unit: "luc-ngan".into(),
        field,
        kind,
        baseline: dec("0"),
        baseline_period: period("2015"),
        original: TargetSpec {
            name: format!("Chỉ tiêu {code}"),
            value,
            deadline: date(2020, 12, 31),
        },
        milestones: vec![],
        precision: None,
        source: None,
        illustrative: false,
        allocated_from: None,
    }
}

/// Units, a term and indicators only: what a later bundle can refer to.
pub fn base() -> Dataset {
    let units = vec![
        Unit {
            id: "bac-giang".into(),
            name: "Tỉnh Bắc Giang".into(),
            name_en: Some("Bac Giang province".into()),
            level: Level::Province,
            parent: None,
            code: Some("24".into()),
            valid_from: Some(date(1997, 1, 1)),
            valid_to: Some(date(2025, 6, 30)),
        },
        Unit {
            id: "luc-ngan".into(),
            name: "Huyện Lục Ngạn".into(),
            name_en: Some("Luc Ngan district".into()),
            level: Level::District,
            parent: Some("bac-giang".into()),
            code: Some("215".into()),
            valid_from: None,
            valid_to: Some(date(2025, 6, 30)),
        },
        Unit {
            code: Some("07375".into()),
            ..unit(
                "phuong-son",
                "Xã Phượng Sơn",
                Level::Commune,
                Some("luc-ngan"),
            )
        },
        unit(
            "kim",
            "Phố Kim",
            Level::Custom("khu phố".into()),
            Some("phuong-son"),
        ),
        unit("viet-nam", "Việt Nam", Level::Nation, None),
        unit("thon-ke", "Thôn Kẻ", Level::Village, Some("phuong-son")),
        // Units of the 2025 reorganisations in `rest`.
        Unit {
            code: Some("27".into()),
            valid_to: Some(date(2025, 6, 30)),
            ..unit("bac-ninh", "Tỉnh Bắc Ninh", Level::Province, None)
        },
        Unit {
            valid_from: Some(date(2025, 7, 1)),
            ..unit("bac-ninh-2025", "Tỉnh Bắc Ninh", Level::Province, None)
        },
        Unit {
            valid_from: Some(date(2025, 7, 1)),
            ..unit(
                "phuong-son-2025",
                "Xã Phượng Sơn",
                Level::Commune,
                Some("bac-ninh-2025"),
            )
        },
        Unit {
            valid_from: Some(date(2025, 7, 1)),
            ..unit(
                "tan-son-2025",
                "Xã Tân Sơn",
                Level::Commune,
                Some("bac-ninh-2025"),
            )
        },
        Unit {
            valid_from: Some(date(2025, 7, 1)),
            ..unit(
                "kim-2025",
                "Tổ dân phố Kim",
                Level::Custom("tổ dân phố".into()),
                Some("phuong-son-2025"),
            )
        },
    ];
    let terms = vec![
        Term {
            id: "2015-2020".into(),
            start: date(2015, 10, 1),
            end: date(2020, 9, 30),
        },
        Term {
            id: "2020-2025".into(),
            start: date(2020, 10, 1),
            end: date(2025, 9, 30),
        },
    ];
    let mut indicators = vec![
        Indicator {
            id: "forest_cover".into(),
            name: "Tỷ lệ che phủ rừng".into(),
            name_en: Some("Forest cover".into()),
            measure: "%".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Derived {
                formula: "forest_area / natural_area * 100".into(),
            },
        },
        Indicator {
            id: "forest_area".into(),
            name: "Diện tích rừng".into(),
            name_en: None,
            measure: "ha".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Base(AggregationMethod::Sum),
        },
        Indicator {
            id: "ntm_communes".into(),
            name: "Số xã đạt chuẩn nông thôn mới".into(),
            name_en: Some("Communes meeting the new-rural standard".into()),
            measure: "xã".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Base(AggregationMethod::Count),
        },
        Indicator {
            id: "poverty_rate".into(),
            name: "Tỷ lệ hộ nghèo".into(),
            name_en: None,
            measure: "%".into(),
            direction: Direction::Lower,
            aggregation: Aggregation::Base(AggregationMethod::Last),
        },
        Indicator {
            id: "health_insurance".into(),
            name: "Tỷ lệ dân số tham gia bảo hiểm y tế".into(),
            name_en: None,
            measure: "%".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Base(AggregationMethod::Min),
        },
        Indicator {
            id: "new_members".into(),
            name: "Kết nạp đảng viên mới".into(),
            name_en: None,
            measure: "người".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Base(AggregationMethod::Max),
        },
        Indicator {
            id: "ntm_criteria".into(),
            name: "Số tiêu chí nông thôn mới đạt được".into(),
            name_en: None,
            measure: "tiêu chí".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Base(AggregationMethod::Last),
        },
    ];
    // A counting indicator for every comparison; `19.0` keeps its scale.
    for op in CompareOp::ALL {
        indicators.push(Indicator {
            id: format!("ntm_communes_{}", op.as_str()),
            name: format!("Số xã có số tiêu chí {} 19", op.as_str()),
            name_en: None,
            measure: "xã".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::CountWhere {
                indicator: "ntm_criteria".into(),
                op,
                value: dec("19.0"),
            },
        });
    }
    Dataset {
        units,
        terms,
        indicators,
        ..Dataset::default()
    }
}

/// Everything else, referring to [`base`].
pub fn rest() -> Dataset {
    let resolutions = vec![
        Resolution {
            id: "luc-ngan-xxiv".into(),
            unit: "luc-ngan".into(),
            kind: ResolutionKind::Congress,
            congress: Some(24),
            term: "2015-2020".into(),
            number: Some("01-NQ/ĐH".into()),
            adopted: date(2015, 7, 17),
            title: "Nghị quyết Đại hội đại biểu Đảng bộ huyện Lục Ngạn lần thứ XXIV".into(),
            issuer: Some("Đảng bộ huyện Lục Ngạn".into()),
            body: BodyKind::Party,
        },
        Resolution {
            id: "bac-giang-xviii".into(),
            unit: "bac-giang".into(),
            kind: ResolutionKind::Congress,
            congress: Some(18),
            term: "2015-2020".into(),
            number: None,
            adopted: date(2015, 10, 15),
            title: "Nghị quyết Đại hội Đảng bộ tỉnh Bắc Giang lần thứ XVIII".into(),
            issuer: None,
            body: BodyKind::Party,
        },
        Resolution {
            id: "luc-ngan-hdnd-2016".into(),
            unit: "luc-ngan".into(),
            kind: ResolutionKind::Council,
            congress: None,
            term: "2015-2020".into(),
            number: Some("12/NQ-HĐND".into()),
            adopted: date(2016, 7, 20),
            title: "Kế hoạch phát triển kinh tế - xã hội 5 năm".into(),
            issuer: Some("HĐND huyện Lục Ngạn".into()),
            body: BodyKind::Government,
        },
        Resolution {
            id: "tinh-giao-2016".into(),
            unit: "luc-ngan".into(),
            kind: ResolutionKind::Assignment,
            congress: None,
            term: "2015-2020".into(),
            number: None,
            adopted: date(2016, 1, 5),
            title: "Chỉ tiêu tỉnh giao".into(),
            issuer: None,
            body: BodyKind::Other,
        },
        Resolution {
            id: "khac".into(),
            unit: "phuong-son".into(),
            kind: ResolutionKind::Other,
            congress: None,
            term: "2020-2025".into(),
            number: None,
            adopted: date(2020, 12, 1),
            title: "Khác".into(),
            issuer: None,
            body: BodyKind::Other,
        },
    ];
    let targets = vec![
        Target {
            baseline: dec("35.20"),
            baseline_period: period("2015"),
            milestones: vec![
                Milestone {
                    period: period("2018"),
                    value: dec("39.0"),
                },
                Milestone {
                    period: period("2020-H1"),
                    value: dec("40.55"),
                },
            ],
            precision: Some(1),
            source: Some("Nghị quyết Đại hội".into()),
            original: TargetSpec {
                name: "Tỷ lệ che phủ rừng đạt 37%".into(),
                value: TargetValue::Exact(dec("37")),
                deadline: date(2020, 12, 31),
            },
            ..target(
                "CT11",
                "forest_cover",
                Field::Environment,
                TargetKind::Level,
                TargetValue::Exact(dec("37")),
            )
        },
        Target {
            baseline: dec("2"),
            milestones: vec![Milestone {
                period: period("2018-Q2"),
                value: dec("5"),
            }],
            ..target(
                "CT07",
                "ntm_communes",
                Field::Economy,
                TargetKind::Cumulative,
                TargetValue::Exact(dec("8")),
            )
        },
        Target {
            baseline: dec("-1.5"),
            baseline_period: period("2015-12"),
            precision: Some(0),
            ..target(
                "CT03",
                "poverty_rate",
                Field::CultureSociety,
                TargetKind::EveryYear,
                TargetValue::ChangePerYear(dec("-2")),
            )
        },
        Target {
            illustrative: true,
            ..target(
                "CT14",
                "new_members",
                Field::PartyBuilding,
                TargetKind::Average,
                TargetValue::Range {
                    min: dec("90"),
                    max: dec("100.5"),
                },
            )
        },
        Target {
            baseline: dec("88.1"),
            baseline_period: period("2015-H2"),
            ..target(
                "CT09",
                "health_insurance",
                Field::DefenceSecurity,
                TargetKind::Maintain,
                TargetValue::Exact(dec("95")),
            )
        },
        // The district's share of the province's target below: a share may come first.
        Target {
            resolution: "tinh-giao-2016".into(),
            source: Some("tỉnh giao".into()),
            allocated_from: Some("bac-giang-xviii/14".into()),
            ..target(
                "1",
                "forest_area",
                Field::Other,
                TargetKind::Level,
                TargetValue::Exact(dec("1234567890123.456789")),
            )
        },
        Target {
            resolution: "bac-giang-xviii".into(),
            unit: "bac-giang".into(),
            ..target(
                "14",
                "forest_area",
                Field::Environment,
                TargetKind::Level,
                TargetValue::Exact(dec("2469135780246.913578")),
            )
        },
    ];
    let tasks = vec![
        Task {
            resolution: "luc-ngan-xxiv".into(),
            code: "NV3".into(),
            name: "Xây dựng phố Kim, xã Phượng Sơn thành thị trấn Kim năm 2018".into(),
            unit: "phuong-son".into(),
            field: Field::Economy,
            due: Some(date(2018, 12, 31)),
            state: TaskState::InProgress,
            done_on: None,
            illustrative: false,
        },
        Task {
            resolution: "luc-ngan-xxiv".into(),
            code: "NV1".into(),
            name: "Hoàn thành quy hoạch vùng vải thiều".into(),
            unit: "luc-ngan".into(),
            field: Field::Economy,
            due: None,
            state: TaskState::Done,
            done_on: Some(date(2017, 3, 31)),
            illustrative: true,
        },
        Task {
            resolution: "khac".into(),
            code: "NV1".into(),
            name: "Chưa bắt đầu".into(),
            unit: "thon-ke".into(),
            field: Field::Other,
            due: Some(date(2024, 2, 29)),
            state: TaskState::NotStarted,
            done_on: None,
            illustrative: false,
        },
    ];
    let conference = Decision {
        body: "Ban Thường vụ Huyện ủy Lục Ngạn".into(),
        reference: "Hội nghị sơ kết giữa nhiệm kỳ".into(),
        date: date(2018, 6, 25),
    };
    let adjustments = vec![
        Adjustment {
            subject: Subject::Target {
                resolution: "luc-ngan-xxiv".into(),
                code: "CT11".into(),
            },
            decision: conference.clone(),
            reason: "Kết quả trồng rừng vượt kế hoạch".into(),
            change: Change {
                value: Some(TargetValue::Exact(dec("41.3"))),
                ..Change::default()
            },
        },
        Adjustment {
            subject: Subject::Target {
                resolution: "luc-ngan-xxiv".into(),
                code: "CT07".into(),
            },
            decision: Decision {
                reference: "45-NQ/HU".into(),
                date: date(2018, 7, 2),
                ..conference.clone()
            },
            reason: "Điều chỉnh".into(),
            change: Change {
                value: Some(TargetValue::Range {
                    min: dec("10"),
                    max: dec("11.00"),
                }),
                deadline: Some(date(2021, 6, 30)),
                wording: Some("Số xã đạt chuẩn nông thôn mới: 10–11 xã".into()),
                withdraw: false,
            },
        },
        Adjustment {
            subject: Subject::Target {
                resolution: "luc-ngan-xxiv".into(),
                code: "CT03".into(),
            },
            decision: conference.clone(),
            reason: "Giảm mạnh hơn".into(),
            change: Change {
                value: Some(TargetValue::ChangePerYear(dec("-2.5"))),
                ..Change::default()
            },
        },
        Adjustment {
            subject: Subject::Task {
                resolution: "luc-ngan-xxiv".into(),
                code: "NV3".into(),
            },
            decision: conference.clone(),
            reason: "Chưa đủ điều kiện thành lập thị trấn".into(),
            change: Change {
                withdraw: true,
                ..Change::default()
            },
        },
        Adjustment {
            subject: Subject::Task {
                resolution: "luc-ngan-xxiv".into(),
                code: "NV1".into(),
            },
            decision: conference,
            reason: "Lùi thời hạn".into(),
            change: Change {
                deadline: Some(date(2019, 12, 31)),
                wording: Some("Hoàn thành quy hoạch".into()),
                ..Change::default()
            },
        },
    ];
    let mut documents = vec![
        Document {
            number: "08-NQ/HU".into(),
            kind: DocumentKind::Resolution,
            date: date(2016, 3, 1),
            title: "Nghị quyết về phát triển rừng bền vững".into(),
            issuer: "luc-ngan".into(),
            resolutions: vec!["luc-ngan-xxiv".into(), "bac-giang-xviii".into()],
            targets: vec!["luc-ngan-xxiv/CT11".into(), "tinh-giao-2016/1".into()],
            illustrative: false,
        },
        Document {
            number: "01-CTr/HU".into(),
            kind: DocumentKind::ActionProgramme,
            date: date(2015, 12, 10),
            title: "Chương trình hành động".into(),
            issuer: "luc-ngan".into(),
            resolutions: vec!["luc-ngan-xxiv".into()],
            targets: vec![],
            illustrative: false,
        },
        // Same number, another issuer: documents are keyed by (issuer, number).
        Document {
            number: "08-NQ/HU".into(),
            kind: DocumentKind::Plan,
            date: date(2016, 4, 1),
            title: "Kế hoạch".into(),
            issuer: "phuong-son".into(),
            resolutions: vec![],
            targets: vec!["luc-ngan-xxiv/CT07".into()],
            illustrative: true,
        },
    ];
    let kinds = [
        DocumentKind::Guidance,
        DocumentKind::Directive,
        DocumentKind::Conclusion,
        DocumentKind::Decision,
        DocumentKind::Project,
        DocumentKind::Other,
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        documents.push(Document {
            number: format!("{:02}-{}/HU", i + 1, kind.as_str()),
            kind,
            date: date(2017, 1 + i as u32, 15),
            title: format!("Văn bản {}", kind.as_str()),
            issuer: "luc-ngan".into(),
            resolutions: vec![],
            targets: vec![],
            illustrative: false,
        });
    }
    let mut obs = vec![
        Observation {
            source: Some("Chi cục Thống kê huyện".into()),
            reported_by: Some("Văn phòng Huyện ủy".into()),
            ..observation(
                "luc-ngan",
                "forest_cover",
                "2017",
                "38.6",
                Standing::Final,
                ReviewState::Approved,
                Some(date(2018, 3, 1)),
            )
        },
        observation(
            "luc-ngan",
            "forest_cover",
            "2018-H1",
            "40.10",
            Standing::Estimate,
            ReviewState::Draft,
            None,
        ),
        observation(
            "phuong-son",
            "forest_area",
            "2018-Q2",
            "0.0001",
            Standing::Preliminary,
            ReviewState::Submitted,
            None,
        ),
        observation(
            "luc-ngan",
            "poverty_rate",
            "2018-05",
            "-0.5",
            Standing::Estimate,
            ReviewState::Returned,
            None,
        ),
    ];
    // Every standing with every review state.
    for (i, standing) in Standing::ALL.into_iter().enumerate() {
        for (j, state) in ReviewState::ALL.into_iter().enumerate() {
            obs.push(Observation {
                source: (j % 2 == 0).then(|| format!("Báo cáo số {i}{j}")),
                reported_by: (i % 2 == 1).then(|| "UBND xã".to_string()),
                ..observation(
                    "thon-ke",
                    "ntm_communes",
                    &format!("{}", 2016 + i),
                    &format!("{j}.{i}"),
                    standing,
                    state,
                    (j == 3).then(|| date(2019, 1 + j as u32, 1)),
                )
            });
        }
    }
    let part = |from: &str, to: &str, share: &str| Succession {
        from: from.into(),
        to: to.into(),
        share: dec(share),
    };
    let reorganisations = vec![
        Reorganisation {
            id: "bac-ninh-2025".into(),
            kind: ReorganisationKind::Merge,
            date: date(2025, 7, 1),
            decision: Some("Nghị quyết 202/2025/QH15".into()),
            parts: vec![
                part("bac-giang", "bac-ninh-2025", "1"),
                part("bac-ninh", "bac-ninh-2025", "1"),
            ],
        },
        // Shares written with their scale: `0.40` comes back as `0.40`.
        Reorganisation {
            id: "tach-phuong-son".into(),
            kind: ReorganisationKind::Split,
            date: date(2025, 7, 1),
            decision: None,
            parts: vec![
                part("phuong-son", "phuong-son-2025", "0.6"),
                part("phuong-son", "tan-son-2025", "0.40"),
            ],
        },
        Reorganisation {
            id: "kim-2025".into(),
            kind: ReorganisationKind::Rename,
            date: date(2025, 7, 1),
            decision: Some("Nghị quyết 1656/NQ-UBTVQH15".into()),
            parts: vec![part("kim", "kim-2025", "1.0")],
        },
        Reorganisation {
            id: "thon-ke-2025".into(),
            kind: ReorganisationKind::Transfer,
            date: date(2025, 7, 1),
            decision: None,
            parts: vec![part("thon-ke", "tan-son-2025", "0.25")],
        },
    ];
    Dataset {
        resolutions,
        targets,
        adjustments,
        documents,
        tasks,
        reorganisations,
        observations: obs,
        ..Dataset::default()
    }
}

/// [`base`] followed by [`rest`]: a complete, valid dataset.
pub fn sample() -> Dataset {
    let mut d = base();
    d.extend(rest());
    d
}

/// Every decimal of a dataset as text, in a fixed order. `Decimal`'s `==` ignores scale
/// (`1.0 == 1.00`); comparing these texts checks that the scale survived too.
pub fn decimal_texts(d: &Dataset) -> Vec<String> {
    fn value(out: &mut Vec<String>, v: &TargetValue) {
        match v {
            TargetValue::Exact(x) | TargetValue::ChangePerYear(x) => out.push(x.to_string()),
            TargetValue::Range { min, max } => {
                out.push(min.to_string());
                out.push(max.to_string());
            }
        }
    }
    let mut out = Vec::new();
    for t in &d.targets {
        out.push(t.baseline.to_string());
        value(&mut out, &t.original.value);
        out.extend(t.milestones.iter().map(|m| m.value.to_string()));
    }
    for a in &d.adjustments {
        if let Some(v) = &a.change.value {
            value(&mut out, v);
        }
    }
    for i in &d.indicators {
        if let Aggregation::CountWhere { value, .. } = &i.aggregation {
            out.push(value.to_string());
        }
    }
    for r in &d.reorganisations {
        out.extend(r.parts.iter().map(|p| p.share.to_string()));
    }
    out.extend(d.observations.iter().map(|o| o.value.to_string()));
    out
}

/// What each backend's upgrade test writes with the first schema (`0001`, before targets could
/// be allocated and indicators count), as the domain reads it once the schema is up to date.
pub fn first_schema() -> Dataset {
    Dataset {
        units: vec![
            unit("bac-giang", "Tỉnh Bắc Giang", Level::Province, None),
            unit(
                "luc-ngan",
                "Huyện Lục Ngạn",
                Level::District,
                Some("bac-giang"),
            ),
        ],
        terms: vec![Term {
            id: "2015-2020".into(),
            start: date(2015, 10, 1),
            end: date(2020, 9, 30),
        }],
        resolutions: vec![Resolution {
            id: "bac-giang-xviii".into(),
            unit: "bac-giang".into(),
            kind: ResolutionKind::Congress,
            congress: None,
            term: "2015-2020".into(),
            number: None,
            adopted: date(2015, 10, 15),
            title: "Nghị quyết Đại hội XVIII".into(),
            issuer: None,
            body: BodyKind::Party,
        }],
        indicators: vec![
            Indicator {
                id: "forest_area".into(),
                name: "Diện tích rừng".into(),
                name_en: None,
                measure: "ha".into(),
                direction: Direction::Higher,
                aggregation: Aggregation::Base(AggregationMethod::Sum),
            },
            Indicator {
                id: "forest_cover".into(),
                name: "Tỷ lệ che phủ rừng".into(),
                name_en: None,
                measure: "%".into(),
                direction: Direction::Higher,
                aggregation: Aggregation::Derived {
                    formula: "forest_area / natural_area * 100".into(),
                },
            },
        ],
        targets: vec![Target {
            resolution: "bac-giang-xviii".into(),
            unit: "bac-giang".into(),
            baseline: dec("100"),
            ..target(
                "14",
                "forest_area",
                Field::Environment,
                TargetKind::Level,
                TargetValue::Exact(dec("120.0")),
            )
        }],
        ..Dataset::default()
    }
}

/// What only the second schema can hold, added to [`first_schema`] after the upgrade.
pub fn after_upgrade() -> Dataset {
    Dataset {
        units: vec![Unit {
            valid_from: Some(date(2025, 7, 1)),
            ..unit("bac-ninh-2025", "Tỉnh Bắc Ninh", Level::Province, None)
        }],
        indicators: vec![Indicator {
            id: "big_forest_communes".into(),
            name: "Số xã có trên 1.000 ha rừng".into(),
            name_en: None,
            measure: "xã".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::CountWhere {
                indicator: "forest_area".into(),
                op: CompareOp::Gt,
                value: dec("1000"),
            },
        }],
        targets: vec![Target {
            resolution: "bac-giang-xviii".into(),
            unit: "luc-ngan".into(),
            allocated_from: Some("bac-giang-xviii/14".into()),
            ..target(
                "14.LN",
                "forest_area",
                Field::Environment,
                TargetKind::Level,
                TargetValue::Exact(dec("30.5")),
            )
        }],
        reorganisations: vec![Reorganisation {
            id: "bac-ninh-2025".into(),
            kind: ReorganisationKind::Merge,
            date: date(2025, 7, 1),
            decision: None,
            parts: vec![Succession {
                from: "bac-giang".into(),
                to: "bac-ninh-2025".into(),
                share: dec("1"),
            }],
        }],
        ..Dataset::default()
    }
}
