//! The static assets — stylesheet, Vietnamese fonts, icon — compiled into the binary, so a
//! district office's server needs no files beside the executable and no internet access.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/app.js"),
    },
    Asset {
        name: "icon.svg",
        mime: "image/svg+xml",
        body: include_bytes!("../static/icon.svg"),
    },
    Asset {
        name: "fonts/be-vietnam-pro-latin-400-normal.woff2",
        mime: "font/woff2",
        body: include_bytes!("../static/fonts/be-vietnam-pro-latin-400-normal.woff2"),
    },
    Asset {
        name: "fonts/be-vietnam-pro-latin-600-normal.woff2",
        mime: "font/woff2",
        body: include_bytes!("../static/fonts/be-vietnam-pro-latin-600-normal.woff2"),
    },
    Asset {
        name: "fonts/be-vietnam-pro-vietnamese-400-normal.woff2",
        mime: "font/woff2",
        body: include_bytes!("../static/fonts/be-vietnam-pro-vietnamese-400-normal.woff2"),
    },
    Asset {
        name: "fonts/be-vietnam-pro-vietnamese-600-normal.woff2",
        mime: "font/woff2",
        body: include_bytes!("../static/fonts/be-vietnam-pro-vietnamese-600-normal.woff2"),
    },
    Asset {
        name: "fonts/OFL.txt",
        mime: "text/plain; charset=utf-8",
        body: include_bytes!("../static/fonts/OFL.txt"),
    },
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(asset))
}

/// FNV-1a of the content: the ETag changes exactly when a new build changes the file.
fn etag(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let tag = etag(a.body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        a.body.into_response()
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.mime));
    // An hour, then revalidate with the ETag: a new release's stylesheet reaches every office
    // within the hour without a cache-busting build step.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_named_once_and_not_empty() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert!(!a.body.is_empty(), "{} is empty", a.name);
            assert!(
                ASSETS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
    }

    #[test]
    fn the_stylesheet_names_only_fonts_that_are_served() {
        let css = std::str::from_utf8(ASSETS[0].body).unwrap_or_default();
        let mut named = 0;
        for part in css.split("url(/static/").skip(1) {
            let name = part.split(')').next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not served"
            );
            named += 1;
        }
        assert_eq!(named, 4);
    }
}
