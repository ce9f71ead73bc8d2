//! Data entry (`/units/{id}/entry`): a grid of the indicators a unit reports or has targets on
//! × periods, each cell with the figure in force and an input. The form posts as plain HTML;
//! the server checks every cell, and either writes them all through the API's write path
//! (`api::observation_of`, `api::record_observations`) or writes nothing and shows the page
//! again with each problem next to its cell. The grid's data is `GET /api/v1/units/{id}/entry`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chitieu_domain::review;
use chitieu_domain::{Decimal, Period, Standing};
use chitieu_reports::{locale, Lang};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::optional_date;
use crate::lang::{code, labels, Labels, PageLang};
use crate::pages::{not_found, other, page};
use crate::{ApiError, AppState};

/// More columns than this is not a grid a person fills in.
const MAX_PERIODS: usize = 60;

/// A unit's figures in force for some indicators and periods (its own, not rolled up; approved
/// or not), as known at a date.
pub struct Grid {
    pub unit: String,
    pub unit_name: String,
    /// The units above it, the top first, with their names: the page's breadcrumbs.
    pub ancestry: Vec<(String, String)>,
    pub as_of: NaiveDate,
    pub periods: Vec<Period>,
    pub rows: Vec<GridRow>,
}

pub struct GridRow {
    pub indicator: String,
    pub name: String,
    pub measure: String,
    /// One per period: the figure in force and its standing.
    pub cells: Vec<Option<(Decimal, Standing)>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub as_of: Option<String>,
    /// After a save: how many figures were added and how many were already stored.
    pub saved: Option<usize>,
    pub unchanged: Option<usize>,
}

fn period_param(field: &str, text: Option<&str>) -> Result<Option<Period>, ApiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|e| ApiError::bad_parameter(field, format!("{e}"))),
    }
}

/// The period after `p`, of the same kind.
fn next(p: Period) -> Period {
    match p {
        Period::Year(y) => Period::Year(y + 1),
        Period::Half(y, 2) => Period::Half(y + 1, 1),
        Period::Half(y, h) => Period::Half(y, h + 1),
        Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
        Period::Quarter(y, q) => Period::Quarter(y, q + 1),
        Period::Month(y, 12) => Period::Month(y + 1, 1),
        Period::Month(y, m) => Period::Month(y, m + 1),
    }
}

/// The first (`last == false`) or last period of `year` of the same kind as `like`.
fn of_year(like: Period, year: i32, last: bool) -> Period {
    match (like, last) {
        (Period::Year(_), _) => Period::Year(year),
        (Period::Half(..), false) => Period::Half(year, 1),
        (Period::Half(..), true) => Period::Half(year, 2),
        (Period::Quarter(..), false) => Period::Quarter(year, 1),
        (Period::Quarter(..), true) => Period::Quarter(year, 4),
        (Period::Month(..), false) => Period::Month(year, 1),
        (Period::Month(..), true) => Period::Month(year, 12),
    }
}

fn same_kind(a: Period, b: Period) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// The columns from `from` to `to`, both of one kind; by default the years of the term of the
/// resolution the unit implements first (its own if it has one), else the five years up to
/// the date.
fn columns(
    ds: &chitieu_domain::Dataset,
    unit: &str,
    as_of: NaiveDate,
    from: Option<Period>,
    to: Option<Period>,
) -> Result<Vec<Period>, ApiError> {
    use chrono::Datelike;
    let in_force = review::resolutions_in_force(ds, unit, as_of);
    let term = in_force
        .iter()
        .find(|r| r.unit == unit)
        .or(in_force.first())
        .and_then(|r| ds.terms.iter().find(|t| t.id == r.term));
    let (first_year, last_year) = term.map_or((as_of.year() - 4, as_of.year()), |t| {
        (t.start.year(), t.end.year())
    });
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, of_year(f, last_year.max(f.year()), true)),
        (None, Some(t)) => (of_year(t, first_year.min(t.year()), false), t),
        (None, None) => (Period::Year(first_year), Period::Year(last_year)),
    };
    if !same_kind(from, to) {
        return Err(ApiError::bad_parameter(
            "to",
            format!("`{to}`: expected a period of the same kind as `{from}`"),
        ));
    }
    if to < from {
        return Err(ApiError::bad_parameter(
            "to",
            format!("`{to}`: expected a period from `{from}` on"),
        ));
    }
    let mut periods = vec![from];
    let mut p = from;
    while p < to {
        if periods.len() >= MAX_PERIODS {
            return Err(ApiError::bad_parameter(
                "to",
                format!("at most {MAX_PERIODS} periods at once"),
            ));
        }
        p = next(p);
        periods.push(p);
    }
    Ok(periods)
}

/// The grid of unit `id`, or `None` for an unknown unit. Rows: the indicators of the targets
/// that apply to the unit, in the resolutions' order, then those it has figures for in the
/// periods.
pub async fn grid(
    state: &AppState,
    id: &str,
    from: Option<Period>,
    to: Option<Period>,
    as_of: NaiveDate,
) -> Result<Option<Grid>, ApiError> {
    let ds = state.structure().await?;
    let Some(u) = ds.units.iter().position(|x| x.id == id) else {
        return Ok(None);
    };
    let periods = columns(&ds, id, as_of, from, to)?;
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(None);
    };
    let cols = state
        .store
        .load_figures(&chitieu_store::FigureQuery {
            first_year: first.year(),
            last_year: last.year(),
            known_by: as_of,
            include_unapproved: true,
            units: Some(vec![u as u32]),
            indicators: None,
        })
        .await?;
    let mut order: Vec<usize> = Vec::new();
    let mut add = |i: usize| {
        if !order.contains(&i) {
            order.push(i);
        }
    };
    for r in review::resolutions_in_force(&ds, id, as_of) {
        for t in review::targets_for(&ds, r, id) {
            if let Some(i) = ds.indicators.iter().position(|x| x.id == t.indicator) {
                add(i);
            }
        }
    }
    let mut found: HashMap<(usize, usize), (Decimal, Standing)> = HashMap::new();
    let mut reported: Vec<usize> = Vec::new();
    for k in 0..cols.len() {
        let (Some(p), Some(ind), Some(v), Some(s)) = (
            cols.period.get(k),
            cols.indicator.get(k),
            cols.value(k),
            cols.standing.get(k),
        ) else {
            continue;
        };
        if let Some(c) = periods.iter().position(|x| x == p) {
            found.insert((*ind as usize, c), (v, *s));
            reported.push(*ind as usize);
        }
    }
    reported.sort_unstable();
    for i in reported {
        add(i);
    }
    let rows = order
        .into_iter()
        .filter_map(|i| {
            let ind = ds.indicators.get(i)?;
            Some(GridRow {
                indicator: ind.id.clone(),
                name: ind.name.clone(),
                measure: ind.measure.clone(),
                cells: (0..periods.len())
                    .map(|c| found.get(&(i, c)).copied())
                    .collect(),
            })
        })
        .collect();
    Ok(Some(Grid {
        unit: id.to_string(),
        unit_name: ds.units.get(u).map_or_else(String::new, |x| x.name.clone()),
        ancestry: chitieu_domain::review::ancestry(&ds, id)
            .into_iter()
            .skip(1)
            .rev()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        as_of,
        periods,
        rows,
    }))
}

/// The data entry grid of a unit as JSON: what `/units/{id}/entry` shows.
#[utoipa::path(
    get,
    path = "/units/{id}/entry",
    params(
        ("id" = String, Path, description = "The unit's id"),
        ("from" = Option<String>, Query, pattern = r"^[0-9]{4}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?$", description = "First period (2015, 2018-H1, 2018-Q2, 2018-06); default the first year of the term of the resolution the unit implements"),
        ("to" = Option<String>, Query, pattern = r"^[0-9]{4}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?$", description = "Last period, of the same kind as `from`; default the last year of that term"),
        ("as_of" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: the figures known then; default today (the demo: its meeting)")
    ),
    responses(
        (status = 200, description = "`{unit, as_of, periods: [..], rows: [{indicator, name, measure, cells: [{period, value, standing}]}]}`: the unit's own figures in force, approved or not; value and standing null where there is none"),
        (status = 400, description = "A parameter is not what was expected (the error names it)"),
        (status = 404, description = "No such unit")
    )
)]
pub async fn entry_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<EntryQuery>,
) -> Result<Json<Value>, ApiError> {
    let as_of = state.as_of(optional_date("as_of", q.as_of.as_deref())?);
    let (from, to) = (
        period_param("from", q.from.as_deref())?,
        period_param("to", q.to.as_deref())?,
    );
    let g = grid(&state, &id, from, to, as_of)
        .await?
        .ok_or_else(|| ApiError::not_found("unit", &id))?;
    Ok(Json(json!({
        "unit": g.unit,
        "as_of": g.as_of.to_string(),
        "periods": g.periods.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "rows": g.rows.iter().map(|r| json!({
            "indicator": r.indicator,
            "name": r.name,
            "measure": r.measure,
            "cells": g.periods.iter().zip(&r.cells).map(|(p, c)| json!({
                "period": p.to_string(),
                "value": c.map(|(v, _)| v.to_string()),
                "standing": c.map(|(_, s)| s.as_str()),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

fn standing_label(l: &Labels, s: Standing) -> &'static str {
    match s {
        Standing::Estimate => l.estimate,
        Standing::Preliminary => l.preliminary,
        Standing::Final => l.final_figure,
    }
}

struct CellView {
    name: String,
    standing_name: String,
    label: String,
    current: String,
    current_class: &'static str,
    input: String,
    standings: Vec<(&'static str, &'static str, bool)>,
    error: Option<String>,
    r: usize,
    c: usize,
}

struct RowView {
    name: String,
    measure: String,
    cells: Vec<CellView>,
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    id: String,
    name: String,
    ancestry: Vec<(String, String)>,
    from: String,
    to: String,
    as_of: String,
    periods: Vec<String>,
    rows: Vec<RowView>,
    saved: Option<String>,
    problems: Vec<String>,
    reported: String,
    reported_error: Option<String>,
    source: String,
    reported_by: String,
    /// The period the Excel template link offers: the year of the page's date.
    template_period: String,
    upload_problems: Vec<String>,
}

/// What the person typed, to show again, and the problems found, by input name.
#[derive(Default)]
pub(crate) struct Kept {
    inputs: HashMap<String, String>,
    errors: HashMap<String, String>,
    problems: Vec<String>,
    /// The bad cells of an uploaded Excel template (`crate::excel`).
    pub(crate) upload: Vec<String>,
}

fn cell_name(indicator: &str, period: Period) -> String {
    format!("v.{indicator}.{period}")
}

pub(crate) fn render(
    lang: Lang,
    g: &Grid,
    kept: &Kept,
    saved: Option<String>,
) -> Result<String, askama::Error> {
    let l = labels(lang);
    let input = |name: &str| kept.inputs.get(name).cloned().unwrap_or_default();
    let rows = g
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| RowView {
            name: row.name.clone(),
            measure: row.measure.clone(),
            cells: g
                .periods
                .iter()
                .zip(&row.cells)
                .enumerate()
                .map(|(c, (p, fig))| {
                    let name = cell_name(&row.indicator, *p);
                    let standing_name = format!("s.{}.{p}", row.indicator);
                    // A period not over yet can only be estimated.
                    let default = if p.end() > g.as_of {
                        Standing::Estimate
                    } else {
                        Standing::Final
                    };
                    let chosen = kept
                        .inputs
                        .get(&standing_name)
                        .and_then(|s| Standing::parse(s))
                        .unwrap_or(default);
                    CellView {
                        label: format!("{}, {p}", row.name),
                        current: fig.map_or_else(String::new, |(v, s)| {
                            format!("{} {}", locale::dec(lang, v), standing_label(&l, s))
                        }),
                        current_class: match fig {
                            Some((_, Standing::Final)) => "final",
                            Some(_) => "estimate",
                            None => "",
                        },
                        input: input(&name),
                        standings: Standing::ALL
                            .iter()
                            .map(|s| (s.as_str(), standing_label(&l, *s), *s == chosen))
                            .collect(),
                        error: kept.errors.get(&name).cloned(),
                        name,
                        standing_name,
                        r,
                        c,
                    }
                })
                .collect(),
        })
        .collect();
    EntryPage {
        lang: code(lang),
        other: other(lang),
        id: g.unit.clone(),
        name: g.unit_name.clone(),
        ancestry: g.ancestry.clone(),
        from: g
            .periods
            .first()
            .map_or_else(String::new, ToString::to_string),
        to: g
            .periods
            .last()
            .map_or_else(String::new, ToString::to_string),
        as_of: g.as_of.to_string(),
        periods: g.periods.iter().map(ToString::to_string).collect(),
        rows,
        saved,
        problems: kept.problems.clone(),
        reported: kept
            .inputs
            .get("reported")
            .cloned()
            .unwrap_or_else(|| g.as_of.to_string()),
        reported_error: kept.errors.get("reported").cloned(),
        source: input("source"),
        reported_by: input("reported_by"),
        template_period: Period::of_date_year(g.as_of).to_string(),
        upload_problems: kept.upload.clone(),
        l,
    }
    .render()
}

pub async fn entry_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<EntryQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let as_of = state.as_of(optional_date("as_of", q.as_of.as_deref())?);
    let (from, to) = (
        period_param("from", q.from.as_deref())?,
        period_param("to", q.to.as_deref())?,
    );
    let Some(g) = grid(&state, &id, from, to, as_of).await? else {
        return Ok(not_found(lang.lang, &id));
    };
    let l = labels(lang.lang);
    let saved = q.saved.map(|n| {
        format!(
            "{}: {n} {}, {} {}",
            l.saved,
            l.new_figures,
            q.unchanged.unwrap_or(0),
            l.unchanged
        )
    });
    Ok(page(&lang, render(lang.lang, &g, &Kept::default(), saved)))
}

/// One cell the person filled in.
struct Entry {
    name: String,
    indicator: String,
    period: Period,
    value: Decimal,
    standing: Standing,
}

/// Saves the cells filled in, all or none; on any problem the grid comes back with the
/// person's input and the problem next to its cell, and nothing is written.
pub async fn entry_save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    lang: PageLang,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let axum::Form(pairs) =
        form.map_err(|e| ApiError::bad_parameter("body", format!("expected a form: {e}")))?;
    let l = labels(lang.lang);
    let inputs: HashMap<String, String> = pairs.iter().cloned().collect();
    let field = |name: &str| inputs.get(name).map(String::as_str);
    let as_of = state.as_of(optional_date("as_of", field("as_of"))?);
    let (from, to) = (
        period_param("from", field("from"))?,
        period_param("to", field("to"))?,
    );
    let Some(g) = grid(&state, &id, from, to, as_of).await? else {
        return Ok(not_found(lang.lang, &id));
    };
    let indicator_name = |ind: &str| {
        g.rows
            .iter()
            .find(|r| r.indicator == ind)
            .map_or_else(|| ind.to_string(), |r| r.name.clone())
    };
    let mut kept = Kept {
        inputs: inputs.clone(),
        ..Kept::default()
    };
    let fail = |kept: &mut Kept, name: &str, place: String, message: &str| {
        kept.problems.push(format!("{place}: {message}"));
        kept.errors.insert(name.to_string(), message.to_string());
    };
    // The page offers the date it is asked at; a form without the field means the same, so a
    // figure typed now is known from now, not from the first day of its period.
    let reported = match optional_date("reported", field("reported")) {
        Ok(d) => Some(d.unwrap_or(as_of)),
        Err(_) => {
            fail(&mut kept, "reported", l.reported.to_string(), l.bad_date);
            None
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (name, text) in &pairs {
        let (Some(rest), false) = (name.strip_prefix("v."), text.trim().is_empty()) else {
            continue;
        };
        let Some((indicator, period_text)) = rest.rsplit_once('.') else {
            continue;
        };
        let place = format!("{}, {period_text}", indicator_name(indicator));
        let Ok(period) = period_text.parse::<Period>() else {
            fail(&mut kept, name, place, l.bad_period);
            continue;
        };
        let standing = match field(&format!("s.{indicator}.{period_text}")) {
            None | Some("") => Some(Standing::Estimate),
            Some(s) => Standing::parse(s),
        };
        let Some(standing) = standing else {
            fail(&mut kept, name, place, l.bad_standing);
            continue;
        };
        let Some(value) = locale::parse_dec(lang.lang, text) else {
            fail(
                &mut kept,
                name,
                place,
                &format!("`{}` {}", text.trim(), l.bad_number),
            );
            continue;
        };
        entries.push(Entry {
            name: name.clone(),
            indicator: indicator.to_string(),
            period,
            value,
            standing,
        });
    }
    let text = |name: &str| field(name).map(str::trim).filter(|s| !s.is_empty());
    let mut observations = Vec::new();
    if kept.errors.is_empty() {
        for (k, e) in entries.iter().enumerate() {
            let mut v = json!({
                "unit": id,
                "indicator": e.indicator,
                "period": e.period.to_string(),
                "value": e.value.to_string(),
                "standing": e.standing.as_str(),
                "reported": reported.map(|d| d.to_string()),
            });
            for extra in ["source", "reported_by"] {
                if let Some(t) = text(extra) {
                    v[extra] = json!(t);
                }
            }
            match crate::api::observation_of(k, &v) {
                Ok(o) => observations.push(o),
                Err(err) => {
                    let place = format!("{}, {}", indicator_name(&e.indicator), e.period);
                    fail(&mut kept, &e.name, place, &err.message);
                }
            }
        }
    }
    if kept.errors.is_empty() {
        match crate::api::record_observations(&state, &observations).await {
            Ok(s) => {
                let mut to = format!(
                    "/units/{}/entry?lang={}&saved={}&unchanged={}",
                    crate::forms::segment(&id),
                    code(lang.lang),
                    s.added.observations,
                    s.skipped.observations
                );
                for p in ["from", "to", "as_of"] {
                    if let Some(t) = text(p) {
                        to.push_str(&format!("&{p}={t}"));
                    }
                }
                return Ok(Redirect::to(&to).into_response());
            }
            Err(chitieu_store::StoreError::Invalid(errors)) => {
                for err in errors {
                    let at = entries.get(err.location.index);
                    match (err.location.collection, at) {
                        ("observations", Some(e)) => {
                            let place = format!("{}, {}", indicator_name(&e.indicator), e.period);
                            fail(&mut kept, &e.name, place, &err.message);
                        }
                        _ => kept.problems.push(format!("{}: {err}", l.refused)),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut r = page(&lang, render(lang.lang, &g, &kept, None));
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}
