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

/// `x` rounded to `places` as the JSON interface rounds it, so the sheet and the API agree to
/// the digit.
fn rounded(x: Option<f64>, places: u32) -> Option<f64> {
    x.and_then(rust_decimal::Decimal::from_f64_retain)
        .and_then(|d| d.round_dp(places).to_f64())
}

/// A target value as a number where it is one, else as the reports word it (a range, a
/// change per year).
fn write_target_value(
    sheet: &mut rust_xlsxwriter::Worksheet,
    lang: Lang,
    r: u32,
    c: u16,
    v: &chitieu_domain::TargetValue,
) -> Result<(), XlsxError> {
    match v {
        chitieu_domain::TargetValue::Exact(d) => {
            if let Some(x) = d.to_f64() {
                sheet.write_number(r, c, x)?;
            }
        }
        other => {
            sheet.write_string(r, c, locale::target_value(lang, other, ""))?;
        }
    }
    Ok(())
}

fn write_date(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    d: chrono::NaiveDate,
    format: &Format,
) -> Result<(), XlsxError> {
    use chrono::Datelike;
    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )?;
    sheet.write_datetime_with_format(r, c, &when, format)?;
    Ok(())
}

/// A sheet named `name` with a bold header row of `headings`, frozen, and column widths.
fn table_sheet<'a>(
    book: &'a mut Workbook,
    name: &str,
    headings: &[&str],
    widths: &[f64],
) -> Result<&'a mut rust_xlsxwriter::Worksheet, XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

/// The tables of a review as a workbook: targets by resolution and field (baseline, original,
/// in force and adjusted target, latest, realisation, progress, R, projection, status),
/// documents of the period, tasks, adjustments and shortfalls, a sheet each, numbers as
/// numbers and dates as dates.
pub fn review(lang: Lang, r: &chitieu_domain::review::Review) -> Result<Vec<u8>, XlsxError> {
    use chitieu_domain::review::{ChangeRow, ShortfallKind};
    use chitieu_domain::{Field, Subject};
    let mut book = Workbook::new();
    let date_format = Format::new().set_num_format(s(lang, "dd/mm/yyyy", "yyyy-mm-dd"));

    let sheet = table_sheet(
        &mut book,
        s(lang, "Chỉ tiêu", "Targets"),
        &[
            s(lang, "Nghị quyết", "Resolution"),
            s(lang, "Số", "No."),
            s(lang, "Chỉ tiêu", "Target"),
            s(lang, "Lĩnh vực", "Field"),
            s(lang, "Đơn vị tính", "Unit of measure"),
            s(lang, "Cơ sở", "Baseline"),
            s(lang, "Năm cơ sở", "Baseline period"),
            s(lang, "Mục tiêu ban đầu", "Original target"),
            s(lang, "Mục tiêu", "Target value"),
            s(lang, "Điều chỉnh", "Adjusted"),
            s(lang, "Thực hiện", "Latest"),
            s(lang, "Kỳ", "Period"),
            s(lang, "Tỷ lệ đạt (%)", "Realisation (%)"),
            s(lang, "Tiến độ (%)", "Progress (%)"),
            "R",
            s(lang, "Dự báo cuối kỳ", "Projected"),
            s(lang, "Đánh giá", "Status"),
            s(
                lang,
                "Đánh giá theo mục tiêu điều chỉnh",
                "Status if adjusted",
            ),
        ],
        &[
            16.0, 6.0, 50.0, 16.0, 12.0, 10.0, 10.0, 12.0, 12.0, 12.0, 10.0, 10.0, 12.0, 12.0, 8.0,
            12.0, 24.0, 24.0,
        ],
    )?;
    let mut row = 1;
    for res in &r.resolutions {
        for field in Field::ALL {
            for x in r
                .targets
                .iter()
                .filter(|x| x.resolution == res.id && x.field == field)
            {
                let a = &x.assessment;
                sheet.write_string(row, 0, &x.resolution)?;
                sheet.write_string(row, 1, &x.code)?;
                sheet.write_string(row, 2, &x.name)?;
                sheet.write_string(row, 3, locale::field(lang, x.field))?;
                sheet.write_string(row, 4, &x.measure_unit)?;
                if let Some(b) = x.baseline.to_f64() {
                    sheet.write_number(row, 5, b)?;
                }
                sheet.write_string(row, 6, x.baseline_period.to_string())?;
                write_target_value(sheet, lang, row, 7, &x.original)?;
                write_target_value(sheet, lang, row, 8, &x.value)?;
                if let Some(v) = &x.adjusted {
                    write_target_value(sheet, lang, row, 9, v)?;
                }
                if let Some(f) = &a.latest {
                    // What the status judged: the running total or average for those kinds.
                    if let Some(v) = a.measure.unwrap_or(f.value).to_f64() {
                        sheet.write_number(row, 10, v)?;
                    }
                    sheet.write_string(row, 11, f.period.to_string())?;
                }
                for (c, v) in [
                    (12, rounded(a.realisation, 2)),
                    (13, rounded(a.progress, 2)),
                    (14, rounded(a.ratio, 4)),
                    (15, rounded(a.projected, 3)),
                ] {
                    if let Some(v) = v {
                        sheet.write_number(row, c, v)?;
                    }
                }
                sheet.write_string(row, 16, locale::status(lang, a.status))?;
                if let Some(a2) = &x.assessment_adjusted {
                    sheet.write_string(row, 17, locale::status(lang, a2.status))?;
                }
                row += 1;
            }
        }
    }

    let sheet = table_sheet(
        &mut book,
        s(lang, "Văn bản", "Documents"),
        &[
            s(lang, "Loại", "Kind"),
            s(lang, "Số", "Number"),
            s(lang, "Ngày", "Date"),
            s(lang, "Trích yếu", "Title"),
            s(lang, "Cơ quan ban hành", "Issuer"),
        ],
        &[20.0, 14.0, 12.0, 70.0, 16.0],
    )?;
    for (k, d) in r.documents.list.iter().enumerate() {
        let row = 1 + k as u32;
        sheet.write_string(row, 0, locale::document_kind(lang, d.kind, 1))?;
        sheet.write_string(row, 1, &d.number)?;
        write_date(sheet, row, 2, d.date, &date_format)?;
        sheet.write_string(row, 3, &d.title)?;
        sheet.write_string(row, 4, &d.issuer)?;
    }

    let sheet = table_sheet(
        &mut book,
        s(lang, "Nhiệm vụ", "Tasks"),
        &[
            s(lang, "Nghị quyết", "Resolution"),
            s(lang, "Số", "No."),
            s(lang, "Nhiệm vụ", "Task"),
            s(lang, "Đơn vị", "Unit"),
            s(lang, "Hạn", "Due"),
            s(lang, "Tình trạng", "Status"),
        ],
        &[16.0, 6.0, 60.0, 14.0, 12.0, 20.0],
    )?;
    for (k, x) in r.tasks.iter().enumerate() {
        let row = 1 + k as u32;
        sheet.write_string(row, 0, &x.resolution)?;
        sheet.write_string(row, 1, &x.code)?;
        sheet.write_string(row, 2, &x.name)?;
        sheet.write_string(row, 3, &x.unit)?;
        if let Some(d) = x.due {
            write_date(sheet, row, 4, d, &date_format)?;
        }
        sheet.write_string(row, 5, locale::task_status(lang, x.status))?;
    }

    let sheet = table_sheet(
        &mut book,
        s(lang, "Điều chỉnh", "Adjustments"),
        &[
            s(lang, "Nghị quyết", "Resolution"),
            s(lang, "Số", "No."),
            s(lang, "Chỉ tiêu, nhiệm vụ", "Target or task"),
            s(lang, "Từ", "From"),
            s(lang, "Thành", "To"),
            s(lang, "Nội dung điều chỉnh", "Change"),
            s(lang, "Cơ quan quyết định", "Decided by"),
            s(lang, "Văn bản, hội nghị", "Decision"),
            s(lang, "Ngày", "Date"),
            s(lang, "Lý do", "Reason"),
        ],
        &[16.0, 6.0, 50.0, 10.0, 10.0, 30.0, 24.0, 24.0, 12.0, 40.0],
    )?;
    for (k, a) in r.adjustments.iter().enumerate() {
        let row = 1 + k as u32;
        let (Subject::Target { resolution, code } | Subject::Task { resolution, code }) =
            &a.subject;
        sheet.write_string(row, 0, resolution)?;
        sheet.write_string(row, 1, code)?;
        sheet.write_string(row, 2, &a.name)?;
        let mut words = Vec::new();
        for c in &a.changes {
            match c {
                ChangeRow::Value { from, to } => {
                    write_target_value(sheet, lang, row, 3, from)?;
                    write_target_value(sheet, lang, row, 4, to)?;
                }
                ChangeRow::Deadline { from, to } => words.push(format!(
                    "{} {} → {}",
                    s(lang, "hạn", "deadline"),
                    from.map_or_else(|| "—".into(), |d| locale::date(lang, d)),
                    locale::date(lang, *to)
                )),
                ChangeRow::Wording { to, .. } => {
                    words.push(format!("{}: {to}", s(lang, "nội dung mới", "new wording")))
                }
                ChangeRow::Withdraw => words.push(
                    s(
                        lang,
                        "đưa ra khỏi nghị quyết",
                        "withdrawn from the resolution",
                    )
                    .into(),
                ),
            }
        }
        if !words.is_empty() {
            sheet.write_string(row, 5, words.join("; "))?;
        }
        sheet.write_string(row, 6, &a.decision.body)?;
        sheet.write_string(row, 7, &a.decision.reference)?;
        write_date(sheet, row, 8, a.decision.date, &date_format)?;
        sheet.write_string(row, 9, &a.reason)?;
    }

    let sheet = table_sheet(
        &mut book,
        s(lang, "Hạn chế", "Shortfalls"),
        &[
            s(lang, "Loại", "Kind"),
            s(lang, "Nghị quyết", "Resolution"),
            s(lang, "Số", "No."),
            s(lang, "Chỉ tiêu", "Target"),
            s(lang, "Đơn vị chậm", "Lagging unit"),
            s(lang, "Thực hiện", "Latest"),
            s(lang, "Kỳ", "Period"),
            s(lang, "Mục tiêu", "Target value"),
            s(lang, "Tỷ lệ đạt (%)", "Realisation (%)"),
            s(lang, "Đánh giá", "Status"),
        ],
        &[22.0, 16.0, 6.0, 50.0, 14.0, 10.0, 10.0, 12.0, 12.0, 24.0],
    )?;
    for (k, x) in r.shortfalls.iter().enumerate() {
        let row = 1 + k as u32;
        let kind = match x.kind {
            ShortfallKind::Target => s(lang, "Chỉ tiêu chậm", "Target behind"),
            ShortfallKind::DataGap => s(lang, "Thiếu số liệu", "Data gap"),
            ShortfallKind::LaggingUnit => s(lang, "Đơn vị chậm", "Lagging unit"),
        };
        sheet.write_string(row, 0, kind)?;
        sheet.write_string(row, 1, &x.resolution)?;
        sheet.write_string(row, 2, &x.code)?;
        sheet.write_string(row, 3, &x.name)?;
        if let Some(u) = &x.unit {
            sheet.write_string(row, 4, u)?;
        }
        if let Some(f) = &x.latest {
            if let Some(v) = f.value.to_f64() {
                sheet.write_number(row, 5, v)?;
            }
            sheet.write_string(row, 6, f.period.to_string())?;
        }
        if let Some(v) = x.target.and_then(|d| d.to_f64()) {
            sheet.write_number(row, 7, v)?;
        }
        if let Some(v) = rounded(x.realisation, 2) {
            sheet.write_number(row, 8, v)?;
        }
        if let Some(st) = x.status {
            sheet.write_string(row, 9, locale::status(lang, st))?;
        }
    }
    book.save_to_buffer()
}
