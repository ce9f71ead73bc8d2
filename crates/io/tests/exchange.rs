//! DHIS2 data value sets and SDMX-CSV: the samples written from each format's documentation
//! (`fixtures/exchange/README.md` says which section each follows) read, written back and read
//! again; a property test of write → read over mapped observations; and every kind of
//! problem reported at its place.

#![allow(clippy::unwrap_used)] // Tests: a failure is a test failure.
#![allow(clippy::type_complexity)] // Tuples of expected fields read best inline.

use std::collections::BTreeSet;

use chitieu_domain::{Decimal, Observation, Period, ReviewState, Standing};
use chitieu_io::exchange::{dhis2, parse_mapping, sdmx, Mapping};
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;

const MAPPING: &str = include_str!("fixtures/exchange/mapping.toml");
const SENDING_JSON: &str = include_str!("fixtures/exchange/dhis2-sending.json");
const BULK_JSON: &str = include_str!("fixtures/exchange/dhis2-bulk.json");
const IMPORT_CSV: &str = include_str!("fixtures/exchange/dhis2-import.csv");
const READING_CSV: &str = include_str!("fixtures/exchange/dhis2-reading.csv");
const SDMX_V2: &str = include_str!("fixtures/exchange/sdmx-v2.csv");
const SDMX_V1: &str = include_str!("fixtures/exchange/sdmx-v1.csv");

fn mapping() -> Mapping {
    parse_mapping(MAPPING, "mapping.toml").unwrap()
}

/// The mapping with more lines appended to one of its sections.
fn mapping_with(section: &str, lines: &str) -> Mapping {
    let text = MAPPING.replace(section, &format!("{section}\n{lines}"));
    parse_mapping(&text, "mapping.toml").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Observations in (unit, indicator, period) order, to compare files that order them
/// differently.
fn as_set(v: &[Observation]) -> Vec<Observation> {
    let mut v = v.to_vec();
    v.sort_by(|a, b| {
        (&a.unit, &a.indicator, a.period, a.value).cmp(&(&b.unit, &b.indicator, b.period, b.value))
    });
    v
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// (data element, period, org unit, value) of every value of a DHIS2 JSON set, inherited
/// fields filled in: what DHIS2 itself would store.
fn json_keys(text: &str) -> BTreeSet<(String, String, String, String)> {
    let v: Value = serde_json::from_str(text).unwrap();
    let s = |x: &Value| x.as_str().unwrap_or_default().to_string();
    v["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let or = |k: &str| {
                if d.get(k).is_some() {
                    s(&d[k])
                } else {
                    s(&v[k])
                }
            };
            (
                s(&d["dataElement"]),
                or("period"),
                or("orgUnit"),
                s(&d["value"]),
            )
        })
        .collect()
}

// --- DHIS2 JSON ----------------------------------------------------------------------------

#[test]
fn dhis2_sending_sample_reads_with_the_sets_period_and_org_unit() {
    let m = mapping();
    let got = dhis2::read_json(SENDING_JSON, "sending.json", &m).unwrap();
    let summary: Vec<(&str, &str, Period, Decimal, Option<&str>)> = got
        .observations
        .iter()
        .map(|o| {
            (
                o.unit.as_str(),
                o.indicator.as_str(),
                o.period,
                o.value,
                o.source.as_deref(),
            )
        })
        .collect();
    let jan = Period::Month(2014, 1);
    assert_eq!(
        summary,
        [
            ("ngelehun", "measles", jan, dec("12"), Some("comment1")),
            ("ngelehun", "dysentery", jan, dec("14"), Some("comment2")),
            ("ngelehun", "cholera", jan, dec("16"), Some("comment3")),
        ]
    );
    for o in &got.observations {
        assert_eq!(o.standing, Standing::Final);
        assert_eq!(o.state, ReviewState::Approved);
        assert_eq!(o.reported_by, None);
    }
    assert_eq!(got.places[1].line, line_of(SENDING_JSON, "Ix2HsbDMLea") - 1);
    assert_eq!(got.places[1].prefix, "dataValues[1].");
}

#[test]
fn dhis2_sending_sample_round_trips() {
    let m = mapping();
    let first = dhis2::read_json(SENDING_JSON, "sending.json", &m).unwrap();
    let out = dhis2::write_json(&first.observations, &m).unwrap();
    assert_eq!(out.written, 3);
    assert!(out.skipped.is_empty());
    let again = dhis2::read_json(&out.text, "out.json", &m).unwrap();
    // The export is sorted by unit, indicator and period; the figures are the same.
    assert_eq!(as_set(&again.observations), as_set(&first.observations));
    // What DHIS2 would store is what the documentation's sample says.
    assert_eq!(json_keys(&out.text), json_keys(SENDING_JSON));
    let v: Value = serde_json::from_str(&out.text).unwrap();
    assert_eq!(v["dataSet"], "pBOMPrpg1QX");
    assert_eq!(v["dataValues"][0]["categoryOptionCombo"], "bRowv6yZOF2");
    assert_eq!(v["dataValues"][0]["attributeOptionCombo"], "bRowv6yZOF2");
    assert_eq!(v["dataValues"][0]["followup"], false);
}

#[test]
fn dhis2_bulk_sample_names_the_unmapped_org_unit_at_its_line_and_column() {
    let e = dhis2::read_json(BULK_JSON, "bulk.json", &mapping()).unwrap_err();
    assert_eq!(e.errors.len(), 1, "{e}");
    let first = e.first().unwrap();
    assert_eq!(first.location.as_deref(), Some("dataValues[3].orgUnit"));
    assert_eq!(first.line, Some(line_of(BULK_JSON, "Jkhdsf8sdf4")));
    assert_eq!(first.column, Some(7));
    assert!(
        first.message.contains("unmapped org unit `Jkhdsf8sdf4`"),
        "{e}"
    );
    assert!(
        first.message.contains("[dhis2.org_units] in mapping.toml"),
        "{e}"
    );
    assert!(e.to_string().starts_with("bulk.json:"), "{e}");
}

#[test]
fn dhis2_bulk_sample_round_trips_once_mapped() {
    let m = mapping_with("[dhis2.org_units]", "\"Jkhdsf8sdf4\" = \"other\"");
    let first = dhis2::read_json(BULK_JSON, "bulk.json", &m).unwrap();
    assert_eq!(first.observations.len(), 4);
    let out = dhis2::write_json(&first.observations, &m).unwrap();
    let again = dhis2::read_json(&out.text, "out.json", &m).unwrap();
    assert_eq!(as_set(&again.observations), as_set(&first.observations));
    assert_eq!(json_keys(&out.text), json_keys(BULK_JSON));
}

// --- DHIS2 CSV -----------------------------------------------------------------------------

#[test]
fn dhis2_import_csv_sample_maps_category_option_combos_to_indicators() {
    let m = mapping();
    let got = dhis2::read_csv(IMPORT_CSV, "import.csv", &m).unwrap();
    let summary: Vec<(&str, &str, Decimal, Option<&str>, Option<NaiveDate>)> = got
        .observations
        .iter()
        .map(|o| {
            (
                o.unit.as_str(),
                o.indicator.as_str(),
                o.value,
                o.reported_by.as_deref(),
                o.reported,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "bombali-a",
                "anc-fixed",
                dec("7"),
                Some("bombali"),
                Some(date("2010-04-17"))
            ),
            (
                "bombali-a",
                "anc-outreach",
                dec("10"),
                Some("bombali"),
                Some(date("2010-04-17"))
            ),
            (
                "bombali-b",
                "anc-outreach",
                dec("9"),
                Some("bombali"),
                Some(date("2010-04-06"))
            ),
        ]
    );
    assert!(got
        .observations
        .iter()
        .all(|o| o.period == Period::Month(2012, 2)));
    assert_eq!(got.places[2].line, 4);
}

#[test]
fn dhis2_csv_samples_round_trip_in_csv_and_through_json() {
    let m = mapping();
    for (name, sample) in [("import.csv", IMPORT_CSV), ("reading.csv", READING_CSV)] {
        let first = dhis2::read_csv(sample, name, &m).unwrap();
        assert!(!first.observations.is_empty());
        let csv = dhis2::write_csv(&first.observations, &m).unwrap();
        assert!(csv.text.starts_with(
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted\r\n"
        ));
        let again = dhis2::read_csv(&csv.text, "out.csv", &m).unwrap();
        let set = as_set;
        assert_eq!(set(&again.observations), set(&first.observations), "{name}");
        let json = dhis2::write_json(&first.observations, &m).unwrap();
        let via_json = dhis2::read_json(&json.text, "out.json", &m).unwrap();
        assert_eq!(
            set(&via_json.observations),
            set(&first.observations),
            "{name}"
        );
        // The semantically important cells are the sample's, column by column.
        let cells = |text: &str| -> BTreeSet<Vec<String>> {
            text.lines()
                .skip(1)
                .map(|l| {
                    let c: Vec<String> = l
                        .split(',')
                        .map(|c| c.trim_matches('"').to_string())
                        .collect();
                    // data element, period, org unit, category option combo, value, stored by,
                    // the day of last updated, comment
                    vec![
                        c[0].clone(),
                        c[1].clone(),
                        c[2].clone(),
                        c[3].clone(),
                        c[5].clone(),
                        c[6].clone(),
                        c[7].get(..10).unwrap_or_default().to_string(),
                        c.get(8).cloned().unwrap_or_default(),
                    ]
                })
                .collect()
        };
        assert_eq!(cells(&csv.text), cells(sample), "{name}");
    }
}

#[test]
fn dhis2_reading_sample_takes_the_day_of_last_updated() {
    let got = dhis2::read_csv(READING_CSV, "reading.csv", &mapping()).unwrap();
    let malaria = got
        .observations
        .iter()
        .find(|o| o.indicator == "malaria")
        .unwrap();
    assert_eq!(malaria.reported, Some(date("2014-03-02")));
    assert_eq!(malaria.source.as_deref(), Some("comment4"));
    assert_eq!(malaria.reported_by.as_deref(), Some("system"));
}

// --- SDMX-CSV ------------------------------------------------------------------------------

#[test]
fn sdmx_v2_sample_reads_standings_from_obs_status() {
    let got = sdmx::read_csv(SDMX_V2, "v2.csv", &mapping()).unwrap();
    let summary: Vec<(&str, &str, Period, Decimal, Standing)> = got
        .observations
        .iter()
        .map(|o| {
            (
                o.unit.as_str(),
                o.indicator.as_str(),
                o.period,
                o.value,
                o.standing,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "luc-ngan",
                "forest-cover",
                Period::Year(2017),
                dec("40.2"),
                Standing::Final
            ),
            (
                "luc-ngan",
                "forest-cover",
                Period::Year(2018),
                dec("41"),
                Standing::Estimate
            ),
            (
                "luc-ngan",
                "budget-revenue",
                Period::Quarter(2018, 1),
                dec("61.5"),
                Standing::Preliminary
            ),
            (
                "bac-giang",
                "budget-revenue",
                Period::Month(2018, 6),
                dec("1234.75"),
                Standing::Final
            ),
        ]
    );
    assert_eq!(
        got.observations[0].source.as_deref(),
        Some("Báo cáo năm 2017, UBND huyện")
    );
}

#[test]
fn sdmx_v1_sample_reads_reporting_periods_and_leaves_out_missing_observations() {
    let got = sdmx::read_csv(SDMX_V1, "v1.csv", &mapping()).unwrap();
    let periods: Vec<Period> = got.observations.iter().map(|o| o.period).collect();
    assert_eq!(
        periods,
        [
            Period::Year(2016),
            Period::Half(2018, 1),
            Period::Year(2019)
        ]
    );
    assert_eq!(got.skipped, 1);
    assert_eq!(got.observations[1].source.as_deref(), Some("ước thực hiện"));
    assert_eq!(got.observations[1].standing, Standing::Estimate);
}

#[test]
fn sdmx_samples_round_trip_in_both_versions() {
    let v2 = mapping();
    let v1 = parse_mapping(
        &MAPPING.replace("csv_version = 2", "csv_version = 1"),
        "m.toml",
    )
    .unwrap();
    for (name, sample) in [("v1.csv", SDMX_V1), ("v2.csv", SDMX_V2)] {
        let first = sdmx::read_csv(sample, name, &v2).unwrap();
        for m in [&v1, &v2] {
            let out = sdmx::write_csv(&first.observations, m).unwrap();
            assert_eq!(out.written, first.observations.len());
            let again = sdmx::read_csv(&out.text, "out.csv", m).unwrap();
            let set = as_set;
            assert_eq!(set(&again.observations), set(&first.observations), "{name}");
            let header = out.text.lines().next().unwrap();
            if m.sdmx.as_ref().unwrap().csv_version == 1 {
                assert_eq!(header, "DATAFLOW,FREQ,REF_AREA,INDICATOR,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT_OBS");
            } else {
                assert_eq!(header, "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,INDICATOR,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT_OBS");
            }
        }
    }
    // The written rows carry the sample's codes, periods (in SDMX's own forms), values and
    // statuses.
    let first = sdmx::read_csv(SDMX_V2, "v2.csv", &v2).unwrap();
    let out = sdmx::write_csv(&first.observations, &v2).unwrap();
    for row in [
        "dataflow,VN_GSO:DF_CHITIEU(1.0),I,A,VN_BG_LN,FOREST_COVER,PT,2017,40.2,A,\"Báo cáo năm 2017, UBND huyện\"",
        "dataflow,VN_GSO:DF_CHITIEU(1.0),I,Q,VN_BG_LN,BUDGET_REV,VND_BN,2018-Q1,61.5,P,",
        "dataflow,VN_GSO:DF_CHITIEU(1.0),I,M,VN_BG,BUDGET_REV,VND_BN,2018-06,1234.75,A,",
    ] {
        assert!(out.text.contains(&format!("{row}\r\n")), "{row} not in {}", out.text);
    }
}

/// As in the field guide's localisation example: `;` separates fields, `|` sub-fields.
#[test]
fn sdmx_v2_with_a_semicolon_separator() {
    let text = "STRUCTURE[|];STRUCTURE_ID;ACTION;REF_AREA;INDICATOR;TIME_PERIOD;OBS_VALUE\n\
                dataflow;VN_GSO:DF_CHITIEU(1.0);I;VN_BG;FOREST_COVER;2019-Q4;38.1\n";
    let got = sdmx::read_csv(text, "semi.csv", &mapping()).unwrap();
    assert_eq!(got.observations[0].period, Period::Quarter(2019, 4));
    assert_eq!(got.observations[0].value, dec("38.1"));
}

// --- Export: what is left out --------------------------------------------------------------

fn obs(unit: &str, indicator: &str, period: Period, value: &str) -> Observation {
    Observation {
        unit: unit.into(),
        indicator: indicator.into(),
        period,
        value: dec(value),
        standing: Standing::Final,
        state: ReviewState::Approved,
        source: None,
        reported_by: None,
        reported: None,
    }
}

#[test]
fn export_sends_the_approved_figure_in_force_and_counts_what_it_leaves_out() {
    let m = mapping();
    let y = Period::Year(2018);
    let mut estimate = obs("ngelehun", "measles", y, "10");
    estimate.standing = Standing::Estimate;
    estimate.reported = Some(date("2018-06-15"));
    let mut final_ = obs("ngelehun", "measles", y, "12");
    final_.reported = Some(date("2019-02-15"));
    let mut draft = obs("ngelehun", "cholera", y, "3");
    draft.state = ReviewState::Draft;
    let figures = vec![
        final_.clone(),
        estimate,
        draft,
        obs("chu", "measles", y, "1"),
        obs("chu", "measles", Period::Year(2019), "2"),
        obs("ngelehun", "forest-cover", y, "40"),
    ];
    let out = dhis2::write_json(&figures, &m).unwrap();
    assert_eq!(out.written, 1);
    let back = dhis2::read_json(&out.text, "out.json", &m).unwrap();
    assert_eq!(back.observations.len(), 1);
    assert_eq!(back.observations[0].value, dec("12"));
    assert_eq!(back.observations[0].reported, Some(date("2019-02-15")));
    let skipped: Vec<(&str, Option<&str>, usize)> = out
        .skipped
        .iter()
        .map(|s| (s.reason.as_str(), s.id.as_deref(), s.count))
        .collect();
    assert_eq!(
        skipped,
        [
            ("not approved (draft, submitted or returned)", None, 1),
            (
                "of units with no code in [dhis2.org_units] of mapping.toml",
                Some("chu"),
                2
            ),
            (
                "of indicators with no code in [dhis2.data_elements] of mapping.toml",
                Some("forest-cover"),
                1
            ),
        ]
    );
    assert_eq!(
        out.skipped_line().unwrap(),
        "4 figures not written: 1 not approved (draft, submitted or returned); 2 of units with no code in [dhis2.org_units] of mapping.toml: chu (2); 1 of indicators with no code in [dhis2.data_elements] of mapping.toml: forest-cover (1)"
    );
    let sd = sdmx::write_csv(&figures, &m).unwrap();
    assert_eq!(sd.written, 0);
    // Six figures: one superseded (not a skip: the format holds one value per key), one draft,
    // four without an SDMX code.
    assert_eq!(sd.skipped.iter().map(|s| s.count).sum::<usize>(), 5);
}

// --- Problems, each at its place -----------------------------------------------------------

#[test]
fn malformed_json_names_its_line_and_column() {
    let text = "{\n  \"dataValues\": [\n    { \"dataElement\": \"f7n9E0hX8qk\", }\n  ]\n}\n";
    let e = dhis2::read_json(text, "bad.json", &mapping()).unwrap_err();
    let first = e.first().unwrap();
    // serde_json points at the `}` where a key was expected.
    assert_eq!((first.line, first.column), (Some(3), Some(37)), "{e}");
    assert!(
        e.to_string()
            .starts_with("bad.json:3:37: key must be a string"),
        "{e}"
    );
    let e = dhis2::read_json("{\"dataValues\": 5}", "t.json", &mapping()).unwrap_err();
    assert!(e.to_string().contains("expected a sequence"), "{e}");
    let e = dhis2::read_json("[]", "t.json", &mapping()).unwrap_err();
    assert!(e.to_string().starts_with("t.json:1:"), "{e}");
}

#[test]
fn json_problems_are_all_listed_each_at_its_path() {
    let text = r#"{
  "dataValues": [
    { "dataElement": "f7n9E0hX8qk", "period": "2019W10", "orgUnit": "DiszpKrYNg8", "value": "1" },
    { "dataElement": "f7n9E0hX8qk", "period": "2019", "orgUnit": "DiszpKrYNg8", "value": "1,5" },
    { "dataElement": "nopeNOPE123", "period": "2019", "orgUnit": "DiszpKrYNg8", "value": "2" },
    { "dataElement": "nopeNOPE123", "period": "2020", "orgUnit": "DiszpKrYNg8", "value": "3" },
    { "dataElement": "f7n9E0hX8qk", "period": 2019, "orgUnit": "DiszpKrYNg8", "value": "2" },
    { "dataElement": "f7n9E0hX8qk", "period": "2019", "orgUnit": "DiszpKrYNg8", "categoryOptionCombo": "XXXXXXXXXXX", "value": "2" },
    { "dataElement": "f7n9E0hX8qk", "period": "2019", "orgUnit": "DiszpKrYNg8", "attributeOptionCombo": "YYYYYYYYYYY", "value": "2" },
    { "dataElement": "f7n9E0hX8qk", "period": "2019", "orgUnit": "DiszpKrYNg8", "value": "2", "deleted": true },
    { "period": "2019", "orgUnit": "DiszpKrYNg8" }
  ]
}"#;
    let e = dhis2::read_json(text, "t.json", &mapping()).unwrap_err();
    let lines = e.lines();
    let expect = [
        ("t.json:3:", "dataValues[0].period: `2019W10` is a DHIS2 weekly period"),
        ("t.json:4:", "dataValues[1].value: expected a number with a dot"),
        ("t.json:5:", "dataValues[2].dataElement: unmapped data element `nopeNOPE123`"),
        ("t.json:7:", "dataValues[4].period: expected a string, found 2019"),
        ("t.json:8:", "dataValues[5].dataElement: data element `f7n9E0hX8qk` with category option combo `XXXXXXXXXXX` is not mapped"),
        ("t.json:9:", "dataValues[6].attributeOptionCombo: attribute option combo `YYYYYYYYYYY`"),
        ("t.json:10:", "dataValues[7].deleted: a deleted value cannot be imported"),
        ("t.json:11:", "dataValues[8].dataElement: missing data element"),
        ("t.json:11:", "dataValues[8].value: missing value"),
    ];
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    for (line, (at, what)) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(at) && line.contains(what),
            "{line} ≠ {at} {what}"
        );
    }
    // The unmapped code is listed once, with how many values use it.
    assert!(
        lines[2].contains("(2 values use it; the first is here)"),
        "{}",
        lines[2]
    );
    // Columns point at the key: `"period"` of the first value.
    let col = text.lines().nth(2).unwrap().find("\"period\"").unwrap() + 1;
    assert!(
        lines[0].starts_with(&format!("t.json:3:{col}: ")),
        "{}",
        lines[0]
    );
}

#[test]
fn a_bad_period_of_the_whole_set_is_reported_once_at_its_key() {
    let text = "{\n  \"period\": \"2019April\",\n  \"orgUnit\": \"DiszpKrYNg8\",\n  \"dataValues\": [\n    { \"dataElement\": \"f7n9E0hX8qk\", \"value\": \"1\" },\n    { \"dataElement\": \"Ix2HsbDMLea\", \"value\": \"2\" }\n  ]\n}";
    let e = dhis2::read_json(text, "t.json", &mapping()).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert!(
        e.to_string().starts_with(
            "t.json:2:3: period: `2019April` is a DHIS2 financial-year (April) period"
        ),
        "{e}"
    );
}

#[test]
fn csv_problems_name_the_line_and_column() {
    let text = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n\
                f7n9E0hX8qk,2019,DiszpKrYNg8,,,1\n\
                f7n9E0hX8qk,201913,DiszpKrYNg8,,,1\n\
                f7n9E0hX8qk,2019,nowhere0000,,,x\n";
    let e = dhis2::read_csv(text, "t.csv", &mapping()).unwrap_err();
    assert_eq!(
        e.lines(),
        [
            "t.csv:3: column period: `201913` is not a DHIS2 period; chitieu takes yearly (2019), six-monthly (2019S1), quarterly (2019Q2) and monthly (201906) periods",
            "t.csv:4: column value: expected a number with a dot as decimal separator, such as 41.3 or -2, found \"x\"",
            "t.csv:4: column orgunit: unmapped org unit `nowhere0000`: add \"nowhere0000\" = \"unit-id\" to [dhis2.org_units] in mapping.toml",
        ]
    );
}

#[test]
fn csv_header_problems() {
    let m = mapping();
    let e = dhis2::read_csv(
        "dataelement,period,orgunit,catoptcombo\nx,2019,y,z\n",
        "t.csv",
        &m,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.csv:1: header: missing columns attributeoptioncombo, value: a DHIS2 CSV has at least dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"
    );
    let e = dhis2::read_csv("f7n9E0hX8qk,2019,DiszpKrYNg8,,,1\n", "t.csv", &m).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t.csv:1: header: column 1 is `f7n9E0hX8qk`, expected `dataelement`"),
        "{e}"
    );
    let e = dhis2::read_csv("", "t.csv", &m).unwrap_err();
    assert!(e.to_string().contains("empty file"), "{e}");
}

#[test]
fn sdmx_problems_name_the_line_and_column() {
    let m = mapping();
    let text = "DATAFLOW,FREQ,REF_AREA,INDICATOR,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
                VN_GSO:DF_CHITIEU(1.0),A,VN_BG,FOREST_COVER,PT,2019-W01,1,A\n\
                VN_GSO:DF_CHITIEU(1.0),A,VN_XX,FOREST_COVER,PT,2019,1,A\n\
                VN_GSO:DF_CHITIEU(1.0),A,VN_BG,FOREST_COVER,HA,2019,1,A\n\
                VN_GSO:DF_CHITIEU(1.0),Q,VN_BG,FOREST_COVER,PT,2019,1,B\n\
                OTHER:DF(1.0),A,VN_BG,FOREST_COVER,PT,2019,1,A\n\
                VN_GSO:DF_CHITIEU(1.0),A,VN_BG,FOREST_COVER,PT,2019,,A\n";
    let e = sdmx::read_csv(text, "s.csv", &m).unwrap_err();
    let lines = e.lines();
    let expect = [
        "s.csv:2: column TIME_PERIOD: `2019-W01` is an SDMX week",
        "s.csv:3: column REF_AREA: unmapped area `VN_XX`: add \"VN_XX\" = \"unit-id\" to [sdmx.areas] in mapping.toml",
        "s.csv:4: column UNIT_MEASURE: UNIT_MEASURE is `HA`, the mapping fixes it to `PT`",
        "s.csv:5: column FREQ: frequency `Q` does not match the period 2019 (frequency A)",
        "s.csv:5: column OBS_STATUS: `B` has no standing: add `B = \"final\"`",
        "s.csv:6: column DATAFLOW: the row is of `OTHER:DF(1.0)`, the mapping's dataflow is VN_GSO:DF_CHITIEU(1.0)",
        "s.csv:7: column OBS_VALUE: missing OBS_VALUE",
    ];
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    for (line, want) in lines.iter().zip(expect) {
        assert!(line.starts_with(want), "{line}\n≠ {want}");
    }
    let e = sdmx::read_csv(
        "DATAFLOW,REF_AREA,TIME_PERIOD\nX:Y(1.0),VN_BG,2019\n",
        "s.csv",
        &m,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "s.csv:1: header: missing columns INDICATOR (the [sdmx] indicator_dimension), OBS_VALUE"
    );
    let e = sdmx::read_csv("FREQ,REF_AREA\n", "s.csv", &m).unwrap_err();
    assert!(e.to_string().contains("not an SDMX-CSV message"), "{e}");
    let e = sdmx::read_csv(
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\ndataflow,VN_GSO:DF_CHITIEU(1.0),D,VN_BG,FOREST_COVER,2019,-\n",
        "s.csv",
        &m,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("s.csv:2: column ACTION: a deletion"),
        "{e}"
    );
}

#[test]
fn problems_stop_at_a_limit() {
    let mut text = String::from("dataelement,period,orgunit,catoptcombo,attroptcombo,value\n");
    for i in 0..500 {
        text.push_str(&format!("f7n9E0hX8qk,2019,DiszpKrYNg8,,,bad{i}\n"));
    }
    let e = dhis2::read_csv(&text, "t.csv", &mapping()).unwrap_err();
    assert_eq!(e.errors.len(), chitieu_io::exchange::MAX_PROBLEMS + 1);
    assert_eq!(
        e.errors.last().unwrap().message,
        format!(
            "stopped after {} problems",
            chitieu_io::exchange::MAX_PROBLEMS
        )
    );
}

#[test]
fn mapping_problems_name_their_line_and_column() {
    let text = "[import]\nstanding = \"sure\"\n\n[dhis2.data_elements]\n\"a.b.c\" = \"x\"\n\"de1\" = \"x\"\n\"de2\" = \"x\"\n\n[dhis2.org_units]\n\"ou\" = 5\n";
    let e = parse_mapping(text, "m.toml").unwrap_err();
    let lines = e.lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[0].starts_with("m.toml:2:12: import.standing: unknown value `sure`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "m.toml:5:1: dhis2.data_elements.\"a.b.c\": `a.b.c` is not a data element"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(
            "m.toml:7:1: dhis2.data_elements.\"de2\": `x` is already named by `de1` (line 6)"
        ),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("m.toml:10:8: dhis2.org_units.\"ou\": expected a chitieu id"),
        "{}",
        lines[3]
    );
    let e = parse_mapping("[dhis2]\ndata_sets = \"x\"\n", "m.toml").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("m.toml:2:1: unknown field `data_sets`"),
        "{e}"
    );
    let e = parse_mapping("[sdmx]\ndataflow = \"nope\"\n", "m.toml").unwrap_err();
    assert!(e.to_string().contains("expected AGENCY:ID(VERSION)"), "{e}");
    let e = parse_mapping(
        "[dhis2.data_elements]\nfbfJHSPpUQD.PT59n8BQbqM = \"x\"\n",
        "m.toml",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("a code with a dot must be in quotes"),
        "{e}"
    );
    let e = dhis2::read_json("\"hello\"", "t.json", &mapping()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.json:1:7: invalid type: string \"hello\", expected a DHIS2 data value set: an object with a `dataValues` array"
    );
    let e = parse_mapping("", "m.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("neither a [dhis2] nor an [sdmx] section"),
        "{e}"
    );
    let only_sdmx = parse_mapping("[sdmx]\ndataflow = \"A:B(1.0)\"\n", "m.toml").unwrap();
    let e = dhis2::read_json("{\"dataValues\": []}", "t.json", &only_sdmx).unwrap_err();
    assert!(
        e.to_string().starts_with("m.toml: no [dhis2] section"),
        "{e}"
    );
}

// --- Property: write → read is the identity on mapped figures -------------------------------

fn period() -> impl Strategy<Value = Period> {
    let y = 2000i32..2031;
    prop_oneof![
        y.clone().prop_map(Period::Year),
        (y.clone(), 1u8..=2).prop_map(|(y, h)| Period::Half(y, h)),
        (y.clone(), 1u8..=4).prop_map(|(y, q)| Period::Quarter(y, q)),
        (y, 1u8..=12).prop_map(|(y, m)| Period::Month(y, m)),
    ]
}

fn value() -> impl Strategy<Value = Decimal> {
    (-10_000_000_000i64..10_000_000_000, 0u32..6).prop_map(|(m, s)| Decimal::new(m, s).normalize())
}

/// Text as chitieu holds it: NFC, no surrounding spaces; commas, quotes and Vietnamese
/// letters included, since the writers must quote them.
fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-zA-Z0-9ạệữĐ,\"]([a-zA-Z0-9ạệữĐ ,\";]{0,14}[a-zA-Z0-9ạệữĐ,\"])?")
}

fn day() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of(
        (0i64..10_000).prop_map(|d| date("2000-01-01") + chrono::Duration::days(d)),
    )
}

fn figures(
    units: &'static [&'static str],
    indicators: &'static [&'static str],
    with_day: bool,
) -> impl Strategy<Value = Vec<Observation>> {
    let one = (
        proptest::sample::select(units),
        proptest::sample::select(indicators),
        period(),
        value(),
        proptest::sample::select(&Standing::ALL[..]),
        text(),
        text(),
        day(),
    )
        .prop_map(move |(u, i, p, v, s, src, by, d)| Observation {
            unit: u.into(),
            indicator: i.into(),
            period: p,
            value: v,
            standing: s,
            state: ReviewState::Approved,
            source: src,
            reported_by: by,
            reported: if with_day { d } else { None },
        });
    proptest::collection::vec(one, 0..40).prop_map(|v| {
        // One figure per key, as the formats hold them.
        let mut seen = BTreeSet::new();
        v.into_iter()
            .filter(|o| seen.insert((o.unit.clone(), o.indicator.clone(), o.period)))
            .collect()
    })
}

const DHIS2_UNITS: &[&str] = &["ngelehun", "njandama", "bombali-a", "bombali-b"];
const DHIS2_INDICATORS: &[&str] = &[
    "measles",
    "dysentery",
    "cholera",
    "malaria",
    "anc-fixed",
    "anc-outreach",
];
const SDMX_UNITS: &[&str] = &["luc-ngan", "bac-giang"];
const SDMX_INDICATORS: &[&str] = &["forest-cover", "budget-revenue"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dhis2_json_and_csv_read_back_what_they_wrote(obs in figures(DHIS2_UNITS, DHIS2_INDICATORS, true)) {
        let m = mapping();
        // DHIS2 has no standing: figures come back with the mapping's.
        let obs: Vec<Observation> = obs.into_iter().map(|o| Observation { standing: m.standing, ..o }).collect();
        let json = dhis2::write_json(&obs, &m).unwrap();
        prop_assert_eq!(json.written, obs.len());
        let back = dhis2::read_json(&json.text, "out.json", &m).unwrap();
        prop_assert_eq!(as_set(&back.observations), as_set(&obs));
        let csv = dhis2::write_csv(&obs, &m).unwrap();
        let back = dhis2::read_csv(&csv.text, "out.csv", &m).unwrap();
        prop_assert_eq!(as_set(&back.observations), as_set(&obs));
    }

    #[test]
    fn sdmx_csv_reads_back_what_it_wrote(obs in figures(SDMX_UNITS, SDMX_INDICATORS, false), v1 in any::<bool>()) {
        let text = if v1 { MAPPING.replace("csv_version = 2", "csv_version = 1") } else { MAPPING.to_string() };
        let m = parse_mapping(&text, "mapping.toml").unwrap();
        // SDMX carries no reporter here (the mapping names no attribute for it).
        let obs: Vec<Observation> = obs.into_iter().map(|o| Observation { reported_by: None, ..o }).collect();
        let out = sdmx::write_csv(&obs, &m).unwrap();
        prop_assert_eq!(out.written, obs.len());
        let back = sdmx::read_csv(&out.text, "out.csv", &m).unwrap();
        prop_assert_eq!(as_set(&back.observations), as_set(&obs));
    }
}
