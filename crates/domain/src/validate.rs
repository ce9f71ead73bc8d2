//! Coherence of a dataset: unique keys, references that resolve, values that make sense.
//! And the merge of an incoming bundle into what a store already holds.

use std::collections::{HashMap, HashSet};
use std::fmt;

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
