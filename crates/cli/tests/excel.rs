//! Excel in and out as a user meets it: `chitieu template`, filled as in Excel, `chitieu
//! import FILE.xlsx`, and `chitieu review --format xlsx`; the real binary, a fresh database.

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

#[path = "support/fill.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use calamine::{open_workbook, Data, Reader, SheetVisible, Xlsx};
use serde_json::Value;
use support::{fill, part, row_of, style_of, unlocked, Fill};

const SHEET: &str = "Bảng nhập liệu";
const SHEET_XML: &str = "xl/worksheets/sheet1.xml";
const META_XML: &str = "xl/worksheets/sheet2.xml";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        env.ok(&["demo"]);
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chitieu"))
            .arg("--db")
            .arg(self.path("t.db"))
            .args(args)
            .current_dir(self.dir.path())
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

    /// The error line of a command that must fail: exactly one line.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one line expected: {err:?}"
        );
        err
    }

    /// The figures stored, as the CSV export writes them.
    fn figures(&self) -> String {
        self.ok(&["export", "--format", "csv"])
    }

    fn template(&self, unit: &str, period: &str) -> Vec<u8> {
        let file = self.path(&format!("{unit}-{period}.xlsx"));
        let out = self.ok(&[
            "template",
            "--unit",
            unit,
            "--period",
            period,
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(out.contains("indicators of"), "{out}");
        std::fs::read(file).unwrap()
    }

    fn import(&self, name: &str, book: &[u8]) -> Output {
        let file = self.path(name);
        std::fs::write(&file, book).unwrap();
        self.run(&["import", file.to_str().unwrap()])
    }
}

/// The template of a demo unit: one row per indicator it answers for, with its unit of
/// measure and last year's figure as a number; only the inputs unlocked, the sheet protected
/// without a password, validation on the inputs, the keys in a hidden column and a very
/// hidden sheet, a formula against last year.
#[test]
fn the_template_of_a_unit() {
    let env = Env::new();
    let book = env.template("luc-ngan", "2018");
    let file = env.path("luc-ngan-2018.xlsx");
    let mut x: Xlsx<_> = open_workbook(&file).unwrap();
    let visible: Vec<(String, SheetVisible)> = x
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    assert_eq!(
        visible,
        [
            (SHEET.to_string(), SheetVisible::Visible),
            ("_chitieu".to_string(), SheetVisible::VeryHidden)
        ]
    );
    let sheet = x.worksheet_range(SHEET).unwrap();
    let text = |r: u32, c: u32| sheet.get_value((r, c)).map(ToString::to_string);
    assert_eq!(text(5, 1).as_deref(), Some("Chỉ tiêu"));
    assert_eq!(text(5, 3).as_deref(), Some("Cùng kỳ năm trước (2017)"));
    assert_eq!(text(5, 4).as_deref(), Some("Thực hiện 2018"));
    // Last year's figures of the demo, as numbers.
    let income = row_of(&book, SHEET, "income-per-capita") - 1;
    assert_eq!(
        text(income, 1).as_deref(),
        Some("Thu nhập bình quân đầu người")
    );
    assert_eq!(text(income, 2).as_deref(), Some("triệu đồng/người"));
    assert_eq!(sheet.get_value((income, 3)), Some(&Data::Float(35.0)));
    let growth = row_of(&book, SHEET, "production-growth") - 1;
    assert_eq!(sheet.get_value((growth, 3)), Some(&Data::Float(10.1)));
    // The period is over by today: final by default.
    assert_eq!(text(income, 5).as_deref(), Some("Chính thức"));
    let formulas = x.worksheet_formula(SHEET).unwrap();
    let f = formulas.get_value((income, 7)).unwrap();
    assert!(f.contains("E") && f.contains("/D"), "{f}");

    let xml = part(&book, SHEET_XML);
    let styles = part(&book, "xl/styles.xml");
    let r = income + 1;
    for c in ["E", "F", "G"] {
        assert!(
            unlocked(&styles, style_of(&xml, &format!("{c}{r}"))),
            "{c}{r}"
        );
    }
    for c in ["A", "B", "C", "D", "H"] {
        assert!(
            !unlocked(&styles, style_of(&xml, &format!("{c}{r}"))),
            "{c}{r}"
        );
    }
    assert!(xml.contains("<sheetProtection"), "protected");
    assert!(!xml.contains("password="), "no password");
    let rows = sheet.height() as u32 - 6;
    assert!(rows >= 10, "{rows}");
    let last = 6 + rows;
    assert!(xml.contains("type=\"decimal\""), "{xml}");
    assert!(xml.contains(&format!("sqref=\"E7:E{last}\"")), "{xml}");
    assert!(xml.contains("type=\"list\""));
    assert!(xml.contains(&format!("sqref=\"F7:F{last}\"")));
    assert!(xml.contains("<formula1>\"Ước tính,Sơ bộ,Chính thức\"</formula1>"));
    assert!(xml.contains("<col min=\"9\" max=\"9\" width=\"0\" hidden=\"1\""));
    assert!(part(&book, META_XML).contains("<sheetProtection"));

    // English on request; a unit the database does not know is refused.
    let en = env.ok(&[
        "--lang", "en", "template", "--unit", "luc-ngan", "--period", "2018-Q2",
    ]);
    assert!(en.contains("template-luc-ngan-2018-Q2.xlsx"), "{en}");
    let mut x: Xlsx<_> = open_workbook(env.path("template-luc-ngan-2018-Q2.xlsx")).unwrap();
    let sheet = x.worksheet_range("Data entry").unwrap();
    assert_eq!(
        sheet.get_value((5, 3)).map(ToString::to_string).as_deref(),
        Some("Same period last year (2017-Q2)")
    );
    let err = env.fails(&["template", "--unit", "atlantis", "--period", "2018"]);
    assert!(err.contains("no unit `atlantis`"), "{err}");
    // Refused by the argument parser, which words its own errors.
    let out = env.run(&["template", "--unit", "luc-ngan", "--period", "2018-13"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a period"));
}

/// A template filled in (numbers, Vietnamese text, a standing, a source) imports in one
/// transaction, and the figures are in the database; rows are found by their keys.
#[test]
fn a_filled_template_imports() {
    let env = Env::new();
    let book = env.template("luc-ngan", "2018");
    let income = row_of(&book, SHEET, "income-per-capita");
    let growth = row_of(&book, SHEET, "production-growth");
    let cover = row_of(&book, SHEET, "forest-cover");
    let filled = fill(
        &book,
        SHEET_XML,
        &[
            (&format!("E{income}"), Fill::Number(39.4)),
            (&format!("G{income}"), Fill::Text("Chi cục Thống kê")),
            (&format!("E{growth}"), Fill::Text("10,25")),
            (&format!("F{growth}"), Fill::Text("Sơ bộ")),
            (&format!("E{cover}"), Fill::Text("41.6")),
            (&format!("F{cover}"), Fill::Text("Ước tính")),
        ],
    );
    let before = env.figures();
    let out = env.import("filled.xlsx", &filled);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("added 3 observations"), "{said}");
    let after = env.figures();
    for row in [
        "luc-ngan,income-per-capita,2018,39.4,final,Chi cục Thống kê",
        "luc-ngan,production-growth,2018,10.25,preliminary,",
        "luc-ngan,forest-cover,2018,41.6,estimate,",
    ] {
        assert!(!before.contains(row) && after.contains(row), "{row}");
    }
    // The same workbook again: nothing new.
    let out = env.import("filled.xlsx", &filled);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("nothing new"));
}

/// A template filled with mistakes names every bad cell on one line, and nothing is written.
#[test]
fn a_template_with_mistakes_names_every_bad_cell() {
    let env = Env::new();
    let book = env.template("luc-ngan", "2018");
    let income = row_of(&book, SHEET, "income-per-capita");
    let growth = row_of(&book, SHEET, "production-growth");
    let cover = row_of(&book, SHEET, "forest-cover");
    let bad = fill(
        &book,
        SHEET_XML,
        &[
            (&format!("E{income}"), Fill::Text("abc")),
            (&format!("E{growth}"), Fill::Number(10.0)),
            (&format!("F{growth}"), Fill::Text("chắc chắn")),
            (&format!("E{cover}"), Fill::Number(41.6)),
            (&format!("I{cover}"), Fill::Text("forest-cover-typo")),
        ],
    );
    let before = env.figures();
    let out = env.import("bad.xlsx", &bad);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("bad.xlsx: 3 bad cells: "), "{err}");
    for cell in [
        format!("Bảng nhập liệu!E{income}: expected a number (e.g. 41,5 or 41.5), found \"abc\""),
        format!("Bảng nhập liệu!F{growth}: expected one of Ước tính, Sơ bộ, Chính thức, found \"chắc chắn\""),
        format!("Bảng nhập liệu!I{cover}: unknown indicator `forest-cover-typo`"),
    ] {
        assert!(err.contains(&cell), "{cell} not in {err}");
    }
    assert_eq!(env.figures(), before, "nothing written");

    // The keys of the template tampered with: a unit the database does not know.
    let filled = fill(
        &book,
        SHEET_XML,
        &[(&format!("E{income}"), Fill::Number(39.0))],
    );
    let tampered = fill(&filled, META_XML, &[("B2", Fill::Text("atlantis"))]);
    let out = env.import("tampered.xlsx", &tampered);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("tampered.xlsx: _chitieu!B2: unit `atlantis` is not in the database"),
        "{err}"
    );
    assert_eq!(env.figures(), before, "nothing written");
}

/// Files that are not filled templates: each a one-line error naming the file.
#[test]
fn what_is_not_a_filled_template() {
    let env = Env::new();
    let book = env.template("luc-ngan", "2018");
    for (name, bytes, want) in [
        (
            "text.xlsx",
            b"unit,indicator\n".to_vec(),
            "text.xlsx: not an Excel workbook (.xlsx)",
        ),
        (
            "blank.xlsx",
            book,
            "blank.xlsx: nothing to import: no figure is filled in",
        ),
    ] {
        std::fs::write(env.path(name), bytes).unwrap();
        let err = env.fails(&["import", env.path(name).to_str().unwrap()]);
        assert!(err.contains(want), "{err}");
    }
    // A workbook of the status table is a workbook, but no template.
    let status = env.path("status.xlsx");
    env.ok(&[
        "status",
        "--resolution",
        "luc-ngan-xxiv",
        "--as-of",
        "2018-06-25",
        "--format",
        "xlsx",
        "--out",
        status.to_str().unwrap(),
    ]);
    let err = env.fails(&["import", status.to_str().unwrap()]);
    assert!(err.contains("status.xlsx: not a chitieu template"), "{err}");
    let err = env.fails(&["import", env.path("missing.xlsx").to_str().unwrap()]);
    assert!(err.contains("cannot read"), "{err}");
}

/// `review --format xlsx` writes the review's tables, a sheet each, with the JSON review's
/// numbers; without `--out` it refuses.
#[test]
fn the_review_as_an_excel_workbook() {
    let env = Env::new();
    let args = ["review", "--unit", "luc-ngan", "--as-of", "2018-06-25"];
    let json: Value =
        serde_json::from_str(&env.ok(&[&args[..], &["--format", "json"]].concat())).unwrap();
    let file = env.path("review.xlsx");
    env.ok(&[
        &args[..],
        &["--format", "xlsx", "--out", file.to_str().unwrap()],
    ]
    .concat());
    let mut x: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        x.sheet_names(),
        ["Chỉ tiêu", "Văn bản", "Nhiệm vụ", "Điều chỉnh", "Hạn chế"]
    );
    let targets = json["targets"].as_array().unwrap();
    let sheet = x.worksheet_range("Chỉ tiêu").unwrap();
    assert_eq!(sheet.height(), 1 + targets.len());
    // Rows are grouped by resolution and field; find each target by its resolution and code.
    for t in targets {
        let r = (1..sheet.height() as u32)
            .find(|r| {
                sheet.get_value((*r, 0)).map(ToString::to_string).as_deref()
                    == t["resolution"].as_str()
                    && sheet.get_value((*r, 1)).map(ToString::to_string).as_deref()
                        == t["code"].as_str()
            })
            .unwrap_or_else(|| panic!("no row for {t}"));
        assert_eq!(
            sheet.get_value((r, 5)),
            Some(&Data::Float(t["baseline"].as_f64().unwrap())),
            "{t}"
        );
        if let Some(p) = t["realisation"].as_f64() {
            assert_eq!(sheet.get_value((r, 12)), Some(&Data::Float(p)), "{t}");
        }
    }
    let docs = x.worksheet_range("Văn bản").unwrap();
    assert_eq!(
        docs.height(),
        1 + json["documents"]["list"].as_array().map_or(0, Vec::len),
        "{}",
        json["documents"]
    );
    assert!(matches!(docs.get_value((1, 2)), Some(Data::DateTime(_))));
    let adjustments = x.worksheet_range("Điều chỉnh").unwrap();
    assert_eq!(
        adjustments.height(),
        1 + json["adjustments"].as_array().unwrap().len()
    );
    let shortfalls = x.worksheet_range("Hạn chế").unwrap();
    assert_eq!(
        shortfalls.height(),
        1 + json["shortfalls"].as_array().unwrap().len()
    );
    // Without --out the workbook goes to standard output when it is redirected (a terminal
    // is refused, which a test cannot be).
    let piped = env.run(&[&args[..], &["--format", "xlsx"]].concat());
    assert!(piped.status.success());
    assert!(piped.stdout.starts_with(b"PK\x03\x04"), "a zip archive");
}
