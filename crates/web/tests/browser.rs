//! The web app in a real headless Chromium, driven through chromedriver (fantoccini): what a
//! person does in the browser. Needs Debian's `chromium` and `chromium-driver` (`.ci/run`
//! installs them); without chromedriver the test says it was skipped, except under CI, where
//! it fails. With `CHITIEU_SCREENSHOTS=DIR` it saves the main pages as PNG into DIR.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails by panicking.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(String::from)
}

/// Chromium through chromedriver, saving downloads into `downloads`.
async fn browser(downloads: &std::path::Path) -> Option<(Driver, Client)> {
    let Some(path) = chromedriver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is missing under CI: .ci/run installs chromium-driver"
        );
        println!("skipped: chromedriver not found (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        // A Vietnamese office's browser: it asks for Vietnamese.
        serde_json::json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                     "--disable-dev-shm-usage", "--window-size=1280,1000"],
                           "prefs": {"intl.accept_languages": "vi-VN,vi",
                                     "download.default_directory": downloads,
                                     "download.prompt_for_download": false}}),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(c) = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some((driver, c));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

async fn screenshot(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("CHITIEU_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// The text of the element, once the page shows it: a click that navigates returns before
/// the new page has been parsed to the end.
async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_walks_through_the_demo() {
    let downloads = tempfile::tempdir().unwrap();
    let Some((_driver, c)) = browser(downloads.path()).await else {
        return;
    };
    let app = common::spawn_demo().await;

    // Home, then the district's resolution: the article's headline.
    c.goto(&format!("{}/", app.base)).await.unwrap();
    screenshot(&c, "home").await;
    c.find(Locator::Css("a[href='/resolutions/luc-ngan-xxiv']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let headline = text(&c, "#headline").await;
    assert!(
        headline.contains("hoàn thành và hoàn thành vượt mức 4/16"),
        "{headline}"
    );
    screenshot(&c, "dashboard").await;

    // Switch to English: the same headline, remembered on the next page.
    c.find(Locator::Css("header a.lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let headline = text(&c, "#headline").await;
    assert!(headline.contains("achieved or exceeded 4/16"), "{headline}");

    // A target: its chart and the adjustment decided at the meeting.
    c.find(Locator::Css(
        "a[href^='/resolutions/luc-ngan-xxiv/targets/11']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let status = text(&c, "#status").await;
    assert_eq!(status, "off track");
    let history = text(&c, "#adjustments").await;
    assert!(history.contains("41.3%"), "{history}");
    assert!(c.find(Locator::Css("svg.target-chart")).await.is_ok());
    screenshot(&c, "target").await;

    // The review, in the language chosen earlier.
    c.goto(&format!("{}/units/luc-ngan/review", app.base))
        .await
        .unwrap();
    let body = text(&c, "article.review").await;
    assert!(body.contains("49.7%"), "{body}");
    screenshot(&c, "review").await;

    // The district's own pages: its sub-units compared, its tasks, its documents.
    for (page, name, css) in [
        ("/units/luc-ngan", "unit", "h1"),
        ("/units/luc-ngan/tasks", "tasks", "#tasks"),
        (
            "/units/luc-ngan/documents?from=2015-07-10&to=2018-06-25",
            "documents",
            "#counts",
        ),
    ] {
        c.goto(&format!("{}{page}", app.base)).await.unwrap();
        assert!(!text(&c, css).await.is_empty(), "{page}");
        screenshot(&c, name).await;
    }
    c.goto(&format!("{}/units/luc-ngan/review", app.base))
        .await
        .unwrap();

    // Its download, as the office would send it on: the same review as Markdown.
    c.find(Locator::Css("a[href^='/units/luc-ngan/review.md']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let file = downloads.path().join("review-luc-ngan-2018-06-25.md");
    let mut waited = 0;
    while !file.exists() && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let md = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(md.contains("49.7%"), "{md}");
    assert!(md.contains("4/16"), "{md}");

    // A figure typed into the data entry grid, reached from the dashboard: the arrow keys
    // move between cells, and after the save the dashboard's headline and the target's status
    // have changed.
    c.goto(&format!("{}/resolutions/luc-ngan-xxiv", app.base))
        .await
        .unwrap();
    assert!(text(&c, "#headline").await.contains("4/16"));
    c.find(Locator::Css("#entry-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let cell = c
        .find(Locator::Css("input[name='v.forest-cover.2018']"))
        .await
        .unwrap();
    cell.click().await.unwrap();
    // The page is in English (chosen above): the English form of the number.
    cell.send_keys("41.5").await.unwrap();
    cell.send_keys(&Key::Down.to_string()).await.unwrap();
    let moved = c
        .execute("return document.activeElement.name", vec![])
        .await
        .unwrap();
    assert_ne!(moved.as_str(), Some("v.forest-cover.2018"), "{moved}");
    assert!(
        moved.as_str().is_some_and(|n| n.starts_with("v.")),
        "{moved}"
    );
    screenshot(&c, "entry").await;
    c.find(Locator::Css("#save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let saved = text(&c, "#saved").await;
    assert!(saved.contains("1 new figures"), "{saved}");
    c.goto(&format!("{}/resolutions/luc-ngan-xxiv", app.base))
        .await
        .unwrap();
    let headline = text(&c, "#headline").await;
    assert!(headline.contains("5/16"), "{headline}");
    let row = text(&c, "#target-11").await;
    assert!(row.contains("exceeded"), "{row}");

    // An adjustment made through the form on the target page: back on the target page, in
    // the history.
    c.goto(&format!("{}/resolutions/luc-ngan-xxiv/targets/2", app.base))
        .await
        .unwrap();
    c.find(Locator::Css("#adjust-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (name, value) in [
        ("change.value", "50"),
        ("decision.body", "Ban Thường vụ Huyện ủy"),
        ("decision.reference", "Kết luận 12-KL/HU"),
        ("reason", "Thu nhập tăng nhanh"),
    ] {
        c.find(Locator::Css(&format!("[name='{name}']")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    screenshot(&c, "adjust").await;
    c.find(Locator::Css("#save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let history = text(&c, "#adjustments").await;
    assert!(history.contains("Kết luận 12-KL/HU"), "{history}");
    assert!(history.contains("50"), "{history}");
    c.close().await.unwrap();
}
