//! Writing a bundle: domain [`Dataset`] → TOML text, deterministic and pleasant to edit.

use std::collections::HashMap;
use std::fmt::Write as _;

use chitieu_domain::{
    Aggregation, BodyKind, Dataset, Field, ReviewState, Standing, Subject, TargetValue, TaskState,
};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::parse::BUNDLE_FORMAT;
use crate::text::{decimal_to_text, decimal_to_toml};

/// A TOML basic string, escaped as the TOML spec requires.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn date(d: NaiveDate) -> String {
    if (0..=9999).contains(&d.year()) {
        d.format("%Y-%m-%d").to_string()
    } else {
        quote(&d.to_string())
    }
}

/// Builds one `[[collection]]` table, one `key = value` line per present field.
struct Table {
    text: String,
}

impl Table {
    fn new(out: &mut String, collection: &str) -> Table {
        let _ = write!(out, "\n[[{collection}]]\n");
        Table {
            text: String::new(),
        }
    }

    fn raw(&mut self, key: &str, value: impl AsRef<str>) -> &mut Self {
        let _ = writeln!(self.text, "{key} = {}", value.as_ref());
        self
    }

    fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.raw(key, quote(value))
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    fn date(&mut self, key: &str, value: NaiveDate) -> &mut Self {
        self.raw(key, date(value))
    }

    fn opt_date(&mut self, key: &str, value: Option<NaiveDate>) -> &mut Self {
        if let Some(v) = value {
            self.date(key, v);
        }
        self
    }

    fn dec(&mut self, key: &str, value: Decimal) -> &mut Self {
        self.raw(key, decimal_to_toml(value))
    }

    fn flag(&mut self, key: &str, value: bool) -> &mut Self {
        if value {
            self.raw(key, "true");
        }
        self
    }

    fn value(&mut self, value: &TargetValue) -> &mut Self {
        match value {
            TargetValue::Exact(v) => self.dec("value", *v),
            TargetValue::Range { min, max } => self.dec("value_min", *min).dec("value_max", *max),
            TargetValue::ChangePerYear(v) => self.dec("change_per_year", *v),
        }
    }

    fn strings(&mut self, key: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let items: Vec<String> = values.iter().map(|s| quote(s)).collect();
            self.raw(key, format!("[{}]", items.join(", ")));
        }
        self
    }

    fn end(&mut self, out: &mut String) {
        out.push_str(&self.text);
    }
}

/// Writes `ds` as a bundle: `format`, then the tables in the order units, terms,
/// resolutions, indicators, targets, adjustments, documents, tasks, reorganisations,
/// observations, each in the dataset's order. Fields that are absent or hold their default are
/// left out (a target's `unit` when it is its resolution's unit, its `deadline` when it is the
/// end of the resolution's term, a part's `share` when it is 1). Numbers are TOML integers when integral, floats when the float reads
/// back as the same decimal, strings otherwise. The output is deterministic, and
/// [`parse_bundle`](crate::parse_bundle) reads it back as `ds` (for a valid, NFC `ds`).
pub fn bundle_to_toml(ds: &Dataset) -> String {
    let mut out = format!("format = {}\n", quote(BUNDLE_FORMAT));

    for u in &ds.units {
        Table::new(&mut out, "units")
            .str("id", &u.id)
            .str("name", &u.name)
            .opt_str("name_en", u.name_en.as_deref())
            .str("level", u.level.as_str())
            .opt_str("parent", u.parent.as_deref())
            .opt_str("code", u.code.as_deref())
            .opt_date("valid_from", u.valid_from)
            .opt_date("valid_to", u.valid_to)
            .end(&mut out);
    }

    for t in &ds.terms {
        Table::new(&mut out, "terms")
            .str("id", &t.id)
            .date("start", t.start)
            .date("end", t.end)
            .end(&mut out);
    }

    for r in &ds.resolutions {
        let mut t = Table::new(&mut out, "resolutions");
        t.str("id", &r.id)
            .str("unit", &r.unit)
            .str("kind", r.kind.as_str());
        if let Some(c) = r.congress {
            t.raw("congress", c.to_string());
        }
        t.str("term", &r.term)
            .opt_str("number", r.number.as_deref())
            .date("adopted", r.adopted)
            .str("title", &r.title)
            .opt_str("issuer", r.issuer.as_deref());
        if r.body != BodyKind::Party {
            t.str("body", r.body.as_str());
        }
        t.end(&mut out);
    }

    for i in &ds.indicators {
        let mut t = Table::new(&mut out, "indicators");
        t.str("id", &i.id)
            .str("name", &i.name)
            .opt_str("name_en", i.name_en.as_deref())
            .str("measure", &i.measure)
            .str("direction", i.direction.as_str());
        match &i.aggregation {
            Aggregation::Base(m) => t.str("aggregation", m.as_str()),
            Aggregation::Derived { formula } => t.str("formula", formula),
            Aggregation::CountWhere {
                indicator,
                op,
                value,
            } => t
                .str("aggregation", "count_where")
                .str("count_of", indicator)
                .str(
                    "condition",
                    &format!("{} {}", op.as_str(), decimal_to_text(*value)),
                ),
        };
        t.end(&mut out);
    }

    // The defaults a parse fills in: the first resolution with an id wins, as when parsing.
    let mut term_ends: HashMap<&str, NaiveDate> = HashMap::new();
    for t in &ds.terms {
        term_ends.entry(t.id.as_str()).or_insert(t.end);
    }
    let mut res_defaults: HashMap<&str, (&str, Option<NaiveDate>)> = HashMap::new();
    for r in &ds.resolutions {
        res_defaults
            .entry(r.id.as_str())
            .or_insert((r.unit.as_str(), term_ends.get(r.term.as_str()).copied()));
    }

    for g in &ds.targets {
        let (res_unit, res_end) = res_defaults
            .get(g.resolution.as_str())
            .copied()
            .unwrap_or(("", None));
        let mut t = Table::new(&mut out, "targets");
        t.str("resolution", &g.resolution)
            .str("code", &g.code)
            .str("name", &g.original.name)
            .str("indicator", &g.indicator);
        if g.unit != res_unit {
            t.str("unit", &g.unit);
        }
        t.str("field", g.field.as_str())
            .str("kind", g.kind.as_str())
            .dec("baseline", g.baseline)
            .str("baseline_period", &g.baseline_period.to_string())
            .value(&g.original.value);
        if Some(g.original.deadline) != res_end {
            t.date("deadline", g.original.deadline);
        }
        if let Some(p) = g.precision {
            t.raw("precision", p.to_string());
        }
        t.opt_str("source", g.source.as_deref())
            .opt_str("allocated_from", g.allocated_from.as_deref())
            .flag("illustrative", g.illustrative);
        if !g.milestones.is_empty() {
            let items: Vec<String> = g
                .milestones
                .iter()
                .map(|m| {
                    format!(
                        "{{ period = {}, value = {} }}",
                        quote(&m.period.to_string()),
                        decimal_to_toml(m.value)
                    )
                })
                .collect();
            t.raw("milestones", format!("[{}]", items.join(", ")));
        }
        t.end(&mut out);
    }

    for a in &ds.adjustments {
        let mut t = Table::new(&mut out, "adjustments");
        match &a.subject {
            Subject::Target { resolution, code } => {
                t.str("resolution", resolution).str("target", code)
            }
            Subject::Task { resolution, code } => t.str("resolution", resolution).str("task", code),
        };
        t.date("date", a.decision.date)
            .str("body", &a.decision.body)
            .str("decision", &a.decision.reference)
            .str("reason", &a.reason);
        if let Some(v) = &a.change.value {
            t.value(v);
        }
        t.opt_date("deadline", a.change.deadline)
            .opt_str("name", a.change.wording.as_deref())
            .flag("withdraw", a.change.withdraw)
            .end(&mut out);
    }

    for d in &ds.documents {
        Table::new(&mut out, "documents")
            .str("number", &d.number)
            .str("kind", d.kind.as_str())
            .date("date", d.date)
            .str("title", &d.title)
            .str("issuer", &d.issuer)
            .strings("resolutions", &d.resolutions)
            .strings("targets", &d.targets)
            .flag("illustrative", d.illustrative)
            .end(&mut out);
    }

    for k in &ds.tasks {
        let res_unit = res_defaults.get(k.resolution.as_str()).map_or("", |r| r.0);
        let mut t = Table::new(&mut out, "tasks");
        t.str("resolution", &k.resolution)
            .str("code", &k.code)
            .str("name", &k.name);
        if k.unit != res_unit {
            t.str("unit", &k.unit);
        }
        if k.field != Field::Other {
            t.str("field", k.field.as_str());
        }
        t.opt_date("due", k.due);
        if k.state != TaskState::NotStarted {
            t.str("state", k.state.as_str());
        }
        t.opt_date("done_on", k.done_on)
            .flag("illustrative", k.illustrative)
            .end(&mut out);
    }

    for r in &ds.reorganisations {
        let mut t = Table::new(&mut out, "reorganisations");
        t.str("id", &r.id)
            .str("kind", r.kind.as_str())
            .date("date", r.date)
            .opt_str("decision", r.decision.as_deref());
        // One part a line: a province merger lists a dozen.
        let parts: String = r
            .parts
            .iter()
            .map(|p| {
                let share = if p.share == Decimal::ONE {
                    String::new()
                } else {
                    format!(", share = {}", decimal_to_toml(p.share))
                };
                format!(
                    "    {{ from = {}, to = {}{share} }},\n",
                    quote(&p.from),
                    quote(&p.to)
                )
            })
            .collect();
        if parts.is_empty() {
            t.raw("parts", "[]");
        } else {
            t.raw("parts", format!("[\n{parts}]"));
        }
        t.end(&mut out);
    }

    for o in &ds.observations {
        let mut t = Table::new(&mut out, "observations");
        t.str("unit", &o.unit)
            .str("indicator", &o.indicator)
            .str("period", &o.period.to_string())
            .dec("value", o.value);
        if o.standing != Standing::Final {
            t.str("standing", o.standing.as_str());
        }
        if o.state != ReviewState::Approved {
            t.str("state", o.state.as_str());
        }
        t.opt_str("source", o.source.as_deref())
            .opt_str("reported_by", o.reported_by.as_deref())
            .opt_date("reported", o.reported)
            .end(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_toml_requires() {
        assert_eq!(
            quote("a\"b\\c\nd\te\u{7f}\u{1}Đ"),
            "\"a\\\"b\\\\c\\nd\\te\\u007F\\u0001Đ\""
        );
    }
}
