//! The press summary: a few paragraphs in the style of a news report of the review meeting
//! (`../shared/seed/`) — who met and when, what was reviewed, the headline, the documents, the
//! shortfalls, the adjustments, the withdrawn tasks.
//!
//! Every sentence is built from the review. A piece the review does not hold (no document, no
//! adjustment, no term to tell a mid-term review from an end-of-term one) leaves its sentence
//! out: a press text is quoted as fact, so a gap is better than a guess.

use std::fmt::Write;

use chitieu_domain::review::{
    AdjustmentReview, ChangeRow, Review, ShortfallKind, TargetReview, TaskStatus,
};
use chitieu_domain::status::{Assessment, Figure, Status};
use chitieu_domain::{Decision, ResolutionKind, Standing, Subject, TargetKind, Term};

use crate::locale::{self, Lang};
use crate::markdown::{own_term_end, review_kind, value_decreases, ReviewKind};

/// The press summary of `r` in `lang`; `terms` tell a mid-term review from an end-of-term one.
pub fn summary(lang: Lang, r: &Review, terms: &[Term]) -> String {
    let mut p = Press {
        lang,
        r,
        illustrative: false,
    };
    let kind = review_kind(r.as_of, own_term_end(r, terms));
    let mut paragraphs = Vec::new();
    if r.resolutions.is_empty() {
        paragraphs.push(match lang {
            Lang::Vi => format!(
                "Tính đến ngày {}, {} chưa có nghị quyết nào để đánh giá.",
                p.date(r.as_of),
                r.unit.name
            ),
            Lang::En => format!(
                "As of {}, {} implements no resolution.",
                p.date(r.as_of),
                r.unit.name
            ),
        });
        return finish(paragraphs);
    }
    let meeting = p.meeting();
    paragraphs.push(p.title(kind, &meeting));
    paragraphs.push(p.lead(kind, &meeting, terms));
    paragraphs.extend(p.results());
    paragraphs.extend(p.shortfalls());
    paragraphs.extend(p.adjustments(&meeting));
    if p.illustrative {
        paragraphs.push(
            p.s(
                "(*) Số liệu minh họa, không lấy từ văn bản thật.",
                "(*) Illustrative figures, not taken from a real document.",
            )
            .to_string(),
        );
    }
    finish(paragraphs)
}

fn finish(paragraphs: Vec<String>) -> String {
    let mut o = paragraphs.join("\n\n");
    o.push('\n');
    o
}

/// Who held the review, as the data names them.
struct Meeting {
    who: String,
    /// A decision of the review's date names a conference (*hội nghị*), so the text may say
    /// one was held.
    conference: bool,
    /// The body of the decisions of the review's date, when they share one.
    body: Option<String>,
}

struct Press<'a> {
    lang: Lang,
    r: &'a Review,
    /// Whether a figure marked illustrative was quoted, which calls for the footnote.
    illustrative: bool,
}

impl<'a> Press<'a> {
    fn s<'b>(&self, vi: &'b str, en: &'b str) -> &'b str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    fn date(&self, d: chrono::NaiveDate) -> String {
        locale::date(self.lang, d)
    }

    fn target(&self, resolution: &str, code: &str) -> Option<&'a TargetReview> {
        self.r
            .targets
            .iter()
            .find(|t| t.resolution == resolution && t.code == code)
    }

    fn resolution_title(&self, id: &str) -> Option<String> {
        self.r
            .resolutions
            .iter()
            .find(|s| s.id == id)
            .map(|s| self.resolution_name(&s.title, s.congress))
    }

    fn resolution_name(&self, title: &str, congress: Option<u32>) -> String {
        match (self.lang, congress) {
            (Lang::En, Some(c)) => format!("{title} (congress {})", locale::roman(c)),
            _ => title.to_string(),
        }
    }

    /// The body that met: the one that decided on the review's date, else the issuer of the
    /// unit's own resolution, else the unit.
    fn meeting(&self) -> Meeting {
        let today: Vec<&Decision> = self
            .r
            .adjustments
            .iter()
            .map(|a| &a.decision)
            .filter(|d| d.date == self.r.as_of)
            .collect();
        let body = today
            .first()
            .filter(|first| today.iter().all(|d| d.body == first.body))
            .map(|d| d.body.clone());
        let conference = body.is_some()
            && today
                .iter()
                .any(|d| d.reference.to_lowercase().starts_with("hội nghị"));
        let who = body
            .clone()
            .or_else(|| {
                self.r
                    .resolutions
                    .iter()
                    .find(|s| s.own)
                    .and_then(|s| s.issuer.clone())
            })
            .unwrap_or_else(|| self.r.unit.name.clone());
        Meeting {
            who,
            conference,
            body,
        }
    }

    fn kind_words(&self, kind: Option<ReviewKind>) -> &'static str {
        match kind {
            Some(ReviewKind::MidTerm) => self.s("sơ kết giữa nhiệm kỳ", "mid-term review"),
            Some(ReviewKind::EndOfTerm) => self.s("tổng kết nhiệm kỳ", "end-of-term review"),
            None => self.s("đánh giá kết quả", "review"),
        }
    }

    fn title(&self, kind: Option<ReviewKind>, m: &Meeting) -> String {
        let n = self.r.resolutions.len();
        let what = self.kind_words(kind);
        match self.lang {
            Lang::Vi if n == 1 => format!("{} {what} thực hiện nghị quyết", m.who),
            Lang::Vi => format!("{} {what} thực hiện {n} nghị quyết", m.who),
            Lang::En if n == 1 => format!("{}: {what} of a resolution", m.who),
            Lang::En => format!("{}: {what} of {n} resolutions", m.who),
        }
    }

    fn lead(&self, kind: Option<ReviewKind>, m: &Meeting, terms: &[Term]) -> String {
        let names: Vec<String> = self
            .r
            .resolutions
            .iter()
            .map(|s| match self.lang {
                Lang::Vi => s.title.clone(),
                Lang::En => {
                    let term = terms
                        .iter()
                        .find(|t| t.id == s.term)
                        .map(|t| {
                            use chrono::Datelike;
                            format!(", term {}–{}", t.start.year(), t.end.year())
                        })
                        .unwrap_or_default();
                    match s.congress {
                        Some(c) => format!("{} (congress {}{term})", s.title, locale::roman(c)),
                        None if !term.is_empty() => {
                            format!("{} ({})", s.title, term.trim_start_matches(", "))
                        }
                        None => s.title.clone(),
                    }
                }
            })
            .collect();
        let list = join_last(&names, "; ", self.s(" và ", " and "));
        let what = self.kind_words(kind);
        let mut o = match (self.lang, m.conference) {
            (Lang::Vi, true) => format!(
                "Ngày {}, {} tổ chức hội nghị {what} thực hiện {list}.",
                self.date(self.r.as_of),
                m.who
            ),
            (Lang::Vi, false) => format!(
                "Ngày {}, {} {what} thực hiện {list}.",
                self.date(self.r.as_of),
                m.who
            ),
            (Lang::En, true) => format!(
                "On {}, {} held a conference for the {what} of {list}.",
                self.date(self.r.as_of),
                m.who
            ),
            (Lang::En, false) => format!(
                "On {}, {} held the {what} of {list}.",
                self.date(self.r.as_of),
                m.who
            ),
        };
        if self.r.include_unapproved {
            o.push(' ');
            o.push_str(self.s(
                "Số liệu có tính cả số liệu chưa được cấp trên phê duyệt.",
                "The figures include some not yet approved by the level above.",
            ));
        }
        o
    }

    /// Documents issued, then the headline of each resolution with targets for the unit.
    fn results(&self) -> Option<String> {
        let mut sentences = Vec::new();
        let issued: Vec<String> = self
            .r
            .documents
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| locale::document_kind(self.lang, *k, *n))
            .collect();
        if !issued.is_empty() {
            let list = join_last(&issued, ", ", self.s(", ", " and "));
            sentences.push(match self.lang {
                Lang::Vi => format!(
                    "Từ ngày {} đến nay, {} đã ban hành {list}.",
                    self.date(self.r.documents.from),
                    self.r.unit.name
                ),
                Lang::En => format!(
                    "Since {}, {} has issued {list}.",
                    self.date(self.r.documents.from),
                    self.r.unit.name
                ),
            });
        }
        for s in self.r.resolutions.iter().filter(|s| s.total > 0) {
            let (x, y) = (s.achieved_or_exceeded, s.total);
            sentences.push(match (self.lang, s.own, s.kind) {
                (Lang::Vi, true, ResolutionKind::Congress) => format!(
                    "Đến nay, có {x}/{y} chỉ tiêu Đại hội hoàn thành và hoàn thành vượt mức."
                ),
                (Lang::Vi, true, _) => format!(
                    "Đến nay, có {x}/{y} chỉ tiêu của {} hoàn thành và hoàn thành vượt mức.",
                    s.title
                ),
                (Lang::Vi, false, _) => format!(
                    "Trong các chỉ tiêu của {} giao cho {}, có {x}/{y} chỉ tiêu hoàn thành và hoàn thành vượt mức.",
                    s.title, self.r.unit.name
                ),
                (Lang::En, true, ResolutionKind::Congress) => format!(
                    "To date, {x} of the {y} congress targets have been achieved or exceeded."
                ),
                (Lang::En, true, _) => format!(
                    "To date, {x} of the {y} targets of {} have been achieved or exceeded.",
                    self.resolution_name(&s.title, s.congress)
                ),
                (Lang::En, false, _) => format!(
                    "Of the targets {} assigns to {}, {x} of {y} have been achieved or exceeded.",
                    self.resolution_name(&s.title, s.congress),
                    self.r.unit.name
                ),
            });
            if s.own {
                let rest: Vec<String> = [Status::OnTrack, Status::AtRisk, Status::OffTrack]
                    .into_iter()
                    .filter_map(|st| {
                        let n = s.counts.get(st.as_str()).copied().unwrap_or(0);
                        (n > 0).then(|| format!("{n} {}", locale::status(self.lang, st)))
                    })
                    .collect();
                if !rest.is_empty() {
                    let list = join_last(&rest, ", ", self.s(", ", " and "));
                    sentences.push(match self.lang {
                        Lang::Vi => format!("Trong các chỉ tiêu còn lại: {list}."),
                        Lang::En => format!("Of the others: {list}."),
                    });
                }
            }
        }
        (!sentences.is_empty()).then(|| sentences.join(" "))
    }

    /// "mới đạt 49,7% (6 tháng đầu năm 2018)": what a target stands at, as the review measures
    /// it (the total or the average for the kinds that are judged on one).
    fn standing_at(&mut self, t: Option<&TargetReview>, latest: &Figure, unit: &str) -> String {
        let (a, kind): (Option<&Assessment>, TargetKind) = match t {
            Some(t) => (Some(&t.assessment), t.kind),
            None => (None, TargetKind::Level),
        };
        let measure = a.and_then(|a| a.measure);
        let period = locale::period(self.lang, latest.period);
        let prelim = match latest.standing {
            Standing::Preliminary => self.s(", số liệu sơ bộ", ", preliminary"),
            _ => "",
        };
        match (kind, measure) {
            (TargetKind::Cumulative, Some(m)) => match self.lang {
                Lang::Vi => format!(
                    "lũy kế đến {period} đạt {}",
                    locale::with_unit(self.lang, m, unit)
                ),
                Lang::En => format!(
                    "a total of {} to {period}",
                    locale::with_unit(self.lang, m, unit)
                ),
            },
            (TargetKind::Average, Some(m)) => match self.lang {
                Lang::Vi => format!(
                    "bình quân đến {period} đạt {}",
                    locale::with_unit(self.lang, m, unit)
                ),
                Lang::En => format!(
                    "an average of {} to {period}",
                    locale::with_unit(self.lang, m, unit)
                ),
            },
            _ => {
                let v = locale::with_unit(self.lang, latest.value, unit);
                match (self.lang, latest.standing) {
                    (Lang::Vi, Standing::Estimate) => format!("ước đạt {v} ({period})"),
                    (Lang::Vi, _) => format!("mới đạt {v} ({period}{prelim})"),
                    (Lang::En, Standing::Estimate) => format!("an estimated {v} ({period})"),
                    (Lang::En, _) => format!("only {v} ({period}{prelim})"),
                }
            }
        }
    }

    fn mark(&mut self, t: Option<&TargetReview>) -> &'static str {
        if t.is_some_and(|t| t.illustrative) {
            self.illustrative = true;
            " (*)"
        } else {
            ""
        }
    }

    fn shortfalls(&mut self) -> Option<String> {
        let mut sentences = Vec::new();
        for st in [Status::OffTrack, Status::AtRisk] {
            let mut items = Vec::new();
            let rows: Vec<_> = self
                .r
                .shortfalls
                .iter()
                .filter(|s| s.kind == ShortfallKind::Target && s.status == Some(st))
                .collect();
            for s in rows {
                let t = self.target(&s.resolution, &s.code);
                let unit = t.map_or("", |t| t.measure_unit.as_str());
                let name = t.map_or(s.name.as_str(), |t| t.indicator_name.as_str());
                let mut item = name.to_string();
                if let Some(l) = &s.latest {
                    item.push_str(self.s(" ", " at "));
                    item.push_str(&self.standing_at(t, l, unit));
                }
                if let Some(v) = s.target {
                    let _ = write!(
                        item,
                        ", {} {}",
                        self.s("mục tiêu", "target"),
                        locale::with_unit(self.lang, v, unit)
                    );
                }
                // A target of a superior's resolution says whose it is: the same indicator
                // may carry another value there.
                if let Some(own) = self.r.resolutions.iter().find(|x| x.id == s.resolution) {
                    if !own.own {
                        let _ = write!(
                            item,
                            " {} {}",
                            self.s("theo", "under"),
                            self.resolution_name(&own.title, own.congress)
                        );
                    }
                }
                item.push_str(self.mark(t));
                items.push(item);
            }
            if items.is_empty() {
                continue;
            }
            let n = items.len();
            let status = locale::status(self.lang, st);
            sentences.push(match self.lang {
                Lang::Vi => format!("Còn {n} chỉ tiêu {status}: {}.", items.join("; ")),
                Lang::En if n == 1 => format!("One target is {status}: {}.", items.join("; ")),
                Lang::En => format!("{n} targets are {status}: {}.", items.join("; ")),
            });
        }
        let gaps: Vec<String> = self
            .r
            .shortfalls
            .iter()
            .filter(|s| s.kind == ShortfallKind::DataGap)
            .map(|s| {
                self.target(&s.resolution, &s.code)
                    .map_or(s.name.clone(), |t| t.indicator_name.clone())
            })
            .collect();
        if !gaps.is_empty() {
            let n = gaps.len();
            sentences.push(match self.lang {
                Lang::Vi => format!(
                    "Chưa đủ số liệu để đánh giá {n} chỉ tiêu: {}.",
                    gaps.join("; ")
                ),
                Lang::En => format!(
                    "{n} {} not be assessed for want of figures: {}.",
                    if n == 1 {
                        "target could"
                    } else {
                        "targets could"
                    },
                    gaps.join("; ")
                ),
            });
        }
        (!sentences.is_empty()).then(|| sentences.join(" "))
    }

    /// Who decided, as the sentence opens: the meeting itself when it is the body that met on
    /// the review's date, else the body and its decision, dated when not that day.
    fn decided_by(&self, d: &Decision, m: &Meeting) -> String {
        let same_body = m.body.as_deref() == Some(d.body.as_str());
        match self.lang {
            Lang::Vi if d.date == self.r.as_of && same_body && m.conference => {
                "Hội nghị quyết định".to_string()
            }
            Lang::Vi if d.date == self.r.as_of && same_body => format!("{} quyết định", d.body),
            Lang::Vi if d.date == self.r.as_of => {
                format!("Cùng ngày, {} ({}) quyết định", d.body, d.reference)
            }
            Lang::Vi => format!(
                "Ngày {}, {} ({}) đã quyết định",
                self.date(d.date),
                d.body,
                d.reference
            ),
            Lang::En if d.date == self.r.as_of && same_body && m.conference => {
                "The conference decided".to_string()
            }
            Lang::En if d.date == self.r.as_of && same_body => format!("{} decided", d.body),
            Lang::En if d.date == self.r.as_of => {
                format!("The same day, {} ({}) decided", d.body, d.reference)
            }
            Lang::En => format!(
                "On {}, {} ({}) decided",
                self.date(d.date),
                d.body,
                d.reference
            ),
        }
    }

    /// What one adjustment changed, without the withdrawal of a task (said apart).
    fn change_words(&self, a: &AdjustmentReview, unit: &str) -> Vec<String> {
        let has_value = a
            .changes
            .iter()
            .any(|c| matches!(c, ChangeRow::Value { .. }));
        let mut out = Vec::new();
        for c in &a.changes {
            match c {
                ChangeRow::Value { from, to } => {
                    let (f, t) = (
                        locale::target_value(self.lang, from, unit),
                        locale::target_value(self.lang, to, unit),
                    );
                    out.push(match self.lang {
                        Lang::Vi if value_decreases(from, to) => format!("từ {f} xuống {t}"),
                        Lang::Vi => format!("từ {f} lên {t}"),
                        Lang::En => format!("from {f} to {t}"),
                    });
                }
                ChangeRow::Deadline { from, to } => out.push(match (self.lang, from) {
                    (Lang::Vi, Some(f)) => {
                        format!("thời hạn từ {} sang {}", self.date(*f), self.date(*to))
                    }
                    (Lang::Vi, None) => format!("thời hạn đến {}", self.date(*to)),
                    (Lang::En, Some(f)) => {
                        format!("deadline from {} to {}", self.date(*f), self.date(*to))
                    }
                    (Lang::En, None) => format!("deadline {}", self.date(*to)),
                }),
                // A new wording that comes with a new value only restates it ("đạt 41,3%").
                ChangeRow::Wording { to, .. } if !has_value => out.push(format!(
                    "{} «{to}»",
                    self.s("sửa nội dung thành", "reworded as")
                )),
                ChangeRow::Wording { .. } => {}
                ChangeRow::Withdraw => {
                    if matches!(a.subject, Subject::Target { .. }) {
                        out.push(
                            self.s("đưa ra khỏi nghị quyết", "withdrawn from the resolution")
                                .to_string(),
                        );
                    }
                }
            }
        }
        out
    }

    /// The adjustments, one sentence per decision, then the tasks withdrawn by each decision.
    fn adjustments(&mut self, m: &Meeting) -> Option<String> {
        let mut decisions: Vec<&Decision> = Vec::new();
        for a in &self.r.adjustments {
            if !decisions.contains(&&a.decision) {
                decisions.push(&a.decision);
            }
        }
        let mut sentences = Vec::new();
        for d in decisions {
            let of_d: Vec<&AdjustmentReview> = self
                .r
                .adjustments
                .iter()
                .filter(|a| &a.decision == d)
                .collect();
            let mut targets = Vec::new();
            let mut tasks = Vec::new();
            let mut resolutions: Vec<&str> = Vec::new();
            let mut reasons: Vec<&str> = Vec::new();
            for a in &of_d {
                let (name, unit, t) = match &a.subject {
                    Subject::Target { resolution, code } => {
                        let t = self.target(resolution, code);
                        (
                            t.map_or(a.name.clone(), |t| t.indicator_name.clone()),
                            t.map_or("", |t| t.measure_unit.as_str()),
                            t,
                        )
                    }
                    Subject::Task { .. } => (a.name.clone(), "", None),
                };
                let words = self.change_words(a, unit);
                if words.is_empty() {
                    continue;
                }
                let item = format!("{name} ({}){}", words.join("; "), self.mark(t));
                match &a.subject {
                    Subject::Target { resolution, .. } => {
                        if !resolutions.contains(&resolution.as_str()) {
                            resolutions.push(resolution);
                        }
                        targets.push(item);
                    }
                    Subject::Task { .. } => tasks.push(item),
                }
                if !reasons.contains(&a.reason.as_str()) {
                    reasons.push(&a.reason);
                }
            }
            let withdrawn: Vec<&str> = of_d
                .iter()
                .filter(|a| {
                    matches!(a.subject, Subject::Task { .. })
                        && a.changes.iter().any(|c| matches!(c, ChangeRow::Withdraw))
                })
                .map(|a| a.name.as_str())
                .collect();
            let by = self.decided_by(d, m);
            let adjusted_here = !targets.is_empty() || !tasks.is_empty();
            if adjusted_here {
                let mut what = Vec::new();
                if !targets.is_empty() {
                    what.push(match self.lang {
                        Lang::Vi => format!("{} chỉ tiêu", targets.len()),
                        Lang::En if targets.len() == 1 => "1 target".to_string(),
                        Lang::En => format!("{} targets", targets.len()),
                    });
                }
                if !tasks.is_empty() {
                    what.push(match self.lang {
                        Lang::Vi => format!("{} nhiệm vụ", tasks.len()),
                        Lang::En if tasks.len() == 1 => "1 task".to_string(),
                        Lang::En => format!("{} tasks", tasks.len()),
                    });
                }
                let of = match resolutions.as_slice() {
                    [one] => self
                        .resolution_title(one)
                        .map(|t| format!(" {} {t}", self.s("của", "of")))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let items: Vec<String> = targets.into_iter().chain(tasks).collect();
                sentences.push(match self.lang {
                    Lang::Vi => format!(
                        "{by} điều chỉnh {}{of}: {}.",
                        what.join(" và "),
                        items.join("; ")
                    ),
                    Lang::En => format!(
                        "{by} to adjust {}{of}: {}.",
                        what.join(" and "),
                        items.join("; ")
                    ),
                });
                if let [reason] = reasons.as_slice() {
                    sentences.push(format!(
                        "{}: {}.",
                        self.s("Lý do", "Reason"),
                        reason.trim_end_matches('.')
                    ));
                }
            }
            if !withdrawn.is_empty() {
                // Right after the same decision's adjustments the withdrawal joins them, as the
                // article's "…; đưa ra khỏi Nghị quyết nhiệm vụ …" does.
                let lead = if adjusted_here {
                    self.s("Đồng thời,", "It also decided").to_string()
                } else {
                    by
                };
                let n = withdrawn.len();
                sentences.push(match self.lang {
                    Lang::Vi => format!(
                        "{lead} đưa ra khỏi nghị quyết {n} nhiệm vụ: {}.",
                        withdrawn.join("; ")
                    ),
                    Lang::En if n == 1 => format!(
                        "{lead} to withdraw 1 task from the resolution: {}.",
                        withdrawn.join("; ")
                    ),
                    Lang::En => format!(
                        "{lead} to withdraw {n} tasks from the resolution: {}.",
                        withdrawn.join("; ")
                    ),
                });
            }
        }
        // Tasks withdrawn without a decision in the review (none should be: withdrawal is an
        // adjustment) are still named, without a body that decided.
        let decided: Vec<&Subject> = self
            .r
            .adjustments
            .iter()
            .filter(|a| a.changes.iter().any(|c| matches!(c, ChangeRow::Withdraw)))
            .map(|a| &a.subject)
            .collect();
        let others: Vec<&str> = self
            .r
            .tasks
            .iter()
            .filter(|t| {
                t.status == TaskStatus::Withdrawn
                    && !decided.iter().any(|s| {
                        matches!(s, Subject::Task { resolution, code }
                            if *resolution == t.resolution && *code == t.code)
                    })
            })
            .map(|t| t.name.as_str())
            .collect();
        if !others.is_empty() {
            sentences.push(match self.lang {
                Lang::Vi => format!("Nhiệm vụ đã đưa ra khỏi nghị quyết: {}.", others.join("; ")),
                Lang::En => format!(
                    "Tasks withdrawn from the resolution: {}.",
                    others.join("; ")
                ),
            });
        }
        self.adjusted_headline(&mut sentences);
        (!sentences.is_empty()).then(|| sentences.join(" "))
    }

    /// The headline again under the versions in force after the review's own decisions, when
    /// they change it.
    fn adjusted_headline(&self, sentences: &mut Vec<String>) {
        for s in self.r.resolutions.iter().filter(|s| s.own && s.total > 0) {
            if s.achieved_or_exceeded_adjusted == s.achieved_or_exceeded
                && s.total_adjusted == s.total
            {
                continue;
            }
            let (x, y) = (s.achieved_or_exceeded_adjusted, s.total_adjusted);
            sentences.push(match self.lang {
                Lang::Vi => format!(
                    "Theo các chỉ tiêu sau điều chỉnh, có {x}/{y} chỉ tiêu hoàn thành và hoàn thành vượt mức."
                ),
                Lang::En => format!(
                    "Under the targets as adjusted, {x} of {y} are achieved or exceeded."
                ),
            });
        }
    }
}

/// "a; b và c" (Vietnamese) or "a; b and c".
fn join_last(items: &[String], sep: &str, last: &str) -> String {
    match items.split_last() {
        Some((tail, init)) if !init.is_empty() => format!("{}{last}{tail}", init.join(sep)),
        Some((tail, _)) => tail.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
