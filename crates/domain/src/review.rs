//! The review of a unit at a date (*sơ kết*, *tổng kết*): what the brief's "The review" lists,
//! computed from a dataset. Rendering is elsewhere (the reports crate).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::*;
use crate::period::Period;
use crate::status::{self, Assessment, Status, StatusOptions};
use crate::version::{self, Cutoff};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    #[error("unknown resolution `{0}`")]
    UnknownResolution(String),
    #[error("target `{0}` names indicator `{1}`, which is not in the dataset")]
    MissingIndicator(String, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewOptions<'a> {
    pub unit: &'a str,
    pub as_of: NaiveDate,
    /// Count figures not yet approved by the level above.
    pub include_unapproved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
    pub level: Level,
}

/// Headline of one resolution in a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionSummary {
    pub id: String,
    pub title: String,
    /// The body that adopted it, as reports write it ("Đảng bộ huyện Lục Ngạn").
    pub issuer: Option<String>,
    pub unit: String,
    pub kind: ResolutionKind,
    pub congress: Option<u32>,
    pub term: String,
    pub adopted: NaiveDate,
    /// The reviewed unit's own resolution (not a superior one).
    pub own: bool,
    /// `exceeded` + `achieved`.
    pub achieved_or_exceeded: usize,
    /// Targets not withdrawn.
    pub total: usize,
    /// Targets that could be judged (not `no_data`).
    pub assessable: usize,
    /// Targets whose realisation rate is 80% or more.
    pub reach_80: usize,
    pub counts: BTreeMap<&'static str, usize>,
    /// The same counts under the versions in force after the decisions taken on the review's
    /// date.
    pub achieved_or_exceeded_adjusted: usize,
    pub total_adjusted: usize,
    pub counts_adjusted: BTreeMap<&'static str, usize>,
}

/// The milestone that falls due next after the review's date (or the last one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneCheck {
    pub period: Period,
    pub value: rust_decimal::Decimal,
    /// Whether the latest figure already meets it.
    pub met: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReview {
    pub resolution: String,
    pub code: String,
    /// Wording in force.
    pub name: String,
    pub field: Field,
    pub kind: TargetKind,
    pub indicator: String,
    pub indicator_name: String,
    pub measure_unit: String,
    pub direction: Direction,
    pub unit: String,
    pub baseline: rust_decimal::Decimal,
    pub baseline_period: Period,
    /// As adopted.
    pub original: TargetValue,
    /// In force when the review opened (what the status judges).
    pub value: TargetValue,
    /// In force after the review's own decisions, when they changed it.
    pub adjusted: Option<TargetValue>,
    pub deadline: NaiveDate,
    pub assessment: Assessment,
    /// Status under the adjusted version, when there is one.
    pub assessment_adjusted: Option<Assessment>,
    pub milestone: Option<MilestoneCheck>,
    pub source: Option<String>,
    pub illustrative: bool,
}

/// One part of a target's or task's version before and after an adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "part")]
pub enum ChangeRow {
    Value {
        from: TargetValue,
        to: TargetValue,
    },
    Deadline {
        from: Option<NaiveDate>,
        to: NaiveDate,
    },
    Wording {
        from: String,
        to: String,
    },
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustmentReview {
    pub subject: Subject,
    /// The target's or task's wording before the adjustment.
    pub name: String,
    pub decision: Decision,
    pub reason: String,
    pub changes: Vec<ChangeRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Done,
    InProgress,
    NotStarted,
    Overdue,
    Withdrawn,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::NotStarted => "not_started",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskReview {
    pub resolution: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub status: TaskStatus,
    pub due: Option<NaiveDate>,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortfallKind {
    /// `off_track` or `at_risk`.
    Target,
    /// Nothing to judge the target with.
    DataGap,
    /// A sub-unit holds one of the unit's targets back: its share is `off_track` or `at_risk`,
    /// or (for a rate, with no shares assigned) its own value is short of the target.
    LaggingUnit,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    pub kind: ShortfallKind,
    pub resolution: String,
    pub code: String,
    pub name: String,
    pub status: Option<Status>,
    pub latest: Option<status::Figure>,
    pub target: Option<rust_decimal::Decimal>,
    pub realisation: Option<f64>,
    /// For a lagging unit: the sub-unit that holds the target back.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub counts: BTreeMap<DocumentKind, usize>,
    pub list: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub unit: UnitRef,
    pub as_of: NaiveDate,
    pub include_unapproved: bool,
    /// The unit's own resolutions first, then its superiors', nearest first.
    pub resolutions: Vec<ResolutionSummary>,
    pub documents: DocumentSummary,
    pub targets: Vec<TargetReview>,
    pub adjustments: Vec<AdjustmentReview>,
    pub tasks: Vec<TaskReview>,
    pub shortfalls: Vec<Shortfall>,
}

/// The unit and its ancestors, the unit first.
pub fn ancestry<'a>(ds: &'a Dataset, unit: &str) -> Vec<&'a Unit> {
    let by_id: HashMap<&str, &Unit> = ds.units.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut out = Vec::new();
    let mut cur = by_id.get(unit).copied();
    while let Some(u) = cur {
        if out.iter().any(|x: &&Unit| x.id == u.id) {
            break;
        }
        out.push(u);
        cur = u.parent.as_deref().and_then(|p| by_id.get(p).copied());
    }
    out
}

fn is_within(ds: &Dataset, unit: &str, ancestor: &str) -> bool {
    ancestry(ds, unit).iter().any(|u| u.id == ancestor)
}

/// The resolutions a unit implements at a date: for itself and each unit above it, the latest
/// adopted resolution of each kind. Its own come first, congress before the other kinds.
pub fn resolutions_in_force<'a>(
    ds: &'a Dataset,
    unit: &str,
    as_of: NaiveDate,
) -> Vec<&'a Resolution> {
    let terms: HashMap<&str, &Term> = ds.terms.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut out = Vec::new();
    for u in ancestry(ds, unit) {
        for kind in ResolutionKind::ALL {
            let mut candidates: Vec<&Resolution> = ds
                .resolutions
                .iter()
                .filter(|r| r.unit == u.id && r.kind == kind && r.adopted <= as_of)
                .collect();
            if kind == ResolutionKind::Congress {
                candidates.sort_by_key(|r| r.adopted);
                out.extend(candidates.last().copied());
            } else {
                // Council plans and assignments run side by side: keep all whose term is open.
                out.extend(
                    candidates
                        .into_iter()
                        .filter(|r| terms.get(r.term.as_str()).is_none_or(|t| as_of <= t.end)),
                );
            }
        }
    }
    out
}

/// The targets of `resolution` that apply to `unit`: all of the unit's own resolution, those
/// assigned to the unit in a superior's.
pub fn targets_for<'a>(ds: &'a Dataset, resolution: &Resolution, unit: &str) -> Vec<&'a Target> {
    ds.targets
        .iter()
        .filter(|t| t.resolution == resolution.id && (resolution.unit == unit || t.unit == unit))
        .collect()
}

fn milestone_check(
    t: &Target,
    a: &Assessment,
    as_of: NaiveDate,
    d: Direction,
) -> Option<MilestoneCheck> {
    let m = t
        .milestones
        .iter()
        .find(|m| m.period.end() >= as_of)
        .or_else(|| t.milestones.last())?;
    let met = if t.kind == TargetKind::Level {
        a.latest.as_ref().map(|l| {
            (l.value - m.value) * rust_decimal::Decimal::from(d.sign())
                >= rust_decimal::Decimal::ZERO
        })
    } else {
        None
    };
    Some(MilestoneCheck {
        period: m.period,
        value: m.value,
        met,
    })
}

/// The indicator a target measures.
fn indicator_of<'a>(ds: &'a Dataset, t: &Target) -> Result<&'a Indicator, ReviewError> {
    ds.indicators
        .iter()
        .find(|i| i.id == t.indicator)
        .ok_or_else(|| {
            ReviewError::MissingIndicator(
                format!("{}/{}", t.resolution, t.code),
                t.indicator.clone(),
            )
        })
}

/// Judges every target of a resolution that applies to a unit, as the review does.
pub fn judge_target(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    t: &Target,
    opts: StatusOptions,
) -> Result<TargetReview, ReviewError> {
    let ind = indicator_of(ds, t)?;
    let before = version::target_version(ds, t, Cutoff::Before(opts.as_of));
    let a = status::assess_with(rollups, t, &before, ind);
    let after = version::target_version(ds, t, Cutoff::Through(opts.as_of));
    let (adjusted, assessment_adjusted) = if after != before {
        let a2 = status::assess_with(rollups, t, &after, ind);
        (
            (after.spec.value != before.spec.value).then(|| after.spec.value.clone()),
            Some(a2),
        )
    } else {
        (None, None)
    };
    Ok(TargetReview {
        resolution: t.resolution.clone(),
        code: t.code.clone(),
        name: before.spec.name.clone(),
        field: t.field,
        kind: t.kind,
        indicator: ind.id.clone(),
        indicator_name: ind.name.clone(),
        measure_unit: ind.measure.clone(),
        direction: ind.direction,
        unit: t.unit.clone(),
        baseline: t.baseline,
        baseline_period: t.baseline_period,
        original: t.original.value.clone(),
        value: before.spec.value.clone(),
        adjusted,
        deadline: before.spec.deadline,
        milestone: milestone_check(t, &a, opts.as_of, ind.direction),
        assessment: a,
        assessment_adjusted,
        source: t.source.clone(),
        illustrative: t.illustrative,
    })
}

fn summarise(r: &Resolution, own: bool, rows: &[&TargetReview]) -> ResolutionSummary {
    let mut counts: BTreeMap<&'static str, usize> =
        Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut counts_adjusted = counts.clone();
    let mut s = ResolutionSummary {
        id: r.id.clone(),
        title: r.title.clone(),
        issuer: r.issuer.clone(),
        unit: r.unit.clone(),
        kind: r.kind,
        congress: r.congress,
        term: r.term.clone(),
        adopted: r.adopted,
        own,
        achieved_or_exceeded: 0,
        total: 0,
        assessable: 0,
        reach_80: 0,
        counts: BTreeMap::new(),
        achieved_or_exceeded_adjusted: 0,
        total_adjusted: 0,
        counts_adjusted: BTreeMap::new(),
    };
    for row in rows {
        let st = row.assessment.status;
        *counts.entry(st.as_str()).or_default() += 1;
        if st != Status::Withdrawn {
            s.total += 1;
            s.achieved_or_exceeded += usize::from(st.is_met());
            s.assessable += usize::from(st.is_assessable());
            s.reach_80 += usize::from(row.assessment.realisation.is_some_and(|r| r >= 80.0));
        }
        let st2 = row.assessment_adjusted.as_ref().map_or(st, |a| a.status);
        *counts_adjusted.entry(st2.as_str()).or_default() += 1;
        if st2 != Status::Withdrawn {
            s.total_adjusted += 1;
            s.achieved_or_exceeded_adjusted += usize::from(st2.is_met());
        }
    }
    s.counts = counts;
    s.counts_adjusted = counts_adjusted;
    s
}

/// The tasks of resolution `r` that `unit` answers for, as they stood at `as_of`: every task
/// of its own resolution, and those of a superior's assigned to it or to a unit within it.
pub fn tasks_in(ds: &Dataset, r: &Resolution, unit: &str, as_of: NaiveDate) -> Vec<TaskReview> {
    let own = r.unit == unit;
    ds.tasks
        .iter()
        .filter(|t| t.resolution == r.id && (own || is_within(ds, &t.unit, unit)))
        .map(|t| {
            let (status, name, due) = task_status(ds, t, as_of);
            TaskReview {
                resolution: t.resolution.clone(),
                code: t.code.clone(),
                name,
                unit: t.unit.clone(),
                status,
                due,
                illustrative: t.illustrative,
            }
        })
        .collect()
}

/// [`tasks_in`] over every resolution in force for `unit` at `as_of`, its own first: the task
/// list of a unit, as its review counts them.
pub fn tasks_of(ds: &Dataset, unit: &str, as_of: NaiveDate) -> Vec<TaskReview> {
    resolutions_in_force(ds, unit, as_of)
        .into_iter()
        .flat_map(|r| tasks_in(ds, r, unit, as_of))
        .collect()
}

fn task_status(
    ds: &Dataset,
    t: &Task,
    as_of: NaiveDate,
) -> (TaskStatus, String, Option<NaiveDate>) {
    let v = version::task_version(ds, t, Cutoff::Through(as_of));
    let st = if v.withdrawn {
        TaskStatus::Withdrawn
    } else if t.state == TaskState::Done && t.done_on.is_none_or(|d| d <= as_of) {
        TaskStatus::Done
    } else if v.due.is_some_and(|d| d < as_of) {
        TaskStatus::Overdue
    } else if t.state == TaskState::NotStarted {
        TaskStatus::NotStarted
    } else {
        TaskStatus::InProgress
    };
    (st, v.name, v.due)
}

/// Each adjustment with the version it changed from and to.
fn adjustment_rows(ds: &Dataset, subjects: &[Subject], as_of: NaiveDate) -> Vec<AdjustmentReview> {
    let mut out = Vec::new();
    for subject in subjects {
        let mut adjs: Vec<&Adjustment> = ds
            .adjustments
            .iter()
            .filter(|a| &a.subject == subject && a.decision.date <= as_of)
            .collect();
        adjs.sort_by_key(|a| a.decision.date);
        let (mut name, mut value, mut deadline) = match subject {
            Subject::Target { resolution, code } => match ds
                .targets
                .iter()
                .find(|t| &t.resolution == resolution && &t.code == code)
            {
                Some(t) => (
                    t.original.name.clone(),
                    Some(t.original.value.clone()),
                    Some(t.original.deadline),
                ),
                None => continue,
            },
            Subject::Task { resolution, code } => match ds
                .tasks
                .iter()
                .find(|t| &t.resolution == resolution && &t.code == code)
            {
                Some(t) => (t.name.clone(), None, t.due),
                None => continue,
            },
        };
        for a in adjs {
            let mut changes = Vec::new();
            if let (Some(to), Some(from)) = (&a.change.value, &value) {
                changes.push(ChangeRow::Value {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            if let Some(to) = a.change.deadline {
                changes.push(ChangeRow::Deadline { from: deadline, to });
            }
            if let Some(to) = &a.change.wording {
                changes.push(ChangeRow::Wording {
                    from: name.clone(),
                    to: to.clone(),
                });
            }
            if a.change.withdraw {
                changes.push(ChangeRow::Withdraw);
            }
            out.push(AdjustmentReview {
                subject: subject.clone(),
                name: name.clone(),
                decision: a.decision.clone(),
                reason: a.reason.clone(),
                changes,
            });
            if let Some(v) = &a.change.value {
                value = Some(v.clone());
            }
            if let Some(d) = a.change.deadline {
                deadline = Some(d);
            }
            if let Some(w) = &a.change.wording {
                name = w.clone();
            }
        }
    }
    out.sort_by_key(|a| a.decision.date);
    out
}

/// What a question asks of the figures: the units whose series it reads and their indicators.
/// A store reads the figures of these units, of the units
/// below them and of their predecessors, for these indicators and what they are computed from
/// — nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub units: Vec<String>,
    pub indicators: Vec<String>,
}

impl Scope {
    fn add(&mut self, t: &Target) {
        if !self.units.contains(&t.unit) {
            self.units.push(t.unit.clone());
        }
        if !self.indicators.contains(&t.indicator) {
            self.indicators.push(t.indicator.clone());
        }
    }

    /// Adds a target and the shares allocated from it.
    fn add_with_shares(&mut self, ds: &Dataset, t: &Target) {
        self.add(t);
        let key = crate::validate::target_key(&t.resolution, &t.code);
        for share in ds
            .targets
            .iter()
            .filter(|s| s.allocated_from.as_deref() == Some(key.as_str()))
        {
            self.add(share);
        }
    }

    /// What [`build`] of `unit` at `as_of` reads: the unit, the units its targets are judged
    /// at, the sub-units they were allocated to; their indicators.
    pub fn of_review(ds: &Dataset, unit: &str, as_of: NaiveDate) -> Scope {
        let mut scope = Scope {
            units: vec![unit.to_string()],
            indicators: Vec::new(),
        };
        for r in resolutions_in_force(ds, unit, as_of) {
            for t in targets_for(ds, r, unit) {
                scope.add_with_shares(ds, t);
            }
        }
        scope
    }

    /// What [`crate::allocation::check`] reads: every target that has shares, and its shares.
    pub fn of_allocations(ds: &Dataset) -> Scope {
        let mut scope = Scope::default();
        for t in ds.targets.iter().filter(|t| t.allocated_from.is_some()) {
            scope.add(t);
            if let Some(parent) = ds.targets.iter().find(|p| {
                t.allocated_from.as_deref()
                    == Some(crate::validate::target_key(&p.resolution, &p.code).as_str())
            }) {
                scope.add(parent);
            }
        }
        scope
    }

    /// What [`crate::allocation::allocate`] of `target` (`RESOLUTION/CODE`) reads: its unit
    /// and the units below, its indicator and the one the split is proportional to.
    pub fn of_allocation(ds: &Dataset, target: &str, by: Option<&str>) -> Scope {
        let mut scope = Scope::default();
        if let Some(t) = ds
            .targets
            .iter()
            .find(|t| crate::validate::target_key(&t.resolution, &t.code) == target)
        {
            scope.add(t);
        }
        if let Some(i) = by {
            scope.indicators.push(i.to_string());
        }
        scope
    }

    /// What [`status_table`] of `resolution` (the targets of `unit`, when given) reads.
    pub fn of_status_table(ds: &Dataset, resolution: &str, unit: Option<&str>) -> Scope {
        let mut scope = Scope::default();
        for t in ds
            .targets
            .iter()
            .filter(|t| t.resolution == resolution && unit.is_none_or(|u| t.unit == u))
        {
            scope.add(t);
        }
        scope
    }
}

/// Builds the review of `opts.unit` at `opts.as_of`.
pub fn build(ds: &Dataset, opts: ReviewOptions) -> Result<Review, ReviewError> {
    let sopts = StatusOptions {
        as_of: opts.as_of,
        include_unapproved: opts.include_unapproved,
    };
    build_with(ds, &sopts.rollups(ds), opts)
}

/// [`build`] on roll-ups already made for `opts` (the figures known at `opts.as_of`, in the
/// tree of that date), e.g. from a store's bulk read; `ds` needs no observations then.
pub fn build_with(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    opts: ReviewOptions,
) -> Result<Review, ReviewError> {
    let unit = ds
        .units
        .iter()
        .find(|u| u.id == opts.unit)
        .ok_or_else(|| ReviewError::UnknownUnit(opts.unit.to_string()))?;
    let sopts = StatusOptions {
        as_of: opts.as_of,
        include_unapproved: opts.include_unapproved,
    };
    let resolutions = resolutions_in_force(ds, &unit.id, opts.as_of);

    let mut targets = Vec::new();
    let mut summaries = Vec::new();
    let mut subjects = Vec::new();
    let mut tasks = Vec::new();
    for r in &resolutions {
        let own = r.unit == unit.id;
        let rows: Vec<TargetReview> = targets_for(ds, r, &unit.id)
            .into_iter()
            .map(|t| judge_target(ds, rollups, t, sopts))
            .collect::<Result<_, _>>()?;
        for row in &rows {
            subjects.push(Subject::Target {
                resolution: row.resolution.clone(),
                code: row.code.clone(),
            });
        }
        summaries.push(summarise(r, own, &rows.iter().collect::<Vec<_>>()));
        targets.extend(rows);
        for t in tasks_in(ds, r, &unit.id, opts.as_of) {
            subjects.push(Subject::Task {
                resolution: t.resolution.clone(),
                code: t.code.clone(),
            });
            tasks.push(t);
        }
    }

    // Documents issued by the unit since its own resolution was adopted (the term's start when
    // it has none).
    let terms: HashMap<&str, &Term> = ds.terms.iter().map(|t| (t.id.as_str(), t)).collect();
    let from = resolutions
        .iter()
        .find(|r| r.unit == unit.id)
        .map(|r| r.adopted)
        .or_else(|| {
            resolutions
                .first()
                .and_then(|r| terms.get(r.term.as_str()).map(|t| t.start))
        })
        .unwrap_or(opts.as_of);
    let mut list: Vec<Document> = ds
        .documents
        .iter()
        .filter(|d| d.issuer == unit.id && d.date >= from && d.date <= opts.as_of)
        .cloned()
        .collect();
    list.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.date.cmp(&b.date)));
    let mut counts: BTreeMap<DocumentKind, usize> = [
        DocumentKind::Resolution,
        DocumentKind::ActionProgramme,
        DocumentKind::Plan,
        DocumentKind::Guidance,
        DocumentKind::Directive,
    ]
    .into_iter()
    .map(|k| (k, 0))
    .collect();
    for d in &list {
        *counts.entry(d.kind).or_default() += 1;
    }

    let adjustments = adjustment_rows(ds, &subjects, opts.as_of);

    let mut shortfalls = Vec::new();
    for row in &targets {
        let st = row.assessment.status;
        let kind = match st {
            Status::OffTrack | Status::AtRisk => ShortfallKind::Target,
            Status::NoData => ShortfallKind::DataGap,
            _ => continue,
        };
        shortfalls.push(Shortfall {
            kind,
            resolution: row.resolution.clone(),
            code: row.code.clone(),
            name: row.name.clone(),
            status: Some(st),
            latest: row.assessment.latest.clone(),
            target: row.assessment.target,
            realisation: row.assessment.realisation,
            unit: None,
        });
    }
    // Worst first: off track before at risk before gaps.
    shortfalls.sort_by_key(|s| match s.status {
        Some(Status::OffTrack) => 0,
        Some(Status::AtRisk) => 1,
        _ => 2,
    });
    shortfalls.extend(lagging_units(ds, rollups, &targets, &unit.id, sopts)?);
    Ok(Review {
        unit: UnitRef {
            id: unit.id.clone(),
            name: unit.name.clone(),
            level: unit.level.clone(),
        },
        as_of: opts.as_of,
        include_unapproved: opts.include_unapproved,
        resolutions: summaries,
        documents: DocumentSummary {
            from,
            to: opts.as_of,
            counts,
            list,
        },
        targets,
        adjustments,
        tasks,
        shortfalls,
    })
}

/// The sub-units that hold the unit's own targets back. Where the target was split among them
/// (shares with `allocated_from`), a share that is `off_track` or `at_risk`; where it was not
/// and the indicator is a rate (not additive), a sub-unit whose latest value is short of the
/// target.
fn lagging_units(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    rows: &[TargetReview],
    unit: &str,
    opts: StatusOptions,
) -> Result<Vec<Shortfall>, ReviewError> {
    let mut out = Vec::new();
    for row in rows
        .iter()
        .filter(|r| r.unit == unit && r.assessment.status != Status::Withdrawn)
    {
        let key = crate::validate::target_key(&row.resolution, &row.code);
        let shares: Vec<&Target> = ds
            .targets
            .iter()
            .filter(|t| t.allocated_from.as_deref() == Some(key.as_str()))
            .collect();
        if !shares.is_empty() {
            for t in shares {
                let share = judge_target(ds, rollups, t, opts)?;
                if matches!(share.assessment.status, Status::OffTrack | Status::AtRisk) {
                    out.push(Shortfall {
                        kind: ShortfallKind::LaggingUnit,
                        resolution: row.resolution.clone(),
                        code: row.code.clone(),
                        name: row.name.clone(),
                        status: Some(share.assessment.status),
                        latest: share.assessment.latest.clone(),
                        target: share.assessment.target,
                        realisation: share.assessment.realisation,
                        unit: Some(t.unit.clone()),
                    });
                }
            }
            continue;
        }
        let Some(indicator) = ds.indicators.iter().find(|i| i.id == row.indicator) else {
            continue;
        };
        let Some(target) = row.assessment.target else {
            continue;
        };
        if crate::allocation::is_additive(indicator) {
            continue;
        }
        let sign = rust_decimal::Decimal::from(indicator.direction.sign());
        for sub in ds
            .units
            .iter()
            .filter(|u| u.parent.as_deref() == Some(unit) && u.is_valid_on(opts.as_of))
        {
            let Some(last) = rollups.series(&sub.id, &indicator.id).pop() else {
                continue;
            };
            if (last.value - target) * sign < rust_decimal::Decimal::ZERO {
                out.push(Shortfall {
                    kind: ShortfallKind::LaggingUnit,
                    resolution: row.resolution.clone(),
                    code: row.code.clone(),
                    name: row.name.clone(),
                    status: None,
                    realisation: status::realisation_rate(last.value, target, indicator.direction),
                    latest: Some(last),
                    target: Some(target),
                    unit: Some(sub.id.clone()),
                });
            }
        }
    }
    Ok(out)
}

/// A target's status at a date under the version in force, beside the original version's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRow {
    pub resolution: String,
    pub code: String,
    pub name: String,
    pub field: Field,
    pub kind: TargetKind,
    pub indicator: String,
    pub indicator_name: String,
    pub measure_unit: String,
    pub unit: String,
    pub baseline: rust_decimal::Decimal,
    pub baseline_period: Period,
    /// In force at the date.
    pub value: TargetValue,
    pub original: TargetValue,
    pub deadline: NaiveDate,
    pub withdrawn: bool,
    pub assessment: Assessment,
    /// Under the original version, when an adjustment changed the target.
    pub assessment_original: Option<Assessment>,
}

/// Statuses of a resolution's targets at a date, for every target or those of one unit.
pub fn status_table(
    ds: &Dataset,
    resolution: &str,
    unit: Option<&str>,
    opts: StatusOptions,
) -> Result<Vec<StatusRow>, ReviewError> {
    status_table_with(ds, &opts.rollups(ds), resolution, unit, opts)
}

/// [`status_table`] on roll-ups already made for `opts`.
pub fn status_table_with(
    ds: &Dataset,
    rollups: &crate::rollup::Rollups,
    resolution: &str,
    unit: Option<&str>,
    opts: StatusOptions,
) -> Result<Vec<StatusRow>, ReviewError> {
    if !ds.resolutions.iter().any(|r| r.id == resolution) {
        return Err(ReviewError::UnknownResolution(resolution.to_string()));
    }
    if let Some(u) = unit {
        if !ds.units.iter().any(|x| x.id == u) {
            return Err(ReviewError::UnknownUnit(u.to_string()));
        }
    }
    let mut rows = Vec::new();
    for t in ds
        .targets
        .iter()
        .filter(|t| t.resolution == resolution && unit.is_none_or(|u| t.unit == u))
    {
        let ind = indicator_of(ds, t)?;
        let now = version::target_version(ds, t, Cutoff::Through(opts.as_of));
        let a = status::assess_with(rollups, t, &now, ind);
        let original = version::target_version(ds, t, Cutoff::Original);
        let assessment_original =
            (original != now).then(|| status::assess_with(rollups, t, &original, ind));
        rows.push(StatusRow {
            resolution: t.resolution.clone(),
            code: t.code.clone(),
            name: now.spec.name.clone(),
            field: t.field,
            kind: t.kind,
            indicator: ind.id.clone(),
            indicator_name: ind.name.clone(),
            measure_unit: ind.measure.clone(),
            unit: t.unit.clone(),
            baseline: t.baseline,
            baseline_period: t.baseline_period,
            value: now.spec.value.clone(),
            original: t.original.value.clone(),
            deadline: now.spec.deadline,
            withdrawn: now.withdrawn,
            assessment: a,
            assessment_original,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
