//! The pages that write: data entry ([`crate::entry`]) and the adjustment form
//! ([`crate::adjust`]). Both post plain HTML forms and answer POST/redirect/GET.

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/units/{id}/entry",
            get(crate::entry::entry_page).post(crate::entry::entry_save),
        )
        .route(
            "/resolutions/{id}/targets/{code}/adjust",
            get(crate::adjust::adjust_page).post(crate::adjust::adjust_save),
        )
}

/// `s` as one segment of a URL path, so that a redirect to it is a valid header whatever the
/// id holds.
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
