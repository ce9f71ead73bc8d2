//! Numbers, dates and labels in Vietnamese (the default) and English.
//!
//! Vietnamese writes 1.234.567,89 and 25/6/2018; English 1,234,567.89 and 25 June 2018. The
//! language is passed to every call, never set process-wide.

use chitieu_domain::review::TaskStatus;
use chitieu_domain::status::{Method, Status};
use chitieu_domain::{Decimal, DocumentKind, Field, TargetKind, TargetValue};
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    fn seps(self) -> (char, char) {
        match self {
            Lang::Vi => (',', '.'),
            Lang::En => ('.', ','),
        }
    }
}

fn group(int: &str, sep: char) -> String {
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A decimal as the locale writes it, with its own digits (trailing zeros dropped).
pub fn dec(lang: Lang, d: Decimal) -> String {
    let s = d.normalize().to_string();
    let (dsep, gsep) = lang.seps();
    match s.split_once('.') {
        Some((i, f)) => format!("{}{dsep}{f}", group(i, gsep)),
        None => group(&s, gsep),
    }
}

/// A number as a person of `lang` types it: Vietnamese `1.234,5` or `1234,5`, English
/// `1,234.5` or `1234.5`; `None` for anything else. Group separators must split the integer
/// part by threes, so that a Vietnamese `41.5` (typed the English way) is refused instead of
/// being read as 415.
pub fn parse_dec(lang: Lang, text: &str) -> Option<Decimal> {
    let (dsep, gsep) = lang.seps();
    let t = text.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match body.split_once(dsep) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let groups: Vec<&str> = int.split(gsep).collect();
    let grouped_well = match groups.split_first() {
        Some((first, rest)) if !rest.is_empty() => {
            digits(first) && first.len() <= 3 && rest.iter().all(|g| g.len() == 3 && digits(g))
        }
        _ => (int.is_empty() && frac.is_some()) || digits(int),
    };
    if !grouped_well || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let int = if int.is_empty() {
        "0".to_string()
    } else {
        groups.concat()
    };
    let canonical = match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    };
    canonical.parse().ok()
}

/// A float rounded to `places` decimals, trailing zeros dropped.
pub fn num(lang: Lang, x: f64, places: u32) -> String {
    match Decimal::from_f64_retain(x) {
        Some(d) => dec(lang, d.round_dp(places)),
        None => "—".into(),
    }
}

pub fn pct(lang: Lang, x: f64) -> String {
    format!("{}%", num(lang, x, 1))
}

/// A value with its unit of measure: "41,3%", "11 xã".
pub fn with_unit(lang: Lang, d: Decimal, unit: &str) -> String {
    if unit == "%" || unit.is_empty() {
        format!("{}{unit}", dec(lang, d))
    } else {
        format!("{} {unit}", dec(lang, d))
    }
}

pub fn target_value(lang: Lang, v: &TargetValue, unit: &str) -> String {
    match v {
        TargetValue::Exact(d) => with_unit(lang, *d, unit),
        TargetValue::Range { min, max } => {
            format!("{}–{}", dec(lang, *min), with_unit(lang, *max, unit))
        }
        TargetValue::ChangePerYear(c) => {
            let sign = if c.is_sign_negative() { "" } else { "+" };
            match lang {
                Lang::Vi => format!("{sign}{}/năm", with_unit(lang, *c, unit)),
                Lang::En => format!("{sign}{}/year", with_unit(lang, *c, unit)),
            }
        }
    }
}

pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Vi => format!("{}/{}/{}", d.day(), d.month(), d.year()),
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            let m = MONTHS.get(d.month0() as usize).copied().unwrap_or("");
            format!("{} {m} {}", d.day(), d.year())
        }
    }
}

/// A period as running text says it: "năm 2018", "6 tháng đầu năm 2018", "quý II/2018",
/// "tháng 6/2018"; "2018", "the first half of 2018", "Q2 2018", "June 2018".
pub fn period(lang: Lang, p: chitieu_domain::Period) -> String {
    use chitieu_domain::Period;
    match (lang, p) {
        (Lang::Vi, Period::Year(y)) => format!("năm {y}"),
        (Lang::Vi, Period::Half(y, 1)) => format!("6 tháng đầu năm {y}"),
        (Lang::Vi, Period::Half(y, _)) => format!("6 tháng cuối năm {y}"),
        (Lang::Vi, Period::Quarter(y, q)) => format!("quý {}/{y}", roman(u32::from(q))),
        (Lang::Vi, Period::Month(y, m)) => format!("tháng {m}/{y}"),
        (Lang::En, Period::Year(y)) => format!("{y}"),
        (Lang::En, Period::Half(y, 1)) => format!("the first half of {y}"),
        (Lang::En, Period::Half(y, _)) => format!("the second half of {y}"),
        (Lang::En, Period::Quarter(y, q)) => format!("Q{q} {y}"),
        (Lang::En, Period::Month(y, m)) => match NaiveDate::from_ymd_opt(y, u32::from(m), 1) {
            // Reuses the date's month names; the day is dropped.
            Some(d) => date(lang, d)
                .split_once(' ')
                .map_or_else(|| p.to_string(), |(_, rest)| rest.to_string()),
            None => p.to_string(),
        },
    }
}

/// Roman numerals for congress ordinals (XXIV).
pub use chitieu_domain::roman;

pub fn status(lang: Lang, s: Status) -> &'static str {
    match (lang, s) {
        (Lang::Vi, Status::Exceeded) => "hoàn thành vượt mức",
        (Lang::Vi, Status::Achieved) => "hoàn thành",
        (Lang::Vi, Status::OnTrack) => "có khả năng hoàn thành",
        (Lang::Vi, Status::AtRisk) => "cần đẩy nhanh tiến độ",
        (Lang::Vi, Status::OffTrack) => "khó hoàn thành",
        (Lang::Vi, Status::NoData) => "chưa đủ số liệu để đánh giá",
        (Lang::Vi, Status::Withdrawn) => "đưa ra khỏi nghị quyết",
        (Lang::En, Status::Exceeded) => "exceeded",
        (Lang::En, Status::Achieved) => "achieved",
        (Lang::En, Status::OnTrack) => "on track",
        (Lang::En, Status::AtRisk) => "at risk",
        (Lang::En, Status::OffTrack) => "off track",
        (Lang::En, Status::NoData) => "not enough data",
        (Lang::En, Status::Withdrawn) => "withdrawn",
    }
}

pub fn method(lang: Lang, m: Method) -> &'static str {
    match (lang, m) {
        (Lang::Vi, Method::Comparison) => "so sánh trực tiếp",
        (Lang::Vi, Method::Compound) => "tăng trưởng kép",
        (Lang::Vi, Method::Linear) => "tuyến tính",
        (Lang::Vi, Method::Requirement) => "lũy kế so với thời gian",
        (Lang::Vi, Method::YearByYear) => "từng năm",
        (Lang::Vi, Method::None) => "—",
        (Lang::En, Method::Comparison) => "comparison",
        (Lang::En, Method::Compound) => "compound growth",
        (Lang::En, Method::Linear) => "linear",
        (Lang::En, Method::Requirement) => "requirement vs time",
        (Lang::En, Method::YearByYear) => "year by year",
        (Lang::En, Method::None) => "—",
    }
}

pub fn field(lang: Lang, f: Field) -> &'static str {
    match (lang, f) {
        (Lang::Vi, Field::Economy) => "Kinh tế",
        (Lang::Vi, Field::CultureSociety) => "Văn hóa – xã hội",
        (Lang::Vi, Field::Environment) => "Môi trường",
        (Lang::Vi, Field::PartyBuilding) => "Xây dựng Đảng và hệ thống chính trị",
        (Lang::Vi, Field::DefenceSecurity) => "Quốc phòng – an ninh",
        (Lang::Vi, Field::Other) => "Lĩnh vực khác",
        (Lang::En, Field::Economy) => "Economy",
        (Lang::En, Field::CultureSociety) => "Culture and society",
        (Lang::En, Field::Environment) => "Environment",
        (Lang::En, Field::PartyBuilding) => "Party building",
        (Lang::En, Field::DefenceSecurity) => "Defence and security",
        (Lang::En, Field::Other) => "Other",
    }
}

pub fn kind(lang: Lang, k: TargetKind) -> &'static str {
    match (lang, k) {
        (Lang::Vi, TargetKind::Level) => "mức đạt",
        (Lang::Vi, TargetKind::Cumulative) => "lũy kế",
        (Lang::Vi, TargetKind::Average) => "bình quân",
        (Lang::Vi, TargetKind::EveryYear) => "hằng năm",
        (Lang::Vi, TargetKind::Maintain) => "duy trì",
        (Lang::En, TargetKind::Level) => "level",
        (Lang::En, TargetKind::Cumulative) => "cumulative",
        (Lang::En, TargetKind::Average) => "average",
        (Lang::En, TargetKind::EveryYear) => "every year",
        (Lang::En, TargetKind::Maintain) => "maintain",
    }
}

/// Document kinds, singular, as counted in "8 nghị quyết, 3 chương trình hành động".
pub fn document_kind(lang: Lang, k: DocumentKind, n: usize) -> String {
    let vi = match k {
        DocumentKind::Resolution => "nghị quyết",
        DocumentKind::ActionProgramme => "chương trình hành động",
        DocumentKind::Plan => "kế hoạch",
        DocumentKind::Guidance => "hướng dẫn",
        DocumentKind::Directive => "chỉ thị",
        DocumentKind::Conclusion => "kết luận",
        DocumentKind::Decision => "quyết định",
        DocumentKind::Project => "đề án",
        DocumentKind::Other => "văn bản khác",
    };
    let en = match (k, n == 1) {
        (DocumentKind::Resolution, true) => "resolution",
        (DocumentKind::Resolution, false) => "resolutions",
        (DocumentKind::ActionProgramme, true) => "action programme",
        (DocumentKind::ActionProgramme, false) => "action programmes",
        (DocumentKind::Plan, true) => "plan",
        (DocumentKind::Plan, false) => "plans",
        (DocumentKind::Guidance, true) => "guidance document",
        (DocumentKind::Guidance, false) => "guidance documents",
        (DocumentKind::Directive, true) => "directive",
        (DocumentKind::Directive, false) => "directives",
        (DocumentKind::Conclusion, true) => "conclusion",
        (DocumentKind::Conclusion, false) => "conclusions",
        (DocumentKind::Decision, true) => "decision",
        (DocumentKind::Decision, false) => "decisions",
        (DocumentKind::Project, true) => "project",
        (DocumentKind::Project, false) => "projects",
        (DocumentKind::Other, true) => "other document",
        (DocumentKind::Other, false) => "other documents",
    };
    match lang {
        Lang::Vi => format!("{n} {vi}"),
        Lang::En => format!("{n} {en}"),
    }
}

pub fn task_status(lang: Lang, s: TaskStatus) -> &'static str {
    match (lang, s) {
        (Lang::Vi, TaskStatus::Done) => "đã hoàn thành",
        (Lang::Vi, TaskStatus::InProgress) => "đang thực hiện",
        (Lang::Vi, TaskStatus::NotStarted) => "chưa triển khai",
        (Lang::Vi, TaskStatus::Overdue) => "quá hạn",
        (Lang::Vi, TaskStatus::Withdrawn) => "đưa ra khỏi nghị quyết",
        (Lang::En, TaskStatus::Done) => "done",
        (Lang::En, TaskStatus::InProgress) => "in progress",
        (Lang::En, TaskStatus::NotStarted) => "not started",
        (Lang::En, TaskStatus::Overdue) => "overdue",
        (Lang::En, TaskStatus::Withdrawn) => "withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn vietnamese_and_english_numbers() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(dec(Lang::Vi, d("41.3")), "41,3");
        assert_eq!(dec(Lang::En, d("41.30")), "41.3");
        assert_eq!(dec(Lang::Vi, d("1234567.89")), "1.234.567,89");
        assert_eq!(dec(Lang::En, d("-1234567")), "-1,234,567");
        assert_eq!(dec(Lang::Vi, d("123")), "123");
        assert_eq!(pct(Lang::Vi, 49.7), "49,7%");
        assert_eq!(with_unit(Lang::Vi, d("11"), "xã"), "11 xã");
    }

    #[test]
    fn numbers_typed_in_either_language() {
        let d = |s| Some(Decimal::from_str(s).unwrap());
        assert_eq!(parse_dec(Lang::Vi, "1.234,5"), d("1234.5"));
        assert_eq!(parse_dec(Lang::Vi, " 41,3 "), d("41.3"));
        assert_eq!(parse_dec(Lang::Vi, "-1.234.567"), d("-1234567"));
        assert_eq!(parse_dec(Lang::Vi, ",5"), d("0.5"));
        assert_eq!(parse_dec(Lang::En, "1,234.5"), d("1234.5"));
        assert_eq!(parse_dec(Lang::En, "41.3"), d("41.3"));
        assert_eq!(parse_dec(Lang::En, "+7"), d("7"));
        for bad in [
            "41.5", "1.23,4", "", "-", "4l", "1,2,3", "12.34.5", "1,", "1.2345,6",
        ] {
            assert_eq!(parse_dec(Lang::Vi, bad), None, "{bad}");
        }
        for bad in ["41,5", "1,23.4", "1.2.3", "1e3", "١٢"] {
            assert_eq!(parse_dec(Lang::En, bad), None, "{bad}");
        }
        for s in ["1234567.89", "-0.5", "41.3", "100", "0"] {
            let x = Decimal::from_str(s).unwrap();
            for lang in [Lang::Vi, Lang::En] {
                assert_eq!(parse_dec(lang, &dec(lang, x)), Some(x.normalize()), "{s}");
            }
        }
    }

    #[test]
    fn dates_and_numerals() {
        let d = NaiveDate::from_ymd_opt(2018, 6, 25).unwrap();
        assert_eq!(date(Lang::Vi, d), "25/6/2018");
        assert_eq!(date(Lang::En, d), "25 June 2018");
        assert_eq!(roman(24), "XXIV");
        assert_eq!(roman(18), "XVIII");
        assert_eq!(roman(12), "XII");
    }

    #[test]
    fn periods_in_running_text() {
        use chitieu_domain::Period;
        assert_eq!(period(Lang::Vi, Period::Year(2018)), "năm 2018");
        assert_eq!(
            period(Lang::Vi, Period::Half(2018, 1)),
            "6 tháng đầu năm 2018"
        );
        assert_eq!(period(Lang::Vi, Period::Quarter(2018, 2)), "quý II/2018");
        assert_eq!(period(Lang::Vi, Period::Month(2018, 6)), "tháng 6/2018");
        assert_eq!(
            period(Lang::En, Period::Half(2018, 2)),
            "the second half of 2018"
        );
        assert_eq!(period(Lang::En, Period::Month(2018, 6)), "June 2018");
    }
}
