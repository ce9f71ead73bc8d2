//! The complete example of `docs/bundle.md`: it parses, with the documented defaults, and
//! round-trips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use chitieu_domain::{
    BodyKind, Decimal, Period, ReorganisationKind, ReviewState, Standing, Succession, TargetValue,
    TaskState,
};
use chitieu_io::{bundle_to_toml, parse_bundle};
use chrono::NaiveDate;

const SPEC: &str = include_str!("../../../docs/bundle.md");

fn example() -> &'static str {
    let start = SPEC.find("## A complete example").unwrap_or(0);
    let rest = &SPEC[start..];
    let open = rest.find("```toml\n").map_or(0, |i| i + "```toml\n".len());
    let body = &rest[open..];
    &body[..body.find("```").unwrap_or(body.len())]
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn example_parses_with_defaults() {
    let parsed = parse_bundle(example(), "example.toml").unwrap_or_else(|e| panic!("{e}"));
    let ds = &parsed.dataset;
    assert_eq!(ds.units.len(), 4);
    assert_eq!(ds.units[1].parent.as_deref(), Some("bac-giang"));
    assert_eq!(ds.units[0].valid_to, Some(day(2025, 6, 30)));
    assert_eq!(ds.units[3].valid_from, Some(day(2025, 7, 1)));
    assert_eq!(ds.resolutions[0].congress, Some(24));
    assert_eq!(ds.resolutions[0].body, BodyKind::Party);
    let t = &ds.targets[0];
    assert_eq!(
        t.unit, "luc-ngan",
        "target unit defaults to the resolution's"
    );
    assert_eq!(
        t.original.deadline,
        day(2020, 12, 31),
        "deadline defaults to the end of the term"
    );
    assert_eq!(t.baseline, dec("35.5"));
    assert_eq!(t.baseline_period, Period::Year(2015));
    assert_eq!(t.original.value, TargetValue::Exact(dec("37")));
    assert_eq!(t.precision, Some(1));
    assert_eq!(t.milestones[0].value.to_string(), "36.4");
    assert!(!t.illustrative);
    let a = &ds.adjustments[0];
    assert_eq!(a.change.value, Some(TargetValue::Exact(dec("41.3"))));
    assert_eq!(
        a.change.value.as_ref().map(|v| format!("{v:?}")),
        Some("Exact(41.3)".into())
    );
    assert_eq!(
        a.change.wording.as_deref(),
        Some("Độ che phủ rừng đạt 41,3%")
    );
    assert_eq!(ds.targets[0].allocated_from, None);
    let share = &ds.targets[2];
    assert_eq!(share.allocated_from.as_deref(), Some("bac-giang-xviii/14"));
    assert_eq!(share.unit, "luc-ngan");
    assert_eq!(share.indicator, ds.targets[1].indicator);
    assert_eq!(ds.documents[0].targets, ["luc-ngan-xxiv/11"]);
    assert_eq!(ds.tasks[0].unit, "luc-ngan");
    assert_eq!(ds.tasks[0].state, TaskState::InProgress);
    let r = &ds.reorganisations[0];
    assert_eq!(
        (r.id.as_str(), r.kind, r.date, r.decision.as_deref()),
        (
            "bac-ninh-2025",
            ReorganisationKind::Merge,
            day(2025, 7, 1),
            Some("Nghị quyết 202/2025/QH15")
        )
    );
    assert_eq!(
        r.parts,
        [
            Succession {
                from: "bac-giang".into(),
                to: "bac-ninh-2025".into(),
                share: Decimal::ONE,
            },
            Succession {
                from: "bac-ninh".into(),
                to: "bac-ninh-2025".into(),
                share: Decimal::ONE,
            },
        ],
        "a share defaults to the whole unit"
    );
    let o = &ds.observations[0];
    assert_eq!(
        (o.standing, o.state),
        (Standing::Final, ReviewState::Approved)
    );
    assert_eq!(o.value.to_string(), "36.2");
    assert_eq!(o.reported, Some(day(2018, 2, 10)));
    assert_eq!(parsed.spans.table("targets", 0).map(|p| p.1), Some(1));
}

#[test]
fn example_round_trips() {
    let first = parse_bundle(example(), "example.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    let text = bundle_to_toml(&first);
    let second = parse_bundle(&text, "export.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .dataset;
    assert_eq!(first, second);
    assert_eq!(
        bundle_to_toml(&second),
        text,
        "the second export is byte-identical"
    );
}

#[test]
fn example_export_is_readable() {
    let ds = parse_bundle(example(), "example.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    let text = bundle_to_toml(&ds);
    let expected = r#"format = "chitieu-bundle/1"

[[units]]
id = "bac-giang"
name = "Tỉnh Bắc Giang"
name_en = "Bac Giang province"
level = "province"
code = "24"
valid_to = 2025-06-30

[[units]]
id = "luc-ngan"
name = "Huyện Lục Ngạn"
level = "district"
parent = "bac-giang"
code = "219"

[[units]]
id = "bac-ninh"
name = "Tỉnh Bắc Ninh"
level = "province"
code = "27"
valid_to = 2025-06-30

[[units]]
id = "bac-ninh-2025"
name = "Tỉnh Bắc Ninh"
name_en = "Bac Ninh province (from 2025)"
level = "province"
valid_from = 2025-07-01

[[terms]]
id = "2015-2020"
start = 2015-01-01
end = 2020-12-31

[[resolutions]]
id = "luc-ngan-xxiv"
unit = "luc-ngan"
kind = "congress"
congress = 24
term = "2015-2020"
adopted = 2015-07-15
title = "Nghị quyết Đại hội đại biểu Đảng bộ huyện Lục Ngạn lần thứ XXIV, nhiệm kỳ 2015–2020"
issuer = "Đảng bộ huyện Lục Ngạn"

[[resolutions]]
id = "bac-giang-xviii"
unit = "bac-giang"
kind = "congress"
congress = 18
term = "2015-2020"
adopted = 2015-10-15
title = "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Bắc Giang lần thứ XVIII, nhiệm kỳ 2015–2020"

[[indicators]]
id = "forest-cover"
name = "Độ che phủ rừng"
name_en = "Forest cover"
measure = "%"
direction = "higher"
aggregation = "last"

[[targets]]
resolution = "luc-ngan-xxiv"
code = "11"
name = "Độ che phủ rừng đạt 37%"
indicator = "forest-cover"
field = "environment"
kind = "level"
baseline = 35.5
baseline_period = "2015"
value = 37
precision = 1
milestones = [{ period = "2018", value = 36.4 }]

[[targets]]
resolution = "bac-giang-xviii"
code = "14"
name = "Độ che phủ rừng của tỉnh đạt 38%"
indicator = "forest-cover"
field = "environment"
kind = "level"
baseline = 37
baseline_period = "2015"
value = 38
illustrative = true

[[targets]]
resolution = "bac-giang-xviii"
code = "14.LN"
name = "Độ che phủ rừng huyện Lục Ngạn đạt 41%"
indicator = "forest-cover"
unit = "luc-ngan"
field = "environment"
kind = "level"
baseline = 35.5
baseline_period = "2015"
value = 41
source = "tỉnh giao"
allocated_from = "bac-giang-xviii/14"
illustrative = true

[[adjustments]]
resolution = "luc-ngan-xxiv"
target = "11"
date = 2018-06-25
body = "Ban Thường vụ Huyện ủy Lục Ngạn"
decision = "Hội nghị sơ kết giữa nhiệm kỳ"
reason = "Cho phù hợp với thực tiễn"
value = 41.3
name = "Độ che phủ rừng đạt 41,3%"

[[documents]]
number = "01-NQ/HU"
kind = "resolution"
date = 2015-11-20
title = "Nghị quyết về phát triển lâm nghiệp giai đoạn 2016–2020"
issuer = "luc-ngan"
resolutions = ["luc-ngan-xxiv"]
targets = ["luc-ngan-xxiv/11"]

[[tasks]]
resolution = "luc-ngan-xxiv"
code = "NV1"
name = "Xây dựng phố Kim, xã Phượng Sơn trở thành thị trấn Kim"
due = 2018-12-31
state = "in_progress"

[[reorganisations]]
id = "bac-ninh-2025"
kind = "merge"
date = 2025-07-01
decision = "Nghị quyết 202/2025/QH15"
parts = [
    { from = "bac-giang", to = "bac-ninh-2025" },
    { from = "bac-ninh", to = "bac-ninh-2025" },
]

[[observations]]
unit = "luc-ngan"
indicator = "forest-cover"
period = "2017"
value = 36.2
source = "Hạt Kiểm lâm"
reported = 2018-02-10
"#;
    assert_eq!(text, expected);
}

const MINI: &str = r#"format = "chitieu-bundle/1"

[[units]]
id = "luc-ngan"
name = "Huyện Lục Ngạn"
level = "district"

[[indicators]]
id = "x"
name = "X"
measure = "ha"
direction = "lower"
aggregation = "sum"
"#;

fn with_obs(value: &str) -> String {
    format!("{MINI}\n[[observations]]\nunit = \"luc-ngan\"\nindicator = \"x\"\nperiod = \"2018-Q2\"\nvalue = {value}\n")
}

#[test]
fn numbers_are_exact_and_normalised() {
    let cases = [
        ("41.30", "41.3"),
        ("41.3", "41.3"),
        ("\"41.30\"", "41.3"),
        ("37", "37"),
        ("37.0", "37"),
        ("-2", "-2"),
        ("-0.0", "0"),
        ("\"1234567890.123456789\"", "1234567890.123456789"),
        (
            "\"-79228162514264337593543950335\"",
            "-79228162514264337593543950335",
        ),
        ("0.1", "0.1"),
        ("1e3", "1000"),
        ("1_000", "1000"),
    ];
    for (written, expected) in cases {
        let ds = parse_bundle(&with_obs(written), "n.toml")
            .unwrap_or_else(|e| panic!("{written}: {e}"))
            .dataset;
        let v = ds.observations[0].value;
        assert_eq!(v.to_string(), expected, "{written}");
        let again = parse_bundle(&bundle_to_toml(&ds), "n.toml")
            .unwrap_or_else(|e| panic!("{e}"))
            .dataset;
        assert_eq!(again.observations[0].value.to_string(), expected);
    }
}

#[test]
fn text_is_nfc() {
    // "Lục Ngạn" with combining dots below.
    let decomposed = MINI.replace(
        "Huyện Lục Ngạn",
        "Huye\u{0302}\u{0323}n Lu\u{0323}c Nga\u{0323}n",
    );
    assert_ne!(decomposed, MINI);
    let ds = parse_bundle(&decomposed, "nfc.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(ds.units[0].name, "Huyện Lục Ngạn");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = format!("\u{feff}{}", with_obs("1").replace('\n', "\r\n"));
    let ds = parse_bundle(&text, "bom.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(ds.observations[0].period, Period::Quarter(2018, 2));
}

#[test]
fn inline_tables_and_explicit_defaults_are_accepted() {
    let text = r#"format = "chitieu-bundle/1"
units = [{ id = "a", name = "A", level = "thôn" }]
terms = [{ id = "t", start = 2020-01-01, end = "2025-12-31" }]
"#;
    let ds = parse_bundle(text, "inline.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(ds.units[0].level.as_str(), "thôn");
    assert_eq!(ds.terms[0].end, day(2025, 12, 31));
}

#[test]
fn empty_dataset_round_trips() {
    let ds = parse_bundle("format = \"chitieu-bundle/1\"\n", "empty.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(ds, Default::default());
    assert_eq!(bundle_to_toml(&ds), "format = \"chitieu-bundle/1\"\n");
}
