//! The unit hierarchy as text: the value of an indicator at a unit (own figure, roll-up or
//! formula, with the reporting units it came from and, on request, the sub-units side by
//! side), the shares of a cascaded target, and the coherence of the shares with the whole.
//!
//! Like the rest of this crate it chooses words and layout only: the values, the sources, the
//! gaps come computed (`chitieu_domain::rollup`, `chitieu_domain::allocation`); the dataset is
//! passed only to look up names and units of measure.

use std::fmt::Write;

use chitieu_domain::allocation::Coherence;
use chitieu_domain::rollup::{Source, Value};
use chitieu_domain::{
    Aggregation, AggregationMethod, Dataset, Decimal, Indicator, Level, Period, Target, Unit,
};
use chrono::NaiveDate;
use serde_json::{json, Map, Value as Json};

use crate::json::number;
use crate::locale::{self, Lang};

pub const VALUE_FORMAT: &str = "chitieu-value/1";
pub const ALLOCATIONS_FORMAT: &str = "chitieu-allocations/1";

/// Decimals shown for a value computed by a formula (in floating point): 2 in text, 6 in JSON.
const DERIVED_TEXT_PLACES: u32 = 2;
const DERIVED_JSON_PLACES: u32 = 6;
/// Reporting units listed by name in text; the rest are counted (JSON lists them all).
const PROVENANCE_SHOWN: usize = 12;

/// The value of one unit, as the domain computed it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub unit: Unit,
    /// The level of the units right below it in the tree, for "cộng từ các xã".
    pub below: Option<Level>,
    /// The value, or why there is none.
    pub value: Result<Value, String>,
    /// The units whose own figures entered the value, per base indicator: for a derived
    /// indicator, one entry per input.
    pub provenance: Vec<(String, Vec<String>)>,
}

/// `chitieu value`: one unit's value and, with `--children`, its sub-units'.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueReport {
    pub indicator: Indicator,
    pub period: Period,
    pub as_of: NaiveDate,
    pub tree_date: NaiveDate,
    pub include_unapproved: bool,
    pub main: ValueRow,
    /// The sub-units in the tree of `tree_date`, when asked for.
    pub children: Option<Vec<ValueRow>>,
}

struct T(Lang);

impl T {
    fn s<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

fn unit_name(lang: Lang, u: &Unit) -> &str {
    match (lang, &u.name_en) {
        (Lang::En, Some(n)) => n,
        _ => &u.name,
    }
}

fn indicator_name(lang: Lang, i: &Indicator) -> &str {
    match (lang, &i.name_en) {
        (Lang::En, Some(n)) => n,
        _ => &i.name,
    }
}

fn is_derived(i: &Indicator) -> bool {
    matches!(i.aggregation, Aggregation::Derived { .. })
}

/// The units below, as a plural: "các xã", "communes".
fn units_below(lang: Lang, level: Option<&Level>) -> &'static str {
    match (lang, level) {
        (Lang::Vi, Some(Level::Nation)) => "các quốc gia",
        (Lang::Vi, Some(Level::Province)) => "các tỉnh",
        (Lang::Vi, Some(Level::District)) => "các huyện",
        (Lang::Vi, Some(Level::Commune)) => "các xã",
        (Lang::Vi, Some(Level::Village)) => "các thôn",
        (Lang::Vi, _) => "các đơn vị cấp dưới",
        (Lang::En, Some(Level::Nation)) => "the nations",
        (Lang::En, Some(Level::Province)) => "the provinces",
        (Lang::En, Some(Level::District)) => "the districts",
        (Lang::En, Some(Level::Commune)) => "the communes",
        (Lang::En, Some(Level::Village)) => "the villages",
        (Lang::En, _) => "the units below",
    }
}

/// How the children's figures were combined: "cộng từ các xã", "sum of the communes".
fn combined(lang: Lang, indicator: &Indicator, below: Option<&Level>) -> String {
    let who = units_below(lang, below);
    let method = match &indicator.aggregation {
        Aggregation::Base(m) => *m,
        Aggregation::CountWhere { .. } => AggregationMethod::Count,
        Aggregation::Derived { .. } => {
            return match lang {
                Lang::Vi => "tính theo công thức".into(),
                Lang::En => "by formula".into(),
            }
        }
    };
    match (lang, method) {
        (Lang::Vi, AggregationMethod::Min) => format!("nhỏ nhất trong {who}"),
        (Lang::Vi, AggregationMethod::Max) => format!("lớn nhất trong {who}"),
        (Lang::Vi, _) => format!("cộng từ {who}"),
        (Lang::En, AggregationMethod::Min) => format!("minimum of {who}"),
        (Lang::En, AggregationMethod::Max) => format!("maximum of {who}"),
        (Lang::En, _) => format!("sum of {who}"),
    }
}

/// A value as shown: exact for reported and added-up figures, rounded for formulas.
fn shown(lang: Lang, indicator: &Indicator, d: Decimal) -> String {
    let d = if is_derived(indicator) {
        d.round_dp(DERIVED_TEXT_PLACES)
    } else {
        d
    };
    locale::with_unit(lang, d, &indicator.measure)
}

fn json_number(indicator: &Indicator, d: Decimal) -> Json {
    if is_derived(indicator) {
        number(d.round_dp(DERIVED_JSON_PLACES))
    } else {
        number(d)
    }
}

fn source_word(lang: Lang, indicator: &Indicator, row: &ValueRow, v: &Value) -> String {
    match v.source {
        Source::Reported => T(lang).s("báo cáo", "reported").into(),
        Source::Computed => combined(lang, indicator, row.below.as_ref()),
        Source::Derived => T(lang).s("tính theo công thức", "by formula").into(),
    }
}

fn source_key(s: Source) -> &'static str {
    match s {
        Source::Reported => "reported",
        Source::Computed => "computed",
        Source::Derived => "derived",
    }
}

/// "báo cáo 120 ha; cộng từ các xã 100 ha" when a reported figure and the figures below
/// disagree.
fn disagreement(lang: Lang, indicator: &Indicator, row: &ValueRow, v: &Value) -> Option<String> {
    let c = v.computed?;
    Some(format!(
        "{} {}; {} {}",
        T(lang).s("báo cáo", "reported"),
        shown(lang, indicator, v.value),
        combined(lang, indicator, row.below.as_ref()),
        shown(lang, indicator, c)
    ))
}

fn period_label(lang: Lang, p: Period) -> String {
    match lang {
        Lang::Vi => format!("kỳ {p}"),
        Lang::En => format!("period {p}"),
    }
}

/// Columns padded to their widest cell, a rule under the header.
fn table(o: &mut String, rows: &[Vec<String>]) {
    let n = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (k, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        let _ = writeln!(o, "{}", line.join("  ").trim_end());
        if k == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(o, "{}", rule.join("  "));
        }
    }
}

/// `chitieu value` as text.
pub fn value_text(lang: Lang, r: &ValueReport) -> String {
    let t = T(lang);
    let ind = &r.indicator;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} ({}) — {} — {}",
        indicator_name(lang, ind),
        ind.id,
        unit_name(lang, &r.main.unit),
        period_label(lang, r.period)
    );
    let _ = writeln!(
        o,
        "{} {}, {} {}.",
        t.s("Tính đến", "As of"),
        locale::date(lang, r.as_of),
        t.s("theo cây đơn vị ngày", "in the unit tree of"),
        locale::date(lang, r.tree_date)
    );
    if r.include_unapproved {
        let _ = writeln!(
            o,
            "{}",
            t.s(
                "Có tính cả số liệu chưa được phê duyệt.",
                "Figures not yet approved are included."
            )
        );
    }
    let _ = writeln!(o);
    match &r.main.value {
        Ok(v) => {
            let how = match (v.source, &ind.aggregation) {
                (Source::Reported, _) => t.s("do đơn vị báo cáo", "reported by the unit").into(),
                (Source::Computed, _) => combined(lang, ind, r.main.below.as_ref()),
                (Source::Derived, Aggregation::Derived { formula }) => match lang {
                    Lang::Vi => format!("tính theo công thức {formula} từ số liệu tổng hợp"),
                    Lang::En => format!("computed by the formula {formula} from rolled-up figures"),
                },
                (Source::Derived, _) => t.s("tính theo công thức", "by formula").into(),
            };
            let _ = writeln!(
                o,
                "{}: {} — {how}",
                t.s("Giá trị", "Value"),
                shown(lang, ind, v.value)
            );
            if let Some(d) = disagreement(lang, ind, &r.main, v) {
                let _ = writeln!(o, "{}: {d}", t.s("Chênh lệch", "Disagreement"));
            }
        }
        Err(reason) => {
            let _ = writeln!(o, "{}: — ({reason})", t.s("Giá trị", "Value"));
        }
    }
    let lists: Vec<String> = r
        .main
        .provenance
        .iter()
        .map(|(_, units)| {
            let mut s = units
                .iter()
                .take(PROVENANCE_SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if units.len() > PROVENANCE_SHOWN {
                let more = Decimal::from(units.len() - PROVENANCE_SHOWN);
                let _ = match lang {
                    Lang::Vi => write!(s, " và {} đơn vị khác", locale::dec(lang, more)),
                    Lang::En => write!(s, " and {} more", locale::dec(lang, more)),
                };
            }
            if units.is_empty() {
                s.push('—');
            }
            s
        })
        .collect();
    let label = t.s("Số liệu từ các đơn vị báo cáo", "Figures reported by");
    match (r.main.provenance.as_slice(), lists.as_slice()) {
        ([], _) => {}
        ([(id, _)], [list]) if id == &ind.id => {
            let _ = writeln!(o, "{label}: {list}");
        }
        (entries, lists) => {
            let _ = writeln!(o, "{label}:");
            for ((id, _), list) in entries.iter().zip(lists) {
                let _ = writeln!(o, "- {id}: {list}");
            }
        }
    }
    if let Some(children) = &r.children {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{} ({}):",
            t.s("Các đơn vị trực thuộc", "Sub-units"),
            children.len()
        );
        let _ = writeln!(o);
        let mut rows = vec![vec![
            t.s("Đơn vị", "Unit").to_string(),
            t.s("Mã", "Id").to_string(),
            t.s("Giá trị", "Value").to_string(),
            t.s("Nguồn", "Source").to_string(),
            t.s("Ghi chú", "Note").to_string(),
        ]];
        let row_cells = |row: &ValueRow| -> Vec<String> {
            let (value, source, note) = match &row.value {
                Ok(v) => (
                    shown(lang, ind, v.value),
                    source_word(lang, ind, row, v),
                    disagreement(lang, ind, row, v).unwrap_or_default(),
                ),
                Err(reason) => ("—".into(), String::new(), reason.clone()),
            };
            vec![
                unit_name(lang, &row.unit).to_string(),
                row.unit.id.clone(),
                value,
                source,
                note,
            ]
        };
        rows.extend(children.iter().map(row_cells));
        rows.push(row_cells(&r.main));
        // The unit itself, under a rule, as the total line.
        let mut body = String::new();
        table(&mut body, &rows);
        let mut lines: Vec<&str> = body.lines().collect();
        let rule = lines.get(1).map(|s| s.to_string()).unwrap_or_default();
        if let Some(last) = lines.pop() {
            for l in &lines {
                let _ = writeln!(o, "{l}");
            }
            let _ = writeln!(o, "{rule}");
            let _ = writeln!(o, "{last}");
        }
    }
    o
}

fn row_json(ind: &Indicator, row: &ValueRow) -> Json {
    let mut m = Map::new();
    m.insert("unit".into(), json!(row.unit.id));
    m.insert("name".into(), json!(row.unit.name));
    m.insert("level".into(), json!(row.unit.level.as_str()));
    match &row.value {
        Ok(v) => {
            m.insert("value".into(), json_number(ind, v.value));
            m.insert("source".into(), json!(source_key(v.source)));
            m.insert(
                "computed".into(),
                v.computed.map_or(Json::Null, |c| json_number(ind, c)),
            );
            m.insert("missing".into(), Json::Null);
        }
        Err(reason) => {
            m.insert("value".into(), Json::Null);
            m.insert("source".into(), Json::Null);
            m.insert("computed".into(), Json::Null);
            m.insert("missing".into(), json!(reason));
        }
    }
    m.insert(
        "provenance".into(),
        Json::Array(
            row.provenance
                .iter()
                .map(|(i, units)| json!({"indicator": i, "units": units}))
                .collect(),
        ),
    );
    Json::Object(m)
}

/// `chitieu value --format json`. `computed` is the aggregate of the units below when it
/// differs from a reported figure; values computed by a formula are rounded to 6 decimals.
pub fn value_json(r: &ValueReport) -> Json {
    let ind = &r.indicator;
    let mut m = Map::new();
    m.insert("format".into(), json!(VALUE_FORMAT));
    m.insert("indicator".into(), json!(ind.id));
    m.insert("indicator_name".into(), json!(ind.name));
    m.insert("measure_unit".into(), json!(ind.measure));
    m.insert("period".into(), json!(r.period.to_string()));
    m.insert("as_of".into(), json!(r.as_of.to_string()));
    m.insert("tree_date".into(), json!(r.tree_date.to_string()));
    m.insert("include_unapproved".into(), json!(r.include_unapproved));
    if let Json::Object(main) = row_json(ind, &r.main) {
        m.extend(main);
    }
    m.insert(
        "children".into(),
        r.children.as_ref().map_or(Json::Null, |c| {
            Json::Array(c.iter().map(|row| row_json(ind, row)).collect())
        }),
    );
    Json::Object(m)
}

fn find_unit<'a>(ds: &'a Dataset, id: &str) -> Option<&'a Unit> {
    ds.units.iter().find(|u| u.id == id)
}

fn find_indicator<'a>(ds: &'a Dataset, id: &str) -> Option<&'a Indicator> {
    ds.indicators.iter().find(|i| i.id == id)
}

/// The shares `chitieu allocate` computed, as a table with their total.
pub fn shares_text(lang: Lang, ds: &Dataset, parent: &str, shares: &[Target]) -> String {
    let t = T(lang);
    let measure = shares
        .first()
        .and_then(|s| find_indicator(ds, &s.indicator))
        .map_or("", |i| i.measure.as_str());
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} {parent}:",
        t.s("Phần giao của chỉ tiêu", "Shares of target")
    );
    let _ = writeln!(o);
    let mut rows = vec![vec![
        t.s("Đơn vị", "Unit").to_string(),
        t.s("Mã chỉ tiêu", "Target").to_string(),
        t.s("Chỉ tiêu giao", "Share").to_string(),
    ]];
    for s in shares {
        rows.push(vec![
            find_unit(ds, &s.unit).map_or(s.unit.clone(), |u| unit_name(lang, u).to_string()),
            format!("{}/{}", s.resolution, s.code),
            locale::target_value(lang, &s.original.value, measure),
        ]);
    }
    table(&mut o, &rows);
    o
}

fn gap_words(lang: Lang, measure: &str, gap: Decimal, places: Option<u32>) -> String {
    let shown =
        |d: Decimal| locale::with_unit(lang, places.map_or(d, |p| d.round_dp(p)).abs(), measure);
    if gap.is_zero() {
        T(lang)
            .s("khớp với chỉ tiêu chung", "matches the whole")
            .into()
    } else if gap.is_sign_positive() {
        match lang {
            Lang::Vi => format!(
                "CHÊNH LỆCH: các phần giao chưa đạt chỉ tiêu chung, thiếu {}",
                shown(gap)
            ),
            Lang::En => format!("GAP: the shares fall short of the whole by {}", shown(gap)),
        }
    } else {
        match lang {
            Lang::Vi => format!(
                "CHÊNH LỆCH: các phần giao vượt chỉ tiêu chung {}",
                shown(gap)
            ),
            Lang::En => format!("GAP: the shares go beyond the whole by {}", shown(gap)),
        }
    }
}

/// How many of the checked targets have a gap, and how many could not be checked (counted by
/// the caller: this crate counts nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub with_gap: usize,
    pub unchecked: usize,
}

/// `chitieu allocations` as text: each target that has shares, the shares, what they add up
/// to (or the aggregate they imply, for a ratio) and the gap, stated plainly.
pub fn allocations_text(
    lang: Lang,
    ds: &Dataset,
    as_of: NaiveDate,
    c: &[Coherence],
    tally: Tally,
) -> String {
    let t = T(lang);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} — {} {}",
        t.s(
            "Chỉ tiêu giao cho cấp dưới",
            "Targets shared among sub-units"
        ),
        t.s("tính đến", "as of"),
        locale::date(lang, as_of)
    );
    if c.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            t.s(
                "Chưa có chỉ tiêu nào được giao cho cấp dưới.",
                "No target has shares."
            )
        );
        return o;
    }
    for x in c {
        let ind = find_indicator(ds, &x.indicator);
        let measure = ind.map_or("", |i| i.measure.as_str());
        // Ratios are implied in floating point: shown to 2 decimals.
        let places = ind.filter(|i| is_derived(i)).map(|_| DERIVED_TEXT_PLACES);
        let name = ds
            .targets
            .iter()
            .find(|g| g.resolution == x.resolution && g.code == x.code)
            .map_or("", |g| g.original.name.as_str());
        let unit = find_unit(ds, &x.unit).map_or(x.unit.clone(), |u| unit_name(lang, u).into());
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}/{} — {name} ({unit}): {}",
            x.resolution,
            x.code,
            locale::with_unit(lang, x.whole, measure)
        );
        let _ = writeln!(o);
        let weighted = x.shares.iter().any(|s| s.weight.is_some());
        let mut header = vec![
            t.s("Đơn vị", "Unit").to_string(),
            t.s("Mã chỉ tiêu", "Target").to_string(),
            t.s("Chỉ tiêu giao", "Share").to_string(),
        ];
        if weighted {
            header.push(
                t.s("Trọng số (mẫu số mới nhất)", "Weight (latest denominator)")
                    .to_string(),
            );
        }
        let mut rows = vec![header];
        for s in &x.shares {
            let mut row = vec![
                find_unit(ds, &s.unit).map_or(s.unit.clone(), |u| unit_name(lang, u).into()),
                format!("{}/{}", x.resolution, s.code),
                locale::with_unit(lang, s.value, measure),
            ];
            if weighted {
                row.push(s.weight.map_or("—".into(), |w| locale::dec(lang, w)));
            }
            rows.push(row);
        }
        table(&mut o, &rows);
        if let Some(implied) = x.implied {
            let what = if weighted {
                t.s(
                    "Mức chung suy ra (bình quân gia quyền)",
                    "Implied aggregate (weighted average)",
                )
            } else {
                t.s("Cộng các phần giao", "The shares add up to")
            };
            let shown = locale::with_unit(
                lang,
                places.map_or(implied, |p| implied.round_dp(p)),
                measure,
            );
            let _ = writeln!(o, "{what}: {shown}");
        }
        if let Some(gap) = x.gap {
            let _ = writeln!(o, "{}", gap_words(lang, measure, gap, places));
        }
        if let Some(note) = &x.note {
            let _ = writeln!(o, "{}: {note}", t.s("Không kiểm tra được", "Cannot check"));
        }
    }
    let Tally {
        with_gap,
        unchecked,
    } = tally;
    let _ = writeln!(o);
    let _ = match lang {
        Lang::Vi => write!(
            o,
            "{} chỉ tiêu có phần giao; {with_gap} có chênh lệch",
            c.len()
        ),
        Lang::En => write!(o, "{} targets with shares; {with_gap} with a gap", c.len()),
    };
    if unchecked > 0 {
        let _ = match lang {
            Lang::Vi => write!(o, "; {unchecked} không kiểm tra được"),
            Lang::En => write!(o, "; {unchecked} could not be checked"),
        };
    }
    let _ = writeln!(o, ".");
    o
}

/// `chitieu allocations --format json`: `gap` is `whole − implied` where higher is better
/// (`implied − whole` where lower is better), so positive means the shares fall short;
/// `coherent` is null when the check could not be made (`note` says why).
pub fn allocations_json(ds: &Dataset, as_of: NaiveDate, c: &[Coherence], tally: Tally) -> Json {
    let targets: Vec<Json> = c
        .iter()
        .map(|x| {
            let name = ds
                .targets
                .iter()
                .find(|g| g.resolution == x.resolution && g.code == x.code)
                .map(|g| g.original.name.clone());
            json!({
                "resolution": x.resolution,
                "code": x.code,
                "name": name,
                "unit": x.unit,
                "indicator": x.indicator,
                "measure_unit": find_indicator(ds, &x.indicator).map(|i| i.measure.clone()),
                "whole": number(x.whole),
                "implied": x.implied.map_or(Json::Null, number),
                "gap": x.gap.map_or(Json::Null, number),
                "coherent": x.gap.map(|g| g.is_zero()),
                "note": x.note,
                "shares": x.shares.iter().map(|s| json!({
                    "unit": s.unit,
                    "code": s.code,
                    "value": number(s.value),
                    "weight": s.weight.map_or(Json::Null, number),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "format": ALLOCATIONS_FORMAT,
        "as_of": as_of.to_string(),
        "with_gap": tally.with_gap,
        "unchecked": tally.unchecked,
        "targets": targets,
    })
}
