//! Timelines as SVG drawn at build time: versions on a date axis, sized by how much changed,
//! substantive changes set apart from formatting and noise. No JavaScript; each mark links to
//! its version page and carries a tooltip.

use crate::history::Class;
use crate::markdown::escape;
use crate::render::view::shorten;
use jiff::civil::{Date, Time, date};
use std::fmt::Write;

/// One row of marks; a label names it when a chart has several (one per document).
pub struct Lane {
    pub label: Option<String>,
    pub points: Vec<Point>,
}

pub struct Point {
    /// Days since 1970-01-01.
    pub days: f64,
    pub class: Class,
    /// Words added plus removed.
    pub size: usize,
    pub url: String,
    pub title: String,
}

const WIDTH: f64 = 760.0;
const LANE: f64 = 44.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 30.0;
const RIGHT: f64 = 24.0;

/// The chart; `aria_label` describes it for screen readers (the list beside it has the details).
pub fn svg(lanes: &[Lane], aria_label: &str) -> String {
    let all: Vec<f64> = lanes
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.days))
        .collect();
    let (Some(min), Some(max)) = (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) else {
        return String::new();
    };
    let left = if lanes.iter().any(|l| l.label.is_some()) {
        170.0
    } else {
        24.0
    };
    let span = (max - min).max(1.0);
    // A little room either side so the first and last marks are not cut.
    let (min, max) = (min - span * 0.02, max + span * 0.02);
    let x = |d: f64| left + (d - min) / (max - min) * (WIDTH - left - RIGHT);
    let height = TOP + LANE * lanes.len() as f64 + AXIS;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"timeline-svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(aria_label)
    );
    let axis_y = TOP + LANE * lanes.len() as f64;
    for (tick_days, label) in ticks(min, max) {
        let tx = x(tick_days);
        let _ = write!(
            out,
            "<line class=\"tick\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/><text class=\"tick-label\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            axis_y + 4.0,
            axis_y + 20.0,
            escape(&label)
        );
    }
    for (i, lane) in lanes.iter().enumerate() {
        let cy = TOP + LANE * i as f64 + LANE / 2.0;
        let _ = write!(
            out,
            "<line class=\"lane\" x1=\"{left}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\"/>",
            WIDTH - RIGHT
        );
        if let Some(label) = &lane.label {
            let _ = write!(
                out,
                "<text class=\"lane-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left - 10.0,
                cy + 4.0,
                escape(&shorten(label, 24))
            );
        }
        // Quiet marks first, so substantive changes are drawn on top.
        for pass in [
            Class::Noise,
            Class::Formatting,
            Class::First,
            Class::Substantive,
        ] {
            for p in lane.points.iter().filter(|p| p.class == pass) {
                let r = match p.class {
                    Class::Substantive => 4.0 + (p.size as f64).sqrt().min(16.0) * 0.55,
                    Class::First => 5.0,
                    Class::Formatting => 3.5,
                    Class::Noise => 2.5,
                };
                let _ = write!(
                    out,
                    "<a href=\"{}\"><circle class=\"v v-{}\" cx=\"{:.1}\" cy=\"{cy:.1}\" r=\"{r:.1}\"><title>{}</title></circle></a>",
                    escape(&p.url),
                    p.class.as_str(),
                    x(p.days),
                    escape(&p.title)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// Axis ticks: years over long spans, months over short ones.
fn ticks(min: f64, max: f64) -> Vec<(f64, String)> {
    let first = date_of(min);
    let last = date_of(max);
    let mut out = Vec::new();
    if max - min > 540.0 {
        for year in first.year()..=last.year() + 1 {
            let d = days_of(date(year, 1, 1));
            if d >= min && d <= max {
                out.push((d, year.to_string()));
            }
        }
    } else {
        let step = if max - min > 200.0 { 3 } else { 1 };
        let mut d = date(first.year(), first.month(), 1);
        while d <= last {
            let days = days_of(d);
            if days >= min && (d.month() - 1) % step == 0 {
                out.push((days, d.strftime("%b %Y").to_string()));
            }
            match d.checked_add(jiff::Span::new().months(1)) {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
    }
    out
}

fn epoch() -> jiff::civil::DateTime {
    date(1970, 1, 1).to_datetime(Time::midnight())
}

fn days_of(d: Date) -> f64 {
    d.to_datetime(Time::midnight())
        .duration_since(epoch())
        .as_secs_f64()
        / 86_400.0
}

fn date_of(days: f64) -> Date {
    let secs = (days * 86_400.0).floor() as i64;
    epoch()
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .map(|dt| dt.date())
        .unwrap_or(date(1970, 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(days: f64, class: Class) -> Point {
        Point {
            days,
            class,
            size: 9,
            url: "/v/".into(),
            title: "t <x>".into(),
        }
    }

    #[test]
    fn marks_link_and_escape() {
        let s = svg(
            &[Lane {
                label: Some("AUP & Terms".into()),
                points: vec![
                    point(19000.0, Class::First),
                    point(19800.0, Class::Substantive),
                ],
            }],
            "Versions",
        );
        assert!(s.starts_with("<svg class=\"timeline-svg\""));
        assert_eq!(s.matches("<circle").count(), 2);
        assert!(s.contains("<title>t &lt;x&gt;</title>"));
        assert!(s.contains("AUP &amp; Terms"));
        assert!(s.contains(">2023<"), "year ticks over a long span: {s}");
    }

    #[test]
    fn short_spans_get_month_ticks_and_one_version_is_fine() {
        let s = svg(
            &[Lane {
                label: None,
                points: vec![point(20000.0, Class::First), point(20100.0, Class::Noise)],
            }],
            "x",
        );
        assert!(s.contains("2024<"), "{s}");
        let one = svg(
            &[Lane {
                label: None,
                points: vec![point(20000.0, Class::First)],
            }],
            "x",
        );
        assert_eq!(one.matches("<circle").count(), 1);
        assert_eq!(svg(&[], "x"), "");
    }
}
