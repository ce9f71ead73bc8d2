//! The adjustment form (`/resolutions/{id}/targets/{code}/adjust`): a target's new value
//! (a number, a range or a change per year), deadline or wording, or its withdrawal, by a
//! named decision with its reason. Checked by the API's own function
//! ([`crate::adjustment::AdjustmentInput::check`]) and written by its write path
//! (`api::record_adjustment`); on success, back to the target page, where it is in the history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chitieu_domain::version::{target_version, Cutoff};
use chitieu_reports::{locale, Lang};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::adjustment::{AdjustmentInput, DecisionInput, FieldError, Number, Problem, ValueInput};
use crate::api::optional_date;
use crate::forms::segment;
use crate::lang::{code, labels, Labels, PageLang};
use crate::pages::{not_found, other, page};
use crate::{ApiError, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct AdjustQuery {
    pub as_of: Option<String>,
}

#[derive(Template)]
#[template(path = "adjust.html")]
struct AdjustPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    resolution_id: String,
    resolution: String,
    code: String,
    name: String,
    measure: String,
    current_value: String,
    current_deadline: String,
    withdrawn: bool,
    as_of: String,
    /// The inputs as typed, by name (`decision.body`).
    inputs: HashMap<String, String>,
    /// The problem of each input, by name; `change` for the change as a whole.
    errors: HashMap<String, String>,
    problems: Vec<String>,
}

impl AdjustPage {
    fn input(&self, name: &str) -> String {
        self.inputs.get(name).cloned().unwrap_or_default()
    }
    fn error(&self, name: &str) -> String {
        self.errors.get(name).cloned().unwrap_or_default()
    }
    fn has_error(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }
}

/// What the form shows about the target in force, or `None` if there is no such target.
async fn form_page(
    state: &AppState,
    lang: Lang,
    id: &str,
    code_: &str,
    as_of: NaiveDate,
    inputs: HashMap<String, String>,
) -> Result<Option<AdjustPage>, ApiError> {
    let ds = state.structure().await?;
    let (Some(res), Some(t)) = (
        ds.resolutions.iter().find(|r| r.id == id),
        ds.targets
            .iter()
            .find(|t| t.resolution == id && t.code == code_),
    ) else {
        return Ok(None);
    };
    let measure = ds
        .indicators
        .iter()
        .find(|i| i.id == t.indicator)
        .map_or_else(String::new, |i| i.measure.clone());
    let version = target_version(&ds, t, Cutoff::Through(as_of));
    let mut inputs = inputs;
    inputs
        .entry("decision.date".into())
        .or_insert_with(|| as_of.to_string());
    Ok(Some(AdjustPage {
        l: labels(lang),
        lang: code(lang),
        other: other(lang),
        resolution_id: id.to_string(),
        resolution: res.title.clone(),
        code: code_.to_string(),
        name: version.spec.name.clone(),
        current_value: locale::target_value(lang, &version.spec.value, &measure),
        current_deadline: locale::date(lang, version.spec.deadline),
        measure,
        withdrawn: version.withdrawn,
        as_of: as_of.to_string(),
        inputs,
        errors: HashMap::new(),
        problems: Vec::new(),
    }))
}

pub async fn adjust_page(
    State(state): State<AppState>,
    Path((id, code_)): Path<(String, String)>,
    Query(q): Query<AdjustQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let as_of = state.as_of(optional_date("as_of", q.as_of.as_deref())?);
    match form_page(&state, lang.lang, &id, &code_, as_of, HashMap::new()).await? {
        Some(p) => Ok(page(&lang, p.render())),
        None => Ok(not_found(lang.lang, &format!("{id}/{code_}"))),
    }
}

/// The form's fields as the API's input: the inputs carry the JSON's field names. The value's
/// shape is the one filled in; more than one is refused by the check.
fn input_of(id: &str, code_: &str, f: &HashMap<String, String>) -> AdjustmentInput {
    let get = |name: &str| f.get(name).cloned();
    let filled = |name: &str| f.get(name).is_some_and(|v| !v.trim().is_empty());
    let number = |name: &str| Number::Text(get(name).unwrap_or_default());
    let exact = filled("change.value");
    let range = filled("change.value.min") || filled("change.value.max");
    let per_year = filled("change.value.change_per_year");
    let value = match (exact, range, per_year) {
        (false, false, false) => None,
        (true, false, false) => Some(ValueInput::Exact(number("change.value"))),
        (false, true, false) => Some(ValueInput::Range {
            min: number("change.value.min"),
            max: number("change.value.max"),
        }),
        (false, false, true) => Some(ValueInput::ChangePerYear(number(
            "change.value.change_per_year",
        ))),
        _ => Some(ValueInput::Unshaped),
    };
    AdjustmentInput {
        resolution: Some(id.to_string()),
        code: Some(code_.to_string()),
        subject: Some("target".into()),
        decision: Some(DecisionInput {
            body: get("decision.body"),
            reference: get("decision.reference"),
            date: get("decision.date"),
        }),
        reason: get("reason"),
        value,
        deadline: get("change.deadline"),
        wording: get("change.wording"),
        withdraw: filled("change.withdraw"),
    }
}

fn message(l: &Labels, e: &FieldError) -> String {
    match &e.problem {
        Problem::Required | Problem::RequiredDecision => l.required.to_string(),
        Problem::Date(t) => format!("`{t}` {}", l.bad_date),
        Problem::Number(t) => format!("`{t}` {}", l.bad_number),
        Problem::NotANumber => l.bad_number.to_string(),
        Problem::ValueShape => l.value_shape.to_string(),
        Problem::NoChange => l.no_change.to_string(),
        Problem::Subject(t) => format!("`{t}`"),
    }
}

/// Records the adjustment, or shows the form again with each problem next to its field and
/// nothing written.
pub async fn adjust_save(
    State(state): State<AppState>,
    Path((id, code_)): Path<(String, String)>,
    lang: PageLang,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let axum::Form(pairs) =
        form.map_err(|e| ApiError::bad_parameter("body", format!("expected a form: {e}")))?;
    let inputs: HashMap<String, String> = pairs.into_iter().collect();
    let as_of = state.as_of(optional_date(
        "as_of",
        inputs.get("as_of").map(String::as_str),
    )?);
    let l = labels(lang.lang);
    let checked = input_of(&id, &code_, &inputs).check(&|t| locale::parse_dec(lang.lang, t));
    let Some(mut p) = form_page(&state, lang.lang, &id, &code_, as_of, inputs).await? else {
        return Ok(not_found(lang.lang, &format!("{id}/{code_}")));
    };
    match checked {
        Ok(adjustment) => {
            let decided = adjustment.decision.date;
            match crate::api::record_adjustment(&state, adjustment).await {
                Ok(_) => {
                    // A decision dated after the page's date shows in the history as of its day.
                    let shown = as_of.max(decided);
                    let to = format!(
                        "/resolutions/{}/targets/{}?lang={}&as_of={shown}",
                        segment(&id),
                        segment(&code_),
                        code(lang.lang)
                    );
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(chitieu_store::StoreError::Invalid(errors)) => {
                    p.problems = errors
                        .iter()
                        .map(|e| format!("{}: {}", l.refused, e.message))
                        .collect();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(errors) => {
            for e in &errors {
                p.errors
                    .entry(e.field.clone())
                    .or_insert_with(|| message(&l, e));
            }
        }
    }
    let mut r = page(&lang, p.render());
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}
