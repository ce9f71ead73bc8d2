//! The pages over HTTP, checked against the JSON API of the same server: the home headlines,
//! the dashboard's filters and sparklines, the task list, the embedded assets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails by panicking.

use serde_json::Value;

mod common;
use common::spawn_demo;

async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let client = reqwest::Client::new();
    let mut req = client.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let h = r.headers().clone();
    (status, h, r.bytes().await.unwrap().to_vec())
}

async fn html(url: &str) -> (u16, String) {
    let (status, _, body) = get(url, &[]).await;
    (status, String::from_utf8(body).unwrap())
}

async fn json(url: &str) -> Value {
    let (status, _, body) = get(url, &[]).await;
    assert_eq!(status, 200, "{url}");
    serde_json::from_slice(&body).unwrap()
}

/// The table row of the page that links to `href`.
fn row_of<'a>(html: &'a str, href: &str) -> &'a str {
    let at = html
        .find(href)
        .unwrap_or_else(|| panic!("{href} not in {html}"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

fn statuses(status: &Value) -> Vec<String> {
    status["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_string())
        .collect()
}

/// Each resolution's headline on the home page is what its status table counts: achieved
/// and exceeded out of the targets not withdrawn, and a status bar segment per status.
#[tokio::test]
async fn home_shows_every_resolutions_headline() {
    let app = spawn_demo().await;
    let (status, home) = html(&format!("{}/", app.base)).await;
    assert_eq!(status, 200);
    let list = json(&format!("{}/api/v1/resolutions", app.base)).await;
    let ids: Vec<&str> = list["resolutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    for id in ids {
        let st = json(&format!("{}/api/v1/resolutions/{id}/status", app.base)).await;
        let all = statuses(&st);
        let counted: Vec<&String> = all.iter().filter(|s| *s != "withdrawn").collect();
        let met = counted
            .iter()
            .filter(|s| ***s == "achieved" || ***s == "exceeded")
            .count();
        let row = row_of(&home, &format!("href=\"/resolutions/{id}\""));
        assert!(
            row.contains(&format!(
                "<strong>{met}/{}</strong> chỉ tiêu hoàn thành và hoàn thành vượt mức",
                counted.len()
            )),
            "{id}: {row}"
        );
        let off = all.iter().filter(|s| *s == "off_track").count();
        if off > 0 {
            assert!(
                row.contains(&format!(
                    "class=\"off-track\" style=\"width: {:.3}%\" title=\"{}: {off}\"",
                    100.0 * off as f64 / counted.len() as f64,
                    chitieu_reports::locale::status(
                        chitieu_reports::Lang::Vi,
                        chitieu_domain::status::Status::OffTrack
                    )
                )),
                "{id}: {row}"
            );
        }
    }
    // The seed's meeting: the district's resolution, 4 of 16.
    let row = row_of(&home, "href=\"/resolutions/luc-ngan-xxiv\"");
    assert!(row.contains("<strong>4/16</strong>"), "{row}");
    let (status, _) = html(&format!("{}/?page=0", app.base)).await;
    assert_eq!(status, 400);
}

/// Filtering the dashboard by status keeps exactly the targets of that status, by field
/// exactly that field's; a bad value is a 400 naming the parameter.
#[tokio::test]
async fn dashboard_filters_by_status_and_field() {
    let app = spawn_demo().await;
    let base = format!("{}/resolutions/luc-ngan-xxiv", app.base);
    let st = json(&format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status",
        app.base
    ))
    .await;
    let all = statuses(&st);
    for (filter, class, wanted) in [
        ("off_track", "off-track", vec!["off_track"]),
        ("at_risk", "at-risk", vec!["at_risk"]),
        ("met", "met", vec!["achieved", "exceeded"]),
    ] {
        let (status, page) = html(&format!("{base}?status={filter}")).await;
        assert_eq!(status, 200);
        let n = all.iter().filter(|s| wanted.contains(&s.as_str())).count();
        assert_eq!(
            page.matches("<span class=\"badge ").count(),
            n,
            "{filter}: {page}"
        );
        assert_eq!(
            page.matches(&format!("<span class=\"badge {class}\""))
                .count(),
            n
        );
    }
    let fields: Vec<&str> = st["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["field"].as_str().unwrap())
        .collect();
    let economy = fields.iter().filter(|f| **f == "economy").count();
    assert!(economy > 0 && economy < fields.len());
    let (_, page) = html(&format!("{base}?field=economy")).await;
    assert_eq!(page.matches("<span class=\"badge ").count(), economy);
    assert_eq!(page.matches("<h2>").count(), 1);

    for bad in ["status=late", "field=sports"] {
        let (status, _, body) = get(&format!("{base}?{bad}"), &[]).await;
        assert_eq!(status, 400, "{bad}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["error"]["field"], bad.split('=').next().unwrap());
    }
}

/// Every target with figures after its baseline has a sparkline; the page links to the
/// embedded stylesheet, not a stylesheet of its own.
#[tokio::test]
async fn dashboard_rows_have_sparklines() {
    let app = spawn_demo().await;
    let (_, page) = html(&format!("{}/resolutions/luc-ngan-xxiv", app.base)).await;
    let sparks = page.matches("<svg class=\"spark\"").count();
    assert!(sparks > 0, "{page}");
    assert!(sparks <= 16);
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/app.css\">"));
    assert!(!page.contains("<style>"));
    // Breadcrumbs through the unit tree, top first.
    let crumbs = &page[page.find("<nav class=\"crumbs\">").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    let (vn, bg, ln) = (
        crumbs.find("/units/vn").unwrap(),
        crumbs.find("/units/bac-giang").unwrap(),
        crumbs.find("/units/luc-ngan").unwrap(),
    );
    assert!(vn < bg && bg < ln, "{crumbs}");
}

/// The task list is the review's tasks, counted and filtered by status.
#[tokio::test]
async fn task_list_is_the_reviews() {
    let app = spawn_demo().await;
    let review = json(&format!("{}/api/v1/units/luc-ngan/review", app.base)).await;
    let tasks = review["tasks"].as_array().unwrap();
    assert!(!tasks.is_empty());
    let (status, page) = html(&format!("{}/units/luc-ngan/tasks", app.base)).await;
    assert_eq!(status, 200);
    let table = &page[page.find("<table id=\"tasks\">").unwrap()..];
    assert_eq!(table.matches("<tr><td>").count(), tasks.len(), "{page}");
    for t in tasks {
        assert!(page.contains(t["name"].as_str().unwrap()), "{t}");
    }
    let withdrawn = tasks.iter().filter(|t| t["status"] == "withdrawn").count();
    let (_, only) = html(&format!(
        "{}/units/luc-ngan/tasks?status=withdrawn",
        app.base
    ))
    .await;
    let table = &only[only.find("<table id=\"tasks\">").unwrap()..];
    assert_eq!(table.matches("<tr><td>").count(), withdrawn);
    assert_eq!(
        table.matches("badge withdrawn").count(),
        withdrawn,
        "{only}"
    );
    let (status, _) = html(&format!("{}/units/luc-ngan/tasks?status=late", app.base)).await;
    assert_eq!(status, 400);
    let (status, _) = html(&format!("{}/units/nowhere/tasks", app.base)).await;
    assert_eq!(status, 404);
}

/// The stylesheet and the Vietnamese fonts come from the binary, with an ETag that answers
/// a revalidation with 304.
#[tokio::test]
async fn static_assets_are_embedded() {
    let app = spawn_demo().await;
    let (status, h, css) = get(&format!("{}/static/app.css", app.base), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "text/css; charset=utf-8");
    let css = String::from_utf8(css).unwrap();
    assert!(css.contains("font-family: \"Be Vietnam Pro\""));
    let font = "/static/fonts/be-vietnam-pro-vietnamese-400-normal.woff2";
    let (status, h, body) = get(&format!("{}{font}", app.base), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "font/woff2");
    assert_eq!(&body[..4], b"wOF2");
    let tag = h["etag"].to_str().unwrap().to_string();
    let (status, _, body) = get(
        &format!("{}{font}", app.base),
        &[("if-none-match", tag.as_str())],
    )
    .await;
    assert_eq!((status, body.len()), (304, 0));
    let (status, _, _) = get(&format!("{}/static/nothing.css", app.base), &[]).await;
    assert_eq!(status, 404);
}

/// The API behind the unit, register, task and target pages answers what the pages show.
#[tokio::test]
async fn the_pages_data_as_json() {
    let app = spawn_demo().await;
    let api = format!("{}/api/v1", app.base);

    let unit = json(&format!("{api}/units/luc-ngan?indicator=forest-cover")).await;
    assert_eq!(unit["unit"]["id"], "luc-ngan");
    assert_eq!(unit["ancestry"], serde_json::json!(["vn", "bac-giang"]));
    let subs = unit["sub_units"].as_array().unwrap();
    assert!(!subs.is_empty());
    let (_, page) = html(&format!(
        "{}/units/luc-ngan?indicator=forest-cover",
        app.base
    ))
    .await;
    for s in subs {
        assert!(page.contains(s["name"].as_str().unwrap()), "{s}");
    }
    assert!(unit["resolutions"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("luc-ngan-xxiv")));
    let (status, _, _) = get(&format!("{api}/units/luc-ngan?indicator=nope"), &[]).await;
    assert_eq!(status, 404);

    let review = json(&format!("{api}/units/luc-ngan/review")).await;
    let tasks = json(&format!("{api}/units/luc-ngan/tasks")).await;
    assert_eq!(tasks["tasks"], review["tasks"]);

    let docs = json(&format!(
        "{api}/units/luc-ngan/documents?from=2015-07-10&to=2018-06-25"
    ))
    .await;
    let listed = docs["documents"].as_array().unwrap().len() as u64;
    let counted: u64 = docs["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(listed, counted);
    let directives = json(&format!(
        "{api}/units/luc-ngan/documents?from=2015-07-10&to=2018-06-25&kind=directive"
    ))
    .await;
    assert_eq!(
        directives["documents"].as_array().unwrap().len() as u64,
        docs["counts"]["directive"].as_u64().unwrap()
    );

    let status = json(&format!("{api}/resolutions/luc-ngan-xxiv/status")).await;
    for row in status["targets"].as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        let t = json(&format!("{api}/resolutions/luc-ngan-xxiv/targets/{code}")).await;
        assert_eq!(&t["target"], row, "{code}");
        let (_, page) = html(&format!(
            "{}/resolutions/luc-ngan-xxiv/targets/{code}",
            app.base
        ))
        .await;
        let history = page.find("<table id=\"adjustments\">").map_or(0, |at| {
            page[at..page[at..].find("</table>").unwrap() + at]
                .matches("<tr><td>")
                .count()
        });
        assert_eq!(
            t["adjustments"].as_array().unwrap().len(),
            history,
            "{code}"
        );
    }
    let (status, _, _) = get(&format!("{api}/resolutions/luc-ngan-xxiv/targets/99"), &[]).await;
    assert_eq!(status, 404);
}

/// Each request body the OpenAPI document describes is what the handler takes: its example,
/// posted as it stands, is written.
#[tokio::test]
async fn the_documented_request_bodies_are_accepted() {
    let app = spawn_demo().await;
    let doc = json(&format!("{}/api/v1/openapi.json", app.base)).await;
    let client = reqwest::Client::new();
    for (path, method) in [
        ("/observations", "post"),
        ("/adjustments", "post"),
        ("/units/{id}/review-text", "put"),
    ] {
        let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"];
        let reference = body["schema"]["$ref"].as_str().unwrap();
        let name = reference.rsplit('/').next().unwrap();
        let schema = &doc["components"]["schemas"][name];
        assert!(schema["properties"].is_object(), "{path}: {schema}");
        let example = &schema["example"];
        assert!(example.is_object(), "{path}: no example");
        // Every property of the example is one the schema declares.
        for key in example.as_object().unwrap().keys() {
            assert!(schema["properties"][key].is_object(), "{path}: {key}");
        }
        let url = format!("{}/api/v1{}", app.base, path.replace("{id}", "luc-ngan"));
        let request = match method {
            "put" => client.put(url),
            _ => client.post(url),
        };
        let r = request.json(example).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 200, "{path}: {text}");
    }
}

/// Every page of the district or of its resolution has breadcrumbs down the unit tree.
#[tokio::test]
async fn every_page_has_breadcrumbs_through_the_tree() {
    let app = spawn_demo().await;
    for page in [
        "/resolutions/luc-ngan-xxiv",
        "/resolutions/luc-ngan-xxiv/targets/11",
        "/units/luc-ngan/documents",
        "/units/luc-ngan/tasks",
        "/units/luc-ngan/review",
        "/units/luc-ngan/entry",
        "/units/chu",
    ] {
        let (status, body) = html(&format!("{}{page}", app.base)).await;
        assert_eq!(status, 200, "{page}");
        let at = body
            .find("<nav class=\"crumbs\">")
            .unwrap_or_else(|| panic!("{page}"));
        let crumbs = &body[at..at + body[at..].find("</nav>").unwrap()];
        for unit in ["/units/vn\"", "/units/bac-giang\""] {
            assert!(crumbs.contains(unit), "{page}: {crumbs}");
        }
    }
}

/// The dashboard's table downloads as an Excel workbook: a row per target of the status, in
/// the page's language.
#[tokio::test]
async fn dashboard_downloads_as_a_workbook() {
    use calamine::{Data, Reader, Xlsx};
    let app = spawn_demo().await;
    let (_, page) = html(&format!("{}/resolutions/luc-ngan-xxiv", app.base)).await;
    assert!(page.contains("/resolutions/luc-ngan-xxiv/status.xlsx?as_of=2018-06-25"));
    let status = json(&format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status",
        app.base
    ))
    .await;
    let (code, h, body) = get(
        &format!("{}/resolutions/luc-ngan-xxiv/status.xlsx?lang=en", app.base),
        &[],
    )
    .await;
    assert_eq!(code, 200);
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let mut book = Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range("Targets").unwrap();
    assert_eq!(
        sheet.get_value((2, 1)),
        Some(&Data::String("Target".into()))
    );
    let codes: Vec<String> = (3..sheet.height() as u32)
        .map(|r| sheet.get_value((r, 0)).unwrap().to_string())
        .collect();
    let want: Vec<String> = status["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, want);
    let (code, _, _) = get(&format!("{}/resolutions/nope/status.xlsx", app.base), &[]).await;
    assert_eq!(code, 404);
}

/// The dashboard carries the status overview chart the review prints, counting its targets.
#[tokio::test]
async fn the_dashboard_has_the_reviews_status_overview() {
    let app = spawn_demo().await;
    let (status, body) = html(&format!("{}/resolutions/luc-ngan-xxiv", app.base)).await;
    assert_eq!(status, 200);
    let at = body
        .find("id=\"status-overview\"")
        .expect("the overview is on the page");
    let svg = &body[at..];
    assert!(svg.contains("<svg"), "{svg}");
    let svg = &svg[..svg.find("</svg>").unwrap()];
    // One bar per status, labelled with its count: together, the resolution's 16 targets.
    let counts: Vec<usize> = svg
        .split("fill=\"#222\">")
        .skip(1)
        .filter_map(|t| t.split('<').next()?.parse().ok())
        .collect();
    assert_eq!(counts.len(), 6, "{svg}");
    assert_eq!(counts.iter().sum::<usize>(), 16, "{svg}");
    assert!(svg.contains("có khả năng hoàn thành"));
}
