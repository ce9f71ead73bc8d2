//! What the web tests share: the real server on a free port with the demo loaded.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chitieu_store::Store;
use chitieu_store_sqlite::SqliteStore;
use chitieu_web::AppState;

const DEMO: &str = include_str!("../../../../demo/luc-ngan-2018.toml");
const DEMO_TEXT: &str = include_str!("../../../../demo/luc-ngan-2018-review-text.toml");

pub struct App {
    pub base: String,
    pub store: Arc<dyn Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The demo bundle, parsed.
pub fn demo() -> chitieu_domain::Dataset {
    chitieu_io::parse_bundle(DEMO, "demo").unwrap().dataset
}

/// The office's text of the demo's review, as `chitieu demo` saves it.
pub fn demo_text() -> chitieu_domain::ReviewText {
    chitieu_io::parse_review_text(DEMO_TEXT, "demo text").unwrap()
}

/// The server on port 0 with the demo loaded, answering as of the demo's meeting.
pub async fn spawn_demo() -> App {
    let store = SqliteStore::open_in_memory().await.unwrap();
    store.import(&demo()).await.unwrap();
    store.save_review_text(&demo_text()).await.unwrap();
    spawn(Arc::new(store)).await
}

/// The server on port 0 over `store`, answering as of the demo's meeting.
pub async fn spawn(store: Arc<dyn Store>) -> App {
    let listener = chitieu_web::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(store.clone(), Some("2018-06-25".parse().unwrap()));
    tokio::spawn(chitieu_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    App {
        base,
        store,
        stop: Some(stop),
    }
}
