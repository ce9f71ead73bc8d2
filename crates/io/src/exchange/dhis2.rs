//! DHIS2 data value sets, JSON and CSV, as the DHIS2 Web API documents them ("Data values",
//! `/api/dataValueSets`: the JSON and CSV forms of "Sending data values", "Sending bulks of
//! data values", "CSV data value format" and "Reading data values").
//!
//! A data value names a data element, a period, an organisation unit, optionally a category
//! option combo and an attribute option combo, and carries the value as text. In JSON the
//! period, org unit and attribute option combo may be given once for the whole set and are
//! then inherited by its values. DHIS2 reads a CSV by column position and ignores its header
//! row (the documentation's own examples spell the header in several ways), so the header is
//! only checked to be one of those spellings, column by column.

use std::collections::BTreeMap;

use chitieu_domain::{Observation, Period};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{
    csv_records, csv_row, in_force, item, no_code, Exported, Imported, Mapping, Place, Problems,
    Skips, NOT_APPROVED,
};
use crate::error::{BundleError, ErrorItem, LineIndex};
use crate::exchange::mapping::Dhis2Mapping;
use crate::text::{decimal_to_text, nfc, parse_decimal_text, DECIMAL_EXPECTED};

/// The periods chitieu takes, as DHIS2 writes them.
const PERIODS_TAKEN: &str =
    "chitieu takes yearly (2019), six-monthly (2019S1), quarterly (2019Q2) and monthly (201906) periods";

/// Reads a DHIS2 period: `2019`, `2019S1`, `2019Q2`, `201906`. The other DHIS2 period types
/// (daily, weekly, bi-weekly, bi-monthly, six-monthly from April or November, quarterly from
/// November, financial years) have no chitieu period and are refused by name.
pub fn parse_period(s: &str) -> Result<Period, String> {
    let t = s.trim();
    let refuse = |kind: &str| Err(format!("`{t}` is a DHIS2 {kind} period; {PERIODS_TAKEN}"));
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let (year, rest) = match (t.get(..4), t.get(4..)) {
        (Some(y), Some(r)) if digits(y) => (y, r),
        _ => return Err(format!("`{t}` is not a DHIS2 period; {PERIODS_TAKEN}")),
    };
    let y: i32 = year
        .parse()
        .map_err(|_| format!("`{t}` is not a DHIS2 period"))?;
    let num = |x: &str, max: u8| -> Option<u8> {
        if !digits(x) {
            return None;
        }
        x.parse::<u8>().ok().filter(|n| (1..=max).contains(n))
    };
    let bad = || Err(format!("`{t}` is not a DHIS2 period; {PERIODS_TAKEN}"));
    if rest.is_empty() {
        return Ok(Period::Year(y));
    }
    if digits(rest) {
        return match rest.len() {
            2 => num(rest, 12).map_or_else(bad, |m| Ok(Period::Month(y, m))),
            4 => refuse("daily"),
            _ => bad(),
        };
    }
    if let Some(h) = rest.strip_prefix('S') {
        return num(h, 2).map_or_else(bad, |h| Ok(Period::Half(y, h)));
    }
    if let Some(q) = rest.strip_prefix('Q') {
        return num(q, 4).map_or_else(bad, |q| Ok(Period::Quarter(y, q)));
    }
    if rest.len() == 3 && rest.ends_with('B') && rest.get(..2).is_some_and(digits) {
        return refuse("bi-monthly");
    }
    for (prefix, kind) in [
        ("BiW", "bi-weekly"),
        ("WedW", "weekly (from Wednesday)"),
        ("ThuW", "weekly (from Thursday)"),
        ("SatW", "weekly (from Saturday)"),
        ("SunW", "weekly (from Sunday)"),
        ("W", "weekly"),
        ("AprilS", "six-monthly (from April)"),
        ("NovS", "six-monthly (from November)"),
        ("NovQ", "quarterly (from November)"),
    ] {
        if rest.strip_prefix(prefix).is_some_and(digits) {
            return refuse(kind);
        }
    }
    for (name, kind) in [
        ("April", "financial-year (April)"),
        ("July", "financial-year (July)"),
        ("Oct", "financial-year (October)"),
        ("Nov", "financial-year (November)"),
    ] {
        if rest == name {
            return refuse(kind);
        }
    }
    bad()
}

/// A period as DHIS2 writes it.
pub fn period_text(p: Period) -> String {
    match p {
        Period::Year(y) => format!("{y}"),
        Period::Half(y, h) => format!("{y}S{h}"),
        Period::Quarter(y, q) => format!("{y}Q{q}"),
        Period::Month(y, m) => format!("{y}{m:02}"),
    }
}

fn section<'m>(mapping: &'m Mapping, file: &str) -> Result<&'m Dhis2Mapping, BundleError> {
    mapping.dhis2.as_ref().ok_or_else(|| {
        BundleError::new(
            &mapping.file,
            vec![ErrorItem {
                line: None,
                column: None,
                location: None,
                message: format!("no [dhis2] section, needed for the DHIS2 file {file}"),
            }],
        )
    })
}

/// One data value's fields as text, before mapping.
struct RawDv<'a> {
    data_element: Option<&'a str>,
    period: Option<&'a str>,
    org_unit: Option<&'a str>,
    coc: Option<&'a str>,
    aoc: Option<&'a str>,
    value: Option<String>,
    stored_by: Option<&'a str>,
    last_updated: Option<&'a str>,
    comment: Option<&'a str>,
    deleted: bool,
}

/// Where each field of a data value is, for messages: `(line, column, location)`.
type Locate<'l> = dyn Fn(&str) -> (usize, Option<usize>, String) + 'l;

/// Checks and maps one data value; every problem goes to `problems`.
fn convert(
    dv: &RawDv<'_>,
    m: &Dhis2Mapping,
    mapping: &Mapping,
    at: &Locate<'_>,
    problems: &mut Problems,
) -> Option<Observation> {
    let map_file = &mapping.file;
    let bad = |field: &str, message: String, problems: &mut Problems| {
        let (line, col, loc) = at(field);
        problems.push(item(line, col, loc, message));
    };
    if dv.deleted {
        bad(
            "deleted",
            "a deleted value cannot be imported: chitieu keeps every figure it is given; \
             leave the row out"
                .into(),
            problems,
        );
        return None;
    }
    let de = present(dv.data_element);
    let ou = present(dv.org_unit);
    let pe = present(dv.period);
    if de.is_none() {
        bad("dataElement", "missing data element".into(), problems);
    }
    if ou.is_none() {
        bad("orgUnit", "missing org unit".into(), problems);
    }
    if pe.is_none() {
        bad("period", "missing period".into(), problems);
    }
    let period = pe.and_then(|p| match parse_period(p) {
        Ok(p) => Some(p),
        Err(e) => {
            bad("period", e, problems);
            None
        }
    });
    let value = match dv.value.as_deref().map(str::trim) {
        None | Some("") => {
            bad("value", "missing value".into(), problems);
            None
        }
        Some(v) => match parse_decimal_text(v) {
            Some(d) => Some(d),
            None => {
                bad(
                    "value",
                    format!("expected {DECIMAL_EXPECTED}, found {v:?}"),
                    problems,
                );
                None
            }
        },
    };
    let coc = present(dv.coc);
    let indicator = de.and_then(|de| {
        let with_coc = coc.and_then(|c| m.data_elements.id_of(&format!("{de}.{c}")));
        let bare_ok = coc.is_none() || coc == m.category_option_combo.as_deref();
        let found = with_coc.or_else(|| bare_ok.then(|| m.data_elements.id_of(de)).flatten());
        if found.is_none() {
            let (line, col, loc) = at("dataElement");
            let message = match coc {
                Some(c) if m.data_elements.id_of(de).is_some() => format!(
                    "data element `{de}` with category option combo `{c}` is not mapped: add \
                     \"{de}.{c}\" = \"indicator-id\" to [dhis2.data_elements] in {map_file}, \
                     or set [dhis2] category_option_combo = \"{c}\" if it is the default combo"
                ),
                _ => format!(
                    "unmapped data element `{de}`: add \"{de}\" = \"indicator-id\" to \
                     [dhis2.data_elements] in {map_file}"
                ),
            };
            let code = coc.map_or(de.to_string(), |c| format!("{de}.{c}"));
            problems.unmapped("dataElement", &code, item(line, col, loc, message));
        }
        found
    });
    let unit = ou.and_then(|ou| {
        let found = m.org_units.id_of(ou);
        if found.is_none() {
            let (line, col, loc) = at("orgUnit");
            problems.unmapped(
                "orgUnit",
                ou,
                item(
                    line,
                    col,
                    loc,
                    format!(
                        "unmapped org unit `{ou}`: add \"{ou}\" = \"unit-id\" to \
                         [dhis2.org_units] in {map_file}"
                    ),
                ),
            );
        }
        found
    });
    if let Some(aoc) = present(dv.aoc) {
        if Some(aoc) != m.attribute_option_combo.as_deref() {
            bad(
                "attributeOptionCombo",
                format!(
                    "attribute option combo `{aoc}` is not the mapping's: set [dhis2] \
                     attribute_option_combo = \"{aoc}\" in {map_file} if these figures are \
                     the ones to take"
                ),
                problems,
            );
            return None;
        }
    }
    let reported = match present(dv.last_updated) {
        None => None,
        Some(t) => match t
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            Some(d)
                if t.len() == 10 || t.get(10..11) == Some("T") || t.get(10..11) == Some(" ") =>
            {
                Some(d)
            }
            _ => {
                bad(
                    "lastUpdated",
                    format!("expected a date (2015-04-05 or 2015-04-05T19:58:12.000), found {t:?}"),
                    problems,
                );
                return None;
            }
        },
    };
    let text = |v: Option<&str>, on: bool| on.then(|| present(v).map(nfc)).flatten();
    Some(Observation {
        unit: unit?.to_string(),
        indicator: indicator?.to_string(),
        period: period?,
        value: value?,
        standing: mapping.standing,
        state: mapping.state,
        source: text(dv.comment, m.comment_is_source),
        reported_by: text(dv.stored_by, m.stored_by_is_reported_by),
        reported,
    })
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

fn labels(names: [&str; 4]) -> BTreeMap<&'static str, String> {
    ["unit", "indicator", "period", "value"]
        .into_iter()
        .zip(names.map(String::from))
        .collect()
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a DHIS2 data value set: an object with a `dataValues` array"
)]
struct RawSet<'a> {
    period: Option<String>,
    org_unit: Option<String>,
    attribute_option_combo: Option<String>,
    #[serde(borrow)]
    data_values: Option<Vec<&'a RawValue>>,
}

/// The byte offset of `"key"` used as a key in a JSON object's text, if any.
fn key_offset(json: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let mut from = 0;
    while let Some(i) = json.get(from..).and_then(|s| s.find(&quoted)) {
        let at = from + i;
        let after = json.get(at + quoted.len()..).unwrap_or_default();
        let escaped = at > 0 && json.as_bytes().get(at - 1) == Some(&b'\\');
        if !escaped && after.trim_start().starts_with(':') {
            return Some(at);
        }
        from = at + quoted.len();
    }
    None
}

/// The message of a serde_json error without its " at line L column C" (given apart).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    s.strip_suffix(&suffix).unwrap_or(&s).to_string()
}

/// Reads a DHIS2 data value set in JSON. Values inherit `period`, `orgUnit` and
/// `attributeOptionCombo` from the set when they do not give their own. `comment` and
/// `storedBy` become the figure's source and reporter (unless the mapping says `none`),
/// `lastUpdated` (else `created`) the day it was reported; `followup` is ignored. Every
/// figure gets the mapping's `[import]` standing and state.
pub fn read_json(text: &str, file: &str, mapping: &Mapping) -> Result<Imported, BundleError> {
    let m = section(mapping, file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let fail = |line, column, location: Option<String>, message| {
        BundleError::new(
            file,
            vec![ErrorItem {
                line: Some(line),
                column: Some(column),
                location,
                message,
            }],
        )
    };
    let set: RawSet<'_> = serde_json::from_str(text)
        .map_err(|e| fail(e.line().max(1), e.column().max(1), None, json_message(&e)))?;
    let ix = LineIndex::new(text);
    let Some(values) = set.data_values else {
        return Err(fail(
            1,
            1,
            Some("dataValues".into()),
            "expected a data value set: an object with a `dataValues` array".into(),
        ));
    };
    let base = text.as_ptr() as usize;
    let offset_of = |raw: &RawValue| (raw.get().as_ptr() as usize).saturating_sub(base);
    // The set's own keys are outside its values: look for them outside the array.
    let array_span = match (values.first(), values.last()) {
        (Some(f), Some(l)) => offset_of(f)..offset_of(l) + l.get().len(),
        _ => 0..0,
    };
    let set_key = |key: &str| -> (usize, usize) {
        let before = text
            .get(..array_span.start)
            .and_then(|t| key_offset(t, key));
        let after = || {
            text.get(array_span.end..)
                .and_then(|t| key_offset(t, key))
                .map(|o| o + array_span.end)
        };
        ix.pos(before.or_else(after).unwrap_or(0))
    };
    let mut problems = Problems::new();
    // The set's period is checked once, at its own place, rather than at every value.
    if let Some(p) = set.period.as_deref() {
        if let Err(e) = parse_period(p) {
            let (line, col) = set_key("period");
            return Err(BundleError::new(
                file,
                vec![item(line, Some(col), "period".into(), e)],
            ));
        }
    }
    let set_period = set.period.as_deref();
    let set_ou = set.org_unit.as_deref();
    let set_aoc = set.attribute_option_combo.as_deref();
    let mut imported = Imported {
        observations: Vec::with_capacity(values.len()),
        places: Vec::with_capacity(values.len()),
        labels: labels(["orgUnit", "dataElement", "period", "value"]),
        skipped: 0,
    };
    for (i, raw) in values.iter().enumerate() {
        if problems.full() {
            break;
        }
        let start = offset_of(raw);
        let (line, col) = ix.pos(start);
        let path = format!("dataValues[{i}]");
        let obj: Map<String, Value> = match serde_json::from_str(raw.get()) {
            Ok(o) => o,
            Err(_) => {
                problems.push(item(line, Some(col), path, "expected an object".into()));
                continue;
            }
        };
        let json = raw.get();
        let at = |field: &str| match key_offset(json, field) {
            Some(o) => {
                let (l, c) = ix.pos(start + o);
                (l, Some(c), format!("{path}.{field}"))
            }
            // Inherited from the set: the problem is where the set gives it.
            None if matches!(field, "orgUnit" | "attributeOptionCombo")
                && key_offset(text.get(..array_span.start).unwrap_or_default(), field)
                    .is_some() =>
            {
                let (l, c) = set_key(field);
                (l, Some(c), field.to_string())
            }
            None => (line, Some(col), format!("{path}.{field}")),
        };
        let mut type_ok = true;
        let mut string = |field: &str| -> Option<&str> {
            match obj.get(field) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.as_str()),
                Some(other) => {
                    let (l, c, loc) = at(field);
                    problems.push(item(l, c, loc, format!("expected a string, found {other}")));
                    type_ok = false;
                    None
                }
            }
        };
        let data_element = string("dataElement");
        let period = string("period").or(set_period);
        let org_unit = string("orgUnit").or(set_ou);
        let coc = string("categoryOptionCombo");
        let aoc = string("attributeOptionCombo").or(set_aoc);
        let stored_by = string("storedBy");
        let last_updated = string("lastUpdated").or_else(|| string("created"));
        let comment = string("comment");
        // DHIS2 writes values as strings; a bare JSON number is taken as its shortest text.
        let value = match obj.get("value") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                let (l, c, loc) = at("value");
                problems.push(item(
                    l,
                    c,
                    loc,
                    format!("expected a number in a string, found {other}"),
                ));
                type_ok = false;
                None
            }
        };
        let deleted = matches!(obj.get("deleted"), Some(Value::Bool(true)));
        if !type_ok {
            continue;
        }
        let dv = RawDv {
            data_element,
            period,
            org_unit,
            coc,
            aoc,
            value,
            stored_by,
            last_updated,
            comment,
            deleted,
        };
        if let Some(o) = convert(&dv, m, mapping, &at, &mut problems) {
            imported.observations.push(o);
            imported.places.push(Place {
                line,
                column: Some(col),
                prefix: format!("{path}."),
            });
        }
    }
    problems.finish(file)?;
    Ok(imported)
}

/// The columns of a DHIS2 data value CSV, by position, with the header spellings the DHIS2
/// documentation uses for each (compared without case, spaces or underscores).
const CSV_COLUMNS: [(&str, &[&str]); 11] = [
    ("dataelement", &["dataelement", "de"]),
    ("period", &["period", "pe"]),
    ("orgunit", &["orgunit", "ou"]),
    (
        "categoryoptioncombo",
        &["categoryoptioncombo", "catoptcombo", "coc"],
    ),
    (
        "attributeoptioncombo",
        &["attributeoptioncombo", "attroptcombo", "aoc"],
    ),
    ("value", &["value"]),
    ("storedby", &["storedby", "strby"]),
    (
        "lastupdated",
        &["lastupdated", "lstupd", "timestamp", "created"],
    ),
    ("comment", &["comment", "cmt"]),
    ("followup", &["followup", "flwup"]),
    ("deleted", &["deleted"]),
];

/// The header DHIS2 (2.38 and later) writes, and chitieu too.
pub const CSV_HEADER: [&str; 11] = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
];

fn squash(s: &str) -> String {
    s.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a DHIS2 data value CSV: a header row, then `dataelement, period, orgunit,
/// catoptcombo, attroptcombo, value, storedby, lastupdated, comment, followup[, deleted]` by
/// position (the first six are required; later ones may be left off). The same rules as
/// [`read_json`] apply to each row.
pub fn read_csv(text: &str, file: &str, mapping: &Mapping) -> Result<Imported, BundleError> {
    let m = section(mapping, file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = csv_records(text, b',').map_err(|e| BundleError::new(file, vec![e]))?;
    let mut problems = Problems::new();
    let Some(((header_line, header), rows)) = records.split_first() else {
        return Err(BundleError::new(
            file,
            vec![item(
                1,
                None,
                "header".into(),
                format!(
                    "expected the header `{}`, found an empty file",
                    CSV_HEADER.join(",")
                ),
            )],
        ));
    };
    let found: Vec<String> = header.iter().map(squash).collect();
    if found.len() < 6 {
        let missing: Vec<&str> = CSV_COLUMNS
            .iter()
            .skip(found.len())
            .take(6 - found.len())
            .map(|c| c.0)
            .collect();
        return Err(BundleError::new(
            file,
            vec![item(
                *header_line,
                None,
                "header".into(),
                format!(
                    "missing column{} {}: a DHIS2 CSV has at least dataelement,period,orgunit,\
                     categoryoptioncombo,attributeoptioncombo,value",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            )],
        ));
    }
    for (i, name) in found.iter().enumerate() {
        match CSV_COLUMNS.get(i) {
            Some((want, aliases)) if !aliases.contains(&name.as_str()) => problems.push(item(
                *header_line,
                None,
                "header".into(),
                format!(
                    "column {} is `{}`, expected `{want}` (DHIS2 reads its CSV by position; \
                     without a header row the first row would be lost)",
                    i + 1,
                    header.get(i).unwrap_or_default().trim()
                ),
            )),
            _ => {}
        }
    }
    problems.finish(file)?;
    let mut problems = Problems::new();
    let mut imported = Imported {
        observations: Vec::with_capacity(rows.len()),
        places: Vec::with_capacity(rows.len()),
        labels: labels(["orgunit", "dataelement", "period", "value"]),
        skipped: 0,
    };
    fn field_column(field: &str) -> &str {
        match field {
            "dataElement" => "dataelement",
            "orgUnit" => "orgunit",
            "attributeOptionCombo" => "attributeoptioncombo",
            "lastUpdated" => "lastupdated",
            other => other,
        }
    }
    for (line, record) in rows {
        if problems.full() {
            break;
        }
        let line = *line;
        if record.len() < 6 {
            problems.push(item(
                line,
                None,
                "row".into(),
                format!("expected at least 6 columns, found {}", record.len()),
            ));
            continue;
        }
        let cell = |i: usize| record.get(i).map(str::trim).filter(|c| !c.is_empty());
        let deleted = cell(10).is_some_and(|d| d.eq_ignore_ascii_case("true"));
        let dv = RawDv {
            data_element: cell(0),
            period: cell(1),
            org_unit: cell(2),
            coc: cell(3),
            aoc: cell(4),
            value: cell(5).map(String::from),
            stored_by: cell(6),
            last_updated: cell(7),
            comment: cell(8),
            deleted,
        };
        let at = |field: &str| (line, None, format!("column {}", field_column(field)));
        if let Some(o) = convert(&dv, m, mapping, &at, &mut problems) {
            imported.observations.push(o);
            imported.places.push(Place {
                line,
                column: None,
                prefix: "column ".into(),
            });
        }
    }
    problems.finish(file)?;
    Ok(imported)
}

/// One figure's DHIS2 fields, or why it cannot be written.
struct Out<'o> {
    de: &'o str,
    coc: Option<&'o str>,
    ou: &'o str,
    obs: &'o Observation,
}

fn outgoing<'o>(
    obs: &'o [Observation],
    m: &'o Dhis2Mapping,
    map_file: &str,
) -> (Vec<Out<'o>>, Skips) {
    let (chosen, unapproved) = in_force(obs);
    let mut skips = Skips::default();
    skips.add(NOT_APPROVED, None, unapproved);
    let mut out = Vec::with_capacity(chosen.len());
    for o in chosen {
        let ou = m.org_units.code_of(&o.unit);
        let de = m.data_elements.code_of(&o.indicator);
        match (ou, de) {
            (Some(ou), Some(code)) => {
                let (de, coc) = match code.split_once('.') {
                    Some((de, coc)) => (de, Some(coc)),
                    None => (code, m.category_option_combo.as_deref()),
                };
                out.push(Out {
                    de,
                    coc,
                    ou,
                    obs: o,
                });
            }
            (None, _) => skips.add(
                &no_code("units", "dhis2.org_units", map_file),
                Some(&o.unit),
                1,
            ),
            (_, None) => skips.add(
                &no_code("indicators", "dhis2.data_elements", map_file),
                Some(&o.indicator),
                1,
            ),
        }
    }
    (out, skips)
}

fn last_updated(d: NaiveDate) -> String {
    format!("{}T00:00:00.000", d.format("%Y-%m-%d"))
}

/// Writes a DHIS2 data value set in JSON, in the bulk form (each value with its own period
/// and org unit, as "Sending bulks of data values" shows), `dataSet` when the mapping names
/// one. The source goes in `comment`, the reporter in `storedBy`, the report day in
/// `lastUpdated` (DHIS2 sets its own on import); `followup` is false.
pub fn write_json(obs: &[Observation], mapping: &Mapping) -> Result<Exported, BundleError> {
    let m = section(mapping, "to export")?;
    let (out, skips) = outgoing(obs, m, &mapping.file);
    let mut values = Vec::with_capacity(out.len());
    for f in &out {
        let mut v = Map::new();
        v.insert("dataElement".into(), f.de.into());
        v.insert("period".into(), period_text(f.obs.period).into());
        v.insert("orgUnit".into(), f.ou.into());
        if let Some(coc) = f.coc {
            v.insert("categoryOptionCombo".into(), coc.into());
        }
        if let Some(aoc) = &m.attribute_option_combo {
            v.insert("attributeOptionCombo".into(), aoc.as_str().into());
        }
        v.insert("value".into(), decimal_to_text(f.obs.value).into());
        if let (true, Some(by)) = (m.stored_by_is_reported_by, &f.obs.reported_by) {
            v.insert("storedBy".into(), by.as_str().into());
        }
        if let Some(d) = f.obs.reported {
            v.insert("lastUpdated".into(), last_updated(d).into());
        }
        if let (true, Some(src)) = (m.comment_is_source, &f.obs.source) {
            v.insert("comment".into(), src.as_str().into());
        }
        v.insert("followup".into(), false.into());
        values.push(Value::Object(v));
    }
    let mut set = Map::new();
    if let Some(ds) = &m.data_set {
        set.insert("dataSet".into(), ds.as_str().into());
    }
    set.insert("dataValues".into(), Value::Array(values));
    let mut text = serde_json::to_string_pretty(&Value::Object(set)).unwrap_or_default();
    text.push('\n');
    Ok(Exported {
        text,
        written: out.len(),
        skipped: skips.into_vec(),
    })
}

/// Writes a DHIS2 data value CSV with the header DHIS2 writes ([`CSV_HEADER`]), one row per
/// figure, the same fields as [`write_json`].
pub fn write_csv(obs: &[Observation], mapping: &Mapping) -> Result<Exported, BundleError> {
    let m = section(mapping, "to export")?;
    let (out, skips) = outgoing(obs, m, &mapping.file);
    let mut text = String::new();
    csv_row(&mut text, &CSV_HEADER);
    for f in &out {
        let o = f.obs;
        let period = period_text(o.period);
        let value = decimal_to_text(o.value);
        let updated = o.reported.map(last_updated).unwrap_or_default();
        let by = if m.stored_by_is_reported_by {
            o.reported_by.as_deref()
        } else {
            None
        };
        let comment = if m.comment_is_source {
            o.source.as_deref()
        } else {
            None
        };
        csv_row(
            &mut text,
            &[
                f.de,
                &period,
                f.ou,
                f.coc.unwrap_or_default(),
                m.attribute_option_combo.as_deref().unwrap_or_default(),
                &value,
                by.unwrap_or_default(),
                &updated,
                comment.unwrap_or_default(),
                "false",
                "false",
            ],
        );
    }
    Ok(Exported {
        text,
        written: out.len(),
        skipped: skips.into_vec(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn periods_taken_and_written() {
        for (s, p) in [
            ("2019", Period::Year(2019)),
            ("2019S1", Period::Half(2019, 1)),
            ("2019S2", Period::Half(2019, 2)),
            ("2019Q2", Period::Quarter(2019, 2)),
            ("201906", Period::Month(2019, 6)),
            ("201912", Period::Month(2019, 12)),
        ] {
            assert_eq!(parse_period(s), Ok(p), "{s}");
            assert_eq!(period_text(p), s);
        }
    }

    #[test]
    fn other_dhis2_periods_are_refused_by_name() {
        for (s, kind) in [
            ("20190315", "daily"),
            ("2019W10", "weekly"),
            ("2019WedW5", "weekly (from Wednesday)"),
            ("2019BiW2", "bi-weekly"),
            ("201903B", "bi-monthly"),
            ("2019AprilS1", "six-monthly (from April)"),
            ("2019NovQ1", "quarterly (from November)"),
            ("2019April", "financial-year (April)"),
            ("2019July", "financial-year (July)"),
            ("2019Oct", "financial-year (October)"),
        ] {
            let e = parse_period(s).unwrap_err();
            assert!(e.contains(&format!("DHIS2 {kind} period")), "{s}: {e}");
        }
        for s in [
            "19", "2019S3", "2019Q5", "201913", "2019-06", "abcd", "", "2019X",
        ] {
            let e = parse_period(s).unwrap_err();
            assert!(e.contains("not a DHIS2 period"), "{s}: {e}");
        }
    }

    #[test]
    fn key_offsets_skip_values_and_escaped_quotes() {
        let j = r#"{"comment": "\"period\": x", "period" : "2019"}"#;
        let at = key_offset(j, "period").unwrap();
        assert_eq!(j.get(at..at + 8), Some("\"period\""));
        assert!(at > 20);
    }
}
