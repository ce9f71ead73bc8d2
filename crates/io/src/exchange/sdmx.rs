//! SDMX-CSV data messages, both versions the SDMX Technical Working Group publishes
//! (`sdmx-twg/sdmx-csv`, "Data Message Field Guide"):
//!
//! * version 1 (SDMX 2.1): the first column is `DATAFLOW`, holding `AGENCY:ID(VERSION)`, then
//!   the dimensions, `TIME_PERIOD`, `OBS_VALUE` and the attributes;
//! * version 2 (SDMX 3.0): `STRUCTURE` (`dataflow`), `STRUCTURE_ID` (`AGENCY:ID(VERSION)`),
//!   an optional `ACTION` (I, A, R or D), then the components in any order. The field
//!   separator is the character after `STRUCTURE` (or after its `[…]` sub-field term).
//!
//! Columns are found by their component ids; the mapping names the dimension holding the
//! area and the one holding the indicator. Other columns are ignored, except the fixed
//! components of the mapping, which must hold their fixed value (or nothing).
//!
//! Time periods follow the SDMX 2.1 Technical Notes (section 4.2, time and time formats):
//! `2019` or `2019-A1`, `2019-S1`, `2019-Q2`, `2019-06` or `2019-M06` are taken; trimesters,
//! weeks, days, date-times and time ranges have no chitieu period and are refused by name.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chitieu_domain::{Observation, Period};

use super::mapping::split_structure_id;
use super::{
    csv_cell, csv_records, in_force, item, no_code, Exported, Imported, Mapping, Place, Problems,
    Skips, NOT_APPROVED,
};
use crate::error::{BundleError, ErrorItem};
use crate::exchange::mapping::SdmxMapping;
use crate::text::{decimal_to_text, nfc, parse_decimal_text, DECIMAL_EXPECTED};

const PERIODS_TAKEN: &str =
    "chitieu takes years (2019, 2019-A1), halves (2019-S1), quarters (2019-Q2) and months (2019-06, 2019-M06)";

/// Reads an SDMX time period into a chitieu period (see the module's documentation).
pub fn parse_period(s: &str) -> Result<Period, String> {
    let t = s.trim();
    let refuse = |kind: &str| Err(format!("`{t}` is an SDMX {kind}; {PERIODS_TAKEN}"));
    let bad = || Err(format!("`{t}` is not an SDMX time period; {PERIODS_TAKEN}"));
    if t.contains('/') {
        return refuse("time range");
    }
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let (year, rest) = match (t.get(..4), t.get(4..)) {
        (Some(y), Some(r)) if digits(y) => (y, r),
        _ => return bad(),
    };
    let Ok(y) = year.parse::<i32>() else {
        return bad();
    };
    if rest.is_empty() {
        return Ok(Period::Year(y));
    }
    let Some(rest) = rest.strip_prefix('-') else {
        return bad();
    };
    let num = |x: &str, max: u8| -> Option<u8> {
        digits(x)
            .then(|| x.parse::<u8>().ok())
            .flatten()
            .filter(|n| (1..=max).contains(n))
    };
    if rest.contains('T') && rest.len() > 6 {
        return refuse("date-time");
    }
    if rest.len() == 2 && digits(rest) {
        return num(rest, 12).map_or_else(bad, |m| Ok(Period::Month(y, m)));
    }
    if rest.len() == 5 && rest.get(2..3) == Some("-") {
        return refuse("day");
    }
    let (letter, n) = rest.split_at(rest.chars().next().map_or(0, char::len_utf8));
    match letter {
        "A" if n == "1" => Ok(Period::Year(y)),
        "S" => num(n, 2).map_or_else(bad, |h| Ok(Period::Half(y, h))),
        "Q" => num(n, 4).map_or_else(bad, |q| Ok(Period::Quarter(y, q))),
        "M" if n.len() == 2 => num(n, 12).map_or_else(bad, |m| Ok(Period::Month(y, m))),
        "T" if num(n, 3).is_some() => refuse("trimester (reporting period of four months)"),
        "W" if num(n, 53).is_some() => refuse("week"),
        "D" if n.len() == 3 && digits(n) => refuse("day"),
        _ => bad(),
    }
}

/// A period as SDMX writes it: `2019`, `2019-S1`, `2019-Q2`, `2019-06`.
pub fn period_text(p: Period) -> String {
    match p {
        Period::Year(y) => format!("{y}"),
        Period::Half(y, h) => format!("{y}-S{h}"),
        Period::Quarter(y, q) => format!("{y}-Q{q}"),
        Period::Month(y, m) => format!("{y}-{m:02}"),
    }
}

/// The SDMX frequency code (CL_FREQ) of a period.
pub fn frequency(p: Period) -> &'static str {
    match p {
        Period::Year(_) => "A",
        Period::Half(..) => "S",
        Period::Quarter(..) => "Q",
        Period::Month(..) => "M",
    }
}

/// Observation status codes (CL_OBS_STATUS) that mark an observation as missing: a row with
/// one of them and no value is left out, not refused.
const MISSING_CODES: [&str; 4] = ["L", "M", "O", "Q"];

fn section<'m>(mapping: &'m Mapping, file: &str) -> Result<&'m SdmxMapping, BundleError> {
    mapping.sdmx.as_ref().ok_or_else(|| {
        BundleError::new(
            &mapping.file,
            vec![ErrorItem {
                line: None,
                column: None,
                location: None,
                message: format!("no [sdmx] section, needed for the SDMX file {file}"),
            }],
        )
    })
}

/// Whether a row's structure id names the mapping's dataflow: same agency and id, and the
/// same version when both give one. Some services write the bare id in a version 1
/// `DATAFLOW` column (`BBEX3`); that is taken when it is the mapping's id.
fn same_flow(found: &str, want: &str) -> bool {
    match (split_structure_id(found), split_structure_id(want)) {
        (Some((a1, i1, v1)), Some((a2, i2, v2))) => {
            a1 == a2 && i1 == i2 && (v1.is_none() || v2.is_none() || v1 == v2)
        }
        (None, Some((_, id, _))) => found == id,
        _ => false,
    }
}

/// Reads an SDMX-CSV data message of version 1 or 2 (told apart by the first header cell).
/// Every row must be of the mapping's dataflow. A row's standing comes from the mapping's
/// standing attribute (`OBS_STATUS`: A final, P preliminary, E estimate, unless
/// `[sdmx.standing_codes]` says otherwise), else the `[import]` standing; its source and
/// reporter from the attributes the mapping names. Rows without a value whose status marks
/// them missing (L, M, O, Q) are left out and counted in [`Imported::skipped`].
pub fn read_csv(text: &str, file: &str, mapping: &Mapping) -> Result<Imported, BundleError> {
    let m = section(mapping, file)?;
    let map_file = &mapping.file;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let one = |line: usize, location: &str, message: String| {
        BundleError::new(file, vec![item(line, None, location.into(), message)])
    };
    let first = text.trim_start();
    let (version, delimiter) = if first.starts_with("DATAFLOW") {
        (1, b',')
    } else if let Some(rest) = first.strip_prefix("STRUCTURE") {
        // The separator follows `STRUCTURE` or its `[…]` term (`STRUCTURE[;];STRUCTURE_ID`).
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, after)| after),
            None => rest,
        };
        match rest.bytes().next() {
            Some(b) if b.is_ascii_punctuation() || b == b'\t' => (2, b),
            _ => {
                return Err(one(
                    1,
                    "header",
                    "cannot find the field separator after STRUCTURE".into(),
                ))
            }
        }
    } else {
        return Err(one(
            1,
            "header",
            "not an SDMX-CSV message: the first column is `DATAFLOW` (version 1) or `STRUCTURE` (version 2)".into(),
        ));
    };
    let records = csv_records(text, delimiter).map_err(|e| BundleError::new(file, vec![e]))?;
    let Some(((header_line, header), rows)) = records.split_first() else {
        return Err(one(1, "header", "an empty file".into()));
    };
    let header_line = *header_line;
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            let h = h.trim();
            // `STRUCTURE[;]`, `ATTR[]`: the sub-field term is not part of the id.
            h.split_once('[').map_or(h, |(id, _)| id).to_string()
        })
        .collect();
    if let Some(labelled) = header.iter().find(|h| h.contains(": ")) {
        return Err(one(
            header_line,
            "header",
            format!("`{labelled}` carries a label: chitieu reads codes only (ask for labels=id)"),
        ));
    }
    let col: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut missing = Vec::new();
    let mut need = |name: &str, why: &str| match col.get(name) {
        Some(&i) => Some(i),
        None => {
            missing.push(format!("{name}{why}"));
            None
        }
    };
    let flow_col = if version == 1 {
        need("DATAFLOW", "")
    } else {
        need("STRUCTURE_ID", "")
    };
    let kind_col = if version == 2 {
        need("STRUCTURE", "")
    } else {
        None
    };
    let area_col = need(&m.area_dimension, " (the [sdmx] area_dimension)");
    let ind_col = need(&m.indicator_dimension, " (the [sdmx] indicator_dimension)");
    let time_col = need("TIME_PERIOD", "");
    let value_col = need("OBS_VALUE", "");
    if !missing.is_empty() {
        return Err(one(
            header_line,
            "header",
            format!(
                "missing column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        ));
    }
    let action_col = col.get("ACTION").copied().filter(|_| version == 2);
    let freq_col = m
        .frequency_dimension
        .as_deref()
        .and_then(|f| col.get(f).copied());
    let status_col = m
        .standing_attribute
        .as_deref()
        .and_then(|a| col.get(a).copied());
    let source_col = m
        .source_attribute
        .as_deref()
        .and_then(|a| col.get(a).copied());
    let by_col = m
        .reported_by_attribute
        .as_deref()
        .and_then(|a| col.get(a).copied());
    let mut labels = BTreeMap::new();
    labels.insert("unit", m.area_dimension.clone());
    labels.insert("indicator", m.indicator_dimension.clone());
    labels.insert("period", "TIME_PERIOD".to_string());
    labels.insert("value", "OBS_VALUE".to_string());
    let mut imported = Imported {
        observations: Vec::with_capacity(rows.len()),
        places: Vec::with_capacity(rows.len()),
        labels,
        skipped: 0,
    };
    let mut problems = Problems::new();
    let name_of = |i: usize| names.get(i).map_or("?", String::as_str);
    for (line, record) in rows {
        if problems.full() {
            break;
        }
        let line = *line;
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|c| !c.is_empty())
        };
        let bad = |i: Option<usize>, message: String, problems: &mut Problems| {
            let name = i.map_or("row", name_of);
            problems.push(item(line, None, format!("column {name}"), message));
        };
        if let Some(kind) = cell(kind_col) {
            if kind != "dataflow" {
                bad(kind_col, format!("rows of a `{kind}` cannot be read: chitieu reads rows of the dataflow {} only", m.dataflow), &mut problems);
                continue;
            }
        }
        match cell(flow_col) {
            Some(f) if same_flow(f, &m.dataflow) => {}
            found => {
                bad(
                    flow_col,
                    format!(
                        "the row is of {}, the mapping's dataflow is {} ([sdmx] dataflow in {map_file})",
                        found.map_or("no dataflow".to_string(), |f| format!("`{f}`")),
                        m.dataflow
                    ),
                    &mut problems,
                );
                continue;
            }
        }
        match cell(action_col) {
            None | Some("I" | "A" | "R") => {}
            Some("D") => {
                bad(action_col, "a deletion (action D) cannot be imported: chitieu keeps every figure it is given".into(), &mut problems);
                continue;
            }
            Some(a) => {
                bad(
                    action_col,
                    format!("unknown action `{a}`: expected I, A, R or D"),
                    &mut problems,
                );
                continue;
            }
        }
        let period = match cell(time_col) {
            None => {
                bad(time_col, "missing TIME_PERIOD".into(), &mut problems);
                None
            }
            Some(t) => match parse_period(t) {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(time_col, e, &mut problems);
                    None
                }
            },
        };
        if let (Some(p), Some(f)) = (period, cell(freq_col)) {
            if f != frequency(p) {
                bad(
                    freq_col,
                    format!(
                        "frequency `{f}` does not match the period {} (frequency {})",
                        period_text(p),
                        frequency(p)
                    ),
                    &mut problems,
                );
            }
        }
        let status = cell(status_col);
        let value = match cell(value_col) {
            None | Some("NaN")
                if status.is_some_and(|s| MISSING_CODES.contains(&s))
                    || cell(value_col) == Some("NaN") =>
            {
                imported.skipped += 1;
                continue;
            }
            None => {
                bad(
                    value_col,
                    "missing OBS_VALUE (a missing observation has OBS_STATUS M, L, O or Q)".into(),
                    &mut problems,
                );
                None
            }
            Some(v) => match parse_decimal_text(v) {
                Some(d) => Some(d),
                None => {
                    bad(
                        value_col,
                        format!("expected {DECIMAL_EXPECTED}, found {v:?}"),
                        &mut problems,
                    );
                    None
                }
            },
        };
        let standing = match status {
            None => Some(mapping.standing),
            Some(s) => match m.standing_codes.get(s) {
                Some(st) => Some(*st),
                None => {
                    bad(
                        status_col,
                        format!(
                            "`{s}` has no standing: add `{s} = \"final\"` (or preliminary, estimate) to [sdmx.standing_codes] in {map_file}"
                        ),
                        &mut problems,
                    );
                    None
                }
            },
        };
        let unit = cell(area_col).and_then(|code| {
            let found = m.areas.id_of(code);
            if found.is_none() {
                problems.unmapped(
                    "area",
                    code,
                    item(
                        line,
                        None,
                        format!("column {}", m.area_dimension),
                        format!("unmapped area `{code}`: add \"{code}\" = \"unit-id\" to [sdmx.areas] in {map_file}"),
                    ),
                );
            }
            found
        });
        let indicator = cell(ind_col).and_then(|code| {
            let found = m.indicators.id_of(code);
            if found.is_none() {
                problems.unmapped(
                    "indicator",
                    code,
                    item(
                        line,
                        None,
                        format!("column {}", m.indicator_dimension),
                        format!("unmapped indicator `{code}`: add \"{code}\" = \"indicator-id\" to [sdmx.indicators] in {map_file}"),
                    ),
                );
            }
            found
        });
        if cell(area_col).is_none() {
            bad(
                area_col,
                format!("missing {}", m.area_dimension),
                &mut problems,
            );
        }
        if cell(ind_col).is_none() {
            bad(
                ind_col,
                format!("missing {}", m.indicator_dimension),
                &mut problems,
            );
        }
        if let Some(ind) = indicator {
            for (component, want) in m.fixed_of(ind) {
                let c = col.get(component).copied();
                if let Some(found) = cell(c) {
                    if found != want {
                        bad(
                            c,
                            format!("{component} is `{found}`, the mapping fixes it to `{want}` ([sdmx] fixed in {map_file}): the figure would not be the indicator's"),
                            &mut problems,
                        );
                    }
                }
            }
        }
        let (Some(unit), Some(indicator), Some(period), Some(value), Some(standing)) =
            (unit, indicator, period, value, standing)
        else {
            continue;
        };
        imported.observations.push(Observation {
            unit: unit.to_string(),
            indicator: indicator.to_string(),
            period,
            value,
            standing,
            state: mapping.state,
            source: cell(source_col).map(nfc),
            reported_by: cell(by_col).map(nfc),
            reported: None,
        });
        imported.places.push(Place {
            line,
            column: None,
            prefix: "column ".into(),
        });
    }
    problems.finish(file)?;
    Ok(imported)
}

/// Writes an SDMX-CSV data message of the mapping's `csv_version`: the structure columns,
/// the frequency (from each period), the area and indicator dimensions, the fixed components
/// (alphabetically), `TIME_PERIOD`, `OBS_VALUE`, then the standing, source and reporter
/// attributes the mapping names. Version 2 rows carry action `I` (information).
pub fn write_csv(obs: &[Observation], mapping: &Mapping) -> Result<Exported, BundleError> {
    let m = section(mapping, "to export")?;
    let (chosen, unapproved) = in_force(obs);
    let mut skips = Skips::default();
    skips.add(NOT_APPROVED, None, unapproved);
    let taken = [
        Some(m.area_dimension.as_str()),
        Some(m.indicator_dimension.as_str()),
        m.frequency_dimension.as_deref(),
    ];
    let fixed_names: BTreeSet<&str> = m
        .fixed
        .keys()
        .chain(m.indicator_fixed.values().flat_map(BTreeMap::keys))
        .map(String::as_str)
        .filter(|k| !taken.contains(&Some(*k)))
        .collect();
    let mut header: Vec<&str> = if m.csv_version == 1 {
        vec!["DATAFLOW"]
    } else {
        vec!["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    };
    header.extend(m.frequency_dimension.as_deref());
    header.push(&m.area_dimension);
    header.push(&m.indicator_dimension);
    header.extend(fixed_names.iter().copied());
    header.push("TIME_PERIOD");
    header.push("OBS_VALUE");
    header.extend(m.standing_attribute.as_deref());
    header.extend(m.source_attribute.as_deref());
    header.extend(m.reported_by_attribute.as_deref());
    let mut text = String::new();
    push_row(&mut text, header.iter().copied());
    let mut written = 0;
    for o in chosen {
        let (Some(area), Some(ind)) =
            (m.areas.code_of(&o.unit), m.indicators.code_of(&o.indicator))
        else {
            if m.areas.code_of(&o.unit).is_none() {
                skips.add(
                    &no_code("units", "sdmx.areas", &mapping.file),
                    Some(&o.unit),
                    1,
                );
            } else {
                skips.add(
                    &no_code("indicators", "sdmx.indicators", &mapping.file),
                    Some(&o.indicator),
                    1,
                );
            }
            continue;
        };
        let fixed = m.fixed_of(&o.indicator);
        let period = period_text(o.period);
        let value = decimal_to_text(o.value);
        let mut row: Vec<&str> = if m.csv_version == 1 {
            vec![&m.dataflow]
        } else {
            vec!["dataflow", &m.dataflow, "I"]
        };
        if m.frequency_dimension.is_some() {
            row.push(frequency(o.period));
        }
        row.push(area);
        row.push(ind);
        row.extend(
            fixed_names
                .iter()
                .map(|k| fixed.get(k).copied().unwrap_or_default()),
        );
        row.push(&period);
        row.push(&value);
        if m.standing_attribute.is_some() {
            row.push(m.standing_code(o.standing).unwrap_or_default());
        }
        if m.source_attribute.is_some() {
            row.push(o.source.as_deref().unwrap_or_default());
        }
        if m.reported_by_attribute.is_some() {
            row.push(o.reported_by.as_deref().unwrap_or_default());
        }
        push_row(&mut text, row.into_iter());
        written += 1;
    }
    Ok(Exported {
        text,
        written,
        skipped: skips.into_vec(),
    })
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(out, c, ',');
    }
    out.push_str("\r\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn periods_taken_and_written() {
        for (s, p) in [
            ("2019", Period::Year(2019)),
            ("2019-S1", Period::Half(2019, 1)),
            ("2019-Q2", Period::Quarter(2019, 2)),
            ("2019-06", Period::Month(2019, 6)),
        ] {
            assert_eq!(parse_period(s), Ok(p), "{s}");
            assert_eq!(period_text(p), s);
        }
        assert_eq!(parse_period("2019-A1"), Ok(Period::Year(2019)));
        assert_eq!(parse_period("2019-M06"), Ok(Period::Month(2019, 6)));
        assert_eq!(frequency(Period::Half(2019, 2)), "S");
    }

    #[test]
    fn other_sdmx_periods_are_refused_by_name() {
        for (s, kind) in [
            ("2019-T1", "trimester"),
            ("2019-W01", "week"),
            ("2019-D001", "day"),
            ("2019-06-15", "day"),
            ("2019-06-15T10:00:00", "date-time"),
            ("2019-01-01/P1Y", "time range"),
        ] {
            let e = parse_period(s).unwrap_err();
            assert!(e.contains(&format!("SDMX {kind}")), "{s}: {e}");
        }
        for s in [
            "19", "2019-S3", "2019-Q5", "2019-13", "2019-A2", "2019Q1", "abcd", "",
        ] {
            let e = parse_period(s).unwrap_err();
            assert!(e.contains("not an SDMX time period"), "{s}: {e}");
        }
    }

    #[test]
    fn dataflows_match_by_agency_id_and_version() {
        assert!(same_flow("VN:DF(1.0)", "VN:DF(1.0)"));
        assert!(same_flow("VN:DF", "VN:DF(1.0)"));
        assert!(!same_flow("VN:DF(1.1)", "VN:DF(1.0)"));
        assert!(!same_flow("XX:DF(1.0)", "VN:DF(1.0)"));
        assert!(same_flow("DF", "VN:DF(1.0)"));
        assert!(!same_flow("DG", "VN:DF(1.0)"));
    }
}
