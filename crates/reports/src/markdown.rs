//! The status table for the terminal, and the words the review document shares (the latest
//! figure, the kind of review, a resolution's name); the review itself is `document.rs`.

use std::fmt::Write;

use chitieu_domain::review::{Review, StatusRow};
use chitieu_domain::status::Assessment;

use crate::locale::{self, Lang};

pub(crate) struct T(pub(crate) Lang);

impl T {
    pub(crate) fn s<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

pub(crate) fn latest(
    lang: Lang,
    a: &Assessment,
    unit: &str,
    kind: chitieu_domain::TargetKind,
) -> String {
    use chitieu_domain::TargetKind;
    match &a.latest {
        Some(l) if matches!(kind, TargetKind::Cumulative | TargetKind::Average) => {
            let m = a.measure.unwrap_or(l.value);
            let what = match (kind, lang) {
                (TargetKind::Cumulative, Lang::Vi) => "lũy kế đến",
                (TargetKind::Cumulative, _) => "total to",
                (_, Lang::Vi) => "bình quân đến",
                (_, Lang::En) => "average to",
            };
            format!("{} — {what} {}", locale::with_unit(lang, m, unit), l.period)
        }
        Some(l) => {
            let est = match (l.standing, lang) {
                (chitieu_domain::Standing::Estimate, Lang::Vi) => " (ước)",
                (chitieu_domain::Standing::Estimate, Lang::En) => " (est.)",
                (chitieu_domain::Standing::Preliminary, Lang::Vi) => " (sơ bộ)",
                (chitieu_domain::Standing::Preliminary, Lang::En) => " (prelim.)",
                _ => "",
            };
            format!(
                "{} — {}{est}",
                locale::with_unit(lang, l.value, unit),
                l.period
            )
        }
        None => "—".into(),
    }
}

pub(crate) fn opt_pct(lang: Lang, x: Option<f64>) -> String {
    x.map_or("—".into(), |v| locale::pct(lang, v))
}

pub(crate) fn opt_num(lang: Lang, x: Option<f64>, places: u32) -> String {
    x.map_or("—".into(), |v| locale::num(lang, v, places))
}

/// Which review a date makes of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReviewKind {
    /// *Sơ kết giữa nhiệm kỳ*.
    MidTerm,
    /// *Tổng kết nhiệm kỳ*.
    EndOfTerm,
}

/// An end-of-term review within the last year of the term (or after it), a mid-term one
/// before; `None` when there is no term to measure the date against.
pub(crate) fn review_kind(
    as_of: chrono::NaiveDate,
    term_end: Option<chrono::NaiveDate>,
) -> Option<ReviewKind> {
    term_end.map(|end| {
        if (end - as_of).num_days() < 365 {
            ReviewKind::EndOfTerm
        } else {
            ReviewKind::MidTerm
        }
    })
}

/// The end of the term of the unit's own resolution, which decides the kind of review.
pub(crate) fn own_term_end(
    r: &Review,
    terms: &[chitieu_domain::Term],
) -> Option<chrono::NaiveDate> {
    r.resolutions
        .iter()
        .find(|x| x.own)
        .and_then(|x| terms.iter().find(|t| t.id == x.term))
        .map(|t| t.end)
}

pub(crate) fn resolution_name(lang: Lang, title: &str, congress: Option<u32>) -> String {
    match (lang, congress) {
        (Lang::En, Some(c)) => format!("{title} (congress {})", locale::roman(c)),
        _ => title.to_string(),
    }
}

pub(crate) fn value_decreases(
    from: &chitieu_domain::TargetValue,
    to: &chitieu_domain::TargetValue,
) -> bool {
    use chitieu_domain::TargetValue::*;
    match (from, to) {
        (Exact(a), Exact(b)) | (ChangePerYear(a), ChangePerYear(b)) => b < a,
        (Range { min: a, .. }, Range { min: b, .. }) => b < a,
        _ => false,
    }
}

/// The status of a resolution's targets as a terminal table.
pub fn status_table(
    lang: Lang,
    resolution: &str,
    as_of: chrono::NaiveDate,
    rows: &[StatusRow],
) -> String {
    let t = T(lang);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} {resolution} — {} {}",
        t.s("Nghị quyết", "Resolution"),
        t.s("tính đến", "as of"),
        locale::date(lang, as_of)
    );
    let _ = writeln!(o);
    let header = [
        t.s("Số", "No."),
        t.s("Chỉ tiêu", "Target"),
        t.s("Mục tiêu", "Target value"),
        t.s("Thực hiện", "Latest"),
        t.s("Tỷ lệ đạt", "Realisation"),
        "R",
        t.s("Đánh giá", "Status"),
        t.s("Theo mục tiêu ban đầu", "Under the original"),
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for x in rows {
        let a = &x.assessment;
        table.push(vec![
            x.code.clone(),
            truncate(&x.name, 48),
            locale::target_value(lang, &x.value, &x.measure_unit),
            latest(lang, a, &x.measure_unit, x.kind),
            opt_pct(lang, a.realisation),
            opt_num(lang, a.ratio, 2),
            locale::status(lang, a.status).to_string(),
            match &x.assessment_original {
                Some(orig) => format!(
                    "{}: {}",
                    locale::target_value(lang, &x.original, &x.measure_unit),
                    locale::status(lang, orig.status)
                ),
                None => String::new(),
            },
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (n, row) in table.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        let _ = writeln!(o, "{}", line.join("  ").trim_end());
        if n == 0 {
            let _ = writeln!(
                o,
                "{}",
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
    }
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
