//! An adjustment from what a client sent — the JSON of `POST /api/v1/adjustments` or the
//! adjustment form — checked by one function ([`AdjustmentInput::check`]), so that both refuse
//! the same things and name the same fields (`decision.date`, `change.value.min`). Only the
//! way a number is written differs: the JSON's `41.3`, the form's `41,3` in Vietnamese.

use chitieu_domain::{Adjustment, Change, Decimal, Decision, Subject, TargetValue};
use chrono::NaiveDate;
use serde_json::Value;

use crate::ApiError;

/// A number field as sent: its text, or something that is no number at all (a JSON `true`).
#[derive(Debug, Clone)]
pub enum Number {
    Text(String),
    NotANumber,
}

/// The new value, in the shape the client chose.
#[derive(Debug, Clone)]
pub enum ValueInput {
    Exact(Number),
    Range {
        min: Number,
        max: Number,
    },
    ChangePerYear(Number),
    /// Neither a number nor one of the shapes (`{min}` alone, or two shapes at once).
    Unshaped,
}

/// The decision's fields as sent.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub body: Option<String>,
    pub reference: Option<String>,
    pub date: Option<String>,
}

/// An adjustment before it is checked: every field as text, as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct AdjustmentInput {
    pub resolution: Option<String>,
    pub code: Option<String>,
    pub subject: Option<String>,
    /// `None`: the JSON has no `decision` object at all.
    pub decision: Option<DecisionInput>,
    pub reason: Option<String>,
    pub value: Option<ValueInput>,
    pub deadline: Option<String>,
    pub wording: Option<String>,
    pub withdraw: bool,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// The decision object is missing from the JSON.
    RequiredDecision,
    Date(String),
    Number(String),
    NotANumber,
    Subject(String),
    ValueShape,
    NoChange,
}

/// A problem and the field it is in, named as in the JSON (`decision.body`); the form's inputs
/// carry the same names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let message = match &e.problem {
            Problem::Required => "required: a non-empty string".to_string(),
            Problem::RequiredDecision => "required: {body, reference, date}".to_string(),
            Problem::Date(t) => format!("`{t}`: expected a date YYYY-MM-DD"),
            Problem::Number(t) => format!("`{t}`: expected a decimal number"),
            Problem::NotANumber => "expected a number".to_string(),
            Problem::Subject(t) => format!("`{t}`: expected target or task"),
            Problem::ValueShape => "expected a number, {min, max} or {change_per_year}".into(),
            Problem::NoChange => {
                "expected at least one of value, deadline, wording, withdraw".to_string()
            }
        };
        ApiError::bad_parameter(&e.field, message)
    }
}

fn filled(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|x| !x.is_empty())
}

impl AdjustmentInput {
    /// The fields of a JSON body. A field of the wrong JSON type counts as missing (a string
    /// field) or as not a number (a value), so that [`check`](Self::check) names it.
    pub fn from_json(body: &Value) -> AdjustmentInput {
        let s = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
        let number = |v: &Value| match v {
            Value::String(s) => Number::Text(s.clone()),
            // Taken as written: 41.3 stays 41.3.
            Value::Number(n) => Number::Text(n.to_string()),
            _ => Number::NotANumber,
        };
        let c = body.get("change").cloned().unwrap_or(Value::Null);
        let value = match c.get("value") {
            None | Some(Value::Null) => None,
            Some(v @ (Value::Number(_) | Value::String(_))) => Some(ValueInput::Exact(number(v))),
            Some(v) => Some(
                match (v.get("min"), v.get("max"), v.get("change_per_year")) {
                    (Some(min), Some(max), None) => ValueInput::Range {
                        min: number(min),
                        max: number(max),
                    },
                    (None, None, Some(c)) => ValueInput::ChangePerYear(number(c)),
                    _ => ValueInput::Unshaped,
                },
            ),
        };
        AdjustmentInput {
            resolution: s(body, "resolution"),
            code: s(body, "code"),
            subject: s(body, "subject"),
            decision: body.get("decision").map(|d| DecisionInput {
                body: s(d, "body"),
                reference: s(d, "reference"),
                date: s(d, "date"),
            }),
            reason: s(body, "reason"),
            value,
            deadline: s(&c, "deadline"),
            wording: s(&c, "wording"),
            withdraw: c.get("withdraw").and_then(Value::as_bool).unwrap_or(false),
        }
    }

    /// The adjustment, or every problem found, in the order of the fields. `number` reads a
    /// number as the client writes it.
    pub fn check(
        &self,
        number: &dyn Fn(&str) -> Option<Decimal>,
    ) -> Result<Adjustment, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut required = |field: &str, v: &Option<String>| -> Option<String> {
            let x = filled(v).map(str::to_string);
            if x.is_none() {
                errors.push(problem(field, Problem::Required));
            }
            x
        };
        let resolution = required("resolution", &self.resolution);
        let code = required("code", &self.code);
        let (body, reference, date_text) = match &self.decision {
            Some(d) => (
                required("decision.body", &d.body),
                required("decision.reference", &d.reference),
                required("decision.date", &d.date),
            ),
            None => (None, None, None),
        };
        let reason = required("reason", &self.reason);
        let subject_kind = filled(&self.subject).unwrap_or("target").to_string();
        if subject_kind != "target" && subject_kind != "task" {
            errors.push(problem("subject", Problem::Subject(subject_kind.clone())));
        }
        if self.decision.is_none() {
            errors.push(problem("decision", Problem::RequiredDecision));
        }
        let decision_date = date_text
            .as_deref()
            .and_then(|t| date(&mut errors, "decision.date", t));
        let value = match &self.value {
            None => None,
            Some(ValueInput::Exact(n)) => {
                decimal(&mut errors, number, "change.value", n).map(TargetValue::Exact)
            }
            Some(ValueInput::Range { min, max }) => {
                let min = decimal(&mut errors, number, "change.value.min", min);
                let max = decimal(&mut errors, number, "change.value.max", max);
                min.zip(max)
                    .map(|(min, max)| TargetValue::Range { min, max })
            }
            Some(ValueInput::ChangePerYear(n)) => {
                decimal(&mut errors, number, "change.value.change_per_year", n)
                    .map(TargetValue::ChangePerYear)
            }
            Some(ValueInput::Unshaped) => {
                errors.push(problem("change.value", Problem::ValueShape));
                None
            }
        };
        let deadline = filled(&self.deadline).and_then(|t| date(&mut errors, "change.deadline", t));
        let change = Change {
            value,
            deadline,
            wording: filled(&self.wording).map(str::to_string),
            withdraw: self.withdraw,
        };
        // A value that could not be read is its own error, not a missing change.
        if change.is_empty() && !errors.iter().any(|e| e.field.starts_with("change.")) {
            errors.push(problem("change", Problem::NoChange));
        }
        // The order of the fields in the JSON body: the API reports the first.
        const ORDER: [&str; 14] = [
            "resolution",
            "code",
            "subject",
            "decision",
            "decision.body",
            "decision.reference",
            "decision.date",
            "reason",
            "change.value",
            "change.value.min",
            "change.value.max",
            "change.value.change_per_year",
            "change.deadline",
            "change",
        ];
        errors.sort_by_key(|e| ORDER.iter().position(|f| *f == e.field));
        let (Some(resolution), Some(code), Some(body), Some(reference), Some(date), Some(reason)) =
            (resolution, code, body, reference, decision_date, reason)
        else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let subject = if subject_kind == "task" {
            Subject::Task { resolution, code }
        } else {
            Subject::Target { resolution, code }
        };
        Ok(Adjustment {
            subject,
            decision: Decision {
                body,
                reference,
                date,
            },
            reason,
            change,
        })
    }
}

fn problem(field: &str, problem: Problem) -> FieldError {
    FieldError {
        field: field.to_string(),
        problem,
    }
}

fn date(errors: &mut Vec<FieldError>, field: &str, text: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if d.is_none() {
        errors.push(problem(field, Problem::Date(text.to_string())));
    }
    d
}

fn decimal(
    errors: &mut Vec<FieldError>,
    number: &dyn Fn(&str) -> Option<Decimal>,
    field: &str,
    n: &Number,
) -> Option<Decimal> {
    let found = match n {
        Number::NotANumber => Err(Problem::NotANumber),
        Number::Text(t) if t.trim().is_empty() => Err(Problem::Required),
        Number::Text(t) => number(t.trim()).ok_or_else(|| Problem::Number(t.clone())),
    };
    found.map_err(|p| errors.push(problem(field, p))).ok()
}

/// The first problem of a JSON body, as the API answers it.
pub fn adjustment_of_json(body: &Value) -> Result<Adjustment, ApiError> {
    AdjustmentInput::from_json(body)
        .check(&|t| t.parse().ok())
        .map_err(|errors| match errors.into_iter().next() {
            Some(e) => e.into(),
            None => ApiError::internal("an adjustment refused without a reason"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "resolution": "r", "code": "2",
            "decision": {"body": "B", "reference": "R", "date": "2018-06-25"},
            "reason": "why",
            "change": {"value": {"min": 90, "max": "100"}, "wording": "  "}
        })
    }

    #[test]
    fn the_json_and_a_form_make_the_same_adjustment() {
        let from_json = adjustment_of_json(&body()).unwrap();
        let form = AdjustmentInput {
            resolution: Some("r".into()),
            code: Some("2".into()),
            subject: Some("target".into()),
            decision: Some(DecisionInput {
                body: Some("B".into()),
                reference: Some("R".into()),
                date: Some("2018-06-25".into()),
            }),
            reason: Some("why".into()),
            value: Some(ValueInput::Range {
                min: Number::Text("90".into()),
                max: Number::Text("100,0".into()),
            }),
            ..AdjustmentInput::default()
        };
        let vi = |t: &str| chitieu_reports::locale::parse_dec(chitieu_reports::Lang::Vi, t);
        assert_eq!(form.check(&vi).unwrap(), from_json);
        assert_eq!(
            from_json.change.wording, None,
            "a blank wording is no change"
        );
    }

    #[test]
    fn every_problem_in_field_order_and_the_api_answers_the_first() {
        let mut b = body();
        b["reason"] = json!("");
        b["decision"]["date"] = json!("25/6/2018");
        b["change"] = json!({"value": true});
        let fields: Vec<String> = AdjustmentInput::from_json(&b)
            .check(&|t| t.parse().ok())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["decision.date", "reason", "change.value"]);
        assert_eq!(
            adjustment_of_json(&b).unwrap_err().field.as_deref(),
            Some("decision.date")
        );
        assert_eq!(
            adjustment_of_json(&json!({"resolution": "r", "code": "2", "reason": "x", "change": {"withdraw": true}}))
                .unwrap_err()
                .field
                .as_deref(),
            Some("decision")
        );
    }
}
