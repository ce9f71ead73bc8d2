//! A target's chart as SVG, drawn on the server and shared by pages and reports: the path from
//! the baseline to the target, the figures reported (final ones filled, estimates and
//! preliminary figures hollow), the projection to the deadline, and a mark at each adjustment.
//! Text only: no I/O, no computation a status did not already make.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::locale::{self, Lang};

/// A point of the chart: a date (a period's end) and a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetChart {
    pub baseline: Point,
    pub target: Point,
    /// Figures after (and at) the baseline, by date; `true` for a final figure.
    pub figures: Vec<(Point, bool)>,
    /// The value projected at the deadline, from the latest figure.
    pub projected: Option<f64>,
    /// Adjustments: their date and what the target became.
    pub adjustments: Vec<(NaiveDate, String)>,
}

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

fn days(d: NaiveDate) -> f64 {
    f64::from(chrono::Datelike::num_days_from_ce(&d))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl TargetChart {
    /// The SVG, with `title` read by screen readers.
    pub fn svg(&self, lang: Lang, title: &str) -> String {
        let mut values: Vec<f64> = vec![self.baseline.value, self.target.value];
        values.extend(self.figures.iter().map(|(p, _)| p.value));
        values.extend(self.projected);
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo.is_finite() && hi > lo {
            let pad = (hi - lo) * 0.1;
            (lo - pad, hi + pad)
        } else if lo.is_finite() {
            (lo - 1.0, lo + 1.0)
        } else {
            (0.0, 1.0)
        };
        let mut t0 = days(self.baseline.date);
        let mut t1 = days(self.target.date);
        for (p, _) in &self.figures {
            t0 = t0.min(days(p.date));
            t1 = t1.max(days(p.date));
        }
        if t1 <= t0 {
            t1 = t0 + 1.0;
        }
        let x = |d: NaiveDate| LEFT + (days(d) - t0) / (t1 - t0) * (W - LEFT - RIGHT);
        let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" class="target-chart"><title>{}</title>"#,
            esc(title)
        );
        // Axes and the value scale at the bottom, the middle and the top.
        let _ = write!(
            o,
            r##"<g class="axes" stroke="#999" stroke-width="1"><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}"/><line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/></g>"##,
            H - BOTTOM,
            H - BOTTOM,
            W - RIGHT,
            H - BOTTOM
        );
        for v in [lo, (lo + hi) / 2.0, hi] {
            let _ = write!(
                o,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#555">{}</text>"##,
                LEFT - 4.0,
                y(v) + 4.0,
                esc(&locale::num(lang, v, 1))
            );
        }
        // The first date's label starts at its tick, the last one ends at it: both stay inside.
        for (d, anchor) in [(self.baseline.date, "start"), (self.target.date, "end")] {
            let _ = write!(
                o,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}" fill="#555">{}</text>"##,
                x(d),
                H - BOTTOM + 16.0,
                esc(&locale::date(lang, d))
            );
        }
        for (d, label) in &self.adjustments {
            let _ = write!(
                o,
                r##"<g class="adjustment"><line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{1:.1}" stroke="#8b0000" stroke-dasharray="2 3"/><text x="{2:.1}" y="{3:.1}" font-size="11" fill="#8b0000">{4}</text></g>"##,
                x(*d),
                H - BOTTOM,
                x(*d) + 3.0,
                TOP + 10.0,
                esc(label)
            );
        }
        let _ = write!(
            o,
            r##"<line class="path" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#2a6ebb" stroke-width="2" stroke-dasharray="6 4"/>"##,
            x(self.baseline.date),
            y(self.baseline.value),
            x(self.target.date),
            y(self.target.value)
        );
        let _ = write!(
            o,
            r##"<circle class="target" cx="{:.1}" cy="{:.1}" r="5" fill="none" stroke="#2a6ebb" stroke-width="2"/>"##,
            x(self.target.date),
            y(self.target.value)
        );
        if !self.figures.is_empty() {
            let points: Vec<String> = std::iter::once((self.baseline, true))
                .chain(self.figures.iter().copied())
                .map(|(p, _)| format!("{:.1},{:.1}", x(p.date), y(p.value)))
                .collect();
            let _ = write!(
                o,
                r##"<polyline class="actual" points="{}" fill="none" stroke="#1b1b1b" stroke-width="1.5"/>"##,
                points.join(" ")
            );
        }
        let _ = write!(
            o,
            r##"<circle class="baseline" cx="{:.1}" cy="{:.1}" r="4" fill="#1b1b1b"/>"##,
            x(self.baseline.date),
            y(self.baseline.value)
        );
        for (p, is_final) in &self.figures {
            let (class, fill) = if *is_final {
                ("final", "#1b1b1b")
            } else {
                ("estimate", "#fff")
            };
            let _ = write!(
                o,
                r##"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="4" fill="{fill}" stroke="#1b1b1b" stroke-width="1.5"><title>{}</title></circle>"##,
                x(p.date),
                y(p.value),
                esc(&format!(
                    "{}: {}",
                    locale::date(lang, p.date),
                    locale::num(lang, p.value, 2)
                ))
            );
        }
        if let (Some(v), Some((last, _))) = (self.projected, self.figures.last()) {
            if v.is_finite() {
                let _ = write!(
                    o,
                    r##"<line class="projection" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#777" stroke-width="1.5" stroke-dasharray="1 4"/>"##,
                    x(last.date),
                    y(last.value),
                    x(self.target.date),
                    y(v)
                );
            }
        }
        o.push_str("</svg>");
        o
    }
}

/// Size of [`TargetChart::svg`] in pixels (points at print scale).
pub const TARGET_CHART_SIZE: (f32, f32) = (W as f32, H as f32);

/// What the chart of one target needs besides the dataset: what its status was judged
/// against at the date.
pub struct TargetOnDate<'a> {
    pub target: &'a chitieu_domain::Target,
    pub as_of: NaiveDate,
    /// The deadline in force.
    pub deadline: NaiveDate,
    pub assessment: &'a chitieu_domain::status::Assessment,
    pub measure_unit: &'a str,
}

fn f64_of(d: chitieu_domain::Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// The chart of a target at a date, built from the figures of its unit and indicator and the
/// adjustments decided by then: the one the target page shows and the review prints.
pub fn for_target(
    lang: Lang,
    ds: &chitieu_domain::Dataset,
    rollups: &chitieu_domain::rollup::Rollups,
    on: &TargetOnDate<'_>,
) -> TargetChart {
    use chitieu_domain::version::{target_version, Cutoff};
    let t = on.target;
    let t0 = t.baseline_period.end();
    let figures: Vec<(Point, bool)> = rollups
        .series(&t.unit, &t.indicator)
        .iter()
        .filter(|f| f.period.end() > t0 && f.period.start() <= on.deadline)
        .map(|f| {
            (
                Point {
                    date: f.period.end(),
                    value: f64_of(f.value),
                },
                f.standing == chitieu_domain::Standing::Final,
            )
        })
        .collect();
    let version = target_version(ds, t, Cutoff::Through(on.as_of));
    TargetChart {
        baseline: Point {
            date: t0,
            value: f64_of(t.baseline),
        },
        target: Point {
            date: on.deadline,
            value: on.assessment.target.map_or(f64::NAN, f64_of),
        },
        figures,
        projected: on.assessment.projected,
        adjustments: version
            .adjustments
            .iter()
            .map(|adj| {
                let after = target_version(ds, t, Cutoff::Through(adj.decision.date));
                (
                    adj.decision.date,
                    locale::target_value(lang, &after.spec.value, on.measure_unit),
                )
            })
            .collect(),
    }
}

/// Size of [`status_overview`] in pixels.
pub const STATUS_OVERVIEW_SIZE: (f32, f32) = (640.0, 200.0);

/// How many targets stand at each status, as horizontal bars in the statuses' order with the
/// count at the end of each bar: the overview a dashboard and a review open with. `counts`
/// is keyed by the status's code, as `ResolutionSummary::counts` is.
pub fn status_overview(
    lang: Lang,
    counts: &std::collections::BTreeMap<&'static str, usize>,
    title: &str,
) -> String {
    use chitieu_domain::status::Status;
    let (w, h) = (
        f64::from(STATUS_OVERVIEW_SIZE.0),
        f64::from(STATUS_OVERVIEW_SIZE.1),
    );
    let label_w = 230.0;
    // Withdrawn targets are not counted in a headline, so they get no bar either.
    let shown: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| *s != Status::Withdrawn)
        .collect();
    let rows = shown.len() as f64;
    let row_h = (h - 16.0) / rows;
    let max = shown
        .iter()
        .map(|s| counts.get(s.as_str()).copied().unwrap_or(0))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bar_w = w - label_w - 48.0;
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" font-family=\"Liberation Serif, Times New Roman, serif\" font-size=\"13\"><title>{}</title>",
        esc(title)
    );
    for (i, s) in shown.iter().enumerate() {
        let n = counts.get(s.as_str()).copied().unwrap_or(0);
        let y = 8.0 + i as f64 * row_h;
        let len = bar_w * n as f64 / max;
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            label_w - 8.0,
            y + row_h * 0.65,
            esc(locale::status(lang, *s))
        );
        let _ = write!(
            o,
            "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
            y + row_h * 0.15,
            row_h * 0.7,
            status_colour(*s)
        );
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{n}</text>",
            label_w + len + 6.0,
            y + row_h * 0.65
        );
    }
    o.push_str("</svg>");
    o
}

/// One colour per status, the web app's palette (`app.css`).
pub fn status_colour(s: chitieu_domain::status::Status) -> &'static str {
    use chitieu_domain::status::Status;
    match s {
        Status::Exceeded => "#2f7a2f",
        Status::Achieved => "#4c9a4c",
        Status::OnTrack => "#5b8fd6",
        Status::AtRisk => "#e0b030",
        Status::OffTrack => "#c94444",
        Status::NoData => "#bbbbbb",
        Status::Withdrawn => "#eeeeee",
    }
}

/// A sparkline for a table row: the figures in order as a line, 80×20, with the target as a
/// dashed level when given, so a row shows at a glance whether it climbs toward its target.
/// Empty when there are fewer than two finite figures: a line needs two points.
pub fn sparkline(values: &[f64], target: Option<f64>, label: &str) -> String {
    const SW: f64 = 80.0;
    const SH: f64 = 20.0;
    let points: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if points.len() < 2 {
        return String::new();
    }
    let target = target.filter(|t| t.is_finite());
    let all = points.iter().copied().chain(target);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let y = |v: f64| 1.0 + (SH - 2.0) * (1.0 - (v - lo) / span);
    let step = (SW - 2.0) / (points.len() - 1) as f64;
    let mut out = format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{SW}\" height=\"{SH}\" \
         viewBox=\"0 0 {SW} {SH}\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
    if let Some(t) = target {
        let _ = write!(
            out,
            "<line x1=\"0\" x2=\"{SW}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#8b0000\" \
             stroke-dasharray=\"2 2\" stroke-width=\"1\"/>",
            y(t)
        );
    }
    out.push_str("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"");
    for (k, v) in points.iter().enumerate() {
        let sep = if k == 0 { "" } else { " " };
        let _ = write!(out, "{sep}{:.1},{:.1}", 1.0 + step * k as f64, y(*v));
    }
    out.push_str("\"/></svg>");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn forest() -> TargetChart {
        TargetChart {
            baseline: Point {
                date: d("2015-12-31"),
                value: 35.2,
            },
            target: Point {
                date: d("2020-12-31"),
                value: 41.3,
            },
            figures: vec![
                (
                    Point {
                        date: d("2016-12-31"),
                        value: 35.9,
                    },
                    true,
                ),
                (
                    Point {
                        date: d("2018-12-31"),
                        value: 36.9,
                    },
                    false,
                ),
            ],
            projected: Some(38.08),
            adjustments: vec![(d("2018-06-25"), "37 → 41,3".into())],
        }
    }

    #[test]
    fn forest_cover_chart() {
        insta::assert_snapshot!(forest().svg(Lang::Vi, "Độ che phủ rừng <đạt> 41,3%"));
    }

    #[test]
    fn every_part_is_drawn_and_text_is_escaped() {
        let svg = forest().svg(Lang::En, "a & b");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for class in [
            "path",
            "target",
            "actual",
            "baseline",
            "final",
            "estimate",
            "projection",
            "adjustment",
        ] {
            assert!(svg.contains(&format!("class=\"{class}\"")), "{class}");
        }
        assert!(svg.contains("<title>a &amp; b</title>"));
        assert!(svg.contains("25 June 2018") || svg.contains("31 December 2015"));
        // No figure, no projection: still a chart of the path, no NaN anywhere.
        let empty = TargetChart {
            figures: Vec::new(),
            projected: None,
            ..forest()
        };
        let svg = empty.svg(Lang::Vi, "x");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(!svg.contains("class=\"actual\""));
        let flat = TargetChart {
            target: Point {
                date: d("2015-12-31"),
                value: 35.2,
            },
            figures: Vec::new(),
            projected: Some(f64::NAN),
            adjustments: Vec::new(),
            ..forest()
        };
        assert!(!flat.svg(Lang::Vi, "x").contains("NaN"));
    }

    #[test]
    fn sparkline_spans_its_box_and_marks_the_target() {
        let svg = sparkline(&[1.0, 2.0, 3.0], Some(4.0), "a <b>");
        assert!(svg.contains("aria-label=\"a &lt;b&gt;\""));
        assert!(
            svg.contains("points=\"1.0,19.0 40.0,13.0 79.0,7.0\""),
            "{svg}"
        );
        assert!(svg.contains("y1=\"1.0\""), "the target is the top: {svg}");
    }

    #[test]
    fn sparkline_needs_two_finite_figures() {
        assert_eq!(sparkline(&[3.0], Some(4.0), "x"), "");
        assert_eq!(sparkline(&[3.0, f64::NAN], None, "x"), "");
        assert!(!sparkline(&[3.0, 3.0], None, "x").is_empty());
    }
}

#[cfg(test)]
mod overview_tests {
    use super::*;

    #[test]
    fn the_status_overview_has_a_bar_per_status_as_long_as_its_count() {
        let counts: std::collections::BTreeMap<&'static str, usize> =
            [("exceeded", 2), ("on_track", 4), ("off_track", 1)].into();
        let svg = status_overview(Lang::Vi, &counts, "Biểu đồ & chỉ tiêu");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Biểu đồ &amp; chỉ tiêu</title>"));
        assert!(svg.contains("hoàn thành vượt mức") && svg.contains("khó hoàn thành"));
        assert!(
            !svg.contains("đưa ra khỏi nghị quyết"),
            "withdrawn targets get no bar"
        );
        let widths: Vec<f64> = svg
            .split("<rect ")
            .skip(1)
            .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(widths.len(), 6);
        // The longest bar is the largest count; the others in proportion.
        assert!((widths[0] * 2.0 - widths[2]).abs() < 0.2, "{widths:?}");
        assert!((widths[4] * 4.0 - widths[2]).abs() < 0.2, "{widths:?}");
        assert_eq!(widths[1], 0.0);
    }
}
