//! The command line as a user meets it: the real binary, a fresh database per test.

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const DEMO: &str = include_str!("../../../demo/luc-ngan-2018.toml");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> String {
        self.dir.path().join("t.db").to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--db")
            .arg(self.db())
            .args(args)
            // The platform data folder must not be touched by tests.
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env_remove("CHITIEU_DB")
            .env_remove("CHITIEU_LANG")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one line expected, got {err:?}"
        );
        err
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn demo(&self) {
        self.ok(&["demo"]);
    }
}

fn target<'a>(review: &'a Value, resolution: &str, code: &str) -> &'a Value {
    review["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["resolution"] == resolution && t["code"] == code)
        .unwrap_or_else(|| panic!("no target {resolution}/{code}"))
}

#[test]
fn demo_review_reproduces_the_article() {
    let env = Env::new();
    env.demo();
    let r = env.json(&[
        "review",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
        "--format",
        "json",
    ]);
    assert_eq!(r["unit"]["id"], "luc-ngan");
    assert_eq!(r["as_of"], "2018-06-25");

    // Three resolutions at once, the district's own first.
    let ids: Vec<&str> = r["resolutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["luc-ngan-xxiv", "bac-giang-xviii", "vn-xii"]);
    // "hoàn thành và hoàn thành vượt mức 4/16 chỉ tiêu Đại hội"
    let own = &r["resolutions"][0];
    assert_eq!(own["achieved_or_exceeded"], 4);
    assert_eq!(own["total"], 16);
    assert_eq!(
        own["counts"]["exceeded"].as_u64().unwrap() + own["counts"]["achieved"].as_u64().unwrap(),
        4
    );

    // 8 resolutions, 3 action programmes, 25 plans, 3 guidance documents, 4 directives.
    let docs = &r["documents"]["counts"];
    assert_eq!(docs["resolution"], 8);
    assert_eq!(docs["action_programme"], 3);
    assert_eq!(docs["plan"], 25);
    assert_eq!(docs["guidance"], 3);
    assert_eq!(docs["directive"], 4);

    // The four adjustments of 25 June 2018, from → to.
    let adj = r["adjustments"].as_array().unwrap();
    let value_change = |code: &str| {
        adj.iter()
            .find(|a| a["target"] == code)
            .map(|a| {
                (
                    a["from"].as_f64().unwrap(),
                    a["to"].as_f64().unwrap(),
                    a["date"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    let forest = target(&r, "luc-ngan-xxiv", "11")["indicator"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(forest.contains("forest"));
    assert_eq!(value_change("11"), (37.0, 41.3, "2018-06-25".into()));
    assert_eq!(value_change("4"), (8.0, 11.0, "2018-06-25".into()));
    assert_eq!(value_change("9"), (95.0, 98.0, "2018-06-25".into()));
    assert_eq!(value_change("12"), (70.0, 100.0, "2018-06-25".into()));
    for a in adj {
        assert!(!a["decision"].as_str().unwrap().is_empty());
        assert!(!a["reason"].as_str().unwrap().is_empty());
    }

    // The withdrawn Kim township task.
    let kim = adj.iter().find(|a| a.get("task").is_some()).unwrap();
    assert_eq!(kim["withdraw"], true);
    assert!(kim["name"].as_str().unwrap().contains("phố Kim"));
    let task = r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().unwrap().contains("phố Kim"))
        .unwrap();
    assert_eq!(task["status"], "withdrawn");

    // 49.7% of village heads are party members: a shortfall.
    let short = r["shortfalls"].as_array().unwrap();
    assert!(
        short
            .iter()
            .any(|s| s["value"] == 49.7 && s["name"].as_str().unwrap().contains("trưởng thôn")),
        "{short:?}"
    );
}

#[test]
fn demo_prints_the_review_in_vietnamese_and_english() {
    let env = Env::new();
    let vi = env.ok(&["demo"]);
    assert!(
        vi.contains("hoàn thành và hoàn thành vượt mức **4/16** chỉ tiêu"),
        "{vi}"
    );
    assert!(
        vi.contains("8 nghị quyết, 3 chương trình hành động, 25 kế hoạch, 3 hướng dẫn, 4 chỉ thị")
    );
    assert!(vi.contains("từ 37% lên 41,3%"));
    assert!(vi.contains("49,7%"));
    let en = env.ok(&["--lang", "en", "demo"]);
    assert!(en.contains("**4/16** targets achieved or exceeded"), "{en}");
    assert!(en.contains("from 37% to 41.3%"));
}

#[test]
fn demo_without_db_uses_its_own_database_and_can_run_twice() {
    let env = Env::new();
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .args(["demo", "--format", "json"])
            .env("HOME", env.dir.path())
            .env("XDG_DATA_HOME", env.dir.path().join("data"))
            .env_remove("CHITIEU_DB")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["resolutions"][0]["achieved_or_exceeded"], 4);
    }
}

#[test]
fn status_as_of_shows_the_version_in_force_and_the_original() {
    let env = Env::new();
    env.demo();
    let before = env.json(&[
        "status",
        "--resolution",
        "luc-ngan-xxiv",
        "--as-of",
        "2018-06-24",
        "--format",
        "json",
    ]);
    let after = env.json(&[
        "status",
        "--resolution",
        "luc-ngan-xxiv",
        "--as-of",
        "2018-06-25",
        "--format",
        "json",
    ]);
    let forest = |v: &Value| {
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "11")
            .unwrap()
            .clone()
    };
    assert_eq!(forest(&before)["target_value"], 37);
    assert!(forest(&before)["original"].is_null());
    assert_eq!(forest(&after)["target_value"], 41.3);
    assert_eq!(forest(&after)["original"]["target"], 37);
    assert_eq!(forest(&after)["status"], "off_track");
    assert_eq!(forest(&after)["original"]["status"], "on_track");
    let table = env.ok(&[
        "status",
        "--resolution",
        "luc-ngan-xxiv",
        "--as-of",
        "2018-06-25",
    ]);
    assert!(table.contains("41,3%"), "{table}");
}

#[test]
fn what_was_known_then() {
    let env = Env::new();
    env.demo();
    let mid = env.json(&[
        "review",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
        "--format",
        "json",
    ]);
    let end = env.json(&[
        "review",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2020-12-31",
        "--format",
        "json",
    ]);
    // Figures reported after the conference do not exist for the mid-term review.
    assert_eq!(
        target(&mid, "luc-ngan-xxiv", "15")["latest_period"],
        "2018-H1"
    );
    assert_ne!(
        target(&end, "luc-ngan-xxiv", "15")["latest_period"],
        "2018-H1"
    );
    // At the end of the term the adjusted values are the ones in force.
    assert_eq!(target(&end, "luc-ngan-xxiv", "11")["target"], 41.3);
    // Documents issued after the conference count at the end of the term only.
    assert!(
        end["documents"]["total"].as_u64().unwrap() > mid["documents"]["total"].as_u64().unwrap()
    );
}

#[test]
fn export_import_export_is_identical() {
    let env = Env::new();
    env.demo();
    let first = env.ok(&["export"]);
    let file = env.write("exported.toml", &first);
    let other = Env::new();
    other.ok(&["import", file.to_str().unwrap()]);
    let second = other.ok(&["export"]);
    assert_eq!(first, second);
    // And importing it again changes nothing.
    let out = other.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("nothing new"), "{out}");
    assert_eq!(other.ok(&["export"]), first);
}

#[test]
fn export_to_a_file_and_csv() {
    let env = Env::new();
    env.demo();
    let out = env.path("b.toml");
    env.ok(&["export", "--out", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("format = \"chitieu-bundle/1\""));
    let csv = env.ok(&["export", "--format", "csv"]);
    assert!(csv.starts_with("\u{feff}unit,indicator,period,value,standing,source"));
}

/// Breaks the demo bundle at one place and checks the one-line error and that nothing landed.
fn refused(env: &Env, name: &str, text: &str, expected: &[&str]) {
    let before = env.ok(&["export"]);
    let file = env.write(name, text);
    let err = env.fails(&["import", file.to_str().unwrap()]);
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in {err:?}");
    }
    assert_eq!(
        env.ok(&["export"]),
        before,
        "the database changed after a refused import"
    );
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn broken_bundles_are_refused_with_their_line_and_nothing_written() {
    let env = Env::new();
    env.ok(&["init"]);

    // A syntax error.
    let bad = DEMO.replacen("[[units]]", "[[units]\n", 1);
    refused(&env, "syntax.toml", &bad, &["syntax.toml:"]);

    // A wrong type.
    let bad = DEMO.replacen("baseline = 35.2", "baseline = \"lots\"", 1);
    let line = line_of(&bad, "baseline = \"lots\"");
    refused(&env, "type.toml", &bad, &[&format!("type.toml:{line}:")]);

    // An unknown indicator, late in the file (after units and resolutions that would be fine).
    let bad = DEMO.replacen(
        "indicator = \"forest-cover\"",
        "indicator = \"forest_cover\"",
        1,
    );
    let line = line_of(&bad, "indicator = \"forest_cover\"");
    refused(
        &env,
        "indicator.toml",
        &bad,
        &[&format!("indicator.toml:{line}:"), "forest_cover"],
    );

    // An unknown unit.
    let bad = DEMO.replacen("unit = \"luc-ngan\"", "unit = \"luc-ngam\"", 1);
    let line = line_of(&bad, "unit = \"luc-ngam\"");
    refused(
        &env,
        "unit.toml",
        &bad,
        &[&format!("unit.toml:{line}:"), "luc-ngam"],
    );

    // A duplicate code: the second unit takes the first one's id.
    let bad = DEMO.replacen("id = \"bac-giang\"", "id = \"vn\"", 1);
    refused(&env, "dup.toml", &bad, &["dup.toml:", "duplicate", "vn"]);

    // A target without a baseline.
    let bad = DEMO.replacen("baseline = 35.2\n", "", 1);
    refused(&env, "nobase.toml", &bad, &["nobase.toml:", "baseline"]);

    // The database is still empty and the good bundle still loads.
    assert!(env.ok(&["export"]).lines().count() <= 2);
    let good = env.write("good.toml", DEMO);
    env.ok(&["import", good.to_str().unwrap()]);
}

#[test]
fn a_conflicting_bundle_is_refused_against_what_is_stored() {
    let env = Env::new();
    env.demo();
    let bad = DEMO.replacen(
        "name = \"Huyện Lục Ngạn\"",
        "name = \"Huyện Lục Ngạn (sửa)\"",
        1,
    );
    let line = line_of(&bad, "Huyện Lục Ngạn (sửa)");
    // The conflict is on the unit's id, whose line is just above its name.
    refused(
        &env,
        "conflict.toml",
        &bad,
        &[
            &format!("conflict.toml:{}:", line - 1),
            "luc-ngan",
            "already exists",
        ],
    );
}

#[test]
fn observations_csv_import() {
    let env = Env::new();
    env.demo();
    let good = env.write(
        "obs.csv",
        "unit,indicator,period,value,standing,source\nluc-ngan,forest-cover,2021,42.1,final,Hạt Kiểm lâm\n",
    );
    let out = env.ok(&["import", good.to_str().unwrap()]);
    assert!(out.contains("1 observations"), "{out}");
    let csv = env.ok(&["export", "--format", "csv"]);
    assert!(
        csv.contains("luc-ngan,forest-cover,2021,42.1,final"),
        "{csv}"
    );

    let bad = env.write(
        "bad.csv",
        "unit,indicator,period,value,standing,source\nluc-ngan,forest-cover,2022,43,final,\nnowhere,forest-cover,2022,43,final,\n",
    );
    let before = env.ok(&["export"]);
    let err = env.fails(&["import", bad.to_str().unwrap()]);
    assert!(err.contains("bad.csv:3"), "{err}");
    assert!(err.contains("nowhere"), "{err}");
    assert_eq!(env.ok(&["export"]), before);

    let bad = env.write(
        "num.csv",
        "unit,indicator,period,value,standing,source\nluc-ngan,forest-cover,2022,\"12,5\",final,\n",
    );
    let err = env.fails(&["import", bad.to_str().unwrap()]);
    assert!(err.contains("num.csv:2") && err.contains("value"), "{err}");
}

#[test]
fn errors_are_one_line_and_non_zero() {
    let env = Env::new();
    env.demo();
    let err = env.fails(&["review", "--unit", "nowhere", "--as-of", "2018-06-25"]);
    assert!(err.contains("nowhere"), "{err}");
    let err = env.fails(&["status", "--resolution", "nope"]);
    assert!(err.contains("nope"), "{err}");
    let err = env.fails(&["import", "/definitely/not/here.toml"]);
    assert!(err.contains("/definitely/not/here.toml"), "{err}");
    let txt = env.write("x.txt", "hello");
    let err = env.fails(&["import", txt.to_str().unwrap()]);
    assert!(err.contains(".toml"), "{err}");
    let out = env.run(&["review", "--unit", "luc-ngan", "--as-of", "25/6/2018"]);
    assert!(!out.status.success());
}

#[test]
fn help_everywhere() {
    let env = Env::new();
    for cmd in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["demo", "--help"],
        vec!["import", "--help"],
        vec!["export", "--help"],
        vec!["status", "--help"],
        vec!["review", "--help"],
    ] {
        let out = env.ok(&cmd);
        assert!(out.contains("Usage"), "{cmd:?}: {out}");
    }
}

#[test]
fn postgres_database_url_is_accepted() {
    let Ok(url) = std::env::var("CHITIEU_TEST_POSTGRES") else {
        eprintln!("skipped: CHITIEU_TEST_POSTGRES is not set");
        return;
    };
    // A database of its own, so that tests can run in parallel.
    let name = format!("chitieu_cli_{}", std::process::id());
    let admin = Command::new("psql")
        .args([
            url.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-qc",
            &format!("CREATE DATABASE {name}"),
        ])
        .output();
    let Ok(admin) = admin else {
        eprintln!("skipped: psql is not available");
        return;
    };
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    let db = format!("{base}/{name}");
    let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .args(["--db", &db, "demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["resolutions"][0]["achieved_or_exceeded"], 4);
    let _ = Command::new("psql")
        .args([
            url.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name}"),
        ])
        .output();
    let _ = Path::new("");
}

/// A figure written counts in the very next question: no batch step, no cache between
/// processes. Run on SQLite, and on PostgreSQL when a server is named (two processes on one
/// database, as two server instances would be).
fn next_query_sees_the_new_figure(db: &str) {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--db")
            .arg(db)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["demo", "--format", "json"]);
    let status = |run: &dyn Fn(&[&str]) -> String| -> Value {
        let v: Value = serde_json::from_str(&run(&[
            "status",
            "--resolution",
            "luc-ngan-xxiv",
            "--as-of",
            "2019-03-01",
            "--format",
            "json",
        ]))
        .unwrap();
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == "15")
            .unwrap()
            .clone()
    };
    let before = status(&run);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("new.csv");
    std::fs::write(&csv, "unit,indicator,period,value,standing,source\nluc-ngan,village-heads-party-share,2018-H2,71.5,preliminary,\n").unwrap();
    run(&["import", csv.to_str().unwrap()]);
    let after = status(&run);
    assert_ne!(before["latest"], after["latest"]);
    assert_eq!(after["latest"], 71.5);
    assert_eq!(before["latest"], 49.7);
    assert_eq!(after["status"], "exceeded");
}

#[test]
fn a_written_figure_counts_in_the_next_query_on_sqlite() {
    let env = Env::new();
    next_query_sees_the_new_figure(&env.db());
}

#[test]
fn a_written_figure_counts_in_the_next_query_on_postgres() {
    let Ok(url) = std::env::var("CHITIEU_TEST_POSTGRES") else {
        eprintln!("skipped: CHITIEU_TEST_POSTGRES is not set");
        return;
    };
    let name = format!("chitieu_next_{}", std::process::id());
    let admin = |sql: &str| {
        Command::new("psql")
            .args([url.as_str(), "-qc", sql])
            .output()
    };
    let Ok(out) = admin(&format!("DROP DATABASE IF EXISTS {name}")) else {
        eprintln!("skipped: psql is not available");
        return;
    };
    assert!(out.status.success());
    assert!(admin(&format!("CREATE DATABASE {name}"))
        .unwrap()
        .status
        .success());
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    next_query_sees_the_new_figure(&format!("{base}/{name}"));
    let _ = admin(&format!("DROP DATABASE IF EXISTS {name}"));
}

#[test]
fn press_summary_reproduces_the_articles_facts() {
    let env = Env::new();
    env.demo();
    let args = [
        "review",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
        "--format",
        "press",
    ];
    let text = env.ok(&args);
    for fact in [
        "Ngày 25/6/2018, Ban Thường vụ Huyện ủy Lục Ngạn tổ chức hội nghị sơ kết giữa nhiệm kỳ",
        "Nghị quyết Đại hội đại biểu Đảng bộ huyện Lục Ngạn lần thứ XXIV",
        "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Bắc Giang lần thứ XVIII",
        "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII của Đảng",
        "8 nghị quyết, 3 chương trình hành động, 25 kế hoạch, 3 hướng dẫn, 4 chỉ thị",
        "có 4/16 chỉ tiêu Đại hội hoàn thành và hoàn thành vượt mức",
        "Tỷ lệ trưởng thôn là đảng viên mới đạt 49,7%",
        "Độ che phủ rừng (từ 37% lên 41,3%)",
        "Số xã đạt chuẩn nông thôn mới (từ 8 xã lên 11 xã)",
        "(từ 95% lên 98%)",
        "(từ 70% lên 100%)",
        "đưa ra khỏi nghị quyết 1 nhiệm vụ: Xây dựng phố Kim, xã Phượng Sơn trở thành thị trấn Kim năm 2018",
    ] {
        assert!(text.contains(fact), "missing «{fact}» in:\n{text}");
    }
    // --out writes the same text to a file and nothing to standard output.
    let out = env.path("press.txt");
    let mut with_out = args.to_vec();
    with_out.extend(["--out", out.to_str().unwrap()]);
    assert_eq!(env.ok(&with_out), "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    // At the end of the term the same data makes an end-of-term text.
    let end = env.ok(&[
        "review",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2020-12-31",
        "--format",
        "press",
    ]);
    assert!(end.contains("tổng kết nhiệm kỳ"), "{end}");
}

/// `review --format pdf --out FILE` writes the review as a PDF with its fonts embedded, its
/// Vietnamese text read back by pdftotext when poppler is there; or to a redirected standard
/// output.
#[test]
fn review_as_a_pdf() {
    let env = Env::new();
    env.ok(&["demo"]);
    let args = ["review", "--unit", "luc-ngan", "--as-of", "2018-06-25"];
    let file = env.path("review.pdf");
    let out = file.to_str().unwrap();
    env.ok(&[&args[..], &["--format", "pdf", "--out", out]].concat());
    let pdf = std::fs::read(&file).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).contains("/FontFile2"));
    match std::process::Command::new("pdftotext")
        .args([out, "-"])
        .output()
    {
        Ok(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for s in [
                "ĐẢNG CỘNG SẢN VIỆT NAM",
                "HUYỆN ỦY LỤC NGẠN",
                "Nơi nhận:",
                "Độ che phủ rừng",
            ] {
                assert!(flat.contains(s), "{s:?} not in:\n{text}");
            }
        }
        Err(_) => eprintln!("pdftotext is not on PATH: check skipped"),
    }
    // Standard output redirected (as here) takes the same bytes, as for xlsx.
    let piped = env.run(&[&args[..], &["--format", "pdf"]].concat());
    assert!(piped.status.success());
    assert!(piped.stdout.starts_with(b"%PDF-"));
}

/// `status --format xlsx` writes a workbook whose cells are the JSON status's: numbers as
/// numbers, one row per target, labels in the chosen language; without `--out` it refuses.
#[test]
fn status_as_an_excel_workbook() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let env = Env::new();
    env.ok(&["demo"]);
    let args = [
        "status",
        "--resolution",
        "luc-ngan-xxiv",
        "--as-of",
        "2018-06-25",
    ];
    let json: Value =
        serde_json::from_str(&env.ok(&[&args[..], &["--format", "json"]].concat())).unwrap();
    let file = env.path("status.xlsx");
    let out = file.to_str().unwrap();
    env.ok(&[&args[..], &["--format", "xlsx", "--out", out]].concat());
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let sheet = book.worksheet_range("Chỉ tiêu").unwrap();
    assert_eq!(sheet.get_value((2, 0)), Some(&Data::String("Số".into())));
    let targets = json["targets"].as_array().unwrap();
    assert_eq!(sheet.height(), 3 + targets.len());
    for (k, t) in targets.iter().enumerate() {
        let r = 3 + k as u32;
        assert_eq!(
            sheet.get_value((r, 0)),
            Some(&Data::String(t["code"].as_str().unwrap().into()))
        );
        assert_eq!(
            sheet.get_value((r, 4)),
            Some(&Data::Float(t["baseline"].as_f64().unwrap())),
            "{t}"
        );
        match t["latest"].as_f64() {
            Some(v) => assert_eq!(sheet.get_value((r, 8)), Some(&Data::Float(v)), "{t}"),
            None => assert!(matches!(sheet.get_value((r, 8)), None | Some(Data::Empty))),
        }
        if let Some(p) = t["realisation"].as_f64() {
            assert_eq!(sheet.get_value((r, 10)), Some(&Data::Float(p)), "{t}");
        }
    }
    let err = env.fails(&[&args[..], &["--format", "xlsx"]].concat());
    assert!(err.contains("--out"), "{err}");
}

/// `review --format docx` writes a Word file of the demo's review: a zip whose document holds
/// the party heading block, the unit's name and the recipients.
#[test]
fn review_as_a_word_document() {
    use std::io::Read;
    let env = Env::new();
    env.ok(&["demo"]);
    let args = ["review", "--unit", "luc-ngan", "--as-of", "2018-06-25"];
    let file = env.path("review.docx");
    env.ok(&[
        &args[..],
        &["--format", "docx", "--out", file.to_str().unwrap()],
    ]
    .concat());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for want in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "HUYỆN ỦY LỤC NGẠN",
        "BÁO CÁO",
        "Nơi nhận:",
    ] {
        assert!(xml.contains(want), "{want} not in the document");
    }
    // Without --out the file goes to standard output when it is redirected (a terminal is
    // refused, which a test cannot be).
    let piped = env.run(&[&args[..], &["--format", "docx"]].concat());
    assert!(piped.status.success());
    assert!(piped.stdout.starts_with(b"PK\x03\x04"), "a zip archive");
}

/// The office's text for a review: `show` gives a template to fill, `set` saves it and the
/// review prints it where it belongs (section II, section IV, the number, the signature),
/// a bad file is refused at its key with nothing saved, and `clear` brings the draft back.
#[test]
fn review_text_is_kept_with_the_review() {
    let env = Env::new();
    env.ok(&["import", env.write("demo.toml", DEMO).to_str().unwrap()]);
    let review = |env: &Env| env.ok(&["review", "--unit", "luc-ngan", "--as-of", "2018-06-25"]);
    let draft = review(&env);
    assert!(draft.contains("(Văn phòng bổ sung nguyên nhân"), "{draft}");
    assert!(draft.contains("(Dự thảo từ số liệu"), "{draft}");
    assert!(draft.contains("Số       -BC/HU"), "{draft}");

    let template = env.ok(&[
        "review-text",
        "show",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
    ]);
    assert!(
        template.starts_with("unit = \"luc-ngan\"\nas_of = 2018-06-25\n"),
        "{template}"
    );
    let filled = template
        .replace("causes = \"\"", "causes = '''\nMưa lũ kéo dài.\n\nThiếu vốn đầu tư.\n'''")
        .replace("directions = \"\"", "directions = \"Tập trung xây dựng nông thôn mới.\"")
        + "number = \"45-BC/HU\"\nsigner = \"Thân Văn Khánh\"\nrecipients = [\"Ban Thường vụ Tỉnh ủy (b/c),\", \"Lưu VP.\"]\n";
    let file = env.write("text.toml", &filled);
    let saved = env.ok(&["review-text", "set", file.to_str().unwrap()]);
    assert!(
        saved.contains("saved the text of the review of luc-ngan at 2018-06-25"),
        "{saved}"
    );

    let md = review(&env);
    assert!(md.contains("Mưa lũ kéo dài.\n\nThiếu vốn đầu tư."), "{md}");
    assert!(md.contains("Tập trung xây dựng nông thôn mới."), "{md}");
    assert!(md.contains("Số 45-BC/HU"), "{md}");
    assert!(md.contains("**Thân Văn Khánh**"), "{md}");
    assert!(md.contains("- Lưu VP."), "{md}");
    assert!(!md.contains("(Dự thảo từ số liệu"), "{md}");
    let ii = md.find("## II.").unwrap();
    let iii = md.find("## III.").unwrap();
    let causes = md.find("Mưa lũ").unwrap();
    assert!(ii < causes && causes < iii, "the causes are in section II");

    let bad = env.write(
        "bad.toml",
        &filled.replace("as_of = 2018-06-25", "as_of = \"25/6/2018\""),
    );
    let err = env.fails(&["review-text", "set", bad.to_str().unwrap()]);
    assert!(
        err.contains("bad.toml") && err.contains("as_of: expected the review's date as YYYY-MM-DD"),
        "{err}"
    );
    let unknown = env.write(
        "unknown.toml",
        &filled.replace("unit = \"luc-ngan\"", "unit = \"nowhere\""),
    );
    let err = env.fails(&["review-text", "set", unknown.to_str().unwrap()]);
    assert!(err.contains("no unit `nowhere`"), "{err}");
    assert_eq!(review(&env), md, "nothing was saved by the refused files");

    let shown = env.ok(&[
        "review-text",
        "show",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
    ]);
    assert!(shown.contains("number = \"45-BC/HU\""), "{shown}");
    env.ok(&[
        "review-text",
        "clear",
        "--unit",
        "luc-ngan",
        "--as-of",
        "2018-06-25",
    ]);
    assert_eq!(review(&env), draft);
}
