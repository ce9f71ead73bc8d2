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
    let r = review::build(
        &ds,
        ReviewOptions {
            unit: "luc-ngan",
            as_of: "2018-06-25".parse().unwrap(),
            include_unapproved: false,
        },
    )
    .unwrap();
    assert_eq!(
        md,
        chitieu_reports::markdown::review_in_terms(chitieu_reports::Lang::Vi, &r, &ds.terms)
    );
    let (_, _, en) = page(&format!("{}/units/luc-ngan/review?lang=en", app.base), &[]).await;
    assert!(en.contains("Download Markdown"));
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
        "/units/{id}/review",
        "/units/{id}/tasks",
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
