#![allow(clippy::unwrap_used)] // Test data: a failure is a test failure.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;

use super::*;
use crate::chart::{Point as ChartPoint, TargetChart};
use crate::document::{Chart, Column, Span};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn chart_svg() -> String {
    TargetChart {
        baseline: ChartPoint {
            date: day(2015, 12, 31),
            value: 41.3,
        },
        target: ChartPoint {
            date: day(2020, 12, 31),
            value: 45.0,
        },
        figures: vec![
            (
                ChartPoint {
                    date: day(2016, 12, 31),
                    value: 41.9,
                },
                true,
            ),
            (
                ChartPoint {
                    date: day(2017, 12, 31),
                    value: 42.6,
                },
                false,
            ),
        ],
        projected: Some(44.1),
        adjustments: vec![(day(2018, 6, 25), "điều chỉnh → 44%".to_string())],
    }
    .svg(Lang::Vi, "Độ che phủ rừng")
}

fn letterhead(layout: Layout) -> Letterhead {
    match layout {
        Layout::Party => Letterhead {
            layout,
            superior: Some("ĐẢNG BỘ TỈNH BẮC GIANG".into()),
            issuer: "HUYỆN ỦY LỤC NGẠN".into(),
            mark: Some("*".into()),
            number: "Số     -BC/HU".into(),
            national: vec!["ĐẢNG CỘNG SẢN VIỆT NAM".into()],
            place_date: "Lục Ngạn, ngày 25 tháng 6 năm 2018".into(),
        },
        Layout::State => Letterhead {
            layout,
            superior: Some("UBND TỈNH BẮC GIANG".into()),
            issuer: "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN".into(),
            mark: None,
            number: "Số:     /BC-UBND".into(),
            national: vec![
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
                "Độc lập - Tự do - Hạnh phúc".into(),
            ],
            place_date: "Lục Ngạn, ngày 25 tháng 6 năm 2018".into(),
        },
    }
}

fn closing(layout: Layout) -> Closing {
    Closing {
        recipients_label: "Nơi nhận:".into(),
        recipients: vec![
            "Ban Thường vụ Tỉnh ủy (b/c)".into(),
            "Các đồng chí Huyện ủy viên".into(),
            "Lưu Văn phòng Huyện ủy".into(),
        ],
        on_behalf: Some(match layout {
            Layout::Party => "T/M BAN THƯỜNG VỤ".into(),
            Layout::State => "TM. ỦY BAN NHÂN DÂN".into(),
        }),
        signer_title: match layout {
            Layout::Party => "BÍ THƯ".into(),
            Layout::State => "CHỦ TỊCH".into(),
        },
        signer: Some("Nguyễn Văn Lưỡng".into()),
    }
}

fn table(rows: usize) -> Table {
    let col = |header: &str, width, align| Column {
        header: header.into(),
        width,
        align,
    };
    Table {
        columns: vec![
            col("TT", 1, Align::Center),
            col("Chỉ tiêu", 6, Align::Left),
            col("Mục tiêu", 2, Align::Right),
            col("Thực hiện", 2, Align::Right),
            col("Đánh giá", 3, Align::Center),
        ],
        rows: (1..=rows)
            .map(|i| {
                vec![
                    i.to_string(),
                    if i % 3 == 0 {
                        "Tỷ lệ hộ nghèo giảm bình quân hằng năm theo chuẩn nghèo đa chiều giai đoạn 2016 - 2020, kể cả hộ cận nghèo"
                            .to_string()
                    } else {
                        format!("Độ che phủ rừng (chỉ tiêu {i})")
                    },
                    "45%".into(),
                    "41,3%".into(),
                    "Chưa đạt".into(),
                ]
            })
            .collect(),
    }
}

/// A document with every block kind; stacked marks ("ỗ", "ữ", "Ặ", "ự") in several styles.
fn sample(layout: Layout, rows: usize) -> ReviewDocument {
    ReviewDocument {
        lang: Lang::Vi,
        letterhead: letterhead(layout),
        kind: "Báo cáo".into(),
        title: vec![
            "sơ kết giữa nhiệm kỳ thực hiện Nghị quyết".into(),
            "Đại hội Đảng bộ huyện lần thứ XXIII, nhiệm kỳ 2015 - 2020".into(),
        ],
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "I. Kết quả thực hiện các chỉ tiêu".into(),
            },
            Block::Paragraph {
                spans: vec![
                    Span::plain("Sau ba năm thực hiện Nghị quyết, có "),
                    Span::bold("4/16 chỉ tiêu"),
                    Span::plain(" hoàn thành và hoàn thành vượt mức; "),
                    Span::italic("những chỉ tiêu còn lại"),
                    Span::plain(
                        " đang được triển khai tích cực. Công tác hỗ trợ sản xuất, đặc biệt là \
                         xây dựng nông thôn mới, được các cấp ủy quan tâm chỉ đạo; sự phối hợp \
                         giữa các ngành được tăng cường, góp phần thực hiện thắng lợi các mục \
                         tiêu đã đề ra.",
                    ),
                ],
            },
            Block::Heading {
                level: 2,
                text: "1. Lĩnh vực kinh tế".into(),
            },
            Block::Heading {
                level: 3,
                text: "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVIII".into(),
            },
            Block::List {
                items: vec![
                    vec![
                        Span::plain("Độ che phủ rừng đạt "),
                        Span::bold("41,3%"),
                        Span::plain(" (mục tiêu 45%)."),
                    ],
                    vec![Span::plain(
                        "Thu nhập bình quân đầu người đạt 38,5 triệu đồng, bằng 77% mục tiêu \
                         Nghị quyết đề ra cho năm 2020; tốc độ tăng trưởng bình quân 8,9%/năm.",
                    )],
                    vec![Span {
                        text: "ĐẶC BIỆT: những việc cần làm ngay".into(),
                        bold: true,
                        italic: true,
                    }],
                ],
            },
            Block::Table { table: table(rows) },
            Block::Chart {
                chart: Chart {
                    svg: chart_svg(),
                    width: 640.0,
                    height: 280.0,
                    caption: "Biểu đồ 1. Độ che phủ rừng, 2015 - 2020".into(),
                },
            },
            Block::OfficeText {
                text: "Nguyên nhân của những hạn chế: một số cấp ủy chưa thực sự quan tâm;\n\
                       nguồn lực còn hạn chế.\n\n\
                       Phương hướng: tiếp tục đẩy mạnh thực hiện các chỉ tiêu, ưu tiên hỗ trợ \
                       các xã đặc biệt khó khăn."
                    .into(),
            },
        ],
        closing: closing(layout),
    }
}

/// A document of one short paragraph: one page.
fn short(layout: Layout) -> ReviewDocument {
    ReviewDocument {
        blocks: vec![Block::Paragraph {
            spans: vec![Span::plain("Tình hình thực hiện các chỉ tiêu.")],
        }],
        ..sample(layout, 0)
    }
}

/// Writes the PDF where `CHITIEU_PDF_DIR` says, to look at (`scripts/pdf-pages.sh`).
fn keep(name: &str, pdf: &[u8]) {
    if let Ok(dir) = std::env::var("CHITIEU_PDF_DIR") {
        std::fs::write(Path::new(&dir).join(name), pdf).unwrap();
    }
}

fn page_count(pdf: &[u8]) -> usize {
    // The page tree's root, "/Type/Pages/Count N", is the one "/Count" (no outline here).
    let text = String::from_utf8_lossy(pdf);
    assert_eq!(text.matches("/Count").count(), 1);
    let at = text.find("/Count").unwrap() + "/Count".len();
    text[at..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn texts_on(page: &Page) -> Vec<&str> {
    page.ops
        .iter()
        .filter_map(|op| match op {
            Op::Text { run, .. } => Some(run.text.as_str()),
            _ => None,
        })
        .collect()
}

fn laid_out(doc: &ReviewDocument) -> Pages {
    layout(doc, &Fonts::load().unwrap()).unwrap()
}

/// Basic facts of any rendered review.
fn check_pdf(pdf: &[u8], pages: usize) {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(page_count(pdf), pages);
    // The fonts are embedded (TrueType outlines as FontFile2), not merely named.
    let text = String::from_utf8_lossy(pdf);
    assert!(text.contains("/FontFile2"), "no embedded font");
    assert!(text.contains("LiberationSerif"), "fonts not named");
}

/// The demo's review as `document::build` makes it, with the office's text if given.
fn demo(lang: Lang, text: Option<&chitieu_domain::ReviewText>) -> ReviewDocument {
    use chitieu_domain::review::{self, ReviewOptions};
    use chitieu_domain::status::StatusOptions;
    let bundle = include_str!("../../../../demo/luc-ngan-2018.toml");
    let ds = chitieu_io::parse_bundle(bundle, "demo/luc-ngan-2018.toml")
        .unwrap()
        .dataset;
    let as_of = day(2018, 6, 25);
    let rollups = StatusOptions {
        as_of,
        include_unapproved: false,
    }
    .rollups(&ds);
    let opts = ReviewOptions {
        unit: "luc-ngan",
        as_of,
        include_unapproved: false,
    };
    let r = review::build_with(&ds, &rollups, opts).unwrap();
    crate::document::build(lang, &ds, &rollups, &r, text)
}

#[test]
fn the_demo_review() {
    let doc = demo(Lang::Vi, None);
    assert_eq!(uncovered(&doc), vec![]);
    let pages = laid_out(&doc);
    let pdf = render(&doc).unwrap();
    keep("demo.pdf", &pdf);
    check_pdf(&pdf, pages.pages.len());
    assert!(pages.pages.len() >= 2);
    let mut expected = vec![
        "Nơi nhận",
        "Độ che phủ rừng",
        "BÁO CÁO",
        "I. KẾT QUẢ THỰC HIỆN",
    ];
    expected.extend(doc.letterhead.national.iter().map(String::as_str));
    expected.push(&doc.letterhead.place_date);
    poppler_checks(&pdf, &expected);
    // Every table header and chart caption of the document is in the PDF's text.
    if let Some(text) = pdftotext(&pdf, None) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for block in &doc.blocks {
            if let Block::Chart { chart } = block {
                let caption = clean(&chart.caption);
                let caption = caption.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(&caption), "{caption:?}");
            }
        }
    }
}

#[test]
fn the_demo_review_in_the_other_layout_with_the_office_text_and_in_english() {
    let mut text = chitieu_domain::ReviewText::new("luc-ngan", day(2018, 6, 25));
    let default = demo(Lang::Vi, None).letterhead.layout;
    text.layout = Some(match default {
        Layout::Party => Layout::State,
        Layout::State => Layout::Party,
    });
    text.causes = "Nguyên nhân khách quan: thời tiết diễn biến phức tạp.\n\n\
                   Nguyên nhân chủ quan: sự phối hợp giữa các ngành chưa chặt chẽ."
        .into();
    text.directions = "Tập trung chỉ đạo thực hiện những chỉ tiêu còn thấp.".into();
    text.signer = Some("Nguyễn Văn Lưỡng".into());
    for (lang, name) in [(Lang::Vi, "demo-other.pdf"), (Lang::En, "demo-en.pdf")] {
        let doc = demo(lang, Some(&text));
        assert_ne!(doc.letterhead.layout, default);
        let pages = laid_out(&doc);
        let pdf = render(&doc).unwrap();
        keep(name, &pdf);
        check_pdf(&pdf, pages.pages.len());
        let mut expected: Vec<&str> = doc.letterhead.national.iter().map(String::as_str).collect();
        expected.push("Nguyễn Văn Lưỡng");
        if lang == Lang::Vi {
            expected.push("sự phối hợp giữa các ngành chưa chặt chẽ");
            expected.push("những chỉ tiêu còn thấp");
        }
        poppler_checks(&pdf, &expected);
        assert!(String::from_utf8_lossy(&pdf).contains(match lang {
            Lang::Vi => "/Lang(vi)",
            Lang::En => "/Lang(en)",
        }));
    }
}

#[test]
fn a_short_review_is_one_page_without_a_page_number() {
    for layout_kind in [Layout::Party, Layout::State] {
        let doc = short(layout_kind);
        let pages = laid_out(&doc);
        assert_eq!(pages.pages.len(), 1);
        // The body's text, and no page number on page 1 (Decree 30 numbers from page 2).
        let texts = texts_on(&pages.pages[0]);
        assert!(
            texts.contains(&"Tình hình thực hiện các chỉ tiêu."),
            "{texts:?}"
        );
        assert!(!texts.contains(&"1"), "{texts:?}");
        let pdf = render(&doc).unwrap();
        check_pdf(&pdf, 1);
    }
}

#[test]
fn every_block_kind_in_both_layouts() {
    for (layout_kind, name) in [(Layout::Party, "party.pdf"), (Layout::State, "state.pdf")] {
        let doc = sample(layout_kind, 8);
        let pages = laid_out(&doc);
        assert_eq!(pages.charts.len(), 1);
        let pdf = render(&doc).unwrap();
        keep(name, &pdf);
        check_pdf(&pdf, pages.pages.len());
        let all: Vec<&str> = pages.pages.iter().flat_map(texts_on).collect();
        let joined = all.join(" ");
        // Level 1 in upper case, the kind upper case, list items with their dash.
        assert!(
            joined.contains("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"),
            "{joined}"
        );
        assert!(joined.contains("BÁO CÁO"));
        assert!(joined.contains("- Độ che phủ rừng đạt"), "{joined}");
        assert!(joined.contains("Nơi nhận:"));
        assert!(joined.contains("- Lưu Văn phòng Huyện ủy"));
        // The office's text: two paragraphs, the line end inside the first one a space.
        assert!(joined.contains("quan tâm; nguồn lực"), "{joined}");
        let lines_on_rules = pages.pages[0]
            .ops
            .iter()
            .filter(|op| matches!(op, Op::Line { y1, y2, .. } if y1 == y2))
            .count();
        assert!(lines_on_rules >= 1, "the heading block's rules");
        poppler_checks(
            &pdf,
            &[
                match layout_kind {
                    Layout::Party => "ĐẢNG CỘNG SẢN VIỆT NAM",
                    Layout::State => "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                },
                "Nơi nhận",
                "Độ che phủ rừng",
                match layout_kind {
                    Layout::Party => "HUYỆN ỦY LỤC NGẠN",
                    Layout::State => "Độc lập - Tự do - Hạnh phúc",
                },
                "Lục Ngạn, ngày 25 tháng 6 năm 2018",
                "ĐẶC BIỆT: những việc cần làm ngay",
                "hỗ trợ",
                "Nguyễn Văn Lưỡng",
            ],
        );
    }
}

#[test]
fn a_long_table_spans_pages_with_its_header_on_each() {
    let doc = sample(Layout::State, 120);
    let pages = laid_out(&doc);
    assert!(pages.pages.len() >= 4, "{} pages", pages.pages.len());
    let pdf = render(&doc).unwrap();
    keep("long-table.pdf", &pdf);
    check_pdf(&pdf, pages.pages.len());
    // Every page that holds a row holds the header, as many times as the pages it starts.
    let mut table_pages = 0;
    for (i, page) in pages.pages.iter().enumerate() {
        let texts = texts_on(page);
        let rows = texts
            .iter()
            .filter(|t| t.starts_with("Độ che phủ rừng (chỉ tiêu"))
            .count();
        if rows > 0 {
            table_pages += 1;
            assert_eq!(
                texts.iter().filter(|t| **t == "Chỉ tiêu").count(),
                1,
                "page {}",
                i + 1
            );
        }
        // Page numbers at the top from page 2 on.
        let number = (i + 1).to_string();
        let numbered = page.ops.iter().any(
            |op| matches!(op, Op::Text { y, run, .. } if *y < MARGIN_TOP && run.text == number),
        );
        assert_eq!(numbered, i > 0, "page {}", i + 1);
    }
    assert!(table_pages >= 3, "{table_pages}");
    // The rows all arrive, in order, split between rows (a row's number and its text
    // stay on one page).
    let all: Vec<&str> = pages.pages.iter().flat_map(texts_on).collect();
    let numbers: Vec<usize> = all
        .iter()
        .filter_map(|t| t.strip_prefix("Độ che phủ rừng (chỉ tiêu "))
        .map(|t| t.trim_end_matches(')').parse().unwrap())
        .collect();
    let expected: Vec<usize> = (1..=120).filter(|i| i % 3 != 0).collect();
    assert_eq!(numbers, expected);
    if let Some(text) = pdftotext(&pdf, Some(3)) {
        assert!(text.contains("Chỉ tiêu"), "{text}");
        assert!(text.contains("Thực hiện"), "{text}");
    }
}

#[test]
fn a_row_taller_than_a_page_is_cut_between_lines() {
    let long = "Tăng cường công tác kiểm tra, giám sát việc thực hiện. ".repeat(400);
    let doc = ReviewDocument {
        blocks: vec![Block::Table {
            table: Table {
                columns: vec![Column {
                    header: "Nội dung".into(),
                    width: 1,
                    align: Align::Left,
                }],
                rows: vec![vec![long.clone()], vec!["Hết.".into()]],
            },
        }],
        ..sample(Layout::State, 0)
    };
    let pages = laid_out(&doc);
    assert!(pages.pages.len() >= 3);
    let pdf = render(&doc).unwrap();
    check_pdf(&pdf, pages.pages.len());
    let all: Vec<&str> = pages.pages.iter().flat_map(texts_on).collect();
    assert!(all.contains(&"Hết."));
}

#[test]
fn lines_fit_the_text_width_and_an_overlong_word_is_broken() {
    let fonts = Fonts::load().unwrap();
    let word = "Nghị-quyết-".repeat(30);
    let doc = ReviewDocument {
        blocks: vec![Block::Paragraph {
            spans: vec![Span::plain(format!(
                "Trước {word} và sau, một đoạn văn dài để xuống dòng nhiều lần."
            ))],
        }],
        ..short(Layout::Party)
    };
    let l = Layouter {
        fonts: &fonts,
        pages: vec![Page::default()],
        charts: Vec::new(),
        fontdb: Arc::new(usvg::fontdb::Database::new()),
        y: MARGIN_TOP,
        tail: Vec::new(),
        paragraphs: 0,
    };
    let Block::Paragraph { spans } = &doc.blocks[0] else {
        unreachable!()
    };
    let tokens = l.tokens(&spans_of(spans)).unwrap();
    let lines = l.wrap(tokens, BODY, TEXT_W - INDENT, TEXT_W);
    assert!(lines.len() >= 3, "{}", lines.len());
    for (i, line) in lines.iter().enumerate() {
        let avail = if i == 0 { TEXT_W - INDENT } else { TEXT_W };
        assert!(
            line.width <= avail + 0.01,
            "line {i}: {} > {avail}",
            line.width
        );
        let sum: f32 = line.parts.iter().map(|p| p.em * BODY).sum();
        assert!((sum - line.width).abs() < 0.01);
        assert!(!line.parts.first().unwrap().space && !line.parts.last().unwrap().space);
    }
    // Nothing lost: the lines put back together are the text, but for the spaces where
    // lines end.
    let text: String = lines
        .iter()
        .flat_map(|l| l.parts.iter().map(|p| p.text.as_str()))
        .collect();
    assert_eq!(
        text.replace(' ', ""),
        clean(&spans[0].text).replace(' ', "")
    );
}

#[test]
fn no_page_ends_with_a_paragraphs_first_line_alone() {
    // Paragraphs of three lines in the office's text, then the closing: neither the flow of
    // the text nor the lines the closing takes along leave a first line at a page's foot.
    let para = |k: usize| {
        format!(
            "Đoạn {k}: tiếp tục rà soát kết quả thực hiện Nghị quyết, điều chỉnh các chỉ tiêu \
             cho phù hợp và xác định các nhiệm vụ phải thực hiện trong thời gian tới; quyết \
             tâm hoàn thành và hoàn thành vượt mức các chỉ tiêu đề ra."
        )
    };
    for n in 5..40 {
        let doc = ReviewDocument {
            blocks: vec![Block::OfficeText {
                text: (1..=n).map(para).collect::<Vec<_>>().join("\n\n"),
            }],
            ..short(Layout::Party)
        };
        let pages = laid_out(&doc);
        for (i, page) in pages.pages.iter().enumerate() {
            let body: Vec<&str> = page
                .ops
                .iter()
                .filter_map(|op| match op {
                    Op::Text { y, run, size, .. } if *y > MARGIN_TOP && *size == BODY => {
                        Some(run.text.as_str())
                    }
                    _ => None,
                })
                .filter(|t| !["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Lưỡng"].contains(t))
                .collect();
            if let Some(last) = body.last() {
                assert!(
                    !last.starts_with("Đoạn "),
                    "{n}: page {} ends with {last:?}",
                    i + 1
                );
            }
            if i > 0 {
                assert!(!body.is_empty(), "{n}: page {} has no text", i + 1);
            }
        }
    }
}

#[test]
fn the_signature_never_stands_on_a_page_without_text() {
    // However many paragraphs, some at the page's end push the closing over: the page it
    // lands on holds body text too.
    let mut pushed = 0;
    for n in 10..40 {
        let doc = ReviewDocument {
            blocks: (1..=n)
                .map(|k| Block::Paragraph {
                    spans: vec![Span::plain(format!(
                        "Đoạn {k}: các chỉ tiêu được theo dõi, đánh giá hằng năm theo kế hoạch, \
                         có báo cáo gửi Ban Thường vụ."
                    ))],
                })
                .collect(),
            ..short(Layout::State)
        };
        let pages = laid_out(&doc);
        let last = pages.pages.last().unwrap();
        let texts = texts_on(last);
        assert!(texts.contains(&"Nơi nhận:"));
        assert!(
            texts.iter().any(|t| t.contains("Ban Thường vụ.")),
            "{n} paragraphs: {texts:?}"
        );
        // Lines of body text there: not the closing's, not the page number.
        let closing = [
            "Nơi nhận:",
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            "Nguyễn Văn Lưỡng",
        ];
        let body = texts
            .iter()
            .filter(|t| !closing.contains(t) && !t.starts_with("- "))
            .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
            .count();
        if pages.pages.len() > 1 && body <= 3 {
            pushed += 1;
        }
        // Nothing lost or doubled by the move.
        let all: Vec<&str> = pages.pages.iter().flat_map(texts_on).collect();
        assert_eq!(all.iter().filter(|t| t.starts_with("Đoạn ")).count(), n);
    }
    assert!(pushed > 0, "no case where the closing took lines along");
}

#[test]
fn a_word_too_wide_breaks_after_its_slash_or_dash() {
    let fonts = Fonts::load().unwrap();
    let l = Layouter {
        fonts: &fonts,
        pages: vec![Page::default()],
        charts: Vec::new(),
        fontdb: Arc::new(usvg::fontdb::Database::new()),
        y: MARGIN_TOP,
        tail: Vec::new(),
        paragraphs: 0,
    };
    let lines_of = |text: &str, width: f32| -> Vec<String> {
        let tokens = l.tokens(&[(Style::Regular, text.to_string())]).unwrap();
        l.wrap(tokens, TABLE, width, width)
            .iter()
            .map(|line| line.parts.iter().map(|p| p.text.as_str()).collect())
            .collect()
    };
    let w = |t: &str| fonts.shape(Style::Regular, t, false).unwrap().em * TABLE;
    // Room for "đồng/" and a bit, not for "đồng/người".
    assert_eq!(
        lines_of("28 triệu đồng/người", w("đồng/ng")),
        vec!["28 triệu", "đồng/", "người"]
    );
    assert_eq!(lines_of("LN-1*", w("LN-1")), vec!["LN-", "1*"]);
    // No mark to break after: between letters, as many as fit.
    assert_eq!(lines_of("Nghị", w("Ngh")), vec!["Ngh", "ị"]);
}

#[test]
fn a_heading_stays_with_the_table_it_heads() {
    for n in 0..30 {
        let mut blocks: Vec<Block> = (0..n)
            .map(|k| Block::Paragraph {
                spans: vec![Span::plain(format!("Đoạn {k}: nội dung báo cáo."))],
            })
            .collect();
        blocks.push(Block::Heading {
            level: 2,
            text: "2. Kết quả".into(),
        });
        blocks.push(Block::Heading {
            level: 3,
            text: "Kinh tế".into(),
        });
        blocks.push(Block::Table { table: table(3) });
        let doc = ReviewDocument {
            blocks,
            ..short(Layout::State)
        };
        let pages = laid_out(&doc);
        let page = pages
            .pages
            .iter()
            .find(|p| texts_on(p).contains(&"2. Kết quả"))
            .unwrap();
        let texts = texts_on(page);
        assert!(texts.contains(&"Kinh tế"), "{n}: {texts:?}");
        assert!(
            texts.contains(&"Độ che phủ rừng (chỉ tiêu 1)"),
            "{n}: {texts:?}"
        );
    }
}

#[test]
fn every_character_of_the_documents_has_a_glyph() {
    for doc in [sample(Layout::Party, 3), sample(Layout::State, 3)] {
        assert_eq!(uncovered(&doc), vec![]);
    }
    // The marks Vietnamese stacks, in each of the four faces.
    let doc = ReviewDocument {
        title: vec!["ỗ ữ Ặ ự ẫ ẵ ậ ề ể ễ ệ ỉ ị ọ ỏ ố ồ ổ ộ ớ ờ ở ỡ ợ ụ ủ ứ ừ ử ỳ ỵ ỷ ỹ Đđ".into()],
        ..short(Layout::State)
    };
    assert_eq!(uncovered(&doc), vec![]);
    render(&doc).unwrap();
}

#[test]
fn a_character_outside_the_fonts_is_an_error_naming_it() {
    // A CJK character: Liberation Serif has none. The check sees it...
    let doc = ReviewDocument {
        blocks: vec![Block::Paragraph {
            spans: vec![Span::plain("Hợp tác với tỉnh Vân Nam (雲南).")],
        }],
        ..short(Layout::Party)
    };
    let missing = uncovered(&doc);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert_eq!(missing[0].0, '雲');
    // ...and the renderer refuses rather than print an empty box.
    let err = render(&doc).unwrap_err();
    assert!(
        matches!(err, PdfError::MissingGlyph { ch: '雲', .. }),
        "{err}"
    );
    assert!(err.to_string().contains("U+96F2"), "{err}");
    // Where it is: the text around it, to find it by.
    assert!(err.to_string().contains("tỉnh Vân Nam (雲南)"), "{err}");
    // In a chart's label too (the SVG renderer would drop it silently).
    let mut doc = sample(Layout::Party, 0);
    for block in &mut doc.blocks {
        if let Block::Chart { chart } = block {
            chart.svg = chart.svg.replace("điều chỉnh", "调整");
        }
    }
    assert!(!uncovered(&doc).is_empty());
    let err = render(&doc).unwrap_err();
    assert!(
        matches!(err, PdfError::MissingGlyph { ch: '调', .. }),
        "{err}"
    );
}

#[test]
fn odd_input_renders_or_is_refused_by_name_never_panics() {
    let odd = [
        "",
        " ",
        "\t\n\r  \n",
        "a\u{200B}b\u{00AD}c\u{00A0}d",
        "x\u{0303}\u{0323} q\u{0302}\u{0301}",
        &"W".repeat(2000),
        &"ỗ ".repeat(3000),
    ];
    for text in odd {
        let doc = ReviewDocument {
            title: vec![text.to_string(), String::new()],
            blocks: vec![
                Block::Heading {
                    level: 0,
                    text: text.into(),
                },
                Block::Heading {
                    level: 9,
                    text: text.into(),
                },
                Block::Paragraph {
                    spans: vec![Span::bold(text), Span::plain(""), Span::italic(text)],
                },
                Block::List {
                    items: vec![vec![], vec![Span::plain(text)]],
                },
                Block::OfficeText { text: text.into() },
                Block::Table {
                    table: Table {
                        columns: vec![
                            Column {
                                header: text.into(),
                                width: 0,
                                align: Align::Right,
                            },
                            Column {
                                header: String::new(),
                                width: 0,
                                align: Align::Center,
                            },
                        ],
                        // Rows shorter and longer than the columns.
                        rows: vec![
                            vec![],
                            vec![text.into()],
                            vec!["a".into(), "b".into(), "c".into()],
                        ],
                    },
                },
                Block::Table {
                    table: Table {
                        columns: vec![],
                        rows: vec![vec![text.into()]],
                    },
                },
                Block::Chart {
                    chart: Chart {
                        svg: chart_svg(),
                        width: f32::NAN,
                        height: 0.0,
                        caption: text.into(),
                    },
                },
            ],
            closing: Closing {
                recipients_label: text.into(),
                recipients: vec![text.into(), String::new()],
                on_behalf: None,
                signer_title: text.into(),
                signer: Some(text.into()),
            },
            ..sample(Layout::State, 0)
        };
        // Ends (the test harness's timeout says if not), and makes a PDF.
        let pdf = render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
    // Characters the fonts lack, anywhere, are refused by name.
    for (text, ch) in [("مرحبا", 'م'), ("🌲", '🌲'), ("bell\u{7}", '\u{7}')] {
        let doc = ReviewDocument {
            closing: Closing {
                signer: Some(text.into()),
                ..closing(Layout::Party)
            },
            ..short(Layout::Party)
        };
        match render(&doc) {
            Err(PdfError::MissingGlyph { ch: c, .. }) => assert_eq!(c, ch, "{text}"),
            other => panic!("{text}: {:?}", other.map(|b| b.len())),
        }
        assert_eq!(uncovered(&doc).first().map(|u| u.0), Some(ch));
    }
}

#[test]
fn text_is_normalised_to_nfc() {
    // "Độ che phủ rừng" typed with combining marks (NFD), as some keyboards and PDFs give it.
    let nfd: String = "Độ che phủ rừng, những hỗ trợ".nfd().collect();
    assert_ne!(nfd, "Độ che phủ rừng, những hỗ trợ");
    let doc = ReviewDocument {
        blocks: vec![Block::Paragraph {
            spans: vec![Span::plain(nfd)],
        }],
        ..short(Layout::State)
    };
    let pages = laid_out(&doc);
    let texts = texts_on(&pages.pages[0]);
    assert!(
        texts.contains(&"Độ che phủ rừng, những hỗ trợ"),
        "{texts:?}"
    );
    let pdf = render(&doc).unwrap();
    poppler_checks(&pdf, &["Độ che phủ rừng, những hỗ trợ"]);
}

#[test]
fn a_chart_that_does_not_parse_is_an_error() {
    let doc = ReviewDocument {
        blocks: vec![Block::Chart {
            chart: Chart {
                svg: "<svg".into(),
                width: 100.0,
                height: 50.0,
                caption: "Biểu đồ hỏng".into(),
            },
        }],
        ..short(Layout::Party)
    };
    let err = render(&doc).unwrap_err();
    assert!(matches!(err, PdfError::Chart { .. }), "{err}");
    assert!(err.to_string().contains("Biểu đồ hỏng"));
}

#[test]
fn metadata_gives_the_title_and_language() {
    let pdf = render(&short(Layout::Party)).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Lang(vi)"), "language");
    if let Some(info) = tool("pdfinfo", &pdf, &[]) {
        assert!(
            info.contains("Báo cáo sơ kết giữa nhiệm kỳ thực hiện Nghị quyết"),
            "{info}"
        );
    }
}

/// Runs a poppler tool on the PDF, or says it was skipped.
fn tool(name: &str, pdf: &[u8], args: &[&str]) -> Option<String> {
    if Command::new(name).arg("-v").output().is_err() {
        eprintln!("{name} is not on PATH: check skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(name).args(args).arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn pdftotext(pdf: &[u8], page: Option<usize>) -> Option<String> {
    let page = page.map(|p| p.to_string());
    let mut args = vec!["-enc", "UTF-8"];
    if let Some(p) = &page {
        args.extend(["-f", p, "-l", p]);
    }
    // pdftotext FILE - : the text to standard output.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.pdf");
    std::fs::write(&path, pdf).unwrap();
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext is not on PATH: check skipped");
        return None;
    }
    let out = Command::new("pdftotext")
        .args(&args)
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8_lossy(&out.stdout).nfc().collect())
}

/// With poppler: every font embedded, and the strings read back exactly (after NFC).
fn poppler_checks(pdf: &[u8], strings: &[&str]) {
    if let Some(fonts) = tool("pdffonts", pdf, &[]) {
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            // name type encoding emb sub uni object ID: "emb" is the fourth column from
            // the right's "yes yes yes" group.
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 5, "{row}");
            assert_eq!(cols[n - 5], "yes", "not embedded: {row}");
            assert!(row.contains("LiberationSerif"), "{row}");
        }
    }
    if let Some(text) = pdftotext(pdf, None) {
        // pdftotext breaks lines where the PDF does; compare with line ends as spaces.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in strings {
            let s: String = s.nfc().collect();
            assert!(flat.contains(&s), "{s:?} not in:\n{text}");
        }
    }
}
