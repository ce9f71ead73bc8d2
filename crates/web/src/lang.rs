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
    pub results: &'static str,
    pub field: &'static str,
    pub trend: &'static str,
    pub tasks: &'static str,
    pub due: &'static str,
    pub pages: &'static str,
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
            results: "Kết quả",
            field: "Lĩnh vực",
            trend: "Diễn biến",
            tasks: "Nhiệm vụ",
            due: "Thời hạn",
            pages: "Trang",
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
            results: "Results",
            field: "Field",
            trend: "Trend",
            tasks: "Tasks",
            due: "Due",
            pages: "Pages",
        },
    }
}
