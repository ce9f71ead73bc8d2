//! The web app over HTTP: the real server on a free port, the demo in a SQLite store, requests
//! as a browser or an API client sends them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails by panicking.

use chitieu_domain::review::{self, ReviewOptions};
use serde_json::Value;

mod common;
use common::spawn_demo;

async fn get_json(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn health_and_resolutions() {
    let app = spawn_demo().await;
    let (status, health) = get_json(&format!("{}/healthz", app.base)).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (_, v) = get_json(&format!("{}/api/v1/resolutions", app.base)).await;
    let ids: Vec<&str> = v["resolutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"luc-ngan-xxiv"), "{ids:?}");
    assert_eq!(ids.len(), 3);
}

/// The review over HTTP is the JSON `chitieu review --format json` writes.
#[tokio::test]
async fn review_is_the_command_lines_json() {
    let app = spawn_demo().await;
    let (status, got) = get_json(&format!("{}/api/v1/units/luc-ngan/review", app.base)).await;
    assert_eq!(status, 200);
    let ds = app.store.load().await.unwrap();
    let want = chitieu_reports::json::review(
        &review::build(
            &ds,
            ReviewOptions {
                unit: "luc-ngan",
                as_of: "2018-06-25".parse().unwrap(),
                include_unapproved: false,
            },
        )
        .unwrap(),
    );
    assert_eq!(got, want);
    let own = &got["resolutions"][0];
    assert_eq!(
        (own["achieved_or_exceeded"].as_u64(), own["total"].as_u64()),
        (Some(4), Some(16))
    );
}

#[tokio::test]
async fn status_as_of_a_date_and_errors_that_name_the_field() {
    let app = spawn_demo().await;
    let url = format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status?as_of=2017-12-31",
        app.base
    );
    let (status, v) = get_json(&url).await;
    assert_eq!(status, 200);
    assert_eq!(v["as_of"], "2017-12-31");
    assert_eq!(v["targets"].as_array().unwrap().len(), 16);

    let (status, e) = get_json(&format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status?as_of=25/6/2018",
        app.base
    ))
    .await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["code"], "bad_parameter");
    assert_eq!(e["error"]["field"], "as_of");
    let (status, e) = get_json(&format!("{}/api/v1/resolutions/nope/status", app.base)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, e) = get_json(&format!("{}/api/v1/units/nope/review", app.base)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

async fn page(url: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, String) {
    let client = reqwest::Client::new();
    let mut req = client.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let h = r.headers().clone();
    (status, h, r.text().await.unwrap())
}

/// The dashboard in Vietnamese by default, in English by `?lang=en` (remembered in a cookie) or
/// by the browser's `Accept-Language`; every response carries a request id.
#[tokio::test]
async fn dashboard_in_both_languages() {
    let app = spawn_demo().await;
    let url = format!("{}/resolutions/luc-ngan-xxiv", app.base);
    let (status, h, vi) = page(&url, &[]).await;
    assert_eq!(status, 200);
    assert!(h.contains_key("x-request-id"));
    assert!(
        vi.contains(
            "Tính đến ngày 25/6/2018: hoàn thành và hoàn thành vượt mức <strong>4/16</strong>"
        ),
        "{vi}"
    );
    // Adjusted values with the original struck through, Vietnamese decimals.
    assert!(vi.contains("41,3% <s>37%</s>"), "{vi}");
    assert!(vi.contains("khó hoàn thành"));

    let (_, h, en) = page(&format!("{url}?lang=en"), &[]).await;
    assert!(en.contains("As of 25 June 2018: achieved or exceeded <strong>4/16</strong>"));
    assert!(en.contains("41.3% <s>37%</s>"), "{en}");
    let cookie = h.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let (_, _, remembered) = page(&url, &[("cookie", "lang=en")]).await;
    assert!(remembered.contains("achieved or exceeded"));
    let (_, _, browser) = page(&url, &[("accept-language", "en-GB,en;q=0.9")]).await;
    assert!(browser.contains("achieved or exceeded"));

    let (status, _, home) = page(&format!("{}/", app.base), &[]).await;
    assert_eq!(status, 200);
    assert!(home.contains("/resolutions/luc-ngan-xxiv"));
    let (status, _, _) = page(&format!("{}/resolutions/nope", app.base), &[]).await;
    assert_eq!(status, 404);
}

/// A figure written through the store counts in the very next page: nothing is cached.
#[tokio::test]
async fn a_figure_written_counts_in_the_next_request() {
    let app = spawn_demo().await;
    let url = format!("{}/api/v1/resolutions/luc-ngan-xxiv/status", app.base);
    let status_of = |v: &Value, code: &str| {
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .map(|t| t["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (_, before) = get_json(&url).await;
    let code = "15";
    assert_eq!(status_of(&before, code), "off_track");
    // The district's figure the article quotes (49,7%), reported again as 75% the same day:
    // the later stored is in force.
    let ds = app.store.load().await.unwrap();
    let mut o = ds
        .observations
        .iter()
        .find(|o| {
            o.unit == "luc-ngan"
                && o.indicator == "village-heads-party-share"
                && o.period.to_string() == "2018-H1"
        })
        .cloned()
        .expect("the village heads figure");
    o.value = "75".parse().unwrap();
    app.store.add_observations(&[o]).await.unwrap();
    let (_, after) = get_json(&url).await;
    // 75% against a target of 70%: strictly better.
    assert_eq!(status_of(&after, code), "exceeded", "{after}");
}

/// The review page shows the command line's review; its downloads are the same Markdown and JSON.
#[tokio::test]
async fn review_page_and_downloads() {
    let app = spawn_demo().await;
    let (status, _, html) = page(&format!("{}/units/luc-ngan/review", app.base), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>4/16</strong>"), "{html}");
    assert!(html.contains("49,7%"));
    assert!(html.contains("<table>"), "tables are rendered");
    let (status, h, md) = page(&format!("{}/units/luc-ngan/review.md", app.base), &[]).await;
    assert_eq!(status, 200);
    let disposition = h.get("content-disposition").unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let ds = app.store.load().await.unwrap();
    let as_of = "2018-06-25".parse().unwrap();
    let r = review::build(
        &ds,
        ReviewOptions {
            unit: "luc-ngan",
            as_of,
            include_unapproved: false,
        },
    )
    .unwrap();
    let rollups = chitieu_domain::status::StatusOptions {
        as_of,
        include_unapproved: false,
    }
    .rollups(&ds);
    let text = app.store.review_text("luc-ngan", as_of).await.unwrap();
    assert_eq!(text, Some(common::demo_text()));
    let doc = chitieu_reports::document::build(
        chitieu_reports::Lang::Vi,
        &ds,
        &rollups,
        &r,
        text.as_ref(),
    );
    assert_eq!(md, chitieu_reports::document::markdown(&doc));
    assert!(
        html.contains("Thân Văn Khánh"),
        "the office's text is on the page"
    );
    // The HTML download is the command line's `--format html`, a document of its own.
    let (status, h, file) = page(&format!("{}/units/luc-ngan/review.html", app.base), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .contains("review-luc-ngan-2018-06-25.html"));
    assert_eq!(file, chitieu_reports::html::review(&doc));
    assert!(file.contains("<svg"), "the charts are inline");
    assert!(file.starts_with("<!doctype html>") && !file.contains("/static/"));
    // Word and PDF: the same document, rendered by the command line's renderers.
    for (ext, mime, bytes) in [
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            chitieu_reports::docx::render(&doc).unwrap(),
        ),
        (
            "pdf",
            "application/pdf",
            chitieu_reports::pdf::render(&doc).unwrap(),
        ),
    ] {
        let r = reqwest::get(format!(
            "{}/units/luc-ngan/review.{ext}?as_of=2018-06-25",
            app.base
        ))
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{ext}");
        assert_eq!(r.headers()["content-type"], mime);
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("review-luc-ngan-2018-06-25.{ext}")));
        let got = r.bytes().await.unwrap();
        assert!(
            got.starts_with(if ext == "pdf" { b"%PDF" } else { b"PK\x03\x04" }),
            "{ext}"
        );
        assert_eq!(got.len(), bytes.len(), "{ext}: the document the page shows");
    }
    assert!(
        html.contains("/units/luc-ngan/review.docx?")
            && html.contains("/units/luc-ngan/review.pdf?")
    );
    let (_, _, en) = page(&format!("{}/units/luc-ngan/review?lang=en", app.base), &[]).await;
    assert!(en.contains("Download Markdown"));
    assert!(en.contains("/units/luc-ngan/review.html?"));
    let (status, _, _) = page(&format!("{}/units/nope/review", app.base), &[]).await;
    assert_eq!(status, 404);
}

/// The OpenAPI document lists every API route, each documented path answers, and its
/// parameters are the ones the handlers read.
#[tokio::test]
async fn openapi_lists_every_route() {
    let app = spawn_demo().await;
    let (status, doc) = get_json(&format!("{}/api/v1/openapi.json", app.base)).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "/adjustments",
        "/observations",
        "/resolutions",
        "/resolutions/{id}/status",
        "/resolutions/{id}/targets/{code}",
        "/units/{id}",
        "/units/{id}/documents",
        "/units/{id}/entry",
        "/units/{id}/review",
        "/units/{id}/review-text",
        "/units/{id}/tasks",
        "/units/{id}/template",
    ];
    want.sort();
    let mut got = paths.clone();
    got.sort();
    assert_eq!(got, want);
    assert!(doc["paths"]["/observations"]["post"]["responses"]["422"].is_object());
    for p in paths {
        if doc["paths"][p]["get"].is_null() {
            // Only written to (POST): its body is tested on its own.
            assert!(
                doc["paths"][p]["post"]["responses"]["200"].is_object(),
                "{p}"
            );
            continue;
        }
        let url = p
            .replace("/resolutions/{id}", "/resolutions/luc-ngan-xxiv")
            .replace("{code}", "3")
            .replace("/units/{id}", "/units/luc-ngan")
            .replace(
                "/observations",
                "/observations?unit=luc-ngan&indicator=forest-cover",
            );
        let (status, _) = get_json(&format!("{}/api/v1{url}", app.base)).await;
        assert_eq!(status, 200, "{p}");
        let op = &doc["paths"][p]["get"];
        assert!(op["responses"]["200"].is_object(), "{p}");
        let params: Vec<(&str, &str)> = op["parameters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| (x["name"].as_str().unwrap(), x["in"].as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        // Every `{name}` of the path is a path parameter, and nothing else is.
        let in_path: Vec<&str> = p
            .split('{')
            .skip(1)
            .filter_map(|x| x.split('}').next())
            .collect();
        let documented: Vec<&str> = params
            .iter()
            .filter(|(_, at)| *at == "path")
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(documented, in_path, "{p}");
        // A documented date parameter is read: a date that is not one is refused by name.
        for (name, _) in params
            .iter()
            .filter(|(n, _)| ["as_of", "from", "to"].contains(n))
        {
            let sep = if url.contains('?') { '&' } else { '?' };
            let (status, e) =
                get_json(&format!("{}/api/v1{url}{sep}{name}=31/12/2018", app.base)).await;
            assert_eq!(
                (status, e["error"]["field"].as_str()),
                (400, Some(*name)),
                "{p} {name}"
            );
        }
    }
}

async fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// A figure entered through the API counts in the next status; bad input is named by field and
/// writes nothing.
#[tokio::test]
async fn observations_in_and_out() {
    let app = spawn_demo().await;
    let url = format!("{}/api/v1/observations", app.base);
    let status_url = format!("{}/api/v1/resolutions/luc-ngan-xxiv/status", app.base);
    let forest = |v: &Value| {
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "11")
            .map(|t| {
                (
                    t["status"].as_str().unwrap().to_string(),
                    t["latest"].clone(),
                )
            })
            .unwrap()
    };
    let (_, before) = get_json(&status_url).await;
    assert_eq!(forest(&before).0, "off_track");

    let one = |period: &str, value: Value| {
        serde_json::json!({"observations": [{
            "unit": "luc-ngan", "indicator": "forest-cover", "period": period,
            "value": value, "standing": "estimate", "reported": "2018-06-24"
        }]})
    };
    let (status, r) = post_json(&url, &one("2018", serde_json::json!(41.5))).await;
    assert_eq!((status, r["added"].as_u64()), (200, Some(1)), "{r}");
    let (_, after) = get_json(&status_url).await;
    assert_eq!(
        forest(&after),
        ("exceeded".to_string(), serde_json::json!(41.5))
    );
    // The same figure again: skipped.
    let (_, r) = post_json(&url, &one("2018", serde_json::json!("41.5"))).await;
    assert_eq!(
        (r["added"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(1))
    );

    let (_, list) = get_json(&format!("{url}?unit=luc-ngan&indicator=forest-cover")).await;
    let last = list["observations"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["period"], "2018");
    assert_eq!(last["value"], "41.5");

    let (status, e) = post_json(&url, &one("2018-Q5", serde_json::json!(1))).await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["field"], "observations[0].period", "{e}");
    let (status, e) = post_json(&url, &one("2018", serde_json::json!("4l"))).await;
    assert_eq!(
        (status, e["error"]["field"].as_str()),
        (400, Some("observations[0].value"))
    );
    let mut bad = one("2019", serde_json::json!(1));
    bad["observations"][0]["unit"] = serde_json::json!("atlantis");
    let (status, e) = post_json(&url, &bad).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["code"], "invalid");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("atlantis"),
        "{e}"
    );
    let (status, e) = post_json(&url, &serde_json::json!({"figures": []})).await;
    assert_eq!(
        (status, e["error"]["field"].as_str()),
        (400, Some("observations"))
    );
    // Nothing of the refused posts was written.
    let (_, again) = get_json(&format!("{url}?unit=luc-ngan&indicator=forest-cover")).await;
    assert_eq!(again["observations"], list["observations"]);
}

/// The target page: the chart drawn on the server with the adjustment marked, the numbers
/// behind the status, the adjustment history with its decision, the sub-units' values.
#[tokio::test]
async fn target_page_with_chart_and_history() {
    let app = spawn_demo().await;
    let (_, _, dash) = page(&format!("{}/resolutions/luc-ngan-xxiv", app.base), &[]).await;
    assert!(dash.contains("href=\"/resolutions/luc-ngan-xxiv/targets/11?as_of=2018-06-25\""));
    let (status, _, html) = page(
        &format!("{}/resolutions/luc-ngan-xxiv/targets/11", app.base),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "{html}");
    for class in ["path", "target", "estimate", "projection", "adjustment"] {
        assert!(html.contains(&format!("class=\"{class}\"")), "{class}");
    }
    assert!(html.contains("khó hoàn thành"));
    assert!(html.contains("id=\"adjustments\""));
    assert!(html.contains("25/6/2018"));
    assert!(html.contains("41,3%"));
    // The commune-level values below the district.
    assert!(html.contains("Các đơn vị trực thuộc"), "{html}");
    let (_, _, en) = page(
        &format!("{}/resolutions/luc-ngan-xxiv/targets/11?lang=en", app.base),
        &[],
    )
    .await;
    assert!(en.contains("Progress ratio R") && en.contains("off track"));
    let (status, _, _) = page(
        &format!("{}/resolutions/luc-ngan-xxiv/targets/99", app.base),
        &[],
    )
    .await;
    assert_eq!(status, 404);
}

/// An adjustment through the API: in the target's history at once, with its decision; the
/// status as of a date before the decision is judged on the old version.
#[tokio::test]
async fn an_adjustment_is_in_the_history() {
    let app = spawn_demo().await;
    let url = format!("{}/api/v1/adjustments", app.base);
    let adj = serde_json::json!({
        "resolution": "luc-ngan-xxiv", "code": "2",
        "decision": {"body": "Ban Thường vụ Huyện ủy", "reference": "Kết luận 12-KL/HU", "date": "2018-06-25"},
        "reason": "Thu nhập tăng nhanh hơn dự kiến",
        "change": {"value": 50}
    });
    let (status, r) = post_json(&url, &adj).await;
    assert_eq!((status, r["added"].as_u64()), (200, Some(1)), "{r}");
    let (_, _, html) = page(
        &format!("{}/resolutions/luc-ngan-xxiv/targets/2", app.base),
        &[],
    )
    .await;
    assert!(html.contains("Kết luận 12-KL/HU"), "{html}");
    assert!(html.contains("Thu nhập tăng nhanh hơn dự kiến"));
    let (_, st) = get_json(&format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status",
        app.base
    ))
    .await;
    let t2 = st["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "2")
        .unwrap()
        .clone();
    assert_eq!(
        (t2["target_value"].clone(), t2["target_original"].clone()),
        (serde_json::json!(50), serde_json::json!(45))
    );
    let (_, before) = get_json(&format!(
        "{}/api/v1/resolutions/luc-ngan-xxiv/status?as_of=2018-06-24",
        app.base
    ))
    .await;
    let old = before["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "2")
        .unwrap()
        .clone();
    assert_eq!(old["target_value"], 45);

    let mut bad = adj.clone();
    bad["decision"]["date"] = serde_json::json!("25/6/2018");
    let (status, e) = post_json(&url, &bad).await;
    assert_eq!(
        (status, e["error"]["field"].as_str()),
        (400, Some("decision.date")),
        "{e}"
    );
    let mut bad = adj.clone();
    bad["change"] = serde_json::json!({});
    let (status, e) = post_json(&url, &bad).await;
    assert_eq!(
        (status, e["error"]["field"].as_str()),
        (400, Some("change"))
    );
    let mut bad = adj.clone();
    bad["code"] = serde_json::json!("99");
    let (status, e) = post_json(&url, &bad).await;
    assert_eq!(status, 422, "{e}");
}

/// The unit page: breadcrumbs up the tree, the resolutions it implements, its sub-units
/// compared on an indicator of its choice.
#[tokio::test]
async fn unit_page_compares_sub_units() {
    let app = spawn_demo().await;
    let (status, _, html) = page(&format!("{}/units/luc-ngan", app.base), &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("/units/bac-giang"),
        "breadcrumb to the province: {html}"
    );
    assert!(html.contains("/resolutions/luc-ngan-xxiv"));
    assert!(html.contains("id=\"compare\""));
    assert!(html.contains("/units/phuong-son"));
    let (_, _, forest) = page(
        &format!("{}/units/luc-ngan?indicator=forest-cover", app.base),
        &[],
    )
    .await;
    assert!(
        forest.contains("<option value=\"forest-cover\" selected>"),
        "{forest}"
    );
    let (status, _, _) = page(&format!("{}/units/nope", app.base), &[]).await;
    assert_eq!(status, 404);
}

/// The document register counts the district's documents of the term as the article does.
#[tokio::test]
async fn document_register_counts_by_kind() {
    let app = spawn_demo().await;
    let url = format!(
        "{}/units/luc-ngan/documents?from=2015-07-10&to=2018-06-25",
        app.base
    );
    let (status, _, html) = page(&url, &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            "8 nghị quyết, 3 chương trình hành động, 25 kế hoạch, 3 hướng dẫn, 4 chỉ thị"
        ),
        "{html}"
    );
    let (_, _, plans) = page(&format!("{url}&kind=directive"), &[]).await;
    assert_eq!(plans.matches("<td>chỉ thị</td>").count(), 4, "{plans}");
    let (status, _, _) = page(&format!("{url}&kind=memo"), &[]).await;
    assert_eq!(status, 400);
}

/// `pairs` as an HTML form sends them (application/x-www-form-urlencoded).
fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts a form as a browser does, without following the redirect: (status, Location, body).
async fn post_form(url: &str, pairs: &[(&str, &str)]) -> (u16, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(pairs))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (status, location, r.text().await.unwrap())
}

fn target_status(v: &Value, code: &str) -> Value {
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .cloned()
        .unwrap()
}

/// The data entry grid: the unit's indicators × the years of its term, each cell with the
/// figure in force; a figure typed the Vietnamese way is saved, and the page redirects to the
/// grid with a confirmation.
#[tokio::test]
async fn data_entry_saves_a_figure_in_the_vietnamese_form() {
    let app = spawn_demo().await;
    let url = format!("{}/units/luc-ngan/entry", app.base);
    let (status, _, html) = page(&url, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"v.forest-cover.2018\""), "{html}");
    assert!(html.contains("<th>2015</th>") && html.contains("<th>2020</th>"));
    assert!(html.contains("Độ che phủ rừng"));
    assert!(
        html.contains("35,2 chính thức"),
        "the 2015 figure in force: {html}"
    );
    let (_, _, unit) = page(&format!("{}/units/luc-ngan", app.base), &[]).await;
    assert!(unit.contains("href=\"/units/luc-ngan/entry"));
    let (_, _, dash) = page(&format!("{}/resolutions/luc-ngan-xxiv", app.base), &[]).await;
    assert!(dash.contains("href=\"/units/luc-ngan/entry"));

    let status_url = format!("{}/api/v1/resolutions/luc-ngan-xxiv/status", app.base);
    let (_, before) = get_json(&status_url).await;
    assert_eq!(target_status(&before, "11")["status"], "off_track");
    let (status, location, body) = post_form(
        &url,
        &[
            ("from", "2015"),
            ("to", "2020"),
            ("v.forest-cover.2018", "41,5"),
            ("s.forest-cover.2018", "estimate"),
            ("v.income-per-capita.2018", ""),
            ("reported", "2018-06-24"),
            ("reported_by", "Hạt Kiểm lâm"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let location = location.unwrap();
    assert!(location.starts_with("/units/luc-ngan/entry?"), "{location}");
    let (_, after) = get_json(&status_url).await;
    let t = target_status(&after, "11");
    assert_eq!(
        (t["status"].as_str(), t["latest"].clone()),
        (Some("exceeded"), serde_json::json!(41.5)),
        "{t}"
    );
    let (status, _, html) = page(&format!("{}{location}", app.base), &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Đã lưu: 1 số liệu mới, 0 không đổi"),
        "{html}"
    );
    assert!(html.contains("41,5 ước"), "{html}");

    // In English, the English form.
    let (status, _, body) = post_form(
        &format!("{url}?lang=en"),
        &[
            ("v.budget-revenue.2017", "1,234.5"),
            ("s.budget-revenue.2017", "final"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, list) = get_json(&format!(
        "{}/api/v1/observations?unit=luc-ngan&indicator=budget-revenue",
        app.base
    ))
    .await;
    let y2017 = list["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["period"] == "2017")
        .cloned()
        .unwrap();
    assert_eq!(
        (y2017["value"].as_str(), y2017["standing"].as_str()),
        (Some("1234.5"), Some("final"))
    );
}

/// A bad cell: the grid again (422) with the problem next to the cell, naming its indicator and
/// period, every input kept, and nothing written — not even the good cells.
#[tokio::test]
async fn data_entry_refuses_a_bad_cell_and_writes_nothing() {
    let app = spawn_demo().await;
    let url = format!("{}/units/luc-ngan/entry", app.base);
    let list_url = format!(
        "{}/api/v1/observations?unit=luc-ngan&indicator=forest-cover",
        app.base
    );
    let (_, before) = get_json(&list_url).await;
    let (status, location, html) = post_form(
        &url,
        &[
            ("v.forest-cover.2018", "41,5"),
            ("s.forest-cover.2018", "estimate"),
            // The English form on a Vietnamese page: refused, not read as 415.
            ("v.income-per-capita.2018", "41.5"),
            ("s.income-per-capita.2018", "estimate"),
        ],
    )
    .await;
    assert_eq!((status, location), (422, None));
    assert!(
        html.contains("Thu nhập bình quân đầu người, 2018: `41.5` không phải số"),
        "{html}"
    );
    assert!(
        html.contains("value=\"41.5\"") && html.contains("value=\"41,5\""),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    let (_, after) = get_json(&list_url).await;
    assert_eq!(after["observations"], before["observations"]);

    // Refused by the domain's rules (an indicator the dataset does not know): named the same way.
    let (status, _, html) = post_form(&url, &[("v.atlantis.2018", "1")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("atlantis, 2018: unknown indicator `atlantis`"),
        "{html}"
    );
    let (status, _, html) = post_form(
        &url,
        &[("v.forest-cover.2018", "1"), ("reported", "24/6/2018")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Ngày báo cáo: không phải ngày"), "{html}");
    let (_, after) = get_json(&list_url).await;
    assert_eq!(after["observations"], before["observations"]);
    let (status, _, _) = page(&format!("{}/units/nope/entry", app.base), &[]).await;
    assert_eq!(status, 404);
}

/// The grid as JSON, its range chosen by period; parameters named in errors.
#[tokio::test]
async fn entry_grid_as_json() {
    let app = spawn_demo().await;
    let url = format!("{}/api/v1/units/luc-ngan/entry", app.base);
    let (status, g) = get_json(&url).await;
    assert_eq!(status, 200);
    let periods: Vec<&str> = g["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2015", "2016", "2017", "2018", "2019", "2020"]);
    let forest = g["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "forest-cover")
        .cloned()
        .unwrap();
    assert_eq!(forest["measure"], "%");
    assert_eq!(
        forest["cells"][0],
        serde_json::json!({"period": "2015", "value": "35.2", "standing": "final"})
    );
    let (_, halves) = get_json(&format!("{url}?from=2018-H1&to=2019-H2")).await;
    assert_eq!(halves["periods"].as_array().unwrap().len(), 4);
    let (_, one) = get_json(&format!("{url}?from=2018-Q3")).await;
    assert_eq!(one["periods"][0], "2018-Q3");
    for (q, field) in [
        ("from=18", "from"),
        ("from=2018&to=2018-Q2", "to"),
        ("from=2019&to=2018", "to"),
        ("from=1900&to=2100", "to"),
    ] {
        let (status, e) = get_json(&format!("{url}?{q}")).await;
        assert_eq!(
            (status, e["error"]["field"].as_str()),
            (400, Some(field)),
            "{q}"
        );
    }
    let (status, _) = get_json(&format!("{}/api/v1/units/nope/entry", app.base)).await;
    assert_eq!(status, 404);
}

/// The adjustment form: recorded through the API's own check and write, then the target page
/// with the adjustment in its history; bad fields come back next to their inputs, nothing written.
#[tokio::test]
async fn adjustment_form_records_and_shows_in_the_history() {
    let app = spawn_demo().await;
    let target = format!("{}/resolutions/luc-ngan-xxiv/targets/2", app.base);
    let (_, _, t) = page(&target, &[]).await;
    assert!(
        t.contains("href=\"/resolutions/luc-ngan-xxiv/targets/2/adjust\""),
        "{t}"
    );
    let url = format!("{target}/adjust");
    let (status, _, form) = page(&url, &[]).await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"decision.reference\""));
    assert!(
        form.contains("value=\"2018-06-25\""),
        "the decision dated as of the page: {form}"
    );
    assert!(form.contains("45 triệu đồng/người"), "{form}");

    let status_url = format!("{}/api/v1/resolutions/luc-ngan-xxiv/status", app.base);
    let (status, location, html) = post_form(
        &url,
        &[
            ("change.value", "4l"),
            ("decision.body", "Ban Thường vụ Huyện ủy"),
            ("decision.reference", ""),
            ("decision.date", "25/6/2018"),
            ("reason", "Thu nhập tăng nhanh"),
        ],
    )
    .await;
    assert_eq!((status, location), (422, None));
    for field in ["change.value", "decision.reference", "decision.date"] {
        assert!(
            html.contains(&format!("data-for=\"{field}\"")),
            "{field}: {html}"
        );
    }
    assert!(!html.contains("data-for=\"reason\""));
    assert!(html.contains("`4l` không phải số"));
    assert!(
        html.contains("value=\"Ban Thường vụ Huyện ủy\"")
            && html.contains(">Thu nhập tăng nhanh</textarea>")
    );
    let (_, html) = (
        0,
        post_form(
            &url,
            &[
                ("decision.body", "B"),
                ("decision.reference", "R"),
                ("reason", "x"),
            ],
        )
        .await
        .2,
    );
    assert!(
        html.contains("data-for=\"change\""),
        "nothing to change: {html}"
    );
    let (_, html) = (
        0,
        post_form(
            &url,
            &[
                ("change.value", "1"),
                ("change.value.min", "1"),
                ("change.value.max", "2"),
                ("decision.body", "B"),
                ("decision.reference", "R"),
                ("reason", "x"),
            ],
        )
        .await
        .2,
    );
    assert!(
        html.contains("data-for=\"change.value\""),
        "two shapes at once: {html}"
    );
    let (_, st) = get_json(&status_url).await;
    assert_eq!(
        target_status(&st, "2")["target_value"],
        45,
        "nothing written"
    );

    let (status, location, body) = post_form(
        &url,
        &[
            ("as_of", "2018-06-25"),
            ("change.value", "47,5"),
            ("decision.body", "Ban Thường vụ Huyện ủy"),
            ("decision.reference", "Kết luận 12-KL/HU"),
            ("decision.date", "2018-06-25"),
            ("reason", "Thu nhập tăng nhanh hơn dự kiến"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let location = location.unwrap();
    assert!(
        location.starts_with("/resolutions/luc-ngan-xxiv/targets/2?"),
        "{location}"
    );
    let (_, _, html) = page(&format!("{}{location}", app.base), &[]).await;
    assert!(
        html.contains("Kết luận 12-KL/HU") && html.contains("Thu nhập tăng nhanh hơn dự kiến"),
        "{html}"
    );
    let (_, st) = get_json(&status_url).await;
    assert_eq!(
        target_status(&st, "2")["target_value"],
        serde_json::json!(47.5)
    );

    // A range, then a withdrawal: the same fields as the JSON API's.
    let (status, _, body) = post_form(
        &format!(
            "{}/resolutions/luc-ngan-xxiv/targets/3/adjust?lang=en",
            app.base
        ),
        &[
            ("change.value.min", "240.5"),
            ("change.value.max", "1,260"),
            ("change.deadline", "2020-12-31"),
            ("decision.body", "Standing Committee"),
            ("decision.reference", "Conclusion 13"),
            ("decision.date", "2018-06-25"),
            ("reason", "Revenue sources"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, st) = get_json(&status_url).await;
    assert_eq!(
        target_status(&st, "3")["target_value"],
        serde_json::json!({"min": 240.5, "max": 1260})
    );
    let (status, _, _) = page(
        &format!("{}/resolutions/luc-ngan-xxiv/targets/99/adjust", app.base),
        &[],
    )
    .await;
    assert_eq!(status, 404);
}

/// The office's text through the API: read (the demo's, saved with it), replaced, refused by
/// field, and in the very next review; an unknown unit is 404.
#[tokio::test]
async fn review_text_through_the_api() {
    let app = spawn_demo().await;
    let url = format!(
        "{}/api/v1/units/luc-ngan/review-text?as_of=2018-06-25",
        app.base
    );
    let (status, saved) = get_json(&url).await;
    assert_eq!(status, 200);
    assert_eq!(saved["signer"], "Thân Văn Khánh", "{saved}");
    let put = |body: Value| {
        let url = url.clone();
        async move {
            let r = reqwest::Client::new()
                .put(&url)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, text) = put(serde_json::json!({
        "number": " 45-BC/HU ",
        "causes": "Mưa lũ kéo dài.",
        "recipients": ["Ban Thường vụ Tỉnh ủy (b/c),", "  "],
        "layout": "state"
    }))
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["number"], "45-BC/HU");
    assert_eq!(
        text["recipients"],
        serde_json::json!(["Ban Thường vụ Tỉnh ủy (b/c),"])
    );
    let (_, _, md) = page(
        &format!("{}/units/luc-ngan/review.md?as_of=2018-06-25", app.base),
        &[],
    )
    .await;
    assert!(md.contains("Mưa lũ kéo dài."), "{md}");
    assert!(
        md.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "the layout asked for: {md}"
    );
    assert!(md.contains("Số: 45-BC/HU"), "{md}");
    assert!(!md.contains("Thân Văn Khánh"), "replaced, not merged");

    let (status, err) = put(serde_json::json!({"signer_title": "A\nB"})).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("signer_title")),
        "{err}"
    );
    let (status, err) = put(serde_json::json!({"sign": "x"})).await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("sign"),
        "{err}"
    );
    let (status, err) = put(serde_json::json!({"layout": "council"})).await;
    assert_eq!(status, 400, "{err}");
    let (_, again) = get_json(&url).await;
    assert_eq!(again, text, "refused bodies wrote nothing");

    let (status, _) = get_json(&format!("{}/api/v1/units/nowhere/review-text", app.base)).await;
    assert_eq!(status, 404);
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/units/nowhere/review-text", app.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

/// The form on the review page saves the office's text and goes back to the review, which
/// prints it; a problem brings the page back (422) with what was typed.
#[tokio::test]
async fn review_text_form_on_the_review_page() {
    let app = spawn_demo().await;
    let review = format!("{}/units/luc-ngan/review?as_of=2018-06-25", app.base);
    let (_, _, html) = page(&review, &[]).await;
    assert!(html.contains("name=\"causes\""), "the form is on the page");
    assert!(html.contains("Thân Văn Khánh"));
    let post = format!(
        "{}/units/luc-ngan/review/text?as_of=2018-06-25&lang=vi",
        app.base
    );
    let (status, location, _) = post_form(
        &post,
        &[
            ("number", "45-BC/HU"),
            ("signer", "Nguyễn Văn B"),
            ("signer_title", "PHÓ BÍ THƯ"),
            ("recipients", "Ban Thường vụ Tỉnh ủy (b/c),\r\nLưu VP."),
            ("causes", "Hạn hán kéo dài."),
            ("directions", "Tập trung chỉ đạo."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.contains("saved=text"), "{location}");
    let (_, _, html) = page(&format!("{}{location}", app.base), &[]).await;
    assert!(html.contains("Đã lưu phần văn phòng soạn."), "{html}");
    assert!(html.contains("Hạn hán kéo dài."));
    assert!(html.contains("Nguyễn Văn B") && html.contains("PHÓ BÍ THƯ"));
    assert!(html.contains("- Lưu VP."));
    assert!(html.contains("Số 45-BC/HU"));

    let long = "x".repeat(600);
    let (status, _, html) = post_form(&post, &[("signer", &long), ("causes", "Bản mới.")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Người ký: expected at most 500 characters"),
        "{html}"
    );
    assert!(html.contains("Bản mới."), "what was typed is kept");
    let (_, _, html) = page(&review, &[]).await;
    assert!(html.contains("Hạn hán kéo dài."), "nothing was saved");
}
