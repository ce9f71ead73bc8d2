//! `/api/v1`: the JSON the pages are made of. The review is the same JSON as
//! `chitieu review --format json` (docs/review-json.md), the status the same as
//! `chitieu status --format json`.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chitieu_domain::review::{self, ReviewOptions, Scope};
use chitieu_domain::status::StatusOptions;
use chitieu_reports::json;
use chitieu_store::in_force::judge;
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

impl AsOf {
    pub fn options(&self, state: &AppState) -> Result<StatusOptions, ApiError> {
        let as_of = match &self.as_of {
            None => None,
            Some(s) if s.is_empty() => None,
            Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_parameter("as_of", format!("`{s}`: expected a date YYYY-MM-DD"))
            })?),
        };
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
    let ds = state.store.load_structure().await?;
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
    let rows = judge(
        state.store.as_ref(),
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
    .await??;
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
    let r = judge(
        state.store.as_ref(),
        opts.filter(),
        opts.as_of,
        |ds| Scope::of_review(ds, &id, opts.as_of),
        |ds, rollups| {
            if !ds.units.iter().any(|u| u.id == id) {
                return Err(ApiError::not_found("unit", &id));
            }
            review::build_with(
                ds,
                rollups,
                ReviewOptions {
                    unit: &id,
                    as_of: opts.as_of,
                    include_unapproved: opts.include_unapproved,
                },
            )
            .map_err(ApiError::internal)
        },
    )
    .await??;
    Ok(Json(json::review(&r)))
}
