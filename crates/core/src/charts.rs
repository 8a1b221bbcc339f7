//! The office dashboard's weekly charts: which weeks they show (Monday to Monday in the
//! company's zone), filling weeks without rows with zero, and the geometry of the bars
//! (a round scale, each bar's height) the server draws as SVG.

use time::{Date, Duration, OffsetDateTime, Time};

use crate::local_time::Zone;

/// One week of a chart: its local Monday and the instants it spans, `from` inclusive,
/// `until` exclusive (a week with a daylight saving change is 167 or 169 hours long).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// The local Monday the week starts on.
    pub monday: Date,
    /// Local midnight starting that Monday, as an instant.
    pub from: OffsetDateTime,
    /// Local midnight starting the next Monday, as an instant.
    pub until: OffsetDateTime,
}

/// The Monday of the week `day` falls in.
pub fn monday_of(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

/// The last `n` weeks in `zone` up to and including the week of `today`, oldest first.
pub fn last_weeks(zone: &Zone, today: Date, n: usize) -> Vec<Week> {
    let this = monday_of(today);
    (0..n)
        .rev()
        .map(|back| {
            let monday = this - Duration::weeks(back as i64);
            let next = monday + Duration::weeks(1);
            Week {
                monday,
                from: zone.instant(monday, Time::MIDNIGHT),
                until: zone.instant(next, Time::MIDNIGHT),
            }
        })
        .collect()
}

/// The boundaries a query groups by: each week's start and, last, the end of the last
/// week (`weeks.len() + 1` instants, empty for no weeks).
pub fn boundaries(weeks: &[Week]) -> Vec<OffsetDateTime> {
    let mut out: Vec<OffsetDateTime> = weeks.iter().map(|w| w.from).collect();
    if let Some(last) = weeks.last() {
        out.push(last.until);
    }
    out
}

/// Which of `weeks` the instant `at` falls in, if any.
pub fn week_of(weeks: &[Week], at: OffsetDateTime) -> Option<usize> {
    weeks.iter().position(|w| w.from <= at && at < w.until)
}

/// Per-week values from grouped rows `(week index, value)`: weeks without a row are
/// `T::default()`, rows outside `0..n` are ignored, rows for the same week add up.
pub fn fill<T>(n: usize, rows: impl IntoIterator<Item = (i64, T)>) -> Vec<T>
where
    T: Default + Clone + std::ops::AddAssign,
{
    let mut out = vec![T::default(); n];
    for (i, v) in rows {
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot += v;
        }
    }
    out
}

/// The top of a chart's scale: the smallest 1, 2 or 5 times a power of ten at or above
/// `max` (1 when everything is zero, so an empty chart still has an axis).
pub fn nice_max(max: i64) -> i64 {
    if max <= 1 {
        return 1;
    }
    let mut step = 1_i64;
    loop {
        for m in [1, 2, 5] {
            let top = step.saturating_mul(m);
            if top >= max {
                return top;
            }
        }
        if step > i64::MAX / 10 {
            return max;
        }
        step *= 10;
    }
}

/// A bar in the chart's drawing units (y grows downwards, as in SVG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height (0 for a zero value).
    pub height: i64,
}

/// The plot area bars are laid out in: `left`/`top` its corner, `width` × `height` its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plot {
    /// Left edge of the plot.
    pub left: i64,
    /// Top edge of the plot.
    pub top: i64,
    /// Width of the plot.
    pub width: i64,
    /// Height of the plot (the value `top_value` reaches it).
    pub height: i64,
}

impl Plot {
    /// The bottom edge (the zero line).
    pub fn bottom(&self) -> i64 {
        self.top + self.height
    }

    /// The x of slot `i` of `n` and the width a bar takes in it (a quarter of the slot is
    /// the gap between bars).
    pub fn slot(&self, i: usize, n: usize) -> (i64, i64) {
        let n = n.max(1) as i64;
        let slot = self.width / n;
        let gap = (slot / 4).max(1);
        (self.left + slot * i as i64 + gap / 2, (slot - gap).max(1))
    }

    /// The height of `value` on a scale whose top is `top_value` (negative values count as 0).
    pub fn height_of(&self, value: i64, top_value: i64) -> i64 {
        if top_value <= 0 || value <= 0 {
            return 0;
        }
        let h =
            (i128::from(value.min(top_value)) * i128::from(self.height)) / i128::from(top_value);
        // A value above zero always shows at least a sliver.
        (h as i64).max(1)
    }

    /// Bars for stacked series: `stacks[i]` are week `i`'s parts from the bottom up; the
    /// result has the same shape. `top_value` is the scale's top.
    pub fn stacked(&self, stacks: &[Vec<i64>], top_value: i64) -> Vec<Vec<Bar>> {
        let n = stacks.len();
        stacks
            .iter()
            .enumerate()
            .map(|(i, parts)| {
                let (x, width) = self.slot(i, n);
                let mut base = self.bottom();
                let mut sum = 0_i64;
                parts
                    .iter()
                    .map(|&v| {
                        sum = sum.saturating_add(v.max(0));
                        let top = self.bottom() - self.height_of(sum, top_value);
                        let bar = Bar {
                            x,
                            y: top.min(base),
                            width,
                            height: (base - top).max(0),
                        };
                        base = bar.y;
                        bar
                    })
                    .collect()
            })
            .collect()
    }

    /// One bar per value.
    pub fn bars(&self, values: &[i64], top_value: i64) -> Vec<Bar> {
        let stacks: Vec<Vec<i64>> = values.iter().map(|&v| vec![v]).collect();
        self.stacked(&stacks, top_value)
            .into_iter()
            .filter_map(|s| s.into_iter().next())
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    #[test]
    fn twelve_weeks_end_with_the_week_of_today_starting_monday() {
        let weeks = last_weeks(&zone("Europe/Paris"), date!(2026 - 12 - 06), 12);
        assert_eq!(weeks.len(), 12);
        // Sunday Dec 6 belongs to the week of Monday Nov 30.
        assert_eq!(weeks[11].monday, date!(2026 - 11 - 30));
        assert_eq!(weeks[0].monday, date!(2026 - 09 - 14));
        assert!(
            weeks
                .iter()
                .all(|w| w.monday.weekday() == time::Weekday::Monday)
        );
        // Contiguous: each week ends where the next starts.
        assert!(weeks.windows(2).all(|p| p[0].until == p[1].from));
        // Local midnight in Paris (UTC+1 in winter) is 23:00 UTC the day before.
        assert_eq!(weeks[11].from, datetime!(2026-11-29 23:00 UTC));
        assert_eq!(boundaries(&weeks).len(), 13);
        assert!(boundaries(&[]).is_empty());
    }

    #[test]
    fn a_daylight_saving_week_is_an_hour_shorter_or_longer() {
        let ny = zone("America/New_York");
        // Clocks go forward on Sunday March 8, 2026; back on Sunday November 1, 2026.
        let spring = last_weeks(&ny, date!(2026 - 03 - 04), 1)[0];
        assert_eq!(spring.monday, date!(2026 - 03 - 02));
        assert_eq!(spring.until - spring.from, Duration::hours(167));
        assert_eq!(spring.from, datetime!(2026-03-02 05:00 UTC));
        assert_eq!(spring.until, datetime!(2026-03-09 04:00 UTC));
        let autumn = last_weeks(&ny, date!(2026 - 10 - 31), 1)[0];
        assert_eq!(autumn.until - autumn.from, Duration::hours(169));
        // 23:30 local on Sunday March 8 (03:30 UTC Monday) is still in the spring week;
        // 00:30 local on Monday March 9 (04:30 UTC) is in the next.
        let two = last_weeks(&ny, date!(2026 - 03 - 09), 2);
        assert_eq!(week_of(&two, datetime!(2026-03-09 03:30 UTC)), Some(0));
        assert_eq!(week_of(&two, datetime!(2026-03-09 04:30 UTC)), Some(1));
        assert_eq!(week_of(&two, datetime!(2026-03-16 04:00 UTC)), None);
        assert_eq!(week_of(&two, datetime!(2026-03-02 04:59 UTC)), None);
    }

    #[test]
    fn empty_weeks_are_zero_and_stray_rows_ignored() {
        assert_eq!(
            fill(4, [(1, 3_i64), (3, 5), (1, 1), (7, 9), (-1, 2)]),
            vec![0, 4, 0, 5]
        );
        assert_eq!(fill::<i64>(3, []), vec![0, 0, 0]);
    }

    #[test]
    fn scales_round_up_to_one_two_or_five() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(2), 2);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(120_000), 200_000);
        assert_eq!(nice_max(500), 500);
    }

    #[test]
    fn bars_stand_on_the_zero_line_in_their_slots() {
        let plot = Plot {
            left: 40,
            top: 10,
            width: 120,
            height: 100,
        };
        let bars = plot.bars(&[0, 5, 10, 1], 10);
        assert_eq!(bars.len(), 4);
        assert_eq!(bars[0].height, 0);
        assert_eq!(
            bars[1],
            Bar {
                x: 73,
                y: 60,
                width: 23,
                height: 50
            }
        );
        assert_eq!(bars[2].y, 10);
        assert_eq!(bars[2].height, 100);
        // A small value still shows.
        assert_eq!(bars[3].height, 10);
        assert!(bars.iter().all(|b| b.y + b.height == 110));
        assert!(bars.windows(2).all(|p| p[0].x + p[0].width < p[1].x));
        assert_eq!(plot.height_of(1, 1000), 1);
        assert_eq!(plot.height_of(5, 0), 0);
    }

    #[test]
    fn stacked_parts_sit_on_each_other() {
        let plot = Plot {
            left: 0,
            top: 0,
            width: 20,
            height: 100,
        };
        let s = plot.stacked(&[vec![2, 3], vec![0, 0]], 10);
        assert_eq!(s[0][0].y + s[0][0].height, 100);
        assert_eq!(s[0][0].height, 20);
        assert_eq!(s[0][1].y + s[0][1].height, s[0][0].y);
        assert_eq!(s[0][1].height, 30);
        assert!(s[1].iter().all(|b| b.height == 0));
    }
}
