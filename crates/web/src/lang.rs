//! The page language: `?lang=` (remembered in a cookie), else the cookie, else the browser's
//! `Accept-Language`; Vietnamese by default. And the catalogue of the pages' labels, one
//! place for every word a template shows.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chitieu_reports::Lang;

/// The language of a request, and whether the response must remember it.
pub struct PageLang {
    pub lang: Lang,
    pub remember: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let asked = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        if let Some(lang) = asked {
            return Ok(PageLang {
                lang,
                remember: true,
            });
        }
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let cookie = header("cookie")
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        let browser = header("accept-language")
            .split(',')
            .next()
            .map(|tag| tag.trim().to_ascii_lowercase())
            .filter(|tag| tag.starts_with("en"))
            .map(|_| Lang::En);
        Ok(PageLang {
            lang: cookie.or(browser).unwrap_or(Lang::Vi),
            remember: false,
        })
    }
}

pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

/// Every label the pages show, in one language.
pub struct Labels {
    pub app: &'static str,
    pub home: &'static str,
    pub resolutions: &'static str,
    pub unit: &'static str,
    pub term: &'static str,
    pub adopted: &'static str,
    pub targets: &'static str,
    pub as_of: &'static str,
    pub show: &'static str,
    pub headline: &'static str,
    pub code: &'static str,
    pub target: &'static str,
    pub baseline: &'static str,
    pub value: &'static str,
    pub latest: &'static str,
    pub realisation: &'static str,
    pub status: &'static str,
    pub review: &'static str,
    pub review_json: &'static str,
    pub download_md: &'static str,
    pub progress: &'static str,
    pub ratio: &'static str,
    pub projected: &'static str,
    pub method: &'static str,
    pub adjustments: &'static str,
    pub decision: &'static str,
    pub reason: &'static str,
    pub date: &'static str,
    pub sub_units: &'static str,
    pub none: &'static str,
    pub indicator: &'static str,
    pub period: &'static str,
    pub documents: &'static str,
    pub kind: &'static str,
    pub all: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub number: &'static str,
    pub title: &'static str,
    pub other_language: &'static str,
    pub not_found: &'static str,
    pub entry: &'static str,
    pub entry_help: &'static str,
    pub measure: &'static str,
    pub period_from: &'static str,
    pub period_to: &'static str,
    pub standing: &'static str,
    pub estimate: &'static str,
    pub preliminary: &'static str,
    pub final_figure: &'static str,
    pub reported: &'static str,
    pub source: &'static str,
    pub reported_by: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub new_figures: &'static str,
    pub unchanged: &'static str,
    pub not_saved: &'static str,
    pub bad_number: &'static str,
    pub bad_standing: &'static str,
    pub bad_period: &'static str,
    pub bad_date: &'static str,
    pub required: &'static str,
    pub no_rows: &'static str,
    pub adjust: &'static str,
    pub in_force: &'static str,
    pub what_changes: &'static str,
    pub new_value: &'static str,
    pub range: &'static str,
    pub change_per_year: &'static str,
    pub deadline: &'static str,
    pub wording: &'static str,
    pub withdraw: &'static str,
    pub decision_body: &'static str,
    pub decision_reference: &'static str,
    pub decision_date: &'static str,
    pub value_shape: &'static str,
    pub no_change: &'static str,
    pub refused: &'static str,
}

pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Vi => Labels {
            app: "Theo dõi chỉ tiêu nghị quyết",
            home: "Trang chủ",
            resolutions: "Nghị quyết",
            unit: "Đơn vị",
            term: "Nhiệm kỳ",
            adopted: "Ngày thông qua",
            targets: "chỉ tiêu",
            as_of: "Tính đến ngày",
            show: "Xem",
            headline: "hoàn thành và hoàn thành vượt mức",
            code: "Số",
            target: "Chỉ tiêu",
            baseline: "Đầu nhiệm kỳ",
            value: "Mục tiêu",
            latest: "Thực hiện",
            realisation: "Tỷ lệ đạt",
            status: "Đánh giá",
            review: "Báo cáo sơ kết",
            review_json: "Tải JSON",
            download_md: "Tải Markdown",
            progress: "Tiến độ so với mục tiêu",
            ratio: "Chỉ số tiến độ R",
            projected: "Dự báo đến hạn",
            method: "Phương pháp",
            adjustments: "Điều chỉnh chỉ tiêu",
            decision: "Quyết định",
            reason: "Lý do",
            date: "Ngày",
            sub_units: "Các đơn vị trực thuộc",
            none: "Không có",
            indicator: "Chỉ tiêu so sánh",
            period: "Kỳ",
            documents: "Văn bản triển khai",
            kind: "Loại",
            all: "Tất cả",
            from: "Từ ngày",
            to: "Đến ngày",
            number: "Số, ký hiệu",
            title: "Trích yếu",
            other_language: "English",
            not_found: "Không tìm thấy",
            entry: "Nhập số liệu",
            entry_help: "Để trống ô không có số liệu mới. Số viết dạng 1.234,5. Phím mũi tên, Enter: sang ô khác.",
            measure: "Đơn vị tính",
            period_from: "Từ kỳ",
            period_to: "Đến kỳ",
            standing: "Loại số liệu",
            estimate: "ước",
            preliminary: "sơ bộ",
            final_figure: "chính thức",
            reported: "Ngày báo cáo",
            source: "Nguồn số liệu",
            reported_by: "Cơ quan, người báo cáo",
            save: "Lưu",
            saved: "Đã lưu",
            new_figures: "số liệu mới",
            unchanged: "không đổi",
            not_saved: "Chưa lưu gì: có nội dung chưa đúng, xem các ô được đánh dấu.",
            bad_number: "không phải số; viết dạng 1.234,5",
            bad_standing: "loại số liệu phải là ước, sơ bộ hoặc chính thức",
            bad_period: "không phải kỳ báo cáo (2018, 2018-H1, 2018-Q2, 2018-06)",
            bad_date: "không phải ngày (năm-tháng-ngày)",
            required: "bắt buộc",
            no_rows: "Đơn vị chưa có chỉ tiêu hay số liệu nào trong các kỳ này.",
            adjust: "Điều chỉnh",
            in_force: "Đang áp dụng",
            what_changes: "Nội dung điều chỉnh (để trống phần không đổi)",
            new_value: "Giá trị mới",
            range: "hoặc khoảng",
            change_per_year: "hoặc mức thay đổi mỗi năm",
            deadline: "Thời hạn",
            wording: "Diễn đạt mới của chỉ tiêu",
            withdraw: "Đưa chỉ tiêu ra khỏi nghị quyết",
            decision_body: "Cơ quan quyết định",
            decision_reference: "Số, ký hiệu văn bản hoặc hội nghị",
            decision_date: "Ngày quyết định",
            value_shape: "chỉ nhập một dạng: một số, một khoảng, hoặc mức thay đổi mỗi năm",
            no_change: "cần ít nhất một thay đổi: giá trị, thời hạn, diễn đạt, hoặc đưa ra khỏi nghị quyết",
            refused: "Không lưu được",
        },
        Lang::En => Labels {
            app: "Resolution target tracking",
            home: "Home",
            resolutions: "Resolutions",
            unit: "Unit",
            term: "Term",
            adopted: "Adopted",
            targets: "targets",
            as_of: "As of",
            show: "Show",
            headline: "achieved or exceeded",
            code: "No.",
            target: "Target",
            baseline: "Baseline",
            value: "Target value",
            latest: "Latest",
            realisation: "Realisation",
            status: "Status",
            review: "Review",
            review_json: "Download JSON",
            download_md: "Download Markdown",
            progress: "Progress towards the target",
            ratio: "Progress ratio R",
            projected: "Projected at the deadline",
            method: "Method",
            adjustments: "Adjustments",
            decision: "Decision",
            reason: "Reason",
            date: "Date",
            sub_units: "Sub-units",
            none: "None",
            indicator: "Compare on",
            period: "Period",
            documents: "Implementing documents",
            kind: "Kind",
            all: "All",
            from: "From",
            to: "To",
            number: "Number",
            title: "Title",
            other_language: "Tiếng Việt",
            not_found: "Not found",
            entry: "Data entry",
            entry_help: "Leave a cell empty where there is no new figure. Numbers are written 1,234.5. Arrow keys, Enter: move between cells.",
            measure: "Unit of measure",
            period_from: "From period",
            period_to: "To period",
            standing: "Standing",
            estimate: "estimate",
            preliminary: "preliminary",
            final_figure: "final",
            reported: "Reported on",
            source: "Source",
            reported_by: "Reported by",
            save: "Save",
            saved: "Saved",
            new_figures: "new figures",
            unchanged: "unchanged",
            not_saved: "Nothing was saved: some entries are wrong, see the marked cells.",
            bad_number: "not a number; write it as 1,234.5",
            bad_standing: "the standing must be estimate, preliminary or final",
            bad_period: "not a period (2018, 2018-H1, 2018-Q2, 2018-06)",
            bad_date: "not a date (YYYY-MM-DD)",
            required: "required",
            no_rows: "The unit has no targets or figures in these periods.",
            adjust: "Adjust",
            in_force: "In force",
            what_changes: "What changes (leave empty what stays)",
            new_value: "New value",
            range: "or a range",
            change_per_year: "or a change per year",
            deadline: "Deadline",
            wording: "New wording",
            withdraw: "Withdraw the target from the resolution",
            decision_body: "Decided by",
            decision_reference: "Reference (document number or conference)",
            decision_date: "Date of the decision",
            value_shape: "enter one form only: a number, a range, or a change per year",
            no_change: "at least one change is needed: value, deadline, wording, or withdrawal",
            refused: "Refused",
        },
    }
}
