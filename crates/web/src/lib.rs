//! chitieu's web app and JSON API: server-rendered pages and `/api/v1` over a [`Store`].
//!
//! The store is the only truth: what the server keeps in memory (`cache`: the structure and
//! recent answers) is of the stored revision read at the start of each request, so a write by
//! any instance counts in the very next request of every instance. Pages and the API read
//! through [`AppState`]'s methods and do not know the cache. Only this crate knows HTTP.

mod adjust;
mod adjustment;
mod api;
mod assets;
mod cache;
mod entry;
mod error;
mod excel;
mod forms;
mod lang;
pub(crate) mod pages;
mod review_text;
mod schema;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use chitieu_domain::review::Scope;
use chitieu_domain::rollup::Rollups;
use chitieu_domain::version::FigureFilter;
use chitieu_domain::Dataset;
use chitieu_store::in_force::judge_on;
use chitieu_store::{FigureColumns, FigureQuery, Store};
use chrono::NaiveDate;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// What every handler shares: the store, the date a question is asked at when the request
/// names none (`None`: today; the demo answers as of its meeting), and the cache of what was
/// read and judged at the store's current revision.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub default_as_of: Option<NaiveDate>,
    cache: Arc<cache::Cache>,
    revisions: Arc<cache::RevisionReads>,
}

/// How many answers the cache keeps: a province's dashboard is a few kilobytes, the structure
/// (kept apart, once) is what weighs.
const CACHED_ANSWERS: usize = 1024;

impl AppState {
    pub fn new(store: Arc<dyn Store>, default_as_of: Option<NaiveDate>) -> AppState {
        AppState {
            store,
            default_as_of,
            cache: Arc::new(cache::Cache::new(CACHED_ANSWERS)),
            revisions: Arc::new(cache::RevisionReads::default()),
        }
    }

    /// The cache's generation for the revision stored now (read after this request arrived,
    /// maybe by a read shared with other requests).
    async fn generation(&self) -> Result<Arc<cache::Generation>, ApiError> {
        let revision = self.revisions.read(|| self.store.revision()).await?;
        Ok(self.cache.at(revision))
    }

    /// Everything but the observations (`Store::load_structure`), as stored now.
    pub async fn structure(&self) -> Result<Arc<Dataset>, ApiError> {
        let generation = self.generation().await?;
        Ok(generation.structure(|| self.store.load_structure()).await?)
    }

    /// `f` on the structure and the roll-ups of the figures `filter` admits in the tree of
    /// `tree_date`, as `chitieu_store::in_force::judge`, remembered until the next write.
    /// `question` and `args` name what else the answer depends on (ids, the language if `f`
    /// renders words, a choice of indicator): two calls with the same question, arguments,
    /// filter and date must ask the same, and a question's answers have one type. An error is
    /// not remembered.
    pub async fn judge<T>(
        &self,
        question: &'static str,
        args: &[&str],
        filter: FigureFilter,
        tree_date: NaiveDate,
        scope: impl Fn(&Dataset) -> Scope,
        f: impl FnOnce(&Dataset, &Rollups) -> Result<T, ApiError>,
    ) -> Result<Arc<T>, ApiError>
    where
        T: Send + Sync + 'static,
    {
        let generation = self.generation().await?;
        let key = cache::Key::new(
            question,
            args.iter().map(|a| a.to_string()).collect(),
            filter,
            tree_date,
        );
        generation
            .answer(key, || async {
                let ds = generation.structure(|| self.store.load_structure()).await?;
                judge_on(self.store.as_ref(), &ds, filter, tree_date, scope, f).await?
            })
            .await
    }

    /// The figures in force `query` asks for, read from the store (a narrow read, not kept).
    pub async fn figures(&self, query: &FigureQuery) -> Result<FigureColumns, ApiError> {
        Ok(self.store.load_figures(query).await?)
    }

    fn as_of(&self, asked: Option<NaiveDate>) -> NaiveDate {
        asked
            .or(self.default_as_of)
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// The whole app: pages, the JSON API, `/healthz`; every request with an `x-request-id`
/// (made if the client sent none) that its log line and its response carry.
pub fn router(state: AppState) -> Router {
    let header = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .merge(pages::routes())
        .merge(assets::routes())
        .merge(excel::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", axum::routing::get(healthz))
        .with_state(state)
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
            },
        ))
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok", "backend": state.store.backend()}))
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `addr`, naming it in the error when it cannot.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}
