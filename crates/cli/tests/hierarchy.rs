//! Roll-ups and allocations on the command line: the real binary over a small province.
//!
//! Tỉnh Thử has two districts with two communes each. Communes report forest and natural
//! area; Huyện B also reports its own forest total, 120 ha, where its communes add up to 100.
//! Forest cover is derived: `[forest-area] / [land-area] * 100`, a ratio of sums.

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::str::FromStr;

use chitieu_domain::{Decimal, TargetValue};
use serde_json::Value;

const BUNDLE: &str = r#"format = "chitieu-bundle/1"

[[units]]
id = "tinh"
name = "Tỉnh Thử"
name_en = "Thu province"
level = "province"

[[units]]
id = "huyen-a"
name = "Huyện A"
level = "district"
parent = "tinh"

[[units]]
id = "huyen-b"
name = "Huyện B"
level = "district"
parent = "tinh"

[[units]]
id = "xa-a1"
name = "Xã A1"
level = "commune"
parent = "huyen-a"

[[units]]
id = "xa-a2"
name = "Xã A2"
level = "commune"
parent = "huyen-a"

[[units]]
id = "xa-b1"
name = "Xã B1"
level = "commune"
parent = "huyen-b"

[[units]]
id = "xa-b2"
name = "Xã B2"
level = "commune"
parent = "huyen-b"

# Founded in 2021, with no figures yet.
[[units]]
id = "xa-b3"
name = "Xã B3"
level = "commune"
parent = "huyen-b"
valid_from = 2021-01-01

[[terms]]
id = "2020-2025"
start = 2020-01-01
end = 2025-12-31

[[resolutions]]
id = "tinh-nq"
unit = "tinh"
kind = "congress"
term = "2020-2025"
adopted = 2020-10-01
title = "Nghị quyết Đại hội Đảng bộ tỉnh Thử"

[[indicators]]
id = "forest-area"
name = "Diện tích rừng"
name_en = "Forest area"
measure = "ha"
direction = "higher"
aggregation = "sum"

[[indicators]]
id = "land-area"
name = "Diện tích tự nhiên"
measure = "ha"
direction = "higher"
aggregation = "sum"

[[indicators]]
id = "population"
name = "Dân số"
measure = "người"
direction = "higher"
aggregation = "sum"

[[indicators]]
id = "cover"
name = "Tỷ lệ che phủ rừng"
name_en = "Forest cover"
measure = "%"
direction = "higher"
formula = "[forest-area] / [land-area] * 100"

# To be split by `chitieu allocate`.
[[targets]]
resolution = "tinh-nq"
code = "1"
name = "Trồng mới rừng"
indicator = "forest-area"
field = "environment"
kind = "level"
baseline = 0
baseline_period = "2020"
value = 1000.01

# Hand-written shares that fall 50 ha short of the whole.
[[targets]]
resolution = "tinh-nq"
code = "3"
name = "Diện tích rừng toàn tỉnh"
indicator = "forest-area"
field = "environment"
kind = "level"
baseline = 570
baseline_period = "2020"
value = 700

[[targets]]
resolution = "tinh-nq"
code = "3.a"
name = "Diện tích rừng huyện A"
indicator = "forest-area"
unit = "huyen-a"
field = "environment"
kind = "level"
baseline = 450
baseline_period = "2020"
value = 400
allocated_from = "tinh-nq/3"

[[targets]]
resolution = "tinh-nq"
code = "3.b"
name = "Diện tích rừng huyện B"
indicator = "forest-area"
unit = "huyen-b"
field = "environment"
kind = "level"
baseline = 120
baseline_period = "2020"
value = 250
allocated_from = "tinh-nq/3"

# A rate: 45% of 1,500 ha and 30% of 1,050 ha imply 38.82%, short of 40.
[[targets]]
resolution = "tinh-nq"
code = "2"
name = "Tỷ lệ che phủ rừng"
indicator = "cover"
field = "environment"
kind = "level"
baseline = 22
baseline_period = "2020"
value = 40

[[targets]]
resolution = "tinh-nq"
code = "2.a"
name = "Tỷ lệ che phủ rừng huyện A"
indicator = "cover"
unit = "huyen-a"
field = "environment"
kind = "level"
baseline = 30
baseline_period = "2020"
value = 45
allocated_from = "tinh-nq/2"

[[targets]]
resolution = "tinh-nq"
code = "2.b"
name = "Tỷ lệ che phủ rừng huyện B"
indicator = "cover"
unit = "huyen-b"
field = "environment"
kind = "level"
baseline = 11
baseline_period = "2020"
value = 30
allocated_from = "tinh-nq/2"

[[observations]]
unit = "xa-a1"
indicator = "forest-area"
period = "2020"
value = 300

[[observations]]
unit = "xa-a1"
indicator = "land-area"
period = "2020"
value = 1000

[[observations]]
unit = "xa-a2"
indicator = "forest-area"
period = "2020"
value = 150

[[observations]]
unit = "xa-a2"
indicator = "land-area"
period = "2020"
value = 500

[[observations]]
unit = "xa-b1"
indicator = "forest-area"
period = "2020"
value = 60

[[observations]]
unit = "xa-b1"
indicator = "land-area"
period = "2020"
value = 400

[[observations]]
unit = "xa-b2"
indicator = "forest-area"
period = "2020"
value = 40

[[observations]]
unit = "xa-b2"
indicator = "land-area"
period = "2020"
value = 650

# Huyện B's own total, which its communes (60 + 40 = 100) do not bear out.
[[observations]]
unit = "huyen-b"
indicator = "forest-area"
period = "2020"
value = 120

[[observations]]
unit = "huyen-a"
indicator = "population"
period = "2020"
value = 100000

[[observations]]
unit = "huyen-b"
indicator = "population"
period = "2020"
value = 200000
"#;

const AS_OF: &str = "2021-06-30";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A fresh database holding the province.
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let file = env.write("tinh.toml", BUNDLE);
        env.ok(&["import", file.to_str().unwrap()]);
        env
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--db")
            .arg(self.dir.path().join("t.db"))
            .args(args)
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

    /// `chitieu value` as JSON, as of the test date.
    fn value(&self, unit: &str, indicator: &str, extra: &[&str]) -> Value {
        let mut args = vec![
            "value",
            "--unit",
            unit,
            "--indicator",
            indicator,
            "--period",
            "2020",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        self.json(&args)
    }
}

fn units(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect()
}

fn provenance<'a>(v: &'a Value, indicator: &str) -> Vec<&'a str> {
    let entry = v["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["indicator"] == indicator)
        .unwrap_or_else(|| panic!("no provenance for {indicator} in {v}"));
    units(&entry["units"])
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn a_district_is_computed_from_its_communes() {
    let env = Env::new();
    let v = env.value("huyen-a", "forest-area", &[]);
    assert_eq!(v["value"], 450);
    assert_eq!(v["source"], "computed");
    assert!(v["computed"].is_null());
    assert_eq!(provenance(&v, "forest-area"), ["xa-a1", "xa-a2"]);

    let text = env.ok(&[
        "value",
        "--unit",
        "huyen-a",
        "--indicator",
        "forest-area",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
    ]);
    assert!(text.contains("Giá trị: 450 ha — cộng từ các xã"), "{text}");
    assert!(text.contains("xa-a1, xa-a2"), "{text}");
}

#[test]
fn a_reported_total_that_disagrees_with_the_communes_is_shown_beside_them() {
    let env = Env::new();
    let v = env.value("huyen-b", "forest-area", &[]);
    assert_eq!(v["value"], 120);
    assert_eq!(v["source"], "reported");
    assert_eq!(v["computed"], 100);
    // The district's own figure is the value: the communes' did not enter it.
    assert_eq!(provenance(&v, "forest-area"), ["huyen-b"]);

    let args = [
        "value",
        "--unit",
        "huyen-b",
        "--indicator",
        "forest-area",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
    ];
    let vi = env.ok(&args);
    assert!(
        vi.contains("Chênh lệch: báo cáo 120 ha; cộng từ các xã 100 ha"),
        "{vi}"
    );
    let mut en_args = vec!["--lang", "en"];
    en_args.extend_from_slice(&args);
    let en = env.ok(&en_args);
    assert!(
        en.contains("Disagreement: reported 120 ha; sum of the communes 100 ha"),
        "{en}"
    );
}

#[test]
fn derived_cover_is_a_ratio_of_sums() {
    let env = Env::new();
    // Forest: Huyện A's communes (300 + 150) and Huyện B's own figure (120), which stands in
    // for its communes; land: all four communes.
    let forest = 300.0 + 150.0 + 120.0;
    let land = 1000.0 + 500.0 + 400.0 + 650.0;
    let expected: f64 = forest / land * 100.0; // 22.3529…
    let v = env.value("tinh", "cover", &[]);
    assert_eq!(v["source"], "derived");
    let got = v["value"].as_f64().unwrap();
    assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
    // Not the average of the districts' covers (30% and 12%).
    assert!((got - (30.0 + 12.0) / 2.0).abs() > 1.0);
    assert_eq!(provenance(&v, "forest-area"), ["huyen-b", "xa-a1", "xa-a2"]);
    assert_eq!(
        provenance(&v, "land-area"),
        ["xa-a1", "xa-a2", "xa-b1", "xa-b2"]
    );

    let text = env.ok(&[
        "--lang",
        "en",
        "value",
        "--unit",
        "tinh",
        "--indicator",
        "cover",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
    ]);
    assert!(text.contains("Value: 22.35%"), "{text}");
    assert!(text.contains("[forest-area] / [land-area] * 100"), "{text}");
    assert!(
        text.contains("- land-area: xa-a1, xa-a2, xa-b1, xa-b2"),
        "{text}"
    );
}

#[test]
fn children_compares_the_sub_units() {
    let env = Env::new();
    let v = env.value("tinh", "forest-area", &["--children"]);
    assert_eq!(v["value"], 570);
    let children = v["children"].as_array().unwrap();
    let rows: Vec<(&str, i64, &str)> = children
        .iter()
        .map(|c| {
            (
                c["unit"].as_str().unwrap(),
                c["value"].as_i64().unwrap(),
                c["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("huyen-a", 450, "computed"), ("huyen-b", 120, "reported")]
    );
    assert_eq!(children[1]["computed"], 100);

    let table = env.ok(&[
        "value",
        "--unit",
        "tinh",
        "--indicator",
        "forest-area",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
        "--children",
    ]);
    let line = |needle: &str| {
        table
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in {table}"))
            .to_string()
    };
    assert!(line("Huyện A ").contains("450 ha"), "{table}");
    assert!(line("Huyện A ").contains("cộng từ các xã"), "{table}");
    assert!(
        line("Huyện B ").contains("báo cáo 120 ha; cộng từ các xã 100 ha"),
        "{table}"
    );
    // The province itself closes the table.
    let last = table.lines().last().unwrap();
    assert!(
        last.contains("tinh") && last.contains("570 ha") && last.contains("cộng từ các huyện"),
        "{table}"
    );
}

/// The share values of `parent` in a bundle the binary wrote.
fn shares_in(text: &str, parent: &str) -> Vec<(String, Decimal)> {
    let parsed = chitieu_io::parse_bundle(text, "shares.toml").unwrap();
    parsed
        .dataset
        .targets
        .iter()
        .filter(|t| t.allocated_from.as_deref() == Some(parent))
        .map(|t| match t.original.value {
            TargetValue::Exact(v) => (t.unit.clone(), v),
            ref other => panic!("a share should be a value, got {other:?}"),
        })
        .collect()
}

#[test]
fn allocate_equally_adds_up_exactly_and_imports_back() {
    let env = Env::new();
    let bundle = env.ok(&[
        "allocate",
        "--target",
        "tinh-nq/1",
        "--equal",
        "--as-of",
        AS_OF,
    ]);
    let shares = shares_in(&bundle, "tinh-nq/1");
    // 1000.01 / 2 = 500.005: rounded, and the last district takes the remainder.
    assert_eq!(
        shares,
        [
            ("huyen-a".to_string(), dec("500")),
            ("huyen-b".to_string(), dec("500.01"))
        ]
    );
    let total: Decimal = shares.iter().map(|s| s.1).sum();
    assert_eq!(total, dec("1000.01"));

    // --out writes the same bundle and prints the shares.
    let out = env.dir.path().join("shares.toml");
    let printed = env.ok(&[
        "allocate",
        "--target",
        "tinh-nq/1",
        "--equal",
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), bundle);
    assert!(printed.contains("tinh-nq/1.huyen-b"), "{printed}");
    assert!(printed.contains("500,01 ha"), "{printed}");

    // The round trip: only the two shares are new; what they refer to is skipped.
    let imported = env.ok(&["import", out.to_str().unwrap()]);
    assert!(imported.contains("added 2 targets"), "{imported}");
    assert!(imported.contains("already present"), "{imported}");
    let check = env.json(&["allocations", "--as-of", AS_OF, "--format", "json"]);
    let t = check["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "1")
        .unwrap();
    assert_eq!(t["gap"], 0);
    assert_eq!(t["coherent"], true);
    // Importing again changes nothing.
    let again = env.ok(&["import", out.to_str().unwrap()]);
    assert!(again.contains("nothing new"), "{again}");
}

#[test]
fn allocate_in_proportion_adds_up_exactly() {
    let env = Env::new();
    let bundle = env.ok(&[
        "allocate",
        "--target",
        "tinh-nq/1",
        "--by",
        "population",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
    ]);
    let shares = shares_in(&bundle, "tinh-nq/1");
    // 100,000 : 200,000 people: 333.336… → 333.34, and 1000.01 − 333.34 = 666.67.
    assert_eq!(
        shares,
        [
            ("huyen-a".to_string(), dec("333.34")),
            ("huyen-b".to_string(), dec("666.67"))
        ]
    );
    assert_eq!(shares.iter().map(|s| s.1).sum::<Decimal>(), dec("1000.01"));

    // The bundle imports into a database that has never seen the province.
    let other = tempfile::tempdir().unwrap();
    let file = other.path().join("shares.toml");
    std::fs::write(&file, &bundle).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--db")
        .arg(other.path().join("o.db"))
        .arg("import")
        .arg(&file)
        .env("HOME", other.path())
        .env("XDG_DATA_HOME", other.path().join("data"))
        .env_remove("CHITIEU_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bundle_of_shares_alone_is_refused_today() {
    // What `allocate` would write if it wrote the shares only. The import is refused because
    // `chitieu_io::parse_bundle` checks references inside the file before the store merges
    // it with the database (where the resolution and the units are). `allocate` therefore
    // writes what the shares refer to along with them. When the parser leaves references
    // between the file and the database to the store, this import succeeds: then change this
    // test, and `allocate` may write the shares alone.
    let env = Env::new();
    let alone = r#"format = "chitieu-bundle/1"

[[targets]]
resolution = "tinh-nq"
code = "1.huyen-a"
name = "Trồng mới rừng — Huyện A"
indicator = "forest-area"
unit = "huyen-a"
field = "environment"
kind = "level"
baseline = 0
baseline_period = "2020"
value = 500
deadline = 2025-12-31
allocated_from = "tinh-nq/1"
"#;
    let file = env.write("alone.toml", alone);
    let err = env.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("alone.toml:"), "{err}");
    assert!(err.contains("tinh-nq"), "{err}");
}

#[test]
fn allocations_show_the_gaps() {
    let env = Env::new();
    let c = env.json(&["allocations", "--as-of", AS_OF, "--format", "json"]);
    let by_code = |code: &str| {
        c["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {c}"))
            .clone()
    };
    // Additive: 400 + 250 = 650 of 700.
    let sum = by_code("3");
    assert_eq!(sum["implied"], 650);
    assert_eq!(sum["gap"], 50);
    assert_eq!(sum["coherent"], false);
    // A ratio: (45 × 1,500 + 30 × 1,050) ÷ 2,550 = 38.8235…% of the 40% asked.
    let ratio = by_code("2");
    let implied = ratio["implied"].as_f64().unwrap();
    let expected = (45.0 * 1500.0 + 30.0 * 1050.0) / 2550.0;
    assert!((implied - expected).abs() < 1e-5, "{implied} vs {expected}");
    assert!((ratio["gap"].as_f64().unwrap() - (40.0 - expected)).abs() < 1e-5);
    let weights: Vec<f64> = ratio["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [1500.0, 1050.0]);
    assert_eq!(c["with_gap"], 2);

    // The table states the gap; a report exits 0.
    let table = env.ok(&["allocations", "--as-of", AS_OF]);
    assert!(table.contains("Cộng các phần giao: 650 ha"), "{table}");
    assert!(table.contains("CHÊNH LỆCH"), "{table}");
    assert!(table.contains("thiếu 50 ha"), "{table}");
    assert!(table.contains("38,82%"), "{table}");
    assert!(
        table.contains("2 chỉ tiêu có phần giao; 2 có chênh lệch"),
        "{table}"
    );
    let en = env.ok(&["--lang", "en", "allocations", "--as-of", AS_OF]);
    assert!(
        en.contains("GAP: the shares fall short of the whole by 50 ha"),
        "{en}"
    );
}

#[test]
fn errors_are_one_line_and_non_zero() {
    let env = Env::new();
    let base = |unit: &'static str, indicator: &'static str, period: &'static str| {
        vec![
            "value",
            "--unit",
            unit,
            "--indicator",
            indicator,
            "--period",
            period,
            "--as-of",
            AS_OF,
        ]
    };
    let err = env.fails(&base("nowhere", "forest-area", "2020"));
    assert!(err.contains("unknown unit `nowhere`"), "{err}");
    let err = env.fails(&base("tinh", "rainfall", "2020"));
    assert!(err.contains("unknown indicator `rainfall`"), "{err}");
    let err = env.fails(&base("tinh", "forest-area", "2020-13"));
    assert!(err.contains("`2020-13` is not a period"), "{err}");
    // A period nobody reported.
    let err = env.fails(&base("tinh", "forest-area", "2019"));
    assert!(err.contains("no figure") && err.contains("2019"), "{err}");
    // A unit that does not exist in the tree asked for.
    let mut args = base("xa-b3", "forest-area", "2020");
    args.extend(["--tree-date", "2020-12-31"]);
    let err = env.fails(&args);
    assert!(err.contains("xa-b3") && err.contains("2020-12-31"), "{err}");
    // In the tree of 2021 it exists, but has no figures.
    let err = env.fails(&base("xa-b3", "forest-area", "2020"));
    assert!(err.contains("no figure"), "{err}");

    let err = env.fails(&["allocate", "--target", "tinh-nq/99", "--equal"]);
    assert!(err.contains("tinh-nq/99"), "{err}");
    let err = env.fails(&[
        "allocate",
        "--target",
        "tinh-nq/1",
        "--by",
        "rainfall",
        "--period",
        "2020",
    ]);
    assert!(err.contains("rainfall"), "{err}");
    let err = env.fails(&[
        "allocate",
        "--target",
        "tinh-nq/1",
        "--by",
        "population",
        "--period",
        "2019",
        "--as-of",
        AS_OF,
    ]);
    assert!(err.contains("population") && err.contains("2019"), "{err}");
    // A rate cannot be split in proportion.
    let err = env.fails(&[
        "allocate",
        "--target",
        "tinh-nq/2",
        "--by",
        "population",
        "--period",
        "2020",
        "--as-of",
        AS_OF,
    ]);
    assert!(err.contains("not additive"), "{err}");
    // Neither --equal nor --by: a usage error.
    assert!(!env
        .run(&["allocate", "--target", "tinh-nq/1"])
        .status
        .success());
}

#[test]
fn help_everywhere() {
    let env = Env::new();
    for cmd in ["value", "allocate", "allocations"] {
        let out = env.ok(&[cmd, "--help"]);
        assert!(out.contains("Usage"), "{cmd}: {out}");
    }
}
