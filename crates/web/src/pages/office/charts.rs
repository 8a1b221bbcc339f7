//! The office home's weekly charts (requests, payments, support opened and whether still
//! open, rating average) over the last twelve weeks in the company's zone, drawn as SVG on
//! the server with the same numbers as a table behind each. The weeks and the bar geometry
//! come from `doorstep_core::charts`; one grouped store query per chart.

use doorstep_core::charts::{Bar, Plot, Week, boundaries, fill, last_weeks, nice_max};
use doorstep_store::charts::{Chart, WeekRow};

use crate::auth::session::SignedInStaff;
use crate::{AppState, WebError};

/// How many weeks each chart shows.
pub const WEEKS: usize = 12;

/// The drawing's size in SVG units; it scales with the page (viewBox).
const VIEW_W: i64 = 360;
const VIEW_H: i64 = 170;
const PLOT: Plot = Plot {
    left: 4,
    top: 18,
    width: VIEW_W - 8,
    height: 126,
};

/// One rectangle of a chart.
pub struct SvgBar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    /// `bar` or `bar-alt` (the second series).
    pub class: &'static str,
}

/// A week label under the bars (every fourth week).
pub struct XLabel {
    pub x: i64,
    pub text: String,
}

/// A chart and the table behind it.
pub struct ChartView {
    pub id: &'static str,
    pub title: &'static str,
    /// One sentence summing the chart up, read by screen readers with the title.
    pub summary: String,
    pub empty: &'static str,
    /// Nothing to draw: the page shows `empty` instead of axes.
    pub is_empty: bool,
    /// The value at the top of the scale, as text.
    pub top_label: String,
    pub bars: Vec<SvgBar>,
    pub labels: Vec<XLabel>,
    /// The series' names and classes, when there are two.
    pub legend: Vec<(&'static str, &'static str)>,
    pub columns: Vec<&'static str>,
    /// Each row: the week, then one cell per further column.
    pub rows: Vec<Vec<String>>,
}

impl ChartView {
    pub fn view_w(&self) -> i64 {
        VIEW_W
    }
    pub fn view_h(&self) -> i64 {
        VIEW_H
    }
    pub fn base_y(&self) -> i64 {
        PLOT.bottom()
    }
    pub fn top_y(&self) -> i64 {
        PLOT.top
    }
    pub fn right_x(&self) -> i64 {
        PLOT.left + PLOT.width
    }
    pub fn left_x(&self) -> i64 {
        PLOT.left
    }
}

fn week_label(w: &Week) -> String {
    crate::display::date(w.monday)
}

fn short_label(w: &Week) -> String {
    let full = week_label(w);
    full.split(',').next().unwrap_or(&full).to_owned()
}

fn svg_bars(bars: Vec<Vec<Bar>>, classes: &[&'static str]) -> Vec<SvgBar> {
    bars.into_iter()
        .flat_map(|stack| {
            stack
                .into_iter()
                .zip(classes.iter().copied())
                .filter(|(b, _)| b.height > 0)
                .map(|(b, class)| SvgBar {
                    x: b.x,
                    y: b.y,
                    width: b.width,
                    height: b.height,
                    class,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn x_labels(weeks: &[Week]) -> Vec<XLabel> {
    weeks
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 0)
        .map(|(i, w)| {
            // Left-aligned under the week's bar, so the first label stays inside the drawing.
            let (x, _) = PLOT.slot(i, weeks.len());
            XLabel {
                x,
                text: short_label(w),
            }
        })
        .collect()
}

/// The parts every chart shares.
struct Spec {
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    summary: String,
    columns: Vec<&'static str>,
    legend: Vec<(&'static str, &'static str)>,
    classes: Vec<&'static str>,
}

fn build(
    spec: Spec,
    weeks: &[Week],
    is_empty: bool,
    stacks: Vec<Vec<i64>>,
    top: i64,
    top_label: String,
    cells: Vec<Vec<String>>,
) -> ChartView {
    let bars = svg_bars(PLOT.stacked(&stacks, top), &spec.classes);
    ChartView {
        id: spec.id,
        title: spec.title,
        summary: spec.summary,
        empty: spec.empty,
        is_empty,
        top_label,
        bars,
        labels: x_labels(weeks),
        legend: spec.legend,
        columns: spec.columns,
        rows: weeks
            .iter()
            .zip(cells)
            .map(|(w, mut c)| {
                c.insert(0, week_label(w));
                c
            })
            .collect(),
    }
}

/// Per-week `(count, total)` of `rows`, zero-filled.
fn per_week(rows: Vec<WeekRow>) -> Vec<(i64, i64)> {
    let counts = fill(WEEKS, rows.iter().map(|r| (r.week, r.count)));
    let totals = fill(WEEKS, rows.iter().map(|r| (r.week, r.total)));
    counts.into_iter().zip(totals).collect()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The four charts for `staff`'s company.
pub async fn charts(state: &AppState, staff: &SignedInStaff) -> Result<Vec<ChartView>, WebError> {
    let zone = &staff.company.time_zone;
    let company = staff.company.id;
    let currency = staff.company.currency.as_str();
    let weeks = last_weeks(zone, crate::kit::dates::today(zone), WEEKS);
    let bounds = boundaries(&weeks);
    let requests = per_week(
        state
            .store
            .weekly(company, Chart::Requests, &bounds)
            .await?,
    );
    let payments = per_week(
        state
            .store
            .weekly(company, Chart::Payments, &bounds)
            .await?,
    );
    let support = per_week(state.store.weekly(company, Chart::Support, &bounds).await?);
    let ratings = per_week(state.store.weekly(company, Chart::Ratings, &bounds).await?);
    let sum = |v: &[(i64, i64)], f: fn(&(i64, i64)) -> i64| v.iter().map(f).sum::<i64>();

    let n_requests = sum(&requests, |r| r.0);
    let top = nice_max(requests.iter().map(|r| r.0).max().unwrap_or(0));
    let requests_view = build(
        Spec {
            id: "requests",
            title: "Requests per week",
            empty: "No service requests in the last 12 weeks.",
            summary: format!(
                "{} in the last 12 weeks.",
                plural(n_requests, "request", "requests")
            ),
            columns: vec!["Week of", "Requests"],
            legend: vec![],
            classes: vec!["bar"],
        },
        &weeks,
        n_requests == 0,
        requests.iter().map(|r| vec![r.0]).collect(),
        top,
        top.to_string(),
        requests.iter().map(|r| vec![r.0.to_string()]).collect(),
    );

    let received = sum(&payments, |p| p.1);
    let top = nice_max(payments.iter().map(|p| p.1).max().unwrap_or(0));
    let payments_view = build(
        Spec {
            id: "payments",
            title: "Payments per week",
            empty: "No payments received in the last 12 weeks.",
            summary: format!(
                "{} received in the last 12 weeks.",
                crate::display::money(received, currency)
            ),
            columns: vec!["Week of", "Received", "Payments"],
            legend: vec![],
            classes: vec!["bar"],
        },
        &weeks,
        sum(&payments, |p| p.0) == 0,
        payments.iter().map(|p| vec![p.1]).collect(),
        top,
        crate::display::money(top, currency),
        payments
            .iter()
            .map(|p| vec![crate::display::money(p.1, currency), p.0.to_string()])
            .collect(),
    );

    let opened = sum(&support, |s| s.0);
    let closed = sum(&support, |s| s.1);
    let top = nice_max(support.iter().map(|s| s.0).max().unwrap_or(0));
    let support_view = build(
        Spec {
            id: "support",
            title: "Support requests: open and closed",
            empty: "No support requests opened in the last 12 weeks.",
            summary: format!(
                "{} opened in the last 12 weeks: {} still open, {closed} closed.",
                plural(opened, "support request", "support requests"),
                opened - closed
            ),
            columns: vec!["Week of", "Opened", "Still open", "Closed"],
            legend: vec![("Closed", "bar-ok"), ("Still open", "bar-alt")],
            classes: vec!["bar-ok", "bar-alt"],
        },
        &weeks,
        opened == 0,
        support.iter().map(|s| vec![s.1, s.0 - s.1]).collect(),
        top,
        top.to_string(),
        support
            .iter()
            .map(|s| vec![s.0.to_string(), (s.0 - s.1).to_string(), s.1.to_string()])
            .collect(),
    );

    let n_ratings = sum(&ratings, |r| r.0);
    let stars = sum(&ratings, |r| r.1);
    // Averages in tenths of a star, on a scale of five stars.
    let tenths = |count: i64, total: i64| (total * 10 + count / 2) / count.max(1);
    let average = |count: i64, total: i64| {
        if count == 0 {
            "—".to_owned()
        } else {
            let t = tenths(count, total);
            format!("{}.{}", t / 10, t % 10)
        }
    };
    let ratings_view = build(
        Spec {
            id: "ratings",
            title: "Average rating per week",
            empty: "No ratings in the last 12 weeks.",
            summary: format!(
                "{} in the last 12 weeks, {} stars on average.",
                plural(n_ratings, "rating", "ratings"),
                average(n_ratings, stars)
            ),
            columns: vec!["Week of", "Average stars", "Ratings"],
            legend: vec![],
            classes: vec!["bar"],
        },
        &weeks,
        n_ratings == 0,
        ratings.iter().map(|r| vec![tenths(r.0, r.1)]).collect(),
        50,
        "5 stars".to_owned(),
        ratings
            .iter()
            .map(|r| vec![average(r.0, r.1), r.0.to_string()])
            .collect(),
    );
    Ok(vec![
        requests_view,
        payments_view,
        support_view,
        ratings_view,
    ])
}
