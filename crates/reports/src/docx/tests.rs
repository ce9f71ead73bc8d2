//! The .docx read back: unzipped, its XML parsed, and checked for what a Vietnamese report
//! needs — fonts, page, heading block, body, tables, charts, closing, properties — and, where
//! LibreOffice is installed, converted to PDF and read as text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;

use super::*;
use crate::chart::{Point, TargetChart};
use crate::document::{Column, Table as DocTable};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn chart_svg() -> String {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    TargetChart {
        baseline: Point {
            date: d(2015, 12, 31),
            value: 30.0,
        },
        target: Point {
            date: d(2020, 12, 31),
            value: 50.0,
        },
        figures: vec![
            (
                Point {
                    date: d(2016, 12, 31),
                    value: 34.0,
                },
                true,
            ),
            (
                Point {
                    date: d(2017, 12, 31),
                    value: 37.5,
                },
                false,
            ),
        ],
        projected: Some(46.0),
        adjustments: vec![],
    }
    .svg(Lang::Vi, "Tỷ lệ che phủ rừng")
}

/// Every block kind, in the layout asked for.
fn sample(layout: Layout, lang: Lang) -> ReviewDocument {
    let letterhead = match layout {
        Layout::Party => Letterhead {
            layout,
            superior: Some("Đảng bộ tỉnh Bắc Giang".into()),
            issuer: "Huyện ủy Lục Ngạn".into(),
            mark: Some("*".into()),
            number: "Số      -BC/HU".into(),
            national: vec!["ĐẢNG CỘNG SẢN VIỆT NAM".into()],
            place_date: "Lục Ngạn, ngày 25 tháng 6 năm 2018".into(),
        },
        Layout::State => Letterhead {
            layout,
            superior: None,
            issuer: "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN".into(),
            mark: None,
            number: "Số:      /BC-UBND".into(),
            national: vec![
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
                "Độc lập - Tự do - Hạnh phúc".into(),
            ],
            place_date: "Lục Ngạn, ngày 25 tháng 6 năm 2018".into(),
        },
    };
    let closing = match layout {
        Layout::Party => Closing {
            recipients_label: "Nơi nhận:".into(),
            recipients: vec![
                "Ban Thường vụ Tỉnh ủy (b/c)".into(),
                "Lưu Văn phòng Huyện ủy".into(),
            ],
            on_behalf: Some("T/M BAN THƯỜNG VỤ".into()),
            signer_title: "BÍ THƯ".into(),
            signer: Some("Nguyễn Văn A".into()),
        },
        Layout::State => Closing {
            recipients_label: "Nơi nhận:".into(),
            recipients: vec!["UBND tỉnh (b/c)".into(), "Lưu: VT".into()],
            on_behalf: Some("TM. ỦY BAN NHÂN DÂN".into()),
            signer_title: "CHỦ TỊCH".into(),
            signer: None,
        },
    };
    ReviewDocument {
        lang,
        letterhead,
        kind: "BÁO CÁO".into(),
        title: vec![
            "Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết".into(),
            "Đại hội Đảng bộ huyện lần thứ XXIV, nhiệm kỳ 2015 - 2020".into(),
        ],
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "I. Kết quả thực hiện các chỉ tiêu".into(),
            },
            Block::Heading {
                level: 2,
                text: "1. Về kinh tế".into(),
            },
            Block::Heading {
                level: 3,
                text: "Nghị quyết số 01-NQ/HU".into(),
            },
            Block::Paragraph {
                spans: vec![
                    Span::plain("Hoàn thành và hoàn thành vượt mức "),
                    Span::bold("4/16"),
                    Span::plain(" chỉ tiêu; "),
                    Span::italic("đánh giá được 13/15 chỉ tiêu"),
                    Span::plain("."),
                ],
            },
            Block::List {
                items: vec![
                    vec![Span::plain("Tốc độ tăng trưởng kinh tế đạt 11,2%.")],
                    vec![Span::plain("Tỷ lệ che phủ rừng đạt 37,5%.")],
                ],
            },
            Block::Table {
                table: DocTable {
                    columns: vec![
                        Column {
                            header: "TT".into(),
                            width: 1,
                            align: Align::Center,
                        },
                        Column {
                            header: "Chỉ tiêu".into(),
                            width: 5,
                            align: Align::Left,
                        },
                        Column {
                            header: "Kết quả".into(),
                            width: 2,
                            align: Align::Right,
                        },
                    ],
                    rows: vec![
                        vec!["1".into(), "Tăng trưởng kinh tế".into(), "11,2%".into()],
                        vec!["2".into(), "Che phủ rừng".into(), "37,5%".into()],
                    ],
                },
            },
            Block::Chart {
                chart: Chart {
                    svg: chart_svg(),
                    width: 640.0,
                    height: 280.0,
                    caption: "Biểu đồ 1. Tỷ lệ che phủ rừng".into(),
                },
            },
            Block::OfficeText {
                text: "Nguyên nhân chủ yếu do thời tiết\nbất lợi.\n\n  \nPhương hướng: tập trung chỉ đạo.\n"
                    .into(),
            },
        ],
        closing,
    }
}

/// The demo's review (Lục Ngạn at its mid-term meeting, 25/6/2018) as `document::build` makes
/// it, as the command line and the web app will render it.
fn demo(lang: Lang) -> ReviewDocument {
    use chitieu_domain::review::{self, ReviewOptions};
    use chitieu_domain::status::StatusOptions;
    let bundle = include_str!("../../../../demo/luc-ngan-2018.toml");
    let ds = chitieu_io::parse_bundle(bundle, "demo/luc-ngan-2018.toml")
        .unwrap()
        .dataset;
    let as_of = NaiveDate::from_ymd_opt(2018, 6, 25).unwrap();
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
    document::build(lang, &ds, &rollups, &r, None)
}

/// A review whose one table runs over several pages.
fn long_table() -> ReviewDocument {
    let mut doc = sample(Layout::State, Lang::Vi);
    doc.blocks = vec![Block::Table {
        table: DocTable {
            columns: vec![
                Column {
                    header: "Mã chỉ tiêu".into(),
                    width: 1,
                    align: Align::Center,
                },
                Column {
                    header: "Tên".into(),
                    width: 4,
                    align: Align::Left,
                },
            ],
            rows: (1..=60)
                .map(|i| vec![format!("CT{i:02}"), format!("Chỉ tiêu số {i}")])
                .collect(),
        },
    }];
    doc
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        parts.insert(f.name().to_string(), buf);
    }
    parts
}

fn part(parts: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        parts
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone(),
    )
    .unwrap()
}

fn document_xml(doc: &ReviewDocument) -> String {
    part(&unzip(&render(doc).unwrap()), "word/document.xml")
}

/// A paragraph as the tests see it: its text, alignment, and the looks of its runs.
#[derive(Debug, Clone, Default)]
struct Para {
    text: String,
    align: Option<String>,
    first_line: Option<String>,
    border_bottom: bool,
    keep_next: bool,
    runs: Vec<R>,
}

#[derive(Debug, Clone, Default)]
struct R {
    text: String,
    bold: bool,
    italic: bool,
    underline: bool,
    /// Half-points.
    size: Option<u32>,
    fonts: [Option<String>; 4],
}

impl Para {
    /// The runs that carry text.
    fn texts(&self) -> impl Iterator<Item = &R> {
        self.runs.iter().filter(|r| !r.text.is_empty())
    }
    fn all(&self, f: impl Fn(&R) -> bool) -> bool {
        self.texts().count() > 0 && self.texts().all(f)
    }
    fn size(&self) -> Option<u32> {
        self.texts().next().and_then(|r| r.size)
    }
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(W))
}

fn attr(n: roxmltree::Node, name: &str) -> Option<String> {
    n.attributes()
        .find(|a| a.name() == name && a.namespace() == Some(W))
        .map(|a| a.value().to_string())
}

/// On/off properties: present without `w:val`, or with a true value.
fn on(n: Option<roxmltree::Node>) -> bool {
    n.is_some_and(|n| !matches!(attr(n, "val").as_deref(), Some("false" | "0" | "none")))
}

fn para(p: roxmltree::Node) -> Para {
    let ppr = child(p, "pPr");
    let mut out = Para {
        align: ppr
            .and_then(|x| child(x, "jc"))
            .and_then(|j| attr(j, "val")),
        first_line: ppr
            .and_then(|x| child(x, "ind"))
            .and_then(|i| attr(i, "firstLine")),
        keep_next: on(ppr.and_then(|x| child(x, "keepNext"))),
        border_bottom: ppr
            .and_then(|x| child(x, "pBdr"))
            .and_then(|b| child(b, "bottom"))
            .is_some(),
        ..Para::default()
    };
    for r in p.descendants().filter(|n| n.has_tag_name((W, "r"))) {
        let rpr = child(r, "rPr");
        let get = |name: &str| rpr.and_then(|x| child(x, name));
        let fonts = get("rFonts");
        let font = |a: &str| fonts.and_then(|f| attr(f, a));
        let text: String = r
            .children()
            .filter(|t| t.has_tag_name((W, "t")))
            .filter_map(|t| t.text())
            .collect();
        out.text.push_str(&text);
        out.runs.push(R {
            text,
            bold: on(get("b")),
            italic: on(get("i")),
            underline: on(get("u")),
            size: get("sz")
                .and_then(|s| attr(s, "val"))
                .and_then(|v| v.parse().ok()),
            fonts: [font("ascii"), font("hAnsi"), font("eastAsia"), font("cs")],
        });
    }
    out
}

/// The body's children in order: paragraphs, and tables as rows of cells of paragraphs.
#[derive(Debug)]
enum Item {
    P(Para),
    T(Tbl),
}

#[derive(Debug)]
struct Tbl {
    grid: Vec<i32>,
    borders: Vec<(String, String)>,
    rows: Vec<Row>,
}

#[derive(Debug, Clone)]
struct Row {
    header: bool,
    cant_split: bool,
    cells: Vec<Vec<Para>>,
}

fn body_items(xml: &str) -> Vec<Item> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "body")))
        .unwrap();
    let mut out = Vec::new();
    for n in body.children() {
        if n.has_tag_name((W, "p")) {
            out.push(Item::P(para(n)));
        } else if n.has_tag_name((W, "tbl")) {
            let grid = child(n, "tblGrid")
                .map(|g| {
                    g.children()
                        .filter(|c| c.has_tag_name((W, "gridCol")))
                        .filter_map(|c| attr(c, "w")?.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            let borders = child(n, "tblPr")
                .and_then(|p| child(p, "tblBorders"))
                .map(|b| {
                    b.children()
                        .filter(|c| c.is_element())
                        .map(|c| {
                            (
                                c.tag_name().name().to_string(),
                                attr(c, "val").unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let rows = n
                .children()
                .filter(|c| c.has_tag_name((W, "tr")))
                .map(|tr| Row {
                    header: child(tr, "trPr")
                        .and_then(|p| child(p, "tblHeader"))
                        .is_some(),
                    cant_split: child(tr, "trPr")
                        .and_then(|p| child(p, "cantSplit"))
                        .is_some(),
                    cells: tr
                        .children()
                        .filter(|c| c.has_tag_name((W, "tc")))
                        .map(|tc| {
                            tc.children()
                                .filter(|c| c.has_tag_name((W, "p")))
                                .map(para)
                                .collect()
                        })
                        .collect(),
                })
                .collect();
            out.push(Item::T(Tbl {
                grid,
                borders,
                rows,
            }));
        }
    }
    out
}

fn paragraphs(items: &[Item]) -> Vec<&Para> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::P(p) => Some(p),
            Item::T(_) => None,
        })
        .collect()
}

fn tables(items: &[Item]) -> Vec<&Tbl> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::T(t) => Some(t),
            Item::P(_) => None,
        })
        .collect()
}

fn find<'a>(items: &'a [Item], text: &str) -> &'a Para {
    paragraphs(items)
        .into_iter()
        .find(|p| p.text == text)
        .unwrap_or_else(|| panic!("no paragraph {text:?}"))
}

/// The non-empty paragraphs of a cell, by text.
fn cell_texts(cell: &[Para]) -> Vec<&str> {
    cell.iter()
        .map(|p| p.text.as_str())
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn page_is_a4_portrait_with_the_margins_of_decree_30() {
    let xml = document_xml(&sample(Layout::State, Lang::Vi));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let sect = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "sectPr")))
        .unwrap();
    let size = child(sect, "pgSz").unwrap();
    assert_eq!(attr(size, "w").as_deref(), Some("11906"));
    assert_eq!(attr(size, "h").as_deref(), Some("16838"));
    assert_ne!(attr(size, "orient").as_deref(), Some("landscape"));
    let m = child(sect, "pgMar").unwrap();
    // 20, 20, 30 and 15 mm in twentieths of a point.
    for (side, twips) in [
        ("top", "1134"),
        ("bottom", "1134"),
        ("left", "1701"),
        ("right", "850"),
    ] {
        assert_eq!(attr(m, side).as_deref(), Some(twips), "{side}");
    }
    assert!(child(sect, "titlePg").is_some(), "no page number on page 1");
}

#[test]
fn every_run_names_times_new_roman_for_every_script() {
    for layout in [Layout::Party, Layout::State] {
        let items = body_items(&document_xml(&sample(layout, Lang::Vi)));
        let mut runs = 0;
        let mut check = |p: &Para| {
            for r in &p.runs {
                runs += 1;
                let want = Some(FONT.to_string());
                assert!(r.fonts.iter().all(|f| *f == want), "{r:?} in {p:?}");
            }
        };
        for item in &items {
            match item {
                Item::P(p) => check(p),
                Item::T(t) => t
                    .rows
                    .iter()
                    .flat_map(|r| &r.cells)
                    .flatten()
                    .for_each(&mut check),
            }
        }
        assert!(runs > 40, "{runs} runs");
    }
}

#[test]
fn the_defaults_are_times_new_roman_14_pt_in_the_documents_language() {
    for (lang, tag) in [(Lang::Vi, "vi-VN"), (Lang::En, "en-US")] {
        let parts = unzip(&render(&sample(Layout::Party, lang)).unwrap());
        let styles = part(&parts, "word/styles.xml");
        let doc = roxmltree::Document::parse(&styles).unwrap();
        let rpr = doc
            .descendants()
            .find(|n| n.has_tag_name((W, "rPrDefault")))
            .and_then(|d| child(d, "rPr"))
            .unwrap();
        let fonts = child(rpr, "rFonts").unwrap();
        for a in ["ascii", "hAnsi", "eastAsia", "cs"] {
            assert_eq!(attr(fonts, a).as_deref(), Some(FONT), "{a}");
        }
        assert_eq!(
            child(rpr, "sz").and_then(|s| attr(s, "val")).as_deref(),
            Some("28")
        );
        assert_eq!(
            child(rpr, "lang").and_then(|l| attr(l, "val")).as_deref(),
            Some(tag)
        );
    }
}

/// The heading block's two columns, each the paragraphs of its cells from top to bottom;
/// checks that the number and the place-date line share the last row, so they stand side by
/// side.
fn columns(lh: &Tbl, l: &Letterhead) -> (Vec<Para>, Vec<Para>) {
    let last = lh.rows.last().expect("rows");
    let texts: Vec<Vec<&str>> = last.cells.iter().map(|c| cell_texts(c)).collect();
    assert_eq!(
        texts,
        [[nfc(&l.number).as_str()], [nfc(&l.place_date).as_str()]]
    );
    let column = |i: usize| lh.rows.iter().flat_map(|r| r.cells[i].clone()).collect();
    (column(0), column(1))
}

#[test]
fn the_party_heading_block_follows_36_hd_vptw() {
    let doc = sample(Layout::Party, Lang::Vi);
    let items = body_items(&document_xml(&doc));
    let Item::T(lh) = &items[0] else {
        panic!("the document begins with the heading block: {:?}", items[0]);
    };
    assert!(
        lh.borders.iter().all(|(_, v)| v == "none" || v == "nil"),
        "{:?}",
        lh.borders
    );
    assert_eq!(lh.grid.iter().sum::<i32>(), TEXT_W);
    assert!(
        lh.grid[0] < lh.grid[1],
        "the issuer's column is the narrower"
    );
    let (left, right) = &columns(lh, &doc.letterhead);
    assert_eq!(
        cell_texts(left),
        [
            "ĐẢNG BỘ TỈNH BẮC GIANG",
            "HUYỆN ỦY LỤC NGẠN",
            "*",
            "Số      -BC/HU"
        ]
    );
    let by = |cell: &[Para], t: &str| cell.iter().find(|p| p.text == t).cloned().unwrap();
    assert!(left
        .iter()
        .filter(|p| !p.text.is_empty())
        .all(|p| p.align.as_deref() == Some("center")));
    assert!(
        by(left, "ĐẢNG BỘ TỈNH BẮC GIANG").all(|r| !r.bold),
        "superior: regular"
    );
    assert!(
        by(left, "HUYỆN ỦY LỤC NGẠN").all(|r| r.bold),
        "issuer: bold"
    );
    assert_eq!(
        cell_texts(right),
        [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Lục Ngạn, ngày 25 tháng 6 năm 2018"
        ]
    );
    let party = by(right, "ĐẢNG CỘNG SẢN VIỆT NAM");
    assert!(party.all(|r| r.bold && r.underline && !r.italic));
    assert_eq!(party.align.as_deref(), Some("center"));
    let date = by(right, "Lục Ngạn, ngày 25 tháng 6 năm 2018");
    assert!(date.all(|r| r.italic && !r.bold));
    assert_eq!(date.align.as_deref(), Some("center"));
}

#[test]
fn the_state_heading_block_follows_decree_30() {
    let doc = sample(Layout::State, Lang::Vi);
    let items = body_items(&document_xml(&doc));
    let Item::T(lh) = &items[0] else {
        panic!("heading block first")
    };
    let (left, right) = &columns(lh, &doc.letterhead);
    assert_eq!(
        cell_texts(left),
        ["ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN", "Số:      /BC-UBND"]
    );
    let issuer = left
        .iter()
        .position(|p| p.text == "ỦY BAN NHÂN DÂN HUYỆN LỤC NGẠN")
        .unwrap();
    assert!(left[issuer].all(|r| r.bold));
    // The short rule under the issuer: the next paragraph, empty, with a bottom border.
    let rule = &left[issuer + 1];
    assert!(rule.text.is_empty() && rule.border_bottom, "{rule:?}");
    assert_eq!(
        cell_texts(right),
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Lục Ngạn, ngày 25 tháng 6 năm 2018"
        ]
    );
    let name = right
        .iter()
        .find(|p| p.text.starts_with("CỘNG HÒA"))
        .unwrap();
    assert!(name.all(|r| r.bold && !r.underline));
    let motto = right
        .iter()
        .find(|p| p.text.starts_with("Độc lập"))
        .unwrap();
    assert!(motto.all(|r| r.bold && r.underline));
    let date = right
        .iter()
        .find(|p| p.text.starts_with("Lục Ngạn"))
        .unwrap();
    assert!(date.all(|r| r.italic));
    // And under the title, Decree 30's short solid rule rather than the party's hyphens.
    let title_end = paragraphs(&items)
        .into_iter()
        .skip_while(|p| !p.text.starts_with("Đại hội"))
        .nth(1)
        .unwrap();
    assert!(
        title_end.border_bottom && title_end.text.is_empty(),
        "{title_end:?}"
    );
}

#[test]
fn kind_title_and_headings_are_set_as_the_rules_say() {
    let items = body_items(&document_xml(&sample(Layout::Party, Lang::Vi)));
    let kind = find(&items, "BÁO CÁO");
    assert!(kind.all(|r| r.bold) && kind.size() == Some(30));
    assert_eq!(kind.align.as_deref(), Some("center"));
    for t in [
        "Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết",
        "Đại hội Đảng bộ huyện lần thứ XXIV, nhiệm kỳ 2015 - 2020",
    ] {
        let p = find(&items, t);
        assert!(
            p.all(|r| r.bold) && p.align.as_deref() == Some("center"),
            "{p:?}"
        );
    }
    find(&items, "-----");
    let h1 = find(&items, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU");
    assert!(h1.all(|r| r.bold && !r.italic));
    let h2 = find(&items, "1. Về kinh tế");
    assert!(h2.all(|r| r.bold && !r.italic));
    let h3 = find(&items, "Nghị quyết số 01-NQ/HU");
    assert!(h3.all(|r| r.bold && r.italic));
}

#[test]
fn paragraphs_are_justified_with_an_indented_first_line_and_keep_their_emphasis() {
    let items = body_items(&document_xml(&sample(Layout::Party, Lang::Vi)));
    let text = "Hoàn thành và hoàn thành vượt mức 4/16 chỉ tiêu; đánh giá được 13/15 chỉ tiêu.";
    let p = find(&items, text);
    assert_eq!(p.align.as_deref(), Some("both"));
    assert_eq!(p.first_line.as_deref(), Some("567"));
    assert!(p.all(|r| r.size == Some(28)), "14 pt: {p:?}");
    let looks: Vec<(&str, bool, bool)> = p
        .texts()
        .map(|r| (r.text.as_str(), r.bold, r.italic))
        .collect();
    assert!(looks.contains(&("4/16", true, false)), "{looks:?}");
    assert!(
        looks.contains(&("đánh giá được 13/15 chỉ tiêu", false, true)),
        "{looks:?}"
    );
    for item in [
        "- Tốc độ tăng trưởng kinh tế đạt 11,2%.",
        "- Tỷ lệ che phủ rừng đạt 37,5%.",
    ] {
        assert_eq!(find(&items, item).align.as_deref(), Some("both"));
    }
    // The office's text: a paragraph per blank-line-separated block, wraps joined.
    let office = find(&items, "Nguyên nhân chủ yếu do thời tiết bất lợi.");
    assert_eq!(office.first_line.as_deref(), Some("567"));
    find(&items, "Phương hướng: tập trung chỉ đạo.");
}

#[test]
fn tables_have_single_borders_a_repeated_bold_header_and_shared_widths() {
    let items = body_items(&document_xml(&sample(Layout::Party, Lang::Vi)));
    let t = tables(&items)
        .into_iter()
        .find(|t| t.rows.iter().any(|r| r.header))
        .expect("a data table");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        assert!(
            t.borders
                .contains(&(side.to_string(), "single".to_string())),
            "{side}: {:?}",
            t.borders
        );
    }
    // 1 : 5 : 2 of the text width.
    assert_eq!(t.grid.iter().sum::<i32>(), TEXT_W);
    assert_eq!(t.grid[0], TEXT_W / 8);
    assert_eq!(t.grid[1], TEXT_W * 5 / 8);
    let texts = |r: &Row| -> Vec<String> { r.cells.iter().map(|c| c[0].text.clone()).collect() };
    assert_eq!(texts(&t.rows[0]), ["TT", "Chỉ tiêu", "Kết quả"]);
    assert!(t.rows[0].header && t.rows[1..].iter().all(|r| !r.header));
    for c in &t.rows[0].cells {
        assert!(c[0].all(|r| r.bold && r.size == Some(24)));
        assert_eq!(c[0].align.as_deref(), Some("center"));
    }
    assert_eq!(texts(&t.rows[1]), ["1", "Tăng trưởng kinh tế", "11,2%"]);
    assert_eq!(texts(&t.rows[2]), ["2", "Che phủ rừng", "37,5%"]);
    let aligns: Vec<_> = t.rows[1]
        .cells
        .iter()
        .map(|c| c[0].align.clone().unwrap_or_default())
        .collect();
    assert_eq!(aligns, ["center", "left", "right"]);
    assert!(t.rows[1]
        .cells
        .iter()
        .all(|c| c[0].all(|r| !r.bold && r.size == Some(24))));
}

#[test]
fn columns_hold_their_longest_word_and_share_the_rest() {
    let col = |header: &str, width| Column {
        header: header.into(),
        width,
        align: Align::Left,
    };
    let table = |rows: Vec<Vec<String>>| DocTable {
        columns: vec![col("Ngày", 1), col("Trích yếu", 8), col("Tỷ lệ", 1)],
        rows,
    };
    // Short words: the relative widths, exactly.
    let short = table(vec![vec!["a".into(), "b".into(), "c".into()]]);
    assert_eq!(column_widths(&short), share(TEXT_W, &[1, 8, 1]));
    // A date and a percentage widen their columns; the text column gives the room.
    let long = table(vec![vec![
        "20/11/2015".into(),
        "Nghị quyết về quản lý, bảo vệ và phát triển rừng".into(),
        "100,0%".into(),
    ]]);
    let w = column_widths(&long);
    assert_eq!(w.iter().sum::<i32>(), TEXT_W);
    assert!(
        w[0] >= unbreakable("20/11/2015", false) && w[0] > TEXT_W / 10,
        "{w:?}"
    );
    assert!(w[2] >= unbreakable("100,0%", false), "{w:?}");
    assert!(w[1] > TEXT_W / 2, "{w:?}");
    // Words that cannot all fit: the relative widths stand.
    let huge = DocTable {
        columns: (0..12).map(|_| col("x", 1)).collect(),
        rows: vec![(0..12).map(|_| "1.234.567.890".to_string()).collect()],
    };
    assert_eq!(column_widths(&huge), share(TEXT_W, &[1; 12]));
}

#[test]
fn a_chart_is_an_inline_png_at_twice_its_printed_pixels_with_its_caption() {
    let parts = unzip(&render(&sample(Layout::State, Lang::Vi)).unwrap());
    let media: Vec<_> = parts
        .keys()
        .filter(|k| k.starts_with("word/media/") && !k.ends_with('/'))
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    let png = &parts[media[0]];
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Width and height from the IHDR chunk.
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (pw, ph) = (be(&png[16..20]), be(&png[20..24]));
    // 640 × 280 pt scaled to the text width (9,355 twips = 467.75 pt).
    let w_pt = f64::from(TEXT_W) / 20.0;
    let h_pt = 280.0 * w_pt / 640.0;
    assert_eq!(pw, (w_pt * 96.0 / 72.0 * 2.0).round() as u32);
    assert_eq!(ph, (h_pt * 96.0 / 72.0 * 2.0).round() as u32);

    let xml = part(&parts, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let inline = doc
        .descendants()
        .find(|n| n.tag_name().name() == "inline")
        .expect("an inline picture");
    let extent = inline
        .children()
        .find(|n| n.tag_name().name() == "extent")
        .unwrap();
    let cx: f64 = extent.attribute("cx").unwrap().parse().unwrap();
    let cy: f64 = extent.attribute("cy").unwrap().parse().unwrap();
    assert!((cx - w_pt * 12700.0).abs() < 2.0, "{cx}");
    assert!((cy - h_pt * 12700.0).abs() < 2.0, "{cy}");
    // The picture's relationship leads to the PNG.
    let blip = doc
        .descendants()
        .find(|n| n.tag_name().name() == "blip")
        .unwrap();
    let rid = blip
        .attributes()
        .find(|a| a.name() == "embed")
        .map(|a| a.value().to_string())
        .unwrap();
    let rels = part(&parts, "word/_rels/document.xml.rels");
    let target = media[0].trim_start_matches("word/");
    assert!(
        rels.contains(&format!(r#"Id="{rid}""#)) && rels.contains(target),
        "{rels}"
    );

    let items = body_items(&xml);
    let caption = find(&items, "Biểu đồ 1. Tỷ lệ che phủ rừng");
    assert!(caption.all(|r| r.italic) && caption.align.as_deref() == Some("center"));
}

#[test]
fn chart_labels_are_drawn_with_or_without_system_fonts() {
    // A chart whose only ink is its text, in the family chart.rs leaves unset and in one no
    // machine has: some pixels must not be white.
    let svgs = [
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40"><text x="4" y="30" font-size="24">Mục tiêu 2020</text></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40"><text x="4" y="30" font-size="24" font-family="No Such Face">Mục tiêu 2020</text></svg>"#,
    ];
    let bare = ChartFonts::load(false);
    assert_eq!(bare.family, "Liberation Serif");
    for fonts in [chart_fonts(), &bare] {
        for svg in svgs {
            let png = rasterise_with(svg, 200.0, 40.0, fonts).unwrap();
            let pixmap = tiny_skia::Pixmap::decode_png(&png.bytes).unwrap();
            let inked = pixmap.pixels().iter().filter(|p| p.red() < 128).count();
            assert!(inked > 100, "{inked} dark pixels: no font drew {svg}");
        }
    }
}

#[test]
fn the_closing_puts_recipients_left_and_the_signature_right() {
    let items = body_items(&document_xml(&sample(Layout::Party, Lang::Vi)));
    let Some(Item::T(c)) = items.iter().rev().find(|i| matches!(i, Item::T(_))) else {
        panic!("closing table")
    };
    assert!(
        c.borders.iter().all(|(_, v)| v == "none" || v == "nil"),
        "{:?}",
        c.borders
    );
    let [left, right] = &c.rows[0].cells[..] else {
        panic!("two columns")
    };
    assert_eq!(
        cell_texts(left),
        [
            "Nơi nhận:",
            "- Ban Thường vụ Tỉnh ủy (b/c)",
            "- Lưu Văn phòng Huyện ủy"
        ]
    );
    assert!(left[0].all(|r| r.bold && r.italic && r.size == Some(24)));
    assert!(left[1..]
        .iter()
        .all(|p| p.all(|r| r.size == Some(22) && !r.bold)));
    assert_eq!(
        cell_texts(right),
        ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn A"]
    );
    for p in right.iter().filter(|p| !p.text.is_empty()) {
        assert!(
            p.all(|r| r.bold) && p.align.as_deref() == Some("center"),
            "{p:?}"
        );
    }
    // Room to sign between the title and the name.
    let title = right.iter().position(|p| p.text == "BÍ THƯ").unwrap();
    let name = right.iter().position(|p| p.text == "Nguyễn Văn A").unwrap();
    assert!(name - title > 3);
    // Recipients and signature move as one, with the body's last paragraph before them, so
    // the signature never stands alone on a page.
    assert!(c.rows[0].cant_split);
    let before: Vec<&Para> = paragraphs(&items).into_iter().rev().take(2).collect();
    assert_eq!(before[1].text, "Phương hướng: tập trung chỉ đạo.");
    assert!(before.iter().all(|p| p.keep_next), "{before:?}");
}

#[test]
fn properties_give_the_title_and_language() {
    for (lang, tag) in [(Lang::Vi, "vi-VN"), (Lang::En, "en")] {
        let parts = unzip(&render(&sample(Layout::Party, lang)).unwrap());
        let core = part(&parts, "docProps/core.xml");
        let doc = roxmltree::Document::parse(&core).unwrap();
        let text = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        assert_eq!(
            text("title").as_deref(),
            Some(
                "BÁO CÁO Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội Đảng bộ huyện lần \
                 thứ XXIV, nhiệm kỳ 2015 - 2020"
            )
        );
        assert_eq!(text("language").as_deref(), Some(tag));
    }
}

#[test]
fn text_is_written_in_nfc() {
    let mut doc = sample(Layout::Party, Lang::Vi);
    // "Nơi nhận" with combining marks (o + horn, a + dot below + circumflex).
    doc.closing.recipients_label = "No\u{31b}i nha\u{323}\u{302}n:".into();
    doc.kind = "BA\u{301}O CA\u{301}O".into();
    let xml = document_xml(&doc);
    assert!(xml.contains("Nơi nhận:"));
    assert!(xml.contains("BÁO CÁO"));
    assert!(!xml.contains('\u{31b}') && !xml.contains('\u{301}'));
}

#[test]
fn the_same_review_gives_the_same_bytes() {
    let doc = sample(Layout::State, Lang::Vi);
    let (first, second) = (render(&doc).unwrap(), render(&doc).unwrap());
    let (a, b) = (unzip(&first), unzip(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, x) in &a {
        let y = &b[name];
        if let Some(at) = x.iter().zip(y).position(|(p, q)| p != q) {
            let around = |v: &[u8]| {
                String::from_utf8_lossy(&v[at.saturating_sub(80)..(at + 80).min(v.len())])
                    .into_owned()
            };
            panic!("{name} differs at {at}:\n{}\n{}", around(x), around(y));
        }
        assert_eq!(x.len(), y.len(), "{name}");
    }
    // And the package itself (no clock in it: the zip's entries keep the default date).
    assert!(first == second, "the zip containers differ");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let mut doc = sample(Layout::Party, Lang::Vi);
    if let Some(Block::Table { table }) = doc
        .blocks
        .iter_mut()
        .find(|b| matches!(b, Block::Table { .. }))
    {
        table.rows[1].push("extra".into());
    }
    match render(&doc) {
        Err(DocxError::Table {
            index: 1,
            row: 2,
            cells: 4,
            columns: 3,
        }) => {}
        other => panic!("{other:?}"),
    }
    for (svg, w) in [
        ("<svg", 640.0),
        (chart_svg().as_str(), 0.0),
        (chart_svg().as_str(), f32::NAN),
    ] {
        let mut doc = sample(Layout::State, Lang::Vi);
        doc.blocks = vec![Block::Chart {
            chart: Chart {
                svg: svg.to_string(),
                width: w,
                height: 280.0,
                caption: "c".into(),
            },
        }];
        assert!(
            matches!(render(&doc), Err(DocxError::Chart { index: 1, .. })),
            "{svg} {w}"
        );
    }
    // A table without columns or rows, empty texts, no recipients: still a document.
    let mut doc = sample(Layout::State, Lang::En);
    doc.blocks = vec![Block::Table {
        table: DocTable {
            columns: vec![],
            rows: vec![],
        },
    }];
    doc.title.clear();
    doc.closing.recipients.clear();
    doc.letterhead.national.clear();
    render(&doc).unwrap();
}

#[test]
fn the_demo_review_renders_every_table_row_and_chart() {
    for lang in [Lang::Vi, Lang::En] {
        let doc = demo(lang);
        let parts = unzip(&render(&doc).unwrap());
        let items = body_items(&part(&parts, "word/document.xml"));
        // Every table of the document, row by row and cell by cell, in order.
        let want: Vec<&DocTable> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table { table } if !table.columns.is_empty() => Some(table),
                _ => None,
            })
            .collect();
        assert!(!want.is_empty(), "the demo has tables");
        let got: Vec<&Tbl> = tables(&items)
            .into_iter()
            .filter(|t| t.rows.first().is_some_and(|r| r.header))
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            let header: Vec<String> = w.columns.iter().map(|c| nfc(&c.header)).collect();
            let cells = |r: &Row| -> Vec<String> {
                r.cells
                    .iter()
                    .map(|c| c.iter().map(|p| p.text.clone()).collect())
                    .collect()
            };
            assert_eq!(cells(&g.rows[0]), header);
            assert_eq!(g.rows.len(), w.rows.len() + 1);
            for (gr, wr) in g.rows[1..].iter().zip(&w.rows) {
                let wr: Vec<String> = wr.iter().map(|c| nfc(c)).collect();
                assert_eq!(cells(gr), wr);
            }
        }
        // A picture for each chart, and the letterhead's and closing's texts.
        let charts = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Chart { .. }))
            .count();
        let media = parts
            .keys()
            .filter(|k| k.starts_with("word/media/") && k.ends_with(".png"))
            .count();
        assert_eq!(media, charts);
        let Item::T(lh) = &items[0] else {
            panic!("heading block first")
        };
        let (left, right) = columns(lh, &doc.letterhead);
        let texts = |c: &[Para]| -> Vec<String> {
            c.iter()
                .filter(|p| !p.text.is_empty())
                .map(|p| p.text.clone())
                .collect()
        };
        assert!(texts(&left).contains(&upper(&doc.letterhead.issuer)));
        for n in &doc.letterhead.national {
            assert!(texts(&right).contains(&nfc(n)), "{n}");
        }
        find(&items, &nfc(&doc.kind));
    }
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn on_path(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// LibreOffice opens both layouts (a package it had to repair would not convert), prints
/// them to PDF, and the PDF's text holds the Vietnamese as written. Skipped, saying so, where
/// LibreOffice is not installed; CI installs it (`libreoffice-writer-nogui`, `poppler-utils`).
/// With `CHITIEU_DOCX_KEEP=DIR` the .docx and .pdf files are kept there, for
/// `scripts/review-pages.sh` or a person to look at.
#[test]
fn libreoffice_converts_it_and_the_text_comes_through() {
    let Some(soffice) = on_path("soffice") else {
        println!("skipped: soffice is not on PATH (apt-get install libreoffice-writer-nogui)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = match std::env::var_os("CHITIEU_DOCX_KEEP") {
        Some(keep) => std::path::PathBuf::from(keep),
        None => dir.path().to_path_buf(),
    };
    std::fs::create_dir_all(&out).unwrap();
    let docs = [
        ("party", sample(Layout::Party, Lang::Vi)),
        ("state", sample(Layout::State, Lang::Vi)),
        ("demo", demo(Lang::Vi)),
        ("long", long_table()),
    ];
    let files: Vec<_> = docs
        .iter()
        .map(|(name, doc)| {
            let path = out.join(format!("review-{name}.docx"));
            std::fs::write(&path, render(doc).unwrap()).unwrap();
            path
        })
        .collect();
    // A profile of its own, so parallel runs (and a person's LibreOffice) do not clash.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let status = std::process::Command::new(soffice)
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&files)
        .output()
        .unwrap();
    assert!(status.status.success(), "soffice: {status:?}");
    let Some(pdftotext) = on_path("pdftotext") else {
        println!(
            "skipped reading the PDFs: pdftotext is not on PATH (apt-get install poppler-utils)"
        );
        return;
    };
    for (file, (_, doc)) in files.iter().zip(&docs) {
        let pdf = file.with_extension("pdf");
        let len = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        assert!(
            len > 1000,
            "{} is {len} bytes; soffice said {status:?}",
            pdf.display()
        );
        let text = std::process::Command::new(&pdftotext)
            .args(["-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(text.status.success(), "pdftotext: {text:?}");
        // Lines joined: a header may wrap between words, never inside one.
        let text = words(&String::from_utf8(text.stdout).unwrap());
        let mut want = vec![
            doc.letterhead.national[0].clone(),
            doc.letterhead.place_date.clone(),
            doc.kind.clone(),
            doc.closing.recipients_label.clone(),
            doc.closing.signer_title.clone(),
        ];
        // Every table header cell: short enough not to wrap, and set in table type.
        for b in &doc.blocks {
            if let Block::Table { table } = b {
                want.extend(table.columns.iter().map(|c| c.header.clone()));
            }
        }
        want.retain(|w| w.chars().count() < 40);
        for w in want.iter().map(|w| words(&nfc(w))) {
            assert!(
                text.contains(&w),
                "{w:?} not in the PDF of {}:\n{text}",
                file.display()
            );
        }
    }
    // A table longer than a page: its header row is printed again at the top of the next.
    let page2 = std::process::Command::new(&pdftotext)
        .args(["-enc", "UTF-8", "-f", "2", "-l", "2"])
        .arg(files[3].with_extension("pdf"))
        .arg("-")
        .output()
        .unwrap();
    let page2 = words(&String::from_utf8(page2.stdout).unwrap());
    assert!(
        page2.contains("Mã chỉ tiêu"),
        "no header on page 2: {page2}"
    );
    assert!(page2.contains("Chỉ tiêu số 60"), "{page2}");
    // The Vietnamese of the hand-made review, every kind of block.
    let pdf = files[0].with_extension("pdf");
    let text = std::process::Command::new(&pdftotext)
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for want in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Nơi nhận:",
        "Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết",
        "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
        "Tăng trưởng kinh tế",
        "Biểu đồ 1. Tỷ lệ che phủ rừng",
        "Nguyên nhân chủ yếu do thời tiết bất lợi.",
        "- Lưu Văn phòng Huyện ủy",
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF:\n{text}");
    }
}
