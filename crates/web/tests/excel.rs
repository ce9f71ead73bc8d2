//! Excel over HTTP: the template's download from the data entry page, its upload (multipart,
//! as a browser posts it) good and bad, and the review's workbook.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails by panicking.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

mod common;
use common::spawn_demo;

#[path = "../../cli/tests/support/fill.rs"]
mod support;
use support::{fill, row_of, Fill};

const SHEET: &str = "Bảng nhập liệu";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn get(url: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

/// Posts `file` and the text fields as `multipart/form-data`, as a browser does, without
/// following the redirect: (status, Location, body).
async fn upload(
    url: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (u16, Option<String>, String) {
    let boundary = "----chitieu-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {XLSX}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
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

async fn observations(base: &str, indicator: &str) -> Vec<Value> {
    let url = format!("{base}/api/v1/observations?unit=luc-ngan&indicator={indicator}");
    let v: Value = serde_json::from_slice(&get(&url).await.2).unwrap();
    v["observations"].as_array().unwrap().clone()
}

/// The data entry page links to the template of the year of its date; the download is a
/// workbook of the unit's indicators with last year's figures; a bad period or unit is named.
#[tokio::test]
async fn the_template_downloads_from_the_entry_page() {
    let app = spawn_demo().await;
    let (status, _, page) = get(&format!("{}/units/luc-ngan/entry", app.base)).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    let href = "/units/luc-ngan/template.xlsx?period=2018&amp;as_of=2018-06-25&amp;lang=vi";
    assert!(page.contains(href), "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let (status, headers, book) = get(&format!("{}{}", app.base, href.replace("&amp;", "&"))).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], XLSX);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("template-luc-ngan-2018.xlsx"));
    let mut x: Xlsx<_> = Xlsx::new(Cursor::new(book.clone())).unwrap();
    let sheet = x.worksheet_range(SHEET).unwrap();
    let income = row_of(&book, SHEET, "income-per-capita") - 1;
    assert_eq!(sheet.get_value((income, 3)), Some(&Data::Float(35.0)));
    // Not over at the demo's date: an estimate by default.
    assert_eq!(
        sheet.get_value((income, 5)),
        Some(&Data::String("Ước tính".into()))
    );
    let (status, _, _) = get(&format!("{}/units/atlantis/template.xlsx", app.base)).await;
    assert_eq!(status, 404);
    let (status, _, body) = get(&format!(
        "{}/units/luc-ngan/template.xlsx?period=2018-Q9",
        app.base
    ))
    .await;
    assert_eq!(status, 400);
    assert!(String::from_utf8(body).unwrap().contains("period"));
}

/// A filled template uploaded: every figure saved, known from the page's date, and the page
/// again with the count, as the grid's save.
#[tokio::test]
async fn a_filled_template_uploads() {
    let app = spawn_demo().await;
    let (_, _, book) = get(&format!(
        "{}/units/luc-ngan/template.xlsx?period=2018",
        app.base
    ))
    .await;
    let r = row_of(&book, SHEET, "income-per-capita");
    let filled = fill(
        &book,
        "xl/worksheets/sheet1.xml",
        &[
            (&format!("E{r}"), Fill::Text("39,4")),
            (&format!("G{r}"), Fill::Text("Chi cục Thống kê")),
        ],
    );
    let url = format!("{}/units/luc-ngan/template?lang=vi", app.base);
    let (status, location, body) = upload(
        &url,
        &[("as_of", "2018-06-25")],
        Some(("luc-ngan.xlsx", &filled)),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let location = location.unwrap();
    assert!(
        location.starts_with("/units/luc-ngan/entry?lang=vi&saved=1&unchanged=0"),
        "{location}"
    );
    let saved = observations(&app.base, "income-per-capita").await;
    let o = saved.iter().find(|o| o["value"] == "39.4").unwrap();
    assert_eq!(
        (o["period"].as_str(), o["standing"].as_str()),
        (Some("2018"), Some("estimate")),
        "{o}"
    );
    // What the API does not show: the source and the date it is known from.
    let stored = app.store.load().await.unwrap();
    let o = stored
        .observations
        .iter()
        .find(|o| o.indicator == "income-per-capita" && o.value.to_string() == "39.4")
        .unwrap();
    assert_eq!(o.source.as_deref(), Some("Chi cục Thống kê"));
    assert_eq!(o.reported, Some("2018-06-25".parse().unwrap()));
    let (_, _, page) = get(&format!("{}{location}", app.base)).await;
    assert!(String::from_utf8(page)
        .unwrap()
        .contains("Đã lưu: 1 số liệu mới, 0 không đổi"));
}

/// A bad upload: the page again (422) with every bad cell, and nothing written; so for a file
/// that is not a workbook, another unit's template, or no file.
#[tokio::test]
async fn a_bad_upload_names_every_cell_and_writes_nothing() {
    let app = spawn_demo().await;
    let (_, _, book) = get(&format!(
        "{}/units/luc-ngan/template.xlsx?period=2018",
        app.base
    ))
    .await;
    let income = row_of(&book, SHEET, "income-per-capita");
    let cover = row_of(&book, SHEET, "forest-cover");
    let bad = fill(
        &book,
        "xl/worksheets/sheet1.xml",
        &[
            (&format!("E{income}"), Fill::Text("abc")),
            (&format!("E{cover}"), Fill::Number(41.6)),
            (&format!("F{cover}"), Fill::Text("chắc chắn")),
        ],
    );
    let before = (
        observations(&app.base, "income-per-capita").await,
        observations(&app.base, "forest-cover").await,
    );
    let url = format!("{}/units/luc-ngan/template", app.base);
    let (status, location, html) = upload(&url, &[], Some(("bad.xlsx", &bad))).await;
    assert_eq!((status, location), (422, None));
    assert!(html.contains("id=\"upload-problems\""), "{html}");
    assert!(html.contains("Chưa lưu gì từ tệp Excel"));
    for cell in [
        format!("Bảng nhập liệu!E{income}: expected a number (e.g. 41,5 or 41.5), found &#34;abc&#34;"),
        format!("Bảng nhập liệu!F{cover}: expected one of Ước tính, Sơ bộ, Chính thức, found &#34;chắc chắn&#34;"),
    ] {
        assert!(html.contains(&cell), "{cell} not in {html}");
    }
    // A good template, but of another unit of the database.
    let good = fill(
        &book,
        "xl/worksheets/sheet1.xml",
        &[(&format!("E{income}"), Fill::Number(39.0))],
    );
    let chu = fill(
        &good,
        "xl/worksheets/sheet2.xml",
        &[("B2", Fill::Text("chu"))],
    );
    for (file, want) in [
        (
            Some(("notes.xlsx", &b"not a workbook"[..])),
            "notes.xlsx: not an Excel workbook",
        ),
        (
            Some(("chu.xlsx", &chu[..])),
            "biểu mẫu này của đơn vị khác: `chu` ≠ `luc-ngan`",
        ),
        (None, "chưa chọn tệp .xlsx"),
    ] {
        let (status, _, html) = upload(&url, &[], file).await;
        assert_eq!(status, 422, "{want}");
        assert!(html.contains(want), "{want} not in {html}");
    }
    let after = (
        observations(&app.base, "income-per-capita").await,
        observations(&app.base, "forest-cover").await,
    );
    assert_eq!(after, before, "nothing written");
}

/// The review page offers its tables as a workbook, one sheet a table.
#[tokio::test]
async fn the_review_downloads_as_a_workbook() {
    let app = spawn_demo().await;
    let (_, _, page) = get(&format!("{}/units/luc-ngan/review", app.base)).await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("/units/luc-ngan/review.xlsx?as_of=2018-06-25"),
        "{page}"
    );
    let (status, headers, book) = get(&format!(
        "{}/units/luc-ngan/review.xlsx?as_of=2018-06-25&lang=en",
        app.base
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], XLSX);
    let mut x: Xlsx<_> = Xlsx::new(Cursor::new(book)).unwrap();
    assert_eq!(
        x.sheet_names(),
        ["Targets", "Documents", "Tasks", "Adjustments", "Shortfalls"]
    );
    let review: Value = serde_json::from_slice(
        &get(&format!(
            "{}/api/v1/units/luc-ngan/review?as_of=2018-06-25",
            app.base
        ))
        .await
        .2,
    )
    .unwrap();
    let targets = x.worksheet_range("Targets").unwrap();
    assert_eq!(
        targets.height(),
        1 + review["targets"].as_array().unwrap().len()
    );
    let (status, _, _) = get(&format!("{}/units/atlantis/review.xlsx", app.base)).await;
    assert_eq!(status, 404);
}

/// The JSON API's equivalent of the upload: the workbook as the body; `{added, skipped}`, or
/// 422 with every bad cell in the message and the first as the field, nothing written.
#[tokio::test]
async fn a_template_posted_to_the_api() {
    let app = spawn_demo().await;
    let (_, _, book) = get(&format!(
        "{}/units/luc-ngan/template.xlsx?period=2018",
        app.base
    ))
    .await;
    let income = row_of(&book, SHEET, "income-per-capita");
    let cover = row_of(&book, SHEET, "forest-cover");
    let post = |body: Vec<u8>, unit: &'static str| {
        let url = format!(
            "{}/api/v1/units/{unit}/template?reported=2018-06-20",
            app.base
        );
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("content-type", XLSX)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let bad = fill(
        &book,
        "xl/worksheets/sheet1.xml",
        &[
            (&format!("E{income}"), Fill::Text("abc")),
            (&format!("E{cover}"), Fill::Text("1,2,3")),
        ],
    );
    let before = observations(&app.base, "income-per-capita").await;
    let (status, e) = post(bad, "luc-ngan").await;
    assert_eq!(status, 422, "{e}");
    let field = format!("Bảng nhập liệu!E{income}");
    assert_eq!(e["error"]["field"].as_str(), Some(field.as_str()), "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("Bảng nhập liệu!E{cover}: expected a number")),
        "{e}"
    );
    assert_eq!(observations(&app.base, "income-per-capita").await, before);

    let good = fill(
        &book,
        "xl/worksheets/sheet1.xml",
        &[(&format!("E{income}"), Fill::Number(39.1))],
    );
    let (status, v) = post(good.clone(), "atlantis").await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = post(good, "luc-ngan").await;
    assert_eq!(
        (status, v),
        (200, serde_json::json!({"added": 1, "skipped": 0}))
    );
    let stored = app.store.load().await.unwrap();
    assert!(stored
        .observations
        .iter()
        .any(|o| o.indicator == "income-per-capita"
            && o.value.to_string() == "39.1"
            && o.reported == Some("2018-06-20".parse().unwrap())));
}
