//! The request bodies as the OpenAPI document describes them. The handlers read the JSON
//! themselves (`api::observation_of`, `adjustment::AdjustmentInput::from_json`) so that an
//! error names the field at fault (`observations[2].period`) rather than failing as a whole;
//! these types only describe what they read, and a test posts each one's example.

#![allow(dead_code)] // Never built: utoipa reads their shape.

use utoipa::ToSchema;

/// `POST /observations`.
#[derive(ToSchema)]
#[schema(example = json!({"observations": [{
    "unit": "luc-ngan", "indicator": "forest-cover", "period": "2018", "value": "37.5",
    "standing": "estimate", "reported": "2018-06-30"
}]}))]
pub struct ObservationsBody {
    observations: Vec<ObservationBody>,
}

#[derive(ToSchema)]
pub struct ObservationBody {
    /// The reporting unit's id.
    #[schema(min_length = 1)]
    unit: String,
    /// The indicator's id.
    #[schema(min_length = 1)]
    indicator: String,
    /// A year `2018`, a half `2018-H1`, a quarter `2018-Q3` or a month `2018-07`.
    #[schema(pattern = r"^[0-9]{4}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?$")]
    period: String,
    /// A decimal number, as a string (`"41.3"`) or a JSON number.
    #[schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    value: String,
    standing: StandingSchema,
    /// Default `approved`, as for a CSV import.
    state: Option<StateSchema>,
    source: Option<String>,
    reported_by: Option<String>,
    /// The day the figure was reported (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    reported: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum StandingSchema {
    Estimate,
    Preliminary,
    Final,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum StateSchema {
    Draft,
    Submitted,
    Returned,
    Approved,
}

/// `POST /adjustments`: what a decision changed about a target or task, and why.
#[derive(ToSchema)]
#[schema(example = json!({
    "resolution": "luc-ngan-xxiv", "code": "11",
    "decision": {"body": "Ban Thường vụ Huyện ủy", "reference": "Kết luận 12-KL/HU", "date": "2018-06-25"},
    "reason": "Điều chỉnh cho phù hợp với thực tiễn",
    "change": {"value": "42"}
}))]
pub struct AdjustmentBody {
    #[schema(min_length = 1)]
    resolution: String,
    /// The target's (or task's) code in the resolution.
    #[schema(min_length = 1)]
    code: String,
    /// `target` (default) or `task`.
    subject: Option<SubjectSchema>,
    decision: DecisionBody,
    #[schema(min_length = 1)]
    reason: String,
    change: ChangeBody,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SubjectSchema {
    Target,
    Task,
}

#[derive(ToSchema)]
pub struct DecisionBody {
    /// The body that decided ("Ban Thường vụ Huyện ủy").
    #[schema(min_length = 1)]
    body: String,
    /// Its document ("Kết luận 12-KL/HU").
    #[schema(min_length = 1)]
    reference: String,
    #[schema(value_type = String, format = Date)]
    date: String,
}

/// One change at a time: a new value, a deadline, a wording, or a withdrawal.
#[derive(ToSchema)]
#[schema(min_properties = 1)]
pub struct ChangeBody {
    value: Option<ValueSchema>,
    #[schema(value_type = Option<String>, format = Date)]
    deadline: Option<String>,
    wording: Option<String>,
    withdraw: Option<bool>,
}

/// A new target value: a number, a range, or a change per year; each number a string
/// (`"41.3"`) or a JSON number.
#[derive(ToSchema, serde::Deserialize)]
#[serde(untagged)]
pub enum ValueSchema {
    Exact(Decimal),
    Range {
        #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
        min: String,
        #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
        max: String,
    },
    ChangePerYear {
        #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
        change_per_year: String,
    },
}

/// A decimal number written as a string.
#[derive(ToSchema, serde::Deserialize)]
#[schema(value_type = String, pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
pub struct Decimal(String);
