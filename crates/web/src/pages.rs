//! Server-rendered pages (askama templates in `templates/`, compiled into the binary with
//! their CSS). Each page has a stable URL and takes `?lang=` and, where it judges, `?as_of=`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chitieu_domain::review::{self, Scope, StatusRow};
use chitieu_domain::status::Status;
use chitieu_domain::Field;
use chitieu_reports::{chart, locale, Lang};

use crate::api::AsOf;
use crate::lang::{code, labels, Labels, PageLang};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/resolutions/{id}", get(dashboard))
        .route("/resolutions/{id}/targets/{code}", get(target_page))
        .route("/units/{id}", get(unit_page))
        .route("/units/{id}/review", get(review_page))
        .route("/units/{id}/documents", get(documents_page))
        .route("/units/{id}/review.md", get(review_markdown))
}

/// A page, with the cookie that remembers a language picked by `?lang=`.
fn page(lang: &PageLang, html: Result<String, askama::Error>) -> Response {
    match html {
        Ok(body) => {
            let mut r = Html(body).into_response();
            if lang.remember {
                let cookie = format!(
                    "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    code(lang.lang)
                );
                if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// The page for something that does not exist.
fn not_found(lang: Lang, what: &str) -> Response {
    let body = format!("{}: {what}", labels(lang).not_found);
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

/// A figure as the pages show it: "36,9% (2018)", or a dash.
fn figure_text(lang: Lang, f: Option<&chitieu_domain::status::Figure>, unit: &str) -> String {
    f.map_or_else(
        || "—".to_string(),
        |f| format!("{} ({})", locale::with_unit(lang, f.value, unit), f.period),
    )
}

fn other(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "en",
        Lang::En => "vi",
    }
}

struct ResolutionItem {
    id: String,
    title: String,
    unit: String,
    term: String,
    adopted: String,
    targets: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    resolutions: Vec<ResolutionItem>,
}

async fn home(State(state): State<AppState>, lang: PageLang) -> Result<Response, ApiError> {
    let ds = state.structure().await?;
    let unit_name = |id: &str| {
        ds.units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let resolutions = ds
        .resolutions
        .iter()
        .map(|r| ResolutionItem {
            id: r.id.clone(),
            title: r.title.clone(),
            unit: unit_name(&r.unit),
            term: r.term.clone(),
            adopted: locale::date(lang.lang, r.adopted),
            targets: ds.targets.iter().filter(|t| t.resolution == r.id).count(),
        })
        .collect();
    let html = Home {
        l: labels(lang.lang),
        lang: code(lang.lang),
        other: other(lang.lang),
        resolutions,
    }
    .render();
    Ok(page(&lang, html))
}

struct TargetRow {
    code: String,
    name: String,
    baseline: String,
    value: String,
    /// The original value, struck through, when an adjustment changed it.
    original: Option<String>,
    latest: String,
    realisation: String,
    status: &'static str,
    status_class: &'static str,
}

struct FieldGroup {
    name: &'static str,
    rows: Vec<TargetRow>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    title: String,
    resolution_id: String,
    unit: String,
    unit_id: String,
    as_of: String,
    as_of_shown: String,
    achieved: usize,
    total: usize,
    groups: Vec<FieldGroup>,
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Exceeded | Status::Achieved => "met",
        Status::OnTrack => "on-track",
        Status::AtRisk => "at-risk",
        Status::OffTrack => "off-track",
        Status::NoData => "no-data",
        Status::Withdrawn => "withdrawn",
    }
}

fn target_row(lang: Lang, r: &StatusRow) -> TargetRow {
    let unit = r.measure_unit.as_str();
    let a = &r.assessment;
    TargetRow {
        code: r.code.clone(),
        name: r.name.clone(),
        baseline: format!(
            "{} ({})",
            locale::with_unit(lang, r.baseline, unit),
            r.baseline_period
        ),
        value: locale::target_value(lang, &r.value, unit),
        original: (r.original != r.value).then(|| locale::target_value(lang, &r.original, unit)),
        latest: figure_text(lang, a.latest.as_ref(), unit),
        realisation: a
            .realisation
            .map_or_else(|| "—".into(), |x| locale::pct(lang, x)),
        status: locale::status(lang, a.status),
        status_class: status_class(a.status),
    }
}

async fn dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = q.options(&state)?;
    let l = lang.lang;
    let built = AppState::judge(
        &state,
        "dashboard",
        &[&id],
        opts.filter(),
        opts.as_of,
        |ds| Scope::of_status_table(ds, &id, None),
        |ds, rollups| {
            let Some(res) = ds.resolutions.iter().find(|r| r.id == id) else {
                return Ok(None);
            };
            let rows = review::status_table_with(ds, rollups, &id, None, opts)
                .map_err(ApiError::internal)?;
            let unit = ds
                .units
                .iter()
                .find(|u| u.id == res.unit)
                .map_or_else(|| res.unit.clone(), |u| u.name.clone());
            Ok(Some((res.title.clone(), res.unit.clone(), unit, rows)))
        },
    )
    .await?;
    let Some((title, unit_id, unit, rows)) = built.as_ref() else {
        return Ok(not_found(l, &id));
    };
    let counted: Vec<&StatusRow> = rows
        .iter()
        .filter(|r| r.assessment.status != Status::Withdrawn)
        .collect();
    let achieved = counted
        .iter()
        .filter(|r| r.assessment.status.is_met())
        .count();
    let groups = Field::ALL
        .iter()
        .map(|f| FieldGroup {
            name: locale::field(l, *f),
            rows: rows
                .iter()
                .filter(|r| r.field == *f)
                .map(|r| target_row(l, r))
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let html = Dashboard {
        l: labels(l),
        lang: code(l),
        other: other(l),
        title: title.clone(),
        resolution_id: id,
        unit: unit.clone(),
        unit_id: unit_id.clone(),
        as_of: opts.as_of.to_string(),
        as_of_shown: locale::date(l, opts.as_of),
        achieved,
        total: counted.len(),
        groups,
    }
    .render();
    Ok(page(&lang, html))
}

/// The review's Markdown (the command line's), or `None` for an unknown unit.
async fn markdown_review(
    state: &AppState,
    id: &str,
    opts: chitieu_domain::status::StatusOptions,
    lang: Lang,
) -> Result<Option<String>, ApiError> {
    Ok(crate::api::review_of(state, id, opts)
        .await?
        .as_ref()
        .as_ref()
        .map(|(r, terms)| chitieu_reports::markdown::review_in_terms(lang, r, terms)))
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    id: String,
    as_of: String,
    body: String,
}

async fn review_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = q.options(&state)?;
    let Some(md) = markdown_review(&state, &id, opts, lang.lang).await? else {
        return Ok(not_found(lang.lang, &id));
    };
    let mut body = String::new();
    pulldown_cmark::html::push_html(
        &mut body,
        pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES),
    );
    let html = ReviewPage {
        l: labels(lang.lang),
        lang: code(lang.lang),
        other: other(lang.lang),
        id,
        as_of: opts.as_of.to_string(),
        body,
    }
    .render();
    Ok(page(&lang, html))
}

/// The review as a Markdown file to download.
async fn review_markdown(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = q.options(&state)?;
    let Some(md) = markdown_review(&state, &id, opts, lang.lang).await? else {
        return Err(ApiError::not_found("unit", &id));
    };
    let disposition = format!("attachment; filename=\"review-{id}-{}.md\"", opts.as_of);
    let mut r = md.into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

struct NumberRow {
    label: &'static str,
    value: String,
}

struct AdjustmentRow {
    date: String,
    decision: String,
    reason: String,
    value: String,
}

struct SubUnitRow {
    name: String,
    latest: String,
}

#[derive(Template)]
#[template(path = "target.html")]
struct TargetPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    resolution_id: String,
    resolution: String,
    code: String,
    name: String,
    status: &'static str,
    status_class: &'static str,
    chart: String,
    numbers: Vec<NumberRow>,
    adjustments: Vec<AdjustmentRow>,
    sub_units: Vec<SubUnitRow>,
}

fn day_of(p: chitieu_domain::Period) -> chrono::NaiveDate {
    p.end()
}

fn f64_of(d: chitieu_domain::Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// A target: its chart, the numbers behind its status, its adjustments, its sub-units' values.
async fn target_page(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    use chitieu_domain::version::{target_version, Cutoff};
    let opts = q.options(&state)?;
    let l = lang.lang;
    let built = AppState::judge(
        &state,
        "target page",
        &[&id, &code, crate::lang::code(l)],
        opts.filter(),
        opts.as_of,
        |ds| {
            let mut scope = Scope::default();
            if let Some(t) = ds
                .targets
                .iter()
                .find(|t| t.resolution == id && t.code == code)
            {
                scope.units.push(t.unit.clone());
                scope.indicators.push(t.indicator.clone());
            }
            scope
        },
        |ds, rollups| -> Result<Option<TargetPage>, ApiError> {
            let (Some(res), Some(t)) = (
                ds.resolutions.iter().find(|r| r.id == id),
                ds.targets
                    .iter()
                    .find(|t| t.resolution == id && t.code == code),
            ) else {
                return Ok(None);
            };
            let rows = review::status_table_with(ds, rollups, &id, None, opts)
                .map_err(ApiError::internal)?;
            let Some(row) = rows.into_iter().find(|r| r.code == code) else {
                return Ok(None);
            };
            let unit = row.measure_unit.clone();
            let a = &row.assessment;
            let t0 = t.baseline_period.end();
            let series = rollups.series(&t.unit, &t.indicator);
            let figures: Vec<(chart::Point, bool)> = series
                .iter()
                .filter(|f| f.period.end() > t0 && f.period.start() <= row.deadline)
                .map(|f| {
                    (
                        chart::Point {
                            date: day_of(f.period),
                            value: f64_of(f.value),
                        },
                        f.standing == chitieu_domain::Standing::Final,
                    )
                })
                .collect();
            let version = target_version(ds, t, Cutoff::Through(opts.as_of));
            let adjustments: Vec<AdjustmentRow> = version
                .adjustments
                .iter()
                .map(|adj| {
                    let after = target_version(ds, t, Cutoff::Through(adj.decision.date));
                    AdjustmentRow {
                        date: locale::date(l, adj.decision.date),
                        decision: format!("{} — {}", adj.decision.body, adj.decision.reference),
                        reason: adj.reason.clone(),
                        value: locale::target_value(l, &after.spec.value, &unit),
                    }
                })
                .collect();
            let target_value = a.target.map_or(f64::NAN, f64_of);
            let chart = chart::TargetChart {
                baseline: chart::Point {
                    date: t0,
                    value: f64_of(t.baseline),
                },
                target: chart::Point {
                    date: row.deadline,
                    value: target_value,
                },
                figures,
                projected: a.projected,
                adjustments: version
                    .adjustments
                    .iter()
                    .map(|adj| {
                        let after = target_version(ds, t, Cutoff::Through(adj.decision.date));
                        (
                            adj.decision.date,
                            locale::target_value(l, &after.spec.value, &unit),
                        )
                    })
                    .collect(),
            }
            .svg(l, &row.name);
            let labels_now = labels(l);
            let opt_pct = |x: Option<f64>| x.map_or_else(|| "—".to_string(), |v| locale::pct(l, v));
            let numbers = vec![
                NumberRow {
                    label: labels_now.baseline,
                    value: format!(
                        "{} ({})",
                        locale::with_unit(l, t.baseline, &unit),
                        t.baseline_period
                    ),
                },
                NumberRow {
                    label: labels_now.value,
                    value: locale::target_value(l, &row.value, &unit),
                },
                NumberRow {
                    label: labels_now.latest,
                    value: figure_text(l, a.latest.as_ref(), &unit),
                },
                NumberRow {
                    label: labels_now.realisation,
                    value: opt_pct(a.realisation),
                },
                NumberRow {
                    label: labels_now.progress,
                    value: opt_pct(a.progress),
                },
                NumberRow {
                    label: labels_now.ratio,
                    value: a
                        .ratio
                        .map_or_else(|| "—".to_string(), |r| locale::num(l, r, 2)),
                },
                NumberRow {
                    label: labels_now.projected,
                    value: a
                        .projected
                        .map_or_else(|| "—".to_string(), |p| locale::num(l, p, 2)),
                },
                NumberRow {
                    label: labels_now.method,
                    value: locale::method(l, a.method).to_string(),
                },
            ];
            let tree = rollups.tree();
            let sub_units = ds
                .units
                .iter()
                .filter(|u| {
                    u.parent.as_deref() == Some(t.unit.as_str())
                        && tree.index_of(&u.id).is_some_and(|i| tree.is_present(i))
                })
                .map(|u| SubUnitRow {
                    name: u.name.clone(),
                    latest: figure_text(l, rollups.series(&u.id, &t.indicator).last(), &unit),
                })
                .collect();
            Ok(Some(TargetPage {
                l: labels(l),
                lang: crate::lang::code(l),
                other: other(l),
                resolution_id: id.clone(),
                resolution: res.title.clone(),
                code: code.clone(),
                name: row.name.clone(),
                status: locale::status(l, a.status),
                status_class: status_class(a.status),
                chart,
                numbers,
                adjustments,
                sub_units,
            }))
        },
    )
    .await?;
    let Some(p) = built.as_ref() else {
        return Ok(not_found(l, &format!("{id}/{code}")));
    };
    Ok(page(&lang, p.render()))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct UnitQuery {
    pub as_of: Option<String>,
    pub indicator: Option<String>,
}

struct Link {
    href: String,
    text: String,
}

struct CompareRow {
    href: String,
    name: String,
    value: String,
    period: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    id: String,
    name: String,
    as_of: String,
    crumbs: Vec<Link>,
    resolutions: Vec<Link>,
    indicators: Vec<(String, String, bool)>,
    indicator_name: String,
    rows: Vec<CompareRow>,
}

/// A unit: where it sits, the resolutions it implements, and its sub-units compared on an
/// indicator (by default the first one its own resolution has a target for).
async fn unit_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<UnitQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = AsOf {
        as_of: q.as_of.clone(),
        include_unapproved: None,
    }
    .options(&state)?;
    let l = lang.lang;
    let chosen = |ds: &chitieu_domain::Dataset| -> Option<String> {
        q.indicator.clone().or_else(|| {
            review::resolutions_in_force(ds, &id, opts.as_of)
                .iter()
                .flat_map(|r| review::targets_for(ds, r, &id))
                .map(|t| t.indicator.clone())
                .next()
        })
    };
    let indicator_asked = format!("{:?}", q.indicator);
    let built = AppState::judge(
        &state,
        "unit page",
        &[&id, &indicator_asked, code(l)],
        opts.filter(),
        opts.as_of,
        |ds| Scope {
            units: vec![id.clone()],
            indicators: chosen(ds).into_iter().collect(),
        },
        |ds, rollups| -> Result<Option<UnitPage>, ApiError> {
            let Some(unit) = ds.units.iter().find(|u| u.id == id) else {
                return Ok(None);
            };
            let indicator = chosen(ds);
            let ind = indicator
                .as_ref()
                .and_then(|i| ds.indicators.iter().find(|x| &x.id == i));
            let measure = ind.map_or("", |i| i.measure.as_str());
            let mut crumbs: Vec<Link> = review::ancestry(ds, &id)
                .into_iter()
                .skip(1)
                .map(|u| Link {
                    href: format!("/units/{}", u.id),
                    text: u.name.clone(),
                })
                .collect();
            crumbs.reverse();
            let tree = rollups.tree();
            let rows = ds
                .units
                .iter()
                .filter(|u| {
                    u.parent.as_deref() == Some(id.as_str())
                        && tree.index_of(&u.id).is_some_and(|i| tree.is_present(i))
                })
                .map(|u| {
                    let last = indicator
                        .as_ref()
                        .and_then(|i| rollups.series(&u.id, i).pop());
                    CompareRow {
                        href: format!("/units/{}", u.id),
                        name: u.name.clone(),
                        value: last.as_ref().map_or_else(
                            || "—".to_string(),
                            |f| locale::with_unit(l, f.value, measure),
                        ),
                        period: last.map_or_else(String::new, |f| f.period.to_string()),
                    }
                })
                .collect();
            Ok(Some(UnitPage {
                l: labels(l),
                lang: code(l),
                other: other(l),
                id: id.clone(),
                name: unit.name.clone(),
                as_of: opts.as_of.to_string(),
                crumbs,
                resolutions: review::resolutions_in_force(ds, &id, opts.as_of)
                    .into_iter()
                    .map(|r| Link {
                        href: format!("/resolutions/{}", r.id),
                        text: r.title.clone(),
                    })
                    .collect(),
                indicators: ds
                    .indicators
                    .iter()
                    .map(|i| {
                        (
                            i.id.clone(),
                            i.name.clone(),
                            Some(&i.id) == indicator.as_ref(),
                        )
                    })
                    .collect(),
                indicator_name: ind.map_or_else(String::new, |i| i.name.clone()),
                rows,
            }))
        },
    )
    .await?;
    let Some(p) = built.as_ref() else {
        return Ok(not_found(l, &id));
    };
    Ok(page(&lang, p.render()))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DocumentQuery {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

struct DocumentRow {
    number: String,
    kind: String,
    date: String,
    title: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    id: String,
    name: String,
    kinds: Vec<(&'static str, String, bool)>,
    from: String,
    to: String,
    counts: String,
    rows: Vec<DocumentRow>,
}

/// The register of the documents a unit issued: filtered by kind and dates, counted by kind.
async fn documents_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DocumentQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    use chitieu_domain::DocumentKind;
    let l = lang.lang;
    let (from, to) = (
        crate::api::optional_date("from", q.from.as_deref())?,
        crate::api::optional_date("to", q.to.as_deref())?,
    );
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(DocumentKind::parse(k).ok_or_else(|| {
            ApiError::bad_parameter("kind", format!("`{k}`: not a kind of document"))
        })?),
    };
    let ds = state.structure().await?;
    let Some(unit) = ds.units.iter().find(|u| u.id == id) else {
        return Ok(not_found(l, &id));
    };
    let mut docs: Vec<&chitieu_domain::Document> = ds
        .documents
        .iter()
        .filter(|d| d.issuer == id)
        .filter(|d| from.is_none_or(|f| d.date >= f) && to.is_none_or(|t| d.date <= t))
        .collect();
    docs.sort_by_key(|d| d.date);
    let counts: Vec<String> = DocumentKind::ALL
        .iter()
        .filter_map(|k| {
            let n = docs.iter().filter(|d| d.kind == *k).count();
            (n > 0).then(|| locale::document_kind(l, *k, n))
        })
        .collect();
    let rows = docs
        .into_iter()
        .filter(|d| kind.is_none_or(|k| d.kind == k))
        .map(|d| DocumentRow {
            number: d.number.clone(),
            kind: locale::document_kind(l, d.kind, 1)
                .trim_start_matches("1 ")
                .to_string(),
            date: locale::date(l, d.date),
            title: d.title.clone(),
        })
        .collect();
    let html = DocumentsPage {
        l: labels(l),
        lang: code(l),
        other: other(l),
        id: id.clone(),
        name: unit.name.clone(),
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    locale::document_kind(l, *k, 2)
                        .trim_start_matches("2 ")
                        .to_string(),
                    Some(*k) == kind,
                )
            })
            .collect(),
        from: from.map_or_else(String::new, |d| d.to_string()),
        to: to.map_or_else(String::new, |d| d.to_string()),
        counts: counts.join(", "),
        rows,
    }
    .render();
    Ok(page(&lang, html))
}
