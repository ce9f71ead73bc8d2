//! The Excel template of a unit's figures for one period, for offices that collect figures in
//! Excel: written for the unit with the indicators it answers for, filled offline, read back.
//!
//! Layout (format `chitieu-template/1`): one sheet of input (`Bảng nhập liệu`, `Data entry`
//! in English) with a title block, a header on row 6 and one indicator a row from row 7 — No.,
//! indicator, unit of measure, last year's figure, the input for the period (column E), its
//! standing (F, a list), its source (G), the change against last year (H, a formula) and the
//! indicator's id (I, hidden). Only E, F and G are unlocked; the sheet is protected without a
//! password, which keeps the labels from being typed over by accident, not from a determined
//! user. A very hidden, protected sheet `_chitieu` holds the keys: format, unit, period,
//! language and the name of the input sheet.
//!
//! Reading trusts the keys, never the positions of rows: each row is matched by its hidden
//! indicator id, so rows may be sorted or deleted. Every bad cell is reported at once, by
//! sheet and cell reference (`Bảng nhập liệu!E7`), and a workbook with a bad cell yields no
//! figure at all.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chitieu_domain::{
    review, Dataset, Decimal, Observation, Period, ReviewState, Standing, ValidationError,
};
use chitieu_reports::locale::{self, Lang};
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Formula, ProtectionOptions,
    Workbook, XlsxError,
};

use crate::text::nfc_cow;

/// The value of the `format` key of a template this version writes and reads.
pub const TEMPLATE_FORMAT: &str = "chitieu-template/1";
/// The sheet that holds the keys.
pub const META_SHEET: &str = "_chitieu";

/// The header row and the first row of indicators (0-based, as both libraries count).
const HEADER_ROW: u32 = 5;
const FIRST_ROW: u32 = 6;
const COL_NO: u16 = 0;
const COL_NAME: u16 = 1;
const COL_MEASURE: u16 = 2;
const COL_LAST: u16 = 3;
/// The input of the period's figure.
pub const COL_VALUE: u16 = 4;
pub const COL_STANDING: u16 = 5;
pub const COL_SOURCE: u16 = 6;
const COL_CHANGE: u16 = 7;
/// The hidden indicator id of each row.
pub const COL_KEY: u16 = 8;
/// What the key column holds on the header row, so a reader tells it from an indicator.
const KEY_HEADER: &str = "indicator";

/// Keys of the meta sheet, one a row: the key in column A, its value in column B.
const META_KEYS: [&str; 6] = ["format", "unit", "unit_name", "period", "lang", "sheet"];

fn s(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The name of the input sheet in `lang`.
pub fn sheet_name(lang: Lang) -> &'static str {
    s(lang, "Bảng nhập liệu", "Data entry")
}

/// A standing as the template's list offers it.
pub fn standing_label(lang: Lang, standing: Standing) -> &'static str {
    match standing {
        Standing::Estimate => s(lang, "Ước tính", "Estimate"),
        Standing::Preliminary => s(lang, "Sơ bộ", "Preliminary"),
        Standing::Final => s(lang, "Chính thức", "Final"),
    }
}

/// A standing from what a cell holds: a label of the list in either language, the web page's
/// short word (`ước`), or the code word (`estimate`), in any case.
pub fn parse_standing(text: &str) -> Option<Standing> {
    let t = nfc_cow(text.trim()).to_lowercase();
    Standing::ALL.into_iter().find(|&st| {
        t == st.as_str()
            || [Lang::Vi, Lang::En]
                .iter()
                .any(|&l| t == standing_label(l, st).to_lowercase())
            || (st == Standing::Estimate && t == "ước")
    })
}

/// The same period a year earlier: 2017 for 2018, 2017-Q2 for 2018-Q2.
pub fn year_before(p: Period) -> Period {
    match p {
        Period::Year(y) => Period::Year(y - 1),
        Period::Half(y, h) => Period::Half(y - 1, h),
        Period::Quarter(y, q) => Period::Quarter(y - 1, q),
        Period::Month(y, m) => Period::Month(y - 1, m),
    }
}

/// One indicator of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub indicator: String,
    pub name: String,
    pub measure: String,
    /// The unit's own figure in force for the same period a year earlier.
    pub last_year: Option<Decimal>,
}

/// What a template is written from.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub lang: Lang,
    pub unit: String,
    pub unit_name: String,
    pub period: Period,
    /// The date it is made: the standing offered by default is `estimate` for a period not
    /// over by then, `final` otherwise (as on the data entry page).
    pub as_of: NaiveDate,
    pub rows: Vec<TemplateRow>,
}

impl Template {
    /// The template of `unit` for `period`, or `None` for an unknown unit. `figures` are the
    /// unit's own figures in force, by (indicator id, period); those of the year before give
    /// the reference column.
    ///
    /// Rows: the indicators of the targets that apply to the unit in the resolutions in force
    /// on the period's first or last day (`review::resolutions_in_force`, `targets_for`), in
    /// the resolutions' order, then the indicators it already has figures for in the period
    /// or the year before — the rows of the data entry page.
    pub fn for_unit(
        ds: &Dataset,
        unit: &str,
        period: Period,
        as_of: NaiveDate,
        lang: Lang,
        figures: &HashMap<(String, Period), Decimal>,
    ) -> Option<Template> {
        let u = ds.units.iter().find(|x| x.id == unit)?;
        let mut order: Vec<&str> = Vec::new();
        for date in [period.start(), period.end()] {
            for r in review::resolutions_in_force(ds, unit, date) {
                for t in review::targets_for(ds, r, unit) {
                    if !order.contains(&t.indicator.as_str()) {
                        order.push(&t.indicator);
                    }
                }
            }
        }
        let before = year_before(period);
        let mut reported: Vec<&str> = figures
            .keys()
            .filter(|(_, p)| *p == period || *p == before)
            .map(|(i, _)| i.as_str())
            .collect();
        reported.sort_unstable();
        for i in reported {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        let rows = order
            .into_iter()
            .filter_map(|id| {
                let ind = ds.indicators.iter().find(|x| x.id == id)?;
                Some(TemplateRow {
                    indicator: ind.id.clone(),
                    name: match lang {
                        Lang::En => ind.name_en.clone().unwrap_or_else(|| ind.name.clone()),
                        Lang::Vi => ind.name.clone(),
                    },
                    measure: ind.measure.clone(),
                    last_year: figures.get(&(ind.id.clone(), before)).copied(),
                })
            })
            .collect();
        Some(Template {
            lang,
            unit: u.id.clone(),
            unit_name: match lang {
                Lang::En => u.name_en.clone().unwrap_or_else(|| u.name.clone()),
                Lang::Vi => u.name.clone(),
            },
            period,
            as_of,
            rows,
        })
    }

    /// The workbook, as bytes.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let lang = self.lang;
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let title = Format::new().set_bold().set_font_size(14);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xDDE4EE));
        let label = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
        let number = Format::new().set_border(FormatBorder::Thin);
        let input = Format::new()
            .set_unlocked()
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xFFF8D6));
        let change = Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("0.0");

        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(lang))?;
        let period = self.period;
        let before = year_before(period);
        sheet.write_string_with_format(
            0,
            0,
            format!(
                "{} — {}",
                s(lang, "Biểu nhập số liệu thực hiện", "Figures to report"),
                self.unit_name
            ),
            &title,
        )?;
        sheet.write_string(
            1,
            0,
            format!(
                "{}: {}",
                s(lang, "Kỳ báo cáo", "Reporting period"),
                locale::period(lang, period)
            ),
        )?;
        sheet.write_string(
            2,
            0,
            format!(
                "{}: {} ({})",
                s(lang, "Đơn vị", "Unit"),
                self.unit_name,
                self.unit
            ),
        )?;
        sheet.write_string(
            3,
            0,
            s(
                lang,
                "Nhập số liệu vào các ô màu vàng (số, ví dụ 41,5), chọn tình trạng số liệu; ô để trống được bỏ qua. Không thêm dòng: mỗi dòng mang mã chỉ tiêu ẩn.",
                "Type the figures into the yellow cells (numbers, e.g. 41.5) and choose their standing; empty cells are skipped. Do not add rows: each row carries a hidden indicator id.",
            ),
        )?;
        let headings = [
            s(lang, "STT", "No."),
            s(lang, "Chỉ tiêu", "Indicator"),
            s(lang, "Đơn vị tính", "Unit of measure"),
            &format!(
                "{} ({})",
                s(lang, "Cùng kỳ năm trước", "Same period last year"),
                before
            ),
            &format!("{} {}", s(lang, "Thực hiện", "Figure for"), period),
            s(lang, "Tình trạng số liệu", "Standing"),
            s(lang, "Nguồn số liệu", "Source"),
            s(lang, "So với cùng kỳ (%)", "Against last year (%)"),
        ];
        for (c, h) in headings.iter().enumerate() {
            sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &header)?;
        }
        sheet.write_string(HEADER_ROW, COL_KEY, KEY_HEADER)?;
        let default = standing_label(
            lang,
            if period.end() > self.as_of {
                Standing::Estimate
            } else {
                Standing::Final
            },
        );
        for (k, row) in self.rows.iter().enumerate() {
            let r = FIRST_ROW + k as u32;
            sheet.write_number_with_format(r, COL_NO, (k + 1) as f64, &number)?;
            sheet.write_string_with_format(r, COL_NAME, &row.name, &label)?;
            sheet.write_string_with_format(r, COL_MEASURE, &row.measure, &label)?;
            match row
                .last_year
                .and_then(|d| d.to_string().parse::<f64>().ok())
            {
                Some(v) => sheet.write_number_with_format(r, COL_LAST, v, &number)?,
                None => sheet.write_blank(r, COL_LAST, &number)?,
            };
            sheet.write_blank(r, COL_VALUE, &input)?;
            sheet.write_string_with_format(r, COL_STANDING, default, &input)?;
            sheet.write_blank(r, COL_SOURCE, &input)?;
            let (d, e) = (cell_ref(r, COL_LAST), cell_ref(r, COL_VALUE));
            sheet.write_formula_with_format(
                r,
                COL_CHANGE,
                Formula::new(format!(
                    "=IF(AND(ISNUMBER({e}),ISNUMBER({d}),{d}<>0),{e}/{d}*100,\"\")"
                ))
                .set_result(""),
                &change,
            )?;
            sheet.write_string(r, COL_KEY, &row.indicator)?;
        }
        if !self.rows.is_empty() {
            let last = FIRST_ROW + self.rows.len() as u32 - 1;
            {
                let numbers = DataValidation::new()
                    .allow_decimal_number(DataValidationRule::Between(-1e15, 1e15))
                    .set_error_title(s(lang, "Không phải số", "Not a number"))?
                    .set_error_message(s(
                        lang,
                        "Nhập một số, ví dụ 41,5.",
                        "Type a number, e.g. 41.5.",
                    ))?;
                sheet.add_data_validation(FIRST_ROW, COL_VALUE, last, COL_VALUE, &numbers)?;
                let labels: Vec<&str> = Standing::ALL
                    .iter()
                    .map(|st| standing_label(lang, *st))
                    .collect();
                let standings = DataValidation::new()
                    .allow_list_strings(&labels)?
                    .set_error_title(s(lang, "Tình trạng số liệu", "Standing"))?
                    .set_error_message(s(
                        lang,
                        "Chọn Ước tính, Sơ bộ hoặc Chính thức.",
                        "Choose Estimate, Preliminary or Final.",
                    ))?;
                sheet.add_data_validation(
                    FIRST_ROW,
                    COL_STANDING,
                    last,
                    COL_STANDING,
                    &standings,
                )?;
            }
        }
        for (c, w) in [5.0, 50.0, 14.0, 16.0, 16.0, 18.0, 24.0, 14.0]
            .iter()
            .enumerate()
        {
            sheet.set_column_width(c as u16, *w)?;
        }
        sheet.set_column_hidden(COL_KEY)?;
        sheet.set_freeze_panes(FIRST_ROW, 2)?;
        // Rows may be resized, deleted and sorted; nothing locked can be typed over.
        let options = ProtectionOptions {
            format_columns: true,
            format_rows: true,
            delete_rows: true,
            sort: true,
            use_autofilter: true,
            ..ProtectionOptions::default()
        };
        sheet.protect_with_options(&options);

        let meta = book.add_worksheet();
        meta.set_name(META_SHEET)?;
        let lang_code = match lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        };
        let period_text = period.to_string();
        let values = [
            TEMPLATE_FORMAT,
            self.unit.as_str(),
            self.unit_name.as_str(),
            period_text.as_str(),
            lang_code,
            sheet_name(lang),
        ];
        for (r, (k, v)) in META_KEYS.iter().zip(values).enumerate() {
            meta.write_string_with_format(r as u32, 0, *k, &bold)?;
            meta.write_string(r as u32, 1, v)?;
        }
        meta.set_very_hidden(true);
        meta.protect();
        book.save_to_buffer()
    }
}

/// `E7` for row 6, column 4 (0-based).
pub fn cell_ref(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut c = u32::from(col) + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    let col: String = letters.into_iter().rev().collect();
    format!("{col}{}", row + 1)
}

/// One bad cell: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub sheet: String,
    /// `E7`.
    pub cell: String,
    pub message: String,
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}: {}", self.sheet, self.cell, self.message)
    }
}

/// Why a workbook could not be read as a filled template. Displays as one line naming the
/// file; [`TemplateError::Cells`] lists every bad cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{file}: not an Excel workbook (.xlsx): {reason}")]
    NotXlsx { file: String, reason: String },
    #[error("{file}: the workbook is empty")]
    Empty { file: String },
    #[error("{file}: not a chitieu template (it has no sheet `{META_SHEET}`); make one with `chitieu template` or the data entry page")]
    NotTemplate { file: String },
    #[error("{file}: nothing to import: no figure is filled in")]
    NothingFilled { file: String },
    #[error("{file}: {}", list(.problems))]
    Cells {
        file: String,
        problems: Vec<CellProblem>,
    },
}

fn list(problems: &[CellProblem]) -> String {
    let items: Vec<String> = problems.iter().map(ToString::to_string).collect();
    match items.len() {
        1 => items.concat(),
        n => format!("{n} bad cells: {}", items.join("; ")),
    }
}

impl TemplateError {
    /// Every problem, one line each: a bad cell as `sheet!cell: message`, any other problem
    /// as the whole message, which names the file.
    pub fn problems(&self) -> Vec<String> {
        match self {
            TemplateError::Cells { problems, .. } => {
                problems.iter().map(ToString::to_string).collect()
            }
            other => vec![other.to_string()],
        }
    }
}

/// The figures of a filled template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateFigures {
    pub unit: String,
    pub period: Period,
    pub lang: Lang,
    /// Approved, with no reporter and no report date (as a CSV import): callers may set them.
    pub observations: Vec<Observation>,
    /// `cells[i]` is where `observations[i]`'s value was read (`Bảng nhập liệu!E7`).
    pub cells: Vec<String>,
}

impl TemplateFigures {
    /// Validation errors of a store about these observations (`observations[i].unit`) as the
    /// cells they came from.
    pub fn located(&self, file: &str, errors: &[ValidationError]) -> TemplateError {
        let problems = errors
            .iter()
            .map(|e| {
                let at = (e.location.collection == "observations")
                    .then(|| self.cells.get(e.location.index))
                    .flatten();
                let (sheet, cell) = at
                    .and_then(|c| c.split_once('!'))
                    .map_or((String::new(), e.location.to_string()), |(s, c)| {
                        (s.to_string(), c.to_string())
                    });
                CellProblem {
                    sheet,
                    cell,
                    message: e.message.clone(),
                }
            })
            .collect();
        TemplateError::Cells {
            file: file.to_string(),
            problems,
        }
    }
}

/// What was expected of a figure's cell.
pub const NUMBER_EXPECTED: &str = "a number (e.g. 41,5 or 41.5)";

/// A cell as text for a message: `"abc"`, `TRUE`, `#DIV/0!`, `a date`.
fn found(d: &Data) -> String {
    match d {
        Data::String(s) => format!("{s:?}"),
        Data::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_string(),
        Data::Error(e) => format!("the error value {e}"),
        Data::DateTime(_) | Data::DateTimeIso(_) => "a date".to_string(),
        Data::DurationIso(_) => "a duration".to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Empty => "an empty cell".to_string(),
    }
}

/// A figure from a cell: a number as Excel stores it (read as its shortest decimal form, so
/// 41.3 is exactly 41.3), or text as a person types it — in the template's language first
/// (`1.234,5` in Vietnamese), then in the other (`41.5`). `Ok(None)` for an empty cell.
pub fn cell_number(d: &Data, lang: Lang) -> Result<Option<Decimal>, String> {
    let bad = || format!("expected {NUMBER_EXPECTED}, found {}", found(d));
    match d {
        Data::Empty => Ok(None),
        Data::Int(i) => Ok(Some(Decimal::from(*i))),
        Data::Float(f) => {
            if !f.is_finite() {
                return Err(bad());
            }
            // Display of an f64 is its shortest round-trip form, never an exponent.
            f.to_string()
                .parse::<Decimal>()
                .map(|v| Some(v.normalize()))
                .map_err(|_| format!("{f} is too large a number"))
        }
        Data::String(s) if s.trim().is_empty() => Ok(None),
        Data::String(s) => {
            let other = match lang {
                Lang::Vi => Lang::En,
                Lang::En => Lang::Vi,
            };
            locale::parse_dec(lang, s)
                .or_else(|| locale::parse_dec(other, s))
                .map(|v| Some(v.normalize()))
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// A cell's text, trimmed and NFC-normalised; numbers as their shortest form. `None` when empty.
fn cell_text(d: &Data) -> Option<String> {
    let t = match d {
        Data::String(s) => nfc_cow(s.trim()).into_owned(),
        Data::Empty => return None,
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => found(other),
    };
    (!t.is_empty()).then_some(t)
}

/// Reads a filled template, checking every cell against the template's rules and `ds` (the
/// unit and indicators must be known): either every figure, or every problem.
pub fn read_template(
    bytes: &[u8],
    file: &str,
    ds: &Dataset,
) -> Result<TemplateFigures, TemplateError> {
    let mut book =
        Xlsx::new(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| TemplateError::NotXlsx {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == META_SHEET) {
        let all_empty = names.iter().all(|n| {
            book.worksheet_range(n)
                .map_or(true, |r| r.used_cells().next().is_none())
        });
        return Err(if all_empty {
            TemplateError::Empty {
                file: file.to_string(),
            }
        } else {
            TemplateError::NotTemplate {
                file: file.to_string(),
            }
        });
    }
    let mut problems: Vec<CellProblem> = Vec::new();
    let meta = book
        .worksheet_range(META_SHEET)
        .map_err(|e| TemplateError::NotXlsx {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    // key → (value, where it is); a key may be anywhere in column A.
    let mut keys: HashMap<String, (Option<String>, String)> = HashMap::new();
    for r in 0..=meta.end().map_or(0, |e| e.0) {
        if let Some(k) = meta.get_value((r, 0)).and_then(cell_text) {
            let v = meta.get_value((r, 1)).and_then(cell_text);
            keys.entry(k).or_insert((v, cell_ref(r, 1)));
        }
    }
    let mut need = |key: &str, problems: &mut Vec<CellProblem>| -> Option<(String, String)> {
        match keys.remove(key) {
            Some((Some(v), at)) => Some((v, at)),
            Some((None, at)) => {
                problems.push(CellProblem {
                    sheet: META_SHEET.into(),
                    cell: at,
                    message: format!("the template's `{key}` is missing"),
                });
                None
            }
            None => {
                problems.push(CellProblem {
                    sheet: META_SHEET.into(),
                    cell: "A:A".into(),
                    message: format!("no key `{key}`"),
                });
                None
            }
        }
    };
    let meta_problem = |at: String, message: String| CellProblem {
        sheet: META_SHEET.into(),
        cell: at,
        message,
    };
    if let Some((v, at)) = need("format", &mut problems) {
        if v != TEMPLATE_FORMAT {
            problems.push(meta_problem(
                at,
                format!("expected the format `{TEMPLATE_FORMAT}`, found {v:?}"),
            ));
        }
    }
    let unit = need("unit", &mut problems).and_then(|(v, at)| {
        if ds.units.iter().any(|u| u.id == v) {
            Some(v)
        } else {
            problems.push(meta_problem(
                at,
                format!("unit `{v}` is not in the database"),
            ));
            None
        }
    });
    let period = need("period", &mut problems).and_then(|(v, at)| match v.parse::<Period>() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(meta_problem(at, e.to_string()));
            None
        }
    });
    let lang = need("lang", &mut problems).and_then(|(v, at)| match Lang::parse(&v) {
        Some(l) => Some(l),
        None => {
            problems.push(meta_problem(at, format!("expected vi or en, found {v:?}")));
            None
        }
    });
    let sheet = need("sheet", &mut problems);
    let Some((sheet, sheet_at)) = sheet else {
        return Err(TemplateError::Cells {
            file: file.to_string(),
            problems,
        });
    };
    let data = match book.worksheet_range(&sheet) {
        Ok(r) => r,
        Err(_) => {
            problems.push(meta_problem(
                sheet_at,
                format!("the input sheet `{sheet}` is missing"),
            ));
            return Err(TemplateError::Cells {
                file: file.to_string(),
                problems,
            });
        }
    };
    let lang = lang.unwrap_or_default();
    let bad = |problems: &mut Vec<CellProblem>, r: u32, c: u16, message: String| {
        problems.push(CellProblem {
            sheet: sheet.clone(),
            cell: cell_ref(r, c),
            message,
        });
    };
    let mut observations = Vec::new();
    let mut cells = Vec::new();
    let mut first_at: HashMap<String, String> = HashMap::new();
    let empty = Data::Empty;
    let end = data.end().map_or(0, |e| e.0);
    for r in FIRST_ROW..=end {
        let at = |c: u16| data.get_value((r, u32::from(c))).unwrap_or(&empty);
        let value = match cell_number(at(COL_VALUE), lang) {
            Ok(None) => continue,
            Ok(Some(v)) => Some(v),
            Err(m) => {
                bad(&mut problems, r, COL_VALUE, m);
                None
            }
        };
        let indicator = match at(COL_KEY) {
            Data::String(k) if k.trim() == KEY_HEADER => continue,
            Data::String(k) if !k.trim().is_empty() => {
                let k = nfc_cow(k.trim()).into_owned();
                if ds.indicators.iter().any(|i| i.id == k) {
                    Some(k)
                } else {
                    bad(
                        &mut problems,
                        r,
                        COL_KEY,
                        format!("unknown indicator `{k}` in the hidden key column"),
                    );
                    None
                }
            }
            Data::Empty => {
                bad(
                    &mut problems,
                    r,
                    COL_VALUE,
                    "a figure in a row without an indicator key: rows cannot be added, use the template's rows".into(),
                );
                None
            }
            other => {
                bad(
                    &mut problems,
                    r,
                    COL_KEY,
                    format!("expected an indicator id, found {}", found(other)),
                );
                None
            }
        };
        let standing = match cell_text(at(COL_STANDING)) {
            None => Some(Standing::Estimate),
            Some(t) => parse_standing(&t).or_else(|| {
                let labels: Vec<&str> = Standing::ALL
                    .iter()
                    .map(|st| standing_label(lang, *st))
                    .collect();
                bad(
                    &mut problems,
                    r,
                    COL_STANDING,
                    format!("expected one of {}, found {t:?}", labels.join(", ")),
                );
                None
            }),
        };
        let source = cell_text(at(COL_SOURCE));
        if let Some(ind) = &indicator {
            let here = format!("{sheet}!{}", cell_ref(r, COL_VALUE));
            if let Some(first) = first_at.get(ind) {
                bad(
                    &mut problems,
                    r,
                    COL_VALUE,
                    format!("a second figure for indicator `{ind}` (the first is at {first})"),
                );
                continue;
            }
            first_at.insert(ind.clone(), here);
        }
        if let (Some(unit), Some(period), Some(indicator), Some(value), Some(standing)) =
            (&unit, period, indicator, value, standing)
        {
            cells.push(format!("{sheet}!{}", cell_ref(r, COL_VALUE)));
            observations.push(Observation {
                unit: unit.clone(),
                indicator,
                period,
                value,
                standing,
                state: ReviewState::Approved,
                source,
                reported_by: None,
                reported: None,
            });
        }
    }
    if !problems.is_empty() {
        return Err(TemplateError::Cells {
            file: file.to_string(),
            problems,
        });
    }
    let (Some(unit), Some(period)) = (unit, period) else {
        return Err(TemplateError::NotTemplate {
            file: file.to_string(),
        });
    };
    if observations.is_empty() {
        return Err(TemplateError::NothingFilled {
            file: file.to_string(),
        });
    }
    Ok(TemplateFigures {
        unit,
        period,
        lang,
        observations,
        cells,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn demo() -> Dataset {
        let text = include_str!("../../../demo/luc-ngan-2018.toml");
        crate::parse_bundle(text, "demo.toml").unwrap().dataset
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A workbook laid out as a template, with `rows` of (key, value, standing, source) from
    /// row 7 and the meta sheet's keys as given.
    fn book(meta: &[(&str, &str)], rows: &[(Option<&str>, Data, &str, &str)]) -> Vec<u8> {
        let mut b = Workbook::new();
        let sh = b.add_worksheet();
        sh.set_name("Bảng nhập liệu").unwrap();
        sh.write_string(HEADER_ROW, COL_KEY, KEY_HEADER).unwrap();
        for (k, (key, value, standing, source)) in rows.iter().enumerate() {
            let r = FIRST_ROW + k as u32;
            if let Some(key) = key {
                sh.write_string(r, COL_KEY, *key).unwrap();
            }
            match value {
                Data::Float(f) => {
                    sh.write_number(r, COL_VALUE, *f).unwrap();
                }
                Data::String(t) => {
                    sh.write_string(r, COL_VALUE, t).unwrap();
                }
                Data::Bool(v) => {
                    sh.write_boolean(r, COL_VALUE, *v).unwrap();
                }
                _ => {}
            }
            if !standing.is_empty() {
                sh.write_string(r, COL_STANDING, *standing).unwrap();
            }
            if !source.is_empty() {
                sh.write_string(r, COL_SOURCE, *source).unwrap();
            }
        }
        let m = b.add_worksheet();
        m.set_name(META_SHEET).unwrap();
        for (r, (k, v)) in meta.iter().enumerate() {
            m.write_string(r as u32, 0, *k).unwrap();
            m.write_string(r as u32, 1, *v).unwrap();
        }
        b.save_to_buffer().unwrap()
    }

    const META: [(&str, &str); 5] = [
        ("format", TEMPLATE_FORMAT),
        ("unit", "luc-ngan"),
        ("period", "2018"),
        ("lang", "vi"),
        ("sheet", "Bảng nhập liệu"),
    ];

    #[test]
    fn numbers_as_stored_or_typed() {
        let vi = |d: Data| cell_number(&d, Lang::Vi);
        assert_eq!(vi(Data::Float(41.3)), Ok(Some(dec("41.3"))));
        assert_eq!(
            vi(Data::Float(0.1 + 0.2)),
            Ok(Some(dec("0.30000000000000004")))
        );
        assert_eq!(vi(Data::Int(12)), Ok(Some(dec("12"))));
        assert_eq!(vi(Data::String("41,5".into())), Ok(Some(dec("41.5"))));
        assert_eq!(vi(Data::String("1.234,5".into())), Ok(Some(dec("1234.5"))));
        // Typed the English way in a Vietnamese template: not a grouping by threes, so the
        // other language reads it.
        assert_eq!(vi(Data::String(" 41.5 ".into())), Ok(Some(dec("41.5"))));
        // Ambiguous text is read in the template's language first.
        assert_eq!(vi(Data::String("1.234".into())), Ok(Some(dec("1234"))));
        assert_eq!(
            cell_number(&Data::String("1,234".into()), Lang::En),
            Ok(Some(dec("1234")))
        );
        assert_eq!(vi(Data::String("  ".into())), Ok(None));
        assert_eq!(vi(Data::Empty), Ok(None));
        assert_eq!(
            vi(Data::String("abc".into())),
            Err("expected a number (e.g. 41,5 or 41.5), found \"abc\"".into())
        );
        assert_eq!(
            vi(Data::Bool(true)),
            Err("expected a number (e.g. 41,5 or 41.5), found TRUE".into())
        );
        assert!(vi(Data::Error(calamine::CellErrorType::Div0))
            .unwrap_err()
            .contains("#DIV/0!"));
        assert!(vi(Data::String("1,2,3".into())).is_err());
    }

    #[test]
    fn standings_by_label_or_code() {
        assert_eq!(parse_standing("Ước tính"), Some(Standing::Estimate));
        assert_eq!(parse_standing(" sơ bộ "), Some(Standing::Preliminary));
        assert_eq!(parse_standing("CHÍNH THỨC"), Some(Standing::Final));
        assert_eq!(parse_standing("Final"), Some(Standing::Final));
        assert_eq!(parse_standing("estimate"), Some(Standing::Estimate));
        assert_eq!(parse_standing("ước"), Some(Standing::Estimate));
        // Combining diacritics (NFD) read as the precomposed label.
        assert_eq!(parse_standing("Sơ bộ"), Some(Standing::Preliminary));
        assert_eq!(parse_standing("sure"), None);
    }

    #[test]
    fn cell_references_and_periods() {
        assert_eq!(cell_ref(6, 4), "E7");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(9, 26), "AA10");
        assert_eq!(
            year_before("2018-Q2".parse().unwrap()).to_string(),
            "2017-Q2"
        );
        assert_eq!(year_before("2018".parse().unwrap()).to_string(), "2017");
    }

    #[test]
    fn a_filled_template_reads_in_any_row_order() {
        let ds = demo();
        let bytes = book(
            &META,
            &[
                (
                    Some("income-per-capita"),
                    Data::Float(39.2),
                    "Chính thức",
                    "Cục Thống kê",
                ),
                (Some("production-growth"), Data::Empty, "Ước tính", ""),
                (
                    Some("forest-cover"),
                    Data::String("41,5".into()),
                    "Sơ bộ",
                    "",
                ),
                (Some("poor-household-rate"), Data::Float(9.0), "", ""),
            ],
        );
        let f = read_template(&bytes, "f.xlsx", &ds).unwrap();
        assert_eq!(
            (f.unit.as_str(), f.period.to_string()),
            ("luc-ngan", "2018".into())
        );
        let got: Vec<(&str, String, Standing, Option<&str>)> = f
            .observations
            .iter()
            .map(|o| {
                (
                    o.indicator.as_str(),
                    o.value.to_string(),
                    o.standing,
                    o.source.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "income-per-capita",
                    "39.2".into(),
                    Standing::Final,
                    Some("Cục Thống kê")
                ),
                ("forest-cover", "41.5".into(), Standing::Preliminary, None),
                ("poor-household-rate", "9".into(), Standing::Estimate, None),
            ]
        );
        assert_eq!(
            f.cells,
            [
                "Bảng nhập liệu!E7",
                "Bảng nhập liệu!E9",
                "Bảng nhập liệu!E10"
            ]
        );
    }

    #[test]
    fn every_bad_cell_is_named_and_nothing_is_read() {
        let ds = demo();
        let bytes = book(
            &META,
            &[
                (
                    Some("income-per-capita"),
                    Data::String("abc".into()),
                    "",
                    "",
                ),
                (Some("forest-cover"), Data::Float(41.5), "sure", ""),
                (Some("no-such"), Data::Float(1.0), "", ""),
                (None, Data::Float(2.0), "", ""),
                (Some("forest-cover"), Data::Float(41.6), "", ""),
                (Some("poor-household-rate"), Data::Float(9.0), "", ""),
            ],
        );
        let e = read_template(&bytes, "f.xlsx", &ds).unwrap_err();
        assert_eq!(
            e.problems(),
            [
                "Bảng nhập liệu!E7: expected a number (e.g. 41,5 or 41.5), found \"abc\"",
                "Bảng nhập liệu!F8: expected one of Ước tính, Sơ bộ, Chính thức, found \"sure\"",
                "Bảng nhập liệu!I9: unknown indicator `no-such` in the hidden key column",
                "Bảng nhập liệu!E10: a figure in a row without an indicator key: rows cannot be added, use the template's rows",
                "Bảng nhập liệu!E11: a second figure for indicator `forest-cover` (the first is at Bảng nhập liệu!E8)",
            ]
        );
        let line = e.to_string();
        assert!(
            line.starts_with("f.xlsx: 5 bad cells: Bảng nhập liệu!E7: "),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn bad_keys_of_the_template() {
        let ds = demo();
        let meta = [
            ("format", TEMPLATE_FORMAT),
            ("unit", "atlantis"),
            ("period", "2018-Q5"),
            ("lang", "vi"),
            ("sheet", "Bảng nhập liệu"),
        ];
        let bytes = book(&meta, &[(Some("forest-cover"), Data::Float(41.5), "", "")]);
        let e = read_template(&bytes, "f.xlsx", &ds).unwrap_err();
        assert_eq!(
            e.problems(),
            [
                "_chitieu!B2: unit `atlantis` is not in the database",
                "_chitieu!B3: `2018-Q5` is not a period: expected a year (2018), a half (2018-H1), a quarter (2018-Q2) or a month (2018-06)",
            ]
        );
        let mut meta = META;
        meta[4] = ("sheet", "Gone");
        let e = read_template(&book(&meta, &[]), "f.xlsx", &ds).unwrap_err();
        assert_eq!(
            e.problems(),
            ["_chitieu!B5: the input sheet `Gone` is missing"]
        );
    }

    #[test]
    fn not_a_template() {
        let ds = demo();
        let e = read_template(b"unit,indicator\n", "f.xlsx", &ds).unwrap_err();
        assert!(matches!(e, TemplateError::NotXlsx { .. }), "{e}");
        assert!(e
            .to_string()
            .starts_with("f.xlsx: not an Excel workbook (.xlsx): "));
        let mut empty = Workbook::new();
        empty.add_worksheet();
        let e = read_template(&empty.save_to_buffer().unwrap(), "f.xlsx", &ds).unwrap_err();
        assert_eq!(e.to_string(), "f.xlsx: the workbook is empty");
        let mut other = Workbook::new();
        other.add_worksheet().write_string(0, 0, "x").unwrap();
        let e = read_template(&other.save_to_buffer().unwrap(), "f.xlsx", &ds).unwrap_err();
        assert!(matches!(e, TemplateError::NotTemplate { .. }), "{e}");
        let e = read_template(&book(&META, &[]), "f.xlsx", &ds).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.xlsx: nothing to import: no figure is filled in"
        );
    }

    #[test]
    fn the_written_template_reads_back_empty_and_has_its_rows() {
        let ds = demo();
        let figures: HashMap<(String, Period), Decimal> = [(
            ("income-per-capita".to_string(), Period::Year(2017)),
            dec("35"),
        )]
        .into_iter()
        .collect();
        let date = NaiveDate::from_ymd_opt(2018, 6, 25).unwrap();
        let t = Template::for_unit(
            &ds,
            "luc-ngan",
            Period::Year(2018),
            date,
            Lang::Vi,
            &figures,
        )
        .unwrap();
        assert!(t.rows.len() >= 10, "{}", t.rows.len());
        let income = t
            .rows
            .iter()
            .find(|r| r.indicator == "income-per-capita")
            .unwrap();
        assert_eq!(income.last_year, Some(dec("35")));
        assert!(Template::for_unit(
            &ds,
            "atlantis",
            Period::Year(2018),
            date,
            Lang::Vi,
            &figures
        )
        .is_none());
        let bytes = t.to_xlsx().unwrap();
        let e = read_template(&bytes, "t.xlsx", &ds).unwrap_err();
        assert!(matches!(e, TemplateError::NothingFilled { .. }), "{e}");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Bảng nhập liệu").unwrap();
        let keys: Vec<String> = (FIRST_ROW..FIRST_ROW + t.rows.len() as u32)
            .map(|r| {
                sheet
                    .get_value((r, u32::from(COL_KEY)))
                    .unwrap()
                    .to_string()
            })
            .collect();
        let want: Vec<String> = t.rows.iter().map(|r| r.indicator.clone()).collect();
        assert_eq!(keys, want);
    }
}
