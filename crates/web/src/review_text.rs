//! The office's own text for a review (`ReviewText`): causes, directions, the document's
//! number, recipients and signer. Read and replaced through the API
//! (`/api/v1/units/{id}/review-text`) and the form on the review page; both check with
//! `ReviewText::normalised` and write with `Store::save_review_text`, so a saved text is in
//! the very next review (the save raises the store's revision).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chitieu_domain::{Layout, ReviewText, ReviewTextError};
use chitieu_reports::Lang;
use serde::Deserialize;

use crate::api::AsOf;
use crate::{ApiError, AppState};

/// What a client sends: every field optional, an absent one saved empty.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "number": "45-BC/HU", "signer": "Thân Văn Khánh", "signer_title": "BÍ THƯ",
    "causes": "Nguyên nhân khách quan…\n\nNguyên nhân chủ quan…",
    "directions": "Tập trung chỉ đạo…",
    "recipients": ["Ban Thường vụ Tỉnh ủy (b/c),", "Lưu Văn phòng Huyện ủy."]
}))]
pub struct ReviewTextBody {
    /// The document's number as registered ("45-BC/HU"); absent in a draft.
    number: Option<String>,
    /// `party` (Hướng dẫn 36-HD/VPTW) or `state` (Decree 30/2020/NĐ-CP); default: from the
    /// body that adopted the unit's resolution.
    #[schema(value_type = Option<String>, pattern = "^(party|state)$")]
    layout: Option<Layout>,
    /// The issuing body as the heading block writes it; default: derived from the unit.
    issuer: Option<String>,
    /// The body above it; default: derived from the parent unit.
    superior: Option<String>,
    /// The place on the place-date line; default: the unit's name.
    place: Option<String>,
    /// Section II: the shortfalls' causes, paragraphs separated by blank lines.
    #[serde(default)]
    causes: String,
    /// Section IV: directions and tasks ahead.
    #[serde(default)]
    directions: String,
    /// "Nơi nhận", one per item; default: those of the issuing body.
    #[serde(default)]
    recipients: Vec<String>,
    signer: Option<String>,
    signer_title: Option<String>,
}

impl ReviewTextBody {
    fn into_text(self, unit: &str, as_of: chrono::NaiveDate) -> ReviewText {
        ReviewText {
            unit: unit.to_string(),
            as_of,
            number: self.number,
            layout: self.layout,
            issuer: self.issuer,
            superior: self.superior,
            place: self.place,
            causes: self.causes,
            directions: self.directions,
            recipients: self.recipients,
            signer: self.signer,
            signer_title: self.signer_title,
        }
    }
}

fn invalid(e: ReviewTextError) -> ApiError {
    match e {
        ReviewTextError::Invalid { field, message } => ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: format!("{field}: {message}"),
            field: Some(field.to_string()),
        },
    }
}

async fn known_unit(state: &AppState, id: &str) -> Result<(), ApiError> {
    let ds = state.structure().await?;
    if ds.units.iter().any(|u| u.id == id) {
        Ok(())
    } else {
        Err(ApiError::not_found("unit", id))
    }
}

/// The text saved for the review of the unit at the date; an empty one (every field blank)
/// when none is saved.
#[utoipa::path(
    get,
    path = "/units/{id}/review-text",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, format = Date, description = "The review's date, YYYY-MM-DD; default today (the demo: its meeting)")
    ),
    responses(
        (status = 200, description = "`{unit, as_of, number, layout, issuer, superior, place, causes, directions, recipients: [..], signer, signer_title}`"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit")
    )
)]
pub async fn get_review_text(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<ReviewText>, ApiError> {
    let as_of = AsOf::date_only(&state, q.as_of)?.as_of;
    known_unit(&state, &id).await?;
    let text = state.store.review_text(&id, as_of).await?;
    Ok(Json(text.unwrap_or_else(|| ReviewText::new(id, as_of))))
}

/// Replaces the text of the review of the unit at the date (an empty body removes it).
#[utoipa::path(
    put,
    path = "/units/{id}/review-text",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("as_of" = Option<String>, Query, format = Date, description = "The review's date, YYYY-MM-DD; default today (the demo: its meeting)")
    ),
    request_body(content = ReviewTextBody, description = "The office's text; a field that is wrong is named"),
    responses(
        (status = 200, description = "The text as saved (trimmed, blank fields dropped)"),
        (status = 400, description = "The body is not JSON of this shape (the error names the field)"),
        (status = 404, description = "No such unit"),
        (status = 422, description = "A field is too long or a one-line field has a line break (named)")
    )
)]
pub async fn put_review_text(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ReviewText>, ApiError> {
    let as_of = AsOf::date_only(&state, q.as_of)?.as_of;
    let Json(body) =
        body.map_err(|e| ApiError::bad_parameter("body", format!("expected JSON: {e}")))?;
    let body: ReviewTextBody =
        serde_json::from_value(body).map_err(|e| ApiError::bad_parameter("body", e.to_string()))?;
    let text = body.into_text(&id, as_of).normalised().map_err(invalid)?;
    known_unit(&state, &id).await?;
    state.store.save_review_text(&text).await?;
    Ok(Json(text))
}

/// The form on the review page, as posted.
#[derive(Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub signer: String,
    #[serde(default)]
    pub signer_title: String,
    #[serde(default)]
    pub recipients: String,
    #[serde(default)]
    pub causes: String,
    #[serde(default)]
    pub directions: String,
}

impl TextForm {
    pub fn of(t: &ReviewText) -> TextForm {
        TextForm {
            number: t.number.clone().unwrap_or_default(),
            signer: t.signer.clone().unwrap_or_default(),
            signer_title: t.signer_title.clone().unwrap_or_default(),
            recipients: t.recipients.join("\n"),
            causes: t.causes.clone(),
            directions: t.directions.clone(),
        }
    }

    /// The saved text with the form's fields put in; what the form does not show (layout,
    /// issuer, place) is kept.
    fn over(self, saved: ReviewText) -> ReviewText {
        let opt = |s: String| (!s.trim().is_empty()).then_some(s);
        ReviewText {
            number: opt(self.number),
            signer: opt(self.signer),
            signer_title: opt(self.signer_title),
            recipients: self.recipients.lines().map(str::to_string).collect(),
            causes: self.causes,
            directions: self.directions,
            ..saved
        }
    }
}

/// `POST /units/{id}/review/text`: saves the form and goes back to the review, which shows
/// it; on a problem, the review page again (422) with the form as typed and the problem.
pub async fn post_review_text(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: crate::lang::PageLang,
    form: Result<axum::Form<TextForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let opts = AsOf::date_only(&state, q.as_of.clone())?;
    let axum::Form(form) =
        form.map_err(|e| ApiError::bad_parameter("body", format!("expected a form: {e}")))?;
    known_unit(&state, &id).await?;
    let saved = state
        .store
        .review_text(&id, opts.as_of)
        .await?
        .unwrap_or_else(|| ReviewText::new(id.clone(), opts.as_of));
    let typed = TextForm {
        number: form.number.clone(),
        signer: form.signer.clone(),
        signer_title: form.signer_title.clone(),
        recipients: form.recipients.clone(),
        causes: form.causes.clone(),
        directions: form.directions.clone(),
    };
    match form.over(saved).normalised() {
        Ok(text) => {
            state.store.save_review_text(&text).await?;
            let code = crate::lang::code(lang.lang);
            Ok(Redirect::to(&format!(
                "/units/{id}/review?as_of={}&lang={code}&saved=text#office-text",
                opts.as_of
            ))
            .into_response())
        }
        Err(ReviewTextError::Invalid { field, message }) => {
            let problem = format!("{}: {message}", field_label(lang.lang, field));
            let mut page = crate::pages::review_page_with(
                &state,
                &id,
                opts,
                &lang,
                Some((typed, problem)),
                false,
            )
            .await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
    }
}

pub fn field_label(lang: Lang, field: &str) -> &'static str {
    match (lang, field) {
        (Lang::Vi, "number") => "Số, ký hiệu",
        (Lang::Vi, "signer") => "Người ký",
        (Lang::Vi, "signer_title") => "Chức vụ người ký",
        (Lang::Vi, "recipients") => "Nơi nhận",
        (Lang::Vi, "causes") => "Nguyên nhân",
        (Lang::Vi, "directions") => "Phương hướng, nhiệm vụ",
        (Lang::En, "number") => "Number",
        (Lang::En, "signer") => "Signer",
        (Lang::En, "signer_title") => "Signer's title",
        (Lang::En, "recipients") => "Recipients",
        (Lang::En, "causes") => "Causes",
        (Lang::En, "directions") => "Directions",
        _ => "?",
    }
}
