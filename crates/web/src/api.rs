//! `/api/v1`: the JSON the pages are made of. The review is the same JSON as
//! `chitieu review --format json` (docs/review-json.md), the status the same as
//! `chitieu status --format json`.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chitieu_domain::review::{self, ReviewOptions, Scope};
use chitieu_domain::status::StatusOptions;
use chitieu_reports::json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{ApiError, AppState};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "chitieu API",
        version = "1",
        description = "Resolutions, targets and their status, reviews: what the web app's pages are made of. Errors are JSON: {\"error\": {\"code\", \"message\", \"field\"}}."
    ),
    servers((url = "/api/v1"))
)]
struct ApiDoc;

/// The API's routes and its OpenAPI document, made from the same declarations so that no
/// route is missing from the document.
pub fn routes() -> Router<AppState> {
    let (router, doc) =
        utoipa_axum::router::OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi())
            .routes(utoipa_axum::routes!(resolutions))
            .routes(utoipa_axum::routes!(resolution_status))
            .routes(utoipa_axum::routes!(unit_review))
            .routes(utoipa_axum::routes!(list_observations, add_observations))
            .routes(utoipa_axum::routes!(add_adjustment))
            .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
}

/// The question's date and whether figures not yet approved count.
#[derive(Debug, Default, Deserialize)]
pub struct AsOf {
    pub as_of: Option<String>,
    pub include_unapproved: Option<String>,
}

/// A date parameter or field, the error naming `field`.
pub fn date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_parameter(field, format!("`{text}`: expected a date YYYY-MM-DD"))
    })
}

/// [`date`] of a parameter that may be absent or empty.
pub fn optional_date(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(t) => date(field, t).map(Some),
    }
}

/// The review of unit `id` judged in its own scope, with the terms its Markdown needs; `None`
/// for an unknown unit.
pub async fn review_of(
    state: &AppState,
    id: &str,
    opts: StatusOptions,
) -> Result<std::sync::Arc<Option<(review::Review, Vec<chitieu_domain::Term>)>>, ApiError> {
    AppState::judge(
        state,
        "review",
        &[id],
        opts.filter(),
        opts.as_of,
        |ds| Scope::of_review(ds, id, opts.as_of),
        |ds, rollups| {
            if !ds.units.iter().any(|u| u.id == id) {
                return Ok(None);
            }
            let r = review::build_with(
                ds,
                rollups,
                ReviewOptions {
                    unit: id,
                    as_of: opts.as_of,
                    include_unapproved: opts.include_unapproved,
                },
            )
            .map_err(ApiError::internal)?;
            Ok(Some((r, ds.terms.clone())))
        },
    )
    .await
}

impl AsOf {
    pub fn options(&self, state: &AppState) -> Result<StatusOptions, ApiError> {
        let as_of = optional_date("as_of", self.as_of.as_deref())?;
        let include_unapproved = match self.include_unapproved.as_deref() {
            None | Some("false") | Some("0") | Some("") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ApiError::bad_parameter(
                    "include_unapproved",
                    format!("`{other}`: expected true or false"),
                ))
            }
        };
        Ok(StatusOptions {
            as_of: state.as_of(as_of),
            include_unapproved,
        })
    }
}

/// Every resolution stored, with its number of targets.
#[utoipa::path(
    get,
    path = "/resolutions",
    responses((status = 200, description = "`{\"resolutions\": [{id, unit, kind, congress, term, number, adopted, title, targets}]}`"))
)]
async fn resolutions(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let ds = state.structure().await?;
    Ok(Json(json!({
        "resolutions": ds.resolutions.iter().map(|r| json!({
            "id": r.id,
            "unit": r.unit,
            "kind": r.kind.as_str(),
            "congress": r.congress,
            "term": r.term,
            "number": r.number,
            "adopted": r.adopted.to_string(),
            "title": r.title,
            "targets": ds.targets.iter().filter(|t| t.resolution == r.id).count(),
        })).collect::<Vec<_>>(),
    })))
}

/// The status of every target of a resolution at a date (`chitieu status --format json`).
#[utoipa::path(
    get,
    path = "/resolutions/{id}/status",
    params(
        ("id" = String, Path, description = "The resolution's id"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
        ("include_unapproved" = Option<bool>, Query, description = "Count figures not yet approved")
    ),
    responses(
        (status = 200, description = "`chitieu-status/1`: the targets with status and the numbers behind it"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such resolution")
    )
)]
async fn resolution_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, ApiError> {
    let opts = q.options(&state)?;
    let rows = AppState::judge(
        &state,
        "status",
        &[&id],
        opts.filter(),
        opts.as_of,
        |ds| Scope::of_status_table(ds, &id, None),
        |ds, rollups| {
            if !ds.resolutions.iter().any(|r| r.id == id) {
                return Err(ApiError::not_found("resolution", &id));
            }
            review::status_table_with(ds, rollups, &id, None, opts).map_err(ApiError::internal)
        },
    )
    .await?;
    Ok(Json(json::status_rows(&id, opts.as_of, &rows)))
}

/// The review of a unit at a date: the same JSON as `chitieu review --format json`
/// (docs/review-json.md).
#[utoipa::path(
    get,
    path = "/units/{id}/review",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
        ("include_unapproved" = Option<bool>, Query, description = "Count figures not yet approved")
    ),
    responses(
        (status = 200, description = "`chitieu-review/1`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit")
    )
)]
async fn unit_review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, ApiError> {
    let opts = q.options(&state)?;
    let answer = review_of(&state, &id, opts).await?;
    let (r, _) = answer
        .as_ref()
        .as_ref()
        .ok_or_else(|| ApiError::not_found("unit", &id))?;
    Ok(Json(json::review(r)))
}

#[derive(Debug, Deserialize)]
pub struct ObservationQuery {
    pub unit: Option<String>,
    pub indicator: Option<String>,
    pub as_of: Option<String>,
}

/// The figures in force that a unit reported for an indicator (its own, not rolled up), every
/// period, approved or not, as known at `as_of`.
#[utoipa::path(
    get,
    path = "/observations",
    params(
        ("unit" = String, Query, description = "The unit's id"),
        ("indicator" = String, Query, description = "The indicator's id"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD; default today")
    ),
    responses(
        (status = 200, description = "`{\"observations\": [{period, value, standing}]}`, by period"),
        (status = 400, description = "A parameter is missing or not what was expected"),
        (status = 404, description = "No such unit or indicator")
    )
)]
async fn list_observations(
    State(state): State<AppState>,
    Query(q): Query<ObservationQuery>,
) -> Result<Json<Value>, ApiError> {
    let unit = q
        .unit
        .ok_or_else(|| ApiError::bad_parameter("unit", "expected a unit id"))?;
    let indicator = q
        .indicator
        .ok_or_else(|| ApiError::bad_parameter("indicator", "expected an indicator id"))?;
    let opts = AsOf {
        as_of: q.as_of,
        include_unapproved: None,
    }
    .options(&state)?;
    let ds = state.structure().await?;
    let u = ds
        .units
        .iter()
        .position(|x| x.id == unit)
        .ok_or_else(|| ApiError::not_found("unit", &unit))?;
    let i = ds
        .indicators
        .iter()
        .position(|x| x.id == indicator)
        .ok_or_else(|| ApiError::not_found("indicator", &indicator))?;
    let cols = state
        .figures(&chitieu_store::FigureQuery {
            first_year: 0,
            last_year: chitieu_store::figure::MAX_YEAR,
            known_by: opts.as_of,
            include_unapproved: true,
            units: Some(vec![u as u32]),
            indicators: Some(vec![i as u32]),
        })
        .await?;
    let mut rows: Vec<(chitieu_domain::Period, Value)> = (0..cols.len())
        .filter_map(|k| {
            let v = cols.value(k)?;
            Some((
                cols.period[k],
                json!({
                    "period": cols.period[k].to_string(),
                    "value": v.to_string(),
                    "standing": cols.standing[k].as_str(),
                }),
            ))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    Ok(Json(
        json!({"unit": unit, "indicator": indicator, "as_of": opts.as_of.to_string(),
               "observations": rows.into_iter().map(|r| r.1).collect::<Vec<_>>()}),
    ))
}

/// One observation of a POST, its errors named by field (`observations[2].period`).
fn observation_of(k: usize, v: &Value) -> Result<chitieu_domain::Observation, ApiError> {
    use chitieu_domain::{Observation, ReviewState, Standing};
    let field = |name: &str| format!("observations[{k}].{name}");
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // A number is taken as written: 41.3 stays 41.3.
            Some(Value::Number(n)) if name == "value" => Ok(Some(n.to_string())),
            Some(_) => Err(ApiError::bad_parameter(&field(name), "expected a string")),
        }
    };
    let need = |name: &str| -> Result<String, ApiError> {
        text(name)?.ok_or_else(|| ApiError::bad_parameter(&field(name), "required"))
    };
    let period = need("period")?;
    let value = need("value")?;
    let standing = need("standing")?;
    let state = text("state")?.unwrap_or_else(|| "approved".into());
    let reported = optional_date(&field("reported"), text("reported")?.as_deref())?;
    Ok(Observation {
        unit: need("unit")?,
        indicator: need("indicator")?,
        period: period
            .parse()
            .map_err(|e| ApiError::bad_parameter(&field("period"), format!("`{period}`: {e}")))?,
        value: value.parse().map_err(|_| {
            ApiError::bad_parameter(
                &field("value"),
                format!("`{value}`: expected a decimal number"),
            )
        })?,
        standing: Standing::parse(&standing).ok_or_else(|| {
            ApiError::bad_parameter(
                &field("standing"),
                format!("`{standing}`: expected estimate, preliminary or final"),
            )
        })?,
        state: ReviewState::parse(&state).ok_or_else(|| {
            ApiError::bad_parameter(
                &field("state"),
                format!("`{state}`: expected draft, submitted, returned or approved"),
            )
        })?,
        source: text("source")?,
        reported_by: text("reported_by")?,
        reported,
    })
}

/// Adds observations in one transaction: all or none. A figure already stored identically is
/// skipped; a later figure of the same unit, indicator and period supersedes the earlier one,
/// which stays in the history. `state` defaults to `approved`, as for a CSV import.
#[utoipa::path(
    post,
    path = "/observations",
    request_body(content = Object, description = "`{\"observations\": [{unit, indicator, period, value, standing, state?, source?, reported_by?, reported?}]}`; value a string or a number"),
    responses(
        (status = 200, description = "`{\"added\": n, \"skipped\": n}`"),
        (status = 400, description = "The body or a field is not what was expected (named)"),
        (status = 422, description = "Refused by the rules (an unknown unit or indicator…), nothing written; every problem named")
    )
)]
async fn add_observations(
    State(state): State<AppState>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::bad_parameter("body", format!("expected JSON: {e}")))?;
    let list = body
        .get("observations")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_parameter("observations", "expected a list"))?;
    let observations = list
        .iter()
        .enumerate()
        .map(|(k, v)| observation_of(k, v))
        .collect::<Result<Vec<_>, _>>()?;
    match state.store.add_observations(&observations).await {
        Ok(s) => Ok(Json(json!({
            "added": s.added.observations,
            "skipped": s.skipped.observations,
        }))),
        Err(chitieu_store::StoreError::Invalid(errors)) => Err(ApiError::invalid(&errors)),
        Err(e) => Err(e.into()),
    }
}

fn decimal_of(field: &str, v: &Value) -> Result<chitieu_domain::Decimal, ApiError> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(ApiError::bad_parameter(field, "expected a number")),
    };
    text.parse()
        .map_err(|_| ApiError::bad_parameter(field, format!("`{text}`: expected a decimal number")))
}

/// An adjustment of a POST body, every error named by its field.
fn adjustment_of(body: &Value) -> Result<chitieu_domain::Adjustment, ApiError> {
    use chitieu_domain::{Adjustment, Change, Decision, Subject, TargetValue};
    let s = |v: &Value, field: &str| -> Result<String, ApiError> {
        v.get(field.rsplit('.').next().unwrap_or(field))
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|x| !x.trim().is_empty())
            .ok_or_else(|| ApiError::bad_parameter(field, "required: a non-empty string"))
    };
    let resolution = s(body, "resolution")?;
    let code = s(body, "code")?;
    let subject = match body
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("target")
    {
        "target" => Subject::Target { resolution, code },
        "task" => Subject::Task { resolution, code },
        other => {
            return Err(ApiError::bad_parameter(
                "subject",
                format!("`{other}`: expected target or task"),
            ))
        }
    };
    let d = body
        .get("decision")
        .ok_or_else(|| ApiError::bad_parameter("decision", "required: {body, reference, date}"))?;
    let decision = Decision {
        body: s(d, "decision.body")?,
        reference: s(d, "decision.reference")?,
        date: date("decision.date", &s(d, "decision.date")?)?,
    };
    let reason = s(body, "reason")?;
    let c = body.get("change").cloned().unwrap_or(Value::Null);
    let value = match c.get("value") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::Number(_) | Value::String(_))) => {
            Some(TargetValue::Exact(decimal_of("change.value", v)?))
        }
        Some(v) => match (v.get("min"), v.get("max"), v.get("change_per_year")) {
            (Some(min), Some(max), None) => Some(TargetValue::Range {
                min: decimal_of("change.value.min", min)?,
                max: decimal_of("change.value.max", max)?,
            }),
            (None, None, Some(c)) => Some(TargetValue::ChangePerYear(decimal_of(
                "change.value.change_per_year",
                c,
            )?)),
            _ => {
                return Err(ApiError::bad_parameter(
                    "change.value",
                    "expected a number, {min, max} or {change_per_year}",
                ))
            }
        },
    };
    let deadline = match c.get("deadline").and_then(Value::as_str) {
        Some(d) => Some(date("change.deadline", d)?),
        None => None,
    };
    let change = Change {
        value,
        deadline,
        wording: c.get("wording").and_then(Value::as_str).map(str::to_string),
        withdraw: c.get("withdraw").and_then(Value::as_bool).unwrap_or(false),
    };
    if change.is_empty() {
        return Err(ApiError::bad_parameter(
            "change",
            "expected at least one of value, deadline, wording, withdraw",
        ));
    }
    Ok(Adjustment {
        subject,
        decision,
        reason,
        change,
    })
}

/// Adjusts a target (or a task) by a named decision: its value, deadline or wording, or its
/// withdrawal. The old version stays readable; statuses as of a date before the decision are
/// unchanged.
#[utoipa::path(
    post,
    path = "/adjustments",
    request_body(content = Object, description = "`{resolution, code, subject?: target|task, decision: {body, reference, date}, reason, change: {value?, deadline?, wording?, withdraw?}}`; value a number, {min, max} or {change_per_year}"),
    responses(
        (status = 200, description = "`{\"added\": 1}` (0 when the same adjustment is already stored)"),
        (status = 400, description = "A field is missing or not what was expected (named)"),
        (status = 422, description = "Refused by the rules (an unknown target…), nothing written")
    )
)]
async fn add_adjustment(
    State(state): State<AppState>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::bad_parameter("body", format!("expected JSON: {e}")))?;
    let adjustment = adjustment_of(&body)?;
    let delta = chitieu_domain::Dataset {
        adjustments: vec![adjustment],
        ..chitieu_domain::Dataset::default()
    };
    match state.store.import(&delta).await {
        Ok(s) => Ok(Json(json!({"added": s.added.adjustments}))),
        Err(chitieu_store::StoreError::Invalid(errors)) => Err(ApiError::invalid(&errors)),
        Err(e) => Err(e.into()),
    }
}
