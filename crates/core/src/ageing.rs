//! Account ageing: how long open invoices are overdue, in the buckets statements use.

use time::Date;

/// One ageing bucket, by days past the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgeBucket {
    /// Not yet due (or due today).
    Current,
    /// 1 to 30 days overdue.
    Days1To30,
    /// 31 to 60 days overdue.
    Days31To60,
    /// 61 to 90 days overdue.
    Days61To90,
    /// More than 90 days overdue.
    Over90,
}

impl AgeBucket {
    /// Every bucket, youngest first, as statements list them.
    pub const ALL: [AgeBucket; 5] = [
        AgeBucket::Current,
        AgeBucket::Days1To30,
        AgeBucket::Days31To60,
        AgeBucket::Days61To90,
        AgeBucket::Over90,
    ];

    /// The bucket of an amount due on `due_on`, seen on `today`.
    pub fn of(due_on: Date, today: Date) -> AgeBucket {
        match (today - due_on).whole_days() {
            i64::MIN..=0 => AgeBucket::Current,
            1..=30 => AgeBucket::Days1To30,
            31..=60 => AgeBucket::Days31To60,
            61..=90 => AgeBucket::Days61To90,
            _ => AgeBucket::Over90,
        }
    }

    /// The bucket's heading for people.
    pub fn label(&self) -> &'static str {
        match self {
            AgeBucket::Current => "Current",
            AgeBucket::Days1To30 => "1–30 days",
            AgeBucket::Days31To60 => "31–60 days",
            AgeBucket::Days61To90 => "61–90 days",
            AgeBucket::Over90 => "Over 90 days",
        }
    }

    fn index(self) -> usize {
        match self {
            AgeBucket::Current => 0,
            AgeBucket::Days1To30 => 1,
            AgeBucket::Days31To60 => 2,
            AgeBucket::Days61To90 => 3,
            AgeBucket::Over90 => 4,
        }
    }
}

/// Open balances summed per bucket, and their total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ageing {
    /// Minor units per bucket, in the order of [`AgeBucket::ALL`].
    pub buckets: [i64; 5],
    /// The sum of every bucket: the balance due.
    pub total: i64,
}

impl Ageing {
    /// The amount in `bucket`.
    pub fn amount(&self, bucket: AgeBucket) -> i64 {
        self.buckets[bucket.index()]
    }
}

/// Sums `(due_on, balance_minor)` pairs of open invoices into buckets as of `today`.
pub fn ageing(open: impl IntoIterator<Item = (Date, i64)>, today: Date) -> Ageing {
    let mut out = Ageing::default();
    for (due_on, balance) in open {
        out.buckets[AgeBucket::of(due_on, today).index()] += balance;
        out.total += balance;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{AgeBucket, ageing};
    use time::macros::date;

    #[test]
    fn bucket_edges_fall_on_the_right_side() {
        let today = date!(2025 - 06 - 30);
        let cases = [
            (date!(2025 - 07 - 15), AgeBucket::Current),
            (date!(2025 - 06 - 30), AgeBucket::Current),
            (date!(2025 - 06 - 29), AgeBucket::Days1To30),
            (date!(2025 - 05 - 31), AgeBucket::Days1To30),
            (date!(2025 - 05 - 30), AgeBucket::Days31To60),
            (date!(2025 - 05 - 01), AgeBucket::Days31To60),
            (date!(2025 - 04 - 30), AgeBucket::Days61To90),
            (date!(2025 - 04 - 01), AgeBucket::Days61To90),
            (date!(2025 - 03 - 31), AgeBucket::Over90),
            (date!(2020 - 01 - 01), AgeBucket::Over90),
        ];
        for (due, bucket) in cases {
            assert_eq!(AgeBucket::of(due, today), bucket, "due {due}");
        }
    }

    #[test]
    fn balances_are_summed_per_bucket_and_in_total() {
        let today = date!(2025 - 06 - 30);
        let a = ageing(
            [
                (date!(2025 - 07 - 10), 10_000),
                (date!(2025 - 06 - 20), 2_500),
                (date!(2025 - 06 - 01), 500),
                (date!(2025 - 01 - 01), 7_000),
            ],
            today,
        );
        assert_eq!(a.amount(AgeBucket::Current), 10_000);
        assert_eq!(a.amount(AgeBucket::Days1To30), 3_000);
        assert_eq!(a.amount(AgeBucket::Days31To60), 0);
        assert_eq!(a.amount(AgeBucket::Over90), 7_000);
        assert_eq!(a.total, 20_000);
    }

    #[test]
    fn nothing_open_ages_to_zero() {
        let a = ageing([], date!(2025 - 06 - 30));
        assert_eq!(a.total, 0);
        assert!(a.buckets.iter().all(|b| *b == 0));
    }
}
