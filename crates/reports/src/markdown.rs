//! The review as Markdown, laid out like a Vietnamese review report, in Vietnamese or English.

use std::fmt::Write;

use chitieu_domain::review::{ChangeRow, Review, StatusRow, TargetReview, TaskStatus};
use chitieu_domain::status::{Assessment, Status};
use chitieu_domain::{Field, Subject};

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

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
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

pub(crate) fn review_kind_words(r: &Review, term_end: Option<chrono::NaiveDate>, t: &T) -> String {
    // The report needs a heading even without a term; a review is a mid-term one unless the
    // term is known to be ending.
    match review_kind(r.as_of, term_end).unwrap_or(ReviewKind::MidTerm) {
        ReviewKind::EndOfTerm => t.s("tổng kết nhiệm kỳ", "end-of-term review").into(),
        ReviewKind::MidTerm => t.s("sơ kết giữa nhiệm kỳ", "mid-term review").into(),
    }
}

pub(crate) fn resolution_name(lang: Lang, title: &str, congress: Option<u32>) -> String {
    match (lang, congress) {
        (Lang::En, Some(c)) => format!("{title} (congress {})", locale::roman(c)),
        _ => title.to_string(),
    }
}

/// Renders the review. `term_end` is the end of the unit's own resolution's term, which decides
/// whether the review is a mid-term or an end-of-term one.
/// [`review`], the end of the term taken from the unit's own resolution's term in `terms`.
pub fn review_in_terms(lang: Lang, r: &Review, terms: &[chitieu_domain::Term]) -> String {
    review(lang, r, own_term_end(r, terms))
}

pub fn review(lang: Lang, r: &Review, term_end: Option<chrono::NaiveDate>) -> String {
    let t = T(lang);
    let mut o = String::new();
    let kind = review_kind_words(r, term_end, &t);
    let _ = writeln!(o, "# {} — {}", r.unit.name, capitalise(&kind));
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{} {}.",
        t.s("Tính đến ngày", "As of"),
        locale::date(lang, r.as_of)
    );
    if r.include_unapproved {
        let _ = writeln!(
            o,
            "{}",
            t.s(
                "Có tính cả số liệu chưa được phê duyệt.",
                "Figures not yet approved are included."
            )
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        if kind.starts_with("tổng") {
            t.s("Các nghị quyết được tổng kết:", "Resolutions reviewed:")
        } else {
            t.s("Các nghị quyết được sơ kết:", "Resolutions reviewed:")
        }
    );
    for s in &r.resolutions {
        let _ = writeln!(o, "- {}", resolution_name(lang, &s.title, s.congress));
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## {}", t.s("Kết quả chung", "Headline"));
    let _ = writeln!(o);
    for s in &r.resolutions {
        if s.total == 0 {
            let _ = writeln!(
                o,
                "- {}: {}",
                resolution_name(lang, &s.title, s.congress),
                t.s(
                    "không có chỉ tiêu giao riêng cho đơn vị.",
                    "no target assigned to this unit."
                )
            );
            continue;
        }
        let head = match lang {
            Lang::Vi => format!(
                "hoàn thành và hoàn thành vượt mức **{}/{}** chỉ tiêu; đánh giá được {}/{} chỉ tiêu; {}/{} chỉ tiêu đạt từ 80% trở lên",
                s.achieved_or_exceeded, s.total, s.assessable, s.total, s.reach_80, s.total
            ),
            Lang::En => format!(
                "**{}/{}** targets achieved or exceeded; {}/{} could be assessed; {}/{} reach 80% or more",
                s.achieved_or_exceeded, s.total, s.assessable, s.total, s.reach_80, s.total
            ),
        };
        let _ = writeln!(
            o,
            "- {}: {head}.",
            resolution_name(lang, &s.title, s.congress)
        );
        let mut parts = Vec::new();
        for st in Status::ALL {
            let n = s.counts.get(st.as_str()).copied().unwrap_or(0);
            if n > 0 {
                parts.push(format!("{} {n}", locale::status(lang, st)));
            }
        }
        let _ = writeln!(
            o,
            "  {}: {}.",
            t.s("Theo mức độ", "By status"),
            parts.join("; ")
        );
        if s.achieved_or_exceeded_adjusted != s.achieved_or_exceeded || s.total_adjusted != s.total
        {
            let _ = writeln!(
                o,
                "  {} {}/{}.",
                t.s(
                    "Theo các chỉ tiêu sau điều chỉnh tại hội nghị: hoàn thành và vượt mức",
                    "Under the targets as adjusted at the meeting: achieved or exceeded"
                ),
                s.achieved_or_exceeded_adjusted,
                s.total_adjusted
            );
        }
    }
    let _ = writeln!(o);

    let _ = writeln!(
        o,
        "## I. {}",
        t.s(
            "Công tác lãnh đạo, chỉ đạo: văn bản đã ban hành",
            "Leadership: documents issued"
        )
    );
    let _ = writeln!(o);
    let issued: Vec<String> = r
        .documents
        .counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| locale::document_kind(lang, *k, *n))
        .collect();
    let _ = writeln!(
        o,
        "{} {} {} {}: {}.",
        t.s("Từ", "From"),
        locale::date(lang, r.documents.from),
        t.s("đến", "to"),
        locale::date(lang, r.documents.to),
        if issued.is_empty() {
            t.s("chưa có văn bản", "none").to_string()
        } else {
            issued.join(", ")
        }
    );
    if !r.documents.list.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            t.s("Số", "Number"),
            t.s("Ngày", "Date"),
            t.s("Trích yếu", "Title")
        );
        let _ = writeln!(o, "| --- | --- | --- |");
        for d in &r.documents.list {
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                cell(&d.number),
                locale::date(lang, d.date),
                cell(&d.title)
            );
        }
    }
    let _ = writeln!(o);

    let _ = writeln!(
        o,
        "## II. {}",
        t.s("Kết quả thực hiện các chỉ tiêu", "Results by target")
    );
    let _ = writeln!(o);
    for s in &r.resolutions {
        let rows: Vec<&TargetReview> = r.targets.iter().filter(|x| x.resolution == s.id).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### {}", resolution_name(lang, &s.title, s.congress));
        let _ = writeln!(o);
        for field in Field::ALL {
            let in_field: Vec<&&TargetReview> = rows.iter().filter(|x| x.field == field).collect();
            if in_field.is_empty() {
                continue;
            }
            let _ = writeln!(o, "#### {}", locale::field(lang, field));
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | R | {} | {} |",
                t.s("Số", "No."),
                t.s("Chỉ tiêu", "Target"),
                t.s("Cơ sở", "Baseline"),
                t.s("Mục tiêu", "Target value"),
                t.s("Điều chỉnh", "Adjusted"),
                t.s("Thực hiện", "Latest"),
                t.s("Tỷ lệ đạt", "Realisation"),
                t.s("Tiến độ", "Progress"),
                t.s("Dự báo cuối kỳ", "Projected"),
                t.s("Đánh giá", "Status"),
            );
            let _ = writeln!(
                o,
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
            );
            for x in in_field {
                let a = &x.assessment;
                let mark = if x.illustrative { "\\*" } else { "" };
                let adjusted = match (&x.adjusted, &x.assessment_adjusted) {
                    (Some(v), Some(a2)) => format!(
                        "{} ({})",
                        locale::target_value(lang, v, &x.measure_unit),
                        locale::status(lang, a2.status)
                    ),
                    _ => "—".into(),
                };
                let _ = writeln!(
                    o,
                    "| {}{mark} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
                    cell(&x.code),
                    cell(&x.name),
                    locale::with_unit(lang, x.baseline, &x.measure_unit),
                    x.baseline_period,
                    locale::target_value(lang, &x.value, &x.measure_unit),
                    adjusted,
                    latest(lang, a, &x.measure_unit, x.kind),
                    opt_pct(lang, a.realisation),
                    opt_pct(lang, a.progress),
                    opt_num(lang, a.ratio, 2),
                    opt_num(lang, a.projected, 2),
                    locale::status(lang, a.status),
                    locale::method(lang, a.method),
                );
            }
            let _ = writeln!(o);
        }
    }
    if r.targets.iter().any(|x| x.illustrative) {
        let _ = writeln!(
            o,
            "\\* {}",
            t.s(
                "Số liệu minh họa, không lấy từ văn bản thật.",
                "Illustrative figures, not taken from a real document."
            )
        );
        let _ = writeln!(o);
    }

    if !r.tasks.is_empty() {
        let _ = writeln!(o, "## III. {}", t.s("Các nhiệm vụ", "Tasks"));
        let _ = writeln!(o);
        for x in &r.tasks {
            let due = x
                .due
                .map(|d| format!(" ({} {})", t.s("hạn", "due"), locale::date(lang, d)))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "- {}{due}: {}.",
                x.name,
                locale::task_status(lang, x.status)
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## IV. {}", t.s("Hạn chế, yếu kém", "Shortfalls"));
    let _ = writeln!(o);
    if r.shortfalls.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            t.s("Không có chỉ tiêu chậm tiến độ.", "No target is behind.")
        );
    }
    for s in &r.shortfalls {
        let unit = r
            .targets
            .iter()
            .find(|x| x.resolution == s.resolution && x.code == s.code)
            .map_or("", |x| x.measure_unit.as_str());
        let value = s
            .latest
            .as_ref()
            .map(|l| {
                let target = s
                    .target
                    .map(|v| locale::with_unit(lang, v, unit))
                    .unwrap_or_default();
                match lang {
                    Lang::Vi => format!(
                        "mới đạt {} ({}), mục tiêu {}",
                        locale::with_unit(lang, l.value, unit),
                        l.period,
                        target
                    ),
                    Lang::En => format!(
                        "only {} ({}), target {}",
                        locale::with_unit(lang, l.value, unit),
                        l.period,
                        target
                    ),
                }
            })
            .unwrap_or_else(|| t.s("chưa có số liệu", "no figures").into());
        let st = s
            .status
            .map(|x| locale::status(lang, x))
            .unwrap_or(t.s("thấp hơn mục tiêu", "short of the target"));
        match &s.unit {
            Some(u) => {
                let _ = writeln!(
                    o,
                    "- {} — {} {u}: {value} — {st}.",
                    s.name,
                    t.s("đơn vị", "unit")
                );
            }
            None => {
                let _ = writeln!(o, "- {}: {value} — {st}.", s.name);
            }
        }
    }
    let _ = writeln!(o);

    let _ = writeln!(
        o,
        "## V. {}",
        t.s("Điều chỉnh chỉ tiêu, nhiệm vụ", "Adjustments")
    );
    let _ = writeln!(o);
    if r.adjustments.is_empty() {
        let _ = writeln!(o, "{}", t.s("Chưa có điều chỉnh.", "None."));
    }
    for a in &r.adjustments {
        let unit = match &a.subject {
            Subject::Target { resolution, code } => r
                .targets
                .iter()
                .find(|x| &x.resolution == resolution && &x.code == code)
                .map_or("", |x| x.measure_unit.as_str()),
            Subject::Task { .. } => "",
        };
        let mut parts = Vec::new();
        for c in &a.changes {
            parts.push(match c {
                ChangeRow::Value { from, to } => match lang {
                    Lang::Vi => format!(
                        "từ {} lên {}",
                        locale::target_value(lang, from, unit),
                        locale::target_value(lang, to, unit)
                    )
                    .replace(
                        " lên ",
                        if value_decreases(from, to) {
                            " xuống "
                        } else {
                            " lên "
                        },
                    ),
                    Lang::En => {
                        format!(
                            "from {} to {}",
                            locale::target_value(lang, from, unit),
                            locale::target_value(lang, to, unit)
                        )
                    }
                },
                ChangeRow::Deadline { from, to } => format!(
                    "{} {} → {}",
                    t.s("thời hạn", "deadline"),
                    from.map(|d| locale::date(lang, d))
                        .unwrap_or_else(|| "—".into()),
                    locale::date(lang, *to)
                ),
                ChangeRow::Wording { to, .. } => {
                    format!("{} «{to}»", t.s("sửa nội dung thành", "reworded as"))
                }
                ChangeRow::Withdraw => t
                    .s("đưa ra khỏi nghị quyết", "withdrawn from the resolution")
                    .into(),
            });
        }
        let _ = writeln!(
            o,
            "- {} ({}): {}. {}: {}, {}, {}. {}: {}",
            a.name,
            match &a.subject {
                Subject::Target { code, .. } => format!("{} {code}", t.s("chỉ tiêu", "target")),
                Subject::Task { code, .. } => format!("{} {code}", t.s("nhiệm vụ", "task")),
            },
            parts.join("; "),
            t.s("Quyết định", "Decision"),
            a.decision.body,
            a.decision.reference,
            locale::date(lang, a.decision.date),
            t.s("Lý do", "Reason"),
            a.reason
        );
    }
    let withdrawn: Vec<_> = r
        .tasks
        .iter()
        .filter(|x| x.status == TaskStatus::Withdrawn)
        .collect();
    if !withdrawn.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            t.s(
                "Nhiệm vụ đưa ra khỏi nghị quyết:",
                "Tasks withdrawn from the resolution:"
            )
        );
        for x in withdrawn {
            let _ = writeln!(o, "- {}", x.name);
        }
    }
    o
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

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
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
