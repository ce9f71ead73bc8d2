//! The demo's review as a reader sees it, in every text format: any change to a figure, a
//! label or the layout shows up here as a diff to accept or refuse (`cargo insta review`).

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    run_on(db, args)
}

fn run_on(db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CHITIEU_LANG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn demo_review_markdown_vi() {
    insta::assert_snapshot!(run(&["demo"]));
}

#[test]
fn demo_review_markdown_en() {
    insta::assert_snapshot!(run(&["--lang", "en", "demo"]));
}

#[test]
fn demo_review_json() {
    insta::assert_snapshot!(run(&["demo", "--format", "json"]));
}

#[test]
fn demo_end_of_term_review_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let db = db.to_str().unwrap();
    run_on(db, &["demo"]);
    insta::assert_snapshot!(run_on(
        db,
        &["review", "--unit", "luc-ngan", "--as-of", "2020-12-31"]
    ));
}

#[test]
fn demo_status_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    run_on(db, &["demo"]);
    insta::assert_snapshot!(run_on(
        db,
        &[
            "status",
            "--resolution",
            "luc-ngan-xxiv",
            "--as-of",
            "2018-06-25"
        ]
    ));
}

#[test]
fn demo_press_summary_vi() {
    insta::assert_snapshot!(run(&["demo", "--format", "press"]));
}

#[test]
fn demo_review_html_vi() {
    let html = run(&["demo", "--format", "html"]);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"vi\">"));
    assert!(html.ends_with("</html>\n"));
    insta::assert_snapshot!(html);
}

#[test]
fn demo_press_summary_en() {
    insta::assert_snapshot!(run(&["--lang", "en", "demo", "--format", "press"]));
}
