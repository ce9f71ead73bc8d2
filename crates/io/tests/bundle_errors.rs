//! Every error names the file, the line and column, where in the data, and what was expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chitieu_io::{bundle_to_toml, located, parse_bundle};

/// A valid bundle; the line numbers in the tests below refer to it (line 1 is `format`).
const BASE: &str = r#"format = "chitieu-bundle/1"

[[units]]
id = "bac-giang"
name = "Tỉnh Bắc Giang"
level = "province"

[[units]]
id = "luc-ngan"
name = "Huyện Lục Ngạn"
level = "district"
parent = "bac-giang"

[[terms]]
id = "2015-2020"
start = 2015-01-01
end = 2020-12-31

[[resolutions]]
id = "luc-ngan-xxiv"
unit = "luc-ngan"
kind = "congress"
term = "2015-2020"
adopted = 2015-07-15
title = "Nghị quyết Đại hội XXIV"

[[indicators]]
id = "forest-cover"
name = "Độ che phủ rừng"
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

[[targets]]
resolution = "luc-ngan-xxiv"
code = "12"
name = "Giảm tỷ lệ hộ nghèo 2%/năm"
indicator = "forest-cover"
field = "culture_society"
kind = "every_year"
baseline = 12
baseline_period = "2015"
change_per_year = -2

[[adjustments]]
resolution = "luc-ngan-xxiv"
target = "11"
date = 2018-06-25
body = "Ban Thường vụ Huyện ủy"
decision = "Hội nghị sơ kết giữa nhiệm kỳ"
reason = "Cho phù hợp"
value = 41.3

[[observations]]
unit = "luc-ngan"
indicator = "forest-cover"
period = "2017"
value = 36.2
"#;

/// `BASE` with the first occurrence of `from` replaced by `to`.
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in the base bundle");
    BASE.replacen(from, to, 1)
}

fn error(text: &str) -> String {
    match parse_bundle(text, "demo.toml") {
        Ok(_) => panic!("expected an error in:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn base_is_valid() {
    let parsed = parse_bundle(BASE, "demo.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.dataset.targets.len(), 2);
    let again =
        parse_bundle(&bundle_to_toml(&parsed.dataset), "x.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.dataset, parsed.dataset);
}

#[test]
fn toml_syntax_error() {
    assert_eq!(
        error(&edit(
            "name = \"Tỉnh Bắc Giang\"",
            "name = \"Tỉnh Bắc Giang"
        )),
        "demo.toml:5:23: invalid basic string"
    );
    assert_eq!(
        error(&edit("[[terms]]", "[[terms]")),
        "demo.toml:14:8: invalid table header; expected `.`, `]]`"
    );
}

#[test]
fn wrong_type_string_for_number() {
    assert_eq!(
        error(&edit("baseline = 35.5", "baseline = \"abc\"")),
        "demo.toml:41:12: targets[0].baseline: expected a number (a number with a dot as decimal separator, \
         such as 41.3 or -2; quoted when it has many digits), found \"abc\""
    );
    assert_eq!(
        error(&edit("baseline = 35.5", "baseline = \"35,5\"")),
        "demo.toml:41:12: targets[0].baseline: expected a number with a dot as decimal separator, such as 41.3 or -2, found \"35,5\""
    );
}

#[test]
fn wrong_type_boolean_for_number() {
    assert_eq!(
        error(&edit("value = 37", "value = true")),
        "demo.toml:43:9: targets[0].value: expected a number, found a boolean (true)"
    );
}

#[test]
fn wrong_type_number_for_string() {
    assert_eq!(
        error(&edit("title = \"Nghị quyết Đại hội XXIV\"", "title = 24")),
        "demo.toml:25:9: resolutions[0].title: expected a string, found an integer (24)"
    );
    assert_eq!(
        error(&edit("code = \"11\"", "code = 11")),
        "demo.toml:36:8: targets[0].code: expected a string, found an integer (11) (write codes in quotes: \"11\")"
    );
}

#[test]
fn non_finite_float() {
    assert_eq!(
        error(&edit("value = 36.2", "value = nan")),
        "demo.toml:69:9: observations[0].value: expected a finite number, found NaN"
    );
}

#[test]
fn unknown_key() {
    assert_eq!(
        error(&edit("level = \"district\"", "levle = \"district\"")),
        "demo.toml:11:1: units[1].levle: unknown field `levle`, expected one of `id`, `name`, `name_en`, \
         `level`, `parent`, `code`, `valid_from`, `valid_to` (and 1 more)"
    );
    let e = parse_bundle(
        &edit("level = \"district\"", "levle = \"district\""),
        "demo.toml",
    )
    .err();
    let lines = e.map(|e| e.lines()).unwrap_or_default();
    assert_eq!(lines[1], "demo.toml:8:1: units[1]: missing field `level`");
}

#[test]
fn unknown_top_level_key() {
    assert_eq!(
        error(&edit("[[terms]]", "[[term]]")),
        "demo.toml:14:3: unknown field `term`, expected one of `format`, `units`, `terms`, `resolutions`, \
         `indicators`, `targets`, `adjustments`, `documents`, `tasks`, `reorganisations`, `observations`"
    );
}

#[test]
fn single_table_instead_of_array() {
    assert_eq!(
        error(&edit("[[terms]]", "[terms]")),
        "demo.toml:14:1: invalid type: map, expected a sequence (write each entry as a [[table]], e.g. [[units]], not [units])"
    );
}

#[test]
fn unknown_enum_word() {
    assert_eq!(
        error(&edit("kind = \"level\"", "kind = \"levle\"")),
        "demo.toml:40:8: targets[0].kind: unknown target kind `levle`, expected one of `level`, `cumulative`, \
         `average`, `every_year`, `maintain`"
    );
    assert_eq!(
        error(&edit("direction = \"higher\"", "direction = \"up\"")),
        "demo.toml:31:13: indicators[0].direction: unknown direction `up`, expected one of `higher`, `lower`"
    );
}

#[test]
fn unknown_references() {
    assert_eq!(
        error(&edit(
            "unit = \"luc-ngan\"\nindicator",
            "unit = \"lục-ngạn\"\nindicator"
        )),
        "demo.toml:66:8: observations[0].unit: unknown unit `lục-ngạn`"
    );
    assert_eq!(
        error(&edit(
            "indicator = \"forest-cover\"\nfield = \"culture",
            "indicator = \"forest_cover\"\nfield = \"culture"
        )),
        "demo.toml:49:13: targets[1].indicator: unknown indicator `forest_cover`"
    );
    // The unknown resolution is found while taking the target's unit from its resolution.
    assert_eq!(
        error(&edit(
            "resolution = \"luc-ngan-xxiv\"\ncode = \"12\"",
            "resolution = \"luc-ngan-xxv\"\ncode = \"12\""
        )),
        "demo.toml:46:14: targets[1].resolution: unknown resolution `luc-ngan-xxv`"
    );
    // With the unit given, it is found by validation.
    assert_eq!(
        error(&edit(
            "resolution = \"luc-ngan-xxiv\"\ncode = \"12\"",
            "resolution = \"luc-ngan-xxv\"\nunit = \"luc-ngan\"\ndeadline = 2020-12-31\ncode = \"12\""
        )),
        "demo.toml:46:14: targets[1].resolution: unknown resolution `luc-ngan-xxv`"
    );
    assert_eq!(
        error(&edit("term = \"2015-2020\"", "term = \"2015-2021\"")),
        "demo.toml:23:8: resolutions[0].term: unknown term `2015-2021`"
    );
    assert_eq!(
        error(&edit("parent = \"bac-giang\"", "parent = \"bac-ninh\"")),
        "demo.toml:12:10: units[1].parent: unknown parent unit `bac-ninh`"
    );
}

#[test]
fn duplicate_unit_id_points_at_the_second() {
    let text = edit(
        "[[terms]]",
        "[[units]]\nid = \"luc-ngan\"\nname = \"Lục Ngạn\"\nlevel = \"district\"\n\n[[terms]]",
    );
    assert_eq!(
        error(&text),
        "demo.toml:15:6: units[2].id: duplicate unit id `luc-ngan`"
    );
}

#[test]
fn duplicate_target_code() {
    assert_eq!(
        error(&edit("code = \"12\"", "code = \"11\"")),
        "demo.toml:47:8: targets[1].code: duplicate target `11` in resolution `luc-ngan-xxiv`"
    );
}

#[test]
fn target_without_baseline() {
    assert_eq!(
        error(&edit("baseline = 12\n", "")),
        "demo.toml:45:1: targets[1]: missing field `baseline`"
    );
    assert_eq!(
        error(&edit("baseline_period = \"2015\"\nvalue", "value")),
        "demo.toml:34:1: targets[0]: missing field `baseline_period`"
    );
}

#[test]
fn target_value_forms() {
    assert_eq!(
        error(&edit("value = 37\n", "")),
        "demo.toml:34:1: targets[0]: missing field `value`: give exactly one of `value`, `value_min` + `value_max`, \
         or `change_per_year`"
    );
    assert_eq!(
        error(&edit("value = 37\n", "value = 37\nchange_per_year = 1\n")),
        "demo.toml:44:19: targets[0].change_per_year: give exactly one of `value`, `value_min` + `value_max`, \
         or `change_per_year`, not several"
    );
    assert_eq!(
        error(&edit("value = 37\n", "value_min = 37\n")),
        "demo.toml:34:1: targets[0]: missing field `value_max`"
    );
    assert_eq!(
        error(&edit("value = 37\n", "value_min = 38\nvalue_max = 37\n")),
        "demo.toml:43:13: targets[0].value: range minimum 38 is above its maximum 37"
    );
}

#[test]
fn aggregation_xor_formula() {
    assert_eq!(
        error(&edit("aggregation = \"last\"", "aggregation = \"last\"\nformula = \"a / b\"")),
        "demo.toml:33:11: indicators[0].formula: give either `aggregation` (a base indicator) or `formula` \
         (a derived indicator), not both"
    );
    assert_eq!(
        error(&edit("aggregation = \"last\"\n", "")),
        "demo.toml:27:1: indicators[0]: missing field `aggregation` (a base indicator) or `formula` (a derived indicator)"
    );
}

#[test]
fn adjustment_with_no_change() {
    assert_eq!(
        error(&edit("value = 41.3\n", "")),
        "demo.toml:56:1: adjustments[0].change: an adjustment must change the value, the deadline or the wording, \
         or withdraw"
    );
}

#[test]
fn adjustment_of_unknown_target() {
    assert_eq!(
        error(&edit("target = \"11\"", "target = \"13\"")),
        "demo.toml:58:10: adjustments[0].target: unknown target `13` of resolution `luc-ngan-xxiv`"
    );
}

#[test]
fn bad_period() {
    assert_eq!(
        error(&edit("period = \"2017\"", "period = \"2018-Q5\"")),
        "demo.toml:68:10: observations[0].period: `2018-Q5` is not a period: expected a year (2018), a half (2018-H1), \
         a quarter (2018-Q2) or a month (2018-06)"
    );
}

#[test]
fn bad_date() {
    assert_eq!(
        error(&edit("date = 2018-06-25", "date = 2018-02-30")),
        "demo.toml:59:16: invalid date-time; value is out of range"
    );
    assert_eq!(
        error(&edit("date = 2018-06-25", "date = \"2018-02-30\"")),
        "demo.toml:59:8: adjustments[0].date: expected a date like 2018-06-25, found \"2018-02-30\""
    );
    assert_eq!(
        error(&edit("date = 2018-06-25", "date = 2018-06-25T08:00:00")),
        "demo.toml:59:8: adjustments[0].date: expected a date like 2018-06-25 (no time of day), found a date-time \
         (2018-06-25T08:00:00)"
    );
    assert_eq!(
        error(&edit("end = 2020-12-31", "end = 2014-12-31")),
        "demo.toml:17:7: terms[0].end: term ends (2014-12-31) before it starts (2015-01-01) (and 2 more)"
    );
}

#[test]
fn missing_or_wrong_format() {
    assert_eq!(
        error(&edit("format = \"chitieu-bundle/1\"\n", "")),
        "demo.toml:1:1: format: missing `format = \"chitieu-bundle/1\"` at the top of the file"
    );
    assert_eq!(
        error(&edit("chitieu-bundle/1", "chitieu-bundle/2")),
        "demo.toml:1:10: format: unsupported format \"chitieu-bundle/2\", expected \"chitieu-bundle/1\""
    );
}

#[test]
fn milestones_errors_name_the_item() {
    assert_eq!(
        error(&edit(
            "value = 37\n",
            "value = 37\nmilestones = [{ period = \"2018\", value = 36 }, { period = \"2019\" }]\n"
        )),
        "demo.toml:44:14: targets[0].milestones[1]: missing field `value`"
    );
}

#[test]
fn every_error_is_kept_and_displayed_as_one_line() {
    let text = edit("kind = \"level\"", "kind = \"levle\"").replacen(
        "direction = \"higher\"",
        "direction = \"up\"",
        1,
    );
    let e = parse_bundle(&text, "demo.toml")
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(e.errors.len(), 2);
    let shown = e.to_string();
    assert!(!shown.contains('\n'));
    assert!(
        shown.starts_with("demo.toml:31:13: indicators[0].direction:"),
        "{shown}"
    );
    assert!(shown.ends_with(" (and 1 more)"), "{shown}");
    assert!(e.lines()[1].starts_with("demo.toml:40:8: targets[0].kind:"));
}

#[test]
fn store_errors_are_located_in_the_file() {
    use chitieu_domain::{Location, ValidationError};
    let parsed = parse_bundle(BASE, "demo.toml").unwrap_or_else(|e| panic!("{e}"));
    let conflict = ValidationError {
        location: Location {
            collection: "targets",
            index: 1,
            field: "code",
        },
        message: "target `luc-ngan-xxiv/12` already exists in the database with different content"
            .into(),
    };
    assert_eq!(parsed.spans.locate(&conflict.location), Some((47, 8)));
    assert_eq!(
        located("demo.toml", &parsed.spans, std::slice::from_ref(&conflict)).to_string(),
        "demo.toml:47:8: targets[1].code: target `luc-ngan-xxiv/12` already exists in the database with different content"
    );
    // A defaulted field falls back to its table.
    let deadline = Location {
        collection: "targets",
        index: 0,
        field: "deadline",
    };
    assert_eq!(parsed.spans.locate(&deadline), Some((34, 1)));
    // Nothing there.
    let nowhere = Location {
        collection: "tasks",
        index: 0,
        field: "code",
    };
    assert_eq!(parsed.spans.locate(&nowhere), None);
}

#[test]
fn merge_conflicts_are_located_in_the_incoming_file() {
    let stored = parse_bundle(BASE, "old.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    let incoming = parse_bundle(
        &edit("Giảm tỷ lệ hộ nghèo 2%/năm", "Giảm tỷ lệ hộ nghèo 3%/năm"),
        "demo.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let errors = stored
        .merge_delta(&incoming.dataset)
        .err()
        .unwrap_or_default();
    assert_eq!(
        located("demo.toml", &incoming.spans, &errors).to_string(),
        "demo.toml:47:8: targets[1].code: target `luc-ngan-xxiv/12` already exists in the database with different content"
    );
    // Re-importing the same file changes nothing.
    let same = parse_bundle(BASE, "demo.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(
        stored.merge_delta(&same).map(|d| d == Default::default()),
        Ok(true)
    );
}

/// Added after `BASE` (whose line numbers stay): a split with shares, an allocated target and
/// a counting indicator. `BASE` ends on line 69, so `[[units]]` below is on line 71.
const EXTRA: &str = r#"
[[units]]
id = "phuong-son"
name = "Xã Phượng Sơn"
level = "commune"
parent = "luc-ngan"
valid_to = 2025-06-30

[[units]]
id = "phuong-son-2025"
name = "Xã Phượng Sơn"
level = "commune"
valid_from = 2025-07-01

[[units]]
id = "kim"
name = "Xã Kim"
level = "commune"
valid_from = 2025-07-01

[[indicators]]
id = "ntm-criteria"
name = "Số tiêu chí nông thôn mới đạt được"
measure = "tiêu chí"
direction = "higher"
aggregation = "last"

[[indicators]]
id = "ntm-communes"
name = "Số xã đạt chuẩn nông thôn mới"
measure = "xã"
direction = "higher"
aggregation = "count_where"
count_of = "ntm-criteria"
condition = ">= 19"

[[targets]]
resolution = "luc-ngan-xxiv"
code = "11a"
name = "Độ che phủ rừng xã Phượng Sơn"
indicator = "forest-cover"
unit = "phuong-son"
field = "environment"
kind = "level"
baseline = 30
baseline_period = "2015"
value = 35
allocated_from = "luc-ngan-xxiv/11"

[[reorganisations]]
id = "tach-phuong-son"
kind = "split"
date = 2025-07-01
decision = "Nghị quyết 1656/NQ-UBTVQH15"
parts = [
    { from = "phuong-son", to = "phuong-son-2025", share = 0.6 },
    { from = "phuong-son", to = "kim", share = 0.4 },
]
"#;

fn full() -> String {
    format!("{BASE}{EXTRA}")
}

/// `full()` with the first occurrence of `from` replaced by `to`.
fn edit_full(from: &str, to: &str) -> String {
    let text = full();
    assert!(text.contains(from), "{from:?} is not in the full bundle");
    text.replacen(from, to, 1)
}

#[test]
fn full_is_valid_and_round_trips() {
    use chitieu_domain::{Aggregation, CompareOp, ReorganisationKind};
    let parsed = parse_bundle(&full(), "demo.toml").unwrap_or_else(|e| panic!("{e}"));
    let ds = &parsed.dataset;
    assert_eq!(
        ds.indicators[2].aggregation,
        Aggregation::CountWhere {
            indicator: "ntm-criteria".into(),
            op: CompareOp::Ge,
            value: 19.into(),
        }
    );
    assert_eq!(
        ds.targets[2].allocated_from.as_deref(),
        Some("luc-ngan-xxiv/11")
    );
    let r = &ds.reorganisations[0];
    assert_eq!(r.kind, ReorganisationKind::Split);
    assert_eq!(
        r.parts
            .iter()
            .map(|p| p.share.to_string())
            .collect::<Vec<_>>(),
        ["0.6", "0.4"]
    );
    let text = bundle_to_toml(ds);
    assert!(
        text.contains(
            "aggregation = \"count_where\"\ncount_of = \"ntm-criteria\"\ncondition = \">= 19\"\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "parts = [\n    { from = \"phuong-son\", to = \"phuong-son-2025\", share = 0.6 },\n"
        ),
        "{text}"
    );
    let again = parse_bundle(&text, "x.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(&again.dataset, ds);
    assert_eq!(bundle_to_toml(&again.dataset), text);
}

#[test]
fn condition_forms() {
    use chitieu_domain::{Aggregation, CompareOp};
    for (written, op, value) in [
        (">= 19", CompareOp::Ge, "19"),
        (">=19", CompareOp::Ge, "19"),
        ("  <  2.50 ", CompareOp::Lt, "2.5"),
        ("<= -1", CompareOp::Le, "-1"),
        ("== 0", CompareOp::Eq, "0"),
        ("!= 3", CompareOp::Ne, "3"),
        ("> 100", CompareOp::Gt, "100"),
    ] {
        let text = edit_full("condition = \">= 19\"", &format!("condition = {written:?}"));
        let ds = parse_bundle(&text, "demo.toml")
            .unwrap_or_else(|e| panic!("{written}: {e}"))
            .dataset;
        let Aggregation::CountWhere {
            op: got, value: v, ..
        } = &ds.indicators[2].aggregation
        else {
            panic!("{written}: not a counting indicator");
        };
        assert_eq!((*got, v.to_string()), (op, value.to_string()), "{written}");
        let export = bundle_to_toml(&ds);
        assert!(
            export.contains(&format!("condition = \"{} {value}\"", op.as_str())),
            "{export}"
        );
    }
}

#[test]
fn bad_condition() {
    let expected = "expected a condition: one of `<`, `<=`, `==`, `!=`, `>=`, `>` and a number, such as \">= 19\"";
    assert_eq!(
        error(&edit_full("condition = \">= 19\"", "condition = \"=> 19\"")),
        format!("demo.toml:104:13: indicators[2].condition: {expected}, found \"=> 19\"")
    );
    assert_eq!(
        error(&edit_full("condition = \">= 19\"", "condition = \">= 19 tiêu chí\"")),
        format!(
            "demo.toml:104:13: indicators[2].condition: {expected}, found \">= 19 tiêu chí\": after `>=` \
             expected a number with a dot as decimal separator, such as 41.3 or -2"
        )
    );
    assert_eq!(
        error(&edit_full("condition = \">= 19\"", "condition = \"19\"")),
        format!("demo.toml:104:13: indicators[2].condition: {expected}, found \"19\"")
    );
    assert_eq!(
        error(&edit_full("condition = \">= 19\"", "condition = 19")),
        format!("demo.toml:104:13: indicators[2].condition: {expected}, found an integer (19)")
    );
}

#[test]
fn count_where_fields() {
    assert_eq!(
        error(&edit_full("count_of = \"ntm-criteria\"\n", "")),
        "demo.toml:97:1: indicators[2]: missing field `count_of`: the indicator whose values `count_where` tests"
    );
    assert_eq!(
        error(&edit_full("condition = \">= 19\"\n", "")),
        "demo.toml:97:1: indicators[2]: missing field `condition`: the test a unit's value must pass to be \
         counted, such as \">= 19\""
    );
    assert_eq!(
        error(&edit_full("aggregation = \"count_where\"", "aggregation = \"sum\"")),
        "demo.toml:103:12: indicators[2].count_of: `count_of` belongs to a counting indicator: write \
         `aggregation = \"count_where\"` with it (and 1 more)"
    );
    assert_eq!(
        error(&edit_full("aggregation = \"count_where\"", "aggregation = \"count-where\"")),
        "demo.toml:102:15: indicators[2].aggregation: unknown aggregation `count-where`, expected one of `sum`, \
         `count`, `min`, `max`, `last`, `count_where`"
    );
    // Found by validation: the counted indicator must exist and be another one.
    assert_eq!(
        error(&edit_full(
            "count_of = \"ntm-criteria\"",
            "count_of = \"ntm-criterion\""
        )),
        "demo.toml:103:12: indicators[2].count_of: unknown indicator `ntm-criterion`"
    );
    assert_eq!(
        error(&edit_full("count_of = \"ntm-criteria\"", "count_of = \"ntm-communes\"")),
        "demo.toml:103:12: indicators[2].count_of: indicator `ntm-communes` cannot count units by itself"
    );
}

#[test]
fn allocated_from_names_a_target_of_the_same_indicator() {
    assert_eq!(
        error(&edit_full(
            "allocated_from = \"luc-ngan-xxiv/11\"",
            "allocated_from = \"luc-ngan-xxiv/13\""
        )),
        "demo.toml:117:18: targets[2].allocated_from: unknown target `luc-ngan-xxiv/13` (expected `resolution/code`)"
    );
    assert_eq!(
        error(&edit_full(
            "allocated_from = \"luc-ngan-xxiv/11\"",
            "allocated_from = \"luc-ngan-xxiv/11a\""
        )),
        "demo.toml:117:18: targets[2].allocated_from: target `luc-ngan-xxiv/11a` cannot be a share of itself"
    );
    assert_eq!(
        error(&edit_full(
            "indicator = \"forest-cover\"\nunit = \"phuong-son\"",
            "indicator = \"ntm-criteria\"\nunit = \"phuong-son\""
        )),
        "demo.toml:117:18: targets[2].allocated_from: target `luc-ngan-xxiv/11` measures `forest-cover` and \
         this one `ntm-criteria`: a share must measure the indicator of the target it is a share of"
    );
    assert_eq!(
        error(&edit_full(
            "allocated_from = \"luc-ngan-xxiv/11\"",
            "allocated_from = 11"
        )),
        "demo.toml:117:18: targets[2].allocated_from: expected a string, found an integer (11)"
    );
}

#[test]
fn unknown_unit_in_a_part() {
    assert_eq!(
        error(&edit_full("to = \"kim\"", "to = \"kim-moi\"")),
        "demo.toml:124:9: reorganisations[0].parts: unknown unit `kim-moi` in parts[1].to"
    );
    assert_eq!(
        error(&edit_full(
            "{ from = \"phuong-son\", to = \"phuong-son-2025\"",
            "{ from = \"phuong-son-x\", to = \"phuong-son-2025\""
        )),
        "demo.toml:124:9: reorganisations[0].parts: unknown unit `phuong-son-x` in parts[0].from (and 1 more)"
    );
}

#[test]
fn part_units_are_nfc() {
    // "Phượng" spelt with combining marks in a part's `to`, precomposed in the unit id.
    let text = full()
        .replacen("id = \"phuong-son-2025\"", "id = \"phượng-sơn\"", 1)
        .replacen(
            "to = \"phuong-son-2025\"",
            "to = \"phu\u{031b}o\u{031b}\u{0323}ng-so\u{031b}n\"",
            1,
        );
    let ds = parse_bundle(&text, "demo.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    assert_eq!(ds.reorganisations[0].parts[0].to, "phượng-sơn");
}

#[test]
fn share_out_of_range() {
    assert_eq!(
        error(&edit_full("share = 0.6", "share = 1.6")),
        "demo.toml:124:9: reorganisations[0].parts: share 1.6 in parts[0] is out of range: a share is more than 0 \
         and at most 1 (the whole unit)"
    );
    assert_eq!(
        error(&edit_full("share = 0.4", "share = 0")),
        "demo.toml:124:9: reorganisations[0].parts: share 0 in parts[1] is out of range: a share is more than 0 \
         and at most 1 (the whole unit)"
    );
    // Each in range, but a split passes on exactly the whole unit.
    assert_eq!(
        error(&edit_full("share = 0.4", "share = 0.3")),
        "demo.toml:124:9: reorganisations[0].parts: the shares of unit `phuong-son` add up to 0.9, not 1: a split \
         divides the whole of the old unit among the new ones (write a `transfer` when only part of a unit moves \
         and the unit continues)"
    );
    assert_eq!(
        error(&edit_full("share = 0.6", "share = \"sáu phần mười\"")),
        "demo.toml:124:9: reorganisations[0].parts[0].share: expected a number (a number with a dot as decimal \
         separator, such as 41.3 or -2; quoted when it has many digits), found \"sáu phần mười\""
    );
}

#[test]
fn reorganisation_dates_agree_with_the_units() {
    assert_eq!(
        error(&edit_full("valid_to = 2025-06-30", "valid_to = 2025-07-01")),
        "demo.toml:122:8: reorganisations[0].date: unit `phuong-son` passes on the whole of itself on 2025-07-01 \
         and so ends on 2025-06-30, but its valid_to is 2025-07-01"
    );
    assert_eq!(
        error(&edit_full("valid_from = 2025-07-01", "valid_from = 2025-06-01")),
        "demo.toml:122:8: reorganisations[0].date: unit `phuong-son-2025` is formed by this split on 2025-07-01, \
         but its valid_from is 2025-06-01"
    );
}

#[test]
fn reorganisation_form_errors() {
    assert_eq!(
        error(&edit_full("kind = \"split\"", "kind = \"tách\"")),
        "demo.toml:121:8: reorganisations[0].kind: unknown reorganisation kind `tách`, expected one of `merge`, \
         `split`, `rename`, `transfer`"
    );
    assert_eq!(
        error(&edit_full(", share = 0.4 }", ", ratio = 0.4 }")),
        "demo.toml:124:9: reorganisations[0].parts[1].ratio: unknown field `ratio`, expected one of `from`, `to`, \
         `share`"
    );
    assert_eq!(
        error(&edit_full("to = \"kim\", ", "")),
        "demo.toml:124:9: reorganisations[0].parts[1]: missing field `to`"
    );
    assert_eq!(
        error(&edit_full(
            "parts = [\n    { from = \"phuong-son\", to = \"phuong-son-2025\", share = 0.6 },\n    { from = \"phuong-son\", to = \"kim\", share = 0.4 },\n]\n",
            ""
        )),
        "demo.toml:119:1: reorganisations[0]: missing field `parts`: what becomes of each unit, like \
         [{ from = \"a\", to = \"b\", share = 0.5 }]"
    );
    assert_eq!(
        error(&edit_full("date = 2025-07-01\ndecision", "decision")),
        "demo.toml:119:1: reorganisations[0]: missing field `date`"
    );
}

#[test]
fn reorganisation_conflicts_are_located_in_the_incoming_file() {
    let stored = parse_bundle(&full(), "old.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .dataset;
    let incoming = parse_bundle(
        &edit_full("Nghị quyết 1656/NQ-UBTVQH15", "Nghị quyết 1657/NQ-UBTVQH15"),
        "demo.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let errors = stored
        .merge_delta(&incoming.dataset)
        .err()
        .unwrap_or_default();
    assert_eq!(
        located("demo.toml", &incoming.spans, &errors).to_string(),
        "demo.toml:120:6: reorganisations[0].id: reorganisation `tach-phuong-son` already exists in the database \
         with different content"
    );
}
