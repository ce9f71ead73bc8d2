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
            .routes(utoipa_axum::routes!(
                crate::review_text::get_review_text,
                crate::review_text::put_review_text
            ))
            .routes(utoipa_axum::routes!(list_observations, add_observations))
            .routes(utoipa_axum::routes!(add_adjustment))
            .routes(utoipa_axum::routes!(unit))
            .routes(utoipa_axum::routes!(unit_documents))
            .routes(utoipa_axum::routes!(unit_tasks))
            .routes(utoipa_axum::routes!(target))
            .routes(utoipa_axum::routes!(crate::entry::entry_json))
            .routes(utoipa_axum::routes!(crate::excel::template_json))
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

/// The review of `id` as a report in `lang`, with the office's text saved for it, or `None`
/// for an unknown unit. The page, the downloads and the files share it.
pub async fn review_document_of(
    state: &AppState,
    id: &str,
    opts: StatusOptions,
    lang: chitieu_reports::Lang,
) -> Result<std::sync::Arc<Option<chitieu_reports::document::ReviewDocument>>, ApiError> {
    // Saving a text raises the store's revision, so an answer cached with an older text is
    // never served after the save.
    let text = state.store.review_text(id, opts.as_of).await?;
    let code = match lang {
        chitieu_reports::Lang::Vi => "vi",
        chitieu_reports::Lang::En => "en",
    };
    AppState::judge(
        state,
        "review_document",
        &[id, code],
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
            Ok(Some(chitieu_reports::document::build(
                lang,
                ds,
                rollups,
                &r,
                text.as_ref(),
            )))
        },
    )
    .await
}

impl AsOf {
    /// The options of a question that takes a date only: approved figures.
    pub fn date_only(state: &AppState, as_of: Option<String>) -> Result<StatusOptions, ApiError> {
        AsOf {
            as_of,
            include_unapproved: None,
        }
        .options(state)
    }

    pub fn options(&self, state: &AppState) -> Result<StatusOptions, ApiError> {
        let as_of = optional_date("as_of", self.as_of.as_deref())?;
        let include_unapproved = match self.include_unapproved.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
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
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
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
    let rows = status_rows_of(&state, &id, opts).await?;
    Ok(Json(json::status_rows(&id, opts.as_of, &rows)))
}

/// The status table of resolution `id`, as `/status` and the dashboard's workbook give it.
pub(crate) async fn status_rows_of(
    state: &AppState,
    id: &str,
    opts: StatusOptions,
) -> Result<std::sync::Arc<Vec<review::StatusRow>>, ApiError> {
    AppState::judge(
        state,
        "status",
        &[id],
        opts.filter(),
        opts.as_of,
        |ds| Scope::of_status_table(ds, id, None),
        |ds, rollups| {
            if !ds.resolutions.iter().any(|r| r.id == id) {
                return Err(ApiError::not_found("resolution", id));
            }
            review::status_table_with(ds, rollups, id, None, opts).map_err(ApiError::internal)
        },
    )
    .await
}

/// The review of a unit at a date: the same JSON as `chitieu review --format json`
/// (docs/review-json.md).
#[utoipa::path(
    get,
    path = "/units/{id}/review",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
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
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today")
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
    let opts = AsOf::date_only(&state, q.as_of)?;
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
pub(crate) fn observation_of(k: usize, v: &Value) -> Result<chitieu_domain::Observation, ApiError> {
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
    request_body(content = crate::schema::ObservationsBody, description = "The figures; a field that is wrong is named (`observations[2].period`)"),
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
    match record_observations(&state, &observations).await {
        Ok(s) => Ok(Json(json!({
            "added": s.added.observations,
            "skipped": s.skipped.observations,
        }))),
        Err(chitieu_store::StoreError::Invalid(errors)) => Err(ApiError::invalid(&errors)),
        Err(e) => Err(e.into()),
    }
}

/// Adjusts a target (or a task) by a named decision: its value, deadline or wording, or its
/// withdrawal. The old version stays readable; statuses as of a date before the decision are
/// unchanged.
#[utoipa::path(
    post,
    path = "/adjustments",
    request_body(content = crate::schema::AdjustmentBody, description = "The decision, the reason and the change; a field that is wrong is named (`decision.date`)"),
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
    let adjustment = crate::adjustment::adjustment_of_json(&body)?;
    match record_adjustment(&state, adjustment).await {
        Ok(s) => Ok(Json(json!({"added": s.added.adjustments}))),
        Err(chitieu_store::StoreError::Invalid(errors)) => Err(ApiError::invalid(&errors)),
        Err(e) => Err(e.into()),
    }
}

/// A unit: where it sits in the tree (top first), the units directly below it, the
/// resolutions in force for it; with `indicator`, its sub-units' latest values on it.
#[utoipa::path(
    get,
    path = "/units/{id}",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
        ("indicator" = Option<String>, Query, description = "Compare the sub-units on this indicator")
    ),
    responses(
        (status = 200, description = "`{unit, ancestry: [id], resolutions: [id], indicator, sub_units: [{id, name, latest: {period, value, standing} | null}]}`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit or indicator")
    )
)]
async fn unit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<crate::pages::UnitQuery>,
) -> Result<Json<Value>, ApiError> {
    let opts = AsOf::date_only(&state, q.as_of.clone())?;
    let indicator = q.indicator.clone().filter(|i| !i.is_empty());
    let asked = indicator.clone().unwrap_or_default();
    let answer = AppState::judge(
        &state,
        "unit json",
        &[&id, &asked],
        opts.filter(),
        opts.as_of,
        |_| Scope {
            units: vec![id.clone()],
            indicators: indicator.iter().cloned().collect(),
        },
        |ds, rollups| {
            let u = ds
                .units
                .iter()
                .find(|u| u.id == id)
                .ok_or_else(|| ApiError::not_found("unit", &id))?;
            if let Some(i) = &indicator {
                if !ds.indicators.iter().any(|x| &x.id == i) {
                    return Err(ApiError::not_found("indicator", i));
                }
            }
            let mut ancestry: Vec<&str> = review::ancestry(ds, &id)
                .into_iter()
                .skip(1)
                .map(|a| a.id.as_str())
                .collect();
            ancestry.reverse();
            let sub_units: Vec<Value> = crate::pages::sub_units_in(ds, rollups.tree(), &id)
                .into_iter()
                .map(|s| {
                    let latest = indicator
                        .as_ref()
                        .and_then(|i| rollups.series(&s.id, i).pop())
                        .map(|f| {
                            json!({
                                "period": f.period.to_string(),
                                "value": f.value,
                                "standing": f.standing,
                            })
                        });
                    json!({"id": s.id, "name": s.name, "latest": latest})
                })
                .collect();
            Ok(json!({
                "unit": u,
                "as_of": opts.as_of.to_string(),
                "ancestry": ancestry,
                "resolutions": review::resolutions_in_force(ds, &id, opts.as_of)
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>(),
                "indicator": indicator,
                "sub_units": sub_units,
            }))
        },
    )
    .await?;
    Ok(Json(answer.as_ref().clone()))
}

/// The documents a unit issued, counted by kind and listed by date, as the register page.
#[utoipa::path(
    get,
    path = "/units/{id}/documents",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("kind" = Option<String>, Query, pattern = "^(resolution|action_programme|plan|guidance|directive|conclusion|decision|project|other)$", description = "List only this kind of document"),
        ("from" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: issued on or after"),
        ("to" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: issued on or before")
    ),
    responses(
        (status = 200, description = "`{unit, counts: {kind: n}, documents: [{number, kind, date, title, issuer, resolutions, targets, illustrative}]}`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit")
    )
)]
async fn unit_documents(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<crate::pages::DocumentQuery>,
) -> Result<Json<Value>, ApiError> {
    let (kind, from, to) = q.parse()?;
    let ds = state.structure().await?;
    if !ds.units.iter().any(|u| u.id == id) {
        return Err(ApiError::not_found("unit", &id));
    }
    let register = crate::pages::DocumentRegister::of(&ds, &id, kind, from, to);
    let counts: serde_json::Map<String, Value> = register
        .counts
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), json!(n)))
        .collect();
    Ok(Json(json!({
        "unit": id,
        "counts": counts,
        "documents": register.list,
    })))
}

/// The tasks a unit answers for at a date, as its review counts them.
#[utoipa::path(
    get,
    path = "/units/{id}/tasks",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
        ("status" = Option<String>, Query, pattern = "^(done|in_progress|not_started|overdue|withdrawn)$", description = "done, in_progress, not_started, overdue or withdrawn")
    ),
    responses(
        (status = 200, description = "`{unit, as_of, tasks: [{resolution, code, name, unit, status, due, illustrative}]}`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit")
    )
)]
async fn unit_tasks(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<crate::pages::TaskQuery>,
) -> Result<Json<Value>, ApiError> {
    let as_of = state.as_of(optional_date("as_of", q.as_of.as_deref())?);
    let wanted = q.status()?;
    let ds = state.structure().await?;
    if !ds.units.iter().any(|u| u.id == id) {
        return Err(ApiError::not_found("unit", &id));
    }
    let mut tasks = review::tasks_of(&ds, &id, as_of);
    tasks.retain(|t| wanted.is_none_or(|w| t.status == w));
    Ok(Json(json!({
        "unit": id,
        "as_of": as_of.to_string(),
        "tasks": tasks,
    })))
}

/// One target at a date: its status and the numbers behind it (as in `/status`), the figures
/// of its unit, its adjustments, its sub-units' latest values.
#[utoipa::path(
    get,
    path = "/resolutions/{id}/targets/{code}",
    params(
        ("id" = String, Path, description = "The resolution's id"),
        ("code" = String, Path, description = "The target's code in the resolution"),
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD; default today (the demo: its meeting)"),
        ("include_unapproved" = Option<bool>, Query, description = "Count figures not yet approved")
    ),
    responses(
        (status = 200, description = "`{target: <a row of /status>, figures: [{period, value, standing}], adjustments: [{decision, reason, changes}], sub_units: [{id, name, latest}]}`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such resolution or target")
    )
)]
async fn target(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, ApiError> {
    use chitieu_domain::version::{target_version, Cutoff};
    let opts = q.options(&state)?;
    let find = |ds: &chitieu_domain::Dataset| {
        ds.targets
            .iter()
            .position(|t| t.resolution == id && t.code == code)
    };
    let answer = AppState::judge(
        &state,
        "target json",
        &[&id, &code],
        opts.filter(),
        opts.as_of,
        |ds| {
            let mut scope = Scope::default();
            if let Some(k) = find(ds) {
                scope.units.push(ds.targets[k].unit.clone());
                scope.indicators.push(ds.targets[k].indicator.clone());
            }
            scope
        },
        |ds, rollups| {
            let t = find(ds)
                .map(|k| &ds.targets[k])
                .ok_or_else(|| ApiError::not_found("target", &format!("{id}/{code}")))?;
            let rows = review::status_table_with(ds, rollups, &id, Some(&t.unit), opts)
                .map_err(ApiError::internal)?;
            let rows: Vec<_> = rows.into_iter().filter(|r| r.code == code).collect();
            let doc = json::status_rows(&id, opts.as_of, &rows);
            let figure = |f: &chitieu_domain::status::Figure| {
                json!({"period": f.period.to_string(), "value": f.value, "standing": f.standing})
            };
            let version = target_version(ds, t, Cutoff::Through(opts.as_of));
            Ok(json!({
                "as_of": opts.as_of.to_string(),
                "target": doc["targets"][0],
                "figures": rollups.series(&t.unit, &t.indicator).iter().map(figure).collect::<Vec<_>>(),
                "adjustments": version.adjustments,
                "sub_units": crate::pages::sub_units_in(ds, rollups.tree(), &t.unit)
                    .into_iter()
                    .map(|u| json!({
                        "id": u.id,
                        "name": u.name,
                        "latest": rollups.series(&u.id, &t.indicator).last().map(figure),
                    }))
                    .collect::<Vec<_>>(),
            }))
        },
    )
    .await?;
    Ok(Json(answer.as_ref().clone()))
}

/// Writes observations in one transaction: the one write path of `POST /observations` and of
/// the data entry page.
pub(crate) async fn record_observations(
    state: &AppState,
    observations: &[chitieu_domain::Observation],
) -> Result<chitieu_store::ImportSummary, chitieu_store::StoreError> {
    state.store.add_observations(observations).await
}

/// Writes an adjustment: the one write path of `POST /adjustments` and of the adjustment form.
pub(crate) async fn record_adjustment(
    state: &AppState,
    adjustment: chitieu_domain::Adjustment,
) -> Result<chitieu_store::ImportSummary, chitieu_store::StoreError> {
    let delta = chitieu_domain::Dataset {
        adjustments: vec![adjustment],
        ..chitieu_domain::Dataset::default()
    };
    state.store.import(&delta).await
}
