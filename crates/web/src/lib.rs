//! chitieu's web app and JSON API: server-rendered pages and `/api/v1` over a [`Store`].
//!
//! The store is the only truth: every request reads what its question needs through
//! `chitieu_store::in_force::judge` (the structure, and the figures of the question's scope),
//! so a figure written by any instance counts in the very next request of every instance.
//! Only this crate knows HTTP.

mod adjust;
mod adjustment;
mod api;
mod assets;
mod entry;
mod error;
mod forms;
mod lang;
pub(crate) mod pages;
mod schema;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use chitieu_store::Store;
use chrono::NaiveDate;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// What every handler shares: the store, and the date a question is asked at when the request
/// names none (`None`: today; the demo answers as of its meeting).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub default_as_of: Option<NaiveDate>,
}

impl AppState {
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
