//! The mapping file: how the codes of a neighbouring system (DHIS2 UIDs, SDMX codes) name
//! chitieu's units and indicators, and what imported figures are (`docs/exchange.md`).
//!
//! Every code maps to one chitieu id and every chitieu id is named by at most one code of a
//! section, so that a figure can go out as well as come in: the reverse maps are built here
//! and a mapping that would make them ambiguous is refused at the line of the second code.

use std::collections::{BTreeMap, HashMap};

use chitieu_domain::{ReviewState, Standing};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::error::{BundleError, ErrorItem, LineIndex};

type Codes = BTreeMap<Spanned<String>, Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    import: RawImport,
    dhis2: Option<RawDhis2>,
    sdmx: Option<RawSdmx>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawImport {
    standing: Option<Spanned<String>>,
    state: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDhis2 {
    data_set: Option<String>,
    category_option_combo: Option<String>,
    attribute_option_combo: Option<String>,
    comment: Option<Spanned<String>>,
    stored_by: Option<Spanned<String>>,
    #[serde(default)]
    data_elements: Codes,
    #[serde(default)]
    org_units: Codes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSdmx {
    dataflow: Spanned<String>,
    csv_version: Option<Spanned<i64>>,
    area_dimension: Option<String>,
    indicator_dimension: Option<String>,
    frequency_dimension: Option<String>,
    standing_attribute: Option<String>,
    source_attribute: Option<String>,
    reported_by_attribute: Option<String>,
    #[serde(default)]
    fixed: BTreeMap<String, String>,
    #[serde(default)]
    areas: Codes,
    #[serde(default)]
    indicators: Codes,
    standing_codes: Option<Codes>,
}

/// A mapping file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The file it was read from, for messages that tell where to add a code.
    pub file: String,
    /// The standing of an imported figure when the file does not say (DHIS2 never does).
    pub standing: Standing,
    /// The review state of every imported figure.
    pub state: ReviewState,
    pub dhis2: Option<Dhis2Mapping>,
    pub sdmx: Option<SdmxMapping>,
}

/// A code and the chitieu id it names, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeMap {
    forward: HashMap<String, String>,
    reverse: HashMap<String, String>,
}

impl CodeMap {
    /// The chitieu id of a code.
    pub fn id_of(&self, code: &str) -> Option<&str> {
        self.forward.get(code).map(String::as_str)
    }

    /// The code of a chitieu id.
    pub fn code_of(&self, id: &str) -> Option<&str> {
        self.reverse.get(id).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.forward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forward.is_empty()
    }
}

/// `[dhis2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dhis2Mapping {
    /// Written as `dataSet` on export.
    pub data_set: Option<String>,
    /// The instance's default category option combo: a value with it (or with none) is the
    /// value of a data element mapped without a combo; written for such indicators on export.
    pub category_option_combo: Option<String>,
    /// The only attribute option combo accepted besides none; written on export.
    pub attribute_option_combo: Option<String>,
    /// Whether `comment` carries the figure's source (else it is ignored and not written).
    pub comment_is_source: bool,
    /// Whether `storedBy` carries who reported the figure.
    pub stored_by_is_reported_by: bool,
    /// Keys `DATAELEMENT` or `DATAELEMENT.CATOPTCOMBO` → indicator id.
    pub data_elements: CodeMap,
    pub org_units: CodeMap,
}

/// `[sdmx]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdmxMapping {
    /// `AGENCY:ID(VERSION)`.
    pub dataflow: String,
    /// The SDMX-CSV version written on export: 1 (`DATAFLOW,…`) or 2 (`STRUCTURE,…`).
    pub csv_version: u8,
    pub area_dimension: String,
    pub indicator_dimension: String,
    /// Written from the period (A, S, Q, M) and checked against it on import; `None` when the
    /// mapping sets it to "".
    pub frequency_dimension: Option<String>,
    pub standing_attribute: Option<String>,
    pub source_attribute: Option<String>,
    pub reported_by_attribute: Option<String>,
    /// Components written with a fixed value on export and required to have it on import.
    pub fixed: BTreeMap<String, String>,
    pub areas: CodeMap,
    pub indicators: CodeMap,
    /// Components fixed for one indicator (its `UNIT_MEASURE`), by indicator id.
    pub indicator_fixed: HashMap<String, BTreeMap<String, String>>,
    /// Attribute code → standing.
    pub standing_codes: BTreeMap<String, Standing>,
}

impl SdmxMapping {
    /// The code a standing is written as: of the codes that map to it, the one of SDMX's
    /// CL_OBS_STATUS (A, P, E) when among them, else the first in alphabetical order.
    pub fn standing_code(&self, s: Standing) -> Option<&str> {
        let standard = match s {
            Standing::Final => "A",
            Standing::Preliminary => "P",
            Standing::Estimate => "E",
        };
        if self.standing_codes.get(standard) == Some(&s) {
            return Some(standard);
        }
        self.standing_codes
            .iter()
            .find(|(_, v)| **v == s)
            .map(|(k, _)| k.as_str())
    }

    /// Every fixed component of an indicator: the section's, then the indicator's own.
    pub fn fixed_of(&self, indicator: &str) -> BTreeMap<&str, &str> {
        let mut all: BTreeMap<&str, &str> = self
            .fixed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(own) = self.indicator_fixed.get(indicator) {
            all.extend(own.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        all
    }
}

struct Checker<'a> {
    ix: LineIndex<'a>,
    errors: Vec<ErrorItem>,
}

impl Checker<'_> {
    fn push(&mut self, at: usize, location: &str, message: String) {
        let (line, col) = self.ix.pos(at);
        self.errors.push(ErrorItem {
            line: Some(line),
            column: Some(col),
            location: Some(location.to_string()),
            message,
        });
    }

    /// Builds a code map, refusing empty codes, non-string ids and an id named twice.
    fn codes(
        &mut self,
        section: &str,
        raw: &Codes,
        mut id_of: impl FnMut(&mut Self, &str, &Spanned<Value>) -> Option<String>,
        mut check_code: impl FnMut(&str) -> Option<String>,
    ) -> CodeMap {
        let mut map = CodeMap::default();
        let mut first_at: HashMap<String, (String, usize)> = HashMap::new();
        for (code, value) in raw {
            let key = code.get_ref().trim();
            let at = code.span().start;
            let location = format!("{section}.\"{key}\"");
            if key.is_empty() {
                self.push(at, section, "an empty code".into());
                continue;
            }
            if let Some(problem) = check_code(key) {
                self.push(at, &location, problem);
                continue;
            }
            let Some(id) = id_of(self, &location, value) else {
                continue;
            };
            if let Some((other, other_at)) = first_at.get(&id) {
                let (line, _) = self.ix.pos(*other_at);
                self.push(
                    at,
                    &location,
                    format!(
                        "`{id}` is already named by `{other}` (line {line}): each id has one \
                         code, so that an export can write it"
                    ),
                );
                continue;
            }
            first_at.insert(id.clone(), (key.to_string(), at));
            map.reverse.insert(id.clone(), key.to_string());
            map.forward.insert(key.to_string(), id);
        }
        map
    }

    fn plain_id(&mut self, location: &str, value: &Spanned<Value>) -> Option<String> {
        match value.get_ref() {
            Value::String(s) if !s.trim().is_empty() => Some(crate::text::nfc(s.trim())),
            _ => {
                self.push(
                    value.span().start,
                    location,
                    "expected a chitieu id in quotes, such as \"luc-ngan\"".into(),
                );
                None
            }
        }
    }
}

fn word<T: Copy>(
    ck: &mut Checker<'_>,
    raw: &Option<Spanned<String>>,
    location: &str,
    choices: &[(&str, T)],
    default: T,
) -> T {
    let Some(raw) = raw else { return default };
    match choices.iter().find(|(w, _)| *w == raw.get_ref()) {
        Some((_, v)) => *v,
        None => {
            let words: Vec<String> = choices.iter().map(|(w, _)| format!("`{w}`")).collect();
            ck.push(
                raw.span().start,
                location,
                format!(
                    "unknown value `{}`, expected one of {}",
                    raw.get_ref(),
                    words.join(", ")
                ),
            );
            default
        }
    }
}

fn standing_words() -> Vec<(&'static str, Standing)> {
    Standing::ALL.iter().map(|s| (s.as_str(), *s)).collect()
}

/// Reads a mapping file (see `docs/exchange.md`). `file` names it in messages, here and in
/// the messages of the readers that use it (an unmapped code says which section to add it
/// to). Every problem is reported with its line and column.
pub fn parse_mapping(text: &str, file: &str) -> Result<Mapping, BundleError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ix = LineIndex::new(text);
    let raw: RawMapping = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| ix.pos(s.start));
        BundleError::new(
            file,
            vec![ErrorItem {
                line: Some(line),
                column: Some(col),
                location: None,
                message: toml_message(e.message()),
            }],
        )
    })?;
    let mut ck = Checker {
        ix,
        errors: Vec::new(),
    };
    let standing = word(
        &mut ck,
        &raw.import.standing,
        "import.standing",
        &standing_words(),
        Standing::Final,
    );
    let states: Vec<(&str, ReviewState)> =
        ReviewState::ALL.iter().map(|s| (s.as_str(), *s)).collect();
    let state = word(
        &mut ck,
        &raw.import.state,
        "import.state",
        &states,
        ReviewState::Approved,
    );
    let dhis2 = raw.dhis2.map(|d| dhis2_section(&mut ck, d));
    let sdmx = raw.sdmx.map(|s| sdmx_section(&mut ck, s));
    if dhis2.is_none() && sdmx.is_none() && ck.errors.is_empty() {
        ck.errors.push(ErrorItem {
            line: Some(1),
            column: Some(1),
            location: None,
            message: "the mapping has neither a [dhis2] nor an [sdmx] section".into(),
        });
    }
    if !ck.errors.is_empty() {
        return Err(BundleError::new(file, ck.errors));
    }
    Ok(Mapping {
        file: file.to_string(),
        standing,
        state,
        dhis2,
        sdmx,
    })
}

/// The TOML reader's message, one line. `fbfJHSPpUQD.PT59n8BQbqM = "x"` without quotes is a
/// dotted key, a table inside the code table, which the reader refuses with a message about
/// borrowed strings: say what to write instead.
fn toml_message(m: &str) -> String {
    if m.contains("expected a borrowed string") {
        return "a code with a dot must be in quotes: \"fbfJHSPpUQD.PT59n8BQbqM\" = \"indicator-id\""
            .into();
    }
    m.replace('\n', " ").trim().to_string()
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn dhis2_section(ck: &mut Checker<'_>, d: RawDhis2) -> Dhis2Mapping {
    let comment_is_source = word(
        ck,
        &d.comment,
        "dhis2.comment",
        &[("source", true), ("none", false)],
        true,
    );
    let stored_by_is_reported_by = word(
        ck,
        &d.stored_by,
        "dhis2.stored_by",
        &[("reported_by", true), ("none", false)],
        true,
    );
    let data_elements = ck.codes(
        "dhis2.data_elements",
        &d.data_elements,
        Checker::plain_id,
        |code| match code.split('.').collect::<Vec<_>>().as_slice() {
            [de] if !de.is_empty() => None,
            [de, coc] if !de.is_empty() && !coc.is_empty() => None,
            _ => Some(format!(
                "`{code}` is not a data element (`fbfJHSPpUQD`) or a data element and \
                 category option combo (`fbfJHSPpUQD.PT59n8BQbqM`)"
            )),
        },
    );
    let org_units = ck.codes("dhis2.org_units", &d.org_units, Checker::plain_id, |_| None);
    Dhis2Mapping {
        data_set: non_empty(d.data_set),
        category_option_combo: non_empty(d.category_option_combo),
        attribute_option_combo: non_empty(d.attribute_option_combo),
        comment_is_source,
        stored_by_is_reported_by,
        data_elements,
        org_units,
    }
}

/// An SDMX code or component id: what the SDMX id type allows (letters, digits, `_`, `-`,
/// `@`, `.`), so that a written file needs no quoting and reads back the same.
fn sdmx_id_problem(code: &str) -> Option<String> {
    if code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.' | '$'))
    {
        None
    } else {
        Some(format!(
            "`{code}` is not an SDMX code: letters, digits, `_`, `-`, `@`, `.` and `$` only"
        ))
    }
}

fn sdmx_section(ck: &mut Checker<'_>, s: RawSdmx) -> SdmxMapping {
    let dataflow = s.dataflow.get_ref().trim().to_string();
    if !is_structure_id(&dataflow) {
        ck.push(
            s.dataflow.span().start,
            "sdmx.dataflow",
            format!("`{dataflow}` is not a dataflow: expected AGENCY:ID(VERSION), such as VN_GSO:DF_CHITIEU(1.0)"),
        );
    }
    let csv_version = match &s.csv_version {
        None => 2,
        Some(v) => match *v.get_ref() {
            1 => 1,
            2 => 2,
            other => {
                ck.push(
                    v.span().start,
                    "sdmx.csv_version",
                    format!("SDMX-CSV version {other}: expected 1 or 2"),
                );
                2
            }
        },
    };
    let areas = ck.codes("sdmx.areas", &s.areas, Checker::plain_id, sdmx_id_problem);
    let mut indicator_fixed = HashMap::new();
    let indicators = ck.codes(
        "sdmx.indicators",
        &s.indicators,
        |ck, location, value| match value.get_ref() {
            Value::Table(t) => {
                let mut id = None;
                let mut fixed = BTreeMap::new();
                let mut ok = true;
                for (k, v) in t {
                    match (k.as_str(), v) {
                        ("indicator", Value::String(s)) if !s.trim().is_empty() => {
                            id = Some(crate::text::nfc(s.trim()));
                        }
                        ("fixed", Value::Table(f)) => {
                            for (fk, fv) in f {
                                match fv {
                                    Value::String(fv) => {
                                        fixed.insert(fk.clone(), fv.clone());
                                    }
                                    _ => ok = false,
                                }
                            }
                        }
                        _ => ok = false,
                    }
                }
                match id {
                    Some(id) if ok => {
                        if !fixed.is_empty() {
                            indicator_fixed.insert(id.clone(), fixed);
                        }
                        Some(id)
                    }
                    _ => {
                        ck.push(
                            value.span().start,
                            location,
                            "expected \"indicator-id\" or { indicator = \"indicator-id\", \
                             fixed = { UNIT_MEASURE = \"PT\" } }"
                                .into(),
                        );
                        None
                    }
                }
            }
            _ => ck.plain_id(location, value),
        },
        sdmx_id_problem,
    );
    let standing_codes = match &s.standing_codes {
        None => [
            ("A", Standing::Final),
            ("P", Standing::Preliminary),
            ("E", Standing::Estimate),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        Some(raw) => {
            let mut codes = BTreeMap::new();
            for (code, value) in raw {
                let location = format!("sdmx.standing_codes.{}", code.get_ref());
                let found = match value.get_ref() {
                    Value::String(w) => Standing::parse(w),
                    _ => None,
                };
                match found {
                    Some(st) => {
                        codes.insert(code.get_ref().clone(), st);
                    }
                    None => {
                        let words: Vec<String> = Standing::ALL
                            .iter()
                            .map(|w| format!("`{}`", w.as_str()))
                            .collect();
                        ck.push(
                            value.span().start,
                            &location,
                            format!("expected one of {}", words.join(", ")),
                        );
                    }
                }
            }
            codes
        }
    };
    let name = |v: Option<String>, default: &str| non_empty(v).unwrap_or_else(|| default.into());
    SdmxMapping {
        dataflow,
        csv_version,
        area_dimension: name(s.area_dimension, "REF_AREA"),
        indicator_dimension: name(s.indicator_dimension, "INDICATOR"),
        frequency_dimension: match s.frequency_dimension {
            None => Some("FREQ".into()),
            Some(f) => non_empty(Some(f)),
        },
        standing_attribute: match s.standing_attribute {
            None => Some("OBS_STATUS".into()),
            Some(a) => non_empty(Some(a)),
        },
        source_attribute: non_empty(s.source_attribute),
        reported_by_attribute: non_empty(s.reported_by_attribute),
        fixed: s.fixed,
        areas,
        indicators,
        indicator_fixed,
        standing_codes,
    }
}

/// `AGENCY:ID(VERSION)`, or `AGENCY:ID` (SDMX 3.0 allows a non-versioned artefact).
pub(crate) fn is_structure_id(s: &str) -> bool {
    split_structure_id(s).is_some()
}

/// (agency, id, version) of `AGENCY:ID(VERSION)`.
pub(crate) fn split_structure_id(s: &str) -> Option<(&str, &str, Option<&str>)> {
    let (agency, rest) = s.split_once(':')?;
    let (id, version) = match rest.split_once('(') {
        Some((id, v)) => (id, Some(v.strip_suffix(')')?)),
        None => (rest, None),
    };
    let ok = |x: &str| {
        !x.is_empty()
            && x.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.' | '$'))
    };
    (ok(agency) && ok(id) && version.is_none_or(ok)).then_some((agency, id, version))
}
