//! Server-rendered pages (askama templates in `templates/`, compiled into the binary with
//! their CSS). Each page has a stable URL and takes `?lang=` and, where it judges, `?as_of=`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chitieu_domain::review::{self, Scope, StatusRow, TaskStatus};
use chitieu_domain::status::Status;
use chitieu_domain::{DocumentKind, Field};
use chitieu_reports::document::ReviewDocument;
use chitieu_reports::{chart, locale, Lang};
use chrono::NaiveDate;

use crate::api::AsOf;
use crate::lang::{code, labels, Labels, PageLang};
use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/resolutions/{id}", get(dashboard))
        .route("/resolutions/{id}/status.xlsx", get(dashboard_xlsx))
        .route("/resolutions/{id}/targets/{code}", get(target_page))
        .route("/units/{id}", get(unit_page))
        .route("/units/{id}/review", get(review_page))
        .route(
            "/units/{id}/review/text",
            axum::routing::post(crate::review_text::post_review_text),
        )
        .route("/units/{id}/documents", get(documents_page))
        .route("/units/{id}/tasks", get(tasks_page))
        .route("/units/{id}/review.md", get(review_markdown))
        .route("/units/{id}/review.html", get(review_html))
        .route("/units/{id}/review.docx", get(review_docx))
        .route("/units/{id}/review.pdf", get(review_pdf))
        .merge(crate::forms::routes())
}

/// A page, with the cookie that remembers a language picked by `?lang=`.
pub(crate) fn page(lang: &PageLang, html: Result<String, askama::Error>) -> Response {
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

/// A file to download: `body` as `mime`, saved under `filename`.
pub(crate) fn download(body: impl IntoResponse, mime: &'static str, filename: &str) -> Response {
    let mut resp = body.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(mime));
    if let Ok(v) = header::HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The page for something that does not exist.
pub(crate) fn not_found(lang: Lang, what: &str) -> Response {
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

pub(crate) fn other(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "en",
        Lang::En => "vi",
    }
}

/// One segment of a status bar: how many targets have a status, and the share of the bar.
#[derive(Clone)]
struct Segment {
    class: &'static str,
    label: &'static str,
    count: usize,
    percent: String,
}

/// The status bar of a set of rows: one segment per status present, withdrawn targets left
/// out as the headline leaves them out.
fn status_bar(lang: Lang, rows: &[StatusRow]) -> Vec<Segment> {
    let counted = rows
        .iter()
        .filter(|r| r.assessment.status != Status::Withdrawn)
        .count();
    let order = [
        Status::Exceeded,
        Status::Achieved,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NoData,
    ];
    order
        .iter()
        .filter_map(|s| {
            let n = rows.iter().filter(|r| r.assessment.status == *s).count();
            (n > 0).then(|| Segment {
                class: status_class(*s),
                label: locale::status(lang, *s),
                count: n,
                percent: format!("{:.3}", 100.0 * n as f64 / counted.max(1) as f64),
            })
        })
        .collect()
}

#[derive(Clone)]
struct ResolutionItem {
    id: String,
    title: String,
    unit: String,
    unit_id: String,
    term: String,
    adopted: String,
    achieved: usize,
    total: usize,
    bar: Vec<Segment>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    as_of_shown: String,
    resolutions: Vec<ResolutionItem>,
    page: usize,
    pages: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    pub as_of: Option<String>,
    pub page: Option<String>,
}

/// Resolutions on one home page: a national database holds hundreds, and each one's headline
/// needs its targets judged.
const HOME_PAGE: usize = 50;

/// Every resolution, the highest units' first, each with its headline and status bar.
async fn home(
    State(state): State<AppState>,
    Query(q): Query<HomeQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let l = lang.lang;
    let opts = AsOf::date_only(&state, q.as_of.clone())?;
    let page_no =
        match q.page.as_deref() {
            None | Some("") => 1,
            Some(p) => p.parse::<usize>().ok().filter(|&n| n >= 1).ok_or_else(|| {
                ApiError::bad_parameter("page", format!("`{p}`: expected 1, 2, …"))
            })?,
        };
    // Highest units first, then by name, so a province office sees its own resolution on top.
    let listed = |ds: &chitieu_domain::Dataset| -> Vec<usize> {
        let mut order: Vec<(usize, usize, &str)> = ds
            .resolutions
            .iter()
            .enumerate()
            .map(|(k, r)| (review::ancestry(ds, &r.unit).len(), k, r.id.as_str()))
            .collect();
        order.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(b.2)));
        order
            .into_iter()
            .map(|(_, k, _)| k)
            .skip((page_no - 1) * HOME_PAGE)
            .take(HOME_PAGE)
            .collect()
    };
    let page_key = page_no.to_string();
    let built = AppState::judge(
        &state,
        "home",
        &[&page_key, code(l)],
        opts.filter(),
        opts.as_of,
        |ds| {
            let mut scope = Scope::default();
            for k in listed(ds) {
                let s = Scope::of_status_table(ds, &ds.resolutions[k].id, None);
                for u in s.units {
                    if !scope.units.contains(&u) {
                        scope.units.push(u);
                    }
                }
                for i in s.indicators {
                    if !scope.indicators.contains(&i) {
                        scope.indicators.push(i);
                    }
                }
            }
            scope
        },
        |ds, rollups| -> Result<(Vec<ResolutionItem>, usize), ApiError> {
            let mut items = Vec::new();
            for k in listed(ds) {
                let r = &ds.resolutions[k];
                let rows = review::status_table_with(ds, rollups, &r.id, None, opts)
                    .map_err(ApiError::internal)?;
                let counted = rows
                    .iter()
                    .filter(|x| x.assessment.status != Status::Withdrawn);
                let unit = ds
                    .units
                    .iter()
                    .find(|u| u.id == r.unit)
                    .map_or_else(|| r.unit.clone(), |u| u.name.clone());
                items.push(ResolutionItem {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    unit,
                    unit_id: r.unit.clone(),
                    term: r.term.clone(),
                    adopted: locale::date(l, r.adopted),
                    achieved: counted
                        .clone()
                        .filter(|x| x.assessment.status.is_met())
                        .count(),
                    total: counted.count(),
                    bar: status_bar(l, &rows),
                });
            }
            Ok((items, ds.resolutions.len()))
        },
    )
    .await?;
    let (items, count) = (built.0.clone(), built.1);
    let html = Home {
        l: labels(l),
        lang: code(l),
        other: other(l),
        as_of_shown: locale::date(l, opts.as_of),
        resolutions: items,
        page: page_no,
        pages: count.div_ceil(HOME_PAGE).max(1),
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
    /// The figures from the baseline on, as an inline SVG (empty with fewer than two).
    sparkline: String,
}

struct FieldGroup {
    name: &'static str,
    rows: Vec<TargetRow>,
}

/// A choice of a filter: its value in the URL, its label, whether it is the one applied.
struct Choice {
    value: &'static str,
    label: &'static str,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    l: Labels,
    lang: &'static str,
    other: &'static str,
    title: String,
    resolution_id: String,
    unit_id: String,
    crumbs: Vec<Link>,
    as_of: String,
    as_of_shown: String,
    achieved: usize,
    total: usize,
    r: StatusSummary,
    statuses: Vec<Choice>,
    fields: Vec<Choice>,
    groups: Vec<FieldGroup>,
    /// The status overview chart the review prints (`chart::status_overview`).
    overview: String,
}

/// What the status bar template reads (`r.bar`), as on the home page.
struct StatusSummary {
    bar: Vec<Segment>,
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

fn target_row(lang: Lang, r: &StatusRow, sparkline: String) -> TargetRow {
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
        sparkline,
    }
}

/// The sparkline of a row: the baseline, then the figures of later periods in force.
fn sparkline_of(rollups: &chitieu_domain::rollup::Rollups, r: &StatusRow) -> String {
    let mut values = vec![f64_of(r.baseline)];
    values.extend(
        rollups
            .series(&r.unit, &r.indicator)
            .iter()
            .filter(|f| f.period > r.baseline_period)
            .map(|f| f64_of(f.value)),
    );
    chart::sparkline(
        &values,
        r.assessment.target.map(f64_of),
        &format!("{} {}", r.code, r.name),
    )
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    pub as_of: Option<String>,
    pub include_unapproved: Option<String>,
    /// `met`, `on_track`, `at_risk`, `off_track`, `no_data` or `withdrawn`.
    pub status: Option<String>,
    /// A field: `economy`, `culture_society`, …
    pub field: Option<String>,
}

/// The status filter's classes: achieved and exceeded are one choice, as in the headline.
const STATUS_FILTERS: [(&str, Status); 6] = [
    ("met", Status::Achieved),
    ("on_track", Status::OnTrack),
    ("at_risk", Status::AtRisk),
    ("off_track", Status::OffTrack),
    ("no_data", Status::NoData),
    ("withdrawn", Status::Withdrawn),
];

fn passes(filter: Option<Status>, s: Status) -> bool {
    match filter {
        None => true,
        Some(Status::Achieved) => s.is_met(),
        Some(f) => f == s,
    }
}

async fn dashboard(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DashboardQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = AsOf {
        as_of: q.as_of.clone(),
        include_unapproved: q.include_unapproved.clone(),
    }
    .options(&state)?;
    let l = lang.lang;
    let status_filter = match q.status.as_deref() {
        None | Some("") => None,
        Some(x) => Some(
            STATUS_FILTERS
                .iter()
                .find(|(k, _)| *k == x)
                .map(|(_, s)| *s)
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "status",
                        format!("`{x}`: expected met, on_track, at_risk, off_track, no_data or withdrawn"),
                    )
                })?,
        ),
    };
    let field_filter = match q.field.as_deref() {
        None | Some("") => None,
        Some(x) => Some(
            Field::parse(x)
                .ok_or_else(|| ApiError::bad_parameter("field", format!("`{x}`: not a field")))?,
        ),
    };
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
            let sparks: Vec<String> = rows.iter().map(|r| sparkline_of(rollups, r)).collect();
            let crumbs = crumbs_to(ds, &res.unit);
            Ok(Some((
                res.title.clone(),
                res.unit.clone(),
                crumbs,
                rows,
                sparks,
            )))
        },
    )
    .await?;
    let Some((title, unit_id, crumbs, rows, sparks)) = built.as_ref() else {
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
    let bar = status_bar(l, rows);
    let groups = Field::ALL
        .iter()
        .filter(|f| field_filter.is_none_or(|x| x == **f))
        .map(|f| FieldGroup {
            name: locale::field(l, *f),
            rows: rows
                .iter()
                .zip(sparks.iter())
                .filter(|(r, _)| r.field == *f && passes(status_filter, r.assessment.status))
                .map(|(r, s)| target_row(l, r, s.clone()))
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let statuses = STATUS_FILTERS
        .iter()
        .map(|(value, s)| Choice {
            value,
            label: if *s == Status::Achieved {
                labels(l).headline
            } else {
                locale::status(l, *s)
            },
            chosen: status_filter == Some(*s),
        })
        .collect();
    let fields = Field::ALL
        .iter()
        .filter(|f| rows.iter().any(|r| r.field == **f))
        .map(|f| Choice {
            value: f.as_str(),
            label: locale::field(l, *f),
            chosen: field_filter == Some(*f),
        })
        .collect();
    let html = Dashboard {
        l: labels(l),
        lang: code(l),
        other: other(l),
        title: title.clone(),
        resolution_id: id,
        unit_id: unit_id.clone(),
        crumbs: crumbs.clone(),
        as_of: opts.as_of.to_string(),
        as_of_shown: locale::date(l, opts.as_of),
        achieved,
        total: counted.len(),
        r: StatusSummary { bar },
        overview: {
            let mut counts = std::collections::BTreeMap::new();
            for r in rows {
                *counts.entry(r.assessment.status.as_str()).or_insert(0) += 1;
            }
            chart::status_overview(l, &counts, title)
        },
        statuses,
        fields,
        groups,
    }
    .render();
    Ok(page(&lang, html))
}

/// The dashboard's table as an Excel workbook (`chitieu status --format xlsx`).
async fn dashboard_xlsx(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = q.options(&state)?;
    let rows = crate::api::status_rows_of(&state, &id, opts).await?;
    let book = chitieu_reports::xlsx::status_table(lang.lang, &id, opts.as_of, &rows)
        .map_err(ApiError::internal)?;
    Ok(download(
        book,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{id}-{}.xlsx", opts.as_of),
    ))
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    crumbs: Vec<Link>,
    l: Labels,
    lang: &'static str,
    other: &'static str,
    id: String,
    as_of: String,
    body: String,
    /// The office's text as saved, or as typed when the form came back with a problem.
    text: crate::review_text::TextForm,
    text_problem: String,
    text_saved: bool,
    t: TextLabels,
}

/// The labels of the office's text form (the review page only).
struct TextLabels {
    legend: &'static str,
    hint: &'static str,
    number: &'static str,
    signer: &'static str,
    signer_title: &'static str,
    recipients: &'static str,
    causes: &'static str,
    directions: &'static str,
    save: &'static str,
    saved: &'static str,
}

fn text_labels(lang: Lang) -> TextLabels {
    use crate::review_text::field_label as f;
    match lang {
        Lang::Vi => TextLabels {
            legend: "Phần văn phòng soạn",
            hint: "In vào mục II, mục IV, phần số, nơi nhận và chữ ký của báo cáo. Để trống: bản dự thảo từ số liệu.",
            number: f(lang, "number"),
            signer: f(lang, "signer"),
            signer_title: f(lang, "signer_title"),
            recipients: "Nơi nhận (mỗi dòng một nơi)",
            causes: "Nguyên nhân (mục II)",
            directions: "Phương hướng, nhiệm vụ (mục IV)",
            save: "Lưu",
            saved: "Đã lưu phần văn phòng soạn.",
        },
        Lang::En => TextLabels {
            legend: "The office's text",
            hint: "Printed in sections II and IV, the number, the recipients and the signature. Left blank: the draft from the figures.",
            number: f(lang, "number"),
            signer: f(lang, "signer"),
            signer_title: f(lang, "signer_title"),
            recipients: "Recipients (one per line)",
            causes: "Causes (section II)",
            directions: "Directions (section IV)",
            save: "Save",
            saved: "The office's text is saved.",
        },
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReviewQuery {
    as_of: Option<String>,
    include_unapproved: Option<String>,
    saved: Option<String>,
}

async fn review_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ReviewQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let opts = AsOf {
        as_of: q.as_of,
        include_unapproved: q.include_unapproved,
    }
    .options(&state)?;
    let saved = q.saved.as_deref() == Some("text");
    review_page_with(&state, &id, opts, &lang, None, saved).await
}

/// The review page; `typed` is the office's text form as posted, with its problem, when the
/// form comes back.
pub(crate) async fn review_page_with(
    state: &AppState,
    id: &str,
    opts: chitieu_domain::status::StatusOptions,
    lang: &PageLang,
    typed: Option<(crate::review_text::TextForm, String)>,
    text_saved: bool,
) -> Result<Response, ApiError> {
    let doc = crate::api::review_document_of(state, id, opts, lang.lang).await?;
    let Some(doc) = doc.as_ref() else {
        return Ok(not_found(lang.lang, id));
    };
    let body = chitieu_reports::document::html_body(doc);
    let ds = state.structure().await?;
    let (text, text_problem) = match typed {
        Some((form, problem)) => (form, problem),
        None => {
            let saved = state.store.review_text(id, opts.as_of).await?;
            (
                saved
                    .as_ref()
                    .map(crate::review_text::TextForm::of)
                    .unwrap_or_default(),
                String::new(),
            )
        }
    };
    let html = ReviewPage {
        crumbs: crumbs_to(&ds, id),
        l: labels(lang.lang),
        lang: code(lang.lang),
        other: other(lang.lang),
        id: id.to_string(),
        as_of: opts.as_of.to_string(),
        body,
        text,
        text_problem,
        text_saved,
        t: text_labels(lang.lang),
    }
    .render();
    Ok(page(lang, html))
}

/// The review's report as a file to download, in the formats the command line writes.
#[derive(Clone, Copy)]
enum ReviewFile {
    Markdown,
    /// One self-contained HTML file (`chitieu review --format html`).
    Html,
    Docx,
    Pdf,
}

impl ReviewFile {
    fn render(self, doc: &ReviewDocument) -> Result<Vec<u8>, ApiError> {
        Ok(match self {
            ReviewFile::Markdown => chitieu_reports::document::markdown(doc).into_bytes(),
            ReviewFile::Html => chitieu_reports::html::review(doc).into_bytes(),
            ReviewFile::Docx => chitieu_reports::docx::render(doc).map_err(ApiError::internal)?,
            ReviewFile::Pdf => chitieu_reports::pdf::render(doc).map_err(ApiError::internal)?,
        })
    }

    fn mime_and_extension(self) -> (&'static str, &'static str) {
        match self {
            ReviewFile::Markdown => ("text/markdown; charset=utf-8", "md"),
            ReviewFile::Html => ("text/html; charset=utf-8", "html"),
            ReviewFile::Docx => (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ),
            ReviewFile::Pdf => ("application/pdf", "pdf"),
        }
    }

    async fn answer(
        self,
        state: &AppState,
        id: &str,
        q: &AsOf,
        lang: &PageLang,
    ) -> Result<Response, ApiError> {
        let opts = q.options(state)?;
        let doc = crate::api::review_document_of(state, id, opts, lang.lang).await?;
        let Some(doc) = doc.as_ref() else {
            return Err(ApiError::not_found("unit", id));
        };
        let (mime, ext) = self.mime_and_extension();
        Ok(download(
            self.render(doc)?,
            mime,
            &format!("review-{id}-{}.{ext}", opts.as_of),
        ))
    }
}

async fn review_markdown(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    ReviewFile::Markdown.answer(&state, &id, &q, &lang).await
}

async fn review_html(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    ReviewFile::Html.answer(&state, &id, &q, &lang).await
}

async fn review_docx(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    ReviewFile::Docx.answer(&state, &id, &q, &lang).await
}

async fn review_pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    ReviewFile::Pdf.answer(&state, &id, &q, &lang).await
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
    /// The sub-unit's page, comparing its own sub-units on the target's indicator.
    href: String,
    name: String,
    latest: String,
}

#[derive(Template)]
#[template(path = "target.html")]
struct TargetPage {
    crumbs: Vec<Link>,
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
            let chart = chart::for_target(
                l,
                ds,
                rollups,
                &chart::TargetOnDate {
                    target: t,
                    as_of: opts.as_of,
                    deadline: row.deadline,
                    assessment: a,
                    measure_unit: &unit,
                },
            )
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
            let sub_units = sub_units_in(ds, rollups.tree(), &t.unit)
                .into_iter()
                .map(|u| SubUnitRow {
                    href: format!(
                        "/units/{}?indicator={}&as_of={}",
                        u.id, t.indicator, opts.as_of
                    ),
                    name: u.name.clone(),
                    latest: figure_text(l, rollups.series(&u.id, &t.indicator).last(), &unit),
                })
                .collect();
            Ok(Some(TargetPage {
                crumbs: crumbs_to(ds, &res.unit),
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

#[derive(Clone)]
struct Link {
    href: String,
    text: String,
}

/// The breadcrumbs down to `unit`: its ancestors and itself, the top first, each a link to
/// its unit page.
fn crumbs_to(ds: &chitieu_domain::Dataset, unit: &str) -> Vec<Link> {
    let mut crumbs: Vec<Link> = review::ancestry(ds, unit)
        .into_iter()
        .map(|u| Link {
            href: format!("/units/{}", u.id),
            text: u.name.clone(),
        })
        .collect();
    crumbs.reverse();
    crumbs
}

/// The units directly below `parent` in the tree the roll-ups were made in (a unit ended by a
/// reorganisation before that date is not one of them).
pub(crate) fn sub_units_in<'a>(
    ds: &'a chitieu_domain::Dataset,
    tree: &chitieu_domain::rollup::Tree,
    parent: &str,
) -> Vec<&'a chitieu_domain::Unit> {
    ds.units
        .iter()
        .filter(|u| {
            u.parent.as_deref() == Some(parent)
                && tree.index_of(&u.id).is_some_and(|i| tree.is_present(i))
        })
        .collect()
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
    let opts = AsOf::date_only(&state, q.as_of.clone())?;
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
            let rows = sub_units_in(ds, rollups.tree(), &id)
                .into_iter()
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

/// A register's filter: the kind, and the first and last day.
pub type DocumentFilter = (Option<DocumentKind>, Option<NaiveDate>, Option<NaiveDate>);

impl DocumentQuery {
    /// The kind and the dates asked for, the error naming the parameter that is wrong.
    pub fn parse(&self) -> Result<DocumentFilter, ApiError> {
        let kind = match self.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(DocumentKind::parse(k).ok_or_else(|| {
                ApiError::bad_parameter("kind", format!("`{k}`: not a kind of document"))
            })?),
        };
        Ok((
            kind,
            crate::api::optional_date("from", self.from.as_deref())?,
            crate::api::optional_date("to", self.to.as_deref())?,
        ))
    }
}

/// The documents a unit issued between two dates: counted by kind (every kind issued), and
/// listed by date (of one kind when asked).
pub struct DocumentRegister<'a> {
    pub counts: Vec<(DocumentKind, usize)>,
    pub list: Vec<&'a chitieu_domain::Document>,
}

impl<'a> DocumentRegister<'a> {
    pub fn of(
        ds: &'a chitieu_domain::Dataset,
        unit: &str,
        kind: Option<DocumentKind>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Self {
        let mut docs: Vec<&chitieu_domain::Document> = ds
            .documents
            .iter()
            .filter(|d| d.issuer == unit)
            .filter(|d| from.is_none_or(|f| d.date >= f) && to.is_none_or(|t| d.date <= t))
            .collect();
        docs.sort_by_key(|d| d.date);
        let counts = DocumentKind::ALL
            .iter()
            .map(|k| (*k, docs.iter().filter(|d| d.kind == *k).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        docs.retain(|d| kind.is_none_or(|k| d.kind == k));
        DocumentRegister { counts, list: docs }
    }
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
    crumbs: Vec<Link>,
    l: Labels,
    lang: &'static str,
    other: &'static str,
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
    let l = lang.lang;
    let (kind, from, to) = q.parse()?;
    let ds = state.structure().await?;
    let Some(unit) = ds.units.iter().find(|u| u.id == id) else {
        return Ok(not_found(l, &id));
    };
    let register = DocumentRegister::of(&ds, &id, kind, from, to);
    let counts: Vec<String> = register
        .counts
        .iter()
        .map(|(k, n)| locale::document_kind(l, *k, *n))
        .collect();
    let rows = register
        .list
        .into_iter()
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
        crumbs: crumbs_to(&ds, &id),
        l: labels(l),
        lang: code(l),
        other: other(l),
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

#[derive(Debug, Default, serde::Deserialize)]
pub struct TaskQuery {
    pub as_of: Option<String>,
    /// `done`, `in_progress`, `not_started`, `overdue` or `withdrawn`.
    pub status: Option<String>,
}

impl TaskQuery {
    /// The status asked for, the error naming the parameter when it is not one.
    pub fn status(&self) -> Result<Option<TaskStatus>, ApiError> {
        match self.status.as_deref() {
            None | Some("") => Ok(None),
            Some(x) => TASK_STATUSES
                .into_iter()
                .find(|s| s.as_str() == x)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "status",
                        format!(
                            "`{x}`: expected done, in_progress, not_started, overdue or withdrawn"
                        ),
                    )
                }),
        }
    }
}

struct TaskRow {
    resolution: String,
    code: String,
    name: String,
    unit: String,
    due: String,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    crumbs: Vec<Link>,
    l: Labels,
    lang: &'static str,
    other: &'static str,
    name: String,
    as_of: String,
    statuses: Vec<Choice>,
    counts: String,
    rows: Vec<TaskRow>,
}

const TASK_STATUSES: [TaskStatus; 5] = [
    TaskStatus::Done,
    TaskStatus::InProgress,
    TaskStatus::NotStarted,
    TaskStatus::Overdue,
    TaskStatus::Withdrawn,
];

/// The tasks a unit answers for at a date, as its review counts them, filtered by status.
async fn tasks_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TaskQuery>,
    lang: PageLang,
) -> Result<Response, ApiError> {
    let l = lang.lang;
    let as_of = state.as_of(crate::api::optional_date("as_of", q.as_of.as_deref())?);
    let wanted = q.status()?;
    let ds = state.structure().await?;
    let Some(unit) = ds.units.iter().find(|u| u.id == id) else {
        return Ok(not_found(l, &id));
    };
    let tasks = review::tasks_of(&ds, &id, as_of);
    let counts: Vec<String> = TASK_STATUSES
        .iter()
        .filter_map(|s| {
            let n = tasks.iter().filter(|t| t.status == *s).count();
            (n > 0).then(|| format!("{}: {n}", locale::task_status(l, *s)))
        })
        .collect();
    let unit_name = |u: &str| {
        ds.units
            .iter()
            .find(|x| x.id == u)
            .map_or_else(|| u.to_string(), |x| x.name.clone())
    };
    let rows = tasks
        .iter()
        .filter(|t| wanted.is_none_or(|w| t.status == w))
        .map(|t| TaskRow {
            resolution: t.resolution.clone(),
            code: t.code.clone(),
            name: t.name.clone(),
            unit: unit_name(&t.unit),
            due: t
                .due
                .map_or_else(|| "—".to_string(), |d| locale::date(l, d)),
            status: locale::task_status(l, t.status),
            status_class: task_class(t.status),
        })
        .collect();
    let html = TasksPage {
        crumbs: crumbs_to(&ds, &id),
        l: labels(l),
        lang: code(l),
        other: other(l),
        name: unit.name.clone(),
        as_of: as_of.to_string(),
        statuses: TASK_STATUSES
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: locale::task_status(l, *s),
                chosen: wanted == Some(*s),
            })
            .collect(),
        counts: counts.join(", "),
        rows,
    }
    .render();
    Ok(page(&lang, html))
}

fn task_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Done => "done",
        TaskStatus::InProgress => "in-progress",
        TaskStatus::NotStarted => "not-started",
        TaskStatus::Overdue => "overdue",
        TaskStatus::Withdrawn => "withdrawn",
    }
}
