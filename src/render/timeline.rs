//! Timelines as SVG drawn at build time: versions on a date axis, sized by how much changed,
//! substantive changes set apart from formatting and noise. No JavaScript; each mark links to
//! its version page and carries a tooltip. The geometry is computed here; the markup is the
//! theme's `timeline.svg` template.

use crate::effective::Kind;
use crate::history::Class;
use crate::render::view::shorten;
use jiff::civil::{Date, Time, date};
use serde::Serialize;

/// One row of marks; a label names it when a chart has several (one per document).
pub(crate) struct Lane {
    pub label: Option<String>,
    pub points: Vec<Point>,
}

/// A version on the chart.
pub(crate) struct Point {
    /// Days since 1970-01-01.
    pub days: f64,
    pub version: MarkedVersion,
}

/// What a mark shows and links to.
#[derive(Serialize)]
pub(crate) struct MarkedVersion {
    pub url: String,
    pub class: Class,
    /// "17 December 2024"
    pub date: String,
    pub words_added: usize,
    pub words_removed: usize,
    /// The date the version states for itself.
    pub effective: Option<StatedDate>,
}

/// The context of one mark in `timeline.svg`: the version's fields beside where it is drawn.
#[derive(Serialize)]
pub(crate) struct Mark {
    #[serde(flatten)]
    pub version: MarkedVersion,
    /// Horizontal centre and radius, formatted.
    pub cx: String,
    pub r: String,
}

/// A date a version states, and how it words it.
#[derive(Serialize)]
pub(crate) struct StatedDate {
    pub kind: Kind,
    pub date: String,
}

/// An axis tick at `x`, labelled with a year or a month.
#[derive(Serialize)]
pub(crate) struct Tick {
    pub x: String,
    pub label: String,
}

/// A lane of the chart: its vertical centre, its label and its marks, quiet ones first so
/// substantive changes are drawn on top.
#[derive(Serialize)]
pub(crate) struct LaneView {
    pub y: String,
    pub label: Option<String>,
    pub label_x: String,
    pub label_y: String,
    pub marks: Vec<Mark>,
}

/// The context of `timeline.svg`; every number is formatted as the markup uses it.
#[derive(Serialize)]
pub(crate) struct Chart {
    pub width: String,
    pub height: String,
    /// Describes the chart for screen readers (the list beside it has the details).
    pub aria_label: String,
    /// Where the plot starts and ends horizontally.
    pub left: String,
    pub right: String,
    /// Top of the plot, the axis line below the lanes, and the baseline of tick labels.
    pub top: String,
    pub axis_y: String,
    pub label_y: String,
    pub ticks: Vec<Tick>,
    pub lanes: Vec<LaneView>,
}

const WIDTH: f64 = 760.0;
const LANE: f64 = 44.0;
const TOP: f64 = 8.0;
const AXIS: f64 = 30.0;
const RIGHT: f64 = 24.0;

/// The chart of `lanes`; None when there is no version to show.
pub(crate) fn chart(lanes: Vec<Lane>, aria_label: &str) -> Option<Chart> {
    let all = || lanes.iter().flat_map(|l| l.points.iter().map(|p| p.days));
    let (min, max) = (all().reduce(f64::min)?, all().reduce(f64::max)?);
    let left = if lanes.iter().any(|l| l.label.is_some()) {
        170.0
    } else {
        24.0
    };
    let span = (max - min).max(1.0);
    // A little room either side so the first and last marks are not cut.
    let (min, max) = (min - span * 0.02, max + span * 0.02);
    let x = |d: f64| left + (d - min) / (max - min) * (WIDTH - left - RIGHT);
    let axis_y = TOP + LANE * lanes.len() as f64;
    let ticks = ticks(min, max)
        .into_iter()
        .map(|(days, label)| Tick {
            x: format!("{:.1}", x(days)),
            label,
        })
        .collect();
    let lanes = lanes
        .into_iter()
        .enumerate()
        .map(|(i, lane)| {
            let cy = TOP + LANE * i as f64 + LANE / 2.0;
            let mut points = lane.points;
            points.sort_by_key(|p| drawing_order(p.version.class));
            LaneView {
                y: format!("{cy:.1}"),
                label: lane.label.map(|l| shorten(&l, 22)),
                label_x: format!("{:.1}", left - 10.0),
                label_y: format!("{:.1}", cy + 4.0),
                marks: points
                    .into_iter()
                    .map(|p| Mark {
                        cx: format!("{:.1}", x(p.days)),
                        r: format!("{:.1}", radius(&p.version)),
                        version: p.version,
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Chart {
        width: format!("{WIDTH}"),
        height: format!("{:.0}", axis_y + AXIS),
        aria_label: aria_label.to_string(),
        left: format!("{left}"),
        right: format!("{:.1}", WIDTH - RIGHT),
        top: format!("{TOP}"),
        axis_y: format!("{:.1}", axis_y + 4.0),
        label_y: format!("{:.1}", axis_y + 20.0),
        ticks,
        lanes,
    })
}

/// Quiet marks first, so substantive changes are drawn on top.
fn drawing_order(class: Class) -> u8 {
    match class {
        Class::Noise => 0,
        Class::Formatting => 1,
        Class::First => 2,
        Class::Substantive => 3,
    }
}

/// A mark's radius: substantive changes grow with the words changed.
fn radius(m: &MarkedVersion) -> f64 {
    match m.class {
        Class::Substantive => {
            let size = (m.words_added + m.words_removed) as f64;
            4.0 + size.sqrt().min(16.0) * 0.55
        }
        Class::First => 5.0,
        Class::Formatting => 3.5,
        Class::Noise => 2.5,
    }
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
            version: MarkedVersion {
                url: "/v/".into(),
                class,
                date: "1 May 2024".into(),
                words_added: 4,
                words_removed: 5,
                effective: None,
            },
        }
    }

    #[test]
    fn marks_are_placed_and_sized() {
        let c = chart(
            vec![Lane {
                label: Some("A very long document title to cut".into()),
                points: vec![
                    point(19800.0, Class::Substantive),
                    point(19000.0, Class::First),
                ],
            }],
            "Versions",
        )
        .unwrap();
        let marks = &c.lanes[0].marks;
        // The first version is drawn before (under) the substantive change.
        assert_eq!(marks[0].version.class, Class::First);
        assert_eq!(
            (marks[0].cx.as_str(), marks[0].r.as_str()),
            ("180.9", "5.0")
        );
        assert_eq!(
            (marks[1].cx.as_str(), marks[1].r.as_str()),
            ("725.1", "5.7")
        );
        assert_eq!(c.lanes[0].label.as_deref(), Some("A very long document…"));
        assert!(
            c.ticks.iter().any(|t| t.label == "2023"),
            "year ticks over a long span"
        );
    }

    #[test]
    fn short_spans_get_month_ticks_and_one_version_is_fine() {
        let lane = |points| Lane {
            label: None,
            points,
        };
        let c = chart(
            vec![lane(vec![
                point(20000.0, Class::First),
                point(20100.0, Class::Noise),
            ])],
            "x",
        )
        .unwrap();
        assert!(c.ticks.iter().any(|t| t.label.ends_with("2024")));
        let one = chart(vec![lane(vec![point(20000.0, Class::First)])], "x").unwrap();
        assert_eq!(one.lanes[0].marks.len(), 1);
        assert!(chart(vec![], "x").is_none());
    }
}
