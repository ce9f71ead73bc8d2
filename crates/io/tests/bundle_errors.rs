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
         `indicators`, `targets`, `adjustments`, `documents`, `tasks`, `observations`"
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
