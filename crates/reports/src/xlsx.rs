//! Tables as Excel workbooks, for offices that go on working in Excel: a resolution's status
//! table with numbers as numbers (so a sheet can sum and chart them), a frozen header and
//! the page language's labels. The workbook is returned as bytes; callers write the file.

use chitieu_domain::review::StatusRow;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::locale::{self, Lang};

fn s(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The column headings of [`status_table`], in order.
pub fn status_headings(lang: Lang) -> [&'static str; 12] {
    [
        s(lang, "Số", "No."),
        s(lang, "Chỉ tiêu", "Target"),
        s(lang, "Lĩnh vực", "Field"),
        s(lang, "Đơn vị tính", "Unit of measure"),
        s(lang, "Đầu nhiệm kỳ", "Baseline"),
        s(lang, "Năm gốc", "Baseline period"),
        s(lang, "Mục tiêu", "Target value"),
        s(lang, "Mục tiêu ban đầu", "Original target"),
        s(lang, "Thực hiện", "Latest"),
        s(lang, "Kỳ", "Period"),
        s(lang, "Tỷ lệ đạt (%)", "Realisation (%)"),
        s(lang, "Đánh giá", "Status"),
    ]
}

/// The status table of `resolution` at `as_of` as an XLSX workbook of one sheet.
pub fn status_table(
    lang: Lang,
    resolution: &str,
    as_of: chrono::NaiveDate,
    rows: &[StatusRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(s(lang, "Chỉ tiêu", "Targets"))?;
    let title = format!(
        "{} {resolution} — {} {}",
        s(lang, "Nghị quyết", "Resolution"),
        s(lang, "tính đến", "as of"),
        locale::date(lang, as_of)
    );
    sheet.write_string_with_format(0, 0, &title, &bold)?;
    for (c, h) in status_headings(lang).iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    sheet.set_freeze_panes(3, 0)?;
    for (k, x) in rows.iter().enumerate() {
        let r = 3 + k as u32;
        let a = &x.assessment;
        sheet.write_string(r, 0, &x.code)?;
        sheet.write_string(r, 1, &x.name)?;
        sheet.write_string(r, 2, locale::field(lang, x.field))?;
        sheet.write_string(r, 3, &x.measure_unit)?;
        if let Some(b) = x.baseline.to_f64() {
            sheet.write_number(r, 4, b)?;
        }
        sheet.write_string(r, 5, x.baseline_period.to_string())?;
        // A target value can be a range or a change per year: written as the reports word it.
        sheet.write_string(r, 6, locale::target_value(lang, &x.value, ""))?;
        if x.original != x.value {
            sheet.write_string(r, 7, locale::target_value(lang, &x.original, ""))?;
        }
        if let Some(f) = &a.latest {
            if let Some(v) = f.value.to_f64() {
                sheet.write_number(r, 8, v)?;
            }
            sheet.write_string(r, 9, f.period.to_string())?;
        }
        // Rounded as the JSON status rounds it, so the sheet and the API agree to the digit.
        if let Some(p) = a
            .realisation
            .and_then(rust_decimal::Decimal::from_f64_retain)
            .and_then(|d| d.round_dp(2).to_f64())
        {
            sheet.write_number(r, 10, p)?;
        }
        sheet.write_string(r, 11, locale::status(lang, a.status))?;
    }
    for (c, w) in [6, 50, 16, 12, 10, 10, 14, 14, 10, 10, 12, 24]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    book.save_to_buffer()
}
