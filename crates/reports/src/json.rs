//! The review and status tables as JSON: a stable interface other tools read, documented in
//! `docs/review-json.md`. Figures are JSON numbers, dates ISO 8601, words the snake_case
//! names of the domain's enums. Change it only by adding keys.

use chitieu_domain::review::{AdjustmentReview, ChangeRow, Review, StatusRow, TargetReview};
use chitieu_domain::status::Assessment;
use chitieu_domain::{Decimal, Subject, TargetValue};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Map, Value};

pub const REVIEW_FORMAT: &str = "chitieu-review/1";
pub const STATUS_FORMAT: &str = "chitieu-status/1";

pub(crate) fn number(d: Decimal) -> Value {
    let d = d.normalize();
    if d.scale() == 0 {
        if let Some(i) = d.to_i64() {
            return json!(i);
        }
    }
    d.to_f64().map_or(Value::Null, |x| json!(x))
}

fn rounded(x: Option<f64>, places: u32) -> Value {
    match x.and_then(Decimal::from_f64_retain) {
        Some(d) => number(d.round_dp(places)),
        None => Value::Null,
    }
}

/// A target value: a number, `{"min": .., "max": ..}` for a range, or
/// `{"change_per_year": ..}`.
pub fn target_value(v: &TargetValue) -> Value {
    match v {
        TargetValue::Exact(d) => number(*d),
        TargetValue::Range { min, max } => json!({"min": number(*min), "max": number(*max)}),
        TargetValue::ChangePerYear(c) => json!({"change_per_year": number(*c)}),
    }
}

fn assessment(a: &Assessment) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("status".into(), json!(a.status.as_str()));
    m.insert("target".into(), a.target.map_or(Value::Null, number));
    m.insert(
        "latest".into(),
        a.latest.as_ref().map_or(Value::Null, |l| number(l.value)),
    );
    m.insert(
        "latest_period".into(),
        a.latest
            .as_ref()
            .map_or(Value::Null, |l| json!(l.period.to_string())),
    );
    m.insert(
        "latest_standing".into(),
        a.latest
            .as_ref()
            .map_or(Value::Null, |l| json!(l.standing.as_str())),
    );
    m.insert("measure".into(), a.measure.map_or(Value::Null, number));
    m.insert("realisation".into(), rounded(a.realisation, 2));
    m.insert("progress".into(), rounded(a.progress, 2));
    m.insert("ratio".into(), rounded(a.ratio, 4));
    m.insert("projected".into(), rounded(a.projected, 3));
    m.insert("method".into(), json!(a.method.as_str()));
    m.insert("figures_used".into(), json!(a.figures_used));
    m.insert(
        "note".into(),
        a.note.as_ref().map_or(Value::Null, |n| json!(n)),
    );
    m
}

fn target_row(t: &TargetReview) -> Value {
    let mut m = Map::new();
    m.insert("resolution".into(), json!(t.resolution));
    m.insert("code".into(), json!(t.code));
    m.insert("name".into(), json!(t.name));
    m.insert("field".into(), json!(t.field.as_str()));
    m.insert("kind".into(), json!(t.kind.as_str()));
    m.insert("indicator".into(), json!(t.indicator));
    m.insert("indicator_name".into(), json!(t.indicator_name));
    m.insert("measure_unit".into(), json!(t.measure_unit));
    m.insert("direction".into(), json!(t.direction.as_str()));
    m.insert("unit".into(), json!(t.unit));
    m.insert("baseline".into(), number(t.baseline));
    m.insert(
        "baseline_period".into(),
        json!(t.baseline_period.to_string()),
    );
    m.insert("target_value".into(), target_value(&t.value));
    m.insert("target_original".into(), target_value(&t.original));
    m.insert(
        "target_adjusted".into(),
        t.adjusted.as_ref().map_or(Value::Null, target_value),
    );
    m.insert("deadline".into(), json!(t.deadline.to_string()));
    m.extend(assessment(&t.assessment));
    m.insert(
        "status_adjusted".into(),
        t.assessment_adjusted
            .as_ref()
            .map_or(Value::Null, |a| json!(a.status.as_str())),
    );
    m.insert(
        "milestone".into(),
        t.milestone.as_ref().map_or(
            Value::Null,
            |ms| json!({"period": ms.period.to_string(), "value": number(ms.value), "met": ms.met}),
        ),
    );
    m.insert("source".into(), json!(t.source));
    m.insert("illustrative".into(), json!(t.illustrative));
    Value::Object(m)
}

fn change_value(c: &ChangeRow) -> (Value, Value) {
    match c {
        ChangeRow::Value { from, to } => (target_value(from), target_value(to)),
        ChangeRow::Deadline { from, to } => {
            (json!(from.map(|d| d.to_string())), json!(to.to_string()))
        }
        ChangeRow::Wording { from, to } => (json!(from), json!(to)),
        ChangeRow::Withdraw => (json!("in_force"), json!("withdrawn")),
    }
}

fn adjustment_row(a: &AdjustmentReview) -> Value {
    let mut m = Map::new();
    let (key, resolution, code) = match &a.subject {
        Subject::Target { resolution, code } => ("target", resolution, code),
        Subject::Task { resolution, code } => ("task", resolution, code),
    };
    m.insert("resolution".into(), json!(resolution));
    m.insert(key.into(), json!(code));
    m.insert("name".into(), json!(a.name));
    // `from`/`to` carry the main change: the value, else the withdrawal, else the deadline,
    // else the wording. `changes` lists every part.
    let main = a
        .changes
        .iter()
        .find(|c| matches!(c, ChangeRow::Value { .. }))
        .or_else(|| a.changes.iter().find(|c| matches!(c, ChangeRow::Withdraw)))
        .or_else(|| {
            a.changes
                .iter()
                .find(|c| matches!(c, ChangeRow::Deadline { .. }))
        })
        .or_else(|| a.changes.first());
    let (from, to) = main.map_or((Value::Null, Value::Null), change_value);
    m.insert("from".into(), from);
    m.insert("to".into(), to);
    m.insert(
        "withdraw".into(),
        json!(a.changes.iter().any(|c| matches!(c, ChangeRow::Withdraw))),
    );
    m.insert(
        "changes".into(),
        Value::Array(
            a.changes
                .iter()
                .map(|c| {
                    let part = match c {
                        ChangeRow::Value { .. } => "value",
                        ChangeRow::Deadline { .. } => "deadline",
                        ChangeRow::Wording { .. } => "wording",
                        ChangeRow::Withdraw => "withdraw",
                    };
                    let (from, to) = change_value(c);
                    json!({"part": part, "from": from, "to": to})
                })
                .collect(),
        ),
    );
    m.insert("date".into(), json!(a.decision.date.to_string()));
    m.insert("decision".into(), json!(a.decision.reference));
    m.insert("body".into(), json!(a.decision.body));
    m.insert("reason".into(), json!(a.reason));
    Value::Object(m)
}

pub fn review(r: &Review) -> Value {
    let resolutions: Vec<Value> = r
        .resolutions
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "title": s.title,
                "unit": s.unit,
                "kind": s.kind.as_str(),
                "congress": s.congress,
                "term": s.term,
                "adopted": s.adopted.to_string(),
                "own": s.own,
                "achieved_or_exceeded": s.achieved_or_exceeded,
                "total": s.total,
                "assessable": s.assessable,
                "reach_80": s.reach_80,
                "counts": s.counts,
                "adjusted": {
                    "achieved_or_exceeded": s.achieved_or_exceeded_adjusted,
                    "total": s.total_adjusted,
                    "counts": s.counts_adjusted,
                },
            })
        })
        .collect();
    let mut counts = Map::new();
    for (k, n) in &r.documents.counts {
        counts.insert(k.as_str().into(), json!(n));
    }
    let documents = json!({
        "from": r.documents.from.to_string(),
        "to": r.documents.to.to_string(),
        "total": r.documents.list.len(),
        "counts": counts,
        "list": r.documents.list.iter().map(|d| json!({
            "number": d.number,
            "kind": d.kind.as_str(),
            "date": d.date.to_string(),
            "title": d.title,
            "resolutions": d.resolutions,
            "targets": d.targets,
            "illustrative": d.illustrative,
        })).collect::<Vec<_>>(),
    });
    json!({
        "format": REVIEW_FORMAT,
        "unit": {"id": r.unit.id, "name": r.unit.name, "level": r.unit.level.as_str()},
        "as_of": r.as_of.to_string(),
        "include_unapproved": r.include_unapproved,
        "resolutions": resolutions,
        "documents": documents,
        "targets": r.targets.iter().map(target_row).collect::<Vec<_>>(),
        "adjustments": r.adjustments.iter().map(adjustment_row).collect::<Vec<_>>(),
        "tasks": r.tasks.iter().map(|t| json!({
            "resolution": t.resolution,
            "code": t.code,
            "name": t.name,
            "unit": t.unit,
            "status": t.status.as_str(),
            "due": t.due.map(|d| d.to_string()),
            "illustrative": t.illustrative,
        })).collect::<Vec<_>>(),
        "shortfalls": r.shortfalls.iter().map(|s| json!({
            "kind": match s.kind {
                chitieu_domain::review::ShortfallKind::Target => "target",
                chitieu_domain::review::ShortfallKind::DataGap => "data_gap",
                chitieu_domain::review::ShortfallKind::LaggingUnit => "lagging_unit",
            },
            "unit": s.unit,
            "resolution": s.resolution,
            "target": s.code,
            "name": s.name,
            "status": s.status.map(|x| x.as_str()),
            "value": s.latest.as_ref().map_or(Value::Null, |l| number(l.value)),
            "period": s.latest.as_ref().map(|l| l.period.to_string()),
            "target_value": s.target.map_or(Value::Null, number),
            "realisation": rounded(s.realisation, 2),
        })).collect::<Vec<_>>(),
    })
}

pub fn status_rows(resolution: &str, as_of: chrono::NaiveDate, rows: &[StatusRow]) -> Value {
    json!({
        "format": STATUS_FORMAT,
        "resolution": resolution,
        "as_of": as_of.to_string(),
        "targets": rows.iter().map(|t| {
            let mut m = Map::new();
            m.insert("resolution".into(), json!(t.resolution));
            m.insert("code".into(), json!(t.code));
            m.insert("name".into(), json!(t.name));
            m.insert("field".into(), json!(t.field.as_str()));
            m.insert("kind".into(), json!(t.kind.as_str()));
            m.insert("indicator".into(), json!(t.indicator));
            m.insert("unit".into(), json!(t.unit));
            m.insert("baseline".into(), number(t.baseline));
            m.insert("baseline_period".into(), json!(t.baseline_period.to_string()));
            m.insert("target_value".into(), target_value(&t.value));
            m.insert("target_original".into(), target_value(&t.original));
            m.insert("deadline".into(), json!(t.deadline.to_string()));
            m.insert("withdrawn".into(), json!(t.withdrawn));
            m.extend(assessment(&t.assessment));
            m.insert("original".into(), t.assessment_original.as_ref().map_or(Value::Null, |a| Value::Object(assessment(a))));
            Value::Object(m)
        }).collect::<Vec<_>>(),
    })
}
