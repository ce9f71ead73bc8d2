#![allow(clippy::unwrap_used)] // Test data: a failure is a test failure.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chitieu_domain::review::*;
use chitieu_domain::status::{Assessment, Figure, Method, Status};
use chitieu_domain::{
    Decimal, Decision, Direction, DocumentKind, Field, Level, Period, ResolutionKind, Standing,
    Subject, TargetKind, TargetValue, Term,
};
use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn terms() -> Vec<Term> {
    vec![Term {
        id: "2020-2025".into(),
        start: day(2020, 1, 1),
        end: day(2025, 12, 31),
    }]
}

fn assessment(status: Status, latest: &str, standing: Standing, target: &str) -> Assessment {
    Assessment {
        status,
        method: Method::Compound,
        target: Some(d(target)),
        latest: Some(Figure {
            period: Period::Year(2022),
            value: d(latest),
            standing,
        }),
        measure: Some(d(latest)),
        realisation: Some(37.5),
        progress: Some(12.5),
        ratio: Some(0.42),
        projected: Some(21.75),
        figures_used: 2,
        note: None,
    }
}

fn target(code: &str, indicator: &str, unit: &str, value: &str, a: Assessment) -> TargetReview {
    TargetReview {
        resolution: "xa-a-iii".into(),
        code: code.into(),
        name: format!("{indicator} đạt {value}"),
        field: Field::Economy,
        kind: TargetKind::Level,
        indicator: code.into(),
        indicator_name: indicator.into(),
        measure_unit: unit.into(),
        direction: Direction::Higher,
        unit: "xa-a".into(),
        baseline: d("3"),
        baseline_period: Period::Year(2020),
        original: TargetValue::Exact(d(value)),
        value: TargetValue::Exact(d(value)),
        adjusted: None,
        deadline: day(2025, 12, 31),
        assessment: a,
        assessment_adjusted: None,
        milestone: None,
        source: None,
        illustrative: false,
    }
}

/// A commune's review with two targets, one met and one off track, and nothing else: no
/// document, no adjustment, no task.
fn bare() -> Review {
    let met = target(
        "1",
        "Tỷ lệ hộ dùng nước sạch",
        "%",
        "90",
        assessment(Status::Achieved, "90", Standing::Final, "90"),
    );
    let short = target(
        "2",
        "Đường giao thông được cứng hóa",
        "km",
        "40",
        assessment(Status::OffTrack, "12", Standing::Estimate, "40"),
    );
    let mut counts: BTreeMap<&'static str, usize> =
        Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    counts.insert("achieved", 1);
    counts.insert("off_track", 1);
    Review {
        unit: UnitRef {
            id: "xa-a".into(),
            name: "Xã An Phú".into(),
            level: Level::Commune,
        },
        as_of: day(2023, 3, 14),
        include_unapproved: false,
        resolutions: vec![ResolutionSummary {
            id: "xa-a-iii".into(),
            title: "Nghị quyết Đại hội Đảng bộ xã An Phú lần thứ III".into(),
            issuer: Some("Đảng bộ xã An Phú".into()),
            unit: "xa-a".into(),
            kind: ResolutionKind::Congress,
            congress: Some(3),
            term: "2020-2025".into(),
            adopted: day(2020, 7, 1),
            own: true,
            achieved_or_exceeded: 1,
            total: 2,
            assessable: 2,
            reach_80: 1,
            counts: counts.clone(),
            achieved_or_exceeded_adjusted: 1,
            total_adjusted: 2,
            counts_adjusted: counts,
        }],
        documents: DocumentSummary {
            from: day(2020, 7, 1),
            to: day(2023, 3, 14),
            counts: BTreeMap::new(),
            list: Vec::new(),
        },
        shortfalls: vec![Shortfall {
            kind: ShortfallKind::Target,
            resolution: "xa-a-iii".into(),
            code: "2".into(),
            name: short.name.clone(),
            status: Some(Status::OffTrack),
            latest: short.assessment.latest.clone(),
            target: short.assessment.target,
            realisation: short.assessment.realisation,
            unit: None,
        }],
        targets: vec![met, short],
        adjustments: Vec::new(),
        tasks: Vec::new(),
    }
}

fn decision() -> Decision {
    Decision {
        body: "Ban Thường vụ Đảng ủy xã An Phú".into(),
        reference: "Hội nghị sơ kết giữa nhiệm kỳ".into(),
        date: day(2023, 3, 14),
    }
}

/// [`bare`] with documents, an adjustment of target 2 (40 → 35 km) and a withdrawn task, all
/// decided at the meeting.
fn full() -> Review {
    let mut r = bare();
    r.documents.counts.insert(DocumentKind::Plan, 2);
    r.documents.counts.insert(DocumentKind::Directive, 1);
    r.adjustments = vec![
        AdjustmentReview {
            subject: Subject::Target {
                resolution: "xa-a-iii".into(),
                code: "2".into(),
            },
            name: "Đường giao thông được cứng hóa đạt 40".into(),
            decision: decision(),
            reason: "Phù hợp với nguồn lực".into(),
            changes: vec![
                ChangeRow::Value {
                    from: TargetValue::Exact(d("40")),
                    to: TargetValue::Exact(d("35")),
                },
                ChangeRow::Wording {
                    from: "Đường giao thông được cứng hóa đạt 40".into(),
                    to: "Đường giao thông được cứng hóa đạt 35".into(),
                },
            ],
        },
        AdjustmentReview {
            subject: Subject::Task {
                resolution: "xa-a-iii".into(),
                code: "NV1".into(),
            },
            name: "Xây dựng nhà văn hóa thôn Đông".into(),
            decision: decision(),
            reason: "Không còn phù hợp".into(),
            changes: vec![ChangeRow::Withdraw],
        },
    ];
    r.tasks = vec![TaskReview {
        resolution: "xa-a-iii".into(),
        code: "NV1".into(),
        name: "Xây dựng nhà văn hóa thôn Đông".into(),
        unit: "xa-a".into(),
        status: TaskStatus::Withdrawn,
        due: Some(day(2024, 12, 31)),
        illustrative: false,
    }];
    r
}

#[test]
fn the_full_summary_says_each_piece() {
    let vi = summary(Lang::Vi, &full(), &terms());
    for piece in [
        "Ngày 14/3/2023, Ban Thường vụ Đảng ủy xã An Phú tổ chức hội nghị sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội Đảng bộ xã An Phú lần thứ III.",
        "Từ ngày 1/7/2020 đến nay, Xã An Phú đã ban hành 2 kế hoạch, 1 chỉ thị.",
        "Đến nay, có 1/2 chỉ tiêu Đại hội hoàn thành và hoàn thành vượt mức.",
        "Còn 1 chỉ tiêu khó hoàn thành: Đường giao thông được cứng hóa ước đạt 12 km (năm 2022), mục tiêu 40 km.",
        "Hội nghị quyết định điều chỉnh 1 chỉ tiêu của Nghị quyết Đại hội Đảng bộ xã An Phú lần thứ III: Đường giao thông được cứng hóa (từ 40 km xuống 35 km).",
        "Đồng thời, đưa ra khỏi nghị quyết 1 nhiệm vụ: Xây dựng nhà văn hóa thôn Đông.",
    ] {
        assert!(vi.contains(piece), "missing «{piece}» in:\n{vi}");
    }
    let en = summary(Lang::En, &full(), &terms());
    for piece in [
        "On 14 March 2023, Ban Thường vụ Đảng ủy xã An Phú held a conference for the mid-term review of",
        "Since 1 July 2020, Xã An Phú has issued 2 plans and 1 directive.",
        "To date, 1 of the 2 congress targets have been achieved or exceeded.",
        "from 40 km to 35 km",
        "It also decided to withdraw 1 task from the resolution: Xây dựng nhà văn hóa thôn Đông.",
    ] {
        assert!(en.contains(piece), "missing «{piece}» in:\n{en}");
    }
}

#[test]
fn absent_pieces_leave_their_sentences_out() {
    for lang in [Lang::Vi, Lang::En] {
        let text = summary(lang, &bare(), &terms());
        for absent in [
            "điều chỉnh",
            "adjust",
            "đưa ra khỏi",
            "withdraw",
            "ban hành",
            "issued",
            "Lý do",
            "Reason",
            "(*)",
        ] {
            assert!(!text.contains(absent), "«{absent}» in:\n{text}");
        }
    }
    // No term: nothing says whether the review is a mid-term or an end-of-term one.
    for lang in [Lang::Vi, Lang::En] {
        let text = summary(lang, &full(), &[]);
        for absent in ["sơ kết", "tổng kết", "mid-term", "end-of-term"] {
            assert!(!text.contains(absent), "«{absent}» in:\n{text}");
        }
    }
    // No shortfall, no shortfall sentence.
    let mut r = bare();
    r.shortfalls.clear();
    let text = summary(Lang::Vi, &r, &terms());
    assert!(!text.contains("Còn "), "{text}");
    // No decision on the review's date: the issuer of the resolution met, and no conference is
    // claimed.
    let text = summary(Lang::Vi, &bare(), &terms());
    assert!(
        text.contains("Ngày 14/3/2023, Đảng bộ xã An Phú sơ kết giữa nhiệm kỳ thực hiện"),
        "{text}"
    );
    assert!(!text.contains("hội nghị"), "{text}");
}

#[test]
fn the_end_of_the_term_makes_an_end_of_term_review() {
    let mut r = full();
    r.as_of = day(2025, 6, 30);
    let text = summary(Lang::Vi, &r, &terms());
    // The decision quoted later keeps its own name, "Hội nghị sơ kết…": only the title and the
    // lead say what kind of review this is.
    let head: String = text.split("\n\n").take(2).collect();
    assert!(head.contains("tổng kết nhiệm kỳ"), "{text}");
    assert!(!head.contains("sơ kết"), "{text}");
}

#[test]
fn illustrative_figures_carry_the_footnote() {
    let mut r = full();
    r.targets[1].illustrative = true;
    let text = summary(Lang::Vi, &r, &terms());
    assert!(text.contains("mục tiêu 40 km (*)"), "{text}");
    assert!(
        text.ends_with("(*) Số liệu minh họa, không lấy từ văn bản thật.\n"),
        "{text}"
    );
}

/// The numbers written in `text`: "41,3", "2018", "1.234" (a date's parts apart).
fn numbers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map(|t| t.trim_matches(|c| c == ',' || c == '.'))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Every number the review and its terms hold, as either language writes it.
fn numbers_in(r: &Review, terms: &[Term]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |s: String| out.extend(numbers(&s));
    for t in terms {
        add(format!("{} {}", t.start, t.end));
    }
    for lang in [Lang::Vi, Lang::En] {
        let dec = |x: Decimal| locale::dec(lang, x);
        add(locale::date(lang, r.as_of));
        add(locale::date(lang, r.documents.from));
        for n in r.documents.counts.values() {
            add(n.to_string());
        }
        for s in &r.resolutions {
            add(s.title.clone());
            for n in [s.achieved_or_exceeded, s.total, s.total_adjusted] {
                add(n.to_string());
            }
            s.counts.values().for_each(|n| add(n.to_string()));
        }
        for t in &r.targets {
            add(t.indicator_name.clone());
            if let Some(l) = &t.assessment.latest {
                add(dec(l.value));
                add(locale::period(lang, l.period));
            }
            if let Some(x) = t.assessment.target {
                add(dec(x));
            }
        }
        for a in &r.adjustments {
            add(a.name.clone());
            add(a.decision.reference.clone());
            for c in &a.changes {
                if let ChangeRow::Value { from, to } = c {
                    add(locale::target_value(lang, from, ""));
                    add(locale::target_value(lang, to, ""));
                }
            }
        }
        for t in &r.tasks {
            add(t.name.clone());
        }
        // How many items a sentence lists.
        for n in 1..=r.adjustments.len().max(r.shortfalls.len()) {
            add(n.to_string());
        }
    }
    out
}

#[test]
fn no_figure_outside_the_data() {
    let r = full();
    let allowed = numbers_in(&r, &terms());
    for lang in [Lang::Vi, Lang::En] {
        let text = summary(lang, &r, &terms());
        let stray: Vec<String> = numbers(&text).difference(&allowed).cloned().collect();
        assert!(stray.is_empty(), "{stray:?} not in the data:\n{text}");
        // The review's derived numbers (realisation, progress, R, projection) are the
        // report's, not the press's.
        for derived in [
            "37,5", "37.5", "12,5", "12.5", "0,42", "0.42", "21,75", "21.75",
        ] {
            assert!(!text.contains(derived), "{derived} in:\n{text}");
        }
    }
}

#[test]
fn a_unit_without_resolutions_says_only_that() {
    let mut r = bare();
    r.resolutions.clear();
    r.targets.clear();
    r.shortfalls.clear();
    assert_eq!(
        summary(Lang::Vi, &r, &terms()),
        "Tính đến ngày 14/3/2023, Xã An Phú chưa có nghị quyết nào để đánh giá.\n"
    );
}

#[test]
fn a_withdrawn_task_without_its_decision_is_still_named() {
    let mut r = full();
    r.adjustments
        .retain(|a| matches!(a.subject, Subject::Target { .. }));
    let text = summary(Lang::Vi, &r, &terms());
    assert!(
        text.contains("Nhiệm vụ đã đưa ra khỏi nghị quyết: Xây dựng nhà văn hóa thôn Đông."),
        "{text}"
    );
    assert!(!text.contains("Đồng thời"), "{text}");
}
