//! `chitieu import --format dhis2-json|dhis2-csv|sdmx-csv --mapping` and `chitieu export` in
//! the same formats, through the real binary and the demo's mapping
//! (`docs/examples/demo-mapping.toml`).

#![allow(clippy::unwrap_used)] // Test helpers: a failure is a test failure.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const DEMO_MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/examples/demo-mapping.toml"
);

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
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

    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{args:?} failed: {err}");
        (String::from_utf8(out.stdout).unwrap(), err)
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

    fn figures(&self) -> String {
        self.ok(&["export", "--format", "csv"]).0
    }
}

/// A DHIS2 data value set as a neighbour's instance would send it, in the codes of the demo's
/// mapping: Lục Ngạn's forest cover and the health-insurance coverage of Bắc Giang.
const DHIS2_SET: &str = r#"{
  "dataSet": "LnKhTieu001",
  "period": "2020",
  "dataValues": [
    {
      "dataElement": "FcvRrLnk001",
      "orgUnit": "LnDistUid02",
      "categoryOptionCombo": "HllvX50cXC0",
      "value": "42.7",
      "storedBy": "Hạt Kiểm lâm Lục Ngạn",
      "lastUpdated": "2021-01-20T08:30:00.000",
      "comment": "DHIS2: báo cáo năm 2020"
    },
    {
      "dataElement": "HlthInsLn03",
      "orgUnit": "BgProvUid01",
      "value": "93.4"
    }
  ]
}
"#;

#[test]
fn a_dhis2_set_imports_into_the_demo_and_its_figures_count() {
    let env = Env::new();
    env.ok(&["demo"]);
    let file = env.write("set.json", DHIS2_SET);
    let (out, _) = env.ok(&[
        "import",
        file.to_str().unwrap(),
        "--format",
        "dhis2-json",
        "--mapping",
        DEMO_MAPPING,
    ]);
    assert!(out.contains("added 2 observations"), "{out}");
    let csv = env.figures();
    assert!(
        csv.contains("luc-ngan,forest-cover,2020,42.7,final,DHIS2: báo cáo năm 2020\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("bac-giang,health-insurance-coverage,2020,93.4,final,\r\n"),
        "{csv}"
    );
    // The figure is the district's own for 2020, known from the day DHIS2 last updated it.
    let v: Value = serde_json::from_str(
        &env.ok(&[
            "value",
            "--unit",
            "luc-ngan",
            "--indicator",
            "forest-cover",
            "--period",
            "2020",
            "--as-of",
            "2021-06-30",
            "--format",
            "json",
        ])
        .0,
    )
    .unwrap();
    assert!(v.to_string().contains("42.7"), "{v}");
    let before = env.ok(&[
        "value",
        "--unit",
        "luc-ngan",
        "--indicator",
        "forest-cover",
        "--period",
        "2020",
        "--as-of",
        "2021-01-19",
        "--format",
        "json",
    ]);
    assert!(!before.0.contains("42.7"), "{}", before.0);
    // Importing the same set again adds nothing.
    let (again, _) = env.ok(&[
        "import",
        file.to_str().unwrap(),
        "--format",
        "dhis2-json",
        "--mapping",
        DEMO_MAPPING,
    ]);
    assert!(again.contains("nothing new"), "{again}");
}

#[test]
fn dhis2_csv_and_sdmx_csv_import_too() {
    let env = Env::new();
    env.ok(&["demo"]);
    let dhis2 = env.write(
        "values.csv",
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,flwup\n\
         NtmComLnk04,2020,LnDistUid02,HllvX50cXC0,,12,ubnd,2021-01-05T10:00:00.000,,false\n",
    );
    let (out, _) = env.ok(&[
        "import",
        dhis2.to_str().unwrap(),
        "--format",
        "dhis2-csv",
        "--mapping",
        DEMO_MAPPING,
    ]);
    assert!(out.contains("added 1 observations"), "{out}");
    let sdmx = env.write(
        "flow.csv",
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,INDICATOR,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
         dataflow,VN_DEMO:DF_CHITIEU(1.0),I,A,24,FOREST_COVER,PT,2020,38.4,E\n\
         dataflow,VN_DEMO:DF_CHITIEU(1.0),I,A,24,FOREST_COVER,PT,2021,,M\n",
    );
    let (out, err) = env.ok(&[
        "import",
        sdmx.to_str().unwrap(),
        "--format",
        "sdmx-csv",
        "--mapping",
        DEMO_MAPPING,
    ]);
    assert!(out.contains("added 1 observations"), "{out}");
    assert!(err.contains("1 observation marked missing"), "{err}");
    let csv = env.figures();
    assert!(
        csv.contains("luc-ngan,ntm-communes,2020,12,final,\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("bac-giang,forest-cover,2020,38.4,estimate,\r\n"),
        "{csv}"
    );
}

#[test]
fn a_bad_file_fails_with_one_line_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["demo"]);
    let before = env.figures();
    let import = |file: &PathBuf, format: &str| {
        env.fails(&[
            "import",
            file.to_str().unwrap(),
            "--format",
            format,
            "--mapping",
            DEMO_MAPPING,
        ])
    };
    // An org unit the mapping does not know, after a good value: nothing is written.
    let unmapped = env.write(
        "unmapped.json",
        &DHIS2_SET.replace("\"BgProvUid01\"", "\"Zz9Unknown1\""),
    );
    let err = import(&unmapped, "dhis2-json");
    let line = DHIS2_SET
        .lines()
        .position(|l| l.contains("BgProvUid01"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "unmapped.json:{line}:7: dataValues[1].orgUnit: unmapped org unit `Zz9Unknown1`"
        )),
        "{err}"
    );
    assert!(err.contains("[dhis2.org_units] in"), "{err}");
    // Malformed JSON: serde_json's line and column.
    let broken = env.write(
        "broken.json",
        "{\n  \"dataValues\": [\n    {\"value\": \"1\",}\n  ]\n}\n",
    );
    let err = import(&broken, "dhis2-json");
    assert!(err.contains("broken.json:3:19: "), "{err}");
    // A bad period in CSV: line and column.
    let csv = env.write(
        "weekly.csv",
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nFcvRrLnk001,2020W10,LnDistUid02,,,1\n",
    );
    let err = import(&csv, "dhis2-csv");
    assert!(
        err.contains("weekly.csv:2: column period: `2020W10` is a DHIS2 weekly period"),
        "{err}"
    );
    // A code mapped to a unit the database does not have: refused by the store, at the place
    // in the file.
    let mapping = env.write(
        "m.toml",
        &std::fs::read_to_string(DEMO_MAPPING).unwrap().replace(
            "\"BgProvUid01\" = \"bac-giang\"",
            "\"BgProvUid01\" = \"bac-ninh\"",
        ),
    );
    let file = env.write("set.json", DHIS2_SET);
    let err = env.fails(&[
        "import",
        file.to_str().unwrap(),
        "--format",
        "dhis2-json",
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(err.contains(&format!("set.json:{}:", line - 2)), "{err}");
    assert!(
        err.contains("dataValues[1].orgUnit") && err.contains("bac-ninh"),
        "{err}"
    );
    // A broken mapping names its own line.
    let bad_map = env.write("bad.toml", "[dhis2]\nstored_by = \"someone\"\n");
    let err = env.fails(&[
        "import",
        file.to_str().unwrap(),
        "--format",
        "dhis2-json",
        "--mapping",
        bad_map.to_str().unwrap(),
    ]);
    assert!(
        err.contains("bad.toml:2:13: dhis2.stored_by: unknown value `someone`"),
        "{err}"
    );
    assert_eq!(env.figures(), before);
    // --format needs --mapping.
    assert!(!env
        .run(&["import", file.to_str().unwrap(), "--format", "dhis2-json"])
        .status
        .success());
    let err = env.fails(&["export", "--format", "sdmx-csv"]);
    assert!(err.contains("--format sdmx-csv needs --mapping"), "{err}");
}

#[test]
fn the_demo_exports_in_each_format_and_says_what_it_left_out() {
    let env = Env::new();
    env.ok(&["demo"]);
    let (json, err) = env.ok(&[
        "export",
        "--format",
        "dhis2-json",
        "--mapping",
        DEMO_MAPPING,
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let values = v["dataValues"].as_array().unwrap();
    assert!(
        err.contains(&format!("{} figures written as dhis2-json", values.len())),
        "{err}"
    );
    assert!(err.contains("figures not written"), "{err}");
    assert!(
        err.contains("of units with no code in [dhis2.org_units]"),
        "{err}"
    );
    assert_eq!(v["dataSet"], "LnKhTieu001");
    // Lục Ngạn's forest cover of 2017, as the demo has it.
    assert!(values.iter().any(|d| d["dataElement"] == "FcvRrLnk001"
        && d["orgUnit"] == "LnDistUid02"
        && d["period"] == "2017"
        && d["categoryOptionCombo"] == "HllvX50cXC0"));

    let out = env.dir.path().join("values.csv");
    env.ok(&[
        "export",
        "--format",
        "dhis2-csv",
        "--mapping",
        DEMO_MAPPING,
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with(
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
        ),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), values.len() + 1);

    let (sdmx, _) = env.ok(&["export", "--format", "sdmx-csv", "--mapping", DEMO_MAPPING]);
    assert!(sdmx.starts_with("STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,INDICATOR,UNIT_MEASURE,UNIT_MULT,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT_OBS\r\n"), "{sdmx}");
    assert!(
        sdmx.contains("\r\ndataflow,VN_DEMO:DF_CHITIEU(1.0),I,A,219,FOREST_COVER,PT,0,2017,"),
        "{sdmx}"
    );

    // What goes out comes back: the exported files import into a database with the demo's
    // structure as the same figures.
    let fresh = Env::new();
    fresh.ok(&["demo"]);
    for (name, format, text) in [
        ("a.json", "dhis2-json", json.as_str()),
        ("b.csv", "dhis2-csv", csv.as_str()),
        ("c.csv", "sdmx-csv", sdmx.as_str()),
    ] {
        let f = fresh.write(name, text);
        fresh.ok(&[
            "import",
            f.to_str().unwrap(),
            "--format",
            format,
            "--mapping",
            DEMO_MAPPING,
        ]);
    }
}
