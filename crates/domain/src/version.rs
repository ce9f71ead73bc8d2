//! "As of" a date: the version of a target or task in force, and the figures known then.

use chrono::NaiveDate;

use crate::model::*;

/// A target as it stood at a date: its spec with the adjustments decided up to then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetVersion {
    pub spec: TargetSpec,
    pub withdrawn: bool,
    /// The adjustments applied, oldest first.
    pub adjustments: Vec<Adjustment>,
}

/// Which adjustments count at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cutoff {
    /// Adjustments decided on or before the date (a decision takes effect when it is made).
    Through(NaiveDate),
    /// Adjustments decided strictly before the date: the target as a meeting on that date
    /// found it, before its own decisions.
    Before(NaiveDate),
    /// None: the target as adopted.
    Original,
}

impl Cutoff {
    fn admits(self, date: NaiveDate) -> bool {
        match self {
            Cutoff::Through(d) => date <= d,
            Cutoff::Before(d) => date < d,
            Cutoff::Original => false,
        }
    }
}

fn adjustments_for<'a>(ds: &'a Dataset, subject: &Subject, cutoff: Cutoff) -> Vec<&'a Adjustment> {
    let mut v: Vec<&Adjustment> = ds
        .adjustments
        .iter()
        .filter(|a| &a.subject == subject && cutoff.admits(a.decision.date))
        .collect();
    // Stable: same-day adjustments keep the order in which they were recorded.
    v.sort_by_key(|a| a.decision.date);
    v
}

pub fn target_subject(t: &Target) -> Subject {
    Subject::Target {
        resolution: t.resolution.clone(),
        code: t.code.clone(),
    }
}

pub fn task_subject(t: &Task) -> Subject {
    Subject::Task {
        resolution: t.resolution.clone(),
        code: t.code.clone(),
    }
}

/// The version of `target` in force under `cutoff`.
pub fn target_version(ds: &Dataset, target: &Target, cutoff: Cutoff) -> TargetVersion {
    let mut spec = target.original.clone();
    let mut withdrawn = false;
    let mut applied = Vec::new();
    for a in adjustments_for(ds, &target_subject(target), cutoff) {
        if let Some(v) = &a.change.value {
            spec.value = v.clone();
        }
        if let Some(d) = a.change.deadline {
            spec.deadline = d;
        }
        if let Some(w) = &a.change.wording {
            spec.name = w.clone();
        }
        if a.change.withdraw {
            withdrawn = true;
        }
        applied.push(a.clone());
    }
    TargetVersion {
        spec,
        withdrawn,
        adjustments: applied,
    }
}

/// A task as it stood at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskVersion {
    pub name: String,
    pub due: Option<NaiveDate>,
    pub withdrawn: bool,
    pub adjustments: Vec<Adjustment>,
}

pub fn task_version(ds: &Dataset, task: &Task, cutoff: Cutoff) -> TaskVersion {
    let mut v = TaskVersion {
        name: task.name.clone(),
        due: task.due,
        withdrawn: false,
        adjustments: Vec::new(),
    };
    for a in adjustments_for(ds, &task_subject(task), cutoff) {
        if let Some(w) = &a.change.wording {
            v.name = w.clone();
        }
        if let Some(d) = a.change.deadline {
            v.due = Some(d);
        }
        if a.change.withdraw {
            v.withdrawn = true;
        }
        v.adjustments.push(a.clone());
    }
    v
}

/// Which figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureFilter {
    /// Only figures known on or before this date.
    pub known_by: NaiveDate,
    /// Count figures not yet approved by the level above (the brief: only approved figures
    /// count unless the review says it uses estimates).
    pub include_unapproved: bool,
}

/// The figure in force for each period of (unit, indicator): among those that pass the filter,
/// the one reported last supersedes the others (on the same day, the one recorded last).
/// Sorted by period.
pub fn figures<'a>(
    ds: &'a Dataset,
    unit: &str,
    indicator: &str,
    filter: FigureFilter,
) -> Vec<&'a Observation> {
    let mut latest: Vec<&Observation> = Vec::new();
    for o in ds.observations.iter().filter(|o| {
        o.unit == unit
            && o.indicator == indicator
            && o.known_from() <= filter.known_by
            && (filter.include_unapproved || o.state == ReviewState::Approved)
    }) {
        match latest.iter_mut().find(|x| x.period == o.period) {
            Some(slot) => {
                if o.known_from() >= slot.known_from() {
                    *slot = o;
                }
            }
            None => latest.push(o),
        }
    }
    latest.sort_by_key(|a| a.period);
    latest
}
