//! The review as a format-neutral document: what a Vietnamese review report holds, in the
//! order it holds it — the heading block, the title, the body's sections, the recipients and
//! the signature block. Markdown, HTML, Word and PDF are renderings of one `ReviewDocument`, so
//! the four can never say different things.
//!
//! Layout words follow the two rule books offices work to: a party committee's documents
//! (Hướng dẫn 36-HD/VPTW) and a state body's (Nghị định 30/2020/NĐ-CP).

use serde::Serialize;

use crate::locale::Lang;

/// Which rule book the heading block and the signature follow, chosen by the issuing body
/// (the domain's type: the office's text can override it).
pub use chitieu_domain::Layout;

/// The heading block: two columns above the title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letterhead {
    pub layout: Layout,
    /// Left column, first line, upper case: the body above the issuer ("ĐẢNG BỘ TỈNH BẮC
    /// GIANG"); absent for a top-level body.
    pub superior: Option<String>,
    /// Left column, bold, upper case: the issuing body ("HUYỆN ỦY LỤC NGẠN").
    pub issuer: String,
    /// Left column, under the issuer: "*" for a party document (36-HD/VPTW), a short rule for
    /// a state one (drawn by the renderer, so `None` here).
    pub mark: Option<String>,
    /// Left column, last line: "Số 45-BC/HU" (party) or "Số: 45/BC-UBND" (state). The number
    /// itself is left blank until the office gives it.
    pub number: String,
    /// Right column, bold, upper case; the last line is underlined. Party: "ĐẢNG CỘNG SẢN VIỆT
    /// NAM"; state: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "Độc lập - Tự do - Hạnh phúc".
    pub national: Vec<String>,
    /// Right column, italic: "Lục Ngạn, ngày 25 tháng 6 năm 2018".
    pub place_date: String,
}

/// A run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: true,
            italic: false,
        }
    }
    pub fn italic(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: true,
        }
    }
}

/// How a column's cells align.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub header: String,
    /// Relative width: renderers share the text width among columns in these proportions.
    pub width: u16,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// A chart drawn by `chart.rs`, the same SVG the web app shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub svg: String,
    /// Its size in points at print scale (the SVG's own width and height).
    pub width: f32,
    pub height: f32,
    /// Printed under the chart.
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "block")]
pub enum Block {
    /// Level 1: a Roman-numbered section ("I. KẾT QUẢ ..."), bold upper case; level 2: an
    /// Arabic-numbered part ("1. Công tác lãnh đạo"), bold; level 3: a resolution or a field
    /// within a part, bold italic.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        spans: Vec<Span>,
    },
    /// A list whose items begin with "- " in the report's style.
    List {
        items: Vec<Vec<Span>>,
    },
    Table {
        table: Table,
    },
    Chart {
        chart: Chart,
    },
    /// The office's own text, as it wrote it: paragraphs separated by blank lines.
    OfficeText {
        text: String,
    },
}

/// The recipients (left) and the signature block (right) that close the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closing {
    /// "Nơi nhận:".
    pub recipients_label: String,
    /// Each begins with "- " when rendered; the last usually "Lưu Văn phòng ...".
    pub recipients: Vec<String>,
    /// "T/M BAN THƯỜNG VỤ" (party) or "TM. ỦY BAN NHÂN DÂN" (state); absent when the signer
    /// signs in their own name.
    pub on_behalf: Option<String>,
    /// "BÍ THƯ", "CHỦ TỊCH"...
    pub signer_title: String,
    /// The signer's name, printed under the space for the signature; blank until given.
    pub signer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewDocument {
    pub lang: Lang,
    pub letterhead: Letterhead,
    /// The document's kind, bold upper case and centred: "BÁO CÁO".
    pub kind: String,
    /// What it reports on, bold and centred under the kind, possibly over several lines.
    pub title: Vec<String>,
    pub blocks: Vec<Block>,
    pub closing: Closing,
}

// ---------------------------------------------------------------------------------------------
// Building the document from a review

use chitieu_domain::review::{ChangeRow, Review, TargetReview, TaskStatus};
use chitieu_domain::rollup::Rollups;
use chitieu_domain::status::Status;
use chitieu_domain::{BodyKind, Dataset, Field, Level, ReviewText, Subject};

use crate::chart;
use crate::locale;
use crate::markdown::{self, ReviewKind, T};

/// The review `r` as a report of the unit's issuing body, with the office's own `text` when it
/// wrote one. `ds` and `rollups` are those the review was built from: the charts of the
/// targets behind need their figures.
pub fn build(
    lang: Lang,
    ds: &Dataset,
    rollups: &Rollups,
    r: &Review,
    text: Option<&ReviewText>,
) -> ReviewDocument {
    let t = T(lang);
    let empty = ReviewText::new(r.unit.id.clone(), r.as_of);
    let text = text.unwrap_or(&empty);
    let body = r
        .resolutions
        .iter()
        .find(|s| s.own)
        .and_then(|s| ds.resolutions.iter().find(|x| x.id == s.id))
        .map(|x| x.body);
    let layout = text.layout.unwrap_or(match body {
        Some(BodyKind::Party) => Layout::Party,
        _ => Layout::State,
    });
    let names = Names::of(ds, &r.unit.id, layout);
    let term_end = markdown::own_term_end(r, &ds.terms);
    let kind = markdown::review_kind(r.as_of, term_end).unwrap_or(ReviewKind::MidTerm);

    let place = text.place.clone().unwrap_or_else(|| names.place.clone());
    let letterhead = Letterhead {
        layout,
        superior: text.superior.clone().or_else(|| names.superior.clone()),
        issuer: text.issuer.clone().unwrap_or_else(|| names.issuer.clone()),
        mark: (layout == Layout::Party).then(|| "*".to_string()),
        number: number_line(lang, layout, text.number.as_deref(), &names.suffix),
        national: match (layout, lang) {
            (Layout::Party, Lang::Vi) => vec!["ĐẢNG CỘNG SẢN VIỆT NAM".into()],
            (Layout::Party, Lang::En) => vec!["COMMUNIST PARTY OF VIETNAM".into()],
            (Layout::State, Lang::Vi) => vec![
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
                "Độc lập - Tự do - Hạnh phúc".into(),
            ],
            (Layout::State, Lang::En) => vec![
                "SOCIALIST REPUBLIC OF VIETNAM".into(),
                "Independence - Freedom - Happiness".into(),
            ],
        },
        place_date: match lang {
            Lang::Vi => format!(
                "{place}, ngày {} tháng {} năm {}",
                chrono::Datelike::day(&r.as_of),
                chrono::Datelike::month(&r.as_of),
                chrono::Datelike::year(&r.as_of)
            ),
            Lang::En => format!("{place}, {}", locale::date(lang, r.as_of)),
        },
    };

    let what = match kind {
        ReviewKind::EndOfTerm => t.s("Tổng kết", "End-of-term review of"),
        ReviewKind::MidTerm => t.s("Sơ kết giữa nhiệm kỳ", "Mid-term review of"),
    };
    let titles: Vec<String> = r
        .resolutions
        .iter()
        .map(|s| markdown::resolution_name(lang, &s.title, s.congress))
        .collect();
    let title = vec![format!(
        "{what} {} {}",
        t.s("thực hiện", "implementing"),
        join_and(lang, &titles)
    )];

    let mut b = Vec::new();
    let mut opening = vec![Span::plain(format!(
        "{} {}.",
        t.s("Số liệu tính đến ngày", "Figures as of"),
        locale::date(lang, r.as_of)
    ))];
    if r.include_unapproved {
        opening.push(Span::plain(format!(
            " {}",
            t.s(
                "Có tính cả số liệu chưa được phê duyệt.",
                "Figures not yet approved are included."
            )
        )));
    }
    b.push(Block::Paragraph {
        spans: vec![Span {
            italic: true,
            ..Span::plain(opening.into_iter().map(|s| s.text).collect::<String>())
        }],
    });

    results(lang, ds, rollups, r, &mut b);
    shortfalls(lang, ds, rollups, r, text, &mut b);
    adjustments(lang, r, &mut b);
    directions(lang, r, text, &mut b);

    // In English the roles are translated; the bodies' names stay as they are written.
    let english = |vi: &str| -> String {
        match (lang, vi) {
            (Lang::Vi, _) => vi.to_string(),
            (Lang::En, "T/M BAN THƯỜNG VỤ") => "FOR THE STANDING COMMITTEE".into(),
            (Lang::En, "T/M ĐẢNG ỦY") => "FOR THE PARTY COMMITTEE".into(),
            (Lang::En, "TM. ỦY BAN NHÂN DÂN") => "FOR THE PEOPLE'S COMMITTEE".into(),
            (Lang::En, "BÍ THƯ") => "SECRETARY".into(),
            (Lang::En, "CHỦ TỊCH") => "CHAIRPERSON".into(),
            (Lang::En, other) => other.to_string(),
        }
    };
    let closing = Closing {
        recipients_label: t.s("Nơi nhận:", "Recipients:").into(),
        recipients: if text.recipients.is_empty() {
            names.recipients.clone()
        } else {
            text.recipients.clone()
        },
        on_behalf: Some(english(&names.on_behalf)),
        signer_title: text
            .signer_title
            .clone()
            .unwrap_or_else(|| english(&names.signer_title)),
        signer: text.signer.clone(),
    };

    ReviewDocument {
        lang,
        letterhead,
        kind: t.s("BÁO CÁO", "REPORT").into(),
        title,
        blocks: b,
        closing,
    }
}

fn join_and(lang: Lang, items: &[String]) -> String {
    let and = match lang {
        Lang::Vi => " và ",
        Lang::En => " and ",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

fn number_line(lang: Lang, layout: Layout, number: Option<&str>, suffix: &str) -> String {
    let no = match lang {
        Lang::Vi => "Số",
        Lang::En => "No.",
    };
    match (number, layout) {
        (Some(n), Layout::Party) => format!("{no} {n}"),
        (Some(n), Layout::State) => format!("{no}: {n}"),
        // A draft leaves room for the number the office registers when it issues the report.
        (None, Layout::Party) => format!("{no}       -BC/{suffix}"),
        (None, Layout::State) => format!("{no}:       /BC-{suffix}"),
    }
}

/// The names a report of a unit's body uses, derived from the unit's name and level; the
/// office's text overrides any of them.
struct Names {
    superior: Option<String>,
    issuer: String,
    /// After "BC/" (party: "HU" for a district committee) or "BC-" (state: "UBND").
    suffix: String,
    place: String,
    on_behalf: String,
    signer_title: String,
    recipients: Vec<String>,
}

/// A unit's name split into its kind ("Huyện") and its proper name ("Lục Ngạn"), as
/// Vietnamese unit names are written.
fn split_name(name: &str) -> (Option<&'static str>, &str) {
    const KINDS: [&str; 8] = [
        "Thành phố",
        "Thị trấn",
        "Thị xã",
        "Tỉnh",
        "Huyện",
        "Quận",
        "Phường",
        "Xã",
    ];
    for k in KINDS {
        if let Some(rest) = name.strip_prefix(k) {
            if rest.starts_with(' ') {
                return (Some(k), rest.trim());
            }
        }
    }
    (None, name.trim())
}

/// The party committee of a unit of this kind and its documents' number suffix ("Huyện" →
/// "Huyện ủy", "HU"); `None` for a commune-level unit, whose committee is an "Đảng ủy".
fn committee_of(kind: Option<&str>) -> Option<(&'static str, &'static str)> {
    match kind? {
        "Tỉnh" => Some(("Tỉnh ủy", "TU")),
        "Thành phố" => Some(("Thành ủy", "ThU")),
        "Huyện" => Some(("Huyện ủy", "HU")),
        "Quận" => Some(("Quận ủy", "QU")),
        "Thị xã" => Some(("Thị ủy", "TX")),
        _ => None,
    }
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

impl Names {
    fn of(ds: &Dataset, unit: &str, layout: Layout) -> Names {
        let chain = chitieu_domain::review::ancestry(ds, unit);
        let Some(u) = chain.first() else {
            return Names {
                superior: None,
                issuer: upper(unit),
                suffix: String::new(),
                place: unit.to_string(),
                on_behalf: String::new(),
                signer_title: String::new(),
                recipients: Vec::new(),
            };
        };
        let parent = chain.get(1).filter(|p| p.level != Level::Nation);
        let (kind, proper) = split_name(&u.name);
        let place = proper.to_string();
        match layout {
            Layout::Party => {
                let (issuer, suffix, committee) = match (&u.level, committee_of(kind)) {
                    (Level::Nation, _) => (
                        "BAN CHẤP HÀNH TRUNG ƯƠNG".to_string(),
                        "TW",
                        "Ban Chấp hành Trung ương".to_string(),
                    ),
                    (level, Some((committee, suffix))) => (
                        format!("{} {}", upper(committee), upper(proper)),
                        // A city directly under the centre numbers as a province does.
                        if *level == Level::Province {
                            "TU"
                        } else {
                            suffix
                        },
                        committee.to_string(),
                    ),
                    (_, None) => (
                        format!("ĐẢNG ỦY {}", upper(u.name.trim())),
                        "ĐU",
                        "Đảng ủy".to_string(),
                    ),
                };
                let suffix = suffix.to_string();
                let commune =
                    matches!(u.level, Level::Commune | Level::Village) || committee == "Đảng ủy";
                let mut recipients = Vec::new();
                if let Some(p) = parent {
                    let (pk, pp) = split_name(&p.name);
                    let above = match committee_of(pk) {
                        Some((committee, _)) => committee.to_string(),
                        None => format!("Đảng ủy {pp}"),
                    };
                    recipients.push(format!("Ban Thường vụ {above} (b/c),"));
                }
                recipients.push(format!("Các đồng chí {committee} viên,"));
                recipients.push("Các chi, đảng bộ trực thuộc,".into());
                recipients.push(format!("Lưu Văn phòng {committee}."));
                Names {
                    superior: parent.map(|p| format!("ĐẢNG BỘ {}", upper(&p.name))),
                    issuer,
                    suffix,
                    place,
                    on_behalf: if commune {
                        "T/M ĐẢNG ỦY".into()
                    } else {
                        "T/M BAN THƯỜNG VỤ".into()
                    },
                    signer_title: "BÍ THƯ".into(),
                    recipients,
                }
            }
            Layout::State => {
                let mut recipients = Vec::new();
                if let Some(p) = parent {
                    recipients.push(format!("UBND {} (b/c);", p.name.to_lowercase()));
                }
                recipients.push("Thường trực cấp ủy, HĐND cùng cấp;".into());
                recipients.push("Các cơ quan, đơn vị liên quan;".into());
                recipients.push("Lưu: VT.".into());
                Names {
                    superior: parent.map(|p| format!("UBND {}", upper(&p.name))),
                    issuer: match u.level {
                        Level::Nation => "CHÍNH PHỦ".into(),
                        _ => format!("ỦY BAN NHÂN DÂN {}", upper(&u.name)),
                    },
                    suffix: "UBND".into(),
                    place,
                    on_behalf: "TM. ỦY BAN NHÂN DÂN".into(),
                    signer_title: "CHỦ TỊCH".into(),
                    recipients,
                }
            }
        }
    }
}

fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}

fn para(text: impl Into<String>) -> Block {
    Block::Paragraph {
        spans: vec![Span::plain(text)],
    }
}

fn note(text: impl Into<String>) -> Block {
    Block::Paragraph {
        spans: vec![Span::italic(text)],
    }
}

fn col(header: &str, width: u16, align: Align) -> Column {
    Column {
        header: header.to_string(),
        width,
        align,
    }
}

fn results(lang: Lang, ds: &Dataset, _rollups: &Rollups, r: &Review, b: &mut Vec<Block>) {
    let t = T(lang);
    b.push(heading(1, t.s("I. KẾT QUẢ THỰC HIỆN", "I. RESULTS")));

    b.push(heading(
        2,
        t.s(
            "1. Công tác lãnh đạo, chỉ đạo, ban hành văn bản triển khai",
            "1. Leadership: implementing documents issued",
        ),
    ));
    let issued: Vec<String> = r
        .documents
        .counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| locale::document_kind(lang, *k, *n))
        .collect();
    let total: usize = r.documents.counts.values().sum();
    b.push(para(match lang {
        Lang::Vi => format!(
            "Từ {} đến {}, đã ban hành {} văn bản triển khai{}",
            locale::date(lang, r.documents.from),
            locale::date(lang, r.documents.to),
            total,
            if issued.is_empty() {
                ".".to_string()
            } else {
                format!(", gồm: {}.", issued.join(", "))
            }
        ),
        Lang::En => format!(
            "From {} to {}, {} implementing documents were issued{}",
            locale::date(lang, r.documents.from),
            locale::date(lang, r.documents.to),
            total,
            if issued.is_empty() {
                ".".to_string()
            } else {
                format!(": {}.", issued.join(", "))
            }
        ),
    }));
    if !r.documents.list.is_empty() {
        b.push(Block::Table {
            table: Table {
                columns: vec![
                    col(t.s("Số, ký hiệu", "Number"), 16, Align::Left),
                    col(t.s("Ngày", "Date"), 12, Align::Center),
                    col(t.s("Trích yếu", "Title"), 72, Align::Left),
                ],
                rows: r
                    .documents
                    .list
                    .iter()
                    .map(|d| {
                        vec![
                            d.number.clone(),
                            locale::date(lang, d.date),
                            d.title.clone(),
                        ]
                    })
                    .collect(),
            },
        });
    }

    b.push(heading(
        2,
        t.s(
            "2. Kết quả thực hiện các chỉ tiêu",
            "2. Results against the targets",
        ),
    ));
    for s in &r.resolutions {
        let name = markdown::resolution_name(lang, &s.title, s.congress);
        if s.total == 0 {
            b.push(para(format!(
                "{name}: {}",
                t.s(
                    "không có chỉ tiêu giao riêng cho đơn vị.",
                    "no target assigned to this unit."
                )
            )));
            continue;
        }
        let mut spans = vec![Span::plain(format!("{name}: "))];
        match lang {
            Lang::Vi => {
                spans.push(Span::plain("hoàn thành và hoàn thành vượt mức "));
                spans.push(Span::bold(format!(
                    "{}/{}",
                    s.achieved_or_exceeded, s.total
                )));
                spans.push(Span::plain(format!(
                    " chỉ tiêu; đánh giá được {}/{} chỉ tiêu; {}/{} chỉ tiêu đạt từ 80% trở lên",
                    s.assessable, s.total, s.reach_80, s.total
                )));
            }
            Lang::En => {
                spans.push(Span::bold(format!(
                    "{}/{}",
                    s.achieved_or_exceeded, s.total
                )));
                spans.push(Span::plain(format!(
                    " targets achieved or exceeded; {}/{} could be assessed; {}/{} reach 80% or more",
                    s.assessable, s.total, s.reach_80, s.total
                )));
            }
        }
        let parts: Vec<String> = Status::ALL
            .iter()
            .filter_map(|st| {
                let n = s.counts.get(st.as_str()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{} {n}", locale::status(lang, *st)))
            })
            .collect();
        spans.push(Span::plain(format!(
            " ({}: {}).",
            t.s("theo mức độ", "by status"),
            parts.join("; ")
        )));
        if s.achieved_or_exceeded_adjusted != s.achieved_or_exceeded || s.total_adjusted != s.total
        {
            spans.push(Span::plain(format!(
                " {} {}/{}.",
                t.s(
                    "Theo các chỉ tiêu sau điều chỉnh tại hội nghị: hoàn thành và vượt mức",
                    "Under the targets as adjusted at the meeting: achieved or exceeded"
                ),
                s.achieved_or_exceeded_adjusted,
                s.total_adjusted
            )));
        }
        b.push(Block::Paragraph { spans });
    }
    if let Some(own) = r.resolutions.iter().find(|s| s.own && s.total > 0) {
        let caption = format!(
            "{} — {}",
            t.s(
                "Biểu đồ: số chỉ tiêu theo mức độ thực hiện",
                "Chart: targets by status"
            ),
            markdown::resolution_name(lang, &own.title, own.congress)
        );
        let (w, h) = chart::STATUS_OVERVIEW_SIZE;
        b.push(Block::Chart {
            chart: Chart {
                svg: chart::status_overview(lang, &own.counts, &caption),
                width: w,
                height: h,
                caption,
            },
        });
    }
    for s in &r.resolutions {
        let rows: Vec<&TargetReview> = r.targets.iter().filter(|x| x.resolution == s.id).collect();
        if rows.is_empty() {
            continue;
        }
        b.push(heading(
            3,
            markdown::resolution_name(lang, &s.title, s.congress),
        ));
        for field in Field::ALL {
            let in_field: Vec<&&TargetReview> = rows.iter().filter(|x| x.field == field).collect();
            if in_field.is_empty() {
                continue;
            }
            b.push(Block::Paragraph {
                spans: vec![Span {
                    text: locale::field(lang, field).to_string(),
                    bold: true,
                    italic: true,
                }],
            });
            b.push(Block::Table {
                table: targets_table(lang, &in_field),
            });
        }
    }
    if r.targets.iter().any(|x| x.illustrative) {
        b.push(note(format!(
            "(*) {}",
            t.s(
                "Số liệu minh họa, không lấy từ văn bản thật.",
                "Illustrative figures, not taken from a real document."
            )
        )));
    }
    let _ = ds;

    b.push(heading(2, t.s("3. Thực hiện các nhiệm vụ", "3. Tasks")));
    let open: Vec<_> = r
        .tasks
        .iter()
        .filter(|x| x.status != TaskStatus::Withdrawn)
        .collect();
    if open.is_empty() {
        b.push(para(t.s(
            "Không có nhiệm vụ giao cho đơn vị.",
            "No task is assigned to this unit.",
        )));
    } else {
        let count = |st: TaskStatus| open.iter().filter(|x| x.status == st).count();
        b.push(para(match lang {
            Lang::Vi => format!(
                "Có {} nhiệm vụ: hoàn thành {}, đang thực hiện {}, chưa triển khai {}, quá hạn {}.",
                open.len(),
                count(TaskStatus::Done),
                count(TaskStatus::InProgress),
                count(TaskStatus::NotStarted),
                count(TaskStatus::Overdue)
            ),
            Lang::En => format!(
                "{} tasks: {} done, {} in progress, {} not started, {} overdue.",
                open.len(),
                count(TaskStatus::Done),
                count(TaskStatus::InProgress),
                count(TaskStatus::NotStarted),
                count(TaskStatus::Overdue)
            ),
        }));
        b.push(Block::List {
            items: open
                .iter()
                .map(|x| {
                    let due = x
                        .due
                        .map(|d| format!(" ({} {})", t.s("hạn", "due"), locale::date(lang, d)))
                        .unwrap_or_default();
                    vec![
                        Span::plain(format!("{}{due}: ", x.name)),
                        Span::italic(locale::task_status(lang, x.status)),
                        Span::plain("."),
                    ]
                })
                .collect(),
        });
    }
}

fn targets_table(lang: Lang, rows: &[&&TargetReview]) -> Table {
    let t = T(lang);
    Table {
        columns: vec![
            col(t.s("TT", "No."), 5, Align::Center),
            col(t.s("Chỉ tiêu", "Target"), 33, Align::Left),
            col(t.s("Năm gốc", "Baseline"), 10, Align::Right),
            col(t.s("Mục tiêu NQ", "Adopted"), 9, Align::Right),
            col(t.s("Điều chỉnh", "Adjusted"), 9, Align::Right),
            col(t.s("Thực hiện", "Latest"), 13, Align::Right),
            col(t.s("Tỷ lệ đạt", "Rate"), 7, Align::Right),
            col(t.s("Đánh giá", "Status"), 14, Align::Left),
        ],
        rows: rows
            .iter()
            .map(|x| {
                let a = &x.assessment;
                let mark = if x.illustrative { "*" } else { "" };
                // The version in force when it differs from the adopted one, else what the
                // meeting decided; "—" when the target was never adjusted.
                let adjusted = match &x.adjusted {
                    Some(v) => locale::target_value(lang, v, &x.measure_unit),
                    None if x.value != x.original => {
                        locale::target_value(lang, &x.value, &x.measure_unit)
                    }
                    None => "—".into(),
                };
                let status = match &x.assessment_adjusted {
                    Some(a2) if a2.status != a.status => format!(
                        "{} ({}: {})",
                        locale::status(lang, a.status),
                        t.s("sau điều chỉnh", "as adjusted"),
                        locale::status(lang, a2.status)
                    ),
                    _ => locale::status(lang, a.status).to_string(),
                };
                vec![
                    format!("{}{mark}", x.code),
                    x.name.clone(),
                    format!(
                        "{} ({})",
                        locale::with_unit(lang, x.baseline, &x.measure_unit),
                        x.baseline_period
                    ),
                    locale::target_value(lang, &x.original, &x.measure_unit),
                    adjusted,
                    markdown::latest(lang, a, &x.measure_unit, x.kind),
                    markdown::opt_pct(lang, a.realisation),
                    status,
                ]
            })
            .collect(),
    }
}

fn shortfalls(
    lang: Lang,
    ds: &Dataset,
    rollups: &Rollups,
    r: &Review,
    text: &ReviewText,
    b: &mut Vec<Block>,
) {
    let t = T(lang);
    b.push(heading(
        1,
        t.s(
            "II. HẠN CHẾ, YẾU KÉM VÀ NGUYÊN NHÂN",
            "II. SHORTFALLS AND THEIR CAUSES",
        ),
    ));
    b.push(heading(2, t.s("1. Hạn chế, yếu kém", "1. Shortfalls")));
    if r.shortfalls.is_empty() {
        b.push(para(
            t.s("Không có chỉ tiêu chậm tiến độ.", "No target is behind."),
        ));
    } else {
        b.push(Block::List {
            items: r
                .shortfalls
                .iter()
                .map(|s| vec![Span::plain(shortfall_line(lang, r, s))])
                .collect(),
        });
    }
    for x in r.targets.iter().filter(|x| {
        matches!(x.assessment.status, Status::OffTrack | Status::AtRisk) && x.unit == r.unit.id
    }) {
        let Some(target) = ds
            .targets
            .iter()
            .find(|d| d.resolution == x.resolution && d.code == x.code)
        else {
            continue;
        };
        let svg = chart::for_target(
            lang,
            ds,
            rollups,
            &chart::TargetOnDate {
                target,
                as_of: r.as_of,
                deadline: x.deadline,
                assessment: &x.assessment,
                measure_unit: &x.measure_unit,
            },
        )
        .svg(lang, &x.name);
        let (w, h) = chart::TARGET_CHART_SIZE;
        b.push(Block::Chart {
            chart: Chart {
                svg,
                width: w,
                height: h,
                caption: format!(
                    "{} {}: {} — {}",
                    t.s("Chỉ tiêu", "Target"),
                    x.code,
                    x.name,
                    locale::status(lang, x.assessment.status)
                ),
            },
        });
    }
    b.push(heading(
        2,
        t.s(
            "2. Đánh giá hạn chế và nguyên nhân",
            "2. The office's assessment and the causes",
        ),
    ));
    if text.causes.is_empty() {
        b.push(note(t.s(
            "(Văn phòng bổ sung nguyên nhân khách quan, chủ quan của các hạn chế nêu trên.)",
            "(The office adds the causes of the shortfalls above.)",
        )));
    } else {
        b.push(Block::OfficeText {
            text: text.causes.clone(),
        });
    }
}

fn shortfall_line(lang: Lang, r: &Review, s: &chitieu_domain::review::Shortfall) -> String {
    let t = T(lang);
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
        Some(u) => format!(
            "{} — {} {u}: {value} — {st}.",
            s.name,
            t.s("đơn vị", "unit")
        ),
        None => format!("{}: {value} — {st}.", s.name),
    }
}

fn adjustments(lang: Lang, r: &Review, b: &mut Vec<Block>) {
    let t = T(lang);
    b.push(heading(
        1,
        t.s(
            "III. ĐIỀU CHỈNH CHỈ TIÊU, NHIỆM VỤ",
            "III. ADJUSTMENTS DECIDED",
        ),
    ));
    if r.adjustments.is_empty() {
        b.push(para(t.s("Chưa có điều chỉnh.", "None.")));
    } else {
        b.push(Block::List {
            items: r
                .adjustments
                .iter()
                .map(|a| adjustment_line(lang, r, a))
                .collect(),
        });
    }
    let withdrawn: Vec<_> = r
        .tasks
        .iter()
        .filter(|x| x.status == TaskStatus::Withdrawn)
        .collect();
    if !withdrawn.is_empty() {
        b.push(para(t.s(
            "Nhiệm vụ đưa ra khỏi nghị quyết:",
            "Tasks withdrawn from the resolution:",
        )));
        b.push(Block::List {
            items: withdrawn
                .iter()
                .map(|x| vec![Span::plain(x.name.clone())])
                .collect(),
        });
    }
}

fn adjustment_line(
    lang: Lang,
    r: &Review,
    a: &chitieu_domain::review::AdjustmentReview,
) -> Vec<Span> {
    let t = T(lang);
    let unit = match &a.subject {
        Subject::Target { resolution, code } => r
            .targets
            .iter()
            .find(|x| &x.resolution == resolution && &x.code == code)
            .map_or("", |x| x.measure_unit.as_str()),
        Subject::Task { .. } => "",
    };
    let parts: Vec<String> = a
        .changes
        .iter()
        .map(|c| match c {
            ChangeRow::Value { from, to } => match lang {
                Lang::Vi => format!(
                    "từ {} {} {}",
                    locale::target_value(lang, from, unit),
                    if markdown::value_decreases(from, to) {
                        "xuống"
                    } else {
                        "lên"
                    },
                    locale::target_value(lang, to, unit)
                ),
                Lang::En => format!(
                    "from {} to {}",
                    locale::target_value(lang, from, unit),
                    locale::target_value(lang, to, unit)
                ),
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
        })
        .collect();
    let what = match &a.subject {
        Subject::Target { code, .. } => format!("{} {code}", t.s("chỉ tiêu", "target")),
        Subject::Task { code, .. } => format!("{} {code}", t.s("nhiệm vụ", "task")),
    };
    vec![
        Span::bold(format!("{} ({what})", a.name)),
        Span::plain(format!(
            ": {}. {}: {}, {}, {}. {}: {}",
            parts.join("; "),
            t.s("Quyết định", "Decision"),
            a.decision.body,
            a.decision.reference,
            locale::date(lang, a.decision.date),
            t.s("Lý do", "Reason"),
            a.reason
        )),
    ]
}

fn directions(lang: Lang, r: &Review, text: &ReviewText, b: &mut Vec<Block>) {
    let t = T(lang);
    b.push(heading(
        1,
        t.s(
            "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
            "IV. DIRECTIONS AND TASKS AHEAD",
        ),
    ));
    if !text.directions.is_empty() {
        b.push(Block::OfficeText {
            text: text.directions.clone(),
        });
        return;
    }
    // Without the office's text, the draft lists what the figures say needs attention, and
    // says that it is a draft: nothing here is invented.
    b.push(note(t.s(
        "(Dự thảo từ số liệu; văn phòng hoàn thiện phương hướng, nhiệm vụ.)",
        "(Drafted from the figures; the office completes the directions.)",
    )));
    let behind: Vec<&TargetReview> = r
        .targets
        .iter()
        .filter(|x| matches!(x.assessment.status, Status::OffTrack | Status::AtRisk))
        .collect();
    let open: Vec<_> = r
        .tasks
        .iter()
        .filter(|x| matches!(x.status, TaskStatus::Overdue | TaskStatus::NotStarted))
        .collect();
    let mut items = Vec::new();
    if !behind.is_empty() {
        items.push(vec![Span::plain(format!(
            "{}: {}.",
            t.s(
                "Tập trung lãnh đạo, chỉ đạo các chỉ tiêu cần đẩy nhanh tiến độ và khó hoàn thành",
                "Focus on the targets at risk or off track"
            ),
            behind
                .iter()
                .map(|x| format!("{} ({})", x.name, locale::status(lang, x.assessment.status)))
                .collect::<Vec<_>>()
                .join("; ")
        ))]);
    }
    if !open.is_empty() {
        items.push(vec![Span::plain(format!(
            "{}: {}.",
            t.s(
                "Triển khai các nhiệm vụ chưa thực hiện, quá hạn",
                "Carry out the tasks not started or overdue"
            ),
            open.iter()
                .map(|x| x.name.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ))]);
    }
    if items.is_empty() {
        b.push(para(t.s(
            "Tiếp tục duy trì kết quả đã đạt được.",
            "Keep up the results achieved.",
        )));
    } else {
        b.push(Block::List { items });
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown and HTML renderings

fn md_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace('\n', " ")
}

fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            let t = md_text(&s.text);
            // Emphasis markers must hug the text: keep the run's outer spaces outside them.
            let (lead, core, trail) = split_spaces(&t);
            if core.is_empty() {
                return t;
            }
            match (s.bold, s.italic) {
                (true, true) => format!("{lead}***{core}***{trail}"),
                (true, false) => format!("{lead}**{core}**{trail}"),
                (false, true) => format!("{lead}*{core}*{trail}"),
                (false, false) => t,
            }
        })
        .collect()
}

fn split_spaces(s: &str) -> (&str, &str, &str) {
    let core = s.trim();
    let lead = &s[..s.len() - s.trim_start().len()];
    let trail = &s[s.trim_end().len()..];
    (lead, core, trail)
}

/// The document as Markdown: the heading block and the closing as two-column tables, the
/// body as headings, paragraphs, lists and tables. Charts are left out: Markdown has no
/// pictures of its own, and the HTML, Word and PDF renderings carry them.
pub fn markdown(doc: &ReviewDocument) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let l = &doc.letterhead;
    let mut left: Vec<String> = Vec::new();
    left.extend(l.superior.as_deref().map(md_cell));
    left.push(format!("**{}**", md_cell(&l.issuer)));
    left.extend(l.mark.as_deref().map(md_cell));
    left.push(md_cell(&l.number));
    let mut right: Vec<String> = l
        .national
        .iter()
        .map(|x| format!("**{}**", md_cell(x)))
        .collect();
    right.push(format!("*{}*", md_cell(&l.place_date)));
    let _ = writeln!(o, "| {} | {} |", left.join("<br>"), right.join("<br>"));
    let _ = writeln!(o, "| :-: | :-: |");
    let _ = writeln!(o);
    let _ = writeln!(o, "# {}", md_text(&doc.kind));
    let _ = writeln!(o);
    for line in &doc.title {
        let _ = writeln!(o, "**{}**", md_text(line));
        let _ = writeln!(o);
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let _ = writeln!(
                    o,
                    "{} {}",
                    "#".repeat(usize::from(*level).clamp(1, 4) + 1),
                    md_text(text)
                );
            }
            Block::Paragraph { spans } => {
                let _ = writeln!(o, "{}", md_spans(spans));
            }
            Block::List { items } => {
                for item in items {
                    let _ = writeln!(o, "- {}", md_spans(item));
                }
            }
            Block::Table { table } => {
                let head: Vec<String> = table.columns.iter().map(|c| md_cell(&c.header)).collect();
                let _ = writeln!(o, "| {} |", head.join(" | "));
                let rule: Vec<&str> = table
                    .columns
                    .iter()
                    .map(|c| match c.align {
                        Align::Left => ":--",
                        Align::Center => ":-:",
                        Align::Right => "--:",
                    })
                    .collect();
                let _ = writeln!(o, "| {} |", rule.join(" | "));
                for row in &table.rows {
                    let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
                    let _ = writeln!(o, "| {} |", cells.join(" | "));
                }
            }
            Block::Chart { .. } => continue,
            Block::OfficeText { text } => {
                for p in paragraphs(text) {
                    let _ = writeln!(o, "{}", md_text(&p));
                    let _ = writeln!(o);
                }
                continue;
            }
        }
        let _ = writeln!(o);
    }
    let c = &doc.closing;
    let mut left = vec![format!("***{}***", md_cell(&c.recipients_label))];
    left.extend(c.recipients.iter().map(|r| format!("- {}", md_cell(r))));
    let mut right: Vec<String> = Vec::new();
    right.extend(
        c.on_behalf
            .as_deref()
            .map(|x| format!("**{}**", md_cell(x))),
    );
    right.push(format!("**{}**", md_cell(&c.signer_title)));
    right.push("<br><br>".into());
    right.push(
        c.signer
            .as_deref()
            .map(|x| format!("**{}**", md_cell(x)))
            .unwrap_or_default(),
    );
    let _ = writeln!(o, "| {} | {} |", left.join("<br>"), right.join("<br>"));
    let _ = writeln!(o, "| :-- | :-: |");
    o
}

/// The office's text split into paragraphs at blank lines, each paragraph's lines joined.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(cur.join(" "));
                cur.clear();
            }
        } else {
            cur.push(line.trim());
        }
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match (s.bold, s.italic) {
            (true, true) => format!("<strong><em>{}</em></strong>", esc(&s.text)),
            (true, false) => format!("<strong>{}</strong>", esc(&s.text)),
            (false, true) => format!("<em>{}</em>", esc(&s.text)),
            (false, false) => esc(&s.text),
        })
        .collect()
}

/// The document as an HTML fragment (the web app's review page and the HTML file share it):
/// the heading block and closing as two-column blocks, charts as inline SVG.
pub fn html_body(doc: &ReviewDocument) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let l = &doc.letterhead;
    let _ = write!(
        o,
        "<div class=\"letterhead {}\">\n<div class=\"issuer\">",
        l.layout.as_str()
    );
    if let Some(s) = &l.superior {
        let _ = write!(o, "<div>{}</div>", esc(s));
    }
    let _ = write!(o, "<div class=\"body\">{}</div>", esc(&l.issuer));
    match &l.mark {
        Some(m) => {
            let _ = write!(o, "<div class=\"mark\">{}</div>", esc(m));
        }
        None => o.push_str("<div class=\"rule\"></div>"),
    }
    let _ = write!(
        o,
        "<div class=\"number\">{}</div></div>\n<div class=\"national\">",
        esc(&l.number)
    );
    for (i, n) in l.national.iter().enumerate() {
        let last = i + 1 == l.national.len();
        let _ = write!(
            o,
            "<div class=\"{}\">{}</div>",
            if last { "motto" } else { "name" },
            esc(n)
        );
    }
    let _ = write!(
        o,
        "<div class=\"place-date\">{}</div></div>\n</div>\n<h1>{}</h1>\n",
        esc(&l.place_date),
        esc(&doc.kind)
    );
    for t in &doc.title {
        let _ = writeln!(o, "<p class=\"title\">{}</p>", esc(t));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let h = usize::from(*level).clamp(1, 4) + 1;
                let _ = writeln!(o, "<h{h}>{}</h{h}>", esc(text));
            }
            Block::Paragraph { spans } => {
                let _ = writeln!(o, "<p>{}</p>", html_spans(spans));
            }
            Block::List { items } => {
                o.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(o, "<li>{}</li>", html_spans(item));
                }
                o.push_str("</ul>\n");
            }
            Block::Table { table } => {
                let total: u32 = table.columns.iter().map(|c| u32::from(c.width)).sum();
                o.push_str("<table>\n<colgroup>");
                for c in &table.columns {
                    let _ = write!(
                        o,
                        "<col style=\"width: {:.1}%\">",
                        100.0 * f64::from(c.width) / f64::from(total.max(1))
                    );
                }
                o.push_str("</colgroup>\n<thead><tr>");
                for c in &table.columns {
                    let _ = write!(o, "<th>{}</th>", esc(&c.header));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for row in &table.rows {
                    o.push_str("<tr>");
                    for (cell, c) in row.iter().zip(&table.columns) {
                        let class = match c.align {
                            Align::Left => "",
                            Align::Center => " class=\"c\"",
                            Align::Right => " class=\"r\"",
                        };
                        let _ = write!(o, "<td{class}>{}</td>", esc(cell));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
            }
            Block::Chart { chart } => {
                let _ = writeln!(
                    o,
                    "<figure class=\"chart\">{}<figcaption>{}</figcaption></figure>",
                    chart.svg,
                    esc(&chart.caption)
                );
            }
            Block::OfficeText { text } => {
                for p in paragraphs(text) {
                    let _ = writeln!(o, "<p class=\"office\">{}</p>", esc(&p));
                }
            }
        }
    }
    let c = &doc.closing;
    let _ = write!(
        o,
        "<div class=\"closing\">\n<div class=\"recipients\"><div class=\"label\">{}</div>",
        esc(&c.recipients_label)
    );
    for r in &c.recipients {
        let _ = write!(o, "<div>- {}</div>", esc(r));
    }
    o.push_str("</div>\n<div class=\"signature\">");
    if let Some(b) = &c.on_behalf {
        let _ = write!(o, "<div class=\"on-behalf\">{}</div>", esc(b));
    }
    let _ = write!(
        o,
        "<div class=\"title\">{}</div><div class=\"space\"></div><div class=\"signer\">{}</div></div>\n</div>\n",
        esc(&c.signer_title),
        c.signer.as_deref().map(esc).unwrap_or_default()
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use chitieu_domain::review::{DocumentSummary, ResolutionSummary, UnitRef};
    use chitieu_domain::{Resolution, ResolutionKind, Unit};
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn unit(id: &str, name: &str, level: Level, parent: Option<&str>) -> Unit {
        Unit {
            id: id.into(),
            name: name.into(),
            name_en: None,
            level,
            parent: parent.map(Into::into),
            code: None,
            valid_from: None,
            valid_to: None,
        }
    }

    fn tree() -> Dataset {
        Dataset {
            units: vec![
                unit("vn", "Việt Nam", Level::Nation, None),
                unit("bg", "Tỉnh Bắc Giang", Level::Province, Some("vn")),
                unit("hn", "Thành phố Hà Nội", Level::Province, Some("vn")),
                unit("ln", "Huyện Lục Ngạn", Level::District, Some("bg")),
                unit("ps", "Xã Phượng Sơn", Level::Commune, Some("ln")),
                unit("chu", "Thị trấn Chũ", Level::Commune, Some("ln")),
            ],
            ..Dataset::default()
        }
    }

    #[test]
    fn party_names_follow_the_committee_of_each_level() {
        let ds = tree();
        let ln = Names::of(&ds, "ln", Layout::Party);
        assert_eq!(ln.superior.as_deref(), Some("ĐẢNG BỘ TỈNH BẮC GIANG"));
        assert_eq!(ln.issuer, "HUYỆN ỦY LỤC NGẠN");
        assert_eq!(ln.suffix, "HU");
        assert_eq!(ln.on_behalf, "T/M BAN THƯỜNG VỤ");
        assert_eq!(ln.place, "Lục Ngạn");
        assert_eq!(
            ln.recipients.first().map(String::as_str),
            Some("Ban Thường vụ Tỉnh ủy (b/c),")
        );
        assert_eq!(
            ln.recipients.last().map(String::as_str),
            Some("Lưu Văn phòng Huyện ủy.")
        );

        // A province's committee has no superior line: the Central Committee is not written.
        let bg = Names::of(&ds, "bg", Layout::Party);
        assert_eq!(bg.superior, None);
        assert_eq!(
            (bg.issuer.as_str(), bg.suffix.as_str()),
            ("TỈNH ỦY BẮC GIANG", "TU")
        );
        let hn = Names::of(&ds, "hn", Layout::Party);
        assert_eq!(hn.issuer, "THÀNH ỦY HÀ NỘI");

        let ps = Names::of(&ds, "ps", Layout::Party);
        assert_eq!(ps.superior.as_deref(), Some("ĐẢNG BỘ HUYỆN LỤC NGẠN"));
        assert_eq!(
            (ps.issuer.as_str(), ps.suffix.as_str()),
            ("ĐẢNG ỦY XÃ PHƯỢNG SƠN", "ĐU")
        );
        assert_eq!(ps.on_behalf, "T/M ĐẢNG ỦY");
        let chu = Names::of(&ds, "chu", Layout::Party);
        assert_eq!(chu.issuer, "ĐẢNG ỦY THỊ TRẤN CHŨ");
        assert_eq!(chu.place, "Chũ");
    }

    #[test]
    fn state_names_follow_decree_30() {
        let ds = tree();
        let ln = Names::of(&ds, "ln", Layout::State);
        assert_eq!(ln.issuer, "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN");
        assert_eq!(ln.superior.as_deref(), Some("UBND TỈNH BẮC GIANG"));
        assert_eq!(ln.suffix, "UBND");
        assert_eq!(
            (ln.on_behalf.as_str(), ln.signer_title.as_str()),
            ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
        );
        assert_eq!(
            number_line(Lang::Vi, Layout::State, None, &ln.suffix),
            "Số:       /BC-UBND"
        );
        assert_eq!(
            number_line(Lang::Vi, Layout::Party, Some("45-BC/HU"), "HU"),
            "Số 45-BC/HU"
        );
    }

    fn review_of(ds: &Dataset, unit: &str) -> Review {
        let r = ds.resolutions.first();
        Review {
            unit: UnitRef {
                id: unit.into(),
                name: ds
                    .units
                    .iter()
                    .find(|u| u.id == unit)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                level: Level::District,
            },
            as_of: day(2018, 6, 25),
            include_unapproved: false,
            resolutions: r
                .map(|r| ResolutionSummary {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    issuer: r.issuer.clone(),
                    unit: r.unit.clone(),
                    kind: r.kind,
                    congress: r.congress,
                    term: r.term.clone(),
                    adopted: r.adopted,
                    own: true,
                    achieved_or_exceeded: 0,
                    total: 0,
                    assessable: 0,
                    reach_80: 0,
                    counts: Default::default(),
                    achieved_or_exceeded_adjusted: 0,
                    total_adjusted: 0,
                    counts_adjusted: Default::default(),
                })
                .into_iter()
                .collect(),
            documents: DocumentSummary {
                from: day(2015, 7, 1),
                to: day(2018, 6, 25),
                counts: Default::default(),
                list: vec![],
            },
            targets: vec![],
            adjustments: vec![],
            tasks: vec![],
            shortfalls: vec![],
        }
    }

    fn with_resolution(body: BodyKind) -> Dataset {
        let mut ds = tree();
        ds.resolutions.push(Resolution {
            id: "kh".into(),
            unit: "ln".into(),
            kind: ResolutionKind::Council,
            congress: None,
            term: "2016-2021".into(),
            number: None,
            adopted: day(2016, 7, 1),
            title: "Kế hoạch phát triển kinh tế - xã hội 5 năm 2016–2020".into(),
            issuer: None,
            body,
        });
        ds
    }

    fn build_for(ds: &Dataset, text: Option<&ReviewText>) -> ReviewDocument {
        let rollups = Rollups::new(
            ds,
            chitieu_domain::version::FigureFilter {
                known_by: day(2018, 6, 25),
                include_unapproved: false,
            },
            day(2018, 6, 25),
        );
        build(Lang::Vi, ds, &rollups, &review_of(ds, "ln"), text)
    }

    #[test]
    fn the_issuing_body_chooses_the_layout_and_the_text_can_override_it() {
        let party = build_for(&with_resolution(BodyKind::Party), None);
        assert_eq!(party.letterhead.layout, Layout::Party);
        assert_eq!(party.letterhead.national, vec!["ĐẢNG CỘNG SẢN VIỆT NAM"]);
        assert_eq!(party.letterhead.mark.as_deref(), Some("*"));
        assert_eq!(
            party.letterhead.place_date,
            "Lục Ngạn, ngày 25 tháng 6 năm 2018"
        );

        let state = build_for(&with_resolution(BodyKind::Government), None);
        assert_eq!(state.letterhead.layout, Layout::State);
        assert_eq!(
            state.letterhead.national,
            vec![
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc"
            ]
        );
        assert_eq!(state.letterhead.mark, None);
        assert_eq!(state.closing.signer_title, "CHỦ TỊCH");

        let text = ReviewText {
            layout: Some(Layout::Party),
            issuer: Some("BAN CHẤP HÀNH ĐẢNG BỘ HUYỆN LỤC NGẠN".into()),
            number: Some("45-BC/HU".into()),
            place: Some("Chũ".into()),
            ..ReviewText::new("ln", day(2018, 6, 25))
        };
        let overridden = build_for(&with_resolution(BodyKind::Government), Some(&text));
        assert_eq!(overridden.letterhead.layout, Layout::Party);
        assert_eq!(
            overridden.letterhead.issuer,
            "BAN CHẤP HÀNH ĐẢNG BỘ HUYỆN LỤC NGẠN"
        );
        assert_eq!(overridden.letterhead.number, "Số 45-BC/HU");
        assert!(overridden.letterhead.place_date.starts_with("Chũ, ngày 25"));
    }

    fn section_texts(doc: &ReviewDocument) -> Vec<String> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 1, text } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_sections_are_those_of_a_review_report_and_the_office_text_goes_in_them() {
        let ds = with_resolution(BodyKind::Party);
        let draft = build_for(&ds, None);
        assert_eq!(
            section_texts(&draft),
            vec![
                "I. KẾT QUẢ THỰC HIỆN",
                "II. HẠN CHẾ, YẾU KÉM VÀ NGUYÊN NHÂN",
                "III. ĐIỀU CHỈNH CHỈ TIÊU, NHIỆM VỤ",
                "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"
            ]
        );
        assert!(!draft
            .blocks
            .iter()
            .any(|b| matches!(b, Block::OfficeText { .. })));
        assert_eq!(draft.closing.signer, None);

        let text = ReviewText {
            causes: "Mưa lũ.".into(),
            directions: "Tập trung chỉ đạo.".into(),
            signer: Some("Thân Văn Khánh".into()),
            recipients: vec!["Lưu VP.".into()],
            ..ReviewText::new("ln", day(2018, 6, 25))
        };
        let doc = build_for(&ds, Some(&text));
        let at = |needle: &str| {
            doc.blocks.iter().position(|b| match b {
                Block::OfficeText { text } => text == needle,
                Block::Heading { text, .. } => text.starts_with(needle),
                _ => false,
            })
        };
        let (ii, iii, iv) = (at("II."), at("III."), at("IV."));
        let (causes, directions) = (at("Mưa lũ."), at("Tập trung chỉ đạo."));
        assert!(ii < causes && causes < iii, "{:?}", (ii, causes, iii));
        assert!(iv < directions, "{:?}", (iv, directions));
        assert_eq!(doc.closing.signer.as_deref(), Some("Thân Văn Khánh"));
        assert_eq!(doc.closing.recipients, vec!["Lưu VP."]);
    }

    #[test]
    fn markdown_escapes_what_markdown_would_read() {
        assert_eq!(md_text("1* [a]_b"), "1\\* \\[a\\]\\_b");
        assert_eq!(md_cell("a | b\nc"), "a \\| b c");
        assert_eq!(
            md_spans(&[Span::plain("x "), Span::bold(" 4/16 "), Span::italic("y")]),
            "x  **4/16** *y*"
        );
        assert_eq!(
            paragraphs("a\nb\n\n\nc\n"),
            vec!["a b".to_string(), "c".to_string()]
        );
    }
}
