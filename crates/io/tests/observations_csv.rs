//! Observations as CSV.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use chitieu_domain::{
    Decimal, Location, Observation, Period, ReviewState, Standing, ValidationError,
};
use chitieu_io::{located_csv, observations_to_csv, parse_observations_csv};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn error(text: &str) -> String {
    match parse_observations_csv(text, "obs.csv") {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn reads_bom_crlf_whitespace_and_empty_cells() {
    let text = "\u{feff}unit,indicator,period,value,standing,source\r\n\
                luc-ngan, forest-cover ,2017, 36.20 ,,\r\n\
                \r\n\
                luc-ngan,forest-cover,2018-Q2,-2,estimate,\"Hạt Kiểm lâm, Lục Ngạn\"\r\n\
                ,,,,,\r\n";
    let parsed = parse_observations_csv(text, "obs.csv").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.lines, [2, 4]);
    let o = &parsed.observations;
    assert_eq!(o[0].indicator, "forest-cover");
    assert_eq!(o[0].value.to_string(), "36.2");
    assert_eq!(
        (o[0].standing, o[0].state, o[0].source.as_deref()),
        (Standing::Final, ReviewState::Approved, None)
    );
    assert_eq!(o[1].period, Period::Quarter(2018, 2));
    assert_eq!(o[1].value, dec("-2"));
    assert_eq!(o[1].standing, Standing::Estimate);
    assert_eq!(o[1].source.as_deref(), Some("Hạt Kiểm lâm, Lục Ngạn"));
}

#[test]
fn text_is_nfc() {
    let text =
        "unit,indicator,period,value,standing,source\nx,y,2018,1,,Lu\u{0323}c Nga\u{0323}n\n";
    let parsed = parse_observations_csv(text, "obs.csv").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.observations[0].source.as_deref(), Some("Lục Ngạn"));
}

#[test]
fn decimal_comma_is_refused() {
    let text = "unit,indicator,period,value,standing,source\n\
                a,b,2018,1,,\n\
                a,b,2018,2,,\n\
                a,b,2018,3,,\n\
                a,b,2018,4,,\n\
                a,b,2018,5,,\n\
                a,b,2019,\"12,5\",,\n";
    assert_eq!(
        error(text),
        "obs.csv:7: column value: expected a number with a dot as decimal separator, such as 41.3 or -2, found \"12,5\""
    );
}

#[test]
fn header_must_match() {
    assert_eq!(
        error("unit,indicator,period,value\na,b,2018,1\n"),
        "obs.csv:1: header: expected `unit,indicator,period,value,standing,source`, found `unit,indicator,period,value`"
    );
    assert_eq!(
        error(""),
        "obs.csv:1: header: expected `unit,indicator,period,value,standing,source`, found an empty file"
    );
}

#[test]
fn cell_errors() {
    let head = "unit,indicator,period,value,standing,source\n";
    assert_eq!(
        error(&format!("{head}a,b,2018-Q5,1,,\n")),
        "obs.csv:2: column period: `2018-Q5` is not a period: expected a year (2018), a half (2018-H1), a quarter \
         (2018-Q2) or a month (2018-06)"
    );
    assert_eq!(
        error(&format!("{head}a,b,2018,1,final,\na,b,2018,1,ước,\n")),
        "obs.csv:3: column standing: unknown standing `ước`, expected one of `estimate`, `preliminary`, `final` or empty (final)"
    );
    assert_eq!(
        error(&format!("{head},b,2018,1,,\n")),
        "obs.csv:2: column unit: missing value"
    );
    assert_eq!(
        error(&format!("{head}a,b,2018,1\n")),
        "obs.csv:2: expected 6 columns, found 4"
    );
    let e = parse_observations_csv(&format!("{head}a,b,2018,x,,\na,b,2018,y,,\n"), "obs.csv").err();
    assert_eq!(
        e.map(|e| e.errors.len()),
        Some(2),
        "every bad row is reported"
    );
}

#[test]
fn store_errors_name_the_line() {
    let text = "unit,indicator,period,value,standing,source\n\na,b,2018,1,,\nzz,b,2018,1,,\n";
    let parsed = parse_observations_csv(text, "obs.csv").unwrap_or_else(|e| panic!("{e}"));
    let e = ValidationError {
        location: Location {
            collection: "observations",
            index: 1,
            field: "unit",
        },
        message: "unknown unit `zz`".into(),
    };
    assert_eq!(
        located_csv("obs.csv", &parsed, &[e]).to_string(),
        "obs.csv:4: column unit: unknown unit `zz`"
    );
}

#[test]
fn round_trip() {
    let obs = vec![
        Observation {
            unit: "luc-ngan".into(),
            indicator: "forest-cover".into(),
            period: Period::Month(2018, 6),
            value: dec("36.25"),
            standing: Standing::Preliminary,
            state: ReviewState::Approved,
            source: Some("Báo cáo \"số 12\", Hạt Kiểm lâm\nLục Ngạn".into()),
            reported_by: None,
            reported: None,
        },
        Observation {
            unit: "bac-giang".into(),
            indicator: "gdp".into(),
            period: Period::Half(2019, 2),
            value: dec("-1234567890.123456789"),
            standing: Standing::Final,
            state: ReviewState::Approved,
            source: None,
            reported_by: None,
            reported: None,
        },
    ];
    let text = observations_to_csv(&obs);
    assert!(text.starts_with("\u{feff}unit,indicator,period,value,standing,source\r\n"));
    let parsed = parse_observations_csv(&text, "obs.csv").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.observations, obs);
    assert_eq!(parsed.lines, [2, 4]);
    assert_eq!(observations_to_csv(&parsed.observations), text);
}
