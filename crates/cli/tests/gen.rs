//! `chitieu gen`: the synthetic country as files, loaded with `chitieu import`.

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chitieu"))
        .arg("--db")
        .arg(dir.join("t.db"))
        .args(args)
        // The platform data folder must not be touched by tests.
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("CHITIEU_DB")
        .env_remove("CHITIEU_LANG")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn gen_tiny_then_import_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    let line = ok(
        dir.path(),
        &[
            "gen",
            "--preset",
            "tiny",
            "--seed",
            "7",
            "--out",
            path(&out),
        ],
    );
    assert!(line.contains("48 units"), "{line}");
    assert!(line.contains("1536 observations written"), "{line}");
    let bundle = out.join("bundle.toml");
    let csv = out.join("observations.csv");
    let imported = ok(dir.path(), &["import", path(&bundle)]);
    assert!(imported.contains("added 48 units"), "{imported}");
    assert!(imported.contains("reorganisations"), "{imported}");
    let imported = ok(dir.path(), &["import", path(&csv)]);
    assert!(imported.contains("added 1536 observations"), "{imported}");

    let exported = ok(dir.path(), &["export"]);
    for id in [
        "\"vn\"",
        "\"p01\"",
        "\"p02-d02-c03-v02\"",
        "\"np01\"",
        "\"np01-c0001\"",
    ] {
        assert!(
            exported.contains(&format!("id = {id}")),
            "{id} not exported"
        );
    }
    assert!(exported.contains("kind = \"split\""));
    assert!(exported.contains("(mô phỏng)"));
    // The database holds what was generated: the bundle comes back unchanged.
    let generated = std::fs::read_to_string(&bundle).unwrap();
    assert!(exported.starts_with(&generated[..generated.find("[[observations]]").unwrap_or(0)]));
    let rows = ok(dir.path(), &["export", "--format", "csv"]);
    assert_eq!(rows.lines().count(), 1 + 1536);
    assert_eq!(rows, std::fs::read_to_string(&csv).unwrap());

    // Importing again adds nothing.
    let again = ok(dir.path(), &["import", path(&bundle)]);
    assert!(again.contains("nothing new"), "{again}");
}

#[test]
fn gen_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        ok(dir.path(), &["gen", "--preset", "tiny", "--out", path(out)]);
    }
    for file in ["bundle.toml", "observations.csv"] {
        let x = std::fs::read(a.join(file)).unwrap();
        let y = std::fs::read(b.join(file)).unwrap();
        assert!(!x.is_empty());
        assert!(x == y, "{file} differs between two runs");
    }
    let c = dir.path().join("c");
    ok(
        dir.path(),
        &["gen", "--preset", "tiny", "--seed", "2", "--out", path(&c)],
    );
    assert_ne!(
        std::fs::read(a.join("observations.csv")).unwrap(),
        std::fs::read(c.join("observations.csv")).unwrap()
    );
}

#[test]
fn gen_overrides_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let line = ok(
        dir.path(),
        &[
            "gen",
            "--preset",
            "tiny",
            "--villages",
            "0",
            "--no-reform",
            "--first-year",
            "2024",
            "--last-year",
            "2026",
            "--out",
            path(&out),
        ],
    );
    // 12 communes × 8 indicators × 12 quarters, no reorganisation.
    assert!(line.contains("1152 observations"), "{line}");
    assert!(line.contains("0 villages"), "{line}");
    ok(dir.path(), &["import", path(&out.join("bundle.toml"))]);
    ok(dir.path(), &["import", path(&out.join("observations.csv"))]);

    let bad = run(
        dir.path(),
        &[
            "gen",
            "--preset",
            "tiny",
            "--first-year",
            "2030",
            "--last-year",
            "2020",
            "--out",
            path(&out),
        ],
    );
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.starts_with("chitieu: years"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

/// `gen --import` puts into the database exactly what `gen` then `import` of both files does.
#[test]
fn gen_import_goes_straight_into_the_database() {
    let files = tempfile::tempdir().unwrap();
    let out = files.path().join("tiny");
    ok(
        files.path(),
        &["gen", "--preset", "tiny", "--out", path(&out)],
    );
    ok(files.path(), &["import", path(&out.join("bundle.toml"))]);
    ok(
        files.path(),
        &["import", path(&out.join("observations.csv"))],
    );

    let direct = tempfile::tempdir().unwrap();
    let line = ok(direct.path(), &["gen", "--preset", "tiny", "--import"]);
    assert!(line.contains("added 48 units"), "{line}");
    assert!(line.contains("added 1536 observations"), "{line}");
    assert!(
        !direct.path().join("synthetic").exists(),
        "no files are written"
    );
    for format in ["toml", "csv"] {
        assert_eq!(
            ok(direct.path(), &["export", "--format", format]),
            ok(files.path(), &["export", "--format", format]),
            "{format}"
        );
    }
    // Into a database that already holds it: nothing new.
    let again = ok(direct.path(), &["gen", "--preset", "tiny", "--import"]);
    assert!(
        again.contains("added nothing; skipped 1536 observations already stored"),
        "{again}"
    );
}
