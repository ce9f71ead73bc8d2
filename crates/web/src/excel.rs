//! Excel in and out: a unit's template to fill offline (`GET /units/{id}/template.xlsx`), its
//! upload from the data entry page (`POST /units/{id}/template`, multipart) and the review's
//! tables as a workbook (`GET /units/{id}/review.xlsx`). The upload is read by `chitieu-io`'s
//! `template` module, as `chitieu import FILE.xlsx` reads it, and written through the API's
//! one write path of figures (`api::record_observations`): all or nothing, every bad cell
//! named on the page again (422).

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chitieu_domain::Period;
use chitieu_io::template::{read_template, Template};
use chitieu_reports::Lang;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::api::optional_date;
use crate::entry::{grid, render, Kept};
use crate::lang::{code, labels, PageLang};
use crate::pages::{download, not_found, page};
use crate::{ApiError, AppState};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/template.xlsx", get(template_xlsx))
        .route("/units/{id}/template", axum::routing::post(template_upload))
        .route("/units/{id}/review.xlsx", get(review_xlsx))
}

#[derive(Debug, Default, Deserialize)]
pub struct TemplateQuery {
    pub period: Option<String>,
    pub as_of: Option<String>,
}

fn period_of(text: Option<&str>, as_of: NaiveDate) -> Result<Period, ApiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(Period::of_date_year(as_of)),
        Some(t) => t
            .parse()
            .map_err(|e| ApiError::bad_parameter("period", format!("{e}"))),
    }
}

/// The template of unit `id` for a period (default: the year of the date), in the page's
/// language, with last year's figures as known at the date.
async fn template_xlsx(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TemplateQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let as_of = state.as_of(optional_date("as_of", q.as_of.as_deref())?);
    let period = period_of(q.period.as_deref(), as_of)?;
    let book = template_bytes(&state, &id, period, as_of, lang.lang)
        .await?
        .ok_or_else(|| ApiError::not_found("unit", &id))?;
    Ok(download(
        book,
        XLSX,
        &format!("template-{id}-{period}.xlsx"),
    ))
}

/// The workbook, or `None` for an unknown unit.
pub(crate) async fn template_bytes(
    state: &AppState,
    id: &str,
    period: Period,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<Option<Vec<u8>>, ApiError> {
    let ds = state.structure().await?;
    let Some(figures) = chitieu_store::in_force::own_figures(
        state.store.as_ref(),
        &ds,
        id,
        period.year() - 1,
        period.year(),
        as_of,
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(t) = Template::for_unit(&ds, id, period, as_of, lang, &figures) else {
        return Ok(None);
    };
    t.to_xlsx().map(Some).map_err(ApiError::internal)
}

/// What an upload did: the figures added and already stored, or every problem, one line each.
pub(crate) type Upload = Result<(usize, usize), Vec<String>>;

/// Reads a filled template of unit `id` and writes its figures, known from `reported` (as a
/// figure typed on the page is).
pub(crate) async fn import_upload(
    state: &AppState,
    id: &str,
    file: &str,
    bytes: &[u8],
    reported: NaiveDate,
    lang: Lang,
) -> Result<Upload, ApiError> {
    let ds = state.structure().await?;
    let mut filled = match read_template(bytes, file, &ds) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e.problems())),
    };
    if filled.unit != id {
        return Ok(Err(vec![format!(
            "{}: `{}` ≠ `{id}`",
            labels(lang).other_unit,
            filled.unit
        )]));
    }
    for o in &mut filled.observations {
        o.reported = Some(reported);
    }
    match crate::api::record_observations(state, &filled.observations).await {
        Ok(s) => Ok(Ok((s.added.observations, s.skipped.observations))),
        Err(chitieu_store::StoreError::Invalid(errors)) => {
            Ok(Err(filled.located(file, &errors).problems()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The upload form of the data entry page: on success back to the page with the count saved,
/// as the grid's save; otherwise the page again, 422, with every bad cell listed.
async fn template_upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    lang: PageLang,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut form = form
        .map_err(|e| ApiError::bad_parameter("body", format!("expected a multipart form: {e}")))?;
    let bad_form = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_parameter("body", e.body_text())
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field
                .file_name()
                .filter(|n| !n.is_empty())
                .unwrap_or("template.xlsx")
                .to_string();
            let bytes = field.bytes().await.map_err(bad_form)?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(bad_form)?;
            fields.push((name, text));
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let as_of = state.as_of(optional_date("as_of", field("as_of"))?);
    let period = |name: &str| -> Result<Option<Period>, ApiError> {
        field(name)
            .map(|t| {
                t.parse()
                    .map_err(|e| ApiError::bad_parameter(name, format!("{e}")))
            })
            .transpose()
    };
    let (from, to) = (period("from")?, period("to")?);
    let Some(g) = grid(&state, &id, from, to, as_of).await? else {
        return Ok(not_found(lang.lang, &id));
    };
    let l = labels(lang.lang);
    let outcome = match &file {
        Some((name, bytes)) if !bytes.is_empty() => {
            import_upload(&state, &id, name, bytes, as_of, lang.lang).await?
        }
        _ => Err(vec![l.no_file.to_string()]),
    };
    match outcome {
        Ok((added, skipped)) => {
            let mut to = format!(
                "/units/{}/entry?lang={}&saved={added}&unchanged={skipped}",
                crate::forms::segment(&id),
                code(lang.lang),
            );
            for p in ["from", "to", "as_of"] {
                if let Some(t) = field(p) {
                    to.push_str(&format!("&{p}={}", crate::forms::segment(t)));
                }
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(problems) => {
            let mut kept = Kept::default();
            kept.upload = problems;
            let mut r = page(&lang, render(lang.lang, &g, &kept, None));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// The review's tables as a workbook (`chitieu review --format xlsx`).
async fn review_xlsx(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<crate::api::AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = q.options(&state)?;
    let answer = crate::api::review_of(&state, &id, opts).await?;
    let Some((r, _)) = answer.as_ref() else {
        return Err(ApiError::not_found("unit", &id));
    };
    let book = chitieu_reports::xlsx::review(lang.lang, r).map_err(ApiError::internal)?;
    Ok(download(
        book,
        XLSX,
        &format!("review-{id}-{}.xlsx", opts.as_of),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportedQuery {
    pub reported: Option<String>,
}

/// A filled template as the body of a request: its figures written in one transaction, or
/// every bad cell named and nothing written. What the data entry page's upload does.
#[utoipa::path(
    post,
    path = "/units/{id}/template",
    params(
        ("id" = String, Path, description = "The unit's id: the template must be this unit's"),
        ("reported" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: the date the figures are known from; default today (the demo: its meeting)")
    ),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "A filled template of the unit, as `/units/{id}/template.xlsx` (not under /api/v1) downloads it"),
    responses(
        (status = 200, description = "`{\"added\": n, \"skipped\": n}`"),
        (status = 400, description = "A parameter is not what was expected (named)"),
        (status = 404, description = "No such unit"),
        (status = 422, description = "Not a filled template of the unit, or bad cells; nothing written. The message lists every problem (`Bảng nhập liệu!E7: expected a number …`), `field` is the first bad cell")
    )
)]
pub async fn template_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ReportedQuery>,
    body: axum::body::Bytes,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let reported = state.as_of(optional_date("reported", q.reported.as_deref())?);
    let ds = state.structure().await?;
    if !ds.units.iter().any(|u| u.id == id) {
        return Err(ApiError::not_found("unit", &id));
    }
    let file = format!("template-{id}.xlsx");
    match import_upload(&state, &id, &file, &body, reported, Lang::En).await? {
        Ok((added, skipped)) => Ok(axum::Json(
            serde_json::json!({ "added": added, "skipped": skipped }),
        )),
        Err(problems) => Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            field: problems
                .first()
                .and_then(|p| p.split_once(": "))
                .map(|(at, _)| at)
                .filter(|at| at.contains('!'))
                .map(str::to_string),
            message: problems.join("; "),
        }),
    }
}
