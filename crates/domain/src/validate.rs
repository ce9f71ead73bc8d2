//! Coherence of a dataset: unique keys, references that resolve, values that make sense.
//! And the merge of an incoming bundle into what a store already holds.

use std::collections::{HashMap, HashSet};
use std::fmt;

use rust_decimal::Decimal;

use crate::model::*;

/// Collects the new entities of a merge, the conflicts, and where each new entity stood in
/// the incoming data.
#[derive(Default)]
struct Merger {
    errors: Vec<ValidationError>,
    origin: HashMap<&'static str, Vec<usize>>,
}

impl Merger {
    /// `what` is (collection, key field, entity name) for messages.
    fn pick<T: Clone + PartialEq, K: std::hash::Hash + Eq + fmt::Display>(
        &mut self,
        existing: &[T],
        incoming: &[T],
        key: impl Fn(&T) -> K,
        what: (&'static str, &'static str, &'static str),
    ) -> Vec<T> {
        let (collection, field, name) = what;
        let known: HashMap<K, &T> = existing.iter().map(|x| (key(x), x)).collect();
        let origin = self.origin.entry(collection).or_default();
        let mut out = Vec::new();
        for (i, x) in incoming.iter().enumerate() {
            match known.get(&key(x)) {
                Some(old) if *old == x => {}
                Some(_) => self.errors.push(err(
                    collection,
                    i,
                    field,
                    format!(
                        "{name} `{}` already exists in the database with different content",
                        key(x)
                    ),
                )),
                None => {
                    out.push(x.clone());
                    origin.push(i);
                }
            }
        }
        out
    }
}

/// Where in a dataset a problem is: `targets[3].indicator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub collection: &'static str,
    pub index: usize,
    pub field: &'static str,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}].{}", self.collection, self.index, self.field)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ValidationError {
    pub location: Location,
    pub message: String,
}

fn err(
    collection: &'static str,
    index: usize,
    field: &'static str,
    message: String,
) -> ValidationError {
    ValidationError {
        location: Location {
            collection,
            index,
            field,
        },
        message,
    }
}

pub fn target_key(resolution: &str, code: &str) -> String {
    format!("{resolution}/{code}")
}

impl Dataset {
    /// Every problem found, in the order of the dataset. Empty when the dataset is coherent.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (i, u) in self.units.iter().enumerate() {
            if u.id.trim().is_empty() {
                errors.push(err("units", i, "id", "a unit needs a non-empty id".into()));
            }
            if !seen.insert(u.id.as_str()) {
                errors.push(err(
                    "units",
                    i,
                    "id",
                    format!("duplicate unit id `{}`", u.id),
                ));
            }
            if let (Some(f), Some(t)) = (u.valid_from, u.valid_to) {
                if t < f {
                    errors.push(err(
                        "units",
                        i,
                        "valid_to",
                        format!("valid_to {t} is before valid_from {f}"),
                    ));
                }
            }
        }
        let units: HashSet<&str> = self.units.iter().map(|u| u.id.as_str()).collect();
        for (i, u) in self.units.iter().enumerate() {
            if let Some(p) = &u.parent {
                if !units.contains(p.as_str()) {
                    errors.push(err(
                        "units",
                        i,
                        "parent",
                        format!("unknown parent unit `{p}`"),
                    ));
                } else if p == &u.id {
                    errors.push(err(
                        "units",
                        i,
                        "parent",
                        format!("unit `{}` cannot be its own parent", u.id),
                    ));
                }
            }
        }
        errors.extend(self.cycles());

        let mut seen = HashSet::new();
        for (i, t) in self.terms.iter().enumerate() {
            if !seen.insert(t.id.as_str()) {
                errors.push(err(
                    "terms",
                    i,
                    "id",
                    format!("duplicate term id `{}`", t.id),
                ));
            }
            if t.end < t.start {
                errors.push(err(
                    "terms",
                    i,
                    "end",
                    format!("term ends ({}) before it starts ({})", t.end, t.start),
                ));
            }
        }
        let terms: HashSet<&str> = self.terms.iter().map(|t| t.id.as_str()).collect();

        let mut seen = HashSet::new();
        for (i, r) in self.resolutions.iter().enumerate() {
            if !seen.insert(r.id.as_str()) {
                errors.push(err(
                    "resolutions",
                    i,
                    "id",
                    format!("duplicate resolution id `{}`", r.id),
                ));
            }
            if !units.contains(r.unit.as_str()) {
                errors.push(err(
                    "resolutions",
                    i,
                    "unit",
                    format!("unknown unit `{}`", r.unit),
                ));
            }
            if !terms.contains(r.term.as_str()) {
                errors.push(err(
                    "resolutions",
                    i,
                    "term",
                    format!("unknown term `{}`", r.term),
                ));
            }
        }
        let resolutions: HashSet<&str> = self.resolutions.iter().map(|r| r.id.as_str()).collect();

        let mut seen = HashSet::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            if !seen.insert(ind.id.as_str()) {
                errors.push(err(
                    "indicators",
                    i,
                    "id",
                    format!("duplicate indicator id `{}`", ind.id),
                ));
            }
            if let Aggregation::Derived { formula } = &ind.aggregation {
                if formula.trim().is_empty() {
                    errors.push(err(
                        "indicators",
                        i,
                        "formula",
                        "a derived indicator needs a formula".into(),
                    ));
                }
            }
        }
        let indicators: HashSet<&str> = self.indicators.iter().map(|x| x.id.as_str()).collect();
        for (i, ind) in self.indicators.iter().enumerate() {
            if let Aggregation::CountWhere { indicator, .. } = &ind.aggregation {
                if indicator == &ind.id {
                    errors.push(err(
                        "indicators",
                        i,
                        "count_of",
                        format!("indicator `{}` cannot count units by itself", ind.id),
                    ));
                } else if !indicators.contains(indicator.as_str()) {
                    errors.push(err(
                        "indicators",
                        i,
                        "count_of",
                        format!("unknown indicator `{indicator}`"),
                    ));
                }
            }
        }

        let mut targets = HashSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            let key = target_key(&t.resolution, &t.code);
            if !resolutions.contains(t.resolution.as_str()) {
                errors.push(err(
                    "targets",
                    i,
                    "resolution",
                    format!("unknown resolution `{}`", t.resolution),
                ));
            }
            if !targets.insert(key.clone()) {
                errors.push(err(
                    "targets",
                    i,
                    "code",
                    format!(
                        "duplicate target `{}` in resolution `{}`",
                        t.code, t.resolution
                    ),
                ));
            }
            if !indicators.contains(t.indicator.as_str()) {
                errors.push(err(
                    "targets",
                    i,
                    "indicator",
                    format!("unknown indicator `{}`", t.indicator),
                ));
            }
            if !units.contains(t.unit.as_str()) {
                errors.push(err(
                    "targets",
                    i,
                    "unit",
                    format!("unknown unit `{}`", t.unit),
                ));
            }
            if let Some(e) = check_value(&t.original.value) {
                errors.push(err("targets", i, "value", e));
            }
            if t.original.deadline < t.baseline_period.end() {
                errors.push(err(
                    "targets",
                    i,
                    "deadline",
                    format!(
                        "deadline {} is before the end of the baseline period {}",
                        t.original.deadline, t.baseline_period
                    ),
                ));
            }
        }

        errors.extend(self.allocations());

        let mut tasks = HashSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if !resolutions.contains(t.resolution.as_str()) {
                errors.push(err(
                    "tasks",
                    i,
                    "resolution",
                    format!("unknown resolution `{}`", t.resolution),
                ));
            }
            if !tasks.insert(target_key(&t.resolution, &t.code)) {
                errors.push(err(
                    "tasks",
                    i,
                    "code",
                    format!(
                        "duplicate task `{}` in resolution `{}`",
                        t.code, t.resolution
                    ),
                ));
            }
            if !units.contains(t.unit.as_str()) {
                errors.push(err(
                    "tasks",
                    i,
                    "unit",
                    format!("unknown unit `{}`", t.unit),
                ));
            }
        }

        for (i, a) in self.adjustments.iter().enumerate() {
            match &a.subject {
                Subject::Target { resolution, code } => {
                    if !targets.contains(&target_key(resolution, code)) {
                        errors.push(err(
                            "adjustments",
                            i,
                            "target",
                            format!("unknown target `{code}` of resolution `{resolution}`"),
                        ));
                    }
                }
                Subject::Task { resolution, code } => {
                    if !tasks.contains(&target_key(resolution, code)) {
                        errors.push(err(
                            "adjustments",
                            i,
                            "task",
                            format!("unknown task `{code}` of resolution `{resolution}`"),
                        ));
                    }
                    if a.change.value.is_some() {
                        errors.push(err(
                            "adjustments",
                            i,
                            "value",
                            "a task has no value to adjust".into(),
                        ));
                    }
                }
            }
            if a.change.is_empty() {
                errors.push(err(
                    "adjustments",
                    i,
                    "change",
                    "an adjustment must change the value, the deadline or the wording, or withdraw"
                        .into(),
                ));
            }
            if let Some(e) = a.change.value.as_ref().and_then(check_value) {
                errors.push(err("adjustments", i, "value", e));
            }
            if a.decision.body.trim().is_empty() {
                errors.push(err(
                    "adjustments",
                    i,
                    "body",
                    "an adjustment must name the deciding body".into(),
                ));
            }
            if a.decision.reference.trim().is_empty() {
                errors.push(err(
                    "adjustments",
                    i,
                    "decision",
                    "an adjustment must name its decision (number or conference)".into(),
                ));
            }
        }

        let mut seen = HashSet::new();
        for (i, d) in self.documents.iter().enumerate() {
            if !seen.insert((d.issuer.as_str(), d.number.as_str())) {
                errors.push(err(
                    "documents",
                    i,
                    "number",
                    format!("duplicate document number `{}` of `{}`", d.number, d.issuer),
                ));
            }
            if !units.contains(d.issuer.as_str()) {
                errors.push(err(
                    "documents",
                    i,
                    "issuer",
                    format!("unknown unit `{}`", d.issuer),
                ));
            }
            for r in &d.resolutions {
                if !resolutions.contains(r.as_str()) {
                    errors.push(err(
                        "documents",
                        i,
                        "resolutions",
                        format!("unknown resolution `{r}`"),
                    ));
                }
            }
            for t in &d.targets {
                if !targets.contains(t) {
                    errors.push(err(
                        "documents",
                        i,
                        "targets",
                        format!("unknown target `{t}` (expected `resolution/code`)"),
                    ));
                }
            }
        }

        errors.extend(self.reorganisation_errors());

        for (i, o) in self.observations.iter().enumerate() {
            if !units.contains(o.unit.as_str()) {
                errors.push(err(
                    "observations",
                    i,
                    "unit",
                    format!("unknown unit `{}`", o.unit),
                ));
            }
            if !indicators.contains(o.indicator.as_str()) {
                errors.push(err(
                    "observations",
                    i,
                    "indicator",
                    format!("unknown indicator `{}`", o.indicator),
                ));
            }
        }
        errors
    }

    fn cycles(&self) -> Vec<ValidationError> {
        let parent: HashMap<&str, &str> = self
            .units
            .iter()
            .filter_map(|u| u.parent.as_deref().map(|p| (u.id.as_str(), p)))
            .collect();
        let mut errors = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            let mut cur = u.id.as_str();
            let mut steps = 0;
            while let Some(p) = parent.get(cur) {
                cur = p;
                steps += 1;
                if cur == u.id || steps > self.units.len() {
                    errors.push(err(
                        "units",
                        i,
                        "parent",
                        format!("unit `{}` is its own ancestor", u.id),
                    ));
                    break;
                }
            }
        }
        errors
    }

    /// A target's `allocated_from`: an existing target of the same indicator, never the target
    /// itself, directly or through a chain of shares.
    fn allocations(&self) -> Vec<ValidationError> {
        let mut by_key: HashMap<String, &Target> = HashMap::new();
        for t in &self.targets {
            by_key
                .entry(target_key(&t.resolution, &t.code))
                .or_insert(t);
        }
        let mut errors = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let Some(parent) = &t.allocated_from else {
                continue;
            };
            let key = target_key(&t.resolution, &t.code);
            let problem = if parent == &key {
                Some(format!("target `{key}` cannot be a share of itself"))
            } else {
                match by_key.get(parent.as_str()) {
                    None => Some(format!(
                        "unknown target `{parent}` (expected `resolution/code`)"
                    )),
                    Some(p) if p.indicator != t.indicator => Some(format!(
                        "target `{parent}` measures `{}` and this one `{}`: a share must measure \
                         the indicator of the target it is a share of",
                        p.indicator, t.indicator
                    )),
                    Some(p) => {
                        // A chain bounded by the number of targets: a loop elsewhere in the
                        // chain is reported at its own targets.
                        let mut next = p.allocated_from.as_deref();
                        let mut steps = 0;
                        let mut found = None;
                        while let Some(n) = next {
                            if n == key {
                                found = Some(format!(
                                    "target `{key}` is a share of itself through `{parent}`"
                                ));
                                break;
                            }
                            steps += 1;
                            if steps > self.targets.len() {
                                break;
                            }
                            next = by_key.get(n).and_then(|x| x.allocated_from.as_deref());
                        }
                        found
                    }
                }
            };
            if let Some(message) = problem {
                errors.push(err("targets", i, "allocated_from", message));
            }
        }
        errors
    }

    /// Reorganisations: unique ids; parts between known, distinct units with a share in
    /// (0, 1]; the shares of one old unit add up to at most the whole of it (exactly the whole
    /// for a merge, split or rename); and the validity of the units agrees with the date.
    fn reorganisation_errors(&self) -> Vec<ValidationError> {
        const C: &str = "reorganisations";
        let mut units: HashMap<&str, &Unit> = HashMap::new();
        for u in &self.units {
            units.entry(u.id.as_str()).or_insert(u);
        }
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (i, r) in self.reorganisations.iter().enumerate() {
            if r.id.trim().is_empty() {
                errors.push(err(
                    C,
                    i,
                    "id",
                    "a reorganisation needs a non-empty id".into(),
                ));
            }
            if !seen.insert(r.id.as_str()) {
                errors.push(err(
                    C,
                    i,
                    "id",
                    format!("duplicate reorganisation id `{}`", r.id),
                ));
            }
            if r.parts.is_empty() {
                errors.push(err(
                    C,
                    i,
                    "parts",
                    "a reorganisation needs at least one part (`from`, `to`, `share`)".into(),
                ));
            }
            // The total passed on by each old unit, in the order the units first appear; not
            // added up for a unit already reported (unknown, or a share out of range).
            let mut totals: Vec<(&str, Decimal)> = Vec::new();
            let mut reported: Vec<&str> = Vec::new();
            for (j, p) in r.parts.iter().enumerate() {
                for (end, id) in [("from", &p.from), ("to", &p.to)] {
                    if !units.contains_key(id.as_str()) {
                        if end == "from" {
                            reported.push(&p.from);
                        }
                        errors.push(err(
                            C,
                            i,
                            "parts",
                            format!("unknown unit `{id}` in parts[{j}].{end}"),
                        ));
                    }
                }
                if p.from == p.to {
                    errors.push(err(
                        C,
                        i,
                        "parts",
                        format!(
                            "unit `{}` cannot succeed itself (parts[{j}]); a unit that continues \
                             and receives part of another is the `to` of a `transfer`",
                            p.from
                        ),
                    ));
                }
                let in_range = p.share > Decimal::ZERO && p.share <= Decimal::ONE;
                if !in_range {
                    errors.push(err(
                        C,
                        i,
                        "parts",
                        format!(
                            "share {} in parts[{j}] is out of range: a share is more than 0 and at \
                             most 1 (the whole unit)",
                            p.share.normalize()
                        ),
                    ));
                    reported.push(&p.from);
                    continue;
                }
                match totals.iter_mut().find(|(u, _)| *u == p.from) {
                    // Shares are at most 1 each, so only absurdly many parts could overflow.
                    Some((_, total)) => *total = total.checked_add(p.share).unwrap_or(Decimal::MAX),
                    None => totals.push((p.from.as_str(), p.share)),
                }
            }
            let whole = match r.kind {
                ReorganisationKind::Merge => Some("a merge passes on the whole of each old unit"),
                ReorganisationKind::Split => {
                    Some("a split divides the whole of the old unit among the new ones")
                }
                ReorganisationKind::Rename => Some("a rename passes on the whole unit"),
                ReorganisationKind::Transfer => None,
            };
            totals.retain(|(from, _)| !reported.contains(from));
            for (from, total) in &totals {
                match whole {
                    Some(why) if *total != Decimal::ONE => errors.push(err(
                        C,
                        i,
                        "parts",
                        format!(
                            "the shares of unit `{from}` add up to {}, not 1: {why} (write a \
                             `transfer` when only part of a unit moves and the unit continues)",
                            total.normalize()
                        ),
                    )),
                    None if *total > Decimal::ONE => errors.push(err(
                        C,
                        i,
                        "parts",
                        format!(
                            "the shares of unit `{from}` add up to {}: more than the whole unit",
                            total.normalize()
                        ),
                    )),
                    _ => {}
                }
            }
            // A unit passed on whole ends the day before; the units a merge, split or rename
            // forms start on the day. Receivers of a transfer usually exist already.
            if let Some(day_before) = r.date.pred_opt() {
                for (from, total) in &totals {
                    let end = units.get(from).and_then(|u| u.valid_to);
                    match end {
                        Some(end) if *total == Decimal::ONE && end != day_before => {
                            errors.push(err(
                                C,
                                i,
                                "date",
                                format!(
                                    "unit `{from}` passes on the whole of itself on {} and so ends \
                                     on {day_before}, but its valid_to is {end}",
                                    r.date
                                ),
                            ))
                        }
                        _ => {}
                    }
                }
            }
            if whole.is_some() {
                let mut formed: Vec<&str> = Vec::new();
                for p in &r.parts {
                    if !formed.contains(&p.to.as_str()) {
                        formed.push(&p.to);
                    }
                }
                for to in formed {
                    let start = units.get(to).and_then(|u| u.valid_from);
                    match start {
                        Some(start) if start != r.date => errors.push(err(
                            C,
                            i,
                            "date",
                            format!(
                                "unit `{to}` is formed by this {} on {}, but its valid_from is {start}",
                                r.kind.as_str(),
                                r.date
                            ),
                        )),
                        _ => {}
                    }
                }
            }
        }
        errors
    }

    /// What of `incoming` is new to `self`. An entity already present with the same key and
    /// the same content is skipped (re-importing a bundle changes nothing); with other
    /// content it is a conflict. The union must validate. Returns the new entities only.
    pub fn merge_delta(&self, incoming: &Dataset) -> Result<Dataset, Vec<ValidationError>> {
        let mut m = Merger::default();
        let mut delta = Dataset {
            units: m.pick(
                &self.units,
                &incoming.units,
                |u| u.id.clone(),
                ("units", "id", "unit"),
            ),
            terms: m.pick(
                &self.terms,
                &incoming.terms,
                |t| t.id.clone(),
                ("terms", "id", "term"),
            ),
            resolutions: m.pick(
                &self.resolutions,
                &incoming.resolutions,
                |r| r.id.clone(),
                ("resolutions", "id", "resolution"),
            ),
            indicators: m.pick(
                &self.indicators,
                &incoming.indicators,
                |x| x.id.clone(),
                ("indicators", "id", "indicator"),
            ),
            targets: m.pick(
                &self.targets,
                &incoming.targets,
                |t| target_key(&t.resolution, &t.code),
                ("targets", "code", "target"),
            ),
            tasks: m.pick(
                &self.tasks,
                &incoming.tasks,
                |t| target_key(&t.resolution, &t.code),
                ("tasks", "code", "task"),
            ),
            documents: m.pick(
                &self.documents,
                &incoming.documents,
                |d| format!("{}:{}", d.issuer, d.number),
                ("documents", "number", "document"),
            ),
            reorganisations: m.pick(
                &self.reorganisations,
                &incoming.reorganisations,
                |r| r.id.clone(),
                ("reorganisations", "id", "reorganisation"),
            ),
            ..Dataset::default()
        };
        let Merger { errors, mut origin } = m;
        for (i, a) in incoming.adjustments.iter().enumerate() {
            if !self.adjustments.contains(a) {
                delta.adjustments.push(a.clone());
                origin.entry("adjustments").or_default().push(i);
            }
        }
        let known: HashSet<&Observation> = self.observations.iter().collect();
        for (i, o) in incoming.observations.iter().enumerate() {
            if !known.contains(o) {
                delta.observations.push(o.clone());
                origin.entry("observations").or_default().push(i);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut union = self.clone();
        union.extend(delta.clone());
        let errors: Vec<ValidationError> = union
            .validate()
            .into_iter()
            .filter_map(|mut e| {
                // Problems of entities already stored were checked when they were stored; report
                // the new ones at their position in the incoming data.
                let offset = match e.location.collection {
                    "units" => self.units.len(),
                    "terms" => self.terms.len(),
                    "resolutions" => self.resolutions.len(),
                    "indicators" => self.indicators.len(),
                    "targets" => self.targets.len(),
                    "tasks" => self.tasks.len(),
                    "documents" => self.documents.len(),
                    "adjustments" => self.adjustments.len(),
                    "reorganisations" => self.reorganisations.len(),
                    "observations" => self.observations.len(),
                    _ => 0,
                };
                if e.location.index < offset {
                    return None;
                }
                let k = e.location.index - offset;
                e.location.index = origin
                    .get(e.location.collection)
                    .and_then(|o| o.get(k))
                    .copied()
                    .unwrap_or(k);
                Some(e)
            })
            .collect();
        if errors.is_empty() {
            Ok(delta)
        } else {
            Err(errors)
        }
    }

    /// Appends everything in `other`.
    pub fn extend(&mut self, other: Dataset) {
        self.units.extend(other.units);
        self.terms.extend(other.terms);
        self.resolutions.extend(other.resolutions);
        self.indicators.extend(other.indicators);
        self.targets.extend(other.targets);
        self.adjustments.extend(other.adjustments);
        self.documents.extend(other.documents);
        self.tasks.extend(other.tasks);
        self.reorganisations.extend(other.reorganisations);
        self.observations.extend(other.observations);
    }
}

fn check_value(v: &TargetValue) -> Option<String> {
    match v {
        TargetValue::Range { min, max } if min > max => {
            Some(format!("range minimum {min} is above its maximum {max}"))
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::period::Period;
    use chrono::NaiveDate;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn unit(id: &str, valid_from: Option<&str>, valid_to: Option<&str>) -> Unit {
        Unit {
            id: id.into(),
            name: id.to_uppercase(),
            name_en: None,
            level: Level::Commune,
            parent: None,
            code: None,
            valid_from: valid_from.map(day),
            valid_to: valid_to.map(day),
        }
    }

    fn indicator(id: &str, aggregation: Aggregation) -> Indicator {
        Indicator {
            id: id.into(),
            name: id.into(),
            name_en: None,
            measure: "xã".into(),
            direction: Direction::Higher,
            aggregation,
        }
    }

    fn target(resolution: &str, code: &str, indicator: &str, from: Option<&str>) -> Target {
        Target {
            resolution: resolution.into(),
            code: code.into(),
            indicator: indicator.into(),
            unit: "a".into(),
            field: Field::Economy,
            kind: TargetKind::Level,
            baseline: Decimal::ZERO,
            baseline_period: Period::Year(2015),
            original: TargetSpec {
                name: code.into(),
                value: TargetValue::Exact(Decimal::TEN),
                deadline: day("2020-12-31"),
            },
            milestones: vec![],
            precision: None,
            source: None,
            illustrative: false,
            allocated_from: from.map(Into::into),
        }
    }

    fn part(from: &str, to: &str, share: &str) -> Succession {
        Succession {
            from: from.into(),
            to: to.into(),
            share: dec(share),
        }
    }

    fn reorganisation(
        id: &str,
        kind: ReorganisationKind,
        parts: Vec<Succession>,
    ) -> Reorganisation {
        Reorganisation {
            id: id.into(),
            kind,
            date: day("2025-07-01"),
            decision: Some("Nghị quyết 1656/NQ-UBTVQH15".into()),
            parts,
        }
    }

    /// Units `a`, `b` (ended 2025-06-30), `c`, `d` (formed 2025-07-01) and `e` (no dates);
    /// a province and a district resolution; two indicators.
    fn base() -> Dataset {
        Dataset {
            units: vec![
                unit("a", None, Some("2025-06-30")),
                unit("b", Some("2000-01-01"), Some("2025-06-30")),
                unit("c", Some("2025-07-01"), None),
                unit("d", Some("2025-07-01"), None),
                unit("e", None, None),
            ],
            terms: vec![Term {
                id: "t".into(),
                start: day("2015-10-01"),
                end: day("2020-09-30"),
            }],
            resolutions: ["p", "q"]
                .into_iter()
                .map(|id| Resolution {
                    id: id.into(),
                    unit: "a".into(),
                    kind: ResolutionKind::Congress,
                    congress: None,
                    term: "t".into(),
                    number: None,
                    adopted: day("2015-10-01"),
                    title: id.into(),
                    issuer: None,
                    body: BodyKind::Party,
                })
                .collect(),
            indicators: vec![
                indicator("criteria", Aggregation::Base(AggregationMethod::Last)),
                indicator("revenue", Aggregation::Base(AggregationMethod::Sum)),
            ],
            ..Dataset::default()
        }
    }

    /// The `(location, message)` of each problem.
    fn problems(ds: &Dataset) -> Vec<(String, String)> {
        ds.validate()
            .into_iter()
            .map(|e| (e.location.to_string(), e.message))
            .collect()
    }

    fn only(ds: &Dataset) -> (String, String) {
        let p = problems(ds);
        assert_eq!(p.len(), 1, "{p:#?}");
        p.into_iter().next().unwrap()
    }

    #[test]
    fn base_is_valid() {
        assert_eq!(problems(&base()), []);
    }

    #[test]
    fn count_where_counts_a_known_other_indicator() {
        let count = |of: &str| Aggregation::CountWhere {
            indicator: of.into(),
            op: CompareOp::Ge,
            value: dec("19"),
        };
        let mut ds = base();
        ds.indicators.push(indicator("ntm", count("criteria")));
        assert_eq!(problems(&ds), []);

        ds.indicators[2].aggregation = count("criterion");
        assert_eq!(
            only(&ds),
            (
                "indicators[2].count_of".into(),
                "unknown indicator `criterion`".into()
            )
        );

        ds.indicators[2].aggregation = count("ntm");
        assert_eq!(
            only(&ds),
            (
                "indicators[2].count_of".into(),
                "indicator `ntm` cannot count units by itself".into()
            )
        );
    }

    #[test]
    fn allocated_target_names_an_existing_target() {
        let mut ds = base();
        ds.targets = vec![
            target("p", "14", "revenue", None),
            target("q", "3", "revenue", Some("p/14")),
        ];
        assert_eq!(problems(&ds), []);

        ds.targets[1].allocated_from = Some("p/15".into());
        assert_eq!(
            only(&ds),
            (
                "targets[1].allocated_from".into(),
                "unknown target `p/15` (expected `resolution/code`)".into()
            )
        );
        ds.targets[1].allocated_from = Some("14".into());
        assert_eq!(only(&ds).0, "targets[1].allocated_from");
    }

    #[test]
    fn allocated_target_is_not_its_own_share() {
        let mut ds = base();
        ds.targets = vec![target("p", "14", "revenue", Some("p/14"))];
        assert_eq!(
            only(&ds),
            (
                "targets[0].allocated_from".into(),
                "target `p/14` cannot be a share of itself".into()
            )
        );
        // Nor through another target.
        ds.targets = vec![
            target("p", "14", "revenue", Some("q/3")),
            target("q", "3", "revenue", Some("p/14")),
        ];
        let p = problems(&ds);
        assert_eq!(
            p,
            [
                (
                    "targets[0].allocated_from".to_string(),
                    "target `p/14` is a share of itself through `q/3`".to_string()
                ),
                (
                    "targets[1].allocated_from".to_string(),
                    "target `q/3` is a share of itself through `p/14`".to_string()
                ),
            ]
        );
    }

    #[test]
    fn allocated_target_measures_the_same_indicator() {
        let mut ds = base();
        ds.targets = vec![
            target("p", "14", "revenue", None),
            target("q", "3", "criteria", Some("p/14")),
        ];
        let (loc, message) = only(&ds);
        assert_eq!(loc, "targets[1].allocated_from");
        assert!(
            message.starts_with("target `p/14` measures `revenue` and this one `criteria`"),
            "{message}"
        );
    }

    #[test]
    fn merge_and_split_are_valid() {
        let mut ds = base();
        ds.reorganisations = vec![
            reorganisation(
                "merge",
                ReorganisationKind::Merge,
                vec![part("a", "c", "1"), part("b", "c", "1")],
            ),
            reorganisation(
                "split",
                ReorganisationKind::Split,
                vec![part("e", "c", "0.6"), part("e", "d", "0.4")],
            ),
        ];
        assert_eq!(problems(&ds), []);
    }

    #[test]
    fn reorganisation_ids_are_unique_and_not_empty() {
        let mut ds = base();
        let r = reorganisation("x", ReorganisationKind::Rename, vec![part("a", "c", "1")]);
        ds.reorganisations = vec![
            r.clone(),
            r.clone(),
            Reorganisation {
                id: " ".into(),
                ..r
            },
        ];
        assert_eq!(
            problems(&ds),
            [
                (
                    "reorganisations[1].id".to_string(),
                    "duplicate reorganisation id `x`".to_string()
                ),
                (
                    "reorganisations[2].id".to_string(),
                    "a reorganisation needs a non-empty id".to_string()
                ),
            ]
        );
    }

    #[test]
    fn reorganisation_parts_name_known_distinct_units() {
        let mut ds = base();
        ds.reorganisations = vec![reorganisation(
            "x",
            ReorganisationKind::Transfer,
            vec![
                part("a", "zz", "0.5"),
                part("yy", "e", "0.5"),
                part("e", "e", "0.1"),
            ],
        )];
        let p = problems(&ds);
        let messages: Vec<&str> = p.iter().map(|(_, m)| m.as_str()).collect();
        assert!(
            p.iter().all(|(l, _)| l == "reorganisations[0].parts"),
            "{p:?}"
        );
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert_eq!(messages[0], "unknown unit `zz` in parts[0].to");
        assert_eq!(messages[1], "unknown unit `yy` in parts[1].from");
        assert!(
            messages[2].starts_with("unit `e` cannot succeed itself (parts[2])"),
            "{}",
            messages[2]
        );

        ds.reorganisations[0].parts.clear();
        assert_eq!(
            only(&ds),
            (
                "reorganisations[0].parts".into(),
                "a reorganisation needs at least one part (`from`, `to`, `share`)".into()
            )
        );
    }

    #[test]
    fn shares_are_above_zero_and_at_most_one() {
        for bad in ["0", "-0.5", "1.01", "79228162514264337593543950335"] {
            let mut ds = base();
            ds.reorganisations = vec![reorganisation(
                "x",
                ReorganisationKind::Transfer,
                vec![part("e", "c", bad), part("e", "d", "0.5")],
            )];
            let (loc, message) = only(&ds);
            assert_eq!(loc, "reorganisations[0].parts");
            assert_eq!(
                message,
                format!(
                    "share {} in parts[0] is out of range: a share is more than 0 and at most 1 \
                     (the whole unit)",
                    dec(bad).normalize()
                )
            );
        }
    }

    #[test]
    fn shares_of_a_transfer_add_up_to_at_most_one() {
        let mut ds = base();
        ds.reorganisations = vec![reorganisation(
            "x",
            ReorganisationKind::Transfer,
            vec![part("e", "c", "0.3"), part("a", "c", "0.2")],
        )];
        // Parts of units move; the givers continue.
        assert_eq!(problems(&ds), []);
        ds.reorganisations[0].parts = vec![part("e", "c", "0.7"), part("e", "d", "0.50")];
        assert_eq!(
            only(&ds),
            (
                "reorganisations[0].parts".into(),
                "the shares of unit `e` add up to 1.2: more than the whole unit".into()
            )
        );
    }

    #[test]
    fn shares_of_a_merge_split_or_rename_add_up_to_one() {
        let cases = [
            (
                ReorganisationKind::Merge,
                vec![part("a", "c", "1"), part("b", "c", "0.5")],
                "the shares of unit `b` add up to 0.5, not 1: a merge passes on the whole of each old unit",
            ),
            (
                ReorganisationKind::Split,
                vec![part("e", "c", "0.6"), part("e", "d", "0.3")],
                "the shares of unit `e` add up to 0.9, not 1: a split divides the whole of the old unit among the new ones",
            ),
            (
                ReorganisationKind::Rename,
                vec![part("e", "c", "0.99")],
                "the shares of unit `e` add up to 0.99, not 1: a rename passes on the whole unit",
            ),
        ];
        for (kind, parts, expected) in cases {
            let mut ds = base();
            ds.reorganisations = vec![reorganisation("x", kind, parts)];
            let (loc, message) = only(&ds);
            assert_eq!(loc, "reorganisations[0].parts");
            assert!(message.starts_with(expected), "{message}");
            assert!(message.contains("write a `transfer`"), "{message}");
        }
    }

    #[test]
    fn a_unit_passed_on_whole_ends_the_day_before() {
        let mut ds = base();
        ds.units[0].valid_to = Some(day("2025-07-01"));
        ds.reorganisations = vec![reorganisation(
            "x",
            ReorganisationKind::Merge,
            vec![part("a", "c", "1"), part("b", "c", "1")],
        )];
        assert_eq!(
            only(&ds),
            (
                "reorganisations[0].date".into(),
                "unit `a` passes on the whole of itself on 2025-07-01 and so ends on 2025-06-30, \
                 but its valid_to is 2025-07-01"
                    .into()
            )
        );
        // Also by a transfer of all of it; a unit that gives part of itself continues.
        ds.units[0].valid_to = Some(day("2030-01-01"));
        ds.reorganisations = vec![reorganisation(
            "x",
            ReorganisationKind::Transfer,
            vec![part("a", "e", "0.25"), part("a", "c", "0.75")],
        )];
        assert_eq!(only(&ds).0, "reorganisations[0].date");
        ds.reorganisations[0].parts.pop();
        assert_eq!(problems(&ds), []);
    }

    #[test]
    fn a_unit_formed_starts_on_the_date() {
        let mut ds = base();
        ds.units[2].valid_from = Some(day("2025-06-30"));
        ds.reorganisations = vec![reorganisation(
            "x",
            ReorganisationKind::Split,
            vec![part("e", "c", "0.6"), part("e", "d", "0.4")],
        )];
        assert_eq!(
            only(&ds),
            (
                "reorganisations[0].date".into(),
                "unit `c` is formed by this split on 2025-07-01, but its valid_from is 2025-06-30"
                    .into()
            )
        );
        // A transfer's receivers may be older.
        ds.reorganisations[0].kind = ReorganisationKind::Transfer;
        assert_eq!(problems(&ds), []);
    }

    #[test]
    fn merge_delta_keys_reorganisations_by_id() {
        let mut stored = base();
        let r = reorganisation(
            "x",
            ReorganisationKind::Merge,
            vec![part("a", "c", "1"), part("b", "c", "1")],
        );
        stored.reorganisations = vec![r.clone()];
        // Identical: skipped.
        let same = Dataset {
            reorganisations: vec![r.clone()],
            ..Dataset::default()
        };
        assert_eq!(stored.merge_delta(&same), Ok(Dataset::default()));
        // New: added, and checked against what is stored.
        let other = reorganisation("y", ReorganisationKind::Rename, vec![part("e", "d", "1")]);
        let new = Dataset {
            reorganisations: vec![r.clone(), other.clone()],
            ..Dataset::default()
        };
        let delta = stored.merge_delta(&new).unwrap();
        assert_eq!(delta.reorganisations, [other]);
        let mut union = stored.clone();
        union.extend(delta);
        assert_eq!(union.reorganisations.len(), 2);
        // Same id, other content: refused at its place in the incoming data.
        let conflicting = Dataset {
            reorganisations: vec![
                reorganisation("z", ReorganisationKind::Rename, vec![part("e", "d", "1")]),
                Reorganisation {
                    decision: None,
                    ..r
                },
            ],
            ..Dataset::default()
        };
        let errors = stored.merge_delta(&conflicting).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location.to_string(), "reorganisations[1].id");
        assert_eq!(
            errors[0].message,
            "reorganisation `x` already exists in the database with different content"
        );
        // A new reorganisation naming an unknown unit is located in the incoming data.
        let unknown = Dataset {
            reorganisations: vec![
                reorganisation(
                    "x",
                    ReorganisationKind::Merge,
                    vec![part("a", "c", "1"), part("b", "c", "1")],
                ),
                reorganisation(
                    "w",
                    ReorganisationKind::Rename,
                    vec![part("e", "nowhere", "1")],
                ),
            ],
            ..Dataset::default()
        };
        let errors = stored.merge_delta(&unknown).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location.to_string(), "reorganisations[1].parts");
    }

    #[test]
    fn merge_delta_checks_new_entities_against_stored_ones() {
        let mut stored = base();
        stored.targets = vec![target("p", "14", "revenue", None)];
        let incoming = Dataset {
            targets: vec![
                target("q", "3", "revenue", Some("p/14")),
                target("q", "4", "criteria", Some("p/14")),
            ],
            ..Dataset::default()
        };
        let errors = stored.merge_delta(&incoming).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location.to_string(), "targets[1].allocated_from");
    }
}
